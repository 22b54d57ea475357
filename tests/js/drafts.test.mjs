import assert from "node:assert/strict";
import { test } from "node:test";

import { Drafts, draftKey, restoreDraft } from "../../static/js/roadmap/drafts.js";
import { MemoryStorage, fakeField } from "./fakes.mjs";

const drafts = (storage, userId = "7") =>
  new Drafts({ storage: () => storage, userId, roadmapId: "12", now: () => 1700000000000 });

test("a draft is kept under roadmap:<user>:<roadmap>:<field>", () => {
  const storage = new MemoryStorage();
  drafts(storage).keep("phase1.overview", "Our city", 3);

  assert.equal(draftKey("7", "12", "phase1.overview"), "roadmap:7:12:phase1.overview");
  assert.deepEqual([...storage.items.keys()], ["roadmap:7:12:phase1.overview"]);
  assert.deepEqual(JSON.parse(storage.getItem("roadmap:7:12:phase1.overview")), {
    value: "Our city",
    base_version: 3,
    at: 1700000000000,
  });
});

test("a draft is read back, and forgotten", () => {
  const storage = new MemoryStorage();
  drafts(storage).keep("phase1.overview", "Our city", 3);

  assert.deepEqual(drafts(storage).read("phase1.overview"), {
    value: "Our city",
    base_version: 3,
    at: 1700000000000,
  });
  drafts(storage).forget("phase1.overview");
  assert.equal(drafts(storage).read("phase1.overview"), null);
  assert.equal(storage.items.size, 0);
});

test("another officer's draft on the same computer is not read", () => {
  const storage = new MemoryStorage();
  drafts(storage, "7").keep("phase1.overview", "Ana's text", 0);

  assert.equal(drafts(storage, "8").read("phase1.overview"), null);
});

test("a damaged draft or one without a text value reads as none", () => {
  const storage = new MemoryStorage({
    "roadmap:7:12:broken": "{not json",
    "roadmap:7:12:number": JSON.stringify({ value: 5, base_version: 1 }),
    "roadmap:7:12:null": "null",
  });

  assert.equal(drafts(storage).read("broken"), null);
  assert.equal(drafts(storage).read("number"), null);
  assert.equal(drafts(storage).read("null"), null);
});

test("with storage disabled nothing fails and nothing is read", () => {
  const disabled = new Drafts({
    storage: () => {
      throw new DOMException("The operation is insecure.", "SecurityError");
    },
    userId: "7",
    roadmapId: "12",
  });

  disabled.keep("phase1.overview", "Our city", 0);
  disabled.forget("phase1.overview");
  assert.equal(disabled.read("phase1.overview"), null);
});

test("a full storage does not stop the page", () => {
  const storage = new MemoryStorage();
  storage.setItem = () => {
    throw new DOMException("Quota exceeded", "QuotaExceededError");
  };

  drafts(storage).keep("phase1.overview", "Our city", 0);
  assert.equal(drafts(storage).read("phase1.overview"), null);
});

test("a draft older than the page goes back in, on the version it was typed on", () => {
  const storage = new MemoryStorage();
  drafts(storage).keep("phase1.overview", "typed offline", 2);
  const field = fakeField("phase1.overview", { value: "saved by Rui", version: 5 });

  restoreDraft(field, drafts(storage));

  assert.deepEqual([field.value, field.version, field.pending], ["typed offline", 2, true]);
  assert.notEqual(drafts(storage).read("phase1.overview"), null);
});

test("a draft never goes back to a newer version than the page's", () => {
  const storage = new MemoryStorage();
  drafts(storage).keep("phase1.overview", "typed", 9);
  const field = fakeField("phase1.overview", { value: "", version: 4 });

  restoreDraft(field, drafts(storage));

  assert.deepEqual([field.value, field.version, field.pending], ["typed", 4, true]);
});

test("a draft without a readable version is sent on version 0", () => {
  const storage = new MemoryStorage({
    "roadmap:7:12:phase1.overview": JSON.stringify({ value: "typed", base_version: "x" }),
  });
  const field = fakeField("phase1.overview", { value: "", version: 4 });

  restoreDraft(field, drafts(storage));

  assert.deepEqual([field.value, field.version, field.pending], ["typed", 0, true]);
});

test("a draft equal to what the server holds is forgotten", () => {
  const storage = new MemoryStorage();
  drafts(storage).keep("phase1.overview", "Our city", 1);
  const field = fakeField("phase1.overview", { value: "Our city", version: 1 });

  restoreDraft(field, drafts(storage));

  assert.deepEqual([field.value, field.version, field.pending], ["Our city", 1, false]);
  assert.equal(storage.items.size, 0);
});

test("a draft equal to a suggestion is kept and sent: the server does not hold it yet", () => {
  const storage = new MemoryStorage();
  drafts(storage).keep("representative.first_name", "Ana", 0);
  const field = fakeField("representative.first_name", { value: "Ana", saved: "" });
  field.suggested = true;

  restoreDraft(field, drafts(storage));

  assert.deepEqual([field.value, field.pending], ["Ana", true]);
  assert.equal(storage.items.size, 1);
});

test("without a draft the field is left alone", () => {
  const field = fakeField("phase1.overview", { value: "Our city", version: 1 });

  restoreDraft(field, drafts(new MemoryStorage()));

  assert.deepEqual([field.value, field.version, field.pending], ["Our city", 1, false]);
});
