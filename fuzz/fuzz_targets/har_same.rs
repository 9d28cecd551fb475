//! The HAR reader against the tree: for any bytes, where `serde_json` reads the document, the
//! reader reads it too, to the same calls, skipped entries and warnings
//! (`formats::har_oracle::agrees` says what is compared).
#![no_main]
use callstate::formats::har_oracle;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(difference) = har_oracle::agrees(data) {
        panic!("{difference}");
    }
});
