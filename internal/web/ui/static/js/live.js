// Live updates of a trace page while spans are in flight: the server's
// clock as seen from the browser, the poll for what changed
// (?changes_since=, every 2 s, not in a hidden tab) and the tick that
// makes open spans grow between polls.

import { traceChanges } from './api.js';

export const POLL_MS = 2000;
const CHANGES_LIMIT = 5000;

// ServerClock estimates the server's clock from the browser's. Open spans
// run to "now" on the collector's clock (their last_heard_unix_nano is
// that clock), which may differ from the browser's. Each answer bounds the
// difference: the server wrote its Date header (whole seconds, rounded
// down) between the request leaving and the answer arriving, and after
// the latest heartbeat it reports was received. The bounds of all answers
// are intersected; the offset is 0 when they allow it (clocks in step, to
// within a second), else the nearest bound. Bounds that contradict each
// other (a clock was set) start the estimate again.
export class ServerClock {
  constructor() {
    this.lo = -Infinity; // ms the server is at least ahead of the browser
    this.hi = Infinity; // ms it is at most ahead
    this.offset = 0;
  }

  // sample reads one answer: info from getJSON ({sent, received, date},
  // ms) and the latest last_heard_unix_nano it holds (0 when none).
  sample(info, heardNs) {
    if (!info || !Number.isFinite(info.received)) return;
    let lo = -Infinity;
    let hi = Infinity;
    if (Number.isFinite(info.date)) {
      lo = info.date - info.received;
      if (Number.isFinite(info.sent)) hi = info.date + 1000 - info.sent;
    }
    const heard = Number(heardNs) / 1e6;
    if (heard > 0) lo = Math.max(lo, heard - info.received);
    let nlo = Math.max(this.lo, lo);
    let nhi = Math.min(this.hi, hi);
    if (nlo > nhi) {
      nlo = lo;
      nhi = Math.max(lo, hi);
    }
    this.lo = nlo;
    this.hi = nhi;
    this.offset = Math.min(Math.max(0, nlo), nhi);
  }

  // now is the server's clock, Unix ms.
  now() {
    return Date.now() + this.offset;
  }
}

// Live polls a trace for changes while it has open spans. page: {
//   traceId, clock (a ServerClock),
//   inFlight() -> whether the trace has open spans (poll again),
//   onChanges(answer) merges a changes answer,
//   onReset() fetches the trace again (and calls start with its token),
//   onState(state, error) shows 'polling', 'paused' (tab hidden), 'error'
//     (a poll failed, retried), 'gone' (404: stopped) or 'done' (nothing
//     open any more: stopped) }
export class Live {
  constructor(page) {
    this.p = page;
    this.token = '';
    this.timer = 0;
    this.busy = false;
    this.stopped = true;
    this.state = '';
    document.addEventListener('visibilitychange', () => {
      if (this.stopped) return;
      if (hidden()) {
        clearTimeout(this.timer);
        this.timer = 0;
        if (!this.busy) this.show('paused');
      } else if (!this.busy) {
        this.poll();
      }
    });
  }

  // start polls from a changes token (the trace's first page's).
  start(token) {
    this.token = token;
    this.stopped = !token;
    if (this.stopped) return;
    this.next(POLL_MS);
  }

  show(state, err) {
    this.state = state;
    this.p.onState(state, err);
  }

  // next plans the next poll, or stops when nothing is open.
  next(ms) {
    clearTimeout(this.timer);
    this.timer = 0;
    if (this.stopped) return;
    if (!this.p.inFlight()) {
      this.stopped = true;
      this.show('done');
      return;
    }
    if (hidden()) {
      this.show('paused');
      return;
    }
    if (this.state !== 'error') this.show('polling');
    this.timer = setTimeout(() => this.poll(), ms);
  }

  async poll() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (this.busy || this.stopped) return;
    if (hidden()) {
      this.show('paused');
      return;
    }
    this.busy = true;
    try {
      for (;;) {
        const info = {};
        const res = await traceChanges(this.p.traceId, this.token, CHANGES_LIMIT, undefined, info);
        if (this.stopped) return;
        this.p.clock.sample(info, res.summary && res.summary.last_heard_unix_nano);
        if (res.reset) {
          this.stopped = true;
          this.p.onReset();
          return;
        }
        this.token = res.changes || this.token;
        this.p.onChanges(res);
        if (!res.more) break; // else the rest of the difference, at once
      }
      if (this.state === 'error') this.show('polling');
    } catch (e) {
      if (e.status === 404) {
        this.stopped = true;
        this.show('gone', e);
        return;
      }
      this.show('error', e);
    } finally {
      this.busy = false;
    }
    this.next(POLL_MS);
  }
}

function hidden() {
  return document.visibilityState === 'hidden';
}

// Ticker runs fn now and then again after period() ms, for as long as fn
// returns true; kick runs it at once (and starts it again). A hidden tab
// skips the work; showing it runs fn at once.
export class Ticker {
  constructor(fn, period) {
    this.fn = fn;
    this.period = period;
    this.timer = 0;
    document.addEventListener('visibilitychange', () => {
      if (!hidden() && this.timer) this.kick();
    });
  }

  kick() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (hidden() || this.fn()) this.timer = setTimeout(() => this.kick(), hidden() ? 1000 : this.period());
  }
}
