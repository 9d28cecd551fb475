//! The JSON tape against `serde_json`'s tree: for any text, both read the same document or both
//! refuse it (`json::agrees` says what is compared).
#![no_main]
use callstate::json::agrees;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(difference) = agrees(text) {
        panic!("{difference}");
    }
});
