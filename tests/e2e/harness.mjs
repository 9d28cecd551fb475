// What the end-to-end tests share: the page served under a sub-path, one headless Chromium,
// a record of every request and problem of the whole session, and the library's own answers
// (the same wasm, run in Node) to compare the page's exports with.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../chromium.mjs';
import { serve } from '../../scripts/serve.mjs';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const WWW = path.join(REPO, 'www');
export const PREFIX = '/some/sub/path/';
export const LABELS = ['stateless', 'stateful', 'mixed', 'inconclusive', 'layered'];

// Files the tests ask for to see what happens when they are missing.
const EXPECTED_MISSING = /\/no-such-[^/]*$/;

export const session = {
  server: null,
  browser: null,
  origin: null, // http://127.0.0.1:<port>
  pageUrl: null, // origin + PREFIX
  requests: [], // every URL any page or worker asked for
  problems: [], // console errors, uncaught page errors, failed or 4xx/5xx responses
};

export async function start() {
  // Fail, not skip: a green run without the wasm would prove nothing.
  assert.ok(
    existsSync(path.join(WWW, 'pkg', 'callstate.js')),
    'www/pkg/callstate.js does not exist: run `make build` first to build the wasm package into www/pkg/',
  );
  session.server = await serve({ root: WWW, port: 0, host: '127.0.0.1', prefix: PREFIX });
  session.origin = `http://127.0.0.1:${session.server.address().port}`;
  session.pageUrl = `${session.origin}${PREFIX}`;
  session.browser = await launchChromium();
}

export async function stop() {
  await session.browser?.close();
  await new Promise((resolve) => (session.server ? session.server.close(resolve) : resolve()));
}

/**
 * Starts the server and the browser before a test file's tests and stops them after; with
 * `scratch`, also makes a temporary directory for generated inputs (removed after). Returns a
 * function that gives a path in that directory.
 */
export function useBrowser({ scratch } = {}) {
  let dir = null;
  before(async () => {
    if (scratch) dir = await mkdtemp(path.join(tmpdir(), scratch));
    await start();
  });
  after(async () => {
    await stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return (name) => path.join(dir, name);
}

/** A fresh browser context that records every request (pages and workers) and every problem. */
export async function newContext(options = {}) {
  const context = await session.browser.newContext({ acceptDownloads: true, ...options });
  context.on('request', (request) => session.requests.push(request.url()));
  context.on('requestfailed', (request) => {
    // A download's blob: URL is "aborted" once saved; that is not a problem.
    if (!request.url().startsWith('blob:')) session.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  context.on('response', (response) => {
    if (response.status() >= 400 && !EXPECTED_MISSING.test(response.url())) session.problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  context.on('page', (page) => watch(page));
  return context;
}

function watch(page) {
  page.on('console', (message) => {
    if (message.type() === 'error' && !EXPECTED_MISSING.test(message.location()?.url ?? '')) session.problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => session.problems.push(`uncaught error: ${error.message}`));
}

/** Opens a page (the main page by default) in a fresh context. */
export async function openPage(file = '', options = {}) {
  const context = await newContext(options);
  const page = await context.newPage();
  await page.goto(`${session.pageUrl}${file}`);
  return page;
}

export function corpus(name) {
  return input('corpus', name);
}

export function formats(name) {
  return input('formats', name);
}

export function input(folder, name) {
  const file = path.join(REPO, 'tests', folder, name);
  assert.ok(existsSync(file), `missing test input ${path.relative(REPO, file)}`);
  return file;
}

/**
 * Waits until the page shows a verdict or an error, then returns both ({label, error}, with
 * error null when #error is hidden).
 */
export async function outcome(page) {
  await page.waitForFunction(
    () => (document.getElementById('verdict-label')?.textContent ?? '') !== '' || !document.getElementById('error').hidden,
    null,
    { timeout: 60_000 },
  );
  return page.evaluate(() => {
    const error = document.getElementById('error');
    return { label: document.getElementById('verdict-label')?.textContent ?? '', error: error.hidden ? null : error.textContent };
  });
}

/** The verdict label shown after the current run; fails with the page's error text if there is one. */
export async function verdictOf(page) {
  const { label, error } = await outcome(page);
  assert.equal(error, null, `the page showed an error instead of a verdict: ${error}`);
  return label;
}

/** Waits until the whole report is on the page: verdict, picture and tables. */
export async function reportShown(page) {
  const label = await verdictOf(page);
  // The run is over (the report is no longer busy) and the picture and tables are drawn.
  await page.waitForFunction(
    () => !document.getElementById('report').hasAttribute('aria-busy') && document.querySelector('#calls tbody tr') !== null && document.querySelector('.tl-call') !== null,
    null,
    { timeout: 30_000 },
  );
  return label;
}

/**
 * Clicks call `index` in a picture as a person does: at its place on the screen. (The picture
 * redraws on hover, replacing its elements, which an element click waiting for a stable,
 * attached element can chase forever; the picture maps a click to a call by its column.)
 */
export async function clickCall(page, index, root = page) {
  const call = root.locator(`.tl-call[data-call="${index}"]`);
  const selected = root.locator(`.tl-call.selected[data-call="${index}"]`);
  // The picture may still be settling (slices of a report, a zoom to fit, a redraw on hover)
  // when it first shows: find the call's place in one step, click there, and again until the
  // picture shows the call selected.
  let failure;
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      const at = await call.evaluate((element) => {
        element.scrollIntoView({ block: 'center', inline: 'center' });
        const box = element.getBoundingClientRect();
        return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }, null, { timeout: 5_000 });
      await page.mouse.click(at.x, at.y);
      if (await selected.waitFor({ timeout: 2_000 }).then(() => true, () => false)) return;
    } catch (error) {
      failure = error; // the element was replaced while we looked at it: look again
    }
  }
  assert.fail(`call ${index} could not be selected in the picture${failure ? ` (${failure.message.split('\n')[0]})` : ''}`);
}

/** Drops files on the page as a real drop would ([{name, text}]). */
export async function dropFiles(page, files, selector = 'h1') {
  // Playwright cannot drag from the desktop; dispatch the events a real drop sends.
  const transfer = await page.evaluateHandle((files) => {
    const data = new DataTransfer();
    for (const { name, text } of files) data.items.add(new File([text], name));
    return data;
  }, files);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent(selector, type, { dataTransfer: transfer });
}

let wasm = null;

/** The library itself (the wasm in www/pkg, run in Node), to compare the page's output with. */
export async function library() {
  if (!wasm) {
    wasm = await import(path.join(WWW, 'pkg', 'callstate.js'));
    wasm.initSync({ module: readFileSync(path.join(WWW, 'pkg', 'callstate_bg.wasm')) });
    // With its YAML reader, as the worker gives it one.
    const yaml = await import(path.join(WWW, 'pkg', 'callstate_yaml.js'));
    yaml.initSync({ module: readFileSync(path.join(WWW, 'pkg', 'callstate_yaml_bg.wasm')) });
    wasm.setYamlReader(yaml.yamlToJson);
  }
  return wasm;
}
