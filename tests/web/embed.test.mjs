// embed.js inside a page of another origin: the ticker renders in a shadow root, live, and the
// host page gets no globals and no styles from it.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, it } from 'node:test';

import { launchBrowser, makeWorkspace, post, startTickerd, tickerctl } from './harness.mjs';

let workspace;
let server;
let browser;

before(async () => {
  workspace = await makeWorkspace();
  hostUrl = await startHost();
  // WebSockets are same-origin by default; the newsroom allows the sites that embed its ticker.
  server = await startTickerd(workspace, { extraArgs: ['--allowed-origins', new URL(hostUrl).origin] });
  browser = await launchBrowser();
  await tickerctl(server, 'ticker', 'create', 'embedded', '--title', 'Eingebettet');
  await post(server, 'embedded', 'Erste Meldung', '--title', 'Hallo');
});

after(async () => {
  await browser?.close();
  host?.close();
  await server?.stop();
  await workspace?.cleanup();
});

// The host page comes from a second little server on loopback: another origin (so the module
// scripts need tickerd's CORS header), but the same address space (a public origin may not load
// from 127.0.0.1 at all in Chromium, whatever the CORS headers say).
let host;
let hostUrl;

function startHost() {
  host = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(hostPage(!request.url.includes('plain')));
  });
  return new Promise((resolve) => host.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${host.address().port}`)));
}

function hostPage(withEmbed) {
  return `<!doctype html><html><head><title>Host</title></head><body>
<h1>Ein Artikel</h1>
<div data-liveticker="embedded" data-lang="en" data-order="newest" data-limit="5"></div>
${withEmbed ? `<script type="module" src="${server.url}/embed.js"></script>` : ''}
</body></html>`;
}

async function openHost(withEmbed) {
  const context = await browser.newContext({ timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => message.type() === 'error' && errors.push(new Error(message.text())));
  page.scriptErrors = errors;
  await page.goto(`${hostUrl}/${withEmbed ? 'artikel' : 'plain'}`);
  return page;
}

it('renders the ticker live inside a shadow root of a foreign page', async () => {
  const page = await openHost(true);
  const badge = page.locator('[data-liveticker] #lt-badge[data-state="live"]');
  await badge.waitFor({ timeout: 10_000 }).catch((error) => {
    throw new Error(`${error.message}\n${page.scriptErrors.map((e) => e.message).join('\n')}`);
  });
  assert.equal(await page.evaluate(() => document.querySelector('[data-liveticker]').shadowRoot !== null), true);
  assert.equal(await page.locator('[data-liveticker] .lt-entry-title').first().textContent(), 'Hallo');
  assert.equal(await page.locator('[data-liveticker] [data-order="newest"]').textContent(), 'Newest first', 'data-lang');

  const id = await post(server, 'embedded', 'Zweite Meldung');
  await page.locator(`[data-liveticker] #entry-${id}`).waitFor();

  // No styles for the host page: the stylesheet lives in the shadow root only.
  assert.equal(await page.evaluate(() => document.styleSheets.length), 0);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('h1')).fontFamily), await (async () => {
    const plain = await openHost(false);
    const family = await plain.evaluate(() => getComputedStyle(document.querySelector('h1')).fontFamily);
    await plain.context().close();
    return family;
  })());
  assert.deepEqual(page.scriptErrors, []);
  await page.context().close();
});

it('leaks no globals onto window', async () => {
  const plain = await openHost(false);
  const baseline = await plain.evaluate(() => Object.getOwnPropertyNames(window));
  await plain.context().close();
  const page = await openHost(true);
  await page.locator('[data-liveticker] #lt-badge[data-state="live"]').waitFor({ timeout: 10_000 });
  const names = await page.evaluate(() => Object.getOwnPropertyNames(window));
  assert.deepEqual(names.filter((name) => !baseline.includes(name)), []);
  await page.context().close();
});
