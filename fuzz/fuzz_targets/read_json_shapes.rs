//! JSON documents: HAR (streaming reader), nock, OTLP, JSON cassettes, span dumps. Newlines become
//! spaces (the same JSON, on one line, so never JSON Lines) and input that does not start with
//! `{` or `[` gets a `{`, so detection always takes a JSON path.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut bytes: Vec<u8> = data.iter().map(|&b| if b == b'\n' { b' ' } else { b }).collect();
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace()).map(|i| bytes[i]);
    if !matches!(first, Some(b'{' | b'[')) {
        bytes.insert(0, b'{');
    }
    common::read(&[callstate::NamedInput { name: "trace.json", bytes: &bytes }]);
});
