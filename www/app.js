// The callstate page: takes recordings (dropped, picked, pasted or a bundled sample), hands them
// to the wasm analyser in a worker (worker.js) and shows the report: the verdict first, then a
// picture of the traffic (timeline.js), the evidence, each call, and exports.
//
// Everything in a report comes from an untrusted trace, so it only ever reaches the DOM as
// textContent or attribute values, never as HTML.

import { Timeline } from './timeline.js';
import {
  SIGNAL_HINTS, inSlices, callFilter, callTitle, chip, el, evidenceTable, facetsOf, formatDuration, formatStart, joined, plural, policyFlags,
  phrases, policyPanel, richText, signalName, verdictBanner,
} from './view.js';

const $ = (id) => document.getElementById(id);

const ui = {
  file: $('file'),
  rules: $('rules'),
  rulesState: $('rules-state'),
  policy: $('policy'),
  policyState: $('policy-state'),
  policyResult: $('policy-result'),
  pasteText: $('paste-text'),
  pasteGo: $('paste-go'),
  progress: $('progress'),
  status: $('status'),
  cancel: $('cancel'),
  error: $('error'),
  report: $('report'),
  verdict: $('verdict'),
  summary: $('summary'),
  filters: { session: $('filter-session'), state: $('filter-state'), api: $('filter-api'), mode: $('filter-mode') },
  filterClear: $('filter-clear'),
  filterCount: $('filter-count'),
  timeline: $('timeline'),
  callView: $('call-view'),
  callViewTitle: $('call-view-title'),
  callViewBody: $('call-view-body'),
  evidence: $('evidence'),
  evidenceMore: $('evidence-more'),
  calls: $('calls').tBodies[0],
  callsMore: $('calls-more'),
  callHeadings: [...$('calls').tHead.rows[0].cells].map((cell) => cell.textContent),
  sessionsBlock: $('sessions-block'),
  sessions: $('sessions'),
  sessionsMore: $('sessions-more'),
  diagnosticsBlock: $('diagnostics-block'),
  diagnostics: $('diagnostics'),
};

const PAGE = 50; // rows shown at first, and added by each "show more"
const MAX_SESSION_OPTIONS = 500;

// Report ids (E1, call numbers) become element ids; prefixed, and percent-encoded in links.
const evidenceId = (id) => `evidence-${id}`;
const callId = (index) => `call-${index}`;
const linkTo = (id, text, attrs = {}) => el('a', { class: 'ref', href: `#${encodeURIComponent(id)}`, text, ...attrs });
const callLink = (index) => linkTo(callId(index), `call ${index}`, { 'data-call': index });
const evidenceLink = (id) => (citable.has(id) ? linkTo(evidenceId(id), id, { 'data-evidence-link': id }) : null);

function formatLocation(location) {
  if (!location) return '';
  const parts = [];
  if (location.input != null) parts.push(location.input);
  if (location.line != null) parts.push(`line ${location.line}`);
  if (location.column != null) parts.push(`column ${location.column}`);
  if (location.line == null && location.offset != null) parts.push(`byte ${location.offset}`);
  if (location.entry != null) parts.push(`entry ${location.entry + 1}`); // counted from 0 in reports
  return parts.join(', ');
}

const megabytes = (bytes) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

// ---------------------------------------------------------------- state

let worker = null;
// Set when the wasm instance in `worker` trapped: it is replaced before the next run.
let workerBroken = false;

/**
 * The run in progress: {total, answered, parts}. A new run or a cancel replaces it; a run
 * checks `run === current` after every await.
 */
let current = null;

let shown = null; // {name, report} on screen
let citable = new Set(); // its evidence ids, which richText() links to
let view = null; // derived data for the report on screen
const waiting = new Map(); // replies awaited from the worker, by type: resolve functions

const timeline = new Timeline(ui.timeline, { onSelect: (index) => openCall(index), label: 'Timeline of the calls by session' });

// ---------------------------------------------------------------- the worker

function getWorker() {
  if (worker && !workerBroken) return worker;
  worker?.terminate();
  workerBroken = false;
  delete document.body.dataset.analyser;
  const created = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  // Ignore anything from a worker that has since been replaced.
  created.onmessage = ({ data }) => created === worker && onWorkerMessage(data);
  created.onerror = (event) => {
    if (created !== worker) return;
    event.preventDefault();
    // A module worker that fails to import gives no details: say what usually causes it.
    failRun(
      'The analyser could not be started: ./pkg/callstate.js or its wasm file did not load. ' +
        'If you built this page yourself, run `make build` first.',
    );
  };
  created.onmessageerror = () => created === worker && failRun('A message from the analyser could not be read.');
  worker = created;
  return worker;
}

function onWorkerMessage(message) {
  if (message.type === 'ready') {
    document.body.dataset.analyser = 'ready';
    return;
  }
  if (message.type === 'export' || message.type === 'exchange' || message.type === 'check') {
    const key = { export: `export:${message.format}`, exchange: `exchange:${message.call}`, check: 'check' }[message.type];
    waiting.get(key)?.(message);
    waiting.delete(key);
    return;
  }
  const run = current;
  if (!run) return;
  switch (message.type) {
    case 'progress':
      showProgress(message);
      break;
    case 'part':
      run.parts[message.key].push(...message.items);
      break;
    case 'result': {
      const report = { ...message.report };
      for (const key of ['calls', 'evidence', 'sessions']) if (run.parts[key].length) report[key] = run.parts[key];
      run.parts = { calls: [], evidence: [], sessions: [] };
      run.answered += message.covers ?? 1;
      run.analysed += message.covers ?? 1;
      run.shown = showReport({ name: message.name, report }, run).then(() => run.answered === run.total && finishRun(run));
      break;
    }
    case 'error':
      if (message.fatal) workerBroken = true;
      addError(message.name, message.message, message.excerpt);
      run.answered += 1;
      if (run.answered === run.total) (run.shown ?? Promise.resolve()).then(() => finishRun(run));
      break;
    default:
      console.warn('callstate: unexpected message from the worker', message);
  }
}

/** Asks the worker for something about the report on screen and waits for the answer. */
function ask(message, key) {
  return new Promise((resolve) => {
    waiting.get(key)?.({ error: 'Asked again.' });
    waiting.set(key, resolve);
    getWorker().postMessage(message);
  });
}

// ---------------------------------------------------------------- runs

/**
 * Analyses a list of sources ({name, blob}); the worker reads them. Starting a run while another
 * is going cancels the older one.
 */
function analyse(sources) {
  if (sources.length === 0) return;
  if (current) stopWorker();
  const run = { total: sources.length, answered: 0, analysed: 0, parts: { calls: [], evidence: [], sessions: [] }, shown: null };
  current = run;
  clearOutput();
  ui.report.setAttribute('aria-busy', 'true');
  ui.cancel.hidden = false;
  showProgress({ phase: 'reading', done: 0, total: sources.length, name: sources[0].name, bytes: 0, totalBytes: 0 });
  getWorker().postMessage({ type: 'analyse', files: sources, rules, policy });
}

/** Stops whatever the worker is doing: the only way to interrupt the wasm. */
function stopWorker() {
  worker?.terminate();
  worker = null;
  for (const resolve of waiting.values()) resolve({ error: 'The analyser was stopped.' });
  waiting.clear();
}

function cancelRun() {
  if (!current) return;
  const total = current.total;
  stopWorker();
  current = null;
  ui.progress.hidden = true;
  ui.cancel.hidden = true;
  ui.report.removeAttribute('aria-busy');
  ui.status.textContent = `Cancelled: the ${total === 1 ? 'file was' : `${total} files were`} not analysed.`;
  getWorker(); // ready for the next run
}

function failRun(message) {
  stopWorker();
  addError(null, message);
  if (current) finishRun(current);
}

function finishRun(run) {
  if (run !== current) return;
  current = null;
  ui.progress.hidden = true;
  ui.cancel.hidden = true;
  ui.report.removeAttribute('aria-busy');
  const failed = run.total - run.analysed;
  const together = shown && run.analysed > 1 ? ' together' : '';
  ui.status.textContent =
    run.total === 1 ? '' : `Analysed ${plural(run.analysed, 'file')}${together}` + (failed > 0 ? `; ${failed} could not be analysed.` : '.');
}

let progressUpdates = 0;

function showProgress({ phase, done = 0, total = 1, name, bytes = 0, totalBytes = 0, calls = 0 }) {
  ui.progress.hidden = false;
  // Counted for the long-task measurement (bench/), which watches this attribute.
  ui.progress.dataset.updates = String((progressUpdates += 1));
  const which = total > 1 ? ` (${Math.min(done + 1, total)} of ${total})` : '';
  const parsed = calls > 0 ? `, ${calls.toLocaleString('en')} calls parsed` : '';
  if (phase === 'reading' && totalBytes > 0) {
    ui.progress.max = totalBytes;
    ui.progress.value = bytes;
    ui.status.textContent = `Reading ${name ?? 'files'}${which}: ${megabytes(bytes)} of ${megabytes(totalBytes)}${parsed}…`;
  } else {
    ui.progress.removeAttribute('value'); // indeterminate while the analyser works
    ui.status.textContent = `Analysing ${name ?? `${total} files together`}${which}${parsed}…`;
  }
}

function clearOutput() {
  ui.error.hidden = true;
  ui.error.replaceChildren();
  ui.report.hidden = true;
  ui.verdict.replaceChildren();
  ui.policyResult.replaceChildren();
  ui.policyResult.hidden = true;
  ui.calls.replaceChildren();
  ui.evidence.replaceChildren();
  ui.sessions.replaceChildren();
  ui.diagnostics.replaceChildren();
  ui.status.textContent = '';
  closeCall();
  shown = null;
  view = null;
  timeline.setReport(null);
}

/** Shows an error; `name` is the file it concerns, or null for a general failure. */
function addError(name, message, excerpt = null) {
  const item = el(
    'div',
    { class: 'error-item', 'data-file': name ?? '' },
    el('p', { class: 'error-title', text: name == null ? 'Something went wrong' : `Could not analyse ${name}` }),
    el('p', {}, richText(message, () => null)),
  );
  if (excerpt) {
    // The offending line, with a caret under the position the analyser reported.
    item.append(el('pre', { class: 'excerpt', text: `${excerpt.text}\n${' '.repeat(excerpt.caret)}^` }));
  }
  ui.error.append(item);
  ui.error.hidden = false;
}

// ---------------------------------------------------------------- rendering

/**
 * Shows a report, a section per task so that a big report never holds the page: the verdict
 * first, then the picture, then the tables.
 */
async function showReport(result, run) {
  shown = result;
  const { name, report } = result;
  const still = () => run === current && shown === result;
  citable = new Set((report.evidence ?? []).map((item) => item.id));
  ui.report.hidden = false;
  ui.report.dataset.file = name;
  renderVerdict(report);
  renderPolicy(report.policy);
  renderSummary(name, report.summary ?? {}, report.inputs ?? []);
  await nextTask();
  if (!still()) return;

  const byIndex = new Map();
  await inSlices(report.calls ?? [], (call) => byIndex.set(call.index, call));
  const evidenceByCall = new Map();
  await inSlices(report.evidence ?? [], (item) => {
    for (const call of new Set([...(item.calls ?? []), ...(item.places ?? []).map((p) => p.call)])) {
      if (!evidenceByCall.has(call)) evidenceByCall.set(call, []);
      evidenceByCall.get(call).push(item);
    }
  });
  if (!still()) return;
  view = { report, byIndex, evidenceByCall, filter: null, callsShown: PAGE, evidenceShown: PAGE, sessionsShown: PAGE };
  await renderFacets(report);
  if (!still()) return;
  timeline.setFlags(policyFlags(report.policy));
  await timeline.setReport(report);
  if (!still()) return;
  await renderTables(still);
  if (!still()) return;
  renderList(ui.diagnosticsBlock, ui.diagnostics, report.diagnostics, diagnosticItem);
}

function renderVerdict(report) {
  const banner = verdictBanner(report, { link: evidenceLink });
  banner.id = 'verdict-box';
  banner.querySelector('.verdict-label').id = 'verdict-label';
  banner.querySelector('.verdict-headline').id = 'verdict-headline';
  banner.querySelector('.explanation p')?.setAttribute('id', 'verdict-explanation');
  ui.verdict.replaceChildren(banner);
}

/** The policy's result, with links to the calls that break a rule and to the evidence. */
function renderPolicy(result) {
  ui.policyResult.hidden = !result;
  ui.policyResult.replaceChildren(...(result ? [policyPanel(result, { callLink, evidenceLink })] : []));
}

function renderSummary(name, summary, inputs) {
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

async function renderFacets(report) {
  const facets = await facetsOf(report);
  const fill = (select, any, values, labels = {}) => {
    select.replaceChildren(el('option', { value: '', text: any }), ...values.map((value) => el('option', { value, text: labels[value] ?? value })));
    select.disabled = values.length === 0;
  };
  const noSession = (report.calls ?? []).some((call) => !call.session);
  // A select of thousands of sessions helps nobody (and takes long to build): the first ones.
  const sessions = facets.sessions.slice(0, MAX_SESSION_OPTIONS);
  fill(ui.filters.session, facets.sessions.length > sessions.length ? `all sessions (first ${sessions.length} listed)` : 'all sessions', [...sessions, ...(noSession && sessions.length ? ['-'] : [])], { '-': 'no session' });
  fill(ui.filters.state, 'any state', facets.states);
  fill(ui.filters.api, 'all APIs', facets.apis);
  fill(ui.filters.mode, 'all modes', facets.modes);
  ui.filterCount.textContent = '';
}

function currentFilter() {
  return callFilter(Object.fromEntries(Object.entries(ui.filters).map(([key, select]) => [key, select.value])));
}

function applyFilter() {
  if (!view) return;
  view.filter = currentFilter();
  view.callsShown = PAGE;
  view.evidenceShown = PAGE;
  timeline.setFilter(view.filter);
  renderTables();
}

/** The calls, evidence and sessions that pass the filter. */
function filtered() {
  const { report, filter } = view;
  const calls = filter ? report.calls.filter(filter) : report.calls;
  if (!filter) return { calls, evidence: report.evidence ?? [], sessions: report.sessions ?? [] };
  const keep = new Set(calls.map((call) => call.index));
  const evidence = (report.evidence ?? []).filter((item) => (item.calls ?? []).some((n) => keep.has(n)));
  const sessions = (report.sessions ?? []).filter((session) => session.calls.some((n) => keep.has(n)));
  return { calls, evidence, sessions };
}

/** Renders the calls, evidence and sessions that pass the filter; a task each when `still` is given. */
async function renderTables(still = null) {
  const { calls, evidence, sessions } = filtered();
  const total = view.report.calls.length;
  ui.filterCount.textContent = view.filter ? `${calls.length} of ${plural(total, 'call')}, ${plural(evidence.length, 'piece')} of evidence` : '';

  const inputs = view.report.inputs ?? [];
  ui.calls.replaceChildren(...calls.slice(0, view.callsShown).map((call) => callRow(call, inputs)));
  more(ui.callsMore, calls.length - view.callsShown, 'call');
  if (still) {
    await nextTask();
    if (!still()) return;
  }

  const table = evidenceTable(evidence.slice(0, view.evidenceShown), { callLink, idOf: evidenceId });
  ui.evidence.replaceChildren(evidence.length ? table : el('p', { class: 'none', text: view.filter ? 'No evidence concerns these calls.' : 'No evidence was recorded.' }));
  more(ui.evidenceMore, evidence.length - view.evidenceShown, 'piece', 'pieces');
  markEvidenceRows(openIndex);
  if (still) {
    await nextTask();
    if (!still()) return;
  }

  renderList(ui.sessionsBlock, ui.sessions, sessions.slice(0, view.sessionsShown), sessionItem);
  more(ui.sessionsMore, sessions.length - view.sessionsShown, 'session');
  if (sessions.length > 0) ui.sessionsBlock.hidden = false;
}

function more(button, left, one, many) {
  button.hidden = left <= 0;
  button.textContent = left > 0 ? `Show ${Math.min(left, PAGE)} more (${plural(left, one, many)} not shown)` : '';
}

function renderList(block, list, items, render) {
  list.replaceChildren(...(items ?? []).map(render));
  block.hidden = list.children.length === 0;
}

const LINKED_BY = { span_parent: 'span parent', traceparent: 'traceparent', content: 'same content', time: 'time' };

/** What a call is: `POST https://…`, or for a span without a URL its name and operation. */
function requestLabel(call) {
  if (!call.url && call.span) {
    const operation = call.span.operation ? ` (${call.span.operation})` : '';
    return [el('span', { class: 'method', text: 'span' }), ' ', el('span', { class: 'url', text: `${call.span.name}${operation}` })];
  }
  return [el('span', { class: 'method', text: call.method }), ' ', el('span', { class: 'url', text: call.url })];
}

function callRow(call, inputs) {
  const request = el(
    'td',
    { class: 'request' },
    ...requestLabel(call),
    call.status != null && call.status !== 0 && [' ', el('span', { class: 'status', text: `→ ${call.status}` })],
    call.layer && [' ', chip(call.layer === 'upper' ? 'runtime layer' : 'model layer')],
    call.parent != null && el('span', { class: 'origin' }, 'made for ', callLink(call.parent), ` (${LINKED_BY[call.linked_by] ?? call.linked_by})`),
    call.transport && call.transport !== 'http' && [' ', chip(call.transport)],
    // Only worth saying which file a call came from when there are several.
    inputs.length > 1 && el('span', { class: 'origin', text: inputs[call.input]?.name ?? `input ${call.input}` }),
  );
  const row = el(
    'tr',
    { id: callId(call.index), 'data-mode': call.mode, 'data-call-row': call.index },
    el('th', { scope: 'row' }, el('button', { type: 'button', class: 'link-button', 'data-open': call.index, text: `call ${call.index}`, 'aria-label': `Open call ${call.index}` })),
    request,
    el('td', {}, call.api ? el('span', { text: call.api.family ?? call.api.id, title: call.api.id }) : '—'),
    el('td', {}, chip(call.mode ?? 'unknown', { 'data-mode': call.mode }), stateNote(call.state)),
    el('td', { text: call.session ?? '—' }),
    el('td', {}, call.evidence?.length ? joined(call.evidence.map((id) => evidenceLink(id) ?? id)) : '—'),
  );
  // On narrow screens each row becomes a card, and the cells show these labels (style.css).
  [...row.cells].forEach((cell, i) => cell.setAttribute('data-label', ui.callHeadings[i]));
  return row;
}

/** " conversation, sandbox" for a list of state kinds, or nothing. */
function stateNote(states) {
  return states?.length ? el('span', { class: 'state', text: ` ${states.join(', ')}` }) : null;
}

function sessionItem(session) {
  const handles = session.handles ?? [];
  const calls = session.calls ?? [];
  return el(
    'li',
    { 'data-mode': session.mode },
    el('strong', { text: session.id }),
    ' ',
    chip(session.mode ?? 'unknown', { 'data-mode': session.mode }),
    stateNote(session.state),
    calls.length > 0 && [' · ', joined(calls.slice(0, 30).map(callLink)), calls.length > 30 ? ` and ${calls.length - 30} more` : ''],
    handles.length > 0 &&
      el(
        'p',
        { class: 'handles' },
        handles.length === 1 ? 'Handle ' : 'Handles ',
        joined(handles.slice(0, 10).map((h) => [el('code', { text: h.handle }), h.state ? ` (${h.state})` : ''])),
        handles.length > 10 ? ` and ${handles.length - 10} more` : '',
      ),
  );
}

function diagnosticItem(diagnostic) {
  const where = formatLocation(diagnostic.location);
  return el(
    'li',
    { 'data-severity': diagnostic.severity },
    chip(diagnostic.severity ?? 'note', { 'data-severity': diagnostic.severity }),
    ' ',
    richText(diagnostic.message, evidenceLink),
    where && el('span', { class: 'where', text: ` (${where})` }),
  );
}

// ---------------------------------------------------------------- the call view

let openIndex = null;

/** Opens one call: what the report says about it, then its request and response from the worker. */
async function openCall(index) {
  if (!view) return;
  const call = view.byIndex.get(index);
  if (!call) return;
  openIndex = index;
  timeline.select(index);
  markEvidenceRows(index);
  ui.callView.hidden = false;
  ui.callViewTitle.textContent = `Call ${index}: ${callTitle(call)}`;
  const items = view.evidenceByCall.get(index) ?? [];
  const exchange = el('div', { class: 'exchange', 'aria-busy': 'true' }, el('p', { class: 'hint', text: 'Reading the request and response…' }));
  ui.callViewBody.replaceChildren(callFacts(call), callEvidence(call, items), exchange);
  ui.callView.focus({ preventScroll: true });
  ui.callView.scrollIntoView({ block: 'nearest', behavior: 'smooth' });

  const reply = await ask({ type: 'exchange', call: index }, `exchange:${index}`);
  if (openIndex !== index) return;
  exchange.removeAttribute('aria-busy');
  if (reply.view) exchange.replaceChildren(...exchangeView(reply.view, items));
  else exchange.replaceChildren(el('p', { class: 'hint', text: `The request and response could not be shown: ${reply.error ?? 'no answer'}` }));
}

function closeCall() {
  openIndex = null;
  ui.callView.hidden = true;
  ui.callViewBody.replaceChildren();
  timeline.select(null);
  markEvidenceRows(null);
}

/** Marks the evidence rows that concern a call (or none). */
function markEvidenceRows(index) {
  const ids = new Set((index != null && view?.evidenceByCall.get(index)?.map((item) => item.id)) || []);
  for (const row of ui.evidence.querySelectorAll('tr[data-evidence]')) row.classList.toggle('concerns', ids.has(row.dataset.evidence));
}

function callFacts(call) {
  const fact = (term, ...value) => [el('dt', { text: term }), el('dd', {}, ...value)];
  return el(
    'dl',
    { class: 'facts' },
    fact('Request', ...requestLabel(call), call.status ? ` → ${call.status}` : ''),
    fact('Mode', chip(call.mode, { 'data-mode': call.mode }), stateNote(call.state)),
    fact('API', call.api ? `${call.api.family} (${call.api.id})` : 'not a known API'),
    fact('Session', call.session ?? 'none'),
    call.layer && fact('Layer', call.layer === 'upper' ? 'the runtime' : 'a model call made by the runtime'),
    call.parent != null && fact('Made for', callLink(call.parent), ` (${LINKED_BY[call.linked_by] ?? call.linked_by})`),
    call.span && fact('Span', `${call.span.name}${call.span.service ? ` in ${call.span.service}` : ''}`),
    call.started_us != null && fact('Started', formatStart(call.started_us)),
    call.duration_us != null && fact('Took', formatDuration(call.duration_us)),
    fact('Source', `${view.report.inputs?.[call.input]?.name ?? 'input'}, entry ${call.entry + 1}`),
  );
}

function callEvidence(call, items) {
  if (items.length === 0) return el('p', { class: 'hint', text: 'No evidence names this call.' });
  return el(
    'ul',
    { class: 'call-evidence' },
    items.map((item) => {
      const here = (item.places ?? []).filter((place) => place.call === call.index);
      return el(
        'li',
        {},
        evidenceLink(item.id) ?? item.id,
        ' ',
        chip(signalName(item.signal), { 'data-signal': item.signal }),
        here.length > 0 && [' at ', joined(here.map((place) => el('code', { class: 'place-here', text: place.at })))],
        el('p', { class: 'message' }, phrases(item.message_parts, evidenceLink)),
      );
    }),
  );
}

/** The `exchange` view of a call: request, response and frames, with the evidence's places marked. */
function exchangeView(data, items) {
  const parts = [];
  const req = data.request;
  if (req && (req.method || req.url?.text || req.headers?.length || req.body?.kind !== 'empty')) {
    parts.push(
      el('h4', { text: 'Request' }),
      el('p', { class: 'request-line' }, el('span', { class: 'method', text: req.method }), ' ', textView(req.url, 'span', 'url')),
      headersTable(req.headers),
      bodyView(req.body),
    );
  }
  const res = data.response;
  parts.push(el('h4', { text: 'Response' }));
  if (res) parts.push(el('p', { text: res.status ? `Status ${res.status}` : 'No HTTP status recorded.' }), headersTable(res.headers), bodyView(res.body));
  else parts.push(el('p', { class: 'hint', text: 'The trace has no response for this call.' }));
  if (data.attributes?.length) parts.push(el('h4', { text: 'Span attributes' }), headersTable(data.attributes));
  if (data.frames?.length) {
    parts.push(el('h4', { text: `Messages (${data.frames.length})` }));
    for (const [i, frame] of data.frames.slice(0, 200).entries()) {
      parts.push(el('p', { class: 'frame-head', text: `${i + 1}. ${frame.direction === 'sent' ? 'sent' : 'received'}` }), bodyView(frame.body));
    }
  }
  if (!items.length) parts.push(el('p', { class: 'hint', text: 'Nothing in this call is evidence.' }));
  return parts;
}

function headersTable(headers) {
  if (!headers?.length) return el('p', { class: 'hint', text: 'No headers recorded.' });
  return el(
    'table',
    { class: 'headers' },
    el(
      'tbody',
      {},
      headers.map((header) =>
        el(
          'tr',
          { class: header.evidence?.length ? 'marked' : null },
          el('th', { scope: 'row', text: header.name }),
          el(
            'td',
            {},
            el('code', { text: header.value }),
            header.masked && [' ', chip('masked')],
            header.evidence?.length > 0 && [' ', joined(header.evidence.map((id) => evidenceLink(id) ?? id))],
          ),
        ),
      ),
    ),
  );
}

/** A TextView ({text, marks}) with each mark highlighted and linked to its evidence. */
function textView(view, tag = 'pre', cls = 'body') {
  const text = String(view?.text ?? '');
  const marks = [...(view?.marks ?? [])].sort((a, b) => a.start - b.start);
  const out = el(tag, { class: cls });
  let at = 0;
  for (const mark of marks) {
    if (mark.start < at || mark.end <= mark.start || mark.end > text.length) continue; // overlapping or out of range
    out.append(text.slice(at, mark.start));
    const ids = mark.evidence ?? [];
    out.append(el('mark', { title: `${mark.at ?? ''} (${ids.join(', ')})`, 'data-evidence': ids.join(' ') }, text.slice(mark.start, mark.end)));
    for (const id of ids) {
      const link = evidenceLink(id);
      if (link) out.append(el('sup', {}, link));
    }
    at = mark.end;
  }
  out.append(text.slice(at));
  return out;
}

function bodyView(body) {
  if (!body || body.kind === 'empty') return el('p', { class: 'hint', text: 'No body.' });
  const about = [body.content_type, body.bytes != null ? plural(body.bytes, 'byte') : null, body.truncated ? 'cut short' : null].filter(Boolean).join(', ');
  return el('div', { class: 'body-box' }, about && el('p', { class: 'hint', text: about }), body.kind === 'binary' ? el('p', { class: 'hint', text: 'Binary content, not shown.' }) : textView(body));
}

// ---------------------------------------------------------------- exports

function baseName() {
  return (shown?.name ?? 'report').replace(/\.[^.]*$/, '').replace(/[^\w.+-]+/g, '_') || 'report';
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  el('a', { href: url, download: name }).click();
  // The download has started once click() returns, but some browsers read the URL a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function exportReport(format) {
  if (!shown) return;
  const reply = await ask({ type: 'export', format }, `export:${format}`);
  if (reply.error) return addError(null, `The ${format === 'json' ? 'JSON' : 'Markdown'} export failed: ${reply.error}`);
  const type = format === 'json' ? 'application/json' : 'text/markdown';
  download(new Blob([reply.text], { type }), `${baseName()}.callstate.${format === 'json' ? 'json' : 'md'}`);
}

function exportSvg() {
  if (!shown) return;
  download(new Blob([timeline.toSVG()], { type: 'image/svg+xml' }), `${baseName()}.callstate.svg`);
}

async function exportPng() {
  if (!shown) return;
  const svg = timeline.toSVG();
  const [, width, height] = svg.match(/width="(\d+)" height="(\d+)"/).map(Number);
  const scale = Math.max(0.25, Math.min(2, 16000 / width, 16000 / height));
  const image = new Image();
  // A data: URL, which the page's Content-Security-Policy allows for images.
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await image.decode();
  const canvas = el('canvas', { width: Math.ceil(width * scale), height: Math.ceil(height * scale) });
  const context = canvas.getContext('2d');
  context.scale(scale, scale);
  context.drawImage(image, 0, 0);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  download(blob, `${baseName()}.callstate.png`);
}

function printReport() {
  timeline.fit();
  for (const details of ui.report.querySelectorAll('details')) details.open = true;
  window.print();
}

// ---------------------------------------------------------------- input

/** User rules (parsed JSON) for the next runs; the analyser validates them. */
let rules = null;

ui.rules.addEventListener('change', async () => {
  const [file] = ui.rules.files;
  rules = null;
  ui.rulesState.textContent = '';
  if (!file) return;
  try {
    rules = JSON.parse(await file.text());
    ui.rulesState.textContent = `Using ${file.name}.`;
  } catch (err) {
    addError(file.name, `The rules file is not valid JSON (${String(err?.message || err).replace(/\.$/, '')}).`);
  }
});

/** A policy (the text of a JSON or YAML file) for the next runs, checked as soon as it is picked. */
let policy = null;

ui.policy.addEventListener('change', async () => {
  const [file] = ui.policy.files;
  policy = null;
  ui.policyState.textContent = '';
  if (!file) return;
  const text = await file.text();
  const { error, excerpt } = await ask({ type: 'check', rules, policy: text }, 'check');
  if (error) {
    ui.policy.value = '';
    addError(file.name, error, excerpt);
    return;
  }
  policy = text;
  ui.policyState.textContent = `Checking ${file.name}.`;
});

const fromFiles = (fileList) => [...fileList].map((file) => ({ name: file.name, blob: file }));

ui.file.addEventListener('change', () => {
  analyse(fromFiles(ui.file.files));
  // Lets the same file be picked again later (a change event needs a different value).
  ui.file.value = '';
});

for (const button of document.querySelectorAll('button[data-sample]')) {
  button.addEventListener('click', async () => {
    const name = button.dataset.sample;
    const url = new URL(`./samples/${name}`, import.meta.url);
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status} when fetching ${url.pathname}`);
      analyse([{ name, blob: await response.blob() }]);
    } catch (err) {
      clearOutput();
      addError(name, `The sample could not be loaded (${String(err?.message || err).replace(/\.$/, '')}).`);
    }
  });
}

ui.pasteGo.addEventListener('click', () => {
  const text = ui.pasteText.value;
  if (!text.trim()) {
    ui.status.textContent = 'Paste a trace into the box first.';
    return;
  }
  analyse([{ name: 'pasted text', blob: new Blob([text]) }]);
});

ui.cancel.addEventListener('click', cancelRun);
$('download-json').addEventListener('click', () => exportReport('json'));
$('download-md').addEventListener('click', () => exportReport('markdown'));
$('download-svg').addEventListener('click', exportSvg);
$('download-png').addEventListener('click', () => exportPng().catch((err) => addError(null, `The PNG export failed: ${err?.message || err}`)));
$('print').addEventListener('click', printReport);
$('call-view-close').addEventListener('click', closeCall);
for (const select of Object.values(ui.filters)) select.addEventListener('change', applyFilter);
ui.filterClear.addEventListener('click', () => {
  for (const select of Object.values(ui.filters)) select.value = '';
  applyFilter();
});
ui.callsMore.addEventListener('click', () => { view.callsShown += PAGE; renderTables(); });
ui.evidenceMore.addEventListener('click', () => { view.evidenceShown += PAGE; renderTables(); });
ui.sessionsMore.addEventListener('click', () => { view.sessionsShown += PAGE; renderTables(); });

// Links to calls open them in the call view; buttons in the calls table too.
ui.report.addEventListener('click', (event) => {
  const target = event.target.closest?.('[data-call], [data-open]');
  if (!target || !ui.report.contains(target)) return;
  const index = Number(target.dataset.call ?? target.dataset.open);
  if (!Number.isInteger(index)) return;
  event.preventDefault();
  openCall(index);
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !ui.callView.hidden) closeCall();
});

$('theme').addEventListener('change', (event) => {
  const theme = event.target.value;
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  timeline.schedule();
});

// Drag and drop anywhere on the page. dragenter/dragleave fire for every child element
// crossed, so count them to know when the pointer has really left the window.
let dragDepth = 0;
const carriesFiles = (event) => event.dataTransfer?.types.includes('Files');
const setDragging = (on) => document.body.classList.toggle('dragging', on);

document.addEventListener('dragenter', (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  dragDepth += 1;
  setDragging(true);
});
document.addEventListener('dragleave', (event) => {
  if (!carriesFiles(event)) return;
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) setDragging(false);
});
document.addEventListener('dragover', (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault(); // required for the drop event to fire
  event.dataTransfer.dropEffect = 'copy';
});
$('signal-guide').append(
  ...Object.entries(SIGNAL_HINTS).flatMap(([signal, hint]) => [el('dt', {}, chip(signalName(signal), { 'data-signal': signal })), el('dd', { text: hint })]),
);

// Load the analyser now, so that the first file is analysed at once and the page keeps working
// offline once it has loaded.
getWorker();

document.addEventListener('drop', (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault(); // otherwise the browser navigates to the file
  dragDepth = 0;
  setDragging(false);
  analyse(fromFiles(event.dataTransfer.files));
});
