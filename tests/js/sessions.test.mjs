import assert from "node:assert/strict";
import { test } from "node:test";

import { confirmBeforeSubmit } from "../../static/js/sessions/confirm.js";
import { belongsTo, cityOfAction, filterActions } from "../../static/js/sessions/presentations.js";
import { rowMarkup } from "../../static/js/sessions/walk-ins.js";

test("an action's city is the text before its first colon", () => {
  assert.deepEqual(
    ["Mannheim: Coal exit", "Cluj-Napoca: Trees: 10,000 more", "No city here", ""].map(
      cityOfAction,
    ),
    ["Mannheim", "Cluj-Napoca", "", ""],
  );
});

test("an action belongs to the chosen city by name, and to any city when none is chosen", () => {
  assert.deepEqual(
    [
      belongsTo("Mannheim: Coal exit", "Mannheim (DE)"),
      belongsTo("Mannheim: Coal exit", "Mannheimer Land (DE)"),
      belongsTo("Espoo: Heat pumps", "Mannheim (DE)"),
      belongsTo("No city here", "Mannheim (DE)"),
      belongsTo("Espoo: Heat pumps", ""),
    ],
    [true, false, false, false, true],
  );
});

// A <select> as the session form renders it: options with text, selected and hidden.
function select(texts, { value = "", selectedIndex = -1, selected = [] } = {}) {
  const options = texts.map((text) => ({ text, selected: selected.includes(text), hidden: false }));
  return { value, selectedIndex, options };
}

// The city select with Mannheim chosen.
const mannheimChosen = () =>
  select(["---------", "Espoo (FI)", "Mannheim (DE)"], { value: "7", selectedIndex: 2 });

const ACTIONS = ["Espoo: Heat pumps", "Mannheim: Coal exit", "Mannheim: District heating"];
const state = (actions) => actions.options.map((o) => [o.text, o.selected, o.hidden]);

test("choosing a city shows only its actions and unselects the other cities' actions", () => {
  const city = mannheimChosen();
  const actions = select(ACTIONS, { selected: ["Espoo: Heat pumps", "Mannheim: Coal exit"] });

  filterActions(city, actions, { deselect: true });

  assert.deepEqual(state(actions), [
    ["Espoo: Heat pumps", false, true],
    ["Mannheim: Coal exit", true, false],
    ["Mannheim: District heating", false, false],
  ]);
});

test("on load a refused choice the server sent back stays selected and visible", () => {
  const city = mannheimChosen();
  const actions = select(ACTIONS, { selected: ["Espoo: Heat pumps"] });

  filterActions(city, actions, { deselect: false });

  assert.deepEqual(state(actions), [
    ["Espoo: Heat pumps", true, false],
    ["Mannheim: Coal exit", false, false],
    ["Mannheim: District heating", false, false],
  ]);
});

test("with no city chosen every action shows again", () => {
  const city = select(["---------", "Espoo (FI)"], { value: "", selectedIndex: 0 });
  const actions = select(ACTIONS);
  for (const option of actions.options) option.hidden = true;

  filterActions(city, actions, { deselect: true });

  assert.deepEqual(actions.options.map((o) => o.hidden), [false, false, false]);
});

// A form that records its submit listener, and a submit event that records preventDefault.
function fakeForm(question) {
  const form = {
    dataset: { confirm: question },
    listeners: [],
    addEventListener(type, listener) {
      this.listeners.push([type, listener]);
    },
    submit() {
      const event = { prevented: false, preventDefault: () => (event.prevented = true) };
      for (const [type, listener] of this.listeners) if (type === "submit") listener(event);
      return event.prevented ? "kept" : "sent";
    },
  };
  return form;
}

test("a form with a question goes only when the person says yes", () => {
  const asked = [];
  let answer = false;
  const form = fakeForm("Cancel this session and email everyone registered?");
  confirmBeforeSubmit(form, (question) => {
    asked.push(question);
    return answer;
  });

  const first = form.submit();
  answer = true;
  const second = form.submit();

  assert.deepEqual([first, second], ["kept", "sent"]);
  assert.deepEqual(asked, [
    "Cancel this session and email everyone registered?",
    "Cancel this session and email everyone registered?",
  ]);
});

test("a new walk-in row takes its index in names and ids, and its number in the legend", () => {
  const empty =
    '<fieldset><legend>Walk-in __number__</legend>' +
    '<label for="id_walk_ins-__prefix__-email">Email</label>' +
    '<input name="walk_ins-__prefix__-email" id="id_walk_ins-__prefix__-email"></fieldset>';

  assert.equal(
    rowMarkup(empty, 3),
    '<fieldset><legend>Walk-in 4</legend>' +
      '<label for="id_walk_ins-3-email">Email</label>' +
      '<input name="walk_ins-3-email" id="id_walk_ins-3-email"></fieldset>',
  );
});
