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
import { assertChecks, openPage, pageHtml } from './pages.mjs';
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
  await copyFixtures(project, 'esbuild-page.js', 'esbuild-default.js', 'esbuild-iife.js', 'page-check.js', 'bare.html');
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
  const type = extraArgs.includes('--format=iife') ? '' : ' type="module"';
  await writeFile(
    path.join(project, outdir, 'index.html'),
    pageHtml('callstate bundled by esbuild', `<script${type} src="./${entry}"></script>`),
  );
  return readdir(path.join(project, outdir));
}

/** Opens a page of the scratch project and returns {verdict, checks} once it has written them. */
async function run(pagePath) {
  const { verdict, checks, error } = await openPage(browser, `${origin}/${pagePath}`, { requests, problems });
  assert.equal(error, '', `the page failed: ${error}\n${problems.join('\n')}`);
  return { verdict, checks };
}

test('bundled by esbuild, with the wasm from `callstate/wasm` via the file loader', { timeout: TIMEOUT }, async () => {
  const files = await bundle('esbuild-page.js', 'dist-file', ['--loader:.wasm=file']);
  assert.ok(files.some((f) => /^callstate_bg-.*\.wasm$/.test(f)), `esbuild emitted no wasm file: ${files}`);
  assert.ok(files.some((f) => /^callstate_yaml_bg-.*\.wasm$/.test(f)), `esbuild emitted no YAML module: ${files}`);
  const { verdict, checks } = await run('dist-file/index.html');
  assert.equal(verdict, 'stateful');
  assertChecks(checks);
  assert.ok(
    requests.some((url) => /\/dist-file\/callstate_bg-[^/]*\.wasm$/.test(url)),
    'the page loads the wasm that esbuild emitted',
  );
  assert.ok(requests.some((url) => /\/dist-file\/callstate_yaml_bg-[^/]*\.wasm$/.test(url)), 'and the YAML module, for its YAML input');
});

test('bundled by esbuild, with the wasm copied next to the bundle', { timeout: TIMEOUT }, async () => {
  await bundle('esbuild-default.js', 'dist-copy');
  const project = installed.scratch;
  await mkdir(path.join(project, 'dist-copy', 'wasm'));
  for (const file of ['callstate_bg.wasm', 'callstate_yaml_bg.wasm']) {
    await copyFile(path.join(project, 'node_modules', 'callstate', 'wasm', file), path.join(project, 'dist-copy', 'wasm', file));
  }
  const { verdict, checks } = await run('dist-copy/index.html');
  assert.equal(verdict, 'stateful');
  assertChecks(checks);
  assert.ok(requests.includes(`${origin}/dist-copy/wasm/callstate_bg.wasm`), 'the bundle loads wasm/callstate_bg.wasm next to it');
  assert.ok(requests.includes(`${origin}/dist-copy/wasm/callstate_yaml_bg.wasm`), 'and wasm/callstate_yaml_bg.wasm, for its YAML input');
});

/** Opens a page that must fail, and resolves to the first line of its error (the CallstateError's name and message). */
async function failure(pagePath) {
  const { verdict, error } = await openPage(browser, `${origin}/${pagePath}`);
  assert.equal(verdict, '', 'the page was meant to fail');
  return error.split('\n')[0];
}

test('bundled by esbuild as a classic script (iife): a CallstateError says to bundle as ESM or call init(url)', { timeout: TIMEOUT }, async () => {
  await bundle('esbuild-iife.js', 'dist-iife', ['--format=iife', '--log-level=error']);
  const error = await failure('dist-iife/index.html');
  assert.match(error, /^CallstateError: callstate cannot find its WebAssembly module: this code has no `import\.meta\.url`/);
  assert.match(error, /Bundle as ESM \(esbuild `--format=esm`\) or call `init\(url\)`/);
  assert.match(error, /import wasmUrl from 'callstate\/wasm'/);
});

test('bundled by esbuild without the wasm: a CallstateError names the URL it tried and what to do', { timeout: TIMEOUT }, async () => {
  await bundle('esbuild-default.js', 'dist-missing');
  const url = `${origin}/dist-missing/wasm/callstate_bg.wasm`;
  const error = await failure('dist-missing/index.html');
  assert.ok(
    error.startsWith(`CallstateError: callstate could not load its WebAssembly module from ${url}: the server answered HTTP 404.`),
    error,
  );
  assert.match(error, /`import wasmUrl from 'callstate\/wasm'` \(esbuild: `--loader:\.wasm=file`\), then `await init\(wasmUrl\)`/);
  assert.ok(error.endsWith(`copy node_modules/callstate/wasm/callstate_bg.wasm to ${url}.`), error);
});

test('a bare <script type="module"> importing node_modules/callstate/web.js', { timeout: TIMEOUT }, async () => {
  const { verdict, checks } = await run('bare.html');
  assert.equal(verdict, 'stateful');
  assertChecks(checks);
  assert.deepEqual(checks.syncYaml, { before: 'refused', after: 'vcr' }, 'analyzeSync reads YAML once initYaml() has loaded the YAML module');
  assert.ok(
    requests.includes(`${origin}/node_modules/callstate/wasm/callstate_bg.wasm`),
    'web.js loads the wasm from the package by default',
  );
  assert.ok(requests.includes(`${origin}/node_modules/callstate/wasm/callstate_yaml_bg.wasm`), 'and the YAML module, for its YAML input');
});

test('the pages asked for nothing but their own files, and nothing went wrong', () => {
  const foreign = requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));
  assert.deepEqual(foreign, [], 'requests outside the served origin');
  assert.deepEqual(problems, []);
});
