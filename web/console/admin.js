// The Administration pane (administrators, `#/admin`, `#/admin/groups`, `#/admin/organisation`
// and `#/admin/audit`; groups and the organisation are drawn by admin-groups.js): the agents — create
// one (a generated password is shown once), change their name, role, groups and chat limit,
// deactivate (their consoles close at once), reactivate, reset a password, delete one who never
// had a chat — and the audit log of who changed what. The server decides every rule; its refusal
// is shown in its words.

import { h, replace } from '../lib/dom.js';
import { fullDateTime } from '../lib/format.js';
import { drawGroups, drawOrganisation } from './admin-groups.js';
import { api } from './api.js';
import { modal } from './dialogs.js';
import { isAdmin, state } from './state.js';
import { setTitle } from './nav.js';
import { toast } from './toast.js';

export const ADMIN_ROUTE = '#/admin';
export const AUDIT_ROUTE = '#/admin/audit';
export const GROUPS_ROUTE = '#/admin/groups';
export const ORGANISATION_ROUTE = '#/admin/organisation';
const TABS = [['agents', ADMIN_ROUTE, 'Agents'], ['groups', GROUPS_ROUTE, 'Groups'], ['organisation', ORGANISATION_ROUTE, 'Organisation'], ['audit', AUDIT_ROUTE, 'Audit log']];

const ROLES = [['agent', 'Agent'], ['manager', 'Manager'], ['administrator', 'Administrator']];
const ACTIONS = {
  agent_created: 'created agent',
  agent_updated: 'changed agent',
  agent_deactivated: 'deactivated agent',
  agent_reactivated: 'reactivated agent',
  agent_deleted: 'deleted agent',
  password_reset: 'reset the password of',
  group_created: 'created group',
  group_updated: 'changed group',
  group_removed: 'removed group',
  settings_updated: 'changed the organisation\'s',
  chat_deleted: 'deleted chat',
  chat_restored: 'restored chat',
  chat_purged: 'purged chat',
};

function groupName(id) {
  const g = state.groups.find((x) => x.id === id);
  return g ? g.name : id;
}

/** The agent form's fields (name, role, groups, limit; username, e-mail and password when creating). */
function agentFields(agent) {
  const creating = !agent;
  const field = (id, label, input, hint) => [h('label', { for: id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null), input];
  return [
    creating ? field('admin-username', 'Username', h('input', { id: 'admin-username', name: 'username', required: true, maxlength: '64', autocapitalize: 'none', spellcheck: 'false' }), '(letters, digits, - and _; also how they sign in)') : null,
    creating ? field('admin-email', 'E-mail', h('input', { id: 'admin-email', name: 'email', type: 'email', maxlength: '254', autocapitalize: 'none', spellcheck: 'false' }), '(the sign-in invitation goes there; needed where agents sign in with the user pool)') : null,
    field('admin-display-name', 'Name customers see', h('input', { id: 'admin-display-name', name: 'display_name', required: true, maxlength: '80', value: agent ? agent.display_name : '' })),
    field('admin-role', 'Role', h('select', { id: 'admin-role', name: 'role' },
      ROLES.map(([v, l]) => h('option', { value: v, selected: agent ? agent.role === v : v === 'agent' }, l)))),
    h('fieldset', { class: 'choice' }, h('legend', {}, 'Groups'),
      state.groups.map((g) => h('label', { class: 'check-row' },
        h('input', { type: 'checkbox', name: 'groups', value: g.id, checked: agent ? agent.groups.includes(g.id) : false }), ' ', g.name))),
    field('admin-max-chats', 'Chats at once', h('input', { id: 'admin-max-chats', name: 'max_concurrent_chats', type: 'number', min: '1', max: '100', value: String(agent ? agent.max_concurrent_chats : 5) })),
    creating ? field('admin-password', 'Password', h('input', { id: 'admin-password', name: 'password', type: 'password', autocomplete: 'new-password', minlength: '12' }), '(at least 12 characters; leave empty to generate one, or where agents sign in with the user pool, to rely on its invitation alone)') : null,
  ];
}

function formValues(form) {
  const groups = Array.from(form.querySelectorAll('input[name="groups"]:checked')).map((b) => b.value);
  const value = (name) => (form.elements[name] ? form.elements[name].value : undefined);
  return {
    username: value('username') && value('username').trim(),
    display_name: value('display_name').trim(),
    role: value('role'),
    groups,
    max_concurrent_chats: Number(value('max_concurrent_chats')),
    password: value('password') || undefined,
    email: (value('email') && value('email').trim()) || undefined,
  };
}

/** Shows a password once, with a copy button. */
function passwordDialog(title, who, password) {
  const box = h('input', { id: 'admin-new-password', readonly: true, value: password, class: 'password-once' });
  return modal({
    title,
    body: [
      h('p', {}, `Give ${who} this password. It is shown only now: chatdesk keeps only a hash of it.`),
      box,
      h('button', { type: 'button', class: 'small', onclick: () => { box.select(); navigator.clipboard && navigator.clipboard.writeText(password).catch(() => {}); } }, 'Copy'),
    ],
    buttons: [{ label: 'Done', value: 'ok', class: 'primary' }],
  });
}

export class AdminPane {
  constructor(root) {
    this.root = root;
    this.tab = null;
  }

  get isOpen() {
    return this.tab !== null;
  }

  open(tab) {
    this.tab = TABS.some(([t]) => t === tab) ? tab : 'agents';
    this.root.hidden = false;
    setTitle(TABS.find(([t]) => t === this.tab)[2]);
    if (!isAdmin()) {
      replace(this.root, h('div', { class: 'kb-head' }, h('h1', { id: 'admin-heading' }, 'Administration')),
        h('p', { class: 'error-box', role: 'alert' }, 'Only administrators manage agents, groups and the organisation, and read the audit log.'));
      return;
    }
    const tabs = h('nav', { class: 'kb-tabs', 'aria-label': 'Administration' },
      TABS.map(([t, href, label]) => h('a', { href, class: 'kb-tab', 'aria-current': this.tab === t ? 'page' : null }, label)));
    this.body = h('div', { class: 'kb-table-wrap', id: 'admin-body' });
    replace(this.root, h('div', { class: 'kb-head' }, h('h1', { id: 'admin-heading' }, 'Administration'), tabs), this.body);
    const tabNow = this.tab;
    const stillOpen = () => this.tab === tabNow;
    if (this.tab === 'audit') this.loadAudit();
    else if (this.tab === 'groups') drawGroups(this.body, stillOpen);
    else if (this.tab === 'organisation') drawOrganisation(this.body, stillOpen);
    else this.loadAgents();
  }

  close() {
    this.tab = null;
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  async loadAgents() {
    let agents;
    try {
      agents = await api.adminAgents();
    } catch (err) {
      replace(this.body, h('p', { class: 'error-box', role: 'alert' }, err.message));
      return;
    }
    if (this.tab !== 'agents') return;
    const me = state.me.agent.id;
    const rows = agents.map((a) => h('tr', { dataset: { agent: a.id }, class: a.active ? null : 'inactive' },
      h('td', {}, a.username),
      h('td', {}, a.display_name),
      h('td', {}, (ROLES.find(([v]) => v === a.role) || [a.role, a.role])[1]),
      h('td', {}, a.groups.map(groupName).join(', ')),
      h('td', { class: 'num' }, String(a.max_concurrent_chats)),
      h('td', { class: 'agent-status' }, a.active ? 'active' : `deactivated ${fullDateTime(a.deactivated_at)}`),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', class: 'small', onclick: () => this.edit(a) }, 'Edit'),
        a.id === me ? null : a.active
          ? h('button', { type: 'button', class: 'small', onclick: () => this.deactivate(a) }, 'Deactivate')
          : h('button', { type: 'button', class: 'small', onclick: () => this.reactivate(a) }, 'Reactivate'),
        h('button', { type: 'button', class: 'small', onclick: () => this.resetPassword(a) }, 'Reset password'),
        a.id === me ? null : h('button', { type: 'button', class: 'small danger', onclick: () => this.remove(a) }, 'Delete'))));
    replace(this.body,
      h('p', {}, h('button', { type: 'button', class: 'primary', id: 'admin-new-agent', onclick: () => this.create() }, 'New agent')),
      h('table', { class: 'kb-table', id: 'admin-agents' },
        h('thead', {}, h('tr', {}, ['Username', 'Name', 'Role', 'Groups', 'Chats at once', 'Status', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows)));
  }

  async create() {
    const result = await modal({
      title: 'New agent',
      className: 'admin-dialog',
      body: agentFields(null),
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Create', value: 'ok', class: 'primary' }],
      onSubmit: async (_v, form) => api.createAgent(formValues(form)),
    });
    if (!result) return;
    toast(`${result.agent.display_name} can sign in now.`, 'ok');
    if (result.password) await passwordDialog('Agent created', result.agent.display_name, result.password);
    this.loadAgents();
  }

  async edit(agent) {
    const saved = await modal({
      title: `Edit ${agent.username}`,
      className: 'admin-dialog',
      body: agentFields(agent),
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Save', value: 'ok', class: 'primary' }],
      onSubmit: async (_v, form) => {
        const { display_name, role, groups, max_concurrent_chats } = formValues(form);
        return api.updateAgent(agent.id, { display_name, role, groups, max_concurrent_chats });
      },
    });
    if (saved) this.loadAgents();
  }

  async deactivate(agent) {
    const done = await modal({
      title: `Deactivate ${agent.display_name}?`,
      body: h('p', {}, 'Their open consoles close now and they cannot sign in until reactivated. Their name stays on their chats.'),
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Deactivate', value: 'ok', class: 'danger' }],
      onSubmit: () => api.deactivateAgent(agent.id),
    });
    if (done) {
      toast(`${agent.display_name} is deactivated.`, 'ok');
      this.loadAgents();
    }
  }

  async reactivate(agent) {
    try {
      await api.reactivateAgent(agent.id);
      toast(`${agent.display_name} can sign in again.`, 'ok');
    } catch (err) {
      toast(err.message, 'error');
    }
    this.loadAgents();
  }

  async resetPassword(agent) {
    const reset = await modal({
      title: `Reset ${agent.display_name}'s password?`,
      body: h('p', {}, 'A new password is generated; their current sign-ins end.'),
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Reset password', value: 'ok', class: 'danger' }],
      onSubmit: () => api.resetPassword(agent.id),
    });
    if (reset) await passwordDialog('New password', agent.display_name, reset.password);
  }

  async remove(agent) {
    const done = await modal({
      title: `Delete ${agent.display_name}?`,
      body: h('p', {}, 'Only an agent who never had a chat can be deleted; deactivate anyone else.'),
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Delete', value: 'ok', class: 'danger' }],
      onSubmit: () => api.deleteAgent(agent.id),
    });
    if (done) this.loadAgents();
  }

  async loadAudit(before) {
    let page;
    try {
      page = await api.auditLog(before);
    } catch (err) {
      replace(this.body, h('p', { class: 'error-box', role: 'alert' }, err.message));
      return;
    }
    if (this.tab !== 'audit') return;
    const rows = page.entries.map((e) => h('tr', { dataset: { entry: e.id } },
      h('td', {}, fullDateTime(e.at)),
      h('td', {}, e.actor.kind === 'agent' ? `${e.actor.name} (${e.actor.id})` : 'operator (command line)'),
      h('td', { class: 'audit-action' }, `${ACTIONS[e.action] || e.action} ${e.target.id}`),
      h('td', {}, h('ul', { class: 'audit-changes' }, e.changes.map((c) => h('li', {},
        h('strong', {}, c.field), ': ', c.before === null ? '—' : c.before, ' → ', c.after === null ? '—' : c.after))))));
    let tbody = this.body.querySelector('#admin-audit tbody');
    if (!before || !tbody) {
      tbody = h('tbody', {});
      replace(this.body, h('table', { class: 'kb-table', id: 'admin-audit' },
        h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'Changes'].map((t) => h('th', { scope: 'col' }, t)))), tbody));
    }
    tbody.append(...rows);
    const more = this.body.querySelector('#admin-audit-more');
    if (more) more.remove();
    if (page.next) {
      this.body.append(h('p', {}, h('button', { type: 'button', class: 'small', id: 'admin-audit-more', onclick: () => this.loadAudit(page.next) }, 'Older entries')));
    }
  }
}
