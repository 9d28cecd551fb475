// End-to-end tests of the static page and the widget (www/) with the real wasm build, in
// headless Chromium driven by playwright-core.
//
//   make build && node --test tests/e2e/
//
// Everything is served under a sub-path to prove that the page and the widget only use relative
// URLs. Every request (pages and their workers), console error and page error across all the
// tests is recorded; the last tests check that nothing left the served origin during the whole
// session and that nothing went wrong (a CSP violation shows up as a console error).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  LABELS, PREFIX, REPO, WWW, clickCall, corpus, dropFiles, formats, library, newContext, openPage, outcome, reportShown, session, useBrowser, verdictOf,
} from './harness.mjs';
import { bigTrace } from '../../scripts/page-longtasks.mjs';

const TIMEOUT = 90_000;
const scratch = useBrowser({ scratch: 'callstate-e2e-' });

/** Saves what a click downloads and returns [file name, bytes]. */
async function downloaded(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return [download.suggestedFilename(), await readFile(await download.path())];
}

const count = (page, selector) => page.locator(selector).count();

// ---------------------------------------------------------------- input

test('a Responses API chain is stateful, with previous_response_id in the evidence', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.setInputFiles('#file', corpus('crewai-responses-autochain.yaml'));
  assert.equal(await reportShown(page), 'stateful');
  assert.match(await page.textContent('#evidence'), /previous_response_id/);
  assert.match(await page.textContent('#verdict-headline'), /^Stateful runtime: .*conversation state on the server/);
  assert.ok(await page.isVisible('#calls'), 'the calls table is shown');
  assert.match(await page.textContent('#calls'), /call 1/);
  await page.context().close();
});

test('chat completions with tool calls are stateless', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.setInputFiles('#file', corpus('oai-chat-tool-calls.yaml'));
  assert.equal(await verdictOf(page), 'stateless');
  assert.match(await page.textContent('#verdict-headline'), /^Stateless API calls: all 3 calls carry what they need/);
  await page.context().close();
});

test('one file dropped anywhere on the page is analysed', { timeout: TIMEOUT }, async () => {
  const name = 'oai-chat-tool-calls.yaml';
  const page = await openPage();
  await dropFiles(page, [{ name, text: await readFile(corpus(name), 'utf8') }]);
  assert.equal(await verdictOf(page), 'stateless');
  assert.equal(await page.getAttribute('#report', 'data-file'), name);
  await page.context().close();
});

test('several files dropped together are analysed as one trace (layered)', { timeout: TIMEOUT }, async () => {
  const files = [formats('frontdoor-runtime-sessions.har'), formats('backend-model-calls.jsonl')];
  const page = await openPage();
  await dropFiles(page, await Promise.all(files.map(async (file) => ({ name: path.basename(file), text: await readFile(file, 'utf8') }))), 'main');
  assert.equal(await reportShown(page), 'layered');
  assert.match(await page.textContent('#verdict-explanation'), /stateful runtime built on stateless model calls/);
  assert.match(await page.textContent('#evidence'), /kept the conversation/);
  const summary = await page.textContent('#summary');
  for (const file of files) assert.ok(summary.includes(path.basename(file)), `${path.basename(file)} in ${summary}`);
  // Two lanes of layers in the picture.
  assert.deepEqual(await page.locator('.tl-labels .tl-band').allTextContents(), ['Runtime layer', 'Model layer']);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'Analysed 2 files together.');
  await page.context().close();
});

test('a front-door capture and a back-end log picked together are layered', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.setInputFiles('#file', [formats('frontdoor-runtime-sessions.har'), formats('backend-model-calls.jsonl')]);
  assert.equal(await verdictOf(page), 'layered');
  await page.context().close();
});

test('pasted trace text is analysed', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.click('details.paste summary');
  await page.fill('#paste-text', await readFile(corpus('oai-responses-prevresp-chain.yaml'), 'utf8'));
  await page.click('#paste-go');
  assert.equal(await verdictOf(page), 'stateful');
  assert.equal(await page.getAttribute('#report', 'data-file'), 'pasted text');
  await page.context().close();
});

test('a broken file shows an error naming it, and the next file still works', { timeout: TIMEOUT }, async () => {
  const broken = scratch('truncated-recording.har');
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

test('a malformed file next to a good one: a sentence where the file is named, and the good one analysed', { timeout: TIMEOUT }, async () => {
  const broken = scratch('broken-backend.jsonl');
  await writeFile(broken, '{"resourceSpans": [ {');
  const page = await openPage();
  await page.setInputFiles('#file', [corpus('crewai-responses-autochain.yaml'), broken]);
  await page.waitForFunction(() => document.getElementById('verdict-label')?.textContent === 'stateful', null, { timeout: 30_000 });
  await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 30_000 });
  const item = page.locator('#error .error-item[data-file="broken-backend.jsonl"]');
  assert.equal(await item.count(), 1, 'one error, for the bad file');
  assert.match(await item.locator('.error-title').textContent(), /^Could not analyse broken-backend\.jsonl$/);
  assert.match(await item.locator('p').nth(1).textContent(), /^broken-backend\.jsonl .{10,}\.$/s, 'the error is a sentence that names the file');
  assert.match(await page.textContent('#summary'), /crewai-responses-autochain\.yaml/);
  await page.waitForFunction(() => /1 could not be analysed/.test(document.getElementById('status').textContent), null, { timeout: 30_000 });
  await page.context().close();
});

test('a rules file picked in the page teaches it an in-house API', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  const trace = path.join(REPO, 'tests', 'rules', 'acme-dialog.har');
  await page.setInputFiles('#file', trace);
  assert.equal(await verdictOf(page), 'stateless');
  await page.click('details.rules-box summary');
  await page.setInputFiles('#rules', path.join(REPO, 'tests', 'rules', 'acme-dialog.rules.json'));
  await page.waitForFunction(() => document.getElementById('rules-state').textContent !== '');
  await page.setInputFiles('#file', trace);
  await page.waitForFunction(() => document.getElementById('verdict-label')?.textContent === 'stateful', null, { timeout: 30_000 });
  assert.equal(await reportShown(page), 'stateful');
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

// ---------------------------------------------------------------- samples and the picture

const SAMPLES = [
  // [button's data-sample, verdict, calls, links drawn of each kind]
  ['stateless-chat.yaml', 'stateless', 3, { replay: 2, handle: 0 }],
  ['responses-chain.yaml', 'stateful', 4, { handle: 3, replay: 0 }],
  ['mcp-session.yaml', 'stateful', 5, { handle: 4 }],
  ['agent-layered.otlp.json', 'layered', 6, { kept: 2, parent: 3, replay: 2 }],
  ['strands-agent-two-turns.json', 'layered', 10, { kept: 3, parent: 8, replay: 3 }],
];

for (const [sample, label, calls, links] of SAMPLES) {
  test(`the sample ${sample} is ${label}, drawn with its ${calls} calls and their links`, { timeout: TIMEOUT }, async () => {
    const page = await openPage();
    await page.click(`button[data-sample="${sample}"]`);
    assert.equal(await reportShown(page), label);
    assert.equal(await page.getAttribute('#report', 'data-file'), sample);
    assert.notEqual((await page.textContent('#verdict-headline')).trim(), '', 'the verdict in a sentence');
    assert.ok((await count(page, '.deciding li')) >= 1, 'the deciding evidence is shown with the verdict');
    assert.equal(await count(page, '.tl-call'), calls, 'one mark per call in the picture');
    for (const [kind, n] of Object.entries(links)) assert.equal(await count(page, `.tl-link.k-${kind}:not(.tl-rail)`), n, `${kind} links`);
    // Coloured by mode: as many stateful marks as stateful calls.
    const stateful = await page.$$eval('#calls tbody tr[data-mode="stateful"]', (rows) => rows.length);
    assert.equal(await count(page, '.tl-call.m-stateful'), stateful);
    await page.context().close();
  });
}

test('the bundled sample.har still works (make run prints its verdict)', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  const text = await readFile(path.join(WWW, 'samples', 'sample.har'), 'utf8');
  await dropFiles(page, [{ name: 'sample.har', text }]);
  assert.ok(LABELS.includes(await verdictOf(page)));
  await page.context().close();
});

test('hovering a call highlights the calls linked to it; the keyboard moves between calls and opens one', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.click('button[data-sample="responses-chain.yaml"]');
  await reportShown(page);
  await page.hover('.tl-call[data-call="2"]');
  await page.waitForFunction(() => document.querySelectorAll('.tl-call.lit').length > 0);
  const lit = await page.$$eval('.tl-call.lit', (nodes) => nodes.map((n) => Number(n.dataset.call)).sort());
  assert.deepEqual(lit, [1, 2, 3], 'call 2 is linked to call 1 (which minted its handle) and call 3 (which used the one it minted)');
  assert.equal(await count(page, '.tl-call.dim'), 1, 'call 4 is dimmed');
  assert.equal(await count(page, '.tl-link.lit'), 2);

  await page.mouse.move(0, 0);
  await page.focus('.tl-viewport');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('.tl-call.selected')?.dataset.call === '2');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#call-view:not([hidden])');
  assert.match(await page.textContent('#call-view-title'), /^Call 2: POST api\.openai\.com\/v1\/responses/);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#call-view', { state: 'hidden' });
  await page.context().close();
});

test('zooming changes the picture, and a trace of thousands of calls draws only what is in view', { timeout: TIMEOUT }, async () => {
  const file = scratch('thousands.har');
  await writeFile(file, bigTrace(3e6));
  const page = await openPage();
  await page.setInputFiles('#file', file);
  await reportShown(page);
  const calls = Number((await page.textContent('#summary')).match(/(\d+) calls/)[1]);
  assert.ok(calls > 1000, `${calls} calls`);
  const drawn = await count(page, '.tl-call');
  assert.ok(drawn > 0 && drawn < calls / 4, `${drawn} of ${calls} calls drawn`);
  // The many sessions share lanes past the first ones.
  assert.ok((await count(page, '.tl-labels .tl-lane')) <= 24);
  const width = async () => Number(await page.getAttribute('.tl-svg', 'width'));
  const before = await width();
  await page.click('.tl-toolbar button[aria-label="Zoom out"]');
  await page.waitForFunction((w) => Number(document.querySelector('.tl-svg').getAttribute('width')) < w, before);
  await page.click('.tl-toolbar button[aria-label="Fit all calls in view"]');
  await page.waitForFunction(() => document.querySelectorAll('.tl-call').length > 0);
  assert.ok((await width()) < before);
  // Only the first rows of the long tables, with a way to see more.
  assert.equal(await count(page, '#calls tbody tr'), 50);
  await page.click('#calls-more');
  assert.equal(await count(page, '#calls tbody tr'), 100);
  await page.context().close();
});

// ---------------------------------------------------------------- evidence, filters, the call view

test('filters narrow the calls, the evidence and the picture', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.click('button[data-sample="agent-layered.otlp.json"]');
  await reportShown(page);
  assert.equal(await count(page, '#calls tbody tr'), 6);
  // The runtime's second and third turns depend on the conversation it kept; its first does not.
  await page.selectOption('#filter-mode', 'stateful');
  await page.waitForFunction(() => document.querySelectorAll('#calls tbody tr').length === 2);
  const modes = await page.$$eval('#calls tbody tr', (rows) => rows.map((row) => row.dataset.mode));
  assert.deepEqual(modes, ['stateful', 'stateful']);
  await page.waitForFunction(() => document.querySelectorAll('.tl-call.dim').length === 4);
  // Evidence that concerns no runtime call (the replays between model calls) is left out.
  const evidence = await page.$$eval('#evidence tr[data-evidence]', (rows) => rows.map((row) => row.dataset.evidence));
  assert.ok(!evidence.includes('E3') && evidence.includes('E4'), `evidence shown: ${evidence}`);
  assert.match(await page.textContent('#filter-count'), /2 of 6 calls/);

  await page.click('#filter-clear');
  await page.selectOption('#filter-session', 'S2');
  await page.waitForFunction(() => document.querySelectorAll('#calls tbody tr').length === 3);
  assert.deepEqual(await page.$$eval('#calls tbody tr td:nth-child(5)', (cells) => cells.map((c) => c.textContent)), ['S2', 'S2', 'S2']);
  await page.selectOption('#filter-session', '');
  await page.selectOption('#filter-api', { index: 1 });
  await page.waitForFunction(() => document.querySelectorAll('#calls tbody tr').length < 6);
  await page.selectOption('#filter-api', '');
  await page.selectOption('#filter-state', 'conversation');
  await page.waitForFunction(() => document.querySelectorAll('#calls tbody tr').length === 2);
  await page.context().close();
});

test('the call view shows the request and response, secrets masked, with the handle field marked and linked to its evidence', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.click('button[data-sample="responses-chain.yaml"]');
  await reportShown(page);
  await clickCall(page, 2);
  await page.waitForSelector('#call-view:not([hidden])');
  assert.match(await page.textContent('#call-view-title'), /^Call 2:/);
  // What the report says: the evidence naming this call, and where.
  assert.match(await page.textContent('#call-view .call-evidence'), /E1.*request\.body\/previous_response_id/s);
  // The evidence rows about call 2 are marked in the table.
  assert.deepEqual(await page.$$eval('#evidence tr.concerns', (rows) => rows.map((r) => r.dataset.evidence)), ['E1', 'E2']);
  // The exchange itself, from the analyser.
  await page.waitForSelector('#call-view .exchange:not([aria-busy])');
  const mark = page.locator('#call-view .exchange mark[data-evidence~="E1"]');
  assert.ok((await mark.count()) >= 1, 'the field carrying the handle is marked');
  assert.match(await mark.first().getAttribute('title'), /request\.body\/previous_response_id/);
  assert.match(await mark.first().textContent(), /^"?resp_/);
  assert.match(await page.textContent('#call-view .exchange'), /Request[\s\S]*Response/);
  // The mark links to its evidence row.
  await page.click('#call-view .exchange sup a[href="#evidence-E1"]');
  assert.equal(await page.evaluate(() => location.hash), '#evidence-E1');
  // Another call, and the Markdown export, come from the run's analysis kept in the worker:
  // nothing is analysed again (the worker marks each analysis it makes).
  await clickCall(page, 1);
  await page.waitForFunction(() => document.getElementById('call-view-title').textContent.startsWith('Call 1:'));
  await page.waitForSelector('#call-view .exchange:not([aria-busy])');
  assert.match(await page.textContent('#call-view .exchange'), /Request[\s\S]*Response/);
  const analyses = await Promise.all(page.workers().map((worker) => worker.evaluate(() => performance.getEntriesByName('callstate:analysis').length)));
  assert.deepEqual(analyses, [1], 'one worker, which analysed once for the report and both calls');
  await page.context().close();
});

test('no secret reaches the call view', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  const text = await readFile(path.join(WWW, 'samples', 'sample.har'), 'utf8');
  assert.match(text, /sk-sample-not-a-real-key/, 'the sample carries a (fake) key');
  await dropFiles(page, [{ name: 'sample.har', text }]);
  await reportShown(page);
  await clickCall(page, 1);
  await page.waitForSelector('#call-view .exchange:not([aria-busy])');
  const shown = await page.textContent('#call-view');
  assert.match(shown, /authorization/i, 'the header is listed');
  assert.doesNotMatch(shown, /sk-sample-not-a-real-key/);
  assert.ok((await count(page, '#call-view .chip:text("masked")')) >= 1, 'and said to be masked');
  await page.context().close();
});

// ---------------------------------------------------------------- exports

test('exports: the JSON is the library\'s report, the Markdown the library\'s rendering; SVG and PNG of the picture', { timeout: TIMEOUT }, async () => {
  const name = 'oai-responses-prevresp-chain.yaml';
  const bytes = await readFile(corpus(name));
  const { analyze, analyzeMarkdown } = await library();
  const page = await openPage();
  await page.setInputFiles('#file', corpus(name));
  assert.equal(await reportShown(page), 'stateful');

  const [jsonName, json] = await downloaded(page, '#download-json');
  assert.equal(jsonName, 'oai-responses-prevresp-chain.callstate.json');
  assert.deepEqual(JSON.parse(json.toString('utf8')), JSON.parse(JSON.stringify(analyze(bytes, { name }))));

  const [mdName, md] = await downloaded(page, '#download-md');
  assert.equal(mdName, 'oai-responses-prevresp-chain.callstate.md');
  assert.equal(md.toString('utf8'), analyzeMarkdown(bytes, { name }));

  const [svgName, svg] = await downloaded(page, '#download-svg');
  assert.equal(svgName, 'oai-responses-prevresp-chain.callstate.svg');
  const text = svg.toString('utf8');
  assert.match(text, /^<\?xml[^>]*>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal(text.match(/data-call="/g)?.length, 4, 'every call is in the picture');
  assert.equal(text.match(/class="tl-link k-handle/g)?.length, 3, 'with its handle flows');
  assert.match(text, /--stateful:\s*(rgb|#|color|oklab|lab)/, 'the theme colours are embedded');
  // The SVG is well-formed: a browser parses it without an error (in a blank page of its own, as
  // the file would be opened).
  const blank = await page.context().newPage();
  const parsed = await blank.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
    return doc.querySelector('parsererror') ? 'error' : doc.documentElement.nodeName;
  }, text);
  assert.equal(parsed, 'svg');
  await blank.close();

  const [pngName, png] = await downloaded(page, '#download-png');
  assert.equal(pngName, 'oai-responses-prevresp-chain.callstate.png');
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG file');
  assert.ok(png.readUInt32BE(16) > 100 && png.readUInt32BE(20) > 50, 'of a real size');
  await page.context().close();
});

test('the printable view leaves out the controls and keeps the report', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.click('button[data-sample="mcp-session.yaml"]');
  await reportShown(page);
  await page.evaluate(() => {
    window.print = () => document.body.setAttribute('data-printed', 'yes');
  });
  await page.click('#print');
  assert.equal(await page.getAttribute('body', 'data-printed'), 'yes');
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.isHidden('.intake'));
  assert.ok(await page.isHidden('.exports'));
  assert.ok(await page.isVisible('.verdict'));
  assert.ok(await page.isVisible('.tl-svg'));
  assert.ok(await page.isVisible('#calls'));
  await page.context().close();
});

// ---------------------------------------------------------------- cancel, progress

test('cancel stops a long analysis, says so, and the next file is analysed', { timeout: 180_000 }, async () => {
  const file = scratch('large-capture.har');
  await writeFile(file, bigTrace(60e6));
  const page = await openPage();
  await page.waitForFunction(() => document.body.dataset.analyser === 'ready');
  await page.setInputFiles('#file', file);
  await page.waitForSelector('#cancel:not([hidden])');
  assert.ok(await page.isVisible('#progress'), 'the progress bar is shown');
  await page.click('#cancel');
  assert.match(await page.textContent('#status'), /^Cancelled: the file was not analysed\.$/);
  assert.ok(await page.isHidden('#progress'));
  assert.ok(await page.isHidden('#cancel'));
  assert.ok(await page.isHidden('#report'));

  await page.setInputFiles('#file', corpus('oai-chat-tool-calls.yaml'));
  assert.equal(await verdictOf(page), 'stateless');
  assert.equal(await page.getAttribute('#report', 'data-file'), 'oai-chat-tool-calls.yaml', 'the cancelled file never shows up');
  await page.context().close();
});

test('progress says how much has been read', { timeout: 180_000 }, async () => {
  const file = scratch('progress-capture.har');
  await writeFile(file, bigTrace(20e6));
  const page = await openPage();
  await page.waitForFunction(() => document.body.dataset.analyser === 'ready');
  await page.evaluate(() => {
    window.seen = [];
    new MutationObserver(() => window.seen.push(document.getElementById('status').textContent)).observe(document.getElementById('status'), {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  await page.setInputFiles('#file', file);
  await reportShown(page);
  const seen = await page.evaluate(() => window.seen);
  assert.ok(seen.some((text) => /^Reading progress-capture\.har: [\d.]+ MB of 20 MB/.test(text)), `status lines: ${seen.slice(0, 5)}`);
  assert.ok(seen.some((text) => /\d[\d,]* calls parsed/.test(text)), `status lines: ${seen.slice(-3)}`);
  assert.ok(Number(await page.getAttribute('#progress', 'data-updates')) >= 2, 'several progress updates');
  await page.context().close();
});

// ---------------------------------------------------------------- fit and finish

test('readable at phone width: nothing wider than the screen', { timeout: TIMEOUT }, async () => {
  const page = await openPage('', { viewport: { width: 375, height: 800 } });
  await page.click('button[data-sample="agent-layered.otlp.json"]');
  await reportShown(page);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the page is ${width}px wide`);
  await page.context().close();
});

test('light and dark themes', { timeout: TIMEOUT }, async () => {
  const page = await openPage('', { colorScheme: 'light' });
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.selectOption('#theme', 'dark');
  const dark = await background();
  assert.notEqual(dark, light);
  await page.selectOption('#theme', '');
  assert.equal(await background(), light, 'back to the system theme');
  await page.context().close();
});

test('keyboard: every control can be reached with Tab', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.click('button[data-sample="responses-chain.yaml"]');
  await reportShown(page);
  await page.focus('#theme');
  const reached = new Set();
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.className || document.activeElement?.tagName));
  }
  for (const id of ['file', 'download-json', 'download-png', 'filter-session', 'filter-mode', 'tl-viewport']) assert.ok(reached.has(id), `${id} is reachable (${[...reached]})`);
  await page.context().close();
});

/** Opens `file` and waits for its report; resolves to its verdict. */
async function analysed(page, file) {
  await page.setInputFiles('#file', file);
  await page.waitForFunction((name) => document.getElementById('report').dataset.file === name, path.basename(file));
  return reportShown(page);
}

test('works offline once loaded; YAML once the YAML module has been', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await page.waitForFunction(() => document.body.dataset.analyser === 'ready');
  await page.context().setOffline(true);
  await analysed(page, formats('frontdoor-runtime-sessions.har'));
  // The YAML module is fetched at the first YAML input: offline, that input says so.
  await page.setInputFiles('#file', corpus('oai-chat-tool-calls.yaml'));
  await page.waitForFunction(() => /YAML reader/.test(document.getElementById('error').textContent));
  assert.match(await page.textContent('#error'), /The YAML reader \(pkg\/callstate_yaml_bg\.wasm\) could not be loaded/);
  // That failed request is this test's doing, not a problem of the page.
  const offline = (problem) => /^request failed: .*\/pkg\/callstate_yaml\.js \(net::ERR_INTERNET_DISCONNECTED\)$/.test(problem);
  session.problems.splice(0, Infinity, ...session.problems.filter((problem) => !offline(problem)));
  await page.context().setOffline(false);
  assert.equal(await analysed(page, corpus('oai-chat-tool-calls.yaml')), 'stateless');
  await page.context().setOffline(true);
  assert.equal(await analysed(page, corpus('mcp-deepwiki-session-only.yaml')), 'stateful');
  await page.context().setOffline(false);
  await page.context().close();
});

test('the YAML module is fetched only when a YAML input appears, and then once', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  const yaml = [];
  page.context().on('request', (request) => /callstate_yaml/.test(request.url()) && yaml.push(new URL(request.url()).pathname));
  await analysed(page, formats('frontdoor-runtime-sessions.har'));
  await analysed(page, formats('agent-runtime-layered.otlp.json'));
  assert.deepEqual(yaml, [], 'no YAML module for a HAR or JSON');
  assert.equal(await analysed(page, corpus('crewai-responses-autochain.yaml')), 'stateful');
  assert.equal(await analysed(page, corpus('oai-chat-tool-calls.yaml')), 'stateless');
  assert.deepEqual(yaml, [`${PREFIX}pkg/callstate_yaml.js`, `${PREFIX}pkg/callstate_yaml_bg.wasm`], 'fetched once, from the page\'s own path');
  await page.context().close();
});

test('bad YAML gives an error with its line and column', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await dropFiles(page, [{ name: 'bad.yaml', text: 'interactions:\n  - request:\n      uri: "unterminated\n' }]);
  await page.waitForFunction(() => document.getElementById('error').textContent.length > 0);
  const error = await page.textContent('#error');
  assert.match(error, /The input is neither JSON nor a YAML cassette callstate can read: found unexpected end of stream/, error);
  assert.match(error, /line 4/, error);
  await page.context().close();
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

// ---------------------------------------------------------------- the widget

test('the widget on its example page: verdict, picture and evidence in Shadow DOM, height and theme, no globals or global CSS', { timeout: TIMEOUT }, async () => {
  const page = await openPage('widget-example.html');
  const widget = (id) => page.locator(`callstate-report#${id}`);
  for (const [id, label, calls] of [['chain', 'stateful', 4], ['layered', 'layered', 6]]) {
    await page.waitForFunction((id) => document.getElementById(id).shadowRoot.querySelector('.verdict-label')?.textContent, id, { timeout: 60_000 });
    assert.equal(await widget(id).locator('.verdict-label').textContent(), label);
    assert.ok((await widget(id).locator('.verdict-headline').textContent()).length > 10);
    assert.equal(await widget(id).locator('.tl-call').count(), calls);
    assert.ok((await widget(id).locator('.evidence-table tr[data-evidence]').count()) >= 3);
  }
  assert.equal(await widget('layered').locator('.tl-labels .tl-band').count(), 2, 'layers as two lanes');
  // Nothing of it is in the page's own DOM.
  assert.equal(await page.evaluate(() => document.querySelectorAll('.verdict, .tl-svg').length), 0);

  // height: a number is pixels, anything else a CSS length.
  const maxHeight = (id) => page.evaluate((id) => getComputedStyle(document.getElementById(id).shadowRoot.querySelector('.body')).maxHeight, id);
  assert.equal(await maxHeight('chain'), '560px');
  assert.equal(await maxHeight('layered'), `${30 * 16}px`);

  // theme: dark and light differ, and follow the attribute.
  const background = (id) => page.evaluate((id) => getComputedStyle(document.getElementById(id).shadowRoot.querySelector('.body')).backgroundColor, id);
  await page.evaluate(() => document.getElementById('chain').setAttribute('theme', 'light'));
  const light = await background('chain');
  assert.notEqual(await background('layered'), light);
  await page.evaluate(() => document.getElementById('chain').setAttribute('theme', 'dark'));
  assert.equal(await background('chain'), await background('layered'));

  // Clicking a call marks the evidence about it.
  await clickCall(page, 2, widget('chain'));
  const marked = () => widget('chain').locator('tr.concerns').evaluateAll((rows) => rows.map((r) => r.dataset.evidence));
  await page.waitForFunction(
    () => document.getElementById('chain').shadowRoot.querySelectorAll('tr.concerns').length > 0,
    null,
    { timeout: 10_000 },
  ).catch(() => {});
  assert.deepEqual(await marked(), ['E1', 'E2']);

  // No globals but the custom element, and no style sheet added to the page.
  const leaked = await page.evaluate(() => {
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const fresh = new Set(Object.getOwnPropertyNames(frame.contentWindow));
    const extra = Object.getOwnPropertyNames(window).filter((key) => !fresh.has(key) && !/^\d+$/.test(key));
    frame.remove();
    return extra;
  });
  assert.deepEqual(leaked, []);
  assert.deepEqual(await page.evaluate(() => [...document.styleSheets].map((sheet) => new URL(sheet.href).pathname.split('/').pop())), ['widget-example.css']);
  assert.equal(await page.evaluate(() => typeof customElements.get('callstate-report')), 'function');
  await page.context().close();
});

test('the widget at phone width fits the screen', { timeout: TIMEOUT }, async () => {
  const page = await openPage('widget-example.html', { viewport: { width: 375, height: 800 } });
  await page.waitForFunction(() => [...document.querySelectorAll('callstate-report')].every((w) => w.shadowRoot.querySelector('.tl-call')), null, { timeout: 60_000 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the page is ${width}px wide`);
  await page.context().close();
});

test('a widget whose trace is missing says so inside itself', { timeout: TIMEOUT }, async () => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${session.pageUrl}widget-example.html`);
  await page.evaluate(() => {
    const element = document.createElement('callstate-report');
    element.id = 'missing';
    element.setAttribute('src', 'samples/no-such-trace.har');
    document.body.append(element);
  });
  await page.waitForFunction(() => document.getElementById('missing').shadowRoot.querySelector('.error'), null, { timeout: 30_000 });
  assert.match(await page.locator('#missing .error').textContent(), /could not load no-such-trace\.har \(HTTP 404\)/);
  await context.close();
});

// ---------------------------------------------------------------- the whole session

test('the page and the widget declare a Content-Security-Policy that forbids other origins', async () => {
  for (const file of ['index.html', 'widget-example.html']) {
    const html = await readFile(path.join(WWW, file), 'utf8');
    const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
    assert.ok(csp, `${file} has a CSP`);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /connect-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /https?:|\*/, 'no other origin is allowed');
  }
});

test('no request left for any origin but the page\'s own, during the whole session, all under the sub-path', () => {
  const { requests, origin, pageUrl } = session;
  assert.ok(requests.length > 50, `${requests.length} requests were recorded`);
  // blob: URLs (the downloads) carry the page's origin too; data: URLs (the PNG export's image) none.
  const foreign = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
  assert.deepEqual(foreign, [], 'requests to other origins');
  const outside = requests.filter((url) => url.startsWith(origin) && !new URL(url).pathname.startsWith(PREFIX));
  assert.deepEqual(outside, [], 'requests outside the sub-path the page was served from');
  for (const file of ['pkg/callstate_bg.wasm', 'pkg/callstate_yaml_bg.wasm', 'worker.js', 'callstate-report.js', 'samples/agent-layered.otlp.json']) {
    assert.ok(requests.includes(`${pageUrl}${file}`), `${file} was loaded from next to the page`);
  }
});

test('no console errors, page errors or CSP violations', () => {
  assert.deepEqual(session.problems, []);
});
