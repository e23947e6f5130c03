// The `/shortcut` autocomplete of a chat's reply box: typing `/` at the start of a word lists the
// canned replies that apply in this chat (the agent's own, the chat's group's, the global ones)
// whose shortcut starts with what follows. Arrow keys move, Enter or Tab picks, Escape closes.
// Picking one asks the server to fill its placeholders from the chat (and count the use), then
// puts the text in place of the typed `/shortcut`, to edit before sending.

import { h, replace } from '../lib/dom.js';
import { api } from './api.js';
import { toast } from './toast.js';

/** The `/word` just before the caret, if the caret ends one: {start, prefix}. */
export function shortcutBeforeCaret(value, caret) {
  const before = value.slice(0, caret);
  const match = /(^|\s)\/([A-Za-z0-9_-]*)$/.exec(before);
  if (!match) return null;
  return { start: caret - match[2].length - 1, prefix: match[2].toLowerCase() };
}

export class ShortcutAutocomplete {
  /**
   * @param {HTMLTextAreaElement} box  the reply box
   * @param {object} o
   * @param {string} o.chatId
   * @param {() => string|undefined} o.groupId  the chat's group, once known
   * @param {(text: string, start: number, end: number) => void} o.insert  replaces [start, end) with text
   */
  constructor(box, { chatId, groupId, insert }) {
    this.box = box;
    this.chatId = chatId;
    this.groupId = groupId;
    this.insert = insert;
    this.items = [];
    this.active = -1;
    this.token = null;
    this.asked = 0;
    this.list = h('ul', { class: 'canned-menu', id: 'canned-menu', role: 'listbox', 'aria-label': 'Canned replies', hidden: true });
    box.setAttribute('aria-controls', 'canned-menu');
    box.setAttribute('aria-autocomplete', 'list');
    box.addEventListener('keydown', (ev) => this._key(ev));
    box.addEventListener('input', () => this._refresh());
    box.addEventListener('blur', () => setTimeout(() => this.close(), 150));
  }

  get element() {
    return this.list;
  }

  get isOpen() {
    return !this.list.hidden;
  }

  close() {
    this.list.hidden = true;
    this.items = [];
    this.active = -1;
    this.token = null;
    this.box.removeAttribute('aria-activedescendant');
  }

  async _refresh() {
    const token = shortcutBeforeCaret(this.box.value, this.box.selectionStart ?? this.box.value.length);
    if (!token) {
      this.close();
      return;
    }
    this.token = token;
    const asked = ++this.asked;
    let replies;
    try {
      replies = await api.cannedReplies({ group_id: this.groupId(), q: token.prefix });
    } catch {
      replies = [];
    }
    // A newer keystroke asked again meanwhile: its answer is the one shown.
    if (asked !== this.asked || !this.token) return;
    this.items = replies;
    this.active = replies.length ? 0 : -1;
    this._render();
  }

  _render() {
    if (!this.items.length) {
      this.list.hidden = true;
      return;
    }
    replace(this.list, this.items.map((r, i) => h('li', {
      id: `canned-option-${i}`,
      role: 'option',
      class: ['canned-option', i === this.active && 'active'],
      'aria-selected': i === this.active ? 'true' : 'false',
      dataset: { shortcut: r.shortcut },
      // mousedown, not click: the box keeps its focus (and caret).
      onmousedown: (ev) => { ev.preventDefault(); this._pick(i); },
    },
    h('span', { class: 'canned-shortcut' }, `/${r.shortcut}`),
    h('span', { class: 'canned-title' }, r.title),
    r.stale ? h('span', { class: 'canned-stale', title: 'Due for review' }, 'needs review') : null)));
    this.list.hidden = false;
    this.box.setAttribute('aria-activedescendant', `canned-option-${this.active}`);
  }

  _key(ev) {
    if (!this.isOpen) return;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const step = ev.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.items.length) % this.items.length;
      this._render();
    } else if (ev.key === 'Enter' || ev.key === 'Tab') {
      ev.preventDefault();
      this._pick(this.active);
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      this.close();
    }
  }

  async _pick(i) {
    const reply = this.items[i];
    const token = this.token;
    if (!reply || !token) return;
    this.close();
    try {
      const used = await api.useCannedReply(reply.id, this.chatId);
      const end = token.start + 1 + token.prefix.length;
      this.insert(used.text, token.start, end);
    } catch (err) {
      toast(`The canned reply could not be used: ${err.message}`, 'error');
    }
  }
}
