//! The streaming path against the in-memory one: the input is pushed into an `Analyzer` in
//! chunks whose sizes come from the input's first byte. Streaming never panics, and where the
//! in-memory analysis succeeds the stream gives the same report (a stream may accept what the
//! whole-document parse refuses, such as bytes after the entries, not the reverse).
#![no_main]
use callstate::{Analyzer, NamedInput, Options};
use libfuzzer_sys::fuzz_target;

#[path = "common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else { return };
    let chunk = 1 + (first as usize % 64) * (1 + first as usize / 64 * 97);
    let mut analyzer = Analyzer::new(Options::default());
    analyzer.begin("input.har");
    let mut pushed = Ok(());
    for piece in bytes.chunks(chunk) {
        pushed = analyzer.push(piece);
        if pushed.is_err() {
            break;
        }
    }
    let streamed = pushed.and_then(|()| analyzer.finish());
    let whole = callstate::analyze(&[NamedInput { name: "input.har", bytes }], &Options::default());
    match (&whole, &streamed) {
        (Ok(expected), Ok(got)) => assert_eq!(expected.to_json(), got.to_json(), "chunks of {chunk}"),
        (Ok(_), Err(e)) => panic!("the stream refused what memory read (chunks of {chunk}): {e}"),
        (Err(_), Ok(report)) => common::check_report(report),
        (Err(_), Err(e)) => common::check_error(e, &["input.har"]),
    }
});
