// callstate for Node.js: the WebAssembly module is read and instantiated synchronously when this
// file is imported, so `analyzeSync()` works at once and `analyze()` never waits for it. The YAML
// module is read the same way, when the first YAML input appears.

import { readFileSync } from 'node:fs';
import { createFacade } from './core.js';

export { CallstateError } from './core.js';

const wasmFile = new URL('./wasm/callstate_bg.wasm', import.meta.url);
// Read only at the first YAML input or policy, synchronously, so that YAML needs no init() either.
const yamlFile = new URL('./wasm/callstate_yaml_bg.wasm', import.meta.url);
const facade = createFacade(() => readFileSync(wasmFile), () => readFileSync(yamlFile), { yamlSync: true });
facade.initSync(readFileSync(wasmFile));

export const {
  init,
  initSync,
  initYaml,
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
