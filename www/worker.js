// Runs the wasm analyser off the main thread.
//
// In:  {files: [{name, bytes: ArrayBuffer}]}
// Out: {type: 'progress', phase: 'analysing', done, total, name?}
//      {type: 'result', name, report, covers?}   (covers: how many files one report answers)
//      {type: 'error', name, message, location, excerpt, fatal?}   (one result or error per file)

import init, { analyze } from './pkg/callstate.js';

// Deliberately not awaited at top level: the message handler has to be installed
// while the module first runs, or a message sent during start-up could be missed.
const ready = init();

// Set to the file's name once the wasm traps (a Rust panic). The instance's memory may
// then be inconsistent, so nothing more is analysed here; the page starts a new worker.
let crashedOn = null;

self.onmessage = async ({ data }) => {
  const files = data?.files ?? [];
  // User rules, if any, go with every analysis; bad rules are reported like a bad file.
  const rules = data?.rules ?? undefined;
  const total = files.length;
  try {
    await ready;
  } catch (err) {
    const message = `The analyser could not be loaded (${describe(err)}). If you built this page yourself, run \`make build\`.`;
    for (const { name } of files) self.postMessage({ type: 'error', name, message, location: null, excerpt: null, fatal: true });
    return;
  }
  if (files.length === 1) {
    const [{ name, bytes }] = files;
    self.postMessage({ type: 'progress', phase: 'analysing', done: 0, total, name });
    self.postMessage(analyseOne(name, bytes, rules));
    return;
  }
  // Several files are one trace: a front-door capture and a back-end trace are analysed
  // together, so that calls can be linked across them. A bad file does not cost the others.
  self.postMessage({ type: 'progress', phase: 'analysing', done: 0, total });
  let report;
  try {
    const inputs = files.map(({ name, bytes }) => ({ name, bytes: new Uint8Array(bytes) }));
    report = analyze(inputs, { partial: true, rules });
  } catch (err) {
    // Every file is bad (or the analyser failed): analyse each alone for its own message.
    for (const [done, { name, bytes }] of files.entries()) {
      self.postMessage({ type: 'progress', phase: 'analysing', done, total, name });
      self.postMessage(analyseOne(name, bytes, rules));
    }
    return;
  }
  const failed = report.diagnostics.filter((d) => d.severity === 'error' && d.location?.input);
  for (const d of failed) {
    const location = plainLocation(d.location);
    self.postMessage({ type: 'error', name: location.input, message: d.message, location, excerpt: excerptOf(location) });
  }
  const names = report.inputs.map((input) => input.name);
  self.postMessage({ type: 'result', name: names.join(' + '), report, covers: names.length });
};

function analyseOne(name, bytes, rules) {
  if (crashedOn !== null) {
    return {
      type: 'error', name, location: null, excerpt: null, fatal: true,
      message: `Not analysed: the analyser stopped after an internal error on ${crashedOn}. Open this file again to retry it.`,
    };
  }
  try {
    return { type: 'result', name, report: analyze(new Uint8Array(bytes), { name, rules }) };
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) {
      crashedOn = name;
      return {
        type: 'error', name, location: null, excerpt: null, fatal: true,
        message: `The analyser hit an internal error on this file (${describe(err)}). This is a bug in callstate, not a problem with the file.`,
      };
    }
    // Errors from analyze() carry a full sentence and a `location`; anything else is a plain JS error.
    const location = plainLocation(err?.location);
    return { type: 'error', name, message: describe(err), location, excerpt: excerptOf(location) };
  }
}

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
