//! Spans to calls, by the OpenTelemetry semantic conventions: HTTP (current and deprecated
//! names), GenAI (`gen_ai.*`, with the older `gen_ai.system`), and the names instrumentations
//! such as the Vercel AI SDK and OpenInference use for prompts and replies. Shared by the OTLP
//! reader and the readers of SDK span dumps.

use super::attr::{json_or_text, object_text, with_doc, Attr, Attrs};
use crate::facts::{field_text, Role};
use crate::json::write::{compact, escaped, written_list_items};
use crate::json::Node;
use crate::lex::Lexer;
use crate::model::{Body, Call, Headers, Request, Response, Source, Span, Transport, Url};
use rustc_hash::{FxHashMap, FxHashSet};
#[cfg(any(test, feature = "oracle"))]
use std::borrow::Cow;

/// One span as any reader found it, ids already lower-case hex; its attributes borrow from the
/// text it was read from, for as long as it takes to make it a [`HeldSpan`].
#[derive(Debug, Default)]
pub struct SpanData<'d> {
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub name: String,
    pub service: Option<String>,
    pub start_ms: Option<f64>,
    pub end_ms: Option<f64>,
    pub attributes: Attrs<'d>,
    /// Span events, and the log records joined to the span: where many instrumentations put
    /// the messages.
    pub events: Vec<SpanEvent<'d>>,
    /// Made from log records whose span the input does not hold: a call when its events carry
    /// messages, to be merged with its span if another input holds it.
    pub from_logs: bool,
}

/// A span event or a log record about a span (`gen_ai.user.message`, `gen_ai.choice`, ADOT's
/// GenAI events with the messages in `body`).
#[derive(Debug, Default, Clone)]
pub struct SpanEvent<'d> {
    pub name: String,
    pub attributes: Attrs<'d>,
    pub body: Option<Attr<'d>>,
}

/// Finds `key` among attributes (the first of that name).
fn find<'a, 'd>(attributes: &'a Attrs<'d>, key: &str) -> Option<&'a Attr<'d>> {
    attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

impl SpanData<'_> {
    fn get(&self, keys: &[&str]) -> Option<&Attr<'_>> {
        keys.iter().find_map(|k| find(&self.attributes, k))
    }

    fn text(&self, keys: &[&str]) -> Option<String> {
        self.get(keys).and_then(Attr::scalar_text)
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

/// Messages flattened into indexed attributes (`gen_ai.prompt.0.role`,
/// `llm.input_messages.1.message.content`), folded back into a list: its JSON text.
fn flattened(span: &SpanData, prefix: &str) -> Option<String> {
    let mut items: Vec<(usize, Vec<(&str, &Attr)>)> = Vec::new();
    for (key, value) in &span.attributes {
        let Some(rest) = key.strip_prefix(prefix) else { continue };
        let Some((index, field)) = rest.split_once('.') else { continue };
        let Ok(index) = index.parse::<usize>() else { continue };
        let field = field.strip_prefix("message.").unwrap_or(field);
        match items.iter_mut().find(|(i, _)| *i == index) {
            Some((_, fields)) => fields.push((field, value)),
            None => items.push((index, vec![(field, value)])),
        }
    }
    if items.is_empty() {
        return None;
    }
    crate::sort::sort_by_key(&mut items, |(i, _)| *i);
    let objects: Vec<String> = items.into_iter().map(|(_, fields)| object_text(fields.into_iter())).collect();
    Some(list(&objects))
}

/// Messages recorded as a list (JSON text or a structure), each item as serde_json writes it;
/// OpenInference wraps each in `message`, which is taken off.
fn message_list(value: &Attr) -> Option<Vec<String>> {
    let text = value.json_text()?;
    let items = |list: Node| {
        let unwrapped = |item: Node| match item.get("message") {
            Some(message) if message.is_object() && item.members().len() == 1 => compact(message),
            _ => compact(item),
        };
        list.is_list().then(|| list.items().map(unwrapped).collect())
    };
    with_doc(&text, items)?
}

/// Messages recorded as a list (as [`message_list`] reads them), as JSON text: written from the
/// attribute's text in one pass where it can be.
fn listed(value: &Attr) -> Option<String> {
    if let Some(text) = value.as_str().and_then(written_list) {
        return Some(text);
    }
    message_list(value).map(|items| list(&items))
}

/// A list in JSON text `text` as serde_json writes the tree [`message_list`] makes of it
/// (compact, each object's keys in order, strings and numbers as it writes them), made from the
/// text in one pass without a document. `None` for anything else, left to [`message_list`]:
/// text that is not a JSON list, that nests deeper than the writer allows, and lists that hold
/// an OpenInference wrapper (`{"message": {…}}`), which it unwraps.
pub(super) fn written_list(text: &str) -> Option<String> {
    let mut lex = Lexer::new(text);
    let mut out = String::with_capacity(text.len());
    lex.whitespace();
    if lex.peek() != Ok(b'[') {
        return None;
    }
    // An item of the messages that OpenInference wraps: the document reading unwraps it.
    let wrapped = |item: &str| item.starts_with(r#"{"message":{"#) && written_members(item) == 1;
    written_list_items(&mut lex, &mut out, wrapped).ok()?;
    lex.whitespace();
    lex.ran_out().then_some(out)
}

/// How many members the object at the start of `written` (as the writer writes) has, counted
/// as far as two.
fn written_members(written: &str) -> usize {
    let mut lex = Lexer::new(written);
    let mut count = 0;
    let _ = lex.members(|lex, _| {
        count += 1;
        if count > 1 {
            return Err(());
        }
        lex.skip_value()
    });
    count
}

/// Whether [`written_list`] writes `text` as [`message_list`] does, where it writes it (tests
/// and fuzzing).
#[cfg(any(test, feature = "oracle"))]
pub(super) fn written_agrees(text: &str) -> Result<(), String> {
    let Some(written) = written_list(text) else { return Ok(()) };
    let read = message_list(&Attr::Text(Cow::Borrowed(text))).map(|items| list(&items));
    match read == Some(written.clone()) {
        true => Ok(()),
        false => Err(format!("the list written from its text differs from the document's:\n{written}\n{read:?}")),
    }
}

/// Messages as compact JSON text, each as serde_json writes it: what a body made when the input
/// ends needs of a span's events, without holding their documents until then.
#[derive(Debug, Default)]
pub struct Messages {
    pub input: Vec<String>,
    pub output: Vec<String>,
}

impl Messages {
    /// The messages one span event (or log record about a span) carries: the older GenAI events
    /// (`gen_ai.user.message`, `gen_ai.choice`…), the newer `…operation.details` event with
    /// `gen_ai.input.messages`, and ADOT's records whose body holds `input` and `output` messages.
    pub fn of_event(event: &SpanEvent) -> Messages {
        let read = |body: Option<Node>| Messages::of_event_with(event, body);
        // Only a structured body has members; one given as text is not read into.
        match &event.body {
            Some(Attr::Json(text)) => with_doc(text, |root| read(Some(root))).unwrap_or_default(),
            _ => read(None),
        }
    }

    /// [`Messages::of_event`], the event's body read (an attribute outranks a body member).
    fn of_event_with(event: &SpanEvent, body: Option<Node>) -> Messages {
        let get = |key: &str| {
            let attribute = find(&event.attributes, key).cloned();
            attribute.or_else(|| body?.get(key).map(Attr::of)).filter(|v| !v.is_null())
        };
        let (mut input, mut output) = (Vec::new(), Vec::new());
        let role = event.name.strip_prefix("gen_ai.").and_then(|n| n.strip_suffix(".message"));
        if let Some(role) = role {
            let role = get("role").and_then(|r| r.as_str().map(str::to_string)).unwrap_or(role.to_string());
            let content = get("content").and_then(|c| json_or_text(&c)).unwrap_or_else(|| "null".into());
            input.push(format!("{{\"content\":{content},\"role\":{}}}", string(&role)));
        } else if event.name == "gen_ai.choice" {
            let message = get("message").and_then(|m| json_or_text(&m)).unwrap_or_else(|| "null".into());
            output.push(match message.starts_with('{') {
                true => message,
                false => format!("{{\"content\":{message},\"role\":\"assistant\"}}"),
            });
        }
        for (key, list) in [("gen_ai.input.messages", &mut input), ("gen_ai.output.messages", &mut output)] {
            list.extend(get(key).and_then(|v| message_list(&v)).unwrap_or_default());
        }
        for (key, list) in [("input", &mut input), ("output", &mut output)] {
            let messages = body.and_then(|b| b.get(key)?.get("messages")).map(Attr::of);
            list.extend(messages.and_then(|v| message_list(&v)).unwrap_or_default());
        }
        Messages { input, output }
    }

    fn extend(&mut self, other: Messages) {
        self.input.extend(other.input);
        self.output.extend(other.output);
    }

    fn is_empty(&self) -> bool {
        self.input.is_empty() && self.output.is_empty()
    }
}

/// A JSON string of `text`.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    escaped(&mut out, text);
    out
}

/// A JSON list of items written as JSON text already.
fn list(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

/// A JSON body of members written as JSON text already, as serde_json writes an object
/// (compact, its keys, plain words here, in sorted order).
fn object(members: &[(&str, &str)]) -> Body {
    let mut bytes = b"{".to_vec();
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        bytes.push(b'"');
        bytes.extend_from_slice(key.as_bytes());
        bytes.extend_from_slice(b"\":");
        bytes.extend_from_slice(value.as_bytes());
    }
    bytes.push(b'}');
    Body::new(bytes, Some("application/json".into()))
}

/// Events that Logfire writes into one `events` attribute (JSON text of `{"event.name": …}`
/// objects) rather than as span events.
fn attribute_events(span: &SpanData) -> Vec<SpanEvent<'static>> {
    let Some(text) = span.get(&["events"]).and_then(Attr::json_text) else { return Vec::new() };
    let events = |list: Node| {
        let named = |item: Node| {
            let name = item.get("event.name")?.as_str()?.to_string();
            Some(SpanEvent { name, attributes: Vec::new(), body: Some(Attr::of(item).into_owned()) })
        };
        list.items().filter_map(named).collect()
    };
    with_doc(&text, events).unwrap_or_default()
}

/// The request's messages as the attributes record them, as `{"messages": …}`: no event
/// changes this body.
fn request_messages(span: &SpanData) -> Option<Body> {
    let listed = ["gen_ai.input.messages", "ai.prompt.messages", "llm.input_messages"]
        .into_iter()
        .find_map(|key| span.get(&[key]).and_then(listed));
    let messages =
        listed.or_else(|| ["gen_ai.prompt.", "llm.input_messages."].into_iter().find_map(|p| flattened(span, p)));
    messages.map(|m| object(&[("messages", &m)]))
}

/// A whole request body recorded as JSON text (`input.value`, or `input` in bare dumps), or a
/// prompt as plain text: the request when no attribute or event holds its messages.
fn request_whole(span: &SpanData) -> Option<Body> {
    let input =
        span.get(&["input.value", "gcp.vertex.agent.llm_request", "traceloop.entity.input", "input", "gen_ai.prompt"])?;
    let whole = |root: Node| match () {
        _ if root.is_object() => Some(Body::from_node(root)),
        _ if root.is_list() => Some(object(&[("messages", &compact(root))])),
        _ => None,
    };
    if let Some(body) = input.json_text().and_then(|text| with_doc(&text, whole)).flatten() {
        return Some(body);
    }
    input.as_str().filter(|s| !s.trim().is_empty()).map(|s| object(&[("input", &string(s))]))
}

/// The reply's messages as the attributes record them: no event changes these.
fn reply_messages(span: &SpanData) -> Option<String> {
    if let Some(output) = span.get(&["gen_ai.output.messages", "llm.output_messages"]).and_then(listed) {
        return Some(output);
    }
    flattened(span, "gen_ai.completion.").or_else(|| flattened(span, "llm.output_messages."))
}

/// The reply recorded otherwise (a text, a whole value), as JSON text: used when no event holds
/// messages.
fn reply_other(span: &SpanData) -> Option<String> {
    let assistant = |text: String| format!("[{{\"content\":{},\"role\":\"assistant\"}}]", string(&text));
    if let Some(text) = span.text(&["ai.response.text"]) {
        return Some(assistant(text));
    }
    let whole = span.get(&["output.value", "gcp.vertex.agent.llm_response", "traceloop.entity.output", "output"]);
    if let Some(output) = whole.and_then(Attr::json_text).and_then(|text| with_doc(&text, compact)) {
        return Some(output);
    }
    span.text(&["gen_ai.completion"]).map(assistant)
}

/// `{"id": …, "output": …}` from the members known (as JSON text); `None` when neither is.
fn reply_body(id: Option<&str>, output: Option<&str>) -> Option<Body> {
    let members: Vec<(&str, &str)> =
        [("id", id), ("output", output)].into_iter().filter_map(|(key, value)| Some((key, value?))).collect();
    (!members.is_empty()).then(|| object(&members))
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
        let Some(name) = key.strip_prefix(prefix) else { continue };
        match value {
            Attr::Json(text) => {
                let values = |list: Node| list.items().filter_map(|v| Attr::of(v).scalar_text()).collect::<Vec<_>>();
                with_doc(text, values).unwrap_or_default().into_iter().for_each(|v| headers.push(name, v));
            }
            other => {
                if let Some(v) = other.scalar_text() {
                    headers.push(name, v);
                }
            }
        }
    }
    headers
}

/// A span as its input's reader holds it until the input ends (log records may still join it):
/// its ids, and for a call what the call will be, with the facts of its bodies taken at once
/// unless bodies are kept. No attribute is held as a tree, nor any message text that no log
/// record can still displace, so a span costs about what its call does.
#[derive(Debug)]
pub struct HeldSpan {
    pub trace_id: String,
    pub span_id: String,
    parent_span_id: Option<String>,
    from_logs: bool,
    /// `None` for a span that cannot become a call.
    call: Option<Box<HeldCall>>,
}

#[derive(Debug)]
struct HeldCall {
    is_call: bool,
    /// The call but for its source, parent, request body and response.
    call: Call,
    status: Option<u16>,
    response_headers: Headers,
    request: Choice,
    reply: Choice,
    /// The reply's id (JSON text), for a reply made of events' messages.
    reply_id: Option<String>,
    /// Messages of the span's events and of the log records joined to it, in that order, for
    /// a body the attributes do not settle.
    events: Messages,
    /// Messages of Logfire's `events` attribute, which come after those.
    attribute_events: Messages,
}

/// A body the attributes hold: one no event changes (`found`), or one (`other`) used only when
/// no event holds messages either.
#[derive(Debug, Default)]
struct Choice {
    found: Option<Body>,
    other: Option<Body>,
}

impl Choice {
    fn slim(&mut self, role: Role) {
        self.found.iter_mut().chain(&mut self.other).for_each(|body| body.slim(role));
    }

    fn resolve(self, from_events: impl FnOnce() -> Option<Body>) -> Option<Body> {
        self.found.or_else(from_events).or(self.other)
    }
}

impl HeldSpan {
    pub fn of(span: SpanData, keep_bodies: bool) -> HeldSpan {
        let call = (span.from_logs || span.is_call()).then(|| Box::new(HeldCall::of(&span, keep_bodies)));
        let SpanData { trace_id, span_id, parent_span_id, from_logs, .. } = span;
        HeldSpan { trace_id, span_id, parent_span_id, from_logs, call }
    }

    /// A span made for log records whose span the input does not hold.
    pub fn from_logs(trace_id: String, span_id: String, name: String, keep_bodies: bool) -> HeldSpan {
        HeldSpan::of(SpanData { trace_id, span_id, name, from_logs: true, ..SpanData::default() }, keep_bodies)
    }

    /// Adds the messages of a log record about the span.
    pub fn join(&mut self, messages: Messages) {
        if let Some(call) = &mut self.call {
            call.join(messages);
        }
    }

    fn is_call(&self) -> bool {
        self.call.as_ref().is_some_and(|c| c.is_call)
    }

    /// A call, or made from log records whose events carry messages: a call to be merged with
    /// its span if another input holds it.
    fn becomes_call(&self) -> bool {
        self.call.as_ref().is_some_and(|c| c.is_call || (self.from_logs && c.has_messages()))
    }
}

impl HeldCall {
    fn of(span: &SpanData, keep_bodies: bool) -> HeldCall {
        let request_found = request_messages(span);
        let request_other = if request_found.is_none() { request_whole(span) } else { None };
        let reply_id = span.text(&["gen_ai.response.id", "ai.response.id"]).map(|id| string(&id));
        let (reply_found, reply_other) = match reply_messages(span) {
            Some(output) => (reply_body(reply_id.as_deref(), Some(&output)), None),
            None => (None, reply_body(reply_id.as_deref(), reply_other(span).as_deref())),
        };
        let status = span
            .text(&["http.response.status_code", "http.status_code"])
            .and_then(|s| crate::lex::parse_number(&s))
            .filter(|s| (0.0..1000.0).contains(s))
            .map(|s| s as u16);
        let mut held = HeldCall {
            is_call: span.is_call(),
            call: call_of(span, keep_bodies),
            status,
            response_headers: headers_with_prefix(span, "http.response.header."),
            request: Choice { found: request_found, other: request_other },
            reply: Choice { found: reply_found, other: reply_other },
            reply_id,
            events: Messages::default(),
            attribute_events: Messages::default(),
        };
        if held.request.found.is_none() || held.reply.found.is_none() {
            span.events.iter().for_each(|event| held.join(Messages::of_event(event)));
            attribute_events(span).iter().for_each(|event| held.attribute_events.extend(Messages::of_event(event)));
        }
        if !keep_bodies {
            held.request.slim(Role::Request);
            held.reply.slim(Role::Response);
        }
        held
    }

    /// Keeps an event's messages for the bodies the attributes do not settle.
    fn join(&mut self, messages: Messages) {
        if self.request.found.is_none() {
            self.events.input.extend(messages.input);
        }
        if self.reply.found.is_none() {
            self.events.output.extend(messages.output);
        }
    }

    fn has_messages(&self) -> bool {
        !self.events.is_empty() || !self.attribute_events.is_empty()
    }

    fn into_call(self, span: HeldSpan, parent: Option<String>, source: Source) -> Call {
        let HeldCall {
            mut call, status, response_headers, request, reply, reply_id, mut events, attribute_events, ..
        } = self;
        events.extend(attribute_events);
        let request_body =
            request.resolve(|| (!events.input.is_empty()).then(|| object(&[("messages", &list(&events.input))])));
        let events_reply = || (!events.output.is_empty()).then(|| list(&events.output));
        let response_body = reply.resolve(|| reply_body(reply_id.as_deref(), Some(&events_reply()?)));
        call.request.body = request_body.unwrap_or_default();
        call.response = (status.is_some() || response_body.is_some() || !response_headers.is_empty()).then(|| {
            Response { status: status.unwrap_or(0), headers: response_headers, body: response_body.unwrap_or_default() }
        });
        call.source = source;
        if let Some(held) = &mut call.span {
            held.trace_id = span.trace_id;
            held.span_id = span.span_id;
            held.parent_span_id = parent;
        }
        call
    }
}

/// The nearest ancestor of each span that becomes a call that is a call, within this input
/// (bounded: ids can form cycles); its parent's id where that is not in this input.
fn nearest_calls(spans: &[HeldSpan]) -> Vec<Option<String>> {
    let parents: FxHashMap<&str, Option<&str>> =
        spans.iter().map(|s| (s.span_id.as_str(), s.parent_span_id.as_deref())).collect();
    let callers: FxHashSet<&str> = spans.iter().filter(|s| s.is_call()).map(|s| s.span_id.as_str()).collect();
    let nearest_call = |span: &HeldSpan| -> Option<String> {
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
    spans.iter().map(|span| if span.becomes_call() { nearest_call(span) } else { None }).collect()
}

/// Calls from the spans of one input. Spans that are not calls still link their children to
/// the nearest call above them. Unless `keep_bodies`, each call keeps only what the signals read
/// (see [`Call::slim`]), so that a trace's bodies are never all held whole at once.
pub fn to_calls(spans: Vec<HeldSpan>, input: usize, keep_bodies: bool) -> Vec<Call> {
    let parents = nearest_calls(&spans);
    let mut calls = Vec::new();
    for (entry, (mut span, parent)) in spans.into_iter().zip(parents).enumerate() {
        if !span.becomes_call() {
            continue;
        }
        let Some(held) = span.call.take() else { continue };
        let mut call = held.into_call(span, parent, Source { input, entry });
        if !keep_bodies {
            call.slim();
        }
        calls.push(call);
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

/// The call a span stands for, but for its source, parent, request body and response.
fn call_of(span: &SpanData, keep_bodies: bool) -> Call {
    let method = span.text(&["http.request.method", "http.method"]).unwrap_or_default().to_ascii_uppercase();
    // Like a body's fields, an attribute longer than any handle is kept as its digest unless
    // bodies are kept: messages recorded as attributes live on as their bodies' facts.
    let text = |value: &Attr| match value {
        Attr::Text(s) if !keep_bodies => Some(field_text(s)),
        other => other.scalar_text(),
    };
    let attributes = span.attributes.iter().filter_map(|(k, v)| Some((k.to_string(), text(v)?))).collect();
    Call {
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
            body: Body::default(),
        },
        span: Some(Span {
            name: span.name.clone(),
            service: span.service.clone(),
            operation: span.operation(),
            attributes,
            ..Span::default()
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
    use super::Attr;
    use super::{normalize_id, to_calls, written_agrees, written_list, HeldSpan, Messages, SpanData, SpanEvent};
    use crate::facts::Role;
    use std::borrow::Cow;

    fn text(text: impl Into<String>) -> Attr<'static> {
        Attr::Text(Cow::Owned(text.into()))
    }

    fn chat_span(attributes: Vec<(&'static str, Attr<'static>)>, events: Vec<SpanEvent<'static>>) -> SpanData<'static> {
        let mut attributes: Vec<_> = attributes.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect();
        attributes.push((Cow::Borrowed("gen_ai.operation.name"), text("chat")));
        SpanData {
            trace_id: "a".repeat(32),
            span_id: "b".repeat(16),
            name: "chat".into(),
            attributes,
            events,
            ..SpanData::default()
        }
    }

    #[test]
    fn message_lists_are_written_from_their_text_as_from_their_tree() {
        let written = [
            r#"[]"#,
            r#" [ {"role" : "user", "content": [{"type":"text","text":"Hi \u00e9\ud83d\ude00\/ \"q\" \\ \n\t\r\b\f\u0001\u001f"}]} ] "#,
            r#"[{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]}]"#,
            r#"[1, -5, 0, -0, 1.0, 1.50, 1e5, 2E-3, -0.0, 12345678901234567890, -9223372036854775808, true, false, null, "s", [[]], {}]"#,
            r#"[{"message":{"role":"user"},"other":1}, {"message":"text"}, {"b":{"z":1,"a":{"y":2,"x":3}},"a":[{"d":1,"c":2}]}]"#,
            r#"[{"\u0061":1,"b\n":2,"é":3,"e":4,"":5}]"#,
            r#"[{"role":"user","role":"assistant"}]"#,
            r#"[{"a":1,"b":2,"a":3,"\u0062":4}]"#,
        ];
        for text in written {
            assert!(written_list(text).is_some(), "{text}");
            assert_eq!(written_agrees(text), Ok(()), "{text}");
        }
        let deep = format!("[{}{}]", "[".repeat(40), "]".repeat(40));
        let left = [
            r#"[{"message":{"role":"user","content":"hi"}}]"#,
            r#"[1e999]"#,
            r#"[1,]"#,
            r#"[] x"#,
            r#"{"messages":[]}"#,
            r#""[]""#,
            "",
            &deep,
        ];
        for text in left {
            assert!(written_list(text).is_none(), "{text}");
            assert_eq!(written_agrees(text), Ok(()), "{text}");
        }
    }

    fn user_message(content: &str) -> SpanEvent<'static> {
        SpanEvent {
            name: "gen_ai.user.message".into(),
            attributes: vec![(Cow::Borrowed("content"), text(content))],
            ..SpanEvent::default()
        }
    }

    #[test]
    fn a_held_span_keeps_the_facts_of_settled_bodies_and_no_text() {
        let messages = text(format!(r#"[{{"role":"user","content":"{}"}}]"#, "hello there ".repeat(50)));
        let span = chat_span(
            vec![("gen_ai.input.messages", messages.clone()), ("gen_ai.output.messages", messages)],
            vec![user_message("an event the attributes outrank")],
        );
        let held = HeldSpan::of(span, false);
        let call = held.call.as_ref().expect("a call");
        for (body, role) in [(&call.request.found, Role::Request), (&call.reply.found, Role::Response)] {
            let body = body.as_ref().expect("a body");
            assert!(body.bytes.is_empty() && !body.is_empty());
            assert!(body.facts(role).json);
        }
        // No log record can change these bodies: no message text is held for them.
        assert!(call.events.is_empty() && call.attribute_events.is_empty());
        let attributes = &call.call.span.as_ref().expect("a span").attributes;
        let kept = |key: &str| attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        // Long attributes as digests, as in bodies' fields; short ones as they are.
        assert!(kept("gen_ai.input.messages").is_some_and(|v| v.starts_with('\u{1}') && v.len() < 32));
        assert_eq!(kept("gen_ai.operation.name"), Some("chat"));
    }

    #[test]
    fn log_records_joined_later_follow_the_span_events() {
        let mut held = HeldSpan::of(chat_span(Vec::new(), vec![user_message("first")]), true);
        held.join(Messages::of_event(&user_message("second")));
        let calls = to_calls(vec![held], 0, true);
        assert_eq!(
            calls[0].request.body.text(),
            Some(r#"{"messages":[{"content":"first","role":"user"},{"content":"second","role":"user"}]}"#)
        );
    }

    #[test]
    fn ids_in_hex_and_base64() {
        assert_eq!(normalize_id("5B8EFFF798038103D269B633813FC60C"), "5b8efff798038103d269b633813fc60c");
        assert_eq!(normalize_id("0x39d6e9b3ddec9996"), "39d6e9b3ddec9996");
        assert_eq!(normalize_id("W47/95gDgQPSabYzgT/GDA=="), "5b8efff798038103d269b633813fc60c");
        assert_eq!(normalize_id("7uGbfsPBsXQ="), "eee19b7ec3c1b174");
    }
}
