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
    /// Drawn by [`crate::excerpt`] from the bytes where the position is found; this module only
    /// carries it.
    pub snippet: Option<String>,
    pub caret: Option<usize>,
}

impl Location {
    pub fn entry(entry: usize) -> Self {
        Location { entry: Some(entry), ..Location::default() }
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
