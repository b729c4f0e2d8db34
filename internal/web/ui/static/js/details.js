// The details panel of the selected span or group.

import { el, replace } from './dom.js';
import { fmtDuration, fmtElapsed, fmtTime, fmtClock, fmtAgo, fmtValue, fmtCount, sortedEntries, severityName, severityClass, serviceClass } from './format.js';
import { searchLogs, ApiError } from './api.js';

let logsAbort = null;

// showDetails renders item (a span node, a placeholder or a group) into
// panel. ctx: {model, traceId, select(spanId), now() (the server's clock, ms),
// extraRows(item) -> a [label, value] row or null}.
export function showDetails(panel, item, ctx) {
  if (logsAbort) logsAbort.abort();
  logsAbort = null;
  panel.scrollTop = 0;
  if (!item) return replace(panel, el('p', { class: 'muted' }, 'Select a span to see its details.'));
  if (item.group) return replace(panel, groupDetails(item, ctx));
  if (item.placeholder) {
    return replace(panel,
      el('h2', { class: 'd-title' }, 'Missing span'),
      el('p', { class: 'muted' }, 'Spans below refer to a parent span that this trace does not hold (yet): ',
        el('code', null, item.id)));
  }
  const s = item.span;
  const t0 = ctx.model.start;
  const res = ctx.model.resources[item.resource];
  const parent = s.parent_span_id ? ctx.model.find(s.parent_span_id) : null;
  const logsBox = el('div', { class: 'd-logs' }, el('p', { class: 'muted' }, 'Loading logs…'));
  replace(panel,
    el('h2', { class: ['d-title', item.error && 'err'] },
      item.error ? el('span', { class: 'badge err', title: 'error status' }, '⚠ error') : null,
      item.state === 'open' ? el('span', { class: 'badge open', title: STATE_TITLE.open }, '● running') : null,
      item.state === 'lost' ? el('span', { class: 'badge lost', title: STATE_TITLE.lost }, 'lost') : null,
      el('span', { class: 'd-name' }, s.name || '(no name)')),
    kv([
      ['Service', el('span', { class: ['svc-chip', serviceClass(item.service)] }, item.service || '–')],
      ['Span ID', el('code', { class: 'd-span-id' }, s.span_id)],
      ['Parent', s.parent_span_id ? parentLink(s.parent_span_id, parent, ctx) : el('span', { class: 'muted' }, 'none (root)')],
      ['Trace ID', el('code', null, ctx.traceId)],
      ['Kind', s.kind || 'unspecified'],
      ['Status', statusText(s)],
      item.state !== 'finished' ? ['State', el('span', { class: 'd-state' }, stateText(item, ctx))] : null,
      ['Start', el('span', null, el('span', { class: 'mono' }, fmtTime(ctx.model.abs(item.start))), ' ', el('span', { class: 'muted mono' }, `+${fmtDuration(item.start - t0)}`))],
      ['Duration', el('span', { class: 'mono d-duration' }, durationText(item))],
      ['Scope', s.scope && s.scope.name ? `${s.scope.name}${s.scope.version ? ` ${s.scope.version}` : ''}` : '–'],
      s.trace_state ? ['Trace state', el('code', null, s.trace_state)] : null,
      s.flags ? ['Flags', String(s.flags)] : null,
      dropped(s) ? ['Dropped', dropped(s)] : null,
      ctx.extraRows ? ctx.extraRows(item) : null,
    ]),
    section('Attributes', attrTable(s.attributes, 'd-attrs')),
    section(`Events (${(s.events || []).length})`, events(s, item.start, ctx.model)),
    section(`Links (${(s.links || []).length})`, links(s)),
    section('Resource', res ? attrTable(res.attributes, 'd-resource') : el('p', { class: 'muted' }, 'none')),
    section('Logs', logsBox));
  loadLogs(logsBox, ctx.traceId, s.span_id, (t) => ctx.model.rel(t) - item.start);
}

const STATE_TITLE = {
  open: 'announced by heartbeats, not ended yet',
  lost: 'not heard from for three heartbeat intervals: its process may have died',
};

// stateText says how an open or lost span is doing, as of ctx.now().
function stateText(item, ctx) {
  const heard = ctx.model.abs(item.heard);
  const last = `last heard ${fmtClock(heard)} (${fmtAgo(heard, ctx.now())})`;
  if (item.state === 'open') return `open: running for ${fmtElapsed(item.dur)}, ${last}`;
  return `lost: ${last}; not heard from for three heartbeat intervals`;
}

function durationText(item) {
  if (item.state === 'open') return `${fmtElapsed(item.dur)} so far`;
  if (item.state === 'lost') return `at least ${fmtDuration(item.dur)} (to when last heard)`;
  return fmtDuration(item.dur);
}

// refreshDetails updates what grows with time in the panel of an open or
// lost span (its state and duration), without drawing it again.
export function refreshDetails(panel, item, ctx) {
  if (!item || item.group || item.placeholder || item.state === 'finished') return;
  const st = panel.querySelector('.d-state');
  const dur = panel.querySelector('.d-duration');
  if (st) replace(st, stateText(item, ctx));
  if (dur) replace(dur, durationText(item));
}

function statusText(s) {
  const code = s.status_code || 'unset';
  return el('span', { class: code === 'error' ? 'status err' : 'status' },
    code === 'error' ? '⚠ ' : '', code, s.status_message ? `: ${s.status_message}` : '');
}

function dropped(s) {
  const parts = [];
  if (s.dropped_attributes) parts.push(`${s.dropped_attributes} attributes`);
  if (s.dropped_events) parts.push(`${s.dropped_events} events`);
  if (s.dropped_links) parts.push(`${s.dropped_links} links`);
  return parts.join(', ');
}

function parentLink(id, parent, ctx) {
  if (!parent) return el('span', null, el('code', null, id), el('span', { class: 'muted' }, ' (not in this trace)'));
  return el('a', {
    href: `?span=${encodeURIComponent(id)}`,
    class: 'mono',
    on: { click: (e) => { e.preventDefault(); ctx.select(id); } },
  }, `${parent.name} (${id})`);
}

function groupDetails(g, ctx) {
  const slow = g.members.slice().sort((a, b) => b.dur - a.dur).slice(0, 10);
  const errs = g.members.filter((m) => m.error).slice(0, 10);
  const list = (nodes) => el('ul', { class: 'd-list' }, nodes.map((m) => el('li', null,
    el('a', { href: `?span=${encodeURIComponent(m.id)}`, on: { click: (e) => { e.preventDefault(); ctx.select(m.id); } } },
      el('span', { class: 'mono' }, fmtDuration(m.dur)), ' ', el('code', null, m.id)))));
  return [
    el('h2', { class: 'd-title' }, el('span', { class: 'd-name' }, g.name), ' ', el('span', { class: 'badge' }, `×${fmtCount(g.count)}`)),
    el('p', { class: 'muted' }, `${fmtCount(g.count)} sibling spans with the same name and service, folded into one row. Expand it (Enter, or the arrow) to see each, in start order.`),
    kv([
      ['Service', el('span', { class: ['svc-chip', serviceClass(g.service)] }, g.service || '–')],
      ['Spans', fmtCount(g.count)],
      ['Errors', g.errors ? el('span', { class: 'status err' }, `⚠ ${fmtCount(g.errors)}`) : '0'],
      g.open || g.lost ? ['In flight', `${fmtCount(g.open)} running, ${fmtCount(g.lost)} lost`] : null,
      ['From', el('span', { class: 'mono' }, `+${fmtDuration(g.start - ctx.model.start)}`)],
      ['To', el('span', { class: 'mono' }, `+${fmtDuration(g.end - ctx.model.start)}`)],
      ['Min', el('span', { class: 'mono d-min' }, fmtDuration(g.min))],
      ['Median', el('span', { class: 'mono d-median' }, fmtDuration(g.median))],
      ['Max', el('span', { class: 'mono d-max' }, fmtDuration(g.max))],
      ctx.extraRows ? ctx.extraRows(g) : null,
    ]),
    section('Slowest', list(slow)),
    errs.length ? section('With errors', list(errs)) : null,
  ];
}

// kv renders [label, value] pairs as a definition table.
export function kv(pairs) {
  return el('table', { class: 'kv' }, el('tbody', null, pairs.filter(Boolean).map(([k, v]) =>
    el('tr', null, el('th', { scope: 'row' }, k), el('td', null, v)))));
}

function section(title, body) {
  return el('section', { class: 'd-section' }, el('h3', null, title), body);
}

// attrTable renders attributes sorted by key.
export function attrTable(attrs, cls) {
  const entries = sortedEntries(attrs);
  if (!entries.length) return el('p', { class: 'muted' }, 'none');
  return el('table', { class: ['attrs', cls] }, el('tbody', null, entries.map(([k, v]) =>
    el('tr', null, el('th', { scope: 'row', class: 'mono', title: k }, k), el('td', { class: 'mono attr-value' }, fmtValue(v))))));
}

function events(s, start, model) {
  const evs = s.events || [];
  if (!evs.length) return el('p', { class: 'muted' }, 'none');
  return el('ol', { class: 'd-events' }, evs.map((e) => el('li', null,
    el('div', null, el('span', { class: 'mono muted' }, `+${fmtDuration(model.rel(e.time_unix_nano) - start)}`), ' ',
      el('strong', { class: e.name === 'exception' ? 'err-text' : '' }, e.name)),
    Object.keys(e.attributes || {}).length ? attrTable(e.attributes, 'd-event-attrs') : null)));
}

function links(s) {
  const ls = s.links || [];
  if (!ls.length) return el('p', { class: 'muted' }, 'none');
  return el('ul', { class: 'd-links' }, ls.map((l) => el('li', null,
    el('a', { href: `/trace/${encodeURIComponent(l.trace_id)}?span=${encodeURIComponent(l.span_id)}`, class: 'mono' },
      `${l.trace_id} / ${l.span_id}`),
    Object.keys(l.attributes || {}).length ? attrTable(l.attributes, 'd-link-attrs') : null)));
}

// loadLogs lists the span's logs; offset gives a record's time from the span's start.
async function loadLogs(box, traceId, spanId, offset) {
  const ac = new AbortController();
  logsAbort = ac;
  try {
    const res = await searchLogs({ trace_id: traceId, span_id: spanId, limit: 200 }, ac.signal);
    const logs = (res.logs || []).slice().reverse(); // oldest first within a span
    if (!logs.length) return replace(box, el('p', { class: 'muted' }, 'No logs for this span.'));
    replace(box, el('ol', { class: 'd-loglist' }, logs.map((l) => el('li', null,
      el('span', { class: 'mono muted' }, `+${fmtDuration(offset(l.time_unix_nano))}`), ' ',
      el('span', { class: ['sev', severityClass(l.severity_number)] }, severityName(l.severity_number, l.severity_text)), ' ',
      el('span', { class: 'log-body' }, fmtValue(l.body))))),
    res.cursor ? el('p', null, el('a', { href: `/logs?trace_id=${traceId}&span_id=${spanId}` }, 'more on the logs page')) : null);
  } catch (e) {
    if (e.name === 'AbortError') return;
    replace(box, el('p', { class: 'error' }, e instanceof ApiError ? `Logs: ${e.message}` : String(e)));
  }
}
