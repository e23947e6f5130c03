// "E-mail me the transcript", once the chat has ended: an address (prefilled from the start
// form), the request, and the state of the mails asked for (pending / sent / failed). The server
// allows a few per chat; when it sends no e-mail it answers mail_not_configured and the form says so.

import { $, h, replace } from '../lib/dom.js';
import { shortDateTime } from '../lib/format.js';
import { api } from './api.js';

const REFRESH_MS = 5000;

function stateText(m) {
  if (m.status === 'sent') return `Sent to ${m.to} ${shortDateTime(m.sent_at)}.`;
  if (m.status === 'failed') return `Could not be delivered to ${m.to}.`;
  return `On its way to ${m.to}…`;
}

export class TranscriptMail {
  /** @param {{chatId:string, email?:string}} session */
  constructor(session) {
    this.s = session;
    this.shown = false;
    $('#tm-email').value = session.email || '';
    $('#transcript-mail').onsubmit = (e) => {
      e.preventDefault();
      this.request();
    };
  }

  /** Shows the form when the chat has ended (and keeps the states current while it shows). */
  show(ended) {
    $('#transcript-mail').hidden = !ended;
    if (ended && !this.shown) {
      this.shown = true;
      this.refresh();
      this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    }
    if (!ended) this.stop();
  }

  async request() {
    const error = $('#tm-error');
    error.hidden = true;
    const to = $('#tm-email').value.trim();
    const button = $('#tm-send');
    button.disabled = true;
    try {
      await api.emailTranscript(this.s.chatId, to || undefined);
      await this.refresh();
    } catch (err) {
      error.textContent = err.code === 'mail_not_configured'
        ? 'Sorry, e-mail is not available here. You can download the transcript instead.'
        : err.message;
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async refresh() {
    let mails;
    try {
      mails = await api.mails(this.s.chatId);
    } catch {
      return;
    }
    replace($('#tm-states'), mails.map((m) => h('li', { class: `mail-${m.status}` }, stateText(m))));
  }

  stop() {
    clearInterval(this.timer);
    this.shown = false;
  }
}
