// End-to-end test of the static page (www/) with the real wasm build, in headless Chromium.
//
//   make build && node --test tests/e2e/page.test.mjs
//
// The page is served under a sub-path to prove that it only uses relative URLs. Every
// request, console error and page error across all the tests is recorded; the last two
// tests check that nothing left the served origin and that nothing went wrong (a CSP
// violation shows up as a console error).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../chromium.mjs';
import { serve } from '../../scripts/serve.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const WWW = path.join(REPO, 'www');
const PREFIX = '/sub/path/';
const LABELS = ['stateless', 'stateful', 'mixed', 'inconclusive', 'layered'];
const TIMEOUT = 60_000;

let server;
let browser;
let origin; // http://127.0.0.1:<port>
let pageUrl; // origin + PREFIX
let scratch; // temporary directory for generated inputs
const requests = []; // every URL any page asked for
const problems = []; // console errors, uncaught page errors, failed or 4xx/5xx responses

function corpus(name) {
  const file = path.join(REPO, 'tests', 'corpus', name);
  assert.ok(existsSync(file), `missing test input ${path.relative(REPO, file)}`);
  return file;
}

before(async () => {
  // Fail, not skip: a green run without the wasm would prove nothing.
  assert.ok(
    existsSync(path.join(WWW, 'pkg', 'callstate.js')),
    'www/pkg/callstate.js does not exist: run `make build` first to build the wasm package into www/pkg/',
  );
  scratch = await mkdtemp(path.join(tmpdir(), 'callstate-e2e-'));
  server = await serve({ root: WWW, port: 0, host: '127.0.0.1', prefix: PREFIX });
  origin = `http://127.0.0.1:${server.address().port}`;
  pageUrl = `${origin}${PREFIX}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Opens the page in a fresh context, recording its requests and problems. */
async function openPage() {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  await page.goto(pageUrl);
  return page;
}

/**
 * Waits until the page shows a verdict or an error, then returns both
 * ({label, error}, with error null when #error is hidden).
 */
async function outcome(page) {
  await page.waitForFunction(
    () => document.getElementById('verdict-label').textContent !== '' || !document.getElementById('error').hidden,
    null,
    { timeout: 30_000 },
  );
  return page.evaluate(() => {
    const error = document.getElementById('error');
    return { label: document.getElementById('verdict-label').textContent, error: error.hidden ? null : error.textContent };
  });
}

/** The verdict label shown after the current run; fails with the page's error text if there is one. */
async function verdictOf(page) {
  const { label, error } = await outcome(page);
  assert.equal(error, null, `the page showed an error instead of a verdict: ${error}`);
  return label;
}

test('a Responses API chain is stateful, with previous_response_id in the evidence', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.setInputFiles('#file', corpus('crewai-responses-autochain.yaml'));
  assert.equal(await verdictOf(page), 'stateful');
  assert.match(await page.textContent('#evidence'), /previous_response_id/);
  assert.ok(await page.isVisible('#calls'), 'the calls table is shown');
  assert.match(await page.textContent('#calls'), /call 1/);

  // The JSON download is the report itself.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(saved.schema, 'callstate.report/1');
  assert.equal(saved.verdict.label, 'stateful');
  await page.context().close();
});

test('chat completions with tool calls are stateless', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.setInputFiles('#file', corpus('oai-chat-tool-calls.yaml'));
  assert.equal(await verdictOf(page), 'stateless');
  await page.context().close();
});

test('a file dropped anywhere on the page is analysed', { timeout: TIMEOUT }, async () => {
  const name = 'oai-chat-tool-calls.yaml';
  const text = await readFile(corpus(name), 'utf8');
  const page = await openPage();
  // Playwright cannot drag from the desktop; dispatch the events a real drop would send.
  const transfer = await page.evaluateHandle(([name, text]) => {
    const data = new DataTransfer();
    data.items.add(new File([text], name));
    return data;
  }, [name, text]);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent('h1', type, { dataTransfer: transfer });
  }
  assert.equal(await verdictOf(page), 'stateless');
  assert.equal(await page.getAttribute('#report', 'data-file'), name);
  await page.context().close();
});

test('a broken file shows an error naming it, and the next file still works', { timeout: TIMEOUT }, async () => {
  const broken = path.join(scratch, 'truncated-recording.har');
  await writeFile(broken, '{"log": {"entries": [');
  const page = await openPage();

  await page.setInputFiles('#file', broken);
  const { label, error } = await outcome(page);
  assert.equal(label, '', 'no verdict for a broken file');
  assert.ok(error, '#error is visible');
  assert.match(error, /truncated-recording\.har/);
  assert.equal(await page.getAttribute('#error', 'role'), 'alert');

  // The worker survived the error.
  await page.setInputFiles('#file', corpus('oai-chat-tool-calls.yaml'));
  assert.equal(await verdictOf(page), 'stateless');
  assert.ok(await page.isHidden('#error'), 'the old error is cleared');
  await page.context().close();
});

function formats(name) {
  const file = path.join(REPO, 'tests', 'formats', name);
  assert.ok(existsSync(file), `missing test input ${path.relative(REPO, file)}`);
  return file;
}

test('a front-door capture and a back-end log dropped together are layered', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.setInputFiles('#file', [formats('frontdoor-runtime-sessions.har'), formats('backend-model-calls.jsonl')]);
  assert.equal(await verdictOf(page), 'layered');
  assert.match(await page.textContent('#verdict-explanation'), /stateful runtime built on stateless model calls/);
  assert.match(await page.textContent('#evidence'), /kept the conversation/);
  await page.context().close();
});

test('with several files, a bad one is named and the others are still analysed', { timeout: TIMEOUT }, async () => {
  const broken = path.join(scratch, 'broken-backend.jsonl');
  await writeFile(broken, '{"resourceSpans": [ {');
  const page = await openPage();
  await page.setInputFiles('#file', [corpus('crewai-responses-autochain.yaml'), broken]);
  await page.waitForFunction(() => document.getElementById('verdict-label').textContent !== '', null, { timeout: 30_000 });
  assert.equal(await page.textContent('#verdict-label'), 'stateful');
  await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 30_000 });
  assert.match(await page.textContent('#error'), /broken-backend\.jsonl/);
  await page.context().close();
});

test('a rules file picked in the page teaches it an in-house API', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  const trace = path.join(REPO, 'tests', 'rules', 'acme-dialog.har');
  await page.setInputFiles('#file', trace);
  assert.equal(await verdictOf(page), 'stateless');
  await page.setInputFiles('#rules', path.join(REPO, 'tests', 'rules', 'acme-dialog.rules.json'));
  await page.waitForFunction(() => document.getElementById('rules-state').textContent !== '');
  await page.setInputFiles('#file', trace);
  await page.waitForFunction(() => document.getElementById('verdict-label').textContent === 'stateful', null, { timeout: 30_000 });
  assert.match(await page.textContent('#evidence'), /Acme Dialog API/);
  await page.context().close();
});

test('hostile inputs through the page: an error or a verdict each, and the page keeps working', { timeout: 300_000 }, async () => {
  const dir = path.join(REPO, 'target', 'hostile');
  assert.ok(existsSync(path.join(dir, 'expect.json')), 'target/hostile/expect.json is missing: run `cargo test --test hostile` first');
  const expectations = JSON.parse(await readFile(path.join(dir, 'expect.json'), 'utf8')).filter((e) => !e.heavy);
  assert.ok(expectations.length >= 40, `${expectations.length} cases`);
  const page = await openPage();
  const failures = [];
  for (const expect of expectations) {
    await page.setInputFiles('#file', path.join(dir, expect.file));
    const { label, error } = await outcome(page);
    if (expect.outcome === 'error' && !(error && error.includes(expect.file))) failures.push(`${expect.file}: no error naming the file (label ${label})`);
    if (expect.outcome === 'report' && !LABELS.includes(label)) failures.push(`${expect.file}: no verdict (${error})`);
  }
  await page.setInputFiles('#file', corpus('crewai-responses-autochain.yaml'));
  assert.equal(await verdictOf(page), 'stateful', 'the page still works after every hostile case');
  assert.deepEqual(failures, []);
  await page.context().close();
});

test('"Try a sample" analyses the bundled sample', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.click('#sample');
  assert.ok(LABELS.includes(await verdictOf(page)), 'a known verdict label');
  assert.notEqual((await page.textContent('#verdict-explanation')).trim(), '', 'the verdict is explained');
  await page.context().close();
});

test('every request stays on the served origin, under the sub-path', () => {
  assert.ok(requests.length > 0, 'requests were recorded');
  // blob: URLs (the JSON download) carry the page's origin too.
  const foreign = requests.filter((url) => new URL(url).origin !== origin);
  assert.deepEqual(foreign, [], 'requests to other origins');
  const outsidePrefix = requests.filter((url) => url.startsWith(origin) && !new URL(url).pathname.startsWith(PREFIX));
  assert.deepEqual(outsidePrefix, [], 'requests outside the sub-path the page was served from');
  assert.ok(requests.includes(`${pageUrl}pkg/callstate_bg.wasm`), 'the wasm was loaded from next to the page');
});

test('no console errors, page errors or CSP violations', () => {
  assert.deepEqual(problems, []);
});

test('nothing of a trace is stored in the browser', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.setInputFiles('#file', corpus('crewai-responses-autochain.yaml'));
  assert.equal(await verdictOf(page), 'stateful');
  const stored = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    databases: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
    cookies: document.cookie,
  }));
  assert.deepEqual(stored, { local: 0, session: 0, databases: 0, caches: 0, cookies: '' });
  await page.context().close();
});
