//! HAR 1.2 as real tools write it: Chrome (with `_webSocketMessages`), Firefox, Safari,
//! mitmproxy (`null` timings), Charles (base64 bodies), Polly.js (header values as arrays).
//! Each entry is parsed on its own, so one broken entry costs a warning, not the whole file.

use super::{body::decode_body, time::parse_rfc3339_ms, Read, Text, Warnings};
use crate::error::{Error, Location, Result};
use crate::limits::Limits;
use crate::model::{
    Body, Call, Diagnostic, Direction, Format, Frame, Headers, Request, Response, Severity, Source, Transport, Url,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// A HAR is a JSON object with a `log` key near its start.
pub fn looks_like_har(text: &str) -> bool {
    let head = &text.as_bytes()[..text.len().min(4096)];
    memchr::memmem::find(head, b"\"log\"").is_some()
}

#[derive(Deserialize)]
struct Document<'a> {
    #[serde(borrow)]
    log: Option<Log<'a>>,
}

#[derive(Deserialize)]
struct Log<'a> {
    #[serde(borrow, default)]
    entries: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow, rename = "startedDateTime", default)]
    started: Option<Cow<'a, str>>,
    #[serde(borrow)]
    request: Option<HarRequest<'a>>,
    #[serde(borrow, default)]
    response: Option<HarResponse<'a>>,
    #[serde(borrow, rename = "_webSocketMessages", default)]
    websocket_messages: Option<Vec<WebSocketMessage<'a>>>,
    #[serde(borrow, rename = "_resourceType", default)]
    resource_type: Option<Cow<'a, str>>,
    /// Total time in milliseconds (`null` in mitmproxy's exports).
    #[serde(default)]
    time: Option<f64>,
}

#[derive(Deserialize)]
struct HarRequest<'a> {
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    headers: Option<Vec<NameValue<'a>>>,
    #[serde(borrow, default)]
    cookies: Option<Vec<NameValue<'a>>>,
    #[serde(borrow, rename = "postData", default)]
    post_data: Option<PostData<'a>>,
}

#[derive(Deserialize)]
struct HarResponse<'a> {
    #[serde(default)]
    status: Option<Loose<'a>>,
    #[serde(borrow, default)]
    headers: Option<Vec<NameValue<'a>>>,
    #[serde(borrow, default)]
    cookies: Option<Vec<NameValue<'a>>>,
    #[serde(borrow, default)]
    content: Option<Content<'a>>,
}

#[derive(Deserialize)]
struct PostData<'a> {
    #[serde(borrow, rename = "mimeType", default)]
    mime_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    params: Option<Vec<NameValue<'a>>>,
    #[serde(borrow, default)]
    encoding: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Content<'a> {
    #[serde(borrow, rename = "mimeType", default)]
    mime_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    encoding: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct NameValue<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    value: Option<Loose<'a>>,
}

#[derive(Deserialize)]
struct WebSocketMessage<'a> {
    #[serde(borrow, rename = "type", default)]
    kind: Option<Cow<'a, str>>,
    #[serde(default)]
    time: Option<f64>,
    #[serde(default)]
    opcode: Option<f64>,
    #[serde(borrow, default)]
    data: Option<Cow<'a, str>>,
}

/// A value that tools write with varying types: strings, numbers, arrays of strings (Polly.js
/// header values), `null`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Loose<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Number(f64),
    Bool(bool),
    Many(Vec<Loose<'a>>),
    Null(()),
}

impl Loose<'_> {
    fn texts(&self) -> Vec<String> {
        match self {
            Loose::Text(s) => vec![s.to_string()],
            Loose::Number(n) => vec![format_number(*n)],
            Loose::Bool(b) => vec![b.to_string()],
            Loose::Many(items) => items.iter().flat_map(Loose::texts).collect(),
            Loose::Null(()) => Vec::new(),
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Loose::Number(n) => Some(*n),
            Loose::Text(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

pub fn read(source: &Text, limits: &Limits) -> Result<Read> {
    let document: Document = serde_json::from_str(source.text).map_err(|e| source.json_error(e, "HAR file"))?;
    let log = document.log.ok_or_else(|| {
        Error::malformed("The file looks like a HAR but has no `log` object.").at(source.location_at(0))
    })?;
    let raw_entries = log.entries.unwrap_or_default();
    let mut entries = Entries::new(source.input, source.keep_bodies);
    entries.read.calls.reserve(raw_entries.len());
    for raw in raw_entries {
        let offset = raw.get().as_ptr() as usize - source.text.as_ptr() as usize;
        let bytes = source.text.as_bytes();
        entries.entry(raw.get(), limits, || {
            let at = source.location_at(offset);
            let before = &bytes[offset.saturating_sub(SNIPPET_BEFORE)..offset];
            entry_location(before, raw.get(), at.offset.unwrap_or(offset), at.line.unwrap_or(1), at.column.unwrap_or(1))
        })?;
    }
    Ok(entries.read)
}

/// How much of the line before an entry its warning shows (the location's snippet window).
pub const SNIPPET_BEFORE: usize = 200;

/// Where an entry starts, with a snippet of the line up to it (`before`, at most
/// [`SNIPPET_BEFORE`] bytes) and of the entry. Read whole or streamed, a HAR gives the same.
pub fn entry_location(before: &[u8], entry: &str, offset: usize, line: usize, column: usize) -> Location {
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text = [&before[line_start..], entry.as_bytes()].concat();
    let at = Location::at(&text, before.len() - line_start, line, 0);
    Location { offset: Some(offset), column: Some(column), ..at }
}

/// The reader of one HAR's entries, fed one entry's JSON at a time (from the whole document, or
/// from a stream).
pub struct Entries {
    pub read: Read,
    input: usize,
    keep_bodies: bool,
}

impl Entries {
    pub fn new(input: usize, keep_bodies: bool) -> Entries {
        Entries { read: Read::new(Format::Har), input, keep_bodies }
    }

    /// The next entry's JSON; `location` says where it starts, for a warning.
    pub fn entry(&mut self, raw: &str, limits: &Limits, location: impl Fn() -> Location) -> Result<()> {
        let index = self.read.calls.len() + self.skipped();
        limits.check_calls(self.read.calls.len() + 1, "The HAR", "entries")?;
        let warning = |what: &str| {
            let mut location = location();
            location.entry = Some(index);
            Diagnostic {
                severity: Severity::Warning,
                message: format!("HAR entry {} {what}.", index + 1),
                location: Some(location),
            }
        };
        match serde_json::from_str::<Entry>(raw) {
            Ok(entry) => match entry_to_call(entry, index, self.input, limits, &mut self.read.warnings) {
                Some(mut call) => {
                    if !self.keep_bodies {
                        call.slim();
                    }
                    self.read.calls.push(call)
                }
                None => {
                    self.read.warn(|| warning("has no request URL and was skipped"));
                    self.read.skipped += 1;
                }
            },
            // Not JSON at all (only a streamed HAR gets here: a whole one is parsed first).
            Err(e)
                if matches!(e.classify(), serde_json::error::Category::Syntax | serde_json::error::Category::Eof) =>
            {
                return Err(super::json_error_at(e, "HAR file").at(location()).in_entry(index));
            }
            Err(e) => {
                self.read.warn(|| {
                    warning(&format!(
                        "has an unexpected shape and was skipped: {}",
                        super::strip_position(&e.to_string())
                    ))
                });
                self.read.skipped += 1;
            }
        }
        Ok(())
    }

    fn skipped(&self) -> usize {
        self.read.skipped
    }
}

fn headers_of(list: Option<Vec<NameValue>>) -> Headers {
    let mut headers = Headers::default();
    for pair in list.unwrap_or_default() {
        let (Some(name), Some(value)) = (pair.name, pair.value) else { continue };
        for value in value.texts() {
            headers.push(&name, value);
        }
    }
    headers
}

/// Cookies listed separately (Firefox, Safari) are folded into the headers, where the signals
/// look for them, unless the headers already carry them.
fn add_cookies(headers: &mut Headers, cookies: Option<Vec<NameValue>>, header: &str, request: bool) {
    let cookies = cookies.unwrap_or_default();
    if cookies.is_empty() || headers.get(header).is_some() {
        return;
    }
    let pairs: Vec<String> = cookies
        .into_iter()
        .filter_map(|c| Some(format!("{}={}", c.name?, c.value.map(|v| v.texts().join(",")).unwrap_or_default())))
        .collect();
    if request {
        headers.push(header, pairs.join("; "));
    } else {
        for pair in pairs {
            headers.push(header, pair);
        }
    }
}

fn entry_to_call(entry: Entry, index: usize, input: usize, limits: &Limits, warnings: &mut Warnings) -> Option<Call> {
    let request = entry.request?;
    let url = Url::parse(request.url.as_deref()?);
    let mut request_headers = headers_of(request.headers);
    add_cookies(&mut request_headers, request.cookies, "cookie", true);
    let mut notes = Vec::new();
    let request_body = match request.post_data {
        Some(post) => request_body(post, &request_headers, limits, &mut notes),
        None => Body::default(),
    };
    let response = entry.response.map(|response| response_of(response, limits, &mut notes));
    for note in notes {
        warnings.add(Diagnostic {
            severity: Severity::Warning,
            message: format!("HAR entry {}: {note}.", index + 1),
            location: Some(crate::error::Location::entry(index)),
        });
    }
    let frames = frames_of(entry.websocket_messages.unwrap_or_default(), limits);
    let is_websocket = !frames.is_empty()
        || entry.resource_type.as_deref() == Some("websocket")
        || request_headers.get("upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let transport = if is_websocket {
        Transport::Websocket
    } else if response.as_ref().is_some_and(|r| r.body.is_event_stream()) {
        Transport::Sse
    } else {
        Transport::Http
    };
    Some(Call {
        source: Source { input, entry: index },
        started_ms: entry.started.as_deref().and_then(parse_rfc3339_ms),
        transport,
        request: Request {
            method: request.method.map(Cow::into_owned).unwrap_or_else(|| "GET".into()),
            url,
            headers: request_headers,
            body: request_body,
        },
        response,
        frames,
        duration_ms: entry.time.filter(|t| t.is_finite() && *t >= 0.0),
        ..Call::default()
    })
}

/// The request body: its text, or its form parameters encoded, decoded as the entry says.
fn request_body(post: PostData, headers: &Headers, limits: &Limits, notes: &mut Vec<String>) -> Body {
    let content_type =
        post.mime_type.map(|m| m.into_owned()).or_else(|| headers.get("content-type").map(str::to_string));
    let raw = match (post.text, post.params) {
        (Some(text), _) if !text.is_empty() => text.into_owned().into_bytes(),
        (_, Some(params)) => form_encode(params).into_bytes(),
        _ => Vec::new(),
    };
    let base64 = post.encoding.as_deref() == Some("base64");
    let (bytes, note) = decode_body(raw, base64, None, limits);
    notes.extend(note.map(|n| format!("request: {n}")));
    Body::new(bytes, content_type)
}

fn response_of(response: HarResponse, limits: &Limits, notes: &mut Vec<String>) -> Response {
    let mut headers = headers_of(response.headers);
    add_cookies(&mut headers, response.cookies, "set-cookie", false);
    let body = match response.content {
        Some(content) => {
            let base64 = content.encoding.as_deref() == Some("base64");
            let raw = content.text.map(|t| t.into_owned().into_bytes()).unwrap_or_default();
            // HAR content is already decoded unless the bytes themselves say otherwise.
            let (bytes, note) = decode_body(raw, base64, None, limits);
            notes.extend(note.map(|n| format!("response: {n}")));
            Body::new(bytes, content.mime_type.map(Cow::into_owned))
        }
        None => Body::default(),
    };
    let status = response.status.and_then(|s| s.number()).filter(|s| (0.0..1000.0).contains(s)).unwrap_or(0.0) as u16;
    Response { status, headers, body }
}

fn frames_of(messages: Vec<WebSocketMessage>, limits: &Limits) -> Vec<Frame> {
    messages
        .into_iter()
        .map(|m| {
            let direction = if m.kind.as_deref() == Some("send") { Direction::Sent } else { Direction::Received };
            let data = m.data.map(Cow::into_owned).unwrap_or_default();
            // Opcode 2 is a binary frame, which Chrome stores base64-encoded.
            let (bytes, _) = decode_body(data.into_bytes(), m.opcode == Some(2.0), None, limits);
            Frame { direction, time_ms: m.time.map(|t| t * 1000.0), body: Body::new(bytes, None) }
        })
        .collect()
}

fn form_encode(params: Vec<NameValue>) -> String {
    params
        .into_iter()
        .filter_map(|p| Some(format!("{}={}", p.name?, p.value.map(|v| v.texts().join(",")).unwrap_or_default())))
        .collect::<Vec<_>>()
        .join("&")
}
