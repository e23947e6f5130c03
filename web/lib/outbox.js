// Sending messages so that none is lost and none is stored twice. A message gets its
// client_msg_id once, when the person presses Enter; every retry reuses it, and the server stores
// it once (docs/websocket-protocol.md, "Sends are idempotent by client_msg_id").
//
// Path: over the WebSocket when it is open (answered by the stored message's own `event`, which
// carries its client_msg_id, or by `ack` for a retry or a chat the socket does not follow), else — or when no ack comes in
// time, or the socket answers with an `error` for `send` — over REST, which also gives a definite
// error message to show the person when the server refuses the message.

import { newClientMsgId } from './events.js';

const ACK_TIMEOUT_MS = 4000;

export class Outbox {
  /**
   * @param {object} o
   * @param {import('./socket.js').Socket} o.socket
   * @param {(chatId: string, clientMsgId: string, body: string) => Promise<{event: object}>} o.post  REST send
   * @param {(chatId: string, event: object) => void} o.onStored  the stored event from a REST answer
   * @param {(chatId: string, seq: number) => void} [o.onAcked]  an ack's seq (to notice a missed push)
   */
  constructor({ socket, post, onStored, onAcked }) {
    this.socket = socket;
    this.post = post;
    this.onStored = onStored;
    this.onAcked = onAcked || (() => {});
    this.pending = new Map(); // client_msg_id -> {chatId, body, resolve, reject, timer}
  }

  /** Sends `body`; resolves when stored, rejects with an ApiError the UI can show. */
  send(chatId, body, clientMsgId = newClientMsgId()) {
    const promise = new Promise((resolve, reject) => {
      const entry = { chatId, body, resolve, reject, timer: null, viaRest: false };
      this.pending.set(clientMsgId, entry);
      const frame = { action: 'send', chat_id: chatId, client_msg_id: clientMsgId, body };
      if (this.socket && this.socket.send(frame)) {
        entry.timer = setTimeout(() => this._viaRest(clientMsgId), ACK_TIMEOUT_MS);
      } else {
        this._viaRest(clientMsgId);
      }
    });
    return { clientMsgId, promise };
  }

  /** Feed every server frame here. Returns true when the frame was the outbox's. */
  handleFrame(frame) {
    const stored = frame.type === 'event' && frame.event && frame.event.type === 'message' ? frame.event : null;
    if (stored && stored.client_msg_id) {
      // Our own message, pushed back stored: that is its acknowledgement. The frame still goes on
      // to the conversation, which shows it.
      const entry = this.pending.get(stored.client_msg_id);
      if (entry && !entry.viaRest) {
        clearTimeout(entry.timer);
        this.pending.delete(stored.client_msg_id);
        entry.resolve({ seq: stored.seq, duplicate: false });
      }
      return false;
    }
    if (frame.type === 'ack') {
      const entry = this.pending.get(frame.client_msg_id);
      this.onAcked(frame.chat_id, frame.seq);
      if (!entry || entry.viaRest) return !!entry;
      clearTimeout(entry.timer);
      this.pending.delete(frame.client_msg_id);
      entry.resolve({ seq: frame.seq, duplicate: frame.duplicate });
      return true;
    }
    if (frame.type === 'error' && frame.action === 'send') {
      // Error frames do not name the message: retry every socket send still waiting over REST,
      // which is idempotent and answers each one with its own verdict.
      for (const [id, entry] of this.pending) if (!entry.viaRest) this._viaRest(id);
      return true;
    }
    return false;
  }

  async _viaRest(clientMsgId) {
    const entry = this.pending.get(clientMsgId);
    if (!entry || entry.viaRest) return;
    entry.viaRest = true;
    clearTimeout(entry.timer);
    try {
      const sent = await this.post(entry.chatId, clientMsgId, entry.body);
      this.pending.delete(clientMsgId);
      if (sent && sent.event) this.onStored(entry.chatId, sent.event);
      entry.resolve({ seq: sent && sent.event && sent.event.seq, duplicate: !!(sent && sent.duplicate) });
    } catch (err) {
      this.pending.delete(clientMsgId);
      entry.reject(err);
    }
  }
}
