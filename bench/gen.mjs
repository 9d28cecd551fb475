#!/usr/bin/env node
// A generator of large, realistic traces for the benchmark, deterministic from a seed.
//
//   node bench/gen.mjs --format har|otlp|jsonl --size 100MB --out FILE [--seed 1] [--mix mixed|history]
//
// `--ascii` leaves out the few non-ASCII words (in V8 one of them makes the decoded file a
// two-byte string, slower to decode and parse).
//
// Sizes take B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB; the file ends at the first call
// boundary past the size (one call can weigh a few megabytes, so small sizes overshoot). The same
// seed, format, size and options give the same bytes.
//
// Two mixes. `--mix history`: most bytes are natural-language chat and agent histories resent
// every turn, the commonest shape of real agent traffic: sessions of 10 to 40 turns, each request
// resending the whole growing conversation (Chat Completions `messages`, Anthropic Messages, and
// Responses `input` arrays without `previous_response_id`), English prose from a seeded word
// generator, tool calls now and then, answers of a few hundred words, and small telemetry calls
// between them (about 8 to 9 thousand calls per 100 MB).
//
// `--mix mixed` (the default) is the mix an agent's capture has, interleaved as concurrent
// sessions are:
// - Chat Completions and Anthropic Messages conversations that resend their whole history turn
//   after turn (tool calls and tool results in it, now and then a base64 image), some streamed
//   as server-sent events;
// - Responses API chains (`previous_response_id` pointing at the response before);
// - MCP sessions over Streamable HTTP (`Mcp-Session-Id` minted by `initialize`, JSON-RPC
//   `tools/list` and `tools/call`, some answers as SSE);
// - Realtime WebSocket sessions (HAR `_webSocketMessages` as Chrome writes them, with base64 audio
//   frames; HAR only);
// - noise: telemetry beacons, analytics, static assets (scripts, styles, base64 images and fonts).
//
// HAR is written as Chrome's DevTools writes it (two-space indentation, Chrome's `_` fields);
// JSON Lines in callstate's generic request-log shape, one call a line; OTLP/JSON as the
// Collector's file exporter writes it, one `ExportTraceServiceRequest` a line (HTTP client spans
// with the HTTP semantic conventions, GenAI spans under `invoke_agent` spans, MCP spans).

import { openSync, writeSync, closeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// ---- options ---------------------------------------------------------------------------------

export function parseSize(text) {
  const m = /^\s*([\d.]+)\s*([KMGT]?i?B?)?\s*$/i.exec(String(text));
  if (!m) throw new Error(`not a size: ${text}`);
  const unit = (m[2] || 'B').toUpperCase();
  const powers = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };
  const k = powers[unit] ?? powers[unit + 'B'];
  if (!k) throw new Error(`unknown unit in ${text}`);
  return Math.round(Number(m[1]) * k);
}

function parseArgs(argv) {
  const opts = { format: 'har', size: parseSize('10MB'), seed: 1, out: null, ascii: false, mix: 'mixed' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--format') opts.format = v();
    else if (a === '--size') opts.size = parseSize(v());
    else if (a === '--seed') opts.seed = Number(v()) >>> 0;
    else if (a === '--out') opts.out = v();
    else if (a === '--ascii') opts.ascii = true;
    else if (a === '--mix') opts.mix = v();
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/gen.mjs --format har|otlp|jsonl --size 100MB --out FILE [--seed N] [--ascii] [--mix mixed|history]');
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  if (!['har', 'otlp', 'jsonl'].includes(opts.format)) throw new Error(`unknown format: ${opts.format}`);
  if (!MIXES.includes(opts.mix)) throw new Error(`unknown mix: ${opts.mix} (${MIXES.join(', ')})`);
  if (!opts.out) throw new Error('--out FILE is required');
  return opts;
}

// ---- deterministic randomness ----------------------------------------------------------------

/** sfc32: small, fast, and good enough for realistic filler. */
function makeRng(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  const rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
    hex: (n) => {
      let s = '';
      while (s.length < n) s += ((next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
      return s.slice(0, n);
    },
    alnum: (n) => {
      const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
      let s = '';
      for (let i = 0; i < n; i++) s += abc[Math.floor(next() * 62)];
      return s;
    },
    uuid: () => {
      const h = rng.hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
    },
    /** A long-tailed length: mostly near `typical`, sometimes many times it. */
    tail: (typical, max) => Math.min(max, Math.round(typical * (0.3 + -Math.log(1 - next() * 0.999)))),
  };
  return rng;
}

// ---- filler ----------------------------------------------------------------------------------

const WORDS = (
  'the a of to and in is that for it with as on be this by are from at or an was which not have ' +
  'function value request response session state server client model token context memory tool ' +
  'call result error file data user agent plan step query search index cache retry timeout ' +
  'config deploy build test trace span metric log event stream message thread turn reply answer ' +
  'Lisbon Porto Madrid München Zürich café naïve résumé 東京 데이터 عربى ' +
  'quarterly revenue forecast invoice contract clause liability compliance audit region cloud ' +
  'latency throughput p99 kubernetes postgres redis kafka webhook oauth schema migration'
).split(' ');

const TOOL_NAMES = ['search_web', 'read_file', 'run_sql', 'get_weather', 'list_issues', 'fetch_url', 'run_python'];
const MODELS_OPENAI = ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'o4-mini', 'gpt-5'];
const MODELS_ANTHROPIC = ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'];

class Filler {
  constructor(rng, ascii) {
    this.rng = rng;
    const words = ascii ? WORDS.filter((w) => /^[\x20-\x7e]*$/.test(w)) : WORDS;
    // A pool of random base64 to slice big bodies from (1.5 MB of random bytes).
    const bytes = Buffer.alloc(3 * 2 ** 19);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((rng.next() * 4294967296) >>> 0, i);
    this.b64 = bytes.toString('base64');
    // Sentences are built from a pool too, so that text is cheap to make but rarely repeats.
    this.sentences = [];
    for (let i = 0; i < 4096; i++) {
      const n = rng.int(5, 24);
      const w = [];
      for (let j = 0; j < n; j++) w.push(rng.pick(words));
      const s = w.join(' ');
      this.sentences.push(s[0].toUpperCase() + s.slice(1) + rng.pick(['.', '.', '.', '?', '!', ':']));
    }
  }
  /** About `chars` characters of prose. */
  text(chars) {
    const parts = [];
    let n = 0;
    while (n < chars) {
      const s = this.rng.pick(this.sentences);
      parts.push(s);
      n += s.length + 1;
      if (this.rng.chance(0.08)) parts.push('\n\n');
    }
    return parts.join(' ');
  }
  /** `n` characters of base64 (a multiple of 4), starting with `magic`. */
  base64(n, magic = '') {
    n = Math.max(4, n - (n % 4));
    let out = magic;
    while (out.length < n) {
      const off = this.rng.int(0, this.b64.length - 4096) & ~3;
      out += this.b64.slice(off, off + Math.min(n - out.length, this.b64.length - off));
    }
    return out.slice(0, n);
  }
  code(chars) {
    const lines = [];
    let n = 0;
    while (n < chars) {
      const l = `  const ${this.rng.alnum(6)} = ${this.rng.pick(['await', 'new', ''])} ${this.rng.alnum(8)}(${this.rng.int(0, 999)}, "${this.rng.pick(WORDS)}");`;
      lines.push(l);
      n += l.length + 1;
    }
    return lines.join('\n');
  }
}

// ---- the traffic, as calls -------------------------------------------------------------------
//
// A call: { method, url, reqHeaders: [[name, value]], reqBody (object | string | null), reqMime,
//   status, resHeaders, resBody (object | string | null), resMime, resBase64 (bool), resourceType,
//   ws (frames, for a WebSocket), span: { kind, attrs } (what an OTLP exporter would record),
//   agent (a conversation id for the parent `invoke_agent` span) }

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';

function jsonHeaders(extra = []) {
  return [['content-type', 'application/json'], ['accept', 'application/json'], ['user-agent', UA], ...extra];
}

function resJsonHeaders(rng, extra = []) {
  return [
    ['content-type', 'application/json'],
    ['date', 'Fri, 27 Nov 2026 10:00:00 GMT'],
    ['x-request-id', `req_${rng.hex(24)}`],
    ['cf-ray', `${rng.hex(16)}-LIS`],
    ...extra,
  ];
}

/** A Chat Completions answer: an SSE stream of `chunk`-character deltas, or one JSON body. */
function chatCompletion(rng, { id, model, turn, reply, stream, chunk }) {
  const created = 1795000000 + turn;
  if (stream) {
    const events = [];
    for (let i = 0; i < reply.length; i += chunk) {
      events.push({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: { content: reply.slice(i, i + chunk) }, finish_reason: null }] });
    }
    events.push({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    return { resBody: sse(events), resMime: 'text/event-stream' };
  }
  const resBody = {
    id, object: 'chat.completion', created, model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply, refusal: null }, finish_reason: 'stop' }],
    usage: { prompt_tokens: rng.int(100, 90000), completion_tokens: rng.int(10, 2000), total_tokens: rng.int(100, 92000) },
    system_fingerprint: `fp_${rng.hex(10)}`,
  };
  return { resBody, resMime: 'application/json' };
}

function sse(events) {
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
}

/** Chat Completions: the client resends the whole conversation every turn. */
function* chatSession(rng, fill, opts) {
  const model = rng.pick(MODELS_OPENAI);
  const conv = `conv-${rng.hex(12)}`;
  const messages = [{ role: 'system', content: fill.text(rng.tail(1500, 12000)) }];
  const tools = TOOL_NAMES.slice(0, rng.int(2, TOOL_NAMES.length)).map((name) => ({
    type: 'function',
    function: { name, description: fill.text(120), parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
  }));
  const turns = rng.int(3, 40);
  const auth = [['authorization', `Bearer sk-proj-${rng.alnum(48)}`]];
  for (let turn = 0; turn < turns; turn++) {
    if (turn > 0 && rng.chance(0.35)) {
      // The model asked for a tool; its result goes into the history.
      const id = `call_${rng.alnum(24)}`;
      const name = rng.pick(tools).function.name;
      messages.push({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify({ query: fill.text(60) }) } }] });
      messages.push({ role: 'tool', tool_call_id: id, content: fill.text(rng.tail(2500, 30000)) });
    } else if (rng.chance(opts.imageRate)) {
      messages.push({
        role: 'user',
        content: [
          { type: 'text', text: fill.text(rng.tail(200, 2000)) },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${fill.base64(rng.tail(60000, 1500000), 'iVBORw0KGgoAAAANSUhEUgAA')}` } },
        ],
      });
    } else {
      messages.push({ role: 'user', content: fill.text(rng.tail(300, 4000)) });
    }
    const stream = rng.chance(0.3);
    const reply = fill.text(rng.tail(700, 8000));
    const id = `chatcmpl-${rng.alnum(29)}`;
    const body = { model, messages, tools, temperature: 0.2, stream };
    const { resBody, resMime } = chatCompletion(rng, { id, model, turn, reply, stream, chunk: 120 });
    yield {
      method: 'POST', url: 'https://api.openai.com/v1/chat/completions',
      reqHeaders: jsonHeaders(auth), reqBody: body, reqMime: 'application/json',
      status: 200, resHeaders: resJsonHeaders(rng, [['openai-processing-ms', String(rng.int(200, 9000))]]).map((h) => (h[0] === 'content-type' ? [h[0], resMime] : h)),
      resBody, resMime, resourceType: 'fetch', agent: conv,
      span: { kind: 'chat', provider: 'openai', model, input: messages, output: [{ role: 'assistant', content: reply }], responseId: id },
    };
    messages.push({ role: 'assistant', content: reply });
  }
}

/** Anthropic Messages: history resent, the system prompt beside it. */
function* anthropicSession(rng, fill) {
  const model = rng.pick(MODELS_ANTHROPIC);
  const conv = `conv-${rng.hex(12)}`;
  const system = fill.text(rng.tail(2000, 16000));
  const messages = [];
  const turns = rng.int(3, 30);
  const key = [['x-api-key', `sk-ant-api03-${rng.alnum(80)}`], ['anthropic-version', '2023-06-01']];
  for (let turn = 0; turn < turns; turn++) {
    if (turn > 0 && rng.chance(0.3)) {
      const id = `toolu_${rng.alnum(24)}`;
      messages.push({ role: 'assistant', content: [{ type: 'tool_use', id, name: rng.pick(TOOL_NAMES), input: { query: fill.text(50) } }] });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: fill.text(rng.tail(3000, 30000)) }] });
    } else {
      messages.push({ role: 'user', content: [{ type: 'text', text: fill.text(rng.tail(300, 4000)) }] });
    }
    const reply = fill.text(rng.tail(800, 8000));
    const id = `msg_${rng.alnum(24)}`;
    yield anthropicCall(rng, { key, model, maxTokens: 8192, system, messages, reply, id, conv });
    messages.push({ role: 'assistant', content: [{ type: 'text', text: reply }] });
  }
}

/** One Anthropic Messages call: the request carries `messages`, the answer is `reply`. */
function anthropicCall(rng, { key, model, maxTokens, system, messages, reply, id, conv }) {
  return {
    method: 'POST', url: 'https://api.anthropic.com/v1/messages',
    reqHeaders: jsonHeaders(key), reqBody: { model, max_tokens: maxTokens, system, messages }, reqMime: 'application/json',
    status: 200, resHeaders: resJsonHeaders(rng, [['request-id', `req_${rng.alnum(24)}`]]),
    resBody: {
      id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: reply }],
      stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: rng.int(100, 90000), output_tokens: rng.int(10, 4000) },
    },
    resMime: 'application/json', resourceType: 'fetch', agent: conv,
    span: { kind: 'chat', provider: 'anthropic', model, input: messages, output: [{ role: 'assistant', content: reply }], responseId: id },
  };
}

/** Responses API chained by `previous_response_id`: the server keeps the conversation. */
function* responsesChain(rng, fill) {
  const model = rng.pick(MODELS_OPENAI);
  const turns = rng.int(2, 40);
  const auth = [['authorization', `Bearer sk-proj-${rng.alnum(48)}`]];
  const instructions = fill.text(rng.tail(1000, 8000));
  let previous = null;
  for (let turn = 0; turn < turns; turn++) {
    const input = [{ role: 'user', content: [{ type: 'input_text', text: fill.text(rng.tail(400, 4000)) }] }];
    if (previous && rng.chance(0.3)) {
      input.unshift({ type: 'function_call_output', call_id: `call_${rng.alnum(24)}`, output: fill.text(rng.tail(2500, 20000)) });
    }
    const body = { model, instructions, input, store: true, ...(previous ? { previous_response_id: previous } : {}) };
    const id = `resp_${rng.hex(48)}`;
    const reply = fill.text(rng.tail(700, 8000));
    const resBody = {
      id, object: 'response', created_at: 1795000000 + turn, status: 'completed', model,
      previous_response_id: previous,
      output: [{ type: 'message', id: `msg_${rng.hex(48)}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: reply, annotations: [] }] }],
      usage: { input_tokens: rng.int(100, 90000), output_tokens: rng.int(10, 4000), total_tokens: rng.int(100, 94000) },
      store: true,
    };
    yield {
      method: 'POST', url: 'https://api.openai.com/v1/responses',
      reqHeaders: jsonHeaders(auth), reqBody: body, reqMime: 'application/json',
      status: 200, resHeaders: resJsonHeaders(rng), resBody, resMime: 'application/json', resourceType: 'fetch',
      span: { kind: 'http-body' },
    };
    previous = id;
  }
}

/** MCP over Streamable HTTP: `initialize` mints the session id, every later call sends it. */
function* mcpSession(rng, fill) {
  const host = rng.pick(['mcp.linear.app', 'mcp.notion.com', 'tools.example-corp.internal', 'api.githubcopilot.com']);
  const url = `https://${host}/mcp`;
  const session = rng.uuid();
  const base = [['content-type', 'application/json'], ['accept', 'application/json, text/event-stream'], ['mcp-protocol-version', '2025-06-18'], ['authorization', `Bearer ${rng.alnum(40)}`]];
  const asSse = rng.chance(0.5);
  const answer = (msg) => (asSse ? `event: message\ndata: ${JSON.stringify(msg)}\n\n` : msg);
  const mime = asSse ? 'text/event-stream' : 'application/json';
  let id = 1;
  const mcpCall = (method, params, result, withSession = true, status = 200) => {
    const req = { jsonrpc: '2.0', id: id++, method, params };
    return {
      method: 'POST', url,
      reqHeaders: withSession ? [...base, ['mcp-session-id', session]] : base, reqBody: req, reqMime: 'application/json',
      status, resHeaders: [['content-type', mime], ...(withSession ? [] : [['mcp-session-id', session]])],
      resBody: result === null ? null : answer({ jsonrpc: '2.0', id: req.id, result }), resMime: mime, resourceType: 'fetch',
      span: { kind: 'mcp', method, session: withSession ? session : null, reqId: req.id },
    };
  };
  yield mcpCall('initialize', { protocolVersion: '2025-06-18', capabilities: { sampling: {} }, clientInfo: { name: 'agent-runtime', version: '1.4.2' } },
    { protocolVersion: '2025-06-18', capabilities: { tools: { listChanged: true } }, serverInfo: { name: host, version: '2.1.0' } }, false);
  yield { ...mcpCall('notifications/initialized', undefined, null), reqBody: { jsonrpc: '2.0', method: 'notifications/initialized' }, status: 202 };
  const tools = TOOL_NAMES.map((name) => ({ name, description: fill.text(200), inputSchema: { type: 'object', properties: { query: { type: 'string' } } } }));
  yield mcpCall('tools/list', {}, { tools });
  const calls = rng.int(1, 25);
  for (let i = 0; i < calls; i++) {
    yield mcpCall('tools/call', { name: rng.pick(TOOL_NAMES), arguments: { query: fill.text(80) } },
      { content: [{ type: 'text', text: fill.text(rng.tail(3000, 60000)) }], isError: false });
  }
}

/** OpenAI Realtime over a WebSocket: one HAR entry, its frames in `_webSocketMessages`. */
function* realtimeSession(rng, fill, opts) {
  const frames = [];
  let t = opts.now() / 1000;
  const send = (e) => frames.push({ type: 'send', time: (t += rng.next() * 0.2), opcode: 1, data: JSON.stringify(e) });
  const receive = (e) => frames.push({ type: 'receive', time: (t += rng.next() * 0.2), opcode: 1, data: JSON.stringify(e) });
  const sess = `sess_${rng.alnum(22)}`;
  receive({ type: 'session.created', event_id: `event_${rng.alnum(20)}`, session: { id: sess, object: 'realtime.session', model: 'gpt-realtime', modalities: ['text', 'audio'] } });
  send({ type: 'session.update', session: { instructions: fill.text(800), voice: 'alloy', turn_detection: { type: 'server_vad' } } });
  const turns = rng.int(2, 12);
  for (let turn = 0; turn < turns; turn++) {
    const chunks = rng.int(3, 30);
    for (let i = 0; i < chunks; i++) send({ type: 'input_audio_buffer.append', event_id: `event_${rng.alnum(20)}`, audio: fill.base64(rng.tail(16000, 64000)) });
    send({ type: 'input_audio_buffer.commit', event_id: `event_${rng.alnum(20)}` });
    const item = `item_${rng.alnum(22)}`;
    receive({ type: 'conversation.item.created', event_id: `event_${rng.alnum(20)}`, previous_item_id: null, item: { id: item, type: 'message', role: 'user' } });
    const resp = `resp_${rng.alnum(22)}`;
    const reply = fill.text(rng.tail(400, 3000));
    for (let i = 0; i < reply.length; i += 40) {
      receive({ type: 'response.output_text.delta', event_id: `event_${rng.alnum(20)}`, response_id: resp, item_id: item, output_index: 0, content_index: 0, delta: reply.slice(i, i + 40) });
    }
    receive({ type: 'response.done', event_id: `event_${rng.alnum(20)}`, response: { id: resp, status: 'completed', output: [{ id: item, type: 'message', role: 'assistant' }] } });
  }
  yield {
    method: 'GET', url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime',
    reqHeaders: [['upgrade', 'websocket'], ['connection', 'Upgrade'], ['sec-websocket-key', rng.alnum(22) + '=='], ['sec-websocket-version', '13'], ['sec-websocket-protocol', `realtime, openai-insecure-api-key.sk-proj-${rng.alnum(48)}`]],
    reqBody: null, status: 101,
    resHeaders: [['upgrade', 'websocket'], ['connection', 'Upgrade'], ['sec-websocket-accept', rng.alnum(27) + '=']],
    resBody: null, resMime: 'x-unknown', resourceType: 'websocket', ws: frames, span: null,
  };
}

/** A batch of telemetry events (up to `most`) posted by the app. */
function telemetryBatch(rng, most, words) {
  const events = [];
  for (let j = rng.int(1, most); j > 0; j--) events.push({ event: rng.pick(['page_view', 'click', 'render', 'llm_latency']), id: rng.uuid(), ts: 1795000000000 + rng.int(0, 1e6), props: { path: `/app/${rng.pick(words)}`, ms: rng.int(1, 9000) } });
  return {
    method: 'POST', url: 'https://telemetry.example-app.com/v1/batch', reqHeaders: jsonHeaders([['x-client-id', rng.uuid()]]),
    reqBody: { batch: events, sentAt: new Date(1795000000000).toISOString() }, reqMime: 'application/json',
    status: 200, resHeaders: resJsonHeaders(rng), resBody: { ok: true }, resMime: 'application/json', resourceType: 'ping', span: { kind: 'http' },
  };
}

/** An analytics beacon that sets a tracking cookie. */
function analyticsPing(rng) {
  return {
    method: 'POST', url: `https://www.google-analytics.com/g/collect?v=2&tid=G-${rng.alnum(10)}&cid=${rng.int(1e8, 9e8)}.${rng.int(1e9, 2e9)}&en=page_view`,
    reqHeaders: [['content-type', 'text/plain;charset=UTF-8'], ['user-agent', UA]], reqBody: null,
    status: 204, resHeaders: [['set-cookie', `_ga=GA1.1.${rng.int(1e8, 9e8)}.${rng.int(1e9, 2e9)}; Path=/; Max-Age=63072000`]], resBody: '', resMime: 'text/plain', resourceType: 'ping', span: { kind: 'http' },
  };
}

/** Noise: telemetry and analytics beacons, and the page's static assets. */
function* noise(rng, fill) {
  const n = rng.int(1, 6);
  for (let i = 0; i < n; i++) {
    const kind = rng.int(0, 5);
    if (kind === 0) {
      yield telemetryBatch(rng, 20, WORDS);
    } else if (kind === 1) {
      yield analyticsPing(rng);
    } else if (kind === 2) {
      yield {
        method: 'GET', url: `https://app.example-app.com/assets/index-${rng.alnum(8)}.js`, reqHeaders: [['user-agent', UA], ['accept', '*/*']], reqBody: null,
        status: 200, resHeaders: [['content-type', 'text/javascript'], ['cache-control', 'public, max-age=31536000, immutable'], ['etag', `"${rng.hex(16)}"`]],
        resBody: fill.code(rng.tail(20000, 400000)), resMime: 'text/javascript', resourceType: 'script', span: { kind: 'http' },
      };
    } else if (kind === 3) {
      yield {
        method: 'GET', url: `https://app.example-app.com/assets/${rng.pick(['logo', 'hero', 'avatar', 'chart'])}-${rng.alnum(8)}.png`, reqHeaders: [['user-agent', UA], ['accept', 'image/avif,image/webp,*/*']], reqBody: null,
        status: 200, resHeaders: [['content-type', 'image/png'], ['cache-control', 'public, max-age=86400']],
        resBody: fill.base64(rng.tail(30000, 800000), 'iVBORw0KGgoAAAANSUhEUgAA'), resMime: 'image/png', resBase64: true, resourceType: 'image', span: { kind: 'http' },
      };
    } else if (kind === 4) {
      yield {
        method: 'GET', url: `https://fonts.example-cdn.com/s/inter/v${rng.int(10, 20)}/${rng.alnum(12)}.woff2`, reqHeaders: [['user-agent', UA], ['origin', 'https://app.example-app.com']], reqBody: null,
        status: 200, resHeaders: [['content-type', 'font/woff2'], ['access-control-allow-origin', '*']],
        resBody: fill.base64(rng.tail(40000, 200000), 'd09GMgABAAAAA'), resMime: 'font/woff2', resBase64: true, resourceType: 'font', span: { kind: 'http' },
      };
    } else {
      yield {
        method: 'GET', url: `https://app.example-app.com/api/me?_=${rng.int(1e12, 2e12)}`, reqHeaders: jsonHeaders([['cookie', `app_session=${rng.alnum(40)}; theme=dark`]]), reqBody: null,
        status: 200, resHeaders: resJsonHeaders(rng), resBody: { id: `usr_${rng.alnum(12)}`, name: 'Ada', plan: 'team', features: Array.from({ length: rng.int(1, 30) }, () => rng.pick(WORDS)) },
        resMime: 'application/json', resourceType: 'xhr', span: { kind: 'http' },
      };
    }
  }
}

// [weight, generator, formats it can be written in], per mix
const SESSIONS = {
  mixed: [
    [26, chatSession, ['har', 'jsonl', 'otlp']],
    [10, anthropicSession, ['har', 'jsonl', 'otlp']],
    [14, responsesChain, ['har', 'jsonl', 'otlp']],
    [14, mcpSession, ['har', 'jsonl', 'otlp']],
    [4, realtimeSession, ['har']],
    [32, noise, ['har', 'jsonl', 'otlp']],
  ],
  history: [
    [30, historyChat, ['har', 'jsonl', 'otlp']],
    [15, historyAnthropic, ['har', 'jsonl', 'otlp']],
    [10, historyResponses, ['har', 'jsonl', 'otlp']],
    [430, smallCalls, ['har', 'jsonl', 'otlp']],
  ],
};
export const MIXES = Object.keys(SESSIONS);


// ---- the history mix -------------------------------------------------------------------------
//
// English prose from a seeded word generator: words drawn with Zipf-like frequencies from a list
// ordered roughly by how common they are, sentences of 4 to 30 words with commas, paragraphs, and
// in answers some Markdown (headings, bullets, bold, now and then a code block). Typographic
// apostrophes and dashes, as model output has, unless `--ascii`.

const ENGLISH = (
  'the of and to a in that is it for you was with on as have be at this not but by from they we ' +
  'or an will my one all would there their what so up out if about who get which go me when make ' +
  'can like time no just him know take people into year your good some could them see other than ' +
  'then now look only come its over think also back after use two how our work first well way even ' +
  'new want because any these give day most us need should help each much through where before ' +
  'right still find here thing many long great same while might last again never under around ' +
  'keep start point every small number part place system question problem fact case week company ' +
  'group state result change order example information important possible different following ' +
  'however therefore instead usually already probably actually simply clearly especially rather ' +
  'data request response function value file user error model approach option step process ' +
  'service server client message record report table field column query result version update ' +
  'customer account invoice payment contract policy review draft summary section paragraph ' +
  'document meeting schedule project team manager budget estimate timeline deadline risk issue ' +
  'feature release test build deploy configuration setting permission access token session ' +
  'database index cache memory performance latency throughput cost region network storage ' +
  'analysis research source evidence argument claim reason conclusion context detail assumption ' +
  'recommend suggest consider explain describe compare include provide require support check ' +
  'create remove replace improve reduce increase handle return call send read write open close ' +
  'clear simple complex likely useful specific general common main final current previous next ' +
  'quickly carefully directly easily exactly roughly slightly significantly'
).split(' ');

const FUNCTION_WORDS = 60;
const CONTRACTIONS = ["it's", "don't", "you're", "I'd", "let's", "that's", "isn't", "we'll", "can't", "there's"];

class EnglishFiller {
  constructor(rng, ascii) {
    this.rng = rng;
    this.ascii = ascii;
    // Zipf weights over each list's order, sampled by binary search over the cumulative sums.
    const zipf = (list) => {
      const cum = [];
      let t = 0;
      for (let i = 0; i < list.length; i++) cum.push((t += 1 / (i + 2.7)));
      return { list, cum: cum.map((x) => x / t) };
    };
    this.function = zipf(ENGLISH.slice(0, FUNCTION_WORDS));
    this.content = zipf(ENGLISH.slice(FUNCTION_WORDS));
    this.sentences = [];
    for (let i = 0; i < 16384; i++) this.sentences.push(this.sentence());
  }
  word({ list, cum } = this.content) {
    const x = this.rng.next();
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return list[lo];
  }
  sentence() {
    const rng = this.rng;
    // Phrases of one or two function words then one or two content words, as English alternates.
    const n = rng.int(4, 30);
    const w = [];
    for (let j = 0; j < n; j++) {
      const slot = j % 3 === 2 ? (rng.chance(0.5) ? this.content : this.function) : j % 3 === 0 ? this.function : this.content;
      let x = rng.chance(0.02) ? rng.pick(CONTRACTIONS) : this.word(slot);
      if (j > 2 && j < n - 2 && rng.chance(0.07)) x += ',';
      if (j > 3 && j < n - 3 && rng.chance(0.015)) x = this.ascii ? `${x} -` : `${x} —`;
      w.push(x);
    }
    if (!this.ascii) for (let j = 0; j < w.length; j++) w[j] = w[j].replace("'", '’');
    if (rng.chance(0.04)) w[rng.int(0, n - 1)] = `"${w[rng.int(0, n - 1)].replace(/,$/, '')}"`;
    const s = w.join(' ');
    return s[0].toUpperCase() + s.slice(1) + rng.pick(['.', '.', '.', '.', '.', '?', '!', ':']);
  }
  /** About `chars` characters of plain prose, in paragraphs. */
  text(chars) {
    const parts = [];
    let n = 0;
    while (n < chars) {
      const s = this.rng.pick(this.sentences);
      parts.push(n && this.rng.chance(0.12) ? `\n\n${s}` : s);
      n += s.length + 1;
    }
    return parts.join(' ');
  }
  /** An assistant's answer of about `words` words, sometimes with Markdown. */
  answer(words) {
    const rng = this.rng;
    const chars = words * 6;
    if (!rng.chance(0.4)) return this.text(chars);
    const parts = [this.text(chars * 0.3)];
    let n = parts[0].length;
    while (n < chars) {
      const k = rng.int(0, 5);
      let p;
      if (k === 0) p = `## ${this.word()[0].toUpperCase()}${this.word().slice(1)} ${this.word()}\n\n${this.text(300)}`;
      else if (k === 1) p = Array.from({ length: rng.int(2, 6) }, () => `- **${this.word()}**: ${this.text(80)}`).join('\n');
      else if (k === 2) p = Array.from({ length: rng.int(2, 5) }, (_, i) => `${i + 1}. ${this.text(100)}`).join('\n');
      else if (k === 3 && rng.chance(0.4)) p = '```python\n' + Array.from({ length: rng.int(3, 12) }, () => `${this.word()}_${this.word()} = ${this.word()}(${this.word()}, ${rng.int(0, 99)})`).join('\n') + '\n```';
      else p = this.text(400);
      parts.push(p);
      n += p.length + 2;
    }
    return parts.join('\n\n');
  }
}

/** A history-heavy Chat Completions conversation: the whole `messages` array every turn. */
function* historyChat(rng, fill) {
  const model = rng.pick(MODELS_OPENAI);
  const conv = `conv-${rng.hex(12)}`;
  const messages = [{ role: 'system', content: fill.text(rng.int(400, 2500)) }];
  const tools = rng.chance(0.6)
    ? TOOL_NAMES.slice(0, rng.int(1, 4)).map((name) => ({ type: 'function', function: { name, description: fill.text(100), parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } }))
    : undefined;
  const auth = [['authorization', `Bearer sk-proj-${rng.alnum(48)}`]];
  const turns = rng.int(10, 40);
  for (let turn = 0; turn < turns; turn++) {
    if (tools && turn > 0 && rng.chance(0.15)) {
      const id = `call_${rng.alnum(24)}`;
      messages.push({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: rng.pick(tools).function.name, arguments: JSON.stringify({ query: fill.text(50) }) } }] });
      messages.push({ role: 'tool', tool_call_id: id, content: fill.text(rng.int(300, 1500)) });
    } else {
      messages.push({ role: 'user', content: fill.text(rng.int(30, 400)) });
    }
    const reply = fill.answer(rng.int(40, 220));
    const id = `chatcmpl-${rng.alnum(29)}`;
    const stream = rng.chance(0.15);
    const { resBody, resMime } = chatCompletion(rng, { id, model, turn, reply, stream, chunk: 200 });
    yield {
      method: 'POST', url: 'https://api.openai.com/v1/chat/completions',
      reqHeaders: jsonHeaders(auth), reqBody: { model, messages, ...(tools ? { tools } : {}), temperature: 0.7, stream }, reqMime: 'application/json',
      status: 200, resHeaders: resJsonHeaders(rng).map((h) => (h[0] === 'content-type' ? [h[0], resMime] : h)),
      resBody, resMime, resourceType: 'fetch', agent: conv,
      span: { kind: 'chat', provider: 'openai', model, input: messages, output: [{ role: 'assistant', content: reply }], responseId: id },
    };
    messages.push({ role: 'assistant', content: reply });
  }
}

/** A history-heavy Anthropic Messages conversation. */
function* historyAnthropic(rng, fill) {
  const model = rng.pick(MODELS_ANTHROPIC);
  const conv = `conv-${rng.hex(12)}`;
  const system = fill.text(rng.int(400, 3000));
  const messages = [];
  const key = [['x-api-key', `sk-ant-api03-${rng.alnum(80)}`], ['anthropic-version', '2023-06-01']];
  const turns = rng.int(10, 40);
  for (let turn = 0; turn < turns; turn++) {
    if (turn > 0 && rng.chance(0.15)) {
      const id = `toolu_${rng.alnum(24)}`;
      messages.push({ role: 'assistant', content: [{ type: 'text', text: fill.text(rng.int(40, 200)) }, { type: 'tool_use', id, name: rng.pick(TOOL_NAMES), input: { query: fill.text(50) } }] });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: fill.text(rng.int(300, 1500)) }] });
    } else {
      messages.push({ role: 'user', content: [{ type: 'text', text: fill.text(rng.int(30, 400)) }] });
    }
    const reply = fill.answer(rng.int(40, 220));
    const id = `msg_${rng.alnum(24)}`;
    yield anthropicCall(rng, { key, model, maxTokens: 4096, system, messages, reply, id, conv });
    messages.push({ role: 'assistant', content: [{ type: 'text', text: reply }] });
  }
}

/** The Responses API used statelessly: the whole `input` array every turn, `store: false`. */
function* historyResponses(rng, fill) {
  const model = rng.pick(MODELS_OPENAI);
  const conv = `conv-${rng.hex(12)}`;
  const instructions = fill.text(rng.int(400, 2500));
  const input = [];
  const auth = [['authorization', `Bearer sk-proj-${rng.alnum(48)}`]];
  const turns = rng.int(10, 40);
  for (let turn = 0; turn < turns; turn++) {
    if (turn > 0 && rng.chance(0.15)) {
      const callId = `call_${rng.alnum(24)}`;
      input.push({ type: 'function_call', call_id: callId, name: rng.pick(TOOL_NAMES), arguments: JSON.stringify({ query: fill.text(50) }) });
      input.push({ type: 'function_call_output', call_id: callId, output: fill.text(rng.int(300, 1500)) });
    } else {
      input.push({ role: 'user', content: [{ type: 'input_text', text: fill.text(rng.int(30, 400)) }] });
    }
    const reply = fill.answer(rng.int(40, 220));
    const id = `resp_${rng.hex(48)}`;
    const msg = { type: 'message', id: `msg_${rng.hex(48)}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: reply, annotations: [] }] };
    yield {
      method: 'POST', url: 'https://api.openai.com/v1/responses',
      reqHeaders: jsonHeaders(auth), reqBody: { model, instructions, input, store: false }, reqMime: 'application/json',
      status: 200, resHeaders: resJsonHeaders(rng),
      resBody: {
        id, object: 'response', created_at: 1795000000 + turn, status: 'completed', model, previous_response_id: null, output: [msg],
        usage: { input_tokens: rng.int(100, 90000), output_tokens: rng.int(10, 4000), total_tokens: rng.int(100, 94000) }, store: false,
      },
      resMime: 'application/json', resourceType: 'fetch', agent: conv,
      span: { kind: 'chat', provider: 'openai', model, input, output: [{ role: 'assistant', content: reply }], responseId: id },
    };
    input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: reply }] });
  }
}

/** Small calls between the turns: telemetry, analytics, the app's own API. */
function* smallCalls(rng) {
  const n = rng.int(2, 8);
  for (let i = 0; i < n; i++) {
    const kind = rng.int(0, 2);
    if (kind === 0) {
      yield telemetryBatch(rng, 6, ENGLISH);
    } else if (kind === 1) {
      yield analyticsPing(rng);
    } else {
      yield {
        method: 'GET', url: `https://app.example-app.com/api/conversations?limit=${rng.int(10, 50)}`, reqHeaders: jsonHeaders([['cookie', `app_session=${rng.alnum(40)}; theme=dark`]]), reqBody: null,
        status: 200, resHeaders: resJsonHeaders(rng),
        resBody: { items: Array.from({ length: rng.int(1, 8) }, () => ({ id: `conv-${rng.hex(12)}`, title: conversationTitle(rng), updated: 1795000000 + rng.int(0, 1e6) })) },
        resMime: 'application/json', resourceType: 'xhr', span: { kind: 'http' },
      };
    }
  }
}

const conversationTitle = (rng) => Array.from({ length: rng.int(2, 6) }, () => rng.pick(ENGLISH)).join(' ');

// ---- writers ---------------------------------------------------------------------------------

class Out {
  constructor(path) {
    this.fd = openSync(path, 'w');
    this.parts = [];
    this.pending = 0;
    this.bytes = 0;
  }
  write(s) {
    this.parts.push(s);
    this.pending += s.length;
    if (this.pending > 8 << 20) this.flush();
  }
  flush() {
    if (!this.parts.length) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.parts = [];
    this.pending = 0;
  }
  /** Bytes written so far (pending text counted by its length, close enough). */
  get size() {
    return this.bytes + this.pending;
  }
  close() {
    this.flush();
    closeSync(this.fd);
  }
}

const iso = (ms) => new Date(ms).toISOString();

function bodyText(body) {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function splitUrl(url) {
  const q = url.indexOf('?');
  if (q < 0) return [];
  return url.slice(q + 1).split('&').map((kv) => {
    const [name, value = ''] = kv.split('=');
    return { name, value };
  });
}

class HarWriter {
  constructor(out, rng) {
    this.out = out;
    this.rng = rng;
    this.first = true;
    out.write('{\n  "log": {\n    "version": "1.2",\n    "creator": {\n      "name": "WebInspector",\n      "version": "537.36"\n    },\n' +
      '    "pages": [\n      {\n        "startedDateTime": "2026-11-27T10:00:00.000Z",\n        "id": "page_1",\n        "title": "https://app.example-app.com/",\n        "pageTimings": {\n          "onContentLoad": 812.4,\n          "onLoad": 1402.9\n        }\n      }\n    ],\n    "entries": [');
  }
  call(c, start, duration) {
    const rng = this.rng;
    const entry = {
      _connectionId: String(rng.int(1000, 99999)),
      _initiator: { type: 'script' },
      _priority: c.resourceType === 'image' ? 'Low' : 'High',
      _resourceType: c.resourceType,
      cache: {},
      connection: '443',
      pageref: 'page_1',
      request: {
        method: c.method,
        url: c.url,
        httpVersion: 'http/2.0',
        headers: c.reqHeaders.map(([name, value]) => ({ name, value })),
        queryString: splitUrl(c.url),
        cookies: [],
        headersSize: -1,
        bodySize: c.reqBody == null ? 0 : -1,
      },
      response: {
        status: c.status,
        statusText: '',
        httpVersion: 'http/2.0',
        headers: c.resHeaders.map(([name, value]) => ({ name, value })),
        cookies: [],
        content: { size: 0, mimeType: c.resMime || 'x-unknown' },
        redirectURL: '',
        headersSize: -1,
        bodySize: -1,
        _transferSize: rng.int(200, 90000),
        _error: null,
        _fetchedViaServiceWorker: false,
      },
      serverIPAddress: `104.18.${rng.int(0, 255)}.${rng.int(0, 255)}`,
      startedDateTime: iso(start),
      time: duration,
      timings: { blocked: 0.4, dns: -1, ssl: -1, connect: -1, send: 0.2, wait: duration - 1.2, receive: 0.6, _blocked_queueing: 0.3, _workerStart: -1, _workerReady: -1, _workerFetchStart: -1, _workerRespondWithSettled: -1 },
    };
    if (c.reqBody != null) entry.request.postData = { mimeType: c.reqMime || 'application/json', text: bodyText(c.reqBody) };
    if (c.resBody != null) {
      const text = bodyText(c.resBody);
      entry.response.content.size = text.length;
      entry.response.content.text = text;
      if (c.resBase64) entry.response.content.encoding = 'base64';
    }
    if (c.ws) entry._webSocketMessages = c.ws;
    const json = JSON.stringify(entry, null, 2).replace(/\n/g, '\n      ');
    this.out.write((this.first ? '\n      ' : ',\n      ') + json);
    this.first = false;
  }
  end() {
    this.out.write('\n    ]\n  }\n}\n');
  }
}

class JsonlWriter {
  constructor(out) {
    this.out = out;
  }
  call(c, start, duration) {
    if (c.ws) return;
    const headers = (list) => Object.fromEntries(list.map(([n, v]) => [n, v]));
    const line = {
      time: iso(start),
      method: c.method,
      url: c.url,
      request: { headers: headers(c.reqHeaders), ...(c.reqBody != null ? { body: c.reqBody } : {}) },
      response: { status: c.status, headers: headers(c.resHeaders), ...(c.resBody != null ? { body: c.resBody } : {}) },
      duration_ms: duration,
    };
    this.out.write(JSON.stringify(line) + '\n');
  }
  end() {}
}

/** OTLP/JSON, one `ExportTraceServiceRequest` a line, each carrying a batch of spans. */
class OtlpWriter {
  constructor(out, rng) {
    this.out = out;
    this.rng = rng;
    this.batch = [];
    this.inLine = 0;
    this.agents = new Map(); // conversation -> { traceId, spanId }
  }
  static attr(key, value) {
    if (typeof value === 'number') return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
    if (Array.isArray(value)) return { key, value: { arrayValue: { values: value.map((v) => ({ stringValue: String(v) })) } } };
    return { key, value: { stringValue: String(value) } };
  }
  call(c, start, duration) {
    if (c.ws || !c.span) return;
    const rng = this.rng;
    const a = OtlpWriter.attr;
    const ns = (ms) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;
    let traceId = rng.hex(32);
    let parent;
    if (c.agent) {
      let agent = this.agents.get(c.agent);
      if (!agent) {
        agent = { traceId: rng.hex(32), spanId: rng.hex(16) };
        this.agents.set(c.agent, agent);
        this.batch.push({
          traceId: agent.traceId, spanId: agent.spanId, name: 'invoke_agent assistant', kind: 2,
          startTimeUnixNano: ns(start - 5), endTimeUnixNano: ns(start + duration + 5),
          attributes: [a('gen_ai.operation.name', 'invoke_agent'), a('gen_ai.provider.name', c.span.provider), a('gen_ai.agent.name', 'assistant'), a('gen_ai.conversation.id', c.agent)],
          status: {},
        });
      }
      traceId = agent.traceId;
      parent = agent.spanId;
    }
    const url = new URL(c.url);
    const attrs = [
      a('http.request.method', c.method), a('url.full', c.url), a('server.address', url.hostname), a('server.port', 443),
      a('http.response.status_code', c.status),
      ...c.reqHeaders.filter(([n]) => n !== 'authorization' && n !== 'x-api-key').map(([n, v]) => a(`http.request.header.${n}`, [v])),
      ...c.resHeaders.map(([n, v]) => a(`http.response.header.${n}`, [v])),
    ];
    const s = c.span;
    let name = `${c.method} ${url.pathname}`;
    if (s.kind === 'chat') {
      name = `chat ${s.model}`;
      attrs.push(a('gen_ai.operation.name', 'chat'), a('gen_ai.provider.name', s.provider), a('gen_ai.request.model', s.model), a('gen_ai.response.id', s.responseId),
        a('gen_ai.input.messages', JSON.stringify(s.input)), a('gen_ai.output.messages', JSON.stringify(s.output)));
    } else if (s.kind === 'http-body') {
      attrs.push(a('input.value', JSON.stringify(c.reqBody)), a('output.value', JSON.stringify(c.resBody)));
    } else if (s.kind === 'mcp') {
      name = s.method;
      attrs.push(a('mcp.method.name', s.method), a('rpc.system', 'jsonrpc'), a('jsonrpc.request.id', String(s.reqId)));
      if (s.session) attrs.push(a('mcp.session.id', s.session));
    }
    this.batch.push({
      traceId, spanId: rng.hex(16), ...(parent ? { parentSpanId: parent } : {}), name, kind: 3,
      startTimeUnixNano: ns(start), endTimeUnixNano: ns(start + duration), attributes: attrs, status: {},
    });
    // Spans are written as they come (so the output's size is known), 64 to a line.
    const spans = this.batch.map((span) => JSON.stringify(span)).join(',');
    this.batch = [];
    if (this.inLine === 0) {
      const resource = { attributes: [OtlpWriter.attr('service.name', 'agent-runtime'), OtlpWriter.attr('telemetry.sdk.language', 'python')] };
      const scope = { name: 'opentelemetry.instrumentation.httpx', version: '0.52b0' };
      this.out.write(`{"resourceSpans":[{"resource":${JSON.stringify(resource)},"scopeSpans":[{"scope":${JSON.stringify(scope)},"spans":[${spans}`);
    } else {
      this.out.write(`,${spans}`);
    }
    if (++this.inLine >= 64) this.flush();
  }
  flush() {
    if (this.inLine) this.out.write(']}]}]}\n');
    this.inLine = 0;
  }
  end() {
    this.flush();
  }
}

// ---- main ------------------------------------------------------------------------------------

export function generate({ format, size, seed, out: path, ascii = false, mix = 'mixed' }) {
  if (!SESSIONS[mix]) throw new Error(`unknown mix: ${mix}`);
  const rng = makeRng(seed);
  const fill = mix === 'history' ? new EnglishFiller(rng, ascii) : new Filler(rng, ascii);
  const out = new Out(path);
  const writer = format === 'har' ? new HarWriter(out, rng) : format === 'jsonl' ? new JsonlWriter(out) : new OtlpWriter(out, rng);
  const kinds = SESSIONS[mix].filter(([, , formats]) => formats.includes(format));
  const total = kinds.reduce((s, [w]) => s + w, 0);
  let now = Date.UTC(2026, 10, 27, 10, 0, 0);
  const opts = { imageRate: 0.04, now: () => now };
  const newSession = () => {
    let r = rng.next() * total;
    for (const [w, gen] of kinds) {
      if ((r -= w) < 0) return gen(rng, fill, opts);
    }
    return kinds[0][1](rng, fill, opts);
  };
  // A handful of sessions run at once; their calls interleave as they would in a capture.
  const active = Array.from({ length: 6 }, newSession);
  let calls = 0;
  while (out.size < size) {
    const i = rng.int(0, active.length - 1);
    const step = active[i].next();
    if (step.done) {
      active[i] = newSession();
      continue;
    }
    now += rng.int(5, 3000);
    const duration = Math.round((rng.next() * 8000 + 40) * 1000) / 1000;
    writer.call(step.value, now, duration);
    calls++;
  }
  writer.end();
  out.close();
  return { bytes: out.bytes, calls };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const { bytes, calls } = generate(opts);
  const s = (performance.now() - t0) / 1000;
  console.error(`${opts.out}: ${opts.format}, ${opts.mix} mix, ${bytes} bytes, ${calls} calls, seed ${opts.seed}, ${s.toFixed(1)} s (${(bytes / 1e6 / s).toFixed(0)} MB/s)`);
}
