//! `analyze` of 1 to 3 inputs, with `partial`, then both renderings. The input is split on 0xFF
//! bytes (never in UTF-8 text, so a seed file is one input); a third part takes the rest.
#![no_main]
use callstate::{NamedInput, Options};
use libfuzzer_sys::fuzz_target;

#[path = "common/mod.rs"]
mod common;

const NAMES: [&str; 3] = ["first.har", "second.yaml", "third.jsonl"];

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.splitn(3, |&b| b == 0xFF).collect();
    let inputs: Vec<NamedInput> = parts.iter().zip(NAMES).map(|(bytes, name)| NamedInput { name, bytes }).collect();
    let options = Options { partial: true, ..Default::default() };
    match callstate::analyze(&inputs, &options) {
        Ok(report) => {
            assert!(report.inputs.len() <= inputs.len());
            common::check_report(&report);
        }
        Err(e) => common::check_error(&e, &NAMES),
    }
});
