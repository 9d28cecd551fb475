//! Inputs the fuzzers found (fuzz/regressions/): each once crashed a reader, broke an invariant or
//! took time out of proportion to its size. Each must now give a report or an error value.
// Reads files: a native test.
#![cfg(not(target_arch = "wasm32"))]

use callstate::{analyze_bytes, Options};

#[test]
fn every_fuzz_finding_gives_a_report_or_an_error() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        match std::panic::catch_unwind(|| analyze_bytes(&name, &bytes, &Options::default())) {
            Err(_) => panic!("{name}: panicked"),
            Ok(Err(e)) => {
                assert!(!e.message.is_empty(), "{name}");
                assert!(e.location.column.is_none_or(|c| c >= 1), "{name}: columns count from 1");
            }
            Ok(Ok(report)) => {
                // Thousands of bad entries are counted, not listed one by one.
                assert!(report.diagnostics.len() <= 101, "{name}: {} diagnostics", report.diagnostics.len());
            }
        }
    }
}

#[test]
fn an_error_at_the_end_of_a_line_is_at_column_one_or_more() {
    let error = analyze_bytes("x.json", b"[\n", &Options::default()).unwrap_err();
    assert_eq!((error.location.line, error.location.column), (Some(2), Some(1)));
}
