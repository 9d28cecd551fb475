// `callstate/wasm`: the WebAssembly module's file. A bundler that emits files (esbuild's `file`
// loader, webpack's asset modules, Vite's `?url`) turns the import into the URL it emitted.

/** The URL of callstate's WebAssembly module as the bundler emitted it: pass it to `init()`. */
declare const url: string;
export default url;
