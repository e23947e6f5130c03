// Modal dialogs on the native <dialog> element, which brings focus trapping, Escape and the
// backdrop. Each dialog returns a promise of what was chosen (null when cancelled). Dialogs that
// run an action show the server's per-chat failures inside themselves, so the agent sees which
// chats did not move and why.

import { h, replace } from '../lib/dom.js';
import { toLocalInput } from '../lib/format.js';
import { COLUMNS } from './columns.js';

let seq = 0;

/**
 * @param {object} o
 * @param {string} o.title
 * @param {Node|Node[]} o.body
 * @param {{label:string, value:string, class?:string}[]} o.buttons  value 'cancel' closes
 * @param {(value: string, form: HTMLFormElement, ui: object) => Promise<any>|any} [o.onSubmit]
 *   returns the dialog's result; throw to show an error and stay open; return ui.STAY to stay
 * @param {string} [o.className]
 * @param {(ui: object) => boolean} [o.onCancel]  called on Escape; false keeps the dialog open
 *   (a form with unsaved typing is not thrown away by a stray key)
 */
export function modal({ title, body, buttons, onSubmit, className, onCancel }) {
  const id = `dlg-${++seq}`;
  const error = h('div', { class: 'error-box', role: 'alert', hidden: true });
  const content = h('div', { class: 'dialog-content' }, body);
  const buttonRow = h('div', { class: 'buttons' },
    buttons.map((b) => h('button', { type: 'submit', value: b.value, class: b.class, dataset: { value: b.value } }, b.label)));
  const form = h('form', { method: 'dialog', novalidate: true }, h('h2', { id }, title), content, error, buttonRow);
  const dialog = h('dialog', { 'aria-labelledby': id, class: className }, form);
  document.body.append(dialog);
  const STAY = Symbol('stay');

  const ui = {
    STAY,
    error(message) {
      error.textContent = message;
      error.hidden = !message;
    },
    /** Replaces the body and buttons (to show an action's results). */
    showResult(node, closeLabel = 'Close') {
      replace(content, node);
      replace(buttonRow, h('button', { type: 'submit', value: 'cancel', class: 'primary' }, closeLabel));
      buttonRow.querySelector('button').focus();
    },
    dialog,
    form,
  };

  return new Promise((resolve) => {
    let result = null;
    let busy = false;
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    dialog.addEventListener('cancel', (e) => {
      if (onCancel && onCancel(ui) === false) e.preventDefault();
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (busy) return;
      const value = (e.submitter && e.submitter.value) || buttons[buttons.length - 1].value;
      if (value === 'cancel') {
        dialog.close();
        return;
      }
      ui.error('');
      if (!onSubmit) {
        result = value;
        dialog.close();
        return;
      }
      busy = true;
      const controls = Array.from(buttonRow.querySelectorAll('button'));
      controls.forEach((b) => { b.disabled = true; });
      try {
        const r = await onSubmit(value, form, ui);
        if (r !== STAY) {
          result = r === undefined ? value : r;
          dialog.close();
        }
      } catch (err) {
        ui.error(err.message || String(err));
      } finally {
        busy = false;
        buttonRow.querySelectorAll('button').forEach((b) => { b.disabled = false; });
      }
    });
    dialog.showModal();
    const first = form.querySelector('[autofocus]') || form.querySelector('input, select, textarea') || buttonRow.querySelector('button:last-child');
    if (first) first.focus();
  });
}

/** The per-chat failures of an ActionOutcome as a list a person can read. */
export function failureList(outcome, rowName) {
  const failed = outcome.results.filter((r) => !r.ok);
  return h('div', { class: 'results' },
    outcome.succeeded ? h('p', { class: 'ok-box' }, `${outcome.succeeded} of ${outcome.results.length} succeeded.`) : null,
    h('p', {}, `${failed.length} ${failed.length === 1 ? 'chat' : 'chats'} could not be changed:`),
    h('ul', { class: 'failures' },
      failed.map((r) => h('li', {},
        h('strong', {}, rowName(r.chat_id)), ': ',
        h('span', { class: 'failure-message' }, (r.failure && r.failure.message) || 'failed')))));
}

function chatNames(rows, max = 5) {
  const names = rows.slice(0, max).map((r) => r.user);
  return rows.length > max ? `${names.join(', ')} and ${rows.length - max} more` : names.join(', ');
}

/** Transfer to a group or an agent. Resolves {kind:'group', group_id} | {kind:'agent', agent_id}. */
export function transferDialog({ rows, groups, agents, run }) {
  const groupSelect = h('select', { id: 'transfer-group', name: 'group' },
    groups.map((g) => h('option', { value: g.id }, g.name)));
  const agentSelect = h('select', { id: 'transfer-agent', name: 'agent' },
    agents.map((a) => h('option', { value: a.id, disabled: !a.available },
      `${a.display_name} — ${a.groups.join(', ')}${a.available ? '' : a.presence === 'offline' ? ' (offline)' : ' (away)'}`)));
  const kindGroup = h('input', { type: 'radio', name: 'kind', value: 'group', id: 'transfer-kind-group', checked: true });
  const kindAgent = h('input', { type: 'radio', name: 'kind', value: 'agent', id: 'transfer-kind-agent' });
  const sync = () => {
    groupSelect.disabled = !kindGroup.checked;
    agentSelect.disabled = !kindAgent.checked;
  };
  kindGroup.addEventListener('change', sync);
  kindAgent.addEventListener('change', sync);
  sync();
  const body = [
    h('p', {}, `Transfer ${rows.length === 1 ? 'the chat with' : `${rows.length} chats:`} `, h('strong', {}, chatNames(rows)), '.'),
    h('fieldset', { class: 'choice' },
      h('legend', {}, 'Transfer to'),
      h('div', { class: 'choice-row' },
        h('label', { class: 'inline', for: 'transfer-kind-group' }, kindGroup, 'A group (its queue)'),
        groupSelect),
      h('div', { class: 'choice-row' },
        h('label', { class: 'inline', for: 'transfer-kind-agent' }, kindAgent, 'An agent'),
        agentSelect)),
    h('p', { class: 'hint' }, 'An agent must be available and a member of the chat\'s group.'),
  ];
  return modal({
    title: 'Transfer',
    body,
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Transfer', value: 'ok', class: 'primary' }],
    onSubmit: async (_v, _f, ui) => {
      const to = kindGroup.checked ? { kind: 'group', group_id: groupSelect.value } : { kind: 'agent', agent_id: agentSelect.value };
      if (to.kind === 'agent' && !to.agent_id) throw new Error('Choose an agent.');
      return runInDialog(ui, () => run(to));
    },
  });
}

/** Runs an action from inside a dialog: closes on full success, shows failures otherwise. */
async function runInDialog(ui, run) {
  const { outcome, rowName } = await run();
  if (outcome.failed > 0) {
    ui.showResult(failureList(outcome, rowName));
    return ui.STAY;
  }
  return outcome;
}

export function confirmDeleteDialog({ rows, run }) {
  return modal({
    title: rows.length === 1 ? 'Delete this chat?' : `Delete ${rows.length} chats?`,
    body: [
      h('p', {}, h('strong', {}, chatNames(rows)), '.'),
      h('p', { class: 'hint' }, 'Only ended chats can be deleted. Deleted chats move to Deleted, where a manager can restore them until an administrator purges them.'),
    ],
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Delete', value: 'ok', class: 'danger' }],
    onSubmit: (_v, _f, ui) => runInDialog(ui, run),
  });
}

export function confirmDialog({ title, text, confirmLabel, danger, run }) {
  return modal({
    title,
    body: h('p', {}, text),
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: confirmLabel, value: 'ok', class: danger ? 'danger' : 'primary' }],
    onSubmit: (_v, _f, ui) => runInDialog(ui, run),
  });
}

/** End chats, with an optional resolution note (it becomes a suggestion for later chats). */
export function endDialog({ rows, run }) {
  const note = h('textarea', { id: 'end-resolution', rows: '4', maxlength: '2000', placeholder: 'How was the problem solved? (optional)' });
  return modal({
    title: rows.length === 1 ? `End the chat with ${rows[0].user}?` : `End ${rows.length} chats?`,
    body: [
      h('label', { for: 'end-resolution' }, 'Resolution note ', h('span', { class: 'hint' }, '(shown to agents as a suggestion for similar questions)')),
      note,
    ],
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'End chat', value: 'ok', class: 'danger' }],
    onSubmit: (_v, _f, ui) => runInDialog(ui, () => run(note.value.trim() || null)),
  });
}

const FOLLOW_UP_HORIZON_MS = 730 * 24 * 60 * 60 * 1000;

/** Schedule (or clear) a follow-up: when, and a note. */
export function followUpDialog({ rows, run }) {
  const existing = rows.find((r) => r.follow_up);
  // The server accepts follow-ups up to two years ahead (docs/security.md).
  const due = h('input', {
    type: 'datetime-local', id: 'follow-up-due', required: true,
    value: toLocalInput(existing ? existing.follow_up.due_at : Date.now() + 60 * 60 * 1000),
    max: toLocalInput(Date.now() + FOLLOW_UP_HORIZON_MS),
  });
  const note = h('textarea', { id: 'follow-up-note', rows: '3', maxlength: '2000', placeholder: 'What needs doing?' });
  if (existing) note.value = existing.follow_up.note || '';
  const buttons = [{ label: 'Cancel', value: 'cancel' }];
  if (rows.some((r) => r.follow_up)) buttons.push({ label: 'Clear follow-up', value: 'clear' });
  buttons.push({ label: 'Save follow-up', value: 'ok', class: 'primary' });
  return modal({
    title: rows.length === 1 ? `Follow-up for ${rows[0].user}` : `Follow-up for ${rows.length} chats`,
    body: [
      h('label', { for: 'follow-up-due' }, 'Due'),
      due,
      h('label', { for: 'follow-up-note' }, 'Note'),
      note,
    ],
    buttons,
    onSubmit: (value, _f, ui) => {
      if (value === 'clear') return runInDialog(ui, () => run(null));
      const at = new Date(due.value).getTime();
      if (!due.value || Number.isNaN(at)) throw new Error('Choose the date and time the follow-up is due.');
      return runInDialog(ui, () => run({ due_at: at, note: note.value.trim() }));
    },
  });
}

/** Results of an action run from the toolbar without a dialog (pull, take, restore). */
export function resultsDialog({ title, outcome, rowName }) {
  return modal({
    title,
    body: failureList(outcome, rowName),
    buttons: [{ label: 'Close', value: 'cancel', class: 'primary' }],
  });
}

/**
 * View -> Visible Fields: which columns show, in which order, and how wide (px).
 * Resolves the new column list or null.
 */
export function visibleFieldsDialog({ columns, defaults }) {
  let cols = columns.map((c) => ({ ...c }));
  const tbody = h('tbody');
  const draw = () => {
    replace(tbody, cols.map((c, i) => {
      const label = COLUMNS[c.column] ? COLUMNS[c.column].label : c.column;
      const box = h('input', { type: 'checkbox', id: `vf-${c.column}`, checked: c.visible, dataset: { column: c.column }, onchange: (e) => { c.visible = e.target.checked; } });
      const width = h('input', {
        type: 'number', min: '40', max: '800', step: '10', value: String(c.width), id: `vf-w-${c.column}`,
        class: 'width-input', 'aria-label': `${label} width in pixels`, dataset: { column: c.column },
        oninput: (e) => { c.width = Number(e.target.value); },
      });
      const move = (d) => {
        const j = i + d;
        if (j < 0 || j >= cols.length) return;
        [cols[i], cols[j]] = [cols[j], cols[i]];
        draw();
        tbody.querySelector(`button[data-move="${d}"][data-column="${c.column}"]`)?.focus();
      };
      return h('tr', {},
        h('td', {}, h('label', { class: 'inline', for: `vf-${c.column}` }, box, label)),
        h('td', {}, width, h('span', { class: 'hint' }, ' px')),
        h('td', { class: 'move' },
          h('button', { type: 'button', class: 'small', 'aria-label': `Move ${label} left`, dataset: { move: '-1', column: c.column }, disabled: i === 0, onclick: () => move(-1) }, '↑'),
          h('button', { type: 'button', class: 'small', 'aria-label': `Move ${label} right`, dataset: { move: '1', column: c.column }, disabled: i === cols.length - 1, onclick: () => move(1) }, '↓')));
    }));
  };
  draw();
  const total = h('p', { class: 'hint' });
  return modal({
    title: 'Visible Fields',
    className: 'visible-fields',
    body: [
      h('p', { class: 'hint' }, 'Choose the columns of the chat lists and their widths (40–800 px). Saved to your account.'),
      h('table', { class: 'fields-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Width'), h('th', { scope: 'col' }, 'Order'))),
        tbody),
      total,
    ],
    buttons: [
      { label: 'Reset to defaults', value: 'reset' },
      { label: 'Cancel', value: 'cancel' },
      { label: 'Save', value: 'ok', class: 'primary' },
    ],
    onSubmit: (value, _f, ui) => {
      if (value === 'reset') {
        cols = defaults.map((c) => ({ ...c }));
        draw();
        return ui.STAY;
      }
      for (const c of cols) {
        if (!Number.isInteger(c.width) || c.width < 40 || c.width > 800) {
          throw new Error(`${COLUMNS[c.column] ? COLUMNS[c.column].label : c.column}: the width must be a whole number from 40 to 800.`);
        }
      }
      if (!cols.some((c) => c.visible)) throw new Error('Keep at least one column visible.');
      return cols;
    },
  });
}
