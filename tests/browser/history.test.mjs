// Customer history: a returning customer (the same e-mail address, typed differently) starts a
// second chat; in its chat view the "Earlier chats" panel lists the first one, and opening it
// shows that chat's transcript.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, rest, startBrowser, signIn, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

async function start(name, email, question) {
  const res = await fetch(`${BASE}/api/chats`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ group_id: 'support', name, email, question }),
  });
  assert.equal(res.status, 201);
  return res.json();
}

test("a returning customer's second chat shows the first in the history panel, which opens its transcript", async () => {
  const name = uniqueName('Hedda');
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.com`;
  const first = await start(name, email, 'My router blinks red');
  await rest.send(first.token, first.chat.id, 'It started this morning.');
  await fetch(`${BASE}/api/chats/${first.chat.id}/end`, { method: 'POST', headers: { authorization: `Bearer ${first.token}` } });
  const second = await start(name, email.toUpperCase(), 'The router again');

  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  await alice.goto(`${BASE}/console/#/chat/${second.chat.id}`);
  const entry = alice.locator(`#cv-history-list .history-entry[data-chat-id="${first.chat.id}"]`);
  await entry.waitFor();
  assert.equal(await alice.locator('#cv-history-list .history-entry').count(), 1, 'only the earlier chat, not this one');
  assert.match(await entry.textContent(), /Support · Ended/);
  assert.match(await entry.textContent(), /My router blinks red/);

  await entry.locator('a').click();
  await alice.waitForFunction((id) => location.hash === `#/chat/${id}`, first.chat.id);
  await alice.waitForSelector('.transcript >> text=It started this morning.');
  assert.equal(await alice.isVisible('#cv-message'), false, 'an ended chat is read, not written');
  // Its own history panel lists the later chat.
  await alice.waitForSelector(`#cv-history-list .history-entry[data-chat-id="${second.chat.id}"]`);
  browser.assertNoErrors();
});
