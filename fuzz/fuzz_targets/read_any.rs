//! `read_trace` on arbitrary bytes: format detection and every reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::read(&[callstate::NamedInput { name: "input", bytes: data }]);
});
