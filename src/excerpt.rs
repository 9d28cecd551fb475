//! The line an error or warning points at, drawn from the input's bytes: the only place that
//! turns a position into text to show (clipped, control characters blanked, secrets masked), and
//! the one rendering of an error with its line and caret under it, as the CLI prints it.
//! `error.rs` keeps positions as data and knows nothing of redaction.

use crate::error::{Error, Location};
use crate::redact::redact_string;

impl Location {
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
    let (before, after) = (redact_string(clean(before)), redact_string(clean(after)));
    if before.trim().is_empty() && after.trim().is_empty() {
        return None;
    }
    let lead = if start > line_start { "…" } else { "" };
    let tail = if end < line_end { "…" } else { "" };
    let caret = lead.chars().count() + before.chars().count();
    Some((format!("{lead}{before}{after}{tail}"), caret))
}

/// An error as people read it: the sentence with where, then the line it points at with a caret
/// under the position, when there is one.
pub fn render(error: &Error) -> String {
    match (&error.location.snippet, error.location.caret) {
        (Some(snippet), Some(caret)) => format!("{error}\n  {snippet}\n  {}^", " ".repeat(caret)),
        _ => error.to_string(),
    }
}
