// The callstate page: reads recordings, hands them to the wasm analyser in a worker
// (worker.js) and renders each report.
//
// Everything in a report comes from an untrusted trace, so it only ever reaches the
// DOM as textContent or attribute values, never as HTML.

const $ = (id) => document.getElementById(id);

const ui = {
  file: $('file'),
  rules: $('rules'),
  rulesState: $('rules-state'),
  sample: $('sample'),
  progress: $('progress'),
  status: $('status'),
  error: $('error'),
  report: $('report'),
  reports: $('reports'),
  reportPicker: $('report-picker'),
  verdict: $('verdict'),
  verdictLabel: $('verdict-label'),
  verdictConfidence: $('verdict-confidence'),
  verdictExplanation: $('verdict-explanation'),
  verdictEvidence: $('verdict-evidence'),
  summary: $('summary'),
  download: $('download-json'),
  calls: $('calls').tBodies[0],
  callHeadings: [...$('calls').tHead.rows[0].cells].map((cell) => cell.textContent),
  sessionsBlock: $('sessions-block'),
  sessions: $('sessions'),
  evidence: $('evidence'),
  diagnosticsBlock: $('diagnostics-block'),
  diagnostics: $('diagnostics'),
};

const SAMPLE = { name: 'sample.har', url: './samples/sample.har' };

// ---------------------------------------------------------------- DOM helpers

/** Creates an element; `text` sets textContent, `class` the class, anything else an attribute. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.flat(Infinity).filter((child) => child != null && child !== false));
  return node;
}

/** Puts `items` between separators, e.g. links joined by ", ". */
function joined(items, separator = ', ') {
  return items.flatMap((item, i) => (i === 0 ? [item] : [separator, item]));
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// Report ids (E1, call numbers) become element ids; prefixed, and percent-encoded in links.
const evidenceId = (id) => `evidence-${id}`;
const callId = (index) => `call-${index}`;
const linkTo = (id, text) => el('a', { class: 'ref', href: `#${encodeURIComponent(id)}`, text });
const callLink = (index) => linkTo(callId(index), `call ${index}`);
const evidenceLink = (id) => linkTo(evidenceId(id), id);
const chip = (text, attrs = {}) => el('span', { class: 'chip', text, ...attrs });

/**
 * Report sentences quote fields in `backticks` and cite evidence as [E1]: turns those
 * into <code> and links, and leaves everything else as text.
 */
function richText(text) {
  const cited = (part) => /^\[E\d+\]$/.test(part) && citable.has(part.slice(1, -1));
  return String(text ?? '')
    .split(/(`[^`\n]+`|\[E\d+\])/)
    .map((part) => {
      if (/^`.+`$/s.test(part)) return el('code', { text: part.slice(1, -1) });
      if (cited(part)) return ['[', evidenceLink(part.slice(1, -1)), ']'];
      return part;
    });
}

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

// ---------------------------------------------------------------- state

let worker = null;
// Set when the wasm instance in `worker` trapped: it is replaced before the next run.
let workerBroken = false;

/**
 * The run in progress: {total, sent, answered} (files given, sent to the worker, answered).
 * A new run replaces it; a run checks `run === current` after every await.
 */
let current = null;

let listed = []; // the latest run's {name, report} results, in the order of the picker's options
let shown = null; // the one on screen, for the download button
let citable = new Set(); // its evidence ids, which richText() links to

// ---------------------------------------------------------------- the worker

function getWorker() {
  if (worker && !workerBroken) return worker;
  worker?.terminate();
  workerBroken = false;
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
  const run = current;
  if (!run) return;
  switch (message.type) {
    case 'progress':
      showProgress(message);
      break;
    case 'result': {
      const result = { name: message.name, report: message.report };
      if (listed.length === 0) showReport(result);
      listReport(result);
      answered(run, message.covers ?? 1);
      break;
    }
    case 'error':
      if (message.fatal) workerBroken = true;
      addError(message.name, message.message, message.excerpt);
      answered(run);
      break;
    default:
      console.warn('callstate: unexpected message from the worker', message);
  }
}

function answered(run, files = 1) {
  run.answered += files;
  if (run.answered === run.sent) finishRun(run);
}

// ---------------------------------------------------------------- runs

/**
 * Reads and analyses a list of sources ({name, read: () => Promise<ArrayBuffer>}).
 * Starting a run while another is going cancels the older one.
 */
async function analyse(sources) {
  if (sources.length === 0) return;
  if (current?.sent > 0) {
    // The worker is probably inside analyze(): stopping it is the only way to cancel.
    worker?.terminate();
    worker = null;
  }
  const run = { total: sources.length, sent: 0, answered: 0 };
  current = run;
  clearOutput();
  ui.report.setAttribute('aria-busy', 'true');

  const files = [];
  for (const [done, source] of sources.entries()) {
    showProgress({ phase: 'reading', done, total: run.total, name: source.name });
    try {
      files.push({ name: source.name, bytes: await source.read() });
    } catch (err) {
      addError(source.name, `The file could not be read (${String(err?.message || err).replace(/\.$/, '')}).`);
    }
    if (run !== current) return; // superseded while reading
  }
  run.sent = files.length;
  if (files.length === 0) return finishRun(run);
  getWorker().postMessage({ files, rules }, files.map((file) => file.bytes));
  // Shown while the worker compiles the wasm; its own progress messages follow.
  showProgress({ phase: 'analysing', done: 0, total: files.length });
}

function failRun(message) {
  worker?.terminate();
  worker = null;
  addError(null, message);
  if (current) finishRun(current);
}

function finishRun(run) {
  if (run !== current) return;
  current = null;
  ui.progress.hidden = true;
  ui.report.removeAttribute('aria-busy');
  // One report can cover several files analysed together.
  const analysed = listed.reduce((sum, result) => sum + (result.report?.inputs?.length ?? 1), 0);
  const failed = run.total - analysed;
  const together = listed.length === 1 && analysed > 1 ? ' together' : '';
  ui.status.textContent =
    run.total === 1
      ? ''
      : `Analysed ${plural(analysed, 'file')}${together}` + (failed > 0 ? `; ${failed} could not be analysed.` : '.');
}

function showProgress({ phase, done, total, name }) {
  ui.progress.hidden = false;
  ui.progress.max = total;
  ui.progress.value = done;
  const verb = phase === 'reading' ? 'Reading' : 'Analysing';
  const which = total > 1 ? ` (${Math.min(done + 1, total)} of ${total})` : '';
  ui.status.textContent = name ? `${verb} ${name}${which}…` : `${verb}…`;
}

function clearOutput() {
  ui.error.hidden = true;
  ui.error.replaceChildren();
  ui.report.hidden = true;
  ui.reports.hidden = true;
  ui.reportPicker.replaceChildren();
  listed = [];
  ui.verdictLabel.textContent = '';
  ui.status.textContent = '';
}

/** Shows an error; `name` is the file it concerns, or null for a general failure. */
function addError(name, message, excerpt = null) {
  const item = el(
    'div',
    { class: 'error-item' },
    el('p', { class: 'error-title', text: name == null ? 'Something went wrong' : `Could not analyse ${name}` }),
    el('p', {}, richText(message)),
  );
  if (excerpt) {
    // The offending line, with a caret under the position the analyser reported.
    item.append(el('pre', { class: 'excerpt', text: `${excerpt.text}\n${' '.repeat(excerpt.caret)}^` }));
  }
  ui.error.append(item);
  ui.error.hidden = false;
}

// ---------------------------------------------------------------- rendering

/** With several files, a drop-down switches between their reports. */
function listReport(result) {
  listed.push(result);
  ui.reportPicker.append(el('option', { text: `${result.name}: ${result.report?.verdict?.label ?? 'no verdict'}` }));
  ui.reportPicker.selectedIndex = listed.indexOf(shown);
  ui.reports.hidden = listed.length < 2;
}

function showReport(result) {
  shown = result;
  const { name, report } = result;
  const calls = report.calls ?? [];
  const inputs = report.inputs ?? [];

  citable = new Set((report.evidence ?? []).map((item) => item.id));
  ui.report.hidden = false;
  ui.report.dataset.file = name;
  renderVerdict(report.verdict ?? {});
  renderSummary(name, report.summary ?? {}, inputs);
  ui.calls.replaceChildren(...calls.map((call) => callRow(call, inputs)));
  renderList(ui.sessionsBlock, ui.sessions, report.sessions, sessionItem);
  ui.evidence.replaceChildren(...(report.evidence ?? []).map(evidenceItem));
  if (ui.evidence.children.length === 0) ui.evidence.append(el('li', { class: 'none', text: 'No evidence was recorded.' }));
  renderList(ui.diagnosticsBlock, ui.diagnostics, report.diagnostics, diagnosticItem);
}

function renderVerdict(verdict) {
  ui.verdict.dataset.label = verdict.label ?? '';
  ui.verdictLabel.textContent = verdict.label ?? '';
  const percent = typeof verdict.confidence === 'number' ? ` (${Math.round(verdict.confidence * 100)}%)` : '';
  ui.verdictConfidence.textContent = verdict.level ? `${verdict.level} confidence${percent}` : percent.trim();
  ui.verdictExplanation.replaceChildren(...richText(verdict.explanation).flat());
  const ids = verdict.evidence ?? [];
  ui.verdictEvidence.replaceChildren(...(ids.length ? ['Based on ', ...joined(ids.map(evidenceLink)), '.'] : []));
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

function renderList(block, list, items, render) {
  list.replaceChildren(...(items ?? []).map(render));
  block.hidden = list.children.length === 0;
}

/** What a call is: `POST https://…`, or for a span without a URL its name and operation. */
function requestLabel(call) {
  if (!call.url && call.span) {
    const operation = call.span.operation ? ` (${call.span.operation})` : '';
    return [el('span', { class: 'method', text: 'span' }), ' ', el('span', { class: 'url', text: `${call.span.name}${operation}` })];
  }
  return [el('span', { class: 'method', text: call.method }), ' ', el('span', { class: 'url', text: call.url })];
}

const LINKED_BY = { span_parent: 'span parent', traceparent: 'traceparent', content: 'same content', time: 'time' };

function callRow(call, inputs) {
  const request = el(
    'td',
    { class: 'request' },
    ...requestLabel(call),
    call.status != null && call.status !== 0 && [' ', el('span', { class: 'status', text: `→ ${call.status}` })],
    call.layer && [' ', chip(call.layer === 'upper' ? 'runtime layer' : 'model layer')],
    call.parent != null &&
      el('span', { class: 'origin' }, 'made for ', callLink(call.parent), ` (${LINKED_BY[call.linked_by] ?? call.linked_by})`),
    call.transport && call.transport !== 'http' && [' ', chip(call.transport)],
    // Only worth saying which file a call came from when there are several.
    inputs.length > 1 && el('span', { class: 'origin', text: inputs[call.input]?.name ?? `input ${call.input}` }),
  );
  const row = el(
    'tr',
    { id: callId(call.index), 'data-mode': call.mode },
    el('th', { scope: 'row', text: `call ${call.index}` }),
    request,
    el('td', {}, call.api ? el('span', { text: call.api.family ?? call.api.id, title: call.api.id }) : '—'),
    el('td', {}, chip(call.mode ?? 'unknown', { 'data-mode': call.mode }), stateNote(call.state)),
    el('td', { text: call.session ?? '—' }),
    el('td', {}, call.evidence?.length ? joined(call.evidence.map(evidenceLink)) : '—'),
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
  return el(
    'li',
    { 'data-mode': session.mode },
    el('strong', { text: session.id }),
    ' ',
    chip(session.mode ?? 'unknown', { 'data-mode': session.mode }),
    stateNote(session.state),
    session.calls?.length > 0 && [' · ', joined(session.calls.map(callLink))],
    handles.length > 0 &&
      el(
        'p',
        { class: 'handles' },
        handles.length === 1 ? 'Handle ' : 'Handles ',
        joined(handles.map((h) => [el('code', { text: h.handle }), h.state ? ` (${h.state})` : ''])),
      ),
  );
}

function evidenceItem(item) {
  return el(
    'li',
    { id: evidenceId(item.id), class: 'evidence-item', 'data-strength': item.strength },
    el(
      'p',
      { class: 'evidence-head' },
      el('strong', { text: item.id }),
      ' ',
      chip(String(item.signal ?? 'signal').replaceAll('_', ' ')),
      item.state && [' ', chip(item.state)],
      item.strength && [' ', chip(item.strength, { 'data-strength': item.strength })],
      item.calls?.length > 0 && [' ', joined(item.calls.map(callLink))],
    ),
    el('p', { class: 'message' }, richText(item.message)),
    item.places?.length > 0 &&
      el(
        'ul',
        { class: 'places' },
        item.places.map((place) => el('li', {}, callLink(place.call), ' ', el('code', { text: place.at }))),
      ),
    item.handle && el('p', { class: 'handles' }, 'Handle ', el('code', { text: item.handle })),
  );
}

function diagnosticItem(diagnostic) {
  const where = formatLocation(diagnostic.location);
  return el(
    'li',
    { 'data-severity': diagnostic.severity },
    chip(diagnostic.severity ?? 'note', { 'data-severity': diagnostic.severity }),
    ' ',
    richText(diagnostic.message),
    where && el('span', { class: 'where', text: ` (${where})` }),
  );
}

function downloadReport() {
  if (!shown) return;
  const blob = new Blob([`${JSON.stringify(shown.report, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const base = shown.name.replace(/\.[^.]*$/, '') || 'report';
  el('a', { href: url, download: `${base}.callstate.json` }).click();
  // The download has started once click() returns, but some browsers read the URL a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
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

const fromFiles = (fileList) => [...fileList].map((file) => ({ name: file.name, read: () => file.arrayBuffer() }));

ui.file.addEventListener('change', () => {
  analyse(fromFiles(ui.file.files));
  // Lets the same file be picked again later (a change event needs a different value).
  ui.file.value = '';
});

ui.sample.addEventListener('click', () => {
  analyse([
    {
      name: SAMPLE.name,
      read: async () => {
        const response = await fetch(SAMPLE.url);
        if (!response.ok) throw new Error(`HTTP ${response.status} when fetching ${SAMPLE.url}`);
        return response.arrayBuffer();
      },
    },
  ]);
});

ui.download.addEventListener('click', downloadReport);
ui.reportPicker.addEventListener('change', () => showReport(listed[ui.reportPicker.selectedIndex]));

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
document.addEventListener('drop', (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault(); // otherwise the browser navigates to the file
  dragDepth = 0;
  setDragging(false);
  analyse(fromFiles(event.dataTransfer.files));
});
