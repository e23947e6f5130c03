// The Administration pane's Groups and Organisation tabs (administrators). Groups: create one,
// rename it, choose its members, open its settings page (routing, hand-off timers, hours,
// offline behaviour, texts), and remove it, moving its chats and messages to another group
// first. Organisation: the idle thresholds every console colours by, and the sign-in methods
// in use. The server decides every rule; its refusal is shown in its words.

import { h, replace } from '../lib/dom.js';
import { api } from './api.js';
import { modal } from './dialogs.js';
import { settingsRoute } from './views.js';
import { toast } from './toast.js';

const DISTRIBUTIONS = { pull: 'Pulled from the queue', least_busy: 'Least busy', round_robin: 'Round robin' };

function field(id, label, input, hint) {
  return [h('label', { for: id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null), input];
}

/** Draws the Groups tab into `body`; `stillOpen()` says whether the tab is still showing. */
export async function drawGroups(body, stillOpen) {
  let groups;
  let agents;
  try {
    [groups, agents] = await Promise.all([api.adminGroups(), api.adminAgents()]);
  } catch (err) {
    replace(body, h('p', { class: 'error-box', role: 'alert' }, err.message));
    return;
  }
  if (!stillOpen()) return;
  const redraw = () => drawGroups(body, stillOpen);
  const nameOf = (id) => (agents.find((a) => a.id === id) || { display_name: id }).display_name;
  const rows = groups.map((g) => h('tr', { dataset: { group: g.id } },
    h('td', { class: 'group-name' }, g.name),
    h('td', {}, g.id),
    h('td', {}, DISTRIBUTIONS[g.distribution] || g.distribution),
    h('td', { class: 'group-members' }, g.members.map(nameOf).join(', ') || '—'),
    h('td', { class: 'row-actions' },
      h('button', { type: 'button', class: 'small', onclick: () => rename(g).then((ok) => ok && redraw()) }, 'Rename'),
      h('button', { type: 'button', class: 'small', onclick: () => members(g, agents).then((ok) => ok && redraw()) }, 'Members'),
      h('button', { type: 'button', class: 'small', onclick: () => { location.hash = settingsRoute(g.id); } }, 'Settings'),
      h('button', { type: 'button', class: 'small danger', onclick: () => remove(g, groups).then((ok) => ok && redraw()) }, 'Remove'))));
  replace(body,
    h('p', {}, h('button', { type: 'button', class: 'primary', id: 'admin-new-group', onclick: () => create().then((ok) => ok && redraw()) }, 'New group')),
    h('table', { class: 'kb-table', id: 'admin-groups' },
      h('thead', {}, h('tr', {}, ['Name', 'Id', 'Chats reach agents', 'Members', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)));
}

async function create() {
  const created = await modal({
    title: 'New group',
    className: 'admin-dialog',
    body: [
      field('admin-group-id', 'Id', h('input', { id: 'admin-group-id', name: 'id', required: true, maxlength: '64', autocapitalize: 'none', spellcheck: 'false' }), '(letters, digits, - and _; in links, never changes)'),
      field('admin-group-name', 'Name', h('input', { id: 'admin-group-name', name: 'name', required: true, maxlength: '80' })),
    ],
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Create', value: 'ok', class: 'primary' }],
    onSubmit: (_v, form) => api.createGroup({ id: form.elements.id.value.trim(), name: form.elements.name.value.trim() }),
  });
  if (created) toast(`${created.name} is created; choose its members.`, 'ok');
  return Boolean(created);
}

async function rename(group) {
  const saved = await modal({
    title: `Rename ${group.name}`,
    className: 'admin-dialog',
    body: field('admin-group-name', 'Name', h('input', { id: 'admin-group-name', name: 'name', required: true, maxlength: '80', value: group.name })),
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Save', value: 'ok', class: 'primary' }],
    onSubmit: (_v, form) => api.renameGroup(group.id, { name: form.elements.name.value.trim() }),
  });
  return Boolean(saved);
}

async function members(group, agents) {
  const saved = await modal({
    title: `Members of ${group.name}`,
    className: 'admin-dialog',
    body: [
      h('p', { class: 'hint' }, 'Agents taken out of the group are signed out, as when their groups are edited.'),
      h('fieldset', { class: 'choice' }, h('legend', {}, 'Members'),
        agents.map((a) => h('label', { class: 'check-row' },
          h('input', { type: 'checkbox', name: 'members', value: a.id, checked: group.members.includes(a.id) }),
          ' ', a.display_name, a.active ? '' : ' (deactivated)'))),
    ],
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Save', value: 'ok', class: 'primary' }],
    onSubmit: (_v, form) => api.setGroupMembers(group.id, {
      members: Array.from(form.querySelectorAll('input[name="members"]:checked')).map((b) => b.value),
    }),
  });
  return Boolean(saved);
}

/** Removes a group; with a target, calls again until everything it holds has moved. */
async function remove(group, groups) {
  const others = groups.filter((g) => g.id !== group.id);
  const progress = h('p', { class: 'hint', id: 'admin-remove-progress', role: 'status' });
  const done = await modal({
    title: `Remove ${group.name}?`,
    className: 'admin-dialog',
    body: [
      h('p', {}, 'Its queued, active, ended and deleted chats, its offline messages and its canned replies move to the group you choose, with their transcripts; active chats stay with their agents. Its members lose it.'),
      field('admin-move-to', 'Move its chats to', h('select', { id: 'admin-move-to', name: 'move_to' },
        others.map((g) => h('option', { value: g.id }, g.name)),
        h('option', { value: '' }, 'Nowhere (only if it has none)'))),
      progress,
    ],
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Remove', value: 'ok', class: 'danger' }],
    onSubmit: async (_v, form) => {
      const moveTo = form.elements.move_to.value || undefined;
      let moved = 0;
      for (;;) {
        const step = await api.removeGroup(group.id, moveTo);
        moved += step.moved;
        progress.textContent = `${moved} moved…`;
        if (step.removed) return { moved };
      }
    },
  });
  if (done) toast(`${group.name} is removed; ${done.moved} chat(s) and message(s) moved.`, 'ok');
  return Boolean(done);
}

/** Draws the Organisation tab into `body`. */
export async function drawOrganisation(body, stillOpen) {
  let org;
  let groups;
  try {
    [org, groups] = await Promise.all([api.organisation(), api.adminGroups()]);
  } catch (err) {
    replace(body, h('p', { class: 'error-box', role: 'alert' }, err.message));
    return;
  }
  if (!stillOpen()) return;
  const error = h('div', { class: 'error-box', role: 'alert', hidden: true });
  const number = (id, name, value) => h('input', { id, name, type: 'number', min: '1', max: '86400', required: true, value: String(value) });
  const form = h('form', { id: 'admin-organisation', class: 'settings-form', novalidate: true },
    h('h2', {}, 'Idle times'),
    h('p', { class: 'hint' }, 'How long a customer waits for an agent\'s answer before their chat turns yellow, then red, in every console.'),
    field('org-idle-warning', 'Yellow after (seconds)', number('org-idle-warning', 'idle_warning_secs', org.idle_warning_secs)),
    field('org-idle-high', 'Red after (seconds)', number('org-idle-high', 'idle_high_secs', org.idle_high_secs)),
    error,
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, 'Save')),
    h('h2', {}, 'Sign-in methods'),
    h('ul', { id: 'org-sign-in' },
      h('li', {}, org.sign_in.passwords ? 'Usernames and passwords kept by chatdesk' : 'No passwords'),
      h('li', {}, org.sign_in.identity_provider
        ? `Identity provider: ${org.sign_in.identity_provider}`
        : 'No identity provider (set one with the deployment\'s OpenID Connect settings)')),
    h('h2', {}, 'Routing, hours and offline behaviour'),
    h('p', {}, 'Each group has its own settings page:'),
    h('ul', { id: 'org-group-settings' }, groups.map((g) => h('li', {}, h('a', { href: settingsRoute(g.id) }, g.name)))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    try {
      org = await api.updateOrganisation({
        idle_warning_secs: Number(form.elements.idle_warning_secs.value),
        idle_high_secs: Number(form.elements.idle_high_secs.value),
        revision: org.revision,
      });
      toast('Saved. Every console colours idle times by it within half a minute.', 'ok');
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });
  replace(body, form);
}
