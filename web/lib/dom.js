// Building DOM without HTML strings. Every piece of text that could come from a customer or an
// agent goes through text nodes here, so a name like `<img onerror=...>` is shown, never run.
// There is deliberately no way to pass raw HTML through these helpers.

/**
 * h('button', {class: 'primary', type: 'button', onclick: fn}, 'Save')
 * - `class`: string or array (falsy entries skipped)
 * - `text`: sets textContent
 * - `dataset`: object copied onto element.dataset
 * - `on<event>` with a function: addEventListener
 * - `hidden`, `disabled`, `checked`, `value`, `selected`: set as properties
 * - anything else: setAttribute (false/null/undefined skip it)
 * Children: strings/numbers become text nodes; null/false are skipped; arrays are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') {
      const names = Array.isArray(value) ? value.filter(Boolean) : String(value).split(/\s+/).filter(Boolean);
      el.classList.add(...names);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key.startsWith('on')) {
      // A string handler would be an inline script: refuse it loudly during development.
      throw new Error(`h(): inline handler ${key} is not allowed`);
    } else if (['hidden', 'disabled', 'checked', 'value', 'selected', 'indeterminate', 'readOnly', 'required'].includes(key)) {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $all(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

/** Text with line breaks kept (messages): text nodes separated by <br>. */
export function multiline(text) {
  const frag = document.createDocumentFragment();
  String(text).split('\n').forEach((line, i) => {
    if (i > 0) frag.append(document.createElement('br'));
    frag.append(document.createTextNode(line));
  });
  return frag;
}

/** Icon as an inline SVG <use> is not needed here: small CSS-drawn dots carry the colours. */
export function dot(colour, label) {
  return h('span', { class: ['dot', `dot-${colour || 'none'}`], role: 'img', 'aria-label': label, title: label });
}
