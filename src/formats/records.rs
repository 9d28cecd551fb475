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

use super::observability;
use super::otlp::{any_value, key_values};
use super::spans::{normalize_id, HeldSpan, Messages, SpanData, SpanEvent};
use super::time::parse_rfc3339_ms;
use crate::model::Format;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

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
    pub fn add(&mut self, value: &Value) -> bool {
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
    pub fn add_document(&mut self, document: &Value) -> usize {
        let before = self.len();
        self.walk(document, 0);
        self.len() - before
    }

    fn walk(&mut self, value: &Value, depth: usize) {
        if self.add(value) || depth >= MAX_RECORD_DEPTH {
            return;
        }
        match value {
            // Records written as JSON text inside another record (`@message` in CloudWatch
            // Logs exports).
            Value::String(text) if text.starts_with('{') && depth > 0 => {
                if let Ok(inner) = serde_json::from_str::<Value>(text) {
                    self.walk(&inner, depth + 1);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.walk(item, depth + 1)),
            Value::Object(map) => {
                if map.contains_key("resourceLogs") {
                    self.add_otlp_logs(value);
                }
                map.values().filter(|v| !v.is_number() && !v.is_boolean()).for_each(|v| self.walk(v, depth + 1));
            }
            _ => {}
        }
    }

    /// OTLP/JSON logs (`resourceLogs[].scopeLogs[].logRecords[]`).
    pub fn add_otlp_logs(&mut self, document: &Value) {
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

pub fn array(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// The first of several paths (`a.b` walks into objects) that holds a value.
fn first<'v>(value: &'v Value, paths: &[&str]) -> Option<&'v Value> {
    paths.iter().find_map(|path| path.split('.').try_fold(value, |v, key| v.get(key)).filter(|v| !v.is_null()))
}

fn text_at(value: &Value, paths: &[&str]) -> Option<String> {
    match first(value, paths)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
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
pub fn kind_of(value: &Value) -> Option<Kind> {
    let map = value.as_object()?;
    let has = |key: &str| map.get(key).is_some_and(|v| !v.is_null());
    match map.get("object").and_then(Value::as_str) {
        Some("trace.span") if has("id") && has("span_data") => return Some(Kind::AgentsSpan),
        Some("trace") if has("id") => return Some(Kind::AgentsTrace),
        _ => {}
    }
    let first_event = array(map.get("events")).first();
    if first_event.is_some_and(|e| e.get("invocation_id").is_some() && e.get("author").is_some()) {
        return Some(Kind::AdkSession);
    }
    if has("run_type") && has("id") && (has("inputs") || has("outputs") || has("trace_id")) {
        return Some(Kind::LangsmithRun);
    }
    let langfuse_type = map.get("type").and_then(Value::as_str).is_some_and(|t| LANGFUSE_TYPES.contains(&t));
    if langfuse_type && has("traceId") && has("id") && !has("spanId") {
        return Some(Kind::LangfuseObservation);
    }
    let langfuse_trace = map.get("observations").is_some_and(Value::is_array)
        || has("htmlPath")
        || (map.contains_key("sessionId")
            && has("timestamp")
            && (map.contains_key("input") || map.contains_key("output")));
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
pub fn time_ms(value: Option<&Value>) -> Option<f64> {
    let number = match value? {
        Value::Array(parts) if parts.len() == 2 => return Some(parts[0].as_f64()? * 1e3 + parts[1].as_f64()? / 1e6),
        Value::String(s) => match crate::lex::parse_number(s) {
            Some(n) => n,
            None => return parse_rfc3339_ms(s),
        },
        Value::Number(n) => n.as_f64()?,
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

/// Attributes as pairs, from an OTLP key-value list or an object whose nested objects (as
/// Phoenix writes them) become dotted keys.
pub fn attributes_of(value: Option<&Value>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    match value {
        Some(Value::Array(_)) => out = key_values(value),
        Some(Value::Object(map)) => flatten(map, "", 0, &mut out),
        _ => {}
    }
    out
}

fn flatten(map: &Map<String, Value>, prefix: &str, depth: usize, out: &mut Vec<(String, Value)>) {
    for (key, value) in map {
        let key = format!("{prefix}{key}");
        match value {
            Value::Object(inner) if depth < MAX_ATTRIBUTE_DEPTH && !is_any_value(inner) => {
                flatten(inner, &format!("{key}."), depth + 1, out)
            }
            Value::Object(_) => out.push((key, plain_value(value))),
            other => out.push((key, other.clone())),
        }
    }
}

/// A value as plain JSON: an OTLP `AnyValue` unwrapped, anything else as it is.
fn plain_value(value: &Value) -> Value {
    match value {
        Value::Object(map) if is_any_value(map) => any_value(value),
        other => other.clone(),
    }
}

/// An OTLP `AnyValue` (`{"stringValue": "…"}`) written where a plain value would do.
fn is_any_value(map: &Map<String, Value>) -> bool {
    const KEYS: &[&str] =
        &["stringValue", "intValue", "boolValue", "doubleValue", "bytesValue", "arrayValue", "kvlistValue"];
    map.len() == 1 && map.keys().all(|k| KEYS.contains(&k.as_str()))
}

fn resource_attributes(value: &Value) -> Vec<(String, Value)> {
    let resource = value.get("resource");
    match resource.and_then(|r| r.get("attributes")) {
        Some(attributes) => attributes_of(Some(attributes)),
        None => attributes_of(resource.filter(|r| r.get("schema_url").is_none())),
    }
}

fn id_at(value: &Value, paths: &[&str]) -> Option<String> {
    text_at(value, paths).map(|id| normalize_id(&id))
}

/// Resource attributes (`cloud.platform`, `aws.*`) tell what ran a span: they join its own
/// attributes where it has none of the same name.
pub fn with_resource(span: &mut SpanData, resource: &[(String, Value)]) {
    for (key, value) in resource {
        if !span.attributes.iter().any(|(k, _)| k == key) {
            span.attributes.push((key.clone(), value.clone()));
        }
    }
}

/// A span record of any of the shapes above (OTLP's own spans included).
pub fn span_of(value: &Value, index: usize) -> SpanData {
    let resource = resource_attributes(value);
    let service = resource.iter().find(|(k, _)| k == "service.name").and_then(|(_, v)| v.as_str()).map(str::to_string);
    let mut span = SpanData {
        trace_id: id_at(value, TRACE_ID).unwrap_or_default(),
        span_id: id_at(value, SPAN_ID).unwrap_or_else(|| format!("{:016x}", index + 1)),
        parent_span_id: id_at(value, PARENT_ID),
        name: text_at(value, &["name", "Name"]).unwrap_or_default(),
        service,
        start_ms: time_ms(first(value, START)),
        end_ms: time_ms(first(value, END)),
        attributes: attributes_of(value.get("attributes")),
        events: array(value.get("events")).iter().map(event_of).collect(),
        from_logs: false,
    };
    with_resource(&mut span, &resource);
    span
}

fn event_of(value: &Value) -> SpanEvent {
    SpanEvent {
        name: text_at(value, &["name"]).unwrap_or_default(),
        attributes: attributes_of(value.get("attributes")),
        body: value.get("body").map(plain_value),
    }
}

/// A log record: the span it belongs to and the event it carries (named by `eventName` or its
/// `event.name` attribute).
fn log_of(value: &Value) -> Option<Log> {
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

    pub fn add(&mut self, value: &Value) {
        self.records += 1;
        if self.records > Self::SAMPLE {
            return;
        }
        for key in value.as_object().into_iter().flat_map(|m| m.keys()) {
            let count = self.counts.entry(key.clone()).or_insert(0);
            if *count == 0 {
                self.order.push(key.clone());
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
pub fn attribute_map(document: &Value) -> Option<SpanData> {
    let map = document.as_object()?;
    map.keys().any(|k| k.starts_with("gen_ai.")).then(|| SpanData {
        trace_id: "0".repeat(32),
        span_id: format!("{:016x}", 1),
        name: "span".into(),
        attributes: attributes_of(Some(document)),
        ..SpanData::default()
    })
}

/// The keys of a document's records (its items, or itself), for the sentence that says what an
/// unread input held.
pub fn top_keys(document: &Value) -> Option<String> {
    let mut tally = KeyTally::default();
    match document {
        Value::Array(items) => items.iter().for_each(|item| tally.add(item)),
        other => tally.add(other),
    }
    tally.keys()
}
