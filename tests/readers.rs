//! Readers on the dialects real tools write, and on broken and hostile input: every case gives
//! calls or a clear error with a location, never a panic.
// Reads files and runs processes: a native test (the wasm tests are in tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine;
use callstate::model::{Direction, Transport};
use callstate::{read_trace, ErrorKind, Help, LimitName, Limits, NamedInput};
use std::io::Write;

fn read(name: &str, text: &[u8]) -> callstate::Result<callstate::model::Trace> {
    read_trace(&[NamedInput { name, bytes: text }], &Limits::default())
}

fn read_ok(text: &str) -> callstate::model::Trace {
    read("t", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn har(entries: &str) -> String {
    format!(r#"{{"log": {{"version": "1.2", "creator": {{"name": "test"}}, "entries": [{entries}]}}}}"#)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The value at `pointer` (`/input/0/content`) of a body read as one JSON document: a string's
/// text, or another value's JSON text.
fn json_at(doc: Option<callstate::json::Doc>, pointer: &str) -> String {
    let doc = doc.expect("a body that is one JSON document");
    let mut node = doc.root();
    for step in pointer.split('/').skip(1) {
        let item = step.parse().ok().and_then(|i| node.item(i));
        node = item.or_else(|| node.get(step)).unwrap_or_else(|| panic!("nothing at {pointer} in {node:?}"));
    }
    node.as_str().unwrap_or(node.text()).to_string()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn har_chrome_websocket_messages() {
    let trace = read_ok(&har(r#"{"startedDateTime": "2024-05-01T10:00:00.000Z", "_resourceType": "websocket",
        "request": {"method": "GET", "url": "wss://example.com/socket", "headers": [{"name": "Upgrade", "value": "websocket"}]},
        "response": {"status": 101, "headers": [], "content": {"size": 0, "mimeType": "x-unknown"}},
        "_webSocketMessages": [
            {"type": "send", "time": 1714557600.1, "opcode": 1, "data": "{\"op\":\"hello\"}"},
            {"type": "receive", "time": 1714557600.2, "opcode": 1, "data": "{\"session\":\"s_123456789\"}"},
            {"type": "send", "time": 1714557600.3, "opcode": 2, "data": "AAEC"}]}"#));
    let call = &trace.calls[0];
    assert_eq!(call.transport, Transport::Websocket);
    assert_eq!(call.frames.len(), 3);
    assert_eq!(call.frames[1].direction, Direction::Received);
    assert_eq!(call.frames[2].body.bytes, vec![0, 1, 2], "binary frames are base64");
    assert_eq!(call.started_ms, Some(1_714_557_600_000.0));
}

#[test]
fn har_dialects_polly_charles_mitmproxy_firefox() {
    let body = b64(br#"{"id":"resp_abc123456789"}"#);
    let trace = read_ok(&har(&format!(
        r#"{{"startedDateTime": null, "time": null, "timings": {{"send": null}},
            "request": {{"method": "POST", "url": "https://api.example.com/v1/x?a=1&b=%20c",
                "headers": [{{"name": "X-Multi", "value": ["one", "two"]}}],
                "cookies": [{{"name": "sid", "value": "abc123456"}}],
                "postData": {{"mimeType": "application/x-www-form-urlencoded", "params": [{{"name": "k", "value": "v"}}]}}}},
            "response": {{"status": "200", "headers": [], "content": {{"mimeType": "application/json", "text": "{body}", "encoding": "base64"}}}}}},
          {{"request": {{"method": "GET", "url": "https://api.example.com/blocked"}}, "response": {{"status": 0, "content": {{}}}}}},
          {{"request": {{"method": "GET", "url": "https://api.example.com/pending"}}}}"#
    )));
    assert_eq!(trace.calls.len(), 3);
    let first = &trace.calls[0];
    assert_eq!(first.request.headers.get_all("x-multi").collect::<Vec<_>>(), ["one", "two"], "Polly.js arrays");
    assert_eq!(first.request.headers.get("cookie"), Some("sid=abc123456"), "Firefox cookie lists");
    assert_eq!(first.request.body.text(), Some("k=v"), "postData params");
    assert_eq!(first.request.url.query, [("a".to_string(), "1".to_string()), ("b".to_string(), " c".to_string())]);
    let response = first.response.as_ref().unwrap();
    assert_eq!(response.status, 200, "status as a string");
    assert_eq!(json_at(response.body.json(), "/id"), "resp_abc123456789", "Charles base64 bodies");
    assert_eq!(trace.calls[1].response.as_ref().unwrap().status, 0);
    assert!(trace.calls[2].response.is_none(), "entries without a response");
}

#[test]
fn har_with_bom_and_a_broken_entry_keeps_the_good_ones() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(
        har(r#"{"request": "not an object"}, {"request": {"method": "GET", "url": "https://a.example/"}}"#).as_bytes(),
    );
    let trace = read("bom.har", &bytes).unwrap();
    assert_eq!(trace.calls.len(), 1);
    assert_eq!(trace.calls[0].source.entry, 1);
    let diagnostic = &trace.diagnostics[0];
    assert!(diagnostic.message.contains("HAR entry 1"), "{}", diagnostic.message);
    let location = diagnostic.location.as_ref().unwrap();
    assert_eq!(location.entry, Some(0));
    assert_eq!(location.input.as_deref(), Some("bom.har"));
    assert!(location.offset.unwrap() > 3);
}

#[test]
fn sse_and_ndjson_bodies_split_into_events() {
    let trace = read_ok(&har(r#"{"request": {"method": "POST", "url": "https://a.example/v1/messages"},
        "response": {"status": 200, "headers": [{"name": "content-type", "value": "text/event-stream"}],
          "content": {"mimeType": "text/event-stream", "text": "event: a\ndata: {\"x\":1}\n\nevent: b\ndata: {\"x\":2}\nid: 7\n\ndata: [DONE]\n\n"}}},
      {"request": {"method": "POST", "url": "https://a.example/api/chat"},
        "response": {"status": 200, "content": {"mimeType": "application/x-ndjson", "text": "{\"a\":1}\n{\"a\":2}\n"}}}"#));
    let sse = &trace.calls[0];
    assert_eq!(sse.transport, Transport::Sse);
    let events = sse.response.as_ref().unwrap().body.events();
    assert_eq!(events.len(), 3);
    assert_eq!(events[1].event.as_deref(), Some("b"));
    assert_eq!(events[1].id.as_deref(), Some("7"));
    assert_eq!(json_at(events[1].json(), "/x"), "2");
    assert_eq!(trace.calls[1].response.as_ref().unwrap().body.events().len(), 2);
}

#[test]
fn vcrpy_current_and_legacy_header_shapes() {
    let trace = read_ok(
        "interactions:\n- request:\n    body: '{\"a\": 1}'\n    headers:\n      Content-Type:\n      - application/json\n    method: POST\n    uri: https://api.example.com/v1/x\n  response:\n    body:\n      string: '{\"ok\": true}'\n    headers:\n    - 'X-Session: abc123456789'\n    status:\n      code: 201\n      message: Created\nversion: 1\n",
    );
    let call = &trace.calls[0];
    assert_eq!(call.request.headers.get("content-type"), Some("application/json"));
    assert_eq!(json_at(call.request.body.json(), "/a"), "1");
    let response = call.response.as_ref().unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(response.headers.get("x-session"), Some("abc123456789"), "\"Name: value\" header strings");
}

#[test]
fn vcrpy_python2_cassette_with_tags_and_tuples() {
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/vcrpy-old-py2-cassette.yaml")).unwrap();
    let trace = read("old.yaml", &bytes).unwrap();
    let call = &trace.calls[0];
    assert_eq!(call.request.url.host, "httpbin.org");
    assert_eq!(call.request.url.path, "/ip");
    assert_eq!(call.request.headers.get("accept"), Some("*/*"), "frozenset of tuples");
    assert_eq!(call.response.as_ref().unwrap().headers.get("server"), Some("gunicorn/0.17.4"));
    assert_eq!(json_at(call.response.as_ref().unwrap().body.json(), "/origin"), "217.122.164.194");
}

#[test]
fn binary_gzip_bodies_and_parsed_bodies() {
    let packed = b64(&gzip(br#"{"id":"chatcmpl-123456789"}"#));
    let yaml = format!(
        "interactions:\n- request:\n    parsed_body:\n      model: m\n      input:\n      - role: user\n        content: hi\n    method: POST\n    uri: https://api.openai.com/v1/responses\n  response:\n    body:\n      string: !!binary |\n        {packed}\n    headers:\n      Content-Encoding:\n      - gzip\n    status:\n      code: 200\n"
    );
    let trace = read_ok(&yaml);
    let call = &trace.calls[0];
    assert_eq!(json_at(call.request.body.json(), "/input/0/content"), "hi");
    assert_eq!(json_at(call.response.as_ref().unwrap().body.json(), "/id"), "chatcmpl-123456789");
}

#[test]
fn ruby_vcr_and_betamax_json() {
    let body = b64(br#"{"token":"tok_abcdef123456"}"#);
    let json = format!(
        r#"{{"http_interactions": [{{"request": {{"method": "get", "uri": "https://api.example.com/a", "body": {{"encoding": "UTF-8", "string": ""}}, "headers": {{"Accept": ["*/*"]}}}},
            "response": {{"status": {{"code": 200, "message": "OK"}}, "headers": {{"Content-Type": ["application/json"]}}, "body": {{"encoding": "ASCII-8BIT", "base64_string": "{body}"}}}},
            "recorded_at": "Tue, 01 Nov 2016 04:55:56 GMT"}}], "recorded_with": "VCR 3.0.3"}}"#
    );
    let trace = read_ok(&json);
    let call = &trace.calls[0];
    assert_eq!(call.request.method, "GET");
    assert_eq!(json_at(call.response.as_ref().unwrap().body.json(), "/token"), "tok_abcdef123456");
}

#[test]
fn errors_say_what_and_where() {
    let cases: &[(&str, &[u8], ErrorKind, &str)] = &[
        ("empty", b"", ErrorKind::UnknownFormat, "empty"),
        ("blank", b"  \n\t ", ErrorKind::UnknownFormat, "empty"),
        ("truncated", br#"{"log": {"entries": [{"request": {"#, ErrorKind::Malformed, "ends too early"),
        ("no log", br#"{"log": null}"#, ErrorKind::Malformed, "no `log`"),
        ("utf16", &[0xFF, 0xFE, b'{', 0], ErrorKind::UnknownFormat, "UTF-16"),
        ("latin1", b"interactions: caf\xe9", ErrorKind::UnknownFormat, "UTF-8"),
        ("garbage", &[0x00, 0x01, 0x02, 0xff, 0x00], ErrorKind::UnknownFormat, "binary"),
        ("other json", br#"{"hello": "world"}"#, ErrorKind::UnknownFormat, "expected a HAR"),
        ("prose", b"just some words", ErrorKind::UnknownFormat, "expected a HAR"),
        ("bad yaml", b"interactions: [\n  - {a: 1\n", ErrorKind::UnknownFormat, "neither JSON nor"),
        ("wrong interactions", b"interactions: 5\n", ErrorKind::Malformed, "not a list"),
    ];
    for (name, bytes, kind, words) in cases {
        let error = read(name, bytes).expect_err(name);
        assert_eq!(error.kind, *kind, "{name}: {error}");
        let text = error.to_string();
        assert!(text.contains(words), "{name}: {text}");
        assert_eq!(error.location.input.as_deref(), Some(*name));
    }
    let error = read("t.har", br#"{"log": {"entries": [{"request": {"#).unwrap_err();
    assert_eq!((error.location.line, error.location.offset), (Some(1), Some(34)));
    let error = read("t.yaml", b"interactions:\n- a: [1, 2\n").unwrap_err();
    assert!(error.location.line.is_some(), "{error}");
}

#[test]
fn hostile_inputs_hit_limits_not_memory() {
    // A YAML alias bomb: nine levels of ten aliases each.
    let mut bomb = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (i, c) in "bcdefghi".chars().enumerate() {
        let prev = (b'a' + i as u8) as char;
        bomb.push_str(&format!(
            "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    bomb.push_str("interactions: [*i]\n");
    let error = read("bomb.yaml", bomb.as_bytes()).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Limit, "{error}");

    // Few aliases, each to a big string: within the parser's repetition cap, over our budget.
    let big = "x".repeat(200_000);
    let aliases = vec!["*big"; 100].join(", ");
    let wide = format!("big: &big {big}\ninteractions: [{aliases}]\n");
    let error = read("wide.yaml", wide.as_bytes()).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Limit, "{error}");
    assert!(error.to_string().contains("alias bomb"), "{error}");

    // 10,000-deep nesting, in JSON and in YAML.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(read("deep.json", deep.as_bytes()).is_err());
    let deep_yaml = format!("interactions: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(read("deep.yaml", deep_yaml.as_bytes()).is_err());

    // A gzip bomb: 64 MiB of zeros in ~64 KiB, declared gzip. The body is refused with a warning
    // and the rest of the trace is still read.
    let zeros = gzip(&vec![0u8; 64 << 20]);
    let entries = format!(
        r#"{{"request": {{"method": "GET", "url": "https://a.example/"}}, "response": {{"status": 200, "content": {{"mimeType": "application/json", "encoding": "base64", "text": "{}"}}}}}},
           {{"request": {{"method": "POST", "url": "https://a.example/b"}}, "response": {{"status": 200, "content": {{"mimeType": "application/json", "encoding": "base64", "text": "not base64!!"}}}}}}"#,
        b64(&zeros)
    );
    let trace = read_ok(&har(&entries));
    assert_eq!(trace.calls.len(), 2);
    assert!(trace.calls[0].response.as_ref().unwrap().body.bytes.len() < 1 << 20);
    let messages: Vec<&str> = trace.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("decompression bomb")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("not valid base64")), "{messages:?}");

    // Input over the size limit.
    let limits = Limits { max_input_bytes: 10, ..Limits::default() };
    let error = read_trace(&[NamedInput { name: "big", bytes: b"01234567890123" }], &limits).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Limit);
    assert!(error.to_string().contains("maxInputBytes"));
    assert_eq!(error.help, Some(Help::RaiseLimit { limit: LimitName::MaxInputBytes, current: 10 }));
    assert!(!error.message.contains("--limit"), "{error}");

    // More calls than allowed.
    let limits = Limits { max_calls: 1, ..Limits::default() };
    let two = har(
        r#"{"request": {"method": "GET", "url": "https://a.example/"}}, {"request": {"method": "GET", "url": "https://a.example/"}}"#,
    );
    let error = read_trace(&[NamedInput { name: "two.har", bytes: two.as_bytes() }], &limits).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Limit, "{error}");
    assert_eq!(error.help, Some(Help::RaiseLimit { limit: LimitName::MaxCalls, current: 1 }));
    assert!(error.message.contains("`maxCalls`") && !error.message.contains("--limit"), "{error}");
}

#[test]
fn numbers_out_of_range_and_wrong_types_do_not_break_reading() {
    let trace = read_ok(&har(
        r#"{"request": {"method": 5, "url": "https://a.example/"}, "response": {"status": 1e400}},
           {"request": {"method": "GET", "url": "https://a.example/ok"}, "response": {"status": 99999999999999999999}}"#,
    ));
    // The first entry has a number where the method goes: skipped with a warning.
    assert_eq!(trace.calls.len() + trace.diagnostics.len(), 2);
    assert!(trace.calls.iter().all(|c| c.response.as_ref().is_none_or(|r| r.status == 0)));
}
