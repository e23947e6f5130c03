// The navigation pane: My Active, My Completed, each of my groups (Active / Inactive), the Queue
// with its live count, Global Live Chats (members of every group only), Deleted and the
// Knowledge Base (managers and administrators).

import { $, $all, h, replace } from '../lib/dom.js';
import { isAdmin, isManager, myQueueCount, on, state } from './state.js';
import { ADMIN_ROUTE } from './admin.js';
import { CANNED_ROUTE } from './canned-pane.js';
import { unreadTotal } from './notify.js';
import { KB_ROUTE, SETTINGS_ROUTE, routeOf } from './views.js';
import { MESSAGES_ROUTE, inboxBadgeText } from './inbox.js';

function link(view, label, badgeId, extra = null) {
  return h('a', { href: routeOf(view), class: 'nav-link', dataset: { route: routeOf(view) } },
    h('span', { class: 'nav-label' }, label),
    extra,
    badgeId ? h('span', { class: 'badge', id: badgeId, 'aria-label': '' }) : null);
}

/** How a group hands out chats, as a tag beside its name (nothing for groups that pull). */
function distributionTag(distribution) {
  if (distribution === 'automatic') {
    return h('span', { class: 'nav-tag', title: 'Chats are handed out automatically to the least busy available member' }, 'auto');
  }
  if (distribution === 'round_robin') {
    return h('span', { class: 'nav-tag', title: 'Chats are handed out to available members in turn' }, 'turns');
  }
  return null;
}

export function renderNav() {
  const me = state.me;
  const groups = me.groups.map((g) => {
    const listId = `nav-group-${g.id}`;
    const toggle = h('button', { type: 'button', class: 'nav-group-toggle', 'aria-expanded': 'true', 'aria-controls': listId },
      h('span', { class: 'caret', 'aria-hidden': 'true' }, '▾'), g.name,
      distributionTag(g.distribution));
    const sub = h('ul', { id: listId, class: 'nav-sub' },
      h('li', {}, link({ view: 'group', group_id: g.id, inactive: false }, 'Active')),
      h('li', {}, link({ view: 'group', group_id: g.id, inactive: true }, 'Inactive')));
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') === 'true';
      toggle.setAttribute('aria-expanded', String(!open));
      sub.hidden = open;
    });
    return h('li', { class: 'nav-group' }, toggle, sub);
  });

  const items = [
    h('li', {}, link({ view: 'my_active' }, 'My Active', 'my-active-count',
      h('span', { class: 'badge unread', id: 'unread-count', 'aria-label': '', hidden: true }))),
    h('li', {}, link({ view: 'my_completed' }, 'My Completed')),
    ...groups,
    h('li', {}, link({ view: 'queue' }, 'Queue', 'queue-count')),
    me.can_view_global ? h('li', {}, link({ view: 'global' }, 'Global Live Chats')) : null,
    isManager() ? h('li', {}, link({ view: 'deleted' }, 'Deleted')) : null,
  ];
  replace($('#nav'),
    h('h2', { class: 'nav-title' }, 'Live Chats'),
    h('ul', { class: 'nav-list' }, items),
    h('h2', { class: 'nav-title nav-title-later' }, 'Offline'),
    h('ul', { class: 'nav-list' },
      h('li', {}, h('a', { href: MESSAGES_ROUTE, class: 'nav-link', id: 'nav-messages', dataset: { route: MESSAGES_ROUTE } },
        h('span', { class: 'nav-label' }, 'Messages'),
        h('span', { class: 'badge', id: 'messages-count', 'aria-label': '' }))),
      h('li', {}, h('a', { href: CANNED_ROUTE, class: 'nav-link', id: 'nav-canned', dataset: { route: CANNED_ROUTE } },
        h('span', { class: 'nav-label' }, 'Canned Replies')))),
    isManager() ? [
      h('h2', { class: 'nav-title nav-title-later' }, 'Knowledge'),
      h('ul', { class: 'nav-list' },
        h('li', {}, h('a', { href: KB_ROUTE, class: 'nav-link', id: 'nav-kb', dataset: { route: KB_ROUTE } },
          h('span', { class: 'nav-label' }, 'Knowledge Base')))),
    ] : null,
    isManager() ? [
      h('h2', { class: 'nav-title nav-title-later' }, 'Settings'),
      h('ul', { class: 'nav-list' },
        h('li', {}, h('a', { href: SETTINGS_ROUTE, class: 'nav-link', id: 'nav-settings', dataset: { route: SETTINGS_ROUTE } },
          h('span', { class: 'nav-label' }, 'Group Settings'))),
        isAdmin() ? h('li', {}, h('a', { href: ADMIN_ROUTE, class: 'nav-link', id: 'nav-admin', dataset: { route: ADMIN_ROUTE } },
          h('span', { class: 'nav-label' }, 'Agents & audit log'))) : null),
    ] : null,
    isManager() ? h('div', { class: 'nav-footer' },
      h('a', { href: '../chat/link-builder.html', target: '_blank', rel: 'noopener' }, 'Chat link builder ↗')) : null,
  );
  updateCounts();
  // Drawn again when a group's distribution changes: listen once.
  if (!listening) {
    on('counts', updateCounts);
    on('inbox-counts', updateInboxCount);
  }
  updateInboxCount();
  listening = true;
}

let listening = false;

export function updateCounts() {
  const q = myQueueCount();
  const queue = $('#queue-count');
  if (queue) {
    queue.textContent = String(q);
    queue.classList.toggle('hot', q > 0);
    queue.setAttribute('aria-label', `${q} waiting`);
  }
  const mine = $('#my-active-count');
  if (mine) {
    const n = state.myActive.size;
    mine.textContent = n ? String(n) : '';
    mine.setAttribute('aria-label', n ? `${n} active` : '');
  }
  const unread = $('#unread-count');
  if (unread) {
    const u = unreadTotal();
    unread.hidden = u === 0;
    unread.textContent = u ? String(u) : '';
    unread.setAttribute('aria-label', u ? `${u} unread` : '');
    unread.title = u ? `${u} unread ${u === 1 ? 'message' : 'messages'} from your customers` : '';
  }
  drawTitle();
}

let baseTitle = 'chatdesk';

/** The Messages badge: open messages in my groups' inboxes. */
function updateInboxCount() {
  const badge = $('#messages-count');
  if (!badge) return;
  const text = inboxBadgeText();
  badge.textContent = text;
  badge.setAttribute('aria-label', text ? `${text} open` : '');
}

export function setTitle(text) {
  baseTitle = `${text} — chatdesk`;
  drawTitle();
}

/** The tab title: what is open, prefixed with unread customer messages and the customers
 * waiting, so an agent working in another tab notices them. */
function drawTitle() {
  const q = myQueueCount();
  const u = unreadTotal();
  const news = [u > 0 ? `${u} unread` : null, q > 0 ? `${q} waiting` : null].filter(Boolean);
  document.title = news.length ? `(${news.join(', ')}) ${baseTitle}` : baseTitle;
}

export function markCurrent(route) {
  for (const a of $all('#nav .nav-link')) {
    if (a.dataset.route === route) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}
