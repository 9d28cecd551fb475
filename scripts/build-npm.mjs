#!/usr/bin/env node
// Assembles the npm package `callstate` into target/npm/callstate/ (`make package`):
//
//   node scripts/build-npm.mjs
//
// from the wasm-bindgen output in www/pkg/ (`make build-wasm`), the facade in npm/, and the JSON
// Schemas that the release CLI prints (`cargo build --release --bin callstate`; `callstate schema
// report|exchange|options|rules`). The TypeScript declarations of the report, the options and the rules
// (types.d.ts) are generated from those schemas, so they cannot drift from the Rust types. The
// version is Cargo.toml's. No dependencies: Node 20 standard library only.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const PKG = path.join(REPO, 'www', 'pkg');
const SRC = path.join(REPO, 'npm');
const CLI = path.join(REPO, 'target', 'release', 'callstate');
const OUT = path.join(REPO, 'target', 'npm', 'callstate');
/** The two wasm modules (`make build-wasm`): the analyser, and the YAML module it loads when needed. */
const MODULES = ['callstate', 'callstate_yaml'];

/** The schemas the package ships (schema/<name>.schema.json), and the name of each root type. */
const SCHEMAS = [
  { which: 'report', type: 'Report' },
  { which: 'exchange', type: 'Exchange' },
  { which: 'options', type: 'AnalyzeOptions' },
  { which: 'rules', type: 'Rules' },
  { which: 'policy', type: 'Policy' },
  { which: 'error', type: 'ErrorData' },
];

// ---- JSON Schema → TypeScript ------------------------------------------------------------------
//
// A small converter for the subset of JSON Schema (draft 2020-12) that schemars emits: objects with
// properties, required and additionalProperties; arrays (items, prefixItems); enums, consts and
// oneOf/anyOf of them; nullable types (`type: [T, "null"]`, or anyOf with `{type: "null"}`);
// allOf; `$ref` to `$defs`. Anything else that would change the type is refused rather than
// guessed, so the declarations never say less than the schema does.

/** Keywords that only annotate or constrain values within a type TypeScript can express. */
const ANNOTATIONS = new Set([
  '$schema', '$id', '$comment', '$defs', 'definitions', 'title', 'description', 'default', 'examples',
  'deprecated', 'readOnly', 'writeOnly', 'format', 'minimum', 'maximum', 'exclusiveMinimum',
  'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
  'uniqueItems', 'minProperties', 'maxProperties', 'contentEncoding', 'contentMediaType',
]);
const TYPE_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'prefixItems', 'enum', 'const',
  'oneOf', 'anyOf', 'allOf', '$ref',
]);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function jsdoc(lines, indent) {
  const text = lines.filter((l) => l !== undefined && l !== '').join('\n').replaceAll('*/', '*\\/');
  if (!text) return '';
  const body = text.split('\n');
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${body.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`;
}

/** The doc comment of a schema: its description, its default, and what each alternative means. */
function docOf(schema) {
  if (typeof schema !== 'object' || schema === null) return [];
  const lines = [schema.description];
  for (const member of schema.oneOf ?? schema.anyOf ?? []) {
    if (member && 'const' in member && member.description) {
      lines.push(`- \`${JSON.stringify(member.const)}\`: ${member.description.replaceAll('\n', ' ')}`);
    }
  }
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  return lines;
}

const union = (types) => {
  const unique = [...new Set(types)];
  if (unique.includes('unknown')) return 'unknown';
  const rest = unique.filter((t) => t !== 'never');
  return rest.length === 0 ? 'never' : rest.join(' | ');
};
const needsParens = (type) => /[|&]/.test(type) && !/^[[{(]/.test(type);
const arrayOf = (type) => (needsParens(type) ? `(${type})[]` : `${type}[]`);

/**
 * Converts one schema to a TypeScript type expression. `refName` maps a `$ref` to a type name;
 * `where` is the schema's path, for messages.
 */
function typeOf(schema, refName, where, indent = '') {
  if (schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (typeof schema !== 'object' || schema === null) throw new Error(`${where}: not a schema`);
  for (const key of Object.keys(schema)) {
    if (!ANNOTATIONS.has(key) && !TYPE_KEYWORDS.has(key)) {
      throw new Error(`${where}: the JSON Schema keyword \`${key}\` is not supported by build-npm.mjs's converter`);
    }
  }
  const parts = [];
  if (schema.$ref !== undefined) parts.push(refName(schema.$ref, where));
  if (schema.allOf) parts.push(schema.allOf.map((s, i) => wrap(typeOf(s, refName, `${where}/allOf/${i}`, indent))).join(' & '));
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (schema.oneOf && schema.anyOf) throw new Error(`${where}: both oneOf and anyOf`);
  if (alternatives) {
    const key = schema.oneOf ? 'oneOf' : 'anyOf';
    parts.push(union(alternatives.map((s, i) => typeOf(s, refName, `${where}/${key}/${i}`, indent))));
  }
  const own = ownType(schema, refName, where, indent);
  if (own !== undefined) parts.push(own);
  if (parts.length === 0) return 'unknown';
  return parts.length === 1 ? parts[0] : parts.map(wrap).join(' & ');
}

const wrap = (type) => (needsParens(type) ? `(${type})` : type);

/** The type the schema's own `type`/`enum`/`const` keywords give, or undefined where they say nothing. */
function ownType(schema, refName, where, indent) {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.enum) return union(schema.enum.map((v) => JSON.stringify(v)));
  if (schema.type === undefined) {
    if (schema.properties || schema.additionalProperties !== undefined) return objectType(schema, refName, where, indent);
    if (schema.items || schema.prefixItems) return arrayType(schema, refName, where, indent);
    return undefined;
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return union(
    types.map((t) => {
      switch (t) {
        case 'string':
          return 'string';
        case 'integer':
        case 'number':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'object':
          return objectType(schema, refName, where, indent);
        case 'array':
          return arrayType(schema, refName, where, indent);
        default:
          throw new Error(`${where}: unknown type \`${t}\``);
      }
    }),
  );
}

function arrayType(schema, refName, where, indent) {
  if (schema.prefixItems) {
    const items = schema.prefixItems.map((s, i) => typeOf(s, refName, `${where}/prefixItems/${i}`, indent));
    const rest = schema.items === undefined || schema.items === false ? [] : [`...${arrayOf(typeOf(schema.items, refName, `${where}/items`, indent))}`];
    return `[${[...items, ...rest].join(', ')}]`;
  }
  return arrayOf(schema.items === undefined ? 'unknown' : typeOf(schema.items, refName, `${where}/items`, indent));
}

/** An object type literal (or a map type, for objects with only `additionalProperties`). */
function objectType(schema, refName, where, indent) {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const extra = schema.additionalProperties;
  const extraType = extra === undefined || extra === false ? undefined : typeOf(extra, refName, `${where}/additionalProperties`, indent);
  if (properties.length === 0) {
    return `{ [key: string]: ${extraType ?? (extra === false ? 'never' : 'unknown')} }`;
  }
  const inner = `${indent}  `;
  let body = '';
  for (const [name, propertySchema] of properties) {
    const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
    const type = typeOf(propertySchema, refName, `${where}/properties/${name}`, inner);
    body += jsdoc(docOf(propertySchema), inner);
    body += `${inner}${key}${required.has(name) ? '' : '?'}: ${type};\n`;
  }
  if (extraType !== undefined) {
    // An index signature must admit every property's type too.
    const all = properties.map(([name, s]) => typeOf(s, refName, `${where}/properties/${name}`, inner));
    body += `${inner}[key: string]: ${union([extraType, ...all, 'undefined'])};\n`;
  }
  return `{\n${body}${indent}}`;
}

function isObjectSchema(schema) {
  return (
    typeof schema === 'object' &&
    schema !== null &&
    (schema.type === 'object' || (schema.type === undefined && schema.properties)) &&
    schema.properties &&
    !schema.oneOf &&
    !schema.anyOf &&
    !schema.allOf &&
    !schema.$ref
  );
}

/** One named declaration: an interface for an object with properties, else a type alias. */
function declaration(name, schema, refName, where) {
  const doc = jsdoc(docOf(schema), '');
  if (isObjectSchema(schema)) return `${doc}export interface ${name} ${objectType(schema, refName, where, '')}\n`;
  return `${doc}export type ${name} = ${typeOf(schema, refName, where, '')};\n`;
}

/** Whether two JSON values are equal, whatever the order of their keys. */
function sameJson(a, b) {
  const canonical = (v) =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]))
        : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * TypeScript declarations for several root schemas and all their `$defs`, which are shared by
 * name across the schemas (the same name must mean the same schema). `roots` is a list of
 * `{name, schema}`; a root whose title differs from its name also gets an alias of that name.
 */
export function schemasToTypeScript(roots, { header = '' } = {}) {
  const defs = new Map(); // name → {schema, from}
  for (const { name, schema } of roots) {
    for (const [defName, def] of Object.entries({ ...schema.definitions, ...schema.$defs })) {
      const seen = defs.get(defName);
      if (seen && !sameJson(seen.schema, def)) {
        throw new Error(`$defs/${defName} differs between the ${seen.from} and the ${name} schema`);
      }
      defs.set(defName, { schema: def, from: name });
    }
  }
  const rootNames = new Set(roots.map((r) => r.name));
  const refName = (ref, where) => {
    const match = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref);
    if (!match) throw new Error(`${where}: unsupported $ref ${ref}`);
    const name = decodeURIComponent(match[1].replaceAll('~1', '/').replaceAll('~0', '~'));
    if (!defs.has(name)) throw new Error(`${where}: $ref to a missing definition ${ref}`);
    if (!IDENTIFIER.test(name)) throw new Error(`${where}: definition name ${name} is not a TypeScript identifier`);
    return name;
  };
  let out = header;
  for (const { name, schema } of roots) {
    const title = schema.title;
    if (title && title !== name && !rootNames.has(title) && !defs.has(title)) {
      // Declared under its own title (the Rust type's name), with the public name as an alias.
      out += `\n${declaration(title, schema, refName, `${name}#`)}`;
      out += `\n/** The same as \`${title}\`. */\nexport type ${name} = ${title};\n`;
    } else if (title && title !== name && defs.has(title)) {
      // The root is also one of the definitions (the same Rust type reached from another schema).
      if (!sameJson(stripRoot(schema), defs.get(title).schema)) {
        throw new Error(`the ${name} schema (${title}) differs from $defs/${title}`);
      }
      out += `\n/** The same as \`${title}\`. */\nexport type ${name} = ${title};\n`;
    } else {
      out += `\n${declaration(name, schema, refName, `${name}#`)}`;
    }
  }
  for (const name of [...defs.keys()].sort()) {
    out += `\n${declaration(name, defs.get(name).schema, refName, `#/$defs/${name}`)}`;
  }
  return out;
}

/** A root schema without the keywords only a root has, to compare it with a definition. */
function stripRoot(schema) {
  const { $schema, $defs, definitions, title, ...rest } = schema;
  return rest;
}

// ---- the package ------------------------------------------------------------------------------

function fail(message) {
  console.error(`build-npm.mjs: ${message}`);
  process.exit(1);
}

/** A string field of Cargo.toml's [package] section. */
function cargoField(field) {
  const toml = readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8');
  const section = /^\[package\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? '';
  return new RegExp(`^${field}\\s*=\\s*"([^"]*)"`, 'm').exec(section)?.[1];
}

function cargoVersion() {
  const version = cargoField('version');
  if (!version) fail('found no `version` in the [package] section of Cargo.toml');
  return version;
}

/** `callstate schema <which>`, parsed; fails with what to do when the CLI cannot print it. */
function schemaFromCli(which) {
  if (!existsSync(CLI)) {
    fail(`${path.relative(REPO, CLI)} does not exist: build it with \`cargo build --release --bin callstate\` (or \`make package\`).`);
  }
  let text;
  try {
    text = execFileSync(CLI, ['schema', which], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    fail(
      `\`${path.relative(REPO, CLI)} schema ${which}\` failed (${error.stderr?.trim().split('\n')[0] || error.message}).\n` +
        'The package needs the JSON Schemas the CLI prints with `callstate schema report|exchange|options|rules`: rebuild the CLI ' +
        'from a checkout that has the `schema` subcommand (`cargo build --release --bin callstate`). No schema is made up here.',
    );
  }
  let schema;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    fail(`\`callstate schema ${which}\` did not print JSON (${error.message})`);
  }
  if (typeof schema !== 'object' || schema === null || !String(schema.$schema ?? '').includes('2020-12')) {
    fail(`\`callstate schema ${which}\` did not print a JSON Schema draft 2020-12 document`);
  }
  return { text: text.endsWith('\n') ? text : `${text}\n`, schema };
}

function sizeOf(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(file) : statSync(file).size;
  }
  return total;
}

function build() {
  for (const file of MODULES.flatMap((module) => [`${module}.js`, `${module}_bg.wasm`])) {
    if (!existsSync(path.join(PKG, file))) fail(`www/pkg/${file} does not exist: run \`make build-wasm\` first.`);
  }
  for (const file of ['core.js', 'node.js', 'web.js', 'index.d.ts', 'wasm.d.ts', 'package.json', 'README.md']) {
    if (!existsSync(path.join(SRC, file))) fail(`npm/${file} is missing`);
  }
  const schemas = SCHEMAS.map((s) => ({ ...s, ...schemaFromCli(s.which) }));
  const version = cargoVersion();

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(path.join(OUT, 'wasm'), { recursive: true });
  mkdirSync(path.join(OUT, 'schema'), { recursive: true });

  // The wasm-bindgen glue, without its pointer to a .d.ts the package does not ship (index.d.ts
  // declares the facade; the glue is internal and not exported).
  for (const module of MODULES) {
    const glue = readFileSync(path.join(PKG, `${module}.js`), 'utf8').replace(/^\/\* @ts-self-types="[^"]*" \*\/\n/, '');
    writeFileSync(path.join(OUT, 'wasm', `${module}.js`), glue);
    copyFileSync(path.join(PKG, `${module}_bg.wasm`), path.join(OUT, 'wasm', `${module}_bg.wasm`));
  }

  for (const file of ['core.js', 'node.js', 'web.js', 'index.d.ts', 'wasm.d.ts', 'README.md']) {
    copyFileSync(path.join(SRC, file), path.join(OUT, file));
  }
  for (const { which, text } of schemas) writeFileSync(path.join(OUT, 'schema', `${which}.schema.json`), text);

  const header =
    `// Generated by scripts/build-npm.mjs from the JSON Schemas that \`callstate schema\` prints\n` +
    `// (schema/*.schema.json). Do not edit.\n`;
  writeFileSync(
    path.join(OUT, 'types.d.ts'),
    schemasToTypeScript(
      schemas.map(({ type, schema }) => ({ name: type, schema })),
      { header },
    ),
  );

  const manifest = JSON.parse(readFileSync(path.join(SRC, 'package.json'), 'utf8'));
  manifest.version = version;
  manifest.description ??= cargoField('description');
  manifest.license ??= cargoField('license');
  writeFileSync(path.join(OUT, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  // Everything `files` and `exports` name must be there.
  for (const file of [...manifest.files, ...Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))]) {
    if (!existsSync(path.join(OUT, file))) fail(`package.json names ${file}, which the package does not have`);
  }

  const [wasmSize, yamlSize] = MODULES.map((module) => statSync(path.join(OUT, 'wasm', `${module}_bg.wasm`)).size);
  console.log(`callstate ${version} → ${path.relative(REPO, OUT)}/ (${sizeOf(OUT)} bytes, of which ${wasmSize} wasm and ${yamlSize} the YAML module's)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) build();
