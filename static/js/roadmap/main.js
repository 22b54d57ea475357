// The Reflection Roadmap edit page: autosave, offline keeping, conflicts and word counts.
// This module ties the page to the save queue (save-queue.js), the browser's drafts
// (drafts.js) and the conflict panel (conflict-panel.js); only it reads the document.
// Without JavaScript, or in a browser without modules, the page is a plain form that the
// server saves field by field.
import { buildConflictPanel } from "./conflict-panel.js";
import { Drafts, restoreDraft } from "./drafts.js";
import { displayValue, readValue, wordCount, writeValue } from "./fields.js";
import { formatter, readMessages } from "./messages.js";
import { PERIODIC_MS, SaveQueue } from "./save-queue.js";

// A field of the form as the save queue sees it (see save-queue.js).
class PageField {
  constructor(el, form, onWrite) {
    this.el = el;
    this.form = form;
    this.onWrite = onWrite;
    this.key = el.dataset.key;
    this.version = parseInt(el.dataset.version, 10) || 0;
    // A suggestion (the representative prefill) is not saved yet: the server holds "".
    this.saved = this.suggested ? "" : readValue(el);
    this.pending = false;
    this.invalid = false;
    this.conflict = null;
    this.timer = null;
  }

  get suggested() {
    return this.el.hasAttribute("data-suggested");
  }

  get kind() {
    return this.el.dataset.kind;
  }

  read() {
    return readValue(this.el);
  }

  write(value) {
    writeValue(this.el, value);
    this.onWrite(this);
  }

  setVersion(version) {
    this.version = version;
    this.el.dataset.version = String(version);
    // The no-JS form's copy of the version, so a plain submit after autosaves is not refused.
    const hidden = this.form.querySelector(`input[data-version-for='${this.key}']`);
    if (hidden) hidden.value = String(version);
  }
}

function csrfToken(form) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = form.querySelector("input[name='csrfmiddlewaretoken']");
  return input ? input.value : "";
}

function setUp(form) {
  const url = form.dataset.autosaveUrl;
  const say = formatter(readMessages(document.getElementById("roadmap-messages")));
  const drafts = new Drafts({
    storage: () => window.localStorage,
    userId: form.dataset.user,
    roadmapId: form.dataset.roadmap,
  });

  const updateWordCount = (field) => {
    const limit = field.el.dataset.wordLimit;
    const counter = document.getElementById(`count-${field.key}`);
    if (!limit || !counter) return;
    const count = wordCount(field.el.value);
    counter.textContent = say("words", { count, limit });
    counter.classList.toggle("over", count > parseInt(limit, 10));
  };

  const post = async (payload) => {
    const response = await window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(form),
      },
      body: JSON.stringify(payload),
    });
    const body = await response.json().catch(() => null);
    return { status: response.status, body };
  };

  const view = {
    status(text) {
      document.getElementById("save-status").textContent = text;
    },
    note(id, visible) {
      document.getElementById(id).hidden = !visible;
    },
    fieldError(field, text) {
      const box = document.getElementById(`error-${field.key}`);
      if (!box) return;
      box.replaceChildren();
      if (text) {
        const p = document.createElement("p");
        p.textContent = text;
        box.append(p);
      }
    },
    saved(field, answer) {
      field.el.removeAttribute("data-suggested");
      const percent = document.querySelector("[data-percent-complete]");
      if (percent) percent.textContent = String(answer.percent);
    },
    closeConflict(field) {
      document.getElementById(`conflict-${field.key}`)?.remove();
    },
    showConflict(field) {
      view.closeConflict(field);
      const { conflict } = field;
      const panel = buildConflictPanel(document, {
        key: field.key,
        kind: field.kind,
        conflict,
        say,
        mine: displayValue(field.el, field.read(), say("empty")),
        theirs: displayValue(field.el, conflict.theirs, say("empty")),
        mineValue: field.read(),
        onKeepMine: () => queue.keepMine(field),
        onKeepTheirs: () => queue.keepTheirs(field),
        onMerged: (text) => queue.keepMerged(field, text),
      });
      document.getElementById(`error-${field.key}`).after(panel);
    },
  };

  const queue = new SaveQueue({ post, drafts, say, view });

  for (const el of form.querySelectorAll("[data-key]")) {
    const field = new PageField(el, form, updateWordCount);
    queue.add(field);
    if (el.tagName === "FIELDSET" || el.tagName === "SELECT") {
      el.addEventListener("change", () => {
        queue.edited(field);
        updateWordCount(field);
        queue.send(field);
      });
    } else {
      el.addEventListener("input", () => {
        queue.edited(field);
        updateWordCount(field);
        queue.sendSoon(field);
      });
      el.addEventListener("blur", () => queue.left(field));
    }
    restoreDraft(field, drafts);
  }

  form.addEventListener("submit", (event) => {
    // With the script, "Save" sends what is left at once instead of posting the page.
    event.preventDefault();
    queue.sendAll();
  });
  window.addEventListener("online", () => {
    view.note("offline-note", false);
    queue.retryNow();
  });
  window.addEventListener("offline", () => view.note("offline-note", true));
  window.setInterval(() => queue.tick(), PERIODIC_MS);
  queue.flush();
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("roadmap-form");
  if (form) setUp(form);
});
