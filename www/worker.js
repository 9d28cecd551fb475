// Runs the wasm analyser off the main thread, for the page and for the widget.
//
// In:  {type: 'analyse', files: [{name, blob}], rules?, policy?}  (blob: a File or Blob, read here)
//      {type: 'check', rules?, policy?}                    (validates them, analysing nothing)
//      {type: 'export', format: 'json' | 'markdown'}       (of the last report)
//      {type: 'exchange', call}                            (one call of the last report, from 1)
// Out: {type: 'ready'}                                    (the wasm is loaded)
//      {type: 'progress', phase: 'reading' | 'analysing', name, done, total, bytes, totalBytes, calls}
//      {type: 'part', key: 'calls' | 'evidence' | 'sessions', items}   (a report's long lists, in slices)
//      {type: 'result', name, report, covers}              (report without the lists sent in parts)
//      {type: 'error', name, message, location, excerpt, fatal?}   (one result or error per file)
//      {type: 'export', format, text} | {type: 'exchange', call, view, error}
//      {type: 'check', error, location}
//
// A big report is sent in slices so that no single message takes the page long to receive.
// The last run's `Analysis` stays here, in wasm memory, for exports and the call view: opening a
// call asks it, never analyses again. Each analysis made is marked (`performance.mark`,
// 'callstate:analysis'), so that a profile or a test can count them.

import init, * as wasm from './pkg/callstate.js';

// Deliberately not awaited at top level: the message handler has to be installed while the
// module first runs, or a message sent during start-up could be missed.
const ready = init();
// Says when the analyser is loaded, so that the page can work offline from then on.
ready.then(() => self.postMessage({ type: 'ready' }), () => {});

const PROGRESS_EVERY_MS = 100;
const SLICE = 500; // calls, evidence items or sessions per message: each is read in a few ms
// Inputs this big are pushed to the streaming Analyzer as they are read, for progress that counts
// calls; smaller ones (read in a blink) go to analyze() whole.
const STREAM_FROM = 8 * 1024 * 1024;
// Up to this size the analysis keeps every call whole (about the input's size in memory), so that
// a call opens at once; above it, only what the report needs, and the call view says why.
const KEEP_CALLS_UP_TO = 256 * 1024 * 1024;

// Set to the file's name once the wasm traps (a Rust panic). The instance's memory may then be
// inconsistent, so nothing more is analysed here; the page starts a new worker.
let crashedOn = null;

/** The last run's analysis (a wasm `Analysis`) and its report: {analysis, report}, or null. */
let last = null;

/** Frees the last run's analysis, when a new run starts. */
function forget() {
  last?.analysis.free();
  last = null;
}

self.onmessage = async ({ data }) => {
  try {
    await ready;
  } catch (err) {
    const message = `The analyser could not be loaded (${describe(err)}). If you built this page yourself, run \`make build\`.`;
    if (data?.type === 'analyse') {
      for (const { name } of data.files ?? []) self.postMessage({ type: 'error', name, message, location: null, excerpt: null, fatal: true });
    } else {
      self.postMessage({ type: data?.type, format: data?.format, call: data?.call, error: message, location: null });
    }
    return;
  }
  if (data?.type === 'analyse') return analyseMessage(data);
  if (data?.type === 'export') return exportMessage(data);
  if (data?.type === 'exchange') return exchangeMessage(data);
  if (data?.type === 'check') return checkMessage(data);
};

// ---------------------------------------------------------------- progress

let lastProgress = 0;

function progress(state, force = false) {
  const now = performance.now();
  if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
  lastProgress = now;
  self.postMessage({ type: 'progress', ...state });
}

// ---------------------------------------------------------------- analysing

async function analyseMessage({ files = [], rules, policy }) {
  forget();
  rules = rules ?? undefined;
  policy = policy ?? undefined;
  const total = files.length;
  const totalBytes = files.reduce((sum, file) => sum + (file.blob?.size ?? 0), 0);
  const meter = { phase: 'reading', name: files[0]?.name, done: 0, total, bytes: 0, totalBytes, calls: 0 };
  progress(meter, true);

  if (files.length === 1) {
    const [{ name, blob }] = files;
    const options = { name, rules, policy };
    const outcome = await attempt(name, () => analyseInputs([{ name, blob }], options, meter));
    if (outcome.analysis) send(name, keep(outcome.analysis), 1);
    else self.postMessage(outcome.error);
    return;
  }
  // Several files are one trace: a front-door capture and a back-end trace are analysed
  // together, so that calls can be linked across them. A bad file does not cost the others.
  const options = { partial: true, rules, policy };
  const together = await attempt(null, () => analyseInputs(files, options, meter));
  if (!together.analysis) {
    // Every file is bad (or the analyser failed): analyse each alone for its own message.
    for (const [done, { name, blob }] of files.entries()) {
      const alone = await attempt(name, () => analyseInputs([{ name, blob }], { name, rules, policy }, { ...meter, done, name, bytes: 0, totalBytes: blob.size }));
      if (alone.analysis) send(name, keep(alone.analysis), 1);
      else self.postMessage(alone.error);
    }
    return;
  }
  const report = keep(together.analysis);
  for (const d of report.diagnostics.filter((d) => d.severity === 'error' && d.location?.input)) {
    const location = plainLocation(d.location);
    self.postMessage({ type: 'error', name: location.input, message: d.message, location, excerpt: excerptOf(location) });
  }
  const names = report.inputs.map((input) => input.name);
  send(names.join(' + '), report, names.length);
}

/** Runs `work`; returns {analysis} or {error: the message to post}. */
async function attempt(name, work) {
  if (crashedOn !== null) {
    return {
      error: {
        type: 'error', name, location: null, excerpt: null, fatal: true,
        message: `Not analysed: the analyser stopped after an internal error on ${crashedOn}. Open this file again to retry it.`,
      },
    };
  }
  try {
    return { analysis: await work() };
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) {
      crashedOn = name ?? 'these files';
      return {
        error: {
          type: 'error', name, location: null, excerpt: null, fatal: true,
          message: `The analyser hit an internal error on this file (${describe(err)}). This is a bug in callstate, not a problem with the file.`,
        },
      };
    }
    if (err?.unreadable) return { error: { type: 'error', name: err.unreadable, message: err.message, location: null, excerpt: null } };
    // Errors from the analyser carry a full sentence and a `location`; anything else is a plain JS error.
    const location = plainLocation(err?.location);
    return { error: { type: 'error', name, message: describe(err), location, excerpt: excerptOf(location) } };
  }
}

/**
 * The one place that turns files into an `Analysis`. Big files go to the streaming `Analyzer` in
 * chunks as they are read, so progress counts calls as they are parsed and no file is ever held
 * whole; small ones are read into one buffer and analysed at once.
 */
async function analyseInputs(inputs, options, meter) {
  performance.mark('callstate:analysis');
  const size = inputs.reduce((sum, { blob }) => sum + blob.size, 0);
  if (size >= STREAM_FROM) return analyseStreaming(inputs, options, meter);
  const buffers = [];
  for (const [done, { name, blob }] of inputs.entries()) {
    const bytes = new Uint8Array(blob.size);
    let at = 0;
    await readChunks(name, blob, (chunk) => {
      bytes.set(chunk, at);
      at += chunk.length;
      meter.bytes += chunk.length;
      progress({ ...meter, phase: 'reading', name, done });
    });
    buffers.push({ name, bytes: at === bytes.length ? bytes : bytes.subarray(0, at) });
  }
  progress({ ...meter, phase: 'analysing', name: inputs.length === 1 ? inputs[0].name : null, done: 0 }, true);
  return new wasm.Analysis(inputs.length === 1 && !options.partial ? buffers[0].bytes : buffers, options);
}

async function analyseStreaming(inputs, options, meter) {
  // Keeping the calls whole lets the analysis show any call without reading the files again.
  const keepCalls = inputs.reduce((sum, { blob }) => sum + blob.size, 0) <= KEEP_CALLS_UP_TO;
  const analyzer = new wasm.Analyzer(inputs.length === 1 ? options : { ...options, name: inputs[0].name }, keepCalls);
  try {
    for (const [done, { name, blob }] of inputs.entries()) {
      if (done > 0) analyzer.begin(name);
      await readChunks(name, blob, (chunk) => {
        analyzer.push(chunk);
        meter.bytes += chunk.length;
        progress({ ...meter, phase: 'reading', name, done, calls: analyzer.calls });
      });
    }
    progress({ ...meter, phase: 'analysing', name: inputs.length === 1 ? inputs[0].name : null, calls: analyzer.calls }, true);
    return analyzer.analysis();
  } finally {
    analyzer.free();
  }
}

/** Reads a Blob in chunks (about 64 KiB each), calling `take(Uint8Array)` for each. */
async function readChunks(name, blob, take) {
  let reader;
  try {
    reader = blob.stream().getReader();
  } catch (err) {
    throw Object.assign(new Error(`The file could not be read (${describe(err).replace(/\.$/, '')}).`), { unreadable: name });
  }
  for (;;) {
    let step;
    try {
      step = await reader.read();
    } catch (err) {
      throw Object.assign(new Error(`The file could not be read (${describe(err).replace(/\.$/, '')}).`), { unreadable: name });
    }
    if (step.done) return;
    take(step.value);
  }
}

/** The report's lists that can be long. */
const LISTS = ['calls', 'evidence', 'sessions'];

/** Keeps `analysis` as the last run's, freeing the one before; returns its report. */
function keep(analysis) {
  forget();
  last = { analysis, report: analysis.report() };
  return last.report;
}

/** Sends a report: its long lists in slices, then the rest. */
function send(name, report, covers) {
  const head = { ...report };
  for (const key of LISTS) {
    const items = report[key] ?? [];
    if (items.length <= SLICE) continue;
    head[key] = [];
    for (let i = 0; i < items.length; i += SLICE) self.postMessage({ type: 'part', key, items: items.slice(i, i + SLICE) });
  }
  self.postMessage({ type: 'result', name, report: head, covers });
}

// ---------------------------------------------------------------- exports and the call view

function exportMessage({ format }) {
  const reply = { type: 'export', format };
  if (!last) return self.postMessage({ ...reply, error: 'There is no report to export.' });
  try {
    if (format === 'json') reply.text = `${JSON.stringify(last.report, null, 2)}\n`;
    else if (format === 'markdown') reply.text = last.analysis.markdown();
    else reply.error = `Unknown format ${format}.`;
  } catch (err) {
    reply.error = describe(err);
  }
  self.postMessage(reply);
}

function exchangeMessage({ call }) {
  const reply = { type: 'exchange', call, view: null };
  if (!last) return self.postMessage({ ...reply, error: 'There is no report.' });
  if (!last.analysis.keepsCalls) {
    const limit = `${KEEP_CALLS_UP_TO / 1024 / 1024} MiB`;
    return self.postMessage({ ...reply, error: `over ${limit} of input, only what the report needs is kept in memory. The places above say where each piece of evidence is.` });
  }
  try {
    reply.view = last.analysis.exchange(call);
  } catch (err) {
    reply.error = describe(err);
  }
  self.postMessage(reply);
}

/** Validates rules and a policy as the next analysis will take them. */
function checkMessage({ rules, policy }) {
  const reply = { type: 'check', error: null, location: null, excerpt: null };
  try {
    wasm.checkOptions({ rules: rules ?? undefined, policy: policy ?? undefined });
  } catch (err) {
    reply.error = describe(err);
    reply.location = plainLocation(err?.location);
    reply.excerpt = excerptOf(reply.location);
  }
  self.postMessage(reply);
}

// ---------------------------------------------------------------- errors

function describe(err) {
  return err?.message || String(err);
}

// Copies the known fields, so the object is certain to survive postMessage's structured clone.
function plainLocation(location) {
  if (location == null || typeof location !== 'object') return null;
  const { input = null, offset = null, line = null, column = null, entry = null, snippet = null, caret = null } = location;
  return { input, offset, line, column, entry, snippet, caret };
}

/**
 * The line around the error, as the analyser cut it (clipped, credentials masked):
 * {text, caret} with caret a character index into text, or null.
 */
function excerptOf(location) {
  const text = location?.snippet;
  return typeof text === 'string' && Number.isInteger(location.caret) ? { text, caret: location.caret } : null;
}
