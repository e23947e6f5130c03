// The customer chat page: question -> suggested solutions -> queue -> conversation -> transcript.
// Each step is a <section> of index.html; this module decides which one shows.

import { $, $all } from '../lib/dom.js';
import { newClientMsgId } from '../lib/events.js';
import { api, loadGroups, setToken } from './api.js';
import { readLinkParams } from './params.js';
import { clearSession, loadSession, saveSession } from './session.js';
import { setupForm } from './form.js';
import { showSuggestions } from './suggestions.js';
import { Conversation } from './conversation.js';
import { setupAvailability } from './availability.js';
import { setupLeaveMessage } from './offline.js';

const params = readLinkParams();
let form;
let conversation = null;
let question = null; // the values of the question form, kept between steps

function show(step) {
  for (const s of $all('.step')) s.hidden = s.id !== step;
  document.body.dataset.step = step;
  const heading = $(`#${step} h2`);
  // Move focus to the new step's heading so screen readers announce it.
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

async function toSuggestions(values) {
  question = { ...values, clientMsgId: newClientMsgId() };
  show('step-suggestions');
  $('#continue-chat').disabled = false;
  await showSuggestions({
    question: values.question,
    groupId: values.groupId,
    onSolved: () => show('step-solved'),
  });
}

async function startChat() {
  const button = $('#continue-chat');
  const error = $('#sugg-error');
  button.disabled = true;
  error.hidden = true;
  try {
    const started = await api.startChat({
      group_id: question.groupId,
      name: question.name,
      email: question.email || null,
      question: question.question,
      client_msg_id: question.clientMsgId,
    });
    const session = {
      chatId: started.chat.id,
      token: started.token,
      name: started.chat.name,
      groupId: started.chat.group_id,
      groupName: started.chat.group_name,
      email: question.email || '',
    };
    saveSession(session);
    openConversation(session);
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
    button.disabled = false;
  }
}

function openConversation(session) {
  if (conversation) conversation.stop();
  show('step-chat');
  $('#title').textContent = 'Live chat';
  conversation = new Conversation(session, {
    onGone: () => {
      clearSession();
      restart('Your previous chat is no longer available. You can start a new one.');
    },
    onNewChat: () => {
      clearSession();
      restart();
    },
  });
  conversation.start();
}

function restart(message) {
  if (conversation) conversation.stop();
  conversation = null;
  setToken(null);
  $('#title').textContent = 'Chat with us';
  show('step-form');
  if (message) form.showError(message);
  form.focus();
}

async function boot() {
  if (params.embed) {
    document.body.classList.add('embedded');
    const close = $('#close-embed');
    close.hidden = false;
    close.addEventListener('click', () => window.parent.postMessage({ type: 'chatdesk:close' }, '*'));
  }
  const groups = await loadGroups();
  form = setupForm({ params, groups, onSubmit: toSuggestions });
  const leaveMessage = setupLeaveMessage({ prefill: () => form.values(), show });
  setupAvailability({ groups, currentGroup: () => form.values().groupId, onLeaveMessage: () => leaveMessage.open() });
  $('#continue-chat').addEventListener('click', startChat);
  $('#edit-question').addEventListener('click', () => { show('step-form'); form.focus(); });
  $('#still-need-help').addEventListener('click', () => show('step-suggestions'));

  const saved = loadSession();
  if (saved) {
    openConversation(saved);
  } else {
    show('step-form');
    form.focus();
  }
}

boot();
