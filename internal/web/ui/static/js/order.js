// The waterfall's order with everything expanded, and moving through a
// list of spans in it (find's matches, errors). Without DOM.

// orderOf lists every node of the model (spans and placeholders) in the
// order the waterfall shows them when every span and group is expanded:
// depth first, children in start order, a group's members in start order
// at its first member's place. Each node gets its index as node.ord.
// Cached per model until it changes; iterative, so a chain 100,000 deep
// is fine.
const cache = new WeakMap(); // model -> {version, groupMin, nodes}

export function orderOf(model) {
  const c = cache.get(model);
  if (c && c.version === model.version && c.groupMin === model.groupMin) return c.nodes;
  const nodes = [];
  const stack = [{ items: model.itemsOf(model.top), i: 0 }];
  while (stack.length) {
    const f = stack[stack.length - 1];
    if (f.i >= f.items.length) {
      stack.pop();
      continue;
    }
    const it = f.items[f.i++];
    if (it.group) {
      stack.push({ items: it.members, i: 0 });
      continue;
    }
    it.ord = nodes.length;
    nodes.push(it);
    if (it.children.length) stack.push({ items: model.itemsOf(it), i: 0 });
  }
  cache.set(model, { version: model.version, groupMin: model.groupMin, nodes });
  return nodes;
}

// position is where a waterfall item (span, placeholder or group) stands
// in orderOf: a group just before its first member; -1 for none.
export function position(item) {
  if (!item) return -1;
  if (item.group) return item.members[0].ord - 0.5;
  return item.ord === undefined ? -1 : item.ord;
}

// step picks, in list (nodes sorted by ord), the index of the first node
// after pos (dir 1) or the last before it (dir -1), wrapping around; -1
// when the list is empty.
export function step(list, pos, dir) {
  const n = list.length;
  if (!n) return -1;
  // lo: the first index whose ord is greater than pos.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].ord <= pos) lo = mid + 1;
    else hi = mid;
  }
  if (dir > 0) return lo < n ? lo : 0;
  // The last index whose ord is less than pos.
  let k = lo - 1;
  if (k >= 0 && list[k].ord === pos) k--;
  return k >= 0 ? k : n - 1;
}

// yieldNow lets the browser handle input and paint before more work.
export function yieldNow() {
  if (globalThis.scheduler && typeof globalThis.scheduler.yield === 'function') return globalThis.scheduler.yield();
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

// Slicer runs a loop in slices of at most budget ms: await slicer.pause()
// inside the loop yields when the slice is used up.
export class Slicer {
  constructor(budget = 8) {
    this.budget = budget;
    this.t = performance.now();
  }

  due() {
    return performance.now() - this.t > this.budget;
  }

  async pause() {
    await yieldNow();
    this.t = performance.now();
  }
}
