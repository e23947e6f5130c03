// Sorting by a column header and View -> Visible Fields: both are saved to the agent's
// preferences and survive a reload.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, rest, startBrowser, signIn, openView, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

async function userColumn(page) {
  return page.$$eval('#chat-table tbody tr .user-name', (els) => els.map((e) => e.textContent));
}

test('sort by a column and change visible fields; both survive a reload', async () => {
  // Bob (Sales) gets three chats with names that sort differently from their start times.
  const tag = uniqueName('').trim();
  const names = [`zed ${tag}`, `Amy ${tag}`, `mia ${tag}`];
  for (const n of names) await rest.startChat('sales', n, 'Pricing question');

  const page = await browser.newPage(DESKTOP, 'bob');
  await signIn(page, 'bob');
  await openView(page, 'group/sales');
  for (const n of names) await page.locator('.user-name', { hasText: n }).waitFor();

  // Click User: ascending, case-insensitive.
  await page.click('#chat-table th[data-column="user"] button.sort');
  await page.waitForSelector('#chat-table th[data-column="user"][aria-sort="ascending"]');
  let order = (await userColumn(page)).filter((n) => n.endsWith(tag));
  assert.deepEqual(order, [`Amy ${tag}`, `mia ${tag}`, `zed ${tag}`]);
  // Again: descending.
  await page.click('#chat-table th[data-column="user"] button.sort');
  await page.waitForSelector('#chat-table th[data-column="user"][aria-sort="descending"]');
  order = (await userColumn(page)).filter((n) => n.endsWith(tag));
  assert.deepEqual(order, [`zed ${tag}`, `mia ${tag}`, `Amy ${tag}`]);

  // View -> Visible Fields: hide Messages, make Agent 220 px wide, move Group before User.
  await page.click('#view-menu');
  await page.click('.menu button[data-action="visible-fields"]');
  const dialog = page.locator('dialog[open]');
  await dialog.locator('#vf-messages').uncheck();
  await dialog.locator('#vf-w-agent').fill('220');
  await dialog.locator('button[data-move="-1"][data-column="group"]').click();
  await dialog.locator('button[value="ok"]').click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForSelector('#chat-table th[data-column="messages"]', { state: 'detached' });

  // The server has it (PUT /api/preferences) before we reload.
  await page.waitForFunction(async () => {
    const res = await fetch('/api/preferences', { headers: { authorization: `Bearer ${sessionStorage.getItem('chatdesk.agent.token')}` } });
    const p = await res.json();
    return p.columns.find((c) => c.column === 'messages').visible === false && p.sort.column === 'user';
  });

  await page.reload();
  await page.waitForSelector('#chat-table th[data-column="user"][aria-sort="descending"]');
  assert.equal(await page.locator('#chat-table th[data-column="messages"]').count(), 0, 'Messages stays hidden');
  const width = await page.$eval('#chat-table col[data-column="agent"]', (c) => c.style.width);
  assert.equal(width, '220px');
  const headers = await page.$$eval('#chat-table thead th[data-column]', (ths) => ths.map((t) => t.dataset.column));
  assert.ok(headers.indexOf('group') < headers.indexOf('user'), `Group moved before User: ${headers}`);
  await page.locator('.user-name', { hasText: names[0] }).waitFor();
  order = (await userColumn(page)).filter((n) => n.endsWith(tag));
  assert.deepEqual(order, [`zed ${tag}`, `mia ${tag}`, `Amy ${tag}`]);

  // Reset to defaults, saved again (leaves Bob's layout as it was for other tests).
  await page.click('#view-menu');
  await page.click('.menu button[data-action="visible-fields"]');
  await page.locator('dialog[open] button[value="reset"]').click();
  await page.locator('dialog[open] button[value="ok"]').click();
  await page.waitForSelector('#chat-table th[data-column="messages"]');

  const token = await rest.login('bob');
  const list = await rest.get(token, '/api/chats?view=group&group_id=sales');
  await rest.action(token, 'end', { chat_ids: list.rows.filter((r) => r.user.endsWith(tag)).map((r) => r.id) });
  browser.assertNoErrors();
});
