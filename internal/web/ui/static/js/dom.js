// DOM helpers. Every value that comes from telemetry is put in the page
// with these (text nodes, attributes, CSSOM), never parsed as HTML.

// Same-origin paths, queries, fragments and http(s) URLs; not "//host",
// "javascript:" or "data:".
const SAFE_URL = /^(\/(?![/\\])|\.{1,2}\/|[?#]|https?:)/i;

// el(tag, attrs, ...children) makes an element. attrs:
//   class: a string or an array of strings (falsy entries skipped)
//   style: an object of CSS properties, set through CSSOM (allowed by the CSP)
//   on: an object of event listeners {click: fn}
//   dataset: an object for data-* attributes
//   href/src: only same-origin paths or http(s) URLs are kept
//   any other key: setAttribute (false/null/undefined skipped, true -> "")
// children: nodes, strings and numbers (as text), arrays of them, null.
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) setAttrs(e, attrs);
  append(e, children);
  return e;
}

function setAttrs(e, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    switch (k) {
      case 'class':
        e.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : String(v);
        break;
      case 'style':
        for (const [p, pv] of Object.entries(v)) e.style.setProperty(p, String(pv));
        break;
      case 'on':
        for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
        break;
      case 'dataset':
        for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = String(dv);
        break;
      case 'text':
        e.textContent = String(v);
        break;
      default:
        if (/^on/i.test(k)) throw new Error('el: use {on: {...}} for listeners');
        if ((k === 'href' || k === 'src') && !SAFE_URL.test(String(v))) continue;
        e.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

// append adds children (see el) to a node.
export function append(parent, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
  return parent;
}

// clear removes every child of a node.
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// replace clears a node and appends children.
export function replace(node, ...children) {
  clear(node);
  return append(node, children);
}

// $ finds one element by selector (document by default).
export function $(sel, root = document) {
  return root.querySelector(sel);
}

// setText sets a node's text only when it changed (cheap for recycled rows).
export function setText(node, s) {
  if (node.textContent !== s) node.textContent = s;
}

// toggleClass sets or clears a class.
export function toggleClass(node, cls, on) {
  node.classList.toggle(cls, Boolean(on));
}

// meta reads <meta name=...> content.
export function meta(name) {
  const m = document.querySelector(`meta[name="${name}"]`);
  return m ? m.getAttribute('content') : null;
}
