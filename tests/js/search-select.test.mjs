import assert from "node:assert/strict";
import { test } from "node:test";

import {
  chooseOption,
  chosenOptions,
  removeOption,
} from "../../static/js/search-select/choices.js";
import { format, foundMessage } from "../../static/js/search-select/format.js";
import { focusAfterKey } from "../../static/js/search-select/keys.js";
import { DELAY_MS, Search, readSettings, searchUrl } from "../../static/js/search-select/search.js";
import { FakeTimers, settle } from "./fakes.mjs";

// The texts as templates/widgets/search_select.html renders them in English.
const TEXTS = {
  noneFound: "No city found.",
  oneFound: "1 city found.",
  manyFound: "%(count)s cities found.",
  moreFound: "Only the first 20 are listed: type more letters to narrow the search.",
};

test("format fills in the %(name)s placeholders it has values for and leaves the others", () => {
  assert.deepEqual(
    [
      format("%(label)s chosen.", { label: "Braga (PT)" }),
      format("%(count)s cities found.", { count: 20 }),
      format("%(label)s and %(label)s, %(other)s", { label: "Espoo (FI)" }),
      format("%(toString)s %(count)d 100%", {}),
      format("No placeholder.", { label: "unused" }),
    ],
    [
      "Braga (PT) chosen.",
      "20 cities found.",
      "Espoo (FI) and Espoo (FI), %(other)s",
      "%(toString)s %(count)d 100%",
      "No placeholder.",
    ],
  );
});

test("the status line counts the results listed and says when there are more", () => {
  assert.deepEqual(
    [
      foundMessage(TEXTS, 0, false),
      foundMessage(TEXTS, 1, false),
      foundMessage(TEXTS, 2, false),
      foundMessage(TEXTS, 20, true),
    ],
    [
      "No city found.",
      "1 city found.",
      "2 cities found.",
      "20 cities found. Only the first 20 are listed: type more letters to narrow the search.",
    ],
  );
});

test("the settings come from the data attributes, with the server's defaults", () => {
  assert.deepEqual(
    [
      readSettings({ minLength: "3", limit: "50" }),
      readSettings({}),
      readSettings({ minLength: "", limit: "many" }),
      readSettings({ minLength: "0", limit: "0" }),
    ],
    [
      { minLength: 3, limit: 50 },
      { minLength: 2, limit: 20 },
      { minLength: 2, limit: 20 },
      { minLength: 2, limit: 20 },
    ],
  );
});

test("the search address keeps the endpoint's own query and adds the text, encoded", () => {
  const base = "https://portal.example/cohorts/5/enrolments/";
  assert.deepEqual(
    [
      searchUrl("/cities/search/", base, "Esp").href,
      searchUrl("/cities/search/?country=PT", base, "São Paulo & co").href,
      searchUrl("/cities/search/?q=old", base, "new").href,
    ],
    [
      "https://portal.example/cities/search/?q=Esp",
      "https://portal.example/cities/search/?country=PT&q=S%C3%A3o+Paulo+%26+co",
      "https://portal.example/cities/search/?q=new",
    ],
  );
});

test("the arrow keys move along the results, and up from the first or Escape go back", () => {
  assert.deepEqual(
    [
      focusAfterKey("ArrowDown", 0, 3),
      focusAfterKey("ArrowDown", 2, 3),
      focusAfterKey("ArrowUp", 2, 3),
      focusAfterKey("ArrowUp", 0, 3),
      focusAfterKey("Escape", 1, 3),
      focusAfterKey("Enter", 1, 3),
      focusAfterKey("Tab", 1, 3),
    ],
    [1, 2, 1, -1, -1, null, null],
  );
});

// A <select> holding options with value, text and selected, as the widget renders it; in a
// single select, selecting an option unselects the others, as in a browser.
function fakeSelect({ multiple = false, options = [] } = {}) {
  const select = {
    multiple,
    options: [],
    add(option) {
      let selected = option.selected;
      Object.defineProperty(option, "selected", {
        get: () => selected,
        set(value) {
          if (value && !select.multiple) {
            for (const other of select.options) if (other !== option) other.selected = false;
          }
          selected = value;
        },
      });
      option.remove = () => select.options.splice(select.options.indexOf(option), 1);
      select.options.push(option);
    },
    set value(value) {
      for (const option of select.options) option.selected = option.value === value;
    },
  };
  for (const [value, text, selected = false] of options) select.add({ value, text, selected });
  return select;
}

const makeOption = (text, value) => ({ value, text, selected: false });
const state = (select) => select.options.map((o) => [o.value, o.text, o.selected]);

test("the chosen options are the selected ones other than the empty option", () => {
  const select = fakeSelect({
    multiple: true,
    options: [
      ["", "---------", true],
      ["7", "Espoo (FI)", true],
      ["9", "Braga (PT)", false],
      ["3", "Mannheim (DE)", true],
    ],
  });

  assert.deepEqual(
    chosenOptions(select).map((o) => o.text),
    ["Espoo (FI)", "Mannheim (DE)"],
  );
});

test("choosing in a single select replaces its choice and keeps the empty option", () => {
  const select = fakeSelect({
    options: [
      ["", "---------"],
      ["7", "Espoo (FI)", true],
    ],
  });

  const option = chooseOption(select, "9", "Braga (PT)", makeOption);

  assert.equal(option, select.options[1]);
  assert.deepEqual(state(select), [
    ["", "---------", false],
    ["9", "Braga (PT)", true],
  ]);
});

test("choosing in a multiple select adds the option, and choosing it again adds no copy", () => {
  const select = fakeSelect({ multiple: true, options: [["7", "Espoo (FI)", true]] });

  chooseOption(select, "9", "Braga (PT)", makeOption);
  chooseOption(select, "7", "Espoo (FI)", makeOption);

  assert.deepEqual(state(select), [
    ["7", "Espoo (FI)", true],
    ["9", "Braga (PT)", true],
  ]);
});

test("choosing the row a single select already holds keeps its option", () => {
  const select = fakeSelect({
    options: [
      ["", "---------"],
      ["7", "Espoo (FI)", true],
    ],
  });
  const held = select.options[1];

  assert.equal(chooseOption(select, "7", "Espoo (FI)", makeOption), held);
  assert.deepEqual(state(select), [
    ["", "---------", false],
    ["7", "Espoo (FI)", true],
  ]);
});

test("removing leaves a single select on its empty option and a multiple one with the rest", () => {
  const single = fakeSelect({
    options: [
      ["", "---------"],
      ["7", "Espoo (FI)", true],
    ],
  });
  const multiple = fakeSelect({
    multiple: true,
    options: [
      ["7", "Espoo (FI)", true],
      ["9", "Braga (PT)", true],
    ],
  });

  removeOption(single, single.options[1]);
  removeOption(multiple, multiple.options[0]);

  assert.deepEqual(state(single), [["", "---------", true]]);
  assert.deepEqual(state(multiple), [["9", "Braga (PT)", true]]);
});

// An endpoint whose answers the test gives: fetch() stays open until answer() or fail(), and
// rejects with an AbortError when its signal aborts, as a browser's does.
class FakeEndpoint {
  constructor() {
    this.requests = [];
  }

  fetch = (url, init) =>
    new Promise((resolve, reject) => {
      this.requests.push({ url: String(url), init, resolve, reject });
      init.signal.addEventListener("abort", () =>
        reject(new DOMException("This operation was aborted", "AbortError")),
      );
    });

  get urls() {
    return this.requests.map((request) => request.url);
  }

  async answer(index, status, body = null) {
    const ok = status >= 200 && status < 300;
    this.requests[index].resolve({ ok, status, json: async () => body });
    await settle();
  }

  async fail(index) {
    this.requests[index].reject(new TypeError("Failed to fetch"));
    await settle();
  }
}

function searchFor(text = "") {
  const box = { value: text };
  const endpoint = new FakeEndpoint();
  const timers = new FakeTimers();
  const page = [];
  const search = new Search({
    endpoint: "/cities/search/?country=FI",
    base: () => "https://portal.example/cohorts/5/enrolments/",
    read: () => box.value,
    minLength: 2,
    fetch: endpoint.fetch,
    timers,
    show: (results, more) => page.push(["show", results.map((r) => r.label), more]),
    fail: () => page.push(["fail"]),
  });
  return { box, endpoint, timers, page, search };
}

const ESPOO = { id: 7, label: "Espoo (FI)" };
const ESPOSENDE = { id: 9, label: "Esposende (PT)" };

test("typing searches once the person has stopped for the delay, for the text then", async () => {
  const { box, endpoint, timers, page, search } = searchFor();

  box.value = "E";
  const short = search.typed();
  box.value = " Es ";
  const first = search.typed();
  timers.advance(DELAY_MS - 1);
  box.value = "Esp";
  const second = search.typed();
  timers.advance(DELAY_MS - 1);
  const asked = endpoint.urls.length;
  timers.advance(1);
  await endpoint.answer(0, 200, { results: [ESPOO, ESPOSENDE], more: false });

  assert.deepEqual([short, first, second, asked], [false, true, true, 0]);
  assert.deepEqual(endpoint.urls, ["https://portal.example/cities/search/?country=FI&q=Esp"]);
  assert.deepEqual(endpoint.requests[0].init.headers, { Accept: "application/json" });
  assert.equal(endpoint.requests[0].init.credentials, "same-origin");
  assert.deepEqual(page, [["show", ["Espoo (FI)", "Esposende (PT)"], false]]);
  assert.equal(search.request, null);
});

test("text shorter than the minimum, spaces aside, cancels the search waiting", () => {
  const { box, endpoint, timers, search } = searchFor("Es");
  search.typed();

  box.value = " E  ";
  const searching = search.typed();
  timers.advance(DELAY_MS * 2);

  assert.equal(searching, false);
  assert.equal(search.query, "E");
  assert.deepEqual(endpoint.urls, []);
  assert.deepEqual(timers.delays(), []);
});

test("a newer search cancels the one under way, whose answer is never shown", async () => {
  const { box, endpoint, page, search } = searchFor("Esp");
  search.now();
  box.value = "Espo";
  search.now();

  await endpoint.answer(0, 200, { results: [ESPOO, ESPOSENDE], more: false });
  await endpoint.answer(1, 200, { results: [ESPOO], more: true });

  assert.deepEqual(endpoint.urls, [
    "https://portal.example/cities/search/?country=FI&q=Esp",
    "https://portal.example/cities/search/?country=FI&q=Espo",
  ]);
  assert.equal(endpoint.requests[0].init.signal.aborted, true);
  assert.deepEqual(page, [["show", ["Espoo (FI)"], true]]);
});

test("Enter searches at once when the text is long enough, and not otherwise", () => {
  const { box, endpoint, timers, search } = searchFor("E");
  search.now();
  box.value = "Es";
  search.typed();
  search.now();

  assert.deepEqual(endpoint.urls, ["https://portal.example/cities/search/?country=FI&q=Es"]);
  assert.deepEqual(timers.delays(), []);
});

test("a refusal or a network failure is reported; a cancelled search reports nothing", async () => {
  const { endpoint, page, search } = searchFor("Esp");
  search.now();
  await endpoint.answer(0, 500);
  search.now();
  await endpoint.fail(1);
  search.now();
  search.cancel();
  await settle();

  assert.deepEqual(page, [["fail"], ["fail"]]);
  assert.equal(endpoint.requests[2].init.signal.aborted, true);
  assert.equal(search.request, null);
});
