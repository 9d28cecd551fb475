//! The inputs of distributed systems: OTLP/JSON, SDK span dumps, JSON Lines logs, nock
//! recordings; several inputs analyzed together; and the layered verdict.
// Reads files: a native test.
#![cfg(not(target_arch = "wasm32"))]

use callstate::{analyze, read_trace, Limits, NamedInput, Options};
use serde_json::{json, Value};
use std::path::Path;

fn file(name: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = if root.join("tests/formats").join(name).exists() {
        root.join("tests/formats").join(name)
    } else {
        root.join("tests/corpus").join(name)
    };
    std::fs::read(path).unwrap()
}

/// Analyzes named inputs (name, bytes) together and returns the report as JSON.
fn report_of(inputs: &[(&str, Vec<u8>)]) -> Value {
    let named: Vec<NamedInput> = inputs.iter().map(|(name, bytes)| NamedInput { name, bytes }).collect();
    let report = analyze(&named, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(&report).unwrap()
}

fn files(names: &[&str]) -> Value {
    let inputs: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (*n, file(n))).collect();
    report_of(&inputs)
}

fn label(report: &Value) -> &str {
    report["verdict"]["label"].as_str().unwrap()
}

fn evidence<'r>(report: &'r Value, signal: &str) -> Vec<&'r Value> {
    report["evidence"].as_array().unwrap().iter().filter(|e| e["signal"] == signal).collect()
}

#[test]
fn otlp_examples_from_the_specification_and_sdk_tests() {
    for (name, spans) in [("otlp-proto-example-trace.json", 1), ("otlp-rust-integration-expected-traces.json", 2)] {
        let report = files(&[name]);
        assert_eq!(report["inputs"][0]["format"], "otlp");
        assert_eq!(
            report["calls"].as_array().unwrap().len(),
            0,
            "{name}: spans without HTTP or GenAI attributes are not calls"
        );
        assert_eq!(label(&report), "inconclusive");
        let note = report["diagnostics"][0]["message"].as_str().unwrap();
        assert!(note.contains(&format!("{spans} of {spans} spans are not calls")), "{note}");
    }
}

#[test]
fn otlp_attribute_values_ids_and_deprecated_http_names() {
    let doc = json!({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "gateway"}}]},
        "scopeSpans": [{"scope": {"name": "x"}, "futureField": 1, "spans": [
            {"traceId": "W47/95gDgQPSabYzgT/GDA==", "spanId": "7uGbfsPBsXQ=", "name": "GET", "kind": 3,
             "startTimeUnixNano": "1544712660000000000", "endTimeUnixNano": 1544712661000000000u64,
             "attributes": [
                {"key": "http.method", "value": {"stringValue": "GET"}},
                {"key": "http.url", "value": {"stringValue": "https://api.example.com/v1/items?limit=5"}},
                {"key": "http.status_code", "value": {"intValue": "200"}},
                {"key": "http.request.header.x-session", "value": {"arrayValue": {"values": [{"stringValue": "s-0001"}]}}},
                {"key": "app.flags", "value": {"kvlistValue": {"values": [{"key": "beta", "value": {"boolValue": true}}]}}},
                {"key": "app.ratio", "value": {"doubleValue": 0.5}},
                {"key": "app.blob", "value": {"bytesValue": "AAEC"}}]},
            {"spanId": "0000000000000002", "name": "no trace id"}]}]}]});
    let trace =
        read_trace(&[NamedInput { name: "t.json", bytes: doc.to_string().as_bytes() }], &Limits::default()).unwrap();
    assert_eq!(trace.calls.len(), 1);
    let call = &trace.calls[0];
    assert_eq!(call.request.method, "GET");
    assert_eq!(call.request.url.host, "api.example.com");
    assert_eq!(call.response.as_ref().unwrap().status, 200);
    assert_eq!(call.request.headers.get("x-session"), Some("s-0001"));
    let span = call.span.as_ref().unwrap();
    assert_eq!(span.trace_id, "5b8efff798038103d269b633813fc60c", "base64 ids become hex");
    assert_eq!(span.span_id, "eee19b7ec3c1b174");
    assert_eq!(span.service.as_deref(), Some("gateway"));
    assert_eq!(call.started_ms, Some(1_544_712_660_000.0));
    assert_eq!(call.duration_ms, Some(1000.0));
    assert!(trace.diagnostics.iter().any(|d| d.message.contains("no trace or span id")));
}

#[test]
fn sdk_span_dumps_are_read_too() {
    let report = files(&["otel-vercel-ai-spans.json"]);
    assert_eq!(report["inputs"][0]["format"], "span-dump");
    let calls = report["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 5, "provider calls only; the wrapper spans link them");
    let operations: Vec<&str> = calls.iter().map(|c| c["span"]["operation"].as_str().unwrap()).collect();
    assert_eq!(operations, ["chat", "chat", "chat", "chat", "embeddings"]);
    assert_eq!(label(&report), "stateless");

    let report = files(&["otel-genai-span-toolcalls.json"]);
    assert_eq!(report["calls"].as_array().unwrap().len(), 1);
    assert_eq!(report["calls"][0]["span"]["operation"], "chat");

    // Python's `Span.to_json()`: `0x` ids, ISO times, `parent_id`.
    let dump = json!([
        {"name": "invoke_agent", "context": {"trace_id": "0x5b8efff798038103d269b633813fc60c", "span_id": "0x00000000000000a1"}, "parent_id": null,
         "start_time": "2026-01-01T10:00:00.000000Z", "end_time": "2026-01-01T10:00:05.000000Z",
         "attributes": {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "a"}},
        {"name": "chat", "context": {"trace_id": "0x5b8efff798038103d269b633813fc60c", "span_id": "0x00000000000000a2"}, "parent_id": "0x00000000000000a1",
         "start_time": "2026-01-01T10:00:01.000000Z", "end_time": "2026-01-01T10:00:04.000000Z",
         "attributes": {"gen_ai.operation.name": "chat", "gen_ai.system": "openai"}}]);
    let report = report_of(&[("py.json", dump.to_string().into_bytes())]);
    assert_eq!(report["calls"][1]["parent"], 1);
    assert_eq!(report["calls"][1]["linked_by"], "span_parent");
}

#[test]
fn nock_recordings_from_a_javascript_test_suite() {
    let report = files(&["nock-openai-chat-completions.json"]);
    assert_eq!(report["inputs"][0]["format"], "nock");
    assert_eq!(report["calls"][0]["url"], "https://api.openai.com/v1/chat/completions", "the default port is dropped");
    assert_eq!(report["calls"][0]["api"]["family"], "OpenAI Chat Completions");
    let trace =
        read_trace(&[NamedInput { name: "n", bytes: &file("nock-openai-chat-completions.json") }], &Limits::default())
            .unwrap();
    let body = trace.calls[0].response.as_ref().unwrap().body.json().expect("the gzipped hex chunks decode to JSON");
    assert_eq!(body.root().get("id").and_then(|id| id.as_str()), Some("chatcmpl-Bs24CNH3ITxv65qJpGjVXijYv6qX2"));

    // Tool-call ids minted in response 1 come back in request 2, inside the resent history:
    // content, not handles.
    let report = files(&["nock-openai-chat-tool-calls.json"]);
    assert_eq!(label(&report), "stateless");
    assert!(evidence(&report, "handle_flow").is_empty());
    assert_eq!(evidence(&report, "context_replay").len(), 1);

    let report = files(&["nock-anthropic-messages-create.json"]);
    assert!(report["diagnostics"][0]["message"].as_str().unwrap().contains("`br`-compressed"));

    // The older flat `rawHeaders` list.
    let flat = json!([{"scope": "https://api.example.com:443", "method": "POST", "path": "/v1/things", "body": {"a": 1},
        "status": 201, "response": {"id": "thing_0123456789"}, "rawHeaders": ["Content-Type", "application/json", "Location", "/v1/things/thing_0123456789"]}]);
    let trace = read_trace(&[NamedInput { name: "flat.json", bytes: flat.to_string().as_bytes() }], &Limits::default())
        .unwrap();
    assert_eq!(trace.calls[0].response.as_ref().unwrap().headers.get("location"), Some("/v1/things/thing_0123456789"));
}

#[test]
fn json_lines_logs() {
    let report = files(&["backend-model-calls.jsonl"]);
    assert_eq!(report["inputs"][0]["format"], "jsonl");
    assert_eq!(report["calls"].as_array().unwrap().len(), 3);
    assert_eq!(label(&report), "stateless");

    // OpenAI batch input and output files, analyzed together: each answer joins its request.
    let input = [
        json!({"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "m", "messages": [{"role": "user", "content": "one"}]}}),
        json!({"custom_id": "r2", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "m", "messages": [{"role": "user", "content": "two"}]}}),
    ];
    let output = [
        json!({"id": "batch_req_1", "custom_id": "r2", "response": {"status_code": 200, "request_id": "req_2", "body": {"id": "chatcmpl-2"}}, "error": null}),
        json!({"id": "batch_req_2", "custom_id": "r1", "response": {"status_code": 200, "request_id": "req_1", "body": {"id": "chatcmpl-1"}}, "error": null}),
    ];
    let lines = |v: &[Value]| v.iter().map(Value::to_string).collect::<Vec<_>>().join("\n").into_bytes();
    let report = report_of(&[("batch_input.jsonl", lines(&input)), ("batch_output.jsonl", lines(&output))]);
    let calls = report["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|c| c["status"] == 200), "{calls:?}");

    // A bad line costs a warning with its number; the rest is analyzed.
    let mut text = lines(&input);
    text.extend(b"\n{\"method\": \"POST\", \"url\": \n");
    text.extend(lines(&input[..1]));
    let trace = read_trace(&[NamedInput { name: "log.jsonl", bytes: &text }], &Limits::default()).unwrap();
    assert_eq!(trace.calls.len(), 3);
    let warning = &trace.diagnostics[0];
    assert!(warning.message.starts_with("Line 3 is not valid JSON"), "{}", warning.message);
    assert_eq!(warning.location.as_ref().unwrap().line, Some(3));

    let error = read_trace(&[NamedInput { name: "x.jsonl", bytes: b"{\"a\": 1}\n{oops\n" }], &Limits::default());
    let trace = error.unwrap();
    assert!(
        trace.diagnostics.iter().any(|d| d.message.starts_with("2 JSON lines, none a record callstate knows")
            && d.message.ends_with("their keys: a.")),
        "{:?}",
        trace.diagnostics
    );
}

#[test]
fn json_lines_nest_as_deep_as_serde_json_read_them() {
    // A request record (read as a document for its repeated `url`) nesting 127 levels is read;
    // one nesting 128 is skipped with a warning, as `serde_json` refused it.
    let line = |depth: usize| {
        let (open, close) = ("[".repeat(depth - 1), "]".repeat(depth - 1));
        format!(r#"{{"url":"/x","method":"GET","url":"/{depth}","x":{open}1{close}}}"#)
    };
    let text = [line(126), line(127), line(128), line(200)].join("\n");
    let trace = read_trace(&[NamedInput { name: "deep.jsonl", bytes: text.as_bytes() }], &Limits::default()).unwrap();
    let paths: Vec<_> = trace.calls.iter().map(|c| c.request.url.path.as_str()).collect();
    assert_eq!(paths, ["/126", "/127"]);
    let warnings: Vec<_> = trace.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        warnings,
        [3, 4].map(|n| format!("Line {n} is not valid JSON (brackets nest 128 levels deep) and was skipped."))
    );
}

#[test]
fn a_runtime_span_over_model_call_spans_is_layered() {
    let report = files(&["agent-runtime-layered.otlp.json"]);
    assert_eq!(label(&report), "layered", "{}", report["verdict"]["explanation"]);
    assert_eq!(report["layers"], json!({"stateful": "upper", "upper": [1, 3, 5], "lower": [2, 4, 6]}));
    let kept = evidence(&report, "kept_context");
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0]["calls"], json!([3, 4]));
    assert_eq!(kept[0]["places"][1]["at"], "request.body/messages");
    assert!(!evidence(&report, "context_replay").is_empty(), "the model layer resends the context");
    for call in report["calls"].as_array().unwrap() {
        let expected = if call["span"]["operation"] == "chat" { "lower" } else { "upper" };
        assert_eq!(call["layer"], expected);
    }
}

#[test]
fn a_front_door_capture_with_a_back_end_trace_is_layered_and_each_alone_is_not() {
    assert_eq!(label(&files(&["frontdoor-runtime-sessions.har"])), "stateful");
    assert_eq!(label(&files(&["backend-model-calls.otlp.jsonl"])), "stateless");
    assert_eq!(label(&files(&["backend-model-calls.jsonl"])), "stateless");

    for (back, link) in [("backend-model-calls.otlp.jsonl", "traceparent"), ("backend-model-calls.jsonl", "content")] {
        let report = files(&["frontdoor-runtime-sessions.har", back]);
        assert_eq!(label(&report), "layered", "{back}: {}", report["verdict"]["explanation"]);
        let calls = report["calls"].as_array().unwrap();
        let inputs = report["inputs"].as_array().unwrap();
        let front = inputs.iter().position(|i| i["name"] == "frontdoor-runtime-sessions.har").unwrap();
        let back_calls: Vec<&Value> = calls.iter().filter(|c| c["input"] != front).collect();
        assert_eq!(back_calls.len(), 3);
        for call in &back_calls {
            assert_eq!(call["linked_by"], link, "{back}");
            assert_eq!(call["layer"], "lower");
            let parent = &calls[call["parent"].as_u64().unwrap() as usize - 1];
            assert_eq!(parent["input"], front, "the parent is a front-door call");
            assert!(parent["url"].as_str().unwrap().contains("/messages"));
        }
        assert!(
            !evidence(&report, "handle_flow").is_empty(),
            "the front door's session handle is evidence for the upper layer"
        );
        assert_eq!(report["inputs"].as_array().unwrap().len(), 2);
    }
}

#[test]
fn a_stateless_front_over_stateful_model_calls_is_stateful_and_says_which_layer() {
    let entries: Vec<Value> = [1, 2].iter().map(|i| json!({
        "request": {"method": "POST", "url": "https://gw.example.com/chat", "headers": [
            {"name": "traceparent", "value": format!("00-5b8efff798038103d269b633813fc60c-00000000000000f{i}-01")},
            {"name": "authorization", "value": "Bearer x"}],
            "postData": {"mimeType": "application/json", "text": json!({"history": ["hello there friend", "more words here"], "n": i}).to_string()}},
        "response": {"status": 200, "content": {"mimeType": "application/json", "text": "{}"}}})).collect();
    let front = json!({"log": {"version": "1.2", "creator": {"name": "t"}, "entries": entries}});
    let back = [
        json!({"method": "POST", "url": "https://api.openai.com/v1/responses", "trace_id": "5b8efff798038103d269b633813fc60c", "span_id": "00000000000000b1", "parent_id": "00000000000000f1",
               "request": {"body": {"input": [{"role": "user", "content": "hello"}], "store": true}}, "response": {"status": 200, "body": {"id": "resp_back000111222"}}}),
        json!({"method": "POST", "url": "https://api.openai.com/v1/responses", "trace_id": "5b8efff798038103d269b633813fc60c", "span_id": "00000000000000b2", "parent_id": "00000000000000f2",
               "request": {"body": {"input": [{"role": "user", "content": "more"}], "previous_response_id": "resp_back000111222"}}, "response": {"status": 200, "body": {"id": "resp_back333444555"}}}),
    ];
    let back = back.iter().map(Value::to_string).collect::<Vec<_>>().join("\n");
    let report = report_of(&[("front.har", front.to_string().into_bytes()), ("back.jsonl", back.into_bytes())]);
    assert_eq!(label(&report), "stateful");
    assert_eq!(report["layers"]["stateful"], "lower");
    assert!(report["verdict"]["explanation"].as_str().unwrap().contains("behind a stateless front"));
}

#[test]
fn the_report_does_not_depend_on_the_order_of_the_inputs() {
    for back in ["backend-model-calls.otlp.jsonl", "backend-model-calls.jsonl"] {
        let one = files(&["frontdoor-runtime-sessions.har", back]);
        let other = files(&[back, "frontdoor-runtime-sessions.har"]);
        assert_eq!(one, other, "{back}");
        assert_eq!(label(&one), "layered");
    }
}

#[test]
fn malformed_traces_give_errors_or_warnings() {
    let error = read_trace(&[NamedInput { name: "cut.json", bytes: b"{\"resourceSpans\": [ {" }], &Limits::default())
        .unwrap_err();
    assert!(error.to_string().contains("ends too early"), "{error}");
    assert_eq!(error.location.input.as_deref(), Some("cut.json"));
    let error = read_trace(
        &[NamedInput { name: "n.json", bytes: b"[{\"scope\": 5, \"method\": \"GET\"}]" }],
        &Limits::default(),
    )
    .unwrap();
    assert!(error.diagnostics[0].message.contains("Recording 1"));
}
