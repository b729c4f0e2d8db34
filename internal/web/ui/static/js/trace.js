// The trace page, /trace/{trace_id}[?span={span_id}][&group=N]: fetches the
// trace in pages of 5,000 spans, paints the first page as soon as it
// arrives, merges the rest as they come.

import { el, replace, $, meta } from './dom.js';
import { tracePage, otlpURL } from './api.js';
import { fmtDuration, fmtTime, fmtCount, serviceClass } from './format.js';
import { TraceModel, DEFAULT_GROUP_MIN } from './tree.js';
import { Waterfall } from './waterfall.js';
import { showDetails } from './details.js';

performance.mark('sightline:script');
const PAGE = 5000;
const traceId = decodeURIComponent(location.pathname.split('/').pop() || '').toLowerCase();
const params = new URLSearchParams(location.search);
// The first request leaves before anything else is set up.
const firstPage = tracePage(traceId, PAGE, '');

const groupMin = parseInt(params.get('group'), 10) || parseInt(meta('sightline-group-min'), 10) || DEFAULT_GROUP_MIN;
const model = new TraceModel(groupMin);
const header = $('#trace-header');
const panel = $('#details');
let wantSpan = params.get('span');
let summary = null;
let painted;
const firstPaint = new Promise((resolve) => { painted = resolve; });

const ctx = {
  model,
  traceId,
  select(spanId) {
    const n = model.find(spanId);
    if (n) wf.selectNode(n);
  },
};

const wf = new Waterfall($('#waterfall'), {
  onSelect(item) {
    showDetails(panel, item, ctx);
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
window.sightlineTrace = { model, waterfall: wf };

// bounds is the time range of the waterfall, in the model's relative ns:
// the spans loaded, widened to the summary's (the whole trace).
function bounds() {
  let t0 = model.start;
  let t1 = model.end;
  if (summary && summary.start_unix_nano) {
    const s0 = model.rel(summary.start_unix_nano);
    t0 = Math.min(t0, s0);
    t1 = Math.max(t1, s0 + Number(summary.duration_nano));
  }
  return [t0, t1];
}

function renderHeader(done) {
  const s = summary || {};
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
      stat('Duration', el('span', { class: 'mono' }, fmtDuration(t1 - t0))),
      el('span', { class: 'th-actions' },
        el('a', { class: 'button', href: otlpURL(traceId), download: `trace-${traceId}.json` }, 'Download OTLP JSON'),
        el('a', { class: 'button', href: `/logs?trace_id=${traceId}` }, 'Logs'))),
    done ? null : el('div', { class: 'th-progress', role: 'status' }, `Loading spans: ${fmtCount(model.spanCount)} of ${fmtCount(total)}…`));
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
  let next = page.cursor ? tracePage(traceId, PAGE, page.cursor) : null;
  model.addPage(page);
  performance.mark('sightline:page1-merged');
  summary = page.summary || null;
  wf.setBounds(...bounds());
  wf.setModel(model);
  renderHeader(!next);
  if (!wantSpan) showDetails(panel, null, ctx);
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
    wf.setBounds(...bounds());
    wf.rebuild();
    renderHeader(!next);
    selectWanted(!next);
  }
  performance.mark('sightline:all-spans');
  document.documentElement.dataset.loaded = 'all';
}

load();
