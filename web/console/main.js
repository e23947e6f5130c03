// The agent console: sign-in, then the navigation pane, the list with its toolbar, the chat view
// and the Knowledge Base pane, routed by the URL hash (#/queue, #/group/support/inactive,
// #/chat/<id>, #/kb, #/kb/deflection) so a reload reopens the same place. Agents sign in with a
// chatdesk password, or at the deployment's identity provider when it has one (oidc.js), whose
// short-lived token is then renewed in the background (renewal.js).

import { $, h, replace } from '../lib/dom.js';
import { api, onUnauthorized } from './api.js';
import { getLogoutUrl, getRefresh, getToken, setToken } from './session.js';
import { clearCallback, finishSignIn, loadSignInConfig, readCallback, startSignIn } from './oidc.js';
import { Renewal } from './renewal.js';
import { emit, groupName, on, state } from './state.js';
import { renderNav, markCurrent, updateCounts } from './nav.js';
import { ListController } from './list.js';
import { setupToolbar } from './toolbar.js';
import { ChatView } from './chatview.js';
import { startLive, loadCounts, trackMine } from './live.js';
import { chatRoute, parseRoute, routeOf, DEFAULT_VIEW, KB_ROUTE, SETTINGS_ROUTE } from './views.js';
import { KnowledgePane } from './kb.js';
import { GroupSettingsPane } from './group-settings.js';
import { InboxPane, loadInboxCounts, MESSAGES_ROUTE } from './inbox.js';
import { toast } from './toast.js';
import { PresenceSwitch } from './presence.js';
import { withAllColumns } from './prefs.js';
import { askPermission, startNotifier } from './notify.js';
import { NotificationSettings } from './notify-settings.js';
import { ADMIN_ROUTE, AdminPane } from './admin.js';
import { CANNED_ROUTE, CannedPane } from './canned-pane.js';

/** What the socket watches when no list is on screen (a chat, another pane, a hidden tab): the
 * agent's own active chats, whose messages the console tells of. */
const BACKGROUND_VIEW = { view: 'my_active' };
const LIST_REFRESH_MS = 30_000;
const LIST_REFRESH_OFFLINE_MS = 5_000;

let list = null;
let chatView = null;
let knowledge = null;
let settings = null;
let inbox = null;
let admin = null;
let canned = null;
let live = null;
let presence = null;
let lastListRoute = routeOf(DEFAULT_VIEW);
// While a sign-in at the identity provider is being checked, its 401 is answered by that check.
let checkingProviderSignIn = false;
// Renews the identity provider's ID token before it expires; when it cannot, the agent signs in again.
const renewal = new Renewal({ onEnded: (message) => signOut(message) });
/** A 401 this close to the token's expiry is taken for the expiry (the server allows 30 s of skew). */
const EXPIRY_MARGIN_MS = 60_000;
// A token this close to its end may run out on its way: renew it first.
const TOKEN_USABLE_MARGIN_MS = 3_000;

// ---- sign-in ------------------------------------------------------------------------------------

function showLogin(message) {
  $('#app-view').hidden = true;
  $('#login-view').hidden = false;
  setLoginStatus('');
  const err = $('#login-error');
  err.textContent = message || '';
  err.hidden = !message;
  $('#login-username').focus();
  offerProviderSignIn();
}

function setLoginStatus(text) {
  const status = $('#login-status');
  status.textContent = text;
  status.hidden = !text;
}

/** The identity provider's button, when the deployment has one; password sign-in stays either way. */
async function offerProviderSignIn() {
  const config = await loadSignInConfig();
  if (!config) return;
  const button = $('#login-sso-button');
  button.textContent = `Sign in with ${config.provider_name}`;
  button.onclick = async () => {
    button.disabled = true;
    $('#login-error').hidden = true;
    setLoginStatus(`Taking you to ${config.provider_name}…`);
    try {
      await startSignIn(config);
    } catch (error) {
      setLoginStatus('');
      const err = $('#login-error');
      err.textContent = error.message;
      err.hidden = false;
      button.disabled = false;
    }
  };
  $('#login-sso').hidden = false;
}

/** The console was opened by the identity provider's redirect (`?code=&state=` or `?error=`). */
async function completeProviderSignIn(callback) {
  // Out of the address bar before anything else: a reload, a bookmark or a shared link never
  // carries the code.
  clearCallback();
  $('#app-view').hidden = true;
  $('#login-view').hidden = false;
  setLoginStatus('Completing your sign-in…');
  let signed;
  try {
    signed = await finishSignIn(callback);
  } catch (error) {
    showLogin(error.message);
    return;
  }
  setToken(signed.token, { logoutUrl: signed.logoutUrl, refresh: signed.refresh });
  if (signed.hash) history.replaceState(null, '', `${location.pathname}${signed.hash}`);
  // First ask whether chatdesk accepts this person, so a refusal gets its own explanation
  // rather than "your session has ended".
  checkingProviderSignIn = true;
  try {
    await api.me();
  } catch (error) {
    setToken(null);
    if (error.status === 401 || error.status === 403) {
      const who = signed.username ? `Signed in as ${signed.username}` : 'Signed in';
      showLogin(`${who} at the identity provider, but no chatdesk agent has that username; ask an administrator. (The server answered: ${error.message.replace(/\.$/, '')}.)`);
    } else {
      showLogin(error.message);
    }
    return;
  } finally {
    checkingProviderSignIn = false;
  }
  try {
    await startConsole();
  } catch (error) {
    if (error.status !== 401) showLogin(error.message);
  }
}

function setupLogin() {
  $('#login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const username = $('#login-username').value.trim();
    const password = $('#login-password').value;
    const err = $('#login-error');
    if (!username || !password) {
      err.textContent = 'Enter your username and password.';
      err.hidden = false;
      return;
    }
    const button = $('#login-submit');
    button.disabled = true;
    try {
      const signed = await api.login(username, password);
      setToken(signed.token);
      $('#login-password').value = '';
      await startConsole();
    } catch (error) {
      err.textContent = error.message;
      err.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}

/** @param {{endProviderSession?: boolean}} [opts]  also sign out at the identity provider */
function signOut(message, { endProviderSession = false } = {}) {
  const logoutUrl = endProviderSession ? getLogoutUrl() : null;
  renewal.stop();
  setToken(null);
  if (logoutUrl) {
    // The provider's logout ends its own session (else its button would sign the same person
    // straight back in) and sends the browser back to the console's sign-in screen.
    if (live) live.socket.stop();
    location.replace(logoutUrl);
    return;
  }
  // Simplest way to drop every socket, timer and listener of the session: start the page afresh.
  if (live) {
    live.socket.stop();
    sessionStorage.setItem('chatdesk.signout.message', message || '');
    location.replace(location.pathname);
    return;
  }
  showLogin(message);
}

// ---- the console ----------------------------------------------------------------------------------

async function startConsole() {
  const [me, groups, agents, prefs] = await Promise.all([api.me(), api.groups(), api.agents(), api.preferences()]);
  Object.assign(state, { me, groups, agents, prefs: withAllColumns(prefs) });
  renewal.start();
  $('#login-view').hidden = true;
  $('#app-view').hidden = false;
  renderTopbar();
  renderNav();
  list = new ListController();
  list.tokenReady = tokenUsable;
  setupToolbar(list);
  knowledge = new KnowledgePane($('#kb-view'));
  settings = new GroupSettingsPane($('#settings-view'));
  inbox = new InboxPane($('#inbox-view'));
  admin = new AdminPane($('#admin-view'));
  canned = new CannedPane($('#canned-view'));

  on('row', (row) => {
    trackMine(row);
    list.applyRow(row);
    if (chatView && chatView.chatId === row.id) chatView.setRow(row);
  });
  on('row-update', (row) => {
    list.updateRow(row);
    if (chatView && chatView.chatId === row.id) chatView.setRow(row);
  });
  on('gone', (id) => {
    list.removeRow(id);
    if (chatView && chatView.chatId === id) chatView.back();
  });
  on('counts', updateCounts);
  on('unread', updateCounts);
  on('offer-notifications', () => {
    toast('Turn on desktop notifications to hear of new chats and messages while you work elsewhere?', 'info', 60_000,
      { label: 'Turn on', run: () => askPermission() });
  });
  startNotifier({ currentChat: () => (chatView ? chatView.chatId : null) });
  on('revoked-chat', (f) => {
    list.removeRow(f.chat_id);
    if (chatView && chatView.chatId === f.chat_id) {
      toast(f.reason === 'purged'
        ? 'This chat was purged.'
        : 'This chat moved to a group or agent you do not work with; it is closed here.', 'info');
      chatView.back();
    }
  });
  on('hand-off-alert', (f) => {
    // Stays until dismissed or opened: nobody is looking after this customer.
    const times = f.hand_offs === 1 ? 'once' : `${f.hand_offs} times`;
    toast(`${f.customer_name}'s chat in ${groupName(f.group_id)} was handed off ${times} without an answer and now waits in the queue for a person.`,
      'alert', 10 * 60_000, { label: 'Open chat', run: () => { location.hash = chatRoute(f.chat_id); } });
  });
  on('session-ended', (f) => {
    if (f.reason === 'revoked') signOut(f.message || 'Your sign-in was revoked. Please sign in again.');
    else location.reload();
  });

  live = startLive({
    chatView: () => chatView,
    onReconnect: async (first) => {
      // A socket back after the token ran out (its renewal late or refused): nothing is read
      // with a token the server would refuse.
      if (!(await tokenUsable())) return;
      // Whatever changed while the socket was down: read it again (the first time too, since the
      // list was read before the socket opened).
      if (!first || list.view) list.reload();
      loadCounts();
      loadInboxCounts();
      presence.refresh();
      if (chatView) chatView.resume();
    },
  });
  await loadCounts();
  loadInboxCounts();

  window.addEventListener('hashchange', route);
  // Escape leaves a chat for the list (dialogs and menus handle their own Escape first).
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented || !chatView || document.querySelector('dialog[open]')) return;
    location.hash = lastListRoute;
  });
  route();

  // A tab in the background shows no list: it keeps only the rows of the agent's own chats (their
  // customers' messages are news), the changes that move chats between lists still come for the
  // counts, and it reads its list again when it is back.
  document.addEventListener('visibilitychange', async () => {
    if (!list.view || $('#list-view').hidden) return;
    if (document.visibilityState === 'hidden') {
      live.watchList(BACKGROUND_VIEW);
    } else {
      live.watchList(list.view);
      // A tab back after its provider token ran out renews it before reading anything.
      if (await tokenUsable()) list.reload();
    }
  });

  // Clocks tick every second; colours that depend on server thresholds refresh with the list.
  setInterval(() => list.tick(), 1000);
  // Without the socket the list is read more often, so it stays usable (if slower) offline.
  let lastRefresh = Date.now();
  setInterval(async () => {
    const due = live.socket.isOpen ? LIST_REFRESH_MS : LIST_REFRESH_OFFLINE_MS;
    if (Date.now() - lastRefresh < due) return;
    lastRefresh = Date.now();
    if (document.visibilityState !== 'visible' || $('#list-view').hidden) return;
    if (await tokenUsable()) list.reload();
  }, 1000);
}

/** Whether the console may ask the server something on its own (a reconnect, a timer): yes,
 * unless the provider's token has run out, in which case it waits for the renewal (false when
 * that ends the session). */
async function tokenUsable() {
  if (!getRefresh() || !renewal.isExpired(TOKEN_USABLE_MARGIN_MS)) return true;
  return (await renewal.renew()) === 'renewed';
}

function renderTopbar() {
  const me = state.me.agent;
  const role = { agent: 'Agent', manager: 'Manager', administrator: 'Administrator' }[me.role] || me.role;
  replace($('#me-name'), h('span', { class: 'me-display' }, me.display_name), ' ', h('span', { class: 'me-role' }, role));
  presence = new PresenceSwitch($('#availability'));
  new NotificationSettings($('#notify-settings'));
  $('#sign-out').onclick = () => signOut(undefined, { endProviderSession: true });
  const conn = $('#conn-status');
  let timer = null;
  on('connection', (s) => {
    clearTimeout(timer);
    if (s === 'open') {
      conn.className = 'conn-status live';
      conn.textContent = 'Live';
      conn.title = 'Changes appear as they happen.';
    } else {
      // A blip of a second is not worth a warning.
      timer = setTimeout(() => {
        conn.className = 'conn-status down';
        conn.textContent = 'Reconnecting…';
        conn.title = 'The live connection dropped; it comes back by itself and catches up.';
      }, 1500);
    }
  });
}

// ---- routing ------------------------------------------------------------------------------------

function route() {
  const r = parseRoute(location.hash);
  if (r.kind === 'chat') {
    openChat(r.chatId);
    return;
  }
  if (r.kind === 'kb') {
    openKnowledge(r.tab);
    return;
  }
  if (r.kind === 'settings') {
    openSettings(r.groupId);
    return;
  }
  if (r.kind === 'messages' || r.kind === 'message') {
    openInbox(r);
    return;
  }
  if (r.kind === 'admin') {
    openAdmin(r.tab);
    return;
  }
  if (r.kind === 'canned') {
    openCanned();
    return;
  }
  let view = r.view;
  if (view.view === 'group' && !state.me.agent.groups.includes(view.group_id)) view = DEFAULT_VIEW;
  closeChat();
  closeKnowledge();
  closeSettings();
  closeInbox();
  closeAdmin();
  closeCanned();
  lastListRoute = routeOf(view);
  if (location.hash !== lastListRoute) history.replaceState(null, '', lastListRoute);
  markCurrent(lastListRoute);
  $('#list-view').hidden = false;
  list.open(view);
  live.watchList(view);
  emit('view', view);
}

function openChat(chatId) {
  if (chatView && chatView.chatId === chatId) return;
  closeChat();
  closeKnowledge();
  closeSettings();
  closeInbox();
  closeAdmin();
  closeCanned();
  $('#list-view').hidden = true;
  markCurrent(null);
  live.watchList(BACKGROUND_VIEW);
  chatView = new ChatView({
    chatId,
    socket: live.socket,
    outbox: live.outbox,
    back: () => { location.hash = lastListRoute; },
  });
  chatView.open();
  emit('chat-read', chatId);
}

/** The Knowledge Base pane; it tells an agent who is not a manager that it is not for them. */
function openKnowledge(tab) {
  closeChat();
  closeSettings();
  closeInbox();
  closeAdmin();
  closeCanned();
  $('#list-view').hidden = true;
  markCurrent(KB_ROUTE);
  live.watchList(BACKGROUND_VIEW);
  $('#topbar-section').textContent = 'Knowledge Base';
  knowledge.open(tab);
}

/** The Group Settings pane; like the Knowledge Base, it turns agents away. */
function openSettings(groupId) {
  closeChat();
  closeKnowledge();
  closeInbox();
  closeAdmin();
  closeCanned();
  $('#list-view').hidden = true;
  markCurrent(SETTINGS_ROUTE);
  live.watchList(BACKGROUND_VIEW);
  $('#topbar-section').textContent = 'Settings';
  settings.open(groupId);
}

/** The Messages pane: a group's inbox, or one message. */
function openInbox(r) {
  closeChat();
  closeKnowledge();
  closeSettings();
  closeAdmin();
  closeCanned();
  $('#list-view').hidden = true;
  markCurrent(MESSAGES_ROUTE);
  live.watchList(BACKGROUND_VIEW);
  $('#topbar-section').textContent = 'Messages';
  if (r.kind === 'message') inbox.openMessage(r.messageId);
  else inbox.openList(r.groupId, r.status);
}

/** The Canned Replies pane: the replies this agent sees, and managing their own. */
function openCanned() {
  closeChat();
  closeKnowledge();
  closeSettings();
  closeInbox();
  closeAdmin();
  $('#list-view').hidden = true;
  markCurrent(CANNED_ROUTE);
  live.watchList(BACKGROUND_VIEW);
  $('#topbar-section').textContent = 'Canned Replies';
  canned.open();
}

function closeCanned() {
  if (!canned || !canned.isOpen) return;
  canned.close();
  $('#topbar-section').textContent = 'Live Chats';
}

/** The Administration pane: agents and the audit log (administrators). */
function openAdmin(tab) {
  closeChat();
  closeKnowledge();
  closeSettings();
  closeInbox();
  closeCanned();
  $('#list-view').hidden = true;
  markCurrent(ADMIN_ROUTE);
  live.watchList(BACKGROUND_VIEW);
  $('#topbar-section').textContent = 'Administration';
  admin.open(tab);
}

function closeAdmin() {
  if (!admin || !admin.isOpen) return;
  admin.close();
  $('#topbar-section').textContent = 'Live Chats';
}

function closeInbox() {
  if (!inbox || !inbox.isOpen) return;
  inbox.close();
  $('#topbar-section').textContent = 'Live Chats';
}

function closeSettings() {
  if (!settings || !settings.isOpen) return;
  settings.close();
  $('#topbar-section').textContent = 'Live Chats';
}

function closeKnowledge() {
  if (!knowledge || knowledge.tab === null) return;
  knowledge.close();
  $('#topbar-section').textContent = 'Live Chats';
}

function closeChat() {
  if (!chatView) return;
  chatView.close();
  chatView = null;
  $('#chat-view').hidden = true;
  $('#chat-view').replaceChildren();
}

// ---- start --------------------------------------------------------------------------------------

async function boot() {
  setupLogin();
  onUnauthorized(() => {
    // Several requests may be refused at once: the first one signs out.
    if (checkingProviderSignIn || !getToken()) return;
    // The identity provider's token ran out before its renewal (a tab throttled or asleep past
    // the schedule): renew it rather than end the session; the renewal signs out if it cannot.
    // Any other 401 (a renewed token refused too, say) ends the session as before.
    if (renewal.running || (getRefresh() && renewal.isExpired(EXPIRY_MARGIN_MS))) {
      renewal.renew();
      return;
    }
    signOut('Your session has ended. Please sign in again.');
  });
  const message = sessionStorage.getItem('chatdesk.signout.message');
  sessionStorage.removeItem('chatdesk.signout.message');
  const callback = readCallback();
  if (callback) {
    await completeProviderSignIn(callback);
    return;
  }
  if (!getToken()) {
    showLogin(message);
    return;
  }
  if (renewal.isDue()) {
    // Back to a tab whose provider token is at or past its end (a reload, a restored tab).
    const renewing = renewal.renew();
    if (renewal.isExpired(EXPIRY_MARGIN_MS)) {
      // Its requests would be refused: wait for the new token rather than fail them all.
      $('#login-view').hidden = false;
      setLoginStatus(`Renewing your sign-in at ${getRefresh().provider_name}…`);
      // Ended: the agent is on the sign-in screen with the reason.
      if ((await renewing) === 'ended') return;
      setLoginStatus('');
    }
  }
  try {
    await startConsole();
  } catch (err) {
    if (err.status !== 401) showLogin(err.message);
  }
}

boot();
