package web

import (
	"testing"
	"time"
)

// btTreeChecks runs in the page: tree.js, the model without DOM, and
// groups.js, against hand-made pages. It returns the failures, one line
// each.
const btTreeChecks = `(async () => {
  const { TraceModel, newView } = await import('/static/js/tree.js');
  const { median } = await import('/static/js/groups.js');
  const fails = [];
  const eq = (what, got, want) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) fails.push(what + ': got ' + JSON.stringify(got) + ', want ' + JSON.stringify(want));
  };
  const T0 = 1700000000000000000n;
  const sp = (id, parent, name, start, end, extra) => Object.assign({
    span_id: id, parent_span_id: parent, name, resource: 0, status_code: 'unset', attributes: {},
    start_unix_nano: String(T0 + BigInt(start)), end_unix_nano: String(T0 + BigInt(end)),
  }, extra || {});
  const res = [{ attributes: { 'service.name': 'engine' } }];
  const names = (m, view) => m.flatten(view || newView()).map((r) => ' '.repeat(r.depth) +
    (r.item.group ? r.item.name + ' x' + r.item.count : r.item.name));

  // Children before their parent (clock skew, or an earlier page) wait
  // under a placeholder, then move under the parent.
  let m = new TraceModel(3);
  m.addPage({ resources: res, spans: [sp('b', 'a', 'child', 5, 6), sp('c', 'b', 'grandchild', 5, 6)] });
  eq('orphans', names(m), ['missing span a', ' child', '  grandchild']);
  m.addPage({ resources: res, spans: [sp('a', '', 'root', 7, 10), sp('d', 'a', 'late child', 8, 9)] });
  eq('adopted', names(m), ['root', ' child', '  grandchild', ' late child']);
  eq('bounds (from the first span)', [m.start, m.end, m.spanCount], [0, 5, 4]);

  // At least groupMin siblings of one name and service, consecutive or not,
  // fold into one group at the first member's place.
  m = new TraceModel(3);
  const sib = [sp('r', '', 'root', 0, 100)];
  [1, 4, 2, 3].forEach((d, i) => sib.push(sp('m' + i, 'r', 'read', 10 + i * 10, 10 + i * 10 + d, i === 2 ? { status_code: 'error' } : {})));
  sib.push(sp('x', 'r', 'other', 60, 61), sp('y', 'r', 'read', 70, 71), sp('z', 'r', 'read', 80, 81));
  m.addPage({ resources: res, spans: sib.slice(0, 3) });
  eq('run too short yet', names(m), ['root', ' read', ' read']);
  m.addPage({ resources: res, spans: sib.slice(3) });
  eq('grouped', names(m), ['root', ' read x6', ' other']);
  const g = m.itemsOf(m.find('r'))[0];
  eq('group stats', [g.count, g.min, g.median, g.max, g.errors, g.start, g.end], [6, 1, 1.5, 4, 1, 10, 81]);
  const view = newView();
  view.expanded.add(g.key);
  eq('expanded', names(m, view).slice(0, 8), ['root', ' read x6', '  read', '  read', '  read', '  read', '  read', '  read']);
  view.collapsed.add('r');
  eq('collapsed', names(m, view), ['root']);
  const v2 = newView();
  v2.collapsed.add('r');
  m.reveal(m.find('m2'), v2);
  eq('reveal', [v2.collapsed.has('r'), v2.expanded.has(g.key)], [false, true]);
  m.groupMin = 10;
  eq('groupMin', names(m).length, 8);
  eq('median', [median([1]), median([1, 2]), median([1, 2, 3])], [1, 1.5, 2]);

  // Another service makes another group; a page's resource indexes are its own.
  m = new TraceModel(2);
  m.addPage({ resources: res, spans: [sp('r', '', 'root', 0, 100), sp('a', 'r', 'read', 1, 2)] });
  m.addPage({ resources: [{ attributes: { 'service.name': 'det' } }, res[0]], spans: [
    sp('b', 'r', 'read', 3, 4, { resource: 0 }), sp('c', 'r', 'read', 5, 6, { resource: 1 })] });
  eq('services', m.flatten(newView()).map((r) => r.item.service + ':' + (r.item.group ? r.item.count : 1)), ['engine:1', 'engine:2', 'det:1']);
  eq('resources', m.resources.length, 2);

  // Exact nanoseconds past 2^53.
  m = new TraceModel();
  m.addPage({ resources: res, spans: [{ span_id: 'e', parent_span_id: '', name: 'x', resource: 0,
    start_unix_nano: '1700000000123456789', end_unix_nano: '1700000000123457790' }] });
  eq('exact duration', m.find('e').dur, 1001);

  // A cycle and a repeated span id neither hang nor lose spans.
  m = new TraceModel();
  m.addPage({ resources: res, spans: [sp('a', 'b', 'A', 1, 2), sp('b', 'a', 'B', 3, 4), sp('b', 'a', 'B again', 5, 6), sp('s', 's', 'self', 7, 8)] });
  eq('cycle', names(m), ['B', ' A', '  B again', 'self']);

  // 100,000 deep, and 100,000 siblings in one run: no recursion, fast.
  let t = performance.now();
  m = new TraceModel();
  const deep = [];
  for (let i = 0; i < 100000; i++) deep.push(sp('d' + i, i ? 'd' + (i - 1) : '', 'level', i, 200000 - i));
  m.addPage({ resources: res, spans: deep });
  let rows = m.flatten(newView());
  eq('deep', [rows.length, rows[rows.length - 1].depth], [100000, 99999]);
  const v3 = newView();
  m.reveal(m.find('d99999'), v3);
  const deepMs = performance.now() - t;
  t = performance.now();
  m = new TraceModel();
  const wide = [sp('w', '', 'root', 0, 1e9)];
  for (let i = 0; i < 100000; i++) wide.push(sp('w' + i, 'w', 'read det1', i * 10, i * 10 + 5 + (i % 7)));
  m.addPage({ resources: res, spans: wide });
  rows = m.flatten(newView());
  eq('wide', names(m), ['root', ' read det1 x100000']);
  eq('wide stats', [rows[1].item.min, rows[1].item.median, rows[1].item.max], [5, 8, 11]);
  const wideMs = performance.now() - t;
  if (deepMs > 2000 || wideMs > 2000) fails.push('slow: deep ' + deepMs + ' ms, wide ' + wideMs + ' ms');

  // dom.js: text stays text, links stay on this origin or http(s).
  const { el } = await import('/static/js/dom.js');
  const hrefs = ['/trace/ab?span=cd', '?span=cd', 'https://example.org/', 'javascript:alert(1)', '//evil.example/', '/\\evil.example', 'data:text/html,x']
    .map((h) => el('a', { href: h }).hasAttribute('href'));
  eq('hrefs', hrefs, [true, true, true, false, false, false, false]);
  const node = el('p', { class: ['a', false, 'b'], style: { width: '3px' } }, '<b>x</b>', 2, null, [el('i', null, 'y')]);
  eq('el', [node.className, node.style.width, node.childNodes.length, node.textContent, node.querySelector('b')], ['a b', '3px', 3, '<b>x</b>2y', null]);
  return fails;
})()`

// TestBrowserTreeModel checks tree.js and groups.js (merging pages,
// placeholders for parents not received yet, grouping, flattening, exact
// times, 100,000 spans deep or wide) and dom.js's el in chromium, where
// the modules run.
func TestBrowserTreeModel(t *testing.T) {
	btNeedChromium(t)
	srv := btStartServer(t)
	b := btStartBrowser(t, time.Minute)
	b.navigate(srv.url + "/logs")
	var fails []string
	b.eval(btTreeChecks, &fails)
	for _, f := range fails {
		t.Error(f)
	}
	b.checkClean()
}
