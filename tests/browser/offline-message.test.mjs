// Leaving a message when nobody can chat, from the customer's side: outside Support's hours the
// chat page offers the message form; the message lands live in Alice's Messages pane; her reply
// reaches the customer's mailbox once. And a customer waiting in Sales' queue past its wait limit
// turns the chat into a message without retyping; Bob (Sales) sees it arrive.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, DESKTOP, PHONE, rest, startBrowser, signIn, screenshot, uniqueName } from './helpers.mjs';

const MAIL_DIR = process.env.CHATDESK_MAIL_DIR;
const DAY_MS = 86_400_000;
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

function mailTo(to) {
  let files = [];
  try { files = readdirSync(MAIL_DIR); } catch { return []; }
  return files.map((f) => JSON.parse(readFileSync(join(MAIL_DIR, f), 'utf8'))).filter((m) => m.to.includes(to));
}

/** Changes some of a group's settings; answers a function that puts the old ones back. */
async function withSettings(token, group, extra) {
  const before = await rest.get(token, `/api/groups/${group}/settings`);
  await rest.put(token, `/api/groups/${group}/settings`, { distribution: before.distribution, hand_off: before.hand_off, ...extra });
  return () => rest.put(token, `/api/groups/${group}/settings`, {
    distribution: before.distribution,
    hand_off: before.hand_off,
    business_hours: before.business_hours ?? null,
    offline: before.offline,
  });
}

async function openInbox(page, group) {
  await page.click('#nav-messages');
  await page.waitForSelector('#inbox-table');
  await page.selectOption('#inbox-group', group);
  await page.waitForFunction((g) => location.hash === `#/messages/${g}/open`, group);
}

test('outside hours the chat page takes a message; it lands live in the inbox and the reply is e-mailed once', async () => {
  const admin = await rest.login('admin');
  const today = [Date.now(), Date.now() + DAY_MS].map((t) => new Date(t).toISOString().slice(0, 10));
  const restore = await withSettings(admin, 'support', {
    business_hours: { time_zone: 'UTC', weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]])), holidays: today },
    offline: { when_closed_or_unstaffed: 'message_only', queue_wait_limit_secs: null },
  });
  try {
    const alice = await browser.newPage(DESKTOP, 'alice');
    await signIn(alice, 'alice');
    await openInbox(alice, 'support');

    const name = uniqueName('Olga <i>O</i>');
    const address = `olga.${Date.now()}@example.com`;
    const customer = await browser.newPage(PHONE, 'customer');
    await customer.goto(`${BASE}/chat/?group=support`);
    await customer.waitForSelector('#group-availability:not([hidden])');
    await customer.click('#choose-message');
    await customer.waitForSelector('#leave-message:not([hidden])');
    await customer.fill('#lm-name', name);
    await customer.fill('#lm-email', 'not an address');
    await customer.fill('#lm-question', 'Where is invoice <b>77</b>?');
    await customer.click('#lm-submit');
    await customer.waitForSelector('#lm-error:not([hidden])');
    await customer.fill('#lm-email', address);
    await screenshot(customer, 'customer-leave-message.png');
    await customer.click('#lm-submit');
    await customer.waitForSelector('#lm-sent:not([hidden])');

    // Live in Alice's inbox, as text.
    const row = alice.locator('#inbox-rows tr', { hasText: address });
    await row.waitFor();
    assert.match(await row.textContent(), /Where is invoice <b>77<\/b>\?/);
    await row.click();
    await alice.waitForSelector('.message-question');
    await alice.fill('#message-reply', 'It was sent to you on Monday.');
    await alice.click('#message-reply-form button[type="submit"]');
    await alice.waitForSelector('.thread-reply .thread-mail[data-mail-status="sent"]', { timeout: 15_000 });
    const sent = mailTo(address);
    assert.equal(sent.length, 1, 'exactly one e-mail');
    assert.match(sent[0].data, /It was sent to you on Monday\./);
    assert.match(sent[0].data, /Hello Olga &lt;i&gt;O&lt;&#x2F;i&gt;/, 'the name is text in the HTML part');
    assert.deepEqual(browser.problems.filter((p) => !/400/.test(p)), []);
    browser.problems.length = 0;
  } finally {
    await restore();
  }
});

test('a customer waiting past the queue wait limit leaves a message instead, without retyping', async () => {
  const admin = await rest.login('admin');
  const restore = await withSettings(admin, 'sales', {
    offline: { when_closed_or_unstaffed: 'choose_wait_or_message', queue_wait_limit_secs: 1 },
  });
  try {
    const bob = await browser.newPage(DESKTOP, 'bob');
    await signIn(bob, 'bob');
    await openInbox(bob, 'sales');

    const name = uniqueName('Pia');
    const customer = await browser.newPage(PHONE, 'customer');
    await customer.goto(`${BASE}/chat/?group=sales&name=${encodeURIComponent(name)}&question=${encodeURIComponent('Do you ship to Norway?')}`);
    const choose = customer.locator('#choose-chat');
    if (await choose.isVisible()) await choose.click();
    await customer.click('#form-submit');
    await customer.click('#continue-chat');
    await customer.waitForSelector('.queue-position');
    await customer.fill('#message', 'And to Iceland?');
    await customer.keyboard.press('Enter');
    await customer.waitForSelector('.msg.from-customer >> text=And to Iceland?');
    // Past the limit, the page offers the switch (it asks again on reload).
    await new Promise((r) => setTimeout(r, 1500));
    await customer.reload();
    await customer.waitForSelector('#switch-to-message');
    await customer.fill('#switch-email', 'pia@example.com');
    await screenshot(customer, 'customer-switch-to-message.png');
    await customer.click('#switch-to-message');
    await customer.waitForSelector('#left-message >> text=We will answer by e-mail at pia@example.com.');
    assert.equal(await customer.isVisible('#composer'), false, 'the chat is over');

    const row = bob.locator('#inbox-rows tr', { hasText: name });
    await row.waitFor();
    await row.click();
    await bob.waitForSelector('.message-question');
    assert.equal(await bob.textContent('.message-question'), 'Do you ship to Norway?And to Iceland?');
    assert.match(await bob.textContent('.message-facts'), /left the queue/);
    assert.deepEqual(browser.problems, []);
  } finally {
    await restore();
  }
});
