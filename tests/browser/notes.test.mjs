// Internal notes in the chat view: Alice adds a note to a customer's chat and Carol (Support
// too), who has the same chat open, sees it appear without a reload. The customer's token reads
// none of it. Markup in a note stays text.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, rest, startBrowser, signIn, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

test('a note added in the chat view reaches a colleague live and never the customer', async () => {
  const name = uniqueName('Nell');
  const started = await rest.startChat('support', name, 'My parcel is late');
  const chatId = started.chat.id;

  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  const carol = await browser.newPage(DESKTOP, 'carol');
  await signIn(carol, 'carol');

  for (const page of [alice, carol]) {
    await page.goto(`${BASE}/console/#/chat/${chatId}`);
    await page.waitForSelector('#cv-note-text');
    await page.waitForSelector('.cv-notes .notes-empty:not([hidden])');
  }

  const text = 'Called the courier <b>twice</b>; parcel is in Leeds.';
  await alice.fill('#cv-note-text', text);
  await alice.click('#cv-add-note');
  await alice.waitForSelector('#cv-notes-list .note-text >> text=Called the courier');
  assert.equal(await alice.inputValue('#cv-note-text'), '', 'the box is cleared after adding');

  // Carol sees it live, once, as text.
  await carol.waitForSelector('#cv-notes-list .note-text >> text=Called the courier');
  assert.equal(await carol.locator('#cv-notes-list .note').count(), 1);
  assert.equal(await carol.locator('#cv-notes-list b').count(), 0, 'markup is shown as text');
  assert.equal(await carol.textContent('#cv-notes-list .note-text'), text);
  assert.match(await carol.textContent('#cv-notes-list .note-meta'), /^Alice · /);

  // A second note by Carol reaches Alice; both read them in order after a reload.
  await carol.fill('#cv-note-text', 'Customer prefers e-mail.');
  await carol.click('#cv-add-note');
  await alice.waitForSelector('#cv-notes-list .note-text >> text=Customer prefers e-mail.');
  await alice.reload();
  await alice.waitForSelector('#cv-notes-list .note >> nth=1');
  const texts = await alice.locator('#cv-notes-list .note-text').allTextContents();
  assert.deepEqual(texts, [text, 'Customer prefers e-mail.']);

  // The customer's token is refused the notes; their transcript has none of it.
  const refused = await fetch(`${BASE}/api/chats/${chatId}/notes`, { headers: { authorization: `Bearer ${started.token}` } });
  assert.equal(refused.status, 403);
  const events = await rest.get(started.token, `/api/chats/${chatId}/events?after=0`);
  assert.doesNotMatch(JSON.stringify(events), /courier|prefers e-mail/);
  assert.deepEqual(browser.problems, []);
});
