#!/usr/bin/env node
// Tiny static file server for the callstate page (`make run`, and the e2e test).
//
//   node scripts/serve.mjs [--root www] [--port 8000] [--host 127.0.0.1] [--prefix /]
//
// PORT in the environment is honoured when --port is not given. --prefix serves
// the tree under a sub-path (e.g. /sub/path/), which is how the e2e test proves
// the page only uses relative URLs. No dependencies: Node 20 standard library only.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  // instantiateStreaming() refuses anything else, and wasm-bindgen then falls back with a warning.
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.har': 'application/json',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Normalises a prefix to the form "/" or "/a/b/". */
function normalizePrefix(prefix = '/') {
  const trimmed = String(prefix).replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}

/**
 * Maps a request path to a file below `root`, or returns null when the path is
 * outside the prefix, malformed, or escapes the root.
 */
function resolveRequestPath(root, prefix, pathname) {
  if (!pathname.startsWith(prefix)) return null;
  let relative;
  try {
    relative = decodeURIComponent(pathname.slice(prefix.length));
  } catch {
    return null; // malformed percent-encoding
  }
  if (relative.includes('\0') || relative.includes('\\')) return null;
  const file = path.resolve(root, `.${path.posix.sep}${relative}`);
  // Checked after resolving so that "..", "%2e%2e" and absolute segments are all caught.
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

function sendText(res, status, text, headers = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : `${text}\n`);
}

async function handle(root, prefix, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendText(res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  }
  const { pathname } = new URL(req.url, 'http://localhost');

  // "/sub/path" must become "/sub/path/", or the page's relative URLs resolve one level too high.
  if (`${pathname}/` === prefix) return sendText(res, 301, 'Moved Permanently', { location: prefix });

  let file = resolveRequestPath(root, prefix, pathname);
  if (file === null) return sendText(res, 404, 'Not Found');

  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    if (!pathname.endsWith('/')) {
      return sendText(res, 301, 'Moved Permanently', { location: `${pathname}/` });
    }
    file = path.join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return sendText(res, 404, 'Not Found');

  res.writeHead(200, {
    'content-type': MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    // A development server: always serve the freshly built wasm.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/**
 * Starts the server and resolves once it is listening (port 0 picks a free port;
 * read it back from `server.address().port`).
 * @returns {Promise<import('node:http').Server>}
 */
export function serve({ root = 'www', port = 8000, host = '127.0.0.1', prefix = '/' } = {}) {
  const rootDir = path.resolve(root);
  const base = normalizePrefix(prefix);
  const server = createServer((req, res) => {
    handle(rootDir, base, req, res).catch((err) => {
      console.error(err);
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function parseArgs(argv) {
  const options = { root: 'www', port: Number(process.env.PORT || 8000), host: '127.0.0.1', prefix: '/' };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const key = flag.replace(/^--/, '');
    if (!['root', 'port', 'host', 'prefix'].includes(key) || !flag.startsWith('--')) {
      throw new Error(`unknown argument ${argv[i]}`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    options[key] = key === 'port' ? Number(value) : value;
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error(`invalid port ${options.port}`);
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`serve.mjs: ${err.message}`);
    console.error('usage: node scripts/serve.mjs [--root www] [--port 8000] [--host 127.0.0.1] [--prefix /]');
    process.exit(2);
  }
  try {
    const server = await serve(options);
    const { port } = server.address();
    const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
    const shownRoot = options.root.endsWith('/') ? options.root : `${options.root}/`;
    console.log(`serving ${shownRoot} at http://${shownHost}:${port}${normalizePrefix(options.prefix)}`);
  } catch (err) {
    console.error(`serve.mjs: ${err.message}`);
    process.exit(1);
  }
}
