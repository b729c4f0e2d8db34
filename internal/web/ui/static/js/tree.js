// The trace model, without DOM: spans merged page by page into a tree,
// runs of similar siblings folded into groups, the tree flattened into
// rows. Every walk is iterative (no recursion), every merge one pass with
// maps, so 100,000 spans or a chain 100,000 deep cost milliseconds.

import { foldGroups } from './groups.js';

export const DEFAULT_GROUP_MIN = 10;

// A node is a span, or a placeholder for a parent span not received (yet).
// start and end are nanoseconds since the model's base (exact: Unix
// nanoseconds do not fit a double). A span in flight has state 'open' or
// 'lost' and heard, when its latest heartbeat was received; an open span's
// end is "now" (TraceModel.tick), a lost span's when it was last heard.
function makeNode(id, span, service, start, end) {
  return {
    id, // span id (made unique when a span id repeats)
    span, // the API's Span, null for a placeholder
    name: span ? span.name : '',
    service,
    start,
    end,
    dur: span ? end - start : 0,
    error: Boolean(span && span.status_code === 'error'),
    state: 'finished', // or 'open', 'lost'
    heard: 0, // relative ns, for open and lost spans
    inGroup: null, // the group row it is folded in, if any
    placeholder: !span,
    parent: null, // node; null at the top level
    children: [], // in start order
    ver: 0, // bumped whenever children change
    items: null, // cached itemsOf
    itemsVer: -1,
    itemsMin: 0,
    removed: false,
  };
}

// split reads a Unix-nanosecond time, a decimal string (exact) or a
// number, as [seconds, nanoseconds]: two doubles that hold it exactly.
export function split(v) {
  if (typeof v === 'string' && v.length > 9) {
    return [Number(v.slice(0, -9)), Number(v.slice(-9))];
  }
  const n = Number(v) || 0;
  const sec = Math.floor(n / 1e9);
  return [sec, n - sec * 1e9];
}

function serviceOf(res) {
  const v = res && res.attributes ? res.attributes['service.name'] : undefined;
  return v === undefined || v === null ? '' : String(v);
}

export class TraceModel {
  constructor(groupMin = DEFAULT_GROUP_MIN) {
    this.groupMin = Math.max(2, groupMin | 0);
    this.byId = new Map(); // span id -> node
    this.base = null; // [seconds, ns] of the Unix time that times are relative to
    this.top = makeNode('', null, '', Infinity, -Infinity); // virtual root: roots and placeholders
    this.top.placeholder = false;
    this.placeholders = new Map(); // missing parent id -> placeholder node
    this.resources = []; // distinct resources of all pages
    this.resourceKeys = new Map(); // JSON of a resource -> index
    this.start = Infinity;
    this.end = -Infinity;
    this.spanCount = 0;
    this.errorCount = 0;
    this.version = 0;
    this.dups = 0;
    this.open = new Set(); // nodes of open spans
    this.lost = new Set(); // nodes of lost spans
    this.now = -Infinity; // relative ns: the end of open spans (tick)
    this.openEnd = -Infinity; // the latest end of an open span
  }

  // addPage merges a TracePage: spans in start order; a page's resource
  // indexes are its own, mapped here to one list.
  addPage(page) {
    this.merge(page, false);
  }

  // addChanges merges a changes answer (TracePage of changes_since): spans
  // in any order; one whose span id is known replaces that span's content
  // and state in place (its parent is not expected to change), a new one
  // is inserted among its siblings in start order. Returns the nodes
  // updated or added.
  addChanges(page) {
    return this.merge(page, true);
  }

  merge(page, changes) {
    const touched = [];
    if (this.base === null) {
      const first = page.summary && page.summary.start_unix_nano ? page.summary.start_unix_nano
        : page.spans && page.spans.length ? page.spans[0].start_unix_nano : 0;
      this.base = split(first);
    }
    const resMap = (page.resources || []).map((r) => this.internResource(r));
    let removed = false;
    for (const s of page.spans || []) {
      const ri = resMap[s.resource];
      const res = ri === undefined ? -1 : ri;
      let id = s.span_id;
      const dup = this.byId.has(id);
      if (dup && changes) {
        touched.push(this.update(this.byId.get(id), s, res));
        continue;
      }
      if (dup) id = `${id}#${++this.dups}`;
      const n = makeNode(id, s, res >= 0 ? serviceOf(this.resources[res]) : '', 0, 0);
      n.resource = res;
      this.setTimes(n, s);
      this.byId.set(id, n);
      this.spanCount++;
      if (n.error) this.errorCount++;
      touched.push(n);
      const ph = dup ? undefined : this.placeholders.get(id);
      if (ph) {
        // Children that came first (clock skew, or an earlier page).
        this.placeholders.delete(id);
        n.children = ph.children;
        for (const c of n.children) c.parent = n;
        n.ver++;
        ph.removed = true;
        removed = true;
      }
      this.attach(n, s.parent_span_id, Boolean(ph), changes);
    }
    if (removed) {
      this.top.children = this.top.children.filter((c) => !c.removed);
      this.top.ver++;
    }
    if (changes) {
      // An open span that ended no longer holds the end at now.
      this.openEnd = -Infinity;
      for (const n of this.open) if (n.end > this.openEnd) this.openEnd = n.end;
    }
    this.version++;
    return touched;
  }

  // setTimes sets a node's state and times from its span, and the model's
  // bounds and sets of spans in flight.
  setTimes(n, s) {
    const start = this.rel(s.start_unix_nano);
    n.start = start;
    n.state = s.state === 'open' || s.state === 'lost' ? s.state : 'finished';
    n.heard = n.state !== 'finished' && Number(s.last_heard_unix_nano) ? this.rel(s.last_heard_unix_nano) : start;
    if (n.state === 'open') n.end = Math.max(start, n.heard, this.now);
    else if (n.state === 'lost') n.end = Math.max(start, n.heard);
    else n.end = Math.max(start, this.rel(s.end_unix_nano));
    n.dur = n.end - n.start;
    this.open.delete(n);
    this.lost.delete(n);
    if (n.state === 'open') this.open.add(n);
    if (n.state === 'lost') this.lost.add(n);
    if (n.start < this.start) this.start = n.start;
    if (n.state === 'open') this.openEnd = Math.max(this.openEnd, n.end);
    else if (n.end > this.end) this.end = n.end;
  }

  // update replaces a node's span (a newer heartbeat, lost, finished).
  update(n, s, res) {
    const oldStart = n.start;
    if (n.error) this.errorCount--;
    n.span = s;
    n.name = s.name;
    n.resource = res;
    n.service = res >= 0 ? serviceOf(this.resources[res]) : '';
    n.error = s.status_code === 'error';
    if (n.error) this.errorCount++;
    this.setTimes(n, s);
    const list = (n.parent || this.top).children;
    if (n.start !== oldStart) {
      list.splice(list.indexOf(n), 1);
      insertByStart(list, n);
    }
    (n.parent || this.top).ver++; // its group's numbers change
    return n;
  }

  // tick moves the end of open spans to now (relative ns; the server's
  // clock) and returns the latest of them (-Infinity when none is open).
  // A group row's end and longest member follow its open members.
  tick(now) {
    this.now = now;
    let latest = -Infinity;
    for (const n of this.open) {
      n.end = Math.max(n.start, n.heard, now);
      n.dur = n.end - n.start;
      const g = n.inGroup;
      if (g) {
        if (n.end > g.end) g.end = n.end;
        if (n.dur > g.max) g.max = n.dur;
      }
      if (n.parent && n.parent.placeholder && n.end > n.parent.end) n.parent.end = n.end;
      if (n.end > latest) latest = n.end;
    }
    this.openEnd = latest;
    return latest;
  }

  // rel converts a Unix-nanosecond time (string or number) to
  // nanoseconds since the base, exactly.
  rel(v) {
    const [s, ns] = split(v);
    return (s - this.base[0]) * 1e9 + (ns - this.base[1]);
  }

  // abs converts back to Unix nanoseconds (as a double: for display).
  abs(rel) {
    return this.base[0] * 1e9 + this.base[1] + rel;
  }

  internResource(r) {
    const key = JSON.stringify(r);
    let i = this.resourceKeys.get(key);
    if (i === undefined) {
      i = this.resources.length;
      this.resources.push(r);
      this.resourceKeys.set(key, i);
    }
    return i;
  }

  // attach puts n under its parent (pid), at the end of its siblings,
  // or where its start puts it when sorted.
  attach(n, pid, adopted, sorted) {
    if (!pid || pid === n.span.span_id) return this.attachTop(n, sorted);
    const p = this.byId.get(pid);
    if (p) {
      // Only a node that adopted children can close a cycle.
      if (adopted && isAncestor(n, p)) return this.attachTop(n, sorted);
      n.parent = p;
      if (sorted) insertByStart(p.children, n);
      else p.children.push(n);
      p.ver++;
      return;
    }
    let ph = this.placeholders.get(pid);
    if (!ph) {
      ph = makeNode(pid, null, '', Infinity, -Infinity);
      ph.name = `missing span ${pid}`;
      this.placeholders.set(pid, ph);
      this.attachTop(ph);
    }
    n.parent = ph;
    if (sorted) insertByStart(ph.children, n);
    else ph.children.push(n);
    ph.ver++;
    if (n.start < ph.start) ph.start = n.start;
    if (n.end > ph.end) ph.end = n.end;
  }

  attachTop(n, sorted) {
    n.parent = null;
    if (sorted) insertByStart(this.top.children, n);
    else this.top.children.push(n);
    this.top.ver++;
  }

  // itemsOf lists a node's children with runs of similar siblings folded
  // into groups (groups.js). Cached per node until its children change.
  itemsOf(node) {
    if (node.items && node.itemsVer === node.ver && node.itemsMin === this.groupMin) return node.items;
    node.items = foldGroups(node, this.groupMin);
    node.itemsVer = node.ver;
    node.itemsMin = this.groupMin;
    return node.items;
  }

  // flatten lists the visible rows, depth first. view.collapsed holds the
  // ids of collapsed spans (spans start expanded); view.expanded holds the
  // keys of expanded groups (groups start collapsed).
  flatten(view) {
    const rows = [];
    const stack = [{ items: this.itemsOf(this.top), i: 0, depth: 0 }];
    while (stack.length) {
      const f = stack[stack.length - 1];
      if (f.i >= f.items.length) {
        stack.pop();
        continue;
      }
      const it = f.items[f.i++];
      // nth numbers the members of an expanded group (1-based).
      rows.push({ item: it, depth: f.depth, nth: f.members ? f.i : 0 });
      if (it.group) {
        if (view.expanded.has(it.key)) stack.push({ items: it.members, i: 0, depth: f.depth + 1, members: true });
      } else if (it.children.length && !view.collapsed.has(it.id)) {
        stack.push({ items: this.itemsOf(it), i: 0, depth: f.depth + 1 });
      }
    }
    return rows;
  }

  // reveal expands what hides node: its collapsed ancestors and the
  // groups it or an ancestor is folded in.
  reveal(node, view) {
    for (let x = node; x; x = x.parent) {
      const container = x.parent || this.top;
      if (x !== node) view.collapsed.delete(x.id);
      for (const it of this.itemsOf(container)) {
        if (it.group && x.start >= it.start && it.members.includes(x)) {
          view.expanded.add(it.key);
          break;
        }
      }
    }
  }

  // find returns the node of a span id, or undefined.
  find(spanId) {
    return this.byId.get(spanId);
  }
}

// insertByStart inserts n into nodes in start order, after those that
// start at the same time.
function insertByStart(nodes, n) {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid].start <= n.start) lo = mid + 1;
    else hi = mid;
  }
  nodes.splice(lo, 0, n);
}

function isAncestor(n, p) {
  for (let x = p; x; x = x.parent) if (x === n) return true;
  return false;
}

// itemKey identifies a row's item across rebuilds.
export function itemKey(it) {
  return it.group ? `g:${it.key}` : `n:${it.id}`;
}

// newView is an empty expansion state.
export function newView() {
  return { collapsed: new Set(), expanded: new Set() };
}
