// The columns of a chat list: header label, how a cell is drawn, and which cells tick. Values are
// the server's as of `row.as_of`; durations that run (queue time while queued, idle while live)
// are advanced client-side from the moment the row arrived, so clocks on different machines do
// not have to agree. A value out of range shows as a placeholder in its cell (lib/format.js);
// the table draws every cell on its own, so one bad value never hides a row or the list.

import { dot, h } from '../lib/dom.js';
import { PLACEHOLDER, count, duration, durationWords, fullDateTime, isoTime, isValidTime, shortDateTime, text } from '../lib/format.js';
import { state } from './state.js';

export const COLUMN_IDS = ['status', 'user', 'group', 'started', 'queue_time', 'idle', 'messages', 'agent', 'rating'];

const STATE_WORDS = { queued: 'Queued', active: 'Active', inactive: 'Ended' };
const SEVERITY_WORDS = { grey: 'no idle issue', green: 'normal', yellow: 'idle warning', red: 'high idle warning' };

/** Milliseconds a running duration has advanced since the row arrived. */
export function elapsedSince(row) {
  return Math.max(0, performance.now() - (row._receivedAt || performance.now()));
}

export function queueMs(row) {
  return row.queue_ms + (row.state === 'queued' && !row.deleted ? elapsedSince(row) : 0);
}

export function idleMs(row) {
  return row.idle_ms + (row.state !== 'inactive' && !row.deleted ? elapsedSince(row) : 0);
}

/** The idle colour as the idle time ticks. The server decides whether the customer is waiting
 * (its colour is grey when the agent has the last word, red when the chat has ended); while they
 * wait, the colour follows the deployment's thresholds (docs/domain.md has the rule). */
export function idleSeverity(row) {
  const server = (row.icons && row.icons.idle) || 'grey';
  const t = state.me && state.me.idle_thresholds;
  if (!t || row.deleted || row.state !== 'active' || server === 'grey') return server;
  const idle = idleMs(row);
  if (idle >= t.high_ms) return 'red';
  if (idle >= t.warning_ms) return 'yellow';
  return 'green';
}

/** The follow-up icon: the server's colour, turned red here the moment the due time passes. */
export function followUpSeverity(row) {
  if (!row.follow_up) return null;
  // A due time no date can hold is shown as due: someone should look at it.
  if (!isValidTime(row.follow_up.due_at)) return 'red';
  return row.follow_up.due_at <= Date.now() ? 'red' : (row.icons && row.icons.follow_up) || 'green';
}

export const ESCALATED_TITLE = "Reached its group's hand-off limit: it waits in the queue for a person, and managers were alerted.";

export function handOffsText(n) {
  return n === 1 ? 'Handed off once' : `Handed off ${n} times`;
}

/** How often hand-off timers moved the chat (nothing for the many chats never moved), red
 * when it reached the group's limit and waits for a person. */
function handOffBadge(row) {
  if (!row.hand_offs && !row.escalated) return null;
  const label = row.escalated ? `${handOffsText(row.hand_offs)}. ${ESCALATED_TITLE}` : handOffsText(row.hand_offs);
  return h('span', {
    class: ['hand-off-badge', row.escalated ? 'is-escalated' : null],
    role: 'img', 'aria-label': label, title: label, dataset: { icon: 'hand-offs' },
  }, `↷${row.hand_offs}${row.escalated ? '!' : ''}`);
}

/** A satisfaction score the console can draw: a whole number from 1 to 5. */
export function isRating(score) {
  return Number.isInteger(score) && score >= 1 && score <= 5;
}

/** 4 -> "★★★★☆". */
export function ratingStars(score) {
  return '★'.repeat(score) + '☆'.repeat(5 - score);
}

export function ratingWords(score) {
  return `${score} out of 5`;
}

/** Stars for a rated chat, a muted dash for one not (yet) rated or a score out of range. */
function ratingCell(row) {
  if (isRating(row.rating)) {
    return h('span', { class: 'rating-stars', role: 'img', 'aria-label': ratingWords(row.rating), dataset: { score: String(row.rating) } }, ratingStars(row.rating));
  }
  return h('span', { class: 'muted rating-none' }, PLACEHOLDER, h('span', { class: 'visually-hidden' }, ' not rated'));
}

function statusCell(row) {
  const icons = row.icons || {};
  const state = row.deleted ? `${STATE_WORDS[row.state] || row.state}, deleted` : STATE_WORDS[row.state] || row.state;
  const fu = followUpSeverity(row);
  const fuLabel = row.follow_up
    ? `Follow-up ${fu === 'red' ? 'due' : 'scheduled'} ${fullDateTime(row.follow_up.due_at)}${row.follow_up.note ? `: ${row.follow_up.note}` : ''}`
    : 'No follow-up';
  return h('span', { class: 'status-icons' },
    dot(icons.state, `Status: ${state}`),
    h('span', { class: ['dot', 'shape-square', fu ? `dot-${fu}` : 'dot-none'], role: 'img', 'aria-label': fuLabel, title: fuLabel, dataset: { icon: 'follow-up' } }),
    h('span', { class: ['dot', 'shape-diamond', `dot-${idleSeverity(row)}`], role: 'img', 'aria-label': `Idle: ${SEVERITY_WORDS[idleSeverity(row)]}`, title: `Idle: ${SEVERITY_WORDS[idleSeverity(row)]}`, dataset: { icon: 'idle', severity: idleSeverity(row) } }),
    handOffBadge(row),
    h('span', { class: 'visually-hidden' }, state));
}

export const COLUMNS = {
  status: { label: 'Status', render: statusCell },
  user: {
    label: 'User',
    render: (row) => h('span', { class: 'user-cell' },
      h('span', { class: 'user-name' }, text(row.user)),
      row.verified_user_id ? h('span', { class: 'verified', title: `Verified user ${row.verified_user_id}`, 'aria-label': 'verified' }, '✓') : null),
    title: (row) => row.question,
  },
  group: { label: 'Group', render: (row) => text(row.group_name) },
  started: {
    label: 'Started',
    render: (row) => h('time', { datetime: isoTime(row.started_at) }, shortDateTime(row.started_at)),
    title: (row) => fullDateTime(row.started_at),
  },
  queue_time: {
    label: 'Queue Time',
    numeric: true,
    ticks: (row) => row.state === 'queued' && !row.deleted,
    text: (row) => duration(queueMs(row)),
    render: (row) => h('span', { class: 'tick' }, duration(queueMs(row))),
    title: (row) => durationWords(queueMs(row)),
  },
  idle: {
    label: 'Idle',
    numeric: true,
    ticks: (row) => row.state !== 'inactive' && !row.deleted,
    text: (row) => duration(idleMs(row)),
    // Only a customer left waiting is worth colouring; an ended chat's red icon says enough.
    render: (row) => h('span', { class: ['tick', 'idle', row.state === 'active' && !row.deleted ? `sev-${idleSeverity(row)}` : null] }, duration(idleMs(row))),
    title: (row) => durationWords(idleMs(row)),
  },
  messages: { label: 'Messages', numeric: true, render: (row) => count(row.messages) },
  agent: {
    label: 'Agent',
    render: (row) => (row.agent_name ? text(row.agent_name) : h('span', { class: 'muted' }, 'Unassigned')),
  },
  // The customer's satisfaction with an ended chat (optional: hidden until the agent shows it).
  rating: {
    label: 'Rating',
    numeric: true,
    render: ratingCell,
    title: (row) => (isRating(row.rating) ? ratingWords(row.rating) : 'Not rated'),
  },
  // Agents' tags on the chat (optional: hidden until the agent shows it).
  tags: {
    label: 'Tags',
    render: (row) => h('span', { class: 'tags-cell' }, (row.tags || []).map((t) => h('span', { class: 'tag' }, t))),
    title: (row) => ((row.tags || []).length ? (row.tags || []).join(', ') : 'No tags'),
  },
};

/** A tag as the server keeps it: runs of spaces made one, trimmed, lower-cased. */
export function normaliseTag(raw) {
  return String(raw || '').split(/\s+/).filter(Boolean).join(' ').toLowerCase();
}
