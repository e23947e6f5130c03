// The Group Settings pane (managers and administrators, `#/settings/<group>`): how a group hands
// out its chats, its business hours and offline behaviour (group-hours.js), and its hand-off timers — how long an agent may leave a customer before the
// chat goes to a colleague or back to the queue, and how many such moves a chat may make before
// it waits for a person. Members could read these, but only the group's managers and the
// administrators may change them, so agents get no entry, and one who types the address gets a
// refusal. The server checks the ranges; its refusal names the field, and its words are shown
// next to that field with everything typed kept.

import { h, replace } from '../lib/dom.js';
import { api } from './api.js';
import { isAdmin, isManager, state } from './state.js';
import { markCurrent, renderNav, setTitle } from './nav.js';
import { DEFAULT_VIEW, routeOf, SETTINGS_ROUTE, settingsRoute } from './views.js';
import { toast } from './toast.js';
import { GroupHoursFields } from './group-hours.js';

const REFUSED = "Only managers and administrators change a group's settings. Ask one of them if a group's timers need changing.";

const DISTRIBUTIONS = [
  { value: 'pull', label: 'Pull', help: 'Chats wait in the queue until an agent pulls one.' },
  { value: 'automatic', label: 'Automatic', help: 'Each new chat goes straight to the least busy available member with room for it.' },
  { value: 'round_robin', label: 'Round robin', help: 'Available members with room take new chats in turn, whatever their load.' },
];

/** The hand-off settings, in the order of the form; `secs` fields are timers (0 turns one off). */
const FIELDS = [
  {
    name: 'no_first_response_secs', label: 'No first response', secs: true,
    help: 'How long an agent who gets a chat may go without writing to the customer. Then the chat moves on.',
  },
  {
    name: 'no_follow_up_secs', label: 'No follow-up', secs: true,
    help: 'How long a customer may wait for an answer to their message while the agent neither answers nor types. Then the chat moves on.',
  },
  {
    name: 'agent_disconnected_secs', label: 'Agent disconnected', secs: true,
    help: "How long an agent's chats wait for their closed console to come back (a reload or a network change takes seconds). Then they move on.",
  },
  {
    name: 'max_hand_offs', label: 'Hand-off limit', secs: false,
    help: "How many times one chat may be handed off. The last one puts it in the queue, where it waits for a person; the group's managers and administrators are alerted.",
  },
];

/** "2 min 30 s", for the reading beside a timer's seconds. */
function secondsWords(secs) {
  if (secs === 0) return 'off';
  const parts = [];
  const hours = Math.floor(secs / 3600);
  const min = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  if (hours) parts.push(`${hours} h`);
  if (min) parts.push(`${min} min`);
  if (s) parts.push(`${s} s`);
  return parts.join(' ');
}

/** The groups this person may change: every group for administrators, their own for managers. */
function editableGroups() {
  if (isAdmin() && state.groups.length) return state.groups;
  return state.me.groups;
}

export class GroupSettingsPane {
  constructor(root) {
    this.root = root;
    this.groupId = null;
    this.loadSeq = 0;
  }

  get isOpen() {
    return this.groupId !== null;
  }

  /** Shows the settings of `groupId` (the first editable group when none or not ours). */
  open(groupId) {
    this.root.hidden = false;
    setTitle('Group Settings');
    if (!isManager()) {
      this._refuse();
      this.groupId = '';
      return;
    }
    const groups = editableGroups();
    const group = groups.find((g) => g.id === groupId) || groups[0];
    if (!group) {
      this.groupId = '';
      replace(this.root, this._head(), h('p', { class: 'error-box settings-body' }, 'You are in no group.'));
      return;
    }
    if (group.id !== groupId) history.replaceState(null, '', settingsRoute(group.id));
    this.groupId = group.id;
    this._frame(groups, group);
    this.load();
  }

  close() {
    this.groupId = null;
    this.loadSeq += 1; // answers still in flight are for a pane no longer shown
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  _head() {
    return h('div', { class: 'kb-head' }, h('h1', { id: 'settings-heading' }, 'Group Settings'));
  }

  _refuse() {
    replace(this.root, this._head(),
      h('div', { class: 'settings-body' },
        h('p', { class: 'error-box', id: 'settings-refused', role: 'alert' }, REFUSED),
        h('p', {}, h('a', { href: routeOf(DEFAULT_VIEW) }, '← Back to My Active'))));
  }

  _frame(groups, group) {
    const select = h('select', { id: 'gs-group' },
      groups.map((g) => h('option', { value: g.id, selected: g.id === group.id }, g.name)));
    select.addEventListener('change', () => { location.hash = settingsRoute(select.value); });

    const distribution = h('fieldset', { class: 'choice gs-distribution', id: 'gs-distribution' },
      h('legend', {}, 'Distribution'),
      DISTRIBUTIONS.map((d) => h('label', { class: 'inline gs-radio' },
        h('input', { type: 'radio', name: 'distribution', value: d.value, id: `gs-distribution-${d.value}` }),
        h('span', {}, h('strong', {}, d.label), ' — ', h('span', { class: 'hint' }, d.help)))),
      h('p', { class: 'field-error', id: 'gs-distribution-error', hidden: true }));

    this.inputs = {};
    this.errors = { distribution: distribution.querySelector('#gs-distribution-error') };
    this.distribution = distribution;
    const numbers = FIELDS.map((f) => {
      const id = `gs-${f.name}`;
      const input = h('input', {
        id, name: f.name, type: 'number', inputmode: 'numeric', step: '1', min: f.secs ? '0' : '1',
        max: f.secs ? '86400' : '20', class: 'gs-number', 'aria-describedby': `${id}-help ${id}-error`,
      });
      const reading = h('output', { class: 'gs-reading', for: id, id: `${id}-reading` });
      const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
      const draw = () => {
        const n = Number(input.value);
        reading.textContent = f.secs && input.value !== '' && Number.isInteger(n) && n >= 0 ? `= ${secondsWords(n)}` : '';
      };
      input.addEventListener('input', () => { this._fieldError(f.name, ''); draw(); });
      input._draw = draw;
      this.inputs[f.name] = input;
      this.errors[f.name] = error;
      return h('div', { class: 'gs-field' },
        h('label', { for: id }, f.label),
        h('div', { class: 'gs-input-row' }, input, h('span', { class: 'gs-unit' }, f.secs ? 'seconds' : 'hand-offs'), reading),
        h('p', { class: 'hint', id: `${id}-help` }, f.help, f.secs ? ' 0 turns it off; at most 86,400 (a day).' : ' From 1 to 20.'),
        error);
    });
    distribution.addEventListener('change', () => this._fieldError('distribution', ''));
    this.hours = new GroupHoursFields({ admin: isAdmin(), onInput: () => {} });

    this.el = {
      error: h('div', { class: 'error-box', id: 'settings-error', role: 'alert', hidden: true }),
      status: h('span', { class: 'gs-status', id: 'settings-status', role: 'status' }),
      save: h('button', { type: 'submit', class: 'primary', id: 'settings-save' }, 'Save'),
    };
    this.form = h('form', { class: 'settings-form', id: 'settings-form', novalidate: true, 'aria-labelledby': 'settings-heading' },
      h('label', { for: 'gs-group' }, 'Group'), select,
      distribution,
      h('fieldset', { class: 'choice gs-timers' },
        h('legend', {}, 'Hand-offs'),
        h('p', { class: 'hint' }, 'When an agent leaves a customer waiting too long, the chat moves on: in a group that hands chats out (automatic, round robin) to another available member with room, otherwise (a pull group, or nobody has room) back to the head of the queue.'),
        numbers),
      this.hours.element,
      this.el.error,
      h('div', { class: 'buttons gs-buttons' }, this.el.save, this.el.status));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.save();
    });
    replace(this.root, this._head(), h('div', { class: 'settings-body' }, this.form));
  }

  _fieldError(name, message) {
    if (this.hours && this.hours.fieldError(name, message)) return true;
    const el = this.errors[name];
    const field = name === 'distribution' ? this.distribution : this.inputs[name];
    if (!el || !field) return false;
    el.textContent = message;
    el.hidden = !message;
    if (message) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
    return true;
  }

  _error(message) {
    this.el.error.textContent = message || '';
    this.el.error.hidden = !message;
  }

  _busy(on) {
    this.el.save.disabled = on;
    if (on) this.form.setAttribute('aria-busy', 'true');
    else this.form.removeAttribute('aria-busy');
  }

  _fill(settings) {
    for (const radio of this.distribution.querySelectorAll('input[type="radio"]')) radio.checked = radio.value === settings.distribution;
    for (const f of FIELDS) {
      this.inputs[f.name].value = String(settings.hand_off[f.name]);
      this.inputs[f.name]._draw();
    }
    this.hours.fill(settings);
  }

  async load() {
    const seq = ++this.loadSeq;
    this._busy(true);
    this._error('');
    try {
      const settings = await api.groupSettings(this.groupId);
      if (seq !== this.loadSeq) return;
      this._fill(settings);
    } catch (err) {
      if (seq !== this.loadSeq) return;
      this._error(`The group's settings could not be read: ${err.message}`);
    } finally {
      if (seq === this.loadSeq) this._busy(false);
    }
  }

  /** The form as the server wants it, or null after marking what is not a whole number. */
  _read() {
    const checked = this.distribution.querySelector('input[type="radio"]:checked');
    const hand_off = {};
    let ok = true;
    for (const f of FIELDS) {
      const raw = this.inputs[f.name].value.trim();
      // Only the shape is checked here; the ranges are the server's to decide and explain.
      if (!/^\d+$/.test(raw)) {
        this._fieldError(f.name, 'Enter a whole number.');
        ok = false;
      } else {
        hand_off[f.name] = Number(raw);
      }
    }
    if (!checked) {
      this._fieldError('distribution', 'Choose how chats are handed out.');
      ok = false;
    }
    const hours = this.hours.read();
    if (!hours) ok = false;
    return ok ? { distribution: checked.value, hand_off, ...hours } : null;
  }

  async save() {
    for (const name of [...Object.keys(this.errors), ...this.hours.names()]) this._fieldError(name, '');
    this._error('');
    this.el.status.textContent = '';
    const body = this._read();
    if (!body) {
      this.form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    const groupId = this.groupId;
    const seq = ++this.loadSeq;
    this._busy(true);
    try {
      const saved = await api.saveGroupSettings(groupId, body);
      if (seq !== this.loadSeq) return;
      this._fill(saved);
      this.el.status.textContent = 'Saved.';
      toast(`Saved the settings of ${saved.name}.`, 'ok');
      this._adoptDistribution(saved);
    } catch (err) {
      if (seq !== this.loadSeq) return;
      // "max_hand_offs: must be between 1 and 20": the server names the field first.
      const [field, ...rest] = String(err.message).split(': ');
      const shown = err.status === 400 && rest.length && this._fieldError(field, rest.join(': '));
      if (shown) (this.inputs[field] || { focus: () => this.hours.focus(field) }).focus();
      else this._error(err.message);
    } finally {
      if (seq === this.loadSeq) this._busy(false);
    }
  }

  /** The navigation pane tags groups by distribution: keep it right without a reload. */
  _adoptDistribution(saved) {
    let changed = false;
    for (const g of [...state.me.groups, ...state.groups]) {
      if (g.id === saved.id && g.distribution !== saved.distribution) {
        g.distribution = saved.distribution;
        changed = true;
      }
    }
    if (changed) {
      renderNav();
      markCurrent(SETTINGS_ROUTE);
    }
  }
}
