// Compare with another trace: the trace page's panel that takes another
// trace's id (pasted, or one of the recent traces with the same root span
// name and service), fetches that trace once, and shows per service and
// span name the count, total and median duration of both, side by side,
// with the difference. The page's own trace is not fetched again. The
// address keeps it: /trace/A?compare=B.

import { el, replace, setText } from './dom.js';
import { tracePage, searchTraces } from './api.js';
import { fmtDuration, fmtTime, fmtCount } from './format.js';
import { Stats, statsOfModel, compareRows, sortRows } from './compare-stats.js';

const PAGE = 1000; // spans per request: each page parses in a few ms
const MAX_ROWS = 300; // rows drawn; the filter narrows the rest
const TRACE_ID = /^[0-9a-f]{32}$/;

// COLUMNS: [sort key, header, title].
const COLUMNS = [
  ['service', 'Service', ''],
  ['name', 'Span name', ''],
  ['countA', 'Count A', 'spans of this name in this trace (A)'],
  ['countB', 'Count B', 'spans of this name in the other trace (B)'],
  ['totalA', 'Total A', 'their durations added up, in A'],
  ['totalB', 'Total B', 'their durations added up, in B'],
  ['medianA', 'Median A', ''],
  ['medianB', 'Median B', ''],
  ['diff', 'Δ total (B − A)', 'total in B minus total in A; a name missing on one side counts 0 there'],
  ['ratio', 'B / A', 'total in B over total in A'],
];

// Compare is the panel. page: {model (current), traceId, now() (server
// clock, ms)}. els: {button (toggles the panel), panel}.
export class Compare {
  constructor(page, els) {
    this.page = page;
    this.els = els;
    this.others = new Map(); // trace id -> Promise of {stats, summary}: fetched once
    this.mine = null; // {model, version, stats}
    this.other = null; // id compared with
    this.sort = { by: 'diff', desc: true };
    this.filter = '';
    this.recent = null;
    this.gen = 0;
    els.button.addEventListener('click', () => (els.panel.hidden ? this.open() : this.close()));
    this.build();
  }

  build() {
    this.input = el('input', { type: 'text', class: 'mono cmp-id', placeholder: 'another trace id (32 hex digits)', 'aria-label': 'trace id to compare with', spellcheck: 'false', autocomplete: 'off' });
    this.recentBox = el('div', { class: 'cmp-recent' });
    this.status = el('p', { class: 'cmp-status muted', role: 'status' });
    this.result = el('div', { class: 'cmp-result' });
    const form = el('form', { class: 'cmp-form', on: { submit: (e) => { e.preventDefault(); this.compare(this.input.value.trim().toLowerCase()); } } },
      this.input, el('button', { type: 'submit', class: 'secondary' }, 'Compare'));
    replace(this.els.panel,
      el('div', { class: 'cmp-head' },
        el('h2', null, 'Compare with another trace'),
        form,
        el('button', { type: 'button', class: 'secondary cmp-close', 'aria-label': 'close the comparison', on: { click: () => this.close() } }, '×')),
      this.recentBox, this.status, this.result);
  }

  open() {
    this.els.panel.hidden = false;
    this.els.button.setAttribute('aria-expanded', 'true');
    if (!this.other) this.input.focus();
    this.loadRecent();
  }

  close() {
    this.els.panel.hidden = true;
    this.els.button.setAttribute('aria-expanded', 'false');
    this.gen++;
    this.other = null;
    this.rows = null;
    replace(this.result);
    setText(this.status, '');
    this.setAddress(null);
  }

  // root is the trace's root span (the first top-level span received).
  root() {
    return this.page.model.top.children.find((n) => !n.placeholder) || null;
  }

  // loadRecent lists recent traces with the same root name and service.
  async loadRecent() {
    if (this.recent) return;
    const root = this.root();
    if (!root) return;
    this.recent = 'loading';
    replace(this.recentBox, el('span', { class: 'muted' }, 'Looking for recent traces of the same root…'));
    try {
      const res = await searchTraces({ span_name: root.name, service: root.service, limit: 10 });
      const list = (res.traces || []).filter((t) => t.trace_id !== this.page.traceId && t.root_name === root.name && t.root_service === root.service);
      this.recent = list;
      replace(this.recentBox, list.length
        ? [el('span', { class: 'muted' }, `Recent traces of “${root.name}” (${root.service || 'no service'}):`),
          el('ul', { class: 'cmp-list' }, list.map((t) => el('li', null,
            el('button', { type: 'button', class: 'link cmp-pick', dataset: { trace: t.trace_id }, on: { click: () => this.compare(t.trace_id) } },
              `${fmtTime(Number(t.start_unix_nano))} · ${fmtDuration(Number(t.duration_nano))} · ${fmtCount(t.span_count)} spans`),
            t.error_count ? el('span', { class: 'status err' }, ` ⚠ ${fmtCount(t.error_count)}`) : null,
            ' ', el('code', { class: 'muted' }, t.trace_id.slice(0, 8)))))]
        : el('span', { class: 'muted' }, `No other trace of “${root.name}” (${root.service || 'no service'}) stored: paste a trace id.`));
    } catch (e) {
      this.recent = null;
      replace(this.recentBox, el('span', { class: 'error' }, `Recent traces: ${e.message}`));
    }
  }

  // compare fetches trace id (once) and shows the table.
  async compare(id) {
    if (!TRACE_ID.test(id)) {
      setText(this.status, 'A trace id is 32 hexadecimal digits.');
      this.status.className = 'cmp-status error';
      return;
    }
    if (id === this.page.traceId) {
      setText(this.status, 'That is this trace: pick another one.');
      this.status.className = 'cmp-status error';
      return;
    }
    if (this.els.panel.hidden) this.open();
    const gen = ++this.gen;
    this.other = id;
    this.input.value = id;
    this.setAddress(id);
    this.status.className = 'cmp-status muted';
    setText(this.status, 'Loading the other trace…');
    replace(this.result);
    let other;
    try {
      other = await this.fetchOther(id, gen);
    } catch (e) {
      if (gen !== this.gen) return;
      this.others.delete(id);
      setText(this.status, e.status === 404 ? `Trace ${id} is not stored (expired?).` : `Cannot load trace ${id}: ${e.message}`);
      this.status.className = 'cmp-status error';
      return;
    }
    if (gen !== this.gen) return;
    await this.render(gen, other);
  }

  fetchOther(id, gen) {
    let p = this.others.get(id);
    if (!p) {
      p = (async () => {
        const stats = new Stats();
        let cursor = '';
        let page;
        do {
          page = await tracePage(id, PAGE, cursor);
          stats.addPage(page, this.page.now());
          cursor = page.cursor || '';
          if (gen === this.gen) setText(this.status, `Loading the other trace: ${fmtCount(stats.spans)} of ${fmtCount((page.summary && page.summary.span_count) || stats.spans)} spans…`);
        } while (cursor);
        return { stats, figures: stats.figures(), summary: page.summary || {} };
      })();
      this.others.set(id, p);
    }
    return p;
  }

  // mineStats are this trace's figures, gathered again only when it changed.
  async mineStats() {
    const m = this.page.model;
    if (!this.mine || this.mine.model !== m || this.mine.version !== m.version) {
      const stats = await statsOfModel(m);
      this.mine = { model: m, version: m.version, stats, figures: stats.figures() };
    }
    return this.mine;
  }

  // changed: this trace changed (a poll); the table follows.
  async changed() {
    if (this.other && !this.els.panel.hidden && this.rows) {
      const gen = this.gen;
      const other = await this.others.get(this.other);
      if (gen === this.gen) await this.render(gen, other);
    }
  }

  async render(gen, other) {
    const mine = await this.mineStats();
    if (gen !== this.gen) return;
    this.rows = compareRows(mine.figures, other.figures);
    this.otherInfo = other;
    this.mineInfo = mine;
    setText(this.status, '');
    this.draw();
  }

  draw() {
    const other = this.otherInfo;
    const mine = this.mineInfo;
    const id = this.other;
    const s = other.summary;
    const q = this.filter.toLowerCase();
    const rows = sortRows(q ? this.rows.filter((r) => `${r.name}\u0000${r.service}`.toLowerCase().includes(q)) : this.rows.slice(), this.sort.by, this.sort.desc);
    const shown = rows.slice(0, MAX_ROWS);
    const filter = el('input', { type: 'search', class: 'cmp-filter', placeholder: 'filter by name or service', 'aria-label': 'filter the comparison', value: this.filter });
    filter.addEventListener('input', () => {
      this.filter = filter.value;
      this.draw();
      const f = this.result.querySelector('.cmp-filter');
      f.focus();
      f.setSelectionRange(f.value.length, f.value.length);
    });
    replace(this.result,
      el('p', { class: 'cmp-summary' },
        el('strong', null, 'A'), ` this trace: ${fmtCount(mine.stats.spans)} spans, ${fmtDuration(mine.stats.duration)}. `,
        el('strong', null, 'B'), ' ', el('a', { class: 'cmp-other mono', href: `/trace/${id}` }, id), ` (${s.root_name || '?'}, ${s.start_unix_nano ? fmtTime(Number(s.start_unix_nano)) : '?'}): ${fmtCount(other.stats.spans)} spans, ${fmtDuration(other.stats.duration)}. `,
        el('a', { class: 'cmp-swap', href: `/trace/${id}?compare=${this.page.traceId}` }, 'Open B, compared with this trace')),
      el('div', { class: 'cmp-tools' }, filter,
        el('span', { class: 'muted cmp-shown' }, rows.length > shown.length
          ? `${fmtCount(shown.length)} of ${fmtCount(rows.length)} rows (sorted; filter to see others)` : `${fmtCount(rows.length)} rows`)),
      el('table', { class: 'cmp-table' },
        el('thead', null, el('tr', null, COLUMNS.map(([k, label, title]) => el('th', {
          scope: 'col', title: title || null, 'aria-sort': this.sort.by === k ? (this.sort.desc ? 'descending' : 'ascending') : null,
        }, el('button', { type: 'button', class: 'link', dataset: { sort: k }, on: { click: () => this.sortBy(k) } },
          label, this.sort.by === k ? (this.sort.desc ? ' ▾' : ' ▴') : null))))),
        el('tbody', null, shown.map(row))));
  }

  sortBy(k) {
    if (this.sort.by === k) this.sort.desc = !this.sort.desc;
    else this.sort = { by: k, desc: k !== 'name' && k !== 'service' };
    this.draw();
  }

  setAddress(id) {
    const u = new URL(location.href);
    if (id) u.searchParams.set('compare', id);
    else u.searchParams.delete('compare');
    history.replaceState(null, '', u);
  }
}

const DASH = '–';

function row(r) {
  const cell = (v, text, cls) => el('td', { class: ['num', cls], dataset: v === null ? null : { value: v } }, v === null ? DASH : text);
  const a = r.a;
  const b = r.b;
  const only = !a ? 'only in B' : !b ? 'only in A' : null;
  return el('tr', { class: [!a && 'only-b', !b && 'only-a'], dataset: { service: r.service, name: r.name } },
    el('td', { class: 'cmp-svc' }, r.service || DASH),
    el('td', { class: 'cmp-name' }, r.name || '(no name)', only ? el('span', { class: 'badge' }, only) : null),
    cell(a && a.count, a && fmtCount(a.count), 'c-count-a'),
    cell(b && b.count, b && fmtCount(b.count), 'c-count-b'),
    cell(a && a.total, a && fmtDuration(a.total), 'c-total-a'),
    cell(b && b.total, b && fmtDuration(b.total), 'c-total-b'),
    cell(a && a.median, a && fmtDuration(a.median), 'c-median-a'),
    cell(b && b.median, b && fmtDuration(b.median), 'c-median-b'),
    el('td', { class: ['num', 'c-diff', r.diff > 0 ? 'slower' : r.diff < 0 ? 'faster' : null], dataset: { value: r.diff } },
      `${r.diff > 0 ? '+' : ''}${fmtDuration(r.diff)}`),
    el('td', { class: 'num c-ratio', dataset: Number.isNaN(r.ratio) ? null : { value: r.ratio } },
      Number.isNaN(r.ratio) ? DASH : `×${r.ratio.toFixed(r.ratio >= 10 ? 0 : 2)}`));
}
