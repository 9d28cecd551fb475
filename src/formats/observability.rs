//! Exports of observability tools, as spans: Langfuse traces and observations (the public API's
//! `GET /api/public/traces/{id}` and observation objects: `type` GENERATION / SPAN / EVENT /
//! AGENT / TOOL…, `parentObservationId`, `input` / `output`, the trace's `sessionId`), and
//! LangSmith runs (`run_type`, `parent_run_id`, `inputs` / `outputs`, a thread or session id in
//! `extra.metadata`). What each tool records becomes the attributes the span conventions read:
//! `gen_ai.operation.name`, `gen_ai.input.messages`, `gen_ai.output.messages`, `session.id`.

use super::attr::{with_doc, Attr, Attrs};
use super::records::{array, time_of};
use super::spans::{normalize_id, SpanData};
use crate::json::write::escaped;
use crate::json::Node;
use std::borrow::Cow;

fn text(value: Node, key: &str) -> Option<String> {
    value.get(key).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_string)
}

fn push<'d>(attributes: &mut Attrs<'d>, key: &'static str, value: Option<Attr<'d>>) {
    if let Some(value) = value.filter(|v| !v.is_null()) {
        attributes.push((Cow::Borrowed(key), value));
    }
}

/// A word as an attribute's value.
fn word(text: impl Into<String>) -> Option<Attr<'static>> {
    Some(Attr::Text(Cow::Owned(text.into())))
}

/// A list or object built here as JSON text, as an attribute's value.
fn built(json: String) -> Attr<'static> {
    Attr::Json(Cow::Owned(json))
}

/// A Langfuse trace: the trace itself stands for the agent's turn (its `input` is what the user
/// sent, its `output` the answer), and its observations are the work done for it.
pub fn langfuse_trace<'d>(trace: Node<'d>, spans: &mut Vec<SpanData<'d>>) {
    let trace_id = text(trace, "id").map(|id| normalize_id(&id)).unwrap_or_default();
    let mut attributes = vec![(Cow::Borrowed("gen_ai.operation.name"), Attr::Text(Cow::Borrowed("invoke_agent")))];
    push(&mut attributes, "session.id", trace.get("sessionId").map(Attr::of));
    push(&mut attributes, "user.id", trace.get("userId").map(Attr::of));
    push(&mut attributes, "input.value", trace.get("input").map(|v| built(as_request(&parsed(v)))));
    push(&mut attributes, "output.value", trace.get("output").and_then(|v| as_reply(&parsed(v))));
    spans.push(SpanData {
        span_id: trace_id.clone(),
        trace_id: trace_id.clone(),
        name: text(trace, "name").unwrap_or_else(|| "trace".into()),
        start_ms: time_of(trace.get("timestamp")),
        attributes,
        ..SpanData::default()
    });
    for observation in array(trace.get("observations")).filter(|o| o.is_object()) {
        spans.push(langfuse_observation(observation, Some(&trace_id)));
    }
}

/// One Langfuse observation. Observations without a parent hang under their trace.
pub fn langfuse_observation<'d>(observation: Node<'d>, trace_span: Option<&str>) -> SpanData<'d> {
    let trace_id = text(observation, "traceId").map(|id| normalize_id(&id)).unwrap_or_default();
    let kind = text(observation, "type").unwrap_or_default();
    let operation = match kind.as_str() {
        "GENERATION" => Some("chat"),
        "EMBEDDING" => Some("embeddings"),
        "AGENT" => Some("invoke_agent"),
        "TOOL" => Some("execute_tool"),
        _ => None,
    };
    let mut attributes = vec![(Cow::Borrowed("langfuse.observation.type"), Attr::Text(Cow::Owned(kind.clone())))];
    push(&mut attributes, "gen_ai.operation.name", operation.and_then(word));
    push(&mut attributes, "gen_ai.request.model", observation.get("model").map(Attr::of));
    push_io(&mut attributes, observation.get("input"), observation.get("output"));
    let parent = text(observation, "parentObservationId")
        .map(|id| normalize_id(&id))
        .or_else(|| trace_span.map(str::to_string))
        .or_else(|| (!trace_id.is_empty()).then(|| trace_id.clone()));
    SpanData {
        span_id: text(observation, "id").map(|id| normalize_id(&id)).unwrap_or_default(),
        trace_id,
        parent_span_id: parent,
        name: text(observation, "name").unwrap_or_else(|| kind.to_ascii_lowercase()),
        start_ms: time_of(observation.get("startTime")),
        end_ms: time_of(observation.get("endTime")),
        attributes,
        ..SpanData::default()
    }
}

/// A LangSmith run. Root chains stand for the agent's turn; `llm` runs are model calls.
pub fn langsmith_run(run: Node) -> SpanData {
    let run_type = text(run, "run_type").unwrap_or_default();
    let parent = text(run, "parent_run_id").map(|id| normalize_id(&id));
    let operation = match run_type.as_str() {
        "llm" | "chat" => Some("chat"),
        "embedding" => Some("embeddings"),
        "tool" => Some("execute_tool"),
        "chain" if parent.is_none() => Some("invoke_agent"),
        _ => None,
    };
    let mut attributes = vec![(Cow::Borrowed("langsmith.run_type"), Attr::Text(Cow::Owned(run_type.clone())))];
    push(&mut attributes, "gen_ai.operation.name", operation.and_then(word));
    let metadata = run.get("extra").and_then(|e| e.get("metadata")).or_else(|| run.get("metadata"));
    for (from, to) in
        [("thread_id", "thread_id"), ("session_id", "session.id"), ("conversation_id", "gen_ai.conversation.id")]
    {
        push(&mut attributes, to, metadata.and_then(|m| m.get(from)).map(Attr::of));
    }
    push(&mut attributes, "gen_ai.request.model", metadata.and_then(|m| m.get("ls_model_name")).map(Attr::of));
    push_io(&mut attributes, run.get("inputs"), run.get("outputs"));
    SpanData {
        trace_id: text(run, "trace_id").map(|id| normalize_id(&id)).unwrap_or_default(),
        span_id: text(run, "id").map(|id| normalize_id(&id)).unwrap_or_default(),
        parent_span_id: parent,
        name: text(run, "name").unwrap_or(run_type),
        start_ms: time_of(run.get("start_time")),
        end_ms: time_of(run.get("end_time")),
        attributes,
        ..SpanData::default()
    }
}

/// A Google ADK session dump: each invocation stands for the agent's turn (what the user sent,
/// what the agent answered last), and each logged model request is a model call made for it.
pub fn adk_session<'d>(session: Node<'d>, spans: &mut Vec<SpanData<'d>>) {
    let trace_id = text(session, "id").unwrap_or_else(|| "adk-session".into());
    let events: Vec<Node> = array(session.get("events")).collect();
    let field = |event: &Node<'d>, key: &str| event.get(key).and_then(|v| v.as_str());
    let mut invocations: Vec<&str> = Vec::new();
    for event in &events {
        let Some(id) = field(event, "invocation_id") else { continue };
        if !invocations.contains(&id) {
            invocations.push(id);
        }
    }
    for id in invocations {
        let of_turn: Vec<&Node> = events.iter().filter(|e| field(e, "invocation_id") == Some(id)).collect();
        let asked = of_turn.iter().find(|e| field(e, "author") == Some("user"));
        let answered = of_turn.iter().rev().find(|e| field(e, "author") != Some("user"));
        let mut attributes = vec![(Cow::Borrowed("gen_ai.operation.name"), Attr::Text(Cow::Borrowed("invoke_agent")))];
        push(&mut attributes, "session.id", session.get("id").map(Attr::of));
        let asked = asked.and_then(|e| e.get("content")).map(|c| format!("{{\"contents\":[{}]}}", c.text()));
        push(&mut attributes, "input.value", asked.map(built));
        let answered = answered.and_then(|e| e.get("content")).map(|c| format!("[{}]", c.text()));
        push(&mut attributes, "output.value", answered.map(built));
        spans.push(SpanData {
            trace_id: trace_id.clone(),
            span_id: format!("invocation-{id}"),
            name: format!("invocation {id}"),
            start_ms: of_turn.first().and_then(|e| time_of(e.get("timestamp"))),
            attributes,
            ..SpanData::default()
        });
    }
    for log in array(session.get("event_logs")) {
        let mut attributes =
            vec![(Cow::Borrowed("gen_ai.operation.name"), Attr::Text(Cow::Borrowed("generate_content")))];
        push(&mut attributes, "gcp.vertex.agent.llm_request", log.get("model_request").map(Attr::of));
        push(&mut attributes, "gcp.vertex.agent.llm_response", log.get("model_response").map(Attr::of));
        let invocation = text(log, "invocation_id").unwrap_or_default();
        let event_id = text(log, "event_id").unwrap_or_default();
        // The event the model's answer became says when the request was made.
        let event = events.iter().find(|e| field(e, "id") == Some(event_id.as_str()));
        spans.push(SpanData {
            trace_id: trace_id.clone(),
            start_ms: event.and_then(|e| time_of(e.get("timestamp"))),
            span_id: event_id,
            parent_span_id: Some(format!("invocation-{invocation}")),
            name: "model request".into(),
            attributes,
            ..SpanData::default()
        });
    }
}

/// What a step was given and gave back, as the attributes the span conventions read: messages
/// where they are messages, else whole values (`input.value`, `output.value`). Exports
/// downloaded from an API may hold either as JSON text.
fn push_io(attributes: &mut Attrs, input: Option<Node>, output: Option<Node>) {
    let (input, output) = (input.map(parsed), output.map(parsed));
    let messages = |json: &Cow<str>| with_doc(json, messages_in).flatten();
    match input.as_ref().and_then(messages) {
        Some(messages) => push(attributes, "gen_ai.input.messages", Some(built(messages))),
        None => push(attributes, "input.value", input.map(|v| built(as_request(&v)))),
    }
    match output.as_ref().and_then(messages) {
        Some(messages) => push(attributes, "gen_ai.output.messages", Some(built(messages))),
        None => push(attributes, "output.value", output.and_then(|v| as_reply(&v))),
    }
}

/// A value's JSON text: JSON written as text (as some exports write every value) parsed; other
/// values as they are.
fn parsed<'d>(value: Node<'d>) -> Cow<'d, str> {
    match value.as_str() {
        Some(s) if s.trim_start().starts_with(['{', '[']) && with_doc(s, |_| ()).is_some() => Cow::Borrowed(s),
        _ => Cow::Borrowed(value.text()),
    }
}

/// `{"role":"assistant","content":…}` of JSON text `content`, as a list of one.
fn assistant(content: &str) -> String {
    format!("[{{\"content\":{content},\"role\":\"assistant\"}}]")
}

/// What a step answered (JSON text) as a response body: text is the model's reply.
fn as_reply(value: &str) -> Option<Attr<'static>> {
    let reply = |root: Node| match root.is_string() {
        true => built(assistant(root.text())),
        false => Attr::of(root).into_owned(),
    };
    with_doc(value, reply)
}

/// An OpenAI Agents SDK trace: the workflow, with its `group_id` (the conversation it belongs
/// to, a label) as `gen_ai.conversation.id`.
pub fn agents_trace(trace: Node) -> SpanData {
    let id = text(trace, "id").unwrap_or_default();
    let mut attributes = Vec::new();
    push(&mut attributes, "gen_ai.conversation.id", trace.get("group_id").map(Attr::of));
    SpanData {
        trace_id: id.clone(),
        span_id: id,
        name: text(trace, "workflow_name").unwrap_or_else(|| "trace".into()),
        attributes,
        ..SpanData::default()
    }
}

/// An OpenAI Agents SDK span: `span_data.type` says what it did (`agent`, `generation`,
/// `response`, `function`, `handoff`…). Spans without a parent hang under their trace.
pub fn agents_span(span: Node) -> SpanData {
    let data = span.get("span_data");
    let data_text = |key: &str| data.and_then(|d| text(d, key));
    let data_value = |key: &str| data.and_then(|d| d.get(key));
    let kind = data_text("type").unwrap_or_default();
    let operation = match kind.as_str() {
        "generation" | "response" => Some("chat"),
        "agent" => Some("invoke_agent"),
        "function" => Some("execute_tool"),
        _ => None,
    };
    let mut attributes = vec![(Cow::Borrowed("openai.agents.span_type"), Attr::Text(Cow::Owned(kind.clone())))];
    push(&mut attributes, "gen_ai.operation.name", operation.and_then(word));
    push(&mut attributes, "gen_ai.request.model", data_value("model").map(Attr::of));
    push(&mut attributes, "gen_ai.response.id", data_value("response_id").map(Attr::of));
    push_io(&mut attributes, data_value("input"), data_value("output"));
    let trace_id = text(span, "trace_id").unwrap_or_default();
    SpanData {
        span_id: text(span, "id").unwrap_or_default(),
        parent_span_id: text(span, "parent_id").or_else(|| Some(trace_id.clone())),
        trace_id,
        name: data_text("name").unwrap_or(kind),
        start_ms: time_of(span.get("started_at")),
        end_ms: time_of(span.get("ended_at")),
        attributes,
        ..SpanData::default()
    }
}

/// A tool's input (JSON text) as a request body: an object as it is, anything else under `input`.
fn as_request(value: &str) -> String {
    match with_doc(value, |root| root.is_object()) {
        Some(true) => value.into(),
        _ => format!("{{\"input\":{value}}}"),
    }
}

/// The messages a recorded input or output holds, as `{role, content}` items (JSON text of the
/// list): a list of messages, an object with `messages` (LangChain nests them one list deeper),
/// LangChain's `generations`, or one message object.
fn messages_in(value: Node) -> Option<String> {
    let list: Vec<Node> = if value.is_list() {
        let items: Vec<Node> = value.items().collect();
        if items.is_empty() || !items.iter().all(|item| is_message(*item)) {
            return None;
        }
        items
    } else if value.is_object() {
        match value.get("messages").or_else(|| value.get("generations")) {
            Some(nested) if nested.is_list() => flatten_lists(nested),
            _ if is_message(value) => vec![value],
            _ => return None,
        }
    } else {
        return None;
    };
    let messages: Vec<String> = list.into_iter().filter_map(plain_message).collect();
    (!messages.is_empty()).then(|| format!("[{}]", messages.join(",")))
}

/// LangChain writes a batch of message lists: `[[m1, m2]]`.
fn flatten_lists(items: Node) -> Vec<Node> {
    items.items().flat_map(|item| if item.is_list() { item.items().collect() } else { vec![item] }).collect()
}

fn is_message(value: Node) -> bool {
    value.get("role").is_some() || value.get("content").is_some() || value.get("kwargs").is_some()
}

/// One message as `{role, content}` (JSON text): plain, a LangChain serialized message (`{"lc":
/// 1, "id": [..., "HumanMessage"], "kwargs": {"content": …}}`) or a generation (`{"text",
/// "message"}`).
fn plain_message(value: Node) -> Option<String> {
    let message = |role: &str, content: &str| format!("{{\"content\":{content},\"role\":\"{role}\"}}");
    if let Some(inner) = value.get("message").filter(|m| m.is_object()) {
        return plain_message(inner);
    }
    if let Some(kwargs) = value.get("kwargs") {
        let class = array(value.get("id")).last().and_then(|c| c.as_str()).unwrap_or_default();
        let role = match class {
            "HumanMessage" | "HumanMessageChunk" => "user",
            "AIMessage" | "AIMessageChunk" => "assistant",
            "SystemMessage" => "system",
            "ToolMessage" => "tool",
            _ => "unknown",
        };
        let content = kwargs.get("content").map_or("null", |c| c.text());
        let Some(calls) = kwargs.get("tool_calls").filter(|c| c.is_list() && !c.is_empty()) else {
            return Some(message(role, content));
        };
        return Some(format!("{{\"content\":{content},\"role\":\"{role}\",\"tool_calls\":{}}}", calls.text()));
    }
    let langchain_role = match value.get("type").and_then(|t| t.as_str()) {
        Some("human") => Some("user"),
        Some("ai") => Some("assistant"),
        Some(role @ ("system" | "tool")) => Some(role),
        _ => None,
    };
    if let (Some(role), None, Some(content)) = (langchain_role, value.get("role"), value.get("content")) {
        return Some(message(role, content.text()));
    }
    if value.get("role").is_some() || value.get("content").is_some() {
        return Some(value.text().to_string());
    }
    let text = value.get("text").and_then(|t| t.as_str())?;
    let mut content = String::new();
    escaped(&mut content, text);
    Some(message("assistant", &content))
}
