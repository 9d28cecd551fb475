//! One error type for every reader and for the analysis. It always says what went wrong in a
//! sentence and, where it can, where: the input's name, the byte offset, line and column, and the
//! entry of the recording.

use schemars::JsonSchema;
use serde::Serialize;
use std::fmt;

/// Where in an input something was found. Offsets count bytes of the input as given (not UTF-16
/// units); lines and columns count from 1.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Location {
    pub input: Option<String>,
    pub offset: Option<usize>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Index (from 0) of the entry or interaction in the recording.
    pub entry: Option<usize>,
    /// The line around the position, clipped and with key-shaped strings masked, for showing
    /// under the message; `caret` is the character index in it that the position falls on.
    pub snippet: Option<String>,
    pub caret: Option<usize>,
}

impl Location {
    pub fn entry(entry: usize) -> Self {
        Location { entry: Some(entry), ..Location::default() }
    }

    /// Line and column of a byte offset in `bytes`, found by scanning from the start: for one
    /// error. Readers that report many positions use [`Location::at`] with a running count.
    pub fn at_offset(bytes: &[u8], offset: usize) -> Self {
        let offset = offset.min(bytes.len());
        let before = &bytes[..offset];
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        Location::at(bytes, offset, line, line_start)
    }

    /// The location of `offset`, on line `line` (from 1) that starts at byte `line_start`.
    pub fn at(bytes: &[u8], offset: usize, line: usize, line_start: usize) -> Self {
        let offset = offset.min(bytes.len());
        let line_start = line_start.min(offset);
        let (snippet, caret) = snippet(bytes, line_start, offset).unzip();
        Location {
            offset: Some(offset),
            line: Some(line),
            column: Some(offset - line_start + 1),
            snippet,
            caret,
            ..Location::default()
        }
    }

    /// Byte offset of a (line, column) pair as parsers report them.
    pub fn at_line_column(bytes: &[u8], line: usize, column: usize) -> Self {
        let mut offset = 0;
        for _ in 1..line {
            match memchr::memchr(b'\n', &bytes[offset..]) {
                Some(i) => offset += i + 1,
                None => break,
            }
        }
        // Parsers say column 0 at the very end of a line; columns count from 1.
        let column = column.max(1);
        let offset = (offset + column - 1).min(bytes.len());
        Location { line: Some(line), column: Some(column), ..Location::at_offset(bytes, offset) }
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(input) = &self.input {
            parts.push(input.clone());
        }
        if let (Some(line), Some(column)) = (self.line, self.column) {
            parts.push(format!("line {line}, column {column}"));
        }
        if let Some(offset) = self.offset {
            parts.push(format!("byte {offset}"));
        }
        if let Some(entry) = self.entry {
            parts.push(format!("entry {}", entry + 1));
        }
        parts.join(", ")
    }

    pub fn is_empty(&self) -> bool {
        *self == Location::default()
    }
}

/// Up to 60 bytes before and 40 after `offset` on its line, as text with control characters
/// shown as spaces and secrets masked; `None` where the bytes are not text.
fn snippet(bytes: &[u8], line_start: usize, offset: usize) -> Option<(String, usize)> {
    // Only the window is ever looked at, so that a one-line file with many warnings stays linear.
    let window_end = (offset + 41).min(bytes.len());
    let line_end = memchr::memchr(b'\n', &bytes[offset..window_end]).map_or(window_end, |i| offset + i);
    let mut start = line_start.max(offset.saturating_sub(60));
    let mut end = line_end.min(offset + 40);
    // Do not cut a UTF-8 sequence in half.
    while start < offset && (bytes[start] & 0xC0) == 0x80 {
        start += 1;
    }
    while end > offset && end < bytes.len() && (bytes[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    let before = std::str::from_utf8(&bytes[start..offset]).ok()?;
    let after = std::str::from_utf8(&bytes[offset..end]).ok()?;
    // A line that names a credential (a cookie, an authorization header) is never shown; for a
    // long line, what is near the position stands for it.
    let near = line_start.max(offset.saturating_sub(200));
    let line = String::from_utf8_lossy(&bytes[near..line_end]).to_ascii_lowercase();
    const CREDENTIALS: &[&str] =
        &["cookie", "authorization", "api-key", "api_key", "apikey", "token", "secret", "password"];
    if CREDENTIALS.iter().any(|c| line.contains(c)) {
        return None;
    }
    let clean = |s: &str| -> String { s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect() };
    let (before, after) = (crate::redact::redact_text(&clean(before)), crate::redact::redact_text(&clean(after)));
    if before.trim().is_empty() && after.trim().is_empty() {
        return None;
    }
    let lead = if start > line_start { "…" } else { "" };
    let tail = if end < line_end { "…" } else { "" };
    let caret = lead.chars().count() + before.chars().count();
    Some((format!("{lead}{before}{after}{tail}"), caret))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input is not in any format callstate reads.
    UnknownFormat,
    /// The input is in a known format but broken (truncated, malformed, wrong types).
    Malformed,
    /// The input is valid but exceeds a limit that protects memory and time.
    Limit,
    /// Options or rules passed by the caller are invalid.
    Usage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Error {
    pub kind: ErrorKind,
    /// What went wrong, as a sentence, without the location.
    pub message: String,
    /// Boxed to keep `Result<T, Error>` small on the happy path.
    pub location: Box<Location>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), location: Box::default() }
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Malformed, message)
    }

    pub fn at(mut self, location: Location) -> Self {
        let input = self.location.input.take();
        self.location = Box::new(Location { input: location.input.or(input), ..location });
        self
    }

    pub fn in_input(mut self, name: &str) -> Self {
        self.location.input = Some(name.to_string());
        self
    }

    pub fn in_entry(mut self, entry: usize) -> Self {
        self.location.entry.get_or_insert(entry);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} ({})", self.message, self.location.describe())
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
