//! One call as a person reads it: the request and response (or WebSocket messages) with bodies
//! pretty-printed, every secret masked as the report masks it, and each place that evidence names
//! marked, so a reader can check the exact field that carries a handle.

use crate::json::Node;
use crate::model::{Body, Call, Direction, Headers};
use crate::redact;
use crate::signals::{At, Evidence, Part, Side};
use rustc_hash::FxHashMap;
use schemars::JsonSchema;
use serde::Serialize;

/// Bodies longer than this (after pretty-printing) are cut: the view is for reading, and the
/// report already holds what was concluded from the whole body.
const MAX_BODY_TEXT: usize = 256 * 1024;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Exchange {
    /// Call index (from 1), as in the report.
    pub call: usize,
    /// Index of the input the call was read from.
    pub input: usize,
    /// Index (from 0) of the entry or interaction in that input.
    pub entry: usize,
    /// When the call started, in whole microseconds since the Unix epoch (UTC), as in the report.
    pub started_us: Option<i64>,
    /// How long the call took, in whole microseconds, as in the report.
    pub duration_us: Option<i64>,
    pub request: RequestView,
    pub response: Option<ResponseView>,
    /// WebSocket messages, in order.
    pub frames: Vec<FrameView>,
    /// Span attributes, when the call is a span of a distributed trace.
    pub attributes: Vec<HeaderView>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RequestView {
    pub method: String,
    pub url: TextView,
    pub headers: Vec<HeaderView>,
    pub body: BodyView,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ResponseView {
    pub status: u16,
    pub headers: Vec<HeaderView>,
    pub body: BodyView,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FrameView {
    pub direction: Direction,
    pub body: BodyView,
}

/// A header (or span attribute), its value masked where it is a credential or a cookie.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HeaderView {
    pub name: String,
    pub value: String,
    /// Whether the value shown is not the recorded one (a credential, a cookie value).
    pub masked: bool,
    /// Evidence that names this header (ids as in the report).
    pub evidence: Vec<String>,
}

/// Text with the places evidence names marked.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct TextView {
    pub text: String,
    pub marks: Vec<Mark>,
}

/// A marked range of a text. Offsets count UTF-16 code units, as JavaScript strings do, so
/// `text.slice(start, end)` is the marked value.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub evidence: Vec<String>,
    /// The place as the report prints it (`request.body/previous_response_id`).
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    Empty,
    Json,
    Text,
    /// An SSE or NDJSON stream: one block per event.
    Events,
    Binary,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BodyView {
    pub kind: BodyKind,
    pub text: String,
    pub marks: Vec<Mark>,
    /// Size of the decoded body.
    pub bytes: usize,
    /// Whether `text` stops before the end of the body.
    pub truncated: bool,
    pub content_type: Option<String>,
}

/// What the view of one call needs from the analysis: the places evidence names in it and how
/// the report shows each handle.
struct Marks<'e> {
    /// Place → ids of the evidence naming it.
    places: FxHashMap<At, Vec<String>>,
    handles: FxHashMap<&'e str, String>,
}

impl Marks<'_> {
    fn ids(&self, at: &At) -> Option<&Vec<String>> {
        self.places.get(at)
    }

    fn mark(&self, at: &At, start: usize, end: usize) -> Option<Mark> {
        let evidence = self.ids(at)?.clone();
        Some(Mark { start, end, evidence, at: redact::redact_string(at.to_string()) })
    }

    /// The place naming path segment `index`, if evidence names one.
    fn segment(&self, index: usize) -> Option<&At> {
        self.places.keys().find(|at| matches!(at.part, Part::Segment { index: i, .. } if i == index))
    }
}

/// The view of call `index` (from 0). `evidence` is in report order (E1 first).
pub fn build(call: &Call, index: usize, evidence: &[Evidence]) -> Exchange {
    let mut marks = Marks { places: FxHashMap::default(), handles: FxHashMap::default() };
    for (i, e) in evidence.iter().enumerate() {
        if let Some(handle) = e.handle.as_deref() {
            marks.handles.entry(handle).or_insert_with(|| redact::fingerprint(handle, e.secret));
        }
        for place in e.places.iter().filter(|p| p.call == index) {
            let ids = marks.places.entry(place.at()).or_default();
            let id = format!("E{}", i + 1);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let request = &call.request;
    let time = super::timing(call);
    Exchange {
        call: index + 1,
        input: call.source.input,
        entry: call.source.entry,
        started_us: time.started_us,
        duration_us: time.duration_us,
        request: RequestView {
            method: request.method.clone(),
            url: url_view(call, &marks),
            headers: header_views(&request.headers, Side::Sent, &marks),
            body: body_view(&request.body, &At::body(Side::Sent), &marks),
        },
        response: call.response.as_ref().map(|response| ResponseView {
            status: response.status,
            headers: header_views(&response.headers, Side::Received, &marks),
            body: body_view(&response.body, &At::body(Side::Received), &marks),
        }),
        frames: call
            .frames
            .iter()
            .enumerate()
            .map(|(n, frame)| {
                let side = match frame.direction {
                    Direction::Sent => Side::Sent,
                    Direction::Received => Side::Received,
                };
                let at = At::new(side, Part::Frame { index: n + 1, pointer: String::new() });
                FrameView { direction: frame.direction, body: body_view(&frame.body, &at, &marks) }
            })
            .collect(),
        attributes: call
            .span
            .iter()
            .flat_map(|span| &span.attributes)
            .map(|(key, value)| {
                let (value, masked) = masked_value(key, value, &marks);
                let evidence = marks.ids(&At::sent(Part::Attribute { key: key.clone() })).cloned().unwrap_or_default();
                HeaderView { name: key.clone(), value, masked, evidence }
            })
            .collect(),
    }
}

/// A value as shown: credentials replaced, handles by their fingerprint, key-shaped words masked.
fn masked_value(name: &str, value: &str, marks: &Marks) -> (String, bool) {
    // Attribute names qualify the header or field they record (`http.request.header.authorization`).
    let last = name.rsplit(['.', '/']).next().unwrap_or(name);
    if redact::is_secret_name(name) || redact::is_secret_name(last) || redact::looks_secret(value) {
        return ("[redacted]".into(), true);
    }
    if let Some(shown) = marks.handles.get(value.trim()) {
        return (shown.clone(), true);
    }
    let shown = if value.starts_with("http://") || value.starts_with("https://") {
        redact::url(&crate::model::Url::parse(value), &marks.handles)
    } else {
        shown_text(value)
    };
    let masked = shown != value;
    (shown, masked)
}

/// Text from the trace as the view shows it. A whole value that is one long random token could
/// be a credential of no known shape, so it shows as a fingerprint, as the report shows ids;
/// inside free text such tokens are masked.
fn shown_text(value: &str) -> String {
    if redact::looks_random(value) {
        redact::fingerprint(value, false)
    } else {
        redact::redact_free_text(value)
    }
}

fn header_views(headers: &Headers, side: Side, marks: &Marks) -> Vec<HeaderView> {
    headers
        .iter()
        .map(|(name, value)| {
            let header = At::new(side, Part::Header { name: name.to_string() });
            let mut evidence = marks.ids(&header).cloned().unwrap_or_default();
            let cookie = if side == Side::Sent { name == "cookie" } else { name == "set-cookie" };
            if !cookie {
                let (value, masked) = masked_value(name, value, marks);
                return HeaderView { name: name.to_string(), value, masked, evidence };
            }
            // Cookie values are secrets: each is shown by a fingerprint without a prefix, which
            // is how evidence names them.
            let pairs: Vec<String> = value
                .split(';')
                .enumerate()
                .map(|(i, pair)| match pair.split_once('=') {
                    Some((k, v)) if i == 0 || side == Side::Sent => {
                        let cookie = At::new(side, Part::Cookie { name: k.trim().to_string() });
                        for id in marks.ids(&cookie).into_iter().flatten() {
                            if !evidence.contains(id) {
                                evidence.push(id.clone());
                            }
                        }
                        format!("{k}={}", redact::fingerprint(v.trim(), true))
                    }
                    _ => pair.to_string(),
                })
                .collect();
            HeaderView { name: name.to_string(), value: pairs.join(";"), masked: true, evidence }
        })
        .collect()
}

/// The URL as the report prints it, with handle-carrying path segments and query values marked.
fn url_view(call: &Call, marks: &Marks) -> TextView {
    let url = &call.request.url;
    let text = redact::url(url, &marks.handles);
    let mut view = TextView { marks: Vec::new(), text };
    let path_start =
        view.text.find("://").map_or(0, |i| view.text[i + 3..].find('/').map_or(view.text.len(), |j| i + 3 + j));
    let path_end = view.text[path_start..].find('?').map_or(view.text.len(), |i| path_start + i);
    let mut offset = path_start;
    let mut n = 0;
    for segment in view.text[path_start..path_end].split('/') {
        if !segment.is_empty() {
            if let Some(mark) = marks
                .segment(n)
                .and_then(|at| marks.mark(at, utf16(&view.text[..offset]), utf16(&view.text[..offset + segment.len()])))
            {
                view.marks.push(mark);
            }
            n += 1;
        }
        offset += segment.len() + 1;
    }
    // A place that names the path as a whole (`request.path/v1/threads/*/runs`, a declared
    // endpoint) marks all of it.
    let (start, end) = (utf16(&view.text[..path_start]), utf16(&view.text[..path_end]));
    for at in marks.places.keys().filter(|at| matches!(at.part, Part::Segment { .. } | Part::Path { .. })) {
        if !view.marks.iter().any(|m| m.at == redact::redact_text(&at.to_string())) {
            view.marks.extend(marks.mark(at, start, end));
        }
    }
    if path_end < view.text.len() {
        let mut offset = path_end + 1;
        for pair in view.text[path_end + 1..].split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let start = offset + pair.len() - value.len();
            if let Some(mark) = marks.mark(
                &At::sent(Part::Query { name: name.to_string() }),
                utf16(&view.text[..start]),
                utf16(&view.text[..offset + pair.len()]),
            ) {
                view.marks.push(mark);
            }
            offset += pair.len() + 1;
        }
    }
    view
}

fn utf16(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

fn body_view(body: &Body, prefix: &At, marks: &Marks) -> BodyView {
    let mut out = Writer::new(marks);
    let kind = if body.is_empty() {
        BodyKind::Empty
    } else if let Some(json) = body.json() {
        out.value(json.root(), &mut prefix.clone(), None, 0);
        BodyKind::Json
    } else if !body.events().is_empty() {
        for (n, event) in body.events().iter().enumerate() {
            if let Some(name) = &event.event {
                out.push(&format!("event: {}\n", redact::redact_text(name)));
            }
            out.push("data: ");
            match event.json() {
                Some(json) => out.value(json.root(), &mut prefix.event(n + 1), None, 0),
                None => out.push(&shown_text(&event.data)),
            }
            out.push("\n\n");
        }
        BodyKind::Events
    } else if let Some(text) = body.text() {
        if body.is_form() {
            out.form(text, prefix);
        } else {
            out.push(&shown_text(text));
        }
        BodyKind::Text
    } else {
        BodyKind::Binary
    };
    BodyView {
        kind,
        truncated: out.full,
        text: out.view.text,
        marks: out.view.marks,
        bytes: body.len(),
        content_type: body.content_type.clone(),
    }
}

/// Writes pretty-printed JSON (and other body text) and records where each marked place's value
/// sits, counting UTF-16 units as it goes.
struct Writer<'m> {
    marks: &'m Marks<'m>,
    view: TextView,
    units: usize,
    full: bool,
    /// Range marks (`request.body/messages/0-3`) waiting for their last item, with where they start.
    open: Vec<(At, usize)>,
}

impl<'m> Writer<'m> {
    fn new(marks: &'m Marks<'m>) -> Self {
        Writer { marks, view: TextView::default(), units: 0, full: false, open: Vec::new() }
    }

    fn push(&mut self, s: &str) {
        if self.full {
            return;
        }
        if self.view.text.len() + s.len() > MAX_BODY_TEXT {
            let mut end = MAX_BODY_TEXT.saturating_sub(self.view.text.len()).min(s.len());
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            self.view.text.push_str(&s[..end]);
            self.view.text.push_str("\n… (cut here)");
            self.full = true;
            return;
        }
        self.units += utf16(s);
        self.view.text.push_str(s);
    }

    fn indent(&mut self, depth: usize) {
        self.push("\n");
        for _ in 0..depth {
            self.push("  ");
        }
    }

    /// A value pretty-printed: an object's members in key order, a repeated key once with its
    /// last value, and numbers as serde_json writes them, as the view has always shown them.
    fn value(&mut self, value: Node, path: &mut At, name: Option<&str>, depth: usize) {
        let start = self.units;
        if value.is_object() {
            self.push("{");
            for (i, (key, child)) in value.members().enumerate() {
                if i > 0 {
                    self.push(",");
                }
                self.indent(depth + 1);
                self.string(key);
                self.push(": ");
                let len = path.pointer_len();
                path.push_key(key);
                self.value(child, path, Some(key), depth + 1);
                path.truncate(len);
            }
            if !value.is_empty() {
                self.indent(depth);
            }
            self.push("}");
        } else if value.is_list() {
            self.push("[");
            for (i, child) in value.items().enumerate() {
                if i > 0 {
                    self.push(",");
                }
                self.indent(depth + 1);
                let len = path.pointer_len();
                path.push_raw(&i.to_string());
                let item_start = self.units;
                self.value(child, path, name, depth + 1);
                path.truncate(len);
                self.ranges(path, i, item_start);
            }
            if !value.is_empty() {
                self.indent(depth);
            }
            self.push("]");
        } else if let Some(s) = value.as_str() {
            self.text(s, name);
        } else {
            self.push(&crate::json::write::compact(value));
        }
        if !self.full {
            if let Some(mark) = self.marks.mark(path, start, self.units) {
                self.view.marks.push(mark);
            }
        }
    }

    /// A string, as shown: masked where its name or its shape says secret, a handle as the
    /// report shows it.
    fn text(&mut self, s: &str, name: Option<&str>) {
        let secret = name.is_some_and(|n| redact::is_secret_name(n) || crate::signals::lexicon::is_credential(n));
        if secret || redact::looks_secret(s) {
            self.string("[redacted]");
        } else if let Some(shown) = self.marks.handles.get(s) {
            let shown = shown.clone();
            self.string(&shown);
        } else {
            self.string(&shown_text(s));
        }
    }

    /// Marks a run of array items (`…/messages/0-3`, as replay evidence names them): opened at
    /// the first item, closed after the last.
    fn ranges(&mut self, array: &At, i: usize, item_start: usize) {
        if self.marks.places.is_empty() || self.full {
            return;
        }
        let Part::Body { pointer } = &array.part else { return };
        let of_array = |at: &At| {
            at.side == array.side
                && matches!(&at.part, Part::Items { key, .. } if pointer.strip_prefix('/') == Some(key.as_str()))
        };
        for at in self.marks.places.keys().filter(|at| of_array(at)) {
            if matches!(at.part, Part::Items { first, .. } if first == i) {
                self.open.push((at.clone(), item_start));
            }
        }
        let (done, open): (Vec<_>, Vec<_>) = std::mem::take(&mut self.open)
            .into_iter()
            .partition(|(at, _)| of_array(at) && matches!(at.part, Part::Items { last, .. } if last == i));
        self.open = open;
        for (at, start) in done {
            if let Some(mark) = self.marks.mark(&at, start, self.units) {
                self.view.marks.push(mark);
            }
        }
    }

    fn string(&mut self, s: &str) {
        let mut quoted = String::with_capacity(s.len() + 2);
        crate::json::write::escaped(&mut quoted, s);
        self.push(&quoted);
    }

    /// `a=1&b=2`, one pair per line, credentials masked.
    fn form(&mut self, text: &str, prefix: &At) {
        for (i, pair) in text.split('&').enumerate() {
            if i > 0 {
                self.push("&\n");
            }
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            self.push(name);
            self.push("=");
            let start = self.units;
            let (shown, _) = masked_value(name, value, self.marks);
            self.push(&shown);
            let mut at = prefix.clone();
            at.push_raw(name);
            if let Some(mark) = self.marks.mark(&at, start, self.units) {
                self.view.marks.push(mark);
            }
        }
    }
}

impl Exchange {
    /// The call for a terminal: each part, then what its marks cover.
    pub fn to_text(&self) -> String {
        let mut out = format!("call {} (input {}, entry {})\n", self.call, self.input + 1, self.entry + 1);
        if let Some(started) = self.started_us {
            out.push_str(&format!("started {}\n", super::time::format_us(started)));
        }
        if let Some(duration) = self.duration_us {
            out.push_str(&format!("took {}\n", super::time::format_duration_us(duration)));
        }
        out.push('\n');
        let request = &self.request;
        out.push_str(&format!("{} {}\n", request.method, request.url.text));
        marked(&mut out, &request.url.text, &request.url.marks);
        headers_text(&mut out, &request.headers);
        body_text(&mut out, &request.body);
        if let Some(response) = &self.response {
            out.push_str(&format!("\nresponse {}\n", response.status));
            headers_text(&mut out, &response.headers);
            body_text(&mut out, &response.body);
        }
        for (n, frame) in self.frames.iter().enumerate() {
            let direction = crate::names::variant_name(&frame.direction);
            out.push_str(&format!("\nmessage {} ({direction})\n", n + 1));
            body_text(&mut out, &frame.body);
        }
        if !self.attributes.is_empty() {
            out.push_str("\nspan attributes\n");
            headers_text(&mut out, &self.attributes);
        }
        out
    }
}

fn headers_text(out: &mut String, headers: &[HeaderView]) {
    for header in headers {
        let evidence =
            if header.evidence.is_empty() { String::new() } else { format!("   ◀ {}", header.evidence.join(", ")) };
        out.push_str(&format!("{}: {}{evidence}\n", header.name, header.value));
    }
}

fn body_text(out: &mut String, body: &BodyView) {
    match body.kind {
        BodyKind::Empty => return,
        BodyKind::Binary => out.push_str(&format!("\n({} bytes of binary data)\n", body.bytes)),
        _ => {
            out.push('\n');
            out.push_str(&body.text);
            out.push('\n');
        }
    }
    marked(out, &body.text, &body.marks);
}

/// `◀ E1 at request.body/previous_response_id: "resp_68a1…#a9b5ed59"`, one line per mark.
fn marked(out: &mut String, text: &str, marks: &[Mark]) {
    if marks.is_empty() {
        return;
    }
    let units: Vec<u16> = text.encode_utf16().collect();
    for mark in marks {
        let value = String::from_utf16_lossy(units.get(mark.start..mark.end).unwrap_or_default());
        let value: String = value.split_whitespace().collect::<Vec<_>>().join(" ");
        let value = if value.chars().count() > 80 {
            format!("{}…", value.chars().take(79).collect::<String>())
        } else {
            value
        };
        out.push_str(&format!("  ◀ {} at {}: {value}\n", mark.evidence.join(", "), mark.at));
    }
}
