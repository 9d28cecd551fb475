// The Chromium side of the benchmark: the same measurements as bench/node.mjs, in a page.
// Driven by bench/chromium.mjs, which serves www/pkg/ at /pkg/, bench/ at /bench/ and the
// generated traces at /data/.

import init, * as glue from '/pkg/callstate.js';
import { parseAllBodies, parseDocument, isLines } from '/bench/baseline.mjs';

const MAX_STRING_LENGTH = 2 ** 29 - 24;
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];

function time(fn) {
  const t0 = performance.now();
  const value = fn();
  return [performance.now() - t0, value];
}

function optionsFor(name, size) {
  const options = { name };
  if (size >= 2 ** 30) options.limits = { maxInputBytes: 2 ** 32 - 1, maxTreeSize: 2 ** 32 - 1 };
  return options;
}

async function analyzeMode({ url, name, reps }) {
  const { memory } = await init({ module_or_path: '/pkg/callstate_bg.wasm' });
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const out = { size: bytes.length, mode: 'analyze', memoryBefore: memory.buffer.byteLength };
  const wasm = [];
  try {
    let report;
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
  if (bytes.length > MAX_STRING_LENGTH) {
    out.jsError = 'V8 string limit';
    return out;
  }
  const decode = [], parse = [], bodies = [];
  try {
    for (let i = 0; i < reps; i++) {
      const [dms, text] = time(() => new TextDecoder().decode(bytes));
      const [pms, doc] = time(() => parseDocument(text, isLines(name)));
      const [bms, n] = time(() => parseAllBodies(doc));
      decode.push(dms);
      parse.push(pms);
      bodies.push(bms);
      out.jsBodies = n;
    }
    Object.assign(out, { decodeRuns: decode, parseRuns: parse, bodiesRuns: bodies });
  } catch (e) {
    out.jsError = String(e?.message || e).slice(0, 300);
  }
  return out;
}

/** The streaming API fed from `File.stream()` (the file the user picked), when it exists. */
async function streamMode({ name }) {
  const { memory } = await init({ module_or_path: '/pkg/callstate_bg.wasm' });
  const file = document.getElementById('file').files[0];
  const out = { size: file.size, mode: 'stream', memoryBefore: memory.buffer.byteLength };
  if (typeof glue.Analyzer !== 'function') return { ...out, unavailable: true };
  try {
    const t0 = performance.now();
    const analyzer = new glue.Analyzer(optionsFor(name, file.size));
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      analyzer.push(value);
    }
    const report = analyzer.finish();
    out.wasmRuns = [performance.now() - t0];
    out.calls = report.summary?.calls;
    out.verdict = report.verdict?.label;
  } catch (e) {
    out.wasmError = String(e?.message || e).slice(0, 300);
  }
  out.wasmPeakMemory = memory.buffer.byteLength;
  return out;
}

window.bench = (args) => (args.mode === 'stream' ? streamMode(args) : analyzeMode(args));
window.benchReady = true;
