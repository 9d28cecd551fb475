//! VCR cassettes in their dialects: vcrpy YAML (current and legacy: top-level list,
//! `!!python/object` tags, headers as `"Name: value"` strings or tuples), pydantic-ai's
//! `parsed_body`, Ruby VCR and betamax (`http_interactions`, `base64_string`), `!!binary` and
//! gzip bodies; and WebSocket cassettes (`interactions[]` of `kind`/`direction`/`data`).
//! YAML and JSON go through the same bounded document, then through one interpreter.

use super::{body::decode_base64, decode_body, time::parse_rfc3339_ms, Read, Text};
use crate::error::{Error, Result};
use crate::json::Node;
use crate::limits::Limits;
use crate::model::{Body, Call, Direction, Format, Frame, Headers, Request, Response, Source, Transport, Url};

/// The interactions of a cassette-shaped document, if it is one.
pub fn interactions(document: Node) -> Option<Node> {
    // A legacy top-level list: some of its first items are interactions.
    if document.is_list() {
        let interaction = |i: Node| i.get("request").is_some() || i.get("direction").is_some();
        return document.items().take(8).any(interaction).then_some(document);
    }
    document.get("interactions").or_else(|| document.get("http_interactions"))
}

pub fn read(document: Node, source: &Text, limits: &Limits) -> Result<Read> {
    let Some(interactions) = interactions(document).filter(Node::is_list) else {
        return Err(Error::malformed("The cassette's `interactions` is not a list.").at(source.location_at(0)));
    };
    limits.check_calls(interactions.len(), "The cassette", "interactions")?;
    let mut read = Read::new(Format::Vcr);
    if interactions.items().any(|i| i.get("direction").is_some() && i.get("request").is_none()) {
        read.format = Format::WebsocketCassette;
        read.calls.push(websocket_call(interactions, source.input, limits));
        return Ok(read);
    }
    for (index, interaction) in interactions.items().enumerate() {
        let mut notes = Vec::new();
        match http_call(interaction, index, source.input, limits, &mut notes) {
            Some(call) => read.calls.push(call),
            None => notes.push("has no request and was skipped".into()),
        }
        read.warnings.entry_notes("Interaction", index, notes);
    }
    if read.calls.is_empty() && !interactions.is_empty() {
        return Err(Error::malformed("The cassette has interactions but none of them holds a request.")
            .at(source.location_at(0)));
    }
    Ok(read)
}

fn text(value: Option<Node<'_>>) -> Option<&str> {
    value.and_then(|value| value.as_str())
}

fn http_call(interaction: Node, index: usize, input: usize, limits: &Limits, notes: &mut Vec<String>) -> Option<Call> {
    // xAI's gRPC cassettes record a JSON rendering of each message under `*_sample.json`.
    let (request, response) = match (interaction.get("request"), interaction.get("request_sample")) {
        (Some(request), _) => (request, interaction.get("response")),
        (None, Some(sample)) => (sample, interaction.get("response_sample")),
        _ => return None,
    };
    let request_headers = Headers::from_node(request.get("headers"));
    let url = url_of(request);
    let method = text(request.get("method")).unwrap_or("POST").to_ascii_uppercase();
    let request_body = body_of(request, &request_headers, limits, "request", notes);
    let response = response.map(|response| {
        let headers = Headers::from_node(response.get("headers"));
        let status = status_of(response.get("status"));
        let body = body_of(response, &headers, limits, "response", notes);
        Response { status, headers, body }
    });
    let transport = match &response {
        Some(r) if r.body.is_event_stream() => Transport::Sse,
        _ => Transport::Http,
    };
    Some(Call {
        source: Source { input, entry: index },
        started_ms: text(interaction.get("recorded_at")).and_then(parse_rfc3339_ms),
        transport,
        request: Request { method, url, headers: request_headers, body: request_body },
        response,
        ..Call::default()
    })
}

fn url_of(request: Node) -> Url {
    if let Some(raw) = text(request.get("uri")).or_else(|| text(request.get("url"))) {
        return Url::parse(raw);
    }
    // Legacy vcrpy: protocol, host, port and path as separate fields.
    let host = text(request.get("host")).unwrap_or("");
    let scheme = text(request.get("protocol")).unwrap_or("http");
    let path = text(request.get("path")).unwrap_or("/");
    if host.is_empty() {
        return Url { path: String::new(), ..Url::default() };
    }
    let port = request.get("port").and_then(|port| port.as_u64());
    let default_port = matches!((scheme, port), ("http", Some(80)) | ("https", Some(443)) | (_, None));
    let authority = if default_port { host.to_string() } else { format!("{host}:{}", port.unwrap_or(0)) };
    Url::parse(&format!("{scheme}://{authority}{path}"))
}

fn status_of(status: Option<Node>) -> u16 {
    let code = match status {
        Some(map) if map.is_object() => map.get("code"),
        other => other,
    };
    match code {
        Some(n) if n.is_number() => n.as_u64().filter(|&n| n < 1000).unwrap_or(0) as u16,
        Some(s) => s.as_str().and_then(|s| s.trim().split(' ').next()?.parse().ok()).unwrap_or(0),
        None => 0,
    }
}

fn body_of(message: Node, headers: &Headers, limits: &Limits, side: &str, notes: &mut Vec<String>) -> Body {
    let content_type = headers.get("content-type").map(str::to_string);
    // Bodies the recorder already parsed: pydantic-ai's `parsed_body`, xAI's `json`.
    if let Some(parsed) = message.get("parsed_body").or_else(|| message.get("json")) {
        return Body::from_node(parsed);
    }
    if let Some(file) = text(message.get("body_file")) {
        notes.push(format!("keeps its {side} body in a separate file ({file}), which is not read"));
        return Body::new(Vec::new(), content_type);
    }
    let Some(body) = message.get("body").filter(|body| !body.is_null()) else {
        return Body::new(Vec::new(), content_type);
    };
    let (raw, base64) = match body.as_str() {
        Some(s) => (s, false),
        None if !body.is_object() => return Body::from_node(body),
        None => match (text(body.get("base64_string")), body.get("string")) {
            (Some(b64), _) => (b64, true),
            (None, Some(string)) if !string.is_null() => match string.as_str() {
                Some(s) => (s, false),
                None => return Body::from_node(string),
            },
            _ => return Body::new(Vec::new(), content_type),
        },
    };
    let encoding = headers.get("content-encoding");
    // `!!binary` bodies reach us as their base64 text; recognize them by what they decode to.
    let binary = !base64 && looks_like_binary_yaml(raw, encoding);
    let (bytes, note) = decode_body(raw.as_bytes().to_vec(), base64 || binary, encoding, limits);
    if let Some(note) = note {
        notes.push(format!("{side}: {note}"));
    }
    Body::new(bytes, content_type)
}

/// True for the base64 text of a `!!binary` body: base64 alphabet only, and decoding to compressed
/// data or to something that is not text.
fn looks_like_binary_yaml(raw: &str, encoding: Option<&str>) -> bool {
    let candidate = raw.len() >= 8
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r' | b'-' | b'_'));
    if !candidate {
        return false;
    }
    match decode_base64(raw.as_bytes()) {
        Some(decoded) => {
            encoding.is_some() || decoded.starts_with(&[0x1f, 0x8b]) || std::str::from_utf8(&decoded).is_err()
        }
        None => false,
    }
}

/// A WebSocket cassette is one connection: each interaction is a message or a close event.
fn websocket_call(interactions: Node, input: usize, limits: &Limits) -> Call {
    let frames = interactions
        .items()
        .filter(|i| text(i.get("kind")).is_none_or(|k| k == "message"))
        .map(|i| {
            let direction =
                if text(i.get("direction")) == Some("sent") { Direction::Sent } else { Direction::Received };
            let body = match i.get("data") {
                Some(data) => match data.as_str() {
                    Some(s) => Body::new(decode_body(s.as_bytes().to_vec(), false, None, limits).0, None),
                    None => Body::from_node(data),
                },
                None => Body::default(),
            };
            Frame { direction, time_ms: None, body }
        })
        .collect();
    Call {
        source: Source { input, entry: 0 },
        started_ms: None,
        transport: Transport::Websocket,
        request: Request {
            method: "GET".into(),
            url: Url { path: String::new(), ..Url::default() },
            headers: Headers::default(),
            body: Body::default(),
        },
        frames,
        ..Call::default()
    }
}
