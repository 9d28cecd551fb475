//! The JSON Lines request-record reader against the line's document: for each line the reader
//! reads as a request record, the document reads it, no other kind of record takes it, and the
//! document makes the same call (`formats::jsonl_agrees` says what is compared).
#![no_main]
use callstate::formats::jsonl_agrees;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(difference) = jsonl_agrees(data) {
        panic!("{difference}");
    }
});
