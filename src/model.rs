//! The normalized trace model. Every reader produces these types, whatever the source format;
//! signals read nothing else.

use crate::facts::{Facts, ItemMemo, Role};
use crate::json::{Doc, Node};
use schemars::JsonSchema;
use serde::Serialize;
use std::cell::OnceCell;

/// Everything read from one or several inputs.
#[derive(Debug, Default)]
pub struct Trace {
    pub inputs: Vec<Input>,
    /// Calls in trace order (by start time where every call has one, else input order).
    pub calls: Vec<Call>,
    /// Problems that did not stop the reading (an entry skipped, a body that would not decode).
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Input {
    pub name: String,
    pub format: Format,
    pub calls: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// HTTP Archive 1.2 (browsers, mitmproxy, Charles, Polly.js).
    Har,
    /// VCR cassettes: vcrpy (YAML), Ruby VCR (YAML or JSON), betamax (JSON).
    Vcr,
    /// Recorded WebSocket sessions: `interactions[]` of sent and received messages.
    WebsocketCassette,
    /// nock recordings (`nock.recorder` output objects).
    Nock,
    /// OpenTelemetry OTLP/JSON (`resourceSpans`), one document or one per line.
    Otlp,
    /// Span records that are not OTLP/JSON: SDK span dumps (JS `ReadableSpan`s, Python
    /// `to_json()`, flat snake_case), CloudWatch span and GenAI event log records, one span's
    /// attribute map; as a list, under a wrapper key or one per line.
    SpanDump,
    /// Langfuse traces and observations.
    Langfuse,
    /// LangSmith runs.
    Langsmith,
    /// OpenAI Agents SDK traces (`trace` and `trace.span` items).
    OpenaiAgents,
    /// Google ADK session dumps (`events` by invocation, `event_logs` of model requests).
    AdkSession,
    /// JSON Lines request logs: OpenAI batch files, or the generic shape in the README.
    Jsonl,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<crate::error::Location>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// Where a call came from, so evidence can point back into the input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Source {
    /// Index into `Trace::inputs`.
    pub input: usize,
    /// Index (from 0) of the entry or interaction in that input.
    pub entry: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    #[default]
    Http,
    /// A WebSocket: `frames` holds its messages.
    Websocket,
    /// A server-sent event stream: the response body's `events` hold the events.
    Sse,
}

/// One request and its response (or one WebSocket connection and its messages, or one span of
/// a distributed trace that stands for a call).
#[derive(Debug, Default)]
pub struct Call {
    pub source: Source,
    /// Start time in milliseconds since the Unix epoch, when the recording has one.
    pub started_ms: Option<f64>,
    pub duration_ms: Option<f64>,
    pub transport: Transport,
    pub request: Request,
    pub response: Option<Response>,
    pub frames: Vec<Frame>,
    /// Where the call sits in a distributed trace, when the input has spans.
    pub span: Option<Span>,
    /// The call this one was made on behalf of (a parent span, or the front-door request a
    /// back-end call served), set when calls are correlated.
    pub parent: Option<Parent>,
    /// A key that identifies the same logical call across records (an OpenAI batch `custom_id`).
    pub correlation_key: Option<String>,
}

impl Call {
    /// Keeps what the signals read of every body (see [`Body::slim`]).
    pub fn slim(&mut self) {
        self.request.body.slim(Role::Request);
        if let Some(response) = &mut self.response {
            response.body.slim(Role::Response);
        }
        for frame in &mut self.frames {
            frame.body.slim(Role::Frame);
        }
    }
}

/// The call another was made for, and what shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parent {
    /// Index into `Trace::calls`.
    pub call: usize,
    pub by: LinkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The span's parent id (through spans that are not calls).
    SpanParent,
    /// The front-door request's `traceparent` header names the back-end span's parent.
    Traceparent,
    /// The back-end request carries the front-door request's content.
    Content,
    /// The back-end call ran while the front-door call was open.
    Time,
}

/// A span of a distributed trace. Ids are lower-case hex whatever the input wrote.
#[derive(Debug, Clone, Default)]
pub struct Span {
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub name: String,
    /// `service.name` of the resource that emitted the span.
    pub service: Option<String>,
    /// `gen_ai.operation.name` (`chat`, `invoke_agent`, `execute_tool`, …) or what the
    /// instrumentation's own names say.
    pub operation: Option<String>,
    /// Attributes with scalar values, as text, in recorded order; unless bodies are kept, one
    /// longer than any handle as its digest, as a body's fields keep it.
    pub attributes: Vec<(String, String)>,
}

impl Span {
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
pub struct Request {
    pub method: String,
    pub url: Url,
    pub headers: Headers,
    pub body: Body,
}

#[derive(Debug)]
pub struct Response {
    /// 0 where the recording has no status (aborted or blocked requests).
    pub status: u16,
    pub headers: Headers,
    pub body: Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Sent,
    Received,
}

/// One WebSocket message.
#[derive(Debug)]
pub struct Frame {
    pub direction: Direction,
    pub time_ms: Option<f64>,
    pub body: Body,
}

/// A parsed URL: enough structure for signals to name the place a handle sits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub host: String,
    /// Path without the query, percent-decoding left to the consumer.
    pub path: String,
    pub query: Vec<(String, String)>,
}

impl Url {
    /// Parses absolute URLs (`https://host/path?q`) and, leniently, bare paths (`/path?q`).
    pub fn parse(raw: &str) -> Url {
        let raw = raw.trim();
        let (scheme, rest) = match raw.find("://") {
            Some(i) if raw[..i].bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) => {
                (raw[..i].to_ascii_lowercase(), &raw[i + 3..])
            }
            _ => (String::new(), raw),
        };
        let rest = rest.split('#').next().unwrap_or("");
        let (authority, path_query) = if scheme.is_empty() {
            ("", rest)
        } else {
            let end = rest.bytes().position(|b| matches!(b, b'/' | b'?')).unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        // Drop userinfo: it can hold credentials and is never a place for a handle.
        let mut host = authority.rsplit('@').next().unwrap_or("").to_ascii_lowercase();
        // The scheme's default port says nothing (nock writes `https://host:443`).
        let default_port = match scheme.as_str() {
            "https" | "wss" => ":443",
            "http" | "ws" => ":80",
            _ => "",
        };
        if !default_port.is_empty() && host.ends_with(default_port) {
            host.truncate(host.len() - default_port.len());
        }
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, q),
            None => (path_query, ""),
        };
        let query = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(k).into_owned(), percent_decode(v).into_owned())
            })
            .collect();
        Url { scheme, host, path: if path.is_empty() { "/".into() } else { path.to_string() }, query }
    }

    /// Host without a port.
    pub fn hostname(&self) -> &str {
        match self.host.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => &self.host,
        }
    }

    /// Non-empty, percent-decoded path segments.
    pub fn segments(&self) -> impl Iterator<Item = String> + '_ {
        self.path.split('/').filter(|s| !s.is_empty()).map(|s| percent_decode(s).into_owned())
    }
}

/// `s` with `%XX` escapes and `+` decoded; copied only where it holds one.
pub fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.bytes().any(|b| matches!(b, b'%' | b'+')) {
        return std::borrow::Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Headers in recorded order, names lower-cased (HTTP header names are case-insensitive). They
/// are kept in one buffer: a call has dozens, a trace has a million.
#[derive(Debug, Clone, Default)]
pub struct Headers {
    text: String,
    /// Where each header's name ends in `text`, and where its value ends.
    ends: Vec<(usize, usize)>,
}

impl Headers {
    /// Room for `count` headers of `bytes` bytes in all, so that a list read at once is stored
    /// in two allocations.
    pub fn with_capacity(count: usize, bytes: usize) -> Headers {
        Headers { text: String::with_capacity(bytes), ends: Vec::with_capacity(count) }
    }

    pub fn push(&mut self, name: &str, value: impl AsRef<str>) {
        let start = self.text.len();
        self.text.push_str(name.trim());
        self.text[start..].make_ascii_lowercase();
        let name_end = self.text.len();
        self.text.push_str(value.as_ref());
        self.ends.push((name_end, self.text.len()));
    }

    /// Names and values, in recorded order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans().map(|(start, name_end, end)| (&self.text[start..name_end], &self.text[name_end..end]))
    }

    /// Where each header's name starts, where its value starts, and where it ends.
    fn spans(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&(name_end, end)| (std::mem::replace(&mut start, end), name_end, end))
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Headers as recordings write them in JSON, read once for every reader: an object of names,
    /// each to a value or a list of values (vcrpy, Ruby VCR, betamax, nock, request logs); or a
    /// list of `{name, value}` objects (HAR-shaped logs), of `"Name: value"` strings (legacy
    /// vcrpy responses) or of `[name, value]` pairs (legacy vcrpy requests), frozensets nesting
    /// the pairs one level deeper. Numbers and booleans become text; nulls are left out.
    pub fn from_node(value: Option<Node>) -> Headers {
        let mut headers = Headers::default();
        match value {
            Some(map) if map.is_object() => map.members().for_each(|(name, value)| headers.push_node(name, value)),
            Some(items) => items.items().for_each(|item| headers.push_node_item(item)),
            None => {}
        }
        headers
    }

    /// One item of a list of headers.
    fn push_node_item(&mut self, item: Node) {
        if item.is_object() {
            if let (Some(name), Some(value)) = (item.get("name").and_then(|n| n.as_str()), item.get("value")) {
                self.push_node(name, value);
            }
        } else if let Some(line) = item.as_str() {
            if let Some((name, value)) = line.split_once(':') {
                self.push(name, value.trim());
            }
        } else if let (2, Some(name)) = (item.len(), item.item(0).and_then(|n| n.as_str())) {
            self.push_node(name, item.item(1).unwrap_or(item));
        } else {
            item.items().for_each(|pair| self.push_node_item(pair));
        }
    }

    /// One header name with a JSON value or list of values (nested lists flattened).
    pub fn push_node(&mut self, name: &str, value: Node) {
        if let Some(text) = value.as_str() {
            self.push(name, text);
        } else if let Some(number) = value.as_number() {
            self.push(name, crate::json::write::number(number).unwrap_or_default());
        } else if let Some(flag) = value.as_bool() {
            self.push(name, if flag { "true" } else { "false" });
        } else {
            value.items().for_each(|v| self.push_node(name, v));
        }
    }

    /// The first value of the header called `name` (lower-case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_all(name).next()
    }

    /// The values of the headers called `name` (lower-case). Names are compared as bytes before
    /// any value is sliced: headers are looked up many times per call.
    pub fn get_all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        let bytes = self.text.as_bytes();
        self.spans()
            .filter(move |&(start, name_end, _)| &bytes[start..name_end] == name.as_bytes())
            .map(|(_, name_end, end)| &self.text[name_end..end])
    }

    /// `name=value` pairs of the `Cookie` request header(s).
    pub fn cookies(&self) -> impl Iterator<Item = (&str, &str)> {
        self.get_all("cookie").flat_map(|v| v.split(';')).filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((k.trim(), v.trim()))
        })
    }

    /// `name=value` of each `Set-Cookie` response header, attributes dropped.
    pub fn set_cookies(&self) -> impl Iterator<Item = (&str, &str)> {
        self.get_all("set-cookie").filter_map(|v| {
            let first = v.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            Some((k.trim(), v.trim()))
        })
    }
}

/// A body: the decoded bytes, and the facts the signals read of them (see [`crate::facts`]),
/// taken on first use or when the call is slimmed.
#[derive(Debug, Default)]
pub struct Body {
    /// The decoded bytes; empty once [`Body::slim`] has kept the facts.
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    /// Size of the decoded body, which outlives the bytes.
    size: usize,
    facts: OnceCell<Facts>,
    /// Stream events, split for the call view only.
    events: OnceCell<Vec<StreamEvent>>,
}

/// One event of an SSE stream (`event:`/`data:`) or one line of an NDJSON stream.
#[derive(Debug)]
pub struct StreamEvent {
    pub event: Option<String>,
    pub id: Option<String>,
    pub data: String,
}

impl StreamEvent {
    /// The event's data read as one JSON document (an object or a list), for showing it.
    pub fn json(&self) -> Option<Doc<'_>> {
        json_document(&self.data)
    }
}

/// The depth at which a body is no longer shown as JSON, counted as serde_json counts it (the view
/// has always shown what serde_json reads): a body whose brackets nest 128 deep is shown as text.
const SHOWN_DEPTH: usize = 128;

/// Text that is one JSON object or list, white space around it, read for showing it.
fn json_document(text: &str) -> Option<Doc<'_>> {
    let text = text.trim_ascii();
    if !matches!(text.as_bytes().first(), Some(b'{' | b'[')) {
        return None;
    }
    Doc::parse(text, SHOWN_DEPTH, usize::MAX).ok()
}

impl Body {
    /// A URL-encoded form (`application/x-www-form-urlencoded`), read field by field.
    pub fn is_form(&self) -> bool {
        self.content_type.as_deref().is_some_and(|c| c.contains("x-www-form-urlencoded"))
    }

    pub fn new(bytes: Vec<u8>, content_type: Option<String>) -> Self {
        Body { size: bytes.len(), bytes, content_type, ..Body::default() }
    }

    /// A body the recording holds as a JSON value: its text as serde_json writes the value.
    pub fn from_node(value: Node) -> Self {
        Body::new(crate::json::write::compact(value).into_bytes(), Some("application/json".into()))
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Size of the decoded body in bytes.
    pub fn len(&self) -> usize {
        self.size
    }

    /// What the signals read of the body, for the role it plays in its call (the same role on
    /// every call: the facts are taken once).
    pub fn facts(&self, role: Role) -> &Facts {
        self.facts.get_or_init(|| match self.text() {
            Some(text) => facts_of_text(text, self.content_type.as_deref(), role, None),
            None => Facts::default(),
        })
    }

    /// A body of `text` (as recorded, nothing to decode) that keeps only its facts (see
    /// [`Body::slim`]), taken where the text lies: its bytes are never copied.
    /// `memo` holds the conversation items of the input's earlier bodies.
    pub fn slimmed(text: &str, content_type: Option<String>, role: Role, memo: &mut ItemMemo) -> Body {
        let facts = facts_of_text(text, content_type.as_deref(), role, Some(memo));
        let mut body = Body { size: text.len(), content_type, facts: OnceCell::from(facts), ..Body::default() };
        if body.is_form() {
            body.bytes = text.as_bytes().to_vec();
        }
        body
    }

    /// Keeps the facts and drops the bytes, so that a trace of many large bodies fits in
    /// memory; a form keeps its bytes, which are read as text. The report is the same; only the
    /// call view needs whole bodies (`Options::keep_bodies`).
    pub fn slim(&mut self, role: Role) {
        if self.bytes.is_empty() {
            return;
        }
        self.facts(role);
        if !self.is_form() {
            self.bytes = Vec::new();
        }
    }

    /// The body as text, if it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }

    /// The body read as one JSON document (an object or a list), for showing it.
    pub fn json(&self) -> Option<Doc<'_>> {
        json_document(self.text()?)
    }

    /// The events of an SSE or NDJSON stream body, for showing them; empty for other bodies.
    pub fn events(&self) -> &[StreamEvent] {
        self.events
            .get_or_init(|| {
                let Some(text) = self.text() else { return Vec::new() };
                // Whether the body is one JSON document, from its facts when they are taken.
                let json = self.facts.get().map_or_else(|| Facts::of(&self.bytes, Role::Frame).is_some(), |f| f.json);
                split_stream(text, self.content_type.as_deref(), json)
            })
            .as_slice()
    }

    pub fn is_event_stream(&self) -> bool {
        self.content_type.as_deref().is_some_and(|c| c.contains("text/event-stream"))
    }
}

/// The facts of a body's text: of its JSON, and of its events if it is a stream.
fn facts_of_text(text: &str, content_type: Option<&str>, role: Role, memo: Option<&mut ItemMemo>) -> Facts {
    let mut facts = Facts::of_text_remembering(text, role, memo).unwrap_or_default();
    let events = split_stream(text, content_type, facts.json);
    if !events.is_empty() {
        let streamed = Facts::of_events(events.iter().map(|e| e.data.as_str()));
        facts.candidates.extend(streamed.candidates);
        facts.streamed = streamed.streamed;
    }
    facts
}

/// The events of a stream body: SSE by its type or its first line, NDJSON by its type or by
/// several lines that are each a JSON object (`json`: the whole body is one document).
fn split_stream(text: &str, content_type: Option<&str>, json: bool) -> Vec<StreamEvent> {
    let content_type = content_type.unwrap_or("");
    let looks_sse = text.starts_with("event:") || text.starts_with("data:") || text.starts_with("id:");
    if content_type.contains("text/event-stream") || looks_sse {
        return split_sse(text);
    }
    let ndjson_type = content_type.contains("ndjson") || content_type.contains("jsonl");
    if ndjson_type || (!json && text.trim_start().starts_with('{') && text.trim().contains('\n')) {
        return text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| StreamEvent { event: None, id: None, data: l.to_string() })
            .collect();
    }
    Vec::new()
}

fn split_sse(text: &str) -> Vec<StreamEvent> {
    let mut events = Vec::new();
    let (mut event, mut id, mut data): (Option<String>, Option<String>, Vec<&str>) = (None, None, Vec::new());
    let mut flush = |event: &mut Option<String>, id: &mut Option<String>, data: &mut Vec<&str>| {
        if !data.is_empty() || event.is_some() {
            events.push(StreamEvent { event: event.take(), id: id.take(), data: data.join("\n") });
        }
        data.clear();
    };
    for line in text.lines() {
        if line.is_empty() {
            flush(&mut event, &mut id, &mut data);
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => event = Some(value.to_string()),
            "data" => data.push(value),
            "id" => id = Some(value.to_string()),
            _ => {}
        }
    }
    flush(&mut event, &mut id, &mut data);
    events
}
