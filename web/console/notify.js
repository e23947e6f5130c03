// Tells the agent of what needs them while they look elsewhere: a chat that starts waiting in one
// of their groups' queues, a chat given to them (distribution, hand-off, a colleague's transfer),
// and a customer's message in one of their chats that is not on screen. How: a desktop
// notification (the browser's Notification API, asked for once), a short tone, and unread counts
// in the tab title and beside My Active. Which kinds and how are the agent's preferences
// (`notifications`, saved on the server with the list layout).
//
// "On screen" means the chat view of that chat is open in a tab that is visible: a message there
// is read as it arrives, anything else is news.

import { agent, emit, groupName, on, state } from './state.js';
import { chatRoute } from './views.js';

const ASKED_KEY = 'chatdesk.notifications.asked';
/** Assignments this long after the agent's own pull or take are their doing, not news. */
const OWN_ACTION_GRACE_MS = 2000;
/** Queue changes that put a customer in a queue anew. */
const QUEUED_CHANGES = new Set(['started', 'requeued', 'handed_off']);
/** Changes that give a chat to an agent. */
const ASSIGNED_CHANGES = new Set(['assigned', 'handed_off']);

/** Unread customer messages per chat of mine. */
const unread = new Map();
/** The message count of each chat of mine as last seen (what later rows are compared with). */
const seenCount = new Map();
let openChatId = () => null;
let ownActions = 0;
let ownActionEndedAt = 0;
let audio = null;

/** The agent's notification settings (defaults until the preferences say otherwise). */
export function settings() {
  const n = state.prefs && state.prefs.notifications;
  return { desktop: true, sound: true, new_chats: true, assigned: true, messages: true, ...(n || {}) };
}

/** Unread customer messages in my chats, in total. */
export function unreadTotal() {
  let n = 0;
  for (const v of unread.values()) n += v;
  return n;
}

/** Unread customer messages in one chat. */
export function unreadIn(chatId) {
  return unread.get(chatId) || 0;
}

/**
 * Starts listening. `currentChat` answers the id of the chat whose view is open (or null).
 */
export function startNotifier({ currentChat }) {
  openChatId = currentChat;
  on('chat-changed', (f) => changed(f.chat, f.change));
  on('row-update', (row) => messaged(row));
  on('chat-read', (chatId) => markRead(chatId));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      const id = openChatId();
      if (id) markRead(id);
    }
  });
  // Browsers start sound only after the person touched the page: get it ready at the first touch.
  document.addEventListener('pointerdown', unlockSound, { once: true, capture: true });
  document.addEventListener('keydown', unlockSound, { once: true, capture: true });
  offerPermission();
}

/** My active chats as a list read shows them: what later message counts are compared with. */
export function seedMine(rows) {
  const me = agent();
  for (const row of rows) {
    if (me && row.agent_id === me.id && row.state === 'active') seenCount.set(row.id, row.messages);
  }
}

/** Runs the agent's own pull or take: assignments it causes are not announced to them. */
export async function ownAction(work) {
  ownActions += 1;
  try {
    return await work();
  } finally {
    ownActions -= 1;
    ownActionEndedAt = Date.now();
  }
}

function actingMyself() {
  return ownActions > 0 || Date.now() - ownActionEndedAt < OWN_ACTION_GRACE_MS;
}

function onScreen(chatId) {
  return document.visibilityState === 'visible' && openChatId() === chatId;
}

/** A chat changed lists (`chat_changed`). */
function changed(row, change) {
  const me = agent();
  if (!me || !row) return;
  const mine = row.agent_id === me.id && row.state === 'active' && !row.deleted;
  if (!mine) {
    // Ended, transferred away, deleted: nothing of it is unread any more.
    seenCount.delete(row.id);
    if (unread.delete(row.id)) countsChanged();
  }
  if (row.deleted) return;
  if (row.state === 'queued' && QUEUED_CHANGES.has(change) && me.groups.includes(row.group_id)) {
    const s = settings();
    if (!s.new_chats) return;
    announce({
      title: `New chat waiting in ${groupName(row.group_id)}`,
      body: `${row.user}: ${row.question}`,
      chatId: row.id,
      tag: `queued-${row.id}`,
    });
    return;
  }
  if (mine && ASSIGNED_CHANGES.has(change)) {
    const known = seenCount.has(row.id);
    seenCount.set(row.id, row.messages);
    if (known || actingMyself() || onScreen(row.id) || !settings().assigned) return;
    announce({
      title: change === 'handed_off' ? `${row.user}'s chat was handed to you` : `${row.user}'s chat was given to you`,
      body: row.question,
      chatId: row.id,
      tag: `assigned-${row.id}`,
    });
  }
}

/** The latest row of a chat that received messages (`chat_rows`). */
function messaged(row) {
  const me = agent();
  if (!me || !row || row.agent_id !== me.id || row.state !== 'active' || row.deleted) return;
  const before = seenCount.get(row.id);
  if (before !== undefined && row.messages <= before) return;
  seenCount.set(row.id, row.messages);
  // The first row of a chat this console has not seen yet counts its customer's last message.
  const added = before === undefined ? 1 : row.messages - before;
  if (!row.customer_waiting || onScreen(row.id)) return;
  unread.set(row.id, unreadIn(row.id) + added);
  countsChanged();
  if (!settings().messages) return;
  announce({
    title: `New message from ${row.user}`,
    body: `${unreadIn(row.id)} unread in ${row.group_name || groupName(row.group_id)}`,
    chatId: row.id,
    tag: `message-${row.id}`,
  });
}

/** The chat is on screen: its messages are read. */
function markRead(chatId) {
  if (!chatId || !onScreen(chatId)) return;
  if (unread.delete(chatId)) countsChanged();
}

function countsChanged() {
  emit('unread', unreadTotal());
}

/** Shows `news` the ways the agent chose. */
function announce(news) {
  const s = settings();
  emit('notified', news);
  if (s.sound) chime();
  if (!s.desktop || !('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(news.title, { body: news.body, tag: news.tag });
    n.onclick = () => {
      window.focus();
      location.hash = chatRoute(news.chatId);
      n.close();
    };
  } catch (err) {
    // Some browsers only notify from a service worker; the tone and the counts still tell.
    console.warn('desktop notification failed', err);
  }
}

/** Offers, once per signed-in tab, to turn desktop notifications on (the browser itself asks
 * only when the agent clicks, and remembers the answer). Kept in the tab's session storage:
 * the console leaves nothing behind in the browser once the tab is closed. */
function offerPermission() {
  if (!settings().desktop || !('Notification' in window) || Notification.permission !== 'default') return;
  if (sessionStorage.getItem(ASKED_KEY)) return;
  sessionStorage.setItem(ASKED_KEY, '1');
  emit('offer-notifications');
}

/** Asks the browser for permission (from a click: browsers refuse to ask otherwise). */
export async function askPermission() {
  if (!('Notification' in window)) return 'unsupported';
  sessionStorage.setItem(ASKED_KEY, '1');
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

function unlockSound() {
  if (audio || typeof AudioContext === 'undefined') return;
  try {
    audio = new AudioContext();
  } catch {
    audio = null;
  }
}

/** Two short soft tones, made on the spot: no sound file to fetch. */
function chime() {
  if (!audio) return;
  if (audio.state === 'suspended') audio.resume().catch(() => {});
  const start = audio.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    const t = start + i * 0.14;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.12, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + 0.25);
  }
}
