//! Policies: each rule type holds and is violated on corpus traces; retention is reported; bad
//! policies are refused with the rule and the field named; the CLI gates on a policy; the
//! shipped example policies give what the README says.
// Reads files and runs processes: a native test.
#![cfg(not(target_arch = "wasm32"))]

use callstate::policy::Status;
use callstate::{analyze_bytes, Options, Policy, PolicyResult, Rules};
use serde_json::{json, Value};
use std::process::{Command, Output};

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The policy's result on a corpus trace.
fn check(trace: &str, policy: Value) -> PolicyResult {
    let policy = Policy::from_json(&policy.to_string(), &Rules::builtin()).unwrap();
    let options = Options { policy: Some(policy), ..Options::default() };
    analyze_bytes(trace, &read(&format!("tests/corpus/{trace}")), &options).unwrap().policy.unwrap()
}

/// A one-rule policy's status, calls and evidence on a corpus trace.
fn one(trace: &str, rule: Value) -> (Status, Vec<usize>, Vec<String>) {
    let result = check(trace, json!({ "rules": [rule] }));
    let rule = &result.rules[0];
    assert_eq!(result.status, rule.status);
    (rule.status, rule.calls.clone(), rule.evidence.clone())
}

#[test]
fn stateless_model_calls() {
    let rule = json!({ "name": "model-calls-stateless", "type": "stateless", "kinds": ["conversation"] });
    let (status, calls, evidence) = one("oai-responses-input-history.yaml", rule.clone());
    assert_eq!(status, Status::Holds);
    assert_eq!(calls, [1, 2, 3, 4]);
    assert!(!evidence.is_empty(), "the replays that show the calls stateless are cited");
    assert_eq!(
        one("oai-responses-prevresp-chain.yaml", rule.clone()),
        (Status::Violated, vec![2, 3, 4], vec!["E1".into(), "E2".into(), "E3".into()])
    );
    // Assistants runs are model calls too.
    assert_eq!(one("oai-assistants-new-polling.yaml", rule.clone()).0, Status::Violated);
    // A cookie session on a web site has no model call.
    assert_eq!(one("lastfm-edit-track-cookie.yaml", rule).0, Status::NotApplicable);
    // Scope `all`, default kinds: the MCP session is server-kept state.
    let all = json!({ "name": "nothing-stateful", "type": "stateless", "scope": "all" });
    assert_eq!(
        one("mcp-deepwiki-session-only.yaml", all.clone()),
        (Status::Violated, vec![2, 3, 4, 5], vec!["E1".into()])
    );
    assert_eq!(one("mcp-deepwiki-stateless-plus-chat.yaml", all).0, Status::Holds);
}

#[test]
fn stateless_model_calls_only_at_these_hosts_or_families() {
    let by_host = json!({ "name": "azure", "type": "stateless-only-at", "hosts": ["*.openai.azure.com"] });
    assert_eq!(one("azure-openai-chat.yaml", by_host.clone()).0, Status::Holds);
    assert_eq!(one("oai-chat-tool-calls.yaml", by_host.clone()), (Status::Violated, vec![1, 2, 3], vec![]));
    let by_family = json!({ "name": "azure", "type": "stateless-only-at", "families": ["Azure OpenAI*"] });
    assert_eq!(one("azure-openai-chat.yaml", by_family.clone()).0, Status::Holds);
    // The model calls beside the MCP server go to OpenAI; the MCP calls are not model calls.
    assert_eq!(one("mcp-deepwiki-stateless-plus-chat.yaml", by_family.clone()).1, [4, 9]);
    assert_eq!(one("lastfm-edit-track-cookie.yaml", by_family).0, Status::NotApplicable);
    let result = check("oai-chat-tool-calls.yaml", json!({ "rules": [by_host] }));
    let finding = &result.rules[0].findings[0];
    assert_eq!(
        (finding.host.as_deref(), finding.family.as_deref()),
        (Some("api.openai.com"), Some("OpenAI Chat Completions"))
    );
}

#[test]
fn state_of_these_kinds_only_at_these_hosts() {
    let rule =
        |hosts: &[&str]| json!({ "name": "sessions", "type": "state-only-at", "kinds": ["session"], "hosts": hosts });
    assert_eq!(
        one("mcp-deepwiki-session-only.yaml", rule(&["mcp.deepwiki.com"])),
        (Status::Holds, vec![2, 3, 4, 5], vec!["E1".into()])
    );
    assert_eq!(
        one("mcp-deepwiki-session-only.yaml", rule(&["bedrock-agentcore.*.amazonaws.com"])),
        (Status::Violated, vec![2, 3, 4, 5], vec!["E1".into()])
    );
    assert_eq!(one("oai-chat-tool-calls.yaml", rule(&["bedrock-agentcore.*.amazonaws.com"])).0, Status::NotApplicable);
    // By family, and state of another kind at the same calls.
    let sandbox =
        json!({ "name": "sandboxes", "type": "state-only-at", "kinds": ["sandbox"], "families": ["Anthropic*"] });
    assert_eq!(one("anthropic-container-reuse.yaml", sandbox).0, Status::Holds);
    let nowhere = json!({ "name": "no-sandbox", "type": "state-only-at", "kinds": ["sandbox"] });
    assert_eq!(one("anthropic-container-reuse.yaml", nowhere), (Status::Violated, vec![2], vec!["E1".into()]));
}

#[test]
fn no_call_asks_the_server_to_retain_conversation_data() {
    let rule = json!({ "name": "nothing-stored", "type": "no-retention" });
    assert_eq!(one("oai-chat-tool-calls.yaml", rule.clone()), (Status::Holds, vec![1, 2, 3], vec![]));
    // Responses calls stored by default, though nothing depends on call 1's.
    let result = check("crewai-responses-autochain.yaml", json!({ "rules": [rule.clone()] }));
    assert_eq!(result.status, Status::Violated);
    assert_eq!(result.rules[0].calls, [1, 2]);
    assert!(result.rules[0].findings.iter().all(|f| f.by_default && f.at.as_deref() == Some("request.body/store")));
    // Stored even where replay shows every call stateless.
    assert_eq!(one("oai-responses-input-history.yaml", rule.clone()).0, Status::Violated);
    // A thread created, then a message added to it.
    assert_eq!(one("oai-assistants-new-polling.yaml", rule.clone()).1, [2, 3]);
    assert_eq!(one("oai-conversations-explicit-auto.yaml", rule).0, Status::Violated);
}

#[test]
fn retention_is_in_the_report() {
    let report =
        analyze_bytes("t", &read("tests/corpus/oai-assistants-new-polling.yaml"), &Options::default()).unwrap();
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        json["retention"][0],
        json!({ "call": 2, "kind": "conversation_created", "at": "request.path/v1/threads", "by_default": false })
    );
    assert_eq!(json["retention"][1]["at"], "request.path/v1/threads/*/messages", "the thread id is not shown");
    assert!(json.get("policy").is_none(), "no policy, no result");
    // `store: false` asks for nothing; `store: true` on Chat Completions does.
    let line = |url: &str, body: Value| {
        json!({ "method": "POST", "url": url, "request": { "body": body }, "response": { "status": 200, "body": { "id": "x" } } })
            .to_string()
    };
    let jsonl = [
        line("https://api.openai.com/v1/responses", json!({ "model": "m", "input": "hi", "store": false })),
        line("https://api.openai.com/v1/responses", json!({ "model": "m", "input": "hi" })),
        line("https://api.openai.com/v1/chat/completions", json!({ "model": "m", "messages": [], "store": true })),
        line("https://api.openai.com/v1/chat/completions", json!({ "model": "m", "messages": [] })),
        line("https://openrouter.ai/api/v1/responses", json!({ "model": "m", "input": "hi" })),
    ]
    .join("\n");
    let report = analyze_bytes("log.jsonl", jsonl.as_bytes(), &Options::default()).unwrap();
    let retained: Vec<(usize, bool)> = report.retention.iter().map(|r| (r.call, r.by_default)).collect();
    assert_eq!(retained, [(2, true), (3, false)]);
}

#[test]
fn weak_evidence_is_a_warning_not_a_pass() {
    let rule = json!({ "name": "proven", "type": "evidence-strength", "at_least": "medium" });
    // The session is only declared (InvokeInlineAgent's path): weak.
    let result = check("bedrock-inline-agent.yaml", json!({ "rules": [rule.clone()] }));
    assert_eq!((result.status, result.rules[0].calls.clone()), (Status::Warning, vec![1]));
    assert_eq!(result.rules[0].findings[0].strength, Some(callstate::signals::Strength::Weak));
    assert_eq!(one("oai-responses-prevresp-chain.yaml", rule.clone()).0, Status::Holds);
    assert_eq!(one("oai-chat-tool-calls.yaml", rule.clone()).0, Status::NotApplicable);
    let strong = json!({ "name": "proven", "type": "evidence-strength", "at_least": "strong" });
    assert_eq!(one("lastfm-edit-track-cookie.yaml", strong).0, Status::Warning, "a cookie session is medium");
    assert_eq!(one("lastfm-edit-track-cookie.yaml", rule).0, Status::Holds);
}

/// The message a bad policy is refused with.
fn refused(policy: &str) -> String {
    let e = Policy::from_slice(policy.as_bytes(), &Rules::builtin()).unwrap_err();
    assert_eq!(e.kind, callstate::ErrorKind::Usage);
    e.to_string()
}

#[test]
fn bad_policies_are_refused_naming_the_rule_and_the_field() {
    let m = refused(r#"{"rules": [{"name": "azure", "type": "stateless-only-at", "hostz": ["x"]}]}"#);
    assert!(m.contains("rule `azure`") && m.contains("unknown field `hostz`") && m.contains("line 1"), "{m}");
    let m = refused(r#"{"rules": [{"name": "r", "type": "stateles"}]}"#);
    assert!(m.contains("rule `r`") && m.contains("unknown rule type `stateles`"), "{m}");
    let m = refused(r#"{"rules": [{"name": "r", "type": "state-only-at"}]}"#);
    assert!(m.contains("rule `r`") && m.contains("missing field `kinds`"), "{m}");
    let m = refused(r#"{"rules": [{"name": "r", "type": "stateless", "kinds": ["memory"]}]}"#);
    assert!(m.contains("rule `r`") && m.contains("memory"), "{m}");
    let m =
        refused(r#"{"rules": [{"name": "r", "type": "stateless-only-at", "hosts": ["https://x.openai.azure.com/"]}]}"#);
    assert!(m.contains("rule `r`") && m.contains("field `hosts`") && m.contains("cannot match a host"), "{m}");
    let m = refused(r#"{"rules": [{"name": "r", "type": "stateless-only-at", "families": ["Azure OpenAi Chat"]}]}"#);
    assert!(m.contains("rule `r`") && m.contains("field `families`") && m.contains("matches no API family"), "{m}");
    let m = refused(r#"{"rules": [{"name": "r", "type": "stateless-only-at"}]}"#);
    assert!(m.contains("rule `r`") && m.contains("`hosts`"), "{m}");
    let m = refused(r#"{"rules": [{"name": "r", "type": "no-retention"}, {"name": "r", "type": "no-retention"}]}"#);
    assert!(m.contains("rules[1]") && m.contains("another rule has this name"), "{m}");
    let m = refused(r#"{"rules": [{"name": "r", "type": "evidence-strength", "at_least": "certain"}]}"#);
    assert!(m.contains("rule `r`") && m.contains("certain"), "{m}");
    assert!(refused(r#"{"rulez": []}"#).contains("no `rules`"));
    assert!(refused(r#"{"name": "x", "owner": "y", "rules": []}"#).contains("unknown field `owner`"));
    assert!(refused(r#"{"rules": []}"#).contains("empty"));
    assert!(refused(r#"{"rules": [{"name": "r", "type": "#).contains("line 1, column"));
    assert!(refused("rules: [unclosed").contains("not valid YAML"));
    assert!(refused("\u{0}\u{ff}").contains("policy"));
}

#[test]
fn yaml_policies_read_like_json_ones() {
    let yaml = "name: retention\nrules:\n  - name: nothing-stored\n    type: no-retention\n";
    let policy = Policy::from_slice(yaml.as_bytes(), &Rules::builtin()).unwrap();
    assert_eq!(policy.rules[0].name(), "nothing-stored");
    let m = refused("rules:\n  - name: r\n    type: no-retention\n    hosts: [a]\n");
    assert!(m.contains("rule `r`") && m.contains("unknown field `hosts`"), "{m}");
    assert!(m.contains("line 4, column 5"), "the field's place in the YAML file: {m}");
}

#[test]
fn families_from_user_rules_can_be_named() {
    let rules = Rules::with_user_rules(&read("tests/rules/acme-dialog.rules.json")).unwrap();
    let family = rules.fingerprints()[0].family.clone();
    let policy =
        json!({ "rules": [{ "name": "r", "type": "state-only-at", "kinds": ["conversation"], "families": [family] }] });
    assert!(Policy::from_json(&policy.to_string(), &rules).is_ok());
    assert!(Policy::from_json(&policy.to_string(), &Rules::builtin()).is_err());
}

fn callstate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callstate")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const AZURE: &str = "examples/policies/azure-stateless.json";
const NO_RETENTION: &str = "examples/policies/no-retention.json";

#[test]
fn the_cli_gates_on_a_policy() {
    let out = callstate(&["analyze", "--policy", AZURE, "tests/corpus/azure-openai-chat.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("stateless-on-azure: holds (stateless-only-at) — calls 1, 2, 3, 4, 5"), "{stdout}");
    assert!(stdout.contains("sessions-at-the-runtime: not applicable"), "{stdout}");

    let out = callstate(&["analyze", "--quiet", "--policy", AZURE, "tests/corpus/oai-chat-tool-calls.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("the policy is violated") && stderr.contains("stateless-on-azure: violated"), "{stderr}");
    assert!(stderr.contains("call 1 (OpenAI Chat Completions at api.openai.com)"), "{stderr}");
    assert!(!stderr.contains("model-calls-stateless"), "only violated rules are the reason: {stderr}");

    // The JSON report carries the result; Markdown has a section.
    let out = callstate(&[
        "analyze",
        "--format",
        "json",
        "--policy",
        NO_RETENTION,
        "tests/corpus/crewai-responses-autochain.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["policy"]["status"], "violated");
    assert_eq!(report["policy"]["rules"][0]["type"], "no-retention");
    assert_eq!(report["policy"]["rules"][1]["evidence"], json!(["E1"]));
    let out =
        callstate(&["analyze", "--format", "md", "--policy", NO_RETENTION, "tests/corpus/oai-chat-tool-calls.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("## Policy: No conversation data retained anywhere\n\n**holds**"));

    // A warning does not fail; with --expect failing too, both reasons are given.
    let warn =
        callstate(&["analyze", "--policy", AZURE, "--expect", "stateless", "tests/corpus/bedrock-inline-agent.yaml"]);
    assert_eq!(warn.status.code(), Some(1));
    let stderr = text(&warn.stderr);
    assert!(
        stderr.contains("expected a stateless trace") && stderr.contains("sessions-at-the-runtime: violated"),
        "{stderr}"
    );
    assert!(text(&warn.stdout).contains("proven: warning"), "{}", text(&warn.stdout));
}

#[test]
fn the_cli_refuses_a_bad_policy_before_analyzing() {
    let dir = std::env::temp_dir().join(format!("callstate-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\n  \"rules\": [\n    {\"name\": \"azure\", \"type\": \"stateless-only-at\", \"hosts\": [\"*.openai.azure.com\"], \"family\": []}\n  ]\n}\n").unwrap();
    let out = callstate(&["analyze", "--policy", bad.to_str().unwrap(), "tests/corpus/oai-chat-tool-calls.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("rule `azure`") && stderr.contains("unknown field `family`"), "{stderr}");
    assert!(stderr.contains("bad.json, line 3"), "{stderr}");
    assert!(out.stdout.is_empty());
    let out = callstate(&["analyze", "--policy", "no-such-policy.json", "tests/corpus/oai-chat-tool-calls.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read policy no-such-policy.json"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_policy_schema_is_printed() {
    let out = callstate(&["schema", "policy"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Policy");
    let text = out.stdout.iter().map(|&b| b as char).collect::<String>();
    for rule in ["stateless", "stateless-only-at", "state-only-at", "no-retention", "evidence-strength"] {
        assert!(text.contains(&format!("\"{rule}\"")), "{rule} in the schema");
    }
    let options: Value = serde_json::from_slice(&callstate(&["schema", "options"]).stdout).unwrap();
    assert!(options["properties"]["policy"].is_object());
}

/// The README's two example policies, on the traces its examples name.
#[test]
fn the_example_policies() {
    let status = |policy: &str, trace: &str| {
        let out = callstate(&["analyze", "--format", "json", "--policy", policy, trace]);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rules: Vec<(String, String)> = report["policy"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["name"].as_str().unwrap().to_string(), r["status"].as_str().unwrap().to_string()))
            .collect();
        (out.status.code().unwrap(), rules)
    };
    let (code, rules) = status(AZURE, "tests/corpus/azure-openai-chat.yaml");
    assert_eq!(code, 0, "{rules:?}");
    let (code, rules) = status(AZURE, "tests/corpus/mcp-deepwiki-session-only.yaml");
    assert_eq!(code, 1);
    assert!(rules.contains(&("sessions-at-the-runtime".into(), "violated".into())), "{rules:?}");
    let (code, _) = status(NO_RETENTION, "tests/corpus/anthropic-mixed-strict-tool-run.yaml");
    assert_eq!(code, 0);
    let (code, rules) = status(NO_RETENTION, "tests/corpus/oai-conversations-explicit-auto.yaml");
    assert_eq!(code, 1);
    assert_eq!(
        rules,
        [("nothing-stored".into(), "violated".into()), ("no-server-kept-conversation".into(), "violated".into())]
    );
}

/// Each rule type through the CLI: exit 0 where it holds (or warns), 1 where it is violated.
#[test]
fn the_cli_checks_each_rule_type() {
    let cases = [
        (
            json!({ "name": "r", "type": "stateless" }),
            "oai-responses-input-history.yaml",
            "oai-responses-prevresp-chain.yaml",
        ),
        (
            json!({ "name": "r", "type": "stateless-only-at", "families": ["Azure OpenAI*"] }),
            "azure-openai-chat.yaml",
            "oai-chat-tool-calls.yaml",
        ),
        (
            json!({ "name": "r", "type": "state-only-at", "kinds": ["session"], "hosts": ["mcp.deepwiki.com"] }),
            "mcp-deepwiki-session-only.yaml",
            "lastfm-edit-track-cookie.yaml",
        ),
        (json!({ "name": "r", "type": "no-retention" }), "oai-chat-tool-calls.yaml", "crewai-responses-autochain.yaml"),
        (
            json!({ "name": "r", "type": "evidence-strength", "at_least": "medium" }),
            "oai-responses-prevresp-chain.yaml",
            "bedrock-inline-agent.yaml",
        ),
    ];
    let dir = std::env::temp_dir().join(format!("callstate-policy-types-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (rule, holds, breaks) in cases {
        let kind = rule["type"].as_str().unwrap().to_string();
        let file = dir.join(format!("{kind}.json"));
        std::fs::write(&file, json!({ "rules": [rule] }).to_string()).unwrap();
        let run = |trace: &str| {
            let out = callstate(&[
                "analyze",
                "--format",
                "json",
                "--policy",
                file.to_str().unwrap(),
                &format!("tests/corpus/{trace}"),
            ]);
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            (out.status.code().unwrap(), report["policy"]["rules"][0]["status"].as_str().unwrap().to_string())
        };
        assert_eq!(run(holds), (0, "holds".to_string()), "{kind} on {holds}");
        let broken = if kind == "evidence-strength" { (0, "warning".to_string()) } else { (1, "violated".to_string()) };
        assert_eq!(run(breaks), broken, "{kind} on {breaks}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--each` with a policy: a column per row, exit 1 when a row violates it, the rules on stderr.
#[test]
fn each_recording_is_checked_against_the_policy() {
    let files = ["tests/corpus/oai-chat-tool-calls.yaml", "tests/corpus/crewai-responses-autochain.yaml"];
    let out = callstate(&["analyze", "--each", "--policy", NO_RETENTION, files[0], files[1]]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("FILE") && lines[0].ends_with("POLICY"), "{stdout}");
    assert!(lines[1].starts_with(files[0]) && lines[1].ends_with("holds"), "{stdout}");
    assert!(lines[2].starts_with(files[1]) && lines[2].ends_with("violated"), "{stdout}");
    assert!(lines[3].ends_with("; 1 violate the policy."), "{stdout}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}: the policy is violated: nothing-stored, no-server-kept-conversation", files[1])),
        "{stderr}"
    );

    let out = callstate(&[
        "analyze",
        "--each",
        "--format",
        "json",
        "--expect",
        "stateless",
        "--policy",
        NO_RETENTION,
        files[0],
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let row: Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!((row["policy"].as_str(), row["expected"].as_bool()), (Some("holds"), Some(true)));
    let out = callstate(&[
        "analyze",
        "--each",
        "--format",
        "md",
        "--expect",
        "stateless",
        "--policy",
        NO_RETENTION,
        files[1],
    ]);
    assert_eq!(out.status.code(), Some(1));
    let md = text(&out.stdout);
    assert!(
        md.starts_with(
            "| file | verdict | confidence | calls | state | expected | policy |\n|---|---|---|---|---|---|---|"
        ),
        "{md}"
    );
    assert!(md.contains("| NO | violated |") && md.contains("; 1 not as expected; 1 violate the policy."), "{md}");
    // Without a policy, rows are as they were.
    let out = callstate(&["analyze", "--each", "--format", "json", files[0]]);
    let row: Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert!(row.get("policy").is_none() && row.get("violated").is_none(), "{row}");
}
