// The npm package in a browser (headless Chromium, driven by playwright-core): bundled by esbuild
// from a scratch project where only the packed tarball is installed (with the wasm emitted by
// esbuild's `file` loader, and with the wasm copied next to the bundle), and imported by a bare
// `<script type="module">` from the installed files with no bundler at all.
//
//   make package && node --test tests/npm/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium } from '../chromium.mjs';
import { serve } from '../../scripts/serve.mjs';
import { BIN, REPO, copyFixtures, packAndInstall, sh } from './scratch.mjs';

const TIMEOUT = 60_000;

let installed;
let server;
let browser;
let origin;
const requests = [];
const problems = [];

before(async () => {
  installed = await packAndInstall();
  const project = installed.scratch;
  await copyFixtures(project, 'esbuild-page.js', 'esbuild-default.js', 'page-check.js', 'bare.html');
  await copyFile(path.join(REPO, 'tests', 'corpus', 'crewai-responses-autochain.yaml'), path.join(project, 'input.yaml'));
  server = await serve({ root: project, port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  await installed?.cleanup();
});

/** Bundles `entry` (in the scratch project) with the repository's esbuild into `outdir`, with an index.html. */
async function bundle(entry, outdir, extraArgs = []) {
  const project = installed.scratch;
  await sh(
    path.join(BIN, 'esbuild'),
    [entry, '--bundle', '--format=esm', '--platform=browser', `--outdir=${outdir}`, '--loader:.yaml=text', '--log-level=warning', ...extraArgs],
    { cwd: project },
  );
  await writeFile(
    path.join(project, outdir, 'index.html'),
    '<!doctype html>\n<meta charset="utf-8">\n<title>callstate bundled by esbuild</title>\n<link rel="icon" href="data:,">\n' +
      '<p>Verdict: <span id="verdict"></span></p>\n<pre id="checks"></pre>\n<pre id="error"></pre>\n' +
      `<script type="module" src="./${entry}"></script>\n`,
  );
  return readdir(path.join(project, outdir));
}

/** Opens a page of the scratch project and returns {verdict, checks} once it has written them. */
async function run(pagePath) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  try {
    await page.goto(`${origin}/${pagePath}`);
    await page.waitForFunction(
      () => document.getElementById('verdict').textContent !== '' || document.getElementById('error').textContent !== '',
      null,
      { timeout: 30_000 },
    );
    const { verdict, checks, error } = await page.evaluate(() => ({
      verdict: document.getElementById('verdict').textContent,
      checks: document.getElementById('checks').textContent,
      error: document.getElementById('error').textContent,
    }));
    assert.equal(error, '', `the page failed: ${error}\n${problems.join('\n')}`);
    return { verdict, checks: JSON.parse(checks) };
  } finally {
    await context.close();
  }
}

function assertChecks(checks) {
  assert.equal(checks.schemaVersion, 'callstate.report/1');
  assert.equal(checks.name, 'crewai-responses-autochain.yaml');
  assert.deepEqual(checks.truncated, {
    isCallstateError: true,
    name: 'CallstateError',
    kind: 'malformed',
    offset: checks.truncated.offset,
    input: 'truncated.har',
  });
  assert.equal(typeof checks.truncated.offset, 'number');
}

test('bundled by esbuild, with the wasm from `callstate/wasm` via the file loader', { timeout: TIMEOUT }, async () => {
  const files = await bundle('esbuild-page.js', 'dist-file', ['--loader:.wasm=file']);
  assert.ok(files.some((f) => /^callstate_bg-.*\.wasm$/.test(f)), `esbuild emitted no wasm file: ${files}`);
  const { verdict, checks } = await run('dist-file/index.html');
  assert.equal(verdict, 'stateful');
  assertChecks(checks);
  assert.ok(
    requests.some((url) => /\/dist-file\/callstate_bg-[^/]*\.wasm$/.test(url)),
    'the page loads the wasm that esbuild emitted',
  );
});

test('bundled by esbuild, with the wasm copied next to the bundle', { timeout: TIMEOUT }, async () => {
  await bundle('esbuild-default.js', 'dist-copy');
  const project = installed.scratch;
  await mkdir(path.join(project, 'dist-copy', 'wasm'));
  await copyFile(
    path.join(project, 'node_modules', 'callstate', 'wasm', 'callstate_bg.wasm'),
    path.join(project, 'dist-copy', 'wasm', 'callstate_bg.wasm'),
  );
  const { verdict, checks } = await run('dist-copy/index.html');
  assert.equal(verdict, 'stateful');
  assertChecks(checks);
  assert.ok(requests.includes(`${origin}/dist-copy/wasm/callstate_bg.wasm`), 'the bundle loads wasm/callstate_bg.wasm next to it');
});

test('a bare <script type="module"> importing node_modules/callstate/web.js', { timeout: TIMEOUT }, async () => {
  const { verdict, checks } = await run('bare.html');
  assert.equal(verdict, 'stateful');
  assertChecks(checks);
  assert.ok(
    requests.includes(`${origin}/node_modules/callstate/wasm/callstate_bg.wasm`),
    'web.js loads the wasm from the package by default',
  );
});

test('the pages asked for nothing but their own files, and nothing went wrong', () => {
  const foreign = requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));
  assert.deepEqual(foreign, [], 'requests outside the served origin');
  assert.deepEqual(problems, []);
});
