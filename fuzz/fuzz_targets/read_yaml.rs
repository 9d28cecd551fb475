//! YAML cassettes: input that would be detected as JSON (first non-blank byte `{` or `[`) gets a
//! `---` document marker, so it always goes through the YAML parser and the cassette readers.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let first = data.iter().position(|b| !b.is_ascii_whitespace()).map(|i| data[i]);
    let bytes: std::borrow::Cow<[u8]> = match first {
        Some(b'{' | b'[') => [b"---\n".as_slice(), data].concat().into(),
        _ => data.into(),
    };
    common::read(&[callstate::NamedInput { name: "cassette.yaml", bytes: &bytes }]);
});
