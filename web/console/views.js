// The lists of the navigation pane: how each is addressed in the URL (so a reload reopens it),
// what it is called, how it is asked for, and which chats belong in it — the last is what lets a
// `chat_changed` push insert, update or remove a row without reading the list again. These rules
// mirror the server's filters (shared/src/app/lists.rs).

export const DEFAULT_VIEW = { view: 'my_active' };

/** '#/group/support/inactive' -> {view:'group', group_id:'support', inactive:true} */
export function parseRoute(hash) {
  const parts = String(hash || '').replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'my_active':
    case 'my_completed':
    case 'queue':
    case 'global':
    case 'deleted':
      return { kind: 'list', view: { view: parts[0] } };
    case 'group':
      if (parts[1]) return { kind: 'list', view: { view: 'group', group_id: parts[1], inactive: parts[2] === 'inactive' } };
      break;
    case 'chat':
      if (parts[1]) return { kind: 'chat', chatId: parts[1] };
      break;
    case 'kb':
      return { kind: 'kb', tab: parts[1] === 'deflection' ? 'deflection' : 'articles' };
    case 'settings':
      return { kind: 'settings', groupId: parts[1] || null };
    case 'messages':
      return { kind: 'messages', groupId: parts[1] || null, status: parts[2] || 'open' };
    case 'message':
      if (parts[1]) return { kind: 'message', messageId: parts[1] };
      break;
    case 'canned':
      return { kind: 'canned' };
    case 'admin':
      return { kind: 'admin', tab: ['audit', 'groups', 'organisation'].includes(parts[1]) ? parts[1] : 'agents' };
    default:
      break;
  }
  return { kind: 'list', view: DEFAULT_VIEW };
}

export function routeOf(view) {
  if (view.view === 'group') return `#/group/${encodeURIComponent(view.group_id)}${view.inactive ? '/inactive' : ''}`;
  return `#/${view.view}`;
}

/** The Knowledge Base pane (managers and administrators): its Articles and Deflection tabs. */
export const KB_ROUTE = '#/kb';
export const KB_DEFLECTION_ROUTE = '#/kb/deflection';

/** The Group Settings pane (managers and administrators), on one group or the first. */
export const SETTINGS_ROUTE = '#/settings';

export function settingsRoute(groupId) {
  return `${SETTINGS_ROUTE}/${encodeURIComponent(groupId)}`;
}

export function chatRoute(chatId) {
  return `#/chat/${encodeURIComponent(chatId)}`;
}

export function sameView(a, b) {
  return !!a && !!b && routeOf(a) === routeOf(b);
}

export function viewTitle(view, groupName) {
  switch (view.view) {
    case 'my_active': return 'My Active';
    case 'my_completed': return 'My Completed';
    case 'queue': return 'Queue';
    case 'global': return 'Global Live Chats';
    case 'deleted': return 'Deleted';
    case 'group': return `${groupName(view.group_id)} — ${view.inactive ? 'Inactive' : 'Active'}`;
    default: return 'Live Chats';
  }
}

/** The query parameters of GET /api/chats for a view. */
export function viewQuery(view) {
  const q = { view: view.view };
  if (view.view === 'group') {
    q.group_id = view.group_id;
    q.inactive = !!view.inactive;
  }
  return q;
}

/** Whether `row` belongs in `view` for the agent `me` (an Agent with id and groups). */
export function belongs(view, row, me) {
  const mine = me.groups.includes(row.group_id);
  const live = row.state === 'queued' || row.state === 'active';
  if (view.view === 'deleted') return row.deleted && mine;
  if (row.deleted) return false;
  switch (view.view) {
    case 'my_active': return row.state === 'active' && row.agent_id === me.id;
    case 'my_completed': return row.state === 'inactive' && row.agent_id === me.id;
    case 'queue': return row.state === 'queued' && mine;
    case 'global': return true;
    case 'group': return row.group_id === view.group_id && (view.inactive ? row.state === 'inactive' : live);
    default: return false;
  }
}

/** What an empty list says. */
export function emptyText(view) {
  switch (view.view) {
    case 'my_active': return 'You have no active chats. Pull one from the queue when you are ready.';
    case 'my_completed': return 'No completed chats yet.';
    case 'queue': return 'Nobody is waiting. New chats appear here as soon as customers start them.';
    case 'deleted': return 'No deleted chats.';
    case 'group': return view.inactive ? 'No ended chats in this group.' : 'No live chats in this group.';
    default: return 'No chats.';
  }
}
