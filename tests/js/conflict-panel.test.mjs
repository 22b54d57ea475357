import assert from "node:assert/strict";
import { test } from "node:test";

import {
  buildConflictPanel,
  canMerge,
  mergedText,
  theirsLabel,
} from "../../static/js/roadmap/conflict-panel.js";
import { formatter } from "../../static/js/roadmap/messages.js";
import { fakeDocument } from "./fakes.mjs";

const say = formatter({
  conflict_title: "Someone else saved this field.",
  yours: "Your version",
  theirs: "Saved by {name} at {time}",
  theirs_unsaved: "What is saved now",
  someone: "someone",
  keep_mine: "Keep mine",
  keep_theirs: "Keep theirs",
  merge: "Merge",
  merged_label: "Merged text",
  save_merged: "Save the merged text",
});

test("only text fields offer a merge", () => {
  const kinds = ["text", "long_text", "limited_text", "email"];
  const others = ["score", "desirability", "services", "climate_action"];

  assert.deepEqual(
    [...kinds, ...others].filter((kind) => canMerge(kind)),
    kinds,
  );
});

test("the merge starts from mine, a blank line, then theirs", () => {
  assert.equal(mergedText("Ana's text", "Rui's text"), "Ana's text\n\nRui's text");
});

test("their version is named by who saved it and when, or as what is saved now", () => {
  assert.equal(
    theirsLabel({ by: "Rui Costa", at_display: "14:00" }, say),
    "Saved by Rui Costa at 14:00",
  );
  assert.equal(theirsLabel({ by: null, at_display: "14:00" }, say), "Saved by someone at 14:00");
  assert.equal(theirsLabel({ by: null, at_display: null }, say), "What is saved now");
});

function panel(kind, calls) {
  return buildConflictPanel(fakeDocument, {
    key: "phase1.overview",
    kind,
    conflict: { theirs: "Rui's text", their_version: 4, by: "Rui", at_display: "14:00" },
    say,
    mine: "Ana's text (shown)",
    theirs: "Rui's text (shown)",
    mineValue: "Ana's text",
    onKeepMine: () => calls.push("mine"),
    onKeepTheirs: () => calls.push("theirs"),
    onMerged: (text) => calls.push(["merged", text]),
  });
}

const buttons = (root) => root.descendants().filter((el) => el.tagName === "BUTTON");

test("the panel names the field and shows both versions as a person reads them", () => {
  const root = panel("long_text", []);
  const texts = root.descendants().filter((el) => el.className === "conflict-text");

  assert.equal(root.id, "conflict-phase1.overview");
  assert.deepEqual(root.attributes, {
    role: "group",
    "aria-labelledby": "conflict-title-phase1.overview",
  });
  assert.equal(root.dataset.conflictFor, "phase1.overview");
  assert.equal(root.children[0].id, "conflict-title-phase1.overview");
  assert.deepEqual(
    texts.map((el) => [el.dataset.versionOf, el.textContent]),
    [["yours", "Ana's text (shown)"], ["theirs", "Rui's text (shown)"]],
  );
  assert.deepEqual(
    root
      .descendants()
      .filter((el) => el.className === "conflict-label")
      .map((el) => el.textContent),
    ["Your version", "Saved by Rui at 14:00"],
  );
});

test("Keep mine and Keep theirs call the choice; a score offers no merge", () => {
  const calls = [];
  const root = panel("score", calls);
  const [mine, theirs, ...others] = buttons(root);

  mine.click();
  theirs.click();

  assert.deepEqual(calls, ["mine", "theirs"]);
  assert.deepEqual(
    [mine.textContent, mine.type, theirs.textContent, theirs.className],
    ["Keep mine", "button", "Keep theirs", "secondary"],
  );
  assert.deepEqual(others, []);
});

test("Merge opens a box with both texts, and its button sends what the person made of it", () => {
  const calls = [];
  const root = panel("long_text", calls);
  const merge = buttons(root).find((el) => el.textContent === "Merge");
  const box = root.descendants().find((el) => el.className === "conflict-merge");
  const area = box.children.find((el) => el.tagName === "TEXTAREA");
  assert.equal(box.hidden, true);

  merge.click();
  assert.deepEqual(
    [box.hidden, area.focused, area.id, area.value],
    [false, true, "merge-phase1.overview", "Ana's text\n\nRui's text"],
  );
  area.value = "Both, merged";
  buttons(box).find((el) => el.textContent === "Save the merged text").click();

  assert.deepEqual(calls, [["merged", "Both, merged"]]);
  assert.equal(box.children.find((el) => el.tagName === "LABEL").htmlFor, "merge-phase1.overview");
});
