//! JSON Lines: one record per line. Request logs in the shapes people write — OpenAI batch input
//! (`custom_id`, `method`, `url`, `body`) and output (`custom_id`, `response.body`) files, and the
//! generic shape documented in the README — and OTLP/JSON with one export request per line.
//! Request records and OTLP exports in the shapes writers use are read on the lexer
//! ([`request_lines`], [`otlp::Export`]); every other line as a document, in the order below.
//! A bad line costs a warning with its line number; the rest is analyzed.

use super::records::{KeyTally, Kind, Records};
use super::request_lines::{self, Bodies};
use super::{otlp, spans, Read, Text};
use crate::error::{Error, Location, Result};
use crate::json::{Doc, Node, SyntaxError};
use crate::limits::Limits;
use crate::model::{Diagnostic, Format, Severity};

/// JSON Lines: the first line is a whole JSON object (or list) by itself and more lines follow.
pub fn looks_like_jsonl(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else { return false };
    (first.starts_with('{') || first.starts_with('['))
        && lines.next().is_some()
        && serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok()
}

pub fn read(source: &Text, limits: &Limits) -> Result<Read> {
    let mut lines = Lines::new(source.input, source.base, source.keep_bodies);
    let mut offset = 0;
    for (number, line) in source.text.split('\n').enumerate() {
        lines.line(line, number, offset, limits)?;
        offset += line.len() + 1;
    }
    lines.finish()
}

/// The reader of one JSON Lines input, fed one line at a time (the whole text, or a stream).
pub struct Lines {
    read: Read,
    /// Span, log and observation records, joined when the input ends.
    spans: Records,
    /// Lines that are JSON but no record callstate knows, with the keys they have.
    unknown: KeyTally,
    /// Lines that are not blank, and of those the ones that are JSON.
    lines: usize,
    records: usize,
    input: usize,
    /// Bytes before the text (a byte order mark), added to reported offsets.
    base: usize,
    keep_bodies: bool,
    /// How the bodies of request records read from their text are made.
    bodies: Bodies,
}

impl Lines {
    pub fn new(input: usize, base: usize, keep_bodies: bool) -> Lines {
        Lines {
            read: Read::new(Format::Jsonl),
            spans: Records::new(keep_bodies),
            unknown: KeyTally::default(),
            lines: 0,
            records: 0,
            input,
            base,
            keep_bodies,
            bodies: Bodies::new(keep_bodies),
        }
    }

    pub fn calls(&self) -> usize {
        self.read.calls.len() + self.spans.len()
    }

    /// Line `number` (from 0, without its newline), which starts at byte `offset` of the text.
    pub fn line(&mut self, line: &str, number: usize, offset: usize, limits: &Limits) -> Result<()> {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return Ok(());
        }
        self.lines += 1;
        limits.check_calls(self.calls() + 1, "The log", "records")?;
        let base = self.base;
        let warn = |message: String| {
            // The line number is known: no need to count lines again.
            let mut location = crate::error::Location::at(line.as_bytes(), 0, number + 1, 0);
            location.offset = Some(offset + base);
            location.entry = Some(number);
            Diagnostic { severity: Severity::Warning, message, location: Some(location) }
        };
        if let Some(notes) = self.export(trimmed) {
            self.otlp_read(notes, number, warn);
            return Ok(());
        }
        if let Some(call) = request_lines::read(trimmed, self.input, number, &mut self.bodies) {
            self.records += 1;
            self.read.calls.push(call);
            return Ok(());
        }
        match document(trimmed) {
            Ok(doc) => self.tree(doc.root(), number, warn),
            Err(e) => self
                .read
                .warn(|| warn(format!("Line {} is not valid JSON ({}) and was skipped.", number + 1, e.detail()))),
        }
        Ok(())
    }

    /// A line read as a document: OTLP, a span or log record, a request record, a batch of
    /// records, or JSON callstate does not know.
    fn tree(&mut self, line: Node, number: usize, warn: impl Fn(String) -> Diagnostic) {
        self.records += 1;
        if is_otlp(line) {
            let mut notes = Vec::new();
            otlp::otlp_spans(line, &mut notes, &mut self.spans);
            self.spans.add_otlp_logs(line);
            self.otlp_read(notes, number, warn);
            return;
        }
        if self.spans.add(line) {
            return;
        }
        match request_lines::of_tree(line, self.input, number) {
            Some(mut call) => {
                if !self.keep_bodies {
                    call.slim();
                }
                self.read.calls.push(call)
            }
            // A line may hold a batch of records (a list, or a wrapper object).
            None if self.spans.add_document(line) > 0 => {}
            None => self.unknown.add(line),
        }
    }

    /// An OTLP/JSON line in the shape exporters write, read without a tree of the line (megabytes
    /// of spans); `None` for any other line. The notes say which spans were skipped.
    fn export(&mut self, line: &str) -> Option<Vec<String>> {
        let export = otlp::Export::of(line)?;
        self.records += 1;
        let mut notes = Vec::new();
        export.read(&mut notes, &mut self.spans);
        self.spans.saw(Kind::Log);
        Some(notes)
    }

    /// After an OTLP line: the format, and a warning for each span skipped.
    fn otlp_read(&mut self, notes: Vec<String>, number: usize, warn: impl Fn(String) -> Diagnostic) {
        for n in notes {
            self.read.warn(|| warn(format!("Line {}: {n}.", number + 1)));
        }
        self.read.format = Format::Otlp;
    }

    pub fn finish(self) -> Result<Read> {
        let Lines { mut read, spans, unknown, lines, records, input, keep_bodies, .. } = self;
        if !spans.is_empty() {
            if read.format == Format::Jsonl {
                read.format = spans.format();
            }
            let spans = spans.finish();
            let count = spans.len();
            let calls = spans::to_calls(spans, input, keep_bodies);
            read.warnings.extend(spans::not_calls_note(count, calls.len()));
            read.calls.extend(calls);
        }
        if records == 0 {
            return Err(Error::malformed("No line of the JSON Lines input is valid JSON.").at(Location::default()));
        }
        if unknown.records > 0 {
            // The summary comes first and counts against the cap like any warning.
            read.warnings.first(unknown_lines(&unknown, lines, read.calls.is_empty()));
        }
        crate::correlate::merge_batch_answers(&mut read.calls);
        Ok(read)
    }
}

/// A line as a document: it may nest as deep as a whole document (as deep as `serde_json` read
/// lines), and costs no more than its length, so it is given no budget of its own.
pub(super) fn document(line: &str) -> std::result::Result<Doc<'_>, SyntaxError> {
    Doc::parse(line, super::MAX_DEPTH, usize::MAX)
}

/// Whether a line's document is OTLP/JSON: spans or logs.
fn is_otlp(line: Node) -> bool {
    otlp::is_otlp(line) || line.get("resourceLogs").is_some()
}

/// Whether the JSON Lines reader takes a line's document as a record of another kind before it
/// tries a request record: OTLP, or a span or log record (which `records` then holds).
#[cfg(any(test, feature = "oracle"))]
pub(super) fn other_record(line: Node, records: &mut Records) -> bool {
    is_otlp(line) || records.add(line)
}

/// One sentence for every line that was JSON but no record callstate knows, naming their keys.
fn unknown_lines(unknown: &KeyTally, lines: usize, nothing_read: bool) -> Diagnostic {
    let keys =
        unknown.keys().map_or_else(|| "; they are not JSON objects".to_string(), |k| format!("; their keys: {k}"));
    let message = if nothing_read {
        format!(
            "{lines} JSON lines, none a record callstate knows (a request with `method` and `url`, an OpenAI batch line, OTLP `resourceSpans`, a span, log record, Langfuse observation or LangSmith run){keys}."
        )
    } else {
        format!("{} of {lines} JSON lines are not records callstate knows and were skipped{keys}.", unknown.records)
    };
    Diagnostic { severity: Severity::Warning, message, location: None }
}
