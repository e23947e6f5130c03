// What the console knows about the signed-in agent and the organisation, read once at sign-in
// (and the queue counts, kept current by pushes). Modules read it; few write it.

export const state = {
  /** GET /api/me: {agent, groups, can_view_global, active_chats} */
  me: null,
  /** Every group (GET /api/groups), for names and transfers. */
  groups: [],
  /** Every agent (GET /api/agents), for transfers. */
  agents: [],
  /** GET /api/preferences: {columns, sort} */
  prefs: null,
  /** Queued chats per group id, from the queue list and `chat_changed.queue_counts`. */
  queueCounts: {},
  /** Ids of my active chats (for the My Active count). */
  myActive: new Set(),
};

export function agent() {
  return state.me && state.me.agent;
}

export function groupName(id) {
  const g = state.groups.find((x) => x.id === id) || (state.me && state.me.groups.find((x) => x.id === id));
  return g ? g.name : id;
}

export function isManager() {
  const a = agent();
  return !!a && (a.role === 'manager' || a.role === 'administrator');
}

export function isAdmin() {
  const a = agent();
  return !!a && a.role === 'administrator';
}

/** Queued chats across my groups. */
export function myQueueCount() {
  const a = agent();
  if (!a) return 0;
  return a.groups.reduce((n, g) => n + (state.queueCounts[g] || 0), 0);
}

// A tiny publish/subscribe so the nav, the list and the chat view hear about changes without
// importing each other.
const listeners = new Map();
export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
  return () => listeners.get(topic).delete(fn);
}
export function emit(topic, payload) {
  for (const fn of listeners.get(topic) || []) {
    try {
      fn(payload);
    } catch (err) {
      console.error(`listener of ${topic} failed`, err);
    }
  }
}
