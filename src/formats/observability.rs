//! Exports of observability tools, as spans: Langfuse traces and observations (the public API's
//! `GET /api/public/traces/{id}` and observation objects: `type` GENERATION / SPAN / EVENT /
//! AGENT / TOOL…, `parentObservationId`, `input` / `output`, the trace's `sessionId`), and
//! LangSmith runs (`run_type`, `parent_run_id`, `inputs` / `outputs`, a thread or session id in
//! `extra.metadata`). What each tool records becomes the attributes the span conventions read:
//! `gen_ai.operation.name`, `gen_ai.input.messages`, `gen_ai.output.messages`, `session.id`.

use super::records::{array, time_ms};
use super::spans::{normalize_id, SpanData};
use serde_json::{json, Value};

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

fn push(attributes: &mut Vec<(String, Value)>, key: &str, value: Option<Value>) {
    if let Some(value) = value.filter(|v| !v.is_null()) {
        attributes.push((key.to_string(), value));
    }
}

/// A Langfuse trace: the trace itself stands for the agent's turn (its `input` is what the user
/// sent, its `output` the answer), and its observations are the work done for it.
pub fn langfuse_trace(trace: &Value, spans: &mut Vec<SpanData>) {
    let trace_id = text(trace, "id").map(|id| normalize_id(&id)).unwrap_or_default();
    let mut attributes = vec![("gen_ai.operation.name".to_string(), json!("invoke_agent"))];
    push(&mut attributes, "session.id", trace.get("sessionId").cloned());
    push(&mut attributes, "user.id", trace.get("userId").cloned());
    push(&mut attributes, "input.value", trace.get("input").map(parsed).as_ref().map(as_request));
    push(&mut attributes, "output.value", trace.get("output").map(parsed).as_ref().map(as_reply));
    spans.push(SpanData {
        span_id: trace_id.clone(),
        trace_id: trace_id.clone(),
        name: text(trace, "name").unwrap_or_else(|| "trace".into()),
        start_ms: time_ms(trace.get("timestamp")),
        attributes,
        ..SpanData::default()
    });
    for observation in array(trace.get("observations")).iter().filter(|o| o.is_object()) {
        spans.push(langfuse_observation(observation, Some(&trace_id)));
    }
}

/// One Langfuse observation. Observations without a parent hang under their trace.
pub fn langfuse_observation(observation: &Value, trace_span: Option<&str>) -> SpanData {
    let trace_id = text(observation, "traceId").map(|id| normalize_id(&id)).unwrap_or_default();
    let kind = text(observation, "type").unwrap_or_default();
    let operation = match kind.as_str() {
        "GENERATION" => Some("chat"),
        "EMBEDDING" => Some("embeddings"),
        "AGENT" => Some("invoke_agent"),
        "TOOL" => Some("execute_tool"),
        _ => None,
    };
    let mut attributes = vec![("langfuse.observation.type".to_string(), json!(kind))];
    push(&mut attributes, "gen_ai.operation.name", operation.map(Value::from));
    push(&mut attributes, "gen_ai.request.model", observation.get("model").cloned());
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
        start_ms: time_ms(observation.get("startTime")),
        end_ms: time_ms(observation.get("endTime")),
        attributes,
        ..SpanData::default()
    }
}

/// A LangSmith run. Root chains stand for the agent's turn; `llm` runs are model calls.
pub fn langsmith_run(run: &Value) -> SpanData {
    let run_type = text(run, "run_type").unwrap_or_default();
    let parent = text(run, "parent_run_id").map(|id| normalize_id(&id));
    let operation = match run_type.as_str() {
        "llm" | "chat" => Some("chat"),
        "embedding" => Some("embeddings"),
        "tool" => Some("execute_tool"),
        "chain" if parent.is_none() => Some("invoke_agent"),
        _ => None,
    };
    let mut attributes = vec![("langsmith.run_type".to_string(), json!(run_type))];
    push(&mut attributes, "gen_ai.operation.name", operation.map(Value::from));
    let metadata = run.get("extra").and_then(|e| e.get("metadata")).or_else(|| run.get("metadata"));
    for (from, to) in
        [("thread_id", "thread_id"), ("session_id", "session.id"), ("conversation_id", "gen_ai.conversation.id")]
    {
        push(&mut attributes, to, metadata.and_then(|m| m.get(from)).cloned());
    }
    push(&mut attributes, "gen_ai.request.model", metadata.and_then(|m| m.get("ls_model_name")).cloned());
    push_io(&mut attributes, run.get("inputs"), run.get("outputs"));
    SpanData {
        trace_id: text(run, "trace_id").map(|id| normalize_id(&id)).unwrap_or_default(),
        span_id: text(run, "id").map(|id| normalize_id(&id)).unwrap_or_default(),
        parent_span_id: parent,
        name: text(run, "name").unwrap_or(run_type),
        start_ms: time_ms(run.get("start_time")),
        end_ms: time_ms(run.get("end_time")),
        attributes,
        ..SpanData::default()
    }
}

/// A Google ADK session dump: each invocation stands for the agent's turn (what the user sent,
/// what the agent answered last), and each logged model request is a model call made for it.
pub fn adk_session(session: &Value, spans: &mut Vec<SpanData>) {
    let trace_id = text(session, "id").unwrap_or_else(|| "adk-session".into());
    let events = array(session.get("events"));
    let mut invocations: Vec<&str> = Vec::new();
    for event in events {
        let Some(id) = event.get("invocation_id").and_then(Value::as_str) else { continue };
        if !invocations.contains(&id) {
            invocations.push(id);
        }
    }
    for id in invocations {
        let of_turn: Vec<&Value> =
            events.iter().filter(|e| e.get("invocation_id").and_then(Value::as_str) == Some(id)).collect();
        let asked = of_turn.iter().find(|e| e.get("author").and_then(Value::as_str) == Some("user"));
        let answered = of_turn.iter().rev().find(|e| e.get("author").and_then(Value::as_str) != Some("user"));
        let mut attributes = vec![("gen_ai.operation.name".to_string(), json!("invoke_agent"))];
        push(&mut attributes, "session.id", session.get("id").cloned());
        push(&mut attributes, "input.value", asked.and_then(|e| e.get("content")).map(|c| json!({ "contents": [c] })));
        push(&mut attributes, "output.value", answered.and_then(|e| e.get("content")).map(|c| json!([c])));
        spans.push(SpanData {
            trace_id: trace_id.clone(),
            span_id: format!("invocation-{id}"),
            name: format!("invocation {id}"),
            start_ms: of_turn.first().and_then(|e| time_ms(e.get("timestamp"))),
            attributes,
            ..SpanData::default()
        });
    }
    for log in array(session.get("event_logs")) {
        let mut attributes = vec![("gen_ai.operation.name".to_string(), json!("generate_content"))];
        push(&mut attributes, "gcp.vertex.agent.llm_request", log.get("model_request").cloned());
        push(&mut attributes, "gcp.vertex.agent.llm_response", log.get("model_response").cloned());
        let invocation = text(log, "invocation_id").unwrap_or_default();
        let event_id = text(log, "event_id").unwrap_or_default();
        // The event the model's answer became says when the request was made.
        let event = events.iter().find(|e| e.get("id").and_then(Value::as_str) == Some(event_id.as_str()));
        spans.push(SpanData {
            trace_id: trace_id.clone(),
            start_ms: event.and_then(|e| time_ms(e.get("timestamp"))),
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
fn push_io(attributes: &mut Vec<(String, Value)>, input: Option<&Value>, output: Option<&Value>) {
    let (input, output) = (input.map(parsed), output.map(parsed));
    match input.as_ref().and_then(messages_in) {
        Some(messages) => push(attributes, "gen_ai.input.messages", Some(messages)),
        None => push(attributes, "input.value", input.as_ref().map(as_request)),
    }
    match output.as_ref().and_then(messages_in) {
        Some(messages) => push(attributes, "gen_ai.output.messages", Some(messages)),
        None => push(attributes, "output.value", output.as_ref().map(as_reply)),
    }
}

/// JSON written as text (as some exports write every value) parsed; other values as they are.
fn parsed(value: &Value) -> Value {
    match value {
        Value::String(s) if s.trim_start().starts_with(['{', '[']) => {
            serde_json::from_str(s).unwrap_or_else(|_| value.clone())
        }
        other => other.clone(),
    }
}

/// What a step answered as a response body: text is the model's reply.
fn as_reply(value: &Value) -> Value {
    match value {
        Value::String(text) => json!([{ "role": "assistant", "content": text }]),
        other => other.clone(),
    }
}

/// An OpenAI Agents SDK trace: the workflow, with its `group_id` (the conversation it belongs
/// to, a label) as `gen_ai.conversation.id`.
pub fn agents_trace(trace: &Value) -> SpanData {
    let id = text(trace, "id").unwrap_or_default();
    let mut attributes = Vec::new();
    push(&mut attributes, "gen_ai.conversation.id", trace.get("group_id").cloned());
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
pub fn agents_span(span: &Value) -> SpanData {
    let data = span.get("span_data").cloned().unwrap_or_default();
    let kind = text(&data, "type").unwrap_or_default();
    let operation = match kind.as_str() {
        "generation" | "response" => Some("chat"),
        "agent" => Some("invoke_agent"),
        "function" => Some("execute_tool"),
        _ => None,
    };
    let mut attributes = vec![("openai.agents.span_type".to_string(), json!(kind))];
    push(&mut attributes, "gen_ai.operation.name", operation.map(Value::from));
    push(&mut attributes, "gen_ai.request.model", data.get("model").cloned());
    push(&mut attributes, "gen_ai.response.id", data.get("response_id").cloned());
    push_io(&mut attributes, data.get("input"), data.get("output"));
    let trace_id = text(span, "trace_id").unwrap_or_default();
    SpanData {
        span_id: text(span, "id").unwrap_or_default(),
        parent_span_id: text(span, "parent_id").or_else(|| Some(trace_id.clone())),
        trace_id,
        name: text(&data, "name").unwrap_or(kind),
        start_ms: time_ms(span.get("started_at")),
        end_ms: time_ms(span.get("ended_at")),
        attributes,
        ..SpanData::default()
    }
}

/// A tool's input as a request body: an object as it is, anything else under `input`.
fn as_request(value: &Value) -> Value {
    match value {
        Value::Object(_) => value.clone(),
        other => json!({ "input": other }),
    }
}

/// The messages a recorded input or output holds, as `{role, content}` items: a list of
/// messages, an object with `messages` (LangChain nests them one list deeper), LangChain's
/// `generations`, or one message object.
fn messages_in(value: &Value) -> Option<Value> {
    let list = match value {
        Value::Array(items) if items.iter().all(is_message) && !items.is_empty() => items.clone(),
        Value::Object(map) => {
            let nested = map.get("messages").or_else(|| map.get("generations"));
            match nested {
                Some(Value::Array(items)) => flatten_lists(items),
                _ if is_message(value) => vec![value.clone()],
                _ => return None,
            }
        }
        _ => return None,
    };
    let messages: Vec<Value> = list.iter().filter_map(plain_message).collect();
    (!messages.is_empty()).then_some(Value::Array(messages))
}

/// LangChain writes a batch of message lists: `[[m1, m2]]`.
fn flatten_lists(items: &[Value]) -> Vec<Value> {
    items.iter().flat_map(|item| item.as_array().cloned().unwrap_or_else(|| vec![item.clone()])).collect()
}

fn is_message(value: &Value) -> bool {
    value.get("role").is_some() || value.get("content").is_some() || value.get("kwargs").is_some()
}

/// One message as `{role, content}`: plain, a LangChain serialized message (`{"lc": 1, "id":
/// [..., "HumanMessage"], "kwargs": {"content": …}}`) or a generation (`{"text", "message"}`).
fn plain_message(value: &Value) -> Option<Value> {
    if let Some(message) = value.get("message").filter(|m| m.is_object()) {
        return plain_message(message);
    }
    if let Some(kwargs) = value.get("kwargs") {
        let class = array(value.get("id")).last().and_then(Value::as_str).unwrap_or_default();
        let role = match class {
            "HumanMessage" | "HumanMessageChunk" => "user",
            "AIMessage" | "AIMessageChunk" => "assistant",
            "SystemMessage" => "system",
            "ToolMessage" => "tool",
            _ => "unknown",
        };
        let mut message = json!({ "role": role, "content": kwargs.get("content").cloned().unwrap_or(Value::Null) });
        if let Some(calls) = kwargs.get("tool_calls").filter(|c| c.as_array().is_some_and(|a| !a.is_empty())) {
            message["tool_calls"] = calls.clone();
        }
        return Some(message);
    }
    let langchain_role = match value.get("type").and_then(Value::as_str) {
        Some("human") => Some("user"),
        Some("ai") => Some("assistant"),
        Some(role @ ("system" | "tool")) => Some(role),
        _ => None,
    };
    if let (Some(role), None, Some(content)) = (langchain_role, value.get("role"), value.get("content")) {
        return Some(json!({ "role": role, "content": content }));
    }
    if value.get("role").is_some() || value.get("content").is_some() {
        return Some(value.clone());
    }
    let text = value.get("text").and_then(Value::as_str)?;
    Some(json!({ "role": "assistant", "content": text }))
}
