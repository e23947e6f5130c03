// The business hours, offline behaviour and texts of a group, in the Group Settings pane
// (group-settings.js puts them in its form). Business hours: a time zone, each weekday's opening
// intervals ("09:00-12:00, 13:00-17:00"), holidays (one date a line); none means always open.
// Offline behaviour: what the chat page offers outside hours or while nobody receives chats, and
// how long a customer waits in the queue before being offered a message. Texts: administrators
// only (the server refuses others), with the placeholders each may use. The server checks
// everything and names the refused field ("business_hours.weekly: monday: ..."); its words show
// next to that field.

import { h } from '../lib/dom.js';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const COMMON = ['{customer_name}', '{group}', '{agent_name}', '{question}', '{next_open}'];

const TEXTS = [
  { name: 'offline_notice', label: 'Offline notice', lines: 3, help: 'Shown on the chat page while nobody can chat.', extra: [] },
  { name: 'reply_subject', label: 'Reply e-mail: subject', lines: 1, help: 'The subject of an answer to a message left offline.', extra: [] },
  { name: 'reply_body', label: 'Reply e-mail: body', lines: 6, help: 'The answer itself goes where {reply} is.', extra: ['{reply}'] },
  { name: 'transcript_subject', label: 'Transcript e-mail: subject', lines: 1, help: 'The subject of a chat transcript sent to the customer.', extra: [] },
  { name: 'transcript_body', label: 'Transcript e-mail: body', lines: 6, help: 'The chat goes where {transcript} is.', extra: ['{transcript}'] },
];

function zones() {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return all.includes('UTC') ? all : ['UTC', ...all];
}

function fieldError(id) {
  return h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
}

/** "09:00-12:00, 13:00-17:00" -> [{start, end}], or null when it is not that shape. */
export function parseDay(text) {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const out = [];
  for (const p of parts) {
    const m = /^(\d{2}:\d{2})\s*[-–]\s*(\d{2}:\d{2})$/.exec(p);
    if (!m) return null;
    out.push({ start: m[1], end: m[2] });
  }
  return out;
}

export class GroupHoursFields {
  /** @param {{admin: boolean, onInput: (field: string) => void}} o */
  constructor({ admin, onInput }) {
    this.admin = admin;
    this.errors = {};
    this.inputs = {};
    const clear = (name) => () => { this.fieldError(name, ''); onInput(name); };

    this.enabled = h('input', { type: 'checkbox', id: 'gs-hours-on' });
    this.zone = h('select', { id: 'gs-time-zone', 'aria-describedby': 'gs-time-zone-error' },
      zones().map((z) => h('option', { value: z }, z)));
    this.days = {};
    const rows = WEEKDAYS.map((day) => {
      const id = `gs-hours-${day}`;
      const input = h('input', { id, class: 'gs-day', placeholder: 'closed', autocomplete: 'off', 'aria-describedby': 'gs-weekly-error' });
      input.addEventListener('input', clear('business_hours.weekly'));
      this.days[day] = input;
      return h('div', { class: 'gs-day-row' }, h('label', { for: id }, day[0].toUpperCase() + day.slice(1)), input);
    });
    this.holidays = h('textarea', { id: 'gs-holidays', rows: '3', placeholder: '2026-12-24', 'aria-describedby': 'gs-holidays-help gs-holidays-error' });
    this.hoursBlock = h('div', { class: 'gs-hours', id: 'gs-hours' },
      h('label', { for: 'gs-time-zone' }, 'Time zone'), this.zone, fieldError('gs-time-zone'),
      h('p', { class: 'hint' }, 'Opening hours per day, local time, e.g. 09:00-12:00, 13:00-17:00. Empty: closed all day. 24:00 ends at midnight.'),
      rows, fieldError('gs-weekly'),
      h('label', { for: 'gs-holidays' }, 'Holidays'),
      this.holidays,
      h('p', { class: 'hint', id: 'gs-holidays-help' }, 'One date a line (YYYY-MM-DD): closed all day in the group’s time zone.'),
      fieldError('gs-holidays'));
    this.enabled.addEventListener('change', () => { this.hoursBlock.hidden = !this.enabled.checked; });
    this.zone.addEventListener('change', clear('business_hours.time_zone'));
    this.holidays.addEventListener('input', clear('business_hours.holidays'));

    this.whenClosed = h('fieldset', { class: 'choice', id: 'gs-when-closed' },
      h('legend', {}, 'Outside hours or when nobody is available'),
      [
        ['choose_wait_or_message', 'The customer chooses: wait for a chat or leave a message'],
        ['message_only', 'Leave a message only'],
      ].map(([value, label]) => h('label', { class: 'inline gs-radio' },
        h('input', { type: 'radio', name: 'when_closed', value, id: `gs-when-closed-${value}` }), h('span', {}, label))));
    this.waitLimit = h('input', {
      id: 'gs-queue-wait-limit', type: 'number', inputmode: 'numeric', step: '1', min: '1', max: '86400',
      class: 'gs-number', placeholder: 'no limit', 'aria-describedby': 'gs-queue-wait-limit-help gs-queue-wait-limit-error',
    });
    this.waitLimit.addEventListener('input', clear('offline.queue_wait_limit_secs'));
    this.replyTo = h('input', {
      id: 'gs-reply-to', type: 'email', autocomplete: 'off', class: 'gs-text', placeholder: 'support@example.com',
      'aria-describedby': 'gs-reply-to-help gs-reply-to-error',
    });
    this.replyTo.addEventListener('input', clear('offline.reply_to'));

    this.errors['business_hours.time_zone'] = [this.zone, this.hoursBlock.querySelector('#gs-time-zone-error')];
    this.errors['business_hours.weekly'] = [rows[0].querySelector('input'), this.hoursBlock.querySelector('#gs-weekly-error')];
    this.errors['business_hours.holidays'] = [this.holidays, this.hoursBlock.querySelector('#gs-holidays-error')];

    const waitError = fieldError('gs-queue-wait-limit');
    this.errors['offline.queue_wait_limit_secs'] = [this.waitLimit, waitError];
    const replyToError = fieldError('gs-reply-to');
    this.errors['offline.reply_to'] = [this.replyTo, replyToError];

    this.texts = {};
    const textFields = TEXTS.map((t) => {
      const id = `gs-text-${t.name}`;
      const input = t.lines === 1
        ? h('input', { id, class: 'gs-text', placeholder: 'default', 'aria-describedby': `${id}-help ${id}-error` })
        : h('textarea', { id, class: 'gs-text', rows: String(t.lines), placeholder: 'default', 'aria-describedby': `${id}-help ${id}-error` });
      input.addEventListener('input', clear(`texts.${t.name}`));
      this.texts[t.name] = input;
      const error = fieldError(id);
      this.errors[`texts.${t.name}`] = [input, error];
      return h('div', { class: 'gs-field' }, h('label', { for: id }, t.label), input,
        h('p', { class: 'hint', id: `${id}-help` }, t.help, ' Placeholders: ', [...COMMON, ...t.extra].join(' ')),
        error);
    });

    this.element = h('div', {},
      h('fieldset', { class: 'choice gs-business-hours' },
        h('legend', {}, 'Business hours'),
        h('label', { class: 'inline' }, this.enabled, ' Set business hours (otherwise the group is always open)'),
        this.hoursBlock),
      h('fieldset', { class: 'choice gs-offline' },
        h('legend', {}, 'When nobody can answer'),
        this.whenClosed,
        h('label', { for: 'gs-queue-wait-limit' }, 'Queue wait limit'),
        h('div', { class: 'gs-input-row' }, this.waitLimit, h('span', { class: 'gs-unit' }, 'seconds')),
        h('p', { class: 'hint', id: 'gs-queue-wait-limit-help' }, 'After this long in the queue a waiting customer is offered to leave a message instead. Empty: never.'),
        waitError,
        h('label', { for: 'gs-reply-to' }, 'Group e-mail address'),
        this.replyTo,
        h('p', { class: 'hint', id: 'gs-reply-to-help' }, 'Where customers’ answers to the group’s e-mailed replies go (their Reply-To). Empty: to the sending address.'),
        replyToError),
      admin
        ? h('fieldset', { class: 'choice gs-texts', id: 'gs-texts' },
          h('legend', {}, 'Texts'),
          h('p', { class: 'hint' }, 'Empty: the built-in English text. Write {{ and }} for a brace. Customers’ values are always shown as text, never as markup.'),
          textFields)
        : h('p', { class: 'hint', id: 'gs-texts-admins' }, 'The offline notice and the e-mail texts are changed by administrators.'));
  }

  fill(settings) {
    const hours = settings.business_hours;
    this.enabled.checked = !!hours;
    this.hoursBlock.hidden = !hours;
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    this.zone.value = hours ? hours.time_zone : browserZone;
    for (const day of WEEKDAYS) {
      const intervals = hours ? hours.weekly[day] || [] : [];
      this.days[day].value = intervals.map((i) => `${i.start}-${i.end}`).join(', ');
    }
    this.holidays.value = hours ? hours.holidays.join('\n') : '';
    const offline = settings.offline || {};
    for (const radio of this.whenClosed.querySelectorAll('input')) {
      radio.checked = radio.value === (offline.when_closed_or_unstaffed || 'choose_wait_or_message');
    }
    this.waitLimit.value = offline.queue_wait_limit_secs == null ? '' : String(offline.queue_wait_limit_secs);
    this.replyTo.value = offline.reply_to || '';
    const texts = settings.texts || {};
    for (const t of TEXTS) this.texts[t.name].value = texts[t.name] || '';
  }

  /** {business_hours, offline, texts?} as the server wants them, or null after marking errors. */
  read() {
    let ok = true;
    let business_hours = null;
    if (this.enabled.checked) {
      const weekly = {};
      for (const day of WEEKDAYS) {
        const intervals = parseDay(this.days[day].value);
        if (!intervals) {
          this.fieldError('business_hours.weekly', `${day}: write opening hours as 09:00-17:00, separated by commas`);
          ok = false;
        } else {
          weekly[day] = intervals;
        }
      }
      const holidays = this.holidays.value.split('\n').map((l) => l.trim()).filter(Boolean);
      business_hours = { time_zone: this.zone.value, weekly, holidays };
    }
    const raw = this.waitLimit.value.trim();
    if (raw && !/^\d+$/.test(raw)) {
      this.fieldError('offline.queue_wait_limit_secs', 'Enter a whole number of seconds, or leave it empty.');
      ok = false;
    }
    const checked = this.whenClosed.querySelector('input:checked');
    const offline = {
      when_closed_or_unstaffed: checked ? checked.value : 'choose_wait_or_message',
      queue_wait_limit_secs: raw ? Number(raw) : null,
      reply_to: this.replyTo.value.trim() || null,
    };
    if (!ok) return null;
    const out = { business_hours, offline };
    if (this.admin) {
      out.texts = {};
      for (const t of TEXTS) out.texts[t.name] = this.texts[t.name].value.trim() ? this.texts[t.name].value : null;
    }
    return out;
  }

  /** Shows `message` next to the field the server named; false when it is not one of these. */
  fieldError(name, message) {
    const entry = this.errors[name];
    if (!entry) return false;
    const [field, el] = entry;
    el.textContent = message;
    el.hidden = !message;
    if (message) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
    return true;
  }

  focus(name) {
    const entry = this.errors[name];
    if (entry) entry[0].focus();
  }

  names() {
    return Object.keys(this.errors);
  }
}
