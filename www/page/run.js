// A run: one analysis of the inputs given together, and everything the page shows of it. All
// the state that belongs to a report lives here, so that a new run (a new drop, pick, paste or
// sample) replaces all of it at once and an older run's work, still under way, sees that it is
// no longer wanted (`live`).

import { Pacer, el } from '../view.js';

/** Rows shown at first in each table, and added by each "show more". */
export const PAGE_ROWS = 50;

// Report ids (E1, call numbers) become element ids; prefixed, and percent-encoded in links.
export const evidenceId = (id) => `evidence-${id}`;
export const callId = (index) => `call-${index}`;
const linkTo = (id, text, attrs = {}) => el('a', { class: 'ref', href: `#${encodeURIComponent(id)}`, text, ...attrs });
export const callLink = (index) => linkTo(callId(index), `call ${index}`, { 'data-call': index });

const noParts = () => ({ calls: [], evidence: [], sessions: [] });

export class Run {
  /** `id` goes with every request of this run to the worker, and comes back with its answers. */
  constructor(id, total) {
    this.id = id;
    this.total = total; // inputs given
    this.answered = 0; // inputs with a report or an error
    this.analysed = 0; // inputs with a report
    this.live = true; // false once a newer run or a cancel replaced this one
    this.busy = true; // until every input is answered and shown
    this.progressUpdates = 0;
    this.parts = noParts(); // slices of the next report's long lists, as they arrive
    this.rendering = Promise.resolve(); // the report being shown
    this.pacer = new Pacer(); // one time budget for all of this run's rendering
    this.shown = null; // {name, report} on screen
    this.ready = false; // the shown report's tables are drawn: filters and "show more" apply
    this.citable = new Set(); // the shown report's evidence ids, which text links to
    this.filter = null; // a predicate over calls, or null for all
    this.rows = { calls: PAGE_ROWS, evidence: PAGE_ROWS, sessions: PAGE_ROWS };
    this.openCall = null; // the call in the call view
    this.openEvidence = new Set(); // the ids of the evidence that concerns it
  }

  /** Adds a slice of a report's long list (a worker `part` message). */
  take({ key, items }) {
    this.parts[key]?.push(...items);
  }

  /** The whole report: the head a `result` message carries, with the slices received before it. */
  assemble(head) {
    const report = { ...head };
    for (const [key, items] of Object.entries(this.parts)) if (items.length) report[key] = items;
    this.parts = noParts();
    return report;
  }

  /** Counts `inputs` answered, with a report (`analysed`) or an error. */
  answer(inputs, analysed) {
    this.answered += inputs;
    if (analysed) this.analysed += inputs;
  }

  get answeredAll() {
    return this.answered >= this.total;
  }

  /** Puts `result` ({name, report}) on screen, forgetting what was derived from the one before. */
  show(result) {
    this.shown = result;
    this.ready = false;
    this.citable = new Set((result.report.evidence ?? []).map((item) => item.id));
    this.filter = null;
    this.rows = { calls: PAGE_ROWS, evidence: PAGE_ROWS, sessions: PAGE_ROWS };
  }

  /** Call `index` of the report on screen (calls are listed in order, numbered from 1). */
  call(index) {
    const calls = this.shown?.report.calls ?? [];
    const call = calls[index - 1];
    return call?.index === index ? call : calls.find((other) => other.index === index);
  }

  /**
   * The evidence that names call `index`. Looked up when a call is opened rather than indexed
   * for every call up front: a big report then costs the page less memory and collection.
   */
  evidenceFor(index) {
    const names = (item) => item.calls?.includes(index) || item.places?.some((place) => place.call === index);
    return (this.shown?.report.evidence ?? []).filter(names);
  }

  /** Whether `result` is still the one to show: work for any other stops. */
  showing(result) {
    return this.live && this.shown === result;
  }

  /** A link to an evidence item of the report on screen, or null when it has none of that id. */
  evidenceLink = (id) => (this.citable.has(id) ? linkTo(evidenceId(id), id, { 'data-evidence-link': id }) : null);
}
