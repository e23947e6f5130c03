// Canned replies in the reply box: Alice types `/` and the start of a shortcut in a chat she
// pulled, the menu lists the replies that apply there, she picks one with the keyboard, and the
// box holds its text with the customer's name, her name and the group filled in (markup in the
// customer's name stays text). Escape closes the menu and leaves what she typed. Sent, it reaches
// the customer; the reply's use is counted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, rest, startBrowser, signIn, openView, row, screenshot, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

test('a /shortcut inserts a canned reply with its placeholders filled, and sending it reaches the customer', async () => {
  const name = uniqueName('Cleo <i>');
  const tag = Math.random().toString(36).slice(2, 7);
  const manager = await rest.login('manager');
  const reply = await rest.post(manager, '/api/canned-replies', {
    scope: 'group', group_id: 'support', shortcut: `greet-${tag}`, title: 'Greeting',
    body: 'Hello {customer_name}, this is {agent_name} from {group}. How can I help?',
  });
  // A second one under the same start, so the menu has a choice to make.
  await rest.post(manager, '/api/canned-replies', {
    scope: 'global', shortcut: `greet-${tag}-bye`, title: 'Goodbye', body: 'Bye {customer_name}!',
  });

  const customer = await browser.newPage(PHONE, 'customer');
  await customer.goto(`${BASE}/chat/?group=support&name=${encodeURIComponent(name)}&question=${encodeURIComponent('My printer is jammed')}`);
  await customer.click('#form-submit');
  await customer.click('#continue-chat');
  await customer.waitForSelector('.queue-position');

  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  await openView(alice, 'queue');
  const r = row(alice, name);
  await r.waitFor();
  await r.locator('input[type="checkbox"]').check();
  await alice.click('#tb-pull');
  await alice.waitForSelector('#cv-message');

  // Escape closes the menu and keeps what was typed.
  await alice.locator('#cv-message').focus();
  await alice.keyboard.type(`/greet-${tag}`);
  const menu = alice.locator('#canned-menu');
  await menu.waitFor({ state: 'visible' });
  assert.deepEqual(await menu.locator('.canned-shortcut').allTextContents(), [`/greet-${tag}`, `/greet-${tag}-bye`]);
  await alice.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden' });
  assert.equal(await alice.inputValue('#cv-message'), `/greet-${tag}`);

  // Typing on opens it again; the arrow keys move, Enter picks (and sends nothing).
  await alice.keyboard.press('Backspace');
  await menu.waitFor({ state: 'visible' });
  await alice.keyboard.press('ArrowDown');
  await alice.waitForSelector('#canned-menu .canned-option.active >> text=Goodbye');
  await alice.keyboard.press('ArrowUp');
  await alice.waitForSelector('#canned-menu .canned-option.active >> text=Greeting');
  await screenshot(alice, 'console-canned-replies.png');
  await alice.keyboard.press('Enter');
  const filled = `Hello ${name}, this is Alice from Support. How can I help?`;
  await alice.waitForFunction((text) => document.querySelector('#cv-message').value === text, filled);
  await menu.waitFor({ state: 'hidden' });
  assert.equal(await alice.locator('.transcript .msg.from-agent').count(), 0, 'nothing was sent yet');

  // The agent may still edit; Enter sends it through the ordinary message path.
  await alice.keyboard.type(' :)');
  await alice.keyboard.press('Enter');
  const got = customer.locator('.msg.from-agent .body', { hasText: 'this is Alice from Support' });
  await got.waitFor();
  assert.equal(await got.textContent(), `${filled} :)`);
  assert.equal(await customer.locator('.msg.from-agent .body i').count(), 0, 'the name is text, not markup');

  const counted = await rest.get(manager, `/api/canned-replies/${reply.id}`);
  assert.equal(counted.usage_count, 1);
  // Ended, so Alice's chat limit is free for the tests that follow.
  const chatId = decodeURIComponent(new URL(alice.url()).hash.split('/')[2]);
  await rest.action(await rest.login('alice'), 'end', { chat_ids: [chatId] });
  browser.assertNoErrors();
});

test('an agent saves a personal canned reply in the Canned Replies pane and sees how often it was used', async () => {
  const shortcut = `thanks-${Math.random().toString(36).slice(2, 7)}`;
  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  await alice.click('#nav-canned');
  await alice.waitForSelector('#canned-new');
  // An agent may only save replies of their own: the scope offers nothing else.
  await alice.click('#canned-new');
  assert.deepEqual(await alice.locator('#canned-scope option').allTextContents(), ['Only me']);
  await alice.fill('#canned-shortcut', shortcut);
  await alice.fill('#canned-title', 'Thanks');
  await alice.fill('#canned-body', 'Thanks for waiting, {customer_name}.');
  await alice.click('.canned-dialog button[value="ok"]');
  const saved = alice.locator('#canned-table tr', { hasText: `/${shortcut}` });
  await saved.waitFor();
  assert.deepEqual((await saved.locator('td').allTextContents()).slice(0, 4), [`/${shortcut}`, 'Thanks', 'Mine', '0']);
  // A taken shortcut is refused in the dialog with the server's words, and nothing is added.
  await alice.click('#canned-new');
  await alice.fill('#canned-shortcut', shortcut.toUpperCase());
  await alice.fill('#canned-title', 'Again');
  await alice.fill('#canned-body', 'Again');
  await alice.click('.canned-dialog button[value="ok"]');
  await alice.waitForSelector('.canned-dialog .error-box:not([hidden])');
  await alice.click('.canned-dialog button[value="cancel"]');
  assert.equal(await alice.locator('#canned-table tr', { hasText: `/${shortcut}` }).count(), 1);
  // The console logged the refused save; nothing else.
  const refused = (p) => p.startsWith('alice: ') && /409/.test(p) && /canned-replies/.test(p);
  browser.problems.splice(0, browser.problems.length, ...browser.problems.filter((p) => !refused(p)));
  browser.assertNoErrors();
});
