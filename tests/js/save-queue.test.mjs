import assert from "node:assert/strict";
import { test } from "node:test";

import { Drafts } from "../../static/js/roadmap/drafts.js";
import { formatter } from "../../static/js/roadmap/messages.js";
import {
  DEBOUNCE_MS,
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
  SaveQueue,
  answerOf,
  nextRetryDelay,
} from "../../static/js/roadmap/save-queue.js";
import { FakeServer, FakeTimers, MemoryStorage, RecordingView, fakeField } from "./fakes.mjs";

const say = formatter({
  saving: "Saving…",
  saved: "Saved at {time}",
  retrying: "Not saved; trying again in {seconds} s.",
  server_error: "Not saved (error {status}); trying again in {seconds} s.",
  refused: "Refused (error {status}).",
  not_saved: "Not saved.",
  invalid: "Not saved - see the field.",
  conflict: "Not saved - choose a version.",
});

function setUp(...fields) {
  const server = new FakeServer();
  const timers = new FakeTimers();
  const view = new RecordingView();
  const storage = new MemoryStorage();
  const drafts = new Drafts({ storage: () => storage, userId: "7", roadmapId: "12", now: () => 0 });
  const queue = new SaveQueue({ post: server.post, drafts, say, view, timers });
  for (const field of fields) queue.add(field);
  return { queue, server, timers, view, drafts };
}

/** Type text into field as a person would: the field changes, then the queue hears of it. */
function type(queue, field, text) {
  field.value = text;
  queue.edited(field);
}

/** The payload of one save. */
const request = (key, value, base_version) => ({ key, value, base_version });

const saved = (version, savedAt = "14:05", percent = 10) => ({
  version,
  saved_at_display: savedAt,
  percent_complete: percent,
});

// --- answerOf: what each answer means ---------------------------------------------------------

test("each answer of the server is read as what to do next", () => {
  const error = (message, fields) => ({ error: { message, ...(fields && { fields }) } });
  const conflict = { theirs: "x", their_version: 4, by: "Rui", at_display: "14:00" };
  const cases = [
    [200, saved(3), { kind: "saved", version: 3, savedAt: "14:05", percent: 10 }],
    [409, { conflict }, { kind: "conflict", conflict }],
    [401, null, { kind: "expired" }],
    [403, error("Submitted."), { kind: "blocked", message: "Submitted." }],
    [404, error("Not found."), { kind: "blocked", message: "Not found." }],
    [
      400,
      error("Invalid.", { "phase1.overview": ["Too long.", "Other."] }),
      { kind: "refused", reason: "Too long." },
    ],
    [400, error("Invalid.", { other: ["Elsewhere."] }), { kind: "refused", reason: "Invalid." }],
    [413, null, { kind: "refused", reason: "" }],
    [403, null, { kind: "refused", reason: "" }],
    [409, null, { kind: "refused", reason: "" }],
    [408, null, { kind: "retry", serverError: false }],
    [429, error("Slow down."), { kind: "retry", serverError: false }],
    [500, null, { kind: "retry", serverError: true }],
    [503, error("Down."), { kind: "retry", serverError: true }],
    [200, null, { kind: "retry", serverError: false }],
  ];
  for (const [status, body, expected] of cases) {
    const answer = answerOf(status, body, "phase1.overview");
    assert.deepEqual(answer, expected, `${status} ${JSON.stringify(body)}`);
  }
});

test("each retry waits twice as long as the one before, up to 30 seconds", () => {
  const delays = [RETRY_FIRST_MS];
  while (delays.length < 8) delays.push(nextRetryDelay(delays.at(-1)));

  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(RETRY_MAX_MS, 30000);
});

// --- Sending ------------------------------------------------------------------------------------

test("typing is sent once the person pauses, with the latest text and the loaded version", () => {
  const field = fakeField("phase1.overview", { version: 2 });
  const { queue, server, timers, view } = setUp(field);

  type(queue, field, "Our");
  queue.sendSoon(field);
  timers.advance(DEBOUNCE_MS - 1);
  type(queue, field, "Our city");
  queue.sendSoon(field);
  timers.advance(DEBOUNCE_MS - 1);
  assert.deepEqual(server.requests, []);
  timers.advance(1);

  assert.deepEqual(server.requests, [request("phase1.overview", "Our city", 2)]);
  assert.equal(view.lastStatus, "Saving…");
});

test("a saved field takes the new version, forgets its draft, says when it was saved", async () => {
  const field = fakeField("phase1.overview");
  const { queue, server, view, drafts } = setUp(field);
  type(queue, field, "Our city");
  assert.equal(drafts.read("phase1.overview").value, "Our city");

  queue.send(field);
  await server.answer(200, saved(1, "14:05", 25));

  assert.deepEqual([field.version, field.saved, field.pending], [1, "Our city", false]);
  assert.equal(drafts.read("phase1.overview"), null);
  assert.equal(view.lastStatus, "Saved at 14:05");
  assert.deepEqual(view.savedAnswers, [
    ["phase1.overview", { kind: "saved", version: 1, savedAt: "14:05", percent: 25 }],
  ]);
  assert.deepEqual(view.notes, { "offline-note": false, "expired-note": false });
});

test("text equal to what the server holds is not sent", () => {
  const field = fakeField("phase1.overview", { value: "Our city" });
  const { queue, server, drafts } = setUp(field);
  type(queue, field, "Our city");

  queue.send(field);

  assert.deepEqual(server.requests, []);
  assert.equal(field.pending, false);
  assert.equal(drafts.read("phase1.overview"), null);
});

// Coalescing: a field changed while its save is under way is sent again once, on the new version.
test("saves go one at a time, in order; a field changed meanwhile is sent again", async () => {
  const overview = fakeField("phase1.overview");
  const challenge = fakeField("phase1.challenge");
  const { queue, server, drafts } = setUp(overview, challenge);

  type(queue, overview, "one");
  queue.send(overview);
  type(queue, overview, "one two");
  queue.send(overview);
  type(queue, challenge, "heat");
  queue.send(challenge);
  assert.equal(server.requests.length, 1);

  await server.answer(200, saved(1));
  // The text typed during the save stays in the browser, now on version 1.
  assert.deepEqual(drafts.read("phase1.overview"), { value: "one two", base_version: 1, at: 0 });
  await server.answer(200, saved(2));
  await server.answer(200, saved(1));

  assert.deepEqual(server.requests, [
    request("phase1.overview", "one", 0),
    request("phase1.overview", "one two", 1),
    request("phase1.challenge", "heat", 0),
  ]);
  assert.deepEqual([overview.pending, challenge.pending], [false, false]);
  assert.equal(drafts.read("phase1.overview"), null);
});

test("a field whose pause timer runs is left to it", async () => {
  const overview = fakeField("phase1.overview");
  const challenge = fakeField("phase1.challenge");
  const { queue, server, timers } = setUp(overview, challenge);
  type(queue, overview, "one");
  queue.send(overview);
  type(queue, challenge, "heat");
  queue.sendSoon(challenge);

  await server.answer(200, saved(1));
  assert.equal(server.requests.length, 1);
  timers.advance(DEBOUNCE_MS);

  assert.deepEqual(server.requests.at(-1), request("phase1.challenge", "heat", 0));
});

test("leaving a changed field sends it at once; leaving an unchanged one sends nothing", () => {
  const field = fakeField("phase1.overview", { value: "Our city" });
  const { queue, server, drafts } = setUp(field);

  queue.left(field);
  assert.deepEqual(server.requests, []);
  field.value = "Our city centre";
  queue.left(field);

  assert.deepEqual(server.requests, [request("phase1.overview", "Our city centre", 0)]);
  assert.equal(drafts.read("phase1.overview").value, "Our city centre");
});

test("Save sends every changed field, a suggestion and a refused text included", async () => {
  const name = fakeField("representative.first_name", { value: "Ana", saved: "" });
  const overview = fakeField("phase1.overview", { value: "too long", saved: "" });
  overview.invalid = true;
  const challenge = fakeField("phase1.challenge", { value: "heat" });
  const { queue, server } = setUp(name, overview, challenge);

  queue.sendAll();
  await server.answer(200, saved(1));

  assert.deepEqual(
    server.requests.map((request) => request.key),
    ["representative.first_name", "phase1.overview"],
  );
  assert.equal(overview.invalid, false);
});

// --- Refusals and failures ----------------------------------------------------------------------

test("a refused text shows the server's reason, is not sent again until changed", async () => {
  const field = fakeField("phase1.overview");
  const { queue, server, timers, view, drafts } = setUp(field);
  type(queue, field, "x".repeat(5000));
  queue.send(field);

  await server.answer(400, {
    error: {
      message: "Check the fields.",
      fields: { "phase1.overview": ["At most 4000 characters."] },
    },
  });
  queue.flush();
  queue.tick();
  timers.advance(60000);

  assert.equal(server.requests.length, 1);
  assert.equal(view.errors["phase1.overview"], "At most 4000 characters.");
  assert.equal(view.lastStatus, "Not saved - see the field.");
  assert.deepEqual(timers.delays(), []);
  // Still kept in this browser.
  assert.equal(drafts.read("phase1.overview").value, "x".repeat(5000));

  type(queue, field, "x".repeat(3000));
  assert.equal(view.errors["phase1.overview"], "");
  queue.send(field);
  assert.equal(server.requests.length, 2);
});

test("a refusal without a reason says the error number", async () => {
  const field = fakeField("phase1.overview");
  const { queue, server, view } = setUp(field);
  type(queue, field, "text");
  queue.send(field);

  await server.answer(413, null);

  assert.equal(view.errors["phase1.overview"], "Refused (error 413).");
});

test("a refused field does not hold up the others", async () => {
  const overview = fakeField("phase1.overview");
  const challenge = fakeField("phase1.challenge");
  const { queue, server } = setUp(overview, challenge);
  type(queue, overview, "bad");
  queue.send(overview);
  type(queue, challenge, "heat");
  queue.send(challenge);

  await server.answer(400, { error: { message: "Invalid." } });

  assert.deepEqual(server.requests.at(-1), request("phase1.challenge", "heat", 0));
});

test("server errors are retried, each time waiting longer, and the page says when", async () => {
  const field = fakeField("phase1.overview");
  const { queue, server, timers, view } = setUp(field);
  type(queue, field, "Our city");
  queue.send(field);

  const waits = [];
  const messages = [];
  for (const status of [500, 502, 503, 500, 500, 500, 500]) {
    await server.answer(status, null);
    messages.push(view.lastStatus);
    waits.push(timers.delays()[0]);
    timers.advance(waits.at(-1));
  }

  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.deepEqual(messages, [
    "Not saved (error 500); trying again in 1 s.",
    "Not saved (error 502); trying again in 2 s.",
    "Not saved (error 503); trying again in 4 s.",
    "Not saved (error 500); trying again in 8 s.",
    "Not saved (error 500); trying again in 16 s.",
    "Not saved (error 500); trying again in 30 s.",
    "Not saved (error 500); trying again in 30 s.",
  ]);
  assert.equal(server.requests.length, 8);

  await server.answer(200, saved(1));
  assert.equal(queue.retryDelay, RETRY_FIRST_MS);
});

test("too many requests and timeouts are retried with the plain message", async () => {
  const field = fakeField("phase1.overview");
  const { queue, server, timers, view } = setUp(field);
  type(queue, field, "Our city");
  queue.send(field);

  await server.answer(429, null);
  assert.equal(view.lastStatus, "Not saved; trying again in 1 s.");
  timers.advance(1000);
  await server.answer(408, null);

  assert.equal(view.lastStatus, "Not saved; trying again in 2 s.");
  assert.deepEqual(timers.delays(), [2000]);
});

test("the periodic send does not cut a retry's wait; Save starts the delays again", async () => {
  const field = fakeField("phase1.overview");
  const { queue, server, timers } = setUp(field);
  type(queue, field, "Our city");
  queue.send(field);
  await server.answer(500, null);
  timers.advance(1000);
  await server.answer(500, null);

  queue.tick();
  assert.equal(server.requests.length, 2);

  queue.sendAll();
  assert.equal(server.requests.length, 3);
  assert.equal(queue.retryDelay, RETRY_FIRST_MS);
});

test("with no answer at all the page says it is offline and tries again", async () => {
  const field = fakeField("phase1.overview");
  const { queue, server, timers, view } = setUp(field);
  type(queue, field, "Our city");
  queue.send(field);

  await server.fail();
  assert.equal(view.notes["offline-note"], true);
  assert.equal(view.lastStatus, "Not saved.");
  assert.deepEqual(timers.delays(), [1000]);
  timers.advance(1000);
  await server.answer(200, saved(1));

  assert.equal(view.notes["offline-note"], false);
  assert.equal(server.requests.length, 2);
});

test("an expired session says so, keeps trying, and clears the note once saved", async () => {
  const field = fakeField("phase1.overview");
  const { queue, server, timers, view } = setUp(field);
  type(queue, field, "Our city");
  queue.send(field);

  await server.answer(401, null);
  assert.deepEqual([view.notes["expired-note"], view.lastStatus], [true, "Not saved."]);
  timers.advance(1000);
  await server.answer(200, saved(1));

  assert.equal(view.notes["expired-note"], false);
});

test("a roadmap submitted meanwhile stops every save and says why", async () => {
  const overview = fakeField("phase1.overview");
  const challenge = fakeField("phase1.challenge");
  const { queue, server, timers, view } = setUp(overview, challenge);
  type(queue, overview, "one");
  queue.send(overview);
  type(queue, challenge, "two");
  queue.send(challenge);

  await server.answer(403, { error: { message: "The roadmap was submitted." } });
  type(queue, overview, "one more");
  queue.send(overview);
  queue.sendAll();
  timers.advance(60000);

  assert.equal(server.requests.length, 1);
  assert.equal(view.lastStatus, "The roadmap was submitted. Not saved.");
});

// --- Conflicts ----------------------------------------------------------------------------------

const conflict = { theirs: "Rui's text", their_version: 4, by: "Rui", at_display: "14:00" };

async function inConflict() {
  const overview = fakeField("phase1.overview", { version: 3 });
  const challenge = fakeField("phase1.challenge");
  const setup = setUp(overview, challenge);
  type(setup.queue, overview, "Ana's text");
  setup.queue.send(overview);
  type(setup.queue, challenge, "heat");
  setup.queue.send(challenge);
  await setup.server.answer(409, { conflict });
  return { ...setup, overview, challenge };
}

test("a conflict shows both versions and the other fields are still sent", async () => {
  const { queue, server, view, overview } = await inConflict();

  assert.deepEqual(overview.conflict, conflict);
  assert.deepEqual(view.conflicts, ["phase1.overview"]);
  assert.equal(view.lastStatus, "Saving…");
  assert.equal(view.statuses.at(-2), "Not saved - choose a version.");
  assert.deepEqual(server.requests.at(-1), request("phase1.challenge", "heat", 0));

  await server.answer(200, saved(1));
  type(queue, overview, "Ana's text again");
  queue.send(overview);
  assert.equal(server.requests.length, 2);
});

test("Keep mine sends my text on top of their version", async () => {
  const { queue, server, view, overview, drafts } = await inConflict();
  await server.answer(200, saved(1));

  queue.keepMine(overview);

  assert.equal(overview.conflict, null);
  assert.deepEqual(view.closed, ["phase1.overview"]);
  assert.deepEqual(server.requests.at(-1), request("phase1.overview", "Ana's text", 4));
  assert.deepEqual(drafts.read("phase1.overview"), { value: "Ana's text", base_version: 4, at: 0 });
});

test("Keep theirs takes their text and version and sends nothing", async () => {
  const { queue, server, view, overview, drafts } = await inConflict();
  await server.answer(200, saved(1));

  queue.keepTheirs(overview);

  assert.deepEqual(
    [overview.value, overview.saved, overview.version, overview.pending, overview.conflict],
    ["Rui's text", "Rui's text", 4, false, null],
  );
  assert.equal(drafts.read("phase1.overview"), null);
  assert.deepEqual(view.closed, ["phase1.overview"]);
  assert.equal(view.lastStatus, "");
  assert.equal(server.requests.length, 2);
});

test("the merged text is sent on top of their version", async () => {
  const { queue, server, overview } = await inConflict();
  await server.answer(200, saved(1));

  queue.keepMerged(overview, "Ana's text\n\nRui's text, merged");

  assert.equal(overview.value, "Ana's text\n\nRui's text, merged");
  assert.deepEqual(server.requests.at(-1), {
    key: "phase1.overview",
    value: "Ana's text\n\nRui's text, merged",
    base_version: 4,
  });
});
