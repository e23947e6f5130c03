// Administration in the console (issue 16): an administrator creates an agent (the generated
// password is shown once), who signs in and receives a chat; deactivating them ends their open
// console at once and refuses their token; the audit log shows both actions.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, rest, row, signIn, startBrowser, uniqueName, waitLive } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

async function call(method, path, token, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

test('an administrator creates an agent who works, then deactivates them', async () => {
  const username = `ivy-${Math.random().toString(36).slice(2, 7)}`;
  const name = `Ivy ${username.slice(4)}`;
  const admin = await browser.newPage(DESKTOP, 'admin');
  await signIn(admin, 'admin');
  await admin.click('#nav-admin');
  await admin.waitForSelector('#admin-agents');

  // Create: no password typed, so one is generated and shown once.
  await admin.click('#admin-new-agent');
  await admin.fill('#admin-username', username);
  await admin.fill('#admin-display-name', name);
  await admin.check('.admin-dialog input[name="groups"][value="support"]');
  await admin.click('.admin-dialog button[value="ok"]');
  const password = await admin.inputValue('#admin-new-password');
  assert.ok(password.length >= 20, password);
  await admin.click('dialog[open] button[value="ok"]');
  await admin.locator('#admin-agents tr', { hasText: username }).waitFor();

  // The new agent signs in with it and a customer's chat reaches them.
  const ivy = await browser.newPage(DESKTOP, 'ivy');
  await ivy.goto(`${BASE}/console/`);
  await ivy.fill('#login-username', username);
  await ivy.fill('#login-password', password);
  await ivy.click('#login-submit');
  await ivy.waitForSelector('#nav .nav-link');
  await waitLive(ivy);
  const { token } = (await call('POST', '/api/auth/login', null, { username, password })).body;
  const customer = uniqueName('Newcomer');
  const started = await rest.startChat('support', customer, 'Is anyone new here?');
  const pulled = await call('POST', '/api/actions/pull', token, { chat_ids: [started.chat.id] });
  assert.equal(pulled.body.succeeded, 1, JSON.stringify(pulled.body));
  await ivy.click('#nav a[href="#/my_active"]');
  await row(ivy, customer).waitFor();
  await rest.action(token, 'end', { chat_ids: [started.chat.id] });

  // Deactivated: her console is sent back to the sign-in page, and her token is refused.
  const agentRow = admin.locator('#admin-agents tr', { hasText: username });
  await agentRow.getByRole('button', { name: 'Deactivate' }).click();
  await admin.click('dialog[open] button[value="ok"]');
  await ivy.waitForSelector('#login-view:not([hidden])', { timeout: 3000 });
  assert.match(await ivy.textContent('#login-error'), /revoked|sign in again/i);
  assert.equal((await call('GET', '/api/me', token)).status, 401);
  await agentRow.getByText(/^deactivated/).waitFor();
  // And she cannot sign in again.
  await ivy.fill('#login-username', username);
  await ivy.fill('#login-password', password);
  await ivy.click('#login-submit');
  await ivy.waitForFunction(() => /deactivated/.test(document.querySelector('#login-error').textContent));

  // The audit log tells it, newest first.
  await admin.click('a[href="#/admin/audit"]');
  await admin.waitForSelector('#admin-audit');
  const entries = await admin.locator('#admin-audit tbody tr', { hasText: username }).locator('.audit-action').allTextContents();
  assert.deepEqual(entries.slice(0, 2), [`deactivated agent ${username}`, `created agent ${username}`]);
  // The one refusal the browser logs is the sign-in this test expected to fail.
  const refusedSignIn = (p) => p.startsWith('ivy: ') && p.includes('401') && p.includes('/api/auth/login');
  assert.equal(browser.problems.filter(refusedSignIn).length, 1);
  browser.problems.splice(0, browser.problems.length, ...browser.problems.filter((p) => !refusedSignIn(p)));
  browser.assertNoErrors();
});

test('a group with chats is removed by moving them, and every moved chat keeps its transcript', async () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const id = `returns-${suffix}`;
  const name = `Returns ${suffix}`;
  const admin = await browser.newPage(DESKTOP, 'admin');
  await signIn(admin, 'admin');
  await admin.click('#nav-admin');
  await admin.click('a[href="#/admin/groups"]');
  await admin.waitForSelector('#admin-groups');

  // Created in the console, with Bob as its member.
  await admin.click('#admin-new-group');
  await admin.fill('#admin-group-id', id);
  await admin.fill('#admin-group-name', name);
  await admin.click('.admin-dialog button[value="ok"]');
  const groupRow = admin.locator(`#admin-groups tr[data-group="${id}"]`);
  await groupRow.waitFor();
  await groupRow.getByRole('button', { name: 'Members' }).click();
  await admin.check('.admin-dialog input[name="members"][value="bob"]');
  await admin.click('.admin-dialog button[value="ok"]');
  await groupRow.locator('.group-members', { hasText: 'Bob' }).waitFor();

  // Customers write to it: one waits, Bob answers one, and one is over.
  const bob = await rest.login('bob');
  const adminToken = await rest.login('admin');
  const waiting = await rest.startChat(id, uniqueName('Quinn'), `Where do I send parcel ${suffix}?`);
  const active = await rest.startChat(id, uniqueName('Ada'), `Refund for order ${suffix}`);
  const ended = await rest.startChat(id, uniqueName('Eve'), `Wrong size ${suffix}`);
  for (const chat of [active, ended]) {
    const taken = await rest.action(bob, 'take', { chat_ids: [chat.chat.id] });
    assert.equal(taken.succeeded, 1, JSON.stringify(taken));
  }
  await rest.send(bob, active.chat.id, `Bob here about ${suffix}`);
  await rest.action(bob, 'end', { chat_ids: [ended.chat.id], resolution: 'Exchanged.' });

  // Removed by moving everything to Support.
  await groupRow.getByRole('button', { name: 'Remove' }).click();
  await admin.selectOption('#admin-move-to', 'support');
  await admin.click('.admin-dialog button[value="ok"]');
  await groupRow.waitFor({ state: 'detached' });

  // Every chat is in Support now, in its state, with its whole transcript.
  const expectations = [
    [waiting.chat.id, `Where do I send parcel ${suffix}?`, null],
    [active.chat.id, `Refund for order ${suffix}`, `Bob here about ${suffix}`],
    [ended.chat.id, `Wrong size ${suffix}`, null],
  ];
  for (const [chatId, question, reply] of expectations) {
    const read = await rest.get(adminToken, `/api/chats/${chatId}`).catch(() => null);
    assert.equal(read && read.group_id, 'support', `chat ${chatId} moved to Support`);
    await admin.goto(`${BASE}/console/#/chat/${encodeURIComponent(chatId)}`);
    const transcript = admin.locator('#chat-view .transcript');
    await transcript.getByText(question).first().waitFor();
    if (reply) await transcript.getByText(reply).waitFor();
    await transcript.getByText(new RegExp(`Moved from ${id} to Support`)).waitFor();
  }
  assert.equal((await rest.get(bob, `/api/chats/${active.chat.id}`)).agent_id, 'bob', 'the active chat stays with Bob');
  await rest.action(bob, 'end', { chat_ids: [active.chat.id] });
  await rest.action(adminToken, 'pull', { chat_ids: [waiting.chat.id] });
  await rest.action(adminToken, 'end', { chat_ids: [waiting.chat.id] });

  // The audit log tells the group's story.
  await admin.goto(`${BASE}/console/#/admin/audit`);
  await admin.waitForSelector('#admin-audit');
  const entries = await admin.locator('#admin-audit tbody tr .audit-action', { hasText: id }).allTextContents();
  assert.deepEqual(entries, [`removed group ${id}`, `created group ${id}`]);
  browser.assertNoErrors();
});

test('an administrator changes the idle thresholds on the organisation page', async () => {
  const admin = await browser.newPage(DESKTOP, 'admin');
  await signIn(admin, 'admin');
  await admin.goto(`${BASE}/console/#/admin/organisation`);
  await admin.waitForSelector('#admin-organisation');
  assert.match(await admin.textContent('#org-sign-in'), /passwords/);
  const save = async (warning, high) => {
    await admin.fill('#org-idle-warning', String(warning));
    await admin.fill('#org-idle-high', String(high));
    await admin.click('#admin-organisation button[type="submit"]');
  };
  await save(300, 60);
  await admin.locator('#admin-organisation .error-box', { hasText: 'idle_high_secs' }).waitFor();
  await save(100, 200);
  await admin.locator('.toast', { hasText: 'Saved' }).first().waitFor();
  const me = await rest.get(await rest.login('alice'), '/api/me');
  assert.deepEqual(me.idle_thresholds, { warning_ms: 100_000, high_ms: 200_000 });
  // Back to the defaults for the tests after this one.
  await save(120, 300);
  const adminToken = await rest.login('admin');
  for (let i = 0; i < 50; i += 1) {
    const org = await rest.get(adminToken, '/api/admin/organisation');
    if (org.idle_warning_secs === 120 && org.idle_high_secs === 300) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual((await rest.get(await rest.login('alice'), '/api/me')).idle_thresholds, { warning_ms: 120_000, high_ms: 300_000 });
  browser.problems.splice(0, browser.problems.length, ...browser.problems.filter((p) => !(p.includes('400') && p.includes('/api/admin/organisation'))));
  browser.assertNoErrors();
});
