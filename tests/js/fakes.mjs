// Fakes for driving the roadmap modules without a browser: timers that run when told, an
// in-memory Storage, a recording view and a field with no element behind it.

export class FakeTimers {
  constructor() {
    this.now = 0;
    this.nextId = 1;
    this.waiting = new Map(); // id -> {at, callback}
  }

  setTimeout(callback, delay) {
    const id = this.nextId++;
    this.waiting.set(id, { at: this.now + delay, callback });
    return id;
  }

  clearTimeout(id) {
    this.waiting.delete(id);
  }

  /** Return the delays of the timers waiting, soonest first. */
  delays() {
    return [...this.waiting.values()].map((timer) => timer.at - this.now).sort((a, b) => a - b);
  }

  /** Move the clock by ms, running each timer that falls due in order. */
  advance(ms) {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.waiting.entries()]
        .filter(([, timer]) => timer.at <= until)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.waiting.delete(id);
      this.now = timer.at;
      timer.callback();
    }
    this.now = until;
  }
}

export class MemoryStorage {
  constructor(items = {}) {
    this.items = new Map(Object.entries(items));
  }

  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }

  setItem(key, value) {
    this.items.set(key, String(value));
  }

  removeItem(key) {
    this.items.delete(key);
  }
}

/** A view that records what the page would show. */
export class RecordingView {
  constructor() {
    this.statuses = [];
    this.notes = {};
    this.errors = {};
    this.conflicts = [];
    this.closed = [];
    this.savedAnswers = [];
  }

  get lastStatus() {
    return this.statuses.at(-1);
  }

  status(text) {
    this.statuses.push(text);
  }

  note(id, visible) {
    this.notes[id] = visible;
  }

  fieldError(field, text) {
    this.errors[field.key] = text;
  }

  showConflict(field) {
    this.conflicts.push(field.key);
  }

  closeConflict(field) {
    this.closed.push(field.key);
  }

  saved(field, answer) {
    this.savedAnswers.push([field.key, answer]);
  }
}

/** A field holding its value in memory: value is what the person sees in it. */
export function fakeField(key, { value = "", version = 0, saved = value } = {}) {
  return {
    key,
    value,
    version,
    saved,
    suggested: false,
    pending: false,
    invalid: false,
    conflict: null,
    timer: null,
    read() {
      return this.value;
    },
    write(text) {
      this.value = text;
    },
    setVersion(number) {
      this.version = number;
    },
  };
}

/**
 * A server whose answers the test gives one by one: post() returns a promise that stays open
 * until answer() or fail() settles the oldest request.
 */
export class FakeServer {
  constructor() {
    this.requests = [];
    this.open = [];
  }

  post = (payload) => {
    this.requests.push(payload);
    return new Promise((resolve, reject) => this.open.push({ resolve, reject }));
  };

  async answer(status, body = null) {
    this.open.shift().resolve({ status, body });
    await settle();
  }

  async fail() {
    this.open.shift().reject(new TypeError("Failed to fetch"));
    await settle();
  }
}

/** Let the promise callbacks waiting run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Just enough of a document for building the conflict panel: elements with children,
 * attributes, dataset, text and click listeners. Not a DOM; the browser tests use a real one.
 */
export class FakeElement {
  constructor(tagName) {
    this.tagName = tagName.toUpperCase();
    this.children = [];
    this.attributes = {};
    this.dataset = {};
    this.listeners = {};
    this.className = "";
    this.textContent = "";
    this.hidden = false;
    this.focused = false;
  }

  append(...children) {
    this.children.push(...children);
  }

  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }

  addEventListener(type, listener) {
    (this.listeners[type] ||= []).push(listener);
  }

  click() {
    for (const listener of this.listeners.click || []) listener();
  }

  focus() {
    this.focused = true;
  }

  /** Return every element below this one, depth first. */
  descendants() {
    return this.children.flatMap((child) => [child, ...child.descendants()]);
  }
}

export const fakeDocument = { createElement: (tag) => new FakeElement(tag) };
