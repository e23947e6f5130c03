// Global Live Chats only for members of every group: hidden for Alice (Support only), shown to
// the administrator; the navigation pane lists each agent's own groups.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, startBrowser, signIn, openView } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

test('Global Live Chats is hidden for alice and shown for admin', async () => {
  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  assert.equal(await alice.locator('#nav a[href="#/global"]').count(), 0);
  const groups = await alice.$$eval('#nav .nav-group-toggle', (els) => els.map((e) => e.textContent.replace('▾', '').trim()));
  assert.deepEqual(groups, ['Support']);
  assert.equal(await alice.locator('#nav a[href="#/queue"]').count(), 1);
  // Typing the address anyway: the server refuses and the page says why.
  await alice.goto(`${BASE}/console/#/global`);
  await alice.waitForSelector('#list-error:not([hidden])');
  assert.match(await alice.textContent('#list-error'), /not a member of/);

  const admin = await browser.newPage(DESKTOP, 'admin');
  await signIn(admin, 'admin');
  assert.equal(await admin.locator('#nav a[href="#/global"]').count(), 1);
  await openView(admin, 'global');
  assert.equal(await admin.textContent('#view-title'), 'Global Live Chats');
  assert.equal(await admin.isVisible('#list-error'), false);
  // Navigation by keyboard: the group toggles are buttons with aria-expanded.
  const toggle = admin.locator('#nav .nav-group-toggle').first();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await toggle.focus();
  await admin.keyboard.press('Enter');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');

  // Alice's refused Global read logged a 403 in her console; that is the expected outcome.
  const unexpected = browser.problems.filter((p) => !(p.startsWith('alice:') && /403/.test(p)));
  assert.deepEqual(unexpected, []);
});
