// The trace page, /trace/{trace_id}[?span={span_id}][&group=N]: fetches the
// trace in pages of 5,000 spans, paints the first page as soon as it
// arrives, merges the rest as they come. While spans are in flight it
// polls for what changed and lets open spans grow (live.js).

import { el, replace, $, meta } from './dom.js';
import { tracePage, otlpURL } from './api.js';
import { fmtDuration, fmtElapsed, fmtTime, fmtCount, serviceClass } from './format.js';
import { TraceModel, DEFAULT_GROUP_MIN } from './tree.js';
import { Waterfall } from './waterfall.js';
import { showDetails, refreshDetails } from './details.js';
import { ServerClock, Live, Ticker } from './live.js';
import { setupTools } from './tools.js';

performance.mark('sightline:script');
const PAGE = 5000;
const traceId = decodeURIComponent(location.pathname.split('/').pop() || '').toLowerCase();
const params = new URLSearchParams(location.search);
// The first request leaves before anything else is set up (as the
// page's preload, which left earlier still: its send time is unknown).
const firstInfo = {};
const firstPage = tracePage(traceId, PAGE, '', undefined, firstInfo);

const groupMin = parseInt(params.get('group'), 10) || parseInt(meta('sightline-group-min'), 10) || DEFAULT_GROUP_MIN;
let model = new TraceModel(groupMin);
const header = $('#trace-header');
const panel = $('#details');
const clock = new ServerClock();
let wantSpan = params.get('span');
let summary = null;
let selected = null; // the item in the details panel
let selectedSig = '';
let liveState = ''; // Live's state, shown in the header
let liveError = null;
let durationEl = null;
let headerSig = '';
let painted;
const firstPaint = new Promise((resolve) => { painted = resolve; });

const ctx = {
  model,
  traceId,
  now: () => clock.now(),
  select(spanId) {
    const n = model.find(spanId);
    if (n) wf.selectNode(n);
  },
};

const wf = new Waterfall($('#waterfall'), {
  now: ctx.now,
  onSelect(item) {
    details(item);
    tools.selected(item);
    if (item && !item.group && !item.placeholder) {
      const u = new URL(location.href);
      u.searchParams.set('span', item.span.span_id);
      history.replaceState(null, '', u);
    }
  },
  onFirstPaint() {
    performance.mark('sightline:first-row');
    performance.measure('sightline:first-row-paint', { start: 0, end: 'sightline:first-row' });
    document.documentElement.dataset.firstRow = 'painted';
    painted();
  },
});
// Find, next error, critical path, compare (tools.js): over the spans
// loaded, never fetching the trace again.
const tools = setupTools({
  get model() {
    return model;
  },
  wf,
  traceId,
  now: ctx.now,
  redrawDetails() {
    if (selected) details(selected);
  },
});
wf.decorate = tools.decorate;
ctx.extraRows = tools.detailsRows;
window.sightlineTrace = { model, waterfall: wf, tools };

// bounds is the time range of the waterfall, in the model's relative ns:
// the spans loaded, widened to the summary's (the whole trace), and to now
// while spans are open.
function bounds() {
  let t0 = model.start;
  let t1 = Math.max(model.end, model.openEnd);
  if (summary && summary.start_unix_nano) {
    const s0 = model.rel(summary.start_unix_nano);
    t0 = Math.min(t0, s0);
    t1 = Math.max(t1, s0 + Number(summary.duration_nano));
  }
  return [t0, t1];
}

function renderHeader(done) {
  const s = summary || {};
  // Polls redraw the header only when more than its duration changed (a
  // link in it keeps the focus).
  const { duration_nano: _d, last_heard_unix_nano: _h, ...rest } = s;
  const sig = JSON.stringify([rest, done, model.spanCount, model.errorCount, model.open.size, model.lost.size, liveState, String(liveError)]);
  if (done && sig === headerSig && durationEl && header.contains(durationEl)) {
    const [t0, t1] = bounds();
    replace(durationEl, durationText(t0, t1));
    return;
  }
  headerSig = sig;
  const rootName = s.root_name || (model.top.children[0] && model.top.children[0].name) || '(root not received)';
  document.title = `${rootName} · trace · sightline`;
  const total = Math.max(s.span_count || 0, model.spanCount);
  const [t0, t1] = bounds();
  replace(header,
    el('div', { class: 'th-title' },
      el('h1', null, rootName),
      el('span', { class: 'th-services' }, (s.services || []).map((x) => el('span', { class: ['svc-chip', serviceClass(x)] }, x)))),
    el('div', { class: 'th-stats' },
      stat('Trace', el('code', null, traceId)),
      stat('Spans', fmtCount(total)),
      stat('Errors', (s.error_count || model.errorCount)
        ? el('span', { class: 'status err' }, `⚠ ${fmtCount(Math.max(s.error_count || 0, model.errorCount))}`) : '0'),
      stat('Start', el('span', { class: 'mono' }, fmtTime(model.abs(t0)))),
      stat('Duration', durationEl = el('span', { class: 'mono th-duration' }, durationText(t0, t1))),
      inFlightStat(s),
      liveStat(),
      el('span', { class: 'th-actions' },
        el('a', { class: 'button', href: otlpURL(traceId), download: `trace-${traceId}.json` }, 'Download OTLP JSON'),
        el('a', { class: 'button', href: `/logs?trace_id=${traceId}` }, 'Logs'))),
    done ? null : el('div', { class: 'th-progress', role: 'status' }, `Loading spans: ${fmtCount(model.spanCount)} of ${fmtCount(total)}…`));
}

function durationText(t0, t1) {
  return model.open.size ? `running ${fmtElapsed(t1 - t0)}` : fmtDuration(t1 - t0);
}

// inFlightStat counts the spans in flight, in words (not colour only).
function inFlightStat(s) {
  const open = s.open_spans !== undefined ? s.open_spans : model.open.size;
  const lost = s.lost_spans !== undefined ? s.lost_spans : model.lost.size;
  if (!open && !lost) return null;
  return stat('In flight', el('span', { class: 'th-inflight' },
    open ? el('span', { class: 'badge open', title: 'spans announced by heartbeats, not ended yet' }, `● ${fmtCount(open)} running`) : null,
    open && lost ? ' ' : null,
    lost ? el('span', { class: 'badge lost', title: 'spans not heard from for three heartbeat intervals' }, `${fmtCount(lost)} lost`) : null));
}

function liveStat() {
  switch (liveState) {
    case 'polling':
      return el('span', { class: 'th-live live', title: 'spans are running: what changes is fetched every 2 s' }, '● live');
    case 'paused':
      return el('span', { class: 'th-live muted', title: 'the tab is hidden: updates resume when it is shown' }, '❚❚ live updates paused');
    case 'error':
      return el('span', { class: 'th-live error', title: 'retried every 2 s' }, `live updates failing: ${liveError ? liveError.message : ''}`);
    case 'gone':
      return el('span', { class: 'th-live error', role: 'alert' }, 'The trace is no longer stored (expired?): live updates stopped.');
    default:
      return null;
  }
}

function stat(label, value) {
  return el('span', { class: 'stat' }, el('span', { class: 'stat-label' }, label), el('span', { class: 'stat-value' }, value));
}

function selectWanted(done) {
  if (!wantSpan) return;
  const n = model.find(wantSpan);
  if (n) {
    wantSpan = null;
    wf.selectNode(n);
    wf.scroll.focus({ preventScroll: true });
  } else if (done) {
    replace(panel, el('p', { class: 'error' }, 'Span ', el('code', null, wantSpan), ' is not in this trace.'));
    wantSpan = null;
  }
}

// details shows item in the panel; drawn again for the same item, it
// keeps the panel's scroll.
function details(item) {
  const top = panel.scrollTop;
  const same = selected && item && selected === item;
  selected = item;
  selectedSig = signature(item);
  showDetails(panel, item, ctx);
  if (same) panel.scrollTop = top;
}

function signature(item) {
  if (!item || item.placeholder) return '';
  if (item.group) return `${item.count}/${item.errors}/${item.open}/${item.lost}`;
  const { last_heard_unix_nano: _, ...rest } = item.span;
  return JSON.stringify(rest);
}

// tick lets open spans grow to now and refreshes what says how long ago;
// false when nothing is in flight.
function tick() {
  if (!model.open.size && !model.lost.size) return false;
  if (model.open.size) model.tick(model.rel(clock.now() * 1e6));
  const [t0, t1] = bounds();
  wf.setBounds(t0, t1);
  wf.schedule();
  if (durationEl) replace(durationEl, durationText(t0, t1));
  refreshDetails(panel, selected, ctx);
  return true;
}

// Redraw often enough that an open bar grows a pixel at a time, at most
// every 1 s, at least every 100 ms; every second when only "last heard …
// ago" changes.
const ticker = new Ticker(tick, () => (model.open.size ? Math.min(1000, Math.max(100, (wf.t1 - wf.t0) / wf.trackW / 1e6)) : 1000));

// inFlight says the trace has open spans: poll for changes.
const inFlight = () => Boolean((summary && summary.in_progress) || model.open.size);

const live = new Live({
  traceId,
  clock,
  inFlight,
  onChanges(res) {
    model.addChanges(res);
    if (res.summary) summary = res.summary;
    if (model.open.size) model.tick(model.rel(clock.now() * 1e6));
    wf.setBounds(...bounds());
    wf.refresh();
    renderHeader(true);
    reselect();
    tools.changed();
    ticker.kick();
  },
  onReset: reload,
  onState(state, err) {
    liveState = state;
    liveError = err || null;
    document.documentElement.dataset.live = state;
    renderHeader(true);
  },
});

// reselect draws the details again when the selected row's content changed.
function reselect() {
  const cur = wf.selIndex >= 0 ? wf.rows[wf.selIndex].item : null;
  if (cur && (cur !== selected || signature(cur) !== selectedSig)) details(cur);
}

// reload fetches the trace again from its first page (a changes answer
// said "reset"), keeping what is expanded, selected and scrolled.
async function reload() {
  const m = new TraceModel(groupMin);
  let page;
  let cursor = '';
  try {
    do {
      const info = {};
      page = await tracePage(traceId, PAGE, cursor, undefined, info);
      clock.sample(info, page.summary && page.summary.last_heard_unix_nano);
      m.addPage(page);
      cursor = page.cursor || '';
    } while (cursor);
  } catch (e) {
    live.show(e.status === 404 ? 'gone' : 'error', e);
    if (e.status !== 404) setTimeout(reload, 2000);
    return;
  }
  model = m;
  ctx.model = m;
  window.sightlineTrace.model = m;
  summary = page.summary || summary;
  if (m.open.size) m.tick(m.rel(clock.now() * 1e6));
  wf.setBounds(...bounds());
  wf.model = m;
  wf.refresh();
  selected = null;
  reselect();
  renderHeader(true);
  tools.changed();
  startLive(page.changes);
}

function startLive(token) {
  ticker.kick();
  if (inFlight()) live.start(token);
}

function failed(e) {
  const msg = e.status === 404 ? 'Trace not found: it may have expired or not arrived yet.' : `Cannot load the trace: ${e.message}`;
  replace(header, el('div', { class: 'th-title' }, el('h1', null, 'Trace ', el('code', null, traceId))),
    el('p', { class: 'error', role: 'alert' }, msg));
}

async function load() {
  let page;
  try {
    page = await firstPage;
  } catch (e) {
    return failed(e);
  }
  performance.mark('sightline:page1-parsed');
  firstInfo.sent = performance.timeOrigin; // before the preload left
  clock.sample(firstInfo, page.summary && page.summary.last_heard_unix_nano);
  const token = page.changes;
  let next = page.cursor ? tracePage(traceId, PAGE, page.cursor) : null;
  model.addPage(page);
  performance.mark('sightline:page1-merged');
  summary = page.summary || null;
  if (model.open.size) model.tick(model.rel(clock.now() * 1e6));
  wf.setBounds(...bounds());
  wf.setModel(model);
  renderHeader(!next);
  if (!wantSpan) details(null);
  selectWanted(!next);
  if (!wantSpan) wf.scroll.focus({ preventScroll: true });
  // The next page downloads meanwhile; merging it waits for the first
  // frame (or 200 ms, as a hidden tab paints no frames).
  if (wf.rows.length) await Promise.race([firstPaint, new Promise((r) => setTimeout(r, 200))]);
  while (next) {
    try {
      page = await next;
    } catch (e) {
      replace(header.querySelector('.th-progress') || header, el('span', { class: 'error' }, `Loading stopped: ${e.message}`));
      return;
    }
    next = page.cursor ? tracePage(traceId, PAGE, page.cursor) : null;
    model.addPage(page);
    if (page.summary) summary = page.summary;
    if (model.open.size) model.tick(model.rel(clock.now() * 1e6));
    wf.setBounds(...bounds());
    wf.rebuild();
    renderHeader(!next);
    selectWanted(!next);
    tools.changed();
  }
  performance.mark('sightline:all-spans');
  document.documentElement.dataset.loaded = 'all';
  tools.loaded();
  startLive(token);
}

load();
