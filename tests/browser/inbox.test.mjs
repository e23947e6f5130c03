// The Messages pane: a message a customer leaves appears live in the inbox of Alice's open
// console (and the Messages badge counts it); she opens it, takes it, adds an internal note,
// replies, and it moves to Answered, then Closed. A colleague's console (Carol, Support too)
// follows every change without a reload. Customer text with markup stays text.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESKTOP, rest, startBrowser, signIn, screenshot, uniqueName } from './helpers.mjs';

// Where run.sh's SMTP sink keeps what the server sends (one JSON file per message).
const MAIL_DIR = process.env.CHATDESK_MAIL_DIR;

function mailTo(to) {
  let files = [];
  try { files = readdirSync(MAIL_DIR); } catch { return []; }
  return files.map((f) => JSON.parse(readFileSync(join(MAIL_DIR, f), 'utf8'))).filter((m) => m.to.includes(to));
}

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

test('a left message lands live in the inbox; an agent takes it, notes, replies and closes it', async () => {
  const name = uniqueName('Nora');
  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  const carol = await browser.newPage(DESKTOP, 'carol');
  await signIn(carol, 'carol');
  await alice.click('#nav-messages');
  await alice.waitForSelector('#inbox-table');
  await alice.selectOption('#inbox-group', 'support');
  await alice.waitForFunction(() => location.hash === '#/messages/support/open');
  await carol.click('#nav-messages');
  await carol.waitForSelector('#inbox-table');
  await carol.selectOption('#inbox-group', 'support');
  await carol.waitForFunction(() => location.hash === '#/messages/support/open');
  const badgeBefore = Number((await alice.textContent('#messages-count')) || 0);

  const question = 'My order <b>#4411</b> never arrived.\nCan you check?';
  const left = await rest.leaveMessage('support', name, `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.com`, question);

  // Live, without a reload, in both consoles; the badge counts it.
  const row = (page) => page.locator('#inbox-rows tr', { hasText: name });
  await row(alice).waitFor();
  await row(carol).waitFor();
  assert.match(await row(alice).textContent(), /@example\.com/);
  assert.match(await row(alice).textContent(), /<b>#4411<\/b>/, 'markup is shown as text');
  await alice.waitForFunction((n) => Number(document.querySelector('#messages-count').textContent || 0) === n, badgeBefore + 1);
  await screenshot(alice, 'console-inbox.png');

  // Alice opens it: the whole question, as text, on two lines.
  await row(alice).click();
  await alice.waitForSelector('.message-question');
  assert.equal(await alice.evaluate(() => location.hash), `#/message/${left.id}`);
  assert.equal(await alice.locator('.message-question b').count(), 0);
  assert.match(await alice.textContent('.message-question'), /My order <b>#4411<\/b> never arrived\.Can you check\?/);
  assert.match(await alice.textContent('#message-email'), /^nora\.[a-z0-9.]+@example\.com$/);

  await alice.click('#message-assign');
  await alice.waitForSelector('#message-assignee >> text=Alice');
  await alice.fill('#message-note', 'Checked the courier: lost in transit.');
  await alice.click('#message-note-form button[type="submit"]');
  await alice.waitForSelector('.thread-note >> text=Checked the courier: lost in transit.');

  // An empty reply is not sent; the real one answers the message.
  await alice.click('#message-reply-form button[type="submit"]');
  await alice.waitForSelector('#message-error:not([hidden]) >> text=Write something first.');
  const address = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.com`;
  assert.equal(mailTo(address).length, 0);
  await alice.fill('#message-reply', 'Sorry, Nora. A new parcel leaves today <today>.');
  await alice.click('#message-reply-form button[type="submit"]');
  await alice.waitForSelector('.thread-reply >> text=A new parcel leaves today <today>.');
  await alice.waitForSelector('#message-status >> text=Answered');
  assert.equal(await alice.inputValue('#message-reply'), '', 'the box is cleared after sending');
  // The reply's e-mail goes out once; its line in the thread turns to sent.
  await alice.waitForSelector('.thread-reply .thread-mail[data-mail-status="sent"]', { timeout: 15_000 });
  const sent = mailTo(address);
  assert.equal(sent.length, 1, 'exactly one e-mail');
  assert.match(sent[0].data, /Subject: Re: your message to Support/);
  assert.match(sent[0].data, /today &lt;today&gt;\./, 'the HTML part escapes what the agent typed');
  assert.match(sent[0].data, /My order &lt;b&gt;#4411&lt;&#x2F;b&gt; never arrived/, 'and what the customer wrote');
  await screenshot(alice, 'console-inbox-message.png');

  // Carol's open list dropped it (it is no longer open) and her Answered tab has it.
  await row(carol).waitFor({ state: 'detached' });
  await carol.click('.inbox-tab >> text=Answered');
  await row(carol).waitFor();
  assert.match(await row(carol).textContent(), /Alice/);

  // Carol closes it from the message; Alice's view follows.
  await row(carol).click();
  await carol.waitForSelector('#message-close');
  await carol.click('#message-close');
  await carol.waitForSelector('#message-status >> text=Closed');
  await alice.waitForSelector('#message-status >> text=Closed');
  assert.equal(await alice.isDisabled('#message-reply'), true, 'a closed message takes no reply');
  await alice.click('#message-reopen');
  await alice.waitForSelector('#message-status >> text=Answered');

  const stored = await rest.get(await rest.login('alice'), `/api/messages/${left.id}`);
  assert.deepEqual(stored.thread.map((e) => e.type), ['assigned', 'note', 'reply', 'closed', 'reopened']);
  assert.deepEqual(browser.problems, []);
});
