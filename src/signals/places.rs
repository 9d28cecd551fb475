//! The places in a call where a handle can sit, and the values found there. Requests and sent
//! WebSocket messages are where the client *sends* values; responses and received messages are
//! where the server *mints* them.

use super::lexicon;
use super::place::{At, Part, Side as Facing};
pub use crate::facts::is_handle_like;
use crate::facts::{is_noise_name, Role};
use crate::model::{Body, Call, Direction, Headers, Url};
use rustc_hash::FxHashMap;

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
    pub name: &'t str,
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
    // Whether a host and path receive telemetry, told once per URL: a trace repeats a few.
    let mut telemetry: FxHashMap<(&str, &str), bool> = FxHashMap::default();
    let mut left_out = LeftOut::default();
    for (index, call) in calls.iter().enumerate() {
        let url = &call.request.url;
        let uploads = *telemetry.entry((&url.host, &url.path)).or_insert_with(|| is_telemetry(url));
        // A telemetry upload repeats ids it observed; it does not depend on them.
        let tokens = if uploads { Vec::new() } else { request_tokens(call, &mut left_out) };
        steps.push(Step { call: index, side: Side::Sends, tokens });
        if let Some(response) = &call.response {
            let mut tokens = Vec::new();
            header_tokens(&response.headers, Facing::Received, &mut left_out, &mut tokens);
            body_tokens(&response.body, Role::Response, &At::body(Facing::Received), Position::Body, &mut tokens);
            steps.push(Step { call: index, side: Side::Mints, tokens });
        }
        for (n, frame) in call.frames.iter().enumerate() {
            let (side, facing) = match frame.direction {
                Direction::Sent => (Side::Sends, Facing::Sent),
                Direction::Received => (Side::Mints, Facing::Received),
            };
            let mut tokens = Vec::new();
            let at = At::new(facing, Part::Frame { index: n + 1, pointer: String::new() });
            body_tokens(&frame.body, Role::Frame, &at, Position::Frame, &mut tokens);
            steps.push(Step { call: index, side, tokens });
        }
    }
    steps
}

fn request_tokens<'t>(call: &'t Call, left_out: &mut LeftOut<'t>) -> Vec<Token<'t>> {
    let mut tokens = Vec::new();
    let url = &call.request.url;
    let segments: Vec<&str> = url.path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, segment) in segments.iter().enumerate() {
        if is_handle_like(segment) {
            let collection = if i > 0 { segments[i - 1] } else { "" };
            tokens.push(Token {
                value: segment,
                position: Position::Path,
                name: collection,
                at: At::sent(path_place(&segments, i)),
            });
        }
    }
    for (name, value) in &url.query {
        if is_handle_like(value) && !is_noise_name(name) {
            tokens.push(Token {
                value,
                position: Position::Query,
                name,
                at: At::sent(Part::Query { name: name.clone() }),
            });
        }
    }
    header_tokens(&call.request.headers, Facing::Sent, left_out, &mut tokens);
    body_tokens(&call.request.body, Role::Request, &At::body(Facing::Sent), Position::Body, &mut tokens);
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
                    name: key,
                    at: At::sent(Part::Attribute { key: key.clone() }),
                });
            }
        }
    }
    tokens
}

/// Uploads to tracing, logging and analytics services (OTLP, Sentry, Langfuse, LangSmith…).
fn is_telemetry(url: &Url) -> bool {
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
/// Header names whose values are left out (standard, correlation and tracing headers,
/// credentials), told once per name: a trace repeats a few dozen names in every call.
#[derive(Default)]
struct LeftOut<'t>(FxHashMap<&'t str, bool>);

impl<'t> LeftOut<'t> {
    fn header(&mut self, name: &'t str) -> bool {
        *self.0.entry(name).or_insert_with(|| is_ignored_header(name) || lexicon::is_credential(name))
    }
}

fn header_tokens<'t>(headers: &'t Headers, side: Facing, left_out: &mut LeftOut<'t>, tokens: &mut Vec<Token<'t>>) {
    for (name, value) in headers.iter() {
        match name {
            "cookie" | "set-cookie" => continue,
            "location" | "content-location" => {
                // A Location minted by the server: its path segments can come back in later URLs.
                let path = value.split(['?', '#']).next().unwrap_or("");
                if let Some(segment) = path.rsplit('/').next() {
                    if is_handle_like(segment) {
                        tokens.push(Token {
                            value: segment,
                            position: Position::Header,
                            name,
                            at: At::new(side, Part::Header { name: name.to_string() }),
                        });
                    }
                }
                continue;
            }
            _ if left_out.header(name) => continue,
            _ => {}
        }
        let value = value.trim();
        let value = value.strip_prefix("Bearer ").unwrap_or(value);
        if is_handle_like(value) {
            tokens.push(Token {
                value,
                position: Position::Header,
                name,
                at: At::new(side, Part::Header { name: name.to_string() }),
            });
        }
    }
    // A loop per kind of cookie list, not one over a boxed iterator: the box's vtables would
    // compile the iterators' unused methods into the wasm (1 KB).
    if side == Facing::Sent {
        headers.cookies().for_each(|(name, value)| cookie_token(name, value, side, tokens));
    } else {
        headers.set_cookies().for_each(|(name, value)| cookie_token(name, value, side, tokens));
    }
}

/// A cookie whose value could be a handle. A cookie the server set and the browser returns is the
/// session mechanism itself, whatever it is called; only anti-forgery cookies are left out.
fn cookie_token<'t>(name: &'t str, value: &'t str, side: Facing, tokens: &mut Vec<Token<'t>>) {
    let anti_forgery = lexicon::word_slices(name)
        .any(|w| lexicon::contains_ignoring_case(w, "csrf") || lexicon::contains_ignoring_case(w, "xsrf"));
    if !value.is_empty() && value.len() <= 4096 && !is_bot_management_cookie(name) && !anti_forgery {
        tokens.push(Token {
            value,
            position: Position::Cookie,
            name,
            at: At::new(side, Part::Cookie { name: name.to_string() }),
        });
    }
}

fn body_tokens<'t>(body: &'t Body, role: Role, prefix: &At, position: Position, tokens: &mut Vec<Token<'t>>) {
    let facts = body.facts(role);
    if !facts.json {
        if let Some(text) = body.text().filter(|_| body.is_form()) {
            for pair in text.split('&') {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let value = value.trim();
                if is_handle_like(value) && !lexicon::is_credential(name) {
                    let mut at = prefix.clone();
                    at.push_raw(name);
                    tokens.push(Token { value, position, name, at });
                }
            }
        }
    }
    for candidate in &facts.candidates {
        let position = match (candidate.content, candidate.reference) {
            (true, _) => Position::Content,
            (false, true) => Position::Body,
            (false, false) => position,
        };
        let mut at = match candidate.event {
            Some(n) => prefix.event(n + 1),
            None => prefix.clone(),
        };
        at.push_pointer(&candidate.pointer);
        tokens.push(Token { value: &candidate.value, position, name: &candidate.name, at });
    }
}

/// Header names that never carry a handle (see [`is_ignored_header`]).
const IGNORED_HEADERS: &[&str] = &[
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

/// Parts of header names that never carry a handle: ids of requests and traces, rate limits,
/// caches, proxies.
const IGNORED_HEADER_PARTS: &[&str] = &[
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

/// Headers that carry no handle: standard ones, credentials (never compared), and the tracing
/// and correlation ids that every request and response carries.
fn is_ignored_header(name: &str) -> bool {
    IGNORED_HEADERS.contains(&name) || IGNORED_HEADER_PARTS.iter().any(|p| name.contains(p))
}

/// Cookies that bot management and load balancers set on every visitor; they carry no
/// application state.
fn is_bot_management_cookie(name: &str) -> bool {
    const NAMES: &[&str] = &["__cf_bm", "_cfuvid", "cf_clearance", "__cfruid", "__cflb", "cf_chl_2", "cf_chl_prog"];
    const PREFIXES: &[&str] = &["AWSALB", "AWSELB", "_ga", "_gid", "_gcl", "__utm", "_fbp", "ai_"];
    NAMES.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}
