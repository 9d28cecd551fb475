//! The OTLP/JSON reader against the tree: for any bytes the reader reads as an export and
//! `serde_json` reads as a document, the tree finds the same spans and notes
//! (`formats::otlp_agrees` says what is compared).
#![no_main]
use callstate::formats::otlp_agrees;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(difference) = otlp_agrees(data) {
        panic!("{difference}");
    }
});
