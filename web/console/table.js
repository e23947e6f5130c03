// The chat list table. Rows are keyed by chat id and reconciled in place, so a push that changes
// one chat touches one row and never steals focus from a checkbox being clicked elsewhere; only
// the running clocks are rewritten each second.

import { h } from '../lib/dom.js';
import { PLACEHOLDER } from '../lib/format.js';
import { COLUMNS, idleSeverity } from './columns.js';
import { unreadIn } from './notify.js';
import { on as listen } from './state.js';
import { chatRoute } from './views.js';

const CHECK_COL_WIDTH = 36;
const MIN_WIDTH = 40;
const MAX_WIDTH = 800;

export class ChatTable {
  /**
   * @param {HTMLTableElement} table
   * @param {object} on  callbacks: sort(column), toggle(id, checked, shiftKey), toggleAll(checked),
   *                     resize(column, width) while dragging, resized() when a drag ends
   */
  constructor(table, on) {
    this.table = table;
    this.on = on;
    this.columns = [];
    this.sort = null;
    this.rows = [];
    this.selected = new Set();
    this.trs = new Map(); // chat id -> <tr>
    this.colgroup = h('colgroup');
    this.thead = h('thead');
    this.tbody = h('tbody');
    table.replaceChildren(this.colgroup, this.thead, this.tbody);
    // Chats with customer messages the agent has not read stand out.
    listen('unread', () => {
      for (const [id, tr] of this.trs) this._renderUnread(tr, id);
    });
    this.tbody.addEventListener('change', (e) => {
      const box = e.target.closest('input[type="checkbox"][data-id]');
      if (box) this.on.toggle(box.dataset.id, box.checked, this._shift);
    });
    // `change` carries no modifier keys; remember Shift from the click that caused it.
    this.tbody.addEventListener('click', (e) => {
      this._shift = e.shiftKey;
      const tr = e.target.closest('tr[data-id]');
      if (!tr || e.target.closest('input, a, button, label')) return;
      const checkCell = e.target.closest('td.col-check');
      if (checkCell) {
        // The whole cell is the checkbox's target: small boxes are hard to hit.
        checkCell.querySelector('input').click();
        return;
      }
      // A click anywhere else on a row opens the chat, as the name link does.
      location.hash = chatRoute(tr.dataset.id);
    });
  }

  visibleColumns() {
    return this.columns.filter((c) => c.visible && COLUMNS[c.column]);
  }

  setLayout(columns, sort) {
    this.columns = columns.map((c) => ({ ...c }));
    this.sort = sort;
    this._renderHead();
    // Cells follow the columns: rebuild every row.
    for (const tr of this.trs.values()) tr._row = null;
    this.setRows(this.rows, this.selected);
  }

  _renderHead() {
    const cols = this.visibleColumns();
    this.colgroup.replaceChildren(
      this._col(CHECK_COL_WIDTH),
      ...cols.map((c) => this._col(c.width, c.column)),
    );
    const total = CHECK_COL_WIDTH + cols.reduce((n, c) => n + c.width, 0);
    this.table.style.width = `${total}px`;

    this.selectAll = h('input', {
      type: 'checkbox',
      'aria-label': 'Select all chats in this list',
      onchange: (e) => this.on.toggleAll(e.target.checked),
    });
    const ths = cols.map((c) => {
      const def = COLUMNS[c.column];
      const active = this.sort && this.sort.column === c.column;
      const dir = active ? this.sort.direction : null;
      const th = h('th', {
        scope: 'col',
        class: ['col-' + c.column, def.numeric ? 'num' : null],
        'aria-sort': active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none',
        dataset: { column: c.column },
      },
      h('button', {
        type: 'button',
        class: 'sort',
        title: `Sort by ${def.label}${active ? (dir === 'asc' ? ' (now ascending)' : ' (now descending)') : ''}`,
        onclick: () => this.on.sort(c.column),
      }, def.label, h('span', { class: 'sort-arrow', 'aria-hidden': 'true' }, active ? (dir === 'asc' ? '▲' : '▼') : '')),
      this._resizer(c));
      return th;
    });
    this.thead.replaceChildren(h('tr', {}, h('th', { scope: 'col', class: 'col-check' }, this.selectAll), ths));
    this._syncSelectAll();
  }

  _col(width, column) {
    const col = h('col', column ? { dataset: { column } } : {});
    col.style.width = `${width}px`;
    return col;
  }

  /** A drag handle on the header's right edge; widths are saved when the drag ends. */
  _resizer(c) {
    const handle = h('span', { class: 'resizer', 'aria-hidden': 'true', title: 'Drag to resize' });
    handle.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      handle.setPointerCapture(e.pointerId);
      const startX = e.clientX;
      const start = c.width;
      const move = (ev) => {
        const width = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.round(start + ev.clientX - startX)));
        c.width = width;
        const col = this.colgroup.querySelector(`col[data-column="${c.column}"]`);
        if (col) col.style.width = `${width}px`;
        const total = CHECK_COL_WIDTH + this.visibleColumns().reduce((n, x) => n + x.width, 0);
        this.table.style.width = `${total}px`;
        this.on.resize(c.column, width);
      };
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
        handle.removeEventListener('pointercancel', up);
        this.on.resized();
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
      handle.addEventListener('pointercancel', up);
    });
    // A click on the handle must not sort.
    handle.addEventListener('click', (e) => e.stopPropagation());
    return handle;
  }

  /** Reconciles the body with `rows` (in display order). */
  setRows(rows, selected) {
    this.rows = rows;
    this.selected = selected;
    const keep = new Set(rows.map((r) => r.id));
    for (const [id, tr] of this.trs) {
      if (!keep.has(id)) {
        tr.remove();
        this.trs.delete(id);
      }
    }
    let cursor = this.tbody.firstElementChild;
    for (const row of rows) {
      let tr = this.trs.get(row.id);
      if (!tr) {
        tr = h('tr', { dataset: { id: row.id } });
        this.trs.set(row.id, tr);
        if (row._fresh) {
          tr.classList.add('fresh');
          setTimeout(() => tr.classList.remove('fresh'), 2500);
        }
      }
      if (tr._row !== row) this._renderRow(tr, row);
      this._renderSelected(tr, row.id);
      // Move only rows that are out of place (moving a node would blur a focused checkbox).
      if (tr !== cursor) this.tbody.insertBefore(tr, cursor);
      else cursor = cursor.nextElementSibling;
    }
    this._syncSelectAll();
  }

  _renderRow(tr, row) {
    tr._row = row;
    tr.className = `state-${row.state}${row.deleted ? ' deleted' : ''}${row.escalated ? ' escalated' : ''}${this.selected.has(row.id) ? ' selected' : ''}`;
    const box = h('input', { type: 'checkbox', dataset: { id: row.id }, 'aria-label': `Select chat with ${row.user}` });
    const cells = [h('td', { class: 'col-check' }, box)];
    for (const c of this.visibleColumns()) {
      const def = COLUMNS[c.column];
      let content = cellValue(() => def.render(row));
      if (c.column === 'user') {
        // The name is the way into the chat, for keyboards too.
        content = h('a', { href: chatRoute(row.id), class: 'open-chat' }, content);
      }
      const td = h('td', { class: ['col-' + c.column, def.numeric ? 'num' : null], dataset: { column: c.column } }, content);
      if (def.title) td.title = cellValue(() => def.title(row));
      cells.push(td);
    }
    tr.replaceChildren(...cells);
    this._renderUnread(tr, row.id);
  }

  _renderUnread(tr, id) {
    const n = unreadIn(id);
    tr.classList.toggle('unread', n > 0);
    const name = tr.querySelector('.user-name');
    if (name) name.title = n ? `${n} unread ${n === 1 ? 'message' : 'messages'}` : '';
  }

  _renderSelected(tr, id) {
    const on = this.selected.has(id);
    tr.classList.toggle('selected', on);
    const box = tr.firstElementChild && tr.firstElementChild.firstElementChild;
    if (box && box.checked !== on) box.checked = on;
  }

  setSelected(selected) {
    this.selected = selected;
    for (const [id, tr] of this.trs) this._renderSelected(tr, id);
    this._syncSelectAll();
  }

  _syncSelectAll() {
    if (!this.selectAll) return;
    const n = this.rows.filter((r) => this.selected.has(r.id)).length;
    this.selectAll.checked = n > 0 && n === this.rows.length;
    this.selectAll.indeterminate = n > 0 && n < this.rows.length;
  }

  /** Advances the running clocks (called every second). */
  tick() {
    const ticking = this.visibleColumns().filter((c) => COLUMNS[c.column].ticks);
    if (!ticking.length) return;
    for (const tr of this.trs.values()) {
      const row = tr._row;
      if (!row) continue;
      for (const c of ticking) {
        const def = COLUMNS[c.column];
        if (!def.ticks(row)) continue;
        const span = tr.querySelector(`td[data-column="${c.column}"] .tick`);
        if (span) span.textContent = cellValue(() => def.text(row));
      }
      // The follow-up icon turns red when due, without waiting for the server.
      const fu = row.follow_up && tr.querySelector('[data-icon="follow-up"]');
      if (fu && row.follow_up.due_at <= Date.now() && !fu.classList.contains('dot-red')) tr._row = null;
      // The idle colour moves to yellow, then red, as a waiting customer's idle time passes the
      // thresholds.
      const idle = tr.querySelector('[data-icon="idle"]');
      if (idle && idle.dataset.severity !== idleSeverity(row)) tr._row = null;
    }
    // Rows whose follow-up just fell due are redrawn.
    for (const [, tr] of this.trs) if (!tr._row) this._renderRow(tr, this.rows.find((r) => r.id === tr.dataset.id));
  }
}

/** A cell's content, or the placeholder when drawing it fails: a value no formatter expected
 * costs that cell, never the row or the rest of the list. */
function cellValue(draw) {
  try {
    return draw();
  } catch (err) {
    console.warn('a list cell could not be drawn', err);
    return PLACEHOLDER;
  }
}
