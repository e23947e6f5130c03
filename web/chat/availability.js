// Before the customer types: whether anyone can chat in the chosen group now, from the
// `availability` of GET /api/groups. Open: the question form as always. "choose": the group's
// notice with "Start a chat" and "Leave a message". "message": the notice and "Leave a message"
// only. The notice is plain text and is only ever set as text.

import { $ } from '../lib/dom.js';

/** The availability of a group in the list, or null (an older server, or no such group). */
export function availabilityOf(groups, groupId) {
  const group = groups.find((g) => g.id === groupId);
  return (group && group.availability) || null;
}

/** When the group opens next, in the customer's own time zone and language. */
function nextOpenText(ms) {
  const when = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
  return `We are back ${when.format(new Date(ms))}.`;
}

/**
 * @param {object} o
 * @param {object[]} o.groups           GET /api/groups
 * @param {() => string} o.currentGroup the group the form is for
 * @param {() => void} o.onLeaveMessage  the customer chose to leave a message
 * @returns {{apply: () => void}}
 */
export function setupAvailability({ groups, currentGroup, onLeaveMessage }) {
  const box = $('#group-availability');
  const fields = $('#chat-fields');
  const startChat = $('#choose-chat');
  let choseToWait = false;

  function apply() {
    const a = availabilityOf(groups, currentGroup());
    const offer = a ? a.offer : 'chat';
    document.body.dataset.offer = offer;
    if (offer === 'chat' || (offer === 'choose' && choseToWait)) {
      box.hidden = true;
      fields.hidden = false;
      return;
    }
    $('#offline-notice').textContent = a.notice;
    const next = $('#next-open');
    next.hidden = !a.next_open_at;
    if (a.next_open_at) next.textContent = nextOpenText(a.next_open_at);
    startChat.hidden = offer !== 'choose';
    // The one way forward is the main button.
    $('#choose-message').classList.toggle('primary', offer === 'message');
    box.hidden = false;
    fields.hidden = true;
  }

  startChat.addEventListener('click', () => {
    choseToWait = true;
    apply();
    $('#name').focus();
  });
  $('#choose-message').addEventListener('click', onLeaveMessage);
  $('#group').addEventListener('change', () => {
    choseToWait = false;
    apply();
  });
  apply();
  return { apply };
}
