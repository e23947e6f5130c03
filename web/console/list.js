// The content pane's list: which view is open, its rows, the selection, the sort. The server
// sorts on every read; between reads, `chat_changed` pushes are applied here — a row that enters
// the view is inserted where the same sort puts it, one that leaves is removed.
//
// The server answers a page at a time (the queue's longest-waiting customers first). When a list
// holds more, the pane says so and offers to load the next page; a re-read (reconnect, tab shown
// again, sort) reads as many pages as were open.

import { $ } from '../lib/dom.js';
import { plural } from '../lib/format.js';
import { api } from './api.js';
import { ChatTable } from './table.js';
import { sortRows } from './sort.js';
import { belongs, emptyText, sameView, viewQuery, viewTitle } from './views.js';
import { agent, emit, groupName, state } from './state.js';
import { savePreferences } from './prefs.js';
import { setTitle } from './nav.js';

export class ListController {
  constructor() {
    this.view = null;
    this.rows = [];
    this.byId = new Map();
    this.selected = new Set();
    this.loading = null;
    this.buffer = null; // pushes that arrive while a read is in flight
    this.pages = 1; // pages open: a re-read reads this many
    this.nextCursor = null; // where the next page starts, when the list holds more
    this.tag = null; // only the chats with this tag (normalised), when set
    this.loadingMore = null;
    $('#list-more-button').addEventListener('click', () => this.loadMore());
    this.lastToggled = null;
    this.table = new ChatTable($('#chat-table'), {
      sort: (column) => this.sortBy(column),
      toggle: (id, checked, shift) => this.toggle(id, checked, shift),
      toggleAll: (checked) => (checked ? this.selectAll() : this.clearSelection()),
      resize: () => {},
      resized: () => this._saveWidths(),
    });
    this.table.setLayout(state.prefs.columns, state.prefs.sort);
  }

  get sort() {
    return state.prefs.sort;
  }

  /** Opens a view (or re-reads the current one when it is the same). */
  async open(view) {
    const changed = !sameView(view, this.view);
    this.view = view;
    if (changed) {
      this.selected = new Set();
      this.rows = [];
      this.byId = new Map();
      this.pages = 1;
      this.nextCursor = null;
      this.table.setRows([], this.selected);
      $('#list-empty').hidden = true;
      $('#list-more').hidden = true;
    }
    $('#view-title').textContent = viewTitle(view, groupName);
    setTitle(viewTitle(view, groupName));
    await this.reload();
  }

  async reload() {
    if (!this.view) return;
    // Nothing is read with a token the server would refuse: an identity provider's token that
    // ran out (a slow start, a tab back from the background) is renewed first.
    if (this.tokenReady && !(await this.tokenReady())) return;
    if (!this.view) return;
    const view = this.view;
    const errorBox = $('#list-error');
    this.buffer = [];
    const request = this._readPages(view, this.pages);
    this.loading = request;
    this.loadingMore = null;
    $('#table-wrap').setAttribute('aria-busy', 'true');
    try {
      const { rows, nextCursor } = await request;
      if (this.loading !== request || !sameView(view, this.view)) return; // superseded
      errorBox.hidden = true;
      const now = performance.now();
      this.rows = rows.map((r) => ({ ...r, _receivedAt: now }));
      this.byId = new Map(this.rows.map((r) => [r.id, r]));
      sortRows(this.rows, this.sort);
      this.nextCursor = nextCursor;
      // Keep the selection of chats still listed.
      this.selected = new Set([...this.selected].filter((id) => this.byId.has(id)));
      const pushes = this.buffer;
      this.buffer = null;
      for (const row of pushes) this._merge(row, false);
      this._render();
    } catch (err) {
      if (this.loading !== request) return;
      this.buffer = null;
      this.rows = [];
      this.byId = new Map();
      this.nextCursor = null;
      this._render();
      errorBox.textContent = err.message;
      errorBox.hidden = false;
      $('#list-empty').hidden = true;
    } finally {
      if (this.loading === request) {
        this.loading = null;
        $('#table-wrap').removeAttribute('aria-busy');
      }
    }
  }

  /** Reads the first `count` pages of `view`: {rows (each chat once), nextCursor}. */
  async _readPages(view, count) {
    const rows = new Map();
    let cursor;
    for (let page = 0; page < count; page += 1) {
      const list = await api.list(viewQuery(view), this.sort, cursor, this.tag);
      for (const r of list.rows) rows.set(r.id, r);
      cursor = list.truncated ? list.next_cursor : null;
      if (!cursor) break;
    }
    return { rows: [...rows.values()], nextCursor: cursor || null };
  }

  /** The next page of a truncated list, added to the rows shown. */
  async loadMore() {
    if (!this.view || !this.nextCursor || this.loading || this.loadingMore) return;
    const view = this.view;
    const button = $('#list-more-button');
    const request = api.list(viewQuery(view), this.sort, this.nextCursor, this.tag);
    this.loadingMore = request;
    button.disabled = true;
    try {
      const list = await request;
      if (this.loadingMore !== request || !sameView(view, this.view)) return; // superseded
      this.pages += 1;
      this.nextCursor = list.truncated ? list.next_cursor : null;
      // A row already shown (a push got there first) keeps whichever copy is newer.
      for (const row of list.rows) this._merge(row, false);
      sortRows(this.rows, this.sort);
      this._render();
    } catch (err) {
      if (this.loadingMore !== request) return;
      const errorBox = $('#list-error');
      errorBox.textContent = err.message;
      errorBox.hidden = false;
    } finally {
      if (this.loadingMore === request) this.loadingMore = null;
      button.disabled = false;
    }
  }

  /** Narrows the list to the chats with `tag` (normalised; empty: every chat), read afresh. */
  async setTag(tag) {
    const next = tag || null;
    if (next === this.tag) return;
    this.tag = next;
    this.pages = 1;
    this.nextCursor = null;
    this.rows = [];
    this.byId = new Map();
    this.selected = new Set();
    this.table.setRows([], this.selected);
    await this.reload();
  }

  /** A chat changed (push or action result): insert, update or remove its row. */
  applyRow(row) {
    if (!this.view) return;
    if (this.buffer) this.buffer.push(row);
    if (this._merge(row, true)) this._render();
  }

  /**
   * The latest counts and idle time of a chat (`chat_rows`, sent for messages): updates its row
   * when the list shows it, never adds one. Rows of messages can arrive after a later change took
   * the chat out of the list (in the cloud they come from the table's stream, a moment later).
   */
  updateRow(row) {
    this.applyRow({ ...row, _updateOnly: true });
  }

  /** A chat that no longer exists (purged). */
  removeRow(id) {
    const existing = this.byId.get(id);
    if (!existing) return;
    this.rows.splice(this.rows.indexOf(existing), 1);
    this.byId.delete(id);
    this.selected.delete(id);
    this._render();
  }

  /** @returns whether the list changed */
  _merge(pushed, fresh) {
    const { _updateOnly: updateOnly, ...incoming } = pushed;
    const existing = this.byId.get(incoming.id);
    if (updateOnly && !existing) return false;
    // Pushes can overtake each other; a row never goes back to an older state.
    if (existing && incoming.last_seq < existing.last_seq) return false;
    const row = { ...incoming, _receivedAt: performance.now() };
    if (belongs(this.view, row, agent()) && (!this.tag || (row.tags || []).includes(this.tag))) {
      if (!existing) {
        row._fresh = fresh;
        this.rows.push(row);
      } else {
        this.rows[this.rows.indexOf(existing)] = row;
      }
      this.byId.set(row.id, row);
      sortRows(this.rows, this.sort);
      return true;
    }
    if (existing) {
      this.rows.splice(this.rows.indexOf(existing), 1);
      this.byId.delete(row.id);
      this.selected.delete(row.id);
      return true;
    }
    return false;
  }

  _render() {
    this.table.setRows(this.rows, this.selected);
    const empty = $('#list-empty');
    empty.textContent = emptyText(this.view);
    empty.hidden = this.rows.length > 0 || !$('#list-error').hidden;
    const more = Boolean(this.nextCursor);
    $('#view-count').textContent = more ? `${plural(this.rows.length, 'chat')} shown, more in this list` : plural(this.rows.length, 'chat');
    $('#list-more').hidden = !more;
    $('#list-more-text').textContent = more
      ? `Showing ${plural(this.rows.length, 'chat')}; this list holds more.`
      : '';
    this._selectionChanged();
  }

  _selectionChanged() {
    const n = this.selected.size;
    $('#selection-count').textContent = n ? `${n} selected` : '';
    emit('selection', this.selectedRows());
  }

  selectedRows() {
    return this.rows.filter((r) => this.selected.has(r.id));
  }

  toggle(id, checked, shift) {
    if (shift && this.lastToggled && this.byId.has(this.lastToggled)) {
      // Shift-click selects (or clears) the whole range, as in a mail client.
      const ids = this.rows.map((r) => r.id);
      const [a, b] = [ids.indexOf(this.lastToggled), ids.indexOf(id)].sort((x, y) => x - y);
      for (const x of ids.slice(a, b + 1)) (checked ? this.selected.add(x) : this.selected.delete(x));
    } else if (checked) {
      this.selected.add(id);
    } else {
      this.selected.delete(id);
    }
    this.lastToggled = id;
    this.table.setSelected(this.selected);
    this._selectionChanged();
  }

  selectAll() {
    this.selected = new Set(this.rows.map((r) => r.id));
    this.table.setSelected(this.selected);
    this._selectionChanged();
  }

  clearSelection() {
    this.selected = new Set();
    this.table.setSelected(this.selected);
    this._selectionChanged();
  }

  /** Header click: the same column flips direction, another starts ascending. Saved, so the
   * order survives a reload and follows the agent to another computer. */
  async sortBy(column) {
    const cur = this.sort;
    const direction = cur.column === column && cur.direction === 'asc' ? 'desc' : 'asc';
    state.prefs = { ...state.prefs, sort: { column, direction } };
    this.table.setLayout(state.prefs.columns, state.prefs.sort);
    const saved = savePreferences(state.prefs);
    await this.reload();
    await saved;
  }

  /** Visible fields changed (dialog): redraw with the new layout. */
  layoutChanged() {
    this.table.setLayout(state.prefs.columns, state.prefs.sort);
  }

  _saveWidths() {
    // The table edits its own copy while dragging; take its widths into the preferences.
    const widths = new Map(this.table.columns.map((c) => [c.column, c.width]));
    state.prefs = { ...state.prefs, columns: state.prefs.columns.map((c) => ({ ...c, width: widths.get(c.column) ?? c.width })) };
    savePreferences(state.prefs);
  }

  tick() {
    this.table.tick();
  }
}
