// The reader's page against a real tickerd, with entries written by the real tickerctl.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  assertUnique,
  DESKTOP,
  launchBrowser,
  makeWorkspace,
  openReader,
  PHONE,
  post,
  saveScreenshot,
  shownIds,
  startTickerd,
  tickerctl,
  waitLive,
} from './harness.mjs';

let workspace;
let server;
let browser;
const many = []; // ids of the 45 entries of ticker "many", oldest first

before(async () => {
  workspace = await makeWorkspace();
  server = await startTickerd(workspace, { seed: 'demo/demo.json' });
  browser = await launchBrowser();
  await tickerctl(server, 'ticker', 'create', 'e2e', '--title', 'Testticker', '--description', 'Ende-zu-Ende');
  await tickerctl(server, 'ticker', 'create', 'many', '--title', 'Langer Ticker');
  for (let i = 1; i <= 45; i += 1) many.push(await post(server, 'many', `Meldung Nummer ${i}`));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await workspace?.cleanup();
});

async function streamIds(page) {
  return page.locator('article[id^="entry-"]:not(.lt-pinned)').evaluateAll((articles) => articles.map((a) => Number(a.dataset.id)));
}

describe('snapshot', () => {
  it('shows the demo ticker newest first, pinned on top, and oldest first with ?order=oldest', async () => {
    const newest = await openReader(browser, `${server.url}/t/demo`);
    await waitLive(newest);
    const ids = await shownIds(newest);
    assert.equal(ids.length, 12);
    assertUnique(ids);
    const pinned = await newest.locator('article.lt-pinned').evaluateAll((a) => a.map((x) => Number(x.dataset.id)));
    assert.ok(pinned.length >= 1, 'the demo has a pinned entry');
    assert.deepEqual(ids.slice(0, pinned.length), pinned, 'pinned entries come first');
    const stream = await streamIds(newest);
    assert.deepEqual(stream, [...stream].sort((a, b) => b - a));
    assert.equal(await newest.locator('#lt-count-number').textContent(), '12');
    assert.equal(await newest.locator('#lt-title').textContent(), 'Telefonat Putin–Biden: Der Abend im Liveticker');
    assert.match(await newest.title(), /^Telefonat Putin–Biden: Der Abend im Liveticker – Liveticker$/);
    // Times are the reader's (Europe/Berlin here), not the server's UTC.
    assert.doesNotMatch(await newest.locator('.lt-time').first().textContent(), /UTC/);
    assert.match(await newest.locator('.lt-time').first().getAttribute('title'), /\d{4}/);
    assert.equal(await newest.locator('#lt-keys-list a').count(), await newest.locator('article.lt-key').count());
    assert.deepEqual(newest.scriptErrors, []);

    const oldest = await openReader(browser, `${server.url}/t/demo?order=oldest`);
    await waitLive(oldest);
    const oldestStream = await streamIds(oldest);
    assert.deepEqual(oldestStream, [...stream].reverse());
    assert.equal(await oldest.locator('[data-order="oldest"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await oldest.locator('#lt-end').textContent(), 'Neue Einträge erscheinen hier, sobald sie veröffentlicht sind.');
    await newest.context().close();
    await oldest.context().close();
  });

  it('saves screenshots of both orders on desktop and phone', async () => {
    const files = [];
    for (const [device, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      for (const order of ['newest', 'oldest']) {
        const page = await openReader(browser, `${server.url}/t/demo?order=${order}`, { viewport, reducedMotion: 'reduce' });
        await waitLive(page);
        files.push(await saveScreenshot(page, `demo-${order}-${device}`));
        // and with the order toggle at the top, where the two orders differ
        await page.locator('#lt-toolbar').evaluate((toolbar) => toolbar.scrollIntoView({ block: 'start' }));
        files.push(await saveScreenshot(page, `demo-${order}-${device}-list`));
        if (device === 'phone') {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.equal(overflow, 0, 'nothing sticks out sideways at 360 px');
        }
        await page.context().close();
      }
    }
    const dark = await openReader(browser, `${server.url}/t/demo`, { colorScheme: 'dark', reducedMotion: 'reduce' });
    await waitLive(dark);
    files.push(await saveScreenshot(dark, 'demo-newest-desktop-dark'));
    await dark.context().close();
    console.log(`screenshots:\n${files.join('\n')}`);
  });
});

describe('live changes', () => {
  it('shows a posted entry without reload, then its edit, then its deletion', async () => {
    const page = await openReader(browser, `${server.url}/t/e2e`);
    await waitLive(page);
    const first = await post(server, 'e2e', 'Erste Meldung');
    await page.waitForSelector(`#entry-${first}`);
    const id = await post(server, 'e2e', 'Das Telefonat hat **begonnen**.', '--title', 'Gespräch läuft', '--key');
    await page.waitForSelector(`#entry-${id}`);
    assert.deepEqual(await shownIds(page), [id, first], 'newest on top');
    assert.equal(await page.locator(`#entry-${id} .lt-entry-title`).textContent(), 'Gespräch läuft');
    assert.equal(await page.locator(`#entry-${id} .lt-body strong`).textContent(), 'begonnen');
    assert.equal(await page.locator(`#entry-${id} .lt-flag-key`).textContent(), 'Wichtig');
    assert.equal(await page.locator('#lt-count-number').textContent(), '2');
    assert.equal(await page.locator('#lt-keys-list a').getAttribute('href'), `#entry-${id}`);
    // One polite announcement per burst: the entry's title, or how many came at once.
    await page.waitForFunction(() => /Gespräch läuft|2 neue Einträge/.test(document.querySelector('#lt-announcer').textContent));

    await tickerctl(server, 'edit', 'e2e', String(id), 'Korrigiert: 21:30 MEZ');
    await page.waitForSelector(`#entry-${id} .lt-updated`);
    assert.equal(await page.locator(`#entry-${id} .lt-updated`).textContent(), 'aktualisiert');
    assert.equal((await page.locator(`#entry-${id} .lt-body`).textContent()).trim(), 'Korrigiert: 21:30 MEZ');
    assert.deepEqual(await shownIds(page), [id, first], 'edited in place');

    await tickerctl(server, 'delete', 'e2e', String(id));
    await page.waitForSelector(`#entry-${id}`, { state: 'detached' });
    assert.deepEqual(await shownIds(page), [first]);
    assert.equal(await page.locator('#lt-count-number').textContent(), '1');
    assert.equal(await page.locator('#lt-keys').isHidden(), true);
    assert.deepEqual(page.scriptErrors, []);
    await page.context().close();
  });

  it('renders a live entry exactly like the server renders it', async () => {
    const page = await openReader(browser, `${server.url}/t/e2e`, { reducedMotion: 'reduce' });
    await waitLive(page);
    const id = await post(server, 'e2e', 'Mit Bild', '--title', 'Foto', '--pin', '--image', '/demo/kreml.svg', '--caption', 'Der Kreml', '--credit', 'Demo', '--alt', 'Kreml');
    const live = page.locator(`#entry-${id}`);
    await live.waitFor();
    await page.waitForFunction((n) => !document.querySelector(`#entry-${n}`).matches('.lt-new, .lt-changed'), id);
    const clientHtml = await live.evaluate((a) => a.outerHTML);
    await page.reload();
    await waitLive(page);
    const serverHtml = await page.locator(`#entry-${id}`).evaluate((a) => a.outerHTML);
    assert.equal(clientHtml, serverHtml);
    assert.match(serverHtml, /<span class="lt-flag lt-flag-pinned">Angeheftet<\/span>/);
    assert.match(serverHtml, /<figcaption><span class="lt-caption">Der Kreml<\/span> <span class="lt-credit">Demo<\/span><\/figcaption>/);
    await tickerctl(server, 'delete', 'e2e', String(id));
    await page.context().close();
  });

  it('inserts wire text as text, never as markup', async () => {
    const page = await openReader(browser, `${server.url}/t/e2e`);
    await waitLive(page);
    const id = await post(server, 'e2e', 'Text <img src=x onerror="window.hacked=1"> <script>window.hacked=2</script>', '--title', '<b onmouseover=alert(1)>Titel</b>');
    await page.waitForSelector(`#entry-${id}`);
    assert.equal(await page.locator(`#entry-${id} .lt-entry-title`).textContent(), '<b onmouseover=alert(1)>Titel</b>');
    assert.equal(await page.locator(`#entry-${id} .lt-entry-title b`).count(), 0);
    assert.equal(await page.locator(`#entry-${id} img, #entry-${id} script`).count(), 0);
    assert.equal(await page.evaluate(() => window.hacked), undefined);
    await tickerctl(server, 'delete', 'e2e', String(id));
    await page.context().close();
  });
});

describe('order', () => {
  it('reorders with the toggle, keeps the choice in the address and for the next visit', async () => {
    const page = await openReader(browser, `${server.url}/t/many`);
    await waitLive(page);
    assert.equal((await streamIds(page))[0], many.at(-1));
    const toggle = page.locator('[data-order="oldest"]');
    await toggle.focus();
    await page.keyboard.press('Enter'); // keyboard usable
    await page.waitForFunction((id) => document.querySelector('article[id^="entry-"]')?.dataset.id === String(id), many[0]);
    assert.deepEqual((await streamIds(page)).slice(0, 20), many.slice(0, 20));
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('[data-order="newest"]').getAttribute('aria-pressed'), 'false');
    assert.match(page.url(), /[?&]order=oldest/);

    // A later visit without ?order= gets the remembered order, though the server renders newest.
    await page.goto(`${server.url}/t/many`);
    await page.waitForFunction((id) => document.querySelector('article[id^="entry-"]')?.dataset.id === String(id), many[0]);
    await waitLive(page);
    assert.deepEqual((await streamIds(page)).slice(0, 3), many.slice(0, 3));

    await page.locator('[data-order="newest"]').click();
    await page.waitForFunction((id) => document.querySelector('article[id^="entry-"]')?.dataset.id === String(id), many.at(-1));
    assert.doesNotMatch(page.url(), /order=/);
    await page.context().close();
  });
});

describe('paging', () => {
  it('loads older entries by scrolling until the first entry, then says the ticker ends', async () => {
    const page = await openReader(browser, `${server.url}/t/many`);
    await waitLive(page);
    assert.equal((await shownIds(page)).length, 20);
    for (let round = 0; round < 10; round += 1) {
      const shown = (await shownIds(page)).length;
      if (shown >= many.length) break;
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await page
        .waitForFunction((n) => document.querySelectorAll('article[id^="entry-"]').length > n, shown, { timeout: 5000 })
        .catch((error) => {
          throw new Error(`${error.message}\n${page.conversation()}`);
        });
    }
    const ids = await shownIds(page);
    assertUnique(ids);
    assert.deepEqual(ids, [...many].reverse());
    await page.waitForSelector('#lt-end:not([hidden])');
    assert.equal(await page.locator('#lt-end').textContent(), 'Ende des Tickers – alle Einträge sind geladen.');
    assert.equal(await page.locator('#lt-more-button').isHidden(), true);
    await page.context().close();
  });

  it('loads newer entries with the "Mehr laden" button in oldest-first order', async () => {
    const page = await openReader(browser, `${server.url}/t/many?order=oldest`, { viewport: { width: 1280, height: 20000 } });
    await waitLive(page);
    // A very tall window: the button is what loads here (the observer sees it at once too,
    // which is fine: either way every entry must arrive once).
    for (let round = 0; round < 10 && (await shownIds(page)).length < many.length; round += 1) {
      const button = page.locator('#lt-more-button:not([hidden])');
      if (await button.count()) await button.click().catch(() => {});
      await page.waitForFunction(() => document.querySelector('#lt-loader').hidden, null, { timeout: 5000 });
    }
    const ids = await shownIds(page);
    assertUnique(ids);
    assert.deepEqual(ids, many);
    await page.context().close();
  });

  it('follows a permalink to an entry that is not on the first page', async () => {
    const target = many[2];
    const page = await openReader(browser, `${server.url}/t/many#entry-${target}`);
    await page.waitForSelector(`#entry-${target}`, { timeout: 10_000 });
    await page.waitForFunction((id) => {
      const rect = document.querySelector(`#entry-${id}`).getBoundingClientRect();
      return rect.top >= 0 && rect.top < window.innerHeight;
    }, target);
    assertUnique(await shownIds(page));
    await page.context().close();
  });
});

describe('new entries while reading', () => {
  it('holds new entries behind a pill instead of moving what the reader reads', async () => {
    const page = await openReader(browser, `${server.url}/t/many`);
    await waitLive(page);
    const reading = many.at(-8);
    await page.locator(`#entry-${reading}`).evaluate((a) => a.scrollIntoView({ block: 'start' }));
    await page.evaluate(() => window.scrollBy(0, -40));
    const topBefore = await page.locator(`#entry-${reading}`).evaluate((a) => a.getBoundingClientRect().top);

    const fresh = [];
    try {
      for (let i = 1; i <= 3; i += 1) fresh.push(await post(server, 'many', `Neu ${i}`));
      await page.waitForFunction(() => document.querySelector('#lt-pill .lt-pill-label')?.textContent === '3 neue Einträge');
      assert.equal(await page.locator('#lt-pill').isVisible(), true);
      assert.equal(await page.locator(`#entry-${fresh[0]}`).count(), 0, 'held back, not in the list yet');
      const topAfter = await page.locator(`#entry-${reading}`).evaluate((a) => a.getBoundingClientRect().top);
      assert.ok(Math.abs(topAfter - topBefore) < 1, `reading position moved from ${topBefore} to ${topAfter}`);
      assert.equal(await page.locator('#lt-count-number').textContent(), String(many.length + 3));

      // Clicked where the reader sees it, once it has dropped in. locator.click() scrolls an
      // element "into view" first; for this sticky pill that once scrolled to the list's top in
      // CI, where the page shows held entries by itself and hid the pill before the click landed.
      await page.waitForFunction(() => document.getElementById('lt-pill').getAnimations().every((a) => a.playState !== 'running'));
      const pill = await page.locator('#lt-pill').boundingBox();
      await page.mouse.click(pill.x + pill.width / 2, pill.y + pill.height / 2);
      await page.waitForSelector(`#entry-${fresh[2]}`);
      await page.waitForFunction(() => window.scrollY < 400);
      assert.deepEqual((await streamIds(page)).slice(0, 4), [fresh[2], fresh[1], fresh[0], many.at(-1)]);
      assert.equal(await page.locator('#lt-pill').isHidden(), true);
      assertUnique(await shownIds(page));
    } finally {
      // The later tests expect 'many' as it was: a failure here must not fail them too.
      for (const id of fresh) await tickerctl(server, 'delete', 'many', String(id));
      await page.context().close();
    }
  });
});

describe('without JavaScript', () => {
  it('shows the server-rendered entries', async () => {
    const page = await openReader(browser, `${server.url}/t/many`, { javaScriptEnabled: false });
    const ids = await shownIds(page);
    assert.equal(ids.length, 20);
    assert.deepEqual(ids, [...many].reverse().slice(0, 20));
    assert.equal(await page.locator(`#entry-${many.at(-1)}`).isVisible(), true);
    assert.equal(await page.locator('#lt-title').textContent(), 'Langer Ticker');
    assert.equal(await page.locator('#lt-status').textContent(), 'Live');
    assert.match(await page.locator('.lt-time').first().textContent(), /^\d\d:\d\d UTC$/);
    await page.context().close();
  });
});

describe('language', () => {
  it('speaks English with ?lang=en, server labels included', async () => {
    const page = await openReader(browser, `${server.url}/t/demo?lang=en`);
    await waitLive(page);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.locator('[data-order="newest"]').textContent(), 'Newest first');
    assert.equal(await page.locator('.lt-flag-pinned').first().textContent(), 'Pinned');
    assert.equal(await page.locator('#lt-count-word').textContent(), 'entries');
    // The entries themselves are German; every label around them must not be.
    const labels = await page.locator('.lt-meta, .lt-kicker, .lt-toolbar, .lt-keys-heading, .lt-more, .lt-site, .lt-footer').allInnerTexts();
    const text = labels.join(' ');
    for (const german of ['Angeheftet', 'Wichtig', 'Neueste oben', 'Einträge', 'UTC']) assert.ok(!text.includes(german), german);
    await page.context().close();
  });
});

describe('feed and ticker list', () => {
  it('serves a well-formed Atom feed', async () => {
    const page = await openReader(browser, `${server.url}/t/demo`);
    const result = await page.evaluate(async () => {
      const response = await fetch('/t/demo/feed.atom');
      const text = await response.text();
      const xml = new DOMParser().parseFromString(text, 'application/xml');
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        error: xml.getElementsByTagName('parsererror').length,
        root: xml.documentElement.localName,
        ns: xml.documentElement.namespaceURI,
        entries: xml.getElementsByTagNameNS('http://www.w3.org/2005/Atom', 'entry').length,
      };
    });
    assert.equal(result.status, 200);
    assert.match(result.type, /atom\+xml|xml/);
    assert.equal(result.error, 0);
    assert.equal(result.root, 'feed');
    assert.equal(result.ns, 'http://www.w3.org/2005/Atom');
    assert.ok(result.entries >= 1);
    await page.context().close();
  });

  it('says plainly when a ticker does not exist', async () => {
    const page = await openReader(browser, `${server.url}/t/gibt-es-nicht`);
    await page.waitForSelector('#lt-notice:not([hidden])');
    assert.match(await page.locator('#lt-notice').textContent(), /^Diesen Ticker gibt es nicht\. Alle Liveticker$/);
    assert.equal(await page.locator('#lt-notice a').getAttribute('href'), '/');
    assert.equal(await page.locator('#lt-badge').isHidden(), true);
    await page.context().close();
  });

  it('lists the tickers at /', async () => {
    const page = await openReader(browser, `${server.url}/`);
    await page.waitForSelector('.lt-directory-link');
    const hrefs = await page.locator('.lt-directory-link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.deepEqual([...hrefs].sort(), ['/t/demo', '/t/e2e', '/t/many']);
    assert.equal(await page.locator('#lt-ticker').isHidden(), true);
    assert.deepEqual(page.scriptErrors, []);
    await page.context().close();
  });
});
