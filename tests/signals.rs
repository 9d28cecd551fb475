//! Each signal on small traces written for the case, including the tricky ones the corpus notes
//! name: echoes, correlation ids, bot-management cookies, cursors, replayed ids.

use callstate::{analyze_bytes, to_markdown, Options, Report};
use serde_json::{json, Value};

/// One HAR entry: method, URL, request headers and body, response status, headers and body.
fn entry(
    method: &str,
    url: &str,
    req_headers: &[(&str, &str)],
    req_body: Option<Value>,
    status: u16,
    resp_headers: &[(&str, &str)],
    resp_body: Value,
) -> Value {
    let headers = |h: &[(&str, &str)]| h.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>();
    let mut request = json!({"method": method, "url": url, "headers": headers(req_headers)});
    if let Some(body) = req_body {
        request["postData"] = json!({"mimeType": "application/json", "text": body.to_string()});
    }
    json!({
        "request": request,
        "response": {"status": status, "headers": headers(resp_headers), "content": {"mimeType": "application/json", "text": resp_body.to_string()}}
    })
}

fn analyze(entries: Vec<Value>) -> (Report, Value) {
    let har = json!({"log": {"version": "1.2", "creator": {"name": "test"}, "entries": entries}});
    let report = analyze_bytes("test.har", har.to_string().as_bytes(), &Options::default()).unwrap();
    let value = serde_json::to_value(&report).unwrap();
    (report, value)
}

fn label(report: &Report) -> &'static str {
    report.verdict.label.as_str()
}

fn evidence_with(value: &Value, signal: &str) -> Vec<Value> {
    value["evidence"].as_array().unwrap().iter().filter(|e| e["signal"] == signal).cloned().collect()
}

const RESPONSES: &str = "https://api.openai.com/v1/responses";
const CHAT: &str = "https://api.openai.com/v1/chat/completions";

#[test]
fn handle_flow_names_both_places() {
    let (report, value) = analyze(vec![
        entry("POST", RESPONSES, &[], Some(json!({"input": "hi"})), 200, &[], json!({"id": "resp_aaaa1111bbbb2222"})),
        entry(
            "POST",
            RESPONSES,
            &[],
            Some(json!({"input": "more", "previous_response_id": "resp_aaaa1111bbbb2222"})),
            200,
            &[],
            json!({"id": "resp_cccc3333"}),
        ),
    ]);
    assert_eq!(label(&report), "stateful");
    let flows = evidence_with(&value, "handle_flow");
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0]["state"], "conversation");
    assert_eq!(
        flows[0]["places"],
        json!([
            {"call": 1, "at": "response.body/id", "side": "received", "part": {"kind": "body", "pointer": "/id"}},
            {
                "call": 2,
                "at": "request.body/previous_response_id",
                "side": "sent",
                "part": {"kind": "body", "pointer": "/previous_response_id"}
            }
        ])
    );
    assert_eq!(value["calls"][1]["mode"], "stateful");
    assert_eq!(value["calls"][0]["mode"], "stateless", "the minting call itself depends on nothing");
    assert_eq!(value["sessions"][0]["calls"], json!([1, 2]));
    assert!(report.verdict.confidence >= 0.9);
}

#[test]
fn values_the_client_made_are_not_handles_even_when_echoed() {
    let (report, value) = analyze(vec![
        entry(
            "POST",
            "https://api.example.com/run",
            &[],
            Some(json!({"session_id": "client-chosen-0001"})),
            200,
            &[],
            json!({"session_id": "client-chosen-0001"}),
        ),
        entry(
            "POST",
            "https://api.example.com/run",
            &[],
            Some(json!({"session_id": "client-chosen-0001"})),
            200,
            &[],
            json!({}),
        ),
    ]);
    assert!(evidence_with(&value, "handle_flow").is_empty(), "{}", value["evidence"]);
    assert_eq!(label(&report), "stateless");
}

#[test]
fn correlation_ids_and_bot_cookies_are_ignored() {
    let (report, value) = analyze(vec![
        entry(
            "GET",
            "https://api.example.com/a",
            &[],
            None,
            200,
            &[
                ("x-request-id", "req_0123456789abcdef"),
                ("set-cookie", "__cf_bm=Zx81kdl2KkaQ93kd0aQ; path=/; HttpOnly"),
            ],
            json!({}),
        ),
        entry(
            "GET",
            "https://api.example.com/b",
            &[("x-request-id", "req_0123456789abcdef"), ("cookie", "__cf_bm=Zx81kdl2KkaQ93kd0aQ")],
            None,
            200,
            &[],
            json!({}),
        ),
    ]);
    assert!(value["evidence"].as_array().unwrap().is_empty(), "{}", value["evidence"]);
    assert_eq!(label(&report), "stateless");
}

#[test]
fn application_cookies_minted_then_sent_are_sessions() {
    let (report, value) = analyze(vec![
        entry(
            "POST",
            "https://app.example.com/login",
            &[],
            None,
            200,
            &[("set-cookie", "app_token=Q2hhdDEyMzQ1Njc4OTA; HttpOnly")],
            json!({}),
        ),
        entry(
            "GET",
            "https://app.example.com/inbox",
            &[("cookie", "app_token=Q2hhdDEyMzQ1Njc4OTA")],
            None,
            200,
            &[],
            json!({}),
        ),
    ]);
    assert_eq!(label(&report), "stateful");
    let flow = &evidence_with(&value, "handle_flow")[0];
    assert_eq!(flow["state"], "session");
    assert_eq!(flow["places"][1]["at"], "request.cookies/app_token");
    assert!(!value.to_string().contains("Q2hhdDEyMzQ1Njc4OTA"), "cookie values never appear");
}

#[test]
fn pagination_cursors_are_not_state() {
    let (_, value) = analyze(vec![
        entry(
            "GET",
            "https://api.example.com/items",
            &[],
            None,
            200,
            &[],
            json!({"data": [], "next_cursor": "cur_abc123456789"}),
        ),
        entry("GET", "https://api.example.com/items?cursor=cur_abc123456789", &[], None, 200, &[], json!({"data": []})),
    ]);
    assert!(evidence_with(&value, "handle_flow").is_empty(), "{}", value["evidence"]);
}

#[test]
fn replay_of_history_with_the_reply_is_evidence_of_statelessness() {
    let (report, value) = analyze(vec![
        entry(
            "POST",
            CHAT,
            &[("authorization", "Bearer sk-test")],
            Some(
                json!({"model": "m", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of France?"}]}),
            ),
            200,
            &[],
            json!({"id": "chatcmpl-1", "choices": [{"message": {"role": "assistant", "content": "Paris."}}]}),
        ),
        entry(
            "POST",
            CHAT,
            &[],
            Some(
                json!({"model": "m", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": "Paris."}, {"role": "user", "content": "And Spain?"}]}),
            ),
            200,
            &[],
            json!({"id": "chatcmpl-2", "choices": [{"message": {"role": "assistant", "content": "Madrid."}}]}),
        ),
    ]);
    assert_eq!(label(&report), "stateless");
    let replay = &evidence_with(&value, "context_replay")[0];
    assert_eq!(replay["strength"], "strong");
    assert_eq!(replay["calls"], json!([1, 2]));
    // With credentials in the capture, no caveat about a browser that stripped them.
    assert!(report.verdict.confidence >= 0.85, "{}", report.verdict.explanation);
    assert_eq!(value["verdict"]["evidence"][0], replay["id"]);
}

#[test]
fn replay_matches_across_representations_and_ignores_replayed_ids() {
    // Request 1 sends `input` as a string; request 2 resends it as an item list, with the
    // server's own output item (its id included) and a tool call id it minted.
    let (report, value) = analyze(vec![
        entry(
            "POST",
            RESPONSES,
            &[],
            Some(json!({"input": "Weather in Oslo?", "store": false})),
            200,
            &[],
            json!({"id": "resp_1111aaaa2222", "output": [{"id": "fc_9999zzzz8888", "type": "function_call", "call_id": "call_77776666aaaa", "name": "weather", "arguments": "{\"city\":\"Oslo\"}"}]}),
        ),
        entry(
            "POST",
            RESPONSES,
            &[],
            Some(json!({"store": false, "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "Weather in Oslo?"}]},
            {"id": "fc_9999zzzz8888", "type": "function_call", "call_id": "call_77776666aaaa", "name": "weather", "arguments": "{\"city\":\"Oslo\"}"},
            {"type": "function_call_output", "call_id": "call_77776666aaaa", "output": "4 °C"}]})),
            200,
            &[],
            json!({"id": "resp_3333bbbb4444"}),
        ),
    ]);
    assert_eq!(label(&report), "stateless", "{}", report.verdict.explanation);
    assert!(evidence_with(&value, "handle_flow").is_empty(), "{}", value["evidence"]);
    assert_eq!(evidence_with(&value, "context_replay")[0]["strength"], "strong");
}

#[test]
fn mcp_session_header() {
    let rpc = |method: &str| json!({"jsonrpc": "2.0", "id": 1, "method": method});
    let (report, value) = analyze(vec![
        entry(
            "POST",
            "https://mcp.example.com/mcp",
            &[],
            Some(rpc("initialize")),
            200,
            &[("mcp-session-id", "7f3c2a1b9d8e4f60a1b2c3d4e5f60718")],
            json!({"jsonrpc": "2.0", "id": 1, "result": {}}),
        ),
        entry(
            "POST",
            "https://mcp.example.com/mcp",
            &[("mcp-session-id", "7f3c2a1b9d8e4f60a1b2c3d4e5f60718")],
            Some(rpc("tools/list")),
            200,
            &[],
            json!({"jsonrpc": "2.0", "id": 1, "result": {}}),
        ),
    ]);
    assert_eq!(label(&report), "stateful");
    let flow = &evidence_with(&value, "handle_flow")[0];
    assert_eq!(flow["state"], "session");
    assert_eq!(flow["api"], "MCP (Streamable HTTP)");
    assert_eq!(value["calls"][1]["api"]["id"], "mcp.streamable_http");
}

#[test]
fn polled_jobs_and_located_resources_are_reported_but_stateless() {
    let (report, value) = analyze(vec![
        entry(
            "POST",
            RESPONSES,
            &[],
            Some(json!({"input": "long task", "background": true})),
            200,
            &[],
            json!({"id": "resp_job000111222", "status": "queued"}),
        ),
        entry(
            "GET",
            "https://api.openai.com/v1/responses/resp_job000111222",
            &[],
            None,
            200,
            &[],
            json!({"id": "resp_job000111222", "status": "completed"}),
        ),
        entry(
            "POST",
            "https://api.example.com/things",
            &[],
            Some(json!({"name": "x"})),
            201,
            &[("location", "https://api.example.com/things/th_0123456789")],
            json!({}),
        ),
        entry("GET", "https://api.example.com/things/th_0123456789", &[], None, 200, &[], json!({})),
    ]);
    assert_eq!(label(&report), "stateless");
    let states: Vec<&str> = evidence_with(&value, "handle_flow")
        .iter()
        .map(|e| e["state"].as_str().unwrap().to_string().leak() as &str)
        .collect();
    assert_eq!(states, ["job", "resource"]);
    assert_eq!(value["calls"][1]["mode"], "resource-dependent");
    assert_eq!(value["summary"]["resource_dependent"], 2);
}

#[test]
fn stateful_chain_beside_independent_stateless_chats_is_mixed() {
    let (report, _) = analyze(vec![
        entry("POST", RESPONSES, &[], Some(json!({"input": "a"})), 200, &[], json!({"id": "resp_mix000111222"})),
        entry(
            "POST",
            RESPONSES,
            &[],
            Some(json!({"input": "b", "previous_response_id": "resp_mix000111222"})),
            200,
            &[],
            json!({"id": "resp_mix333444555"}),
        ),
        entry(
            "POST",
            CHAT,
            &[],
            Some(json!({"messages": [{"role": "user", "content": "c"}]})),
            200,
            &[],
            json!({"choices": []}),
        ),
    ]);
    assert_eq!(label(&report), "mixed", "{}", report.verdict.explanation);
}

#[test]
fn a_declared_handle_minted_outside_the_trace_is_weak_stateful_evidence() {
    let (report, value) = analyze(vec![entry(
        "POST",
        RESPONSES,
        &[],
        Some(json!({"input": "go on", "previous_response_id": "resp_fromyesterday01"})),
        200,
        &[],
        json!({"id": "resp_today000111"}),
    )]);
    assert_eq!(label(&report), "stateful");
    assert_eq!(value["verdict"]["level"], "low");
    let declared = &evidence_with(&value, "declared")[0];
    assert_eq!(declared["places"][0]["at"], "request.body/previous_response_id");
}

#[test]
fn store_true_that_nothing_refers_to_is_stateless() {
    let (report, _) = analyze(vec![
        entry(
            "POST",
            RESPONSES,
            &[],
            Some(json!({"input": "a", "store": true})),
            200,
            &[],
            json!({"id": "resp_stored000111"}),
        ),
        entry(
            "POST",
            RESPONSES,
            &[],
            Some(json!({"input": "b", "store": true})),
            200,
            &[],
            json!({"id": "resp_stored222333"}),
        ),
    ]);
    assert_eq!(label(&report), "stateless");
}

#[test]
fn secrets_never_appear_in_any_output() {
    let secrets = [
        "sk-proj-SECRETSECRET0123456789",
        "AKIAABCDEFGHIJKLMNOP",
        "gsk_cookie_value_55aa66bb",
        "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    ];
    let (report, value) = analyze(vec![
        entry(
            "POST",
            &format!("https://generativelanguage.googleapis.com/v1beta/models/g:generateContent?key={}", secrets[3]),
            &[("authorization", &format!("Bearer {}", secrets[0])), ("x-amz-security-token", secrets[1])],
            Some(json!({"contents": []})),
            200,
            &[("set-cookie", &format!("session={}; HttpOnly", secrets[2]))],
            json!({}),
        ),
        entry(
            "GET",
            "https://app.example.com/me",
            &[("cookie", &format!("session={}", secrets[2])), ("api-key", secrets[0])],
            None,
            200,
            &[],
            json!({}),
        ),
    ]);
    let outputs = [value.to_string(), to_markdown(&report)];
    for output in &outputs {
        for secret in secrets {
            assert!(!output.contains(secret), "{secret} leaked");
        }
    }
    assert!(outputs[0].contains("key=[redacted]"));
}
