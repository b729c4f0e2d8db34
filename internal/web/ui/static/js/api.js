// Client of the JSON API (/api/v1, same origin).

// ApiError is a failed request: status 0 for a network error.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Unix-nanosecond times exceed 2^53: JSON.parse would round them to 256 ns.
// exactTimes quotes them in the text first, so they arrive as strings.
const BIG_TIMES = /"(start_unix_nano|end_unix_nano|time_unix_nano|last_heard_unix_nano)":(\d+)/g;

// getJSON fetches path with params (an object; arrays repeat the key;
// empty values are left out). exactTimes keeps *_unix_nano times as strings.
// info, when given, receives the browser's clock (ms) when the request left
// (sent) and its headers arrived (received), and the answer's Date header
// (date, ms; NaN when missing): what live.js needs to read the server's clock.
export async function getJSON(path, params, signal, exactTimes = false, info = null) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (x !== undefined && x !== null && x !== '' && x !== false) q.append(k, String(x));
    }
  }
  const qs = q.toString();
  let res;
  try {
    // No extra headers: the trace page's first request must match the
    // page's <link rel=preload> to reuse its answer.
    if (info) info.sent = Date.now();
    res = await fetch(qs ? `${path}?${qs}` : path, { signal });
    if (info) {
      info.received = Date.now();
      info.date = Date.parse(res.headers.get('Date') || '');
    }
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, `cannot reach the server: ${e.message}`);
  }
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try {
      const text = await res.text();
      try {
        const j = JSON.parse(text);
        msg = j.error || text || msg;
        if (j.allowed) msg += ` (allowed: ${j.allowed})`;
      } catch {
        if (text) msg = text.trim();
      }
    } catch {
      // keep the status line
    }
    throw new ApiError(res.status, msg);
  }
  if (!exactTimes) return res.json();
  const text = await res.text();
  return JSON.parse(text.replace(BIG_TIMES, '"$1":"$2"'));
}

// timeParam formats Unix nanoseconds for start/end (the API takes RFC 3339
// or Unix nanoseconds; the latter keeps sub-millisecond precision).
export function timeParam(ns) {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '';
  return BigInt(Math.max(0, Math.floor(ns))).toString();
}

// durationParam formats nanoseconds for min_duration/max_duration (Go syntax).
export function durationParam(ns) {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '';
  return `${Math.round(ns)}ns`;
}

// services lists the service names: {"services": [...]}.
export const services = async (signal) => (await getJSON('/api/v1/services', null, signal)).services || [];

// spanNames lists a service's span names: {"span_names": [...]}.
export const spanNames = async (service, signal) =>
  (await getJSON(`/api/v1/services/${encodeURIComponent(service)}/span-names`, null, signal)).span_names || [];

// searchTraces: q has service, span_name, attr (["k=v"]), min_duration,
// max_duration (ns), errors, in_progress ('true', 'false' or ''), start,
// end (Unix ns), limit, cursor.
export function searchTraces(q, signal) {
  return getJSON('/api/v1/traces', {
    service: q.service,
    span_name: q.span_name,
    attr: q.attr,
    min_duration: durationParam(q.min_duration),
    max_duration: durationParam(q.max_duration),
    errors: q.errors ? 'true' : '',
    in_progress: q.in_progress,
    start: timeParam(q.start),
    end: timeParam(q.end),
    limit: q.limit,
    cursor: q.cursor,
  }, signal, true);
}

// tracePage fetches one page of a trace's spans (a TracePage).
// Its start_unix_nano, end_unix_nano and time_unix_nano are decimal strings.
export const tracePage = (id, limit, cursor, signal, info) =>
  getJSON(`/api/v1/traces/${encodeURIComponent(id)}`, { limit, cursor }, signal, true, info);

// traceChanges fetches the spans of a trace stored or changed since a
// changes token (a TracePage with more, reset and a new changes token).
export const traceChanges = (id, token, limit, signal, info) =>
  getJSON(`/api/v1/traces/${encodeURIComponent(id)}`, { changes_since: token, limit }, signal, true, info);

export const otlpURL = (id) => `/api/v1/traces/${encodeURIComponent(id)}/otlp`;

// searchLogs: q has trace_id, span_id, service, min_severity, text,
// start, end (Unix ns), limit, cursor.
export function searchLogs(q, signal) {
  return getJSON('/api/v1/logs', {
    trace_id: q.trace_id,
    span_id: q.span_id,
    service: q.service,
    min_severity: q.min_severity || '',
    text: q.text,
    start: timeParam(q.start),
    end: timeParam(q.end),
    limit: q.limit,
    cursor: q.cursor,
  }, signal, true);
}
