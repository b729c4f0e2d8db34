// The search page, /: trace search with the query in the URL, a results
// list with duration bars, "load more", and new traces polled every 2 s;
// above the results, the traces still running that started before the
// time range, refreshed with each poll; in the top bar, the forwarding
// status when serve forwards (status.js).

import { el, replace, append, $, clear } from './dom.js';
import { services, spanNames, searchTraces } from './api.js';
import { fmtDuration, fmtElapsed, fmtTime, fmtAgo, fmtCount, parseDuration, serviceClass } from './format.js';
import { resolve, presetOptions } from './timerange.js';
import { Listing } from './listing.js';
import { start as startStatus } from './status.js';

const form = $('#search-form');
const f = {
  service: $('#f-service'),
  span: $('#f-span'),
  attrs: $('#f-attrs'),
  addAttr: $('#f-add-attr'),
  min: $('#f-min'),
  max: $('#f-max'),
  errors: $('#f-errors'),
  inProgress: $('#f-inprogress'),
  range: $('#f-range'),
  start: $('#f-start'),
  end: $('#f-end'),
  custom: $('#f-custom'),
  limit: $('#f-limit'),
};
const list = $('#results');
const status = $('#status');
const more = $('#load-more');
const earlierBox = $('#earlier');
const earlierList = $('#earlier-list');

let shown = []; // {t: TraceSummary, fill: element}
// The "Running, started earlier" list: trace id -> {t, sig, li, a, fill}
// of the rows shown, and the search state an answer is awaited for.
let earlier = new Map();
let earlierBusy = null;

append(f.range, presetOptions(el));

// --- URL <-> form -------------------------------------------------------

function fromURL() {
  const p = new URLSearchParams(location.search);
  return {
    service: p.get('service') || '',
    span_name: p.get('span_name') || '',
    attr: p.getAll('attr').filter(Boolean),
    min_duration: p.get('min_duration') || '',
    max_duration: p.get('max_duration') || '',
    errors: p.get('errors') === 'true',
    in_progress: ['true', 'false'].includes(p.get('in_progress')) ? p.get('in_progress') : '',
    range: p.get('range') || '1h',
    start: p.get('start') || '',
    end: p.get('end') || '',
    limit: p.get('limit') || '20',
  };
}

function toURL(s) {
  const p = new URLSearchParams();
  if (s.service) p.set('service', s.service);
  if (s.span_name) p.set('span_name', s.span_name);
  for (const a of s.attr) p.append('attr', a);
  if (s.min_duration) p.set('min_duration', s.min_duration);
  if (s.max_duration) p.set('max_duration', s.max_duration);
  if (s.errors) p.set('errors', 'true');
  if (s.in_progress) p.set('in_progress', s.in_progress);
  if (s.range !== '1h') p.set('range', s.range);
  if (s.range === 'custom') {
    if (s.start) p.set('start', s.start);
    if (s.end) p.set('end', s.end);
  }
  if (s.limit !== '20') p.set('limit', s.limit);
  const q = p.toString();
  return q ? `/?${q}` : '/';
}

function attrRow(value) {
  const input = el('input', { type: 'text', class: 'attr-input', placeholder: 'key=value', value, 'aria-label': 'attribute filter key=value' });
  const row = el('span', { class: 'attr-row' }, input,
    el('button', { type: 'button', class: 'icon', title: 'remove this filter', 'aria-label': 'remove this filter', on: { click: () => row.remove() } }, '×'));
  return row;
}

async function fillForm(s) {
  f.min.value = s.min_duration;
  f.max.value = s.max_duration;
  f.errors.checked = s.errors;
  f.inProgress.value = s.in_progress;
  f.range.value = s.range;
  f.start.value = s.start;
  f.end.value = s.end;
  f.custom.hidden = s.range !== 'custom';
  f.limit.value = s.limit;
  clear(f.attrs);
  for (const a of s.attr) f.attrs.appendChild(attrRow(a));
  await loadServices(s.service);
  await loadSpanNames(s.service, s.span_name);
}

function fromForm() {
  return {
    service: f.service.value,
    span_name: f.span.value,
    attr: [...f.attrs.querySelectorAll('.attr-input')].map((i) => i.value.trim()).filter(Boolean),
    min_duration: f.min.value.trim(),
    max_duration: f.max.value.trim(),
    errors: f.errors.checked,
    in_progress: f.inProgress.value,
    range: f.range.value,
    start: f.start.value,
    end: f.end.value,
    limit: f.limit.value,
  };
}

function options(select, values, chosen, anyLabel) {
  replace(select, el('option', { value: '' }, anyLabel), values.map((v) => el('option', { value: v }, v)));
  if (chosen && !values.includes(chosen)) select.appendChild(el('option', { value: chosen }, chosen));
  select.value = chosen || '';
}

async function loadServices(chosen) {
  try {
    options(f.service, (await services()) || [], chosen, 'any service');
  } catch (e) {
    options(f.service, [], chosen, 'any service');
    listing.showError(e);
  }
}

async function loadSpanNames(service, chosen) {
  f.span.disabled = !service;
  if (!service) return options(f.span, [], '', 'any span name');
  try {
    options(f.span, (await spanNames(service)) || [], chosen, 'any span name');
  } catch (e) {
    options(f.span, [], chosen, 'any span name');
    listing.showError(e);
  }
}

// --- querying -----------------------------------------------------------

// query turns the form state into API parameters (null when invalid).
function query(s) {
  const min = parseDuration(s.min_duration);
  const max = parseDuration(s.max_duration);
  const bad = [];
  if (Number.isNaN(min)) bad.push(`min duration "${s.min_duration}" (try 10ms, 1.5s, 250us)`);
  if (Number.isNaN(max)) bad.push(`max duration "${s.max_duration}"`);
  const attrBad = s.attr.filter((a) => !/^[^=]+=/.test(a));
  if (attrBad.length) bad.push(`attribute filter ${attrBad.map((a) => `"${a}"`).join(', ')} (use key=value)`);
  if (bad.length) {
    listing.showError(new Error(`Invalid ${bad.join('; ')}`));
    return null;
  }
  const r = resolve(s.range, s.start, s.end);
  return {
    service: s.service,
    span_name: s.service ? s.span_name : '',
    attr: s.attr,
    min_duration: min,
    max_duration: max,
    errors: s.errors,
    in_progress: s.in_progress,
    start: r.start,
    end: r.end,
    limit: parseInt(s.limit, 10) || 20,
  };
}

// pollQuery asks for traces that started at or after the newest one shown
// (for open-ended ranges).
function pollQuery(state) {
  if (state.q.end) return null;
  const newest = shown.length ? Math.max(...shown.map((x) => Number(x.t.start_unix_nano))) : null;
  const start = newest !== null ? Math.max(newest - 1e6, state.q.start || 0) : resolve(state.s.range, state.s.start, state.s.end).start;
  return { ...state.q, start, limit: 100 };
}

function add(traces, top) {
  const items = [];
  for (const t of traces) {
    const fill = el('span', { class: 'r-fill' });
    const li = el('li', { class: top ? 'fresh' : null }, resultLink(t, fill));
    items.push({ t, fill, li });
  }
  if (top) {
    items.sort((a, b) => b.t.start_unix_nano - a.t.start_unix_nano);
    list.prepend(...items.map((x) => x.li));
    shown = items.concat(shown);
  } else {
    append(list, items.map((x) => x.li));
    shown = shown.concat(items);
  }
  setWidths(shown);
}

function resultLink(t, fill) {
  return el('a', { class: ['result', t.error_count && 'has-err', t.in_progress && 'running'], href: `/trace/${encodeURIComponent(t.trace_id)}` },
    el('span', { class: 'r-name' },
      el('span', { class: 'r-title' },
        el('span', { class: 'r-root' }, t.root_name || '(root not received)'),
        t.in_progress ? el('span', { class: 'badge open r-running', title: `${fmtCount(t.open_spans)} span${t.open_spans === 1 ? '' : 's'} still running (announced, not ended)` }, '● running') : null,
        t.lost_spans ? el('span', { class: 'badge lost r-lost', title: `${fmtCount(t.lost_spans)} span${t.lost_spans === 1 ? '' : 's'} lost: not heard from for three heartbeat intervals` }, `${fmtCount(t.lost_spans)} lost`) : null),
      el('code', { class: 'r-id' }, t.trace_id.slice(0, 16))),
    el('span', { class: 'r-services' }, (t.services || []).map((x) =>
      el('span', { class: ['svc-chip', serviceClass(x), x === t.root_service && 'root'] }, x))),
    el('span', { class: 'r-spans mono' }, `${fmtCount(t.span_count)} span${t.span_count === 1 ? '' : 's'}`),
    el('span', { class: 'r-errors mono' }, t.error_count
      ? el('span', { class: 'status err' }, `⚠ ${fmtCount(t.error_count)} error${t.error_count === 1 ? '' : 's'}`) : ''),
    el('span', { class: 'r-start mono', title: fmtTime(t.start_unix_nano) }, fmtTime(t.start_unix_nano), el('span', { class: 'muted' }, ` ${fmtAgo(t.start_unix_nano)}`)),
    el('span', { class: 'r-dur' }, el('span', { class: 'r-bar' }, fill),
      el('span', { class: 'mono r-dur-text', title: t.in_progress ? 'from its start to the latest heartbeat received' : null },
        t.in_progress ? `running ${fmtElapsed(Number(t.duration_nano))}` : fmtDuration(t.duration_nano))));
}

function setWidths(items) {
  const longest = Math.max(1, ...items.map((x) => x.t.duration_nano));
  for (const x of items) x.fill.style.width = `${Math.max(0.5, (x.t.duration_nano / longest) * 100)}%`;
}

// --- running, started earlier ----------------------------------------------

// earlierQuery asks for the traces in progress that match the search's
// other filters and started before its range: the range's start is the
// end (exclusive) of this one, so the two lists never overlap. Null when
// there are none to ask for (in_progress=false, or a range with no start).
function earlierQuery(q) {
  if (q.in_progress === 'false' || !q.start) return null;
  return { ...q, in_progress: 'true', start: null, end: q.start, limit: 20, cursor: '' };
}

// refreshEarlier asks for the running traces that started before the
// search's range and shows them above the results; one that finished
// leaves. An answer to a search since replaced is dropped; a failed one
// keeps the list, and the next poll asks again.
async function refreshEarlier(state) {
  const q = earlierQuery(state.q);
  if (!q) return showEarlier([]);
  if (earlierBusy === state) return;
  earlierBusy = state;
  try {
    const res = await searchTraces(q);
    // None should be among the results (the ranges are disjoint); if one
    // is, it is shown there only.
    if (listing.state === state) showEarlier((res.traces || []).filter((t) => !listing.seen.has(t.trace_id)));
  } catch {
    // the next poll tries again
  } finally {
    if (earlierBusy === state) earlierBusy = null;
  }
}

// showEarlier shows traces in the list, in the answer's order. Rows stay
// (and keep the focus) while their trace is listed; a row whose summary
// changed gets new content, not a new element.
function showEarlier(traces) {
  const next = new Map();
  for (const t of traces) {
    const sig = JSON.stringify(t);
    let x = earlier.get(t.trace_id);
    if (!x || x.sig !== sig) {
      const fill = el('span', { class: 'r-fill' });
      const a = resultLink(t, fill);
      if (!x) {
        x = { a, li: el('li', null, a) };
      } else {
        x.a.className = a.className;
        x.a.replaceChildren(...a.childNodes);
      }
      Object.assign(x, { t, sig, fill });
    }
    next.set(t.trace_id, x);
  }
  const items = [...next.values()];
  items.forEach((x, i) => {
    if (earlierList.children[i] !== x.li) earlierList.insertBefore(x.li, earlierList.children[i] || null);
  });
  while (earlierList.children.length > items.length) earlierList.lastChild.remove();
  earlier = next;
  setWidths(items);
  earlierBox.hidden = items.length === 0;
}

function summaryLine() {
  const live = listing.state && !listing.state.q.end;
  replace(status,
    shown.length ? `${fmtCount(shown.length)} trace${shown.length === 1 ? '' : 's'}${listing.cursor ? ' (more below)' : ''}` : 'No traces match.',
    live ? el('span', { class: 'live', title: 'new traces appear as they arrive' }, ' ● live') : null);
}

// --- events ---------------------------------------------------------------

f.service.addEventListener('change', () => loadSpanNames(f.service.value, ''));
f.range.addEventListener('change', () => { f.custom.hidden = f.range.value !== 'custom'; });
f.addAttr.addEventListener('click', () => {
  const row = attrRow('');
  f.attrs.appendChild(row);
  row.querySelector('input').focus();
});
const listing = new Listing({
  form, status, more, fetch: searchTraces, field: 'traces', keyOf: (t) => t.trace_id,
  query, add, summary: summaryLine, pollQuery, fromURL, toURL, fromForm, fillForm,
  refresh: refreshEarlier,
  reset: () => {
    shown = [];
    clear(list);
    showEarlier([]);
  },
});
listing.start();
startStatus($('#fwd-status'));
