// Formatting of durations, times, counts and attribute values.

// fmtDuration humanises nanoseconds: 0, 850 ns, 12.3 µs, 4.56 ms, 1.23 s, 2m 3s, 1h 2m.
export function fmtDuration(ns) {
  if (!Number.isFinite(ns)) return '–';
  const neg = ns < 0;
  const a = Math.abs(ns);
  let s;
  // Each unit up to where three significant digits would round to 1000.
  if (a === 0) s = '0';
  else if (a < 999.5) s = `${Math.round(a)} ns`;
  else if (a < 999.5e3) s = `${sig(a / 1e3)} µs`;
  else if (a < 999.5e6) s = `${sig(a / 1e6)} ms`;
  else if (a < 59.95e9) s = `${sig(a / 1e9)} s`;
  else if (a < 3599.5e9) {
    const sec = Math.round(a / 1e9);
    s = `${Math.floor(sec / 60)}m ${sec % 60}s`;
  } else {
    const min = Math.round(a / 60e9);
    s = `${Math.floor(min / 60)}h ${min % 60}m`;
  }
  return neg ? `-${s}` : s;
}

// sig keeps three significant digits (at most two decimals).
function sig(x) {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1).replace(/\.0$/, '');
  return x.toFixed(2).replace(/\.?0+$/, '');
}

// parseDuration reads "10ms", "1.5s", "250us", "2m", "1h30m" (Go's syntax)
// into nanoseconds; NaN when invalid, null when empty.
export function parseDuration(s) {
  s = String(s || '').trim();
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return NaN; // a unit is required
  const units = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let m;
  let end = 0;
  while ((m = re.exec(s)) !== null) {
    total += parseFloat(m[1]) * units[m[2]];
    end = re.lastIndex;
  }
  return end === s.length && end > 0 ? total : NaN;
}

// fmtTime shows a Unix-nanosecond time as local date and time with milliseconds.
export function fmtTime(ns, withDate = true) {
  if (!ns) return '–';
  const d = new Date(ns / 1e6);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const t = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  if (!withDate) return t;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${t}`;
}

// fmtElapsed says how long something has been running, steadier than
// fmtDuration for a value that grows each second: 850 ms, 45s, 2m 3s,
// 2h 13m, 3d 4h.
export function fmtElapsed(ns) {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 1e9) return fmtDuration(Math.max(0, ns));
  const sec = Math.floor(ns / 1e9);
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m ${sec % 60}s`;
  const min = Math.floor(sec / 60);
  if (min < 1440) return `${Math.floor(min / 60)}h ${min % 60}m`;
  const h = Math.floor(min / 60);
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

// fmtClock shows a Unix-nanosecond time as local time of day: 14:02:11.
export function fmtClock(ns) {
  return ns ? fmtTime(ns, false).slice(0, 8) : '–';
}

// fmtAgo says how long ago a Unix-nanosecond time was, roughly.
export function fmtAgo(ns, now = Date.now()) {
  const s = (now - ns / 1e6) / 1e3;
  if (s < 5) return 'just now';
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

// fmtCount groups thousands: 2,000.
export function fmtCount(n) {
  return Number(n).toLocaleString('en-US');
}

// fmtValue renders an attribute value as text: strings as they are,
// arrays and maps as JSON, bytes (base64 in the API) as they come.
export function fmtValue(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

// sortedEntries returns an attribute map's entries sorted by key.
export function sortedEntries(attrs) {
  return Object.entries(attrs || {}).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// severityName maps an OpenTelemetry severity number to its range's name.
export function severityName(n, text) {
  if (text) return text;
  if (!n) return 'UNSET';
  const names = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  const i = Math.min(5, Math.floor((n - 1) / 4));
  const k = ((n - 1) % 4) + 1;
  return k === 1 ? names[i] : `${names[i]}${k}`;
}

// severityClass is the CSS class of a severity number's colour.
export function severityClass(n) {
  if (!n) return 'sev-unset';
  return ['sev-trace', 'sev-debug', 'sev-info', 'sev-warn', 'sev-error', 'sev-fatal'][Math.min(5, Math.floor((n - 1) / 4))];
}

// serviceClass gives a service one of eight colour classes, stable by name.
export function serviceClass(name) {
  let h = 0;
  const s = String(name || '');
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return `svc-${Math.abs(h) % 8}`;
}

// bodyText renders a log body (any JSON value) as text.
export function bodyText(b) {
  return fmtValue(b);
}

// niceStep picks a tick step (1, 2 or 5 × 10^k ns) for about `count` ticks over span ns.
export function niceStep(span, count) {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, count);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

// fmtBytes humanises a size in bytes: 812 B, 3.2 MiB, 2 GiB.
export function fmtBytes(n) {
  n = Number(n);
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n >= 100 ? n.toFixed(0) : n.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}
