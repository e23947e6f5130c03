// The Messages pane (`#/messages/<group>/<status>`, one message at `#/message/<id>`): what
// customers left when nobody could chat, per group and status (open, answered, closed), newest
// first. An agent assigns one to themselves, replies (the reply is e-mailed to the customer),
// adds internal notes, closes and reopens. New and changed messages arrive live (`inbox_changed`),
// so two agents never answer the same customer without seeing it. Everything a customer wrote is
// shown as text.

import { h, multiline, replace } from '../lib/dom.js';
import { fullDateTime, shortDateTime, plural } from '../lib/format.js';
import { api } from './api.js';
import { agent, emit, groupName, on } from './state.js';
import { setTitle } from './nav.js';
import { toast } from './toast.js';

export const MESSAGES_ROUTE = '#/messages';
const STATUSES = [
  { value: 'open', label: 'Open' },
  { value: 'answered', label: 'Answered' },
  { value: 'closed', label: 'Closed' },
];

export function messagesRoute(groupId, status = 'open') {
  return `${MESSAGES_ROUTE}/${encodeURIComponent(groupId)}/${status}`;
}

export function messageRoute(id) {
  return `#/message/${encodeURIComponent(id)}`;
}

/** Open messages per group of mine, from the first page of each inbox and the pushes since. */
export const openMessages = new Map();

/** Reads how many messages wait in my groups' inboxes (at start and after a reconnect). */
export async function loadInboxCounts() {
  const groups = (agent() && agent().groups) || [];
  await Promise.all(groups.map(async (g) => {
    try {
      const page = await api.inbox(g, 'open');
      openMessages.set(g, new Set(page.messages.map((m) => m.id)));
    } catch {
      // A count missing is better than a console that does not start.
    }
  }));
  emit('inbox-counts');
}

export function myOpenMessages() {
  let n = 0;
  for (const ids of openMessages.values()) n += ids.size;
  return n;
}

/** Keeps the counts right from a pushed change. */
export function trackInboxRow(row) {
  const ids = openMessages.get(row.group_id);
  if (!ids) return;
  if (row.status === 'open') ids.add(row.id);
  else ids.delete(row.id);
  emit('inbox-counts');
}

const ENTRY_WORDS = {
  reply: (e) => `${e.by.name} replied by e-mail`,
  note: (e) => `Internal note by ${e.by.name}`,
  assigned: (e) => (e.to && e.by.id === e.to.id ? `${e.by.name} took it` : `${e.by.name} assigned it to ${e.to ? e.to.name : 'someone'}`),
  closed: (e) => `${e.by.name} closed it`,
  reopened: (e) => `${e.by.name} reopened it`,
};

export class InboxPane {
  constructor(root) {
    this.root = root;
    this.groupId = null;
    this.status = 'open';
    this.rows = [];
    this.nextCursor = null;
    this.message = null;
    this.loadSeq = 0;
    // While one of this console's own changes is on its way, pushes of the message are only
    // noted: the answer carries the message as it then is.
    this.busy = 0;
    this.pushedRevision = 0;
    on('inbox-changed', (f) => this._changed(f));
  }

  get isOpen() {
    return !this.root.hidden;
  }

  /** The list of a group's messages of one status. */
  async openList(groupId, status) {
    const groups = agent().groups;
    this.groupId = groups.includes(groupId) ? groupId : groups[0] || null;
    this.status = STATUSES.some((s) => s.value === status) ? status : 'open';
    this.message = null;
    this.root.hidden = false;
    setTitle('Messages');
    const wanted = this.groupId ? messagesRoute(this.groupId, this.status) : MESSAGES_ROUTE;
    if (location.hash !== wanted) history.replaceState(null, '', wanted);
    if (!this.groupId) {
      replace(this.root, h('h1', { id: 'inbox-heading' }, 'Messages'),
        h('p', { class: 'hint' }, 'You are not a member of any group, so no messages come to you.'));
      return;
    }
    this._drawListFrame();
    await this._load(false);
  }

  /** One message with its thread. */
  async openMessage(id) {
    this.root.hidden = false;
    setTitle('Message');
    const seq = ++this.loadSeq;
    replace(this.root, h('p', { class: 'hint' }, 'Loading the message…'));
    try {
      const message = await api.message(id);
      if (seq !== this.loadSeq) return;
      this.message = message;
      this.pushedRevision = 0;
      this._drawMessage();
    } catch (err) {
      if (seq !== this.loadSeq) return;
      replace(this.root, h('h1', { id: 'inbox-heading' }, 'Message'),
        h('div', { class: 'error-box', role: 'alert' }, err.message),
        h('p', {}, h('a', { href: MESSAGES_ROUTE }, 'Back to Messages')));
    }
  }

  close() {
    this.root.hidden = true;
    this.root.replaceChildren();
    this.message = null;
    this.loadSeq++;
  }

  // ---- the list ---------------------------------------------------------------------------------

  _drawListFrame() {
    const groupSelect = h('select', { id: 'inbox-group', 'aria-label': 'Group' },
      agent().groups.map((g) => h('option', { value: g, selected: g === this.groupId }, groupName(g))));
    groupSelect.addEventListener('change', () => { location.hash = messagesRoute(groupSelect.value, this.status); });
    const tabs = h('div', { class: 'inbox-tabs', role: 'tablist', 'aria-label': 'Status' },
      STATUSES.map((s) => h('a', {
        href: messagesRoute(this.groupId, s.value),
        role: 'tab',
        class: ['inbox-tab', s.value === this.status && 'current'],
        'aria-selected': s.value === this.status ? 'true' : 'false',
      }, s.label)));
    this.table = h('tbody', { id: 'inbox-rows' });
    this.empty = h('p', { class: 'list-empty', id: 'inbox-empty', hidden: true });
    this.more = h('button', { type: 'button', class: 'small', hidden: true, onclick: () => this._load(true) }, 'Load more');
    this.error = h('div', { class: 'error-box', role: 'alert', hidden: true });
    replace(this.root,
      h('div', { class: 'list-head' }, h('h1', { id: 'inbox-heading' }, 'Messages'), groupSelect),
      tabs,
      this.error,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'chat-table inbox-table', id: 'inbox-table' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, 'From'),
            h('th', { scope: 'col' }, 'Question'),
            h('th', { scope: 'col' }, 'Received'),
            h('th', { scope: 'col' }, 'Assigned'),
            h('th', { scope: 'col' }, 'Replies'))),
          this.table),
        this.empty,
        h('p', { class: 'list-more' }, this.more)));
  }

  async _load(more) {
    const seq = ++this.loadSeq;
    try {
      const page = await api.inbox(this.groupId, this.status, more ? this.nextCursor : undefined);
      if (seq !== this.loadSeq) return;
      this.rows = more ? [...this.rows, ...page.messages] : page.messages;
      this.nextCursor = page.next_cursor || null;
      this.error.hidden = true;
      this._drawRows();
    } catch (err) {
      if (seq !== this.loadSeq) return;
      this.error.textContent = err.message;
      this.error.hidden = false;
    }
  }

  _drawRows() {
    if (!this.table) return;
    replace(this.table, this.rows.map((m) => h('tr', {
      class: 'inbox-row', dataset: { id: m.id }, tabindex: '0',
      onclick: () => { location.hash = messageRoute(m.id); },
      onkeydown: (e) => { if (e.key === 'Enter') location.hash = messageRoute(m.id); },
    },
    h('td', {}, h('div', { class: 'inbox-name' }, m.name), h('div', { class: 'inbox-email' }, m.email)),
    h('td', { class: 'inbox-preview' }, m.preview),
    h('td', { title: fullDateTime(m.received_at) }, shortDateTime(m.received_at)),
    h('td', {}, m.assignee ? m.assignee.name : '—'),
    h('td', {}, String(m.replies)))));
    this.empty.hidden = this.rows.length > 0;
    this.empty.textContent = {
      open: 'No open messages. When nobody can chat, what customers leave appears here.',
      answered: 'No answered messages.',
      closed: 'No closed messages.',
    }[this.status];
    this.more.hidden = !this.nextCursor;
  }

  // ---- one message ------------------------------------------------------------------------------

  /** Draws the message; what is typed in the reply and note boxes stays, except in `clear`. */
  _drawMessage({ clear = null } = {}) {
    const typed = {};
    for (const id of ['message-reply', 'message-note']) {
      const box = document.getElementById(id);
      typed[id] = box && id !== clear ? box.value : '';
    }
    const m = this.message;
    const mine = m.assignee && m.assignee.id === agent().id;
    const closed = m.status === 'closed';
    const error = h('div', { class: 'error-box', role: 'alert', id: 'message-error', hidden: true });
    const act = (label, fn, attrs = {}) => h('button', {
      type: 'button', class: 'small', ...attrs,
      onclick: async (e) => {
        const button = e.currentTarget;
        button.disabled = true;
        error.hidden = true;
        try {
          this._accept(await this._own(fn));
        } catch (err) {
          error.textContent = err.message;
          error.hidden = false;
          button.disabled = false;
        }
      },
    }, label);

    const reply = h('textarea', { id: 'message-reply', rows: 5, 'aria-label': 'Reply to the customer', placeholder: `Reply to ${m.name} by e-mail…`, disabled: closed });
    const note = h('textarea', { id: 'message-note', rows: 2, 'aria-label': 'Internal note', placeholder: 'Internal note (only agents see it)…' });
    const send = (box, call, done) => async (e) => {
      e.preventDefault();
      const body = box.value.trim();
      if (!body) {
        error.textContent = 'Write something first.';
        error.hidden = false;
        return;
      }
      const button = e.submitter || e.currentTarget.querySelector('button');
      if (button) button.disabled = true;
      error.hidden = true;
      try {
        this._accept(await this._own(() => call(m.id, body)), box.id);
        toast(done, 'ok');
      } catch (err) {
        // What was typed stays.
        error.textContent = err.message;
        error.hidden = false;
        if (button) button.disabled = false;
      }
    };

    replace(this.root,
      h('p', { class: 'inbox-back' }, h('a', { href: messagesRoute(m.group_id, m.status) }, `← ${groupName(m.group_id)} messages`)),
      h('div', { class: 'list-head' },
        h('h1', { id: 'inbox-heading' }, `Message from ${m.name}`),
        h('span', { class: ['status-tag', `status-${m.status}`], id: 'message-status' }, STATUSES.find((s) => s.value === m.status).label)),
      h('dl', { class: 'message-facts' },
        h('dt', {}, 'E-mail'), h('dd', { id: 'message-email' }, m.email),
        h('dt', {}, 'Group'), h('dd', {}, groupName(m.group_id)),
        h('dt', {}, 'Received'), h('dd', {}, fullDateTime(m.received_at)),
        h('dt', {}, 'Assigned'), h('dd', { id: 'message-assignee' }, m.assignee ? m.assignee.name : 'Nobody yet'),
        m.from_chat ? [h('dt', {}, 'From chat'), h('dd', {}, 'The customer left the queue and wrote this instead')] : null),
      h('div', { class: 'message-actions', role: 'toolbar', 'aria-label': 'Message actions' },
        mine ? null : act('Assign to me', () => api.assignMessage(m.id), { id: 'message-assign' }),
        closed
          ? act('Reopen', () => api.reopenMessage(m.id), { id: 'message-reopen' })
          : act('Close', () => api.closeMessage(m.id), { id: 'message-close' })),
      error,
      h('section', { class: 'message-question', 'aria-label': 'Question' }, multiline(m.question)),
      h('ol', { class: 'message-thread', id: 'message-thread' },
        m.thread.map((e) => h('li', { class: ['thread-entry', `thread-${e.type}`] },
          h('div', { class: 'thread-head' },
            h('span', {}, ENTRY_WORDS[e.type] ? ENTRY_WORDS[e.type](e) : e.type),
            h('time', { datetime: new Date(e.at).toISOString(), title: fullDateTime(e.at) }, shortDateTime(e.at))),
          e.body ? h('div', { class: 'thread-body' }, multiline(e.body)) : null))),
      h('form', { class: 'message-reply', id: 'message-reply-form', onsubmit: send(reply, api.replyToMessage, `Reply to ${m.name} queued for e-mail.`) },
        h('label', { for: 'message-reply' }, closed ? 'Reopen the message to reply' : 'Reply'),
        reply,
        h('button', { type: 'submit', class: 'primary', disabled: closed }, 'Send reply')),
      h('form', { class: 'message-note', id: 'message-note-form', onsubmit: send(note, api.noteMessage, 'Note added.') },
        h('label', { for: 'message-note' }, 'Internal note'),
        note,
        h('button', { type: 'submit' }, 'Add note')),
      h('p', { class: 'hint' }, `${plural(m.replies, 'reply', 'replies')} so far.`));
    for (const [id, value] of Object.entries(typed)) {
      const box = document.getElementById(id);
      if (box && value) box.value = value;
    }
  }

  /** Runs one of this console's own changes. */
  async _own(fn) {
    this.busy++;
    try {
      return await fn();
    } finally {
      this.busy--;
    }
  }

  /** The message as an own change left it; read again if others changed it meanwhile. */
  _accept(message, clear = null) {
    if (!this.message || this.message.id !== message.id) return;
    this.message = message;
    this._drawMessage({ clear });
    if (this.pushedRevision > message.revision) this._reread();
  }

  _reread() {
    const id = this.message && this.message.id;
    if (!id) return;
    api.message(id).then((m) => {
      if (!this.message || this.message.id !== m.id || m.revision <= this.message.revision) return;
      this.message = m;
      this._drawMessage();
    }).catch(() => {});
  }

  // ---- live changes -----------------------------------------------------------------------------

  _changed(f) {
    const row = f.message;
    trackInboxRow(row);
    if (f.change === 'received' && !(this.isOpen && this.groupId === row.group_id && !this.message)) {
      toast(`New message from ${row.name} in ${groupName(row.group_id)}.`, 'info', 8000,
        { label: 'Open', run: () => { location.hash = messageRoute(row.id); } });
    }
    if (!this.isOpen) return;
    if (this.message) {
      if (this.message.id === row.id && row.revision > this.message.revision) {
        this.pushedRevision = Math.max(this.pushedRevision, row.revision);
        // Someone else changed the message on screen: read it again (what is typed stays). An
        // own change in flight reads it when its answer is in.
        if (!this.busy) this._reread();
      }
      return;
    }
    if (row.group_id !== this.groupId) return;
    const at = this.rows.findIndex((r) => r.id === row.id);
    if (row.status === this.status) {
      if (at >= 0) {
        if (row.revision >= this.rows[at].revision) this.rows[at] = row;
      } else {
        this.rows = [row, ...this.rows].sort((a, b) => b.received_at - a.received_at || (a.id < b.id ? 1 : -1));
      }
    } else if (at >= 0) {
      this.rows.splice(at, 1);
    }
    this._drawRows();
  }
}

/** Shown in the navigation pane: the open messages of my groups. */
export function inboxBadgeText() {
  const n = myOpenMessages();
  return n > 0 ? String(n) : '';
}
