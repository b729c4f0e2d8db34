// Time ranges of the search forms: presets relative to now, or custom.

export const PRESETS = [
  ['15m', 'Last 15 minutes', 15 * 60e9],
  ['1h', 'Last hour', 3600e9],
  ['24h', 'Last 24 hours', 86400e9],
  ['all', 'All time', 0],
  ['custom', 'Custom…', 0],
];

// resolve turns {range, start, end} (start/end as datetime-local text)
// into Unix nanoseconds {start, end}; null for an open side.
export function resolve(range, startText, endText, nowMs = Date.now()) {
  const p = PRESETS.find((x) => x[0] === range);
  if (range === 'custom') {
    return { start: localToNs(startText), end: localToNs(endText) };
  }
  if (!p || !p[2]) return { start: null, end: null };
  return { start: nowMs * 1e6 - p[2], end: null };
}

// localToNs reads a datetime-local value (local time) as Unix nanoseconds.
export function localToNs(s) {
  if (!s) return null;
  const ms = new Date(s).getTime();
  return Number.isFinite(ms) ? ms * 1e6 : null;
}

// fillSelect fills a <select> with the presets.
export function presetOptions(el) {
  return PRESETS.map(([v, label]) => el('option', { value: v }, label));
}
