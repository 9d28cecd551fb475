// The report's JSON Schema (as the package ships it, schema/report.schema.json, printed by
// `callstate schema`) against real reports: every pinned report in tests/golden/, and the report
// the release CLI writes for every recording in tests/corpus/ and tests/formats/ (and the rules
// examples in tests/rules/). Validated with ajv (draft 2020-12), twice: as published, and with
// every object closed (`additionalProperties: false`), so that a field the schema (and so the
// generated TypeScript types) does not declare is caught too.
//
//   make package && node --test tests/npm/

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { CLI, PACKAGE_DIR, REPO, assertPackageBuilt } from './scratch.mjs';

const SCHEMA_DIR = path.join(PACKAGE_DIR, 'schema');
const SKIPPED = /^(NOTICE|README|manifest)\b/i;

// The formats schemars writes for Rust's numbers; ajv (strict) refuses formats it does not know.
const INTEGER_FORMATS = {
  uint8: [0, 2 ** 8 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint32: [0, 2 ** 32 - 1],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  uint: [0, Number.MAX_SAFE_INTEGER],
  int8: [-(2 ** 7), 2 ** 7 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function newAjv() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  for (const [name, [min, max]] of Object.entries(INTEGER_FORMATS)) {
    ajv.addFormat(name, { type: 'number', validate: (n) => Number.isInteger(n) && n >= min && n <= max });
  }
  for (const name of ['float', 'double']) ajv.addFormat(name, { type: 'number', validate: (n) => Number.isFinite(n) });
  return ajv;
}

/** A copy of the schema in which every object schema with properties admits no other property. */
function closed(schema) {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, closed(s)])) : closed(v)]));
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

function readSchema(which) {
  const file = path.join(SCHEMA_DIR, `${which}.schema.json`);
  assert.ok(existsSync(file), `${path.relative(REPO, file)} does not exist: run \`make package\` first`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Files directly in a test folder that are recordings (not notices, manifests or `.bodies` folders). */
function recordings(folder) {
  const dir = path.join(REPO, 'tests', folder);
  return readdirSync(dir)
    .filter((name) => !SKIPPED.test(name) && !name.startsWith('.') && !name.endsWith('.bodies'))
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort();
}

let validators; // {open, closed}
const failures = (validate, report) => (validate(report) ? [] : validate.errors);

before(() => {
  assertPackageBuilt();
  assert.ok(existsSync(CLI), `${path.relative(REPO, CLI)} does not exist: run \`make package\` first (it builds the release CLI)`);
  const schema = readSchema('report');
  validators = { open: newAjv().compile(schema), closed: newAjv().compile(closed(schema)) };
});

/** Validates each {name, report}; fails with every report's ajv errors. */
function validateAll(reports) {
  const bad = [];
  for (const { name, report } of reports) {
    for (const [which, validate] of Object.entries(validators)) {
      const errors = failures(validate, report);
      if (errors.length) bad.push(`${name} (${which} schema):\n${JSON.stringify(errors, null, 2)}`);
    }
  }
  assert.equal(bad.length, 0, `reports that do not validate against schema/report.schema.json:\n${bad.join('\n')}`);
}

test('the shipped schemas compile in ajv (strict, draft 2020-12)', () => {
  for (const which of ['report', 'options', 'rules', 'policy']) {
    const schema = readSchema(which);
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    newAjv().compile(schema);
  }
});

test('every pinned report in tests/golden/ validates', () => {
  const dir = path.join(REPO, 'tests', 'golden');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length > 0, 'no golden reports');
  validateAll(files.map((f) => ({ name: `tests/golden/${f}`, report: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) })));
  console.log(`validated ${files.length} golden reports`);
});

test('the CLI’s report for every recording in tests/corpus/ and tests/formats/ validates', { timeout: 120_000 }, () => {
  const reports = [];
  const skipped = [];
  for (const file of [...recordings('corpus'), ...recordings('formats')]) {
    const name = path.relative(REPO, file);
    const result = spawnSync(CLI, ['analyze', '--format', 'json', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (result.status === 2) {
      skipped.push(`${name}: ${result.stderr.trim()}`);
      continue;
    }
    assert.equal(result.status, 0, `callstate analyze ${name} exited ${result.status}: ${result.stderr}`);
    reports.push({ name, report: JSON.parse(result.stdout) });
  }
  // Several inputs at once, and a layered trace.
  const layered = ['frontdoor-runtime-sessions.har', 'backend-model-calls.jsonl'].map((f) => path.join(REPO, 'tests', 'formats', f));
  const report = JSON.parse(execFileSync(CLI, ['analyze', '--format', 'json', ...layered], { encoding: 'utf8' }));
  assert.equal(report.verdict.label, 'layered');
  assert.notEqual(report.layers, null);
  reports.push({ name: 'frontdoor + backend', report });

  validateAll(reports);
  for (const line of skipped) console.log(`skipped (exit 2): ${line}`);
  console.log(`validated ${reports.length} CLI reports${skipped.length ? `, skipped ${skipped.length}` : ''}`);
  assert.ok(reports.length >= 40, `only ${reports.length} reports`);
});

test('the rules examples in tests/rules/ validate, and so do the reports made with them', () => {
  const dir = path.join(REPO, 'tests', 'rules');
  const rulesFiles = readdirSync(dir).filter((f) => f.endsWith('.rules.json'));
  assert.ok(rulesFiles.length > 0, 'no rules examples');
  const validateRules = newAjv().compile(readSchema('rules'));
  const reports = [];
  for (const file of rulesFiles) {
    const rules = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    assert.ok(validateRules(rules), `tests/rules/${file}: ${JSON.stringify(validateRules.errors, null, 2)}`);
    for (const trace of readdirSync(dir).filter((f) => f.startsWith(file.replace(/\.rules\.json$/, '.')) && f !== file)) {
      const stdout = execFileSync(CLI, ['analyze', '--format', 'json', '--rules', path.join(dir, file), path.join(dir, trace)], { encoding: 'utf8' });
      reports.push({ name: `tests/rules/${trace} with ${file}`, report: JSON.parse(stdout) });
    }
  }
  assert.ok(reports.length > 0, 'no recording beside the rules examples');
  validateAll(reports);
});
