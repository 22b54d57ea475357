// The application's autosave, without the page (static/js/visits/application.js ties it to
// the form): the application is saved whole (the server checks it whole: a visit ranked
// twice, too many delegates), so one save is sent at a time and a change made meanwhile is
// sent once it is answered. The server's answers are read as the roadmap's are (answerOf in
// ../roadmap/save-queue.js), with the same pause before saving and the same growing wait
// between retries. Tests drive it with fakes (tests/js/visits-autosave.test.mjs).
import { answerOf, DEBOUNCE_MS, nextRetryDelay, RETRY_FIRST_MS } from "../roadmap/save-queue.js";

/**
 * read() returns the form's fields as one object of texts; post(body) resolves to
 * {status, body} and rejects when no answer came; show(text) writes the status line; say(name)
 * gives a text of the page; timers holds setTimeout and clearTimeout.
 * Returns {changed(), stop()}: call changed() on every edit, stop() when the form is sent.
 */
export function createAutosave({ read, post, show, say, timers }) {
  let timer = null;
  let sending = false;
  let again = false;
  let stopped = false;
  let retryDelay = RETRY_FIRST_MS;
  let lastSent = JSON.stringify(read());

  function schedule(delay) {
    if (timer !== null) timers.clearTimeout(timer);
    timer = timers.setTimeout(save, delay);
  }

  function retryLater() {
    schedule(retryDelay);
    retryDelay = nextRetryDelay(retryDelay);
  }

  async function save() {
    timer = null;
    if (stopped) return;
    if (sending) {
      again = true;
      return;
    }
    const body = JSON.stringify(read());
    if (body === lastSent) return;
    sending = true;
    show(say("saving"));
    let answer;
    try {
      const response = await post(body);
      answer = answerOf(response.status, response.body, null);
    } catch {
      answer = { kind: "retry", serverError: false };
    }
    sending = false;
    if (stopped) return;
    if (answer.kind === "saved") {
      lastSent = body;
      retryDelay = RETRY_FIRST_MS;
      show(answer.savedAt || say("saved"));
    } else if (answer.kind === "refused") {
      // The same fields would be refused again: wait for a change. "Save draft" shows the
      // messages at the fields.
      lastSent = body;
      show(answer.reason || say("refused"));
    } else if (answer.kind === "blocked") {
      stopped = true;
      show(answer.message);
    } else {
      show(say(answer.kind === "expired" ? "expired" : "failed"));
      retryLater();
    }
    if (again) {
      again = false;
      schedule(0);
    }
  }

  return {
    changed() {
      if (!stopped) schedule(DEBOUNCE_MS);
    },
    stop() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
}
