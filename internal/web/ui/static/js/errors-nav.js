// Next / previous error: the spans with status error, in the waterfall's
// order with everything expanded, visited one by one (opening what hides
// them), with "error 2 of 7".

import { setText } from './dom.js';
import { fmtCount } from './format.js';
import { orderOf, position, step } from './order.js';

// ErrorsNav is the toolbar's error buttons. page: as for Find.
// els: {prev, next, count}.
export class ErrorsNav {
  constructor(page, els) {
    this.page = page;
    this.els = els;
    this.model = null;
    this.version = -1;
    this.list = [];
    this.cur = -1;
    els.prev.addEventListener('click', () => this.move(-1));
    els.next.addEventListener('click', () => this.move(1));
  }

  // errors lists the error spans in order (cached until the model changes).
  errors() {
    const m = this.page.model;
    if (m !== this.model || m.version !== this.version) {
      const keep = this.cur >= 0 ? this.list[this.cur] : null;
      this.list = orderOf(m).filter((n) => n.error);
      this.model = m;
      this.version = m.version;
      this.cur = keep ? this.list.indexOf(keep) : -1;
    }
    return this.list;
  }

  move(dir) {
    const list = this.errors();
    if (!list.length) return;
    const i = step(list, position(this.page.selected()), dir);
    this.cur = i;
    this.page.select(list[i]);
    this.label();
  }

  label() {
    const list = this.errors();
    const n = list.length;
    let text;
    if (!n) text = 'no errors';
    else if (this.cur >= 0 && this.page.selected() === list[this.cur]) text = `error ${fmtCount(this.cur + 1)} of ${fmtCount(n)}`;
    else text = `${fmtCount(n)} error${n > 1 ? 's' : ''}`;
    setText(this.els.count, text);
    this.els.prev.disabled = !n;
    this.els.next.disabled = !n;
  }
}
