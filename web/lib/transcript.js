// The message list of a chat, shared by the agent console and the customer page: message
// bubbles, system lines, messages still being sent, and scrolling that follows new messages
// unless the reader has scrolled up to read older ones.

import { h, multiline, replace } from './dom.js';
import { authorName, describeEvent } from './events.js';
import { clockTime, fullDateTime, isoTime } from './format.js';
import { fileNode } from './attachments.js';

export class TranscriptView {
  /**
   * @param {HTMLElement} el  an element with role="log"
   * @param {object} o
   * @param {'agent'|'customer'} o.audience
   * @param {(author: object) => boolean} o.isMine  whether a message is from this side/person
   * @param {(groupId: string) => string} [o.groupName]
   * @param {(attachmentId: string, inline: boolean) => Promise<{url: string}>} [o.fileLink]
   */
  constructor(el, { audience, isMine, groupName, fileLink }) {
    this.el = el;
    this.fileLink = fileLink || (() => Promise.reject(new Error('files are not available here')));
    this.audience = audience;
    this.isMine = isMine;
    this.groupName = groupName || ((g) => g);
    this.events = [];
    this.pending = new Map(); // client_msg_id -> element
  }

  clear() {
    this.events = [];
    this.pending.clear();
    this.el.replaceChildren();
  }

  _nearBottom() {
    return this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < 80;
  }

  _appendNode(node, force = false) {
    const follow = force || this._nearBottom();
    // Pending messages stay last, below stored ones, until they are stored themselves.
    const firstPending = this.el.querySelector('.msg.pending');
    if (firstPending && !node.classList.contains('pending')) this.el.insertBefore(node, firstPending);
    else this.el.append(node);
    if (follow) this.el.scrollTop = this.el.scrollHeight;
  }

  /** Adds one stored event (called in seq order). */
  add(event) {
    this.events.push(event);
    if (event.type === 'message') {
      const pending = this.pending.get(event.client_msg_id);
      if (pending) {
        pending.remove();
        this.pending.delete(event.client_msg_id);
      }
      this._appendNode(this._bubble(event.author, event.body, event.at, event.seq), !!pending);
      return;
    }
    if (event.type === 'attachment') {
      const node = this._bubble(event.author, '', event.at, event.seq);
      node.classList.add('with-file');
      node.querySelector('.body').replaceChildren(fileNode(event.file, this.fileLink));
      this._appendNode(node);
      return;
    }
    const text = describeEvent(event, this.audience, this.groupName);
    if (!text) return;
    this._appendNode(
      h('p', { class: ['sys', `sys-${event.type}`], dataset: { seq: String(event.seq) } },
        h('time', { datetime: isoTime(event.at), title: fullDateTime(event.at) }, clockTime(event.at)),
        ' ',
        text),
    );
  }

  _bubble(author, body, at, seq) {
    const mine = this.isMine(author || {});
    const who = authorName({ author }, this.audience);
    return h('div', { class: ['msg', mine ? 'mine' : 'theirs', author && author.kind === 'agent' ? 'from-agent' : 'from-customer'], dataset: seq ? { seq: String(seq) } : {} },
      h('div', { class: 'meta' },
        h('span', { class: 'who' }, who),
        at ? h('time', { datetime: isoTime(at), title: fullDateTime(at) }, clockTime(at)) : null),
      h('div', { class: 'body' }, multiline(body)));
  }

  /** A message typed here and not yet stored. */
  addPending(clientMsgId, author, body) {
    const node = this._bubble(author, body, null, null);
    node.classList.add('pending');
    node.append(h('div', { class: 'state', 'aria-live': 'polite' }, 'Sending…'));
    this.pending.set(clientMsgId, node);
    this._appendNode(node, true);
  }

  /** The message could not be sent: say why and offer to try again. */
  failPending(clientMsgId, message, retry) {
    const node = this.pending.get(clientMsgId);
    if (!node) return;
    node.classList.add('failed');
    const state = node.querySelector('.state');
    replace(state,
      h('span', {}, `Not sent: ${message} `),
      retry ? h('button', { type: 'button', class: 'link', onclick: () => { node.classList.remove('failed'); state.textContent = 'Sending…'; retry(); } }, 'Try again') : null,
    );
  }

  /** Sent but the push has not arrived yet: keep the bubble, say it was stored. */
  confirmPending(clientMsgId) {
    const node = this.pending.get(clientMsgId);
    if (node) node.querySelector('.state').textContent = 'Sent';
  }
}
