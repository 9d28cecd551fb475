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
//      {type: 'export', format, blob, error} | {type: 'exchange', call, view, error}
//      {type: 'check', error, location}
// A request may carry an `id`: everything sent for it (an analysis's progress, parts, results and
// errors, or a reply) carries the same `id`, so that the page can tell an older request's
// messages from the current one's.
//
// A big report is sent in slices so that no single message takes the page long to receive.
// The last run's `Analysis` stays here, in wasm memory, for exports and the call view: opening a
// call asks it, never analyses again. Each analysis made is marked (`performance.mark`,
// 'callstate:analysis'), so that a profile or a test can count them.

import init, * as wasm from './pkg/callstate.js';

// The YAML module (pkg/callstate_yaml.js and its wasm) reads YAML inputs and policies for the
// analyser, which has no YAML parser of its own (the page is smaller for it): it is imported the
// first time YAML appears, then kept.
let yamlLoading = null;

function loadYaml() {
  yamlLoading ??= import('./pkg/callstate_yaml.js')
    .then(async (yaml) => {
      await yaml.default();
      wasm.setYamlReader(yaml.yamlToJson);
    })
    .catch((err) => {
      yamlLoading = null; // the next YAML input tries again
      throw new Error(`The YAML reader (pkg/callstate_yaml_bg.wasm) could not be loaded (${describe(err).replace(/\.$/, '')}).`);
    });
  return yamlLoading;
}

/** Loads the YAML module if any of `heads` (the inputs' first bytes) or the policy's text is YAML. */
async function yamlFor(heads, policy) {
  const texts = typeof policy === 'string' ? [...heads, policy] : heads;
  if (texts.some((head) => wasm.startsYaml(head) === true)) await loadYaml();
}

// Deliberately not awaited at top level: the message handler has to be installed while the
// module first runs, or a message sent during start-up could be missed.
const ready = init();
// Says when the analyser is loaded, so that the page can work offline from then on.
ready.then(() => self.postMessage({ type: 'ready' }), () => {});

const PROGRESS_EVERY_MS = 100;
const SLICE = 250; // calls, evidence items or sessions per message: each is received in a few ms
// Inputs this big are pushed to the streaming Analyzer as they are read, for progress that counts
// calls; smaller ones (read in a blink) go to analyze() whole.
const STREAM_FROM = 8 * 1024 * 1024;
// Up to this size the analysis keeps every call whole (about the input's size in memory), so that
// a call opens at once; above it, only what the report needs, and the call view says why.
const KEEP_CALLS_UP_TO = 256 * 1024 * 1024;
/** The report's lists that can be long. */
const LISTS = ['calls', 'evidence', 'sessions'];

/**
 * What this worker holds: the last run's analysis (a wasm `Analysis`) and its report, and, once
 * the wasm trapped (a Rust panic), the file it trapped on. The instance's memory may then be
 * inconsistent, so nothing more is analysed here; the page starts a new worker.
 */
const held = { last: null, crashedOn: null };

/** Frees the last run's analysis, when a new run starts. */
function forget() {
  held.last?.analysis.free();
  held.last = null;
}

self.onmessage = async ({ data }) => {
  const post = (message) => self.postMessage({ ...message, id: data?.id ?? null });
  try {
    await ready;
  } catch (err) {
    return refuse(data, post, `The analyser could not be loaded (${describe(err)}). If you built this page yourself, run \`make build\`.`);
  }
  if (data?.type === 'analyse') return analyseMessage(data, post);
  if (data?.type === 'export') return exportMessage(data, post);
  if (data?.type === 'exchange') return exchangeMessage(data, post);
  if (data?.type === 'check') return checkMessage(data, post);
};

/** Answers any request with `message` when the wasm cannot be loaded. */
function refuse(data, post, message) {
  if (data?.type !== 'analyse') return post({ type: data?.type, format: data?.format, call: data?.call, error: message, location: null });
  for (const { name } of data.files ?? []) post({ type: 'error', name, message, location: null, excerpt: null, fatal: true });
}

/** Posts progress at most every PROGRESS_EVERY_MS, or at once when `force`d. */
function progress(meter, fields, force = false) {
  const now = performance.now();
  if (!force && now - meter.sentAt < PROGRESS_EVERY_MS) return;
  meter.sentAt = now;
  const { phase, name, done, total, bytes, totalBytes, calls } = { ...meter, ...fields };
  meter.post({ type: 'progress', phase, name, done, total, bytes, totalBytes, calls });
}

// ---------------------------------------------------------------- analysing

async function analyseMessage({ files = [], rules, policy }, post) {
  forget();
  rules = rules ?? undefined;
  policy = policy ?? undefined;
  const totalBytes = files.reduce((sum, file) => sum + (file.blob?.size ?? 0), 0);
  const meter = { post, sentAt: 0, phase: 'reading', name: files[0]?.name, done: 0, total: files.length, bytes: 0, totalBytes, calls: 0 };
  progress(meter, {}, true);
  if (files.length === 1) return analyseAlone(files[0], { rules, policy }, meter);
  // Several files are one trace: a front-door capture and a back-end trace are analysed
  // together, so that calls can be linked across them. A bad file does not cost the others.
  const together = await attempt(null, () => analyseInputs(files, { partial: true, rules, policy }, meter));
  if (!together.analysis) {
    // Every file is bad (or the analyser failed): analyse each alone for its own message.
    for (const [done, file] of files.entries()) {
      await analyseAlone(file, { rules, policy }, { ...meter, done, name: file.name, bytes: 0, totalBytes: file.blob.size });
    }
    return;
  }
  const report = keep(together.analysis);
  for (const d of report.diagnostics.filter((d) => d.severity === 'error' && d.location?.input)) {
    const location = plainLocation(d.location);
    post({ type: 'error', name: location.input, message: d.message, location, excerpt: excerptOf(location) });
  }
  const names = report.inputs.map((input) => input.name);
  send(post, names.join(' + '), report, names.length);
}

/** Analyses one file on its own and sends its report or its error. */
async function analyseAlone({ name, blob }, { rules, policy }, meter) {
  const outcome = await attempt(name, () => analyseInputs([{ name, blob }], { name, rules, policy }, meter));
  if (outcome.analysis) send(meter.post, name, keep(outcome.analysis), 1);
  else meter.post(outcome.error);
}

/** Runs `work`; returns {analysis} or {error: the message to post}. */
async function attempt(name, work) {
  const failure = (message, fields = {}) => ({ error: { type: 'error', name, message, location: null, excerpt: null, ...fields } });
  if (held.crashedOn !== null) {
    return failure(`Not analysed: the analyser stopped after an internal error on ${held.crashedOn}. Open this file again to retry it.`, { fatal: true });
  }
  try {
    return { analysis: await work() };
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) {
      held.crashedOn = name ?? 'these files';
      return failure(`The analyser hit an internal error on this file (${describe(err)}). This is a bug in callstate, not a problem with the file.`, { fatal: true });
    }
    if (err?.unreadable) return { error: { ...failure(err.message).error, name: err.unreadable } };
    // Errors from the analyser carry a full sentence and a `location`; anything else is a plain JS error.
    const location = plainLocation(err?.location);
    return failure(describe(err), { location, excerpt: excerptOf(location) });
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
  if (size >= STREAM_FROM) {
    // The first bytes of each (YAML is read whole by the analyser, but after the stream ends).
    const heads = await Promise.all(inputs.map(async ({ blob }) => new Uint8Array(await blob.slice(0, 64 * 1024).arrayBuffer())));
    await yamlFor(heads, options.policy);
    return analyseStreaming(inputs, options, meter);
  }
  const buffers = [];
  for (const [done, { name, blob }] of inputs.entries()) {
    const bytes = new Uint8Array(blob.size);
    let at = 0;
    await readChunks(name, blob, (chunk) => {
      bytes.set(chunk, at);
      at += chunk.length;
      meter.bytes += chunk.length;
      progress(meter, { phase: 'reading', name, done });
    });
    buffers.push({ name, bytes: at === bytes.length ? bytes : bytes.subarray(0, at) });
  }
  progress(meter, { phase: 'analysing', name: inputs.length === 1 ? inputs[0].name : null, done: 0 }, true);
  await yamlFor(buffers.map(({ bytes }) => bytes), options.policy);
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
        progress(meter, { phase: 'reading', name, done, calls: analyzer.calls });
      });
    }
    progress(meter, { phase: 'analysing', name: inputs.length === 1 ? inputs[0].name : null, calls: analyzer.calls }, true);
    return analyzer.analysis();
  } finally {
    analyzer.free();
  }
}

/** Reads a Blob in chunks (about 64 KiB each), calling `take(Uint8Array)` for each. */
async function readChunks(name, blob, take) {
  const unreadable = (err) => Object.assign(new Error(`The file could not be read (${describe(err).replace(/\.$/, '')}).`), { unreadable: name });
  let reader;
  try {
    reader = blob.stream().getReader();
  } catch (err) {
    throw unreadable(err);
  }
  for (;;) {
    let step;
    try {
      step = await reader.read();
    } catch (err) {
      throw unreadable(err);
    }
    if (step.done) return;
    take(step.value);
  }
}

/** Keeps `analysis` as the last run's, freeing the one before; returns its report. */
function keep(analysis) {
  forget();
  held.last = { analysis, report: analysis.report() };
  return held.last.report;
}

/** Sends a report: its long lists in slices, then the rest. */
function send(post, name, report, covers) {
  const head = { ...report };
  for (const key of LISTS) {
    const items = report[key] ?? [];
    if (items.length <= SLICE) continue;
    head[key] = [];
    for (let i = 0; i < items.length; i += SLICE) post({ type: 'part', key, items: items.slice(i, i + SLICE) });
  }
  post({ type: 'result', name, report: head, covers });
}

// ---------------------------------------------------------------- exports and the call view

/** The report as a file (a Blob, which reaches the page without copying its text). */
function exportMessage({ format }, post) {
  const reply = { type: 'export', format };
  if (!held.last) return post({ ...reply, error: 'There is no report to export.' });
  try {
    if (format === 'json') reply.blob = new Blob([`${JSON.stringify(held.last.report, null, 2)}\n`], { type: 'application/json' });
    else if (format === 'markdown') reply.blob = new Blob([held.last.analysis.markdown()], { type: 'text/markdown' });
    else reply.error = `Unknown format ${format}.`;
  } catch (err) {
    reply.error = describe(err);
  }
  post(reply);
}

function exchangeMessage({ call }, post) {
  const reply = { type: 'exchange', call, view: null };
  const last = held.last;
  if (!last) return post({ ...reply, error: 'There is no report.' });
  if (!last.analysis.keepsCalls) {
    const limit = `${KEEP_CALLS_UP_TO / 1024 / 1024} MiB`;
    return post({ ...reply, error: `over ${limit} of input, only what the report needs is kept in memory. The places above say where each piece of evidence is.` });
  }
  try {
    reply.view = last.analysis.exchange(call);
  } catch (err) {
    reply.error = describe(err);
  }
  post(reply);
}

/** Validates rules and a policy as the next analysis will take them. */
async function checkMessage({ rules, policy }, post) {
  const reply = { type: 'check', error: null, location: null, excerpt: null };
  try {
    await yamlFor([], policy);
    wasm.checkOptions({ rules: rules ?? undefined, policy: policy ?? undefined });
  } catch (err) {
    reply.error = describe(err);
    reply.location = plainLocation(err?.location);
    reply.excerpt = excerptOf(reply.location);
  }
  post(reply);
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
