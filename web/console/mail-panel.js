// The chat view's "E-mail" panel: the state of every mail about the chat (pending with its next
// try, sent, failed, with the mail server's last answer for agents), and "Send transcript".
// When the server sends no e-mail the panel says so and offers nothing.

import { h, replace } from '../lib/dom.js';
import { fullDateTime, shortDateTime } from '../lib/format.js';
import { api } from './api.js';
import { modal } from './dialogs.js';

const PURPOSE_WORDS = { transcript: 'Transcript', offline_reply: 'Reply' };
const REFRESH_MS = 5000;

/** Whether this server sends e-mail, asked once per console. */
let statusOnce = null;
export function mailStatus() {
  if (!statusOnce) statusOnce = api.mailStatus().catch(() => ({ configured: false, from: null }));
  return statusOnce;
}

export function mailLine(m) {
  const to = `${PURPOSE_WORDS[m.purpose] || m.purpose} to ${m.to}`;
  if (m.status === 'sent') return { cls: 'mail-sent', text: `${to}: sent ${shortDateTime(m.sent_at)}` };
  if (m.status === 'failed') return { cls: 'mail-failed', text: `${to}: failed${m.last_error ? ` (${m.last_error})` : ''}` };
  const next = m.next_attempt_at ? `next try ${shortDateTime(m.next_attempt_at)}` : 'sending';
  const tries = m.attempts > 0 ? `, ${m.attempts} ${m.attempts === 1 ? 'try' : 'tries'} so far` : '';
  return { cls: 'mail-pending', text: `${to}: pending (${next}${tries})`, title: m.last_error || '' };
}

export class MailPanel {
  /** @param {HTMLElement} el  @param {string} chatId */
  constructor(el, chatId) {
    this.el = el;
    this.chatId = chatId;
    this.list = h('ul', { class: 'mail-list' });
    this.note = h('p', { class: 'mail-note' });
    this.button = h('button', { type: 'button', id: 'cv-send-transcript', onclick: () => this.sendTranscript() }, 'Send transcript');
    replace(el, h('h2', { class: 'mail-heading' }, 'E-mail'), this.note, this.list, this.button);
    this.closed = false;
  }

  async load() {
    const status = await mailStatus();
    if (this.closed) return;
    this.configured = status.configured;
    this.note.textContent = status.configured ? '' : 'E-mail is not configured on this server: transcripts cannot be sent.';
    this.note.hidden = status.configured;
    this.button.hidden = !status.configured;
    await this.refresh();
    // The chat view may have closed while the first read was on its way: start no timer then.
    if (this.closed) return;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  async refresh() {
    let mails;
    try {
      mails = await api.chatMail(this.chatId);
    } catch (err) {
      // The chat is gone or no longer ours: nothing more to show.
      if (err.status === 403 || err.status === 404) this.close();
      return;
    }
    if (this.closed) return;
    replace(this.list, mails.map((m) => {
      const line = mailLine(m);
      return h('li', { class: line.cls, title: line.title || fullDateTime(m.created_at) }, line.text);
    }));
    this.list.hidden = mails.length === 0;
  }

  sendTranscript() {
    const to = h('input', { id: 'transcript-to', type: 'email', maxlength: '254', placeholder: 'the address the customer gave' });
    return modal({
      title: 'Send the transcript by e-mail',
      body: [
        h('label', { for: 'transcript-to' }, 'To ', h('span', { class: 'hint' }, '(empty: the address the customer gave)')),
        to,
      ],
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Send', value: 'ok', class: 'primary' }],
      onSubmit: async () => {
        const address = to.value.trim();
        await api.sendTranscript(this.chatId, address || undefined);
        await this.refresh();
      },
    });
  }

  close() {
    this.closed = true;
    clearInterval(this.timer);
  }
}
