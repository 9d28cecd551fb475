// The call view: what the report says about one call at once, then its request and response as
// the worker's resident analysis gives them (never analysed again), the evidence's places marked.

import { callTitle, chip, el, formatDuration, formatStart, joined, phrases, plural, signalName } from '../view.js';
import { callLink } from './run.js';
import { LINKED_BY, requestLabel, stateNote } from './rows.js';

/** Opens call `index` of the run on screen. */
export async function openCall(page, index) {
  const { ui, run } = page;
  const call = run?.call(index);
  if (!call) return;
  const items = run.evidenceFor(index);
  run.openCall = index;
  run.openEvidence = new Set(items.map((item) => item.id));
  page.timeline.select(index);
  markEvidenceRows(ui, run);
  ui.callView.hidden = false;
  ui.callViewTitle.textContent = `Call ${index}: ${callTitle(call)}`;
  const exchange = el('div', { class: 'exchange', 'aria-busy': 'true' }, el('p', { class: 'hint', text: 'Reading the request and response…' }));
  ui.callViewBody.replaceChildren(callFacts(call, run), callEvidence(call, items, run), exchange);
  ui.callView.focus({ preventScroll: true });
  ui.callView.scrollIntoView({ block: 'nearest', behavior: 'smooth' });

  const reply = await page.analyser.ask({ type: 'exchange', call: index });
  if (run.openCall !== index || !run.live) return;
  exchange.removeAttribute('aria-busy');
  if (reply.view) exchange.replaceChildren(...exchangeView(reply.view, items, run));
  else exchange.replaceChildren(el('p', { class: 'hint', text: `The request and response could not be shown: ${reply.error ?? 'no answer'}` }));
}

export function closeCall(page) {
  const { ui, run } = page;
  if (run) {
    run.openCall = null;
    run.openEvidence = new Set();
  }
  ui.callView.hidden = true;
  ui.callViewBody.replaceChildren();
  page.timeline.select(null);
  markEvidenceRows(ui, run);
}

/** Marks the evidence rows that concern the open call (or none). */
export function markEvidenceRows(ui, run) {
  const ids = run?.openEvidence ?? new Set();
  for (const row of ui.evidence.querySelectorAll('tr[data-evidence]')) row.classList.toggle('concerns', ids.has(row.dataset.evidence));
}

function callFacts(call, run) {
  const fact = (term, ...value) => [el('dt', { text: term }), el('dd', {}, ...value)];
  const input = run.shown.report.inputs?.[call.input]?.name ?? 'input';
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
    fact('Source', `${input}, entry ${call.entry + 1}`),
  );
}

function callEvidence(call, items, run) {
  if (items.length === 0) return el('p', { class: 'hint', text: 'No evidence names this call.' });
  const item = (evidence) => {
    const here = (evidence.places ?? []).filter((place) => place.call === call.index);
    return el(
      'li',
      {},
      run.evidenceLink(evidence.id) ?? evidence.id,
      ' ',
      chip(signalName(evidence.signal), { 'data-signal': evidence.signal }),
      here.length > 0 && [' at ', joined(here.map((place) => el('code', { class: 'place-here', text: place.at })))],
      el('p', { class: 'message' }, phrases(evidence.message_parts, run.evidenceLink)),
    );
  };
  return el('ul', { class: 'call-evidence' }, items.map(item));
}

/** The `exchange` view of a call: request, response and frames, with the evidence's places marked. */
function exchangeView(data, items, run) {
  const parts = [...requestView(data.request, run), ...responseView(data.response, run)];
  if (data.attributes?.length) parts.push(el('h4', { text: 'Span attributes' }), headersTable(data.attributes, run));
  if (data.frames?.length) {
    parts.push(el('h4', { text: `Messages (${data.frames.length})` }));
    for (const [i, frame] of data.frames.slice(0, 200).entries()) {
      parts.push(el('p', { class: 'frame-head', text: `${i + 1}. ${frame.direction === 'sent' ? 'sent' : 'received'}` }), bodyView(frame.body, run));
    }
  }
  if (!items.length) parts.push(el('p', { class: 'hint', text: 'Nothing in this call is evidence.' }));
  return parts;
}

function requestView(req, run) {
  if (!req || !(req.method || req.url?.text || req.headers?.length || req.body?.kind !== 'empty')) return [];
  return [
    el('h4', { text: 'Request' }),
    el('p', { class: 'request-line' }, el('span', { class: 'method', text: req.method }), ' ', textView(req.url, run, 'span', 'url')),
    headersTable(req.headers, run),
    bodyView(req.body, run),
  ];
}

function responseView(res, run) {
  const head = el('h4', { text: 'Response' });
  if (!res) return [head, el('p', { class: 'hint', text: 'The trace has no response for this call.' })];
  return [head, el('p', { text: res.status ? `Status ${res.status}` : 'No HTTP status recorded.' }), headersTable(res.headers, run), bodyView(res.body, run)];
}

function headersTable(headers, run) {
  if (!headers?.length) return el('p', { class: 'hint', text: 'No headers recorded.' });
  const row = (header) =>
    el(
      'tr',
      { class: header.evidence?.length ? 'marked' : null },
      el('th', { scope: 'row', text: header.name }),
      el(
        'td',
        {},
        el('code', { text: header.value }),
        header.masked && [' ', chip('masked')],
        header.evidence?.length > 0 && [' ', joined(header.evidence.map((id) => run.evidenceLink(id) ?? id))],
      ),
    );
  return el('table', { class: 'headers' }, el('tbody', {}, headers.map(row)));
}

/** A TextView ({text, marks}) with each mark highlighted and linked to its evidence. */
function textView(view, run, tag = 'pre', cls = 'body') {
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
      const link = run.evidenceLink(id);
      if (link) out.append(el('sup', {}, link));
    }
    at = mark.end;
  }
  out.append(text.slice(at));
  return out;
}

function bodyView(body, run) {
  if (!body || body.kind === 'empty') return el('p', { class: 'hint', text: 'No body.' });
  const about = [body.content_type, body.bytes != null ? plural(body.bytes, 'byte') : null, body.truncated ? 'cut short' : null].filter(Boolean).join(', ');
  const content = body.kind === 'binary' ? el('p', { class: 'hint', text: 'Binary content, not shown.' }) : textView(body, run);
  return el('div', { class: 'body-box' }, about && el('p', { class: 'hint', text: about }), content);
}
