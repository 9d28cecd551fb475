//! HAR 1.2 as real tools write it: Chrome (with `_webSocketMessages`), Firefox, Safari,
//! mitmproxy (`null` timings), Charles (base64 bodies), Polly.js (header values as arrays).
//!
//! One pass over the bytes, given whole or in pieces (a stream): the document around
//! `log.entries` is followed token by token, each entry is read where it lies ([`entry`]) and
//! made a call at once ([`call`]). Only an entry cut by the end of a piece is ever held, and one
//! broken entry costs a warning, not the whole file.

mod call;
mod entry;
#[cfg(any(test, feature = "oracle"))]
pub mod oracle;

use super::{syntax_error, Read, Text};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::lex::Lexer;
use crate::limits::Limits;
use call::Entries;
use entry::{Kind, Shape};

/// A HAR is a JSON object with a `log` key near its start.
pub fn looks_like_har(text: &str) -> bool {
    let head = &text.as_bytes()[..text.len().min(4096)];
    memchr::memmem::find(head, b"\"log\"").is_some()
}

/// Reads a HAR held in memory: the same reading as a stream's, in one piece.
pub fn read(source: &Text, limits: &Limits) -> Result<Read> {
    let mut reader = Reader::new(source.input, source.base, source.keep_bodies);
    reader.feed(source.text.as_bytes(), limits)?;
    reader.finish(limits)
}

/// How much of the line before a location its snippet shows.
const SNIPPET_BEFORE: usize = 200;

/// Where reading stands in the document, between tokens.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Place {
    /// Before the root object.
    Start,
    /// In the root object, in `log`, in `log.entries`.
    Root(Turn),
    Log(Turn),
    Entries(Turn),
    /// After the root object: only whitespace may follow.
    End,
}

/// Where reading stands in an object or list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Turn {
    /// Just opened: a member (an element), or the close.
    Open,
    /// After a comma: a member (an element).
    Member,
    /// After a member (an element): a comma, or the close.
    After,
}

/// Why a step stopped.
enum Stop {
    /// The bytes ended inside it: a stream waits for more.
    RanOut,
    /// A value starting at this byte is not JSON (`serde_json` words why).
    Value(usize),
    /// Not the token expected here.
    Token(&'static str),
    Fail(Error),
}

/// What a step of reading does: go on, or stop.
type Step = std::result::Result<(), Stop>;

/// Reads one HAR from bytes given in pieces.
pub struct Reader {
    entries: Entries,
    place: Place,
    /// `log` and `log.entries` met as keys (a second is an error), and `log` an object.
    seen_log: bool,
    seen_entries: bool,
    found_log: bool,
    /// Bytes from a step cut by the end of a piece, and the pieces after them.
    pending: Vec<u8>,
    /// Pending bytes are read again once this many have come: a long entry cut into many
    /// pieces is read a few times in all, not once per piece.
    retry_at: usize,
    /// Offset in the input of the first pending byte, its line (from 1), and where that line
    /// starts.
    offset: usize,
    line: usize,
    line_start: usize,
    /// The last bytes before the pending ones, for the line a location points at.
    recent: Vec<u8>,
}

/// What the lexer had counted at the start of a step, to go back to when it runs out.
#[derive(Clone, Copy)]
struct Mark {
    at: usize,
    lines: usize,
    line_start: usize,
}

impl Mark {
    fn of(lex: &Lexer) -> Mark {
        Mark { at: lex.at, lines: lex.lines, line_start: lex.line_start }
    }

    fn restore(self, lex: &mut Lexer) {
        (lex.at, lex.lines, lex.line_start) = (self.at, self.lines, self.line_start);
    }
}

impl Reader {
    pub fn new(input: usize, base: usize, keep_bodies: bool) -> Reader {
        Reader {
            entries: Entries::new(input, keep_bodies),
            place: Place::Start,
            seen_log: false,
            seen_entries: false,
            found_log: false,
            pending: Vec::new(),
            retry_at: 0,
            offset: base,
            line: 1,
            line_start: base,
            recent: Vec::new(),
        }
    }

    /// Calls made so far.
    pub fn calls(&self) -> usize {
        self.entries.read.calls.len()
    }

    pub fn feed(&mut self, piece: &[u8], limits: &Limits) -> Result<()> {
        let mut rest = piece;
        while !self.pending.is_empty() {
            // Only as much of the piece joins the pending bytes as the next retry needs: once
            // the step they cut is read, the rest of the piece is read where it lies.
            let take = self.retry_at.saturating_sub(self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            let joined = piece.len() - rest.len() + take;
            rest = &rest[take..];
            if self.pending.len() < self.retry_at {
                return Ok(());
            }
            let mut pending = std::mem::take(&mut self.pending);
            let used = self.read_bytes(&pending, false, limits)?;
            self.passed(&pending[..used]);
            let unread = pending.len() - used;
            if unread <= joined {
                rest = &piece[joined - unread..];
                pending.clear();
            } else {
                pending.drain(..used);
                self.retry_at = 2 * pending.len();
            }
            self.pending = pending;
        }
        let used = self.read_bytes(rest, false, limits)?;
        self.passed(&rest[..used]);
        self.pending.extend_from_slice(&rest[used..]);
        self.retry_at = 2 * self.pending.len();
        Ok(())
    }

    pub fn finish(mut self, limits: &Limits) -> Result<Read> {
        let pending = std::mem::take(&mut self.pending);
        self.read_bytes(&pending, true, limits)?;
        if !self.found_log {
            return Err(Error::malformed("The file looks like a HAR but has no `log` object.")
                .at(Location { offset: Some(0), ..Location::default() }));
        }
        Ok(self.entries.read)
    }

    /// Moves past bytes read, keeping the last of them for locations.
    fn passed(&mut self, read: &[u8]) {
        if read.len() >= SNIPPET_BEFORE {
            self.recent.clear();
            self.recent.extend_from_slice(&read[read.len() - SNIPPET_BEFORE..]);
        } else {
            self.recent.extend_from_slice(read);
            let excess = self.recent.len().saturating_sub(SNIPPET_BEFORE);
            self.recent.drain(..excess);
        }
        self.offset += read.len();
    }

    /// Reads steps from `bytes` until they run out; how many bytes the complete steps used.
    /// `last`: no more bytes will come, so running out inside the document is an error.
    fn read_bytes(&mut self, bytes: &[u8], last: bool, limits: &Limits) -> Result<usize> {
        let (text, valid) = valid_prefix(bytes, last);
        let mut lex = Lexer::new(text);
        loop {
            let mark = Mark::of(&lex);
            match self.step(&mut lex, last, limits) {
                Ok(()) => continue,
                Err(Stop::RanOut) if valid && (!last || self.place == Place::End) => {
                    mark.restore(&mut lex);
                    self.line += lex.lines;
                    if lex.lines > 0 {
                        self.line_start = self.offset + lex.line_start;
                    }
                    return Ok(mark.at);
                }
                Err(stop) => return Err(self.error(stop, &lex, valid)),
            }
        }
    }

    /// Reads one token, or one member or entry with its value.
    fn step(&mut self, lex: &mut Lexer, last: bool, limits: &Limits) -> Step {
        lex.whitespace();
        match self.place {
            Place::Start => {
                lex.expect(b'{').map_err(|()| stop(lex, "expected `{`"))?;
                self.place = Place::Root(Turn::Open);
                Ok(())
            }
            Place::Root(Turn::After) | Place::Log(Turn::After) => self.after(lex, b'}', "expected `,` or `}`"),
            Place::Entries(Turn::After) => self.after(lex, b']', "expected `,` or `]`"),
            Place::Root(turn) | Place::Log(turn) => {
                if turn == Turn::Open && lex.peek().map_err(|()| Stop::RanOut)? == b'}' {
                    return self.after(lex, b'}', "");
                }
                self.member(lex, last)
            }
            Place::Entries(turn) => {
                if turn == Turn::Open && lex.peek().map_err(|()| Stop::RanOut)? == b']' {
                    return self.after(lex, b']', "");
                }
                self.entry(lex, last, limits)
            }
            Place::End => match lex.peek() {
                Ok(_) => Err(Stop::Token("trailing characters")),
                Err(()) => Err(Stop::RanOut),
            },
        }
    }

    /// After a member or element: a comma, or the `close` that ends the object or list.
    fn after(&mut self, lex: &mut Lexer, close: u8, expected: &'static str) -> Step {
        let more = lex.more(close).map_err(|()| stop(lex, expected))?;
        self.place = match (self.place, more) {
            (Place::Root(_), true) => Place::Root(Turn::Member),
            (Place::Log(_), true) => Place::Log(Turn::Member),
            (Place::Entries(_), true) => Place::Entries(Turn::Member),
            (Place::Root(_), false) => Place::End,
            (Place::Log(_), false) => Place::Root(Turn::After),
            (Place::Entries(_), false) => Place::Log(Turn::After),
            (place, _) => place,
        };
        Ok(())
    }

    /// A member of the root object or of `log`: `log` and `log.entries` are entered, any other
    /// is skipped.
    fn member(&mut self, lex: &mut Lexer, last: bool) -> Step {
        let key = lex.member_key().map_err(|()| stop(lex, "expected a member name in quotes, then `:`"))?;
        lex.whitespace();
        let in_log = matches!(self.place, Place::Log(_));
        match (in_log, &*key) {
            (false, "log") => self.open(lex, "log", b'{', Kind::Object),
            (true, "entries") => self.open(lex, "log.entries", b'[', Kind::List),
            _ => {
                let start = lex.at;
                lex.skip_value().map_err(|()| value_stop(lex, start))?;
                if lex.ran_out() && !last {
                    return Err(Stop::RanOut);
                }
                self.place = if in_log { Place::Log(Turn::After) } else { Place::Root(Turn::After) };
                Ok(())
            }
        }
    }

    /// The value of `log` or `log.entries`: entered if it is an object (a list), passed if `null`.
    fn open(&mut self, lex: &mut Lexer, field: &'static str, bracket: u8, expected: Kind) -> Step {
        let seen = if bracket == b'{' { &mut self.seen_log } else { &mut self.seen_entries };
        if std::mem::replace(seen, true) {
            return Err(shape(Shape::Twice { field }));
        }
        let byte = lex.peek().map_err(|()| Stop::RanOut)?;
        let (inside, after) = if bracket == b'{' {
            (Place::Log(Turn::Open), Place::Root(Turn::After))
        } else {
            (Place::Entries(Turn::Open), Place::Log(Turn::After))
        };
        if byte == bracket {
            lex.at += 1;
            self.found_log |= bracket == b'{';
            self.place = inside;
        } else if byte == b'n' {
            lex.word(b"null").map_err(|()| stop(lex, "expected a value"))?;
            self.place = after;
        } else {
            return Err(shape(Shape::Type { field, found: Kind::of(byte), expected }));
        }
        Ok(())
    }

    /// One element of `log.entries`, made a call (or a warning).
    fn entry(&mut self, lex: &mut Lexer, last: bool, limits: &Limits) -> Step {
        let (start, lines, line_start) = (lex.at, lex.lines, lex.line_start);
        let entry = entry::read(lex).map_err(|()| value_stop(lex, start))?;
        if lex.ran_out() && !last {
            return Err(Stop::RanOut);
        }
        self.place = Place::Entries(Turn::After);
        let (line, line_start) =
            if lines > 0 { (self.line + lines, self.offset + line_start) } else { (self.line, self.line_start) };
        // The entry's own bytes follow its location: the same however the input is cut.
        let (recent, offset, bytes) = (&self.recent, self.offset, &lex.bytes[..lex.at]);
        let location = || locate(recent, bytes, start, offset, (line, line_start));
        self.entries.entry(entry, limits, location).map_err(Stop::Fail)
    }

    /// The error a step stopped with, located.
    fn error(&self, stop: Stop, lex: &Lexer, valid: bool) -> Error {
        let text = lex.bytes;
        let at = |pos: usize| self.locate_counting(text, pos);
        let index = self.entries.read.calls.len() + self.entries.read.skipped;
        let in_entry = |e: Error| match self.place {
            Place::Entries(Turn::Open | Turn::Member) => e.in_entry(index),
            _ => e,
        };
        match stop {
            Stop::RanOut if !valid => Error::new(ErrorKind::UnknownFormat, "The input is not valid UTF-8 text.")
                .at(Location { offset: Some(self.offset + text.len()), ..Location::default() }),
            Stop::RanOut => {
                let inside = match self.place {
                    Place::Entries(Turn::Open | Turn::Member) => format!("entry {}", index + 1),
                    _ => "the document".to_string(),
                };
                in_entry(
                    Error::malformed(format!("The HAR file ends too early (truncated?): it stops inside {inside}."))
                        .at(at(text.len())),
                )
            }
            Stop::Value(start) => in_entry(self.value_error(text, start)),
            Stop::Token(detail) => {
                Error::malformed(format!("The HAR file is not valid JSON: {detail}.")).at(at(lex.at))
            }
            Stop::Fail(error) => error,
        }
    }

    /// Why the value at `start` is not JSON, and where.
    fn value_error(&self, text: &[u8], start: usize) -> Error {
        let rest = &text[start..];
        // A piece of a stream may end inside a character: what comes before it is read.
        let rest = std::str::from_utf8(rest)
            .unwrap_or_else(|e| std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default());
        match crate::json::Doc::parse_value(rest, super::MAX_DEPTH) {
            Err(e) => syntax_error(e, "HAR file").at(self.locate_counting(text, start + e.offset)),
            Ok(_) => Error::malformed("The HAR file is not valid JSON.").at(self.locate_counting(text, start)),
        }
    }

    /// The location of byte `pos` of `text` (the bytes being read), counting its line: for an
    /// error, once.
    fn locate_counting(&self, text: &[u8], pos: usize) -> Location {
        let pos = pos.min(text.len());
        let before = &text[..pos];
        let line = match memchr::memrchr(b'\n', before) {
            Some(newline) => (self.line + memchr::memchr_iter(b'\n', before).count(), self.offset + newline + 1),
            None => (self.line, self.line_start),
        };
        locate(&self.recent, text, pos, self.offset, line)
    }
}

/// How a step that could not read on stops: the bytes ran out, or the token was not `expected`.
fn stop(lex: &Lexer, expected: &'static str) -> Stop {
    if lex.ran_out() {
        Stop::RanOut
    } else {
        Stop::Token(expected)
    }
}

/// How a value that could not be read stops: the bytes ran out, or it is not JSON.
fn value_stop(lex: &Lexer, start: usize) -> Stop {
    if lex.ran_out() {
        Stop::RanOut
    } else {
        Stop::Value(start)
    }
}

fn shape(shape: Shape) -> Stop {
    Stop::Fail(Error::malformed(format!("The HAR file has an unexpected shape: {}.", shape.words())))
}

/// The location of byte `pos` of `text`, which starts at `offset` in the input and follows the
/// `recent` bytes; `line` is its line and the offset where that line starts. The snippet shows
/// what `text` holds after `pos`.
fn locate(recent: &[u8], text: &[u8], pos: usize, offset: usize, (line, line_start): (usize, usize)) -> Location {
    let absolute = offset + pos;
    // The line up to `pos` (at most [`SNIPPET_BEFORE`] bytes of it) and what follows.
    let wanted = (absolute - line_start.min(absolute)).min(SNIPPET_BEFORE);
    let from_text = wanted.min(pos);
    let from_recent = (wanted - from_text).min(recent.len());
    let window = [&recent[recent.len() - from_recent..], &text[pos - from_text..(pos + 64).min(text.len())]].concat();
    let before = from_recent + from_text;
    let at = Location::at(&window, before, line, before - wanted.min(before));
    Location { offset: Some(absolute), column: Some(absolute.saturating_sub(line_start) + 1), ..at }
}

/// The text of `bytes`: all of it, but for a character cut by the end of a piece that is not
/// the `last` (its end comes with the next); `false` where bytes are not UTF-8.
fn valid_prefix(bytes: &[u8], last: bool) -> (&str, bool) {
    let end = if last { bytes.len() } else { without_cut_character(bytes) };
    match std::str::from_utf8(&bytes[..end]) {
        Ok(text) => (text, true),
        Err(e) => (std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(), false),
    }
}

/// The length of `bytes` without a UTF-8 sequence their end cuts.
fn without_cut_character(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let byte = bytes[bytes.len() - back];
        if byte & 0xC0 != 0x80 {
            let length = match byte {
                0xF0.. => 4,
                0xE0.. => 3,
                0xC0.. => 2,
                _ => 1,
            };
            return if length > back { bytes.len() - back } else { bytes.len() };
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::oracle::agrees;

    /// Every HAR in the test corpora and samples reads to the same calls as from its tree.
    #[test]
    fn every_har_agrees_with_the_tree() {
        let mut hars = 0;
        for dir in
            ["tests/corpus", "tests/corpus/runtimes", "tests/formats", "tests/golden", "tests/rules", "www/samples"]
        {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for path in entries.flatten().map(|e| e.path()).filter(|p| p.is_file()) {
                let bytes = std::fs::read(&path).unwrap();
                if !super::looks_like_har(&String::from_utf8_lossy(&bytes[..bytes.len().min(4096)])) {
                    continue;
                }
                agrees(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                hars += 1;
            }
        }
        assert!(hars >= 8, "{hars} HARs");
    }

    /// Entries of every shape the fields can take: the reader skips, keeps and refuses what the
    /// tree does.
    #[test]
    fn odd_entries_agree_with_the_tree() {
        let entries = [
            r#"{"request": {"method": "POST", "url": "https://a.example/v1", "headers": [{"name": "X", "value": ["a", 1, true, null, [2.5]]}], "postData": {"mimeType": "application/json", "text": "{\"id\": \"resp_1234567890abcdef\"}"}}, "response": {"status": "201", "content": {"text": "eyJhIjogMX0=", "encoding": "base64"}}}"#,
            r#"{"request": {"url": "https://a.example/", "cookies": [{"name": "s", "value": "v"}], "postData": {"params": [{"name": "a", "value": "b"}, {"value": "no name"}]}}, "time": 12.5, "startedDateTime": "2024-01-01T00:00:00.000Z"}"#,
            r#"{"request": {"url": "wss://a.example/ws"}, "_webSocketMessages": [{"type": "send", "time": 1.5, "opcode": 1, "data": "{\"type\": \"session.update\"}"}, {"type": "receive", "opcode": 2, "data": "AAEC"}, null]}"#,
            r#"{"request": {"url": "https://a.example/", "headers": {"not": "a list"}}}"#,
            r#"{"request": {"url": 5}}"#,
            r#"{"request": {"url": "https://a.example/"}, "response": {"status": {"code": 200}}}"#,
            r#"{"request": {"url": "https://a.example/"}, "response": {"status": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}}"#,
            r#"{"request": {"url": "https://a.example/"}, "response": {"status": 1e400}}"#,
            r#"{"request": {"url": "https://a.example/"}, "_other": [[[{"deep": [1e400]}]]], "time": null}"#,
            r#"{"requ\u0065st": {"url": "https://a.example/\u00e9"}}"#,
            r#"null"#,
            r#"[1, 2]"#,
            r#""text""#,
            r#"{}"#,
        ];
        for entry in entries {
            let har = format!(r#"{{"log": {{"version": "1.2", "entries": [{entry}], "pages": []}}, "x": 1}}"#);
            agrees(har.as_bytes()).unwrap_or_else(|e| panic!("{entry}: {e}"));
        }
        for document in
            [r#"{"log": {"entries": null}}"#, r#"{"log": {}}"#, r#"{"log": {"entries": 5}}"#, r#"{"log": 5}"#]
        {
            agrees(document.as_bytes()).unwrap_or_else(|e| panic!("{document}: {e}"));
        }
    }
}
