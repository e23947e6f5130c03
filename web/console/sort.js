// The list order, the same as the server's (shared/src/domain/sort.rs), so a row that a push
// inserts lands where a fresh read would put it: the column, then idle time in the same
// direction, then the chat id — a total order, stable between refreshes.

import { idleMs, queueMs } from './columns.js';

const STATE_RANK = { queued: 0, active: 1, inactive: 2 };

function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Case-insensitive, with the exact text second so "ann" and "Ann" never compare equal. */
function textCmp(a, b) {
  return cmp(String(a).toLowerCase(), String(b).toLowerCase()) || cmp(String(a), String(b));
}

function tagsCmp(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const c = cmp(a[i], b[i]);
    if (c) return c;
  }
  return cmp(a.length, b.length);
}

function columnCmp(column, a, b) {
  switch (column) {
    case 'status':
      return cmp(STATE_RANK[a.state] ?? 9, STATE_RANK[b.state] ?? 9) || cmp(a.follow_up ? 1 : 0, b.follow_up ? 1 : 0);
    case 'user': return textCmp(a.user, b.user);
    case 'group': return textCmp(a.group_name, b.group_name);
    case 'started': return cmp(a.started_at, b.started_at);
    case 'queue_time': return cmp(queueMs(a), queueMs(b));
    case 'idle': return cmp(idleMs(a), idleMs(b));
    case 'messages': return cmp(a.messages, b.messages);
    // Unrated chats sort before any rating ascending.
    case 'rating': return cmp(a.rating ?? 0, b.rating ?? 0);
    // Untagged chats first ascending, then tag by tag (the server's order of sorted tag lists).
    case 'tags': return tagsCmp(a.tags || [], b.tags || []);
    case 'agent':
      // Unassigned chats sort before any agent name ascending.
      if (!a.agent_name && !b.agent_name) return 0;
      if (!a.agent_name) return -1;
      if (!b.agent_name) return 1;
      return textCmp(a.agent_name, b.agent_name);
    default: return 0;
  }
}

export function compareRows(sort, a, b) {
  const asc = columnCmp(sort.column, a, b) || cmp(idleMs(a), idleMs(b)) || cmp(a.id, b.id);
  return sort.direction === 'desc' ? -asc : asc;
}

export function sortRows(rows, sort) {
  return rows.sort((a, b) => compareRows(sort, a, b));
}
