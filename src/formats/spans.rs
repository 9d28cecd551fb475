//! Spans to calls, by the OpenTelemetry semantic conventions: HTTP (current and deprecated
//! names), GenAI (`gen_ai.*`, with the older `gen_ai.system`), and the names instrumentations
//! such as the Vercel AI SDK and OpenInference use for prompts and replies. Shared by the OTLP
//! reader and the readers of SDK span dumps.

use crate::model::{Body, Call, Headers, Request, Response, Source, Span, Transport, Url};
use rustc_hash::FxHashMap;
use serde_json::{json, Map, Value};

/// One span as any reader found it, ids already lower-case hex.
#[derive(Debug, Default)]
pub struct SpanData {
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub name: String,
    pub service: Option<String>,
    pub start_ms: Option<f64>,
    pub end_ms: Option<f64>,
    pub attributes: Vec<(String, Value)>,
    /// Span events, and the log records joined to the span: where many instrumentations put
    /// the messages.
    pub events: Vec<SpanEvent>,
    /// Made from log records whose span the input does not hold: a call when its events carry
    /// messages, to be merged with its span if another input holds it.
    pub from_logs: bool,
}

/// A span event or a log record about a span (`gen_ai.user.message`, `gen_ai.choice`, ADOT's
/// GenAI events with the messages in `body`).
#[derive(Debug, Default, Clone)]
pub struct SpanEvent {
    pub name: String,
    pub attributes: Vec<(String, Value)>,
    pub body: Option<Value>,
}

impl SpanEvent {
    fn get(&self, key: &str) -> Option<&Value> {
        let attribute = self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        attribute.or_else(|| self.body.as_ref()?.get(key)).filter(|v| !v.is_null())
    }
}

impl SpanData {
    fn get(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter().find_map(|k| self.attributes.iter().find(|(key, _)| key == k).map(|(_, v)| v))
    }

    fn text(&self, keys: &[&str]) -> Option<String> {
        self.get(keys).and_then(scalar_text)
    }

    /// The GenAI operation: `gen_ai.operation.name`, or what an instrumentation's span names say.
    fn operation(&self) -> Option<String> {
        if let Some(op) = self.text(&["gen_ai.operation.name"]) {
            return Some(op);
        }
        let name = self.name.as_str();
        if name.ends_with(".doGenerate") || name.ends_with(".doStream") {
            return Some("chat".into());
        }
        if name.ends_with(".doEmbed") {
            return Some("embeddings".into());
        }
        if name == "ai.toolCall" {
            return Some("execute_tool".into());
        }
        match self.text(&["openinference.span.kind"]).as_deref() {
            Some("LLM") => Some("chat".into()),
            Some("AGENT") => Some("invoke_agent".into()),
            Some("TOOL") => Some("execute_tool".into()),
            // The root chain of an agent framework's trace is the agent's invocation.
            Some("CHAIN") if self.parent_span_id.is_none() => Some("invoke_agent".into()),
            _ => None,
        }
    }

    /// Whether the span stands for a call: an HTTP request, a model or agent operation, an MCP
    /// or RPC call. Other spans (wrappers, internal work) only link calls into a tree.
    pub fn is_call(&self) -> bool {
        self.get(&["http.request.method", "http.method", "url.full", "http.url"]).is_some()
            || self.get(&["gen_ai.system", "gen_ai.provider.name", "mcp.method.name", "rpc.system"]).is_some()
            || self.operation().is_some()
    }
}

pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// JSON given as a string (most instrumentations serialize messages) or as a structure.
fn json_of(value: &Value) -> Option<Value> {
    match value {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

/// Messages flattened into indexed attributes (`gen_ai.prompt.0.role`,
/// `llm.input_messages.1.message.content`), folded back into a list.
fn flattened(span: &SpanData, prefix: &str) -> Option<Value> {
    let mut items: Vec<(usize, Map<String, Value>)> = Vec::new();
    for (key, value) in &span.attributes {
        let Some(rest) = key.strip_prefix(prefix) else { continue };
        let Some((index, field)) = rest.split_once('.') else { continue };
        let Ok(index) = index.parse::<usize>() else { continue };
        let field = field.strip_prefix("message.").unwrap_or(field);
        let slot = match items.iter().position(|(i, _)| *i == index) {
            Some(p) => p,
            None => {
                items.push((index, Map::new()));
                items.len() - 1
            }
        };
        items[slot].1.insert(field.to_string(), value.clone());
    }
    if items.is_empty() {
        return None;
    }
    crate::sort::sort_by_key(&mut items, |(i, _)| *i);
    Some(Value::Array(items.into_iter().map(|(_, m)| Value::Object(m)).collect()))
}

/// Messages recorded as a list (JSON text or a structure); OpenInference wraps each in `message`.
fn message_list(value: &Value) -> Option<Value> {
    let Value::Array(items) = json_of(value)? else { return None };
    let unwrapped = items.into_iter().map(|item| match item {
        Value::Object(mut map) if map.len() == 1 && map.get("message").is_some_and(Value::is_object) => {
            map.remove("message").unwrap_or_default()
        }
        other => other,
    });
    Some(Value::Array(unwrapped.collect()))
}

/// Messages the span's events (or the log records joined to it) carry: the older GenAI events
/// (`gen_ai.user.message`, `gen_ai.choice`…), the newer `…operation.details` event with
/// `gen_ai.input.messages`, and ADOT's records whose body holds `input` and `output` messages.
fn event_messages(span: &SpanData) -> (Vec<Value>, Vec<Value>) {
    let (mut input, mut output) = (Vec::new(), Vec::new());
    for event in span.events.iter().chain(&attribute_events(span)) {
        let role = event.name.strip_prefix("gen_ai.").and_then(|n| n.strip_suffix(".message"));
        if let Some(role) = role {
            let role = event.get("role").and_then(Value::as_str).unwrap_or(role);
            let content = event.get("content").and_then(json_or_text).unwrap_or(Value::Null);
            input.push(json!({ "role": role, "content": content }));
        } else if event.name == "gen_ai.choice" {
            let message = event.get("message").and_then(json_or_text).unwrap_or(Value::Null);
            output.push(match message {
                Value::Object(_) => message,
                content => json!({ "role": "assistant", "content": content }),
            });
        }
        for (key, list) in [("gen_ai.input.messages", &mut input), ("gen_ai.output.messages", &mut output)] {
            if let Some(Value::Array(items)) = event.get(key).and_then(message_list) {
                list.extend(items);
            }
        }
        let body = event.body.as_ref();
        for (key, list) in [("input", &mut input), ("output", &mut output)] {
            if let Some(Value::Array(items)) = body.and_then(|b| b.get(key)?.get("messages")).and_then(message_list) {
                list.extend(items);
            }
        }
    }
    (input, output)
}

/// Events that Logfire writes into one `events` attribute (JSON text of `{"event.name": …}`
/// objects) rather than as span events.
fn attribute_events(span: &SpanData) -> Vec<SpanEvent> {
    let Some(Value::Array(items)) = span.get(&["events"]).and_then(json_of) else { return Vec::new() };
    items
        .into_iter()
        .filter_map(|item| {
            let name = item.get("event.name")?.as_str()?.to_string();
            Some(SpanEvent { name, attributes: Vec::new(), body: Some(item) })
        })
        .collect()
}

fn has_messages(span: &SpanData) -> bool {
    let (input, output) = event_messages(span);
    !input.is_empty() || !output.is_empty()
}

/// Text that holds JSON (content blocks serialized by the instrumentation) as JSON; other text
/// as it is.
fn json_or_text(value: &Value) -> Option<Value> {
    match value {
        Value::String(s) => Some(serde_json::from_str(s).unwrap_or_else(|_| value.clone())),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

/// The request the span describes: its messages where the instrumentation recorded them.
fn request_body(span: &SpanData) -> Option<Value> {
    for key in ["gen_ai.input.messages", "ai.prompt.messages", "llm.input_messages"] {
        if let Some(messages) = span.get(&[key]).and_then(message_list) {
            return Some(json!({ "messages": messages }));
        }
    }
    for prefix in ["gen_ai.prompt.", "llm.input_messages."] {
        if let Some(messages) = flattened(span, prefix) {
            return Some(json!({ "messages": messages }));
        }
    }
    let (messages, _) = event_messages(span);
    if !messages.is_empty() {
        return Some(json!({ "messages": messages }));
    }
    // A whole request body recorded as JSON text (`input.value`, or `input` in bare dumps), or
    // a prompt as plain text.
    let input =
        span.get(&["input.value", "gcp.vertex.agent.llm_request", "traceloop.entity.input", "input", "gen_ai.prompt"])?;
    match json_of(input) {
        Some(body @ Value::Object(_)) => Some(body),
        Some(Value::Array(messages)) => Some(json!({ "messages": messages })),
        _ => input.as_str().filter(|s| !s.trim().is_empty()).map(|s| json!({ "input": s })),
    }
}

fn response_body(span: &SpanData) -> Option<Value> {
    let mut body = Map::new();
    if let Some(id) = span.text(&["gen_ai.response.id", "ai.response.id"]) {
        body.insert("id".into(), Value::String(id));
    }
    let (_, event_output) = event_messages(span);
    if let Some(output) = span.get(&["gen_ai.output.messages", "llm.output_messages"]).and_then(message_list) {
        body.insert("output".into(), output);
    } else if let Some(output) =
        flattened(span, "gen_ai.completion.").or_else(|| flattened(span, "llm.output_messages."))
    {
        body.insert("output".into(), output);
    } else if !event_output.is_empty() {
        body.insert("output".into(), Value::Array(event_output));
    } else if let Some(text) = span.text(&["ai.response.text"]) {
        body.insert("output".into(), json!([{ "role": "assistant", "content": text }]));
    } else if let Some(output) = span
        .get(&["output.value", "gcp.vertex.agent.llm_response", "traceloop.entity.output", "output"])
        .and_then(json_of)
    {
        body.insert("output".into(), output);
    } else if let Some(text) = span.text(&["gen_ai.completion"]) {
        body.insert("output".into(), json!([{ "role": "assistant", "content": text }]));
    }
    (!body.is_empty()).then_some(Value::Object(body))
}

fn url_of(span: &SpanData) -> Url {
    if let Some(full) = span.text(&["url.full", "http.url"]) {
        return Url::parse(&full);
    }
    let host = span.text(&["server.address", "net.peer.name", "http.host"]).unwrap_or_default();
    let port = span.text(&["server.port", "net.peer.port"]);
    let scheme = span.text(&["url.scheme", "http.scheme"]).unwrap_or_else(|| "https".into());
    let path = span.text(&["url.path", "http.target"]).unwrap_or_default();
    let query = span.text(&["url.query"]).map(|q| format!("?{q}")).unwrap_or_default();
    if host.is_empty() && path.is_empty() {
        return Url { path: String::new(), ..Url::default() };
    }
    let authority = match port.as_deref() {
        Some("443") | Some("80") | None => host,
        Some(port) => format!("{host}:{port}"),
    };
    let mut url = Url::parse(&format!("{scheme}://{authority}{path}{query}"));
    if path.is_empty() {
        url.path = String::new();
    }
    url
}

fn headers_with_prefix(span: &SpanData, prefix: &str) -> Headers {
    let mut headers = Headers::default();
    for (key, value) in &span.attributes {
        if let Some(name) = key.strip_prefix(prefix) {
            match value {
                Value::Array(values) => values.iter().filter_map(scalar_text).for_each(|v| headers.push(name, v)),
                other => {
                    if let Some(v) = scalar_text(other) {
                        headers.push(name, v);
                    }
                }
            }
        }
    }
    headers
}

/// Spans of one input to calls. Spans that are not calls still link their children to the
/// nearest call above them.
/// Calls from spans; unless `keep_bodies`, each keeps only what the signals read as soon as it
/// is made (see [`Call::slim`]), so that a trace's bodies are never all held whole at once.
pub fn to_calls(spans: Vec<SpanData>, input: usize, keep_bodies: bool) -> Vec<Call> {
    let parents: FxHashMap<&str, Option<&str>> =
        spans.iter().map(|s| (s.span_id.as_str(), s.parent_span_id.as_deref())).collect();
    let callers: rustc_hash::FxHashSet<&str> =
        spans.iter().filter(|s| s.is_call()).map(|s| s.span_id.as_str()).collect();
    // The nearest ancestor that is a call, within this input (bounded: ids can form cycles).
    let nearest_call = |span: &SpanData| -> Option<String> {
        let mut parent = span.parent_span_id.as_deref()?;
        for _ in 0..256 {
            if callers.contains(parent) {
                return Some(parent.to_string());
            }
            match parents.get(parent) {
                Some(Some(next)) => parent = next,
                // Not in this input: another input may have it.
                _ => return Some(parent.to_string()),
            }
        }
        None
    };
    let mut calls = Vec::new();
    for (entry, span) in spans.iter().enumerate() {
        if span.is_call() || (span.from_logs && has_messages(span)) {
            let mut call = to_call(span, nearest_call(span), input, entry);
            if !keep_bodies {
                call.slim();
            }
            calls.push(call);
        }
    }
    calls
}

/// Says how many spans were not calls, when some were not.
pub fn not_calls_note(spans: usize, calls: usize) -> Option<crate::model::Diagnostic> {
    (calls < spans).then(|| crate::model::Diagnostic {
        severity: crate::model::Severity::Warning,
        message: format!(
            "{} of {spans} spans are not calls (no HTTP, GenAI, MCP or RPC attributes); they only link the calls beneath them.",
            spans - calls
        ),
        location: None,
    })
}

fn to_call(span: &SpanData, parent: Option<String>, input: usize, entry: usize) -> Call {
    let method = span.text(&["http.request.method", "http.method"]).unwrap_or_default().to_ascii_uppercase();
    let status = span
        .text(&["http.response.status_code", "http.status_code"])
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| (0.0..1000.0).contains(s))
        .map(|s| s as u16);
    let request_body = request_body(span).map(|v| Body::from_json(&v)).unwrap_or_default();
    let response_body = response_body(span).map(|v| Body::from_json(&v));
    let response_headers = headers_with_prefix(span, "http.response.header.");
    let response = (status.is_some() || response_body.is_some() || !response_headers.is_empty()).then(|| Response {
        status: status.unwrap_or(0),
        headers: response_headers,
        body: response_body.unwrap_or_default(),
    });
    let attributes = span.attributes.iter().filter_map(|(k, v)| Some((k.clone(), scalar_text(v)?))).collect();
    Call {
        source: Source { input, entry },
        started_ms: span.start_ms,
        duration_ms: match (span.start_ms, span.end_ms) {
            (Some(start), Some(end)) if end >= start => Some(end - start),
            _ => None,
        },
        transport: Transport::Http,
        request: Request {
            method,
            url: url_of(span),
            headers: headers_with_prefix(span, "http.request.header."),
            body: request_body,
        },
        response,
        span: Some(Span {
            trace_id: span.trace_id.clone(),
            span_id: span.span_id.clone(),
            parent_span_id: parent,
            name: span.name.clone(),
            service: span.service.clone(),
            operation: span.operation(),
            attributes,
        }),
        ..Call::default()
    }
}

/// A trace or span id as lower-case hex, whether the input wrote hex, `0x`-prefixed hex or
/// base64 (as some backends do).
pub fn normalize_id(id: &str) -> String {
    let id = id.trim();
    let id = id.strip_prefix("0x").unwrap_or(id);
    let hex = !id.is_empty() && id.len() % 2 == 0 && id.bytes().all(|b| b.is_ascii_hexdigit());
    if hex && (id.len() == 16 || id.len() == 32) {
        return id.to_ascii_lowercase();
    }
    match super::body::decode_base64(id.as_bytes()) {
        Some(bytes) if bytes.len() == 8 || bytes.len() == 16 => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        _ => id.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_id;

    #[test]
    fn ids_in_hex_and_base64() {
        assert_eq!(normalize_id("5B8EFFF798038103D269B633813FC60C"), "5b8efff798038103d269b633813fc60c");
        assert_eq!(normalize_id("0x39d6e9b3ddec9996"), "39d6e9b3ddec9996");
        assert_eq!(normalize_id("W47/95gDgQPSabYzgT/GDA=="), "5b8efff798038103d269b633813fc60c");
        assert_eq!(normalize_id("7uGbfsPBsXQ="), "eee19b7ec3c1b174");
    }
}
