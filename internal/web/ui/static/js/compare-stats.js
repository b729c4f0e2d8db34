// The figures of a comparison of two traces, without DOM: per service and
// span name, the count, total and median duration of each trace, and the
// difference. Durations are nanoseconds, exact (times are read as
// strings, see tree.js's split).

import { split } from './tree.js';
import { median } from './groups.js';
import { Slicer } from './order.js';

// Stats gathers durations by (service, span name).
export class Stats {
  constructor() {
    this.by = new Map(); // service \0 name -> {service, name, durs: []}
    this.spans = 0;
    this.start = Infinity; // relative ns (to base)
    this.end = -Infinity;
    this.base = null;
  }

  add(service, name, dur) {
    const k = `${service}\u0000${name}`;
    let e = this.by.get(k);
    if (!e) this.by.set(k, (e = { service, name, durs: [] }));
    e.durs.push(dur);
    this.spans++;
  }

  // addPage adds a page of the API's spans (times as strings); now is the
  // server's clock (Unix ms), where open spans end for now.
  addPage(page, now) {
    const services = (page.resources || []).map((r) => {
      const v = r && r.attributes ? r.attributes['service.name'] : undefined;
      return v === undefined || v === null ? '' : String(v);
    });
    for (const s of page.spans || []) {
      const [s0, s1] = split(s.start_unix_nano);
      if (this.base === null) this.base = [s0, s1];
      const start = (s0 - this.base[0]) * 1e9 + (s1 - this.base[1]);
      let end;
      if (s.state === 'open' || s.state === 'lost') {
        const [h0, h1] = split(s.last_heard_unix_nano || 0);
        const heard = Number(s.last_heard_unix_nano) ? (h0 - this.base[0]) * 1e9 + (h1 - this.base[1]) : start;
        const nowRel = now * 1e6 - (this.base[0] * 1e9 + this.base[1]);
        end = Math.max(start, heard, s.state === 'open' ? nowRel : -Infinity);
      } else {
        const [e0, e1] = split(s.end_unix_nano);
        end = Math.max(start, (e0 - this.base[0]) * 1e9 + (e1 - this.base[1]));
      }
      if (start < this.start) this.start = start;
      if (end > this.end) this.end = end;
      const svc = services[s.resource];
      this.add(svc === undefined ? '' : svc, s.name || '', end - start);
    }
  }

  get duration() {
    return this.spans ? this.end - this.start : 0;
  }

  // figures sorts each entry's durations: {count, total, median} by key.
  figures() {
    const out = new Map();
    for (const [k, e] of this.by) {
      const d = Float64Array.from(e.durs).sort();
      let total = 0;
      for (const x of d) total += x;
      out.set(k, { service: e.service, name: e.name, count: d.length, total, median: median(d) });
    }
    return out;
  }
}

// statsOfModel gathers a loaded trace's spans (placeholders aside), in
// slices; durations are those the waterfall draws.
export async function statsOfModel(model) {
  const st = new Stats();
  const sl = new Slicer();
  let i = 0;
  for (const n of model.byId.values()) {
    if (!n.placeholder) {
      st.add(n.service, n.name, n.dur);
      if (n.start < st.start) st.start = n.start;
      if (n.end > st.end) st.end = n.end;
    }
    if ((++i & 1023) === 0 && sl.due()) await sl.pause();
  }
  return st;
}

// compareRows joins two traces' figures: one row per (service, name) with
// a and b (null when the name is not in that trace), diff (total of b
// minus total of a, a missing side counting 0) and ratio (b / a, NaN when
// a side is missing).
export function compareRows(fa, fb) {
  const rows = [];
  const keys = new Set([...fa.keys(), ...fb.keys()]);
  for (const k of keys) {
    const a = fa.get(k) || null;
    const b = fb.get(k) || null;
    const x = a || b;
    rows.push({
      key: k,
      service: x.service,
      name: x.name,
      a,
      b,
      diff: (b ? b.total : 0) - (a ? a.total : 0),
      ratio: a && b && a.total > 0 ? b.total / a.total : NaN,
    });
  }
  return rows;
}

// SORTS are the columns a comparison sorts by: name, then a value.
export const SORTS = {
  name: (r) => `${r.name}\u0000${r.service}`,
  service: (r) => `${r.service}\u0000${r.name}`,
  countA: (r) => (r.a ? r.a.count : -1),
  countB: (r) => (r.b ? r.b.count : -1),
  totalA: (r) => (r.a ? r.a.total : -1),
  totalB: (r) => (r.b ? r.b.total : -1),
  medianA: (r) => (r.a ? r.a.median : -1),
  medianB: (r) => (r.b ? r.b.median : -1),
  diff: (r) => r.diff,
  ratio: (r) => (Number.isNaN(r.ratio) ? (r.a ? -1 : Infinity) : r.ratio),
};

// sortRows sorts rows by a column of SORTS, descending when desc; ties by
// name and service.
export function sortRows(rows, by, desc) {
  const f = SORTS[by] || SORTS.diff;
  const name = SORTS.name;
  rows.sort((x, y) => {
    const a = f(x);
    const b = f(y);
    let c = 0;
    if (a < b) c = -1;
    else if (a > b) c = 1;
    if (desc) c = -c;
    if (c) return c;
    const na = name(x);
    const nb = name(y);
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  return rows;
}
