//! JSON Lines. Input that would not be detected as JSON Lines (its first line a whole JSON object,
//! and more lines after it) is put between `{}` lines; `"log"` is hidden so that the HAR sniffer
//! does not take the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common/mod.rs"]
mod common;

fn looks_like_jsonl(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else { return false };
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else { return false };
    first.starts_with('{') && lines.next().is_some() && serde_json::from_str::<serde_json::Value>(first).is_ok()
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = if looks_like_jsonl(data) { data.to_vec() } else { [b"{}\n".as_slice(), data, b"\n{}"].concat() };
    // Same length, so offsets in messages stay comparable.
    let mut i = 0;
    while let Some(at) = bytes[i..].windows(5).position(|w| w == b"\"log\"") {
        bytes[i + at + 1] = b'L';
        i += at + 5;
    }
    common::read(&[callstate::NamedInput { name: "calls.jsonl", bytes: &bytes }]);
});
