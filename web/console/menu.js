// A menu button (WAI-ARIA pattern): the button toggles a list of menu items; arrow keys move
// between items, Escape closes and returns focus to the button, a click outside closes.

import { h } from '../lib/dom.js';

let openMenu = null;

document.addEventListener('click', (e) => {
  if (openMenu && !openMenu.root.contains(e.target)) openMenu.close(false);
});

/**
 * @param {string} label
 * @param {{label:string, id:string, run:() => void, enabled?:() => boolean, visible?:() => boolean}[]} items
 */
export function menuButton(label, items, id) {
  const button = h('button', { type: 'button', class: 'menu-button', id, 'aria-haspopup': 'menu', 'aria-expanded': 'false' },
    label, h('span', { class: 'caret', 'aria-hidden': 'true' }, '▾'));
  const list = h('ul', { class: 'menu', role: 'menu', 'aria-label': label, hidden: true });
  const root = h('div', { class: 'menu-wrap' }, button, list);

  const api = {
    root,
    close(focusButton = true) {
      list.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      if (openMenu === api) openMenu = null;
      if (focusButton) button.focus();
    },
    open() {
      if (openMenu && openMenu !== api) openMenu.close(false);
      list.replaceChildren(...items
        .filter((it) => !it.visible || it.visible())
        .map((it) => h('li', { role: 'none' },
          h('button', {
            type: 'button', role: 'menuitem', tabindex: '-1', dataset: { action: it.id },
            disabled: it.enabled ? !it.enabled() : false,
            onclick: () => { api.close(); it.run(); },
          }, it.label))));
      list.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      openMenu = api;
      const first = list.querySelector('button:not(:disabled)');
      if (first) first.focus();
    },
  };

  button.addEventListener('click', () => (list.hidden ? api.open() : api.close()));
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      api.open();
    }
  });
  list.addEventListener('keydown', (e) => {
    const buttons = Array.from(list.querySelectorAll('button:not(:disabled)'));
    const i = buttons.indexOf(document.activeElement);
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      buttons[(i + 1) % buttons.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      buttons[(i - 1 + buttons.length) % buttons.length]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      api.close();
    } else if (e.key === 'Tab') {
      api.close(false);
    }
  });
  return api;
}
