#!/usr/bin/env node
// `make bench`: generates the traces, measures callstate (native, wasm in Node, wasm in headless
// Chromium) against JSON.parse for each mix of traffic, prints a table per mix and the goals for
// every mix side by side, and writes it all to target/bench/results.json.
//
// Environment:
//   BENCH_SIZES=10MB,100MB,1GB   HAR sizes to run (the default)
//   BENCH_MIXES=mixed,history    the generator's mixes to run (the default; see bench/gen.mjs)
//   BENCH_STREAM=2GB             size of the HAR the streaming API reads in Chromium ("0": none)
//   BENCH_FORMATS=1              also OTLP/JSON, JSON Lines and an ASCII-only HAR at the sizes up to
//                                100 MB ("0": not)
//   BENCH_SEED=1                 the generator's seed
//   BENCH_KEEP=1                 keep generated files of 1 GB and more (deleted by default)
//   BENCH_REPS=5,3,1             runs at < 50 MB, < 500 MB, and above

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSize, generate, MIXES as ALL_MIXES } from './gen.mjs';
import { sizes as measureSizes, printSizes, buildNamed } from './sizes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'target/bench');
const DATA = path.join(OUT, 'data');
const CLI = path.join(ROOT, 'target/release/callstate');
const env = process.env;
const SIZES = (env.BENCH_SIZES || '10MB,100MB,1GB').split(',').map((s) => s.trim()).filter(Boolean);
const MIXES = (env.BENCH_MIXES || 'mixed,history').split(',').map((s) => s.trim()).filter(Boolean);
for (const m of MIXES) if (!ALL_MIXES.includes(m)) throw new Error(`BENCH_MIXES: unknown mix ${m} (${ALL_MIXES.join(', ')})`);
const STREAM = env.BENCH_STREAM ?? '2GB';
const FORMATS = env.BENCH_FORMATS !== '0';
const SEED = Number(env.BENCH_SEED || 1);
const KEEP = env.BENCH_KEEP === '1';
const [REPS_S, REPS_M, REPS_L] = (env.BENCH_REPS || '5,3,1').split(',').map(Number);
const reps = (bytes) => (bytes < 50e6 ? REPS_S : bytes < 500e6 ? REPS_M : REPS_L);
const MB = 1e6;

const log = (...a) => console.error('bench:', ...a);
const median = (xs) => (xs?.length ? [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)] : undefined);
const cold = (xs) => xs?.[0];
const warm = (xs) => (xs?.length > 1 ? median(xs.slice(1)) : undefined);

// ---- inputs ----------------------------------------------------------------------------------

const GEN_HASH = createHash('sha256').update(readFileSync(path.join(ROOT, 'bench/gen.mjs'))).digest('hex').slice(0, 12);
const EXT = { har: 'har', otlp: 'otlp.jsonl', jsonl: 'jsonl' };

/** The trace for a mix, format and size, generated unless an identical one is already there. */
function input(format, size, ascii = false, mix = 'mixed') {
  mkdirSync(DATA, { recursive: true });
  const file = path.join(DATA, `${format}-${size}-seed${SEED}${mix === 'mixed' ? '' : `-${mix}`}${ascii ? '-ascii' : ''}.${EXT[format]}`);
  const stamp = `${file}.stamp`;
  const want = `${GEN_HASH} ${format} ${size} ${SEED} ${ascii} ${mix}`;
  if (existsSync(file) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return file;
  log(`generating ${path.relative(ROOT, file)}`);
  const t0 = performance.now();
  const { bytes, calls } = generate({ format, size: parseSize(size), seed: SEED, out: file, ascii, mix });
  log(`  ${(bytes / MB).toFixed(0)} MB, ${calls} calls in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  writeFileSync(stamp, want);
  return file;
}

// ---- measurements ----------------------------------------------------------------------------

function runJson(cmd, args, what) {
  log(what);
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = (r.stdout || '').trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    const why = (r.stderr || '').trim().split('\n').filter(Boolean).slice(-3).join(' | ') || `exit ${r.status} ${r.signal || ''}`;
    return { error: why.slice(0, 400) };
  }
}

// The native CLI under a parent that reads its rusage: wall time and peak RSS, per process.
const WAIT4 = `
import os, sys, time, json
runs = []
for _ in range(int(sys.argv[1])):
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.execv(sys.argv[2], sys.argv[2:])
    _, status, ru = os.wait4(pid, 0)
    runs.append({"ms": (time.perf_counter() - t) * 1000, "rss": ru.ru_maxrss * 1024, "status": status})
print(json.dumps(runs))
`;

function native(file) {
  const n = reps(statSync(file).size);
  log(`native ${path.basename(file)} x${n}`);
  const args = ['analyze', '--format', 'json'];
  if (statSync(file).size >= 2 ** 30) args.push('--limit', `maxInputBytes=${2 ** 32 - 1}`);
  const r = spawnSync('python3', ['-c', WAIT4, String(n), CLI, ...args, file], { encoding: 'utf8' });
  try {
    const runs = JSON.parse(r.stdout);
    if (runs.some((x) => x.status !== 0)) return { error: `exit status ${runs.map((x) => x.status).join(',')}` };
    return { runs: runs.map((x) => x.ms), rss: Math.max(...runs.map((x) => x.rss)) };
  } catch {
    return { error: (r.stderr || '').trim().slice(-300) || 'python3 failed' };
  }
}

const nodeRun = (mode, file, n = 1) =>
  runJson(process.execPath, ['--max-old-space-size=12288', 'bench/node.mjs', '--mode', mode, '--file', file, '--reps', String(n)], `node ${mode} ${path.basename(file)} x${n}`);
const chromeRun = (mode, file, n = 1) =>
  runJson(process.execPath, ['bench/chromium.mjs', '--mode', mode, '--file', file, '--reps', String(n)], `chromium ${mode} ${path.basename(file)} x${n}`);

const streamingAvailable = () => /export class Analyzer\b/.test(readFileSync(path.join(ROOT, 'www/pkg/callstate.js'), 'utf8'));
const npmStreamAvailable = () => {
  const entry = path.join(ROOT, 'target/npm/callstate/node.js');
  return existsSync(entry) && /analyzeStream/.test(readFileSync(entry, 'utf8'));
};

// ---- formatting ------------------------------------------------------------------------------

const fmtMs = (ms) => (ms === undefined ? '' : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const fmtRate = (bytes, ms) => (ms ? `${(bytes / MB / (ms / 1000)).toFixed(0)} MB/s` : '');
const fmtMem = (b) => (b === undefined ? '' : b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / MB).toFixed(0)} MB`);
const fmtX = (x) => (x === undefined || !Number.isFinite(x) ? '' : `${x.toFixed(2)}×`);
const sizeLabel = (b) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / MB).toFixed(1)} MB`);

function timeCell(bytes, ms, extra = '') {
  if (ms === undefined) return '';
  return `${fmtMs(ms)} (${fmtRate(bytes, ms)})${extra}`;
}

function errCell(r, key = 'wasmError') {
  if (!r) return 'not run';
  if (r.unavailable) return 'not available';
  const e = r[key] || r.error;
  if (!e) return null;
  if (/string limit|Invalid string length/i.test(e)) return 'n/a (V8 string limit)';
  if (/memory|out of bounds|unreachable|Array buffer allocation|allocation failed/i.test(e)) return `did not fit (${e.slice(0, 60)})`;
  return `error: ${e.slice(0, 70)}`;
}

function table(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c ?? '').padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('  ');
  const out = [`\n${title}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  return out.join('\n');
}

// ---- main ------------------------------------------------------------------------------------

function jsTimes(r) {
  if (!r || r.jsError || !r.parseRuns) return {};
  const d = r.decodeRuns, p = r.parseRuns, b = r.bodiesRuns;
  const sum = (i) => d[i] + p[i];
  const all = (i) => d[i] + p[i] + b[i];
  const idx = [...Array(d.length).keys()];
  return {
    decodeCold: d[0], parseCold: sum(0), bodiesCold: all(0),
    decodeWarm: d.length > 1 ? median(d.slice(1)) : undefined,
    parseWarm: d.length > 1 ? median(idx.slice(1).map(sum)) : undefined,
    bodiesWarm: d.length > 1 ? median(idx.slice(1).map(all)) : undefined,
  };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const started = new Date();
  const results = { started: started.toISOString(), machine: machine(), seed: SEED, generator: GEN_HASH, mixes: MIXES, har: [], formats: [], stream: [], goals: [] };
  for (const mix of MIXES) measureMix(results, mix);
  measureRest(results);
  results.goals = goals(results);
  results.finished = new Date().toISOString();
  results.loadAtEnd = os.loadavg();
  writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  print(results);
  console.log(`\n(${path.relative(ROOT, path.join(OUT, 'results.json'))}; ${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

/** The same measurements for every mix: HARs at each size, then the other formats. */
function measureMix(results, mix) {
  // HAR at each size: native, wasm in Node (with the JS baselines), wasm in Chromium (same).
  for (const size of SIZES) {
    const file = input('har', size, false, mix);
    const bytes = statSync(file).size;
    const n = reps(bytes);
    const row = { mix, size, bytes, file: path.relative(ROOT, file) };
    row.native = native(file);
    row.node = nodeRun('analyze', file, n);
    if (row.node.wasmError || row.node.error) {
      // The largest that fits: try smaller inputs until one does.
      for (const f of [0.75, 0.5, 0.25]) {
        const smaller = `${Math.round((parseSize(size) * f) / MB)}MB`;
        const r = nodeRun('analyze', input('har', smaller, false, mix), 1);
        if (!r.wasmError && !r.error) {
          row.nodeFit = { size: smaller, ...r };
          break;
        }
      }
    }
    row.chromium = chromeRun('analyze', file, n);
    if (streamingAvailable()) {
      row.nodeStream = nodeRun('stream', file);
      row.chromiumStream = chromeRun('stream', file);
    }
    if (npmStreamAvailable()) row.npmStream = nodeRun('npm-stream', file);
    results.har.push(row);
    if (bytes >= 1e9 && !KEEP) cleanup(file);
  }

  // Other formats, in Node and natively, at the sizes up to 100 MB.
  if (FORMATS) {
    for (const size of SIZES.filter((s) => parseSize(s) <= 100 * MB)) {
      for (const [format, ascii] of [['har', true], ['otlp', false], ['jsonl', false]]) {
        const file = input(format, size, ascii, mix);
        const bytes = statSync(file).size;
        const label = ascii ? `${format} (ASCII only)` : format;
        results.formats.push({ mix, format: label, kind: format, size, bytes, native: native(file), node: nodeRun('analyze', file, reps(bytes)) });
      }
    }
  }
}

/** What does not depend on the mix: the streaming API on a large HAR, and the sizes. */
function measureRest(results) {
  // The streaming API on a HAR larger than analyze() takes, in Chromium from File.stream().
  if (STREAM !== '0' && parseSize(STREAM) > 0) {
    if (streamingAvailable()) {
      const file = input('har', STREAM, false, MIXES[0]);
      const bytes = statSync(file).size;
      results.stream.push({ mix: MIXES[0], size: STREAM, bytes, chromium: chromeRun('stream', file), node: nodeRun('stream', file) });
      if (!KEEP) cleanup(file);
    } else {
      results.stream.push({ size: STREAM, unavailable: true });
    }
  }

  try {
    log('wasm-opt with names kept, for the size table');
    buildNamed((env.WASM_FEATURES || '').split(/\s+/).filter(Boolean));
  } catch (e) {
    log(`could not build the named optimised wasm: ${String(e.message).split('\n')[0]}`);
  }
  results.sizes = measureSizes();
}

function cleanup(file) {
  for (const f of [file, `${file}.stamp`]) if (existsSync(f)) unlinkSync(f);
}

function machine() {
  const v = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.trim().split('\n')[0];
  return {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memory: os.totalmem(),
    node: process.version,
    rustc: v('rustc', ['--version']),
    load: os.loadavg(),
  };
}

/** The wasm run a row's goals use: the HAR's own, or the largest that fitted. */
function wasmOf(row, host) {
  const r = row[host];
  if (r && r.wasmRuns && !r.wasmError) return { bytes: r.size, ms: cold(r.wasmRuns), warm: warm(r.wasmRuns), peak: r.wasmPeakMemory };
  const f = host === 'node' ? row.nodeFit : undefined;
  if (f && f.wasmRuns) return { bytes: f.size, ms: cold(f.wasmRuns), peak: f.wasmPeakMemory, fit: true };
  return null;
}

/** Every goal, a row each, with its value for each mix (or for all, when the mix does not matter). */
function goals(results) {
  const rows = [];
  const row = (name, goal) => {
    let r = rows.find((x) => x.name === name);
    if (!r) rows.push((r = { name, goal, values: {} }));
    return r;
  };
  for (const mix of results.mixes) {
    const har = results.har.filter((r) => r.mix === mix);
    const formats = results.formats.filter((r) => r.mix === mix);
    for (const x of goalsFor(har, formats)) row(x.name, x.goal).values[mix] = { value: x.value, met: x.met, note: x.note };
  }
  for (const x of commonGoals(results)) row(x.name, x.goal).values.all = { value: x.value, met: x.met, note: x.note };
  return rows;
}

/** The goals one mix's measurements answer. */
function goalsFor(har, formats) {
  const g = [];
  const add = (name, value, goal, met, note = '') => g.push({ name, value, goal, met, note });
  const at100 = har.find((r) => r.bytes >= 90 * MB && r.bytes < 200 * MB);
  for (const host of ['node', 'chromium']) {
    const label = host === 'node' ? 'Node' : 'Chromium';
    const r = at100?.[host];
    const w = at100 && wasmOf(at100, host);
    const js = jsTimes(r);
    if (w && js.parseCold) {
      add(`wasm / (decode + JSON.parse(file)), 100 MB HAR, ${label}, first`, w.ms / js.parseCold, '≤ 1.0×', w.ms / js.parseCold <= 1.0);
      if (w.warm && js.parseWarm) add(`wasm / (decode + JSON.parse(file)), 100 MB HAR, ${label}, warm`, w.warm / js.parseWarm, '≤ 1.0×', w.warm / js.parseWarm <= 1.0);
      add(`wasm / JS (parse + every body), 100 MB HAR, ${label}, first`, w.ms / js.bodiesCold, '≤ 0.5×', w.ms / js.bodiesCold <= 0.5, w.warm ? `warm ${fmtX(w.warm / js.bodiesWarm)}` : '');
    } else add(`wasm / (decode + JSON.parse(file)), 100 MB HAR, ${label}, first`, undefined, '≤ 1.0×', undefined, 'not measured');
  }
  if (at100?.native?.runs) {
    const nat = at100.native.runs;
    const rate = (ms) => at100.bytes / MB / (ms / 1000);
    add('native MB/s, 100 MB HAR, first', rate(cold(nat)), '≥ 600', rate(cold(nat)) >= 600, `median ${rate(median(nat)).toFixed(0)} MB/s`);
    const w = wasmOf(at100, 'node');
    if (w) add('wasm (Node) / native, 100 MB HAR', w.ms / cold(nat), '≤ 1.5×', w.ms / cold(nat) <= 1.5, w.warm ? `warm ${fmtX(w.warm / median(nat))}` : '');
  }
  // OTLP/JSON against HAR, per MB, at the largest size both were run at (≤ 100 MB).
  const otlp = formats.filter((f) => f.kind === 'otlp').sort((x, y) => y.bytes - x.bytes)[0];
  const harAt = otlp && har.find((r) => r.size === otlp.size);
  if (otlp && harAt) {
    const perMb = (ms, bytes) => ms / (bytes / MB);
    const n = otlp.native?.runs && harAt.native?.runs ? perMb(cold(otlp.native.runs), otlp.bytes) / perMb(cold(harAt.native.runs), harAt.bytes) : undefined;
    const wo = !otlp.node?.wasmError && otlp.node?.wasmRuns, wh = !harAt.node?.wasmError && harAt.node?.wasmRuns;
    const wx = wo && wh ? perMb(cold(wo), otlp.bytes) / perMb(cold(wh), harAt.bytes) : undefined;
    if (n !== undefined) add(`OTLP/JSON time/MB / HAR's, ${otlp.size}, native`, n, '≤ 1.5×', n <= 1.5);
    if (wx !== undefined) add(`OTLP/JSON time/MB / HAR's, ${otlp.size}, wasm (Node)`, wx, '≤ 1.5×', wx <= 1.5);
  }
  const first = har[0], last = har[har.length - 1];
  if (first && last && first !== last) {
    // The same ratio from the middle size (100 MB) up, where the mix of sessions has settled.
    const mid = har.length > 2 ? har[har.length - 2] : null;
    const nat = (r) => (r?.native?.runs ? cold(r.native.runs) / (r.bytes / MB) : undefined);
    const a = nat(first), b = nat(last), m = nat(mid);
    const from = (x) => (mid ? `${mid.size}→${last.size}: ${fmtX(x)}` : '');
    if (a && b) add(`native time/MB, ${first.size}→${last.size}`, b / a, '≤ 1.2×', b / a <= 1.2, m ? from(b / m) : '');
    const perMb = (w) => w.ms / (w.bytes / MB);
    for (const host of ['node', 'chromium']) {
      const wf = wasmOf(first, host), wl = wasmOf(last, host), wm = mid && wasmOf(mid, host);
      if (wf && wl) {
        const x = perMb(wl) / perMb(wf);
        const notes = [wl.bytes < last.bytes ? 'largest that fitted' : '', wm ? from(perMb(wl) / perMb(wm)) : ''].filter(Boolean).join('; ');
        add(`wasm ${host} time/MB, ${first.size}→${last.size}`, x, '≤ 1.2×', x <= 1.2, notes);
      }
    }
  }
  for (const row of har) {
    const w = wasmOf(row, 'node');
    if (w?.peak) add(`peak wasm memory / input, ${w.bytes < row.bytes ? sizeLabel(w.bytes) : row.size} (Node)`, w.peak / w.bytes, '≤ 1.5×', w.peak / w.bytes <= 1.5);
  }
  return g;
}

/** The goals no mix changes: streaming a large HAR, the sizes of what ships. */
function commonGoals(results) {
  const g = [];
  const add = (name, value, goal, met, note = '') => g.push({ name, value, goal, met, note });
  for (const s of results.stream) {
    const r = s.chromium;
    if (s.unavailable || r?.unavailable) add(`streaming ${s.size} HAR in Chromium, peak memory / file`, undefined, '< 0.25×', undefined, 'not available');
    else if (r?.wasmPeakMemory && !r.wasmError) add(`streaming ${sizeLabel(s.bytes)} HAR in Chromium, peak memory / file`, r.wasmPeakMemory / s.bytes, '< 0.25×', r.wasmPeakMemory / s.bytes < 0.25, `${s.mix} mix`);
    else add(`streaming ${s.size} HAR in Chromium, peak memory / file`, undefined, '< 0.25×', false, errCell(r) || 'failed');
  }
  const sz = results.sizes;
  if (sz?.wasm) {
    add('.wasm gzipped (KiB)', sz.wasm.gzip / 1024, '≤ 150', sz.wasm.gzip <= 150 * 1024, `stretch ≤ 100: ${sz.wasm.gzip <= 100 * 1024 ? 'met' : 'not met'}`);
  }
  if (sz?.glue) add('JS glue gzipped (KiB)', sz.glue.gzip / 1024, '< 10', sz.glue.gzip < 10 * 1024);
  return g;
}

function print(results) {
  const load = (l) => l.map((x) => x.toFixed(1)).join(' ');
  const chromium = results.har.find((r) => r.chromium?.browser)?.chromium.browser;
  console.log(`\ncallstate benchmark — ${results.machine.cpus} CPUs, Node ${results.machine.node}${chromium ? `, Chromium ${chromium}` : ''}, seed ${results.seed}; load average ${load(results.machine.load)} at the start, ${load(results.loadAtEnd)} at the end`);
  for (const mix of results.mixes) printHar(results.har.filter((r) => r.mix === mix), `HAR, ${mix} mix`);
  printOthers(results);
}

/** One mix's HAR table: a column per size. */
function printHar(har, title) {
  const header = ['HAR', ...har.map((r) => sizeLabel(r.bytes))];
  const rows = [];
  const push = (label, f) => rows.push([label, ...har.map((r) => f(r) ?? '')]);
  push('calls', (r) => r.node?.calls ?? r.chromium?.calls ?? '');
  for (const host of ['node', 'chromium']) {
    const L = host === 'node' ? 'Node' : 'Chromium';
    push(`${L}: TextDecoder`, (r) => errCell(r[host], 'jsError') || timeCell(r.bytes, jsTimes(r[host]).decodeCold));
    push(`${L}: decode + JSON.parse(file)`, (r) => errCell(r[host], 'jsError') || timeCell(r.bytes, jsTimes(r[host]).parseCold));
    push(`${L}: ... + JSON.parse(every body)`, (r) => errCell(r[host], 'jsError') || timeCell(r.bytes, jsTimes(r[host]).bodiesCold));
    push(`${L}: wasm analyze, first run`, (r) => errCell(r[host]) || timeCell(r.bytes, cold(r[host]?.wasmRuns)));
    push(`${L}: wasm analyze, warm (median)`, (r) => (errCell(r[host]) ? '' : timeCell(r.bytes, warm(r[host]?.wasmRuns))));
    push(`${L}: JS decode+parse, warm`, (r) => (errCell(r[host], 'jsError') ? '' : timeCell(r.bytes, jsTimes(r[host]).parseWarm)));
    push(`${L}: JS parse+bodies, warm`, (r) => (errCell(r[host], 'jsError') ? '' : timeCell(r.bytes, jsTimes(r[host]).bodiesWarm)));
    push(`${L}: wasm / (parse+bodies), first`, (r) => fmtX(cold(r[host]?.wasmRuns) / jsTimes(r[host]).bodiesCold));
    push(`${L}: wasm / parse, first`, (r) => fmtX(cold(r[host]?.wasmRuns) / jsTimes(r[host]).parseCold));
    push(`${L}: wasm peak memory (× input)`, (r) => (r[host]?.wasmPeakMemory ? `${fmtMem(r[host].wasmPeakMemory)} (${fmtX(r[host].wasmPeakMemory / r.bytes)})` : ''));
    if (host === 'node') {
      push('Node: largest wasm input that fits', (r) => (r.nodeFit ? `${sizeLabel(r.nodeFit.size)}: ${fmtMs(cold(r.nodeFit.wasmRuns))}, ${fmtMem(r.nodeFit.wasmPeakMemory)}` : ''));
    }
  }
  push('native CLI, first run', (r) => errCell(r.native) || timeCell(r.bytes, cold(r.native?.runs)));
  push('native CLI, median', (r) => (r.native?.runs ? timeCell(r.bytes, median(r.native.runs)) : ''));
  push('native peak RSS (× input)', (r) => (r.native?.rss ? `${fmtMem(r.native.rss)} (${fmtX(r.native.rss / r.bytes)})` : ''));
  push('wasm (Node) / native, first', (r) => fmtX(cold(r.node?.wasmRuns) / cold(r.native?.runs)));
  push('wasm (Node) / native, warm', (r) => fmtX(warm(r.node?.wasmRuns) / median(r.native?.runs?.slice(1)?.length ? r.native.runs.slice(1) : r.native?.runs)));
  push('ms/MB native', (r) => (r.native?.runs ? (cold(r.native.runs) / (r.bytes / MB)).toFixed(2) : ''));
  push('ms/MB wasm Node', (r) => (r.node?.wasmRuns && !r.node.wasmError ? (cold(r.node.wasmRuns) / (r.bytes / MB)).toFixed(2) : ''));
  push('ms/MB wasm Chromium', (r) => (r.chromium?.wasmRuns && !r.chromium.wasmError ? (cold(r.chromium.wasmRuns) / (r.bytes / MB)).toFixed(2) : ''));
  push('streaming, Node (peak memory)', (r) => (r.nodeStream ? errCell(r.nodeStream) || `${timeCell(r.bytes, cold(r.nodeStream.wasmRuns))}, ${fmtMem(r.nodeStream.wasmPeakMemory)}` : 'not available'));
  push('streaming, npm analyzeStream (peak RSS)', (r) => (r.npmStream ? errCell(r.npmStream) || `${timeCell(r.bytes, cold(r.npmStream.wasmRuns))}, ${fmtMem(r.npmStream.rss)}` : 'not available'));
  push('streaming, Chromium File.stream()', (r) => (r.chromiumStream ? errCell(r.chromiumStream) || `${timeCell(r.bytes, cold(r.chromiumStream.wasmRuns))}, ${fmtMem(r.chromiumStream.wasmPeakMemory)}` : 'not available'));
  console.log(table(title, header, rows));
}

function printOthers(results) {
  if (results.formats.length) {
    const rows2 = results.formats.map((f) => {
      const js = jsTimes(f.node);
      return [
        `${f.format} ${sizeLabel(f.bytes)}`, f.mix, f.node?.calls ?? '', errCell(f.node, 'jsError') || timeCell(f.bytes, js.parseCold), errCell(f.node, 'jsError') || timeCell(f.bytes, js.bodiesCold),
        errCell(f.node) || timeCell(f.bytes, cold(f.node?.wasmRuns)), fmtX(cold(f.node?.wasmRuns) / js.bodiesCold),
        f.node?.wasmPeakMemory ? `${fmtMem(f.node.wasmPeakMemory)} (${fmtX(f.node.wasmPeakMemory / f.bytes)})` : '',
        errCell(f.native) || timeCell(f.bytes, cold(f.native?.runs)), f.native?.rss ? fmtMem(f.native.rss) : '',
      ];
    });
    console.log(table('Other formats (Node; first runs)', ['input', 'mix', 'calls', 'decode+JSON.parse', '+ every body', 'wasm analyze', 'wasm/(parse+bodies)', 'wasm peak mem', 'native', 'native RSS'], rows2));
  }
  if (results.stream.length) {
    const rows3 = results.stream.map((s) => [
      `HAR ${s.bytes ? sizeLabel(s.bytes) : s.size}`,
      s.unavailable ? 'not available' : errCell(s.chromium) || `${timeCell(s.bytes, cold(s.chromium.wasmRuns))}, peak ${fmtMem(s.chromium.wasmPeakMemory)} (${fmtX(s.chromium.wasmPeakMemory / s.bytes)})`,
      s.unavailable ? 'not available' : errCell(s.node) || `${timeCell(s.bytes, cold(s.node.wasmRuns))}, peak ${fmtMem(s.node.wasmPeakMemory)} (${fmtX(s.node.wasmPeakMemory / s.bytes)})`,
    ]);
    console.log(table('Streaming API (Analyzer.push/finish)', ['input', 'Chromium, File.stream()', 'Node, fs stream'], rows3));
  }
  console.log('');
  printSizes(results.sizes, console.log);
  // A column per mix: the value and whether it meets the goal; goals no mix changes span them.
  const fmtV = (name, v) => (v.value === undefined ? '' : name.includes('KiB') ? v.value.toFixed(1) : name.includes('MB/s') ? v.value.toFixed(0) : fmtX(v.value));
  const cell = (name, v) => (v ? `${fmtV(name, v)} ${v.met === undefined ? 'n/a' : v.met ? 'met' : 'NOT MET'}`.trim() : '');
  const rows4 = results.goals.map((x) => [
    x.name, x.goal,
    ...results.mixes.map((m) => cell(x.name, x.values[m] ?? x.values.all)),
    [...new Set([...results.mixes, 'all'].filter((m) => x.values[m]?.note).map((m) => (x.values.all ? x.values[m].note : `${m}: ${x.values[m].note}`)))].join('; '),
  ]);
  console.log(table('Goals (first runs unless the goal says warm)', ['goal', 'target', ...results.mixes, 'note'], rows4));
}

await main();
