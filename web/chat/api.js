// The REST calls the customer page makes. The token (from POST /api/chats) opens this one chat.

import { createHttp, qs } from '../lib/http.js';
import { EVENTS_PAGE } from '../lib/feed.js';

let token = null;
const http = createHttp({ getToken: () => token });

export function setToken(t) {
  token = t;
}

export const api = {
  // Files: start an upload, confirm it once sent, and a short-lived link to one.
  startUpload: (id, body) => http.post(`/api/chats/${encodeURIComponent(id)}/attachments`, body),
  confirmUpload: (id, attachmentId) => http.post(`/api/chats/${encodeURIComponent(id)}/attachments/${encodeURIComponent(attachmentId)}/confirm`, {}),
  attachmentLink: (id, attachmentId, inline) => http.get(`/api/chats/${encodeURIComponent(id)}/attachments/${encodeURIComponent(attachmentId)}${inline ? '?inline=true' : ''}`),
  startChat: (body) => http.post('/api/chats', body),
  chat: (id) => http.get(`/api/chats/${encodeURIComponent(id)}`),
  events: (id, after) => http.get(`/api/chats/${encodeURIComponent(id)}/events${qs({ after, limit: EVENTS_PAGE })}`),
  send: (id, clientMsgId, body) => http.post(`/api/chats/${encodeURIComponent(id)}/messages`, { client_msg_id: clientMsgId, body }),
  end: (id) => http.post(`/api/chats/${encodeURIComponent(id)}/end`, {}),
  /** A chat still waiting in the queue becomes a message for the group's inbox (and ends). */
  toMessage: (id, email) => http.post(`/api/chats/${encodeURIComponent(id)}/message`, email ? { email } : {}),
  // Once the chat has ended, once: {score: 1-5, comment?}.
  rate: (id, score, comment) => http.post(`/api/chats/${encodeURIComponent(id)}/rating`, comment ? { score, comment } : { score }),
  // The transcript by e-mail, once the chat has ended (to the start form's address without `to`).
  emailTranscript: (id, to) => http.post(`/api/chats/${encodeURIComponent(id)}/transcript`, to ? { to } : {}),
  // The state of the transcripts asked for: [{to, status: pending|sent|failed, sent_at, ...}].
  mails: (id) => http.get(`/api/chats/${encodeURIComponent(id)}/mail`),
  // Knowledge base (served by another part of the project; a 404 means "not there yet").
  suggestions: (q, groupId) => http.get(`/api/suggestions${qs({ q, group_id: groupId })}`),
  article: (id) => http.get(`/api/kb/articles/${encodeURIComponent(id)}`),
  feedback: (body) => http.post('/api/suggestions/feedback', body),
};

/** Groups a customer can choose from (public: department names are no secret); a link with
 * ?group= needs no list at all. */
export async function loadGroups() {
  try {
    const res = await fetch('/api/groups', { headers: { accept: 'application/json' } });
    if (!res.ok) return [];
    const list = await res.json();
    return Array.isArray(list) ? list.filter((g) => g && typeof g.id === 'string') : [];
  } catch {
    return [];
  }
}
