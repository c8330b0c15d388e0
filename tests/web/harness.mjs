// Shared pieces of the end-to-end tests: a real tickerd on an ephemeral port, the real
// tickerctl against it, and a headless Chromium driven by playwright-core (the system's
// /usr/bin/chromium; no browser is ever downloaded).

import { execFile, spawn } from 'node:child_process';
import { access, constants, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fromRoot = (file) => (path.isAbsolute(file) ? file : path.join(repoRoot, file));
export const tickerdPath = fromRoot(process.env.TICKERD_PATH ?? 'build/server/tickerd');
export const tickerctlPath = fromRoot(process.env.TICKERCTL_PATH ?? 'build/cli/tickerctl');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = path.join(repoRoot, 'test-output', 'web');
export const TOKEN = 'alice-token-0123456789';

const run = promisify(execFile);

/** A scratch folder with an editors file; removed by cleanup(). */
export async function makeWorkspace() {
  const dir = await mkdtemp(path.join(tmpdir(), 'liveticker-web-'));
  await writeFile(path.join(dir, 'editors'), `alice ${TOKEN}\n`);
  return {
    dir,
    db: path.join(dir, 'liveticker.db'),
    editors: path.join(dir, 'editors'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Starts tickerd and resolves once it logs "listening on http://127.0.0.1:PORT". Port 0 picks a
 * free one; pass the port of a previous run to restart on the same address.
 */
export async function startTickerd(workspace, { port = 0, seed = null, extraArgs = [] } = {}) {
  await mustExist(tickerdPath, 'TICKERD_PATH');
  await mustExist(tickerctlPath, 'TICKERCTL_PATH');
  const args = [
    '--listen', `127.0.0.1:${port}`,
    '--db', workspace.db,
    '--web-root', path.join(repoRoot, 'web'),
    '--editors', workspace.editors,
    '--threads', '2',
  ];
  if (seed) args.push('--seed', fromRoot(seed));
  args.push(...extraArgs);
  const child = spawn(tickerdPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tickerd did not start within 10 s:\n${log}`)), 10_000);
    const onData = (chunk) => {
      log += chunk;
      const match = log.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tickerd exited with ${code} before listening:\n${log}`));
    });
    child.on('error', reject);
  });
  const actualPort = await listening;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    log: () => log,
    /** SIGTERM, as an operator would; waits for the process to be gone. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function mustExist(file, variable) {
  try {
    await access(file, constants.X_OK);
  } catch {
    throw new Error(`${file} is missing: build it (cmake --build …) or point ${variable} at it`);
  }
}

/** Runs tickerctl against a server; resolves with its trimmed stdout. */
export async function tickerctl(server, ...args) {
  const env = { ...process.env, TICKER_SERVER: server.url, TICKER_TOKEN: TOKEN };
  try {
    const { stdout } = await run(tickerctlPath, args, { env, timeout: 15_000 });
    return stdout.trim();
  } catch (error) {
    throw new Error(`tickerctl ${args.join(' ')} failed (${error.code}): ${error.stderr || error.message}`);
  }
}

/** Posts an entry and returns its id (tickerctl post prints it). */
export async function post(server, ticker, body, ...options) {
  const out = await tickerctl(server, 'post', ticker, body, ...options);
  const id = Number(out.match(/\d+/)?.[0]);
  if (!Number.isInteger(id)) throw new Error(`tickerctl post printed no id: ${out}`);
  return id;
}

export async function launchBrowser() {
  await mustExist(chromiumPath, 'CHROMIUM_PATH');
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 360, height: 740 };

/** A page with a fixed locale and time zone, failing the test on any script error. */
export async function openReader(browser, url, { viewport = DESKTOP, javaScriptEnabled = true, locale = 'de-DE', colorScheme = 'light', reducedMotion = 'no-preference' } = {}) {
  const context = await browser.newContext({ viewport, javaScriptEnabled, locale, timezoneId: 'Europe/Berlin', colorScheme, reducedMotion });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(new Error(message.text()));
  });
  page.scriptErrors = errors;
  // The WebSocket conversation, for the message of a failing assertion.
  const frames = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => frames.push(`> ${String(frame.payload).slice(0, 160)}`));
    socket.on('framereceived', (frame) => frames.push(`< ${String(frame.payload).slice(0, 160)}`));
    socket.on('close', () => frames.push('closed'));
  });
  page.frames_ = frames;
  page.conversation = () => frames.join('\n');
  await page.goto(url);
  return page;
}

export function waitLive(page, timeout = 10_000) {
  return page.waitForSelector('#lt-badge[data-state="live"]', { timeout });
}

/** Ids of the entry articles in document order (including inside open shadow roots). */
export function shownIds(page) {
  return page.locator('article[id^="entry-"]').evaluateAll((articles) => articles.map((a) => Number(a.getAttribute('data-id'))));
}

export async function saveScreenshot(page, name) {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

export function assertUnique(ids) {
  const seen = new Set();
  for (const id of ids) {
    if (seen.has(id)) throw new Error(`entry ${id} is shown twice: ${ids.join(',')}`);
    seen.add(id);
  }
}
