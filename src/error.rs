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

/// A limit that protects memory and time, named as in the options (`limits: {maxCalls: …}`) and
/// in the CLI (`--limit maxCalls=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum LimitName {
    MaxInputBytes,
    MaxBodyBytes,
    MaxInflateRatio,
    MaxCalls,
    MaxTreeSize,
}

impl LimitName {
    /// The name as the options and the CLI spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitName::MaxInputBytes => "maxInputBytes",
            LimitName::MaxBodyBytes => "maxBodyBytes",
            LimitName::MaxInflateRatio => "maxInflateRatio",
            LimitName::MaxCalls => "maxCalls",
            LimitName::MaxTreeSize => "maxTreeSize",
        }
    }
}

/// What the caller can do about an error, as data: each edge (the CLI, the npm package) words it
/// in its own syntax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Help {
    /// The input is over `limit`, now `current`; a higher value reads it.
    RaiseLimit { limit: LimitName, current: usize },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Error {
    pub kind: ErrorKind,
    /// What went wrong, as a sentence, without the location and without any caller's syntax.
    pub message: String,
    /// Boxed to keep `Result<T, Error>` small on the happy path.
    pub location: Box<Location>,
    /// What would get past the error, where something would (for a limit: which one to raise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Help>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), location: Box::default(), help: None }
    }

    /// A `limit` error for an input over `limit`, which is `current` now.
    pub fn over_limit(limit: LimitName, current: usize, message: impl Into<String>) -> Self {
        Error { help: Some(Help::RaiseLimit { limit, current }), ..Error::new(ErrorKind::Limit, message) }
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
