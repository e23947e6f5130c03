// The chat list never blanks and says when it holds more (issue 10). A stored value no browser
// can show, written straight into the server's database as one from before the edge checks may
// be, costs only its own cells: every other row still shows. A list longer than a page says so
// and loads the rest. Needs CHATDESK_DATA_DIR, the server's data directory (run.sh sets it).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DESKTOP, openView, rest, row, signIn, startBrowser, uniqueName } from './helpers.mjs';

const DATA_DIR = process.env.CHATDESK_DATA_DIR;
/** One past the last instant a JavaScript Date holds: `new Date(x).toISOString()` throws. */
const ABSURD_MS = 8640000000000001;
const PAGE = 200;

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

/** Runs SQL on the server's database (chat ids and the names used here are plain words). */
function sql(statement) {
  assert.ok(DATA_DIR, 'set CHATDESK_DATA_DIR to the data directory of the server under test');
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', join(DATA_DIR, 'chatdesk.sqlite3'), statement], { encoding: 'utf8' });
}

function removeChats(ids) {
  const list = ids.map((id) => `'${id}'`).join(', ');
  sql(`DELETE FROM events WHERE chat_id IN (${list}); DELETE FROM chats WHERE id IN (${list});`);
}

test('a value no browser can show costs its own cells, never the list', async () => {
  const names = { due: uniqueName('Due'), started: uniqueName('Started'), fine: uniqueName('Fine') };
  const ids = {};
  for (const [key, name] of Object.entries(names)) {
    ids[key] = (await rest.startChat('support', name, 'Where is my parcel?')).chat.id;
  }
  // The probe's follow-up, and a start time just as impossible.
  sql(`UPDATE chats SET doc = json_set(doc, '$.follow_up', json('{"due_at":${ABSURD_MS},"note":"call back","set_by":"alice"}')) WHERE id = '${ids.due}'`);
  sql(`UPDATE chats SET doc = json_set(doc, '$.started_at', ${ABSURD_MS}) WHERE id = '${ids.started}'`);
  try {
    const alice = await browser.newPage(DESKTOP, 'alice');
    await signIn(alice, 'alice');
    await openView(alice, 'group/support');
    for (const name of Object.values(names)) await row(alice, name).waitFor();
    assert.equal(await alice.isVisible('#list-error'), false);

    // The cells that cannot be shown say so; the rest of those rows is drawn as usual.
    const started = (name) => row(alice, name).locator('td[data-column="started"]').textContent();
    assert.equal(await started(names.started), '—');
    assert.notEqual(await started(names.due), '—');
    assert.notEqual(await started(names.fine), '—');
    const followUp = row(alice, names.due).locator('[data-icon="follow-up"]');
    assert.match(await followUp.getAttribute('aria-label'), /^Follow-up due —: call back$/);
    assert.equal(await row(alice, names.fine).locator('[data-icon="follow-up"]').getAttribute('aria-label'), 'No follow-up');

    // The clocks keep ticking past the bad rows (the table redraws every second).
    const queueTime = row(alice, names.fine).locator('td[data-column="queue_time"]');
    const first = await queueTime.textContent();
    await alice.waitForFunction(([sel, before]) => {
      const cell = [...document.querySelectorAll('#chat-table tbody tr')]
        .find((tr) => tr.querySelector('.user-name').textContent === sel)
        ?.querySelector('td[data-column="queue_time"]');
      return cell && cell.textContent !== before;
    }, [names.fine, first]);

    // The chat itself opens, its follow-up shown as unknown.
    await row(alice, names.due).locator('a.open-chat').click();
    await alice.waitForSelector('.cv-follow-up:not([hidden])');
    assert.match(await alice.textContent('.cv-follow-up'), /^Follow-up due: — — call back$/);
    browser.assertNoErrors();
  } finally {
    removeChats(Object.values(ids));
  }
});

test('a list longer than a page says so and loads the rest', async () => {
  const tag = Math.random().toString(36).slice(2, 7);
  const flood = 5 + PAGE;
  const template = await rest.startChat('billing', uniqueName('Template'), 'Invoice copy');
  const manager = await rest.login('manager');
  await rest.action(manager, 'take', { chat_ids: [template.chat.id] });
  await rest.action(manager, 'end', { chat_ids: [template.chat.id] });
  // Ended chats older than any other in billing, copied from the one above.
  sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${flood})
       INSERT INTO chats (id, group_id, agent_id, state, deleted, sort_ts, last_seq, doc)
       SELECT 'flood-${tag}-' || i, group_id, agent_id, state, deleted, 1000000000000 + i, last_seq,
              json_set(doc, '$.id', 'flood-${tag}-' || i, '$.customer.name', 'Flood ${tag} ' || i,
                       '$.ended_at', 1000000000000 + i)
       FROM chats, n WHERE id = '${template.chat.id}';`);
  const floodIds = Array.from({ length: flood }, (_, i) => `flood-${tag}-${i + 1}`);
  try {
    const page = await browser.newPage(DESKTOP, 'manager');
    await signIn(page, 'manager');
    await openView(page, 'group/billing/inactive');
    await page.waitForSelector('#list-more:not([hidden])');
    const rows = page.locator('#chat-table tbody tr');
    assert.equal(await rows.count(), PAGE);
    assert.match(await page.textContent('#list-more-text'), /^Showing 200 chats; this list holds more\.$/);
    assert.match(await page.textContent('#view-count'), /^200 chats shown, more in this list$/);
    // The newest ended chat is on the first page; the oldest of the flood is not.
    await row(page, template.chat.name).waitFor();
    const oldest = page.locator('#chat-table tbody tr', { has: page.locator('.user-name', { hasText: new RegExp(`^Flood ${tag} 1$`) }) });
    assert.equal(await oldest.count(), 0);

    await page.click('#list-more-button');
    await page.waitForSelector('#list-more', { state: 'hidden' });
    const floodRows = page.locator('#chat-table tbody tr', { has: page.locator('.user-name', { hasText: `Flood ${tag} ` }) });
    assert.equal(await floodRows.count(), flood);
    assert.equal(await oldest.count(), 1);
    const total = await rows.count();
    assert.ok(total > PAGE, `${total} rows after loading more`);
    assert.equal(await page.textContent('#view-count'), `${total} chats`);
    // Each chat once.
    const shown = await page.$$eval('#chat-table tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
    assert.equal(new Set(shown).size, shown.length);
    browser.assertNoErrors();
  } finally {
    removeChats(floodIds);
  }
});
