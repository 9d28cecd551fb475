#!/usr/bin/env node
// Writes the README's pictures: docs/page.png (the page on a real recording, with a call opened)
// and docs/widget.png (the widget's example page). Serves www/ (built with `make build`) and
// drives Debian's Chromium, as the end-to-end tests do.
//
//   node scripts/screenshots.mjs

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../tests/chromium.mjs';
import { serve } from './serve.mjs';

const REPO = fileURLToPath(new URL('../', import.meta.url));
// Real traffic from another project's test suite (see tests/corpus/NOTICE.md).
const TRACE = 'oai-assistants-new-polling.yaml';
const OPEN_CALL = 4;

const server = await serve({ root: path.join(REPO, 'www'), port: 0, prefix: '/callstate/' });
const base = `http://127.0.0.1:${server.address().port}/callstate/`;
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(base);
  const text = await readFile(path.join(REPO, 'tests', 'corpus', TRACE), 'utf8');
  const transfer = await page.evaluateHandle(([name, text]) => {
    const data = new DataTransfer();
    data.items.add(new File([text], name));
    return data;
  }, [TRACE, text]);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('h1', type, { dataTransfer: transfer });
  await page.waitForSelector('#calls tbody tr', { timeout: 60_000 });
  await page.click(`.tl-call[data-call="${OPEN_CALL}"]`);
  await page.waitForSelector('#call-view .exchange:not([aria-busy])');
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  const top = await page.evaluate(() => document.getElementById('report').getBoundingClientRect().top + scrollY - 16);
  await page.screenshot({ path: path.join(REPO, 'docs', 'page.png'), clip: { x: 0, y: top, width: 1280, height: 1500 }, fullPage: true });

  const widget = await context.newPage();
  await widget.setViewportSize({ width: 960, height: 900 });
  await widget.goto(`${base}widget-example.html`);
  await widget.waitForFunction(() => [...document.querySelectorAll('callstate-report')].every((w) => w.shadowRoot.querySelector('.tl-call')), null, { timeout: 60_000 });
  await widget.waitForTimeout(300);
  const box = await widget.evaluate(() => {
    const r = document.getElementById('chain').getBoundingClientRect();
    const h2 = document.querySelector('h2').getBoundingClientRect();
    return { x: r.left - 24, y: h2.top + scrollY - 12, width: r.width + 48, height: r.bottom - h2.top + 24 };
  });
  await widget.screenshot({ path: path.join(REPO, 'docs', 'widget.png'), clip: box, fullPage: true });
  console.log('wrote docs/page.png and docs/widget.png');
} finally {
  await browser.close();
  server.close();
}
