// The presence switch in the header: whether chats reach the agent now. The server decides the
// presence (`GET /api/me`): available, away (switched off here), or offline (no console open, so
// it shows while this console's own socket is still connecting); the switch only moves between
// available and away (`PATCH /api/me`). Every (re)connect reads it again, since opening a
// socket is what brings an offline agent back.

import { h } from '../lib/dom.js';
import { api } from './api.js';
import { state } from './state.js';
import { toast } from './toast.js';

const WORDS = { available: 'Available', away: 'Away', offline: 'Offline' };
const TITLES = {
  available: 'You receive chats. Click to go away.',
  away: 'You receive no new chats. Click to become available.',
  offline: 'The server sees no open console of yours yet: no new chats reach you. Click to switch between available and away.',
};
/** The server marks the agent online as the socket opens; a read that raced it is retried once. */
const RECHECK_MS = 1500;

/** What the server says, or what `agent.available` implies for an older server without `presence`. */
export function presenceOf(me) {
  if (me && WORDS[me.presence]) return me.presence;
  return me && me.agent.available ? 'available' : 'away';
}

export class PresenceSwitch {
  /** @param {HTMLButtonElement} button */
  constructor(button) {
    this.button = button;
    this.recheck = null;
    button.onclick = () => this.toggle();
    this.draw();
  }

  draw() {
    const presence = presenceOf(state.me);
    const b = this.button;
    // Pressed = receiving chats: the switch's "on" is available, whatever else the server says.
    b.setAttribute('aria-pressed', String(state.me.agent.available));
    b.className = `availability presence-${presence}`;
    b.dataset.presence = presence;
    b.replaceChildren(h('span', { class: 'avail-dot', 'aria-hidden': 'true' }), WORDS[presence]);
    b.title = TITLES[presence];
  }

  async toggle() {
    const b = this.button;
    b.disabled = true;
    try {
      state.me = await api.setAvailable(!state.me.agent.available);
      this.draw();
      toast(state.me.agent.available ? 'You are available for chats.' : 'You are away: no new chats will be assigned to you.', 'info');
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      b.disabled = false;
    }
  }

  /** Reads the presence again (after the socket (re)opens). */
  async refresh(again = true) {
    clearTimeout(this.recheck);
    try {
      state.me = await api.me();
    } catch {
      return; // a 401 signs out elsewhere; anything else keeps what is shown
    }
    this.draw();
    if (again && presenceOf(state.me) === 'offline') this.recheck = setTimeout(() => this.refresh(false), RECHECK_MS);
  }
}
