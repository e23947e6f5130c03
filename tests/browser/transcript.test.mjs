// Transcripts by e-mail: after the end, the customer asks for the transcript at the address from
// the start form and sees it go out; Alice sends one from her console's chat view to a typed
// address, and its E-mail panel shows both mails sent. The mail server is the sink run.sh starts
// (smtp-sink.mjs): each mail arrives there once, the customer's name escaped in the HTML part.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, DESKTOP, PHONE, startBrowser, signIn, openView, row, screenshot, uniqueName } from './helpers.mjs';

const MAIL_DIR = process.env.CHATDESK_MAIL_DIR;

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

/** The messages the sink holds that were sent to `to`. */
function mailTo(to) {
  if (!MAIL_DIR) return [];
  let files = [];
  try { files = readdirSync(MAIL_DIR); } catch { return []; }
  return files.map((f) => JSON.parse(readFileSync(join(MAIL_DIR, f), 'utf8'))).filter((m) => m.to.includes(to));
}

async function eventually(check, what) {
  for (let i = 0; i < 100; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never: ${what}`);
}

test('the customer e-mails themselves the transcript after the end; an agent sends one from the chat view', { skip: !MAIL_DIR && 'needs the SMTP sink of run.sh' }, async () => {
  const name = uniqueName('<i>Tess</i>');
  const email = `${name.replace(/[^a-z0-9]/gi, '').toLowerCase()}@example.com`;
  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  await openView(alice, 'queue');

  const customer = await browser.newPage(PHONE, 'customer');
  await customer.goto(`${BASE}/chat/?group=support&name=${encodeURIComponent(name)}&email=${encodeURIComponent(email)}&question=${encodeURIComponent('Can I get this by mail?')}`);
  await customer.click('#form-submit');
  await customer.click('#continue-chat');
  await customer.waitForSelector('.queue-position');
  assert.equal(await customer.isVisible('#transcript-mail'), false, 'offered only after the end');

  const r = row(alice, name);
  await r.waitFor();
  await r.locator('input[type="checkbox"]').check();
  await alice.click('#tb-pull');
  await alice.waitForSelector('#cv-message');
  await alice.waitForSelector('#cv-send-transcript');
  await alice.locator('#cv-message').fill('Sure, once we are done.');
  await alice.keyboard.press('Enter');
  await customer.waitForSelector('.msg.from-agent .body >> text=once we are done');
  await alice.click('#cv-end');
  await alice.locator('dialog[open] button[value="ok"]').click();

  // The customer asks at the address from the start form.
  await customer.waitForSelector('#transcript-mail:not([hidden])');
  assert.equal(await customer.inputValue('#tm-email'), email);
  await customer.click('#tm-send');
  await customer.waitForSelector(`#tm-states li.mail-sent >> text=Sent to ${email}`);
  await screenshot(customer, 'customer-transcript-mail.png');
  await eventually(() => mailTo(email).length === 1, 'the customer\'s transcript reached the mail server');
  const message = mailTo(email)[0].data.replace(/=\r?\n/g, '');
  assert.match(message, /&lt;i&gt;Tess/, 'the name is escaped in the HTML part');

  // Alice sends one to another address from the chat view; the panel shows both, sent.
  await alice.click('#cv-send-transcript');
  await alice.fill('#transcript-to', 'records@example.com');
  await alice.locator('dialog[open] button[value="ok"]').click();
  await alice.waitForSelector('.cv-mail li.mail-sent >> text=records@example.com');
  await alice.waitForSelector(`.cv-mail li.mail-sent >> text=${email}`);
  await screenshot(alice, 'console-chat-mail.png');
  await eventually(() => mailTo('records@example.com').length === 1, 'the agent\'s transcript reached the mail server');
  assert.equal(mailTo(email).length, 1, 'the customer\'s mail was sent once');
  assert.deepEqual(browser.problems, []);
});
