//! The places in a call where a handle can sit, and the values found there. Requests and sent
//! WebSocket messages are where the client *sends* values; responses and received messages are
//! where the server *mints* them.

use super::lexicon::{self, Meaning};
use super::place::{At, Part, Side as Facing};
use crate::model::{Body, Call, Direction, Headers};
use serde_json::Value;

/// How a value is placed in a request or response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Path,
    Query,
    Header,
    Cookie,
    /// A body field outside the conversation items: where references go.
    Body,
    /// A field inside the conversation items of a request (`messages[3].tool_call_id`): replayed
    /// content, not a reference, unless its name says it refers to a stored resource.
    Content,
    /// A field of a WebSocket message.
    Frame,
    /// A span attribute (`session.id`, `gen_ai.conversation.id`).
    Attribute,
}

#[derive(Debug, Clone)]
pub struct Token<'t> {
    pub value: &'t str,
    pub position: Position,
    /// The name that says what the value is: the field, header, cookie or query name, or for a
    /// path segment the collection before it (`threads` in `/threads/thread_abc`).
    pub name: String,
    /// The place (printed in reports as `request.body/previous_response_id`).
    pub at: At,
}

/// Which side of the exchange a group of tokens belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Sends,
    Mints,
}

/// One step of the exchange, in order: a request, a response, or a WebSocket message.
pub struct Step<'t> {
    pub call: usize,
    pub side: Side,
    pub tokens: Vec<Token<'t>>,
}

/// The steps of every call, in trace order.
pub fn steps(calls: &[Call]) -> Vec<Step<'_>> {
    let mut steps = Vec::with_capacity(calls.len() * 2);
    for (index, call) in calls.iter().enumerate() {
        // A telemetry upload repeats ids it observed; it does not depend on them.
        let tokens = if is_telemetry(call) { Vec::new() } else { request_tokens(call) };
        steps.push(Step { call: index, side: Side::Sends, tokens });
        if let Some(response) = &call.response {
            let mut tokens = Vec::new();
            header_tokens(&response.headers, Facing::Received, &mut tokens);
            body_tokens(&response.body, &At::body(Facing::Received), Position::Body, &mut tokens);
            steps.push(Step { call: index, side: Side::Mints, tokens });
        }
        for (n, frame) in call.frames.iter().enumerate() {
            let (side, facing) = match frame.direction {
                Direction::Sent => (Side::Sends, Facing::Sent),
                Direction::Received => (Side::Mints, Facing::Received),
            };
            let mut tokens = Vec::new();
            let at = At::new(facing, Part::Frame { index: n + 1, pointer: String::new() });
            body_tokens(&frame.body, &at, Position::Frame, &mut tokens);
            steps.push(Step { call: index, side, tokens });
        }
    }
    steps
}

fn request_tokens(call: &Call) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let url = &call.request.url;
    let segments: Vec<&str> = url.path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, segment) in segments.iter().enumerate() {
        if is_handle_like(segment) {
            let collection = if i > 0 { segments[i - 1] } else { "" };
            tokens.push(Token {
                value: segment,
                position: Position::Path,
                name: collection.to_string(),
                at: At::sent(path_place(&segments, i)),
            });
        }
    }
    for (name, value) in &url.query {
        if is_handle_like(value) && !is_noise_name(name) {
            tokens.push(Token {
                value,
                position: Position::Query,
                name: name.clone(),
                at: At::sent(Part::Query { name: name.clone() }),
            });
        }
    }
    header_tokens(&call.request.headers, Facing::Sent, &mut tokens);
    body_tokens(&call.request.body, &At::body(Facing::Sent), Position::Body, &mut tokens);
    if let Some(span) = &call.span {
        for (key, value) in &span.attributes {
            // What the response said (`gen_ai.response.id`) is in the response body already; the
            // request side is what the caller sent or declared.
            let said_by_server =
                key.contains(".response.") || key.starts_with("llm.output") || key.starts_with("output.");
            if !said_by_server && is_handle_like(value) && !is_ignored_attribute(key) && !lexicon::is_credential(key) {
                tokens.push(Token {
                    value,
                    position: Position::Attribute,
                    name: key.clone(),
                    at: At::sent(Part::Attribute { key: key.clone() }),
                });
            }
        }
    }
    tokens
}

/// Uploads to tracing, logging and analytics services (OTLP, Sentry, Langfuse, LangSmith…).
fn is_telemetry(call: &Call) -> bool {
    let url = &call.request.url;
    const PATHS: &[&str] = &[
        "/v1/traces",
        "/v1/logs",
        "/v1/metrics",
        "/api/public/ingestion",
        "/api/public/otel",
        "/envelope",
        "/runs/batch",
        "/api/v2/spans",
        "/v1/batch",
        "/ingest",
        "/e/",
        "/batch/",
    ];
    const HOSTS: &[&str] = &[
        "sentry.io",
        "datadoghq",
        "segment.io",
        "posthog",
        "langfuse",
        "smith.langchain.com",
        "honeycomb.io",
        "mixpanel",
        "amplitude",
        "telemetry",
        "otel",
        "browser-intake",
    ];
    let host = url.hostname();
    // `p` at the end of the path or followed by `/`, found without building strings per call.
    let under = |p: &str| {
        url.path.match_indices(p).any(|(i, _)| matches!(url.path.as_bytes().get(i + p.len()), None | Some(b'/')))
    };
    HOSTS.iter().any(|h| host.contains(h)) || PATHS.iter().any(|p| under(p))
}

/// Attributes that identify the trace, the code or the deployment, never server state.
fn is_ignored_attribute(key: &str) -> bool {
    /// Attributes that record what a model was sent or said (messages, prompts, tool calls):
    /// their ids are conversation content, already read as the call's body.
    const CONTENT: &[&str] = &[
        "llm.",
        "gen_ai.prompt",
        "gen_ai.completion",
        "gen_ai.input.",
        "gen_ai.output.",
        "gen_ai.system_instructions",
        "input.",
        "output.",
        "ai.prompt",
        "ai.response",
        "ai.toolCall",
        "pydantic_ai.",
        "gcp.vertex.agent.llm_",
        "gcp.vertex.agent.tool_",
    ];
    CONTENT.iter().any(|prefix| key.starts_with(prefix))
        || key.contains("tool")
        || key.contains("model")
        || key.contains("message")
        || key.contains("trace")
        || key.contains("span")
        || key.starts_with("telemetry.")
        || key.starts_with("service.")
        || key.starts_with("http.request.header.")
        || key.starts_with("http.response.header.")
        || key.ends_with(".model")
        || key.contains("model.id")
        || key.starts_with("code.")
        || key.starts_with("thread.")
}

/// The place of path segment `i`, printed as a template: the segment itself is `*`, other
/// handle-shaped segments `{id}`, so that no other handle shows in the clear.
pub fn path_place(segments: &[&str], i: usize) -> Part {
    let template: Vec<&str> = segments
        .iter()
        .enumerate()
        .map(|(j, s)| {
            if j == i {
                "*"
            } else if is_handle_like(s) {
                "{id}"
            } else {
                s
            }
        })
        .collect();
    Part::Segment { index: i, template: template.join("/") }
}

/// Header and cookie values that could be handles. Correlation and tracing ids, caching
/// validators, and standard headers are left out.
fn header_tokens<'t>(headers: &'t Headers, side: Facing, tokens: &mut Vec<Token<'t>>) {
    for (name, value) in &headers.0 {
        match name.as_str() {
            "cookie" | "set-cookie" => continue,
            "location" | "content-location" => {
                // A Location minted by the server: its path segments can come back in later URLs.
                let path = value.split(['?', '#']).next().unwrap_or("");
                if let Some(segment) = path.rsplit('/').next() {
                    if is_handle_like(segment) {
                        tokens.push(Token {
                            value: segment,
                            position: Position::Header,
                            name: name.clone(),
                            at: At::new(side, Part::Header { name: name.clone() }),
                        });
                    }
                }
                continue;
            }
            _ if is_ignored_header(name) || lexicon::is_credential(name) => continue,
            _ => {}
        }
        let value = value.trim();
        let value = value.strip_prefix("Bearer ").unwrap_or(value);
        if is_handle_like(value) {
            tokens.push(Token {
                value,
                position: Position::Header,
                name: name.clone(),
                at: At::new(side, Part::Header { name: name.clone() }),
            });
        }
    }
    let cookies: Box<dyn Iterator<Item = (&str, &str)>> =
        if side == Facing::Sent { Box::new(headers.cookies()) } else { Box::new(headers.set_cookies()) };
    for (name, value) in cookies {
        // A cookie the server set and the browser returns is the session mechanism itself,
        // whatever it is called; only anti-forgery cookies are left out.
        let anti_forgery = lexicon::words(name).iter().any(|w| w.contains("csrf") || w.contains("xsrf"));
        if !value.is_empty() && value.len() <= 4096 && !is_bot_management_cookie(name) && !anti_forgery {
            tokens.push(Token {
                value,
                position: Position::Cookie,
                name: name.to_string(),
                at: At::new(side, Part::Cookie { name: name.to_string() }),
            });
        }
    }
}

/// Keys of a request body whose array items are conversation content.
const CONTENT_ARRAYS: &[&str] = &["messages", "input", "contents", "history", "turns", "items", "prompt", "system"];

fn body_tokens<'t>(body: &'t Body, prefix: &At, position: Position, tokens: &mut Vec<Token<'t>>) {
    if let Some(json) = body.json() {
        walk(json, &mut Vec::new(), prefix, position, tokens);
    } else if let Some(text) = body.text().filter(|_| body.is_form()) {
        for pair in text.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = value.trim();
            if is_handle_like(value) && !lexicon::is_credential(name) {
                let mut at = prefix.clone();
                at.push_raw(name);
                tokens.push(Token { value, position, name: name.to_string(), at });
            }
        }
    }
    for (n, event) in body.events().iter().enumerate() {
        if let Some(json) = event.json() {
            walk(json, &mut Vec::new(), &prefix.event(n + 1), position, tokens);
        }
    }
}

enum Segment<'v> {
    Key(&'v str),
    Index(usize),
}

fn walk<'t>(
    value: &'t Value,
    path: &mut Vec<Segment<'t>>,
    prefix: &At,
    position: Position,
    tokens: &mut Vec<Token<'t>>,
) {
    match value {
        Value::Object(map) => {
            // `{"type": "item_reference", "id": …}` refers to a stored item even inside content.
            let reference = map.get("type").and_then(Value::as_str).is_some_and(|t| t.ends_with("reference"));
            for (key, child) in map {
                if is_noise_name(key) {
                    continue;
                }
                path.push(Segment::Key(key));
                if reference && key == "id" {
                    if let Value::String(s) = child {
                        push_leaf(s, path, prefix, Position::Body, tokens);
                    }
                } else {
                    walk(child, path, prefix, position, tokens);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                walk(child, path, prefix, position, tokens);
                path.pop();
            }
        }
        Value::String(s) => push_leaf(s, path, prefix, position, tokens),
        _ => {}
    }
}

fn push_leaf<'t>(value: &'t str, path: &[Segment<'t>], prefix: &At, position: Position, tokens: &mut Vec<Token<'t>>) {
    if !is_handle_like(value) {
        return;
    }
    let name = path.iter().rev().find_map(|s| match s {
        Segment::Key(k) => Some(*k),
        Segment::Index(_) => None,
    });
    let name = name.unwrap_or("");
    if lexicon::is_credential(name) {
        return;
    }
    let in_content = position == Position::Body
        && *prefix == At::body(Facing::Sent)
        && matches!(path, [Segment::Key(k), Segment::Index(_), ..] if CONTENT_ARRAYS.contains(k));
    let position = if in_content { Position::Content } else { position };
    // Replayed content only counts where its name says it refers to a stored resource.
    if position == Position::Content && lexicon::meaning(name) != Some(Meaning::State(super::StateKind::Resource)) {
        return;
    }
    let mut at = prefix.clone();
    for segment in path {
        match segment {
            Segment::Key(k) => at.push_key(k),
            Segment::Index(i) => at.push_raw(&i.to_string()),
        }
    }
    tokens.push(Token { value, position, name: name.to_string(), at });
}

/// Names whose values are never handles: types, roles, models, timestamps, and the like.
fn is_noise_name(name: &str) -> bool {
    matches!(
        name,
        "type"
            | "object"
            | "role"
            | "status"
            | "model"
            | "created"
            | "created_at"
            | "updated_at"
            | "completed_at"
            | "expires_at"
            | "timestamp"
            | "date"
            | "version"
            | "finish_reason"
            | "stop_reason"
            | "encoding"
            | "system_fingerprint"
            | "service_tier"
            | "modelVersion"
            | "api-version"
            | "jsonrpc"
            | "method"
            | "mime_type"
            | "mimeType"
            | "media_type"
            | "content_type"
    )
}

/// Headers that carry no handle: standard ones, credentials (never compared), and the tracing
/// and correlation ids that every request and response carries.
fn is_ignored_header(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "host",
        "user-agent",
        "accept",
        "accept-encoding",
        "accept-language",
        "accept-charset",
        "content-type",
        "content-length",
        "content-encoding",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "origin",
        "referer",
        "cache-control",
        "pragma",
        "expires",
        "date",
        "server",
        "via",
        "vary",
        "age",
        "etag",
        "if-none-match",
        "if-match",
        "if-modified-since",
        "last-modified",
        "upgrade",
        "dnt",
        "upgrade-insecure-requests",
        "te",
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",
        "traceparent",
        "tracestate",
        "baggage",
        "sentry-trace",
        "cf-ray",
        "cf-cache-status",
        "alt-svc",
        "strict-transport-security",
        "content-security-policy",
        "report-to",
        "nel",
        "x-content-type-options",
        "x-frame-options",
        "x-xss-protection",
        "priority",
        "link",
        "openai-organization",
        "openai-project",
        "anthropic-organization-id",
        "x-envoy-upstream-service-time",
        "openai-processing-ms",
        "openai-version",
        "anthropic-version",
        "x-goog-api-client",
        "content-disposition",
        "retry-after",
        "x-amz-date",
        "x-amz-content-sha256",
        "x-amz-security-token",
        "x-amzn-bedrock-agent-content-type",
    ];
    const PARTS: &[&str] = &[
        "request-id",
        "requestid",
        "trace",
        "correlation",
        "span-id",
        "x-b3-",
        "ratelimit",
        "rate-limit",
        "x-stainless",
        "sec-",
        "access-control-",
        "x-cache",
        "x-served-by",
        "x-timer",
        "x-runtime",
        "cloudfront",
        "x-amz-cf",
        "x-ms-",
        "apim-",
        "x-github-",
        "x-forwarded",
        "x-real-ip",
        "signature",
    ];
    EXACT.contains(&name) || PARTS.iter().any(|p| name.contains(p))
}

/// Cookies that bot management and load balancers set on every visitor; they carry no
/// application state.
fn is_bot_management_cookie(name: &str) -> bool {
    const NAMES: &[&str] = &["__cf_bm", "_cfuvid", "cf_clearance", "__cfruid", "__cflb", "cf_chl_2", "cf_chl_prog"];
    const PREFIXES: &[&str] = &["AWSALB", "AWSELB", "_ga", "_gid", "_gcl", "__utm", "_fbp", "ai_"];
    NAMES.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Placeholders that recorders write over real values (`FILTERED`, `COOKIE-XXX`, `<API_KEY>`,
/// `0000000000000000`): the same text everywhere, so it would link unrelated calls.
fn is_scrubbed(value: &str) -> bool {
    const MARKS: &[&str] = &["FILTERED", "REDACTED", "XXX", "xxx", "SCRUBBED", "MASKED", "PLACEHOLDER", "DUMMY", "***"];
    if value.contains(['<', '>']) || MARKS.iter().any(|m| value.contains(m)) {
        return true;
    }
    let mut distinct = [false; 256];
    value.bytes().for_each(|b| distinct[b as usize] = true);
    distinct.iter().filter(|&&d| d).count() < 4
}

/// Whether a value is shaped like a minted handle: an opaque token, not prose, not a number,
/// not a timestamp, not a common word.
pub fn is_handle_like(value: &str) -> bool {
    let len = value.len();
    if !(8..=512).contains(&len) {
        return false;
    }
    let bytes = value.as_bytes();
    if bytes.iter().any(|b| b.is_ascii_whitespace() || *b < 0x20) {
        return false;
    }
    if is_scrubbed(value) {
        return false;
    }
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    let alnum = bytes.iter().filter(|b| b.is_ascii_alphanumeric()).count();
    // Mostly punctuation (JSON, URLs with many parts, paths) or pure numbers are not handles.
    if alnum * 10 < len * 7 || digits == len {
        return false;
    }
    if value.starts_with("http://") || value.starts_with("https://") || value.starts_with('{') {
        return false;
    }
    // Timestamps and dates: 2024-01-01T…, 2024-01-01
    if len >= 10 && bytes[4] == b'-' && bytes[7] == b'-' && bytes[..4].iter().all(u8::is_ascii_digit) {
        return false;
    }
    // A word or a phrase in snake/kebab case without digits reads as a name, not a handle,
    // unless it is long and mixed-case like a random token.
    if digits == 0 {
        let upper = bytes.iter().filter(|b| b.is_ascii_uppercase()).count();
        let lower = bytes.iter().filter(|b| b.is_ascii_lowercase()).count();
        return len >= 16 && upper >= 2 && lower >= 2 && !value.contains(['.', '_', '-', '/']);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::is_handle_like;

    #[test]
    fn handle_shapes() {
        for yes in [
            "resp_0941b08f06efed9e00697312fcce9c819080f2ec731d0d34ed",
            "00d24e6e5a6214603e10da907443ff90",
            "550e8400-e29b-41d4-a716-446655440000",
            "cachedContents/abc123def456",
            "RxX1eusrYsxXj1VxCMe3qcGXmrfCOHx3",
        ] {
            assert!(is_handle_like(yes), "{yes}");
        }
        for no in [
            "completed",
            "2024-01-01T00:00:00Z",
            "1769149180",
            "hello world 123",
            "short1",
            "https://api.openai.com/v1/x1",
            "application_json",
        ] {
            assert!(!is_handle_like(no), "{no}");
        }
    }
}
