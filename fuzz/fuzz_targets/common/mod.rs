//! Invariants shared by the fuzz targets. Each target includes this file with `#[path]`.
#![allow(dead_code)]

use callstate::model::{Diagnostic, Trace};
use callstate::{Error, Limits, Location, NamedInput, Report};

/// Lines and columns count from 1 (as `Location` documents). A JSON error at the end of a line
/// once reported column 0: regressions/read_any-json-eof-column-zero.bin.
fn check_location(l: &Location, what: &dyn std::fmt::Debug) {
    if let Some(line) = l.line {
        assert!(line >= 1, "lines count from 1: {what:?}");
    }
    if let Some(column) = l.column {
        assert!(column >= 1, "columns count from 1: {what:?}");
    }
    if let (Some(snippet), Some(caret)) = (&l.snippet, l.caret) {
        assert!(caret <= snippet.chars().count(), "caret past the snippet: {what:?}");
    }
}

/// An error is a value with a sentence, and names the input it came from.
pub fn check_error(e: &Error, names: &[&str]) {
    assert!(!e.message.trim().is_empty(), "an error with an empty message: {e:?}");
    assert!(!e.to_string().is_empty());
    if let Some(input) = &e.location.input {
        assert!(names.contains(&input.as_str()), "error names an unknown input {input:?}");
    }
    check_location(&e.location, e);
}

/// A trace's calls point at inputs that exist; correlation may merge calls but never invents them.
pub fn check_trace(trace: &Trace, inputs: usize) {
    assert!(trace.inputs.len() <= inputs);
    let read: usize = trace.inputs.iter().map(|i| i.calls).sum();
    assert!(trace.calls.len() <= read, "{} calls from {} read", trace.calls.len(), read);
    for call in &trace.calls {
        assert!(
            call.source.input < trace.inputs.len(),
            "call from input {} of {}",
            call.source.input,
            trace.inputs.len()
        );
    }
    check_diagnostics(&trace.diagnostics);
}

fn check_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        assert!(!d.message.trim().is_empty(), "a diagnostic with an empty message");
        if let Some(l) = &d.location {
            check_location(l, d);
        }
    }
}

pub fn read(inputs: &[NamedInput]) {
    let names: Vec<&str> = inputs.iter().map(|i| i.name).collect();
    match callstate::read_trace(inputs, &Limits::default()) {
        Ok(trace) => check_trace(&trace, inputs.len()),
        Err(e) => check_error(&e, &names),
    }
}

/// The report renders as JSON that parses back, and as Markdown.
pub fn check_report(report: &Report) {
    check_diagnostics(&report.diagnostics);
    let json = report.to_json();
    assert!(!json.is_empty(), "to_json failed (it returns \"\" on a serialisation error)");
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&json) {
        panic!("to_json produced invalid JSON: {e}");
    }
    let md = callstate::to_markdown(report);
    assert!(md.starts_with("# callstate report"), "markdown without its title");
}
