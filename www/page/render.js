// Shows a run's report: the verdict first, then the picture, then the tables. Every step shares
// the run's time budget (its Pacer) and yields when it is spent, so that no task holds the page
// long however big the report; and each step stops when a newer report or run has replaced it.

import { callFilter, el, evidenceTable, facetsOf, plural, policyFlags, policyPanel, verdictBanner } from '../view.js';
import { markEvidenceRows } from './call-view.js';
import { PAGE_ROWS, callLink, evidenceId } from './run.js';
import { callRow, diagnosticItem, sessionItem } from './rows.js';

// A select of thousands of sessions helps nobody (and takes long to build): the first ones.
const MAX_SESSION_OPTIONS = 500;

/** Shows `result` ({name, report}) as `run`'s report; settles once all of it is on screen. */
export async function showReport(page, run, result) {
  const { ui, timeline } = page;
  const { name, report } = result;
  const still = () => run.showing(result);
  run.show(result);
  ui.report.hidden = false;
  ui.report.dataset.file = name;
  renderVerdict(ui, report, run);
  renderPolicy(ui, report.policy, run);
  renderSummary(ui, name, report.summary ?? {}, report.inputs ?? []);
  await run.pacer.yield(); // the verdict is painted before the rest is worked out
  if (!still()) return;
  await renderFacets(ui, report, run.pacer);
  if (!still()) return;
  timeline.setFlags(policyFlags(report.policy));
  await timeline.setReport(report, run.pacer);
  await run.pacer.nextFrame(); // the picture is drawn and laid out before the tables
  if (!still()) return;
  await renderTables(page, run, still);
  if (!still()) return;
  run.ready = true;
  renderList(ui.diagnosticsBlock, ui.diagnostics, report.diagnostics, (item) => diagnosticItem(item, run));
  // A filter chosen while the tables were still being drawn applies now.
  if (Object.values(ui.filters).some((select) => select.value)) applyFilter(page, run);
}

/** Empties the report's part of the page, for a new run. */
export function clearReport(ui, timeline) {
  ui.report.hidden = true;
  for (const node of [ui.verdict, ui.policyResult, ui.calls, ui.evidence, ui.sessions, ui.diagnostics, ui.callViewBody]) node.replaceChildren();
  ui.policyResult.hidden = true;
  ui.callView.hidden = true;
  ui.status.textContent = '';
  timeline.setFilter(null); // the picture keeps its filter across reports otherwise
  timeline.setReport(null);
}

function renderVerdict(ui, report, run) {
  const banner = verdictBanner(report, { link: run.evidenceLink });
  banner.id = 'verdict-box';
  banner.querySelector('.verdict-label').id = 'verdict-label';
  banner.querySelector('.verdict-headline').id = 'verdict-headline';
  banner.querySelector('.explanation p')?.setAttribute('id', 'verdict-explanation');
  ui.verdict.replaceChildren(banner);
}

/** The policy's result, with links to the calls that break a rule and to the evidence. */
function renderPolicy(ui, result, run) {
  ui.policyResult.hidden = !result;
  ui.policyResult.replaceChildren(...(result ? [policyPanel(result, { callLink, evidenceLink: run.evidenceLink })] : []));
}

function renderSummary(ui, name, summary, inputs) {
  const counts = [
    summary.calls != null && plural(summary.calls, 'call'),
    summary.stateful != null && `${summary.stateful} stateful`,
    summary.stateless != null && `${summary.stateless} stateless`,
    summary.resource_dependent && `${summary.resource_dependent} resource-dependent`,
    summary.sessions != null && plural(summary.sessions, 'session'),
  ].filter(Boolean);
  const described = inputs.map((input) => `${input.name ?? name} (${input.format ?? 'unknown format'})`);
  ui.summary.textContent = `${described.join(', ') || name}: ${counts.join(' · ')}`;
}

/** Fills the filters' choices from what the report's calls have. */
async function renderFacets(ui, report, pacer) {
  const facets = await facetsOf(report, pacer);
  const fill = (select, any, values, labels = {}) => {
    select.replaceChildren(el('option', { value: '', text: any }), ...values.map((value) => el('option', { value, text: labels[value] ?? value })));
    select.disabled = values.length === 0;
  };
  const noSession = (report.calls ?? []).some((call) => !call.session);
  const sessions = facets.sessions.slice(0, MAX_SESSION_OPTIONS);
  const anySession = facets.sessions.length > sessions.length ? `all sessions (first ${sessions.length} listed)` : 'all sessions';
  fill(ui.filters.session, anySession, [...sessions, ...(noSession && sessions.length ? ['-'] : [])], { '-': 'no session' });
  fill(ui.filters.state, 'any state', facets.states);
  fill(ui.filters.api, 'all APIs', facets.apis);
  fill(ui.filters.mode, 'all modes', facets.modes);
  ui.filterCount.textContent = '';
  await pacer.breathe();
}

/** Applies the filters as chosen now to the run on screen: its picture and its tables. */
export function applyFilter(page, run) {
  if (!run?.ready) return;
  const choice = Object.fromEntries(Object.entries(page.ui.filters).map(([key, select]) => [key, select.value]));
  run.filter = callFilter(choice);
  run.rows = { calls: PAGE_ROWS, evidence: PAGE_ROWS, sessions: PAGE_ROWS };
  page.timeline.setFilter(run.filter);
  renderTables(page, run);
}

/** Shows `PAGE_ROWS` more rows of one table (`key`: calls, evidence or sessions). */
export function showMore(page, run, key) {
  if (!run?.ready) return;
  run.rows[key] += PAGE_ROWS;
  renderTables(page, run);
}

/** The calls, evidence and sessions that pass the run's filter. */
function filtered(run) {
  const { report } = run.shown;
  const calls = run.filter ? report.calls.filter(run.filter) : report.calls;
  if (!run.filter) return { calls, evidence: report.evidence ?? [], sessions: report.sessions ?? [] };
  const keep = new Set(calls.map((call) => call.index));
  const evidence = (report.evidence ?? []).filter((item) => (item.calls ?? []).some((n) => keep.has(n)));
  const sessions = (report.sessions ?? []).filter((session) => session.calls.some((n) => keep.has(n)));
  return { calls, evidence, sessions };
}

/** Renders the calls, evidence and sessions that pass the filter, yielding between tables. */
async function renderTables(page, run, still = () => run.live) {
  const { ui } = page;
  const { calls, evidence, sessions } = filtered(run);
  const total = run.shown.report.calls.length;
  ui.filterCount.textContent = run.filter ? `${calls.length} of ${plural(total, 'call')}, ${plural(evidence.length, 'piece')} of evidence` : '';
  const inputs = run.shown.report.inputs ?? [];
  ui.calls.replaceChildren(...calls.slice(0, run.rows.calls).map((call) => callRow(call, inputs, run, ui.callHeadings)));
  more(ui.callsMore, calls.length - run.rows.calls, 'call');
  await run.pacer.nextFrame();
  if (!still()) return;
  renderEvidence(ui, run, evidence);
  await run.pacer.nextFrame();
  if (!still()) return;
  renderList(ui.sessionsBlock, ui.sessions, sessions.slice(0, run.rows.sessions), sessionItem);
  more(ui.sessionsMore, sessions.length - run.rows.sessions, 'session');
}

function renderEvidence(ui, run, evidence) {
  const table = evidenceTable(evidence.slice(0, run.rows.evidence), { callLink, idOf: evidenceId });
  const none = el('p', { class: 'none', text: run.filter ? 'No evidence concerns these calls.' : 'No evidence was recorded.' });
  ui.evidence.replaceChildren(evidence.length ? table : none);
  more(ui.evidenceMore, evidence.length - run.rows.evidence, 'piece', 'pieces');
  markEvidenceRows(ui, run);
}

/** The "show more" button under a table, with how many rows are left. */
function more(button, left, one, many) {
  button.hidden = left <= 0;
  button.textContent = left > 0 ? `Show ${Math.min(left, PAGE_ROWS)} more (${plural(left, one, many)} not shown)` : '';
}

function renderList(block, list, items, render) {
  list.replaceChildren(...(items ?? []).map(render));
  block.hidden = list.children.length === 0;
}
