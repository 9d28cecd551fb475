// The facade shared by both entry points (`node.js` and `web.js`): input conversion, errors and
// the API. Only how the WebAssembly module is first loaded differs between them; each entry point
// passes its way in to `createFacade` and exports what it returns.

import initWasm, {
  initSync as initWasmSync,
  setYamlReader,
  startsYaml,
  analyze as wasmAnalyze,
  analyzeMarkdown as wasmAnalyzeMarkdown,
  exchange as wasmExchange,
  Analyzer as WasmAnalyzer,
  Analysis as WasmAnalysis,
  schemaVersion as wasmSchemaVersion,
} from './wasm/callstate.js';
// The YAML module's glue: a few lines of JavaScript. Its WebAssembly is loaded only when a YAML
// input (or a YAML policy) appears.
import initYamlWasm, { initSync as initYamlWasmSync, yamlToJson } from './wasm/callstate_yaml.js';

/**
 * The one error class for bad input, bad options and misuse. `kind` is `unknown_format`,
 * `malformed`, `limit` or `usage`; `location` says where in which input (offsets count bytes of
 * the input), or is `null`; `help` says what would get past it (`{raise_limit: {limit, current}}`
 * for a limit), or is `null`.
 */
export class CallstateError extends Error {
  constructor(message, { kind = 'usage', location = null, help = null } = {}) {
    super(message);
    this.name = 'CallstateError';
    this.kind = kind;
    this.location = location;
    this.help = help;
  }
}

/** The library's help in the options' words: which of `limits` to raise. */
function helpText(help) {
  const raise = help?.raise_limit;
  return raise ? ` Raise it above ${raise.current} with \`limits: { ${raise.limit}: N }\`.` : '';
}

function usage(message) {
  return new CallstateError(message, { kind: 'usage' });
}

/**
 * The error the WebAssembly module threw, as a `CallstateError` (same message with its help
 * worded, `kind`, `location` and `help`). Its errors without a kind are about the arguments (`usage`). A trap
 * (`WebAssembly.RuntimeError`) is a bug, not bad input, and is passed on as it is.
 */
function toCallstateError(error) {
  if (error instanceof CallstateError || !(error instanceof Error)) return error;
  if (typeof WebAssembly === 'object' && error instanceof WebAssembly.RuntimeError) return error;
  const help = error.help ?? null;
  return new CallstateError(error.message + helpText(help), { kind: error.kind ?? 'usage', location: error.location ?? null, help });
}

const objectTag = (value) => Object.prototype.toString.call(value);

/** The bytes of an input given as a string or bytes, as the wasm takes them; else undefined. */
function bytesOf(value) {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  // Other views (a DataView, a Uint8Array of another realm) and buffers become this realm's Uint8Array.
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const tag = objectTag(value);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(value);
  return undefined;
}

/** A Blob, a File or anything else whose bytes are read with `arrayBuffer()` (a fetch `Response`). */
function isBlobLike(value) {
  return value !== null && typeof value === 'object' && typeof value.arrayBuffer === 'function';
}

const nameOf = (value) => (value !== null && typeof value === 'object' && typeof value.name === 'string' ? value.name : undefined);

const INPUT_TYPES = 'a Uint8Array, an ArrayBuffer, a string, a Blob or File, or an array of {name, bytes|blob|text}';

/**
 * The inputs as `{name, source}` pairs, where `source` is bytes, a string or a Blob-like, and
 * whether they were given as one input or a list.
 */
function inputsOf(input) {
  if (bytesOf(input) !== undefined || isBlobLike(input)) {
    return { list: false, items: [{ name: nameOf(input), source: input }] };
  }
  if (input !== null && typeof input === 'object' && typeof input[Symbol.iterator] === 'function') {
    const items = Array.from(input, (item, i) => {
      if (bytesOf(item) !== undefined || isBlobLike(item)) return { name: nameOf(item), source: item };
      if (item !== null && typeof item === 'object') {
        const source = item.bytes ?? item.blob ?? item.text;
        if (source !== undefined) return { name: item.name ?? nameOf(source), source };
      }
      throw usage(`Input ${i + 1} is not a Uint8Array, a string, a Blob or an object with \`bytes\`, \`blob\` or \`text\`.`);
    });
    return { list: true, items };
  }
  throw usage(`analyze() takes ${INPUT_TYPES}.`);
}

function checkSource(source, name, i) {
  const bytes = bytesOf(source);
  if (bytes !== undefined) return bytes;
  const which = i === undefined ? 'The input' : `Input ${i + 1}${name ? ` (\`${name}\`)` : ''}`;
  throw usage(`${which} is not ${INPUT_TYPES}.`);
}

/** The input and options as the wasm takes them; `bytes(source, name, i)` gives each input's bytes. */
function forWasm({ list, items }, options, bytes) {
  if (!list) {
    const [{ name, source }] = items;
    const given = options ?? {};
    const wasmOptions = given.name == null && name !== undefined ? { ...given, name } : options;
    return [bytes(source, name), wasmOptions];
  }
  return [items.map(({ name, source }, i) => ({ name, bytes: bytes(source, name, i) })), options];
}

function prepareSync(input, options) {
  return forWasm(inputsOf(input), options, (source, name, i) => {
    if (bytesOf(source) === undefined && isBlobLike(source)) {
      throw usage('A Blob or File can only be read asynchronously: use analyze() instead of analyzeSync().');
    }
    return checkSource(source, name, i);
  });
}

async function prepare(input, options) {
  const inputs = inputsOf(input);
  await Promise.all(
    inputs.items.map(async (item) => {
      if (bytesOf(item.source) === undefined && isBlobLike(item.source)) {
        item.source = new Uint8Array(await item.source.arrayBuffer());
      }
    }),
  );
  return forWasm(inputs, options, checkSource);
}

/** The chunks of a stream source: a ReadableStream, a Blob (its stream), an async or sync iterable of chunks, or bytes. */
async function* chunksOf(source, i) {
  if (isBlobLike(source) && typeof source.stream === 'function') source = source.stream();
  if (source !== null && typeof source === 'object' && typeof source.getReader === 'function') {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (typeof source === 'string' || bytesOf(source) !== undefined) {
    yield source;
    return;
  }
  if (source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    yield* source;
    return;
  }
  throw usage(`Input ${i + 1} is not a ReadableStream, a Blob, an iterable of chunks or bytes.`);
}

// ---- Loading the WebAssembly module ---------------------------------------------------------------

/** The two modules' files, and the package export that names each. */
const MAIN = { file: 'callstate_bg.wasm', entry: 'callstate/wasm', init: 'init(wasmUrl)' };
const YAML = { file: 'callstate_yaml_bg.wasm', entry: 'callstate/wasm-yaml', init: 'init(wasmUrl, { yaml: yamlUrl })' };

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where the module is looked for by default, and how to point the package at it instead. */
const looksFor = ({ file }) =>
  `It looks for wasm/${file} next to the code that imports it (\`new URL('./wasm/${file}', import.meta.url)\`), ` +
  'a file that webpack 5, Vite and Parcel emit when they bundle, and esbuild does not.';
const passUrl = ({ entry, init }) =>
  `import the file's URL and pass it: \`import ${init === MAIN.init ? 'wasmUrl' : 'yamlUrl'} from '${entry}'\` (esbuild: \`--loader:.wasm=file\`), then \`await ${init}\``;

/** Vite's dev server, up to Vite 7, moves dependencies into <cacheDir>/deps/, away from their files. */
const prebundled = ({ file }) => new RegExp(`/deps(?:_temp_[^/]*)?/wasm/${escape(file)}$`);
const viteDeps = ({ file }) => new RegExp(`/node_modules/\\.vite/deps(?:_temp_[^/]*)?/wasm/${escape(file)}$`);

/** What to do when the module was not where it was looked for. */
function remedy(href, isDefault, module) {
  if (!isDefault) return `Pass init() the URL at which your server serves ${module.file} (the file \`${module.entry}\` names).`;
  if (prebundled(module).test(href)) {
    return (
      "The package's code was moved away from it by a dependency pre-bundler (Vite's dev server does this up to Vite 7). " +
      "Either exclude the package from pre-bundling, with `optimizeDeps: { exclude: ['callstate'] }` in vite.config.js, " +
      `or pass the URL yourself: \`import ${module === MAIN ? 'wasmUrl' : 'yamlUrl'} from '${module.entry}?url'; await ${module.init};\`.`
    );
  }
  return `${looksFor(module)} Either ${passUrl(module)}, or copy node_modules/callstate/wasm/${module.file} to ${href}.`;
}

/** The error for a module that is not where it was looked for: the URL, what came back, and what to do. */
function notFound({ href, problem }, isDefault, module) {
  const which = module === MAIN ? 'its WebAssembly module' : 'its YAML module (for YAML inputs)';
  return usage(`callstate could not load ${which} from ${href}: ${problem}. ${remedy(href, isDefault, module)}`);
}

/** The error for code that does not know its own URL, so cannot find the module next to it. */
export function noModuleUrl() {
  return usage(
    'callstate cannot find its WebAssembly module: this code has no `import.meta.url`, so it was bundled as a classic ' +
      "script (as esbuild's default format, iife, does). Bundle as ESM (esbuild `--format=esm`) or call `init(url)` " +
      `before analysing: ${passUrl(MAIN)}.`,
  );
}

const isUrlLike = (value) =>
  typeof value === 'string' || objectTag(value) === '[object URL]' || (typeof Request === 'function' && value instanceof Request);

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Fetches the module at `url` and checks that WebAssembly came back. Resolves to `{href, module}`
 * (the Response, for streamed compilation, or the bytes) or to `{href, problem}`.
 */
async function fetchWasm(url) {
  const given = typeof url === 'object' && 'url' in url ? url.url : String(url);
  const href = URL.canParse(given, globalThis.location?.href) ? new URL(given, globalThis.location?.href).href : given;
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    return { href, problem: `fetching it failed (${error?.message ?? error})` };
  }
  if (!response.ok) return { href, problem: `the server answered HTTP ${response.status}` };
  const type = response.headers.get('content-type') ?? '';
  if (/^application\/wasm\b/i.test(type)) return { href, module: response };
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (WASM_MAGIC.every((byte, i) => bytes[i] === byte)) return { href, module: bytes };
  const what = /html/i.test(type) || bytes[0] === 0x3c ? 'an HTML page' : `${bytes.length} bytes of ${type || 'an unknown type'}`;
  return { href, problem: `the server answered ${what}, not WebAssembly` };
}

/**
 * What the glue instantiates for `source` (of `module`, MAIN or YAML): URLs are fetched here, so
 * that a wrong one gives a CallstateError that names it (not a CompileError about an HTML page).
 * When the default URL lands in Vite's pre-bundled dependencies, the package's own copy is tried next.
 */
async function moduleFrom(source, isDefault, module) {
  if (!isUrlLike(source) || String(source.url ?? source).startsWith('file:')) return source;
  const found = await fetchWasm(source);
  if (found.module !== undefined) return found.module;
  if (isDefault && viteDeps(module).test(found.href)) {
    const own = await fetchWasm(found.href.replace(viteDeps(module), `/node_modules/callstate/wasm/${module.file}`));
    if (own.module !== undefined) return own.module;
  }
  throw notFound(found, isDefault, module);
}

/** Whether the input and options, as the wasm takes them, hold YAML: an input, or the policy's text. */
function holdsYaml([input, options]) {
  const sources = Array.isArray(input) ? input.map((item) => item.bytes) : [input];
  if (typeof options?.policy === 'string') sources.push(options.policy);
  return sources.some((source) => (typeof source === 'string' || source instanceof Uint8Array) && startsYaml(source) === true);
}

/** A call number as the report gives it: an integer from 1. */
function checkCall(index) {
  if (!Number.isInteger(index) || index < 1 || index > 0xffffffff) {
    throw usage(`The call is given by its number in the report (\`report.calls[].index\`, from 1), not ${JSON.stringify(index)}.`);
  }
  return index;
}

/** One item of `analyzeEach`'s inputs: its name, its source, and whether it is read as a stream. */
function eachItem(item, n) {
  if (item !== null && typeof item === 'object' && bytesOf(item) === undefined && !isBlobLike(item)) {
    const source = item.stream ?? item.bytes ?? item.blob ?? item.text;
    return { name: item.name ?? nameOf(source) ?? `input ${n}`, source, stream: item.stream !== undefined };
  }
  return { name: nameOf(item) ?? `input ${n}`, source: item, stream: false };
}

const isIterable = (value) =>
  value !== null &&
  typeof value === 'object' &&
  bytesOf(value) === undefined &&
  (Symbol.asyncIterator in value || Symbol.iterator in value);

function call(fn, [input, options]) {
  try {
    return fn(input, options);
  } catch (error) {
    throw toCallstateError(error);
  }
}

const YAML_NOT_LOADED =
  'This input is YAML, which callstate reads with its YAML module, and that module is not loaded yet: ' +
  'the functions that return a promise load it when they meet YAML; before a synchronous one, `await initYaml()`.';

/**
 * The YAML module: loaded once, when a YAML input or policy first appears, then given to the
 * analyser as its YAML reader. `defaultSource()` says where it is. With `loadsSync` (Node.js) it
 * is read synchronously at the analyser's first YAML, so that every function reads YAML at once.
 */
function yamlModule(defaultSource, loadsSync, initMain) {
  let ready = false;
  let loading;
  let given; // where init(…, {yaml}) said it is
  const module = {
    /** Where to load it from when it is needed (from `init(…, {yaml})`). */
    locate(source) {
      if (source !== undefined) given = source;
    },
    /** Once the analyser is loaded: in Node.js, the reader that loads the module at its first use. */
    afterMain() {
      if (!loadsSync) return;
      setYamlReader((text, maxTreeSize) => {
        if (!ready) initYamlWasmSync({ module: defaultSource() });
        ready = true;
        return yamlToJson(text, maxTreeSize);
      });
    },
    /** Instantiates it synchronously, from its bytes or a compiled `WebAssembly.Module`. */
    loadSync(source) {
      if (ready || source === undefined) return;
      initYamlWasmSync({ module: source });
      setYamlReader(yamlToJson);
      ready = true;
    },
    load(moduleOrUrl = given) {
      if (ready) return Promise.resolve();
      loading ??= (async () => {
        const isDefault = moduleOrUrl === undefined;
        const source = isDefault ? defaultSource() : await moduleOrUrl;
        await Promise.all([initMain(), initYamlWasm({ module_or_path: await moduleFrom(source, isDefault, YAML) })]);
        setYamlReader(yamlToJson);
        ready = true;
      })().catch((error) => {
        loading = undefined;
        throw error;
      });
      return loading;
    },
    /** Loads it first when the input or options as the wasm takes them hold YAML. */
    async before(prepared) {
      if (!ready && !loadsSync && holdsYaml(prepared)) await module.load();
    },
    /** Before the first chunk of an input is pushed: loads it if the chunk starts YAML. Resolves to whether the input is still undecided (white space so far). */
    async beforeChunk(chunk) {
      const starts = startsYaml(typeof chunk === 'string' ? chunk : (bytesOf(chunk) ?? ''));
      if (starts && !ready && !loadsSync) await module.load();
      return starts === undefined;
    },
    /** For the synchronous functions, which cannot load it: a CallstateError when YAML needs it. */
    check(yaml) {
      if (yaml && !ready && !loadsSync) throw usage(YAML_NOT_LOADED);
    },
  };
  return module;
}

/**
 * Builds the API around one way of loading the WebAssembly modules: `defaultSource()` gives what
 * `init()` instantiates when it is called without an argument (a URL, a Response, bytes or a
 * compiled `WebAssembly.Module`), and `yamlSource()` the same for the YAML module, loaded only
 * when YAML appears (synchronously at its first use with `yamlSync`, in Node.js).
 */
export function createFacade(defaultSource, yamlSource, { yamlSync = false } = {}) {
  let ready = false;
  let loading;
  const yaml = yamlModule(yamlSource, yamlSync, () => init());

  function assertReady() {
    if (!ready) {
      throw usage('The WebAssembly module is not loaded yet: `await init()` first (analyze() does it for you).');
    }
  }

  /**
   * Instantiates the module once; later calls (with or without an argument) return the same
   * promise. `yaml` says where the YAML module is, loaded later if a YAML input appears.
   */
  function init(moduleOrUrl, { yaml: yamlUrl } = {}) {
    yaml.locate(yamlUrl);
    if (ready) return Promise.resolve();
    loading ??= (async () => {
      const isDefault = moduleOrUrl === undefined;
      const source = isDefault ? defaultSource() : await moduleOrUrl;
      await initWasm({ module_or_path: await moduleFrom(source, isDefault, MAIN) });
      ready = true;
      yaml.afterMain();
    })().catch((error) => {
      loading = undefined; // let a later init() try again
      throw error;
    });
    return loading;
  }

  /** Instantiates the module (and the YAML module, if given) synchronously from bytes or a compiled `WebAssembly.Module`. */
  function initSync(module, { yaml: yamlModuleGiven } = {}) {
    if (!ready) {
      initWasmSync({ module });
      ready = true;
      yaml.afterMain();
    }
    yaml.loadSync(yamlModuleGiven);
  }

  /** Loads the YAML module now, for the synchronous functions to read YAML in a browser. */
  async function initYaml(moduleOrUrl) {
    await yaml.load(moduleOrUrl);
  }

  /** The input and options as the wasm takes them, with both modules ready for them. */
  async function readyFor(input, options) {
    const [prepared] = await Promise.all([prepare(input, options), init()]);
    await yaml.before(prepared);
    return prepared;
  }

  /** The same for the synchronous functions, which cannot load anything. */
  function readyForSync(input, options) {
    assertReady();
    const prepared = prepareSync(input, options);
    yaml.check(holdsYaml(prepared));
    return prepared;
  }

  async function analyze(input, options) {
    return call(wasmAnalyze, await readyFor(input, options));
  }

  function analyzeSync(input, options) {
    return call(wasmAnalyze, readyForSync(input, options));
  }

  async function analyzeMarkdown(input, options) {
    return call(wasmAnalyzeMarkdown, await readyFor(input, options));
  }

  function analyzeMarkdownSync(input, options) {
    return call(wasmAnalyzeMarkdown, readyForSync(input, options));
  }

  /**
   * One analysis kept in memory: built once from the inputs (what `analyzeSync` takes), then
   * asked for its report, its Markdown and any call without analysing again. It holds every call
   * whole (about the input's size): `free()` it when done.
   */
  class Analysis {
    #inner;

    constructor(input, options) {
      assertReady();
      this.#inner = input instanceof WasmAnalysis ? input : call((i, o) => new WasmAnalysis(i, o), readyForSync(input, options));
    }

    #live() {
      if (this.#inner === undefined) throw usage('This Analysis has been freed; create another.');
      return this.#inner;
    }

    /** The report (`callstate.report/2`). */
    report() {
      return call(() => this.#live().report(), []);
    }

    /** The report rendered as Markdown. */
    markdown() {
      return call(() => this.#live().markdown(), []);
    }

    /** One call (from 1, as `report.calls[].index`), as `exchange()` gives it. */
    exchange(callIndex) {
      return call((i) => this.#live().exchange(i), [checkCall(callIndex)]);
    }

    /** Whether the calls were kept whole, for `exchange()` (always, but from an `Analyzer` made without `keepCalls`). */
    get keepsCalls() {
      return this.#inner?.keepsCalls ?? false;
    }

    /** Releases the analysis's memory; it answers nothing after. */
    free() {
      this.#inner?.free();
      this.#inner = undefined;
    }
  }

  /** An `Analysis` of inputs that may be Blobs or Files too; loads the module first if need be. */
  async function analysis(input, options) {
    return new Analysis(...(await readyFor(input, options)));
  }

  /** One call of the analysed input as masked, pretty-printed data with evidence marks. */
  async function exchange(input, callIndex, options) {
    return call((i, o) => wasmExchange(i, checkCall(callIndex), o), await readyFor(input, options));
  }

  function exchangeSync(input, callIndex, options) {
    return call((i, o) => wasmExchange(i, checkCall(callIndex), o), readyForSync(input, options));
  }

  /**
   * Analysis of inputs read in pieces: `push` chunks as they arrive, then `finish()` for the
   * report or, made with `{keepCalls: true}`, `analysis()` for an `Analysis` that shows any call.
   * After `init()` (always, in Node.js). `begin(name)` starts each further input.
   */
  class Analyzer {
    #inner;

    #undecided = true; // whether the current input has shown only white space so far (YAML or not)

    constructor(options, { keepCalls = false } = {}) {
      assertReady();
      yaml.check(holdsYaml([undefined, options]));
      this.#inner = call((o) => new WasmAnalyzer(o, Boolean(keepCalls)), [options]);
    }

    #live() {
      if (this.#inner === undefined) throw usage('This Analyzer has finished; create another.');
      return this.#inner;
    }

    begin(name) {
      call((n) => this.#live().begin(n), [String(name)]);
      this.#undecided = true;
    }

    push(chunk) {
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : bytesOf(chunk);
      if (bytes === undefined) throw usage('push() takes a Uint8Array, an ArrayBuffer or a string.');
      if (this.#undecided) {
        const starts = startsYaml(bytes);
        this.#undecided = starts === undefined;
        yaml.check(starts);
      }
      call((b) => this.#live().push(b), [bytes]);
    }

    /** Bytes pushed so far. */
    get bytes() {
      return this.#inner?.bytes ?? 0;
    }

    /** Calls read so far. */
    get calls() {
      return this.#inner?.calls ?? 0;
    }

    finish() {
      try {
        return call(() => this.#live().finish(), []);
      } finally {
        this.free();
      }
    }

    /** The `Analysis` of every input pushed; the analyser is then spent. */
    analysis() {
      try {
        return new Analysis(call(() => this.#live().analysis(), []));
      } finally {
        this.free();
      }
    }

    /** Releases the analyser's memory without a report (finish() does it too). */
    free() {
      this.#inner?.free();
      this.#inner = undefined;
    }
  }

  /**
   * Analyses inputs given as streams (a `ReadableStream`, a `Blob` or `File`, an async iterable
   * of chunks), never holding a whole file: HAR and JSON Lines are read entry by entry.
   * `options.onProgress({bytes, calls})` is called after each chunk.
   */
  async function analyzeStream(input, options = {}) {
    await init();
    const { onProgress, ...wasmOptions } = options ?? {};
    const list = Array.isArray(input);
    const items = list ? input.map((item) => ({ name: item?.name ?? nameOf(item?.stream ?? item?.blob), source: item?.stream ?? item?.blob ?? item })) : [{ name: nameOf(input), source: input }];
    if (!list && wasmOptions.name == null && items[0].name !== undefined) wasmOptions.name = items[0].name;
    await yaml.before([undefined, wasmOptions]);
    const analyzer = new Analyzer(wasmOptions);
    try {
      for (const [i, { name, source }] of items.entries()) {
        if (list) analyzer.begin(name ?? `input ${i + 1}`);
        let undecided = true;
        for await (const chunk of chunksOf(source, i)) {
          if (undecided) undecided = await yaml.beforeChunk(chunk);
          analyzer.push(chunk);
          onProgress?.({ bytes: analyzer.bytes, calls: analyzer.calls });
        }
      }
    } catch (error) {
      analyzer.free();
      throw toCallstateError(error);
    }
    return analyzer.finish();
  }

  /**
   * Analyses each input on its own, one after another, yielding `{name, report}`, or `{name,
   * error}` (a CallstateError) for one that cannot be read, and going on with the next.
   */
  async function* analyzeEach(inputs, options = {}) {
    if (!isIterable(inputs)) {
      throw usage('analyzeEach() takes an iterable or async iterable of inputs: Files, bytes, strings or {name, bytes|blob|text|stream}.');
    }
    let n = 0;
    for await (const item of inputs) {
      const { name, source, stream } = eachItem(item, ++n);
      const itemOptions = { ...options, name };
      let result;
      try {
        result = { name, report: stream ? await analyzeStream(source, itemOptions) : await analyze(source, itemOptions) };
      } catch (error) {
        const converted = toCallstateError(error);
        if (!(converted instanceof CallstateError)) throw converted;
        result = { name, error: converted };
      }
      yield result;
    }
  }

  function schemaVersion() {
    assertReady();
    return wasmSchemaVersion();
  }

  return {
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
  };
}
