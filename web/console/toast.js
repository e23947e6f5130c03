// Short messages about what just happened ("Transferred 2 chats to Sales"), read out by screen
// readers through the container's live region, gone after a few seconds.

import { h } from '../lib/dom.js';

export function toast(message, kind = 'info', ms = 5000) {
  const box = document.getElementById('toasts');
  const el = h('div', { class: ['toast', `toast-${kind}`] },
    h('span', {}, message),
    h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '✕'));
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? ms * 2 : ms);
}
