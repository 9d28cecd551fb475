//! nock recordings (`nock.recorder.rec({output_objects: true})`, nockBack fixtures): an array of
//! `{scope, method, path, body, status, response, rawHeaders, reqheaders}`. Responses recorded
//! as an array of hex chunks are the raw (often gzipped) bytes.

use super::{decode_body, Read};
use crate::json::Node;
use crate::limits::Limits;
use crate::model::{Body, Call, Format, Headers, Request, Response, Source, Url};

pub fn is_nock(document: Node) -> bool {
    document.item(0).is_some_and(|first| first.get("scope").is_some() && first.get("method").is_some())
}

pub fn read(document: Node, input: usize, limits: &Limits) -> Read {
    let mut read = Read::new(Format::Nock);
    for (index, record) in document.items().enumerate() {
        let mut notes = Vec::new();
        match call(record, index, input, limits, &mut notes) {
            Some(call) => read.calls.push(call),
            None => notes.push("has no `scope` and was skipped".into()),
        }
        read.warnings.entry_notes("Recording", index, notes);
    }
    read
}

/// Response headers as nock writes them: a flat `[name, value, name, value…]` list, or an object.
fn headers(value: Option<Node>) -> Headers {
    let Some(flat) = value.filter(Node::is_list) else { return Headers::from_node(value) };
    let mut headers = Headers::default();
    let mut items = flat.items();
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        if let Some(name) = name.as_str() {
            headers.push_node(name, value);
        }
    }
    headers
}

fn body(
    value: Option<Node>,
    headers: &Headers,
    binary: bool,
    limits: &Limits,
    side: &str,
    notes: &mut Vec<String>,
) -> Body {
    let content_type = headers.get("content-type").map(str::to_string);
    let Some(value) = value.filter(|value| !value.is_null()) else { return Body::new(Vec::new(), content_type) };
    let raw = match value.as_str() {
        Some(s) if binary => hex(s).unwrap_or_else(|| s.as_bytes().to_vec()),
        Some(s) => s.as_bytes().to_vec(),
        // Chunks of hex: the raw bytes of the response, compressed or not.
        None if value.is_list()
            && !value.is_empty()
            && value.items().all(|c| c.as_str().is_some_and(|s| hex(s).is_some())) =>
        {
            value.items().filter_map(|c| hex(c.as_str()?)).flatten().collect()
        }
        None => return Body::from_node(value),
    };
    let (bytes, note) = decode_body(raw, false, headers.get("content-encoding"), limits);
    notes.extend(note.map(|n| format!("{side}: {n}")));
    Body::new(bytes, content_type)
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

fn call(record: Node, index: usize, input: usize, limits: &Limits, notes: &mut Vec<String>) -> Option<Call> {
    let scope = record.get("scope")?.as_str()?;
    // `path` can be a string, or a `{regex}` in hand-edited fixtures.
    let path = record.get("path").and_then(|path| path.as_str()).unwrap_or("/");
    let url = Url::parse(&format!("{}{}", scope.trim_end_matches('/'), path));
    let method = record.get("method").and_then(|method| method.as_str()).unwrap_or("GET").to_ascii_uppercase();
    let request_headers = headers(record.get("reqheaders"));
    let response_headers = headers(record.get("rawHeaders").or_else(|| record.get("headers")));
    let binary = record.get("responseIsBinary").and_then(|binary| binary.as_bool()).unwrap_or(false);
    let request_body = body(record.get("body"), &request_headers, false, limits, "request", notes);
    let response_body = body(record.get("response"), &response_headers, binary, limits, "response", notes);
    let status = record.get("status").and_then(|status| status.as_u64()).filter(|s| *s < 1000).unwrap_or(0) as u16;
    let transport = if response_body.is_event_stream() { crate::model::Transport::Sse } else { Default::default() };
    Some(Call {
        source: Source { input, entry: index },
        transport,
        request: Request { method, url, headers: request_headers, body: request_body },
        response: Some(Response { status, headers: response_headers, body: response_body }),
        ..Call::default()
    })
}
