// The chat view's "Internal notes" panel: what agents keep on the chat for each other, never
// shown to the customer. Notes come from a REST read when the chat opens (and after a
// reconnect) and live as `chat_note` frames; each has a number, so one read twice shows once.

import { h, replace } from '../lib/dom.js';
import { fullDateTime, shortDateTime } from '../lib/format.js';
import { api } from './api.js';
import { toast } from './toast.js';

export class NotesPanel {
  /** @param {HTMLElement} el  @param {string} chatId */
  constructor(el, chatId) {
    this.el = el;
    this.chatId = chatId;
    this.notes = new Map();
    this.list = h('ol', { class: 'notes-list', id: 'cv-notes-list' });
    this.empty = h('p', { class: 'notes-empty' }, 'No notes yet.');
    this.text = h('textarea', { id: 'cv-note-text', rows: '2', maxlength: '4000', placeholder: 'A note for your colleagues (the customer never sees it)' });
    this.button = h('button', { type: 'submit', id: 'cv-add-note' }, 'Add note');
    this.form = h('form', { class: 'notes-form', novalidate: true },
      h('label', { for: 'cv-note-text', class: 'visually-hidden' }, 'Internal note'), this.text, this.button);
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
    replace(el, h('h2', { class: 'notes-heading' }, 'Internal notes'), this.empty, this.list, this.form);
  }

  async load() {
    try {
      const { notes } = await api.chatNotes(this.chatId);
      for (const note of notes) this.add(note);
    } catch (err) {
      if (err.status !== 403 && err.status !== 404) toast(`The notes could not be loaded: ${err.message}`, 'error');
    }
  }

  /** A note read or pushed; shown once, in number order. */
  add(note) {
    if (this.notes.has(note.number)) return;
    this.notes.set(note.number, note);
    const items = [...this.notes.values()].sort((a, b) => a.number - b.number).map((n) =>
      h('li', { class: 'note', 'data-number': String(n.number) },
        h('p', { class: 'note-meta', title: fullDateTime(n.created_at) }, `${n.author_name} · ${shortDateTime(n.created_at)}`),
        h('p', { class: 'note-text' }, n.text)));
    replace(this.list, items);
    this.empty.hidden = true;
  }

  async submit() {
    const text = this.text.value.trim();
    if (!text) return;
    this.button.disabled = true;
    try {
      this.add(await api.addChatNote(this.chatId, text));
      this.text.value = '';
    } catch (err) {
      toast(`The note was not added: ${err.message}`, 'error');
    } finally {
      this.button.disabled = false;
    }
  }
}
