//! The scanner against the tree: for any bytes, `Facts::of` reads a document exactly when
//! `serde_json` does, and then the same facts (in normalized form) for every role; the lines of
//! the input, taken as a stream's events, give the same events facts. Documents that repeat a key
//! are left out: a tree keeps only the last value, the scanner sees all. The input's lines, read
//! as request bodies one after another with their conversation items remembered (twice over),
//! give the same facts as each read alone.
#![no_main]
use callstate::facts::{oracle, Facts, ItemMemo, Role};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if !oracle::repeats_a_key(data) {
        for role in [Role::Request, Role::Response, Role::Frame] {
            let scanned = Facts::of(data, role).map(Facts::normalized);
            let tree = oracle::of(data, role).map(Facts::normalized);
            assert_eq!(scanned, tree, "{role:?}");
        }
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut memo = ItemMemo::default();
    for line in text.lines().chain(text.lines()) {
        assert_eq!(Facts::of_text_remembering(line, Role::Request, Some(&mut memo)), Facts::of_text(line, Role::Request));
    }
    if text.lines().any(|line| oracle::repeats_a_key(line.as_bytes())) {
        return;
    }
    assert_eq!(Facts::of_events(text.lines()), oracle::of_events(text.lines()));
});
