// End-to-end tests of the picture's time axis and of the widgets sharing one worker, with the
// real wasm build in headless Chromium (see page.test.mjs for the rest of the page).
//
//   make build && node --test tests/e2e/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clickCall, corpus, formats, newContext, openPage, reportShown, session, useBrowser } from './harness.mjs';

const TIMEOUT = 90_000;

useBrowser();

/** The boxes of calls' bars ({x, y, width, height, right}) in the picture under `root`. */
async function bars(root, indices) {
  const out = {};
  for (const index of indices) {
    const box = await root.locator(`.tl-call[data-call="${index}"] rect`).evaluate((rect) => {
      const { x, y, width, height } = rect.getBoundingClientRect();
      return { x, y, width, height, right: x + width };
    });
    out[index] = box;
  }
  return out;
}

/**
 * The boxes once the picture has settled: the same in two reads a couple of frames apart (an
 * axis switch draws in an animation frame, and resetting the scroll can draw once more).
 */
async function settledBars(page, indices) {
  let last = await bars(page, indices);
  for (let tries = 0; tries < 20; tries += 1) {
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    const now = await bars(page, indices);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  return last;
}

const overlap = (a, b) => a.x < b.right && b.x < a.right;

test('on the time axis, calls that overlap in a HAR overlap in the picture; on the order axis they do not', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.setInputFiles('#file', formats('overlapping-calls.har'));
  assert.equal(await reportShown(page), 'mixed');
  const time = page.locator('.tl-axis button[data-axis="time"]');
  const order = page.locator('.tl-axis button[data-axis="order"]');
  assert.equal(await order.getAttribute('aria-pressed'), 'true', 'the order axis first');
  assert.equal(await time.getAttribute('aria-disabled'), 'false');

  // Order axis: a column each, side by side.
  const ordered = await settledBars(page, [1, 2, 3, 4, 5]);
  for (let i = 1; i < 5; i += 1) assert.ok(ordered[i].right <= ordered[i + 1].x, `calls ${i} and ${i + 1} side by side`);

  await time.click();
  await page.waitForSelector('.tl-svg.time-axis .tl-call[data-call="5"]');
  assert.equal(await time.getAttribute('aria-pressed'), 'true');
  assert.equal(await order.getAttribute('aria-pressed'), 'false');
  const timed = await settledBars(page, [1, 2, 3, 4, 5]);
  // Calls 2 (1.0 s to 3.5 s) and 3 (1.5 s to 3.3 s) ran at once: they overlap in time, one
  // under the other in their lane, both visible.
  assert.ok(overlap(timed[2], timed[3]), `calls 2 and 3 overlap: ${JSON.stringify([timed[2], timed[3]])}`);
  assert.ok(Math.abs(timed[2].y - timed[3].y) >= timed[2].height, 'stacked, not drawn over each other');
  // Starts in time order, widths in proportion to durations (2.5 s and 1.8 s).
  assert.ok(timed[2].x < timed[3].x && timed[3].x < timed[4].x && timed[4].x < timed[5].x);
  assert.ok(Math.abs(timed[2].width / timed[3].width - 2.5 / 1.8) < 0.05, `${timed[2].width} / ${timed[3].width}`);
  // The WebSocket is open from the start until its last message, 15.8 s in: a long bar over the others.
  for (const i of [2, 3, 4, 5]) assert.ok(overlap(timed[1], timed[i]), `the WebSocket is open during call ${i}`);
  assert.ok(timed[1].width > 5 * timed[5].width);
  assert.match(await page.locator('.tl-svg .tl-tick').allTextContents().then((t) => t.join(' ')), /\+\d+ s/);
  assert.match(await page.textContent('.tl-status'), /Calls by start time: 15\.8 s from 2026-01-01T10:00:00\.000Z/);

  // The exported picture is the one on screen: the time axis, its ticks and when it starts.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-svg')]);
  const svg = await readFile(await download.path(), 'utf8');
  assert.match(svg, />\+2 s</);
  assert.match(svg, />10:00:00 UTC</);

  // A call picked on the time axis opens with its start and duration.
  await clickCall(page, 3);
  await page.waitForSelector('#call-view:not([hidden])');
  const facts = await page.textContent('#call-view');
  assert.match(facts, /Started\s*2026-01-01T10:00:01\.500Z/);
  assert.match(facts, /Took\s*1\.8 s/);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#call-view', { state: 'hidden' });

  // The keyboard switches back: T in the picture.
  await page.focus('.tl-viewport');
  await page.keyboard.press('t');
  await page.waitForSelector('.tl-svg:not(.time-axis) .tl-call[data-call="5"]');
  assert.equal(await order.getAttribute('aria-pressed'), 'true');
  const again = await bars(page, [2, 3]);
  assert.ok(!overlap(again[2], again[3]));
  // ... and the switch itself with Enter.
  await time.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('.tl-svg.time-axis');
  await page.context().close();
});

test('thousands of overlapping calls on the time axis: touching bars drawn as one, single calls once zoomed in', { timeout: TIMEOUT }, async () => {
  // 3,000 calls over ten minutes, each running past the next one's start.
  const t0 = Date.UTC(2026, 0, 1, 10);
  const entries = Array.from({ length: 3000 }, (_, i) => ({
    startedDateTime: new Date(t0 + i * 200).toISOString(),
    time: 300 + (i % 5) * 100,
    request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: [], postData: { mimeType: 'application/json', text: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `q${i}` }] }) } },
    response: { status: 200, headers: [], content: { mimeType: 'application/json', text: JSON.stringify({ id: `chatcmpl-${i}` }) } },
  }));
  const dir = await mkdtemp(path.join(tmpdir(), 'callstate-e2e-'));
  const file = path.join(dir, 'busy.har');
  await writeFile(file, JSON.stringify({ log: { version: '1.2', entries } }));
  const page = await openPage();
  await page.setInputFiles('#file', file);
  await reportShown(page);
  await page.click('.tl-axis button[data-axis="time"]');
  await page.waitForSelector('.tl-svg.time-axis .tl-run');
  const marks = await page.locator('.tl-call').count();
  assert.ok(marks > 0 && marks < 100, `${marks} marks for 3,000 calls`);
  for (let i = 0; i < 12; i += 1) await page.click('.tl-toolbar button[aria-label="Zoom in"]');
  await page.waitForSelector('.tl-svg.time-axis .tl-call[data-call]');
  await page.context().close();
  await rm(dir, { recursive: true, force: true });
});

test('a trace without times keeps the order axis, and the time switch says why', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.setInputFiles('#file', corpus('oai-chat-tool-calls.yaml'));
  await reportShown(page);
  const time = page.locator('.tl-axis button[data-axis="time"]');
  assert.equal(await time.getAttribute('aria-disabled'), 'true');
  assert.match(await time.getAttribute('title'), /no start times/);
  await time.click({ force: true }); // focusable and clickable, so that it can say why it does nothing
  assert.equal(await time.getAttribute('aria-pressed'), 'false');
  assert.match(await page.textContent('.tl-status'), /no start times, so the calls can only be shown in order/);
  assert.equal(await page.locator('.tl-svg.time-axis').count(), 0);
  await page.context().close();
});

test('three widgets on the example page share one worker; a fourth added later too', { timeout: TIMEOUT }, async () => {
  const context = await newContext();
  const page = await context.newPage();
  const workers = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await page.goto(`${session.pageUrl}widget-example.html`);
  const ids = await page.$$eval('callstate-report', (elements) => elements.map((e) => e.id));
  assert.deepEqual(ids, ['chain', 'layered', 'timed']);
  const verdicts = () =>
    page.waitForFunction(
      () => [...document.querySelectorAll('callstate-report')].every((w) => w.shadowRoot.querySelector('.tl-call') && w.shadowRoot.querySelector('.verdict-label')),
      null,
      { timeout: 60_000 },
    );
  await verdicts();
  const labels = await page.$$eval('callstate-report', (elements) => elements.map((e) => e.shadowRoot.querySelector('.verdict-label').textContent));
  assert.deepEqual(labels, ['stateful', 'layered', 'mixed']);
  assert.equal(workers.length, 1, `workers started: ${workers.join(', ')}`);
  assert.match(workers[0], /\/worker\.js$/);
  assert.equal(page.workers().length, 1);

  await page.evaluate(() => {
    const element = document.createElement('callstate-report');
    element.id = 'later';
    element.setAttribute('src', 'samples/stateless-chat.yaml');
    document.querySelector('main').append(element);
  });
  await verdicts();
  assert.equal(await page.locator('#later .verdict-label').textContent(), 'stateless');
  assert.equal(workers.length, 1, 'the later widget uses the same worker');

  // The time axis inside a widget's Shadow DOM: axis="time" shows it first; the switch and the
  // attribute change it.
  const timed = page.locator('callstate-report#timed');
  await timed.locator('.tl-svg.time-axis .tl-call[data-call="5"]').waitFor();
  const box = await bars(timed, [2, 3]);
  assert.ok(overlap(box[2], box[3]));
  await timed.locator('.tl-axis button[data-axis="order"]').click();
  await timed.locator('.tl-svg:not(.time-axis) .tl-call[data-call="5"]').waitFor();
  await page.evaluate(() => document.getElementById('timed').setAttribute('axis', 'time'));
  await timed.locator('.tl-svg.time-axis .tl-call[data-call="5"]').waitFor();
  assert.equal(await page.locator('callstate-report#chain .tl-svg.time-axis').count(), 0, 'the others keep the order axis');
  await context.close();
});

test('no console errors, page errors or requests to other origins', () => {
  assert.deepEqual(session.problems, []);
  const foreign = session.requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== session.origin);
  assert.deepEqual(foreign, []);
});
