// The package's TypeScript declarations, as a strict TypeScript user gets them: consumers in a
// scratch project (only the packed tarball installed) compiled with the repository's `tsc`. The
// report types are generated from the Rust types' JSON Schema, so a consumer that reads a field
// the report does not have, or compares the verdict with a label it cannot have, must not compile.
//
//   make package && node --test tests/npm/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BIN, copyFixtures, packAndInstall, sh } from './scratch.mjs';

const TSC = path.join(BIN, 'tsc');
const STRICT = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
const TIMEOUT = 120_000;

let installed;

before(async () => {
  installed = await packAndInstall();
  await copyFixtures(installed.scratch, 'consumer.ts', 'consumer-dom.ts', 'wasm-url.ts', 'bad-field.ts', 'bad-label.ts');
});

after(async () => {
  await installed?.cleanup();
});

/** Runs tsc in the scratch project; resolves to {code, output}. */
async function tsc(...args) {
  try {
    const { stdout, stderr } = await sh(TSC, args, { cwd: installed.scratch });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    if (typeof error.code !== 'number') throw error;
    return { code: error.code, output: `${error.stdout}${error.stderr}` };
  }
}

test('a strict consumer compiles (verdict narrowing, CallstateError, options and rules)', { timeout: TIMEOUT }, async () => {
  const { code, output } = await tsc(...STRICT, 'consumer.ts');
  assert.equal(code, 0, `tsc failed:\n${output}`);
});

test('the declarations need neither the DOM nor @types/node', { timeout: TIMEOUT }, async () => {
  const { code, output } = await tsc(...STRICT, '--lib', 'es2022', '--types', '', 'consumer.ts');
  assert.equal(code, 0, `tsc --lib es2022 failed:\n${output}`);
});

test('Blob, File and Response inputs compile with the DOM library', { timeout: TIMEOUT }, async () => {
  const { code, output } = await tsc(...STRICT, '--lib', 'es2022,dom', 'consumer-dom.ts');
  assert.equal(code, 0, `tsc failed:\n${output}`);
});

test('`import wasmUrl from "callstate/wasm"` and analyzeEach are typed', { timeout: TIMEOUT }, async () => {
  for (const resolution of [['--module', 'nodenext', '--moduleResolution', 'nodenext'], ['--module', 'esnext', '--moduleResolution', 'bundler']]) {
    const { code, output } = await tsc('--strict', '--noEmit', ...resolution, '--lib', 'es2022', '--types', '', 'wasm-url.ts');
    assert.equal(code, 0, `tsc ${resolution.join(' ')} failed:\n${output}`);
  }
});

test('reading a field the report does not have does not compile', { timeout: TIMEOUT }, async () => {
  const { code, output } = await tsc(...STRICT, 'bad-field.ts');
  assert.notEqual(code, 0, 'bad-field.ts compiled: the report types are not real');
  assert.match(output, /bad-field\.ts.*error TS2339: Property 'certainty' does not exist on type 'VerdictReport'/);
  assert.equal(output.match(/error TS/g).length, 1, `expected only that error:\n${output}`);
});

test('comparing the verdict with a label it cannot have does not compile', { timeout: TIMEOUT }, async () => {
  const { code, output } = await tsc(...STRICT, 'bad-label.ts');
  assert.notEqual(code, 0, 'bad-label.ts compiled: the label is not a union of its values');
  assert.match(output, /bad-label\.ts.*error TS2367: .*"statefull"/);
  assert.equal(output.match(/error TS/g).length, 1, `expected only that error:\n${output}`);
});
