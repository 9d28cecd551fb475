// The npm package as a Node.js user gets it: `npm pack` the built package, install only the
// tarball offline into a scratch project, and import it from there.
//
//   make package && node --test tests/npm/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PACKAGE_DIR, REPO, copyFixtures, packAndInstall, sh } from './scratch.mjs';

let installed;

before(async () => {
  installed = await packAndInstall();
});

after(async () => {
  await installed?.cleanup();
});

test('the tarball holds the package files and nothing else', () => {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));
  const files = installed.pack.files.map((f) => f.path).sort();
  assert.deepEqual(files, [...manifest.files, 'README.md', 'package.json'].sort());
  assert.equal(manifest.name, 'callstate');
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.sideEffects, false);
  assert.equal(manifest.dependencies, undefined, 'the package has no dependencies');
  const cargo = readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8');
  assert.equal(manifest.version, /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1], 'the version is Cargo.toml’s');
  assert.deepEqual(Object.keys(manifest.exports['.']), ['types', 'node', 'browser', 'default']);
});

test('package size', () => {
  const { size, unpackedSize, files } = installed.pack;
  const wasm = files.find((f) => f.path === 'wasm/callstate_bg.wasm').size;
  const yaml = files.find((f) => f.path === 'wasm/callstate_yaml_bg.wasm').size;
  const yamlGzip = gzipSync(readFileSync(path.join(PACKAGE_DIR, 'wasm', 'callstate_yaml_bg.wasm')), { level: 9 }).length;
  const wasmGzip = gzipSync(readFileSync(path.join(PACKAGE_DIR, 'wasm', 'callstate_bg.wasm')), { level: 9 }).length;
  const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`npm package: packed ${size} bytes (${kib(size)}), unpacked ${unpackedSize} bytes (${kib(unpackedSize)}), ${files.length} files`);
  console.log(`  wasm: ${wasm} bytes = ${pct(wasm, unpackedSize)} of unpacked; ${wasmGzip} bytes gzipped ≈ ${pct(wasmGzip, size)} of packed`);
  console.log(`  YAML module: ${yaml} bytes, ${yamlGzip} bytes gzipped (loaded only for YAML)`);
  console.log(`  everything else: ${unpackedSize - wasm - yaml} bytes unpacked`);
  assert.ok(wasm > 0 && yaml > 0 && wasm + yaml < unpackedSize);
});

test('a Node.js ESM script imports `callstate` and analyses inputs', { timeout: 60_000 }, async () => {
  await copyFixtures(installed.scratch, 'node-consumer.mjs');
  const { stdout } = await sh(process.execPath, ['node-consumer.mjs', REPO], { cwd: installed.scratch });
  const out = JSON.parse(stdout);

  assert.equal(out.resolved, path.join('node_modules', 'callstate', 'node.js'), 'Node.js gets the node entry point');
  assert.equal(out.schemaVersion, 'callstate.report/2');
  assert.equal(out.syncBeforeInit, 'stateless', 'analyzeSync works at import time');
  assert.equal(out.stateful, 'stateful');
  assert.deepEqual(out.statefulInputs, [{ name: 'crewai-responses-autochain.yaml', format: 'vcr', calls: 2 }]);
  assert.ok(out.statefulPlaces.some((p) => p.includes('previous_response_id')), `places: ${out.statefulPlaces}`);
  assert.equal(out.stateless, 'stateless');
  assert.equal(out.arrayBuffer, 'stateless');
  assert.equal(out.blob, 'stateful');
  assert.match(out.markdown, /^# /);

  assert.equal(out.streamBlob, true, 'a streamed File gives the report analyze() gives');
  assert.equal(out.streamProgress, true, 'onProgress reports every byte read');
  assert.equal(out.streamReadable, true, 'a ReadableStream of 97-byte chunks gives the same report');
  assert.deepEqual(out.streamManual, { same: true, afterFinish: 'usage' });
  assert.deepEqual(out.streamCut, { isCallstateError: true, kind: 'malformed', input: 'cut.har' });

  const mark = out.exchangeMarks.find((m) => m.at === 'request.body/previous_response_id');
  assert.ok(mark, `marks: ${JSON.stringify(out.exchangeMarks)}`);
  assert.equal(mark.text, JSON.stringify(out.exchangeHandle), 'the marked value is the handle as the report shows it');
  assert.deepEqual(out.exchangeAuthorization, { name: 'authorization', value: '[redacted]', masked: true, evidence: [] });
  assert.deepEqual(out.exchangeZero, { isCallstateError: true, kind: 'usage' });
  assert.deepEqual(out.analysis, { report: true, markdown: true, calls: true, missing: 'usage', afterFree: 'usage', blob: true, streamed: true, lean: [false, true, 'usage'] });

  assert.deepEqual(out.each, [
    'crewai-responses-autochain.yaml: stateful',
    'cut.har: true malformed cut.har',
    'oai-chat-tool-calls.yaml: stateless',
    'frontdoor.har: stateful',
    'input 5: stateless',
  ]);
  assert.deepEqual(out.eachSync, ['stateful', 'unknown_format']);
  assert.equal(out.eachBad, 'true usage', 'analyzeEach() takes a list of inputs, not one');

  assert.equal(out.layered, 'layered');
  // Inputs are listed in a canonical order (by name), whatever order they were given in.
  assert.deepEqual(out.layeredInputs.map((i) => i.split(':').slice(0, 2).join(':')), [
    'backend-model-calls.jsonl:jsonl',
    'frontdoor-runtime-sessions.har:har',
  ]);
  assert.deepEqual(out.layeredBlob, ['backend-model-calls.jsonl', 'frontdoor-runtime-sessions.har']);

  for (const [which, name] of [
    [out.truncated, 'truncated.har'],
    [out.truncatedSync, 'truncated-sync.har'],
  ]) {
    assert.notEqual(which, 'no error', 'a truncated input must be rejected');
    assert.equal(which.isCallstateError, true, `not a CallstateError: ${JSON.stringify(which)}`);
    assert.equal(which.isError, true);
    assert.equal(which.name, 'CallstateError');
    assert.equal(which.kind, 'malformed');
    assert.equal(typeof which.location.offset, 'number', `location: ${JSON.stringify(which.location)}`);
    assert.equal(which.location.input, name);
    assert.match(which.message, new RegExp(`${name.replace('.', '\\.')}.*byte ${which.location.offset}`));
  }
  assert.equal(out.badArgument.isCallstateError, true);
  assert.equal(out.badArgument.kind, 'usage');
  assert.equal(out.badArgument.location, null);
  assert.equal(out.badArgument.help, null);
  // A limit: which one and its value as data, and the option that raises it in the package's words.
  assert.equal(out.overLimit.isCallstateError, true, JSON.stringify(out.overLimit));
  assert.equal(out.overLimit.kind, 'limit');
  assert.deepEqual(out.overLimit.help, { raise_limit: { limit: 'maxCalls', current: 1 } });
  assert.ok(out.overLimit.message.endsWith(' Raise it above 1 with `limits: { maxCalls: N }`.'), out.overLimit.message);
  assert.ok(!out.overLimit.message.includes('--limit'), out.overLimit.message);
  assert.equal(out.afterErrors, 'stateful', 'the instance stays usable after errors');

  assert.equal(out.schemaTitle, 'Report');
  assert.equal(out.rulesSchemaTitle, 'UserRules');
  assert.deepEqual(out.wasmMagic, [0x00, 0x61, 0x73, 0x6d], 'callstate/wasm is the WebAssembly module');
  assert.deepEqual(out.wasmYamlMagic, [0x00, 0x61, 0x73, 0x6d], 'callstate/wasm-yaml is the YAML module');
  assert.equal(out.badYaml.isCallstateError, true, JSON.stringify(out.badYaml));
  assert.equal(out.badYaml.kind, 'unknown_format');
  assert.match(out.badYaml.message, /^The input is neither JSON nor a YAML cassette callstate can read: found unexpected end of stream/);
  assert.deepEqual([out.badYaml.location.input, out.badYaml.location.line, out.badYaml.location.column], ['bad.yaml', 4, 1]);
  assert.equal(out.yamlPolicy, 'violated', 'a YAML policy is read');
  assert.equal(out.version, JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')).version);
});

test('a CommonJS script require()s `callstate` (Node.js 20.19+ and 22.12+)', { timeout: 60_000 }, async () => {
  const [major, minor] = process.versions.node.split('.').map(Number);
  assert.ok(major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19), `Node.js ${process.version} cannot require() ES modules`);
  await copyFixtures(installed.scratch, 'node-require.cjs');
  const { stdout } = await sh(process.execPath, ['node-require.cjs', REPO], { cwd: installed.scratch });
  assert.equal(stdout.trim(), 'stateful');
});
