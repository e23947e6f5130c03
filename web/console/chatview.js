// One chat, opened from a list: header with the chat's facts and actions, the transcript, the
// composer (Enter sends, Shift+Enter starts a new line), typing indicators both ways, and the
// suggestions panel. Events come through a ChatFeed (in order, once); opening the chat sends
// `resume` with the last seq read over REST, which also makes this connection watch the chat.

import { $, h, replace } from '../lib/dom.js';
import { ChatFeed } from '../lib/feed.js';
import { applyConversationFrame } from '../lib/chat-frames.js';
import { TypingIndicator, TypingSender } from '../lib/typing.js';
import { TranscriptView } from '../lib/transcript.js';
import { sendFile } from '../lib/attachments.js';
import { duration, fullDateTime, shortDateTime } from '../lib/format.js';
import { api } from './api.js';
import { actions } from './actions.js';
import { agent, groupName, isManager } from './state.js';
import { SuggestionsPanel } from './suggestions.js';
import { MailPanel } from './mail-panel.js';
import { NotesPanel } from './notes-panel.js';
import { HistoryPanel } from './history-panel.js';
import { ShortcutAutocomplete } from './canned-autocomplete.js';
import { ESCALATED_TITLE, followUpSeverity, handOffsText, idleMs, isRating, normaliseTag, queueMs, ratingStars, ratingWords } from './columns.js';
import { toast } from './toast.js';
import { setTitle } from './nav.js';

const STATE_WORDS = { queued: 'Queued', active: 'Active', inactive: 'Ended' };
const POLL_MS = 4000;

export class ChatView {
  /**
   * @param {object} o
   * @param {string} o.chatId
   * @param {import('../lib/socket.js').Socket} o.socket
   * @param {import('../lib/outbox.js').Outbox} o.outbox
   * @param {() => void} o.back  return to the list
   */
  constructor({ chatId, socket, outbox, back }) {
    this.chatId = chatId;
    this.socket = socket;
    this.outbox = outbox;
    this.back = back;
    this.row = null;
    this.closed = false;
    this._build();
    this.feed = new ChatFeed({
      chatId,
      apply: (e) => this._apply(e),
      fetchAfter: (after) => api.events(chatId, after),
    });
    this.typingOut = new TypingSender((typing) => {
      if (this.canWrite()) this.socket.send({ action: 'typing', chat_id: chatId, typing });
    });
  }

  _build() {
    const root = $('#chat-view');
    this.el = {
      title: h('h1', { class: 'cv-name', id: 'cv-title' }),
      badge: h('span', { class: 'state-badge' }),
      facts: h('p', { class: 'cv-facts' }),
      actions: h('div', { class: 'cv-actions', role: 'toolbar', 'aria-label': 'Chat actions' }),
      question: h('p', { class: 'cv-question' }),
      followUp: h('p', { class: 'cv-follow-up', hidden: true }),
      transcript: h('div', { class: 'transcript', role: 'log', 'aria-live': 'polite', 'aria-label': 'Transcript', tabindex: '0' }),
      typing: h('div', { class: 'typing', 'aria-live': 'polite' }),
      message: h('textarea', { id: 'cv-message', rows: '2', maxlength: '4000', placeholder: 'Type your reply… (Enter sends, Shift+Enter for a new line)' }),
      send: h('button', { type: 'submit', class: 'primary' }, 'Send'),
      note: h('p', { class: 'composer-note', role: 'status' }),
      aside: h('aside', { class: 'cv-suggestions', 'aria-label': 'Suggestions' }),
      mail: h('section', { class: 'cv-mail', 'aria-label': 'E-mail' }),
      notes: h('section', { class: 'cv-notes', 'aria-label': 'Internal notes' }),
      history: h('section', { class: 'cv-history', 'aria-label': 'Earlier chats' }),
      tagList: h('span', { class: 'cv-tag-list', id: 'cv-tag-list' }),
      tagInput: h('input', { type: 'text', id: 'cv-tag-input', maxlength: '32', placeholder: 'Add a tag', 'aria-label': 'Add a tag' }),
    };
    const e = this.el;
    this.tagForm = h('form', { class: 'cv-tag-form', novalidate: true },
      e.tagInput, h('button', { type: 'submit', id: 'cv-tag-add' }, 'Add'));
    this.tagForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const tag = normaliseTag(e.tagInput.value);
      if (!tag || !this.row) return;
      this._saveTags([...(this.row.tags || []).filter((t) => t !== tag), tag], () => { e.tagInput.value = ''; });
    });
    // Registered before the composer's own keys, so Enter picks a canned reply while its menu is open.
    this.canned = new ShortcutAutocomplete(e.message, {
      chatId: this.chatId,
      groupId: () => this.row && this.row.group_id,
      insert: (text, start, end) => this._replace(text, start, end),
    });
    // Files go into the chat like messages: chosen here, checked by the server by content.
    const fileInput = h('input', { type: 'file', id: 'cv-file', class: 'visually-hidden', multiple: true, tabindex: '-1' });
    const attach = h('button', { type: 'button', id: 'cv-attach', class: 'attach', title: 'Attach a file (images, PDF, Office documents, text; up to 10 MB)', 'aria-label': 'Attach a file' }, '\u{1F4CE}');
    attach.addEventListener('click', () => fileInput.click());
    fileInput.addEventListener('change', () => {
      const files = Array.from(fileInput.files || []);
      fileInput.value = '';
      this._sendFiles(files, e.note);
    });
    this.composer = h('form', { class: 'composer', novalidate: true },
      h('label', { for: 'cv-message', class: 'visually-hidden' }, 'Reply'), e.message, this.canned.element, fileInput, attach, e.send);
    replace(root,
      h('div', { class: 'cv-header' },
        h('button', { type: 'button', class: 'back', onclick: () => this.back() }, '← Back to list'),
        h('div', { class: 'cv-heading' }, h('div', { class: 'cv-title-row' }, e.title, e.badge), e.facts,
          h('div', { class: 'cv-tags', 'aria-label': 'Tags' }, h('span', { class: 'cv-tags-label' }, 'Tags: '), e.tagList, this.tagForm)),
        e.actions),
      h('div', { class: 'cv-body' },
        h('div', { class: 'cv-main' }, e.question, e.followUp, e.transcript, e.typing, this.composer, e.note, e.notes, e.history, e.mail),
        e.aside));
    root.setAttribute('aria-labelledby', 'cv-title');

    this.transcript = new TranscriptView(e.transcript, {
      audience: 'agent',
      isMine: (a) => a.kind === 'agent' && agent() && a.id === agent().id,
      groupName,
      fileLink: (attachmentId, inline) => api.attachmentLink(this.chatId, attachmentId, inline),
    });
    this.typingIn = new TypingIndicator(e.typing);
    this.mail = new MailPanel(e.mail, this.chatId);
    this.notes = new NotesPanel(e.notes, this.chatId);
    this.history = new HistoryPanel(e.history, this.chatId);
    this.suggestions = new SuggestionsPanel(e.aside, {
      chatId: this.chatId,
      insert: (text) => this._insert(text),
      canInsert: () => this.canWrite(),
    });

    this.composer.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this._send();
    });
    e.message.addEventListener('keydown', (ev) => {
      if (ev.defaultPrevented) return;
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this._send();
      }
    });
    e.message.addEventListener('input', () => this.typingOut.input(e.message.value.trim() !== ''));
    e.message.addEventListener('blur', () => this.typingOut.stop());
  }

  async open() {
    $('#chat-view').hidden = false;
    replace(this.el.title, 'Loading…');
    try {
      this.setRow(await api.chat(this.chatId));
    } catch (err) {
      replace(this.el.title, 'Chat not available');
      this.el.facts.textContent = err.message;
      this.composer.hidden = true;
      this.el.aside.hidden = true;
      return;
    }
    try {
      await this.feed.catchUp();
    } catch (err) {
      toast(`The transcript could not be loaded: ${err.message}`, 'error');
    }
    if (this.closed) return;
    this.resume();
    // Without the socket (a proxy that blocks WebSockets, a long outage), read over REST instead.
    this.poller = setInterval(() => {
      if (this.socket.isOpen || document.visibilityState === 'hidden') return;
      this.feed.catchUp().catch(() => {});
      api.chat(this.chatId).then((row) => this.setRow(row)).catch(() => {});
    }, POLL_MS);
    this.suggestions.load();
    this.mail.load().catch(() => {});
    this.history.load();
    if (this.canWrite()) this.el.message.focus();
  }

  /** Watch the chat and receive what we missed (after a reconnect too). */
  resume() {
    if (this.closed) return;
    this.socket.send({ action: 'resume', chat_id: this.chatId, after_seq: this.feed.lastSeq });
    // The notes, read when the chat opens and again after a reconnect (what was pushed while
    // the socket was down; each is shown once).
    this.notes.load();
  }

  close() {
    this.closed = true;
    this.typingOut.stop();
    this.typingIn.hide();
    this.feed.close();
    this.socket.send({ action: 'unwatch', chat_id: this.chatId });
    clearInterval(this.ticker);
    clearInterval(this.poller);
    this.mail.close();
  }

  canWrite() {
    const me = agent();
    return !!this.row && !this.row.deleted && this.row.state === 'active' && !!me && this.row.agent_id === me.id;
  }

  // ---- input from the server -------------------------------------------------------------------

  frame(f) {
    if (f.type === 'chat_note') {
      this.notes.add(f.note);
      return;
    }
    applyConversationFrame(f, {
      feed: this.feed,
      typingIn: this.typingIn,
      // A colleague typing in the chat (a manager watching) shows too; our own echo does not.
      typingFromOtherSide: (t) => t.from === 'customer' || (!!agent() && t.name !== agent().display_name),
    });
  }

  /** A newer list row (push or action result). */
  setRow(row) {
    if (this.row && row.last_seq < this.row.last_seq) return;
    this.row = { ...row, _receivedAt: performance.now() };
    this._renderHeader();
    if (row.last_seq > this.feed.lastSeq && this.feed.lastSeq > 0) this.feed.catchUp().catch(() => {});
  }

  _apply(e) {
    this.transcript.add(e);
    // A hand-off changes who may write here, a rating shows in the header; when no list push
    // brings the new row (this list is not watched while a chat is open), read it, so the header
    // and composer follow at once.
    if ((e.type === 'handed_off' || e.type === 'rated') && this.row && e.seq > this.row.last_seq) {
      api.chat(this.chatId).then((row) => { if (!this.closed) this.setRow(row); }).catch(() => {});
    }
    if (e.type === 'message' && e.author && e.author.kind === 'customer') this.typingIn.hide();
  }

  // ---- rendering -----------------------------------------------------------------------------

  _renderHeader() {
    const r = this.row;
    const e = this.el;
    replace(e.title, r.user);
    setTitle(`Chat with ${r.user}`);
    e.badge.className = `state-badge state-${r.state}${r.deleted ? ' deleted' : ''}`;
    e.badge.textContent = r.deleted ? `${STATE_WORDS[r.state]} · deleted` : STATE_WORDS[r.state];
    replace(e.facts,
      h('span', {}, r.group_name),
      ' · ', h('span', { title: fullDateTime(r.started_at) }, `Started ${shortDateTime(r.started_at)}`),
      ' · ', h('span', { class: 'tick-queue' }, `Queue ${duration(queueMs(r))}`),
      ' · ', h('span', { class: 'tick-idle' }, `Idle ${duration(idleMs(r))}`),
      ' · ', h('span', {}, r.agent_name ? `Agent ${r.agent_name}` : 'Unassigned'),
      r.verified_user_id ? h('span', {}, ` · Verified user ${r.verified_user_id}`) : null,
      r.hand_offs ? h('span', { class: 'cv-hand-offs' }, ` · ${handOffsText(r.hand_offs)}`) : null,
      r.escalated ? [' ', h('span', { class: 'escalated-tag', title: ESCALATED_TITLE }, 'Waiting for a person')] : null,
      isRating(r.rating)
        ? [' · ', h('span', { class: 'cv-rating', title: `Rated ${ratingWords(r.rating)} by the customer` },
          'Rated ', h('span', { class: 'rating-stars', role: 'img', 'aria-label': ratingWords(r.rating) }, ratingStars(r.rating)))]
        : null);
    replace(e.question, h('strong', {}, 'Question: '), r.question);
    if (r.follow_up) {
      const sev = followUpSeverity(r);
      e.followUp.hidden = false;
      e.followUp.className = `cv-follow-up sev-${sev}`;
      replace(e.followUp, h('strong', {}, sev === 'red' ? 'Follow-up due: ' : 'Follow-up: '),
        shortDateTime(r.follow_up.due_at), r.follow_up.note ? ` — ${r.follow_up.note}` : '');
    } else {
      e.followUp.hidden = true;
    }
    this._renderTags();
    this._renderActions();
    this._renderComposer();
    clearInterval(this.ticker);
    this.ticker = setInterval(() => {
      const q = e.facts.querySelector('.tick-queue');
      const i = e.facts.querySelector('.tick-idle');
      if (q) q.textContent = `Queue ${duration(queueMs(this.row))}`;
      if (i) i.textContent = `Idle ${duration(idleMs(this.row))}`;
    }, 1000);
  }

  _renderTags() {
    const r = this.row;
    const tags = r.tags || [];
    const editable = !r.deleted;
    replace(this.el.tagList, tags.length
      ? tags.map((t) => h('span', { class: 'tag', 'data-tag': t }, t,
        editable ? h('button', { type: 'button', class: 'tag-remove', 'aria-label': `Remove tag ${t}`, title: `Remove tag ${t}`,
          onclick: () => this._saveTags(tags.filter((x) => x !== t)) }, '×') : null))
      : h('span', { class: 'muted' }, 'none'));
    this.tagForm.hidden = !editable;
  }

  async _saveTags(tags, done = () => {}) {
    try {
      this.setRow(await api.setTags(this.chatId, tags));
      done();
    } catch (err) {
      toast(`The tags were not saved: ${err.message}`, 'error');
    }
  }

  _renderActions() {
    const r = this.row;
    const me = agent();
    const rows = [r];
    const b = (label, run, cls, id) => h('button', { type: 'button', class: cls, id, onclick: run }, label);
    const list = [];
    if (!r.deleted) {
      if (r.state === 'queued') list.push(b('Pull', () => actions.pull(rows), 'primary', 'cv-pull'));
      if (r.state === 'active' && r.agent_id !== me.id && isManager()) list.push(b('Take', () => actions.take(rows), null, 'cv-take'));
      if (r.state !== 'inactive') list.push(b('Transfer', () => actions.transfer(rows), null, 'cv-transfer'));
      list.push(b('Follow-up', () => actions.followUp(rows), null, 'cv-follow-up'));
      if (r.state !== 'inactive') list.push(b('End chat', () => actions.end(rows), 'danger', 'cv-end'));
      if (r.state === 'inactive') list.push(b('Delete', () => actions.remove(rows), null, 'cv-delete'));
    } else if (isManager()) {
      list.push(b('Restore', () => actions.restore(rows), null, 'cv-restore'));
    }
    replace(this.el.actions, list);
  }

  _renderComposer() {
    const can = this.canWrite();
    const r = this.row;
    const me = agent();
    this.composer.hidden = !can;
    let note = '';
    if (r.deleted) note = 'This chat was deleted.';
    else if (r.state === 'inactive') note = 'This chat has ended.';
    else if (r.state === 'queued') note = 'The customer is waiting in the queue. Pull the chat to reply.';
    else if (r.agent_id !== me.id) note = `${r.agent_name || 'Another agent'} is handling this chat.`;
    this.el.note.textContent = note;
    this.el.note.hidden = !note;
    if (!can) this.typingOut.stop();
    this.suggestions.sync();
  }

  // ---- agent input -----------------------------------------------------------------------------

  /** Puts `text` in place of [start, end) of the reply box (a typed `/shortcut`). */
  _replace(text, start, end) {
    const m = this.el.message;
    m.value = m.value.slice(0, start) + text + m.value.slice(end);
    const at = start + text.length;
    m.focus();
    m.setSelectionRange(at, at);
    this.typingOut.input(true);
  }

  _insert(text) {
    const m = this.el.message;
    const start = m.selectionStart ?? m.value.length;
    const end = m.selectionEnd ?? m.value.length;
    const before = m.value.slice(0, start);
    const glue = before && !/\s$/.test(before) ? ' ' : '';
    m.value = before + glue + text + m.value.slice(end);
    const at = (before + glue + text).length;
    m.focus();
    m.setSelectionRange(at, at);
    this.typingOut.input(true);
  }

  /** Sends files one after the other; each appears in the transcript when the server has it. */
  async _sendFiles(files, status) {
    for (const file of files) {
      status.textContent = `Sending ${file.name}…`;
      try {
        const sent = await sendFile(api, this.chatId, file);
        if (sent && sent.event) this.feed.offer(sent.event);
        status.textContent = '';
      } catch (err) {
        status.textContent = '';
        toast(`${file.name} was not sent: ${err.message}`, 'error');
      }
    }
  }

  _send(body = this.el.message.value.trim(), retryId) {
    if (!body || !this.canWrite()) return;
    if (!retryId) this.el.message.value = '';
    this.typingOut.stop();
    const me = agent();
    const { clientMsgId, promise } = this.outbox.send(this.chatId, body, retryId);
    if (!retryId) this.transcript.addPending(clientMsgId, { kind: 'agent', id: me.id, name: me.display_name }, body);
    promise
      .then(() => this.transcript.confirmPending(clientMsgId))
      .catch((err) => this.transcript.failPending(clientMsgId, err.message, () => this._send(body, clientMsgId)));
  }
}
