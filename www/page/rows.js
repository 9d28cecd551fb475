// Rows of the report's tables and lists: a call, a session, a diagnostic. `links` is the run on
// screen, whose `evidenceLink(id)` links only to evidence its report has.

import { chip, el, joined, richText } from '../view.js';
import { callId, callLink } from './run.js';

export const LINKED_BY = { span_parent: 'span parent', traceparent: 'traceparent', content: 'same content', time: 'time' };

/** What a call is: `POST https://…`, or for a span without a URL its name and operation. */
export function requestLabel(call) {
  if (!call.url && call.span) {
    const operation = call.span.operation ? ` (${call.span.operation})` : '';
    return [el('span', { class: 'method', text: 'span' }), ' ', el('span', { class: 'url', text: `${call.span.name}${operation}` })];
  }
  return [el('span', { class: 'method', text: call.method }), ' ', el('span', { class: 'url', text: call.url })];
}

/** " conversation, sandbox" for a list of state kinds, or nothing. */
export function stateNote(states) {
  return states?.length ? el('span', { class: 'state', text: ` ${states.join(', ')}` }) : null;
}

function requestCell(call, inputs) {
  return el(
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
}

export function callRow(call, inputs, links, headings) {
  const row = el(
    'tr',
    { id: callId(call.index), 'data-mode': call.mode, 'data-call-row': call.index },
    el('th', { scope: 'row' }, el('button', { type: 'button', class: 'link-button', 'data-open': call.index, text: `call ${call.index}`, 'aria-label': `Open call ${call.index}` })),
    requestCell(call, inputs),
    el('td', {}, call.api ? el('span', { text: call.api.family ?? call.api.id, title: call.api.id }) : '—'),
    el('td', {}, chip(call.mode ?? 'unknown', { 'data-mode': call.mode }), stateNote(call.state)),
    el('td', { text: call.session ?? '—' }),
    el('td', {}, call.evidence?.length ? joined(call.evidence.map((id) => links.evidenceLink(id) ?? id)) : '—'),
  );
  [...row.cells].forEach((cell, i) => cell.setAttribute('data-label', headings[i]));
  return row;
}

export function sessionItem(session) {
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

/** Where a diagnostic points: "trace.har, line 3, column 7", or "" when it says nothing. */
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

export function diagnosticItem(diagnostic, links) {
  const where = formatLocation(diagnostic.location);
  return el(
    'li',
    { 'data-severity': diagnostic.severity },
    chip(diagnostic.severity ?? 'note', { 'data-severity': diagnostic.severity }),
    ' ',
    richText(diagnostic.message, links.evidenceLink),
    where && el('span', { class: 'where', text: ` (${where})` }),
  );
}
