//! The shared corpus of real recordings (copied into tests/corpus with their notice): every file
//! gets a verdict its `expect` column allows and names the kinds of state its `kinds` column
//! lists; stateful ones name the handle's calls and fields.
// Reads files and runs processes: a native test (the wasm tests are in tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

use callstate::{analyze_bytes, Options, Report};
use std::path::Path;

struct Row {
    name: String,
    expect: String,
    kinds: Vec<String>,
}

fn manifest() -> Vec<Row> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/manifest.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            Row {
                name: cols[0].to_string(),
                expect: cols[1].to_string(),
                kinds: cols[2].split(',').filter(|k| *k != "-" && !k.is_empty()).map(str::to_string).collect(),
            }
        })
        .collect()
}

fn report(name: &str) -> Report {
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(name)).unwrap();
    analyze_bytes(name, &bytes, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn allowed(expect: &str) -> &'static [&'static str] {
    match expect {
        "stateless" => &["stateless"],
        "stateful" => &["stateful", "mixed", "layered"],
        "mixed" => &["mixed"],
        "single" => &["stateless", "inconclusive"],
        "single-stateful" => &["stateful", "inconclusive"],
        _ => &["stateless", "stateful", "mixed", "layered", "inconclusive"],
    }
}

#[test]
fn every_corpus_file_gets_an_allowed_verdict_and_names_its_kinds() {
    let rows = manifest();
    assert!(rows.len() >= 40, "the corpus copy is incomplete");
    let mut failures = Vec::new();
    for row in &rows {
        let report = report(&row.name);
        let label = report.verdict.label.as_str();
        if !allowed(&row.expect).contains(&label) {
            failures
                .push(format!("{}: expected {}, got {label}: {}", row.name, row.expect, report.verdict.explanation));
        }
        let named: Vec<&str> = report.evidence.iter().filter_map(|e| e.state.map(|k| k.as_str())).collect();
        for kind in &row.kinds {
            if row.expect != "unsure" && !named.contains(&kind.as_str()) {
                failures.push(format!("{}: kind {kind} not named (named: {named:?})", row.name));
            }
        }
        assert!(!report.verdict.explanation.is_empty(), "{}: empty explanation", row.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Asserts an evidence item with this signal and state exists, naming these calls (from 1)
/// and a place containing each of `places`.
fn assert_evidence(name: &str, signal: &str, state: &str, calls: &[usize], places: &[&str]) {
    let report = report(name);
    let json = serde_json::to_value(&report).unwrap();
    let found = json["evidence"].as_array().unwrap().iter().any(|e| {
        let e_calls: Vec<usize> = e["calls"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap() as usize).collect();
        let e_places: Vec<&str> = e["places"].as_array().unwrap().iter().map(|p| p["at"].as_str().unwrap()).collect();
        e["signal"] == signal
            && e["state"] == state
            && calls.iter().all(|c| e_calls.contains(c))
            && places.iter().all(|p| e_places.iter().any(|at| at.contains(p)))
    });
    assert!(found, "{name}: no {signal}/{state} evidence over calls {calls:?} at {places:?}:\n{}", json["evidence"]);
}

#[test]
fn previous_response_id_chains_name_both_ends() {
    assert_evidence(
        "crewai-responses-autochain.yaml",
        "handle_flow",
        "conversation",
        &[1, 2],
        &["response.body/id", "request.body/previous_response_id"],
    );
    for (from, to) in [(1, 2), (2, 3), (3, 4)] {
        assert_evidence(
            "oai-responses-prevresp-chain.yaml",
            "handle_flow",
            "conversation",
            &[from, to],
            &["request.body/previous_response_id"],
        );
    }
}

#[test]
fn conversation_ids_sandboxes_sessions_and_threads() {
    assert_evidence(
        "oai-conversations-explicit-auto.yaml",
        "handle_flow",
        "conversation",
        &[1, 2, 3, 4],
        &["response.body/id", "request.body/conversation"],
    );
    assert_evidence(
        "anthropic-container-reuse.yaml",
        "handle_flow",
        "sandbox",
        &[1, 2],
        &["response.body/container/id", "request.body/container"],
    );
    assert_evidence(
        "mcp-deepwiki-session-only.yaml",
        "handle_flow",
        "session",
        &[1, 2, 3, 4, 5],
        &["response.headers/mcp-session-id", "request.headers/mcp-session-id"],
    );
    assert_evidence(
        "oai-assistants-new-polling.yaml",
        "handle_flow",
        "conversation",
        &[2, 3],
        &["request.path/v1/threads/*/messages"],
    );
    assert_evidence(
        "oai-assistants-new-polling.yaml",
        "handle_flow",
        "job",
        &[4, 5],
        &["request.path/v1/threads/{id}/runs/*"],
    );
}

#[test]
fn cookie_sessions_and_websockets() {
    assert_evidence(
        "lastfm-edit-track-cookie.yaml",
        "transport",
        "session",
        &[1, 2, 10],
        &["request.cookies/sessionid", "response.cookies/sessionid"],
    );
    assert_evidence("oai-realtime-ws-tool-call.yaml", "transport", "connection", &[1], &["transport/websocket"]);
    assert_evidence("gemini-live-ws-tool-call.yaml", "transport", "connection", &[1], &["transport/websocket"]);
}

#[test]
fn declared_sessions_on_single_calls() {
    assert_evidence("bedrock-inline-agent.yaml", "declared", "session", &[1], &["request.path/agents/*"]);
    assert_evidence("bedrock-agent-multi-agent.yaml", "declared", "session", &[1], &["sessions/*/text"]);
}

#[test]
fn resources_and_jobs_are_reported_but_do_not_make_traffic_stateful() {
    assert_evidence("crewai-responses-file-id.yaml", "handle_flow", "resource", &[1, 2], &["file_id"]);
    assert_evidence("gemini-cached-content.yaml", "handle_flow", "resource", &[], &["request.body/cachedContent"]);
    assert_evidence(
        "oai-responses-background-poll.yaml",
        "handle_flow",
        "job",
        &[1, 2],
        &["request.path/v1/responses/*"],
    );
    assert_evidence("a2a-task-polling.yaml", "handle_flow", "job", &[2, 3], &["request.body/params/id"]);
    assert_evidence("github3-gist-create-delete.json", "handle_flow", "resource", &[1, 2], &["request.path/gists/*"]);
}

#[test]
fn hard_negatives_replayed_ids_are_not_handles() {
    // pydantic-ai resends earlier output items (with server-minted ids) inside the input: replay,
    // not a reference to server state.
    for name in [
        "bedrock-mantle-responses-reused-ids.yaml",
        "oai-responses-compact-stateful-mode.yaml",
        "crewai-anthropic-thinking-turns.yaml",
    ] {
        let report = report(name);
        assert_eq!(report.verdict.label.as_str(), "stateless", "{name}: {}", report.verdict.explanation);
        assert!(report.evidence.iter().all(|e| e.state.is_none_or(|k| !k.is_stateful())), "{name}");
    }
    // The Cloudflare cookie the server sets and the client returns is not a session.
    let report = report("oai-responses-input-history.yaml");
    assert!(report.evidence.iter().all(|e| !e.places.iter().any(|p| p.at.contains("__cf_bm"))));
}

#[test]
fn stateless_conversations_show_replay() {
    for name in [
        "anthropic-mixed-strict-tool-run.yaml",
        "bedrock-converse-mixed-strict.yaml",
        "deepseek-thinking-tools.yaml",
        "gemini-multi-turn.yaml",
    ] {
        let report = report(name);
        assert!(
            report.evidence.iter().any(|e| serde_json::to_value(e.signal).unwrap() == "context_replay"),
            "{name}: no replay evidence"
        );
    }
}
