// Asking the search endpoint: typing waits DELAY_MS for the person to stop, and a newer search
// cancels the one under way, so only the answer to the latest text is shown. The endpoint
// answers {"results": [{"id": 1, "label": "Braga (PT)"}], "more": false}.

export const DELAY_MS = 250;

/** Return the widget's numbers from its data attributes, with the server's defaults. */
export function readSettings(dataset) {
  return {
    minLength: parseInt(dataset.minLength, 10) || 2,
    limit: parseInt(dataset.limit, 10) || 20,
  };
}

/** Return the address that asks `endpoint` (relative to the page at `base`) for `query`. */
export function searchUrl(endpoint, base, query) {
  const url = new URL(endpoint, base);
  url.searchParams.set("q", query);
  return url;
}

export class Search {
  /**
   * endpoint: the data-search-url; base(): the page's address; read(): the search box's text;
   * fetch(url, init) and timers (setTimeout/clearTimeout): the browser's, or fakes;
   * show(results, more) and fail(): what the page does with an answer or a failure.
   */
  constructor({ endpoint, base, read, minLength, fetch, timers, show, fail }) {
    Object.assign(this, { endpoint, base, read, minLength, timers, show, fail });
    this.send = (url, init) => fetch(url, init);
    this.timer = null;
    this.request = null;
  }

  /** The text to search for: the search box's, without surrounding spaces. */
  get query() {
    return this.read().trim();
  }

  /** The person changed the text: search after DELAY_MS if it is long enough. Return whether
   * a search is on its way. */
  typed() {
    this.cancel();
    if (this.query.length < this.minLength) return false;
    this.timer = this.timers.setTimeout(() => this.run(this.query), DELAY_MS);
    return true;
  }

  /** Search at once (Enter), if the text is long enough. */
  now() {
    if (this.query.length >= this.minLength) this.run(this.query);
  }

  /** Forget the search waiting or under way: its answer is never shown. */
  cancel() {
    this.timers.clearTimeout(this.timer);
    if (this.request) {
      this.request.abort();
      this.request = null;
    }
  }

  run(query) {
    this.cancel();
    this.request = new AbortController();
    this.send(searchUrl(this.endpoint, this.base(), query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: this.request.signal,
    })
      .then((response) => {
        if (!response.ok) throw new Error(`search answered ${response.status}`);
        return response.json();
      })
      .then((data) => {
        this.request = null;
        this.show(data.results, data.more);
      })
      .catch((error) => {
        if (error.name === "AbortError") return; // a newer search replaced this one
        this.request = null;
        this.fail();
      });
  }
}
