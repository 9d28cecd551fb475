//! Request-record lines of JSON Lines logs: OpenAI batch input (`custom_id`, `method`, `url`,
//! `body`) and output (`custom_id`, `response.status_code`, `response.body`) lines, and the
//! generic shape documented in the README. A line is read from its document ([`of_tree`]), or,
//! in the shapes loggers write, from its text with the lexer ([`read`]): no document of a line
//! that is mostly bodies, each JSON body written once as the compact text `serde_json` writes of
//! its tree. Both give a [`Record`], which makes the call.

use super::otlp::{nested, Seen};
use super::records::marks_record;
use super::spans::normalize_id;
use super::time::parse_rfc3339_ms;
use crate::facts::{ItemMemo, Role};
use crate::json::write::{written_json, Written};
use crate::json::Node;
use crate::lex::{Lexer, Scan};
use crate::model::{Body, Call, Headers, Request, Response, Source, Span, Url};
use std::borrow::Cow;

/// What `call` reads of a request-record line, from its tree or its text.
#[derive(Default)]
struct Record<'a> {
    custom_id: Option<Cow<'a, str>>,
    method: Option<Cow<'a, str>>,
    /// `url` and `uri`: the first that is text is the URL.
    url: [Option<Cow<'a, str>>; 2],
    /// `headers` and `body` at the top, for a `request` without them (OpenAI batch input has
    /// its body at the top).
    headers: Option<Headers>,
    body: Option<Given<'a>>,
    request: Option<Part<'a>>,
    response: Option<Part<'a>>,
    started_ms: Option<f64>,
    duration_ms: Option<f64>,
    trace_id: Option<Cow<'a, str>>,
    span_id: Option<Cow<'a, str>>,
    /// `parent_id` and `parent_span_id`: the first that is text is the parent.
    parent_id: [Option<Cow<'a, str>>; 2],
}

/// A request or response: each member present or not (`null` is present).
#[derive(Default)]
struct Part<'a> {
    headers: Option<Headers>,
    body: Option<Given<'a>>,
    /// `status`, else `status_code`, as a status (0 when not a whole number).
    status: u16,
    /// `status_code`, when present: what marks an OpenAI batch output line.
    status_code: Option<u16>,
}

/// A status as a number: a whole number's low 16 bits (as `as u16` casts), else 0.
fn status_of(value: Option<Node>) -> u16 {
    value.and_then(|value| value.as_u64()).unwrap_or(0) as u16
}

/// A time as RFC 3339 text, or seconds or milliseconds since the epoch.
fn started_ms(time: Option<Node>) -> Option<f64> {
    let time = time?;
    match time.as_str() {
        Some(text) => parse_rfc3339_ms(text),
        None => time.as_f64().map(|t| if t < 1e11 { t * 1000.0 } else { t }),
    }
}

/// A body as the line gives it: JSON made a body at once (its type is known), text kept until
/// the headers that give its content type are read.
enum Given<'a> {
    Null,
    Text(Cow<'a, str>),
    Json(Box<Body>),
}

impl Record<'_> {
    /// The call the line stands for; `None` when it is none of the shapes. Its text bodies are
    /// made by `bodies`.
    fn call(self, input: usize, line: usize, bodies: &mut Bodies) -> Option<Call> {
        let mut body = |given: Option<Given>, headers: &Headers, role: Role| match given {
            None | Some(Given::Null) => Body::default(),
            Some(Given::Text(text)) => bodies.text(text, content_type(headers), role),
            Some(Given::Json(body)) => *body,
        };
        let Record {
            custom_id,
            method,
            url,
            headers,
            body: top_body,
            request,
            response,
            started_ms,
            duration_ms,
            trace_id,
            span_id,
            parent_id,
        } = self;
        let source = Source { input, entry: line };
        let correlation_key = custom_id.map(Cow::into_owned);
        let response = match response {
            // OpenAI batch output: the response to the input line with the same `custom_id`.
            Some(Part { status_code: Some(status), body: reply, .. }) if correlation_key.is_some() => {
                let body = body(reply, &Headers::default(), Role::Response);
                let response = Some(Response { status, headers: Headers::default(), body });
                return Some(Call { source, response, correlation_key, ..Call::default() });
            }
            response => response,
        };
        let method = method?.to_ascii_uppercase();
        let url = Url::parse(url.into_iter().flatten().next()?.as_ref());
        let (request_headers, request_body) = match request {
            Some(part) => (part.headers.or(headers), part.body.or(top_body)),
            None => (headers, top_body),
        };
        let request_headers = request_headers.unwrap_or_default();
        let request_body = body(request_body, &request_headers, Role::Request);
        let response = response.map(|part| {
            let headers = part.headers.unwrap_or_default();
            Response { status: part.status, body: body(part.body, &headers, Role::Response), headers }
        });
        let parent_id = parent_id.into_iter().flatten().next();
        let span = trace_id.map(|trace_id| span_of(&trace_id, span_id.as_deref(), parent_id.as_deref(), &method, &url));
        Some(Call {
            source,
            started_ms,
            duration_ms,
            request: Request { method, url, headers: request_headers, body: request_body },
            response,
            span,
            correlation_key,
            ..Call::default()
        })
    }
}

/// The span a record names by its ids, called after its method and path as HTTP spans are.
fn span_of(trace_id: &str, span_id: Option<&str>, parent_id: Option<&str>, method: &str, url: &Url) -> Span {
    Span {
        trace_id: normalize_id(trace_id),
        span_id: span_id.map(normalize_id).unwrap_or_default(),
        parent_span_id: parent_id.map(normalize_id),
        name: format!("{method} {}", url.path),
        ..Span::default()
    }
}

// ---- from a document ------------------------------------------------------------------------

/// The call a line's document stands for, if it is a request record; its bodies kept whole.
pub fn of_tree(record: Node, input: usize, line: usize) -> Option<Call> {
    let text = |key: &str| record.get(key).and_then(|value| value.as_str()).map(Cow::Borrowed);
    let record = Record {
        custom_id: text("custom_id"),
        method: text("method"),
        url: [text("url"), text("uri")],
        headers: headers_of_tree(record),
        body: record.get("body").map(given),
        request: record.get("request").map(part_of_tree),
        response: record.get("response").map(part_of_tree),
        started_ms: started_ms(record.get("time").or_else(|| record.get("timestamp"))),
        duration_ms: record.get("duration_ms").and_then(|value| value.as_f64()),
        trace_id: text("trace_id"),
        span_id: text("span_id"),
        parent_id: [text("parent_id"), text("parent_span_id")],
    };
    // Bodies kept whole, as the JSON Lines reader slims the call.
    record.call(input, line, &mut Bodies::new(true))
}

/// A body in the document, as [`Body::from_node`] writes JSON.
fn given(value: Node<'_>) -> Given<'_> {
    if value.is_null() {
        return Given::Null;
    }
    match value.as_str() {
        Some(text) => Given::Text(Cow::Borrowed(text)),
        None => Given::Json(Box::new(Body::from_node(value))),
    }
}

fn headers_of_tree(part: Node) -> Option<Headers> {
    part.get("headers").map(|h| Headers::from_node(Some(h)))
}

fn part_of_tree(part: Node<'_>) -> Part<'_> {
    Part {
        headers: headers_of_tree(part),
        body: part.get("body").map(given),
        status: status_of(part.get("status").or_else(|| part.get("status_code"))),
        status_code: part.get("status_code").map(|code| status_of(Some(code))),
    }
}

fn content_type(headers: &Headers) -> Option<String> {
    headers.get("content-type").map(str::to_string)
}

// ---- from the text --------------------------------------------------------------------------

/// How the bodies of one input's lines are made: kept whole, or slimmed as they are read with
/// the conversation items of the input's earlier bodies (see [`ItemMemo`]).
#[derive(Default)]
pub struct Bodies {
    keep: bool,
    memo: ItemMemo,
    /// The compact text of a JSON body being written, kept for the next when bodies are not.
    written: String,
    /// The text written of the request bodies' conversation items (a response's are new).
    items: Written,
}

impl Bodies {
    pub fn new(keep: bool) -> Bodies {
        Bodies { keep, ..Bodies::default() }
    }

    /// A body of text as recorded (the tree's `Body::new`, slimmed unless bodies are kept).
    fn text(&mut self, text: Cow<str>, content_type: Option<String>, role: Role) -> Body {
        if self.keep || text.is_empty() {
            return Body::new(text.into_owned().into_bytes(), content_type);
        }
        Body::slimmed(&text, content_type, role, &mut self.memo)
    }

    /// A JSON value at the lexer as a body: the text `serde_json` writes of its tree, as
    /// [`Body::from_node`] makes it.
    fn json(&mut self, lex: &mut Lexer, role: Role) -> Scan<Body> {
        self.written.clear();
        let memo = (role == Role::Request).then_some(&mut self.items);
        written_json(lex, &mut self.written, memo)?;
        let json = Some("application/json".to_string());
        Ok(match self.keep {
            true => Body::new(std::mem::take(&mut self.written).into_bytes(), json),
            false => Body::slimmed(&self.written, json, role, &mut self.memo),
        })
    }
}

/// The members of a line the reader reads; any other is skipped, unless it is one of
/// those that mark a span or log record ([`marks_record`]): the line is then left to the tree.
const FIELDS: &[&str] = &[
    "custom_id",
    "method",
    "url",
    "uri",
    "headers",
    "body",
    "request",
    "response",
    "time",
    "timestamp",
    "duration_ms",
    "trace_id",
    "span_id",
    "parent_id",
    "parent_span_id",
];

/// The members of a request or response the reader reads.
const PART_FIELDS: &[&str] = &["headers", "body", "status", "status_code"];

/// The call of a request-record line read from its text `line` (one JSON object), as
/// [`of_tree`] makes it of the line's tree (bodies slimmed unless `bodies` keeps them). `None`
/// for any other line, and for lines the reader is not sure of (a member met twice, a value
/// nested too deep, text that is not JSON), which are then read as trees.
pub fn read(line: &str, input: usize, number: usize, bodies: &mut Bodies) -> Option<Call> {
    let mut lex = Lexer::new(line);
    let record = record(&mut lex, bodies).ok()?;
    lex.whitespace();
    if !lex.ran_out() {
        return None;
    }
    record.call(input, number, bodies)
}

fn record<'b>(lex: &mut Lexer<'b>, bodies: &mut Bodies) -> Scan<Record<'b>> {
    let (mut record, mut seen) = (Record::default(), Seen::default());
    // `time`, else `timestamp`, when present (`null` is present), as a time.
    let mut time: [Option<Option<f64>>; 2] = [None, None];
    lex.members(|lex, key| {
        let Some(field) = seen.known(&key, FIELDS)? else {
            return if marks_record(&key) { Err(()) } else { checked(lex) };
        };
        match field {
            "custom_id" => record.custom_id = text(lex)?,
            "method" => record.method = text(lex)?,
            "url" => record.url[0] = text(lex)?,
            "uri" => record.url[1] = text(lex)?,
            "headers" => record.headers = Some(headers(lex)?),
            "body" => record.body = Some(body(lex, Role::Request, bodies)?),
            "request" => record.request = Some(part(lex, Role::Request, bodies)?),
            "response" => record.response = Some(part(lex, Role::Response, bodies)?),
            "time" => time[0] = Some(nested(lex, |t| started_ms(Some(t)))?),
            "timestamp" => time[1] = Some(nested(lex, |t| started_ms(Some(t)))?),
            "duration_ms" => record.duration_ms = nested(lex, |d| d.as_f64())?,
            "trace_id" => record.trace_id = text(lex)?,
            "span_id" => record.span_id = text(lex)?,
            "parent_id" => record.parent_id[0] = text(lex)?,
            _ => record.parent_id[1] = text(lex)?,
        }
        Ok(())
    })?;
    let [time, timestamp] = time;
    record.started_ms = time.or(timestamp).flatten();
    Ok(record)
}

/// A request or response: an object's members, or nothing of any other value.
fn part<'b>(lex: &mut Lexer<'b>, role: Role, bodies: &mut Bodies) -> Scan<Part<'b>> {
    let (mut part, mut seen) = (Part::default(), Seen::default());
    lex.whitespace();
    if lex.peek()? != b'{' {
        return checked(lex).map(|()| part);
    }
    // `status` and `status_code`, when present, as statuses.
    let mut status: [Option<u16>; 2] = [None, None];
    lex.members(|lex, key| match seen.known(&key, PART_FIELDS)? {
        Some("headers") => headers(lex).map(|h| part.headers = Some(h)),
        Some("body") => body(lex, role, bodies).map(|b| part.body = Some(b)),
        Some("status") => nested(lex, |s| status[0] = Some(status_of(Some(s)))),
        Some(_) => nested(lex, |s| status[1] = Some(status_of(Some(s)))),
        None => checked(lex),
    })?;
    let [status, status_code] = status;
    part.status = status.or(status_code).unwrap_or(0);
    part.status_code = status_code;
    Ok(part)
}

fn body<'b>(lex: &mut Lexer<'b>, role: Role, bodies: &mut Bodies) -> Scan<Given<'b>> {
    lex.whitespace();
    match lex.peek()? {
        b'"' => lex.string().map(Given::Text),
        b'n' => lex.word(b"null").map(|()| Given::Null),
        _ => bodies.json(lex, role).map(|body| Given::Json(Box::new(body))),
    }
}

/// Headers as the document gives them: an object of names to text read where it lies, any
/// other shape as a document of its own (they are small).
fn headers(lex: &mut Lexer) -> Scan<Headers> {
    lex.whitespace();
    let start = lex.at;
    if let Ok(headers) = text_headers(lex) {
        return Ok(headers);
    }
    lex.at = start;
    nested(lex, |value| Headers::from_node(Some(value)))
}

/// An object of names to text, its headers in the order of their names (as a document's
/// object lists them); a name met twice, or a value of another type, refuses it.
fn text_headers(lex: &mut Lexer) -> Scan<Headers> {
    let mut pairs: Vec<(Cow<str>, Cow<str>)> = Vec::new();
    lex.members(|lex, name| {
        lex.whitespace();
        if lex.peek()? != b'"' {
            return Err(());
        }
        pairs.push((name, lex.string()?));
        Ok(())
    })?;
    crate::sort::by_distinct_keys(&mut pairs).ok_or(())?;
    let mut headers = Headers::default();
    pairs.iter().for_each(|(name, value)| headers.push(name, value));
    Ok(headers)
}

/// A string's text, or `None` for a value of any other type (checked as the document reads it).
fn text<'b>(lex: &mut Lexer<'b>) -> Scan<Option<Cow<'b, str>>> {
    lex.whitespace();
    if lex.peek()? == b'"' {
        return lex.string().map(Some);
    }
    checked(lex).map(|()| None)
}

/// A value not read, checked as the document reads it: a number beyond a float's range, or deep
/// nesting, refuses the line as it refuses the document.
fn checked(lex: &mut Lexer) -> Scan<()> {
    lex.whitespace();
    match lex.peek()? {
        b'"' => lex.read_string().map(drop),
        _ => nested(lex, |_| ()),
    }
}

/// Whether the reader and the line's document agree on each line of `bytes` (tests and fuzzing):
/// where the reader reads a line, the JSON Lines reader reads its document, nothing it tries
/// before [`of_tree`] takes the document (OTLP, span and log records), and [`of_tree`] makes the
/// same call (its debug text), with bodies kept whole and with bodies slimmed.
#[cfg(any(test, feature = "oracle"))]
pub fn agrees(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Ok(()) };
    for keep in [true, false] {
        let mut bodies = Bodies::new(keep);
        for (number, line) in text.split('\n').map(str::trim).enumerate() {
            let Some(call) = read(line, 0, number, &mut bodies) else { continue };
            let doc = super::jsonl::document(line)
                .map_err(|e| format!("the reader read a line the document refuses ({}): {line}", e.detail()))?;
            if super::jsonl::other_record(doc.root(), &mut super::records::Records::new(keep)) {
                return Err(format!("the reader read a line that is a record of another kind: {line}"));
            }
            let mut expected =
                of_tree(doc.root(), 0, number).ok_or_else(|| format!("the document makes no call: {line}"))?;
            if !keep {
                expected.slim();
            }
            let (read, expected) = (format!("{call:?}"), format!("{expected:?}"));
            if read != expected {
                return Err(format!("reader and document differ on {line}:\n{read}\nagainst\n{expected}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{agrees, read, Bodies};

    /// Whether the reader reads every line of `text`, and then agrees with the tree.
    fn both(text: &str) -> bool {
        assert_eq!(agrees(text.as_bytes()), Ok(()), "{text}");
        let mut bodies = Bodies::new(true);
        text.lines().all(|line| read(line.trim(), 0, 0, &mut bodies).is_some())
    }

    #[test]
    fn request_lines_read_without_a_tree_give_the_calls_of_the_tree() {
        let fixture = include_str!("../../tests/formats/backend-model-calls.jsonl");
        assert!(both(fixture), "the generic shape, as the fixture writes it");
        let shapes = [
            // OpenAI batch input and output, with members the reader skips.
            r#"{"custom_id":"r1","method":"post","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"one"}]}}"#,
            r#"{"id":"batch_req_1","custom_id":"r2","response":{"status_code":200,"request_id":"req_2","body":{"id":"chatcmpl-2"}},"error":null}"#,
            r#"{"custom_id":"r3","response":{"status_code":70000,"headers":{"content-type":"text/plain"},"body":"text"}}"#,
            r#"{"custom_id":"r4","response":{"status_code":null},"method":"GET","url":"/x"}"#,
            // The generic shape with every member, ids to normalise, bodies of every type.
            r#"{"time":1700000000,"method":"GET","uri":"https://a.example/v1/things?x=1","headers":{"Cookie":["a=b",1,true,null]},
              "trace_id":"W47/95gDgQPSabYzgT/GDA==","span_id":"7uGbfsPBsXQ=","parent_span_id":"0x39D6E9B3DDEC9996","duration_ms":12.5,
              "response":{"status":"201","status_code":200,"headers":[{"name":"Location","value":"/v1/things/thing_0123456789"}],"body":5}}"#,
            r#"{"timestamp":"2026-01-01T10:00:00Z","time":null,"method":"POST","url":5,"uri":"https://a.example/form",
              "request":{"headers":{"content-type":"application/x-www-form-urlencoded"},"body":"a=1&session_id=sess_0123456789"},"body":{"unused":true},
              "response":{"status":-1.0,"body":[1,-0,1.5e3,12345678901234567890,"\u00e9\ud83d\ude00\n\"",{"z":{"b":1,"a":[]},"":null}]}}"#,
            r#"{"method":"POST","url":"/v1/responses","request":null,"headers":{"content-type":"text/plain"},"body":"","response":null,"parent_id":7,"parent_span_id":"00f067aa0ba902b7"}"#,
            r#"{"method":"POST","url":"/v1/responses","request":[1],"response":"gone","duration_ms":"12","time":1700000000000}"#,
            r#"{"method":"GET","url":"/","headers":{"x-b":"1","X-A":"2","x-b":"3","x-\u0063":" c "},"response":{"headers":{"b":"1","a":"2"}}}"#,
            r#" { "method" : "post" , "url" : "/v1/responses" , "request" : { "body" : { "input" : [ { "role" : "user" , "content" : "hi" } ] , "previous_response_id" : "resp_0123456789" , "store" : true } } } "#,
            // A body that repeats a key: its last value, as the tree keeps it.
            r#"{"method":"GET","url":"/","body":{"a":1,"b":[{"c":1,"c":2}],"a":2}}"#,
            // Members no record of another kind is marked by (`id`, `input`, `timestamp`…).
            r#"{"id":"x","input":"y","context":{"trace_id":"a"},"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","timestamp":1,"method":"GET","url":"/"}"#,
        ];
        for line in shapes {
            assert!(both(&line.replace('\n', " ")), "{line}");
        }
    }

    #[test]
    fn other_lines_are_left_to_the_tree() {
        let deep = format!(r#"{{"method":"GET","url":"/","body":{}1{}}}"#, "[".repeat(40), "]".repeat(40));
        let deep_skipped = format!(r#"{{"method":"GET","url":"/","x":{}1{}}}"#, "[".repeat(70), "]".repeat(70));
        for line in [
            // Span and log records, OTLP, lists, and lines that are no call.
            r#"{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","name":"GET","method":"GET","url":"/"}"#,
            r#"{"traceId":"01","spanId":"02","timeUnixNano":"1","body":{},"method":"GET","url":"/"}"#,
            r#"{"type":"GENERATION","method":"GET","url":"/"}"#,
            r#"{"resourceSpans":[],"method":"GET","url":"/"}"#,
            r#"[{"method":"GET","url":"/"}]"#,
            r#"{"url":"/"}"#,
            r#"{"method":"GET","url":null}"#,
            r#"{"records":[{"method":"GET","url":"/"}]}"#,
            // Members met twice, values the tree refuses or nests deeper than the reader writes.
            r#"{"method":"GET","url":"/","method":"POST"}"#,
            r#"{"method":"GET","url":"/","response":{"status":200,"status":201}}"#,
            r#"{"method":"GET","url":"/","body":[1e999]}"#,
            r#"{"method":"GET","url":"/","x":1e999}"#,
            r#"{"method":"GET","url":"/"} {}"#,
            r#"{"method":"GET","url":"/",}"#,
            &deep,
            &deep_skipped,
        ] {
            assert_eq!(agrees(line.as_bytes()), Ok(()), "{line}");
            assert!(read(line, 0, 0, &mut Bodies::new(false)).is_none(), "{line}");
        }
    }
}
