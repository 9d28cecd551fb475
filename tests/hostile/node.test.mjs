// The hostile-input suite under WebAssembly in Node: the cases and expectations that the native
// suite (tests/hostile.rs) wrote to target/hostile/, analysed by the built wasm in ONE instance
// (with the YAML module for the YAML cases), which must still analyse a good file correctly after
// every case.
//
//   make hostile-node   (after `cargo test`, which writes the cases)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CASES = path.join(REPO, 'target', 'hostile');
const PKG = path.join(REPO, 'www', 'pkg');

test('every hostile case gives an error or a report, and the instance survives', async () => {
  assert.ok(existsSync(path.join(CASES, 'expect.json')), 'target/hostile/expect.json is missing: run `cargo test --test hostile` first');
  assert.ok(existsSync(path.join(PKG, 'callstate.js')), 'www/pkg is missing: run `make build-wasm` first');
  const { initSync, analyze, setYamlReader } = await import(path.join(PKG, 'callstate.js'));
  initSync({ module: readFileSync(path.join(PKG, 'callstate_bg.wasm')) });
  // YAML cases go through the YAML module, as in the package and the page.
  const yaml = await import(path.join(PKG, 'callstate_yaml.js'));
  yaml.initSync({ module: readFileSync(path.join(PKG, 'callstate_yaml_bg.wasm')) });
  setYamlReader(yaml.yamlToJson);
  const good = readFileSync(path.join(REPO, 'tests', 'corpus', 'crewai-responses-autochain.yaml'));
  const expectations = JSON.parse(readFileSync(path.join(CASES, 'expect.json'), 'utf8'));
  assert.ok(expectations.length >= 40, `${expectations.length} cases`);

  const failures = [];
  for (const expect of expectations) {
    const bytes = readFileSync(path.join(CASES, expect.file));
    let report = null;
    let error = null;
    try {
      report = analyze(bytes, { name: expect.file });
    } catch (err) {
      error = err;
    }
    if (error instanceof WebAssembly.RuntimeError) {
      failures.push(`${expect.file}: the wasm trapped (${error.message}); the instance is dead`);
      break;
    }
    if (expect.outcome === 'error') {
      if (!error) failures.push(`${expect.file}: expected an error, got a ${report?.verdict?.label} report`);
      else if (!(error instanceof Error) || error.kind !== expect.kind || !error.message.includes(expect.words)) {
        failures.push(`${expect.file}: expected ${expect.kind} with "${expect.words}", got ${error.kind}: ${error.message}`);
      } else if (JSON.stringify(error.help ?? null) !== JSON.stringify(expect.help ?? null)) {
        failures.push(`${expect.file}: help ${JSON.stringify(error.help)}, natively ${JSON.stringify(expect.help)}`);
      }
    } else if (error) {
      failures.push(`${expect.file}: expected a report, got: ${error.message}`);
    } else {
      if (report.calls.length < expect.calls) failures.push(`${expect.file}: ${report.calls.length} calls, expected ${expect.calls}`);
      if (expect.warning && !report.diagnostics.some((d) => d.message.includes(expect.warning))) {
        failures.push(`${expect.file}: no diagnostic with "${expect.warning}"`);
      }
    }
    // The same instance still works.
    const after = analyze(good, { name: 'good.yaml' });
    if (after.verdict.label !== 'stateful') failures.push(`after ${expect.file}: a good file gave ${after.verdict.label}`);
  }
  assert.deepEqual(failures, []);
});
