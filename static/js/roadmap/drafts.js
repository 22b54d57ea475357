// The browser's copy of text that has not reached the server yet ("drafts").
//
// Each field's draft is kept in localStorage under roadmap:<user>:<roadmap>:<key> as
// {value, base_version, at} from the first keystroke, so a closed tab, a lost connection or an
// expired session loses nothing. The key names the signed-in person so that on a shared computer
// one officer's unsent text is never sent under another's name; signing out clears every key
// starting with "roadmap:" (static/js/portal.js, data-clear-storage in templates/base.html).

/** Return the localStorage key of one field's draft. */
export const draftKey = (userId, roadmapId, fieldKey) =>
  `roadmap:${userId}:${roadmapId}:${fieldKey}`;

export class Drafts {
  // storage is a function returning the Storage: reading window.localStorage itself throws
  // when the browser has storage disabled, and that must be caught like a failed write.
  constructor({ storage, userId, roadmapId, now = Date.now }) {
    this.storage = storage;
    this.userId = userId;
    this.roadmapId = roadmapId;
    this.now = now;
  }

  key(fieldKey) {
    return draftKey(this.userId, this.roadmapId, fieldKey);
  }

  keep(fieldKey, value, baseVersion) {
    try {
      this.storage().setItem(
        this.key(fieldKey),
        JSON.stringify({ value, base_version: baseVersion, at: this.now() }),
      );
    } catch (error) {
      // Storage full or disabled: the text is still in the page and sent as usual.
    }
  }

  /** Return the kept {value, base_version, at}, or null when there is none (or it is damaged). */
  read(fieldKey) {
    try {
      const entry = JSON.parse(this.storage().getItem(this.key(fieldKey)) || "null");
      return entry && typeof entry.value === "string" ? entry : null;
    } catch (error) {
      return null;
    }
  }

  forget(fieldKey) {
    try {
      this.storage().removeItem(this.key(fieldKey));
    } catch (error) {
      // Nothing to forget.
    }
  }
}

/**
 * Put a field's draft back into it when the page opens.
 *
 * Text typed here earlier that never reached the server goes back in and is marked pending, so
 * it is sent. It is sent on the version it was typed on (if older than the page's): when someone
 * saved the field since, the server answers 409 and both versions are shown. A draft equal to
 * what the server holds is forgotten, unless the field shows a suggestion, which the server does
 * not hold yet. field: {key, version, suggested, pending, read(), write(value), setVersion(v)}.
 */
export function restoreDraft(field, drafts) {
  const entry = drafts.read(field.key);
  if (!entry) return;
  if (entry.value === field.read() && !field.suggested) {
    drafts.forget(field.key);
    return;
  }
  const base = parseInt(entry.base_version, 10) || 0;
  if (base < field.version) field.setVersion(base);
  field.write(entry.value);
  field.pending = true;
}
