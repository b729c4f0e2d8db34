// Find in the trace page: a case-insensitive substring over the spans
// already loaded (name, service, status message, span and resource
// attribute keys and values as the details panel shows them), the count
// of matches, and next / previous match in the waterfall's order, opening
// what hides it. Matching runs in slices of 8 ms between which the browser
// handles input and paints, so a query over 100,000 spans never blocks it.

import { setText } from './dom.js';
import { fmtValue, fmtCount } from './format.js';
import { orderOf, position, step, Slicer } from './order.js';

const SEP = '\u0000'; // between fields: a query never matches across two

// spanText is the lowercase text a query is matched against, built once
// per span (again when a poll replaces the span).
export function spanText(n) {
  if (n.qSpan === n.span && n.qText !== undefined) return n.qText;
  const s = n.span;
  const parts = [s.name || '', n.service || '', s.status_message || ''];
  const attrs = s.attributes || {};
  for (const k in attrs) parts.push(k, fmtValue(attrs[k]));
  n.qText = parts.join(SEP).toLowerCase();
  n.qSpan = s;
  return n.qText;
}

// resourceTexts are the lowercase texts of the model's resources, by index.
const resCache = new WeakMap(); // model -> array of texts

function resourceTexts(model) {
  let texts = resCache.get(model);
  if (!texts) {
    texts = [];
    resCache.set(model, texts);
  }
  for (let i = texts.length; i < model.resources.length; i++) {
    const attrs = (model.resources[i] && model.resources[i].attributes) || {};
    const parts = [];
    for (const k in attrs) parts.push(k, fmtValue(attrs[k]));
    texts.push(parts.join(SEP).toLowerCase());
  }
  return texts;
}

// matches lists the nodes matching q (lowercase, not empty) in order,
// yielding between slices; null when cancelled() turns true meanwhile.
export async function findMatches(model, q, cancelled) {
  const order = orderOf(model);
  const res = resourceTexts(model);
  const resHit = res.map((t) => t.includes(q));
  const out = [];
  const sl = new Slicer();
  for (let i = 0; i < order.length; i++) {
    const n = order[i];
    if (!n.placeholder && ((n.resource >= 0 && resHit[n.resource]) || spanText(n).includes(q))) out.push(n);
    if ((i & 127) === 127 && sl.due()) {
      await sl.pause();
      if (cancelled()) return null;
    }
  }
  return out;
}

// Find is the find box of the toolbar. page: {model (current), select(node),
// selected() -> the selected item, redraw()}. els: {input, count, prev, next}.
export class Find {
  constructor(page, els) {
    this.page = page;
    this.els = els;
    this.query = '';
    this.list = []; // matches in order
    this.set = new Set(); // the same, for painting
    this.cur = -1; // index in list of the match last moved to
    this.gen = 0;
    this.busy = null; // the running search
    this.busyKey = ''; // its model version and query
    this.busyModel = null;
    this.timer = 0;
    this.version = -1;
    this.model = null;
    this.groups = new WeakMap(); // group -> [gen, count] for painting
    els.input.addEventListener('input', () => this.typed());
    els.input.addEventListener('keydown', (e) => this.key(e));
    els.prev.addEventListener('click', () => this.move(-1));
    els.next.addEventListener('click', () => this.move(1));
  }

  typed() {
    clearTimeout(this.timer);
    // Short queries match thousands: wait for a pause in typing.
    this.timer = setTimeout(() => this.search(), this.els.input.value.length < 3 ? 150 : 60);
  }

  key(e) {
    if (e.key === 'Enter') {
      e.preventDefault();
      this.move(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      if (this.els.input.value) this.clear();
      else this.page.focusWaterfall();
    }
  }

  clear() {
    this.els.input.value = '';
    this.search();
  }

  // search runs the box's query over the model; resolves when done.
  search() {
    clearTimeout(this.timer);
    this.timer = 0;
    const q = this.els.input.value.trim().toLowerCase();
    const model = this.page.model;
    const key = `${model.version}\u0000${q}`;
    if (this.busy && this.busyKey === key && this.busyModel === model) return this.busy;
    if (!this.busy && q === this.query && model === this.model && model.version === this.version) return Promise.resolve();
    const gen = ++this.gen;
    this.query = q;
    this.busyKey = key;
    this.busyModel = model;
    if (!q) {
      this.done(gen, model, []);
      return Promise.resolve();
    }
    this.show('searching…');
    const p = findMatches(model, q, () => gen !== this.gen).then((list) => {
      if (list) this.done(gen, model, list);
    });
    this.busy = p;
    return p;
  }

  done(gen, model, list) {
    if (gen !== this.gen) return;
    const keep = this.cur >= 0 ? this.list[this.cur] : null;
    this.busy = null;
    this.model = model;
    this.version = model.version;
    this.list = list;
    this.set = new Set(list);
    this.cur = keep ? list.indexOf(keep) : -1;
    this.label();
    this.page.redraw();
  }

  // changed: the model changed (a page, a poll): search again.
  changed() {
    if (this.query) this.search();
  }

  // move selects the next (1) or previous (-1) match after the selection.
  async move(dir) {
    if (this.timer || this.busy || this.page.model !== this.model || this.page.model.version !== this.version) await this.search();
    if (!this.list.length) return;
    orderOf(this.page.model);
    const i = step(this.list, position(this.page.selected()), dir);
    this.cur = i;
    this.page.select(this.list[i]);
    this.label();
  }

  label() {
    const n = this.list.length;
    let text = '';
    if (this.query) {
      if (!n) text = 'no match';
      else if (this.cur >= 0 && this.page.selected() === this.list[this.cur]) text = `${fmtCount(this.cur + 1)} of ${fmtCount(n)}`;
      else text = `${fmtCount(n)} match${n > 1 ? 'es' : ''}`;
    }
    this.show(text);
    this.els.input.classList.toggle('none', Boolean(this.query) && !n);
  }

  show(text) {
    setText(this.els.count, text);
  }

  // has says a node matches; groupHits counts a group's matching members.
  has(node) {
    return this.set.has(node);
  }

  groupHits(g) {
    if (!this.set.size) return 0;
    const c = this.groups.get(g);
    if (c && c[0] === this.gen && c[1] === g.members.length) return c[2];
    let k = 0;
    for (const m of g.members) if (this.set.has(m)) k++;
    this.groups.set(g, [this.gen, g.members.length, k]);
    return k;
  }
}
