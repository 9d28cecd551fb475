// Runs the wasm analyser off the main thread.
//
// In:  {files: [{name, bytes: ArrayBuffer}]}
// Out: {type: 'progress', phase: 'analysing', done, total, name?}
//      {type: 'result', name, report}
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
  const total = files.length;
  try {
    await ready;
  } catch (err) {
    const message = `The analyser could not be loaded (${describe(err)}). If you built this page yourself, run \`make build\`.`;
    for (const { name } of files) self.postMessage({ type: 'error', name, message, location: null, excerpt: null, fatal: true });
    return;
  }
  files.forEach(({ name, bytes }, done) => {
    self.postMessage({ type: 'progress', phase: 'analysing', done, total, name });
    self.postMessage(analyseOne(name, bytes));
  });
};

function analyseOne(name, bytes) {
  if (crashedOn !== null) {
    return {
      type: 'error', name, location: null, excerpt: null, fatal: true,
      message: `Not analysed: the analyser stopped after an internal error on ${crashedOn}. Open this file again to retry it.`,
    };
  }
  try {
    return { type: 'result', name, report: analyze(new Uint8Array(bytes), { name }) };
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
    return { type: 'error', name, message: describe(err), location, excerpt: excerptAt(bytes, location) };
  }
}

function describe(err) {
  return err?.message || String(err);
}

// Copies the known fields, so the object is certain to survive postMessage's structured clone.
function plainLocation(location) {
  if (location == null || typeof location !== 'object') return null;
  const { input = null, offset = null, line = null, column = null, entry = null } = location;
  return { input, offset, line, column, entry };
}

const BEFORE = 60; // bytes of context shown before the error position
const AFTER = 40; // and after it

/**
 * The line of the input around the error's byte offset, clipped to a short window:
 * {text, caret} with caret a character index into text, or null without an offset.
 */
function excerptAt(buffer, location) {
  const bytes = new Uint8Array(buffer);
  const offset = location?.offset;
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) return null;

  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  const nextNewline = bytes.indexOf(0x0a, offset);
  const lineEnd = nextNewline === -1 ? bytes.length : nextNewline;
  let start = Math.max(lineStart, offset - BEFORE);
  let end = Math.min(lineEnd, offset + AFTER);
  // Do not cut a UTF-8 sequence in half (continuation bytes are 0b10xxxxxx).
  while (start < offset && (bytes[start] & 0xc0) === 0x80) start += 1;
  while (end > offset && end < bytes.length && (bytes[end] & 0xc0) === 0x80) end -= 1;

  const decoder = new TextDecoder();
  // Control characters become spaces so that the caret stays under the right character.
  const clean = (from, to) => decoder.decode(bytes.subarray(from, to)).replace(/[\u0000-\u001f\u007f]/g, ' ');
  const before = clean(start, offset);
  const text = before + clean(offset, end);
  if (text.trim() === '' && offset === bytes.length) return null; // nothing useful to point at
  return {
    text: (start > lineStart ? '…' : '') + text + (end < lineEnd ? '…' : ''),
    caret: [...before].length + (start > lineStart ? 1 : 0),
  };
}
