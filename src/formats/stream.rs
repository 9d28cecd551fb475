//! Reading one input given in pieces (a `File.stream()` in the page, a large file in the CLI).
//! HAR entries and JSON Lines records are read as each completes, so only the entry being read is
//! held, never the file; other formats are gathered and read whole at the end. The calls are
//! the ones the in-memory readers make, from the same code.

use super::{har, jsonl, Read};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::limits::Limits;
use crate::model::Call;

/// How much of the start of an input decides its format (the in-memory readers look at the
/// same: a HAR's `log` within its first 4 KiB, a JSON Lines input's first line).
const HEAD: usize = 64 * 1024;

pub struct StreamReader {
    input: usize,
    limits: Limits,
    keep_bodies: bool,
    state: State,
    /// Bytes pushed so far.
    consumed: usize,
}

enum State {
    /// Not enough bytes yet to tell the format.
    Head(Vec<u8>),
    Har(Box<har::Reader>),
    Lines(Box<LineStream>),
    /// A format read from the whole document.
    Whole(Vec<u8>),
}

impl StreamReader {
    pub fn new(input: usize, limits: &Limits, keep_bodies: bool) -> StreamReader {
        StreamReader { input, limits: limits.clone(), keep_bodies, state: State::Head(Vec::new()), consumed: 0 }
    }

    /// Calls read so far.
    pub fn calls(&self) -> usize {
        match &self.state {
            State::Har(har) => har.calls(),
            State::Lines(lines) => lines.lines.calls(),
            State::Head(_) | State::Whole(_) => 0,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.consumed += chunk.len();
        if self.consumed > self.limits.max_input_bytes {
            return Err(super::too_large(self.consumed, &self.limits));
        }
        match &mut self.state {
            State::Head(head) => {
                head.extend_from_slice(chunk);
                if head.len() >= HEAD && head_decides(head) {
                    self.decide()?;
                }
                Ok(())
            }
            State::Whole(all) => {
                all.extend_from_slice(chunk);
                Ok(())
            }
            State::Har(har) => har.feed(chunk, &self.limits),
            State::Lines(lines) => lines.feed(chunk, &self.limits),
        }
    }

    /// Chooses the reader from the start of the input, and gives it that start.
    fn decide(&mut self) -> Result<()> {
        let State::Head(head) = std::mem::replace(&mut self.state, State::Whole(Vec::new())) else { return Ok(()) };
        let base = if head.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
        let valid = match std::str::from_utf8(&head[base..]) {
            Ok(text) => text,
            // A character cut at the end of the head is fine; anything else is read whole (and
            // reported by the in-memory reader).
            Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[base..base + e.valid_up_to()]).unwrap_or(""),
            Err(_) => "",
        };
        let start = valid.trim_start();
        self.state = if start.starts_with('{') && har::looks_like_har(start) {
            let mut har = Box::new(har::Reader::new(self.input, base, self.keep_bodies));
            har.feed(&head[base..], &self.limits)?;
            State::Har(har)
        } else if jsonl::looks_like_jsonl(start) {
            let mut lines = Box::new(LineStream::new(self.input, base, self.keep_bodies));
            lines.feed(&head[base..], &self.limits)?;
            State::Lines(lines)
        } else {
            State::Whole(head)
        };
        Ok(())
    }

    pub fn finish(mut self) -> Result<Read> {
        if matches!(self.state, State::Head(_)) {
            self.decide()?;
        }
        let mut read = match self.state {
            State::Head(_) => unreachable!("decided above"),
            State::Whole(all) => return super::read(&all, self.input, &self.limits, self.keep_bodies),
            State::Har(har) => har.finish(&self.limits)?,
            State::Lines(lines) => lines.finish(&self.limits)?,
        };
        if !self.keep_bodies {
            read.calls.iter_mut().for_each(Call::slim);
        }
        Ok(read)
    }
}

/// Whether the start of an input is enough to choose its reader: it names a HAR's `log`, or it
/// holds a whole first line and the start of the next, which JSON Lines needs to be recognised.
/// An OTLP file export's lines are megabytes long; without this its input was kept whole.
/// Waiting costs nothing: an input that never shows a second line is read whole anyway.
fn head_decides(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    if text.trim_start().starts_with('{') && har::looks_like_har(text.trim_start()) {
        return true;
    }
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    memchr::memchr(b'\n', &head[start..])
        .is_some_and(|newline| head[start + newline..].iter().any(|b| !b.is_ascii_whitespace()))
}

/// Splits JSON Lines at newlines across chunks; a line cut by a chunk waits for its end.
struct LineStream {
    lines: jsonl::Lines,
    partial: Vec<u8>,
    number: usize,
    /// Offset in the text (after a byte order mark) of the next line.
    offset: usize,
    base: usize,
}

impl LineStream {
    fn new(input: usize, base: usize, keep_bodies: bool) -> LineStream {
        LineStream {
            lines: jsonl::Lines::new(input, base, keep_bodies),
            partial: Vec::new(),
            number: 0,
            offset: 0,
            base,
        }
    }

    fn feed(&mut self, chunk: &[u8], limits: &Limits) -> Result<()> {
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', chunk) {
            if self.partial.is_empty() {
                self.line(&chunk[start..end], limits)?;
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(&chunk[start..end]);
                self.line(&line, limits)?;
            }
            start = end + 1;
        }
        self.partial.extend_from_slice(&chunk[start..]);
        Ok(())
    }

    fn line(&mut self, bytes: &[u8], limits: &Limits) -> Result<()> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let at = self.base + self.offset + e.valid_up_to();
            Error::new(ErrorKind::UnknownFormat, "The input is not valid UTF-8 text.").at(Location {
                offset: Some(at),
                line: Some(self.number + 1),
                ..Location::default()
            })
        })?;
        self.lines.line(text, self.number, self.offset, limits)?;
        self.offset += bytes.len() + 1;
        self.number += 1;
        Ok(())
    }

    fn finish(mut self, limits: &Limits) -> Result<Read> {
        let last = std::mem::take(&mut self.partial);
        self.line(&last, limits)?;
        self.lines.finish()
    }
}
