import assert from "node:assert/strict";
import { test } from "node:test";

import { DEBOUNCE_MS, RETRY_FIRST_MS } from "../../static/js/roadmap/save-queue.js";
import { createAutosave } from "../../static/js/visits/autosave.js";
import { FakeTimers } from "./fakes.mjs";

const flush = () => new Promise((resolve) => setImmediate(resolve));

function page(answers) {
  const timers = new FakeTimers();
  const sent = [];
  const shown = [];
  const fields = { motivation: "" };
  const autosave = createAutosave({
    read: () => ({ ...fields }),
    post: async (body) => {
      sent.push(JSON.parse(body));
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    },
    show: (text) => shown.push(text),
    say: (name) => `<${name}>`,
    timers,
  });
  return { timers, sent, shown, fields, autosave };
}

test("an edit is saved once after the pause, and not again unchanged", async () => {
  const p = page([{ status: 200, body: { version: 1, saved_at_display: "Draft saved at 10:05" } }]);
  p.fields.motivation = "To learn";
  p.autosave.changed();
  p.timers.advance(DEBOUNCE_MS - 1);
  assert.equal(p.sent.length, 0);
  p.timers.advance(1);
  await flush();
  p.autosave.changed();
  p.timers.advance(DEBOUNCE_MS);
  await flush();

  assert.deepEqual(p.sent, [{ motivation: "To learn" }]);
  assert.deepEqual(p.shown, ["<saving>", "Draft saved at 10:05"]);
});

test("a refusal shows the server's message and waits for a change", async () => {
  const refusal = { error: { code: "invalid", message: "Some answers need a change." } };
  const p = page([{ status: 400, body: refusal }]);
  p.fields.motivation = "x";
  p.autosave.changed();
  p.timers.advance(DEBOUNCE_MS);
  await flush();

  assert.deepEqual(p.shown, ["<saving>", "Some answers need a change."]);
  assert.deepEqual(p.timers.delays(), []);
});

test("a failure is tried again later; a closed call stops the saving", async () => {
  const closed = { error: { code: "closed", message: "This call closed." } };
  const p = page([new Error("offline"), { status: 403, body: closed }]);
  p.fields.motivation = "x";
  p.autosave.changed();
  p.timers.advance(DEBOUNCE_MS);
  await flush();
  assert.deepEqual(p.timers.delays(), [RETRY_FIRST_MS]);
  p.timers.advance(RETRY_FIRST_MS);
  await flush();
  p.fields.motivation = "y";
  p.autosave.changed();

  assert.deepEqual(p.shown, ["<saving>", "<failed>", "<saving>", "This call closed."]);
  assert.deepEqual(p.timers.delays(), []);
  assert.equal(p.sent.length, 2);
});

test("a plain submit stops the autosave", () => {
  const p = page([]);
  p.fields.motivation = "x";
  p.autosave.changed();
  p.autosave.stop();

  assert.deepEqual(p.timers.delays(), []);
});
