//! HAR entries to calls: the [`Entries`] of one HAR, fed one read entry at a time.

use super::entry::{Content, Entry, Loose, Message, Pair, PostData, Response as HarResponse, Shape};
use crate::error::{Location, Result};
use crate::facts::{ItemMemo, Role};
use crate::formats::{body::decode_body, time::parse_rfc3339_ms, Read, Warnings};
use crate::limits::Limits;
use crate::model::{
    Body, Call, Diagnostic, Direction, Format, Frame, Headers, Request, Response, Severity, Source, Transport, Url,
};
use std::borrow::Cow;

/// The calls of one HAR's entries, made as each entry is read.
pub struct Entries {
    pub read: Read,
    input: usize,
    keep_bodies: bool,
    /// The conversation items of the bodies read so far.
    memo: ItemMemo,
}

impl Entries {
    pub fn new(input: usize, keep_bodies: bool) -> Entries {
        Entries { read: Read::new(Format::Har), input, keep_bodies, memo: ItemMemo::default() }
    }

    /// The next entry as read; `location` says where it starts, for a warning.
    pub fn entry(
        &mut self,
        entry: std::result::Result<Entry, Shape>,
        limits: &Limits,
        location: impl Fn() -> Location,
    ) -> Result<()> {
        let index = self.read.calls.len() + self.read.skipped;
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
        let call = match entry {
            Ok(entry) => {
                let mut bodies = Bodies { limits, slim: !self.keep_bodies, memo: &mut self.memo };
                entry_to_call(entry, index, self.input, &mut bodies, &mut self.read.warnings)
            }
            Err(shape) => {
                self.read.warn(|| warning(&format!("has an unexpected shape and was skipped: {}", shape.words())));
                self.read.skipped += 1;
                return Ok(());
            }
        };
        match call {
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
        }
        Ok(())
    }
}

impl Loose<'_> {
    /// Each text the value holds (a list's in order), handed over where it lies.
    fn each_text(&self, each: &mut impl FnMut(&str)) {
        match self {
            Loose::Text(s) => each(s),
            Loose::Number(n) => each(&format_number(*n)),
            Loose::Bool(b) => each(if *b { "true" } else { "false" }),
            Loose::Many(items) => items.iter().for_each(|item| item.each_text(each)),
            Loose::Null => {}
        }
    }

    /// The texts joined with commas, as one header line holds several values.
    fn joined(&self) -> String {
        let (mut out, mut first) = (String::new(), true);
        self.each_text(&mut |text| {
            if !std::mem::take(&mut first) {
                out.push(',');
            }
            out.push_str(text);
        });
        out
    }

    fn number(&self) -> Option<f64> {
        match self {
            Loose::Number(n) => Some(*n),
            Loose::Text(s) => crate::lex::parse_number(s),
            _ => None,
        }
    }
}

/// A number as header text: whole numbers as integers, others as JSON writes them.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        serde_json::Number::from_f64(n).map(|n| n.to_string()).unwrap_or_default()
    }
}

fn headers_of(list: Option<Vec<Pair>>) -> Headers {
    let list = list.unwrap_or_default();
    let text = |pair: &Pair| match &pair.value {
        Some(Loose::Text(value)) => value.len(),
        _ => 8,
    };
    let bytes = list.iter().map(|pair| pair.name.as_ref().map_or(0, |n| n.len()) + text(pair)).sum();
    let mut headers = Headers::with_capacity(list.len(), bytes);
    for pair in list {
        let (Some(name), Some(value)) = (pair.name, pair.value) else { continue };
        value.each_text(&mut |text| headers.push(&name, text));
    }
    headers
}

/// `name=value` of each pair that has a name.
fn pair_texts(pairs: Vec<Pair<'_>>) -> impl Iterator<Item = String> + '_ {
    pairs.into_iter().filter_map(|p| Some(format!("{}={}", p.name?, p.value.map(|v| v.joined()).unwrap_or_default())))
}

/// Cookies listed separately (Firefox, Safari) are folded into the headers, where the signals
/// look for them, unless the headers already carry them.
fn add_cookies(headers: &mut Headers, cookies: Option<Vec<Pair>>, header: &str, request: bool) {
    let cookies = cookies.unwrap_or_default();
    if cookies.is_empty() || headers.get(header).is_some() {
        return;
    }
    let pairs: Vec<String> = pair_texts(cookies).collect();
    if request {
        headers.push(header, pairs.join("; "));
    } else {
        for pair in pairs {
            headers.push(header, pair);
        }
    }
}

/// How bodies are made: decoded within the limits, and, for calls that keep only facts, read
/// where they lie when there is nothing to decode.
struct Bodies<'l> {
    limits: &'l Limits,
    slim: bool,
    memo: &'l mut ItemMemo,
}

impl Bodies<'_> {
    /// The body of a recorded text, and a sentence when it could not be decoded whole.
    fn body(
        &mut self,
        text: Cow<str>,
        base64: bool,
        content_type: Option<String>,
        role: Role,
    ) -> (Body, Option<String>) {
        if self.slim && !base64 && text.len() <= self.limits.max_body_bytes {
            return (Body::slimmed(&text, content_type, role, self.memo), None);
        }
        let (bytes, note) = decode_body(into_bytes(text), base64, None, self.limits);
        (Body::new(bytes, content_type), note)
    }
}

fn entry_to_call(
    entry: Entry,
    index: usize,
    input: usize,
    bodies: &mut Bodies,
    warnings: &mut Warnings,
) -> Option<Call> {
    let request = entry.request?;
    let url = Url::parse(request.url.as_deref()?);
    let mut request_headers = headers_of(request.headers);
    add_cookies(&mut request_headers, request.cookies, "cookie", true);
    let mut notes = Vec::new();
    let request_body = match request.post {
        Some(post) => request_body(post, &request_headers, bodies, &mut notes),
        None => Body::default(),
    };
    let response = entry.response.map(|response| response_of(response, bodies, &mut notes));
    for note in notes {
        warnings.add(Diagnostic {
            severity: Severity::Warning,
            message: format!("HAR entry {}: {note}.", index + 1),
            location: Some(Location::entry(index)),
        });
    }
    let frames = frames_of(entry.messages.unwrap_or_default(), bodies);
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

fn into_bytes(text: Cow<str>) -> Vec<u8> {
    text.into_owned().into_bytes()
}

/// The request body: its text, or its form parameters encoded, decoded as the entry says.
fn request_body(post: PostData, headers: &Headers, bodies: &mut Bodies, notes: &mut Vec<String>) -> Body {
    let content_type = post.mime_type.map(Cow::into_owned).or_else(|| headers.get("content-type").map(str::to_string));
    let text = match (post.text, post.params) {
        (Some(text), _) if !text.is_empty() => text,
        (_, Some(params)) => Cow::Owned(pair_texts(params).collect::<Vec<_>>().join("&")),
        _ => Cow::Borrowed(""),
    };
    let base64 = post.encoding.as_deref() == Some("base64");
    let (body, note) = bodies.body(text, base64, content_type, Role::Request);
    notes.extend(note.map(|n| format!("request: {n}")));
    body
}

fn response_of(response: HarResponse, bodies: &mut Bodies, notes: &mut Vec<String>) -> Response {
    let mut headers = headers_of(response.headers);
    add_cookies(&mut headers, response.cookies, "set-cookie", false);
    let body = match response.content {
        Some(Content { mime_type, text, encoding }) => {
            let base64 = encoding.as_deref() == Some("base64");
            // HAR content is already decoded unless the bytes themselves say otherwise.
            let text = text.unwrap_or_default();
            let (body, note) = bodies.body(text, base64, mime_type.map(Cow::into_owned), Role::Response);
            notes.extend(note.map(|n| format!("response: {n}")));
            body
        }
        None => Body::default(),
    };
    let status = response.status.and_then(|s| s.number()).filter(|s| (0.0..1000.0).contains(s)).unwrap_or(0.0) as u16;
    Response { status, headers, body }
}

fn frames_of(messages: Vec<Message>, bodies: &mut Bodies) -> Vec<Frame> {
    messages
        .into_iter()
        .map(|m| {
            let direction = if m.kind.as_deref() == Some("send") { Direction::Sent } else { Direction::Received };
            // Opcode 2 is a binary frame, which Chrome stores base64-encoded.
            let (body, _) = bodies.body(m.data.unwrap_or_default(), m.opcode == Some(2.0), None, Role::Frame);
            Frame { direction, time_ms: m.time.map(|t| t * 1000.0), body }
        })
        .collect()
}
