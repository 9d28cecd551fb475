// Runs bench/page.mjs in headless Chromium (Debian's, through tests/chromium.mjs), one fresh
// browser per measurement so that each has its own renderer and wasm memory.
//
//   node bench/chromium.mjs --mode analyze|stream --file FILE [--reps N] [--pkg DIR]
//
// Prints one JSON object on stdout, as bench/node.mjs does.

import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../tests/chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

/** /pkg/ → www/pkg/, /bench/ → bench/, /data/NAME → the trace being measured. */
function serve(file, pkg) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let target = null;
    if (url.pathname.startsWith('/pkg/')) target = path.join(pkg, path.basename(url.pathname));
    else if (url.pathname.startsWith('/bench/')) target = path.join(ROOT, 'bench', path.basename(url.pathname));
    else if (url.pathname === `/data/${path.basename(file)}`) target = file;
    let size;
    try {
      size = statSync(target).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(target)] || 'application/octet-stream', 'content-length': size, 'cache-control': 'no-store' });
    createReadStream(target, { highWaterMark: 1 << 20 }).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function runInChromium({ mode = 'analyze', file, reps = 1, pkg = path.join(ROOT, 'www/pkg') }) {
  const server = await serve(file, pkg);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('crash', () => errors.push('the page crashed'));
    await page.goto(`${base}/bench/page.html`);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
    if (mode === 'stream') await page.setInputFiles('#file', file);
    const name = path.basename(file);
    const result = await page.evaluate((args) => window.bench(args), { mode, url: `/data/${name}`, name, reps }).catch((e) => ({
      error: `${String(e.message || e).split('\n')[0]}${errors.length ? ` (${errors.join('; ')})` : ''}`,
    }));
    return { ...result, browser: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const a = { mode: 'analyze', file: null, reps: 1 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--mode') a.mode = argv[++i];
    else if (argv[i] === '--file') a.file = path.resolve(argv[++i]);
    else if (argv[i] === '--reps') a.reps = Number(argv[++i]);
    else if (argv[i] === '--pkg') a.pkg = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  process.stdout.write(JSON.stringify(await runInChromium(a)) + '\n');
}
