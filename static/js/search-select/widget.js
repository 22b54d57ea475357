// One search-select widget. The <select> holds only the chosen options. This module hides it,
// lists what is chosen with "Remove" buttons, and lets a person search (search.js); choosing a
// result adds its option to the select (choices.js; a single select replaces its choice), so
// the form submits as before. Only this module reads and builds the page.
import { chooseOption, chosenOptions, removeOption } from "./choices.js";
import { format, foundMessage } from "./format.js";
import { focusAfterKey } from "./keys.js";
import { Search, readSettings } from "./search.js";

/** Set up the widget under root ([data-search-select]). */
export function setUp(root) {
  const select = root.querySelector("select");
  const input = root.querySelector("[data-search-input]");
  const results = root.querySelector("[data-results]");
  const status = root.querySelector("[data-status]");
  const chosenList = root.querySelector("[data-chosen]");
  const texts = root.dataset;
  const { minLength, limit } = readSettings(texts);

  const announce = (message) => {
    status.textContent = message;
  };

  const clearResults = () => results.replaceChildren();

  const resultButtons = () => Array.from(results.querySelectorAll("button"));

  function renderChosen() {
    const options = chosenOptions(select);
    chosenList.replaceChildren();
    if (!options.length) {
      const none = document.createElement("li");
      none.className = "empty";
      none.textContent = texts.nothingChosen;
      chosenList.appendChild(none);
      return;
    }
    for (const option of options) {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.textContent = option.text;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "small secondary";
      button.textContent = texts.remove;
      // Read out as "Remove Braga (PT)": a list of identical "Remove" buttons says nothing.
      const name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = ` ${option.text}`;
      button.appendChild(name);
      button.addEventListener("click", () => unchoose(option));
      item.append(label, " ", button);
      chosenList.appendChild(item);
    }
  }

  function showResults(rows, more) {
    clearResults();
    const shown = rows.slice(0, limit);
    for (const row of shown) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = row.label;
      button.addEventListener("click", () => choose(String(row.id), row.label));
      item.appendChild(button);
      results.appendChild(item);
    }
    announce(foundMessage(texts, shown.length, more));
  }

  const search = new Search({
    endpoint: texts.searchUrl,
    base: () => window.location.href,
    read: () => input.value,
    minLength,
    fetch: (url, init) => window.fetch(url, init),
    timers: window,
    show: showResults,
    fail: () => {
      clearResults();
      announce(texts.failed);
    },
  });

  function choose(value, label) {
    chooseOption(select, value, label, (text, key) => new Option(text, key));
    search.cancel();
    clearResults();
    input.value = "";
    renderChosen();
    announce(format(texts.chose, { label }));
    input.focus();
  }

  function unchoose(option) {
    const label = option.text;
    removeOption(select, option);
    renderChosen();
    announce(format(texts.removed, { label }));
    input.focus();
  }

  input.addEventListener("input", () => {
    if (!search.typed()) {
      clearResults();
      announce(search.query ? texts.tooShort : "");
    }
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      // Enter in the search box searches at once; it must not submit the form half-filled.
      event.preventDefault();
      search.now();
    } else if (event.key === "ArrowDown") {
      const first = resultButtons()[0];
      if (first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === "Escape" && results.children.length) {
      event.preventDefault();
      search.cancel();
      clearResults();
      announce("");
    }
  });

  results.addEventListener("keydown", (event) => {
    const buttons = resultButtons();
    const index = buttons.indexOf(document.activeElement);
    if (index === -1) return;
    const next = focusAfterKey(event.key, index, buttons.length);
    if (next === null) return;
    event.preventDefault();
    if (next === -1) input.focus();
    else if (next !== index) buttons[next].focus();
  });

  root.querySelector("[data-native]").hidden = true;
  root.querySelector("[data-chosen-area]").hidden = false;
  root.querySelector("[data-search-area]").hidden = false;
  renderChosen();
}
