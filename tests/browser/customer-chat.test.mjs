// The whole conversation: a customer opens a customised link, sees the suggestions page,
// continues to chat; Alice (Support) sees the chat arrive in her Queue without a reload, pulls
// it, and they talk both ways with typing indicators; the customer ends the chat and downloads
// the transcript.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, PHONE, DESKTOP, startBrowser, signIn, openView, row, screenshot, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

test('customer link -> suggestions -> queue -> live chat with an agent -> transcript', async () => {
  const name = uniqueName('Ann');
  const question = 'My mailbox is full and I cannot receive mail';

  // Alice watches her queue before the customer arrives: the chat must appear by itself.
  const agent = await browser.newPage(DESKTOP, 'alice');
  await signIn(agent, 'alice');
  await openView(agent, 'queue');
  const queueBefore = Number(await agent.textContent('#queue-count'));

  // 1. The customised link prefills the form.
  const customer = await browser.newPage(PHONE, 'customer');
  const link = `${BASE}/chat/?group=support&name=${encodeURIComponent(name)}&question=${encodeURIComponent(question)}`;
  await customer.goto(link);
  await customer.waitForSelector('#step-form:not([hidden])');
  assert.equal(await customer.inputValue('#name'), name);
  assert.equal(await customer.inputValue('#question'), question);
  assert.match(await customer.textContent('#group-fixed'), /Support/);
  assert.equal(await customer.isVisible('#group'), false, 'a link with a group asks for no department');

  // 2. The intermediary page with suggested solutions.
  await customer.click('#form-submit');
  await customer.waitForSelector('#step-suggestions:not([hidden])');
  await customer.waitForFunction(() => !document.querySelector('#sugg-status .spinner'));
  const suggestions = await customer.locator('#sugg-list .suggestion').count();
  if (suggestions === 0) {
    // The knowledge base is not there (404) or found nothing: the page says so.
    assert.match(await customer.textContent('#sugg-status'), /no suggested solutions/i);
  }
  await screenshot(customer, 'customer-suggestions.png');

  // 3. Continue to chat: queued, told how many are ahead.
  await customer.click('#continue-chat');
  await customer.waitForSelector('#step-chat:not([hidden])');
  await customer.waitForSelector('.queue-position');
  assert.match(await customer.textContent('#chat-status'), /Waiting for an agent/);
  assert.match(await customer.textContent('.queue-position'), /next in line|ahead of you/);

  // 4. The agent's queue shows the chat without a reload, and the count went up.
  const r = row(agent, name);
  await r.waitFor();
  await agent.waitForFunction((n) => Number(document.querySelector('#queue-count').textContent) >= n, queueBefore + 1);
  assert.match(await r.textContent(), /Support/);
  await r.locator('input[type="checkbox"]').check();
  await agent.click('#actions-menu');
  await agent.click('.menu button[data-action="pull"]');

  // Pulling one chat opens it.
  await agent.waitForSelector('#cv-message');
  assert.match(await agent.textContent('.cv-name'), new RegExp(name));
  assert.match(await agent.textContent('.cv-question'), /mailbox is full/);

  // 5. The customer sees the agent join, without a reload.
  await customer.waitForSelector('.agent-name');
  assert.equal(await customer.textContent('.agent-name'), 'Alice');
  await customer.waitForSelector('.sys-assigned');

  // 6. Typing indicator, agent -> customer.
  await agent.locator('#cv-message').pressSequentially('Hello! Let me', { delay: 20 });
  await customer.waitForSelector('#typing:not([hidden])');
  assert.match(await customer.textContent('#typing'), /Alice is typing/);
  await agent.locator('#cv-message').pressSequentially(' look at your mailbox.', { delay: 5 });
  await agent.keyboard.press('Enter');
  await customer.waitForSelector('.msg.from-agent .body >> text=Let me look at your mailbox.');
  await customer.waitForSelector('#typing', { state: 'hidden' });

  // Typing indicator, customer -> agent; Shift+Enter makes a new line, Enter sends.
  await customer.locator('#message').pressSequentially('Thanks, it says', { delay: 20 });
  await agent.waitForSelector('.typing:not([hidden])');
  assert.match(await agent.textContent('.typing'), new RegExp(`${name} is typing`));
  await customer.keyboard.press('Shift+Enter');
  await customer.locator('#message').pressSequentially('quota exceeded', { delay: 5 });
  await customer.keyboard.press('Enter');
  const agentSees = agent.locator('.msg.from-customer .body', { hasText: 'quota exceeded' });
  await agentSees.waitFor();
  assert.equal(await agentSees.locator('br').count(), 1, 'the new line is kept');

  await agent.locator('#cv-message').fill('I have doubled your quota.');
  await agent.keyboard.press('Enter');
  await customer.waitForSelector('.msg.from-agent .body >> text=I have doubled your quota.');
  // No message is shown twice (live push, ack and resume all carry it).
  assert.equal(await customer.locator('.msg .body', { hasText: 'doubled your quota' }).count(), 1);
  assert.equal(await agent.locator('.msg .body', { hasText: 'doubled your quota' }).count(), 1);
  await screenshot(customer, 'customer-chat.png');
  await screenshot(agent, 'console-chat.png');

  // 7. A reload of the customer page continues the same chat (token in sessionStorage).
  await customer.reload();
  await customer.waitForSelector('.msg.from-agent .body >> text=I have doubled your quota.');
  assert.equal(await customer.locator('.msg .body', { hasText: 'doubled your quota' }).count(), 1);
  await customer.waitForSelector('#conn', { state: 'hidden' });

  // 8. The customer ends the chat; the agent sees it end; the transcript downloads.
  await customer.click('#end-chat');
  await customer.click('#confirm-end-yes');
  await customer.waitForSelector('#ended:not([hidden])');
  await agent.waitForSelector('.state-badge.state-inactive');
  await agent.waitForSelector('.sys-ended');
  const [download] = await Promise.all([customer.waitForEvent('download'), customer.click('#download')]);
  assert.match(download.suggestedFilename(), /\.txt$/);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /My mailbox is full/);
  assert.match(text, /Alice:\r?\n {4}I have doubled your quota\./);
  assert.match(text, /You:\r?\n {4}Thanks, it says\r?\n {4}quota exceeded/);

  browser.assertNoErrors();
});
