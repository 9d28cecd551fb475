// End-to-end tests of what the page's split by concern (www/page/) promises: a new run replaces
// all of the run before it, an older run's late messages never reach the screen, the evidence's
// places read apart, and the page's modules keep no state of their own.
//
//   make build && node --test tests/e2e/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WWW, clickCall, corpus, dropFiles, openPage, reportShown, session, useBrowser } from './harness.mjs';
import { bigTrace } from '../../scripts/page-longtasks.mjs';

const TIMEOUT = 120_000;
const scratch = useBrowser({ scratch: 'callstate-e2e-run-' });

/** What a test needs to know of the report on screen. */
function screen(page) {
  return page.evaluate(() => ({
    file: document.getElementById('report').dataset.file,
    label: document.getElementById('verdict-label')?.textContent,
    calls: document.querySelectorAll('#calls tbody tr').length,
    evidence: [...document.querySelectorAll('#evidence tr[data-evidence]')].map((row) => row.dataset.evidence),
    concerns: document.querySelectorAll('#evidence tr.concerns').length,
    callView: !document.getElementById('call-view').hidden,
    filters: [...document.querySelectorAll('.filters select')].map((select) => select.value),
    filterCount: document.getElementById('filter-count').textContent,
    pictureCalls: new Set([...document.querySelectorAll('.tl-call')].map((node) => node.dataset.call)).size,
    dimmed: document.querySelectorAll('.tl-call.dim').length,
    errors: document.getElementById('error').hidden ? 0 : document.querySelectorAll('.error-item').length,
  }));
}

test('a second drop replaces the whole run: report, filter, open call, marked rows and picture', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.click('button[data-sample="agent-layered.otlp.json"]');
  await reportShown(page);
  // Leave the first run in a state of its own: filtered, a call open, its evidence rows marked.
  await page.selectOption('#filter-mode', 'stateful');
  await page.waitForFunction(() => document.querySelectorAll('#calls tbody tr').length === 2);
  await page.selectOption('#filter-mode', '');
  await page.selectOption('#filter-session', 'S2');
  await page.waitForFunction(() => document.querySelectorAll('#calls tbody tr').length === 3);
  await clickCall(page, 2);
  await page.waitForSelector('#call-view .exchange:not([aria-busy])');
  const first = await screen(page);
  assert.ok(first.callView && first.filters.includes('S2') && first.dimmed > 0, `first run: ${JSON.stringify(first)}`);

  await dropFiles(page, [{ name: 'chain.yaml', text: readFileSync(corpus('crewai-responses-autochain.yaml'), 'utf8') }]);
  await page.waitForFunction(() => document.getElementById('report').dataset.file === 'chain.yaml');
  await reportShown(page);
  const second = await screen(page);
  assert.equal(second.label, 'stateful');
  assert.equal(second.calls, 2, 'all the new trace\'s calls, none of the old one\'s');
  assert.equal(second.pictureCalls, 2);
  assert.equal(second.callView, false, 'the call view of the old run is closed');
  assert.equal(second.concerns, 0, 'no evidence row is marked for a call of the old run');
  assert.deepEqual(second.filters, ['', '', '', ''], 'the filters start empty');
  assert.equal(second.filterCount, '');
  assert.equal(second.dimmed, 0, 'nothing in the picture is dimmed by the old filter');
  // Calls of the new report open from the new run.
  await clickCall(page, 2);
  await page.waitForFunction(() => document.getElementById('call-view-title').textContent.startsWith('Call 2:'));
  await page.waitForSelector('#call-view .exchange:not([aria-busy])');
  assert.match(await page.textContent('#call-view .exchange'), /previous_response_id/);
  await page.context().close();
});

test('a file dropped while a big one is analysed: only the newer run reaches the screen', { timeout: TIMEOUT }, async () => {
  const big = scratch('big-capture.har');
  await writeFile(big, bigTrace(12e6));
  const page = await openPage();
  await page.waitForFunction(() => document.body.dataset.analyser === 'ready');
  await page.setInputFiles('#file', big);
  await page.waitForFunction(() => /^Reading big-capture\.har/.test(document.getElementById('status').textContent));
  await dropFiles(page, [{ name: 'small.yaml', text: readFileSync(corpus('oai-chat-tool-calls.yaml'), 'utf8') }]);
  assert.equal(await reportShown(page), 'stateless');
  // Long enough for the big file's analysis to have ended, had it not been stopped.
  await page.waitForTimeout(4000);
  const shown = await screen(page);
  assert.equal(shown.file, 'small.yaml');
  assert.equal(shown.label, 'stateless');
  assert.equal(shown.calls, 3);
  assert.equal(shown.errors, 0);
  assert.equal(await page.textContent('#status'), '', 'no status line left from the stopped run');
  await page.context().close();
});

test('the evidence "Where" cell keeps each place apart from the next call\'s link, in its text too', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.click('button[data-sample="responses-chain.yaml"]');
  await reportShown(page);
  const cells = await page.$$eval('#evidence td.places', (tds) =>
    tds.map((td) => ({ text: td.textContent, places: [...td.querySelectorAll('.place')].map((place) => place.textContent), lines: new Set([...td.querySelectorAll('.place')].map((place) => Math.round(place.getBoundingClientRect().top))).size })),
  );
  const withSeveral = cells.filter((cell) => cell.places.length > 1);
  assert.ok(withSeveral.length > 0, `a piece of evidence with several places: ${JSON.stringify(cells)}`);
  for (const cell of withSeveral) {
    // "call 1 at response.body/id; call 2 at request.body/previous_response_id"
    for (const place of cell.places) assert.match(place, /^call \d+ at \S+;?$/);
    assert.doesNotMatch(cell.text, /\Scall \d/, `a place runs into the next call: ${cell.text}`);
    assert.equal(cell.lines, cell.places.length, 'each place on a line of its own');
  }
  await page.context().close();
});

test('the page\'s modules keep no state of their own: no top-level let or var', () => {
  const folder = path.join(WWW, 'page');
  const files = readdirSync(folder).filter((name) => name.endsWith('.js'));
  assert.ok(files.length >= 6, `the page's modules: ${files}`);
  for (const name of files) {
    const lines = readFileSync(path.join(folder, name), 'utf8').split('\n');
    const found = lines.filter((line) => /^(let|var)\s/.test(line) || /^export\s+(let|var)\s/.test(line));
    assert.deepEqual(found, [], `www/page/${name} declares module-level mutable state`);
  }
  const html = readFileSync(path.join(WWW, 'index.html'), 'utf8');
  assert.match(html, /<script type="module" src="\.\/page\/main\.js"><\/script>/);
});

test('no console errors, page errors or requests to other origins', () => {
  assert.deepEqual(session.problems, []);
  const foreign = session.requests.filter((url) => !url.startsWith(session.origin) && !/^(blob|data):/.test(url));
  assert.deepEqual(foreign, []);
});
