// The agent's list layout (visible columns, widths, order, sort), stored on the server with
// PUT /api/preferences so it survives a reload and follows the agent to any computer.

import { api } from './api.js';
import { COLUMN_IDS } from './columns.js';
import { state } from './state.js';
import { toast } from './toast.js';

let inFlight = Promise.resolve();

/** Saves `prefs` (calls are chained, so the last layout wins on the server too). */
export function savePreferences(prefs) {
  const body = {
    columns: prefs.columns.map(({ column, visible, width }) => ({ column, visible, width })),
    sort: { column: prefs.sort.column, direction: prefs.sort.direction },
  };
  inFlight = inFlight.then(async () => {
    try {
      const saved = await api.savePreferences(body);
      // The server completes layouts that miss columns (appended hidden): adopt those.
      if (saved && state.prefs && saved.columns.length > state.prefs.columns.length) {
        state.prefs = { ...state.prefs, columns: saved.columns };
      }
    } catch (err) {
      toast(`Your list layout could not be saved: ${err.message}`, 'error');
    }
  });
  return inFlight;
}

/** The server's default layout (fits a 1280-pixel screen), for "Reset to defaults". */
export const DEFAULT_COLUMNS = [
  { column: 'status', visible: true, width: 90 },
  { column: 'user', visible: true, width: 180 },
  { column: 'group', visible: true, width: 130 },
  { column: 'started', visible: true, width: 150 },
  { column: 'queue_time', visible: true, width: 100 },
  { column: 'idle', visible: true, width: 90 },
  { column: 'messages', visible: true, width: 90 },
  { column: 'agent', visible: true, width: 150 },
  { column: 'rating', visible: false, width: 80 },
  { column: 'tags', visible: false, width: 150 },
];

/** A layout saved before a column existed (or from a server that does not list it yet) gets
 * every column this console knows: the missing ones appended hidden at their default width.
 * Columns only the server knows are kept, so saving does not drop them. */
export function withAllColumns(prefs) {
  const columns = Array.isArray(prefs && prefs.columns) ? prefs.columns : [];
  const have = new Set(columns.map((c) => c.column));
  const missing = COLUMN_IDS.filter((id) => !have.has(id)).map((id) => {
    const d = DEFAULT_COLUMNS.find((c) => c.column === id);
    return { column: id, visible: false, width: d ? d.width : 100 };
  });
  return { ...prefs, columns: [...columns, ...missing] };
}
