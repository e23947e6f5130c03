// What chat events say, in words, for the transcript views (agent and customer) and for the
// downloadable .txt transcript. One place so both sides describe a chat the same way.

import { fullDateTime, shortDateTime } from './format.js';

/** Why a hand-off timer moved a chat on, for agents (the customer is not told why). */
const HAND_OFF_REASONS = {
  no_first_response: "no first response within the group's time",
  no_follow_up: "the customer waited for an answer longer than the group's time",
  agent_disconnected: "the agent's console stayed disconnected longer than the group's time",
};

/** A hand-off timer moved the chat: to a colleague, or back to the head of the queue (and
 * `escalated` when that was the group's last allowed hand-off, so it waits for a person). */
function handedOff(e, audience) {
  if (audience === 'customer') {
    return e.to_agent_name
      ? `Your chat has been passed to ${e.to_agent_name}.`
      : 'You are back in the queue; the next available agent will be with you.';
  }
  const from = e.from_agent_name || 'an agent';
  const why = HAND_OFF_REASONS[e.reason] || 'a hand-off timer ran out';
  if (e.to_agent_name) return `Handed off from ${from} to ${e.to_agent_name}: ${why}.`;
  const limit = e.escalated ? "; it reached the group's hand-off limit and is waiting for a person" : '';
  return `Handed off from ${from} back to the queue: ${why}${limit}.`;
}

/** The customer's satisfaction rating of the ended chat; agents also read the comment. */
function rated(e, audience) {
  const score = `${e.score} out of 5`;
  if (audience === 'customer') return `You rated this chat ${score}.`;
  const comment = typeof e.comment === 'string' ? e.comment.trim() : '';
  return comment ? `The customer rated the chat ${score}: ${comment}` : `The customer rated the chat ${score}.`;
}

function byWhom(by, audience) {
  if (!by) return '';
  if (by.kind === 'customer') return audience === 'customer' ? 'you' : 'the customer';
  return by.name || 'an agent';
}

/**
 * A one-line description of a non-message event, or null for events that show nothing.
 * @param {object} e  ChatEvent
 * @param {'agent'|'customer'} audience
 * @param {(groupId: string) => string} [groupName]
 */
const AGENT_ONLY = new Set(['deleted', 'restored', 'follow_up_set', 'follow_up_cleared', 'tagged']);

export function describeEvent(e, audience, groupName = (g) => g) {
  // The server never sends these to customers; should one slip through, it stays unsaid.
  if (audience === 'customer' && AGENT_ONLY.has(e.type)) return null;
  switch (e.type) {
    case 'started':
      return audience === 'customer'
        ? `You started the chat with ${groupName(e.group_id)}.`
        : `Chat started in ${groupName(e.group_id)}.`;
    case 'assigned': {
      if (audience === 'customer') return `${e.agent_name} joined the chat.`;
      let by = '';
      if (e.by && e.by.kind === 'agent' && e.by.id !== e.agent_id) by = ` (assigned by ${e.by.name})`;
      else if (e.by && e.by.kind === 'automatic') by = ' (assigned automatically)';
      return `${e.agent_name} joined the chat${by}.`;
    }
    case 'requeued':
      return audience === 'customer'
        ? 'You were transferred and are waiting for the next available agent.'
        : `Sent to the ${groupName(e.group_id)} queue by ${byWhom(e.by, audience)}.`;
    case 'ended': {
      const who = byWhom(e.by, audience);
      const base = `The chat was ended by ${who}.`;
      return audience === 'agent' && e.resolution ? `${base} Resolution: ${e.resolution}` : base;
    }
    case 'moved':
      // Agents only: the group it was in was removed (by its id: the group is gone).
      return `Moved from ${e.from_group_id} to ${groupName(e.group_id)} by ${byWhom(e.by, audience)}: its group was removed.`;
    case 'deleted':
      return `Deleted by ${byWhom(e.by, audience)}.`;
    case 'restored':
      return `Restored by ${byWhom(e.by, audience)}.`;
    case 'follow_up_set':
      return `Follow-up set for ${shortDateTime(e.due_at)} by ${byWhom(e.by, audience)}${e.note ? `: ${e.note}` : '.'}`;
    case 'follow_up_cleared':
      return `Follow-up cleared by ${byWhom(e.by, audience)}.`;
    case 'tagged':
      return (e.tags || []).length
        ? `Tags set to ${e.tags.join(', ')} by ${byWhom(e.by, audience)}.`
        : `Tags removed by ${byWhom(e.by, audience)}.`;
    case 'handed_off':
      return handedOff(e, audience);
    case 'rated':
      return rated(e, audience);
    default:
      return null;
  }
}

/** Name shown above a message. */
export function authorName(e, audience) {
  const a = e.author || {};
  if (audience === 'customer' && a.kind === 'customer') return 'You';
  return a.name || (a.kind === 'agent' ? 'Agent' : 'Customer');
}

/** A plain-text transcript of a chat's events (the customer's .txt download). */
export function transcriptText({ title, events, audience, groupName }) {
  const lines = [title, `Downloaded ${fullDateTime(Date.now())}`, ''];
  for (const e of events) {
    const when = fullDateTime(e.at);
    if (e.type === 'message') {
      lines.push(`[${when}] ${authorName(e, audience)}:`);
      for (const l of String(e.body).split('\n')) lines.push(`    ${l}`);
    } else if (e.type === 'attachment') {
      lines.push(`[${when}] ${authorName(e, audience)} sent a file: ${e.file.file_name}`);
    } else {
      const text = describeEvent(e, audience, groupName);
      if (text) lines.push(`[${when}] -- ${text}`);
    }
  }
  return lines.join('\r\n') + '\r\n';
}

/** Offers text as a file download (a Blob URL: allowed by the CSP, no server round trip). */
export function downloadText(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function newClientMsgId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
