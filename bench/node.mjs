#!/usr/bin/env node
// One measurement in a fresh Node process, so that the wasm memory's peak is this run's own.
//
//   node bench/node.mjs --mode analyze --file FILE [--reps N]   wasm analyze(), then, in the same
//                                                               process, the JS baselines
//   node bench/node.mjs --mode stream --file FILE              wasm `Analyzer` fed chunk by chunk
//   node bench/node.mjs --mode npm-stream --file FILE          the npm package's analyzeStream()
//
// `--pkg DIR` takes the wasm-bindgen output from DIR instead of www/pkg/, e.g. one made with
// `wasm-bindgen --keep-debug` from the un-optimised build, whose function names a
// `node --cpu-prof` profile then shows.
//
// Prints one JSON object on stdout: times in milliseconds, one per run (the first is the cold one).

import { readFileSync, createReadStream, statSync } from 'node:fs';
import { constants } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseAllBodies, parseDocument, isLines } from './baseline.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let PKG = path.join(ROOT, 'www/pkg');

function args() {
  const a = { mode: 'analyze', file: null, reps: 1 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--mode') a.mode = argv[++i];
    else if (argv[i] === '--file') a.file = argv[++i];
    else if (argv[i] === '--reps') a.reps = Number(argv[++i]);
    else if (argv[i] === '--pkg') PKG = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

function time(fn) {
  const t0 = performance.now();
  const value = fn();
  return [performance.now() - t0, value];
}

/** Options that let inputs past the default 1 GiB limit through (only used above it). */
function optionsFor(name, size) {
  const options = { name };
  if (size >= 2 ** 30) options.limits = { maxInputBytes: 2 ** 32 - 1, maxTreeSize: 2 ** 32 - 1 };
  return options;
}

async function loadWasm() {
  const glue = await import(path.join(PKG, 'callstate.js'));
  const exports = glue.initSync({ module: readFileSync(path.join(PKG, 'callstate_bg.wasm')) });
  return { glue, memory: exports.memory };
}

async function analyzeMode({ file, reps }) {
  const { glue, memory } = await loadWasm();
  const buf = readFileSync(file);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  const name = path.basename(file);
  const out = { size: bytes.length, mode: 'analyze', memoryBefore: memory.buffer.byteLength };

  // wasm first, on a fresh instance: the memory after the first run is this input's peak.
  const wasm = [];
  let report;
  try {
    for (let i = 0; i < reps; i++) {
      const [ms, r] = time(() => glue.analyze(bytes, optionsFor(name, bytes.length)));
      wasm.push(ms);
      if (i === 0) out.wasmPeakMemory = memory.buffer.byteLength;
      report = r;
    }
    out.wasmRuns = wasm;
    out.calls = report.summary?.calls;
    out.verdict = report.verdict?.label;
  } catch (e) {
    out.wasmError = String(e?.message || e).slice(0, 300);
    out.wasmPeakMemory = memory.buffer.byteLength;
  }
  report = null;

  // The JS baselines, in the same process: decode, JSON.parse, and JSON.parse of every body.
  if (bytes.length > constants.MAX_STRING_LENGTH) {
    out.jsError = 'V8 string limit';
  } else {
    const decode = [], parse = [], bodies = [];
    let bodyCount = 0;
    try {
      for (let i = 0; i < reps; i++) {
        const [dms, text] = time(() => new TextDecoder().decode(bytes));
        const [pms, doc] = time(() => parseDocument(text, isLines(file)));
        const [bms, n] = time(() => parseAllBodies(doc));
        decode.push(dms);
        parse.push(pms);
        bodies.push(bms);
        bodyCount = n;
      }
      Object.assign(out, { decodeRuns: decode, parseRuns: parse, bodiesRuns: bodies, jsBodies: bodyCount });
    } catch (e) {
      out.jsError = String(e?.message || e).slice(0, 300);
    }
  }
  return out;
}

async function streamMode({ file }) {
  const { glue, memory } = await loadWasm();
  const size = statSync(file).size;
  const out = { size, mode: 'stream', memoryBefore: memory.buffer.byteLength };
  if (typeof glue.Analyzer !== 'function') return { ...out, unavailable: true };
  const t0 = performance.now();
  const analyzer = new glue.Analyzer(optionsFor(path.basename(file), size));
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    analyzer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
  }
  const report = analyzer.finish();
  out.wasmRuns = [performance.now() - t0];
  out.wasmPeakMemory = memory.buffer.byteLength;
  out.calls = report.summary?.calls;
  out.verdict = report.verdict?.label;
  return out;
}

async function npmStreamMode({ file }) {
  const size = statSync(file).size;
  const out = { size, mode: 'npm-stream' };
  let npm;
  try {
    npm = await import(path.join(ROOT, 'target/npm/callstate/node.js'));
  } catch (e) {
    return { ...out, unavailable: true, error: String(e.message).slice(0, 200) };
  }
  if (typeof npm.analyzeStream !== 'function') return { ...out, unavailable: true };
  const t0 = performance.now();
  const report = await npm.analyzeStream(createReadStream(file, { highWaterMark: 1 << 20 }), optionsFor(path.basename(file), size));
  out.wasmRuns = [performance.now() - t0];
  out.rss = process.resourceUsage().maxRSS * 1024; // peak RSS of this process, Node itself included
  out.calls = report.summary?.calls;
  out.verdict = report.verdict?.label;
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const a = args();
  const run = { analyze: analyzeMode, stream: streamMode, 'npm-stream': npmStreamMode }[a.mode];
  if (!run) throw new Error(`unknown mode ${a.mode}`);
  const result = await run(a);
  process.stdout.write(JSON.stringify(result) + '\n');
}
