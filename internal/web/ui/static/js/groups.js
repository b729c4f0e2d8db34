// Groups of similar siblings, without DOM: a parent's children with at
// least groupMin of one name and service are folded into one row, with
// their count, errors, spans in flight and min / median / max duration.

// foldGroups lists node's children with every set of at least min
// siblings of one name and service (placeholders excepted) folded into one
// group, placed where its first member is: a scan's interleaved set, wait,
// trigger, read children fold into a few rows. Members point at their
// group (inGroup), other children at none.
export function foldGroups(node, min) {
  const ch = node.children;
  const keyOf = (c) => c.name + '\u0000' + c.service;
  const counts = new Map();
  for (const c of ch) if (!c.placeholder) counts.set(keyOf(c), (counts.get(keyOf(c)) || 0) + 1);
  const members = new Map();
  const items = [];
  for (const c of ch) {
    const k = c.placeholder ? null : keyOf(c);
    if (k !== null && counts.get(k) >= min) {
      let list = members.get(k);
      if (!list) {
        list = [];
        members.set(k, list);
        items.push(list); // replaced by its group below
      }
      list.push(c);
    } else {
      c.inGroup = null;
      items.push(c);
    }
  }
  for (let i = 0; i < items.length; i++) if (Array.isArray(items[i])) items[i] = makeGroup(node, items[i]);
  return items;
}

// makeGroup summarises members, siblings under parent in start order. Its
// key, parent and name with service, stays when members come and go.
function makeGroup(parent, members) {
  const durs = new Float64Array(members.length);
  let end = -Infinity;
  let errors = 0;
  let open = 0;
  let lost = 0;
  for (let k = 0; k < members.length; k++) {
    const m = members[k];
    durs[k] = m.dur;
    if (m.end > end) end = m.end;
    if (m.error) errors++;
    if (m.state === 'open') open++;
    if (m.state === 'lost') lost++;
  }
  durs.sort();
  const g = {
    group: true,
    key: `${parent.id}/${members[0].name}\u0000${members[0].service}`,
    parent,
    members,
    name: members[0].name,
    service: members[0].service,
    count: members.length,
    start: members[0].start,
    end,
    errors,
    error: errors > 0,
    min: durs[0],
    median: median(durs),
    max: durs[durs.length - 1],
    open, // members open
    lost, // members lost
  };
  for (const m of members) m.inGroup = g;
  return g;
}

// median of sorted numbers.
export function median(sorted) {
  const n = sorted.length;
  if (!n) return NaN;
  const h = n >> 1;
  return n % 2 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}
