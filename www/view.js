// Report-to-view helpers shared by the page (app.js) and the widget (callstate-report.js):
// plain-language sentences, the links the timeline draws, and DOM builders for the verdict
// banner and the evidence table.
//
// Everything in a report comes from an untrusted trace, so it only ever reaches the DOM as
// textContent or attribute values, never as HTML.

/** Creates an element; `text` sets textContent, `class` the class, anything else an attribute. */
export function el(tag, props = {}, ...children) {
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
export function joined(items, separator = ', ') {
  return items.flatMap((item, i) => (i === 0 ? [item] : [separator, item]));
}

export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const unique = (items) => [...new Set(items)];

/**
 * Runs `step(item, i)` over `items`, letting the page run whenever a slice has taken `budget`
 * milliseconds: a report of many thousands of calls is worked through without holding the
 * main thread.
 */
export async function inSlices(items, step, budget = 8) {
  let start = performance.now();
  for (let i = 0; i < items.length; i += 1) {
    step(items[i], i);
    if ((i & 63) === 63 && performance.now() - start > budget) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      start = performance.now();
    }
  }
}

/** "a", "a and b", "a, b and c". */
export function listing(words) {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export const MODES = ['stateless', 'stateful', 'resource-dependent'];
export const STATEFUL_KINDS = ['conversation', 'session', 'connection', 'sandbox'];

export const SIGNALS = {
  handle_flow: 'Handle flow',
  context_replay: 'Context replay',
  kept_context: 'Kept context',
  declared: 'Declared state',
  transport: 'Transport',
  label: 'Session tag',
};

/** What each signal means, for a reader who has not read the design notes. */
export const SIGNAL_HINTS = {
  handle_flow: 'a value the server minted in one response, sent back by the client in a later request',
  context_replay: 'a request carrying an earlier request and its reply: the client holds the conversation',
  kept_context: 'a model call carrying turns its caller did not send: the layer between them kept them',
  declared: 'a field a known API uses for state, with a value minted outside this trace',
  transport: 'a WebSocket, an SSE resumption or a cookie session',
  label: 'a session, conversation or user id stamped on spans: it groups them, and by itself proves nothing kept on a server',
};

export const signalName = (signal) => SIGNALS[signal] ?? String(signal ?? 'signal').replaceAll('_', ' ');

/**
 * The verdict as one plain sentence, e.g. "Stateful runtime: 3 of 5 sessions keep
 * conversation state on the server".
 */
export function headline(report) {
  const verdict = report.verdict ?? {};
  const summary = report.summary ?? {};
  const sessions = report.sessions ?? [];
  const calls = summary.calls ?? report.calls?.length ?? 0;
  const stateful = sessions.filter((session) => session.mode === 'stateful');
  const kinds = listing(unique(stateful.flatMap((session) => session.state ?? []).filter((k) => STATEFUL_KINDS.includes(k))));
  const kept = kinds ? `${kinds} state` : 'state';
  const replays = (report.evidence ?? []).some((item) => item.signal === 'context_replay');
  switch (verdict.label) {
    case 'stateful':
      if (stateful.length > 0) {
        const n = stateful.length;
        const total = sessions.length;
        const subject = n === total ? (n === 1 ? 'its one session keeps' : `all ${n} sessions keep`) : `${n} of ${total} sessions ${n === 1 ? 'keeps' : 'keep'}`;
        return `Stateful runtime: ${subject} ${kept} on the server`;
      }
      return `Stateful runtime: ${summary.stateful ?? 0} of ${plural(calls, 'call')} depend on state kept by the server`;
    case 'layered': {
      const upper = report.layers?.upper?.length ?? 0;
      const lower = report.layers?.lower?.length ?? 0;
      if (report.layers?.stateful === 'lower') {
        return `Stateful model calls behind a stateless front: ${plural(lower, 'model call')} depend on ${kept} the server kept`;
      }
      return `Stateful runtime on stateless model calls: the runtime (${plural(upper, 'call')}) keeps ${kept}, its ${plural(lower, 'model call')} carry their whole context`;
    }
    case 'mixed':
      return `Mixed: ${summary.stateful ?? 0} of ${plural(calls, 'call')} depend on ${kept} kept by the server, beside ${summary.stateless ?? 0} independent stateless calls`;
    case 'stateless': {
      const all = calls === 1 ? 'the call carries' : `all ${calls} calls carry`;
      const resources = summary.resource_dependent ? `; ${plural(summary.resource_dependent, 'call')} also use stored resources or jobs` : '';
      return `Stateless API calls: ${all} what they need${replays ? ', the client resends the conversation' : ''}${resources}`;
    }
    case 'inconclusive':
      return `Inconclusive: ${calls === 0 ? 'the trace has no calls to judge' : 'the trace does not show whether the server kept state'}`;
    default:
      return String(verdict.label ?? 'No verdict');
  }
}

/** The deciding evidence items (at most `max`), in the order the verdict cites them. */
export function decidingEvidence(report, max = 3) {
  const byId = new Map((report.evidence ?? []).map((item) => [item.id, item]));
  return (report.verdict?.evidence ?? []).map((id) => byId.get(id)).filter(Boolean).slice(0, max);
}

/**
 * The arrows of the picture (a promise of them): {from, to, kind, evidence, state}, `kind` one of `handle`
 * (minted in `from`, sent in `to`), `replay` (`to` carries `from`'s history), `kept` (`from`'s
 * layer kept what `to` carries), `parent` (`to` was made on behalf of `from`).
 */
export async function linksOf(report) {
  const links = [];
  await inSlices(report.evidence ?? [], (item) => {
    const places = item.places ?? [];
    if (item.signal === 'handle_flow') {
      const minted = places.find((place) => place.side === 'received')?.call ?? item.calls?.[0];
      const sent = unique(places.filter((place) => place.side !== 'received').map((place) => place.call));
      for (const to of sent) if (to !== minted) links.push({ from: minted, to, kind: 'handle', evidence: item.id, state: item.state });
    } else if (item.signal === 'context_replay' || item.signal === 'kept_context') {
      const [from, ...rest] = item.calls ?? [];
      for (const to of rest) if (to !== from) links.push({ from, to, kind: item.signal === 'kept_context' ? 'kept' : 'replay', evidence: item.id, state: item.state });
    }
  });
  await inSlices(report.calls ?? [], (call) => {
    if (call.parent != null) links.push({ from: call.parent, to: call.index, kind: 'parent', evidence: null, state: null });
  });
  return links;
}

/** What a call is in a few words: `POST /v1/responses`, or for a span its name. */
export function callTitle(call) {
  if (!call.url && call.span) return `${call.span.name}${call.span.operation ? ` (${call.span.operation})` : ''}`;
  let path = call.url ?? '';
  try {
    const url = new URL(path);
    let pathname = url.pathname;
    try {
      pathname = decodeURI(pathname); // the URL parser escapes the report's "…" in shortened handles
    } catch {
      // left escaped
    }
    path = `${url.host}${pathname}`;
  } catch {
    // not a full URL: shown as it is
  }
  return `${call.method ? `${call.method} ` : ''}${path}`.trim() || `call ${call.index}`;
}

/** `value / 1000` with up to three decimals, trailing zeros dropped (integer arithmetic). */
function thousandths(value) {
  const fraction = String(value % 1000).padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${Math.floor(value / 1000)}.${fraction}` : String(Math.floor(value / 1000));
}

/** `250 µs`, `812 ms`, `1.5 s`, `2 min 5.25 s`, `3 min`: a duration in microseconds, as `callstate show` prints it. */
export function formatDuration(us) {
  const n = Math.max(0, Math.floor(us));
  if (n < 1000) return `${n} µs`;
  if (n < 1e6) return `${thousandths(n)} ms`;
  if (n < 6e7) return `${thousandths(Math.floor(n / 1000))} s`;
  const seconds = Math.floor((n % 6e7) / 1000);
  return seconds ? `${Math.floor(n / 6e7)} min ${thousandths(seconds)} s` : `${Math.floor(n / 6e7)} min`;
}

/** A start time in microseconds since the epoch, as an ISO date-time in UTC (to the millisecond). */
export const formatStart = (us) => new Date(Math.floor(us / 1000)).toISOString();

/** When a call started and how long it took, in words (empty when the trace does not say). */
export function timing(call) {
  const start = call.started_us != null ? `started ${formatStart(call.started_us)}` : '';
  const took = call.duration_us != null ? `took ${formatDuration(call.duration_us)}` : '';
  return [start, took].filter(Boolean).join(', ');
}

/**
 * Whether the picture can lay the calls out in time: every call needs a start. Returns null when
 * it can, else the reason it cannot.
 */
export function untimed(calls) {
  const missing = calls.reduce((n, call) => n + (call.started_us == null ? 1 : 0), 0);
  if (calls.length === 0) return 'There are no calls to lay out in time.';
  if (missing === calls.length) return 'The trace records no start times, so the calls can only be shown in order.';
  if (missing > 0) return `${plural(missing, 'call')} of ${calls.length} ${missing === 1 ? 'has' : 'have'} no start time, so the calls can only be shown in order.`;
  return null;
}

/** The family of a call's API, or "unknown API". */
export const apiName = (call) => call.api?.family ?? 'unknown API';

/** Facets a report can be filtered by (a promise of them): sessions, state kinds, API families, modes. */
export async function facetsOf(report) {
  const sessions = new Set();
  const states = new Set();
  const apis = new Set();
  const modes = new Set();
  await inSlices(report.calls ?? [], (call) => {
    if (call.session) sessions.add(call.session);
    for (const state of call.state ?? []) states.add(state);
    apis.add(apiName(call));
    modes.add(call.mode);
  });
  return { sessions: [...sessions], states: [...states], apis: [...apis], modes: MODES.filter((mode) => modes.has(mode)) };
}

/**
 * A predicate over calls for a filter {session, state, api, mode} (each '' for any);
 * `session` may be '-' for calls in no session.
 */
export function callFilter({ session = '', state = '', api = '', mode = '' } = {}) {
  if (!session && !state && !api && !mode) return null;
  return (call) =>
    (!session || (session === '-' ? !call.session : call.session === session)) &&
    (!state || (call.state ?? []).includes(state)) &&
    (!api || apiName(call) === api) &&
    (!mode || call.mode === mode);
}

/**
 * A report sentence from its phrases (`message_parts`, `explanation_parts`): quoted names and
 * places become <code>, cited evidence links made by `link(id)`; text stays text.
 */
export function phrases(parts, link) {
  return (parts ?? []).map((part) => {
    if (part.code != null) return el('code', { text: part.code });
    if (part.cite != null) {
      const made = link?.(part.cite);
      return made ? ['[', made, ']'] : `[${part.cite}]`;
    }
    return part.text ?? '';
  });
}

/**
 * Messages that are not report sentences (diagnostics, errors) quote fields in `backticks` and may
 * cite evidence as [E1]: turns those into <code> and links made by `link(id)`.
 */
export function richText(text, link) {
  return String(text ?? '')
    .split(/(`[^`\n]+`|\[E\d+\])/)
    .map((part) => {
      if (/^`.+`$/s.test(part)) return el('code', { text: part.slice(1, -1) });
      if (/^\[E\d+\]$/.test(part)) {
        const made = link?.(part.slice(1, -1));
        return made ? ['[', made, ']'] : part;
      }
      return part;
    });
}

export const chip = (text, attrs = {}) => el('span', { class: 'chip', text, ...attrs });

/**
 * The verdict banner: the plain sentence, the confidence, and the deciding evidence.
 * `link(id)` makes a link to an evidence item (or returns null).
 */
export function verdictBanner(report, { link = () => null, explanation = true } = {}) {
  const verdict = report.verdict ?? {};
  const percent = typeof verdict.confidence === 'number' ? `${Math.round(verdict.confidence * 100)}%` : '';
  const deciding = decidingEvidence(report);
  return el(
    'div',
    { class: 'verdict', 'data-label': verdict.label ?? '' },
    el(
      'p',
      { class: 'verdict-head' },
      el('span', { class: 'verdict-label', text: verdict.label ?? '' }),
      el('span', { class: 'verdict-confidence', text: verdict.level ? `${verdict.level} confidence (${percent})` : percent }),
    ),
    el('p', { class: 'verdict-headline', text: headline(report) }),
    deciding.length > 0 &&
      el(
        'ul',
        { class: 'deciding', 'aria-label': 'The evidence that decides it' },
        deciding.map((item) =>
          el('li', {}, link(item.id) ?? el('strong', { text: item.id }), ' ', chip(signalName(item.signal), { 'data-signal': item.signal }), ' ', phrases(item.message_parts, link)),
        ),
      ),
    explanation && el('details', { class: 'explanation' }, el('summary', { text: 'The full explanation' }), el('p', {}, phrases(verdict.explanation_parts, link))),
  );
}

/**
 * A table of evidence items; `link.call(n)` and `link.evidence(id)` make links (or null).
 * Rows carry `data-evidence` and the id `idOf(id)` so that other views can point at them.
 */
export function evidenceTable(items, { callLink = (n) => el('span', { text: `call ${n}` }), idOf = null, onRow = null } = {}) {
  const body = el('tbody');
  for (const item of items) {
    const row = el(
      'tr',
      { 'data-evidence': item.id, 'data-strength': item.strength, id: idOf?.(item.id) },
      el('th', { scope: 'row', text: item.id }),
      el('td', {}, chip(signalName(item.signal), { 'data-signal': item.signal, title: SIGNAL_HINTS[item.signal] })),
      el('td', { text: item.state ?? '—' }),
      el('td', {}, chip(item.strength ?? '', { 'data-strength': item.strength })),
      el(
        'td',
        { class: 'places' },
        (item.places ?? []).length
          ? joined(
              item.places.slice(0, 6).map((place) => el('span', { class: 'place' }, callLink(place.call), ' ', el('code', { text: place.at }))),
              el('br'),
            )
          : joined((item.calls ?? []).map(callLink)),
        (item.places ?? []).length > 6 && el('span', { class: 'more', text: ` and ${item.places.length - 6} more` }),
      ),
      el('td', { class: 'message' }, phrases(item.message_parts, null), item.handle && el('span', { class: 'handle' }, ' Handle ', el('code', { text: item.handle }))),
    );
    onRow?.(row, item);
    body.append(row);
  }
  return el(
    'table',
    { class: 'evidence-table' },
    el(
      'thead',
      {},
      el('tr', {}, ['Id', 'Signal', 'State', 'Strength', 'Where', 'What it shows'].map((text) => el('th', { scope: 'col', text }))),
    ),
    body,
  );
}

/** A policy status as people read it. */
export const STATUS_NAMES = { holds: 'holds', violated: 'violated', warning: 'warning', not_applicable: 'not applicable' };

/** Why one call breaks a rule (the words the CLI uses). */
function findingText(type, f) {
  const kinds = (f.state ?? []).join(', ');
  switch (type) {
    case 'no-retention':
      return ` asks the server to retain conversation data (${String(f.retention ?? '').replaceAll('_', ' ')} at ${f.at ?? '?'}${f.by_default ? ', by default' : ''})`;
    case 'stateless-only-at':
      return ' is a stateless model call elsewhere';
    case 'evidence-strength':
      return `: its ${kinds} state rests on ${f.strength ?? 'weaker'} evidence only`;
    default:
      return ` depends on server-kept ${kinds} state`;
  }
}

/**
 * A policy's result (`report.policy`): its status, then each rule with the calls and evidence
 * that decide it. `callLink(index)` and `evidenceLink(id)` make the links (or return null).
 */
export function policyPanel(result, { callLink = () => null, evidenceLink = () => null, maxFindings = 8 } = {}) {
  const rules = result.rules ?? [];
  const items = rules.map((rule) => {
    const findings = (rule.findings ?? []).slice(0, maxFindings).map((f) => {
      const where = [f.family, f.host].filter(Boolean).join(' at ');
      const evidence = (f.evidence ?? []).map((id) => evidenceLink(id) ?? id);
      return el(
        'li',
        { 'data-call': f.call },
        callLink(f.call) ?? `call ${f.call}`,
        where ? ` (${where})` : '',
        findingText(rule.type, f),
        evidence.length ? [' — ', joined(evidence)] : '',
      );
    });
    const more = (rule.findings ?? []).length - findings.length;
    const decided = rule.status === 'holds' && rule.calls?.length ? ` — ${plural(rule.calls.length, 'call')} checked` : '';
    return el(
      'li',
      { class: 'policy-rule', 'data-status': rule.status, 'data-rule': rule.name },
      chip(STATUS_NAMES[rule.status] ?? rule.status, { 'data-status': rule.status }),
      ' ',
      el('strong', { text: rule.name }),
      el('span', { class: 'hint', text: ` (${rule.type})${decided}` }),
      rule.description ? el('p', { class: 'policy-description', text: rule.description }) : null,
      findings.length ? el('ul', { class: 'policy-findings' }, findings, more > 0 ? el('li', { text: `and ${plural(more, 'more call')}` }) : null) : null,
    );
  });
  return el(
    'div',
    { class: 'policy', 'data-status': result.status },
    el('p', { class: 'policy-head' }, el('strong', { text: `Policy${result.name ? `: ${result.name}` : ''}` }), ' ', chip(STATUS_NAMES[result.status] ?? result.status, { 'data-status': result.status })),
    el('ul', { class: 'plain-list policy-rules' }, items),
  );
}

/** The calls a policy flags, for the picture: Map(index → 'violated' | 'warning'). */
export function policyFlags(result) {
  const flags = new Map();
  for (const rule of result?.rules ?? []) {
    if (rule.status !== 'violated' && rule.status !== 'warning') continue;
    for (const f of rule.findings ?? []) if (flags.get(f.call) !== 'violated') flags.set(f.call, rule.status);
  }
  return flags;
}
