//! The warning cap holds for every reader: however many entries are broken, an input lists at
//! most `MAX_WARNINGS` warnings and one summary that counts the rest, whole or streamed.

use callstate::formats::MAX_WARNINGS;
use callstate::model::Severity;
use callstate::{analyze, Analyzer, NamedInput, Options, Report};

const BROKEN: usize = 100_000;

/// A HAR whose every response body is marked base64 and is not.
fn har_of_broken_bodies(entries: usize) -> Vec<u8> {
    let entry = r#"{"startedDateTime":"2024-01-01T00:00:00Z","time":1,"request":{"method":"POST","url":"https://api.example.com/v1/chat","httpVersion":"HTTP/1.1","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},"response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"content":{"size":3,"mimeType":"application/json","encoding":"base64","text":"!!!"},"redirectURL":"","headersSize":-1,"bodySize":3},"cache":{},"timings":{"send":0,"wait":1,"receive":0}}"#;
    let mut har = String::from(r#"{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":["#);
    for i in 0..entries {
        if i > 0 {
            har.push(',');
        }
        har.push_str(entry);
    }
    har.push_str("]}}");
    har.into_bytes()
}

/// The report's warnings, and how many of them are the summary of those not listed.
fn warnings(report: &Report) -> (usize, usize) {
    let warnings: Vec<_> = report.diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect();
    let summaries = warnings.iter().filter(|d| d.message.contains("more warnings like those above")).count();
    (warnings.len(), summaries)
}

fn assert_capped(report: &Report, broken: usize) {
    let (listed, summaries) = warnings(report);
    assert_eq!(listed, MAX_WARNINGS + 1, "the capped warnings and one summary");
    assert_eq!(summaries, 1);
    let summary = report.diagnostics.iter().find(|d| d.message.contains("more warnings")).unwrap();
    let counted = format!("{} more warnings", broken - MAX_WARNINGS);
    assert!(summary.message.contains(&counted), "the summary counts the rest: {}", summary.message);
}

#[test]
fn a_har_with_100000_broken_bodies_lists_the_capped_warnings_and_one_summary() {
    let har = har_of_broken_bodies(BROKEN);
    let report = analyze(&[NamedInput { name: "broken.har", bytes: &har }], &Options::default()).unwrap();
    assert_eq!(report.calls.len(), BROKEN);
    assert_capped(&report, BROKEN);
}

#[test]
fn the_cap_holds_when_the_har_is_streamed() {
    let har = har_of_broken_bodies(BROKEN);
    let mut analyzer = Analyzer::new(Options::default());
    analyzer.begin("broken.har");
    for piece in har.chunks(64 << 10) {
        analyzer.push(piece).unwrap();
    }
    assert_capped(&analyzer.finish().unwrap(), BROKEN);
}

#[test]
fn the_cap_holds_for_cassettes_and_nock_recordings() {
    let broken = MAX_WARNINGS * 3;
    let interaction = r#"{"request":{"method":"GET","uri":"https://api.example.com/x","headers":{},"body":null},"response":{"status":{"code":200},"headers":{"Content-Encoding":["gzip"]},"body":{"base64_string":"!!!"}}}"#;
    let cassette = format!(r#"{{"interactions":[{}]}}"#, vec![interaction; broken].join(","));
    let good = r#"{"scope":"https://api.example.com","method":"GET","path":"/x","status":200,"response":{}}"#;
    let skipped = r#"{"scope":null,"method":"GET","path":"/x","status":200}"#;
    let nock = format!("[{good},{}]", vec![skipped; broken].join(","));
    for (name, bytes) in [("broken.json", cassette.into_bytes()), ("broken-nock.json", nock.into_bytes())] {
        let report = analyze(&[NamedInput { name, bytes: &bytes }], &Options::default());
        let report = report.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_capped(&report, broken);
    }
}
