// Tags: Alice tags a chat from its chat view (the tag is kept lower-cased), the toolbar's tag
// filter narrows the list to it (and a chat tagged meanwhile by a colleague joins it live), and
// the optional Tags column can be shown from Visible Fields.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, rest, startBrowser, signIn, openView, row, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

test('an agent tags a chat, the tag filter narrows the list to it, and the Tags column can be shown', async () => {
  const tagged = uniqueName('Tess');
  const untagged = uniqueName('Ugo');
  const later = uniqueName('Lars');
  const tagged_chat = (await rest.startChat('support', tagged, 'Refund for order 17')).chat.id;
  await rest.startChat('support', untagged, 'Opening hours?');
  const later_chat = (await rest.startChat('support', later, 'Refund again')).chat.id;
  const aliceToken = await rest.login('alice');
  const layoutBefore = await rest.get(aliceToken, '/api/preferences');
  // A tag unique to this run, so chats of other tests never match it.
  const tag = `refund-${Math.random().toString(36).slice(2, 7)}`;

  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  await alice.goto(`${BASE}/console/#/chat/${tagged_chat}`);
  await alice.waitForSelector('#cv-tag-input');
  await alice.fill('#cv-tag-input', `  ${tag.toUpperCase()} `);
  await alice.click('#cv-tag-add');
  await alice.waitForSelector(`#cv-tag-list .tag[data-tag="${tag}"]`);
  assert.equal(await alice.inputValue('#cv-tag-input'), '', 'the box is cleared');
  const stored = await rest.get(aliceToken, `/api/chats/${tagged_chat}`);
  assert.deepEqual(stored.tags, [tag]);

  // The queue, then narrowed to the tag: only the tagged chat stays.
  await alice.click('.cv-header .back');
  await openView(alice, 'group/support');
  await row(alice, untagged).waitFor();
  await row(alice, tagged).waitFor();
  await alice.fill('#tb-tag-filter', tag);
  await alice.press('#tb-tag-filter', 'Enter');
  await row(alice, untagged).waitFor({ state: 'detached' });
  await row(alice, tagged).waitFor();
  assert.equal(await alice.locator('#chat-table tbody tr').count(), 1);

  // A colleague tags another chat: it joins the narrowed list live.
  await rest.put(await rest.login('carol'), `/api/chats/${later_chat}/tags`, { tags: [tag, 'vip'] });
  await row(alice, later).waitFor();
  assert.equal(await alice.locator('#chat-table tbody tr').count(), 2);

  // The Tags column: hidden until shown from Visible Fields; then it lists the tags.
  assert.equal(await alice.locator('#chat-table th[data-column="tags"]').count(), 0, 'Tags starts hidden');
  await alice.click('#view-menu');
  await alice.click('.menu button[data-action="visible-fields"]');
  const dialog = alice.locator('dialog[open]');
  assert.equal(await dialog.locator('label[for="vf-tags"]').textContent(), 'Tags');
  await dialog.locator('#vf-tags').check();
  await dialog.locator('button[value="ok"]').click();
  await dialog.waitFor({ state: 'detached' });
  await alice.waitForSelector('#chat-table th[data-column="tags"] >> text=Tags');
  const cell = row(alice, later).locator('td[data-column="tags"]');
  assert.deepEqual(await cell.locator('.tag').allTextContents(), [tag, 'vip']);

  // Clearing the filter brings the other chats back.
  await alice.fill('#tb-tag-filter', '');
  await alice.press('#tb-tag-filter', 'Enter');
  await row(alice, untagged).waitFor();

  await rest.put(aliceToken, '/api/preferences', layoutBefore);
  browser.assertNoErrors();
});
