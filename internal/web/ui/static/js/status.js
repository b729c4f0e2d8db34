// The collector's forwarding status, in the search page's top bar: shown
// only when serve forwards (/api/stats has a "forward" object), with the
// lag of the oldest request not yet forwarded, the queue and the drops,
// refreshed every 10 s. Details (upstream, state, last error) in its title.

import { replace } from './dom.js';
import { getJSON } from './api.js';
import { fmtElapsed, fmtBytes, fmtCount } from './format.js';

const INTERVAL_MS = 10000;

// render shows f (the "forward" object of /api/stats) in node, or hides
// node when f is null.
export function render(node, f) {
  if (!f) {
    node.hidden = true;
    return;
  }
  const dropped = Number(f.dropped?.full?.records || 0) + Number(f.dropped?.rejected?.records || 0);
  const lag = Number(f.lag_ns || 0);
  const behind = !f.connected || lag > 60e9;
  replace(node,
    'forward: ',
    Number(f.queue_records) === 0 ? 'up to date' : `lag ${fmtElapsed(lag)}`,
    ` · queue ${fmtBytes(f.queue_bytes)} of ${fmtBytes(f.max_bytes)}`,
    ` · ${fmtCount(dropped)} dropped`);
  node.classList.toggle('behind', behind);
  node.classList.toggle('dropped', dropped > 0);
  const lines = [`forwarding to ${f.upstream} (${f.state}${f.connected ? '' : ', upstream not reached'})`,
    `${fmtCount(f.queue_records)} requests queued, ${fmtCount(f.forwarded_records)} forwarded, ${fmtCount(f.retries)} retries`];
  if (dropped) lines.push(`dropped: ${fmtCount(f.dropped.full.records)} when the queue was full, ${fmtCount(f.dropped.rejected.records)} refused by the upstream`);
  if (f.last_error) lines.push(`last error: ${f.last_error}`);
  node.title = lines.join('\n');
  node.hidden = false;
}

// start polls /api/stats into node; a failed request keeps what is shown.
// node.dataset.loaded is set once an answer was rendered.
export function start(node) {
  const refresh = async () => {
    try {
      render(node, (await getJSON('/api/stats')).forward || null);
      node.dataset.loaded = 'true';
    } catch {
      // the next refresh tries again
    }
  };
  refresh();
  setInterval(refresh, INTERVAL_MS);
}
