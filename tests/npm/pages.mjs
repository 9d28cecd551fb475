// Shared by the package's browser tests: opens a consumer's test page (one that runs
// fixtures/page-check.js) in Chromium and reads what it wrote, noting every request the page
// made and everything that went wrong on the way.

import assert from 'node:assert/strict';

/**
 * Opens `url` in a fresh browser context and resolves to {verdict, checks, error} once the page
 * has written its outcome. Requested URLs are pushed to `requests`, console errors and warnings,
 * uncaught errors, failed requests and HTTP errors to `problems`.
 */
export async function openPage(browser, url, { requests = [], problems = [] } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  try {
    await page.goto(url);
    await page.waitForFunction(
      () => document.getElementById('verdict')?.textContent || document.getElementById('error')?.textContent,
      null,
      { timeout: 30_000 },
    );
    const outcome = await page.evaluate(() => ({
      verdict: document.getElementById('verdict').textContent,
      checks: document.getElementById('checks').textContent,
      error: document.getElementById('error').textContent,
    }));
    return { ...outcome, checks: outcome.checks ? JSON.parse(outcome.checks) : undefined };
  } finally {
    await context.close();
  }
}

/** What every test page must have found: the schema, the input's name, and a CallstateError for a cut input. */
export function assertChecks(checks) {
  assert.equal(checks.schemaVersion, 'callstate.report/2');
  assert.equal(checks.name, 'crewai-responses-autochain.yaml');
  assert.deepEqual(checks.truncated, {
    isCallstateError: true,
    name: 'CallstateError',
    kind: 'malformed',
    offset: checks.truncated.offset,
    input: 'truncated.har',
  });
  assert.equal(typeof checks.truncated.offset, 'number');
}

/** The test page's HTML around a script element. */
export function pageHtml(title, script) {
  return (
    `<!doctype html>\n<meta charset="utf-8">\n<title>${title}</title>\n<link rel="icon" href="data:,">\n` +
    '<p>Verdict: <span id="verdict"></span></p>\n<pre id="checks"></pre>\n<pre id="error"></pre>\n' +
    `${script}\n`
  );
}
