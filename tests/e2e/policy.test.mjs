// Policies on the page and in the widget, with the real wasm build in headless Chromium: the
// policy picker, each rule type holding and violated on corpus traces, violations listed with
// links to the calls and marked in the picture, the exports, a bad policy refused before any
// analysis, and the widget's `policy` attribute.
//
//   make build && node --test tests/e2e/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO, WWW, corpus, openPage, reportShown, session, useBrowser } from './harness.mjs';

const TIMEOUT = 120_000;
const AZURE = path.join(REPO, 'examples', 'policies', 'azure-stateless.json');
const scratch = useBrowser({ scratch: 'callstate-e2e-policy-' });

/** Picks a policy file and waits until the page has checked it. */
async function pickPolicy(page, file) {
  const errors = await page.locator('#error .error-item').count();
  await page.evaluate(() => { document.getElementById('policy-state').textContent = ''; });
  await page.setInputFiles('#policy', file);
  await page.waitForFunction(
    (errors) => document.getElementById('policy-state').textContent !== '' || document.querySelectorAll('#error .error-item').length > errors,
    errors,
  );
}

/** Analyses a corpus trace and returns each rule's status as the page shows it. */
async function statuses(page, trace) {
  await page.setInputFiles('#file', corpus(trace));
  await reportShown(page);
  return page.locator('#policy-result .policy-rule').evaluateAll((items) => items.map((li) => [li.dataset.rule, li.dataset.status]));
}

async function policyFile(name, rules) {
  const file = scratch(name);
  await writeFile(file, JSON.stringify({ name, rules }));
  return file;
}

test('violations are listed with links to the calls, marked in the picture, and exported', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  await pickPolicy(page, AZURE);
  assert.equal(await page.textContent('#policy-state'), 'Checking azure-stateless.json.');
  assert.deepEqual(await statuses(page, 'oai-chat-tool-calls.yaml'), [
    ['model-calls-stateless', 'holds'],
    ['stateless-on-azure', 'violated'],
    ['sessions-at-the-runtime', 'not_applicable'],
    ['proven', 'not_applicable'],
  ]);
  assert.equal(await page.getAttribute('#policy-result .policy', 'data-status'), 'violated');
  const rule = page.locator('#policy-result .policy-rule[data-rule="stateless-on-azure"]');
  assert.deepEqual(await rule.locator('.policy-findings a[data-call]').evaluateAll((links) => links.map((a) => a.dataset.call)), ['1', '2', '3']);
  assert.match(await rule.textContent(), /call 1 \(OpenAI Chat Completions at api\.openai\.com\) is a stateless model call elsewhere/);
  // Marked in the picture.
  assert.deepEqual(await page.locator('.tl-call.flag-violated').evaluateAll((calls) => calls.map((g) => g.dataset.call)), ['1', '2', '3']);
  // A link opens the call.
  await rule.locator('a[data-call="2"]').click();
  await page.waitForSelector('#call-view:not([hidden])');
  assert.match(await page.textContent('#call-view-title'), /2/);
  // The exports carry the result.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(report.policy.status, 'violated');
  assert.deepEqual(report.policy.rules[1].calls, [1, 2, 3]);
  const [md] = await Promise.all([page.waitForEvent('download'), page.click('#download-md')]);
  assert.match(await readFile(await md.path(), 'utf8'), /## Policy: The stateless API stays on Azure; the runtime may keep sessions\n\n\*\*violated\*\*/);
  // The SVG export marks them too.
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#download-svg')]);
  assert.match(await readFile(await svg.path(), 'utf8'), /flag-violated/);

  // The same policy holds on Azure's chat completions, and nothing is marked.
  assert.deepEqual((await statuses(page, 'azure-openai-chat.yaml')).map(([, s]) => s), ['holds', 'holds', 'not_applicable', 'not_applicable']);
  assert.equal(await page.locator('.tl-call.flag-violated').count(), 0);
  await page.context().close();
});

test('each rule type holds on one corpus trace and is violated (or warns) on another', { timeout: TIMEOUT }, async () => {
  const cases = [
    [{ name: 'r', type: 'stateless' }, 'oai-responses-input-history.yaml', 'oai-responses-prevresp-chain.yaml', 'violated'],
    [{ name: 'r', type: 'stateless-only-at', families: ['Azure OpenAI*'] }, 'azure-openai-chat.yaml', 'oai-chat-tool-calls.yaml', 'violated'],
    [{ name: 'r', type: 'state-only-at', kinds: ['session'], hosts: ['mcp.deepwiki.com'] }, 'mcp-deepwiki-session-only.yaml', 'lastfm-edit-track-cookie.yaml', 'violated'],
    [{ name: 'r', type: 'no-retention' }, 'oai-chat-tool-calls.yaml', 'crewai-responses-autochain.yaml', 'violated'],
    [{ name: 'r', type: 'evidence-strength', at_least: 'medium' }, 'oai-responses-prevresp-chain.yaml', 'bedrock-inline-agent.yaml', 'warning'],
  ];
  const page = await openPage();
  for (const [rule, holds, breaks, broken] of cases) {
    await pickPolicy(page, await policyFile(`${rule.type}.json`, [rule]));
    assert.deepEqual(await statuses(page, holds), [['r', 'holds']], `${rule.type} on ${holds}`);
    assert.deepEqual(await statuses(page, breaks), [['r', broken]], `${rule.type} on ${breaks}`);
    assert.ok((await page.locator(`.tl-call.flag-${broken}`).count()) > 0, `${rule.type}: the picture marks the calls`);
  }
  await page.context().close();
});

test('a bad policy is refused when it is picked, naming the rule and the field', { timeout: TIMEOUT }, async () => {
  const page = await openPage();
  const bad = scratch('bad.yaml');
  await writeFile(bad, 'rules:\n  - name: azure\n    type: stateless-only-at\n    hosts: ["https://x.openai.azure.com/"]\n');
  await pickPolicy(page, bad);
  assert.match(await page.textContent('#error'), /rule azure.*field hosts.*cannot match a host/);
  assert.equal(await page.textContent('#policy-state'), '');
  const unknown = await policyFile('unknown.json', [{ name: 'odd', type: 'stateless', kind: ['session'] }]);
  await pickPolicy(page, unknown);
  assert.match(await page.textContent('#error'), /rule odd.*unknown field kind/);
  assert.match(await page.locator('#error .excerpt').last().textContent(), /"kind"/, 'the line is shown');
  // Analyses go on without a policy.
  await page.setInputFiles('#file', corpus('oai-chat-tool-calls.yaml'));
  await reportShown(page);
  assert.equal(await page.isHidden('#policy-result'), true);
  await page.context().close();
});

test('the widget takes a policy attribute', { timeout: TIMEOUT }, async () => {
  const shipped = await readFile(path.join(REPO, 'examples', 'policies', 'no-retention.json'), 'utf8');
  assert.equal(await readFile(path.join(WWW, 'samples', 'no-retention.policy.json'), 'utf8'), shipped, 'the sample policy is the example');
  const page = await openPage('widget-example.html');
  await page.evaluate(() => {
    const element = document.createElement('callstate-report');
    element.id = 'with-policy';
    element.setAttribute('policy', 'samples/no-retention.policy.json');
    element.setAttribute('src', 'samples/responses-chain.yaml');
    document.body.append(element);
  });
  const widget = page.locator('callstate-report#with-policy');
  await widget.locator('.policy').waitFor({ timeout: 60_000 });
  assert.equal(await widget.locator('.policy').getAttribute('data-status'), 'violated');
  assert.deepEqual(
    await widget.locator('.policy-rule').evaluateAll((items) => items.map((li) => [li.dataset.rule, li.dataset.status])),
    [['nothing-stored', 'violated'], ['no-server-kept-conversation', 'violated']],
  );
  assert.ok((await widget.locator('.tl-call.flag-violated').count()) > 0, 'the picture marks the calls');
  assert.equal(await page.evaluate(() => document.getElementById('with-policy').report.policy.status), 'violated');
  await page.context().close();
});

test('no console errors, page errors or requests to other origins', () => {
  assert.deepEqual(session.problems, []);
  assert.deepEqual(session.requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== session.origin), []);
});
