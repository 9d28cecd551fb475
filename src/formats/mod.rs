//! Readers: bytes in, calls of the normalized model out. The format is detected from the content,
//! never from the file name.

mod attr;
mod body;
mod cassette;
#[cfg(any(test, feature = "oracle"))]
pub use har::oracle as har_oracle;
#[cfg(any(test, feature = "oracle"))]
pub use otlp::agrees as otlp_agrees;
#[cfg(any(test, feature = "oracle"))]
pub use request_lines::agrees as jsonl_agrees;
mod har;
mod jsonl;
mod nock;
mod observability;
mod otlp;
mod records;
mod request_lines;
mod spans;
mod stream;
mod time;
#[cfg(feature = "yaml")]
mod tree;
mod warnings;
pub mod yaml;

pub use body::decode_body;
pub use stream::StreamReader;
pub use warnings::{Warnings, MAX_WARNINGS};

use crate::error::{Error, ErrorKind, LimitName, Location, Result};
use crate::limits::Limits;
use crate::model::{Call, Diagnostic, Format};

/// How deep documents may nest (serde_json's and the YAML parser's own bound).
pub const MAX_DEPTH: usize = 128;

/// What one input yielded: its format, its calls, and what was skipped on the way.
pub struct Read {
    pub format: Format,
    pub calls: Vec<Call>,
    /// Warnings, capped at [`MAX_WARNINGS`] (the rest are counted).
    pub warnings: Warnings,
    /// Entries skipped (they count in entry numbers).
    pub skipped: usize,
}

impl Read {
    pub fn new(format: Format) -> Read {
        Read { format, calls: Vec::new(), warnings: Warnings::default(), skipped: 0 }
    }

    /// Adds a warning, built only if it will be listed.
    pub fn warn(&mut self, make: impl FnOnce() -> Diagnostic) {
        self.warnings.warn(make);
    }
}

/// Reads one input. `input` is the index the calls will carry in their `Source`. Unless
/// `keep_bodies`, each call keeps only what the signals read (see [`crate::model::Body::slim`]).
pub fn read(bytes: &[u8], input: usize, limits: &Limits, keep_bodies: bool) -> Result<Read> {
    let mut read = read_calls(bytes, input, limits, keep_bodies)?;
    if !keep_bodies {
        read.calls.iter_mut().for_each(Call::slim);
    }
    Ok(read)
}

fn read_calls(bytes: &[u8], input: usize, limits: &Limits, keep_bodies: bool) -> Result<Read> {
    if bytes.len() > limits.max_input_bytes {
        return Err(too_large(bytes.len(), limits));
    }
    let (text, base) = text_of(bytes)?;
    let start = text.trim_start();
    if start.is_empty() {
        return Err(Error::new(ErrorKind::UnknownFormat, "The input is empty."));
    }
    let source = Text { text, base, input, keep_bodies, cursor: std::cell::Cell::new((0, 1, 0)) };
    let json = start.starts_with('{') || start.starts_with('[');
    if json {
        // A HAR has `log` near its start: read it with the streaming reader, entry by entry.
        if har::looks_like_har(start) {
            return har::read(&source, limits);
        }
        if jsonl::looks_like_jsonl(start) {
            return jsonl::read(&source, limits);
        }
    }
    let yaml;
    let text = if json {
        source.text
    } else {
        yaml = yaml::document(&source, limits)?;
        yaml.as_str()
    };
    let doc = document(&source, text, json, limits)?;
    let read = from_document(doc.root(), &source, json, limits)?;
    limits.check_calls(read.calls.len(), "The input", "calls")?;
    Ok(read)
}

/// Whether an input that begins with `head` is YAML (so needs the YAML module where this build has
/// no parser): its first byte after a byte order mark and white space is not `{` or `[`, as
/// [`read`] tells. `None` while `head` is all white space. Unicode white space other than ASCII's
/// counts as YAML here, where [`read`] skips it: a module loaded for nothing, never one missed.
pub fn starts_yaml(head: &[u8]) -> Option<bool> {
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace())?;
    Some(!matches!(first, b'{' | b'['))
}

fn too_large(size: usize, limits: &Limits) -> Error {
    let limit = limits.max_input_bytes;
    let message = format!("The input is {size} bytes, over the limit `maxInputBytes` of {limit} bytes.");
    Error::over_limit(LimitName::MaxInputBytes, limit, message)
}

/// The document of an input that is not read as it streams: its JSON text (`json`), or the JSON
/// text the YAML parser made of it.
fn document<'t>(source: &Text, text: &'t str, json: bool, limits: &Limits) -> Result<crate::json::Doc<'t>> {
    let budget = budget(text.len(), limits);
    // The YAML parser allows one level more than serde_json, whose count the tape keeps.
    let depth = if json { MAX_DEPTH } else { MAX_DEPTH + 1 };
    crate::json::Doc::parse(text, depth, budget).map_err(|e| match json {
        true => syntax_error(e, "input").at(source.location_at(e.offset)),
        // The YAML module wrote this JSON: an error here is its fault, not the input's.
        false => Error::new(ErrorKind::UnknownFormat, format!("The YAML module wrote invalid JSON: {}.", e.detail())),
    })
}

/// The error for a document that is not JSON: `what` names the input in the sentence.
fn syntax_error(e: crate::json::SyntaxError, what: &str) -> Error {
    use crate::json::Problem;
    let detail = e.detail();
    match e.problem {
        Problem::Truncated => Error::malformed(format!("The {what} ends too early (truncated?): {detail}.")),
        Problem::TooDeep(_) => Error::new(ErrorKind::Limit, format!("The {what} is nested more than {MAX_DEPTH} levels deep, the fixed limit that protects the stack; no real trace nests that deep.")),
        Problem::OverBudget(budget) => Error::over_limit(
            LimitName::MaxTreeSize,
            budget,
            format!("The {what} expands to more than {budget} nodes and string bytes, the limit `maxTreeSize`."),
        ),
        _ => Error::malformed(format!("The {what} is not valid JSON: {detail}.")),
    }
}

/// The budget of a document of `len` bytes (nodes plus string bytes): room for every byte several
/// times over, generous for real files and a hard stop for YAML alias expansion.
pub fn budget(len: usize, limits: &Limits) -> usize {
    len.saturating_mul(4).saturating_add(1 << 20).min(limits.max_tree_size)
}

/// Every other format is recognized by the shape of its document.
fn from_document(root: crate::json::Node, source: &Text, json: bool, limits: &Limits) -> Result<Read> {
    if otlp::is_otlp(root) {
        let mut notes = Vec::new();
        let mut records = records::Records::new(source.keep_bodies);
        otlp::otlp_spans(root, &mut notes, &mut records);
        let spans = records.finish();
        let mut read = Read::new(Format::Otlp);
        read.warnings.extend(notes.into_iter().map(|n| Diagnostic {
            severity: crate::model::Severity::Warning,
            message: format!("The OTLP input: {n}."),
            location: None,
        }));
        let count = spans.len();
        read.calls = spans::to_calls(spans, source.input, source.keep_bodies);
        read.warnings.extend(spans::not_calls_note(count, read.calls.len()));
        return Ok(read);
    }
    if nock::is_nock(root) {
        return Ok(nock::read(root, source.input, limits));
    }
    if cassette::interactions(root).is_some() {
        return cassette::read(root, source, limits);
    }
    let mut records = records::Records::new(source.keep_bodies);
    if records.add_document(root) > 0 {
        let format = records.format();
        let spans = records.finish();
        let count = spans.len();
        let calls = spans::to_calls(spans, source.input, source.keep_bodies);
        let mut read = Read::new(format);
        read.warnings.extend(spans::not_calls_note(count, calls.len()));
        return Ok(Read { calls, ..read });
    }
    if let Some(span) = records::attribute_map(root) {
        let span = spans::HeldSpan::of(span, source.keep_bodies);
        let calls = spans::to_calls(vec![span], source.input, source.keep_bodies);
        return Ok(Read { calls, ..Read::new(Format::SpanDump) });
    }
    let what = if json { "JSON" } else { "YAML" };
    let saw = match records::top_keys(root) {
        Some(keys) => format!(" Its records have the keys {keys}, none a record callstate knows."),
        None => String::new(),
    };
    Err(Error::new(
        ErrorKind::UnknownFormat,
        format!(
            "The input is {what} but not a trace callstate reads: expected a HAR (`log.entries`), a cassette (`interactions` or `http_interactions`), a nock recording, OTLP/JSON (`resourceSpans`), or span records (spans, span events or log records with trace and span ids; Langfuse traces and observations; LangSmith runs), as a list, under a wrapper key or one per line.{saw}"
        ),
    )
    .at(source.location_at(0)))
}

/// An input's text as the readers see it.
struct Text<'a> {
    text: &'a str,
    /// Bytes before `text` in the input (a byte order mark), added to every reported offset.
    base: usize,
    /// Index of the input in the trace.
    input: usize,
    /// Whether calls keep whole bodies; readers of large inputs slim each call as they go.
    keep_bodies: bool,
    /// The last position located: (offset, line, start of that line).
    cursor: std::cell::Cell<(usize, usize, usize)>,
}

impl Text<'_> {
    /// The location of an offset. Positions reported in increasing order (one per bad entry)
    /// are counted on from the previous one, so many warnings cost one pass over the input.
    fn location_at(&self, offset: usize) -> Location {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        let (mut at, mut line, mut line_start) = self.cursor.get();
        if offset < at {
            (at, line, line_start) = (0, 1, 0);
        }
        for newline in memchr::memchr_iter(b'\n', &bytes[at..offset]) {
            line += 1;
            line_start = at + newline + 1;
        }
        self.cursor.set((offset, line, line_start));
        let location = Location::at(bytes, offset, line, line_start);
        Location { offset: Some(offset + self.base), ..location }
    }
}

/// The input as UTF-8 text without a byte order mark, and the length of the mark.
fn text_of(bytes: &[u8]) -> Result<(&str, usize)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::new(
            ErrorKind::UnknownFormat,
            "The input is UTF-16 encoded; save it as UTF-8 (for example with `iconv -f UTF-16 -t UTF-8`) and try again.",
        )
        .at(Location::at_offset(bytes, 0)));
    }
    let (bytes, base) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, 3),
        None => (bytes, 0),
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let binary = bytes.iter().take(512).filter(|&&b| b == 0).count() > 0;
        let message = if binary {
            "The input is binary, not a trace: callstate reads HAR, VCR cassettes and betamax JSON, which are text."
        } else {
            "The input is not valid UTF-8 text."
        };
        let location = Location::at_offset(bytes, at);
        Error::new(ErrorKind::UnknownFormat, message).at(Location { offset: Some(at + base), ..location })
    })?;
    Ok((text, base))
}

/// serde's messages end with " at line X column Y"; we report the position separately.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}
