// The Group Study Visit application page: saves the draft while the officer types.
// Without JavaScript the page is a plain form ("Save draft", "Submit the application"); this
// module adds the autosave on top of it (autosave.js), as the roadmap's page does, with the
// texts read from the page (../roadmap/messages.js).
import { formatter, readMessages } from "../roadmap/messages.js";
import { createAutosave } from "./autosave.js";

function csrfToken(form) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = form.querySelector("input[name='csrfmiddlewaretoken']");
  return input ? input.value : "";
}

function fieldsOf(form) {
  const data = {};
  for (const [name, value] of new FormData(form)) {
    if (name === "csrfmiddlewaretoken" || name === "action") continue;
    data[name] = typeof value === "string" ? value : "";
  }
  return data;
}

async function post(form, body) {
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
  return { status: response.status, body: json };
}

const form = document.querySelector("[data-application-form]");
if (form && form.dataset.autosaveUrl) {
  const statusEl = form.querySelector("[data-save-status]");
  const autosave = createAutosave({
    read: () => fieldsOf(form),
    post: (body) => post(form, body),
    show: (text) => {
      if (statusEl) statusEl.textContent = text;
    },
    say: formatter(readMessages(form.querySelector("[data-messages]"))),
    timers: window,
  });
  form.addEventListener("input", () => autosave.changed());
  form.addEventListener("change", () => autosave.changed());
  // A plain submit ("Save draft", "Submit") takes over: no autosave races it.
  form.addEventListener("submit", () => autosave.stop());
}
