// The critical path of a trace: which spans its end-to-end duration waited
// on, and which stretches of their bars. The algorithm is the one of
// Jaeger's UI (TracePage/CriticalPath), written again, iteratively:
//
//  1. Children are clipped to their (clipped) parent: a child that starts
//     at or after its parent's end, or ends at or before its start, is
//     left out with its subtree; one that sticks out is cut at the edge.
//  2. Start at the root, at its end. At a span S and a point R (initially
//     S's end), the child of S that finished last at or before R, not yet
//     visited, is on the path: S's own segment is [that child's end, R];
//     continue in the child, from its end. A span with no such child owns
//     [its start, R], and the walk goes back to its parent with R = its
//     start.
//
// Unlike Jaeger, a child that ends exactly where R is counts (steps that
// follow each other without a gap are all on the path), and each child is
// visited once (a zero-length child cannot loop). Open and lost spans end
// where the waterfall draws them (now, or when last heard). Several
// top-level spans (a missing root) are children of one virtual root from
// the earliest start to the latest end.

import { orderOf } from './order.js';

// criticalPath returns {nodes: the nodes the walk passed through, has(n),
// own(n): n's own segments [start, end, start, end, ...] in time order
// (relative ns) or null, total(n): their ns}. Nodes are numbered by their
// place in orderOf, and what the walk finds is held in typed arrays: no
// map, no property added to a node, so 100,000 spans cost tens of ms.
export function criticalPath(model) {
  const order = orderOf(model);
  const N = order.length;
  const TOP = N; // the virtual root
  const top = model.top;
  const nodes = [];
  const on = new Uint8Array(N + 1);
  const tot = new Float64Array(N + 1);
  const segs = new Array(N + 1);
  const at = (n) => (n && n.ord < N && order[n.ord] === n ? n.ord : -1);
  const out = {
    nodes,
    has: (n) => at(n) >= 0 && on[n.ord] === 1,
    own: (n) => (at(n) >= 0 && segs[n.ord]) || null,
    total: (n) => (at(n) >= 0 ? tot[n.ord] : 0),
  };
  if (!top.children.length) return out;
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const c of top.children) {
    if (c.start < t0) t0 = c.start;
    if (c.end > t1) t1 = c.end;
  }
  // 1. Clipped bounds and the children kept, in one iterative pass.
  const cs = new Float64Array(N + 1);
  const ce = new Float64Array(N + 1);
  const parent = new Int32Array(N + 1).fill(-1);
  const ptr = new Int32Array(N + 1).fill(-2); // -2: children not sorted yet
  const kids = new Array(N + 1);
  cs[TOP] = t0;
  ce[TOP] = t1;
  const stack = [TOP];
  while (stack.length) {
    const p = stack.pop();
    const list = [];
    for (const c of (p === TOP ? top : order[p]).children) {
      const i = c.ord;
      let s;
      if (c.start >= cs[p]) {
        if (c.start >= ce[p]) continue;
        s = c.start;
      } else {
        if (c.end <= cs[p]) continue;
        s = cs[p];
      }
      cs[i] = s;
      ce[i] = Math.min(c.end, ce[p]);
      parent[i] = p;
      list.push(i);
      stack.push(i);
    }
    kids[p] = list;
  }
  // 2. The walk, from the virtual root's end.
  const add = (i, a, b) => {
    if (i === TOP || !(b > a)) return;
    if (!segs[i]) segs[i] = [];
    segs[i].push(b, a); // backwards; reversed below
    tot[i] += b - a;
  };
  let cur = TOP;
  let r = t1;
  for (;;) {
    const list = kids[cur];
    if (ptr[cur] === -2) {
      // By end, then the earliest start last: it is taken first.
      list.sort((a, b) => ce[a] - ce[b] || cs[b] - cs[a]);
      ptr[cur] = list.length - 1;
    }
    let p = ptr[cur];
    while (p >= 0 && ce[list[p]] > r) p--;
    if (p >= 0) {
      const c = list[p];
      ptr[cur] = p - 1;
      add(cur, ce[c], r);
      cur = c;
      r = ce[c];
      on[c] = 1;
      nodes.push(order[c]);
      continue;
    }
    ptr[cur] = -1;
    add(cur, cs[cur], r);
    if (parent[cur] < 0) break;
    r = cs[cur];
    cur = parent[cur];
  }
  for (const x of segs) if (x) x.reverse();
  return out;
}

// barGradient draws segments (relative ns, in time order) over a track
// from t0 to t1, width px wide, as a CSS linear-gradient: segments closer
// than a pixel merge, each at least a pixel wide. '' when none.
export function barGradient(lists, t0, t1, width) {
  const span = t1 - t0;
  if (!(span > 0)) return '';
  const px = span / Math.max(1, width);
  const all = lists.length === 1 ? lists[0] : [];
  if (lists.length > 1) {
    // A group's members: their segments in time order.
    const pairs = [];
    for (const segs of lists) for (let i = 0; i < segs.length; i += 2) pairs.push([segs[i], segs[i + 1]]);
    pairs.sort((x, y) => x[0] - y[0]);
    for (const [a, b] of pairs) all.push(a, b);
  }
  const merged = [];
  for (let i = 0; i < all.length; i += 2) {
    const a = Math.max(t0, all[i]);
    let b = Math.min(t1, all[i + 1]);
    if (b < a) continue;
    if (b - a < px) b = a + px;
    const k = merged.length;
    if (k && a - merged[k - 1] < px) merged[k - 1] = Math.max(merged[k - 1], b);
    else merged.push(a, b);
  }
  if (!merged.length) return '';
  const pct = (x) => `${Math.max(0, Math.min(100, ((x - t0) / span) * 100)).toFixed(3)}%`;
  const stops = ['transparent 0'];
  for (let i = 0; i < merged.length; i += 2) {
    const a = pct(merged[i]);
    const b = pct(merged[i + 1]);
    stops.push(`transparent ${a}`, `var(--crit) ${a}`, `var(--crit) ${b}`, `transparent ${b}`);
  }
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
