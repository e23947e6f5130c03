// The chat view's "Earlier chats" panel: the customer's other chats (matched by verified user id,
// else by e-mail address), newest first, each a link that opens it read-only in the chat view.

import { h, replace } from '../lib/dom.js';
import { fullDateTime, shortDateTime } from '../lib/format.js';
import { api } from './api.js';
import { chatRoute } from './views.js';

const STATE_WORDS = { queued: 'Queued', active: 'Active', inactive: 'Ended' };

export class HistoryPanel {
  /** @param {HTMLElement} el  @param {string} chatId */
  constructor(el, chatId) {
    this.el = el;
    this.chatId = chatId;
    this.list = h('ul', { class: 'history-list', id: 'cv-history-list' });
    this.note = h('p', { class: 'history-empty' }, 'Loading…');
    replace(el, h('h2', { class: 'history-heading' }, 'Earlier chats'), this.note, this.list);
  }

  async load() {
    let chats;
    try {
      ({ chats } = await api.history(this.chatId));
    } catch (err) {
      this.note.textContent = err.status === 403 || err.status === 404 ? '' : `The earlier chats could not be loaded: ${err.message}`;
      return;
    }
    this.note.textContent = chats.length ? '' : 'No earlier chats of this customer.';
    this.note.hidden = chats.length > 0;
    replace(this.list, chats.map((c) => h('li', { class: 'history-entry', 'data-chat-id': c.id },
      h('a', { href: chatRoute(c.id), title: fullDateTime(c.started_at) }, shortDateTime(c.started_at)),
      ` · ${c.group_name} · ${c.deleted ? 'Deleted' : STATE_WORDS[c.state] || c.state}`,
      c.agent_name ? ` · ${c.agent_name}` : '',
      c.rating ? ` · rated ${c.rating}/5` : '',
      h('div', { class: 'history-question' }, c.question))));
  }
}
