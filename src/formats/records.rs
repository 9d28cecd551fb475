//! Span records as runtimes, SDKs and observability tools export them, found wherever they sit
//! near the top of a document (a bare list, a wrapper object under any key, a trace object that
//! holds its spans beside other data) or one per JSON line:
//!
//! - spans in any case style: CloudWatch Transaction Search (`aws/spans`) records, Python
//!   `ReadableSpan.to_json()` (`context.trace_id`, `parent_id`), JavaScript `ReadableSpan`
//!   (`spanContext`, `startTime: [s, ns]`), flat snake_case dumps; attributes flat, nested (as
//!   Phoenix writes them) or as OTLP `AnyValue`s; span events;
//! - log records (ADOT's GenAI events: a `body` with the input and output messages), joined to
//!   their span by trace and span id, and OTLP/JSON `resourceLogs`;
//! - Langfuse traces and observations, LangSmith runs (see [`super::observability`]).
//!
//! Every record becomes a [`SpanData`]; the span conventions in [`super::spans`] make calls of them.

use super::attr::{key_values, with_doc, Attr, Attrs};
use super::observability;
use super::spans::{normalize_id, HeldSpan, Messages, SpanData, SpanEvent};
use super::time::parse_rfc3339_ms;
use crate::json::Node;
use crate::model::Format;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// How deep below the top of a document span records are looked for.
const MAX_RECORD_DEPTH: usize = 3;
/// How deep nested attribute objects are flattened into dotted keys.
const MAX_ATTRIBUTE_DEPTH: usize = 8;

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Span,
    Log,
    LangfuseTrace,
    LangfuseObservation,
    LangsmithRun,
    /// OpenAI Agents SDK tracing: `trace` and `trace.span` items of its ingest payload.
    AgentsTrace,
    AgentsSpan,
    /// A Google ADK session dump: its events by invocation, and the model requests made for them.
    AdkSession,
}

/// The records of one input, gathered as they are found and joined at the end.
pub struct Records {
    /// Spans, each slimmed as it is found (see [`HeldSpan`]).
    spans: Vec<HeldSpan>,
    logs: Vec<Log>,
    /// Which kinds of record were seen, for the input's format and its summary.
    pub seen: Vec<Kind>,
    keep_bodies: bool,
}

/// A log record: the span it belongs to, its event's name and the messages it carries.
struct Log {
    trace_id: String,
    span_id: String,
    name: String,
    messages: Messages,
}

impl Records {
    /// Records whose calls keep whole bodies only if `keep_bodies`.
    pub fn new(keep_bodies: bool) -> Records {
        Records { spans: Vec::new(), logs: Vec::new(), seen: Vec::new(), keep_bodies }
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty() && self.logs.is_empty()
    }

    pub fn len(&self) -> usize {
        self.spans.len() + self.logs.len()
    }

    /// Adds one record; `false` when it is not a record this module reads.
    pub fn add(&mut self, value: Node) -> bool {
        let Some(kind) = kind_of(value) else { return false };
        self.saw(kind);
        let mut found = Vec::new();
        match kind {
            Kind::Span => found.push(span_of(value, self.spans.len())),
            Kind::Log => {
                if let Some(log) = log_of(value) {
                    self.logs.push(log);
                }
            }
            Kind::LangfuseTrace => observability::langfuse_trace(value, &mut found),
            Kind::LangfuseObservation => found.push(observability::langfuse_observation(value, None)),
            Kind::LangsmithRun => found.push(observability::langsmith_run(value)),
            Kind::AgentsTrace => found.push(observability::agents_trace(value)),
            Kind::AgentsSpan => found.push(observability::agents_span(value)),
            Kind::AdkSession => observability::adk_session(value, &mut found),
        }
        found.into_iter().for_each(|span| self.push(span));
        true
    }

    /// Adds every record found at a shallow depth of a document; how many were found.
    pub fn add_document(&mut self, document: Node) -> usize {
        let before = self.len();
        self.walk(document, 0);
        self.len() - before
    }

    fn walk(&mut self, value: Node, depth: usize) {
        if self.add(value) || depth >= MAX_RECORD_DEPTH {
            return;
        }
        if let Some(text) = value.as_str() {
            // Records written as JSON text inside another record (`@message` in CloudWatch
            // Logs exports).
            if text.starts_with('{') && depth > 0 {
                with_doc(text, |inner| self.walk(inner, depth + 1));
            }
        } else if value.is_list() {
            value.items().for_each(|item| self.walk(item, depth + 1));
        } else if value.is_object() {
            if value.get("resourceLogs").is_some() {
                self.add_otlp_logs(value);
            }
            let deeper = value.members().filter(|(_, v)| !v.is_number() && v.as_bool().is_none());
            deeper.for_each(|(_, v)| self.walk(v, depth + 1));
        }
    }

    /// OTLP/JSON logs (`resourceLogs[].scopeLogs[].logRecords[]`).
    pub fn add_otlp_logs(&mut self, document: Node) {
        for resource_logs in array(document.get("resourceLogs")) {
            for scope in array(resource_logs.get("scopeLogs")) {
                for record in array(scope.get("logRecords")) {
                    if let Some(log) = log_of(record) {
                        self.logs.push(log);
                    }
                }
            }
        }
        self.saw(Kind::Log);
    }

    pub fn saw(&mut self, kind: Kind) {
        if !self.seen.contains(&kind) {
            self.seen.push(kind);
        }
    }

    /// Adds one span, slimmed.
    pub fn push(&mut self, span: SpanData) {
        self.spans.push(HeldSpan::of(span, self.keep_bodies));
    }

    /// The input's format, by the records it held.
    pub fn format(&self) -> Format {
        if self.seen.iter().any(|k| matches!(k, Kind::LangfuseTrace | Kind::LangfuseObservation)) {
            Format::Langfuse
        } else if self.seen.contains(&Kind::LangsmithRun) {
            Format::Langsmith
        } else if self.seen.contains(&Kind::AgentsSpan) {
            Format::OpenaiAgents
        } else if self.seen.contains(&Kind::AdkSession) {
            Format::AdkSession
        } else {
            Format::SpanDump
        }
    }

    /// The spans, each with the log records of its trace and span id among its events. A log
    /// record whose span is not in the input stands for that span by itself.
    pub fn finish(self) -> Vec<HeldSpan> {
        let Records { mut spans, logs, keep_bodies, .. } = self;
        let mut by_id: FxHashMap<(String, String), usize> = FxHashMap::default();
        for (i, span) in spans.iter().enumerate() {
            by_id.entry((span.trace_id.clone(), span.span_id.clone())).or_insert(i);
        }
        for Log { trace_id, span_id, name, messages } in logs {
            let key = (trace_id, span_id);
            let index = match by_id.get(&key) {
                Some(&i) => i,
                None => {
                    let (trace_id, span_id) = key.clone();
                    spans.push(HeldSpan::from_logs(trace_id, span_id, name, keep_bodies));
                    by_id.insert(key, spans.len() - 1);
                    spans.len() - 1
                }
            };
            spans[index].join(messages);
        }
        spans
    }
}

/// The items of a list; none for anything else.
pub fn array(value: Option<Node>) -> impl Iterator<Item = Node> {
    value.into_iter().flat_map(|v| v.items())
}

/// The first of several paths (`a.b` walks into objects) that holds a value.
fn first<'d>(value: Node<'d>, paths: &[&str]) -> Option<Node<'d>> {
    paths.iter().find_map(|path| path.split('.').try_fold(value, |v, key| v.get(key)).filter(|v| !v.is_null()))
}

fn text_at(value: Node, paths: &[&str]) -> Option<String> {
    let found = first(value, paths)?;
    match found.as_str() {
        Some(text) => (!text.is_empty()).then(|| text.to_string()),
        None => Attr::of(found).scalar_text().filter(|_| found.is_number()),
    }
}

// A span's own context comes first: some dumps add top-level ids of their own beside it.
const TRACE_ID: &[&str] =
    &["context.trace_id", "context.traceId", "spanContext.traceId", "traceId", "trace_id", "TraceId"];
const SPAN_ID: &[&str] = &["context.span_id", "context.spanId", "spanContext.spanId", "spanId", "span_id", "SpanId"];
const PARENT_ID: &[&str] = &[
    "parentSpanId",
    "parent_span_id",
    "parent_id",
    "parentId",
    "parentSpanContext.spanId",
    "parent.span_id",
    "ParentSpanId",
];
const START: &[&str] = &["startTimeUnixNano", "start_time_unix_nano", "startTime", "start_time", "StartTime"];
const END: &[&str] = &["endTimeUnixNano", "end_time_unix_nano", "endTime", "end_time", "EndTime"];

const LANGFUSE_TYPES: &[&str] =
    &["GENERATION", "SPAN", "EVENT", "AGENT", "TOOL", "CHAIN", "RETRIEVER", "EMBEDDING", "EVALUATOR", "GUARDRAIL"];

/// Whether `key` marks a record: an object that has no such key is no record [`kind_of`] knows,
/// nor OTLP (`resourceSpans`, `resourceLogs`). Each kind needs one: `object` (OpenAI Agents),
/// `events` (ADK), `run_type` (LangSmith), `type` or `observations`, `htmlPath` or `sessionId`
/// (Langfuse), and a span or log record its name, a start time, or a log record's time, severity
/// or event name beside its ids. Keep in step with [`kind_of`].
pub fn marks_record(key: &str) -> bool {
    MARKS.contains(&key) || START.contains(&key)
}

const MARKS: &[&str] = &[
    "object",
    "events",
    "run_type",
    "type",
    "observations",
    "htmlPath",
    "sessionId",
    "name",
    "timeUnixNano",
    "observedTimeUnixNano",
    "severityNumber",
    "eventName",
    "resourceSpans",
    "resourceLogs",
];

/// What a JSON value is, as a record; `None` when it is none of them.
pub fn kind_of(value: Node) -> Option<Kind> {
    if !value.is_object() {
        return None;
    }
    let has = |key: &str| value.get(key).is_some_and(|v| !v.is_null());
    let text = |key: &str| value.get(key).and_then(|v| v.as_str());
    match text("object") {
        Some("trace.span") if has("id") && has("span_data") => return Some(Kind::AgentsSpan),
        Some("trace") if has("id") => return Some(Kind::AgentsTrace),
        _ => {}
    }
    let first_event = array(value.get("events")).next();
    if first_event.is_some_and(|e| e.get("invocation_id").is_some() && e.get("author").is_some()) {
        return Some(Kind::AdkSession);
    }
    if has("run_type") && has("id") && (has("inputs") || has("outputs") || has("trace_id")) {
        return Some(Kind::LangsmithRun);
    }
    let langfuse_type = text("type").is_some_and(|t| LANGFUSE_TYPES.contains(&t));
    if langfuse_type && has("traceId") && has("id") && !has("spanId") {
        return Some(Kind::LangfuseObservation);
    }
    let present = |key: &str| value.get(key).is_some();
    let langfuse_trace = value.get("observations").is_some_and(|o| o.is_list())
        || has("htmlPath")
        || (present("sessionId") && has("timestamp") && (present("input") || present("output")));
    if has("id") && !has("spanId") && langfuse_trace {
        return Some(Kind::LangfuseTrace);
    }
    let ids = first(value, TRACE_ID).is_some() && first(value, SPAN_ID).is_some();
    if !ids {
        return None;
    }
    let log = has("body")
        && (has("timeUnixNano") || has("observedTimeUnixNano") || has("severityNumber") || has("eventName"));
    if log && !has("name") {
        return Some(Kind::Log);
    }
    (has("name") || first(value, START).is_some()).then_some(Kind::Span)
}

/// A timestamp to milliseconds since the epoch: RFC 3339 text, `[seconds, nanoseconds]`, or a
/// number (or numeric text) whose size tells its unit (seconds, ms, µs or ns).
pub fn time_ms(value: Option<&Attr>) -> Option<f64> {
    let number = match value? {
        Attr::Json(text) => {
            let parts = |list: Node| match (list.len(), list.item(0), list.item(1)) {
                (2, Some(s), Some(ns)) if list.is_list() => Some(s.as_f64()? * 1e3 + ns.as_f64()? / 1e6),
                _ => None,
            };
            return with_doc(text, parts).flatten();
        }
        Attr::Text(s) => match crate::lex::parse_number(s) {
            Some(n) => n,
            None => return parse_rfc3339_ms(s),
        },
        Attr::Number(n) => crate::lex::parse_number(n)?,
        _ => return None,
    };
    let ms = match number {
        n if n <= 0.0 || !n.is_finite() => return None,
        n if n > 1e17 => n / 1e6,
        n if n > 1e14 => n / 1e3,
        n if n > 1e11 => n,
        n => n * 1e3,
    };
    Some(ms)
}

/// [`time_ms`] of a document's value.
pub fn time_of(value: Option<Node>) -> Option<f64> {
    time_ms(value.map(Attr::of).as_ref())
}

/// Attributes as pairs, from an OTLP key-value list or an object whose nested objects (as
/// Phoenix writes them) become dotted keys.
pub fn attributes_of(value: Option<Node<'_>>) -> Attrs<'_> {
    let mut out = Vec::new();
    match value {
        Some(list) if list.is_list() => out = key_values(Some(list)),
        Some(map) if map.is_object() => flatten(map, "", 0, &mut out),
        _ => {}
    }
    out
}

fn flatten<'d>(map: Node<'d>, prefix: &str, depth: usize, out: &mut Attrs<'d>) {
    for (key, value) in map.members() {
        let key = match prefix {
            "" => Cow::Borrowed(key),
            _ => Cow::Owned(format!("{prefix}{key}")),
        };
        match value {
            inner if inner.is_object() && depth < MAX_ATTRIBUTE_DEPTH && !is_any_value(inner) => {
                flatten(inner, &format!("{key}."), depth + 1, out)
            }
            other => out.push((key, plain_value(other))),
        }
    }
}

/// A value as plain JSON: an OTLP `AnyValue` unwrapped, anything else as it is.
fn plain_value(value: Node) -> Attr {
    match is_any_value(value) {
        true => Attr::of_any(value),
        false => Attr::of(value),
    }
}

/// An OTLP `AnyValue` (`{"stringValue": "…"}`) written where a plain value would do.
fn is_any_value(map: Node) -> bool {
    const KEYS: &[&str] =
        &["stringValue", "intValue", "boolValue", "doubleValue", "bytesValue", "arrayValue", "kvlistValue"];
    let mut keys = map.members().map(|(k, _)| k);
    map.is_object() && keys.next().is_some_and(|k| KEYS.contains(&k)) && keys.next().is_none()
}

fn resource_attributes(value: Node<'_>) -> Attrs<'_> {
    let resource = value.get("resource");
    match resource.and_then(|r| r.get("attributes")) {
        Some(attributes) => attributes_of(Some(attributes)),
        None => attributes_of(resource.filter(|r| r.get("schema_url").is_none())),
    }
}

fn id_at(value: Node, paths: &[&str]) -> Option<String> {
    text_at(value, paths).map(|id| normalize_id(&id))
}

/// Resource attributes (`cloud.platform`, `aws.*`) tell what ran a span: they join its own
/// attributes where it has none of the same name.
pub fn with_resource<'d>(span: &mut SpanData<'d>, resource: &Attrs<'d>) {
    for (key, value) in resource {
        if !span.attributes.iter().any(|(k, _)| k == key) {
            span.attributes.push((key.clone(), value.clone()));
        }
    }
}

/// A span record of any of the shapes above (OTLP's own spans included).
pub fn span_of(value: Node<'_>, index: usize) -> SpanData<'_> {
    let resource = resource_attributes(value);
    let service = resource.iter().find(|(k, _)| k == "service.name").and_then(|(_, v)| v.as_str()).map(str::to_string);
    let mut span = SpanData {
        trace_id: id_at(value, TRACE_ID).unwrap_or_default(),
        span_id: id_at(value, SPAN_ID).unwrap_or_else(|| format!("{:016x}", index + 1)),
        parent_span_id: id_at(value, PARENT_ID),
        name: text_at(value, &["name", "Name"]).unwrap_or_default(),
        service,
        start_ms: time_of(first(value, START)),
        end_ms: time_of(first(value, END)),
        attributes: attributes_of(value.get("attributes")),
        events: array(value.get("events")).map(event_of).collect(),
        from_logs: false,
    };
    with_resource(&mut span, &resource);
    span
}

fn event_of(value: Node<'_>) -> SpanEvent<'_> {
    SpanEvent {
        name: text_at(value, &["name"]).unwrap_or_default(),
        attributes: attributes_of(value.get("attributes")),
        body: value.get("body").map(plain_value),
    }
}

/// A log record: the span it belongs to and the event it carries (named by `eventName` or its
/// `event.name` attribute).
fn log_of(value: Node) -> Option<Log> {
    let trace_id = id_at(value, TRACE_ID)?;
    let span_id = id_at(value, SPAN_ID)?;
    let attributes = attributes_of(value.get("attributes"));
    let name = text_at(value, &["eventName"])
        .or_else(|| {
            attributes.iter().find(|(k, _)| k == "event.name").and_then(|(_, v)| v.as_str().map(str::to_string))
        })
        .unwrap_or_default();
    let event = SpanEvent { name, attributes, body: value.get("body").map(plain_value) };
    Some(Log { trace_id, span_id, messages: Messages::of_event(&event), name: event.name })
}

/// The keys records of an unknown kind have, most common first, for a summary that says what
/// the input held.
#[derive(Default)]
pub struct KeyTally {
    counts: FxHashMap<String, usize>,
    order: Vec<String>,
    pub records: usize,
}

impl KeyTally {
    /// Only the first records are looked at: enough to name their shape.
    const SAMPLE: usize = 64;
    const SHOWN: usize = 8;

    pub fn add(&mut self, value: Node) {
        self.records += 1;
        if self.records > Self::SAMPLE {
            return;
        }
        for (key, _) in value.members() {
            let count = self.counts.entry(key.to_string()).or_insert(0);
            if *count == 0 {
                self.order.push(key.to_string());
            }
            *count += 1;
        }
    }

    /// `name, context, parent_id, attributes…`, or `None` when no record was an object.
    pub fn keys(&self) -> Option<String> {
        let mut keys: Vec<&String> = self.order.iter().collect();
        crate::sort::sort_by_key(&mut keys, |k| std::cmp::Reverse(self.counts[*k]));
        let shown: Vec<&str> = keys.iter().take(Self::SHOWN).map(|k| k.as_str()).collect();
        let more = if keys.len() > Self::SHOWN { "…" } else { "" };
        (!shown.is_empty()).then(|| format!("{}{more}", shown.join(", ")))
    }
}

/// One span's attribute map with GenAI keys, as some fixtures hold it: a span with made-up ids.
pub fn attribute_map(document: Node<'_>) -> Option<SpanData<'_>> {
    let gen_ai = document.is_object() && document.members_in_order().any(|(k, _)| k.starts_with("gen_ai."));
    gen_ai.then(|| SpanData {
        trace_id: "0".repeat(32),
        span_id: format!("{:016x}", 1),
        name: "span".into(),
        attributes: attributes_of(Some(document)),
        ..SpanData::default()
    })
}

/// The keys of a document's records (its items, or itself), for the sentence that says what an
/// unread input held.
pub fn top_keys(document: Node) -> Option<String> {
    let mut tally = KeyTally::default();
    match document.is_list() {
        true => document.items().for_each(|item| tally.add(item)),
        false => tally.add(document),
    }
    tally.keys()
}
