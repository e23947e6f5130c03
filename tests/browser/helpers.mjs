// Shared by the browser tests: the browser (Debian chromium driven by playwright-core), pages for
// agents and customers, REST shortcuts for setting up data, screenshots, and a watch on console
// errors so a test fails when a page logs one it did not expect.

import { appendFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE = (process.env.CHATDESK_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const PASSWORD = 'chatdesk-demo';
const here = dirname(fileURLToPath(import.meta.url));
// The README's pictures live in docs/screenshots; an ordinary run writes beside the build instead,
// so running the tests leaves the work tree as it was. CHATDESK_UPDATE_SCREENSHOTS=1 refreshes them.
export const SCREENSHOTS = process.env.CHATDESK_UPDATE_SCREENSHOTS === '1'
  ? join(here, '..', '..', 'docs', 'screenshots')
  : join(here, '..', '..', 'target', 'screenshots');

export const DESKTOP = { width: 1280, height: 720 };
export const PHONE = { width: 390, height: 844 };

/** Routes allowed to answer 404 (features other engineers are adding): pages degrade on them. */
const OPTIONAL_ROUTES = /\/api\/(suggestions|kb\/|chats\/[^/]+\/suggestions|auth\/config)/;

/**
 * Starts Chromium with a fresh user-data-dir. Returns {context, newPage(viewport), close()}.
 * Each page gets its own sessionStorage, so an agent and a customer can share the browser.
 */
export async function startBrowser({ extraArgs = [] } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'chatdesk-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: DESKTOP,
    acceptDownloads: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
  const problems = [];
  const pages = [];
  async function newPage(viewport = DESKTOP, label = 'page') {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    pages.push({ page, label, requests: watchRequests(page) });
    page.on('pageerror', (err) => problems.push(`${label}: uncaught ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const url = (msg.location() && msg.location().url) || '';
      if (/Failed to load resource/.test(msg.text()) && OPTIONAL_ROUTES.test(url)) return;
      problems.push(`${label}: console error ${msg.text()} ${url}`);
    });
    page.setDefaultTimeout(10_000);
    return page;
  }
  return {
    context,
    newPage,
    problems,
    /** Fails the test if any page logged an unexpected error. */
    assertNoErrors() {
      assert.deepEqual(problems, [], `pages logged errors:\n${problems.join('\n')}`);
    },
    async close() {
      await writeDiagnostics(pages, problems);
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The API requests of a page that failed, were refused, or took over a second, as lines. */
function watchRequests(page) {
  const lines = [];
  const started = new Map();
  const stamp = () => new Date().toISOString().slice(11, 23);
  const api = (request) => {
    const url = new URL(request.url());
    return url.pathname.startsWith('/api/') ? `${request.method()} ${url.pathname}${url.search}` : null;
  };
  page.on('request', (request) => { if (api(request)) started.set(request, Date.now()); });
  page.on('requestfinished', async (request) => {
    const what = api(request);
    if (!what) return;
    const ms = Date.now() - (started.get(request) ?? Date.now());
    started.delete(request);
    const response = await request.response().catch(() => null);
    const status = response ? response.status() : 0;
    if (status >= 400 || ms > 1000) lines.push(`${stamp()} ${what} -> ${status} in ${ms} ms`);
  });
  page.on('requestfailed', (request) => {
    const what = api(request);
    started.delete(request);
    if (what) lines.push(`${stamp()} ${what} -> failed: ${request.failure()?.errorText}`);
  });
  return lines;
}

/** Where each page of a test file ended up, for run.sh to print when the file failed: the
 * page's address and visible text, its refused or slow API requests, and the logged errors. */
async function writeDiagnostics(pages, problems) {
  const dir = process.env.CHATDESK_DATA_DIR;
  if (!dir) return;
  const out = [];
  for (const { page, label, requests } of pages) {
    const text = page.isClosed()
      ? '(closed)'
      : await page.evaluate(() => document.body.innerText).catch((e) => `(unreadable: ${e.message})`);
    out.push(`--- ${label}: ${page.url()}`, text.replace(/\n+/g, ' | ').slice(0, 800), ...requests.map((l) => `  ${l}`));
  }
  if (problems.length) out.push('--- logged errors', ...problems);
  appendFileSync(join(dir, `diagnostics-${basename(process.argv[1] || 'unknown')}.log`), `${out.join('\n')}\n`);
}

/** A unique, readable customer name per test run. */
export function uniqueName(prefix) {
  return `${prefix} ${Math.random().toString(36).slice(2, 7)}`;
}

// ---- REST shortcuts ---------------------------------------------------------------------------------

async function call(method, path, body, token) {
  const res = await fetch(BASE + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return data;
}

export const rest = {
  login: async (username) => (await call('POST', '/api/auth/login', { username, password: PASSWORD })).token,
  startChat: (groupId, name, question) => call('POST', '/api/chats', { group_id: groupId, name, question }),
  action: (token, name, body) => call('POST', `/api/actions/${name}`, body, token),
  send: (token, chatId, body) => call('POST', `/api/chats/${chatId}/messages`, { client_msg_id: `t-${Math.random().toString(36).slice(2)}`, body }, token),
  leaveMessage: (groupId, name, email, question) => call('POST', '/api/messages', { group_id: groupId, name, email, question }),
  post: (token, path, body) => call('POST', path, body, token),
  get: (token, path) => call('GET', path, undefined, token),
  put: (token, path, body) => call('PUT', path, body, token),
};

// ---- pages ----------------------------------------------------------------------------------------

/** Signs an agent in to the console in `page` and waits for the navigation pane. */
export async function signIn(page, username) {
  await page.goto(`${BASE}/console/`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#nav .nav-link');
  await waitLive(page);
}

/** Waits until the console's WebSocket is open. */
export async function waitLive(page) {
  await page.waitForSelector('#conn-status.live', { timeout: 10_000 });
}

/** Opens a list view of the console by its route (e.g. 'queue', 'group/support/inactive'). */
export async function openView(page, route) {
  await page.click(`#nav a[href="#/${route}"]`);
  await page.waitForFunction((r) => location.hash === `#/${r}` && !document.querySelector('#table-wrap[aria-busy]'), route);
}

/** The <tr> of the chat whose user is `name`. */
export function row(page, name) {
  return page.locator('#chat-table tbody tr', { has: page.locator('.user-name', { hasText: name }) });
}

export async function screenshot(page, file) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, file) });
}
