// The packed package in the bundlers its users have, each as a new user meets it: a scratch
// project where only the tarball is installed, no configuration, and the page run in Chromium.
// Vite 8 and Vite 7 (the build, and the dev server) and webpack 5 (its CLI, no config file). Each
// page must find the WebAssembly module by itself and reach a real verdict on a corpus recording.
// esbuild, Node.js and a bare module script are tested in tests/npm/.
//
//   make package && node --test tests/bundlers/      (make test-bundlers)

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { launchChromium } from '../chromium.mjs';
import { serve } from '../../scripts/serve.mjs';
import { assertChecks, openPage, pageHtml } from '../npm/pages.mjs';
import { FIXTURES, REPO, packAndInstall, sh } from '../npm/scratch.mjs';

const TIMEOUT = 120_000;
const INPUT = path.join(REPO, 'tests', 'corpus', 'crewai-responses-autochain.yaml');
const HERE = new URL('./fixtures/', import.meta.url);

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** A scratch project with the packed package and the test page in src/ (index.js and page-check.js). */
async function project() {
  const installed = await packAndInstall();
  const src = path.join(installed.scratch, 'src');
  await mkdir(src);
  for (const file of ['index.js', 'index-url.js']) await copyFile(new URL(file, HERE), path.join(src, file));
  await copyFile(path.join(FIXTURES, 'page-check.js'), path.join(src, 'page-check.js'));
  return installed;
}

/** Serves `root`, runs `body(origin)`, and stops serving. */
async function serving(root, body) {
  const server = await serve({ root, port: 0, host: '127.0.0.1' });
  try {
    return await body(`http://127.0.0.1:${server.address().port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Opens the page at `url`; asserts that it reached the recording's verdict and that nothing went wrong. Resolves to the URLs it requested. */
async function assertWorks(url) {
  const requests = [];
  const problems = [];
  const { verdict, checks, error } = await openPage(browser, url, { requests, problems });
  assert.equal(error, '', `the page failed: ${error}\n${problems.join('\n')}`);
  assert.equal(verdict, 'stateful');
  assertChecks(checks);
  assert.deepEqual(problems, []);
  const origin = new URL(url).origin;
  assert.deepEqual(requests.filter((r) => !r.startsWith(`${origin}/`) && !r.startsWith('data:')), [], 'requests elsewhere');
  return requests;
}

/** A Vite project: index.html at the root, the recording in public/. */
async function viteProject() {
  const installed = await project();
  const root = installed.scratch;
  await writeFile(path.join(root, 'index.html'), pageHtml('callstate with Vite', '<script type="module" src="/src/index.js"></script>'));
  await mkdir(path.join(root, 'public'));
  await copyFile(INPUT, path.join(root, 'public', 'input.yaml'));
  return installed;
}

/** A TCP port nothing listens on now (Vite 7 reads port 0 as its default, 5173). */
async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a Vite dev server on the project (`config` as a vite.config.js would give it), runs `body(origin)`, stops it. */
async function viteDev(vite, root, config, body) {
  const server = await vite.createServer({
    root,
    configFile: false,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: await freePort(), strictPort: true, hmr: false },
    ...config,
  });
  await server.listen();
  try {
    return await body(`http://127.0.0.1:${server.httpServer.address().port}`);
  } finally {
    await server.close();
  }
}

// The wasm each dev server's page loads (the analyser, then the YAML module for the YAML input):
// Vite 8 pre-bundles with the modules' URLs kept; up to Vite 7 the pre-bundled URL answers HTML,
// and the package then finds its own copy.
const DEV_WASM = {
  vite: ['/node_modules/callstate/wasm/callstate_bg.wasm', '/node_modules/callstate/wasm/callstate_yaml_bg.wasm'],
  vite7: [
    '/node_modules/.vite/deps/wasm/callstate_bg.wasm',
    '/node_modules/callstate/wasm/callstate_bg.wasm',
    '/node_modules/.vite/deps/wasm/callstate_yaml_bg.wasm',
    '/node_modules/callstate/wasm/callstate_yaml_bg.wasm',
  ],
};

for (const [name, pkg, version] of [
  ['Vite 8', 'vite', /^8\./],
  ['Vite 7', 'vite7', /^7\./],
]) {
  describe(name, () => {
    let installed;
    let vite;

    before(async () => {
      vite = await import(pkg);
      assert.match(vite.version, version);
      installed = await viteProject();
    });

    after(async () => {
      await installed?.cleanup();
    });

    test(`${name}: vite build, no configuration`, { timeout: TIMEOUT }, async () => {
      const root = installed.scratch;
      await vite.build({ root, configFile: false, logLevel: 'error' });
      const assets = await readdir(path.join(root, 'dist', 'assets'));
      assert.ok(assets.some((f) => /^callstate_bg-.*\.wasm$/.test(f)), `Vite emitted no wasm: ${assets}`);
      assert.ok(assets.some((f) => /^callstate_yaml_bg-.*\.wasm$/.test(f)), `Vite emitted no YAML module: ${assets}`);
      const requests = await serving(path.join(root, 'dist'), (origin) => assertWorks(`${origin}/`));
      assert.ok(requests.some((r) => /\/assets\/callstate_bg-[^/]*\.wasm$/.test(r)), 'the page loads the wasm Vite emitted');
    });

    test(`${name}: the dev server, no configuration`, { timeout: TIMEOUT }, async () => {
      const requests = await viteDev(vite, installed.scratch, {}, (origin) => assertWorks(`${origin}/`));
      const wasm = requests.filter((r) => r.endsWith('.wasm')).map((r) => new URL(r).pathname);
      assert.deepEqual(wasm, DEV_WASM[pkg]);
    });
  });
}

describe('Vite 7 dev server, with the pre-bundled package where it cannot find its own copy', () => {
  let installed;
  let vite;

  before(async () => {
    vite = await import('vite7');
    installed = await viteProject();
  });

  after(async () => {
    await installed?.cleanup();
  });

  test('with its cache elsewhere, a CallstateError names the URL it fetched and both fixes', { timeout: TIMEOUT }, async () => {
    const { verdict, error } = await viteDev(vite, installed.scratch, { cacheDir: 'vite-cache' }, (origin) =>
      openPage(browser, `${origin}/`),
    );
    assert.equal(verdict, '');
    const message = error.split('\n')[0];
    assert.match(
      message,
      /^CallstateError: callstate could not load its WebAssembly module from http:\/\/127\.0\.0\.1:\d+\/vite-cache\/deps\/wasm\/callstate_bg\.wasm: the server answered an HTML page, not WebAssembly\./,
    );
    assert.match(message, /optimizeDeps: \{ exclude: \['callstate'\] \}/);
    assert.match(message, /import wasmUrl from 'callstate\/wasm\?url'; await init\(wasmUrl\);/);
  });

  test('the first fix the error names works: optimizeDeps.exclude', { timeout: TIMEOUT }, async () => {
    const config = { cacheDir: 'vite-cache', optimizeDeps: { exclude: ['callstate'] } };
    await viteDev(vite, installed.scratch, config, (origin) => assertWorks(`${origin}/`));
  });

  test("the second fix works: init() with the URL of `callstate/wasm?url`", { timeout: TIMEOUT }, async () => {
    const root = installed.scratch;
    await writeFile(path.join(root, 'url.html'), pageHtml('callstate with ?url', '<script type="module" src="/src/index-url.js"></script>'));
    const config = { cacheDir: 'vite-cache-url' };
    const requests = await viteDev(vite, root, config, (origin) => assertWorks(`${origin}/url.html`));
    const wasm = requests.filter((r) => r.endsWith('.wasm')).map((r) => new URL(r).pathname);
    assert.deepEqual(wasm, ['/node_modules/callstate/wasm/callstate_bg.wasm', '/node_modules/callstate/wasm/callstate_yaml_bg.wasm']);
  });
});

describe('webpack 5', () => {
  let installed;

  before(async () => {
    installed = await project();
  });

  after(async () => {
    await installed?.cleanup();
  });

  test('webpack 5: the CLI with no configuration file', { timeout: TIMEOUT }, async () => {
    const root = installed.scratch;
    const { stdout } = await sh(process.execPath, [path.join(REPO, 'node_modules', 'webpack-cli', 'bin', 'cli.js')], { cwd: root });
    assert.match(stdout, /webpack 5\.\d+\.\d+ compiled/);
    const dist = path.join(root, 'dist');
    const files = await readdir(dist);
    assert.ok(files.includes('main.js') && files.some((f) => f.endsWith('.wasm')), `webpack emitted ${files}`);
    await writeFile(path.join(dist, 'index.html'), pageHtml('callstate with webpack', '<script src="main.js"></script>'));
    await copyFile(INPUT, path.join(dist, 'input.yaml'));
    const requests = await serving(dist, (origin) => assertWorks(`${origin}/`));
    assert.ok(requests.some((r) => r.endsWith('.wasm')), 'the page loads the wasm webpack emitted');
  });
});
