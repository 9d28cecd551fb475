//! Calls carry their start and duration where the input records them (HAR `startedDateTime` and
//! `time`, a span's start and end, a log line's `time` and `duration_ms`, a cassette's
//! `recorded_at`), in whole microseconds, in the report and in the call view; a WebSocket lasts
//! until its last message; a time that cannot be read is left out, never a failure.
// Reads files: a native test.
#![cfg(not(target_arch = "wasm32"))]

use callstate::{analyze, exchange, Analyzer, NamedInput, Options};
use serde_json::{json, Value};
use std::path::Path;

/// 2026-01-01T10:00:00Z in microseconds since the Unix epoch.
const T0: i64 = 1_767_261_600_000_000;

fn file(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn report_of(name: &str, bytes: &[u8]) -> Value {
    let report = analyze(&[NamedInput { name, bytes }], &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(&report).unwrap()
}

/// `[started_us, duration_us]` of every call, in report order.
fn times(report: &Value) -> Vec<(Value, Value)> {
    report["calls"].as_array().unwrap().iter().map(|c| (c["started_us"].clone(), c["duration_us"].clone())).collect()
}

#[test]
fn har_entries_overlap_and_a_websocket_lasts_until_its_last_message() {
    let report = report_of("overlapping-calls.har", &file("tests/formats/overlapping-calls.har"));
    let times = times(&report);
    assert_eq!(
        times,
        [
            // The handshake took 112.5 ms; the socket stayed open until its last message, 15.8 s in.
            (json!(T0), json!(15_800_000)),
            (json!(T0 + 1_000_000), json!(2_500_000)),
            (json!(T0 + 1_500_000), json!(1_800_000)),
            (json!(T0 + 5_000_000), json!(3_200_000)),
            (json!(T0 + 9_000_000), json!(1_400_000)),
        ]
    );
    assert_eq!(report["calls"][0]["transport"], "websocket");
    // Calls 2 and 3 ran at the same time.
    let end = |(start, duration): &(Value, Value)| start.as_i64().unwrap() + duration.as_i64().unwrap();
    assert!(times[2].0.as_i64().unwrap() < end(&times[1]));
}

#[test]
fn har_fractions_of_a_millisecond_and_time_zones() {
    let har = json!({"log": {"version": "1.2", "entries": [
        {"startedDateTime": "2023-08-29T15:03:20.195591+02:00", "time": 424.1049289703369,
         "request": {"method": "GET", "url": "https://example.com/a", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"size": 0}}},
        {"startedDateTime": "yesterday", "time": -1,
         "request": {"method": "GET", "url": "https://example.com/b", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"size": 0}}}]}});
    let report = report_of("t.har", har.to_string().as_bytes());
    assert_eq!(
        times(&report),
        [(json!(1_693_314_200_195_591i64), json!(424_105)), (Value::Null, Value::Null)],
        "a date that cannot be read and a negative time are left out"
    );
    assert!(report["diagnostics"].as_array().unwrap().is_empty(), "{}", report["diagnostics"]);
}

#[test]
fn otlp_spans_and_span_dumps() {
    let otlp = json!({"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "POST",
         "startTimeUnixNano": "1767261600000000000", "endTimeUnixNano": "1767261600812345678",
         "attributes": [{"key": "http.request.method", "value": {"stringValue": "POST"}},
                        {"key": "url.full", "value": {"stringValue": "https://api.openai.com/v1/chat/completions"}}]},
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b175", "name": "GET",
         "startTimeUnixNano": "99999999999999999999999", "endTimeUnixNano": "12",
         "attributes": [{"key": "http.request.method", "value": {"stringValue": "GET"}},
                        {"key": "url.full", "value": {"stringValue": "https://api.openai.com/v1/models"}}]}]}]}]});
    let report = report_of("t.json", otlp.to_string().as_bytes());
    assert_eq!(times(&report), [(json!(T0), json!(812_346)), (Value::Null, Value::Null)]);

    // JavaScript `ReadableSpan`s: `[seconds, nanoseconds]`; Python's `to_json()`: ISO times.
    let js = json!([{"name": "chat", "spanContext": {"traceId": "b3e700af9eab81e19f72f964d62a35af", "spanId": "39d6e9b3ddec9996"},
        "startTime": [1_767_261_600, 250_000_000], "endTime": [1_767_261_601, 0],
        "attributes": {"gen_ai.operation.name": "chat", "gen_ai.system": "openai"}}]);
    assert_eq!(times(&report_of("js.json", js.to_string().as_bytes())), [(json!(T0 + 250_000), json!(750_000))]);
    let py = json!([{"name": "chat", "context": {"trace_id": "0x5b8efff798038103d269b633813fc60c", "span_id": "0x00000000000000a2"},
        "start_time": "2026-01-01T10:00:01.000000Z", "end_time": "2026-01-01T10:00:04.000000Z",
        "attributes": {"gen_ai.operation.name": "chat", "gen_ai.system": "openai"}}]);
    assert_eq!(times(&report_of("py.json", py.to_string().as_bytes())), [(json!(T0 + 1_000_000), json!(3_000_000))]);
}

#[test]
fn json_lines_times_and_durations() {
    let line = |time: Value, duration: Value| {
        json!({"time": time, "method": "POST", "url": "https://api.openai.com/v1/chat/completions",
            "request": {"body": {"messages": [{"role": "user", "content": "hi"}]}},
            "response": {"status": 200, "body": {"id": "chatcmpl-1"}}, "duration_ms": duration})
        .to_string()
    };
    let log = [
        line(json!("2026-01-01T10:00:00.250Z"), json!(812)),
        line(json!(1_767_261_601), json!(12.5)),
        line(json!(1_767_261_602_000i64), json!(-3)),
        line(json!("at noon"), json!("long")),
    ]
    .join("\n");
    let report = report_of("t.jsonl", log.as_bytes());
    assert_eq!(
        times(&report),
        [
            (json!(T0 + 250_000), json!(812_000)),
            (json!(T0 + 1_000_000), json!(12_500)),
            (json!(T0 + 2_000_000), Value::Null),
            (Value::Null, Value::Null),
        ]
    );
}

#[test]
fn cassettes_give_the_time_they_were_recorded() {
    // A betamax cassette: `recorded_at` on each interaction, no duration.
    let report = report_of("gist.json", &file("tests/corpus/github3-gist-create-delete.json"));
    let times = times(&report);
    assert!(!times.is_empty());
    assert!(times.iter().all(|t| *t == (json!(1_514_230_778_000_000i64), Value::Null)), "{times:?}");
}

#[test]
fn the_call_view_shows_when_the_call_started_and_how_long_it_took() {
    let bytes = file("tests/formats/overlapping-calls.har");
    let inputs = [NamedInput { name: "overlapping-calls.har", bytes: &bytes }];
    let view = exchange(&inputs, &Options::default(), 1).unwrap();
    assert_eq!((view.started_us, view.duration_us), (Some(T0), Some(15_800_000)));
    let text = view.to_text();
    assert!(text.contains("started 2026-01-01T10:00:00.000Z\ntook 15.8 s\n"), "{text}");
    let view = exchange(&inputs, &Options::default(), 3).unwrap();
    assert!(view.to_text().contains("started 2026-01-01T10:00:01.500Z\ntook 1.8 s\n"));
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!((json["started_us"].clone(), json["duration_us"].clone()), (json!(T0 + 1_500_000), json!(1_800_000)));
}

#[test]
fn streamed_in_pieces_the_times_are_the_same() {
    let bytes = file("tests/formats/overlapping-calls.har");
    let whole = report_of("overlapping-calls.har", &bytes);
    for chunk in [1, 7, 4096] {
        let mut analyzer = Analyzer::new(Options::default());
        analyzer.begin("overlapping-calls.har");
        for piece in bytes.chunks(chunk) {
            analyzer.push(piece).unwrap();
        }
        let streamed = serde_json::to_value(analyzer.finish().unwrap()).unwrap();
        assert_eq!(times(&streamed), times(&whole), "chunks of {chunk} bytes");
    }
}
