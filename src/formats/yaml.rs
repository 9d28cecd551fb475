//! YAML documents: vcrpy and Ruby VCR cassettes, and policies. With the `yaml` feature (the CLI)
//! they are parsed in this build. The main WebAssembly module is built without it, to stay small:
//! it reads YAML through the YAML module (this crate built with `yaml-module`), which JavaScript
//! loads only when a YAML input appears and registers with [`set_reader`]. Either way one parser,
//! [`parse`], reads the document, and the errors are worded here from what it reported.

use super::Text;
use crate::error::{Error, ErrorKind, Location};
use crate::limits::Limits;

/// Why a YAML document that expands far beyond its size is refused.
pub const OVER_BUDGET: &str = "the document expands to far more data than its size (a YAML alias bomb?)";

/// What the YAML parser reported: its message, with the position as it words it, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub at: Option<Position>,
}

/// A position in the YAML text (after any byte order mark): byte index, line and column from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub index: usize,
    pub line: usize,
    pub column: usize,
}

/// A YAML document read by the YAML module: the document as JSON text, or why it could not be.
pub type Conversion = std::result::Result<String, Failure>;

/// A YAML text (the core has checked its size and encoding) as JSON text, within a budget
/// ([`super::tree`]): the one YAML parser, used in this build (the CLI) and in the YAML module.
#[cfg(feature = "yaml")]
pub fn convert(text: &str, limits: &Limits) -> Conversion {
    use serde::de::DeserializeSeed;
    let budget = std::cell::Cell::new(super::budget(text.len(), limits));
    let de = yaml_serde::Deserializer::from_str(text);
    let written = super::tree::Bounded { budget: &budget }.deserialize(de).map_err(|e| Failure {
        message: e.to_string(),
        at: e.location().map(|at| Position { index: at.index(), line: at.line(), column: at.column() }),
    })?;
    Ok(written.json())
}

/// Reads YAML in a build without a parser: set once by the embedder. `None` when it cannot.
#[cfg(not(feature = "yaml"))]
pub type Reader = fn(&str, &Limits) -> Option<Conversion>;

#[cfg(not(feature = "yaml"))]
static READER: std::sync::OnceLock<Reader> = std::sync::OnceLock::new();

/// Registers how this build reads YAML (the wasm adapter does, with the YAML module).
#[cfg(not(feature = "yaml"))]
pub fn set_reader(reader: Reader) {
    let _ = READER.set(reader);
}

/// A YAML text as JSON text, or `None` when this build cannot read YAML.
#[cfg(feature = "yaml")]
fn json_text(text: &str, limits: &Limits) -> Option<Conversion> {
    Some(convert(text, limits))
}

#[cfg(not(feature = "yaml"))]
fn json_text(text: &str, limits: &Limits) -> Option<Conversion> {
    (READER.get()?)(text, limits)
}

/// Why a build without a YAML parser did not read a YAML document.
const NO_READER: &str = "this build of callstate reads YAML only through its YAML module, which is not loaded";

/// The document of a YAML input, as JSON text.
pub(super) fn document(source: &Text, limits: &Limits) -> crate::error::Result<String> {
    match json_text(source.text, limits) {
        Some(document) => document.map_err(|failure| input_error(source, failure)),
        None => Err(Error::new(ErrorKind::UnknownFormat, format!("The input is YAML, and {NO_READER}."))
            .at(source.location_at(0))),
    }
}

/// The document of a YAML policy as JSON text, or the sentence that says why there is none.
pub fn policy(text: &str) -> std::result::Result<String, String> {
    match json_text(text, &Limits::default()) {
        Some(document) => document.map_err(|failure| format!("The policy is not valid YAML: {}.", failure.message)),
        None => Err(format!("The policy is YAML, and {NO_READER}.")),
    }
}

/// A YAML input's error: what it means for the reader, at the position the parser gave.
fn input_error(source: &Text, failure: Failure) -> Error {
    let detail = super::strip_position(&failure.message);
    // Our budget, or the parser's own cap on alias repetitions: both mean an alias bomb.
    let over_budget = detail.contains(OVER_BUDGET) || detail.contains("repetition limit");
    let (kind, message) = if over_budget {
        (ErrorKind::Limit, format!("The YAML input is refused: {}.", OVER_BUDGET))
    } else if detail.contains("recursion limit") {
        (
            ErrorKind::Limit,
            format!("The YAML input is nested more than {} levels deep, the fixed limit that protects the stack; no real trace nests that deep.", super::MAX_DEPTH),
        )
    } else {
        (
            ErrorKind::UnknownFormat,
            format!("The input is neither JSON nor a YAML cassette callstate can read: {detail}."),
        )
    };
    let location = match failure.at {
        Some(at) => {
            let mut location = source.location_at(at.index);
            location.line = Some(at.line);
            location.column = Some(at.column);
            location
        }
        None => Location::default(),
    };
    Error::new(kind, message).at(location)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON text of a YAML document is what serde_json writes of the tree it reads from the
    /// YAML (where it reads one: no tags, keys that are text), and the tape reads every one.
    #[cfg(feature = "yaml")]
    #[test]
    fn yaml_is_written_as_serde_json_writes_its_tree() {
        let limits = Limits::default();
        let (mut read, mut compared) = (0, 0);
        for dir in
            ["tests/corpus", "tests/corpus/runtimes", "tests/formats", "tests/golden", "tests/rules", "www/samples"]
        {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for path in entries.flatten().map(|e| e.path()).filter(|p| p.is_file()) {
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                let trimmed = text.trim_start_matches('\u{feff}').trim_start();
                if trimmed.starts_with(['{', '[']) || trimmed.is_empty() {
                    continue;
                }
                let Ok(json) = convert(&text, &limits) else { continue };
                assert!(crate::json::Doc::parse(&json, super::super::MAX_DEPTH + 1, usize::MAX).is_ok());
                read += 1;
                if let Ok(tree) = yaml_serde::from_str::<serde_json::Value>(&text) {
                    assert_eq!(json, tree.to_string(), "{}", path.display());
                    compared += 1;
                }
            }
        }
        assert!(read >= 40 && compared >= 5, "{read} YAML documents read, {compared} compared");
        let odd = "b: 1\na: [.inf, -.inf, .nan, 1.5, -0.0, 18446744073709551615]\n1: x\ntrue: y\n~: z\nb: 2\nq: \"\\\"\\u0001\"\n";
        assert_eq!(
            convert(odd, &limits).unwrap(),
            r#"{"1":"x","a":["inf","-inf","NaN",1.5,-0.0,18446744073709551615],"b":2,"null":"z","q":"\"\u0001","true":"y"}"#
        );
    }

    /// Nested at the limit and past it: the YAML parser and the JSON reader agree on the depth.
    #[cfg(feature = "yaml")]
    #[test]
    fn the_depth_limit_is_the_same_in_yaml_and_json() {
        let limits = Limits::default();
        for depth in [super::super::MAX_DEPTH - 1, super::super::MAX_DEPTH, super::super::MAX_DEPTH + 1] {
            let text = format!("a: {}1{}", "[".repeat(depth), "]".repeat(depth));
            let converted = convert(&text, &limits);
            let read = converted
                .as_ref()
                .map(|json| crate::json::Doc::parse(json, super::super::MAX_DEPTH + 1, usize::MAX).is_ok());
            assert!(read.is_err() || read == Ok(true), "depth {depth}");
        }
    }

    /// Without a parser and without the YAML module, a YAML input and a YAML policy are refused
    /// with a sentence (run by `make unit` with `--no-default-features`).
    #[cfg(not(feature = "yaml"))]
    #[test]
    fn without_a_reader_yaml_is_refused_clearly() {
        let bytes = b"interactions:\n  - request: {method: GET}\n";
        let error = crate::formats::read(bytes, 0, &Limits::default(), false).err().unwrap();
        assert_eq!(error.kind, ErrorKind::UnknownFormat);
        assert!(error.message.contains("YAML module, which is not loaded"), "{}", error.message);
        assert_eq!((error.location.line, error.location.column), (Some(1), Some(1)));
        assert!(policy("rules: []\n").unwrap_err().contains("YAML module, which is not loaded"));
    }
}
