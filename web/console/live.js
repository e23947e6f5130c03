// The console's WebSocket: one per tab, carrying the changes of the list on screen, the queue
// and My Active counts of the agent's groups, and the events of the chat that is open. The
// server is told which list is on screen (`watch_list`): messages in chats of other lists cost
// this console nothing, except the agent's own active chats, whose rows come whatever the list
// (so the console can tell of a customer's message in one of them). With no list on screen the
// console watches My Active for that. After every (re)connect the list is read again and the open chat
// resumed, so nothing that happened while the connection was down is missed — the complaint
// users of other help desks have most ("I had to refresh to see new chats").

import { Socket, wsUrl } from '../lib/socket.js';
import { Outbox } from '../lib/outbox.js';
import { api } from './api.js';
import { getToken } from './session.js';
import { seedMine } from './notify.js';
import { agent, emit, state } from './state.js';

export function startLive({ onReconnect, chatView }) {
  let first = true;
  // The list on screen, as the server names views (null: none).
  let watched = null;
  const sendWatch = () => socket.send({ action: 'watch_list', list: watched });
  const socket = new Socket({
    url: () => wsUrl(getToken() || ''),
    onFrame: (f) => dispatch(f),
    onStatus: (s) => emit('connection', s),
    onOpen: () => {
      // Before the list is read again, so no change falls between the read and the watch.
      if (watched) sendWatch();
      onReconnect(first);
      first = false;
    },
    onFailure: (n) => {
      // Repeated refusals may mean the token expired: a REST call tells (401 signs out).
      if (n % 3 === 0) api.me().catch(() => {});
    },
  });

  const outbox = new Outbox({
    socket,
    post: (chatId, id, body) => api.send(chatId, id, body),
    onStored: (chatId, event) => {
      const view = chatView();
      if (view && view.chatId === chatId) view.feed.offer(event);
    },
    onAcked: (chatId, seq) => {
      // The push of our own message normally follows the ack; if it does not, read it.
      const view = chatView();
      if (view && view.chatId === chatId) setTimeout(() => { if (view.feed.lastSeq < seq) view.feed.catchUp().catch(() => {}); }, 1500);
    },
  });

  let resumeRetry = null;

  function dispatch(f) {
    if (outbox.handleFrame(f)) return;
    switch (f.type) {
      case 'chat_changed':
        applyChatChanged(f);
        break;
      case 'chat_rows':
        // The latest counts and idle times of chats in the list on screen, gathered. They update
        // rows on screen only: which lists hold a chat changes by `chat_changed` alone.
        for (const row of f.chats || []) emit('row-update', row);
        break;
      case 'event':
      case 'resumed':
      case 'typing':
      case 'chat_note': {
        const view = chatView();
        if (view && view.chatId === f.chat_id) view.frame(f);
        break;
      }
      case 'chat_removed':
        // The chat left a group whose lists this console shows (transferred away, purged).
        if (f.queue_counts) Object.assign(state.queueCounts, f.queue_counts);
        emit('gone', f.chat_id);
        emit('counts');
        break;
      case 'inbox_changed':
        // A message arrived in, or changed in, the inbox of one of my groups.
        emit('inbox-changed', f);
        break;
      case 'hand_off_alert':
        // To managers: a chat used up its group's hand-offs and waits for a person.
        emit('hand-off-alert', f);
        break;
      case 'unwatched':
        // The open chat moved where this agent may not follow: nothing more of it arrives.
        emit('revoked-chat', f);
        break;
      case 'session_ended':
        // The server closes this socket right after: `revoked` (sign in again) or
        // `access_changed` (groups or role changed: start afresh to see what is now ours).
        emit('session-ended', f);
        break;
      case 'error':
        // Refused watch/typing frames (a chat moved to a group we are not in) are not the
        // agent's business; a refused send is retried by the outbox over REST. A rate-limited
        // frame may have been the open chat's `resume`: ask again once the window has passed.
        if (f.error === 'rate_limited') {
          clearTimeout(resumeRetry);
          resumeRetry = setTimeout(() => { const view = chatView(); if (view) view.resume(); }, 5000);
        }
        console.warn('the chat server refused a frame:', f.action, f.error, f.message);
        break;
      default:
        break;
    }
  }

  /** Tells the server which list is on screen (a `viewQuery`-shaped view, or null). */
  function watchList(view) {
    const next = view ? wireView(view) : null;
    if (JSON.stringify(next) === JSON.stringify(watched)) return;
    watched = next;
    sendWatch();
  }

  socket.start();
  return { socket, outbox, watchList };
}

function wireView(view) {
  if (view.view === 'group') return { view: 'group', group_id: view.group_id, inactive: !!view.inactive };
  return { view: view.view };
}

export function applyChatChanged(f) {
  if (f.queue_counts) Object.assign(state.queueCounts, f.queue_counts);
  emit('row', f.chat);
  emit('chat-changed', f);
  emit('counts');
}

/** Keeps the My Active count right from rows as they pass by. */
export function trackMine(row) {
  const me = agent();
  if (!me || !row) return;
  if (row.state === 'active' && row.agent_id === me.id && !row.deleted) state.myActive.add(row.id);
  else state.myActive.delete(row.id);
}

/** Reads the counts the pushes then keep current (at start and after a reconnect). */
export async function loadCounts() {
  const [queue, mine] = await Promise.all([
    api.list({ view: 'queue' }).catch(() => null),
    api.list({ view: 'my_active' }).catch(() => null),
  ]);
  if (queue) {
    const counts = {};
    for (const g of agent().groups) counts[g] = 0;
    for (const r of queue.rows) counts[r.group_id] = (counts[r.group_id] || 0) + 1;
    state.queueCounts = counts;
  }
  if (mine) {
    state.myActive = new Set(mine.rows.map((r) => r.id));
    seedMine(mine.rows);
  }
  emit('counts');
}
