// The save queue: every field ([data-key]) is saved on its own through the autosave URL with the
// version it was loaded at; the server refuses (409) a save over someone else's newer version.
//
// One save at a time per page: saves reach the server in the order they were made, and a field
// edited again while its save is under way is sent once more, on the new version. What the
// server answers decides what happens next (answerOf): saved, a conflict to show, a refusal that
// is not sent again until the text changes, or a failure that is tried again later, each time
// waiting longer.
//
// The queue touches no page element itself: it works on field objects and tells a view what to
// show, so tests can drive it with fakes (tests/js/save-queue.test.mjs). A field is
// {key, version, saved, pending, invalid, conflict, timer, read(), write(value), setVersion(v)};
// saved is what the server holds, pending says there is text to send.

export const DEBOUNCE_MS = 800;
export const RETRY_FIRST_MS = 1000;
export const RETRY_MAX_MS = 30000;
export const PERIODIC_MS = 15000;

/** Return the wait before the retry after one that waited delay ms: twice as long, capped. */
export const nextRetryDelay = (delay) => Math.min(delay * 2, RETRY_MAX_MS);

/**
 * Read the server's answer to the save of the field called key.
 *
 * Return {kind: "saved", version, savedAt, percent}, {kind: "conflict", conflict},
 * {kind: "expired"} (signed out: kept and tried again), {kind: "blocked", message} (submitted
 * meanwhile or access removed: retrying cannot help), {kind: "refused", reason} (the same text
 * would be refused again) or {kind: "retry", serverError} (5xx, 408 timeout, 429 too many).
 */
export function answerOf(status, body, key) {
  if (status === 200 && body && body.version !== undefined) {
    return {
      kind: "saved",
      version: body.version,
      savedAt: body.saved_at_display,
      percent: body.percent_complete,
    };
  }
  if (status === 409 && body && body.conflict) {
    return { kind: "conflict", conflict: body.conflict };
  }
  const error = body && body.error ? body.error : null;
  if (status === 401) return { kind: "expired" };
  if ((status === 403 || status === 404) && error) {
    return { kind: "blocked", message: error.message };
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    const fieldMessages = error && error.fields && error.fields[key];
    const reason = fieldMessages ? fieldMessages[0] : error ? error.message : "";
    return { kind: "refused", reason };
  }
  return { kind: "retry", serverError: status >= 500 };
}

export class SaveQueue {
  /**
   * post(payload) resolves to {status, body} (body null when not JSON) and rejects when no
   * answer came at all. drafts keeps unsent text (drafts.js). say(name, values) gives a text.
   * view shows things: status(text), note(id, visible), fieldError(field, text),
   * showConflict(field), closeConflict(field), saved(field, answer). timers has setTimeout and
   * clearTimeout (the window by default: its methods must be called on it).
   */
  constructor({ post, drafts, say, view, timers = globalThis }) {
    this.post = post;
    this.drafts = drafts;
    this.say = say;
    this.view = view;
    this.timers = timers;
    this.fields = new Map();
    this.sending = null; // the field whose save is under way
    this.blocked = false; // the roadmap became read-only (submitted by a colleague)
    this.retryDelay = RETRY_FIRST_MS;
    this.retryTimer = null;
  }

  add(field) {
    this.fields.set(field.key, field);
  }

  keep(field) {
    this.drafts.keep(field.key, field.read(), field.version);
  }

  /** The person changed the field: keep the text and let it be sent again even if refused. */
  edited(field) {
    field.pending = true;
    field.invalid = false;
    if (!field.conflict) this.view.fieldError(field, "");
    this.keep(field);
  }

  /** Send the field once the person pauses typing. */
  sendSoon(field) {
    this.timers.clearTimeout(field.timer);
    field.timer = this.timers.setTimeout(() => this.send(field), DEBOUNCE_MS);
  }

  /** The person left the field: send it now if it differs from what the server holds. */
  left(field) {
    if (field.read() === field.saved) return;
    field.pending = true;
    this.keep(field);
    this.send(field);
  }

  send(field) {
    this.timers.clearTimeout(field.timer);
    field.timer = null;
    if (field.conflict || this.blocked) return;
    const value = field.read();
    if (value === field.saved) {
      field.pending = false;
      this.drafts.forget(field.key);
      return;
    }
    field.pending = true;
    if (this.sending !== null) return; // sendNext() picks it up when the save under way is answered
    this.sending = field;
    this.view.status(this.say("saving"));
    this.post({ key: field.key, value, base_version: field.version }).then(
      ({ status, body }) => {
        this.sending = null;
        if (this.answered(field, value, status, body)) this.sendNext();
      },
      () => {
        // No answer at all: offline, or the server is unreachable.
        this.sending = null;
        this.view.note("offline-note", true);
        this.view.status(this.say("not_saved"));
        this.retryLater();
      },
    );
  }

  /** Send the next field with unsent text, unless its debounce timer will send it anyway. */
  sendNext() {
    for (const field of this.fields.values()) {
      if (field.pending && !field.invalid && !field.conflict && field.timer === null) {
        this.send(field);
        if (this.sending !== null) return;
      }
    }
  }

  /** Send what is left, unless a save is under way (its answer sends the rest). */
  flush() {
    if (this.sending === null) this.sendNext();
  }

  /** Send what is left now, starting the retry delays again ("Save" pressed, back online). */
  retryNow() {
    this.retryDelay = RETRY_FIRST_MS;
    this.flush();
  }

  /** The periodic send: a retry already waiting keeps its growing delay. */
  tick() {
    if (this.retryTimer === null) this.flush();
  }

  /** "Save" pressed: send every changed field, suggestions and refused text included. */
  sendAll() {
    for (const field of this.fields.values()) {
      // A suggestion's saved value is still "", so pressing "Save" accepts it too.
      if (field.read() !== field.saved) {
        field.pending = true;
        field.invalid = false;
      }
    }
    this.retryNow();
  }

  retryLater() {
    if (this.retryTimer !== null) return;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.retryDelay = nextRetryDelay(this.retryDelay);
      this.flush();
    }, this.retryDelay);
  }

  /** Show what the server answered; return true when the next field may be sent at once. */
  answered(field, value, status, body) {
    this.view.note("offline-note", false);
    const answer = answerOf(status, body, field.key);
    switch (answer.kind) {
      case "saved":
        field.setVersion(answer.version);
        field.saved = value;
        if (field.read() === value) {
          field.pending = false;
          this.drafts.forget(field.key);
        } else {
          this.keep(field); // typed on while the save was under way: keep it on the new base
        }
        this.view.saved(field, answer);
        this.view.fieldError(field, "");
        this.view.note("expired-note", false);
        this.retryDelay = RETRY_FIRST_MS;
        this.view.status(this.say("saved", { time: answer.savedAt }));
        return true;
      case "conflict":
        field.conflict = answer.conflict;
        this.view.showConflict(field);
        this.view.status(this.say("conflict"));
        return true;
      case "expired":
        this.view.note("expired-note", true);
        this.view.status(this.say("not_saved"));
        this.retryLater();
        return false;
      case "blocked":
        this.blocked = true;
        this.view.status(`${answer.message} ${this.say("not_saved")}`);
        return false;
      case "refused":
        // Not sent again until the person changes it; it stays in the drafts (kept at each edit).
        field.invalid = true;
        this.view.fieldError(field, answer.reason || this.say("refused", { status }));
        this.view.status(this.say("invalid"));
        return true;
      default: {
        const seconds = Math.round(this.retryDelay / 1000);
        this.view.status(
          answer.serverError
            ? this.say("server_error", { status, seconds })
            : this.say("retrying", { seconds }),
        );
        this.retryLater();
        return false;
      }
    }
  }

  // --- Choosing a version after a conflict (conflict-panel.js offers the choice) -------------

  /** Mine replaces theirs: send it on top of their version. */
  keepMine(field) {
    this.resolve(field);
    field.pending = true;
    this.keep(field);
    this.send(field);
  }

  keepTheirs(field) {
    const { theirs } = field.conflict;
    field.write(theirs);
    this.resolve(field);
    field.saved = theirs;
    field.pending = false;
    this.drafts.forget(field.key);
    this.view.status("");
  }

  /** Send the merged text on top of their version. */
  keepMerged(field, text) {
    field.write(text);
    this.resolve(field);
    field.pending = true;
    this.keep(field);
    this.send(field);
  }

  resolve(field) {
    field.setVersion(field.conflict.their_version);
    field.conflict = null;
    this.view.closeConflict(field);
  }
}
