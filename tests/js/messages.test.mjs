import assert from "node:assert/strict";
import { test } from "node:test";

import { formatter } from "../../static/js/roadmap/messages.js";

const say = formatter({
  saved: "Saved at {time}",
  words: "{count} / {limit} words",
  twice: "{n} and {n}",
});

test("a text gets each placeholder filled in", () => {
  assert.equal(say("words", { count: 12, limit: 100 }), "12 / 100 words");
  assert.equal(say("saved", { time: "14:05" }), "Saved at 14:05");
});

test("a placeholder written twice is filled in twice", () => {
  assert.equal(say("twice", { n: 3 }), "3 and 3");
});

test("a text without values keeps its placeholders and an unknown text is empty", () => {
  assert.equal(say("saved"), "Saved at {time}");
  assert.equal(say("missing", { time: "14:05" }), "");
});
