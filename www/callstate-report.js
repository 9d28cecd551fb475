// <callstate-report src="trace.har" height="420" theme="auto|light|dark" axis="order|time"
// policy="terms.json">: a compact verdict, the picture of the traffic and the evidence for a trace
// hosted beside a documentation page; with `policy` (a policy file, JSON or YAML), each rule's
// result too.
//
//   <script type="module" src="/path/to/callstate/callstate-report.js"></script>
//   <callstate-report src="traces/chat.har"></callstate-report>
//
// Everything it loads (the worker, the wasm, its style sheets) is resolved from this module's
// own URL, so the folder can live at any path. It fetches `src` relative to the page, from the
// page's own origin. It defines the custom element and nothing else: no globals, and all its
// styles live in its Shadow DOM. All the elements of a page share one worker, and so one wasm
// instance.

import { Timeline } from './timeline.js';
import { el, evidenceTable, policyFlags, policyPanel, verdictBanner } from './view.js';

const HERE = new URL('./', import.meta.url);

/**
 * The worker every element on the page shares. Requests are numbered and run one after another
 * (the worker answers one analysis at a time, in order), so each answer goes to the element
 * that asked; a request that is no longer wanted is dropped from the queue, or its answer
 * ignored if it is running. A worker whose wasm trapped is replaced for the next request.
 */
class SharedAnalyser {
  #worker = null;
  #queue = []; // [{id, request, to}]: the first is running; `to` is null once cancelled
  #next = 1;

  /**
   * Queues an analysis (`request` is what the worker's `analyse` message takes: `{files}`); `to`
   * gets part(key, items), then result(report) or error(message), the message null when the
   * worker itself did not start. Returns the request's id.
   */
  analyse(request, to) {
    const id = this.#next++;
    this.#queue.push({ id, request, to });
    if (this.#queue.length === 1) this.#start();
    return id;
  }

  cancel(id) {
    const at = this.#queue.findIndex((request) => request.id === id);
    if (at === 0) this.#queue[0].to = null;
    else if (at > 0) this.#queue.splice(at, 1);
  }

  #start() {
    const next = this.#queue[0];
    if (!next) return;
    if (!this.#worker) {
      this.#worker = new Worker(new URL('worker.js', HERE), { type: 'module' });
      this.#worker.onmessage = ({ data }) => this.#receive(data);
      this.#worker.onerror = (event) => {
        event.preventDefault();
        this.#done({ type: 'error', message: null, fatal: true });
      };
    }
    this.#worker.postMessage({ ...next.request, type: 'analyse' });
  }

  #receive(data) {
    const to = this.#queue[0]?.to;
    if (data.type === 'part') to?.part(data.key, data.items);
    else if (data.type === 'result' || data.type === 'error') this.#done(data);
  }

  /** The running request is answered; the next one starts. */
  #done(data) {
    const request = this.#queue.shift();
    if (data.type === 'result') request?.to?.result(data.report);
    else request?.to?.error(data.message);
    if (data.fatal) {
      this.#worker?.terminate();
      this.#worker = null;
    }
    this.#start();
  }
}

let shared = null;

class CallstateReport extends HTMLElement {
  static observedAttributes = ['src', 'height', 'theme', 'axis', 'policy'];

  #root;
  #body;
  #request = null; // the id of this element's request to the shared analyser
  #timeline = null;
  #parts = { calls: [], evidence: [], sessions: [] };
  #loaded = null; // the src being shown or loaded
  #connected = false;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    const sheet = (file) => el('link', { rel: 'stylesheet', href: new URL(file, HERE).href });
    this.#body = el('div', { class: 'body', part: 'body' });
    this.#root.append(sheet('timeline.css'), sheet('callstate-report.css'), this.#body);
    this.#body.addEventListener('click', (event) => this.#click(event));
  }

  #click(event) {
    const target = event.target.closest?.('[data-call], [data-evidence-link]');
    if (!target || !this.#table) return;
    event.preventDefault();
    if (target.dataset.call) {
      const index = Number(target.dataset.call);
      this.#timeline?.select(index);
      this.#mark(index);
      return;
    }
    this.#evidence.open = true;
    const row = this.#table.querySelector(`tr[data-evidence="${CSS.escape(target.dataset.evidenceLink)}"]`);
    for (const other of this.#table.querySelectorAll('tr.concerns')) other.classList.remove('concerns');
    row?.classList.add('concerns');
    row?.scrollIntoView({ block: 'nearest' });
  }

  connectedCallback() {
    this.#connected = true;
    this.#applyHeight();
    this.#load();
  }

  disconnectedCallback() {
    this.#connected = false;
    this.#stop();
    this.#timeline?.destroy();
    this.#timeline = null;
    this.#loaded = null;
  }

  attributeChangedCallback(name) {
    if (name === 'height') this.#applyHeight();
    if ((name === 'src' || name === 'policy') && this.#connected) this.#load(name === 'policy');
    if (name === 'theme') this.#timeline?.schedule();
    if (name === 'axis') this.#timeline?.setAxis(this.#axis);
  }

  /** The picture's axis the `axis` attribute asks for (the time axis only where the trace has times). */
  get #axis() {
    return this.getAttribute('axis') === 'time' ? 'time' : 'order';
  }

  /** The report shown, once there is one (a plain object, as the library returns it). */
  get report() {
    return this.#report ?? null;
  }

  #report = null;
  #table = null;
  #evidence = null;

  #applyHeight() {
    const height = this.getAttribute('height');
    // A number is pixels; anything else is a CSS length. Set through the CSSOM, which a
    // Content-Security-Policy without 'unsafe-inline' allows.
    if (!height) this.#body.style.removeProperty('max-height');
    else this.#body.style.setProperty('max-height', /^\d+(\.\d+)?$/.test(height) ? `${height}px` : height);
  }

  #stop() {
    if (this.#request != null) shared?.cancel(this.#request);
    this.#request = null;
  }

  #say(text, cls = 'note') {
    this.#body.replaceChildren(el('p', { class: cls, role: cls === 'error' ? 'alert' : 'status', text }));
  }

  async #load(again = false) {
    const src = this.getAttribute('src');
    if (!src || (src === this.#loaded && !again)) return;
    this.#loaded = src;
    this.#stop();
    this.#report = null;
    this.#parts = { calls: [], evidence: [], sessions: [] };
    this.setAttribute('aria-busy', 'true');
    const url = new URL(src, document.baseURI);
    const name = decodeURIComponent(url.pathname.split('/').pop() || 'trace');
    this.#say(`Analysing ${name}…`);
    const policySrc = this.getAttribute('policy');
    let blob;
    let policy;
    try {
      blob = await (await fetchOwn(url)).blob();
      if (policySrc) policy = await (await fetchOwn(new URL(policySrc, document.baseURI))).text();
    } catch (err) {
      if (this.#loaded !== src) return;
      this.removeAttribute('aria-busy');
      return this.#say(`callstate could not load ${err?.file ?? name} (${err?.message || err}).`, 'error');
    }
    if (this.#loaded !== src) return;
    shared ??= new SharedAnalyser();
    this.#request = shared.analyse({ files: [{ name, blob }], policy }, {
      part: (key, items) => this.#parts[key].push(...items),
      result: (head) => {
        const report = { ...head };
        for (const key of ['calls', 'evidence', 'sessions']) if (this.#parts[key].length) report[key] = this.#parts[key];
        this.#finish();
        this.#render(name, report);
      },
      error: (message) => {
        this.#finish();
        const text = message == null ? 'callstate could not start its analyser (its worker or wasm file did not load).' : `callstate could not analyse ${name}: ${message}`;
        this.#say(text, 'error');
      },
    });
  }

  #finish() {
    this.#request = null;
    this.removeAttribute('aria-busy');
  }

  #render(name, report) {
    this.#report = report;
    const known = new Set((report.evidence ?? []).map((item) => item.id));
    // Links stay inside the shadow root: they select rows rather than navigate.
    const evidenceLink = (id) => (known.has(id) ? el('a', { href: '#', class: 'ref', 'data-evidence-link': id, text: id }) : null);
    const callLink = (n) => el('a', { href: '#', class: 'ref', 'data-call': n, text: `call ${n}` });

    const banner = verdictBanner(report, { link: evidenceLink, explanation: false });
    const picture = el('div', { class: 'picture' });
    const table = evidenceTable(report.evidence ?? [], { callLink });
    const summary = report.summary ?? {};
    const caption = el(
      'p',
      { class: 'caption' },
      `${name}: ${summary.calls ?? 0} calls, ${summary.stateful ?? 0} stateful, ${summary.stateless ?? 0} stateless. `,
      el('span', { class: 'credit', text: 'Analysed in your browser by callstate.' }),
    );
    const evidence = el(
      'details',
      { class: 'evidence', open: (report.evidence ?? []).length <= 6 ? '' : null },
      el('summary', { text: `Evidence (${(report.evidence ?? []).length})` }),
      (report.evidence ?? []).length ? el('div', { class: 'table-scroll' }, table) : el('p', { class: 'note', text: 'No evidence was recorded.' }),
    );
    const policy = report.policy ? policyPanel(report.policy, { callLink, evidenceLink }) : null;
    this.#body.replaceChildren(...[banner, policy, picture, evidence, caption].filter(Boolean));

    this.#timeline?.destroy();
    this.#timeline = new Timeline(picture, {
      label: `Timeline of the calls in ${name}`,
      onSelect: (index) => this.#mark(index),
      axis: this.#axis,
    });
    this.#timeline.setFlags(policyFlags(report.policy));
    this.#timeline.setReport(report);

    this.#table = table;
    this.#evidence = evidence;
    this.dispatchEvent(new CustomEvent('callstate-report', { detail: { report } }));
  }

  /** Highlights the evidence rows that concern a call. */
  #mark(index) {
    for (const row of this.#table.querySelectorAll('tr[data-evidence]')) {
      const item = this.#report.evidence.find((e) => e.id === row.dataset.evidence);
      const concerns = index != null && (item?.calls ?? []).includes(index);
      row.classList.toggle('concerns', concerns);
    }
  }
}

/** A file from the page's own site; a failure names the file. */
async function fetchOwn(url) {
  const response = await fetch(url, { credentials: 'same-origin' }).catch((err) => {
    throw Object.assign(new Error(err?.message || String(err)), { file: decodeURIComponent(url.pathname.split('/').pop()) });
  });
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { file: decodeURIComponent(url.pathname.split('/').pop()) });
  return response;
}

if (!customElements.get('callstate-report')) customElements.define('callstate-report', CallstateReport);
