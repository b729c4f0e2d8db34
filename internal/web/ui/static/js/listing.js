// A paged, live listing: what the trace search page and the logs page
// share. It runs a search, loads further pages with the cursor, polls for
// new items on top, drops answers to searches that were replaced, and
// keeps the query in the address. The page says how to fetch, how to key,
// draw and summarise its items.

import { el, replace } from './dom.js';
import { ApiError } from './api.js';

const POLL_MS = 2000;

export class Listing {
  // page: {
  //   form, status, more: elements;
  //   fetch(q) -> Promise<answer>; field: the answer's list ('traces', 'logs');
  //   keyOf(item) -> string; query(s) -> q or null; reset(); add(items, top);
  //   summary(); pollQuery(state) -> q, or null when not polling;
  //   fromURL(), toURL(s), fromForm(), fillForm(s);
  //   refresh(state), optional: keeps what the page shows beside the
  //   list fresh; called with each search and each poll, whether the
  //   range is open or not, never in a hidden tab }
  constructor(page) {
    this.p = page;
    this.state = null; // {s: the settings, q: the API query} shown
    this.cursor = '';
    this.gen = 0; // bumps on every search: stale answers are dropped
    this.seen = new Set();
    this.polling = false;
  }

  showError(e) {
    replace(this.p.status, el('span', { class: 'error', role: 'alert' },
      e instanceof ApiError ? `Error: ${e.message}` : String(e.message || e)));
  }

  // take adds the unseen items of an answer.
  take(items, top) {
    const fresh = [];
    for (const it of items || []) {
      const k = this.p.keyOf(it);
      if (this.seen.has(k)) continue;
      this.seen.add(k);
      fresh.push(it);
    }
    if (fresh.length) this.p.add(fresh, top);
    return fresh.length;
  }

  // page sets the cursor and the load-more button from an answer.
  page(res) {
    this.cursor = res.cursor || '';
    this.p.more.hidden = !this.cursor;
  }

  async search(s) {
    const q = this.p.query(s);
    if (!q) return;
    this.state = { s, q };
    const my = ++this.gen;
    this.seen.clear();
    this.cursor = '';
    this.p.reset();
    this.p.refresh?.(this.state);
    this.p.more.hidden = true;
    replace(this.p.status, 'Searching…');
    try {
      const res = await this.p.fetch(q);
      if (my !== this.gen) return;
      this.take(res[this.p.field], false);
      this.page(res);
      this.p.summary();
    } catch (e) {
      if (my === this.gen) this.showError(e);
    }
  }

  async loadMore() {
    if (!this.cursor || !this.state) return;
    const my = this.gen;
    this.p.more.disabled = true;
    try {
      const res = await this.p.fetch({ ...this.state.q, cursor: this.cursor });
      if (my !== this.gen) return;
      this.take(res[this.p.field], false);
      this.page(res);
      this.p.summary();
    } catch (e) {
      this.showError(e);
    } finally {
      this.p.more.disabled = false;
    }
  }

  // poll asks for items newer than those shown and puts the unseen ones on
  // top, and has the page refresh what it shows beside them; a failed poll
  // is retried by the next one.
  async poll() {
    if (!this.state || document.hidden) return;
    this.p.refresh?.(this.state);
    if (this.polling) return;
    const q = this.p.pollQuery(this.state);
    if (!q) return;
    this.polling = true;
    const my = this.gen;
    try {
      const res = await this.p.fetch(q);
      if (my === this.gen && this.take(res[this.p.field], true)) this.p.summary();
    } catch {
      // the next poll tries again
    } finally {
      this.polling = false;
    }
  }

  // start wires the form, the load-more button and the history, runs the
  // search in the address and starts polling.
  start() {
    const { form, more } = this.p;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const s = this.p.fromForm();
      const url = this.p.toURL(s);
      if (url !== location.pathname + location.search) history.pushState(null, '', url);
      this.search(s);
    });
    more.addEventListener('click', () => this.loadMore());
    const fromAddress = () => {
      const s = this.p.fromURL();
      this.search(s);
      this.p.fillForm(s);
    };
    window.addEventListener('popstate', fromAddress);
    fromAddress();
    setInterval(() => this.poll(), POLL_MS);
  }
}
