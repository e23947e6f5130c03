// Step 3: the conversation, from waiting in the queue to the end and the transcript.
// Everything live arrives over the WebSocket; while it is down the page polls REST so the
// customer still sees the agent's messages, and on reconnect it `resume`s from the last seq it
// applied (docs/websocket-protocol.md).

import { $, h, replace } from '../lib/dom.js';
import { ChatFeed } from '../lib/feed.js';
import { applyConversationFrame } from '../lib/chat-frames.js';
import { Socket, wsUrl } from '../lib/socket.js';
import { Outbox } from '../lib/outbox.js';
import { TypingIndicator, TypingSender } from '../lib/typing.js';
import { TranscriptView } from '../lib/transcript.js';
import { sendFile } from '../lib/attachments.js';
import { downloadText, transcriptText } from '../lib/events.js';
import { api, setToken } from './api.js';
import { TranscriptMail } from './transcript-mail.js';

const POLL_MS = 4000;
// How often a waiting customer's page asks whether the group now offers to take a message.
const WAIT_CHECK_MS = 30_000;

export class Conversation {
  /**
   * @param {object} session  {chatId, token, name, groupId, groupName}
   * @param {object} hooks    {onGone(): void, onNewChat(): void}
   */
  constructor(session, hooks) {
    this.s = session;
    this.hooks = hooks;
    this.state = 'queued';
    this.agentName = null;
    this.position = null;
    // The customer's score once they rated the ended chat (null: not rated, or not known yet).
    this.rating = null;
    // The group offers to take a message instead (the wait limit passed, or nobody is at work).
    this.offerMessage = false;
    // Set once the chat became a message: where the answer goes.
    this.leftMessageTo = null;
    this.unread = 0;
    this.baseTitle = document.title;
    setToken(session.token);

    this.transcript = new TranscriptView($('#transcript'), {
      audience: 'customer',
      isMine: (a) => a.kind === 'customer',
      groupName: (g) => (g === session.groupId && session.groupName) || g,
      fileLink: (attachmentId, inline) => api.attachmentLink(session.chatId, attachmentId, inline),
    });
    this.transcript.clear();
    resetRatingForm();
    this.transcriptMail = new TranscriptMail(session);
    this.typingIn = new TypingIndicator($('#typing'));
    this.feed = new ChatFeed({
      chatId: session.chatId,
      apply: (e) => this._apply(e),
      fetchAfter: (after) => api.events(session.chatId, after),
    });
    this.conversationFrames = { feed: this.feed, typingIn: this.typingIn, typingFromOtherSide: (f) => f.from === 'agent' };
    this.socket = new Socket({
      url: () => wsUrl(session.token),
      onFrame: (f) => this._frame(f),
      onStatus: (st) => this._connStatus(st),
      onOpen: () => this._resume(),
      onFailure: (n) => { if (n === 3) this._checkStillValid(); },
    });
    this.outbox = new Outbox({
      socket: this.socket,
      post: (chatId, id, body) => api.send(chatId, id, body),
      onStored: (_chatId, event) => this.feed.offer(event),
      // The push of our own message normally follows the ack; if it does not, read it.
      onAcked: (_chatId, seq) => setTimeout(() => { if (seq > this.feed.lastSeq) this.feed.catchUp().catch(() => {}); }, 1500),
    });
    this.typingOut = new TypingSender((typing) => {
      if (this.state !== 'inactive') this.socket.send({ action: 'typing', chat_id: session.chatId, typing });
    });
    this._bindUi();
  }

  async start() {
    this._renderStatus();
    let chat;
    try {
      chat = await api.chat(this.s.chatId);
    } catch (err) {
      if (err.status === 401 || err.status === 403 || err.status === 404) {
        // Expired token or a purged chat: the saved session is useless, start over.
        this.hooks.onGone();
        return;
      }
      this._showError(err.message);
    }
    if (chat) this._applyChat(chat);
    try {
      await this.feed.catchUp();
    } catch (err) {
      this._showError(err.message);
    }
    if (this.state !== 'inactive') {
      this.socket.start();
      this.pollTimer = setInterval(() => this._poll(), POLL_MS);
      // While waiting, look now and then whether the group offers to take a message instead
      // (its wait limit passes without any push).
      this.waitTimer = setInterval(() => {
        if (this.state === 'queued' && document.visibilityState !== 'hidden') this._refreshChat();
      }, WAIT_CHECK_MS);
    }
    $('#message').focus();
  }

  stop() {
    clearTimeout(this.resumeRetry);
    this.transcriptMail.stop();
    this.socket.stop();
    clearInterval(this.pollTimer);
    this.feed.close();
    this.typingIn.hide();
    this._unbindUi();
  }

  // ---- server input -------------------------------------------------------------------------

  _frame(f) {
    if (this.outbox.handleFrame(f)) return;
    if (f.chat_id && f.chat_id !== this.s.chatId) return;
    if (applyConversationFrame(f, this.conversationFrames)) return;
    switch (f.type) {
      case 'queue_position':
        this.position = f.position;
        this._renderStatus();
        break;
      case 'session_ended':
        // The chat no longer exists (purged): nothing more will come, so stop reconnecting.
        this._setState('inactive');
        break;
      case 'error':
        // Refused typing frames (the chat just ended, rate limits) need no words for the
        // customer; a rate-limited resume is retried, since it keeps the page up to date.
        if (f.error === 'rate_limited') {
          clearTimeout(this.resumeRetry);
          this.resumeRetry = setTimeout(() => this._resume(), 5000);
        }
        if (f.action !== 'typing') console.warn('chat server refused a frame:', f.error, f.message);
        break;
      default:
        break;
    }
  }

  _resume() {
    this.socket.send({ action: 'resume', chat_id: this.s.chatId, after_seq: this.feed.lastSeq });
    // queue_position is pushed only when the queue moves: read where we stand now.
    if (this.state === 'queued') this._refreshChat();
  }

  async _poll() {
    // The socket carries everything while it is open; polling is the fallback.
    if (this.socket.isOpen || document.visibilityState === 'hidden') return;
    try {
      await this.feed.catchUp();
      await this._refreshChat();
    } catch {
      /* the connection banner already says we are offline */
    }
  }

  async _refreshChat() {
    try {
      this._applyChat(await api.chat(this.s.chatId));
    } catch {
      /* next poll or push */
    }
  }

  async _checkStillValid() {
    try {
      await api.chat(this.s.chatId);
    } catch (err) {
      if (err.status === 401 || err.status === 404) this.hooks.onGone();
    }
  }

  _applyChat(chat) {
    if (chat.queue_position !== undefined) this.position = chat.queue_position;
    if (chat.agent_name) this.agentName = chat.agent_name;
    if (chat.group_name) this.s.groupName = chat.group_name;
    if (Number.isInteger(chat.rating)) this.rating = chat.rating;
    this.offerMessage = !!chat.offer_message;
    // The events decide the state when they are newer; a direct read covers a missed push.
    if (chat.last_seq >= this.feed.lastSeq) this._setState(chat.state);
    if (chat.last_seq > this.feed.lastSeq) this.feed.catchUp().catch(() => {});
    this._renderStatus();
  }

  _apply(e) {
    this.transcript.add(e);
    switch (e.type) {
      case 'assigned':
        this.agentName = e.agent_name;
        this._setState('active');
        break;
      case 'requeued':
        this.agentName = null;
        this.position = null;
        this._setState('queued');
        this._refreshChat();
        break;
      case 'handed_off':
        // The agent did not answer in time: a colleague has the chat now, or it waits again
        // (at the head of the queue).
        if (e.to_agent_name) {
          this.agentName = e.to_agent_name;
          this._setState('active');
        } else {
          this.agentName = null;
          this.position = null;
          this._setState('queued');
          this._refreshChat();
        }
        break;
      case 'ended':
        this._setState('inactive');
        break;
      case 'rated':
        this.rating = e.score;
        break;
      case 'message':
        if (e.author && e.author.kind === 'agent') {
          this.typingIn.hide();
          this._notifyUnread();
        }
        break;
      default:
        break;
    }
    this._renderStatus();
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (state === 'inactive') {
      this.typingOut.stop();
      this.typingIn.hide();
      this.socket.stop();
      clearInterval(this.pollTimer);
      clearInterval(this.waitTimer);
      $('#conn').hidden = true;
    }
    this._renderStatus();
  }

  // ---- leaving a message instead of waiting ----------------------------------------------------

  /** "Leave a message instead": what was written so far goes to the group's inbox. */
  _messageOffer() {
    const email = h('input', { type: 'email', id: 'switch-email', autocomplete: 'email', placeholder: 'you@example.com', value: this.s.email || '', 'aria-label': 'Your e-mail address' });
    const error = h('span', { class: 'switch-error', id: 'switch-error', role: 'alert', hidden: true });
    const button = h('button', { type: 'submit', id: 'switch-to-message' }, 'Leave a message instead');
    const form = h('form', { class: 'switch-to-message', novalidate: true },
      h('span', { class: 'hint' }, 'Tired of waiting? We will answer by e-mail; what you wrote is kept.'),
      this.s.email ? null : email,
      button, error);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const address = (this.s.email || email.value).trim();
      if (!address) {
        error.textContent = 'Please give an e-mail address for the answer.';
        error.hidden = false;
        return;
      }
      button.disabled = true;
      try {
        const receipt = await api.toMessage(this.s.chatId, this.s.email ? null : address);
        this.leftMessageTo = receipt.email;
        // The end may have been pushed before this answer: draw the page again either way.
        this._setState('inactive');
        this._renderStatus();
        this.feed.catchUp().catch(() => {});
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
        button.disabled = false;
      }
    });
    return form;
  }

  // ---- rendering ------------------------------------------------------------------------------

  _renderStatus() {
    const box = $('#chat-status');
    const ended = this.state === 'inactive';
    box.className = `chat-status state-${this.state}`;
    if (this.state === 'queued') {
      this._renderQueued(box);
    } else if (this.state === 'active') {
      replace(box, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), h('span', {}, 'You are chatting with ', h('strong', { class: 'agent-name' }, this.agentName || 'an agent'), '.'));
    } else if (this.leftMessageTo) {
      replace(box, h('span', { id: 'left-message' }, `Your message was sent. We will answer by e-mail at ${this.leftMessageTo}.`));
    } else {
      replace(box, h('span', {}, 'This chat has ended.'));
    }
    $('#composer').hidden = ended;
    $('#chat-footer').hidden = ended;
    $('#ended').hidden = !ended;
    this._renderRating(ended);
    this.transcriptMail.show(ended);
    const sub = $('#subtitle');
    sub.textContent = this.s.groupName ? `${this.s.groupName}` : '';
  }

  /** The queued line, updated in place: the page draws it again on every event, read and
   * socket (re)open, and rebuilding it would detach the "leave a message" form under a click
   * in progress (a click whose press and release land on a detached form does nothing). */
  _renderQueued(box) {
    // Drawn afresh only when another state's line replaced it.
    if (!this.queuedPosition || !box.contains(this.queuedPosition)) {
      this.queuedPosition = h('span', { class: 'queue-position' });
      replace(box,
        h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        h('span', {}, h('strong', {}, 'Waiting for an agent. '), this.queuedPosition));
    }
    const p = this.position;
    const position = this.queuedPosition;
    const ahead = p === null || p === undefined ? 'Finding your place in the queue…' : aheadText(p);
    if (position.textContent !== ahead) position.textContent = ahead;
    position.dataset.position = p ?? '';
    if (this.offerMessage) {
      this.offerForm ||= this._messageOffer();
      if (this.offerForm.parentNode !== box) box.append(this.offerForm);
    } else if (this.offerForm && this.offerForm.parentNode === box) {
      this.offerForm.remove();
    }
  }

  /** An ended chat offers the rating once; after it (or on a reload of a rated chat) only the
   * thanks with the score show. */
  _renderRating(ended) {
    const rated = Number.isInteger(this.rating);
    const thanks = $('#rating-thanks');
    $('#rating-form').hidden = !ended || rated;
    thanks.hidden = !rated;
    if (rated) thanks.textContent = `Thank you for rating this chat: ${this.rating} out of 5.`;
  }

  _connStatus(st) {
    const el = $('#conn');
    if (this.state === 'inactive') {
      el.hidden = true;
      return;
    }
    // Only say something when it lasts: a reconnect within a second is invisible.
    clearTimeout(this.connTimer);
    if (st === 'open') {
      el.hidden = true;
    } else {
      this.connTimer = setTimeout(() => {
        if (this.socket.isOpen) return;
        el.textContent = 'Connection lost. Reconnecting…';
        el.hidden = false;
      }, 1500);
    }
  }

  _showError(message) {
    const el = $('#chat-error');
    el.textContent = message;
    el.hidden = false;
    clearTimeout(this.errTimer);
    this.errTimer = setTimeout(() => { el.hidden = true; }, 8000);
  }

  _notifyUnread() {
    if (document.visibilityState !== 'hidden') return;
    this.unread += 1;
    document.title = `(${this.unread}) New message — ${this.baseTitle}`;
  }

  // ---- customer input -------------------------------------------------------------------------

  _bindUi() {
    const composer = $('#composer');
    const message = $('#message');
    const handlers = [];
    const on = (el, type, fn) => { el.addEventListener(type, fn); handlers.push([el, type, fn]); };

    on(composer, 'submit', (e) => { e.preventDefault(); this._send(); });
    // Files go into the chat like messages (the server checks them by content).
    const fileInput = $('#file');
    on($('#attach'), 'click', () => fileInput.click());
    on(fileInput, 'change', async () => {
      const files = Array.from(fileInput.files || []);
      fileInput.value = '';
      for (const file of files) {
        try {
          const sent = await sendFile(api, this.s.chatId, file);
          if (sent && sent.event) this.feed.offer(sent.event);
        } catch (err) {
          this._showError(`${file.name} was not sent: ${err.message}`);
        }
      }
    });
    on(message, 'keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this._send();
      }
    });
    on(message, 'input', () => {
      autoGrow(message);
      this.typingOut.input(message.value.trim() !== '');
    });
    on(message, 'blur', () => this.typingOut.stop());
    on($('#end-chat'), 'click', () => this._confirmEnd());
    on($('#download'), 'click', () => this._download());
    on($('#rating-form'), 'submit', (e) => { e.preventDefault(); this._rate(); });
    on($('#rating-form'), 'change', () => { $('#rating-error').hidden = true; });
    on($('#new-chat'), 'click', () => this.hooks.onNewChat());
    on(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') {
        this.unread = 0;
        document.title = this.baseTitle;
      }
    });
    this.handlers = handlers;
  }

  _unbindUi() {
    for (const [el, type, fn] of this.handlers || []) el.removeEventListener(type, fn);
    this.handlers = [];
  }

  _send(body = $('#message').value.trim(), clientMsgId) {
    if (!body || this.state === 'inactive') return;
    const message = $('#message');
    if (!clientMsgId) {
      message.value = '';
      autoGrow(message);
    }
    this.typingOut.stop();
    const { clientMsgId: id, promise } = this.outbox.send(this.s.chatId, body, clientMsgId);
    if (!clientMsgId) this.transcript.addPending(id, { kind: 'customer', name: this.s.name }, body);
    promise
      .then(() => this.transcript.confirmPending(id))
      .catch((err) => this.transcript.failPending(id, err.message, () => this._send(body, id)));
  }

  _confirmEnd() {
    const dialog = $('#confirm-end');
    dialog.returnValue = '';
    dialog.addEventListener('close', async () => {
      if (dialog.returnValue !== 'end') return;
      try {
        const chat = await api.end(this.s.chatId);
        this._applyChat(chat);
        await this.feed.catchUp();
      } catch (err) {
        this._showError(err.message);
      }
    }, { once: true });
    dialog.showModal();
  }

  async _rate() {
    const form = $('#rating-form');
    const error = $('#rating-error');
    const send = $('#rating-send');
    const checked = form.querySelector('input[name="score"]:checked');
    error.hidden = true;
    if (!checked) {
      error.textContent = 'Choose a rating from 1 (poor) to 5 (excellent).';
      error.hidden = false;
      form.querySelector('input[name="score"]').focus();
      return;
    }
    if (Number.isInteger(this.rating) || send.disabled) return;
    send.disabled = true;
    try {
      const chat = await api.rate(this.s.chatId, Number(checked.value), $('#rating-comment').value.trim());
      this._applyChat(chat);
      $('#rating-thanks').focus({ preventScroll: true });
      // The socket closed with the chat: read the rating's transcript line ourselves.
      await this.feed.catchUp().catch(() => {});
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      // Rated meanwhile (another tab): the fresh view shows the thanks instead of the form.
      if (err.status === 409) this._refreshChat();
    } finally {
      send.disabled = false;
    }
  }

  _download() {
    const stamp = new Date().toISOString().slice(0, 10);
    const text = transcriptText({
      title: `Chat with ${this.s.groupName || 'us'} — ${this.s.name}`,
      events: this.transcript.events,
      audience: 'customer',
      groupName: (g) => (g === this.s.groupId && this.s.groupName) || g,
    });
    downloadText(`chat-transcript-${stamp}.txt`, text);
  }
}

function resetRatingForm() {
  $('#rating-form').reset();
  $('#rating-error').hidden = true;
  $('#rating-thanks').hidden = true;
}

function autoGrow(textarea) {
  textarea.style.height = 'auto';
  textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`;
}

// The exact number near the front, further back only the band: the server tells a waiting
// customer their place only when this text changes (shared/src/domain/queue_place.rs).
const EXACT_AHEAD = 10;
const BANDS = [10, 20, 50, 100, 200];

export function aheadText(ahead) {
  if (ahead === 0) return 'You are next in line.';
  if (ahead <= EXACT_AHEAD) return `${ahead} ${ahead === 1 ? 'person is' : 'people are'} ahead of you.`;
  const band = [...BANDS].reverse().find((b) => ahead > b) ?? EXACT_AHEAD;
  return `More than ${band} people are ahead of you.`;
}
