// Builds customised live-chat links (?group=&name=&email=&question=) and the website snippet
// for web/embed.js, with copy buttons. Everything is computed in the page; nothing is saved.

import { $, h, replace } from '../lib/dom.js';
import { loadGroups } from './api.js';
import { availabilityOf } from './availability.js';

let groups = [];

/** What the link's customers see now: a chat, the choice, or a message only. */
const OFFERS = {
  chat: 'open now: customers can start a chat.',
  choose: 'nobody can chat right now: customers may wait for a chat or leave a message.',
  message: 'nobody can chat right now: customers can only leave a message.',
};

function showState(group) {
  const a = availabilityOf(groups, group);
  $('#b-state').textContent = a ? `This group is ${OFFERS[a.offer] || a.offer}` : '';
}

const fields = ['b-base', 'b-group', 'b-name', 'b-email', 'b-question', 'b-label', 'b-mode'];

/** An HTML attribute value, escaped for the snippet the administrator pastes into their site. */
function attr(value) {
  return String(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function build() {
  const error = $('#b-error');
  error.hidden = true;
  let base;
  try {
    base = new URL($('#b-base').value.trim() || location.origin);
  } catch {
    error.textContent = 'The chat server address is not a valid URL (e.g. https://help.example.com).';
    error.hidden = false;
    return;
  }
  const root = base.href.endsWith('/') ? base.href : `${base.href}/`;
  const group = $('#b-group').value.trim();
  if (group && !/^[A-Za-z0-9_-]+$/.test(group)) {
    error.textContent = 'A group id has only letters, digits, "-" and "_".';
    error.hidden = false;
  }
  const params = new URLSearchParams();
  const values = { group, name: $('#b-name').value.trim(), email: $('#b-email').value.trim(), question: $('#b-question').value.trim() };
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const qs = params.toString();
  const link = `${root}chat/${qs ? `?${qs}` : ''}`;
  showState(group);
  $('#out-link').value = link;
  $('#open-link').href = link;

  const data = Object.entries(values).filter(([, v]) => v).map(([k, v]) => ` data-${k}="${attr(v)}"`);
  const label = $('#b-label').value.trim();
  if (label) data.push(` data-label="${attr(label)}"`);
  if ($('#b-mode').value === 'popup') data.push(' data-mode="popup"');
  $('#out-snippet').value = `<script src="${attr(`${root}embed.js`)}"${data.join('')} async></script>`;
}

async function copy(id) {
  const el = $(`#${id}`);
  const status = $('#copied');
  try {
    await navigator.clipboard.writeText(el.value);
  } catch {
    // No clipboard permission (plain http, old browser): select the text for Ctrl+C.
    el.focus();
    el.select();
    status.textContent = 'Press Ctrl+C (⌘C) to copy the selected text.';
    return;
  }
  status.textContent = id === 'out-link' ? 'Link copied.' : 'Snippet copied.';
  setTimeout(() => { status.textContent = ''; }, 3000);
}

async function boot() {
  $('#b-base').value = location.origin;
  for (const id of fields) $(`#${id}`).addEventListener('input', build);
  groups = await loadGroups();
  replace($('#b-groups'), groups.map((g) => h('option', { value: g.id }, g.name)));
  const preset = new URLSearchParams(location.search).get('group');
  // Do not overwrite what was typed while the groups loaded.
  if (!$('#b-group').value) $('#b-group').value = preset || (groups[0] ? groups[0].id : '');
  $('#builder-form').addEventListener('submit', (e) => e.preventDefault());
  for (const b of document.querySelectorAll('button[data-copy]')) b.addEventListener('click', () => copy(b.dataset.copy));
  build();
  document.body.dataset.ready = 'true';
}

boot();
