// Policies through the npm package, as a user gets it (the packed tarball installed in a scratch
// project): the `policy` option gives `report.policy` for each rule type on corpus traces, a bad
// policy is a CallstateError naming the rule and the field, the example policies validate
// against the shipped schema, and the types say what the result holds.
//
//   make package && node --test tests/npm/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, REPO, packAndInstall, sh } from './scratch.mjs';

let installed;

before(async () => {
  installed = await packAndInstall();
});

after(async () => {
  await installed?.cleanup();
});

const CONSUMER = `
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyze, analyzeSync, analyzeMarkdown, CallstateError } from 'callstate';

const [repo, cases] = [process.argv[2], JSON.parse(process.argv[3])];
const trace = (name) => readFileSync(path.join(repo, 'tests', 'corpus', name));
const out = [];
for (const { trace: name, policy } of cases) {
  try {
    const report = await analyze(trace(name), { name, policy });
    out.push({ status: report.policy.status, rules: report.policy.rules.map((r) => [r.name, r.status, r.calls, r.evidence]) });
  } catch (error) {
    out.push({ error: error instanceof CallstateError, kind: error.kind, message: error.message });
  }
}
const md = await analyzeMarkdown(trace('oai-chat-tool-calls.yaml'), { policy: cases[0].policy });
const plain = analyzeSync(trace('oai-chat-tool-calls.yaml'));
console.log(JSON.stringify({ out, md, plainHasPolicy: 'policy' in plain, retention: plain.retention }));
`;

const rule = (r) => ({ rules: [r] });
const CASES = [
  // stateless
  { trace: 'oai-responses-input-history.yaml', policy: rule({ name: 'model-stateless', type: 'stateless' }) },
  { trace: 'oai-responses-prevresp-chain.yaml', policy: rule({ name: 'model-stateless', type: 'stateless' }) },
  // stateless-only-at
  { trace: 'azure-openai-chat.yaml', policy: rule({ name: 'azure', type: 'stateless-only-at', families: ['Azure OpenAI*'] }) },
  { trace: 'oai-chat-tool-calls.yaml', policy: rule({ name: 'azure', type: 'stateless-only-at', hosts: ['*.openai.azure.com'] }) },
  // state-only-at
  { trace: 'mcp-deepwiki-session-only.yaml', policy: rule({ name: 'sessions', type: 'state-only-at', kinds: ['session'], hosts: ['mcp.deepwiki.com'] }) },
  { trace: 'mcp-deepwiki-session-only.yaml', policy: rule({ name: 'sessions', type: 'state-only-at', kinds: ['session'], hosts: ['bedrock-agentcore.*.amazonaws.com'] }) },
  // no-retention
  { trace: 'oai-chat-tool-calls.yaml', policy: rule({ name: 'nothing-stored', type: 'no-retention' }) },
  { trace: 'crewai-responses-autochain.yaml', policy: rule({ name: 'nothing-stored', type: 'no-retention' }) },
  // evidence-strength
  { trace: 'oai-responses-prevresp-chain.yaml', policy: rule({ name: 'proven', type: 'evidence-strength', at_least: 'medium' }) },
  { trace: 'bedrock-inline-agent.yaml', policy: rule({ name: 'proven', type: 'evidence-strength', at_least: 'medium' }) },
  // refused
  { trace: 'oai-chat-tool-calls.yaml', policy: rule({ name: 'azure', type: 'stateless-only-at', hostz: ['x'] }) },
  { trace: 'oai-chat-tool-calls.yaml', policy: rule({ name: 'odd', type: 'stateles' }) },
  { trace: 'oai-chat-tool-calls.yaml', policy: rule({ name: 'azure', type: 'stateless-only-at', hosts: ['https://x.openai.azure.com/'] }) },
  { trace: 'oai-chat-tool-calls.yaml', policy: rule({ name: 'azure', type: 'stateless-only-at', families: ['Azure OpenAi'] }) },
];

test('the policy option gives report.policy for each rule type, and refuses bad policies', { timeout: 60_000 }, async () => {
  await writeFile(path.join(installed.scratch, 'policy-consumer.mjs'), CONSUMER);
  const { stdout } = await sh(process.execPath, ['policy-consumer.mjs', REPO, JSON.stringify(CASES)], { cwd: installed.scratch });
  const { out, md, plainHasPolicy, retention } = JSON.parse(stdout);
  const statuses = out.map((o) => o.status ?? 'error');
  assert.deepEqual(statuses, [
    'holds', 'violated',
    'holds', 'violated',
    'holds', 'violated',
    'holds', 'violated',
    'holds', 'warning',
    'error', 'error', 'error', 'error',
  ]);
  assert.deepEqual(out[1].rules[0], ['model-stateless', 'violated', [2, 3, 4], ['E1', 'E2', 'E3']]);
  assert.deepEqual(out[3].rules[0], ['azure', 'violated', [1, 2, 3], []]);
  assert.deepEqual(out[5].rules[0], ['sessions', 'violated', [2, 3, 4, 5], ['E1']]);
  assert.deepEqual(out[7].rules[0], ['nothing-stored', 'violated', [1, 2], []]);
  assert.deepEqual(out[9].rules[0], ['proven', 'warning', [1], ['E1']]);
  for (const error of out.slice(10)) {
    assert.equal(error.error, true, 'a CallstateError');
    assert.equal(error.kind, 'usage');
  }
  assert.match(out[10].message, /rule `azure`.*unknown field `hostz`/);
  assert.match(out[11].message, /rule `odd`.*unknown rule type `stateles`/);
  assert.match(out[12].message, /rule `azure`.*field `hosts`.*cannot match a host/);
  assert.match(out[13].message, /rule `azure`.*field `families`.*matches no API family/);
  assert.match(md, /## Policy\n\n\*\*holds\*\*\n\n- model-stateless: holds/);
  assert.equal(plainHasPolicy, false, 'without a policy the report has no policy field');
  assert.deepEqual(retention, []);
});

test('the example policies validate against schema/policy.json', async () => {
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const schema = JSON.parse(readFileSync(path.join(installed.scratch, 'node_modules', 'callstate', 'schema', 'policy.schema.json'), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  for (const name of ['azure-stateless.json', 'no-retention.json']) {
    const policy = JSON.parse(readFileSync(path.join(REPO, 'examples', 'policies', name), 'utf8'));
    assert.ok(validate(policy), `${name}: ${JSON.stringify(validate.errors)}`);
  }
  assert.equal(validate({ rules: [{ name: 'x', type: 'no-retention', hosts: [] }] }), false, 'the schema is closed too');
});

const TYPED = `
import { analyzeSync, type Policy, type PolicyResult, type RuleResult } from 'callstate';
const policy: Policy = { name: 'p', rules: [{ name: 'azure', type: 'stateless-only-at', hosts: ['*.openai.azure.com'] }] };
const report = analyzeSync('', { policy });
const result: PolicyResult | undefined = report.policy ?? undefined;
const first: RuleResult | undefined = result?.rules[0];
if (first && first.status === 'violated') console.log(first.findings.map((f) => f.call + (f.host ?? '')));
for (const r of report.retention) console.log(r.kind === 'stored_response', r.by_default);
`;
const BAD = `
import { analyzeSync } from 'callstate';
const report = analyzeSync('', { policy: { rules: [{ name: 'x', type: 'no-retention' }] } });
if (report.policy?.status === 'passed') console.log('never');
`;

test('the policy types come with the package', { timeout: 120_000 }, async () => {
  await writeFile(path.join(installed.scratch, 'policy-typed.ts'), TYPED);
  await writeFile(path.join(installed.scratch, 'policy-bad.ts'), BAD);
  const tsc = async (file) => {
    const args = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', file];
    try {
      await sh(path.join(BIN, 'tsc'), args, { cwd: installed.scratch });
      return { code: 0, output: '' };
    } catch (error) {
      return { code: error.code, output: `${error.stdout}${error.stderr}` };
    }
  };
  const typed = await tsc('policy-typed.ts');
  assert.equal(typed.code, 0, typed.output);
  const bad = await tsc('policy-bad.ts');
  assert.notEqual(bad.code, 0, 'a status the result cannot have compiled');
  assert.match(bad.output, /policy-bad\.ts.*error TS2367: .*"passed"/);
});
