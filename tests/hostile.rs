//! The hostile-input suite: every case gives a clear error or a report (with warnings where
//! something was skipped), never a panic, and the good parts of an input are still analyzed.
//! The cases are also written to `target/hostile/` with their expectations, for the same suite
//! under wasm in Node and through the page (tests/hostile/*.test.mjs, tests/e2e).
// Writes files and allocates hundreds of megabytes: a native test.
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine;
use callstate::{analyze_bytes, ErrorKind, Options};
use serde_json::{json, Value};
use std::io::Write;

/// What a case must give.
enum Expect {
    /// An error of this kind whose message contains these words.
    Error(ErrorKind, &'static str),
    /// A report with at least this many calls; a diagnostic containing the words, if any.
    Report { calls: usize, warning: Option<&'static str> },
}

struct Case {
    name: &'static str,
    /// File extension, for the page and for people reading target/hostile.
    ext: &'static str,
    bytes: Vec<u8>,
    expect: Expect,
    /// Too big for the page test (hundreds of MB): run natively and in Node only.
    heavy: bool,
}

fn case(name: &'static str, ext: &'static str, bytes: impl Into<Vec<u8>>, expect: Expect) -> Case {
    Case { name, ext, bytes: bytes.into(), expect, heavy: false }
}

fn entry(url: &str, body: Option<&str>) -> Value {
    let mut request = json!({"method": "POST", "url": url, "headers": []});
    if let Some(body) = body {
        request["postData"] = json!({"mimeType": "application/json", "text": body});
    }
    json!({"request": request, "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{\"id\": \"r_1\"}"}}})
}

fn har(entries: Vec<Value>) -> Vec<u8> {
    json!({"log": {"version": "1.2", "creator": {"name": "t"}, "entries": entries}}).to_string().into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn cases() -> Vec<Case> {
    use Expect::{Error as E, Report as R};
    let good = har(vec![entry("https://api.openai.com/v1/chat/completions", Some("{\"messages\": []}"))]);
    let good_text = String::from_utf8(good.clone()).unwrap();
    let mut cases = vec![
        case("empty", "har", "", E(ErrorKind::UnknownFormat, "empty")),
        case("whitespace", "har", " \n\t\r\n ", E(ErrorKind::UnknownFormat, "empty")),
        case("json-null", "json", "null", E(ErrorKind::UnknownFormat, "not a trace")),
        case("json-number", "json", "42", E(ErrorKind::UnknownFormat, "not a trace")),
        case("json-string", "json", "\"log\"", E(ErrorKind::UnknownFormat, "not a trace")),
        case("prose", "txt", "This is not a trace, just words.", E(ErrorKind::UnknownFormat, "not a trace")),
        case("invalid-utf8", "har", [&good[..20], &[0xC3, 0x28, 0xFF], &good[20..]].concat(), E(ErrorKind::UnknownFormat, "not valid UTF-8")),
        case("utf16-le-bom", "har", [&[0xFF, 0xFE][..], &good_text.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()].concat(), E(ErrorKind::UnknownFormat, "UTF-16")),
        case("utf16-be-bom", "har", [&[0xFE, 0xFF][..], &good_text.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>()].concat(), E(ErrorKind::UnknownFormat, "UTF-16")),
        case("binary-garbage", "bin", (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect::<Vec<u8>>(), E(ErrorKind::UnknownFormat, "")),
        case("har-without-log", "har", "{\"notlog\": {\"entries\": []}, \"log_\": 1}", E(ErrorKind::UnknownFormat, "not a trace")),
        case("har-log-null", "har", "{\"log\": null}", E(ErrorKind::Malformed, "no `log`")),
        case("har-entries-wrong-type", "har", "{\"log\": {\"entries\": \"many\"}}", E(ErrorKind::Malformed, "unexpected shape")),
        case("har-entry-wrong-types", "har", har(vec![json!({"request": 5}), json!({"request": {"method": [], "url": {}}}), entry("https://a.example/ok", None)]), R { calls: 1, warning: Some("HAR entry 1") }),
        case("har-duplicate-keys", "har", "{\"log\": {\"entries\": []}, \"log\": {\"entries\": []}}", E(ErrorKind::Malformed, "`log` appears twice")),
        case("har-empty-entries", "har", har(vec![]), R { calls: 0, warning: None }),
        case("deep-json-10000", "json", format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)), E(ErrorKind::Limit, "levels deep")),
        // The entry list is read entry by entry: the deep entry is skipped with a warning.
        case("deep-har-10000", "har", format!("{{\"log\": {{\"entries\": [{}{}]}}}}", "[".repeat(10_000), "]".repeat(10_000)), R { calls: 0, warning: Some("HAR entry 1") }),
        case("deep-body-10000", "har", har(vec![entry("https://a.example/", Some(&format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))))]), R { calls: 1, warning: None }),
        case("deep-yaml-10000", "yaml", format!("interactions: {}{}", "[".repeat(10_000), "]".repeat(10_000)), E(ErrorKind::Limit, "levels deep")),
        case("numbers-out-of-range", "har", "{\"log\": {\"entries\": [{\"startedDateTime\": \"9999-99-99T99:99:99Z\", \"time\": -1e308, \"request\": {\"method\": \"GET\", \"url\": \"https://a.example/\", \"bodySize\": 1e400}, \"response\": {\"status\": 1e20, \"content\": {\"size\": 18446744073709551616}}}]}}", R { calls: 1, warning: None }),
        case("huge-integers-otlp", "json", json!({"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "GET", "startTimeUnixNano": "99999999999999999999999", "attributes": [{"key": "http.method", "value": {"stringValue": "GET"}}, {"key": "http.status_code", "value": {"intValue": "99999999999999999999"}}]}]}]}]}).to_string(), R { calls: 1, warning: None }),
        case("yaml-alias-bomb", "yaml", {
            let mut bomb = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
            for (i, c) in "bcdefghi".chars().enumerate() {
                let p = (b'a' + i as u8) as char;
                bomb.push_str(&format!("{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"));
            }
            bomb + "interactions: [*i]\n"
        }, E(ErrorKind::Limit, "alias bomb")),
        case("yaml-wide-alias", "yaml", format!("big: &big {}\ninteractions: [{}]\n", "x".repeat(200_000), vec!["*big"; 100].join(", ")), E(ErrorKind::Limit, "alias bomb")),
        case("yaml-unknown-tags", "yaml", "- !!python/object/apply:os.system [\"echo hi\"]\n- request: !!python/object:vcr.request.Request {method: GET, uri: 'https://a.example/'}\n  response: {status: {code: 200}}\n", R { calls: 1, warning: Some("Interaction 1") }),
        case("yaml-multi-document", "yaml", "interactions: []\n---\ninteractions: []\n", E(ErrorKind::UnknownFormat, "")),
        case("gzip-bomb-har", "har", har(vec![json!({"request": {"method": "GET", "url": "https://a.example/"}, "response": {"status": 200, "content": {"mimeType": "application/json", "encoding": "base64", "text": b64(&gzip(&vec![0u8; 80 << 20]))}}}), entry("https://a.example/next", None)]), R { calls: 2, warning: Some("decompression bomb") }),
        case("gzip-bomb-cassette", "yaml", format!("interactions:\n- request: {{method: GET, uri: 'https://a.example/'}}\n  response:\n    status: {{code: 200}}\n    headers: {{Content-Encoding: [gzip]}}\n    body:\n      string: !!binary |\n        {}\n", b64(&gzip(&vec![b'a'; 80 << 20]))), R { calls: 1, warning: Some("decompression bomb") }),
        case("truncated-gzip", "har", har(vec![json!({"request": {"method": "GET", "url": "https://a.example/"}, "response": {"status": 200, "content": {"mimeType": "application/json", "encoding": "base64", "text": b64(&gzip(b"{\"id\": 1}")[..12])}}})]), R { calls: 1, warning: Some("does not decompress") }),
        case("base64-not-base64", "har", har(vec![json!({"request": {"method": "GET", "url": "https://a.example/"}, "response": {"status": 200, "content": {"mimeType": "application/json", "encoding": "base64", "text": "%%% not base64 %%%"}}})]), R { calls: 1, warning: Some("not valid base64") }),
        case("jsonl-one-bad-line", "jsonl", "{\"method\": \"GET\", \"url\": \"https://a.example/1\"}\n{\"method\": \"GET\", \"url\": \n{\"method\": \"GET\", \"url\": \"https://a.example/3\"}\n", R { calls: 2, warning: Some("Line 2") }),
        case("jsonl-all-bad", "jsonl", "{\"a\": 1}\n{bad\n{worse\n", R { calls: 0, warning: Some("none a record callstate knows") }),
        case("otlp-missing-ids", "json", json!({"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "GET", "attributes": [{"key": "http.method", "value": {"stringValue": "GET"}}]}]}]}]}).to_string(), R { calls: 0, warning: Some("no trace or span id") }),
        case("otlp-parent-cycles", "json", json!({"resourceSpans": [{"scopeSpans": [{"spans": [
            {"traceId": "01", "spanId": "aa", "parentSpanId": "bb", "name": "a", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}]},
            {"traceId": "01", "spanId": "bb", "parentSpanId": "aa", "name": "b", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}]},
            {"traceId": "01", "spanId": "cc", "parentSpanId": "cc", "name": "c", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "invoke_agent"}}]},
            {"traceId": "01", "spanId": "dd", "parentSpanId": "zz", "name": "d", "attributes": [{"key": "http.method", "value": {"stringValue": "GET"}}]}]}]}]}).to_string(), R { calls: 4, warning: None }),
        case("span-records-parent-cycles", "json", json!({"sessionSpans": [
            {"traceId": "01", "spanId": "aa", "parentSpanId": "bb", "name": "a", "attributes": {"gen_ai.operation.name": "chat", "gen_ai.input.messages": "[{\"role\": \"user\", \"content\": \"x\"}]"}},
            {"traceId": "01", "spanId": "bb", "parentSpanId": "aa", "name": "b", "attributes": {"gen_ai.operation.name": "invoke_agent"}},
            {"traceId": "01", "spanId": "cc", "parentSpanId": "cc", "name": "c", "attributes": {"gen_ai.operation.name": "chat"}},
            {"traceId": "01", "spanId": "dd", "body": {"input": {"messages": 5}}, "timeUnixNano": "x"}]}).to_string(), R { calls: 3, warning: None }),
        case("span-records-wrong-types", "json", json!([{"traceId": 5, "spanId": [], "name": {}, "attributes": "x", "events": 7},
            {"context": {"trace_id": "01", "span_id": "02"}, "name": "n", "attributes": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": 1}}}}}}}}}}, "events": [5, {"name": 3}]},
            {"type": "GENERATION", "traceId": "t", "id": "o", "input": "{not json", "output": 12},
            {"run_type": "llm", "id": "r", "inputs": {"messages": [[{"lc": 1, "id": 5, "kwargs": 7}]]}, "outputs": null},
            {"object": "trace.span", "id": "s", "span_data": 5},
            {"events": [{"invocation_id": 5, "author": null}], "event_logs": [7, {"model_request": "x"}]}]).to_string(), R { calls: 4, warning: None }),
        case("log-records-only", "jsonl", (0..2000).map(|i| json!({"traceId": "01", "spanId": format!("{i:016x}"), "timeUnixNano": "1", "body": {"output": {"messages": [{"role": "assistant", "content": "hi"}]}}}).to_string()).collect::<Vec<_>>().join("\n"), R { calls: 2000, warning: None }),
        case("otlp-wrong-types", "json", "{\"resourceSpans\": [{\"scopeSpans\": {\"spans\": 5}}, 7, null]}", R { calls: 0, warning: None }),
        case("nock-bad-chunks", "json", json!([{"scope": "https://a.example:443", "method": "POST", "path": "/x", "status": 200, "response": ["zz-not-hex", 5], "rawHeaders": {"content-encoding": "gzip"}}]).to_string(), R { calls: 1, warning: None }),
        case("nock-bad-scope", "json", json!([{"scope": 5, "method": "GET"}, {"scope": "https://a.example", "method": "GET", "path": "/ok", "status": 200}]).to_string(), R { calls: 1, warning: Some("Recording 1") }),
        case("cassette-interactions-not-list", "yaml", "interactions: 5\n", E(ErrorKind::Malformed, "not a list")),
        case("cassette-garbage-items", "yaml", "interactions:\n- 5\n- [a, b]\n- request: {method: GET, uri: 'https://a.example/'}\n", R { calls: 1, warning: Some("Interaction 1") }),
        case("url-garbage", "har", har(vec![entry(&format!("https://a.example/%zz%/{}?%%=%&{}", "%41".repeat(20_000), "k=v&".repeat(20_000)), None)]), R { calls: 1, warning: None }),
        case("nul-and-control-characters", "har", har(vec![entry("https://a.example/\u{0000}\u{0007}", Some("{\"a\": \"\\u0000\\u001f\"}"))]), R { calls: 1, warning: None }),
        case("many-headers", "har", {
            let headers: Vec<Value> = (0..100_000).map(|i| json!({"name": format!("x-h{i}"), "value": format!("v{i}")})).collect();
            json!({"log": {"entries": [{"request": {"method": "GET", "url": "https://a.example/", "headers": headers}, "response": {"status": 200, "headers": [{"name": "set-cookie", "value": "a=1"}]}}]}}).to_string()
        }, R { calls: 1, warning: None }),
        case("sse-100k-events", "har", har(vec![json!({"request": {"method": "POST", "url": "https://a.example/stream"}, "response": {"status": 200, "content": {"mimeType": "text/event-stream", "text": "data: {\"delta\": \"x\"}\n\n".repeat(100_000)}}})]), R { calls: 1, warning: None }),
        case("websocket-100k-frames", "har", {
            let frames: Vec<Value> = (0..100_000).map(|i| json!({"type": if i % 2 == 0 { "send" } else { "receive" }, "time": i, "opcode": 1, "data": format!("{{\"n\": {i}}}")})).collect();
            json!({"log": {"entries": [{"_resourceType": "websocket", "request": {"method": "GET", "url": "wss://a.example/ws"}, "response": {"status": 101}, "_webSocketMessages": frames}]}}).to_string()
        }, R { calls: 1, warning: None }),
        case("ten-mb-repeated-string", "har", har(vec![entry("https://a.example/", Some(&format!("{{\"input\": \"{}\"}}", "a".repeat(10 << 20))))]), R { calls: 1, warning: None }),
        case("truncated-cassette-yaml", "yaml", "interactions:\n- request:\n    body: '{\"a\": 1', \n    method: PO", E(ErrorKind::UnknownFormat, "")),
    ];
    // A HAR truncated at every structural boundary of a small, realistic file.
    let text = String::from_utf8(har(vec![
        entry(
            "https://api.openai.com/v1/responses",
            Some("{\"input\": \"hi\", \"previous_response_id\": \"resp_123456789\"}"),
        ),
        entry("https://api.openai.com/v1/responses", None),
    ]))
    .unwrap();
    let boundaries: Vec<usize> = text
        .char_indices()
        .filter(|(_, c)| matches!(c, '{' | '}' | '[' | ']' | ',' | ':' | '"'))
        .map(|(i, _)| i)
        .collect();
    for (n, &at) in boundaries.iter().enumerate().skip(1).step_by(boundaries.len() / 12) {
        let name: &'static str = Box::leak(format!("truncated-har-{n:03}").into_boxed_str());
        cases.push(case(name, "har", &text.as_bytes()[..at], E(ErrorKind::Malformed, "")));
    }
    // Heavy: a single 200 MB string, and a million tiny calls.
    cases.push(Case {
        heavy: true,
        ..case(
            "string-200mb",
            "har",
            har(vec![entry("https://a.example/", Some(&"b".repeat(200 << 20)))]),
            R { calls: 1, warning: Some("only the first part") },
        )
    });
    let mut million = String::with_capacity(40 << 20);
    for i in 0..1_000_000 {
        million.push_str(&format!("{{\"method\":\"GET\",\"url\":\"https://a.example/{i}\"}}\n"));
    }
    cases.push(Case {
        heavy: true,
        ..case("million-tiny-calls", "jsonl", million, R { calls: 1_000_000, warning: None })
    });
    cases
}

fn expectation(case: &Case) -> Value {
    match &case.expect {
        Expect::Error(kind, words) => {
            json!({"outcome": "error", "kind": serde_json::to_value(kind).unwrap(), "words": words})
        }
        Expect::Report { calls, warning } => json!({"outcome": "report", "calls": calls, "warning": warning}),
    }
}

#[test]
fn hostile_inputs_give_errors_or_reports_never_panics() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/hostile");
    std::fs::create_dir_all(&out).unwrap();
    let mut manifest = Vec::new();
    let mut failures = Vec::new();
    for case in &cases {
        let started = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| analyze_bytes(case.name, &case.bytes, &Options::default()));
        if std::env::var_os("CALLSTATE_TIMINGS").is_some() {
            eprintln!("{:>8.1} ms  {}", started.elapsed().as_secs_f64() * 1000.0, case.name);
        }
        let Ok(result) = result else {
            failures.push(format!("{}: panicked", case.name));
            continue;
        };
        match (&case.expect, &result) {
            (Expect::Error(kind, words), Err(e)) => {
                if e.kind != *kind || !e.to_string().contains(words) {
                    failures.push(format!("{}: expected {kind:?} with {words:?}, got {:?}: {e}", case.name, e.kind));
                }
            }
            (Expect::Report { calls, warning }, Ok(report)) => {
                if report.calls.len() < *calls {
                    failures.push(format!("{}: {} calls, expected at least {calls}", case.name, report.calls.len()));
                }
                if let Some(words) = warning {
                    if !report.diagnostics.iter().any(|d| d.message.contains(words)) {
                        let got: Vec<&str> = report.diagnostics.iter().map(|d| d.message.as_str()).collect();
                        failures.push(format!("{}: no diagnostic with {words:?}: {got:?}", case.name));
                    }
                }
                assert!(!report.verdict.explanation.is_empty());
            }
            (Expect::Error(..), Ok(report)) => failures.push(format!(
                "{}: expected an error, got a {} report",
                case.name,
                report.verdict.label.as_str()
            )),
            (Expect::Report { .. }, Err(e)) => failures.push(format!("{}: expected a report, got: {e}", case.name)),
        }
        let mut expect = expectation(case);
        if let Err(e) = &result {
            assert!(!e.message.is_empty(), "{}: empty message", case.name);
            // Limits fixed in the code (nesting depth, alias expansion) offer nothing to raise.
            assert_eq!(e.help, None, "{}: {e}", case.name);
            expect["help"] = json!(e.help);
        }
        let file = format!("{}.{}", case.name, case.ext);
        std::fs::write(out.join(&file), &case.bytes).unwrap();
        expect["file"] = json!(file);
        expect["heavy"] = json!(case.heavy);
        manifest.push(expect);
    }
    std::fs::write(out.join("expect.json"), serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
