//! Traces as agent runtimes, SDKs and observability tools export them (tests/corpus/runtimes,
//! real files with their notice): each is read and gets its expected verdict; a session tag alone
//! is a label, not state; every container shape of span records reads the same.
// Reads files: a native test.
#![cfg(not(target_arch = "wasm32"))]

use callstate::{analyze, read_trace, Limits, NamedInput, Options};
use serde_json::Value;
use std::path::Path;

fn file(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/runtimes").join(name)).unwrap()
}

fn report_of(inputs: &[(&str, Vec<u8>)]) -> Value {
    let named: Vec<NamedInput> = inputs.iter().map(|(name, bytes)| NamedInput { name, bytes }).collect();
    let report = analyze(&named, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(&report).unwrap()
}

fn files(names: &[&str]) -> Value {
    report_of(&names.iter().map(|n| (*n, file(n))).collect::<Vec<_>>())
}

fn evidence<'r>(report: &'r Value, signal: &str) -> Vec<&'r Value> {
    report["evidence"].as_array().unwrap().iter().filter(|e| e["signal"] == signal).collect()
}

fn label(report: &Value) -> &str {
    report["verdict"]["label"].as_str().unwrap()
}

#[test]
fn every_runtime_export_is_read_and_gets_its_expected_verdict() {
    let expected =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/runtimes/expected.tsv"))
            .unwrap();
    let mut failures = Vec::new();
    for line in expected.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let names: Vec<&str> = cols[0].split(',').collect();
        let report = files(&names);
        assert!(!report["calls"].as_array().unwrap().is_empty(), "{}: no calls", cols[0]);
        if label(&report) != cols[1] {
            failures.push(format!(
                "{}: expected {}, got {}: {}",
                cols[0],
                cols[1],
                label(&report),
                report["verdict"]["explanation"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Both layers evidenced: the runtime by kept context (turn 2's runtime call carries only the new
/// message while its model calls carry turn 1), the model calls by their own resent context.
#[test]
fn multi_turn_runtime_traces_are_layered_with_both_layers_evidenced() {
    for name in [
        "agentcore-sdk-e2e-strands-tool-call-spans.json",
        "agentcore-sdk-e2e-custom-flat-spans.json",
        "agentcore-sdk-e2e-strands-rag-spans.json",
        "google-adk-session-2turns-with-model-requests.json",
    ] {
        let report = files(&[name]);
        assert_eq!(label(&report), "layered", "{name}: {}", report["verdict"]["explanation"]);
        let kept = evidence(&report, "kept_context");
        assert!(!kept.is_empty(), "{name}: no kept context");
        let calls = report["calls"].as_array().unwrap();
        let layer = |c: &Value| calls[c.as_u64().unwrap() as usize - 1]["layer"].clone();
        for e in &kept {
            let layers: Vec<Value> = e["calls"].as_array().unwrap().iter().map(layer).collect();
            assert!(layers.contains(&Value::from("upper")) && layers.contains(&Value::from("lower")), "{name}: {e}");
        }
        assert!(report["verdict"]["confidence"].as_f64().unwrap() >= 0.9, "{name}");
        let explanation = report["verdict"]["explanation"].as_str().unwrap();
        assert!(explanation.contains("earlier turns") && explanation.contains("model call"), "{name}: {explanation}");
    }
}

#[test]
fn a_session_tag_shared_by_independent_runs_is_a_label_not_state() {
    let report = files(&["agentcore-sdk-e2e-custom-nested-spans.json"]);
    assert_eq!(label(&report), "stateless", "{}", report["verdict"]["explanation"]);
    let labels = evidence(&report, "label");
    let tag =
        labels.iter().find(|e| e["places"][0]["at"] == "span.attributes/session.id").expect("the tag is reported");
    assert!(tag["calls"].as_array().unwrap().len() >= 10, "{tag}");
    let message = tag["message"].as_str().unwrap();
    assert!(message.contains("label") && message.contains("does not count"), "{message}");
    assert!(report["calls"].as_array().unwrap().iter().all(|c| c["mode"] == "stateless"));
}

#[test]
fn an_agentcore_runtime_session_is_declared_state_with_lower_confidence() {
    // The span records alone hold no messages: the runtime's session is declared by its contract.
    let spans = files(&["agentcore-strands-bedrock-spans.json"]);
    assert_eq!(label(&spans), "layered", "{}", spans["verdict"]["explanation"]);
    let declared = evidence(&spans, "declared");
    assert!(declared.iter().any(|e| e["state"] == "session" && e["api"].as_str().unwrap().contains("AgentCore")));
    assert!(spans["verdict"]["confidence"].as_f64().unwrap() < 0.8);
    assert!(spans["verdict"]["explanation"].as_str().unwrap().contains("declared by its API's contract"));
    assert!(evidence(&spans, "kept_context").is_empty());

    // With the log records beside them (another file), the chat spans get their messages, and
    // the last invocation's model call shows the turns the runtime kept.
    let logs = files(&["agentcore-strands-bedrock-runtime-logs.json"]);
    let both = files(&["agentcore-strands-bedrock-spans.json", "agentcore-strands-bedrock-runtime-logs.json"]);
    let count = |r: &Value| r["calls"].as_array().unwrap().len();
    assert!(count(&both) < count(&spans) + count(&logs), "log records joined their spans");
    assert_eq!(label(&both), "layered");
    assert!(!evidence(&both, "kept_context").is_empty(), "{}", both["verdict"]["explanation"]);
    assert!(both["verdict"]["confidence"].as_f64().unwrap() >= 0.9);
}

/// The records of a real export, taken out of their wrapper.
fn records(name: &str) -> Vec<Value> {
    let document: Value = serde_json::from_slice(&file(name)).unwrap();
    document["sessionSpans"].as_array().unwrap().clone()
}

#[test]
fn span_records_read_the_same_in_every_container() {
    let name = "agentcore-sdk-e2e-strands-rag-spans.json";
    let records = records(name);
    let expected = files(&[name]);
    let list = serde_json::to_vec(&records).unwrap();
    let wrapped = serde_json::to_vec(&serde_json::json!({"export": {"data": records}, "count": 30})).unwrap();
    let lines = records.iter().map(Value::to_string).collect::<Vec<_>>().join("\n").into_bytes();
    for (shape, bytes) in [("list.json", list), ("wrapper.json", wrapped), ("lines.jsonl", lines)] {
        let report = report_of(&[(shape, bytes)]);
        assert_eq!(report["calls"], expected["calls"], "{shape}");
        assert_eq!(report["verdict"]["label"], expected["verdict"]["label"], "{shape}");
    }
}

#[test]
fn langfuse_and_langsmith_exports_become_calls() {
    let report = files(&["langfuse-export-beeai-2025-08-01.json"]);
    assert_eq!(report["inputs"][0]["format"], "langfuse");
    assert!(!evidence(&report, "context_replay").is_empty());
    let report = files(&["langsmith-py-run-post-patch-wrap-openai.json"]);
    assert_eq!(report["inputs"][0]["format"], "langsmith");
    assert_eq!(report["calls"].as_array().unwrap().len(), 1);
}

#[test]
fn an_input_of_unknown_records_says_what_it_saw_once() {
    let lines: String =
        (0..412).map(|i| format!("{{\"name\": \"step {i}\", \"context\": {{}}, \"parent_id\": null}}\n")).collect();
    let trace = read_trace(&[NamedInput { name: "steps.jsonl", bytes: lines.as_bytes() }], &Limits::default()).unwrap();
    assert!(trace.calls.is_empty());
    assert_eq!(trace.diagnostics.len(), 1, "{:?}", trace.diagnostics);
    let message = &trace.diagnostics[0].message;
    assert!(message.starts_with("412 JSON lines, none a record callstate knows"), "{message}");
    assert!(message.contains("their keys: context, name, parent_id"), "{message}");
    let report = report_of(&[("steps.jsonl", lines.into_bytes())]);
    assert!(report["verdict"]["explanation"].as_str().unwrap().contains("412 JSON lines"));

    let unknown =
        analyze(&[NamedInput { name: "x.json", bytes: br#"[{"step": 1, "who": "a"}]"# }], &Options::default());
    let message = unknown.unwrap_err().to_string();
    assert!(message.contains("Its records have the keys step, who"), "{message}");
}

/// Shapes no public file shows, built from their documentation: the OpenAI Agents SDK's trace
/// ingest payload (`trace` and `trace.span` items), CloudWatch Logs exports that hold each
/// record as JSON text under `@message`, and Logfire's `events` attribute.
#[test]
fn documented_shapes_without_a_public_file() {
    let agents = serde_json::json!({"data": [
        {"object": "trace", "id": "trace_4b1c", "workflow_name": "Agent workflow", "group_id": "thread-7"},
        {"object": "trace.span", "id": "span_a1", "trace_id": "trace_4b1c", "parent_id": null,
         "started_at": "2025-09-30T10:00:00.000Z", "ended_at": "2025-09-30T10:00:03.000Z",
         "span_data": {"type": "agent", "name": "Assistant"}},
        {"object": "trace.span", "id": "span_g1", "trace_id": "trace_4b1c", "parent_id": "span_a1",
         "started_at": "2025-09-30T10:00:00.100Z", "ended_at": "2025-09-30T10:00:01.000Z",
         "span_data": {"type": "generation", "model": "gpt-4.1",
                       "input": [{"role": "user", "content": "What is the capital of France?"}],
                       "output": [{"role": "assistant", "content": "Paris."}]}},
        {"object": "trace.span", "id": "span_g2", "trace_id": "trace_4b1c", "parent_id": "span_a1",
         "started_at": "2025-09-30T10:00:01.100Z", "ended_at": "2025-09-30T10:00:02.000Z",
         "span_data": {"type": "generation", "model": "gpt-4.1",
                       "input": [{"role": "user", "content": "What is the capital of France?"},
                                 {"role": "assistant", "content": "Paris."},
                                 {"role": "user", "content": "And of Spain?"}],
                       "output": [{"role": "assistant", "content": "Madrid."}]}}
    ]});
    let report = report_of(&[("agents.json", serde_json::to_vec(&agents).unwrap())]);
    assert_eq!(report["inputs"][0]["format"], "openai-agents");
    assert_eq!(report["calls"].as_array().unwrap().len(), 3);
    assert!(!evidence(&report, "context_replay").is_empty(), "{report}");

    // CloudWatch Logs: each record of a real export as JSON text under `@message`.
    let name = "agentcore-sdk-e2e-strands-rag-spans.json";
    let logs: Vec<Value> = records(name)
        .iter()
        .map(|r| serde_json::json!({"@timestamp": "2025-10-01 12:00:00.000", "@message": r.to_string()}))
        .collect();
    let report = report_of(&[("logs-insights.json", serde_json::to_vec(&logs).unwrap())]);
    assert_eq!(report["calls"], files(&[name])["calls"]);

    // Logfire: GenAI events in one `events` attribute of JSON text.
    let events = serde_json::json!([
        {"event.name": "gen_ai.user.message", "content": "Where is the Eiffel tower?", "role": "user"},
        {"event.name": "gen_ai.choice", "index": 0, "message": {"role": "assistant", "content": "In Paris."}}
    ]);
    let span = serde_json::json!([{"name": "chat gpt-4o", "trace_id": "0af7651916cd43dd8448eb211c80319c",
        "span_id": "b7ad6b7169203331", "start_time": 1727000000000000000u64,
        "attributes": {"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "events": events.to_string()}}]);
    let bytes = serde_json::to_vec(&span).unwrap();
    let exchange =
        callstate::exchange(&[NamedInput { name: "logfire.json", bytes: &bytes }], &Options::default(), 1).unwrap();
    let exchange = serde_json::to_string(&exchange).unwrap();
    assert!(exchange.contains("Where is the Eiffel tower?") && exchange.contains("In Paris."), "{exchange}");
}

/// Polled predictions and long-running operations are jobs, not resources: the minting response
/// says the work is still starting, or is an operation not yet `done`.
#[test]
fn polled_predictions_and_operations_are_jobs() {
    let log = [
        serde_json::json!({"method": "POST", "url": "https://api.replicate.com/v1/predictions",
            "request": {"body": {"version": "5c7d5dc6dd8b", "input": {"prompt": "a cat"}}},
            "response": {"status": 201, "body": {"id": "gm3qorzdhgbfurvjtvhg6dckhu", "status": "starting",
                "urls": {"get": "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu"}}}}),
        serde_json::json!({"method": "GET", "url": "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu",
            "response": {"status": 200, "body": {"id": "gm3qorzdhgbfurvjtvhg6dckhu", "status": "succeeded"}}}),
        serde_json::json!({"method": "POST", "url": "https://generativelanguage.googleapis.com/v1beta/models/veo-3.0-generate-001:predictLongRunning",
            "request": {"body": {"instances": [{"prompt": "a cat"}]}},
            "response": {"status": 200, "body": {"name": "models/veo-3.0-generate-001/operations/r0l6kk5b8zjv"}}}),
        serde_json::json!({"method": "GET", "url": "https://generativelanguage.googleapis.com/v1beta/models/veo-3.0-generate-001/operations/r0l6kk5b8zjv",
            "response": {"status": 200, "body": {"name": "models/veo-3.0-generate-001/operations/r0l6kk5b8zjv", "done": true}}}),
    ];
    let lines = log.iter().map(Value::to_string).collect::<Vec<_>>().join("\n");
    let report = report_of(&[("jobs.jsonl", lines.into_bytes())]);
    // The prediction's id flows; the operation is a job by its API's declaration.
    let jobs: Vec<&Value> = report["evidence"].as_array().unwrap().iter().filter(|e| e["state"] == "job").collect();
    assert_eq!(jobs.len(), 2, "{report}");
    assert!(jobs.iter().any(|e| e["signal"] == "handle_flow" && e["calls"] == serde_json::json!([1, 2])));
    assert!(jobs.iter().any(|e| e["calls"] == serde_json::json!([4])));
    assert!(report["calls"].as_array().unwrap().iter().all(|c| c["mode"] != "stateful"));
    assert_eq!(label(&report), "stateless");
}
