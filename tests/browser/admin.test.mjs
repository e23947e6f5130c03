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
