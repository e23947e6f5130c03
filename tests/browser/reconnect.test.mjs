// Nothing is missed across a dropped connection, and the queue position moves by itself:
// the complaints users of other help desks have most ("I had to refresh to see new messages").

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, rest, startBrowser, signIn, openView, row, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

test('a dropped customer connection reconnects and catches up without duplicates', async () => {
  const name = uniqueName('Cy');
  const customer = await browser.newPage(PHONE, 'customer-reconnect');
  // Route the customer's WebSocket through the test, so the test can cut it.
  const sockets = [];
  await customer.routeWebSocket(/\/ws\?token=/, (ws) => {
    const server = ws.connectToServer();
    sockets.push({ ws, server });
  });
  await customer.goto(`${BASE}/chat/?group=support&name=${encodeURIComponent(name)}&question=Reconnect%20please`);
  await customer.click('#form-submit');
  await customer.click('#continue-chat');
  await customer.waitForSelector('.queue-position');

  // An agent pulls it and writes, over REST, while the customer is connected.
  const token = await rest.login('manager');
  const queue = await rest.get(token, '/api/chats?view=queue');
  const chat = queue.rows.find((x) => x.user === name);
  assert.ok(chat, 'the chat is queued');
  await rest.action(token, 'pull', { chat_ids: [chat.id] });
  await rest.send(token, chat.id, 'first message');
  await customer.waitForSelector('.msg.from-agent .body >> text=first message');

  // Cut the connection; write while it is down; the page reconnects and resumes.
  const opened = sockets.length;
  await sockets[sockets.length - 1].ws.close({ code: 4001, reason: 'test cut' });
  await rest.send(token, chat.id, 'sent while you were away');
  await customer.waitForSelector('.msg.from-agent .body >> text=sent while you were away', { timeout: 15_000 });
  assert.ok(sockets.length > opened, 'the page opened a new WebSocket');
  await rest.send(token, chat.id, 'and after the reconnect');
  await customer.waitForSelector('.msg.from-agent .body >> text=and after the reconnect');
  for (const t of ['first message', 'sent while you were away', 'and after the reconnect']) {
    assert.equal(await customer.locator('.msg .body', { hasText: t }).count(), 1, `"${t}" shown once`);
  }
  await rest.action(token, 'end', { chat_ids: [chat.id] });
  await customer.waitForSelector('#ended:not([hidden])');
  browser.assertNoErrors();
});

test('a dropped agent connection reconnects and the list catches up', async () => {
  const page = await browser.newPage(DESKTOP, 'alice-reconnect');
  const sockets = [];
  await page.routeWebSocket(/\/ws\?token=/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  await signIn(page, 'alice');
  await openView(page, 'queue');
  const opened = sockets.length;

  // Cut the socket, then a customer arrives while it is down: its push is lost.
  await sockets[sockets.length - 1].close({ code: 4001, reason: 'test cut' });
  const name = uniqueName('Jo');
  await rest.startChat('support', name, 'Arrived while you were offline');
  // The console reconnects by itself and reads the list again: the chat shows up.
  await row(page, name).waitFor({ timeout: 10_000 });
  assert.ok(sockets.length > opened, 'a new WebSocket was opened');
  await page.waitForSelector('#conn-status.live');
  // And live pushes work again on the new connection.
  const next = uniqueName('Kim');
  await rest.startChat('support', next, 'After the reconnect');
  await row(page, next).waitFor();

  const token = await rest.login('alice');
  const queue = await rest.get(token, '/api/chats?view=queue');
  await rest.action(token, 'end', { chat_ids: queue.rows.filter((r) => r.user === name || r.user === next).map((r) => r.id) });
  browser.assertNoErrors();
});

test('the number of people ahead updates live while waiting', async () => {
  const ahead = uniqueName('Lou');
  const started = await rest.startChat('sales', ahead, 'First in line');
  const customer = await browser.newPage(PHONE, 'customer-queue');
  await customer.goto(`${BASE}/chat/?group=sales&name=Max&question=${encodeURIComponent('Second in line')}`);
  await customer.click('#form-submit');
  await customer.click('#continue-chat');
  await customer.waitForSelector('.queue-position[data-position]:not([data-position=""])');
  const before = Number(await customer.getAttribute('.queue-position', 'data-position'));
  assert.ok(before >= 1, `someone is ahead (position ${before})`);

  const token = await rest.login('bob');
  await rest.action(token, 'pull', { chat_ids: [started.chat.id] });
  await customer.waitForSelector(`.queue-position[data-position="${before - 1}"]`);

  await rest.action(token, 'end', { chat_ids: [started.chat.id] });
  await customer.click('#end-chat');
  await customer.click('#confirm-end-yes');
  await customer.waitForSelector('#ended:not([hidden])');
  browser.assertNoErrors();
});

test('the Messages count of a chat in the list on screen follows its messages without a refresh', async () => {
  const page = await browser.newPage(DESKTOP, 'alice-live-counts');
  await signIn(page, 'alice');
  const name = uniqueName('Lu');
  const started = await rest.startChat('support', name, 'Counting messages');
  const manager = await rest.login('manager');
  await rest.action(manager, 'pull', { chat_ids: [started.chat.id] });
  await openView(page, 'group/support');
  const messages = row(page, name).locator('td[data-column="messages"]');
  await messages.waitFor();
  const before = Number(await messages.textContent());
  // Messages move no chat between lists: the console hears of them only because this list holds
  // the chat (watch_list), gathered into at most one frame a second.
  for (const text of ['one', 'two', 'three']) await rest.send(manager, started.chat.id, text);
  await page.waitForFunction(
    ([n, want]) => [...document.querySelectorAll('#chat-table tbody tr')]
      .some((tr) => tr.textContent.includes(n) && tr.querySelector('td[data-column="messages"]')?.textContent.trim() === String(want)),
    [name, before + 3],
    { timeout: 5_000 },
  );
  // Another list (My Active: the chat is the manager's) does not hold it: nothing changes there,
  // and the chat's row comes back current when its list is shown again.
  await openView(page, 'my_active');
  await rest.send(manager, started.chat.id, 'four');
  await openView(page, 'group/support');
  await page.waitForFunction(
    ([n, want]) => [...document.querySelectorAll('#chat-table tbody tr')]
      .some((tr) => tr.textContent.includes(n) && tr.querySelector('td[data-column="messages"]')?.textContent.trim() === String(want)),
    [name, before + 4],
    { timeout: 5_000 },
  );
  await rest.action(manager, 'end', { chat_ids: [started.chat.id] });
  browser.assertNoErrors();
});
