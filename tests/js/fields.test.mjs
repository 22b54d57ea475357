import assert from "node:assert/strict";
import { test } from "node:test";

import { displayValue, readValue, wordCount, writeValue } from "../../static/js/roadmap/fields.js";

test("words are runs of non-space characters, as on the server", () => {
  assert.deepEqual(
    ["", "   ", "one", " one  two\nthree\tfour ", "l'été, déjà-vu"].map(wordCount),
    [0, 0, 1, 4, 2],
  );
});

// A <fieldset> of checkboxes with labels, as templates/roadmaps/_field_input.html renders it.
function fieldset(choices) {
  const inputs = choices.map(([value, label]) => ({
    id: `input-services-${value}`,
    value,
    checked: false,
    label,
  }));
  return {
    tagName: "FIELDSET",
    inputs,
    querySelectorAll: (selector) => (selector === "input" ? inputs : []),
    querySelector(selector) {
      const input = inputs.find((each) => selector === `label[for='${each.id}']`);
      return input && input.label !== null ? { textContent: input.label } : null;
    },
  };
}

test("the value of a set of choices is the checked values joined by commas", () => {
  const el = fieldset([["1", "Advice"], ["2", "Funding"], ["3", "Training"]]);

  writeValue(el, "3,1");
  assert.deepEqual(el.inputs.map((input) => input.checked), [true, false, true]);
  assert.equal(readValue(el), "1,3");
  writeValue(el, "");
  assert.equal(readValue(el), "");
});

test("a set of choices is shown by its labels, or its values where a label is missing", () => {
  const el = fieldset([["1", "Advice"], ["2", null], ["3", "Training"]]);

  assert.equal(displayValue(el, "2,3", "(empty)"), "2, Training");
  assert.equal(displayValue(el, "", "(empty)"), "(empty)");
});

test("a select is shown by the option's text; a text by itself", () => {
  const options = [
    { value: "", textContent: "Choose" },
    { value: "7", textContent: "Braga: trees" },
  ];
  const select = { tagName: "SELECT", options };
  const input = { tagName: "TEXTAREA", value: "" };

  assert.equal(displayValue(select, "7", "(empty)"), "Braga: trees");
  assert.equal(displayValue(select, "9", "(empty)"), "9");
  writeValue(input, "Our city");
  assert.equal(readValue(input), "Our city");
  assert.equal(displayValue(input, "Our city", "(empty)"), "Our city");
});
