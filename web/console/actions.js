// The toolbar actions, shared by the list toolbar and the chat view's header. Every action works
// on a list of chats and the server answers per chat; rows that changed are applied at once from
// the answer (the push that follows is then a no-op), and failures are listed per chat.

import { api } from './api.js';
import { confirmDeleteDialog, confirmDialog, endDialog, followUpDialog, resultsDialog, transferDialog } from './dialogs.js';
import { emit, state } from './state.js';
import { ownAction } from './notify.js';
import { toast } from './toast.js';
import { plural } from '../lib/format.js';

/** Where changed chats go: the list, the chat view, the nav counts. */
function applyOutcome(outcome, rows) {
  for (const r of outcome.results) {
    if (r.ok && r.chat) emit('row', r.chat);
    // Purged chats come back without a row: they are gone everywhere.
    if (r.ok && !r.chat) emit('gone', r.chat_id);
  }
  const names = new Map(rows.map((row) => [row.id, row.user]));
  return (id) => names.get(id) || id;
}

async function run(name, body, rows) {
  const outcome = await api.action(name, body);
  const rowName = applyOutcome(outcome, rows);
  return { outcome, rowName };
}

function report(verb, outcome, rowName, title) {
  if (outcome.succeeded) toast(`${verb} ${plural(outcome.succeeded, 'chat')}.`, 'ok');
  if (outcome.failed) resultsDialog({ title, outcome, rowName });
}

function ids(rows) {
  return rows.map((r) => r.id);
}

export const actions = {
  /** Pull the selected queued chats, or with none selected the longest-waiting one of my groups. */
  async pull(rows, { onPulled } = {}) {
    const queued = rows.filter((r) => r.state === 'queued');
    try {
      const { outcome, rowName } = await ownAction(() => run('pull', queued.length ? { chat_ids: ids(queued) } : {}, queued));
      report('Pulled', outcome, rowName, 'Pull from queue');
      const pulled = outcome.results.filter((r) => r.ok);
      if (pulled.length === 1 && onPulled) onPulled(pulled[0].chat_id);
      return outcome;
    } catch (err) {
      toast(err.message, err.code === 'queue_empty' ? 'info' : 'error');
      return null;
    }
  },

  async take(rows) {
    try {
      const { outcome, rowName } = await ownAction(() => run('take', { chat_ids: ids(rows) }, rows));
      report('Took', outcome, rowName, 'Take');
      return outcome;
    } catch (err) {
      toast(err.message, 'error');
      return null;
    }
  },

  async transfer(rows) {
    // Availability changes all day: read the agents afresh for each transfer.
    try {
      state.agents = await api.agents();
    } catch {
      /* the list read at sign-in will do */
    }
    const outcome = await transferDialog({
      rows,
      groups: state.groups,
      agents: state.agents,
      run: (to) => run('transfer', { chat_ids: ids(rows), to }, rows),
    });
    if (outcome && outcome.succeeded) toast(`Transferred ${plural(outcome.succeeded, 'chat')}.`, 'ok');
    return outcome;
  },

  async end(rows) {
    const outcome = await endDialog({ rows, run: (resolution) => run('end', { chat_ids: ids(rows), resolution }, rows) });
    if (outcome && outcome.succeeded) toast(`Ended ${plural(outcome.succeeded, 'chat')}.`, 'ok');
    return outcome;
  },

  async remove(rows) {
    const outcome = await confirmDeleteDialog({ rows, run: () => run('delete', { chat_ids: ids(rows) }, rows) });
    if (outcome && outcome.succeeded) toast(`Deleted ${plural(outcome.succeeded, 'chat')}.`, 'ok');
    return outcome;
  },

  async restore(rows) {
    try {
      const { outcome, rowName } = await run('restore', { chat_ids: ids(rows) }, rows);
      report('Restored', outcome, rowName, 'Restore');
      return outcome;
    } catch (err) {
      toast(err.message, 'error');
      return null;
    }
  },

  async purge(rows) {
    const outcome = await confirmDialog({
      title: rows.length === 1 ? 'Purge this chat for good?' : `Purge ${rows.length} chats for good?`,
      text: 'Purged chats and their transcripts are removed permanently. This cannot be undone.',
      confirmLabel: 'Purge',
      danger: true,
      run: () => run('purge', { chat_ids: ids(rows) }, rows),
    });
    if (outcome && outcome.succeeded) toast(`Purged ${plural(outcome.succeeded, 'chat')}.`, 'ok');
    return outcome;
  },

  async followUp(rows) {
    let cleared = false;
    const outcome = await followUpDialog({
      rows,
      run: (followUp) => {
        cleared = followUp === null;
        return run('follow-up', { chat_ids: ids(rows), follow_up: followUp }, rows);
      },
    });
    if (outcome && outcome.succeeded) toast(`${cleared ? 'Cleared the follow-up of' : 'Scheduled a follow-up for'} ${plural(outcome.succeeded, 'chat')}.`, 'ok');
    return outcome;
  },
};
