// The trace page's questions, over the spans already loaded: find, next
// error, the critical path, and compare with another trace (toolbar
// #trace-tools, panel #compare). Nothing here fetches the trace again.

import { el, $, toggleClass } from './dom.js';
import { fmtDuration, fmtCount } from './format.js';
import { itemKey } from './tree.js';
import { Find } from './find.js';
import { ErrorsNav } from './errors-nav.js';
import { Compare } from './compare.js';
import { criticalPath, barGradient } from './critical.js';

// setupTools wires the toolbar. page: {model (getter: the current model),
// wf (the Waterfall), traceId, now() (server clock, ms), redrawDetails()}.
// It returns {decorate(row, item) for the waterfall, selected(item),
// changed() after the model changed, loaded() once all pages are in,
// detailsRows(item) -> [label, value] pairs for the details panel}.
export function setupTools(page) {
  const wf = page.wf;
  const nav = {
    get model() {
      return page.model;
    },
    select(node) {
      wf.selectNode(node);
    },
    selected() {
      return wf.selIndex >= 0 && wf.rows[wf.selIndex] ? wf.rows[wf.selIndex].item : null;
    },
    redraw() {
      wf.schedule();
    },
    focusWaterfall() {
      wf.scroll.focus({ preventScroll: true });
    },
  };
  const find = new Find(nav, { input: $('#find-input'), count: $('#find-count'), prev: $('#find-prev'), next: $('#find-next') });
  const errors = new ErrorsNav(nav, { prev: $('#err-prev'), next: $('#err-next'), count: $('#err-count') });
  const crit = new Critical(nav, $('#crit-toggle'), page.redrawDetails);
  const compare = new Compare({ get model() { return page.model; }, traceId: page.traceId, now: page.now },
    { button: $('#compare-toggle'), panel: $('#compare') });

  const focusFind = () => {
    const i = $('#find-input');
    i.focus();
    i.select();
  };
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (e.key === 'f' || e.key === 'F')) {
      e.preventDefault();
      focusFind();
      return;
    }
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
    switch (e.key) {
      case '/':
        focusFind();
        break;
      case 'e':
        errors.move(1);
        break;
      case 'E':
        errors.move(-1);
        break;
      case 'n':
        find.move(1);
        break;
      case 'N':
        find.move(-1);
        break;
      default:
        return;
    }
    e.preventDefault();
  });

  const gradients = new WeakMap(); // item -> [key, css]
  return {
    decorate(row, item) {
      // Writes only what changed: the rows are painted again on every scroll.
      const key = itemKey(item).replace('\u0000', '|'); // CSS selectors cannot hold NUL
      if (row._qKey !== key) row.dataset.key = row._qKey = key;
      const hit = item.group ? find.groupHits(item) > 0 : !item.placeholder && find.has(item);
      const c = crit.info(item);
      const marks = (hit ? 1 : 0) | (c ? 2 : 0);
      if (row._qMarks !== marks) {
        row._qMarks = marks;
        toggleClass(row, 'match', hit);
        toggleClass(row, 'crit', Boolean(c));
        const desc = [hit ? 'matches the search' : '', c ? 'on the critical path' : ''].filter(Boolean).join(', ');
        if (desc) row.setAttribute('aria-description', desc);
        else row.removeAttribute('aria-description');
      }
      let css = '';
      if (c && c.lists.length) {
        const gk = `${crit.gen}|${wf.t0}|${wf.t1}|${wf.trackW}`;
        const g = gradients.get(item);
        if (g && g[0] === gk) css = g[1];
        else {
          css = barGradient(c.lists, wf.t0, wf.t1, wf.trackW);
          gradients.set(item, [gk, css]);
        }
      }
      let ov = row._crit;
      if (!ov && css) {
        ov = row._crit = el('div', { class: 'wf-crit', 'aria-hidden': 'true' });
        row.querySelector('.wf-track').prepend(ov);
      }
      if (ov && ov._css !== css) {
        ov.style.backgroundImage = css || 'none';
        ov._css = css;
      }
    },
    selected() {
      find.label();
      errors.label();
    },
    changed() {
      find.changed();
      crit.changed();
      errors.label();
      compare.changed();
    },
    loaded() {
      errors.label();
      const want = new URLSearchParams(location.search).get('compare');
      if (want) compare.compare(want.toLowerCase());
    },
    detailsRows(item) {
      return crit.detailsRows(item);
    },
    // For tests and the console: the critical path as span id -> own ns.
    critical() {
      const d = crit.data();
      if (!d) return null;
      const out = {};
      for (const n of d.nodes) if (n.span) out[n.span.span_id] = d.total(n);
      return out;
    },
  };
}

// Critical is the critical path toggle: computed when turned on, again
// when the model changes (at most once a second while spans are open).
class Critical {
  constructor(nav, button, redrawDetails) {
    this.nav = nav;
    this.button = button;
    this.redrawDetails = redrawDetails;
    this.on = false;
    this.d = null;
    this.model = null;
    this.version = -1;
    this.at = 0;
    this.gen = 0;
    this.groups = new WeakMap();
    button.addEventListener('click', () => this.toggle());
  }

  toggle() {
    this.on = !this.on;
    this.button.setAttribute('aria-pressed', String(this.on));
    toggleClass(document.documentElement, 'crit-on', this.on);
    this.data();
    this.nav.redraw();
    this.redrawDetails();
  }

  data() {
    if (!this.on) return null;
    const m = this.nav.model;
    const stale = !this.d || this.model !== m || this.version !== m.version || (m.open.size && performance.now() - this.at > 1000);
    if (stale) {
      const t = performance.now();
      this.d = criticalPath(m);
      this.model = m;
      this.version = m.version;
      this.at = performance.now();
      this.gen++;
      performance.measure('sightline:critical-path', { start: t, end: this.at });
    }
    return this.d;
  }

  changed() {
    if (this.on) this.nav.redraw();
  }

  // info: for a row's item, {lists: own segments} when on the path.
  info(item) {
    const d = this.data();
    if (!d) return null;
    if (!item.group) {
      if (!d.has(item)) return null;
      const segs = d.own(item);
      return { lists: segs ? [segs] : [] };
    }
    const c = this.groups.get(item);
    if (c && c.gen === this.gen) return c.info;
    let info = null;
    for (const m of item.members) {
      if (!d.has(m)) continue;
      if (!info) info = { lists: [], count: 0, total: 0 };
      info.count++;
      info.total += d.total(m);
      const segs = d.own(m);
      if (segs) info.lists.push(segs);
    }
    this.groups.set(item, { gen: this.gen, info });
    return info;
  }

  detailsRows(item) {
    const info = item ? this.info(item) : null;
    if (!info) return this.on && item && !item.placeholder ? ['Critical path', el('span', { class: 'd-crit muted' }, 'not on the critical path')] : null;
    if (item.group) {
      return ['Critical path', el('span', { class: 'd-crit' },
        `${fmtCount(info.count)} of its ${fmtCount(item.count)} spans, ${fmtDuration(info.total)} of their own time`)];
    }
    const own = this.d.total(item);
    return ['Critical path', el('span', { class: 'd-crit' },
      `on the critical path: ${fmtDuration(own)} of its ${fmtDuration(item.dur)}`,
      own === 0 ? el('span', { class: 'muted' }, ' (the path runs through its children)') : null)];
  }
}
