#!/usr/bin/env node
// Measures how the page behaves while it analyses a large trace: builds a HAR of tens of MB
// from a real test input (each copy of its session with its own ids), drops it on the page in
// headless Chromium, and records every main-thread long task (PerformanceObserver, tasks over
// 50 ms) and the time of every progress update; then opens calls one after another and times
// each from the click to its request and response on screen.
//
//   node scripts/page-longtasks.mjs [--mb 30] [--www DIR] [--trace]
//
// DIR is another build of the page, to compare. Prints the file size, the analysis time, the
// number of main-thread tasks over 50 ms and the longest, the progress updates per second and the
// call-view open times. With --trace it also records a Chromium trace and says what each task
// over 50 ms was made of (script, garbage collection, style and layout, paint, a message from
// the worker), which is where to look first. A measurement, not a test: it asserts nothing. On a
// busy machine every task is longer: the load average is printed with the figures.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const TEMPLATE = path.join(REPO, 'tests', 'formats', 'frontdoor-runtime-sessions.har');

/**
 * A HAR of about `bytes` bytes: the template's session (one call minting a session id, three
 * using it) repeated, each copy with its own session id and longer replies.
 */
export function bigTrace(bytes) {
  const har = JSON.parse(readFileSync(TEMPLATE, 'utf8'));
  const session = 'sess_Q3v8WmZ2kR7tY1pX';
  const filler = ' Notes for the day: '.concat('walk, tram, museum, lunch by the river, ', 'viewpoint at sunset. '.repeat(40));
  for (const entry of har.log.entries) {
    const content = entry.response.content;
    if (content.text?.includes('"reply"')) content.text = content.text.replace(/"reply": "([^"]*)"/, (_, reply) => `"reply": "${reply}${filler}"`);
  }
  const one = JSON.stringify(har.log.entries);
  const body = one.slice(1, -1);
  const copies = Math.max(1, Math.ceil(bytes / body.length));
  const parts = [];
  for (let k = 0; k < copies; k += 1) {
    const id = `sess_${k.toString(36).padStart(6, '0')}${session.slice(11)}`;
    parts.push(body.replaceAll(session, id));
  }
  const shell = JSON.stringify({ log: { ...har.log, entries: '@ENTRIES@' } });
  return shell.replace('"@ENTRIES@"', () => `[${parts.join(',')}]`);
}

async function main() {
  const mb = Number(process.argv[process.argv.indexOf('--mb') + 1] || 30) || 30;
  const { launchChromium } = await import('../tests/chromium.mjs');
  const { serve } = await import('./serve.mjs');
  const scratch = await mkdtemp(path.join(tmpdir(), 'callstate-longtasks-'));
  const file = path.join(scratch, 'large-capture.har');
  const text = bigTrace(mb * 1e6);
  await writeFile(file, text);

  const www = process.argv.includes('--www') ? path.resolve(process.argv[process.argv.indexOf('--www') + 1]) : path.join(REPO, 'www');
  const server = await serve({ root: www, port: 0, prefix: '/' });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => document.body.dataset.analyser === 'ready', null, { timeout: 60_000 });
    // Record long tasks and progress updates from now on.
    await page.evaluate(() => {
      window.__longtasks = [];
      window.__progress = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longtasks.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: 'longtask', buffered: false });
      new MutationObserver(() => window.__progress.push(performance.now())).observe(document.getElementById('progress'), {
        attributes: true,
        attributeFilter: ['data-updates'],
      });
    });
    const tracing = process.argv.includes('--trace');
    if (tracing) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'toplevel'] });
    const started = await page.evaluate(() => performance.now());
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => document.getElementById('verdict-label')?.textContent || !document.getElementById('error').hidden, null, { timeout: 600_000 });
    const verdictAt = await page.evaluate(() => performance.now());
    // Let the rest of the report render (timeline, tables) and settle.
    await page.waitForFunction(() => document.querySelector('#calls tbody tr') !== null, null, { timeout: 60_000 });
    await page.waitForTimeout(1000);
    const result = await page.evaluate(() => ({
      longtasks: window.__longtasks,
      progress: window.__progress,
      verdict: document.getElementById('verdict-label')?.textContent,
      calls: document.getElementById('summary').textContent,
    }));
    const anatomy = tracing ? longTaskAnatomy(JSON.parse((await browser.stopTracing()).toString()).traceEvents) : [];
    const opened = await openCalls(page);
    const seconds = (verdictAt - started) / 1000;
    const updates = result.progress.filter((t) => t <= verdictAt);
    const gaps = updates.slice(1).map((t, i) => t - updates[i]);
    const longest = result.longtasks.reduce((max, task) => Math.max(max, task.duration), 0);
    console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (other work on the machine slows the page)`);
    console.log(`file: ${(text.length / 1e6).toFixed(1)} MB (${path.basename(file)})`);
    console.log(`report: ${result.verdict}; ${result.calls}`);
    console.log(`analysis time (drop to verdict on screen): ${seconds.toFixed(2)} s`);
    console.log(`main-thread tasks over 50 ms: ${result.longtasks.length}${result.longtasks.length ? ` (longest ${longest.toFixed(0)} ms)` : ''}`);
    for (const task of result.longtasks) console.log(`  a ${task.duration.toFixed(0)} ms task at ${((task.start - started) / 1000).toFixed(2)} s`);
    // The trace counts a frame's rendering in its task, which the long-task observer may not.
    if (tracing) console.log(`tasks over 50 ms in the trace (rendering included): ${anatomy.length}`);
    if (tracing) for (const line of anatomy) console.log(`  a ${line}`);
    console.log(`progress updates: ${updates.length} in ${seconds.toFixed(2)} s = ${(updates.length / seconds).toFixed(1)} per second; longest gap between two: ${gaps.length ? Math.max(...gaps).toFixed(0) : '-'} ms`);
    console.log(`call view, click to request and response shown: ${opened.map(({ call, ms }) => `call ${call} ${ms.toFixed(0)} ms`).join(', ')}`);
  } finally {
    await browser.close();
    server.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

// What a long task is made of: the trace events that matter, by name, and what they mean.
const PARTS = {
  HandlePostMessage: 'a message from the worker',
  FunctionCall: 'script',
  RunMicrotasks: 'promise continuations',
  MinorGC: 'young-generation GC',
  MajorGC: 'full GC',
  UpdateLayoutTree: 'style',
  Layout: 'layout',
  PrePaint: 'pre-paint',
  Paint: 'paint',
};

/** For each main-thread task over 50 ms in a trace: its length and what it was made of. */
function longTaskAnatomy(events) {
  const threads = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
  const main = events.filter((e) => e.ph === 'X' && threads.get(`${e.pid}:${e.tid}`) === 'CrRendererMain');
  const tasks = main.filter((e) => e.name === 'RunTask' && e.dur > 50_000);
  return tasks.map((task) => {
    const inside = main.filter((e) => e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur && e.dur > 1000 && PARTS[e.name]);
    const totals = new Map();
    for (const e of inside) totals.set(PARTS[e.name], (totals.get(PARTS[e.name]) ?? 0) + e.dur / 1000);
    const parts = [...totals].sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`);
    return `${(task.dur / 1000).toFixed(0)} ms task: ${parts.join(', ') || 'no named part'} (parts may nest)`;
  });
}

/** Opens calls of the calls table one after another; the time of each from the click to its exchange shown. */
async function openCalls(page) {
  const calls = await page.$$eval('#calls button[data-open]', (buttons) => buttons.map((b) => Number(b.dataset.open)));
  const chosen = [calls[0], calls[1], calls[Math.floor(calls.length / 2)], calls.at(-1)];
  const opened = [];
  for (const call of chosen) {
    const ms = await page.evaluate(async (call) => {
      const started = performance.now();
      document.querySelector(`#calls button[data-open="${call}"]`).click();
      const shown = () => document.querySelector('#call-view-title')?.textContent.startsWith(`Call ${call}:`) && document.querySelector('#call-view .exchange:not([aria-busy])');
      while (!shown()) await new Promise((resolve) => requestAnimationFrame(resolve));
      return performance.now() - started;
    }, call);
    opened.push({ call, ms });
  }
  return opened;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
