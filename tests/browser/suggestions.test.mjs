// Knowledge-base suggestions, customer and agent side, against the API contract of the
// suggestion service (GET /api/suggestions, GET /api/chats/{id}/suggestions,
// GET /api/kb/articles/{id}, POST /api/suggestions/feedback). The service is built elsewhere in
// the project, so these tests answer those routes from the test itself: they check that the pages
// render the contract right (byte-offset highlights, Markdown without HTML, feedback), not the
// search quality. The shapes follow docs/openapi.json (Suggestions, PublicArticle, Feedback).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, rest, startBrowser, signIn, screenshot, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

/** Byte offsets of `word` in `text`, as the Rust search engine reports them. */
function hl(text, word) {
  const at = text.indexOf(word);
  const start = Buffer.byteLength(text.slice(0, at));
  return { start, end: start + Buffer.byteLength(word) };
}

const SNIPPET = 'Müller’s guide 📧: when the mailbox is full, raise the quota in Settings.';
const SUGGESTIONS = {
  mode: 'hybrid',
  question_id: 'q-123',
  suggestions: [
    {
      id: 'kb-quota', kind: 'article', title: 'Mailbox full? Raise your quota', snippet: SNIPPET,
      highlights: [hl(SNIPPET, 'mailbox'), hl(SNIPPET, 'full'), hl(SNIPPET, 'quota')], score: 0.91,
    },
    {
      id: 'resolution:01EXAMPLECHAT', kind: 'resolution', title: 'Resolved chat: mailbox full', snippet: 'Deleted old mail <b>and</b> emptied the trash.',
      highlights: [{ start: 0, end: 7 }], score: 0.5,
    },
  ],
};
const ARTICLE = {
  id: 'kb-quota',
  title: 'Mailbox full? Raise your quota',
  body: '# Raise your quota\n\n1. Open **Settings**\n2. Choose [Storage](https://example.com/storage)\n\n<script>window.__xss=1</script>\n\n[bad](javascript:window.__xss=1)',
  tags: ['mail'],
};

async function stubKnowledgeBase(page, feedback) {
  await page.route(/\/api\/suggestions\?/, (route) => route.fulfill({ json: SUGGESTIONS }));
  await page.route(/\/api\/chats\/[^/]+\/suggestions$/, (route) => route.fulfill({ json: SUGGESTIONS }));
  await page.route(/\/api\/kb\/articles\//, (route) => route.fulfill({ json: ARTICLE }));
  await page.route(/\/api\/suggestions\/feedback$/, (route) => {
    feedback.push(JSON.parse(route.request().postData()));
    return route.fulfill({ status: 204, body: '' });
  });
}

test('customer: suggestions with highlights, an article inline, "This solved my problem" ends without a chat', async () => {
  const name = uniqueName('Gus');
  const feedback = [];
  const page = await browser.newPage(PHONE, 'customer');
  await stubKnowledgeBase(page, feedback);
  await page.goto(`${BASE}/chat/?group=support&name=${encodeURIComponent(name)}&question=${encodeURIComponent('mailbox full')}`);
  await page.click('#form-submit');
  await page.waitForSelector('#sugg-list .suggestion');
  assert.equal(await page.locator('#sugg-list .suggestion').count(), 2);

  // Highlights land on the right characters despite multi-byte text before them.
  const marks = await page.locator('#sugg-list .suggestion').first().locator('mark').allTextContents();
  assert.deepEqual(marks, ['mailbox', 'full', 'quota']);
  assert.equal(await page.locator('#sugg-list .suggestion').first().locator('.snippet').textContent(), SNIPPET);
  // Snippets are text: the <b> of the second one is shown, not applied.
  assert.match(await page.locator('#sugg-list .suggestion').nth(1).locator('.snippet').textContent(), /<b>and<\/b>/);

  // Open the article inline: Markdown is rendered, HTML in it is text, unsafe links are not links.
  await page.locator('#sugg-list .suggestion').first().getByRole('button', { name: 'Read article' }).click();
  const article = page.locator('#sugg-list .suggestion').first().locator('.article');
  await article.locator('ol li').first().waitFor();
  assert.equal(await article.locator('strong').first().textContent(), 'Settings');
  assert.equal(await article.locator('a[href="https://example.com/storage"]').count(), 1);
  assert.equal(await article.locator('a[href^="javascript"]').count(), 0);
  assert.match(await article.textContent(), /<script>window.__xss=1<\/script>/);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await screenshot(page, 'customer-suggestions-kb.png');

  await page.getByRole('button', { name: 'This solved my problem' }).click();
  await page.waitForSelector('#step-solved:not([hidden])');
  // Feedback as the API takes it: {question_id, item_id, action} (`shown` is the server's).
  const actions = feedback.map((f) => `${f.action}:${f.item_id}`);
  assert.deepEqual(actions, ['clicked:kb-quota', 'solved:kb-quota']);
  assert.ok(feedback.every((f) => f.question_id === 'q-123' && Object.keys(f).length === 3), JSON.stringify(feedback));

  // No chat was created for this customer.
  const token = await rest.login('admin');
  const all = await rest.get(token, '/api/chats?view=global');
  assert.equal(all.rows.filter((r) => r.user === name).length, 0);
  browser.assertNoErrors();
});

test('agent: the suggestions panel inserts a resolution or an article into the composer', async () => {
  const name = uniqueName('Hal');
  const { chat } = await rest.startChat('support', name, 'My mailbox is full');
  const token = await rest.login('manager');
  await rest.action(token, 'pull', { chat_ids: [chat.id] });

  const feedback = [];
  const page = await browser.newPage(DESKTOP, 'manager');
  await stubKnowledgeBase(page, feedback);
  await signIn(page, 'manager');
  await page.goto(`${BASE}/console/#/chat/${chat.id}`);
  const panel = page.locator('.cv-suggestions');
  await panel.locator('.suggestion').first().waitFor();
  assert.deepEqual(await panel.locator('.suggestion').first().locator('mark').allTextContents(), ['mailbox', 'full', 'quota']);

  // Insert the past resolution: its text goes into the composer.
  await panel.locator('.suggestion').nth(1).getByRole('button', { name: 'Insert' }).click();
  assert.equal(await page.inputValue('#cv-message'), 'Deleted old mail <b>and</b> emptied the trash.');
  await page.fill('#cv-message', '');
  // Insert the article: its full text, as plain text.
  await panel.locator('.suggestion').first().getByRole('button', { name: 'Insert' }).click();
  await page.waitForFunction(() => document.querySelector('#cv-message').value.includes('Open Settings'));
  const text = await page.inputValue('#cv-message');
  assert.match(text, /Raise your quota/);
  assert.match(text, /Storage \(https:\/\/example.com\/storage\)/);
  assert.ok(feedback.some((f) => f.action === 'clicked' && f.item_id === 'kb-quota' && f.question_id === 'q-123'), JSON.stringify(feedback));
  await page.keyboard.press('Enter');
  await page.locator('.msg.mine .body', { hasText: 'Open Settings' }).waitFor();
  await screenshot(page, 'console-chat-suggestions.png');

  await rest.action(token, 'end', { chat_ids: [chat.id] });
  browser.assertNoErrors();
});
