// Toolbar actions on selected chats: transfer to another group, end, delete (with the
// confirmation dialog and per-chat failures), restore from Deleted — each visible at once in the
// lists of the agents concerned, without a reload.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, rest, startBrowser, signIn, openView, row, screenshot, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

test('transfer to another group, end and delete from the toolbar, then restore', async () => {
  const name = uniqueName('Dora');
  const other = uniqueName('Eli');
  await rest.startChat('support', name, 'Please move me to billing');
  await rest.startChat('support', other, 'I stay live');

  // Alice (Support only) watches the Support live list; the manager does the work.
  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  await openView(alice, 'group/support');
  await row(alice, name).waitFor();

  const admin = await browser.newPage(DESKTOP, 'admin');
  await signIn(admin, 'admin');
  await openView(admin, 'queue');
  await row(admin, name).waitFor();

  // Buttons that need a selection are disabled without one.
  assert.equal(await admin.isDisabled('#tb-transfer'), true);
  await row(admin, name).locator('input[type="checkbox"]').check();
  assert.equal(await admin.isDisabled('#tb-transfer'), false);
  assert.match(await admin.textContent('#selection-count'), /1 selected/);

  // Transfer -> a group (Billing).
  await admin.click('#tb-transfer');
  const dialog = admin.locator('dialog[open]');
  await dialog.locator('#transfer-kind-group').check();
  await dialog.locator('#transfer-group').selectOption('billing');
  await dialog.locator('button[value="ok"]').click();
  await dialog.waitFor({ state: 'detached' });
  await admin.waitForSelector('.toast-ok >> text=Transferred 1 chat.');
  // Still queued (now in Billing's queue): the row stays in the admin's Queue with the new group.
  await admin.waitForFunction((n) => {
    const tr = [...document.querySelectorAll('#chat-table tbody tr')].find((t) => t.querySelector('.user-name')?.textContent === n);
    return tr && tr.querySelector('td[data-column="group"]').textContent === 'Billing';
  }, name);
  // Alice is not in Billing: the chat leaves her Support list by itself.
  await row(alice, name).waitFor({ state: 'detached' });

  // End it from the toolbar (with a resolution note); it leaves the Queue.
  await row(admin, name).locator('input[type="checkbox"]').check();
  await admin.click('#tb-end');
  await admin.locator('dialog[open] #end-resolution').fill('Moved to billing, who refunded the invoice.');
  await admin.locator('dialog[open] button[value="ok"]').click();
  await admin.waitForSelector('.toast-ok >> text=Ended 1 chat.');
  await row(admin, name).waitFor({ state: 'detached' });

  // Delete: the live chat of the selection fails (only ended chats), the ended one goes.
  // Global Live Chats lists both the ended chat (Billing) and the live one (Support).
  await openView(admin, 'global');
  await row(admin, name).locator('input[type="checkbox"]').check();
  await row(admin, other).locator('input[type="checkbox"]').check();
  await screenshot(admin, 'console-list.png');
  await admin.click('#tb-delete');
  const confirm = admin.locator('dialog[open]');
  assert.match(await confirm.locator('h2').textContent(), /Delete 2 chats\?/);
  await confirm.locator('button[value="ok"]').click();
  // Per-chat failure shown in the dialog, naming the chat and the server's reason.
  await confirm.locator('.failures li').waitFor();
  const failures = await confirm.locator('.failures li').allTextContents();
  assert.equal(failures.length, 1);
  assert.match(failures[0], new RegExp(other));
  assert.match(await confirm.textContent(), /1 of 2 succeeded/);
  await confirm.locator('button[value="cancel"]').click();
  await row(admin, name).waitFor({ state: 'detached' });
  await row(admin, other).waitFor();

  // Deleted -> Restore (managers and administrators).
  await openView(admin, 'deleted');
  await row(admin, name).waitFor();
  assert.equal(await admin.isVisible('#tb-restore'), true);
  await row(admin, name).locator('input[type="checkbox"]').check();
  await admin.click('#tb-restore');
  await admin.waitForSelector('.toast-ok >> text=Restored 1 chat.');
  await row(admin, name).waitFor({ state: 'detached' });
  await openView(admin, 'group/billing/inactive');
  await row(admin, name).waitFor();

  // Alice has no Deleted view (agents only).
  assert.equal(await alice.locator('#nav a[href="#/deleted"]').count(), 0);

  // Administrators purge for good: delete it again, then Purge from Deleted.
  const token = await rest.login('admin');
  const ended = (await rest.get(token, '/api/chats?view=group&group_id=billing&inactive=true')).rows.find((x) => x.user === name);
  await rest.action(token, 'delete', { chat_ids: [ended.id] });
  await openView(admin, 'deleted');
  await row(admin, name).locator('input[type="checkbox"]').check();
  await admin.click('#tb-purge');
  await admin.locator('dialog[open] button[value="ok"]').click();
  await admin.waitForSelector('.toast-ok >> text=Purged 1 chat.');
  await row(admin, name).waitFor({ state: 'detached' });

  // Clean up the live chat.
  const live = await rest.get(token, '/api/chats?view=queue');
  const ids = live.rows.filter((x) => x.user === other).map((x) => x.id);
  await rest.action(token, 'end', { chat_ids: ids });
  browser.assertNoErrors();
});

test('Actions menu: Select all selects every chat in the list; follow-up shows in Status', async () => {
  const name = uniqueName('Flo');
  await rest.startChat('billing', name, 'Call me back tomorrow');
  const manager = await browser.newPage(DESKTOP, 'manager');
  await signIn(manager, 'manager');
  await openView(manager, 'group/billing');
  await row(manager, name).waitFor();

  await manager.click('#actions-menu');
  await manager.click('.menu button[data-action="select-all"]');
  const total = await manager.locator('#chat-table tbody tr').count();
  assert.equal(await manager.locator('#chat-table tbody tr.selected').count(), total);
  // Clear with the header checkbox, then pick one.
  await manager.locator('#chat-table thead input[type="checkbox"]').uncheck();
  assert.equal(await manager.locator('#chat-table tbody tr.selected').count(), 0);

  await row(manager, name).locator('input[type="checkbox"]').check();
  await manager.click('#tb-follow-up');
  const dialog = manager.locator('dialog[open]');
  await dialog.locator('#follow-up-note').fill('Call back about the invoice');
  await dialog.locator('button[value="ok"]').click();
  await manager.waitForSelector('.toast-ok >> text=/Scheduled a follow-up/');
  const icon = row(manager, name).locator('[data-icon="follow-up"]');
  await manager.waitForFunction((n) => {
    const tr = [...document.querySelectorAll('#chat-table tbody tr')].find((t) => t.querySelector('.user-name')?.textContent === n);
    return tr && tr.querySelector('[data-icon="follow-up"]').classList.contains('dot-green');
  }, name);
  assert.match(await icon.getAttribute('aria-label'), /Call back about the invoice/);

  const token = await rest.login('manager');
  const list = await rest.get(token, '/api/chats?view=group&group_id=billing');
  await rest.action(token, 'end', { chat_ids: list.rows.filter((x) => x.user === name).map((x) => x.id) });
  browser.assertNoErrors();
});

test('transfer to an agent: unavailable agents cannot be chosen; the chat lands in the agent\'s My Active live', async () => {
  const name = uniqueName('Nia');
  await rest.startChat('support', name, 'Please put me through to Alice');
  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  await openView(alice, 'my_active');

  // Alice steps away.
  await alice.click('#availability');
  await alice.waitForSelector('#availability[aria-pressed="false"]');
  assert.match(await alice.textContent('#availability'), /Away/);

  const admin = await browser.newPage(DESKTOP, 'admin');
  await signIn(admin, 'admin');
  await openView(admin, 'queue');
  await row(admin, name).locator('input[type="checkbox"]').check();
  await admin.click('#actions-menu');
  await admin.click('.menu button[data-action="transfer"]');
  let dialog = admin.locator('dialog[open]');
  assert.equal(await dialog.locator('#transfer-agent option[value="alice"]').isDisabled(), true);
  await dialog.locator('button[value="cancel"]').click();

  // Back at her desk; now the transfer goes through and shows up in her list by itself.
  await alice.click('#availability');
  await alice.waitForSelector('#availability[aria-pressed="true"]');
  await admin.click('#tb-transfer');
  dialog = admin.locator('dialog[open]');
  await dialog.locator('#transfer-kind-agent').check();
  await dialog.locator('#transfer-agent').selectOption('alice');
  await dialog.locator('button[value="ok"]').click();
  await admin.waitForSelector('.toast-ok >> text=Transferred 1 chat.');
  await row(alice, name).waitFor();
  assert.match(await row(alice, name).textContent(), /Alice/);
  await alice.waitForFunction(() => document.querySelector('#my-active-count').textContent !== '');

  // She ends it from the chat view with a resolution note.
  await row(alice, name).locator('.open-chat').click();
  await alice.click('#cv-end');
  await alice.locator('dialog[open] #end-resolution').fill('Put through as asked.');
  await alice.locator('dialog[open] button[value="ok"]').click();
  await alice.waitForSelector('.sys-ended');
  assert.match(await alice.textContent('.sys-ended'), /Resolution: Put through as asked\./);
  browser.assertNoErrors();
});
