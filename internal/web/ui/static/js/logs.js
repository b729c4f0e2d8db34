// The logs page, /logs: log search with the query in the URL, and follow
// mode (new records polled every 2 s, put on top).

import { el, replace, append, $, clear } from './dom.js';
import { services, searchLogs } from './api.js';
import { Listing } from './listing.js';
import { fmtTime, fmtCount, fmtValue, severityName, severityClass, serviceClass } from './format.js';
import { resolve, presetOptions } from './timerange.js';
import { attrTable } from './details.js';

const form = $('#logs-form');
const f = {
  service: $('#l-service'),
  sev: $('#l-severity'),
  text: $('#l-text'),
  trace: $('#l-trace'),
  span: $('#l-span'),
  range: $('#l-range'),
  start: $('#l-start'),
  end: $('#l-end'),
  custom: $('#l-custom'),
  limit: $('#l-limit'),
  follow: $('#l-follow'),
};
const list = $('#logs');
const status = $('#status');
const more = $('#load-more');

let newest = null; // Unix ns of the newest record shown
let count = 0;

append(f.range, presetOptions(el));

function fromURL() {
  const p = new URLSearchParams(location.search);
  return {
    service: p.get('service') || '',
    min_severity: p.get('min_severity') || '',
    text: p.get('text') || '',
    trace_id: p.get('trace_id') || '',
    span_id: p.get('span_id') || '',
    range: p.get('range') || (p.get('trace_id') ? 'all' : '1h'),
    start: p.get('start') || '',
    end: p.get('end') || '',
    limit: p.get('limit') || '100',
    follow: p.get('follow') === 'true',
  };
}

function toURL(s) {
  const p = new URLSearchParams();
  for (const k of ['service', 'min_severity', 'text', 'trace_id', 'span_id']) if (s[k]) p.set(k, s[k]);
  p.set('range', s.range);
  if (s.range === 'custom') {
    if (s.start) p.set('start', s.start);
    if (s.end) p.set('end', s.end);
  }
  if (s.limit !== '100') p.set('limit', s.limit);
  if (s.follow) p.set('follow', 'true');
  return `/logs?${p}`;
}

async function fillForm(s) {
  f.sev.value = s.min_severity;
  f.text.value = s.text;
  f.trace.value = s.trace_id;
  f.span.value = s.span_id;
  f.range.value = s.range;
  f.start.value = s.start;
  f.end.value = s.end;
  f.custom.hidden = s.range !== 'custom';
  f.limit.value = s.limit;
  f.follow.checked = s.follow;
  let names = [];
  try {
    names = (await services()) || [];
  } catch (e) {
    listing.showError(e);
  }
  replace(f.service, el('option', { value: '' }, 'any service'), names.map((v) => el('option', { value: v }, v)));
  if (s.service && !names.includes(s.service)) f.service.appendChild(el('option', { value: s.service }, s.service));
  f.service.value = s.service;
}

function fromForm() {
  return {
    service: f.service.value,
    min_severity: f.sev.value,
    text: f.text.value,
    trace_id: f.trace.value.trim().toLowerCase(),
    span_id: f.span.value.trim().toLowerCase(),
    range: f.range.value,
    start: f.start.value,
    end: f.end.value,
    limit: f.limit.value,
    follow: f.follow.checked,
  };
}

function query(s) {
  if (s.trace_id && !/^[0-9a-f]{32}$/.test(s.trace_id)) {
    listing.showError(new Error('A trace id is 32 hex digits.'));
    return null;
  }
  if (s.span_id && !/^[0-9a-f]{16}$/.test(s.span_id)) {
    listing.showError(new Error('A span id is 16 hex digits.'));
    return null;
  }
  const r = resolve(s.range, s.start, s.end);
  return {
    service: s.service,
    min_severity: parseInt(s.min_severity, 10) || 0,
    text: s.text,
    trace_id: s.trace_id,
    span_id: s.span_id,
    start: r.start,
    end: r.end,
    limit: parseInt(s.limit, 10) || 100,
  };
}

function key(l) {
  return `${l.time_unix_nano}|${l.observed_unix_nano}|${l.trace_id}|${l.span_id}|${l.severity_number}|${fmtValue(l.body)}`;
}

// pollQuery asks, in follow mode, for records at or after the newest shown.
function pollQuery(state) {
  if (!state.s.follow || state.q.end) return null;
  const start = newest !== null ? Math.max(newest - 1e6, state.q.start || 0) : state.q.start;
  return { ...state.q, start, limit: 500 };
}

function add(logs, top) {
  const rows = [];
  for (const l of logs) {
    count++;
    const t = Number(l.time_unix_nano);
    if (newest === null || t > newest) newest = t;
    rows.push(logRow(l, top));
  }
  if (top) list.prepend(...rows);
  else append(list, rows);
}

function logRow(l, fresh) {
  const attrs = Object.keys(l.attributes || {}).length;
  let table = null;
  const toggle = attrs ? el('button', {
    type: 'button', class: 'link l-attrs-toggle', 'aria-expanded': 'false',
    on: {
      click: () => {
        if (!table) {
          table = attrTable(l.attributes, 'l-attrs');
          li.appendChild(table);
        } else table.hidden = !table.hidden;
        toggle.setAttribute('aria-expanded', String(!table.hidden));
        toggle.textContent = `${attrs} attribute${attrs === 1 ? '' : 's'} ${table.hidden ? '▸' : '▾'}`;
      },
    },
  }, `${attrs} attribute${attrs === 1 ? '' : 's'} ▸`) : null;
  const li = el('li', { class: ['log', fresh && 'fresh', severityClass(l.severity_number)] },
    el('span', { class: 'l-time mono' }, fmtTime(Number(l.time_unix_nano))),
    el('span', { class: ['sev', severityClass(l.severity_number)] }, severityName(l.severity_number, l.severity_text)),
    el('span', { class: ['svc-chip', serviceClass(l.service)] }, l.service || '–'),
    el('span', { class: 'l-body' }, fmtValue(l.body)),
    el('span', { class: 'l-links' },
      l.trace_id ? el('a', { class: 'l-trace', href: `/trace/${encodeURIComponent(l.trace_id)}` }, 'trace') : null,
      l.trace_id && l.span_id ? el('a', { class: 'l-span', href: `/trace/${encodeURIComponent(l.trace_id)}?span=${encodeURIComponent(l.span_id)}` }, 'span') : null,
      toggle));
  return li;
}

function summaryLine() {
  const st = listing.state;
  replace(status, count ? `${fmtCount(count)} record${count === 1 ? '' : 's'}${listing.cursor ? ' (more below)' : ''}` : 'No logs match.',
    st && st.s.follow && !st.q.end ? el('span', { class: 'live' }, ' ● following') : null);
}

f.range.addEventListener('change', () => { f.custom.hidden = f.range.value !== 'custom'; });
f.follow.addEventListener('change', () => form.requestSubmit());
const listing = new Listing({
  form, status, more, fetch: searchLogs, field: 'logs', keyOf: key,
  query, add, summary: summaryLine, pollQuery, fromURL, toURL, fromForm, fillForm,
  reset: () => {
    clear(list);
    newest = null;
    count = 0;
  },
});
listing.start();
