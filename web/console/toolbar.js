// The content pane's toolbar: Actions (Select all, Pull from queue, Take, Transfer), View
// (Visible Fields), and Transfer, Delete, Restore, Purge, Follow-up, End for the selected chats.
// Buttons that need a selection are disabled without one; Restore and Purge show only in Deleted.

import { $, h } from '../lib/dom.js';
import { menuButton } from './menu.js';
import { actions } from './actions.js';
import { isAdmin, isManager, on, state } from './state.js';
import { visibleFieldsDialog } from './dialogs.js';
import { savePreferences, DEFAULT_COLUMNS } from './prefs.js';
import { chatRoute } from './views.js';
import { normaliseTag } from './columns.js';

export function setupToolbar(list) {
  const bar = $('#toolbar');
  const selected = () => list.selectedRows();
  const inDeleted = () => list.view && list.view.view === 'deleted';
  const openChat = (id) => { location.hash = chatRoute(id); };

  const actionsMenu = menuButton('Actions', [
    { id: 'select-all', label: 'Select all', run: () => list.selectAll(), enabled: () => list.rows.length > 0 },
    { id: 'pull', label: 'Pull from queue', run: () => actions.pull(selected(), { onPulled: openChat }), visible: () => !inDeleted() },
    { id: 'take', label: 'Take', run: () => actions.take(selected()), enabled: () => selected().length > 0, visible: () => !inDeleted() },
    { id: 'transfer', label: 'Transfer…', run: () => actions.transfer(selected()), enabled: () => selected().length > 0, visible: () => !inDeleted() },
  ], 'actions-menu');

  const viewMenu = menuButton('View', [
    { id: 'visible-fields', label: 'Visible Fields…', run: () => editVisibleFields(list) },
  ], 'view-menu');

  const button = (id, label, run, cls) => h('button', { type: 'button', id, class: cls, onclick: run }, label);
  const transfer = button('tb-transfer', 'Transfer', () => actions.transfer(selected()));
  const del = button('tb-delete', 'Delete', () => actions.remove(selected()));
  const restore = button('tb-restore', 'Restore', () => actions.restore(selected()));
  const purge = button('tb-purge', 'Purge', () => actions.purge(selected()), 'danger-outline');
  const followUp = button('tb-follow-up', 'Follow-up', () => actions.followUp(selected()));
  const end = button('tb-end', 'End', () => actions.end(selected()));
  const pull = button('tb-pull', 'Pull from queue', () => actions.pull(selected(), { onPulled: openChat }), 'primary');

  // Narrows whichever list is open to the chats with one tag (Enter or leaving the box applies).
  const tagFilter = h('input', { type: 'search', id: 'tb-tag-filter', class: 'tag-filter', placeholder: 'Filter by tag', 'aria-label': 'Filter by tag', maxlength: '32' });
  const applyTag = () => list.setTag(normaliseTag(tagFilter.value));
  tagFilter.addEventListener('change', applyTag);
  tagFilter.addEventListener('search', applyTag);

  bar.replaceChildren(
    actionsMenu.root, viewMenu.root,
    h('span', { class: 'toolbar-sep', 'aria-hidden': 'true' }),
    pull, transfer, del, restore, purge, followUp, end,
    h('span', { class: 'toolbar-sep', 'aria-hidden': 'true' }),
    tagFilter,
  );

  const refresh = () => {
    const n = selected().length;
    const deleted = inDeleted();
    for (const b of [transfer, del, followUp, end]) b.disabled = n === 0;
    transfer.hidden = deleted;
    end.hidden = deleted;
    followUp.hidden = deleted;
    del.hidden = deleted;
    pull.hidden = deleted;
    restore.hidden = !deleted || !isManager();
    purge.hidden = !deleted || !isAdmin();
    restore.disabled = n === 0;
    purge.disabled = n === 0;
  };
  on('selection', refresh);
  on('view', refresh);
  refresh();
}

async function editVisibleFields(list) {
  const columns = await visibleFieldsDialog({ columns: state.prefs.columns, defaults: DEFAULT_COLUMNS });
  if (!columns) return;
  state.prefs = { ...state.prefs, columns };
  list.layoutChanged();
  await savePreferences(state.prefs);
}
