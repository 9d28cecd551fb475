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
    Har(Box<HarStream>),
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
            State::Har(har) => har.entries.read.calls.len(),
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
            let mut har = Box::new(HarStream::new(self.input, base, self.keep_bodies));
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
            State::Har(har) => har.finish()?,
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

/// Finds `log.entries` in a HAR and hands each entry's JSON to the HAR reader as soon as it is
/// complete. It tracks strings and nesting only; each entry is then parsed in full.
struct HarStream {
    entries: har::Entries,
    /// Offset in the input of the next byte (a byte order mark counts).
    offset: usize,
    line: usize,
    line_start: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
    phase: Phase,
    /// The last key seen at depths 1 and 2 (`log`, then `entries`), while looking for entries.
    keys: [Vec<u8>; 3],
    /// A string just closed at depth 1 or 2, which is a key if a colon follows.
    string: Vec<u8>,
    string_closed: bool,
    found_log: bool,
    /// `log` and `log.entries` seen as keys: a second one is an error, as in memory.
    seen_keys: (bool, bool),
    /// The value of `log.entries` comes next: it must be a list (or null).
    expect_list: bool,
    /// The entry being read, its start, and whether it is an object or array (else a scalar).
    entry: Vec<u8>,
    entry_at: Option<(usize, usize, usize)>,
    entry_nested: bool,
    /// The last bytes before the scan position (for the line before an entry, in warnings),
    /// and those before the entry being read.
    recent: Vec<u8>,
    before_entry: Vec<u8>,
}

#[derive(PartialEq, Eq)]
enum Phase {
    Seek,
    Entries,
    Rest,
}

/// Where a chunk's scan stands: the open entry's first byte in the chunk, and how far lines are
/// counted.
struct Cursor {
    entry_from: Option<usize>,
    counted: usize,
}

/// Depth of the entries array's items: root object 1, `log` 2, `entries` 3.
const ENTRY_DEPTH: usize = 3;

impl HarStream {
    fn new(input: usize, base: usize, keep_bodies: bool) -> HarStream {
        HarStream {
            entries: har::Entries::new(input, keep_bodies),
            offset: base,
            line: 1,
            line_start: base,
            depth: 0,
            in_string: false,
            escaped: false,
            phase: Phase::Seek,
            keys: Default::default(),
            string: Vec::new(),
            string_closed: false,
            found_log: false,
            seen_keys: (false, false),
            expect_list: false,
            entry: Vec::new(),
            entry_at: None,
            entry_nested: false,
            recent: Vec::new(),
            before_entry: Vec::new(),
        }
    }

    fn feed(&mut self, chunk: &[u8], limits: &Limits) -> Result<()> {
        // Where the current entry's bytes start in this chunk, and up to where lines are counted.
        let mut at = Cursor { entry_from: self.entry_at.map(|_| 0), counted: 0 };
        let mut i = 0;
        while i < chunk.len() {
            if self.in_string {
                i = self.skip_string(chunk, i);
                continue;
            }
            let b = chunk[i];
            if self.expect_list && !b.is_ascii_whitespace() {
                self.expect_list = false;
                if b != b'[' && b != b'n' {
                    return Err(self.malformed(i, "has a `log.entries` that is not a list of entries"));
                }
            }
            if self.phase == Phase::Entries && self.depth == ENTRY_DEPTH && self.entry_at.is_none() {
                self.maybe_start_entry(chunk, i, &mut at);
            }
            self.structure(chunk, i, &mut at, limits)?;
            i += 1;
        }
        self.end_chunk(chunk, &at);
        Ok(())
    }

    /// Inside a string: to its closing quote (keeping what may be a key), or to the chunk's end.
    fn skip_string(&mut self, chunk: &[u8], mut i: usize) -> usize {
        if self.escaped {
            self.escaped = false;
            return i + 1;
        }
        let Some(j) = memchr::memchr2(b'"', b'\\', &chunk[i..]) else {
            self.key_bytes(&chunk[i..]);
            return chunk.len();
        };
        self.key_bytes(&chunk[i..i + j]);
        i += j;
        if chunk[i] == b'\\' {
            self.escaped = true;
        } else {
            self.in_string = false;
            self.string_closed = self.depth <= 2;
        }
        i + 1
    }

    /// An entry starts at `i` unless the byte is whitespace or punctuation: note where, counting
    /// lines only now.
    fn maybe_start_entry(&mut self, chunk: &[u8], i: usize, at: &mut Cursor) {
        let b = chunk[i];
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b',' | b']') {
            return;
        }
        self.count_lines(chunk, at.counted, i);
        at.counted = i;
        self.entry_at = Some((self.offset + i, self.line, self.line_start));
        let take = har::SNIPPET_BEFORE.min(i);
        let from_recent = (har::SNIPPET_BEFORE - take).min(self.recent.len());
        self.before_entry.clear();
        self.before_entry.extend_from_slice(&self.recent[self.recent.len() - from_recent..]);
        self.before_entry.extend_from_slice(&chunk[i - take..i]);
        self.entry_nested = matches!(b, b'{' | b'[');
        at.entry_from = Some(i);
    }

    fn count_lines(&mut self, chunk: &[u8], from: usize, to: usize) {
        for nl in memchr::memchr_iter(b'\n', &chunk[from..to]) {
            self.line += 1;
            self.line_start = self.offset + from + nl + 1;
        }
    }

    /// One byte outside strings: quotes, brackets, colons and commas move the state.
    fn structure(&mut self, chunk: &[u8], i: usize, at: &mut Cursor, limits: &Limits) -> Result<()> {
        match chunk[i] {
            b'"' => {
                self.in_string = true;
                self.string.clear();
                self.string_closed = false;
            }
            b @ (b'{' | b'[') => self.open(b),
            b'}' | b']' => self.close(chunk, i, at, limits)?,
            b':' if self.string_closed => self.key(i)?,
            b',' => {
                self.string_closed = false;
                if self.phase == Phase::Entries && self.depth == ENTRY_DEPTH {
                    self.end_scalar(chunk, &mut at.entry_from, i, limits)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn open(&mut self, b: u8) {
        if self.phase == Phase::Seek {
            if self.depth == 1 && b == b'{' && self.keys[1] == b"log" {
                self.found_log = true;
            }
            if self.depth == 2 && b == b'[' && self.keys[1] == b"log" && self.keys[2] == b"entries" {
                self.phase = Phase::Entries;
            }
        }
        self.depth += 1;
    }

    fn close(&mut self, chunk: &[u8], i: usize, at: &mut Cursor, limits: &Limits) -> Result<()> {
        if self.depth == 0 {
            return Err(self.malformed(i, "has a closing bracket that opens nowhere"));
        }
        self.depth -= 1;
        if self.depth <= 2 {
            self.keys[self.depth + 1..].iter_mut().for_each(Vec::clear);
        }
        if self.phase == Phase::Entries && self.depth == ENTRY_DEPTH && self.entry_nested {
            let from = at.entry_from.take().unwrap_or(0);
            self.complete_entry(&chunk[from..=i], limits)?;
        } else if self.phase == Phase::Entries && self.depth == 2 {
            // A scalar entry ends at the array's end.
            self.end_scalar(chunk, &mut at.entry_from, i, limits)?;
            self.phase = Phase::Rest;
        }
        Ok(())
    }

    /// A colon after a string at depth 1 or 2: the string was a key.
    fn key(&mut self, i: usize) -> Result<()> {
        let key = std::mem::take(&mut self.string);
        let duplicate = match self.depth {
            1 if key == b"log" => std::mem::replace(&mut self.seen_keys.0, true),
            2 if key == b"entries" && self.keys[1] == b"log" => {
                self.expect_list = true;
                std::mem::replace(&mut self.seen_keys.1, true)
            }
            _ => false,
        };
        if duplicate {
            let name = if self.depth == 1 { "log" } else { "log.entries" };
            return Err(self.malformed(i, &format!("has `{name}` twice")));
        }
        self.keys[self.depth.min(2)] = key;
        self.string_closed = false;
        Ok(())
    }

    /// Counts the chunk's last lines, keeps the open entry's bytes and the chunk's last bytes.
    fn end_chunk(&mut self, chunk: &[u8], at: &Cursor) {
        self.count_lines(chunk, at.counted, chunk.len());
        if let (Some(from), true) = (at.entry_from, self.entry_at.is_some()) {
            self.entry.extend_from_slice(&chunk[from..]);
        }
        // Keep the last bytes seen, for the snippet of an entry that starts early in the next chunk.
        let keep = har::SNIPPET_BEFORE;
        if chunk.len() >= keep {
            self.recent.clear();
            self.recent.extend_from_slice(&chunk[chunk.len() - keep..]);
        } else {
            self.recent.extend_from_slice(chunk);
            let excess = self.recent.len().saturating_sub(keep);
            self.recent.drain(..excess);
        }
        self.offset += chunk.len();
    }

    /// Keeps the bytes of a string that may be a key (short, at depth 1 or 2; after the entries
    /// too, where a second `log` or `entries` is an error).
    fn key_bytes(&mut self, bytes: &[u8]) {
        if self.depth <= 2 && self.string.len() + bytes.len() <= 64 {
            self.string.extend_from_slice(bytes);
        }
    }

    /// Ends an entry that is not an object (which the HAR reader then reports as skipped).
    fn end_scalar(&mut self, chunk: &[u8], entry_from: &mut Option<usize>, i: usize, limits: &Limits) -> Result<()> {
        if self.entry_at.is_some() && !self.entry_nested {
            let from = entry_from.take().unwrap_or(0);
            self.complete_entry(&chunk[from..i], limits)?;
        }
        Ok(())
    }

    /// Reads the entry that ends with `tail`: where it lies if it began in this chunk, else
    /// joined to its bytes from earlier chunks.
    fn complete_entry(&mut self, tail: &[u8], limits: &Limits) -> Result<()> {
        if self.entry.is_empty() {
            return self.read_entry(tail, limits);
        }
        let mut entry = std::mem::take(&mut self.entry);
        entry.extend_from_slice(tail);
        let read = self.read_entry(&entry, limits);
        // Reuse the buffer for the next entry.
        entry.clear();
        self.entry = entry;
        read
    }

    fn read_entry(&mut self, entry: &[u8], limits: &Limits) -> Result<()> {
        let (offset, line, line_start) = self.entry_at.take().unwrap_or_default();
        let text = std::str::from_utf8(entry).map_err(|e| {
            Error::new(ErrorKind::UnknownFormat, "The input is not valid UTF-8 text.")
                .at(Location { offset: Some(offset + e.valid_up_to()), ..Location::default() })
        })?;
        let text = text.trim_end();
        let before = &self.before_entry;
        let location = || har::entry_location(before, text, offset, line, offset - line_start + 1);
        self.entries.entry(text, limits, location)
    }

    fn malformed(&self, i: usize, what: &str) -> Error {
        Error::malformed(format!("The HAR file {what}."))
            .at(Location { offset: Some(self.offset + i), ..Location::default() })
    }

    fn finish(self) -> Result<Read> {
        if self.depth != 0 || self.in_string {
            return Err(Error::malformed("The HAR file ends too early (truncated?): it stops inside a value.")
                .at(Location { offset: Some(self.offset), line: Some(self.line), ..Location::default() }));
        }
        if !self.found_log {
            return Err(Error::malformed("The file looks like a HAR but has no `log` object.")
                .at(Location { offset: Some(0), ..Location::default() }));
        }
        Ok(self.entries.read)
    }
}
