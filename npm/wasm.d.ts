// `callstate/wasm` and `callstate/wasm-yaml`: the WebAssembly modules' files (the analyser, and
// the YAML module it loads when a YAML input appears). A bundler that emits files (esbuild's
// `file` loader, webpack's asset modules, Vite's `?url`) turns the import into the URL it emitted.

/** The URL of one of callstate's WebAssembly modules as the bundler emitted it: pass it to `init()`. */
declare const url: string;
export default url;
