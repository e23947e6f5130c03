// The Canned Replies pane (`#/canned`): every reply the agent sees — their own, their groups'
// and the global ones — with how often each was used and a "needs review" mark once its review
// date has passed (90 days after the last edit or review). Agents manage their personal replies;
// managers also their groups' and the global ones; administrators all (`can_manage`, decided by
// the server, which checks again on every change). Refusals show the server's words.

import { h, replace } from '../lib/dom.js';
import { fullDateTime } from '../lib/format.js';
import { api } from './api.js';
import { modal } from './dialogs.js';
import { groupName, isAdmin, isManager, state } from './state.js';
import { setTitle } from './nav.js';
import { toast } from './toast.js';

export const CANNED_ROUTE = '#/canned';

const SCOPES = { personal: 'Mine', group: 'Group', global: 'Everyone' };

function scopeText(r) {
  if (r.scope === 'group') return `Group: ${groupName(r.group_id)}`;
  return SCOPES[r.scope] || r.scope;
}

/** The scopes this agent may create in (the server checks again). */
function scopeChoices() {
  const choices = [['personal', '', 'Only me']];
  if (isManager()) {
    const groups = isAdmin() ? state.groups : state.me.groups;
    for (const g of groups) choices.push(['group', g.id, `Group: ${g.name}`]);
    choices.push(['global', '', 'Everyone']);
  }
  return choices;
}

function replyForm(reply) {
  const choices = scopeChoices();
  const current = reply ? `${reply.scope}:${reply.group_id || ''}` : 'personal:';
  return [
    h('label', { for: 'canned-scope' }, 'Who uses it'),
    h('select', { id: 'canned-scope', name: 'scope' },
      choices.map(([scope, group, label]) => h('option', { value: `${scope}:${group}`, selected: `${scope}:${group}` === current }, label))),
    h('label', { for: 'canned-shortcut' }, 'Shortcut ', h('span', { class: 'hint' }, '(typed as /shortcut in a reply)')),
    h('input', { id: 'canned-shortcut', name: 'shortcut', required: true, maxlength: '40', value: reply ? reply.shortcut : '', autocapitalize: 'none', spellcheck: 'false' }),
    h('label', { for: 'canned-title' }, 'Title'),
    h('input', { id: 'canned-title', name: 'title', required: true, maxlength: '120', value: reply ? reply.title : '' }),
    h('label', { for: 'canned-body' }, 'Text ', h('span', { class: 'hint' }, '({customer_name}, {agent_name} and {group} are filled in)')),
    h('textarea', { id: 'canned-body', name: 'body', rows: '6', maxlength: '4000' }, reply ? reply.body : ''),
  ];
}

function formInput(form) {
  const [scope, group] = form.elements.scope.value.split(':');
  return {
    scope,
    group_id: scope === 'group' ? group : undefined,
    shortcut: form.elements.shortcut.value.trim(),
    title: form.elements.title.value.trim(),
    body: form.elements.body.value,
  };
}

export class CannedPane {
  constructor(root) {
    this.root = root;
    this.open_ = false;
  }

  get isOpen() {
    return this.open_;
  }

  open() {
    this.open_ = true;
    this.root.hidden = false;
    setTitle('Canned Replies');
    this.body = h('div', { class: 'kb-table-wrap', id: 'canned-body-wrap' });
    replace(this.root,
      h('div', { class: 'kb-head' }, h('h1', { id: 'canned-heading' }, 'Canned Replies')),
      this.body);
    this.load();
  }

  close() {
    this.open_ = false;
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  async load() {
    let replies;
    try {
      replies = await api.cannedReplies();
    } catch (err) {
      replace(this.body, h('p', { class: 'error-box', role: 'alert' }, err.message));
      return;
    }
    if (!this.open_) return;
    const rows = replies.map((r) => h('tr', { dataset: { reply: r.id }, class: r.stale ? 'stale' : null },
      h('td', {}, h('code', {}, `/${r.shortcut}`)),
      h('td', {}, r.title),
      h('td', {}, scopeText(r)),
      h('td', { class: 'num' }, String(r.usage_count)),
      h('td', {}, r.stale
        ? h('span', { class: 'canned-stale', title: `Review was due ${fullDateTime(r.review_at)}` }, 'needs review')
        : h('span', { class: 'hint', title: fullDateTime(r.review_at) }, `until ${fullDateTime(r.review_at)}`)),
      h('td', { class: 'row-actions' }, r.can_manage ? [
        h('button', { type: 'button', class: 'small', onclick: () => this.edit(r) }, 'Edit'),
        r.stale ? h('button', { type: 'button', class: 'small', onclick: () => this.reviewed(r) }, 'Still right') : null,
        h('button', { type: 'button', class: 'small danger', onclick: () => this.remove(r) }, 'Delete'),
      ] : null)));
    replace(this.body,
      h('p', {}, h('button', { type: 'button', class: 'primary', id: 'canned-new', onclick: () => this.create() }, 'New canned reply')),
      replies.length
        ? h('table', { class: 'kb-table', id: 'canned-table' },
          h('thead', {}, h('tr', {}, ['Shortcut', 'Title', 'Who uses it', 'Used', 'Review', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows))
        : h('p', { class: 'list-empty' }, 'No canned replies yet. Save an answer you give often, then type its /shortcut in a chat.'));
  }

  async create() {
    const saved = await modal({
      title: 'New canned reply',
      className: 'admin-dialog canned-dialog',
      body: replyForm(null),
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Save', value: 'ok', class: 'primary' }],
      onSubmit: (_v, form) => api.createCannedReply(formInput(form)),
    });
    if (saved) {
      toast(`Saved: type /${saved.shortcut} in a reply.`, 'ok');
      this.load();
    }
  }

  async edit(reply) {
    const saved = await modal({
      title: `Edit /${reply.shortcut}`,
      className: 'admin-dialog canned-dialog',
      body: replyForm(reply),
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Save', value: 'ok', class: 'primary' }],
      onSubmit: (_v, form) => api.updateCannedReply(reply.id, { ...formInput(form), revision: reply.revision }),
    });
    if (saved) this.load();
  }

  async reviewed(reply) {
    try {
      await api.reviewCannedReply(reply.id);
    } catch (err) {
      toast(err.message, 'error');
    }
    this.load();
  }

  async remove(reply) {
    const done = await modal({
      title: `Delete /${reply.shortcut}?`,
      body: h('p', {}, reply.title),
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Delete', value: 'ok', class: 'danger' }],
      onSubmit: () => api.deleteCannedReply(reply.id),
    });
    if (done) this.load();
  }
}
