// Leaving a message when nobody can chat: the form of the #leave-message section, sent as
// POST /api/messages {group_id, name, email, question}.

import { $ } from '../lib/dom.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FAILED = 'Your message could not be sent. Please try again in a moment.';

/**
 * Sends the customer's message. Resolves with the server's answer; rejects with an Error whose
 * message a customer can read when the answer is not 2xx.
 * @param {{groupId: string, name: string, email: string, question: string}} m
 */
export async function submitOfflineMessage({ groupId, name, email, question }) {
  let res;
  try {
    res = await fetch('/api/messages', {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ group_id: groupId, name, email, question }),
    });
  } catch {
    throw new Error(FAILED);
  }
  const body = await res.json().catch(() => ({}));
  // A refusal the customer can act on (a field named, too many messages) says so in its words.
  if (!res.ok) throw new Error(res.status >= 400 && res.status < 500 && body.message ? body.message : FAILED);
  return body;
}

/**
 * Wires the #leave-message section.
 * @param {object} o
 * @param {() => {groupId: string, name: string, email: string, question: string}} o.prefill
 *   what the customer already typed (and the group)
 * @param {(step: string) => void} o.show  shows a step of the page
 * @returns {{open: () => void}}
 */
export function setupLeaveMessage({ prefill, show }) {
  const form = $('#leave-message-form');
  const error = $('#lm-error');
  let groupId = '';

  function invalid(message, field) {
    error.textContent = message;
    error.hidden = false;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  }

  form.addEventListener('input', (e) => {
    e.target.removeAttribute('aria-invalid');
    error.hidden = true;
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const m = {
      groupId,
      name: $('#lm-name').value.trim(),
      email: $('#lm-email').value.trim(),
      question: $('#lm-question').value.trim(),
    };
    if (!m.name) return invalid('Please tell us your name.', $('#lm-name'));
    if (!EMAIL.test(m.email)) return invalid('Please give an email address we can answer to.', $('#lm-email'));
    if (!m.question) return invalid('Please type your message.', $('#lm-question'));
    error.hidden = true;
    const button = $('#lm-submit');
    button.disabled = true;
    try {
      await submitOfflineMessage(m);
      form.hidden = true;
      const sent = $('#lm-sent');
      sent.hidden = false;
      sent.focus();
    } catch (err) {
      invalid(err.message);
    } finally {
      button.disabled = false;
    }
  });
  $('#lm-back').addEventListener('click', () => show('step-form'));

  return {
    open() {
      const v = prefill();
      groupId = v.groupId;
      $('#lm-name').value = $('#lm-name').value || v.name;
      $('#lm-email').value = $('#lm-email').value || v.email;
      $('#lm-question').value = $('#lm-question').value || v.question;
      form.hidden = false;
      $('#lm-sent').hidden = true;
      show('leave-message');
    },
  };
}
