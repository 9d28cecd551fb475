//! The command line as CI uses it: formats, stdin, several files, and every exit code.
// Reads files and runs processes: a native test (the wasm tests are in tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const STATEFUL: &str = "tests/corpus/crewai-responses-autochain.yaml";
const STATELESS: &str = "tests/corpus/oai-chat-tool-calls.yaml";

fn callstate(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_callstate"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn json_and_markdown_reports() {
    let out = callstate(&["analyze", "--format", "json", STATEFUL], None);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schema"], "callstate.report/2");
    assert_eq!(report["verdict"]["label"], "stateful");

    let out = callstate(&["analyze", "--format", "md", STATELESS], None);
    assert_eq!(out.status.code(), Some(0));
    let md = text(&out.stdout);
    assert!(md.starts_with("# callstate report"), "{md}");
    assert!(md.contains("**Verdict: stateless**"), "{md}");
}

#[test]
fn expect_gates_ci() {
    assert_eq!(callstate(&["analyze", "--expect", "stateful", STATEFUL], None).status.code(), Some(0));
    assert_eq!(callstate(&["analyze", "--expect", "stateless", STATELESS], None).status.code(), Some(0));
    let out = callstate(&["analyze", "--expect", "stateless", STATEFUL], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("expected a stateless trace, got stateful"), "{}", text(&out.stderr));
    assert_eq!(callstate(&["analyze", "--expect", "stateful", STATELESS], None).status.code(), Some(1));
}

#[test]
fn stdin_and_several_files() {
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/crewai-responses-autochain.yaml")).unwrap();
    let out = callstate(&["analyze", "--format", "json", "-"], Some(&bytes));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"][0]["name"], "-");
    assert_eq!(report["verdict"]["label"], "stateful");

    let out = callstate(&["analyze", "--format", "json", STATEFUL, STATELESS], None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(report["summary"]["calls"], 5);
    assert_eq!(report["calls"][4]["input"], 1);
}

#[test]
fn bad_input_exits_2_with_a_message_and_nothing_on_stdout() {
    let out = callstate(&["analyze", "--format", "json", "-"], Some(br#"{"log": {"entries": [ {"#));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "half a report was written");
    let err = text(&out.stderr);
    assert!(err.contains("ends too early") && err.contains("line 1"), "{err}");

    let out = callstate(&["analyze", "tests/corpus/does-not-exist.har"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read"));
}

/// YAML is built into the CLI (the `yaml` feature, on by default): a cassette is read, and bad
/// YAML is an error at its line and column, as the page and the package give it.
#[test]
fn yaml_is_read_natively_and_bad_yaml_is_located() {
    let out = callstate(&["analyze", "--format", "json", STATELESS], None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"][0]["format"], "vcr");

    let out = callstate(&["analyze", "-"], Some(b"interactions:\n  - request:\n      uri: \"unterminated\n"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("neither JSON nor a YAML cassette") && err.contains("line 4, column 1"), "{err}");
}

#[test]
fn a_limit_error_says_which_limit_and_the_option_that_raises_it() {
    let out = callstate(&["analyze", "--limit", "maxCalls=1", STATEFUL], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("the limit `maxCalls`"), "{err}");
    assert!(err.contains("\n  help: raise it above 1 with `--limit maxCalls=N`"), "{err}");

    let out = callstate(&["analyze", "--limit", "maxInputBytes=10", STATEFUL], None);
    assert!(text(&out.stderr).contains("help: raise it above 10 with `--limit maxInputBytes=N`"));

    // As data, where errors are written as JSON: the limit and its value, no syntax.
    let out = callstate(&["analyze", "--each", "--format", "json", "--limit", "maxCalls=1", STATEFUL], None);
    let row: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(row["error"]["kind"], "limit");
    assert_eq!(row["error"]["help"], serde_json::json!({"raise_limit": {"limit": "maxCalls", "current": 1}}));
    let message = row["error"]["message"].as_str().unwrap();
    assert!(!message.contains("--limit") && !message.contains("CLI"), "{message}");

    // Errors without help have no `help` field; the schema documents it.
    let out = callstate(&["analyze", "--each", "--format", "json", "-"], Some(b"{"));
    let row: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert!(row["error"].get("help").is_none(), "{row}");
    let schema = text(&callstate(&["schema", "error"], None).stdout);
    assert!(schema.contains("raise_limit") && schema.contains("maxInflateRatio"), "{schema}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["analyze"][..],
        &["analyse", "--format", "xml", STATEFUL],
        &["frobnicate", STATEFUL],
        &["analyze", "--expect", "maybe", STATEFUL],
        &[],
    ] {
        let out = callstate(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains("usage:"), "{args:?}");
        assert!(out.stdout.is_empty());
    }
    let out = callstate(&["--help"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("exit codes"));
}

#[test]
fn a_user_rule_teaches_an_invented_api() {
    let trace = "tests/rules/acme-dialog.har";
    let generic = callstate(&["analyze", "--format", "json", trace], None);
    let generic: serde_json::Value = serde_json::from_slice(&generic.stdout).unwrap();
    assert_eq!(generic["verdict"]["label"], "stateless", "the generic signals alone see no handle flow");
    assert!(generic["calls"][0]["api"].is_null());

    let taught =
        callstate(&["analyze", "--format", "json", "--rules", "tests/rules/acme-dialog.rules.json", trace], None);
    assert_eq!(taught.status.code(), Some(0), "{}", text(&taught.stderr));
    let taught: serde_json::Value = serde_json::from_slice(&taught.stdout).unwrap();
    assert_eq!(taught["verdict"]["label"], "stateful");
    assert_eq!(taught["calls"][0]["api"]["family"], "Acme Dialog API (in-house)");
    let declared = &taught["evidence"][0];
    assert_eq!(declared["signal"], "declared");
    assert_eq!(declared["calls"], serde_json::json!([1, 2, 3]));
    assert_eq!(declared["places"][0]["at"], "request.body/dialog");
    assert!(taught["verdict"]["explanation"].as_str().unwrap().contains("declared by the API's fingerprint"));
}

#[test]
fn user_rules_extend_the_table() {
    let dir = std::env::temp_dir().join(format!("callstate-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.json");
    std::fs::write(&rules, r#"{"fingerprints": [{"id": "acme.chat", "family": "Acme Chat", "paths": ["/v1/chat/completions"], "state": [{"at": "request.body/thread", "kind": "conversation"}]}], "names": {"ticket": "job"}}"#).unwrap();
    let out = callstate(&["analyze", "--format", "json", "--rules", rules.to_str().unwrap(), STATELESS], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["calls"][0]["api"]["family"], "Acme Chat");

    std::fs::write(
        &rules,
        r#"{"fingerprints": [{"id": "x", "family": "X", "state": [{"at": "request.body/x", "kind": "vibes"}]}]}"#,
    )
    .unwrap();
    let out = callstate(&["analyze", "--rules", rules.to_str().unwrap(), STATELESS], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown variant `vibes`, expected one of `conversation`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_families_document_is_fresh() {
    let out = callstate(&["families"], None);
    assert_eq!(out.status.code(), Some(0));
    let table = text(&out.stdout);
    assert!(table.lines().count() > 50, "the table lists every family");
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/families.md")).unwrap();
    assert!(doc.ends_with(&table), "docs/families.md is stale: regenerate it from `callstate families`");
}

#[test]
fn text_output_folders_globs_and_quiet() {
    let out = callstate(&["analyze", STATEFUL], None);
    assert_eq!(out.status.code(), Some(0));
    let log = text(&out.stdout);
    assert!(log.starts_with("verdict: stateful (confidence 0.95, high)"), "{log}");
    assert!(log.contains("deciding evidence:\n  E1 handle_flow conversation [strong] call 1: response.body/id; call 2: request.body/previous_response_id"), "{log}");

    // A folder stands for the recordings in it; a quoted glob for the files it matches.
    let out = callstate(&["analyze", "--format", "json", "tests/rules"], None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"][0]["name"], "tests/rules/acme-dialog.har");
    assert_eq!(report["inputs"].as_array().unwrap().len(), 1, "notes and rules files are not recordings");
    let out = callstate(&["analyze", "--format", "json", "tests/formats/backend-*.jsonl"], None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(callstate(&["analyze", "tests/formats/nothing-*.har"], None).status.code(), Some(2));

    let out = callstate(&["analyze", "--quiet", "--expect", "stateless", STATEFUL], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "--quiet prints no report");
}

#[test]
fn show_prints_one_call_with_its_evidence_marked_and_secrets_masked() {
    let out = callstate(&["show", "--call", "2", STATEFUL], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.starts_with("call 2 (input 1, entry 2)\n\nPOST https://api.openai.com/v1/responses"), "{shown}");
    assert!(shown.contains("authorization: [redacted]"), "{shown}");
    assert!(shown.contains("◀ E1 at request.body/previous_response_id: \"resp_"), "{shown}");

    let out = callstate(&["show", "--call", "2", "--format", "json", STATEFUL], None);
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["call"], 2);
    assert_eq!(view["request"]["body"]["kind"], "json");

    for (args, words) in [
        (&["show", STATEFUL][..], "needs --call N"),
        (&["show", "--call", "x", STATEFUL][..], "takes a call number"),
        (&["show", "--call", "99", STATEFUL][..], "There is no call 99"),
    ] {
        let out = callstate(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(words), "{args:?}: {}", text(&out.stderr));
    }
}

/// The recordings in tests/corpus/, as `--each tests/corpus/` lists them.
fn corpus_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| [".yaml", ".json", ".har"].iter().any(|ext| name.ends_with(ext)))
        .map(|name| format!("tests/corpus/{name}"))
        .collect();
    files.sort();
    files
}

#[test]
fn each_gives_one_row_per_recording_in_order_with_its_own_verdict() {
    let files = corpus_files();
    let out = callstate(&["analyze", "--each", "--format", "json", "tests/corpus/"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), files.len() + 1);
    let mut stateful = 0;
    for (file, row) in files.iter().zip(&lines) {
        assert_eq!(row["file"], file.as_str());
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + file).unwrap();
        let report = callstate::analyze_bytes(file, &bytes, &callstate::Options::default()).unwrap();
        assert_eq!(row["verdict"], report.verdict.label.as_str(), "{file}");
        assert_eq!(row["calls"], report.summary.calls, "{file}");
        assert_eq!(row["expected"], serde_json::Value::Null);
        stateful += usize::from(report.verdict.label.as_str() == "stateful");
    }
    let summary = &lines[files.len()]["summary"];
    assert_eq!(summary["files"], files.len());
    assert_eq!(summary["stateful"], stateful);
    assert_eq!(summary["unreadable"], 0);

    // The table: a header, one row per file in the same order, the summary.
    let out =
        callstate(&["analyze", "--each", "tests/corpus/*.yaml", "tests/corpus/*.har", "tests/corpus/*.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("FILE ") && lines[0].contains("VERDICT"), "{table}");
    assert_eq!(lines.len(), files.len() + 2, "{table}");
    assert!(lines.last().unwrap().starts_with(&format!("{} recordings: ", files.len())), "{table}");
    assert!(table.contains("tests/corpus/crewai-responses-autochain.yaml") && table.contains(" conversation"));
}

#[test]
fn each_exits_1_when_a_verdict_is_not_the_expected_one() {
    let out = callstate(&["analyze", "--each", "--expect", "stateless", "--format", "md", "tests/corpus/"], None);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    let failing = stdout.lines().filter(|l| l.ends_with(" NO |")).count();
    assert!(failing > 0 && failing == stderr.lines().count(), "{stdout}\n{stderr}");
    assert!(stderr
        .contains("callstate: tests/corpus/crewai-responses-autochain.yaml: expected a stateless trace, got stateful"));
    assert!(stdout.trim_end().ends_with(&format!("{failing} not as expected.")), "{stdout}");
    assert_eq!(
        callstate(&["analyze", "--each", "--quiet", "--expect", "stateful", STATEFUL], None).status.code(),
        Some(0)
    );
}

#[test]
fn each_gives_an_unreadable_recording_its_own_row_and_exits_2_unless_allowed() {
    let dir = std::env::temp_dir().join(format!("callstate-each-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(STATEFUL, dir.join("a.yaml")).unwrap();
    std::fs::write(dir.join("b.har"), r#"{"log": {"entries": ["#).unwrap();
    std::fs::copy(STATELESS, dir.join("c.yaml")).unwrap();
    let folder = dir.to_string_lossy().into_owned();
    let out = callstate(&["analyze", "--each", &folder], None);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    let rows: Vec<&str> = stdout.lines().collect();
    assert_eq!(rows.len(), 5, "{stdout}");
    assert!(rows[1].contains("a.yaml") && rows[1].contains("stateful"), "{stdout}");
    assert!(rows[2].contains("b.har") && rows[2].contains("error: "), "{stdout}");
    assert!(rows[3].contains("c.yaml") && rows[3].contains("stateless"), "{stdout}");
    assert!(rows[4].ends_with("1 could not be read."), "{stdout}");
    assert!(text(&out.stderr).contains("b.har"), "{}", text(&out.stderr));

    let out = callstate(&["analyze", "--each", "--allow-unreadable", "--format", "json", &folder], None);
    assert_eq!(out.status.code(), Some(0));
    let bad: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().nth(1).unwrap()).unwrap();
    assert_eq!(bad["error"]["kind"], "malformed");
    assert!(bad["error"]["location"]["input"].as_str().unwrap().ends_with("b.har"));
    let out = callstate(&["analyze", "--each", "--allow-unreadable", "--expect", "stateful", &folder], None);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();

    let out = callstate(&["analyze", "--allow-unreadable", STATEFUL], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--allow-unreadable goes with --each"));
}
