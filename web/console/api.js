// Every REST call the console makes, in one place (docs/openapi.json is the contract).

import { createHttp, qs } from '../lib/http.js';
import { EVENTS_PAGE } from '../lib/feed.js';
import { getToken } from './session.js';

let unauthorizedHandler = () => {};
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

const http = createHttp({ getToken, onUnauthorized: (err) => unauthorizedHandler(err) });
const enc = encodeURIComponent;

export const api = {
  // Files: start an upload, confirm it once sent, and a short-lived link to one.
  startUpload: (id, body) => http.post(`/api/chats/${enc(id)}/attachments`, body),
  confirmUpload: (id, attachmentId) => http.post(`/api/chats/${enc(id)}/attachments/${enc(attachmentId)}/confirm`, {}),
  attachmentLink: (id, attachmentId, inline) => http.get(`/api/chats/${enc(id)}/attachments/${enc(attachmentId)}${inline ? '?inline=true' : ''}`),
  login: (username, password) => http.post('/api/auth/login', { username, password }),
  me: () => http.get('/api/me'),
  setAvailable: (available) => http.patch('/api/me', { available }),
  groups: () => http.get('/api/groups'),
  /** {id, name, distribution, hand_off: {no_first_response_secs, no_follow_up_secs, agent_disconnected_secs, max_hand_offs}} */
  groupSettings: (groupId) => http.get(`/api/groups/${enc(groupId)}/settings`),
  saveGroupSettings: (groupId, body) => http.put(`/api/groups/${enc(groupId)}/settings`, body),
  agents: () => http.get('/api/agents'),
  preferences: () => http.get('/api/preferences'),
  savePreferences: (prefs) => http.put('/api/preferences', prefs),

  /**
   * One page of a list: {rows, truncated, next_cursor}; pass `cursor` (a next_cursor) for the next.
   * @param {{view:string, group_id?:string, inactive?:boolean}} view
   */
  list: (view, sort, cursor, tag) => http.get(`/api/chats${qs({ ...view, inactive: view.inactive ? 'true' : undefined, sort: sort && sort.column, dir: sort && sort.direction, cursor, tag: tag || undefined })}`),
  chat: (id) => http.get(`/api/chats/${enc(id)}`),
  events: (id, after) => http.get(`/api/chats/${enc(id)}/events${qs({ after, limit: EVENTS_PAGE })}`),
  send: (id, clientMsgId, body) => http.post(`/api/chats/${enc(id)}/messages`, { client_msg_id: clientMsgId, body }),

  /** Toolbar actions; each answers {results:[{chat_id, ok, chat, failure}], succeeded, failed}. */
  action: (name, body) => http.post(`/api/actions/${name}`, body),

  // The groups' inboxes: messages customers left when nobody could chat.
  /** {group_id, status, messages: [InboxRow], next_cursor} */
  inbox: (groupId, status, cursor) => http.get(`/api/messages${qs({ group_id: groupId, status, cursor })}`),
  /** An OfflineMessage: an InboxRow with `question` and `thread`. */
  message: (id) => http.get(`/api/messages/${enc(id)}`),
  assignMessage: (id) => http.post(`/api/messages/${enc(id)}/assign`, {}),
  replyToMessage: (id, body) => http.post(`/api/messages/${enc(id)}/reply`, { body }),
  noteMessage: (id, body) => http.post(`/api/messages/${enc(id)}/notes`, { body }),
  closeMessage: (id) => http.post(`/api/messages/${enc(id)}/close`, {}),
  reopenMessage: (id) => http.post(`/api/messages/${enc(id)}/reopen`, {}),
  /** {configured, from}: whether this server sends e-mail. */
  mailStatus: () => http.get('/api/mail/status'),
  /** [{id, purpose, to, status: pending|sent|failed, attempts, next_attempt_at, sent_at, created_at, last_error?}] */
  chatMail: (id) => http.get(`/api/chats/${enc(id)}/mail`),
  /** {notes: [{chat_id, number, author_id, author_name, text, created_at}]}, oldest first. */
  chatNotes: (id) => http.get(`/api/chats/${enc(id)}/notes`),
  addChatNote: (id, text) => http.post(`/api/chats/${enc(id)}/notes`, { text }),
  /** {chats: [{id, started_at, group_id, group_name, agent_name, state, deleted, question, rating}]} */
  history: (id) => http.get(`/api/chats/${enc(id)}/history`),
  /** The chat's whole set of tags; answers its row. */
  setTags: (id, tags) => http.put(`/api/chats/${enc(id)}/tags`, { tags }),
  sendTranscript: (id, to) => http.post(`/api/chats/${enc(id)}/transcript`, to ? { to } : {}),

  // Canned replies: the ones the agent sees, managing them, and using one in a chat.
  /** [{id, scope, group_id, owner_id, shortcut, title, body, usage_count, review_at, stale, can_manage, revision, ...}] */
  cannedReplies: (query = {}) => http.get(`/api/canned-replies${qs(query)}`),
  /** @param {{scope:string, group_id?:string, shortcut:string, title:string, body:string}} input */
  createCannedReply: (input) => http.post('/api/canned-replies', input),
  /** `input` as for create, with the `revision` read. */
  updateCannedReply: (id, input) => http.put(`/api/canned-replies/${enc(id)}`, input),
  deleteCannedReply: (id) => http.delete(`/api/canned-replies/${enc(id)}`),
  reviewCannedReply: (id) => http.post(`/api/canned-replies/${enc(id)}/reviewed`, {}),
  /** {reply_id, chat_id, text, usage_count}: the text with the chat's placeholders filled. */
  useCannedReply: (id, chatId) => http.post(`/api/canned-replies/${enc(id)}/use`, { chat_id: chatId }),

  // Knowledge base, from other parts of the project: a 404 means "not there yet".
  chatSuggestions: (id) => http.get(`/api/chats/${enc(id)}/suggestions`),
  article: (id) => http.get(`/api/kb/articles/${enc(id)}`),
  feedback: (body) => http.post('/api/suggestions/feedback', body),

  // Knowledge-base management (managers and administrators; the server refuses agents).
  /** Every article, drafts too: [{id, title, body, tags, groups, published, updated_at}]. */
  articles: () => http.get('/api/kb/articles'),
  /** @param {{title:string, body:string, tags:string[], groups:string[], published:boolean}} input */
  createArticle: (input) => http.post('/api/kb/articles', input),
  updateArticle: (id, input) => http.put(`/api/kb/articles/${enc(id)}`, input),
  deleteArticle: (id) => http.delete(`/api/kb/articles/${enc(id)}`),
  /** {by_group: {id: {shown, clicked, solved}}, by_item: {article id | resolution:chat: {...}}} */
  kbStats: () => http.get('/api/kb/stats'),

  // Administration (administrators; the server refuses everyone else).
  adminAgents: () => http.get('/api/admin/agents'),
  createAgent: (body) => http.post('/api/admin/agents', body),
  updateAgent: (id, body) => http.put(`/api/admin/agents/${enc(id)}`, body),
  deactivateAgent: (id) => http.post(`/api/admin/agents/${enc(id)}/deactivate`, {}),
  reactivateAgent: (id) => http.post(`/api/admin/agents/${enc(id)}/reactivate`, {}),
  resetPassword: (id) => http.post(`/api/admin/agents/${enc(id)}/password`, {}),
  deleteAgent: (id) => http.delete(`/api/admin/agents/${enc(id)}`),
  auditLog: (before) => http.get(`/api/admin/audit${qs({ before, limit: 50 })}`),
  adminGroups: () => http.get('/api/admin/groups'),
  createGroup: (body) => http.post('/api/admin/groups', body),
  renameGroup: (id, body) => http.put(`/api/admin/groups/${enc(id)}`, body),
  setGroupMembers: (id, body) => http.put(`/api/admin/groups/${enc(id)}/members`, body),
  removeGroup: (id, moveTo) => http.delete(`/api/admin/groups/${enc(id)}${qs({ move_to: moveTo })}`),
  organisation: () => http.get('/api/admin/organisation'),
  updateOrganisation: (body) => http.put('/api/admin/organisation', body),
};
