// The bell in the header: the agent's notification settings (which news, desktop and sound),
// saved on the server with the other preferences, and the browser's permission for desktop
// notifications, asked for from this dialog's button (browsers ask only after a click).

import { h } from '../lib/dom.js';
import { api } from './api.js';
import { modal } from './dialogs.js';
import { askPermission, settings } from './notify.js';
import { state } from './state.js';
import { toast } from './toast.js';

const KINDS = [
  ['new_chats', 'A chat starts waiting in one of my groups\u2019 queues'],
  ['assigned', 'A chat is given to me (distribution, hand-off, transfer)'],
  ['messages', 'A customer writes in one of my chats that is not on screen'],
];
const WAYS = [
  ['desktop', 'Desktop notifications'],
  ['sound', 'A sound'],
];

function permissionText() {
  if (!('Notification' in window)) return 'This browser cannot show desktop notifications.';
  if (Notification.permission === 'granted') return 'This browser shows chatdesk\u2019s desktop notifications.';
  if (Notification.permission === 'denied') return 'This browser blocks chatdesk\u2019s desktop notifications: allow them in the site settings.';
  return 'This browser has not been allowed to show desktop notifications yet.';
}

export class NotificationSettings {
  constructor(button) {
    this.button = button;
    button.textContent = '\u{1F514}';
    button.setAttribute('aria-label', 'Notification settings');
    button.title = 'Notifications';
    button.addEventListener('click', () => this.open());
  }

  open() {
    const current = settings();
    const box = (name, label) => h('label', { class: 'check-row' },
      h('input', { type: 'checkbox', name, id: `notify-${name}`, checked: !!current[name] }), ' ', label);
    const permission = h('p', { class: 'hint', id: 'notify-permission' }, permissionText());
    const allow = h('button', {
      type: 'button',
      class: 'small',
      id: 'notify-allow',
      hidden: !('Notification' in window) || Notification.permission !== 'default',
      onclick: async () => {
        await askPermission();
        permission.textContent = permissionText();
        allow.hidden = Notification.permission !== 'default';
      },
    }, 'Allow desktop notifications');
    const body = [
      h('fieldset', { class: 'choice' }, h('legend', {}, 'Tell me when'), KINDS.map(([n, l]) => box(n, l))),
      h('fieldset', { class: 'choice' }, h('legend', {}, 'How'), WAYS.map(([n, l]) => box(n, l)), permission, allow),
    ];
    return modal({
      title: 'Notifications',
      className: 'notify-dialog',
      body,
      buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Save', value: 'save', class: 'primary' }],
      onSubmit: async (_value, form) => {
        const notifications = {};
        for (const [name] of [...KINDS, ...WAYS]) notifications[name] = form.elements[name].checked;
        const prefs = state.prefs;
        const saved = await api.savePreferences({
          columns: prefs.columns.map(({ column, visible, width }) => ({ column, visible, width })),
          sort: { column: prefs.sort.column, direction: prefs.sort.direction },
          notifications,
        });
        state.prefs = { ...state.prefs, notifications: saved.notifications || notifications };
        toast('Notification settings saved.', 'ok');
        return 'saved';
      },
    });
  }
}
