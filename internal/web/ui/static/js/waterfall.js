// The virtualised waterfall: one scroll container, a spacer as tall as
// all rows, and only the rows in view (plus overscan) in the DOM, recycled
// and repainted in a requestAnimationFrame on scroll.

import { el, setText, toggleClass, clear } from './dom.js';
import { fmtDuration, fmtElapsed, fmtClock, fmtAgo, fmtCount, niceStep, serviceClass } from './format.js';
import { itemKey, newView } from './tree.js';

export const ROW_H = 24; // px, as .wf-row in app.css
const OVERSCAN = 10;
const MAX_INDENT = 24; // levels drawn; deeper rows show their depth

export class Waterfall {
  // root holds .wf-head > .wf-axis and .wf-body > .wf-scroll > .wf-spacer, .wf-rows.
  // now gives the server's clock in ms (for "last heard … ago").
  constructor(root, { onSelect, onFirstPaint, now } = {}) {
    this.root = root;
    this.head = root.querySelector('.wf-head');
    this.axis = root.querySelector('.wf-axis');
    this.scroll = root.querySelector('.wf-scroll');
    this.spacer = root.querySelector('.wf-spacer');
    this.layer = root.querySelector('.wf-rows');
    this.onSelect = onSelect || (() => {});
    this.onFirstPaint = onFirstPaint;
    this.now = now || Date.now;
    this.model = null;
    this.view = newView();
    this.rows = [];
    this.pool = [];
    this.t0 = 0;
    this.t1 = 1;
    this.trackW = 600; // px of the time track, measured by drawAxis
    this.selKey = null;
    this.selIndex = -1;
    this.raf = 0;
    this.painted = false;
    this.decorate = null; // (row, item) after a row is painted
    this.scroll.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.scroll.addEventListener('keydown', (e) => this.key(e));
    this.layer.addEventListener('click', (e) => this.click(e));
    this.layer.addEventListener('dblclick', (e) => {
      const i = this.rowIndexOf(e.target);
      if (i >= 0 && !e.target.closest('.wf-toggle')) this.toggle(i);
    });
    new ResizeObserver(() => {
      this.drawAxis();
      this.schedule();
    }).observe(this.scroll);
  }

  // setModel shows a model; the first rows are drawn at once, not at the
  // next animation frame.
  setModel(model) {
    this.model = model;
    this.rebuild();
    this.drawAxis();
    this.draw();
  }

  // setBounds sets the time range the bars are drawn against (Unix ns).
  setBounds(t0, t1) {
    if (t0 === this.t0 && t1 === this.t1) return;
    this.t0 = t0;
    this.t1 = t1 > t0 ? t1 : t0 + 1;
    this.drawAxis();
    this.schedule();
  }

  // rebuild flattens the model again (after new spans or a toggle).
  rebuild() {
    if (!this.model) return;
    this.rows = this.model.flatten(this.view);
    this.spacer.style.height = `${this.rows.length * ROW_H}px`;
    this.selIndex = -1;
    if (this.selKey) {
      for (let i = 0; i < this.rows.length; i++) {
        if (itemKey(this.rows[i].item) === this.selKey) {
          this.selIndex = i;
          break;
        }
      }
    }
    this.schedule();
  }

  // refresh flattens the model again after spans changed, keeping the
  // first row in view where it was (rows added above it push nothing).
  refresh() {
    const top = this.scroll.scrollTop;
    const i = Math.floor(top / ROW_H);
    const anchor = i < this.rows.length ? itemKey(this.rows[i].item) : null;
    this.rebuild();
    if (!anchor || top === 0) return;
    for (let k = 0; k < this.rows.length; k++) {
      if (itemKey(this.rows[k].item) === anchor) {
        this.scroll.scrollTop = k * ROW_H + (top - i * ROW_H);
        break;
      }
    }
  }

  schedule() {
    if (!this.raf) {
      this.raf = requestAnimationFrame(() => {
        this.raf = 0;
        this.draw();
      });
    }
  }

  draw() {
    const h = this.scroll.clientHeight;
    const top = this.scroll.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + h) / ROW_H) + OVERSCAN);
    const need = Math.max(0, last - first);
    while (this.pool.length < need) this.pool.push(makeRow());
    const kids = this.layer.children;
    while (kids.length > need) this.layer.removeChild(this.layer.lastChild);
    for (let k = kids.length; k < need; k++) this.layer.appendChild(this.pool[k]);
    this.layer.style.transform = `translateY(${first * ROW_H}px)`;
    this.scroll.removeAttribute('aria-activedescendant');
    for (let k = 0; k < need; k++) this.paint(this.pool[k], first + k);
    const w = this.scroll.offsetWidth - this.scroll.clientWidth;
    this.head.style.paddingRight = `${w}px`;
    if (!this.painted && need > 0) {
      this.painted = true;
      performance.mark('sightline:first-draw');
      if (this.onFirstPaint) requestAnimationFrame(() => this.onFirstPaint());
    }
  }

  paint(row, i) {
    const { item, depth, nth } = this.rows[i];
    const r = row._r;
    row._index = i;
    const sel = i === this.selIndex;
    toggleClass(row, 'sel', sel);
    row.setAttribute('aria-selected', sel ? 'true' : 'false');
    if (sel) row.id = 'wf-selected';
    else row.removeAttribute('id');
    if (sel) this.scroll.setAttribute('aria-activedescendant', 'wf-selected');
    row.setAttribute('aria-level', String(depth + 1));
    r.indent.style.width = `${Math.min(depth, MAX_INDENT) * 14}px`;
    setText(r.depth, depth > MAX_INDENT ? `${depth}` : '');
    const group = Boolean(item.group);
    const kids = group || item.children.length > 0;
    const open = group ? this.view.expanded.has(item.key) : kids && !this.view.collapsed.has(item.id);
    if (kids) row.setAttribute('aria-expanded', open ? 'true' : 'false');
    else row.removeAttribute('aria-expanded');
    setText(r.toggle, kids ? (open ? '▾' : '▸') : '');
    toggleClass(r.toggle, 'none', !kids);
    toggleClass(row, 'group', group);
    toggleClass(row, 'placeholder', Boolean(item.placeholder));
    toggleClass(row, 'err', item.error);
    const state = group ? (item.open ? 'open' : item.lost ? 'lost' : 'finished') : item.state || 'finished';
    row.dataset.state = state;
    toggleClass(row, 'open', state === 'open');
    toggleClass(row, 'lost', state === 'lost');
    paintState(r.state, item, group, state);
    setText(r.name, item.name || '(no name)');
    setText(r.svc, item.service);
    r.svc.className = `wf-svc ${serviceClass(item.service)}`;
    setText(r.count, group ? `×${fmtCount(item.count)}` : nth ? `#${fmtCount(nth)}` : '');
    toggleClass(r.count, 'nth', !group && nth > 0);
    const span = this.t1 - this.t0;
    const left = ((item.start - this.t0) / span) * 100;
    const width = ((item.end - item.start) / span) * 100;
    r.bar.className = `wf-bar ${serviceClass(item.service)}${group ? ' group' : ''}${item.error ? ' err' : ''}${state === 'finished' ? '' : ` ${state}`}`;
    r.bar.dataset.end = String(Math.round(item.end)); // ns since the trace's start
    r.bar.style.left = `${clampPct(left)}%`;
    r.bar.style.width = `${clampPct(Math.min(width, 100 - clampPct(left)))}%`;
    let label;
    if (group) {
      label = `min ${fmtDuration(item.min)} · med ${fmtDuration(item.median)} · max ${fmtDuration(item.max)}`;
      if (item.errors) label += ` · ${fmtCount(item.errors)} error${item.errors > 1 ? 's' : ''}`;
    } else if (item.placeholder) {
      label = 'not received';
    } else if (state === 'open') {
      label = `running ${fmtElapsed(item.dur)}`;
    } else if (state === 'lost') {
      const heard = this.model.abs(item.heard);
      label = `lost — last heard ${fmtClock(heard)} (${fmtAgo(heard, this.now())})`;
    } else {
      label = fmtDuration(item.dur);
    }
    setText(r.dur, label);
    // The label goes right of the bar, else left of it, else over it.
    const startPct = clampPct(left);
    const endPct = clampPct(left + width);
    const need = ((label.length * 6.7 + 12) / this.trackW) * 100;
    let inside = false;
    if (100 - endPct >= need) {
      r.dur.style.left = `calc(${endPct}% + 4px)`;
      r.dur.style.right = 'auto';
    } else if (startPct >= need) {
      r.dur.style.left = 'auto';
      r.dur.style.right = `calc(${100 - startPct}% + 4px)`;
    } else {
      inside = true;
      r.dur.style.left = `calc(${Math.max(0, Math.min(startPct, 100 - need))}% + 4px)`;
      r.dur.style.right = 'auto';
    }
    toggleClass(r.dur, 'inside', inside);
    if (this.decorate) this.decorate(row, item); // marks of tools.js
  }

  drawAxis() {
    clear(this.axis);
    const width = this.axis.clientWidth || 600;
    this.trackW = width;
    const span = this.t1 - this.t0;
    const step = niceStep(span, Math.max(2, Math.floor(width / 70)));
    for (let t = 0; t <= span + step * 1e-9; t += step) {
      const pct = (t / span) * 100;
      if (pct > 100.01) break;
      const tick = el('div', { class: 'wf-tick', style: { left: `${pct}%` } }, el('span', null, fmtDuration(t)));
      if (pct > 92) tick.classList.add('end');
      this.axis.appendChild(tick);
    }
    this.root.style.setProperty('--tick-pct', `${(step / span) * 100}%`);
  }

  rowIndexOf(target) {
    const row = target.closest && target.closest('.wf-row');
    return row && row._index !== undefined ? row._index : -1;
  }

  click(e) {
    const i = this.rowIndexOf(e.target);
    if (i < 0) return;
    this.scroll.focus({ preventScroll: true });
    if (e.target.closest('.wf-toggle')) {
      this.select(i, false);
      this.toggle(i);
    } else {
      this.select(i, false);
    }
  }

  // select makes row i the selection; center scrolls it to the middle.
  select(i, center) {
    if (i < 0 || i >= this.rows.length) return;
    const changed = i !== this.selIndex;
    this.selIndex = i;
    this.selKey = itemKey(this.rows[i].item);
    this.ensureVisible(i, center);
    this.schedule();
    if (changed) this.onSelect(this.rows[i].item);
  }

  // selectNode reveals a span (expanding what hides it) and selects it.
  selectNode(node) {
    this.model.reveal(node, this.view);
    this.selKey = itemKey(node);
    this.rebuild();
    if (this.selIndex >= 0) {
      const i = this.selIndex;
      this.selIndex = -1;
      this.select(i, true);
    }
  }

  ensureVisible(i, center) {
    const s = this.scroll;
    const y = i * ROW_H;
    if (center) s.scrollTop = Math.max(0, y - (s.clientHeight - ROW_H) / 2);
    else if (y < s.scrollTop) s.scrollTop = y;
    else if (y + ROW_H > s.scrollTop + s.clientHeight) s.scrollTop = y + ROW_H - s.clientHeight;
  }

  expandable(i) {
    const it = this.rows[i].item;
    return it.group || it.children.length > 0;
  }

  isOpen(i) {
    const it = this.rows[i].item;
    return it.group ? this.view.expanded.has(it.key) : !this.view.collapsed.has(it.id);
  }

  toggle(i) {
    if (i < 0 || i >= this.rows.length || !this.expandable(i)) return;
    const it = this.rows[i].item;
    if (it.group) flip(this.view.expanded, it.key);
    else flip(this.view.collapsed, it.id);
    this.rebuild();
  }

  key(e) {
    if (!this.rows.length || e.altKey || e.ctrlKey || e.metaKey) return;
    const i = this.selIndex;
    const page = Math.max(1, Math.floor(this.scroll.clientHeight / ROW_H) - 1);
    switch (e.key) {
      case 'ArrowDown':
        this.select(i < 0 ? 0 : Math.min(this.rows.length - 1, i + 1));
        break;
      case 'ArrowUp':
        this.select(i < 0 ? 0 : Math.max(0, i - 1));
        break;
      case 'PageDown':
        this.select(Math.min(this.rows.length - 1, Math.max(0, i) + page));
        break;
      case 'PageUp':
        this.select(Math.max(0, i - page));
        break;
      case 'Home':
        this.select(0);
        break;
      case 'End':
        this.select(this.rows.length - 1);
        break;
      case 'ArrowRight':
        if (i < 0) break;
        if (this.expandable(i) && !this.isOpen(i)) this.toggle(i);
        else if (this.expandable(i)) this.select(i + 1);
        break;
      case 'ArrowLeft':
        if (i < 0) break;
        if (this.expandable(i) && this.isOpen(i)) this.toggle(i);
        else {
          const d = this.rows[i].depth;
          for (let k = i - 1; k >= 0; k--) {
            if (this.rows[k].depth < d) {
              this.select(k);
              break;
            }
          }
        }
        break;
      case 'Enter':
      case ' ':
        if (i >= 0) this.toggle(i);
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}

function flip(set, k) {
  if (set.has(k)) set.delete(k);
  else set.add(k);
}

const STATE_TITLE = {
  open: 'running: announced by heartbeats, not ended yet',
  lost: 'lost: not heard from for three heartbeat intervals (its process may have died)',
};

// paintState writes a row's in-flight mark: text, not colour only.
function paintState(mark, item, group, state) {
  let text = '';
  if (group) {
    const parts = [];
    if (item.open) parts.push(`${fmtCount(item.open)} running`);
    if (item.lost) parts.push(`${fmtCount(item.lost)} lost`);
    text = parts.join(' · ');
  } else if (state !== 'finished') {
    text = state === 'open' ? 'running' : 'lost';
  }
  setText(mark, text);
  mark.className = `wf-state ${state}`;
  if (text) mark.title = STATE_TITLE[state];
  else mark.removeAttribute('title');
}

function clampPct(x) {
  return Number.isFinite(x) ? Math.max(0, Math.min(100, x)) : 0;
}

function makeRow() {
  const r = {
    indent: el('span', { class: 'wf-indent' }),
    depth: el('span', { class: 'wf-depth', title: 'depth' }),
    toggle: el('span', { class: 'wf-toggle', 'aria-hidden': 'true' }),
    err: el('span', { class: 'wf-erricon', role: 'img', 'aria-label': 'error', title: 'error status' }, '⚠'),
    name: el('span', { class: 'wf-name' }),
    count: el('span', { class: 'wf-count' }),
    state: el('span', { class: 'wf-state' }),
    svc: el('span', { class: 'wf-svc' }),
    bar: el('div', { class: 'wf-bar' }),
    dur: el('span', { class: 'wf-dur' }),
  };
  const row = el('div', { class: 'wf-row', role: 'treeitem' },
    el('div', { class: 'wf-label' }, r.indent, r.depth, r.toggle, r.err, r.name, r.count, r.state, r.svc),
    el('div', { class: 'wf-track' }, r.bar, r.dur));
  row._r = r;
  return row;
}
