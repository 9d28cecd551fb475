#!/usr/bin/env node
// What the wasm and JS weigh: the shipped files raw and gzipped, and the wasm code attributed to
// the crate that defines each function (from the name section of the un-optimised build
// `target/wasm32-unknown-unknown/wasm/callstate.wasm`; wasm-opt then shrinks the whole by
// the ratio printed beside it, so the shares are what matters). The same for the YAML module,
// loaded only for YAML (`target/yaml-module/…`, built apart by `make build-wasm`).
//
//   node bench/sizes.mjs [--build] [--json]
//
// `--build` (what `make bench` does) first builds the shipped optimisation with the names kept
// (target/bench/named/), for the same table after wasm-opt; WASM_FEATURES gives wasm-opt's
// feature flags and WASM_OPT_FLAGS its optimisation flags (both as the Makefile sets them).

import { readFileSync, existsSync, statSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The shipped optimisation (wasm-bindgen, then wasm-opt with the Makefile's flags) with the name section kept. */
export const NAMED_OPT = 'target/bench/named/callstate_opt.wasm';

/** The two modules: the analyser, and the YAML module; each un-optimised build and its NAMED_OPT. */
const MODULES = [
  { name: 'callstate', raw: 'target/wasm32-unknown-unknown/wasm/callstate.wasm', named: NAMED_OPT },
  { name: 'callstate_yaml', raw: 'target/yaml-module/wasm32-unknown-unknown/wasm/callstate.wasm', named: 'target/bench/named/callstate_yaml_opt.wasm' },
];

/** wasm-opt's optimisation flags, as the Makefile's WASM_OPT_FLAGS (which `make bench` passes). */
const OPT_FLAGS = '-Oz --converge --low-memory-unused --strip-producers --strip-target-features';

/**
 * Builds NAMED_OPT from the un-optimised build, as `make build-wasm` does but with `--keep-debug`
 * and `-g`, so that the shipped code can be attributed to crates. `features` are the wasm-opt
 * feature flags the Makefile passes.
 */
export function buildNamed(features) {
  for (const module of MODULES) {
    const raw = path.join(ROOT, module.raw);
    const out = path.join(ROOT, module.named);
    if (!existsSync(raw) || (existsSync(out) && statSync(out).mtimeMs >= statSync(raw).mtimeMs)) continue;
    const dir = path.dirname(out);
    mkdirSync(dir, { recursive: true });
    execFileSync(path.join(ROOT, '.tools/bin/wasm-bindgen'), ['--target', 'web', '--keep-debug', '--out-dir', dir, '--out-name', module.name, raw]);
    const flags = (process.env.WASM_OPT_FLAGS || OPT_FLAGS).split(/\s+/).filter(Boolean);
    execFileSync(path.join(ROOT, 'node_modules/.bin/wasm-opt'), [...flags, '-g', ...features, path.join(dir, `${module.name}_bg.wasm`), '-o', out]);
  }
}

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

function fileSizes(files) {
  const present = files.filter((f) => existsSync(path.join(ROOT, f)));
  if (!present.length) return null;
  const bytes = Buffer.concat(present.map((f) => readFileSync(path.join(ROOT, f))));
  return { files: present, raw: bytes.length, gzip: gz(bytes) };
}

// ---- the wasm binary -------------------------------------------------------------------------

function reader(bytes) {
  let pos = 0;
  const r = {
    get pos() {
      return pos;
    },
    set pos(p) {
      pos = p;
    },
    byte: () => bytes[pos++],
    u32() {
      let result = 0, shift = 0, b;
      do {
        b = bytes[pos++];
        result |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      return result >>> 0;
    },
    name() {
      const n = r.u32();
      const s = Buffer.from(bytes.subarray(pos, pos + n)).toString('utf8');
      pos += n;
      return s;
    },
  };
  return r;
}

/** Sections, imported function count, function body sizes and names. */
export function parseWasm(bytes) {
  const r = reader(bytes);
  r.pos = 8;
  const sections = [];
  let imported = 0;
  const bodies = [];
  const names = new Map();
  let data = 0;
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    let label = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'][id] || `id ${id}`;
    if (id === 0) {
      const name = r.name();
      label = `custom ${name}`;
      if (name === 'name') {
        while (r.pos < end) {
          const sub = r.byte();
          const subSize = r.u32();
          const subEnd = r.pos + subSize;
          if (sub === 1) {
            for (let n = r.u32(); n > 0; n--) {
              const index = r.u32();
              names.set(index, r.name());
            }
          }
          r.pos = subEnd;
        }
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) {
          imported++;
          r.u32();
        } else if (kind === 1) {
          r.byte();
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 2) {
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 3) {
          r.byte();
          r.byte();
        } else if (kind === 4) {
          r.byte();
          r.u32();
        }
      }
    } else if (id === 10) {
      for (let n = r.u32(); n > 0; n--) {
        const bodySize = r.u32();
        bodies.push(bodySize + 1);
        r.pos += bodySize;
      }
    } else if (id === 11) {
      data = size;
    }
    sections.push({ label, size });
    r.pos = end;
  }
  return { sections, imported, bodies, names, data };
}

// ---- attributing a function to its crate ------------------------------------------------------

const ESCAPES = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };

/** Demangles a legacy Rust symbol (`_ZN…E`); other names pass through. */
export function demangle(name) {
  if (name.startsWith('_R')) return demangleV0(name);
  if (!name.startsWith('_ZN')) return name;
  const parts = [];
  let i = 3;
  while (i < name.length && name[i] !== 'E') {
    const m = /^\d+/.exec(name.slice(i));
    if (!m) break;
    i += m[0].length;
    parts.push(name.slice(i, i + Number(m[0])));
    i += Number(m[0]);
  }
  if (/^h[0-9a-f]{16}$/.test(parts.at(-1) || '')) parts.pop();
  return parts
    .map((p) => p.replace(/^_\$/, '$').replace(/\$([A-Za-z0-9]+)\$/g, (all, code) => ESCAPES[code] ?? (code[0] === 'u' ? String.fromCharCode(parseInt(code.slice(1), 16)) : all)).replace(/\.\./g, '::'))
    .join('::');
}

/**
 * Enough of a v0 symbol (`_R…`) to attribute it: the crate of its first crate root
 * (`C<disambiguator>_<len><name>`) and the last identifier, as `crate::…::name`.
 */
function demangleV0(name) {
  const re = /C(?:s[0-9A-Za-z]*_)?(\d+)([A-Za-z_][A-Za-z0-9_]*)/g;
  for (let m; (m = re.exec(name)); ) {
    const len = Number(m[1]);
    if (m[2].length >= len) {
      const bare = name.replace(/Cs[0-9A-Za-z]+_/g, 'C').replace(/([XMYNB])s[0-9A-Za-z]*_/g, '$1');
      const idents = [];
      for (let i = 0; i < bare.length; ) {
        const d = /^[1-9]\d*/.exec(bare.slice(i));
        if (!d) {
          i++;
          continue;
        }
        const start = i + d[0].length + (bare[i + d[0].length] === '_' ? 1 : 0);
        idents.push(bare.slice(start, start + Number(d[0])));
        i = start + Number(d[0]);
      }
      return `${m[2].slice(0, len)}::${idents.slice(-2).join('::')}`;
    }
  }
  return name;
}

/** Strips crate disambiguators (`core[c5930c85a12de822]`) and hashes (`::h0123…`). */
export function cleanName(name) {
  return name.replace(/\[[0-9a-f]{16}\]/g, '').replace(/::h[0-9a-f]{16}$/, '').replace(/\[\d+\]$/, '');
}

const CRATE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The first path segment of a path, if it is a crate name (not a primitive or a type param). */
function crateOfPath(p) {
  p = p.replace(/^(?:&(?:'\w+ )?(?:mut )?|\*(?:const|mut) |dyn |\[|\(|impl )+/, '');
  const m = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(p);
  return m && CRATE.test(m[1]) ? m[1] : null;
}

/** Splits `<X as Y>::rest` at the top-level ` as `. */
function splitQualified(name) {
  let depth = 0;
  for (let i = 1; i < name.length; i++) {
    const c = name[i];
    if (c === '<') depth++;
    else if (c === '>') {
      if (depth === 0) return null;
      depth--;
    } else if (depth === 0 && name.startsWith(' as ', i)) {
      let d = 0, j = i + 4;
      for (; j < name.length; j++) {
        if (name[j] === '<') d++;
        else if (name[j] === '>') {
          if (d === 0) break;
          d--;
        }
      }
      return [name.slice(1, i), name.slice(i + 4, j)];
    }
  }
  return null;
}

export function crateOf(raw) {
  const name = cleanName(demangle(raw));
  if (/^__wbg|^__wbindgen|^__externref|^wasm_bindgen/.test(name)) return 'wasm_bindgen';
  // wasm-bindgen's shim around an export, with the export's body inlined into it by wasm-opt.
  if (/ shim$/.test(name)) return 'callstate';
  if (/^<(bool|char|str|[iu](8|16|32|64|128|size)|f32|f64)>::/.test(name)) return 'core';
  if (/^(memcpy|memmove|memset|memcmp|bcmp|__multi3|__ashl|__lshr|__udiv|__umod|__div|__mod|__mul|__float|__fix|__trunc|__extend|__add|__sub|__cmp|__powi)/.test(name)) return 'compiler_builtins';
  if (/^__rustc::|^__rdl_|^__rg_|^_*__rust|^rust_begin_unwind|^rust_panic|^(strlen|round|floor|ceil|fmod|pow|exp|log)f?$/.test(name)) return 'std';
  if (/^(analyze|schemaVersion|__wbg_analyzer|analyzer_)/i.test(name)) return 'callstate';
  if (name.startsWith('<')) {
    const parts = splitQualified(name);
    if (parts) return crateOfPath(parts[0]) || crateOfPath(parts[1]) || 'other';
    const inner = crateOfPath(name.slice(1));
    if (inner) return inner;
  }
  return crateOfPath(name) || (name.includes('::') ? 'other' : name.startsWith('analyze') || name === 'schemaVersion' ? 'callstate' : 'other');
}

const GROUPS = {
  core: 'core/alloc/std', alloc: 'core/alloc/std', std: 'core/alloc/std', compiler_builtins: 'core/alloc/std',
  serde: 'serde', serde_core: 'serde', serde_derive: 'serde',
  yaml_serde: 'yaml_serde (+libyaml)', unsafe_libyaml: 'yaml_serde (+libyaml)', libyaml: 'yaml_serde (+libyaml)', libyaml_safer: 'yaml_serde (+libyaml)', libyaml_rs: 'yaml_serde (+libyaml)',
  flate2: 'flate2/miniz_oxide', miniz_oxide: 'flate2/miniz_oxide', adler2: 'flate2/miniz_oxide', crc32fast: 'flate2/miniz_oxide', simd_adler32: 'flate2/miniz_oxide',
  wasm_bindgen: 'wasm_bindgen/js_sys', js_sys: 'wasm_bindgen/js_sys', serde_wasm_bindgen: 'serde_wasm_bindgen',
  dlmalloc: 'allocator (talc/dlmalloc)', talc: 'allocator (talc/dlmalloc)', lock_api: 'allocator (talc/dlmalloc)',
  hashbrown: 'hashbrown/rustc_hash', rustc_hash: 'hashbrown/rustc_hash', indexmap: 'indexmap',
  itoa: 'itoa/ryu', ryu: 'itoa/ryu', zmij: 'itoa/ryu',
};

export function wasmCrates(file) {
  const bytes = readFileSync(file);
  const { sections, imported, bodies, names, data } = parseWasm(bytes);
  const byCrate = new Map();
  const fns = [];
  bodies.forEach((size, i) => {
    const name = names.get(imported + i) || `function ${imported + i}`;
    const crate = crateOf(name);
    const group = GROUPS[crate] || crate;
    const entry = byCrate.get(group) || { crate: group, bytes: 0, functions: 0 };
    entry.bytes += size;
    entry.functions++;
    byCrate.set(group, entry);
    fns.push({ name: cleanName(demangle(name)), crate: group, bytes: size });
  });
  const code = bodies.reduce((s, b) => s + b, 0);
  const crates = [...byCrate.values()].sort((a, b) => b.bytes - a.bytes);
  fns.sort((a, b) => b.bytes - a.bytes);
  return { file, total: bytes.length, code, data, named: names.size > 0, crates, biggest: fns.slice(0, 12), sections };
}

/** A module's code by crate: un-optimised (`crates`) and, when built, as shipped (`optimised`). */
function moduleCrates({ raw, named }) {
  raw = path.join(ROOT, raw);
  named = path.join(ROOT, named);
  const crates = existsSync(raw) ? wasmCrates(raw) : null;
  const optimised = existsSync(named) && existsSync(raw) && statSync(named).mtimeMs >= statSync(raw).mtimeMs ? wasmCrates(named) : null;
  return { crates, optimised };
}

export function sizes() {
  const wasm = fileSizes(['www/pkg/callstate_bg.wasm']);
  const glue = fileSizes(['www/pkg/callstate.js']);
  const yamlWasm = fileSizes(['www/pkg/callstate_yaml_bg.wasm']);
  const yamlGlue = fileSizes(['www/pkg/callstate_yaml.js']);
  const npmJs = fileSizes(['target/npm/callstate/core.js', 'target/npm/callstate/web.js', 'target/npm/callstate/wasm/callstate.js']);
  const { crates, optimised } = moduleCrates(MODULES[0]);
  return { wasm, glue, yamlWasm, yamlGlue, npmJs, crates, optimised, yaml: moduleCrates(MODULES[1]) };
}

function printCrates(c, title, log) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  log(`\n${title} (${kb(c.total)}: code ${kb(c.code)}, data ${kb(c.data)}${c.named ? '' : ', NO NAME SECTION'})`);
  for (const row of c.crates) {
    log(`  ${row.crate.padEnd(26)} ${kb(row.bytes).padStart(10)} ${((100 * row.bytes) / c.code).toFixed(1).padStart(5)}%  ${String(row.functions).padStart(5)} functions`);
  }
  log(`  ${'data section'.padEnd(26)} ${kb(c.data).padStart(10)}`);
}

export function printSizes(s, log = console.log) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  log('Sizes');
  if (s.wasm) log(`  www/pkg/callstate_bg.wasm      ${kb(s.wasm.raw).padStart(10)} raw  ${kb(s.wasm.gzip).padStart(10)} gzip`);
  if (s.glue) log(`  www/pkg/callstate.js (glue)    ${kb(s.glue.raw).padStart(10)} raw  ${kb(s.glue.gzip).padStart(10)} gzip`);
  if (s.yamlWasm) log(`  www/pkg/callstate_yaml_bg.wasm ${kb(s.yamlWasm.raw).padStart(10)} raw  ${kb(s.yamlWasm.gzip).padStart(10)} gzip  (only for YAML)`);
  if (s.yamlGlue) log(`  www/pkg/callstate_yaml.js      ${kb(s.yamlGlue.raw).padStart(10)} raw  ${kb(s.yamlGlue.gzip).padStart(10)} gzip`);
  if (s.npmJs) log(`  npm JS (core+web+glue)         ${kb(s.npmJs.raw).padStart(10)} raw  ${kb(s.npmJs.gzip).padStart(10)} gzip`);
  const c = s.optimised || s.crates;
  if (!c) return;
  if (s.optimised) printCrates(s.optimised, 'shipped wasm code by crate (wasm-opt, names kept; after inlining)', log);
  if (s.crates) printCrates(s.crates, 'wasm code by crate, un-optimised build (before inlining)', log);
  log(`  biggest functions${s.optimised ? ' (shipped)' : ''}:`);
  for (const f of c.biggest) log(`    ${kb(f.bytes).padStart(9)}  ${f.crate.padEnd(22)} ${f.name.slice(0, 110)}`);
  const yaml = s.yaml?.optimised ?? s.yaml?.crates;
  if (yaml) printCrates(yaml, `the YAML module's code by crate${s.yaml.optimised ? ' (wasm-opt, names kept)' : ', un-optimised build'}`, log);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--build')) buildNamed((process.env.WASM_FEATURES || '').split(/\s+/).filter(Boolean));
  const s = sizes();
  if (process.argv.includes('--json')) console.log(JSON.stringify(s, null, 2));
  else printSizes(s);
}
