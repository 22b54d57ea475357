// The Group Study Visit application page: saves the draft while the officer types.
// Without JavaScript the page is a plain form ("Save draft", "Submit the application"); this
// module adds the autosave on top of it, as the roadmap's page does: the same reading of the
// server's answers (answerOf in ../roadmap/save-queue.js: saved, refused, blocked, signed out,
// try again later), the same pause before saving and the same growing wait between retries,
// and the texts read from the page (../roadmap/messages.js). The application is saved whole
// (the server checks it whole: a visit ranked twice, too many delegates), so one save is sent
// at a time and a change made meanwhile is sent once it is answered.
import { formatter, readMessages } from "../roadmap/messages.js";
import { answerOf, DEBOUNCE_MS, nextRetryDelay, RETRY_FIRST_MS } from "../roadmap/save-queue.js";

function csrfToken(form) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = form.querySelector("input[name='csrfmiddlewaretoken']");
  return input ? input.value : "";
}

/** Return the form's fields as one object of texts (the buttons and the token left out). */
export function fieldsOf(form) {
  const data = {};
  for (const [name, value] of new FormData(form)) {
    if (name === "csrfmiddlewaretoken" || name === "action") continue;
    data[name] = typeof value === "string" ? value : "";
  }
  return data;
}

function start(form) {
  const statusEl = form.querySelector("[data-save-status]");
  const say = formatter(readMessages(form.querySelector("[data-messages]")));
  const show = (text) => {
    if (statusEl) statusEl.textContent = text;
  };
  let timer = null;
  let sending = false;
  let again = false;
  let stopped = false;
  let retryDelay = RETRY_FIRST_MS;
  let lastSent = JSON.stringify(fieldsOf(form));

  async function save() {
    timer = null;
    if (stopped) return;
    if (sending) {
      again = true;
      return;
    }
    const body = JSON.stringify(fieldsOf(form));
    if (body === lastSent) return;
    sending = true;
    show(say("saving"));
    let answer;
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(form),
        },
        body,
      });
      let json = null;
      try {
        json = await response.json();
      } catch {
        json = null;
      }
      answer = answerOf(response.status, json, null);
    } catch {
      answer = { kind: "retry", serverError: false };
    }
    sending = false;
    if (answer.kind === "saved") {
      lastSent = body;
      retryDelay = RETRY_FIRST_MS;
      show(answer.savedAt || say("saved"));
    } else if (answer.kind === "refused") {
      // The same text would be refused again: wait for a change. "Save draft" shows the
      // messages at the fields.
      lastSent = body;
      show(answer.reason || say("refused"));
    } else if (answer.kind === "blocked") {
      stopped = true;
      show(answer.message);
    } else if (answer.kind === "expired") {
      show(say("expired"));
      schedule(retryDelay);
      retryDelay = nextRetryDelay(retryDelay);
    } else {
      show(say("failed"));
      schedule(retryDelay);
      retryDelay = nextRetryDelay(retryDelay);
    }
    if (again) {
      again = false;
      schedule(0);
    }
  }

  function schedule(delay) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("input", () => schedule(DEBOUNCE_MS));
  form.addEventListener("change", () => schedule(DEBOUNCE_MS));
  // A plain submit ("Save draft", "Submit") takes over: no autosave races it.
  form.addEventListener("submit", () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  });
}

const form = typeof document !== "undefined" && document.querySelector("[data-application-form]");
if (form && form.dataset.autosaveUrl) start(form);
