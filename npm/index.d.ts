// Declarations of the callstate facade (the same for `node.js` and `web.js`). The report, options
// and rules types in `./types.js` are generated from the JSON Schemas the Rust code describes
// itself with (`callstate schema`); nothing here restates them.

import type { AnalyzeOptions, ErrorKind, Exchange, Help, Location, Report } from './types.js';

export type * from './types.js';

/** The instance type of a global class where the environment declares it (DOM lib, @types/node), else `never`. */
type GlobalInstance<K extends string> = typeof globalThis extends { [P in K]: { prototype: infer T } } ? T : never;
type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer T } } } ? T : never;

/** Bytes of one input. Offsets in errors count these bytes (for a string: its UTF-8 bytes). */
export type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView;

/** Anything whose bytes are read with `arrayBuffer()`: a `Blob`, a `File` (its `name` is used), a fetch `Response`. */
export interface BlobLike {
  arrayBuffer(): Promise<ArrayBuffer>;
  readonly name?: string;
}

/** One of several inputs analysed together. */
export type NamedInput =
  | { name?: string; bytes: Bytes | string }
  | { name?: string; blob: BlobLike }
  | { name?: string; text: string };

/** What `analyzeSync` takes: no Blob, which can only be read asynchronously. */
export type SyncNamedInput = { name?: string; bytes: Bytes | string } | { name?: string; text: string };

/** One input, or several analysed together as one trace (a front door with a back-end trace, say). */
export type AnalyzeInput = Bytes | string | BlobLike | Iterable<NamedInput | Bytes | string | BlobLike>;
export type SyncAnalyzeInput = Bytes | string | Iterable<SyncNamedInput | Bytes | string>;

/** Where `init()` loads the WebAssembly module from. */
export type InitInput =
  | string
  | GlobalInstance<'URL'>
  | GlobalInstance<'Request'>
  | GlobalInstance<'Response'>
  | ArrayBuffer
  | ArrayBufferView
  | WasmModule;

/**
 * Thrown (or rejected with) for bad input, bad options and misuse. The message says what and
 * where; `location` says where as data (offsets count bytes of the input, lines and columns count
 * from 1, `entry` counts entries or interactions from 0), or is `null`. For a limit, the message
 * ends with the `limits` option that raises it.
 */
export declare class CallstateError extends Error {
  constructor(message: string, options?: { kind?: ErrorKind; location?: Location | null; help?: Help | null });
  readonly name: 'CallstateError';
  readonly kind: ErrorKind;
  readonly location: Location | null;
  /** What would get past the error, as data: for a `limit`, `{raise_limit: {limit, current}}`. */
  readonly help: Help | null;
}

/**
 * Loads the WebAssembly module, once (later calls return the same promise). Without an argument
 * it loads `wasm/callstate_bg.wasm` from the package (`callstate/wasm`); `yaml` says where the YAML
 * module is (`callstate/wasm-yaml`), loaded only if YAML appears (see `initYaml`). `analyze()` calls it for
 * you; call it yourself to load early, or from another place. In Node.js the module is already
 * loaded when the package is imported. A URL that answers anything but WebAssembly (a 404, an HTML
 * page), and a bundle without `import.meta.url` (a classic script) when no URL is given, reject with
 * a `CallstateError` that says where it looked and what to do.
 */
export function init(moduleOrUrl?: InitInput | Promise<InitInput>, options?: { yaml?: InitInput | Promise<InitInput> }): Promise<void>;

/**
 * Loads the WebAssembly module synchronously from its bytes or a compiled `WebAssembly.Module`,
 * and the YAML module too when `yaml` gives it.
 */
export function initSync(module: ArrayBuffer | ArrayBufferView | WasmModule, options?: { yaml?: ArrayBuffer | ArrayBufferView | WasmModule }): void;

/**
 * Loads the YAML module now (`wasm/callstate_yaml_bg.wasm`, `callstate/wasm-yaml`, or where
 * `init(…, {yaml})` said). YAML inputs (VCR cassettes) and YAML policies are read by this second,
 * smaller module, fetched only when one appears: the functions that return a promise load it
 * themselves, and in Node.js it is read at the first YAML. In a browser, call this before a
 * synchronous function meets YAML (it throws a `CallstateError` otherwise).
 */
export function initYaml(moduleOrUrl?: InitInput | Promise<InitInput>): Promise<void>;

/** Analyses a trace and resolves to its report (`callstate.report/2`). Rejects with a `CallstateError`. */
export function analyze(input: AnalyzeInput, options?: AnalyzeOptions): Promise<Report>;

/** Like `analyze`, synchronously: after `init()` (always, in Node.js). Throws a `CallstateError`. */
export function analyzeSync(input: SyncAnalyzeInput, options?: AnalyzeOptions): Report;

/** Analyses a trace and resolves to its report rendered as Markdown. */
export function analyzeMarkdown(input: AnalyzeInput, options?: AnalyzeOptions): Promise<string>;

/** Like `analyzeMarkdown`, synchronously: after `init()` (always, in Node.js). */
export function analyzeMarkdownSync(input: SyncAnalyzeInput, options?: AnalyzeOptions): string;

/**
 * One call of the analysed input (`call` is its number in the report, `report.calls[].index`,
 * from 1) as a person reads it: headers and pretty-printed bodies with every secret masked as the
 * report masks it, and the places its evidence names marked (`marks[].start`/`end` count UTF-16
 * units, so `text.slice(start, end)` is the marked value). Rejects with a `CallstateError`.
 */
export function exchange(input: AnalyzeInput, call: number, options?: AnalyzeOptions): Promise<Exchange>;

/** Like `exchange`, synchronously: after `init()` (always, in Node.js). */
export function exchangeSync(input: SyncAnalyzeInput, call: number, options?: AnalyzeOptions): Exchange;

/**
 * One analysis kept in memory: built once from the inputs, then asked for its report, its
 * Markdown and any call without analysing again (where `exchange()` and `analyzeMarkdown()` read
 * and analyse the inputs each time). It holds every call whole, about the input's size:
 * `free()` it when done. The constructor takes what `analyzeSync` takes, after `init()` (always,
 * in Node.js); `await analysis(input)` takes Blobs too and loads the module first. Throws a
 * `CallstateError`.
 */
export declare class Analysis {
  constructor(input: SyncAnalyzeInput, options?: AnalyzeOptions);
  /** The report (`callstate.report/2`). */
  report(): Report;
  /** The report rendered as Markdown. */
  markdown(): string;
  /** One call (its number in the report, from 1), as `exchange()` gives it. */
  exchange(call: number): Exchange;
  /** Whether the calls were kept whole, for `exchange()` (always, but from an `Analyzer` made without `keepCalls`). */
  readonly keepsCalls: boolean;
  /** Releases the analysis's memory; it answers nothing after. */
  free(): void;
}

/** Analyses a trace once and resolves to an `Analysis` to ask about it. Rejects with a `CallstateError`. */
export function analysis(input: AnalyzeInput, options?: AnalyzeOptions): Promise<Analysis>;

/** A source of chunks for `analyzeStream`. */
export type StreamSource =
  | GlobalInstance<'ReadableStream'>
  | BlobLike
  | AsyncIterable<Bytes | string>
  | Iterable<Bytes | string>
  | Bytes
  | string;

export interface StreamOptions extends AnalyzeOptions {
  /** Called after each chunk with the bytes read and the calls parsed so far. */
  onProgress?: (progress: { bytes: number; calls: number }) => void;
}

/**
 * Analyses inputs read as streams, never holding a whole file: HAR and JSON Lines inputs are
 * read entry by entry, and each call keeps only what the signals read. Resolves to the report
 * `analyze` gives for the same bytes. Several inputs: `[{name, stream}]` or `[{name, blob}]`.
 */
export function analyzeStream(
  input: StreamSource | Array<{ name?: string; stream: StreamSource } | { name?: string; blob: BlobLike }>,
  options?: StreamOptions,
): Promise<Report>;

/**
 * Incremental analysis: `push` chunks as they arrive, then `finish()` for the report. After
 * `init()` (always, in Node.js). The first input is named by `options.name`; `begin(name)`
 * starts each further one.
 */
export declare class Analyzer {
  /** `keepCalls`: keep every call whole, so that `analysis()` can show any (memory about the input's size). */
  constructor(options?: AnalyzeOptions, settings?: { keepCalls?: boolean });
  begin(name: string): void;
  push(chunk: Bytes | string): void;
  /** Bytes pushed so far. */
  readonly bytes: number;
  /** Calls read so far. */
  readonly calls: number;
  /** The report over every input pushed; the analyser is then spent. */
  finish(): Report;
  /** The `Analysis` of every input pushed (made with `keepCalls` to show calls); the analyser is then spent. */
  analysis(): Analysis;
  /** Releases the analyser without a report. */
  free(): void;
}

/** The report schema this build writes (`callstate.report/2`); after `init()` (always, in Node.js). */
export function schemaVersion(): string;

/** One input of `analyzeEach`: what `analyze` takes for one input, or one named input (a stream is read in pieces). */
export type EachInput = NamedInput | { name?: string; stream: StreamSource } | Bytes | string | BlobLike;

/** What `analyzeEach` yields for each input: its report, or the error that kept it from being read. */
export type EachResult = { name: string; report: Report; error?: undefined } | { name: string; error: CallstateError; report?: undefined };

/**
 * Analyses each input on its own (not together as one trace), one after another, yielding
 * `{name, report}` or, for an input that cannot be read, `{name, error}` with a `CallstateError`,
 * and going on with the next. Unnamed inputs are named `input 1`, `input 2`…
 */
export function analyzeEach(
  inputs: Iterable<EachInput | Promise<EachInput>> | AsyncIterable<EachInput>,
  options?: Omit<AnalyzeOptions, 'name'>,
): AsyncGenerator<EachResult, void, undefined>;
