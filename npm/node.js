// callstate for Node.js: the WebAssembly module is read and instantiated synchronously when this
// file is imported, so `analyzeSync()` works at once and `analyze()` never waits for it.

import { readFileSync } from 'node:fs';
import { createFacade } from './core.js';

export { CallstateError } from './core.js';

const wasmFile = new URL('./wasm/callstate_bg.wasm', import.meta.url);
const facade = createFacade(() => readFileSync(wasmFile));
facade.initSync(readFileSync(wasmFile));

export const {
  init,
  initSync,
  analyze,
  analyzeSync,
  analyzeMarkdown,
  analyzeMarkdownSync,
  exchange,
  exchangeSync,
  Analysis,
  analysis,
  Analyzer,
  analyzeStream,
  analyzeEach,
  schemaVersion,
} = facade;
