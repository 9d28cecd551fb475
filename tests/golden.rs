//! The report of each golden case is pinned. The wasm test (tests/wasm.rs) checks the same files,
//! so native and WebAssembly builds must agree byte for byte. After an intended change, rewrite
//! the files with `CALLSTATE_BLESS=1 cargo test --test golden` and review the diff.
// Reads files and runs processes: a native test (the wasm tests are in tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use callstate::{analyze_bytes, Options};

#[test]
fn native_reports_match_the_pinned_reports() {
    let bless = std::env::var_os("CALLSTATE_BLESS").is_some();
    let mut changed = Vec::new();
    for (name, bytes, golden) in common::cases::CASES {
        let report = analyze_bytes(name, bytes, &Options::default()).unwrap().to_json();
        if report.trim() != golden.trim() {
            if bless {
                let path =
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.json"));
                std::fs::write(path, format!("{report}\n")).unwrap();
            }
            changed.push(*name);
        }
    }
    assert!(bless || changed.is_empty(), "reports differ from tests/golden for {changed:?}");
}
