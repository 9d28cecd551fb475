// callstate for browsers, workers and bundlers. The WebAssembly module is fetched and instantiated
// once, on the first `init()` or `analyze()`: by default from `./wasm/callstate_bg.wasm` next to
// this file, a `new URL(…, import.meta.url)` that Vite and webpack 5 understand and bundle. Where
// the bundle has no `import.meta.url` (a classic script), `init(url)` must say where it is. The
// YAML module (`./wasm/callstate_yaml_bg.wasm`, `init(url, {yaml})`) is fetched only when the
// first YAML input or policy appears.

import { createFacade, noModuleUrl } from './core.js';

export { CallstateError } from './core.js';

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
} = createFacade(
  () => {
    if (typeof import.meta.url !== 'string') throw noModuleUrl();
    return new URL('./wasm/callstate_bg.wasm', import.meta.url);
  },
  () => {
    if (typeof import.meta.url !== 'string') throw noModuleUrl();
    return new URL('./wasm/callstate_yaml_bg.wasm', import.meta.url);
  },
);
