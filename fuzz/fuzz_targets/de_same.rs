//! The deserializer on the tape (`json::de`) against `serde_json`'s: for any text, the options
//! and a policy read the same (compared by their `Debug`), or both are refused. A policy inside
//! the options is kept as its text (written by `serde_json` from its tree), so the options are
//! compared once checked. A document nested `MAX_DEPTH` deep, or holding a number beyond a
//! float's range, is refused whole by the tape, where `serde_json` skips what a type ignores
//! without reading it: such texts are left out.
#![no_main]
use callstate::json::{de, Doc, Problem};
use callstate::{AnalyzeOptions, Policy};
use libfuzzer_sys::fuzz_target;
use std::fmt::Debug;

/// What a reading of the options comes to: checked, or refused.
fn checked(options: AnalyzeOptions) -> String {
    let name = options.name.clone();
    match options.into_options() {
        Ok(o) => format!("{name:?} {:?} {} {:?} {:?}", o.limits, o.partial, o.policy, o.rules.map(|r| r.fingerprints().len())),
        Err(_) => "refused when checked".into(),
    }
}

fn same<T: Debug>(what: &str, ours: Result<T, de::Error>, theirs: Result<T, serde_json::Error>, text: &str) {
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{what} of {text:?}"),
        (Err(_), Err(_)) => {}
        _ => panic!("{what} of {text:?}: ours {ours:?}, serde_json {theirs:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = Doc::parse(text, callstate::formats::MAX_DEPTH, usize::MAX) {
        if matches!(e.problem, Problem::TooDeep(_) | Problem::BadNumber) {
            return;
        }
    }
    let ours = de::from_str::<AnalyzeOptions>(text).map(checked);
    let theirs = serde_json::from_str::<AnalyzeOptions>(text).map(checked);
    same("options", ours, theirs, text);
    same("policy", de::from_str::<Policy>(text), serde_json::from_str::<Policy>(text), text);
});
