// The badge tells the truth about the connection, and a reader survives a tickerd restart:
// back to live by itself, with every entry exactly once.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';

import { assertUnique, launchBrowser, makeWorkspace, openReader, post, shownIds, startTickerd, tickerctl, waitLive } from './harness.mjs';

let workspace;
let server;
let browser;

before(async () => {
  workspace = await makeWorkspace();
  server = await startTickerd(workspace);
  browser = await launchBrowser();
  await tickerctl(server, 'ticker', 'create', 'restart', '--title', 'Neustart');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await workspace?.cleanup();
});

it('shows reconnecting while tickerd is down and resumes without losing or doubling entries', async () => {
  const posted = [];
  for (let i = 1; i <= 3; i += 1) posted.push(await post(server, 'restart', `Vor dem Neustart ${i}`));
  const page = await openReader(browser, `${server.url}/t/restart`);
  await waitLive(page);
  posted.push(await post(server, 'restart', 'Live vor dem Neustart'));
  await page.waitForSelector(`#entry-${posted.at(-1)}`);

  const port = server.port;
  await server.stop();
  await page.waitForSelector('#lt-badge[data-state="reconnecting"]', { timeout: 5000 });
  assert.equal(await page.locator('#lt-status').textContent(), 'Verbinde erneut…');

  server = await startTickerd(workspace, { port });
  // Posted at once: depending on timing the reader gets them in its reconnect snapshot or as
  // events after it. Either way each must show exactly once.
  const afterRestart = [];
  for (let i = 1; i <= 2; i += 1) afterRestart.push(await post(server, 'restart', `Nach dem Neustart ${i}`));
  await waitLive(page, 15_000);
  for (const id of afterRestart) await page.waitForSelector(`#entry-${id}`);
  const late = await post(server, 'restart', 'Später');
  await page.waitForSelector(`#entry-${late}`);

  const ids = await shownIds(page);
  assertUnique(ids);
  assert.deepEqual(ids, [late, ...afterRestart.reverse(), ...posted.reverse()]);
  assert.equal(await page.locator('#lt-count-number').textContent(), String(ids.length));
  assert.equal(await page.locator('#lt-status').textContent(), 'Live');
  assert.deepEqual(page.scriptErrors.filter((error) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(error.message)), []);
  await page.context().close();
});

it('keeps the reader where they were when a reconnect brings a fresh snapshot', async () => {
  await tickerctl(server, 'ticker', 'create', 'long', '--title', 'Lang');
  const ids = [];
  for (let i = 1; i <= 30; i += 1) ids.push(await post(server, 'long', `Meldung ${i}\n\nmit etwas mehr Text, damit die Einträge Höhe haben.`));
  const page = await openReader(browser, `${server.url}/t/long`);
  await waitLive(page);
  // Read an entry beyond the first page (20): the reconnect snapshot will not contain it.
  const reading = ids[4];
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForSelector(`#entry-${reading}`);
  await page.locator(`#entry-${reading}`).evaluate((a) => a.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => window.scrollBy(0, -30));
  const topBefore = await page.locator(`#entry-${reading}`).evaluate((a) => a.getBoundingClientRect().top);

  const port = server.port;
  await server.stop();
  await page.waitForSelector('#lt-badge[data-state="reconnecting"]', { timeout: 5000 });
  server = await startTickerd(workspace, { port });
  await waitLive(page, 15_000);
  await page.waitForFunction(
    ([id, top]) => {
      const entry = document.querySelector(`#entry-${id}`);
      return entry && Math.abs(entry.getBoundingClientRect().top - top) < 1;
    },
    [reading, topBefore],
    { timeout: 5000 },
  );
  const shown = await shownIds(page);
  assertUnique(shown);
  await page.context().close();
});

it('says "Beendet" once the ticker ends', async () => {
  const page = await openReader(browser, `${server.url}/t/restart`);
  await waitLive(page);
  await tickerctl(server, 'ticker', 'end', 'restart');
  await page.waitForSelector('#lt-badge[data-state="ended"]');
  assert.equal(await page.locator('#lt-status').textContent(), 'Beendet');
  await page.context().close();
});
