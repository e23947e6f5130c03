// Short messages about what just happened ("Transferred 2 chats to Sales"), read out by screen
// readers through the container's live region, gone after a few seconds.

import { h } from '../lib/dom.js';

/**
 * @param {string} message
 * @param {'info'|'ok'|'error'|'alert'} [kind]
 * @param {number} [ms]  how long it stays (errors twice as long)
 * @param {{label: string, run: () => void}} [action]  a button beside the message (it closes the toast)
 */
export function toast(message, kind = 'info', ms = 5000, action = null) {
  const box = document.getElementById('toasts');
  const el = h('div', { class: ['toast', `toast-${kind}`] },
    h('span', {}, message),
    action ? h('button', { type: 'button', class: 'toast-action', onclick: () => { el.remove(); action.run(); } }, action.label) : null,
    h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '✕'));
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? ms * 2 : ms);
  return el;
}
