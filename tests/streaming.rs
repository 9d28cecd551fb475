//! The streaming path (`Analyzer`: inputs pushed in pieces, as the page reads a `File.stream()`
//! and the CLI reads a large file) gives the report the in-memory path gives, however the bytes
//! are cut; and calls that keep only what the signals read give the report whole bodies give.

mod common;

use callstate::{analyze, Analyzer, NamedInput, Options};
use common::rng::Rng;
use serde_json::json;
use std::path::Path;

fn file(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// Every test input of the repository, by name.
fn repository_inputs() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["tests/corpus", "tests/corpus/runtimes", "tests/formats", "www/samples"] {
        let mut paths: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && !p.to_string_lossy().ends_with(".md") && !p.to_string_lossy().ends_with(".tsv"))
            .collect();
        paths.sort();
        for p in paths {
            out.push((p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
        }
    }
    out
}

/// The report (or the error) as JSON, from pushing each input in chunks of `chunk` bytes.
fn streamed(inputs: &[(&str, &[u8])], chunk: usize, options: Options) -> Result<String, String> {
    let mut analyzer = Analyzer::new(options);
    for (name, bytes) in inputs {
        analyzer.begin(name);
        for piece in bytes.chunks(chunk.max(1)) {
            analyzer.push(piece).map_err(|e| e.to_string())?;
        }
    }
    analyzer.finish().map(|r| r.to_json()).map_err(|e| e.to_string())
}

fn in_memory(inputs: &[(&str, &[u8])], options: &Options) -> Result<String, String> {
    let named: Vec<NamedInput> = inputs.iter().map(|(name, bytes)| NamedInput { name, bytes }).collect();
    analyze(&named, options).map(|r| r.to_json()).map_err(|e| e.to_string())
}

/// A HAR of agent traffic: Responses chains, chat histories resent with long messages, an SSE
/// stream, a WebSocket, a base64 body, and entries of the wrong shape.
fn generated_har(rng: &mut Rng, entries: usize, pretty: bool) -> Vec<u8> {
    let mut list = Vec::new();
    let mut history: Vec<serde_json::Value> = Vec::new();
    let mut previous: Option<String> = None;
    for i in 0..entries {
        let id = format!("resp_{:016x}{:08x}", rng.next(), i);
        let long = format!("Turn {i} ünïcödé “quoted” \\ {}", "lorem ipsum dolor sit amet ".repeat(20 + rng.below(60)));
        let entry = match rng.below(7) {
            0 | 1 => {
                let mut body = json!({"model": "gpt-4.1", "input": [{"role": "user", "content": long}], "store": true});
                if let Some(prev) = &previous {
                    body["previous_response_id"] = json!(prev);
                }
                previous = Some(id.clone());
                json!({"startedDateTime": format!("2026-01-01T00:{:02}:{:02}.000Z", i / 60 % 60, i % 60),
                    "request": {"method": "POST", "url": "https://api.openai.com/v1/responses", "headers": [{"name": "Authorization", "value": "Bearer sk-test-0000"}],
                        "postData": {"mimeType": "application/json", "text": body.to_string()}},
                    "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": json!({"id": id, "output": [{"type": "message", "content": [{"type": "output_text", "text": long}]}]}).to_string()}}})
            }
            2 => {
                history.push(json!({"role": "user", "content": long}));
                let reply = format!("Reply {i}: {}", "the answer is long ".repeat(40));
                let entry = json!({"request": {"method": "POST", "url": "https://api.openai.com/v1/chat/completions", "headers": [],
                        "postData": {"mimeType": "application/json", "text": json!({"model": "gpt-4o", "messages": history}).to_string()}},
                    "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "text/event-stream"}],
                        "content": {"mimeType": "text/event-stream", "text": format!("data: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
                            json!({"id": format!("chatcmpl-{i}"), "choices": [{"delta": {"content": &reply[..reply.len() / 2]}}]}),
                            json!({"id": format!("chatcmpl-{i}"), "choices": [{"delta": {"content": &reply[reply.len() / 2..]}}]}))}}});
                history.push(json!({"role": "assistant", "content": reply}));
                entry
            }
            3 => {
                json!({"_resourceType": "websocket", "request": {"method": "GET", "url": "wss://api.openai.com/v1/realtime?model=gpt-realtime", "headers": []},
                "response": {"status": 101, "headers": []},
                "_webSocketMessages": [{"type": "receive", "time": 1.0, "opcode": 1, "data": json!({"type": "session.created", "session": {"id": format!("sess_{:016x}", rng.next())}}).to_string()},
                                       {"type": "send", "time": 1.5, "opcode": 1, "data": json!({"type": "conversation.item.create", "item": {"content": long}}).to_string()}]})
            }
            4 => {
                json!({"request": {"method": "GET", "url": format!("https://cdn.example.com/logo-{i}.png"), "headers": []},
                "response": {"status": 200, "headers": [], "content": {"mimeType": "image/png", "encoding": "base64", "text": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="}}})
            }
            5 => json!(null),
            _ => json!({"request": {"method": "POST", "headers": []}}),
        };
        list.push(entry);
    }
    let har = json!({"log": {"version": "1.2", "creator": {"name": "gen", "version": "1"}, "pages": [], "entries": list, "comment": "[{\"log\": 1}]"}});
    if pretty {
        serde_json::to_vec_pretty(&har).unwrap()
    } else {
        serde_json::to_vec(&har).unwrap()
    }
}

#[test]
fn every_repository_input_streams_to_the_same_report() {
    for (name, bytes) in repository_inputs() {
        let expected = in_memory(&[(&name, &bytes)], &Options::default());
        for chunk in [1, 7, 4096, 70_000, usize::MAX] {
            if chunk == 1 && bytes.len() > 200_000 {
                continue;
            }
            let got = streamed(&[(&name, &bytes)], chunk.min(bytes.len().max(1)), Options::default());
            assert_eq!(got, expected, "{name} in chunks of {chunk}");
        }
    }
}

#[test]
fn generated_hars_stream_to_the_same_report_however_they_are_cut() {
    let mut rng = Rng(0x57AE_A11E_0000_0001);
    for round in 0..12 {
        let entries = 5 + rng.below(120);
        let bytes = generated_har(&mut rng, entries, round % 2 == 0);
        let bytes = if round % 3 == 0 { [&[0xEF, 0xBB, 0xBF][..], &bytes].concat() } else { bytes };
        let expected = in_memory(&[("gen.har", &bytes)], &Options::default());
        assert!(expected.is_ok(), "{expected:?}");
        for _ in 0..4 {
            let most = if rng.below(2) == 0 { 64 } else { 100_000 };
            let chunk = 1 + rng.below(most);
            let got = streamed(&[("gen.har", &bytes)], chunk, Options::default());
            if got != expected {
                let (a, b) = (got.clone().unwrap_or_default(), expected.clone().unwrap_or_default());
                let at = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
                let context = |t: &str| t.lines().skip(at.saturating_sub(8)).take(12).collect::<Vec<_>>().join("\n");
                panic!("round {round}, chunks of {chunk}: streamed\n{}\nin memory\n{}", context(&a), context(&b));
            }
        }
    }
}

#[test]
fn several_inputs_stream_to_the_same_layered_report() {
    let front = file("tests/formats/frontdoor-runtime-sessions.har");
    let back = file("tests/formats/backend-model-calls.jsonl");
    let otlp = file("tests/formats/backend-model-calls.otlp.jsonl");
    for inputs in [
        vec![("frontdoor.har", &front[..]), ("backend.jsonl", &back[..])],
        vec![("backend.otlp.jsonl", &otlp[..]), ("frontdoor.har", &front[..])],
    ] {
        let expected = in_memory(&inputs, &Options::default()).unwrap();
        assert!(expected.contains("\"label\": \"layered\""));
        for chunk in [3, 1000, usize::MAX] {
            assert_eq!(streamed(&inputs, chunk, Options::default()).unwrap(), expected, "chunks of {chunk}");
        }
    }
    // A bad input next to good ones, with `partial`: the same diagnostics either way.
    let options = Options { partial: true, ..Options::default() };
    let inputs = [("frontdoor.har", &front[..]), ("broken.har", &b"{\"log\": {\"entries\": [{\"request\": "[..])];
    let without_diagnostics = |json: String| {
        let mut report: serde_json::Value = serde_json::from_str(&json).unwrap();
        let diagnostics = report["diagnostics"].take();
        assert_eq!(diagnostics[0]["location"]["input"], "broken.har");
        assert!(diagnostics[0]["message"].as_str().unwrap().contains("ends too early (truncated?)"), "{diagnostics}");
        report
    };
    assert_eq!(
        without_diagnostics(streamed(&inputs, 5, options.clone()).unwrap()),
        without_diagnostics(in_memory(&inputs, &options).unwrap())
    );
}

#[test]
fn slim_calls_give_the_report_whole_bodies_give() {
    let mut rng = Rng(0x511A_0000_0000_0003);
    let mut inputs = repository_inputs();
    inputs.push(("gen.har".into(), generated_har(&mut rng, 150, false)));
    for (name, bytes) in &inputs {
        let whole = Options { keep_bodies: true, ..Options::default() };
        assert_eq!(in_memory(&[(name, bytes)], &Options::default()), in_memory(&[(name, bytes)], &whole), "{name}");
    }
}

#[test]
fn a_broken_stream_is_an_error_with_a_location() {
    let mut rng = Rng(7);
    let bytes = generated_har(&mut rng, 30, true);
    let cut = &bytes[..bytes.len() * 2 / 3];
    let error = streamed(&[("cut.har", cut)], 4096, Options::default()).unwrap_err();
    assert!(error.contains("cut.har") && error.contains("ends too early"), "{error}");
    assert!(error.contains(&format!("byte {}", cut.len())), "{error}");

    // A syntax error inside an entry stops the reading, as it does in memory.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let broken = text.replacen("\"method\": \"POST\"", "\"method\" \"POST\"", 1);
    assert_ne!(broken, text);
    let error = streamed(&[("broken.har", broken.as_bytes())], 333, Options::default()).unwrap_err();
    assert!(error.contains("not valid JSON"), "{error}");
    assert!(in_memory(&[("broken.har", broken.as_bytes())], &Options::default())
        .unwrap_err()
        .contains("not valid JSON"));

    // Shapes the whole-document parse refuses, the stream refuses too.
    for bad in [
        &br#"{"log": {"entries": "many"}}"#[..],
        br#"{"log": {"entries": []}, "log": {"entries": []}}"#,
        br#"{"log": {"entries": [], "entries": []}}"#,
        br#"{"log": {"entries": {"a": 1}}}"#,
    ] {
        let text = String::from_utf8_lossy(bad);
        assert!(in_memory(&[("bad.har", bad)], &Options::default()).is_err(), "{text}");
        let error = streamed(&[("bad.har", bad)], 3, Options::default()).unwrap_err();
        assert!(error.contains("bad.har"), "{text}: {error}");
    }
    assert!(streamed(&[("null.har", br#"{"log": {"entries": null}}"#)], 3, Options::default()).is_ok());

    // With `partial`, an input that breaks while streaming is set aside, its error reported.
    let front = file("tests/formats/frontdoor-runtime-sessions.har");
    let binary = [&b"{\"log\": {\"entries\": [{\"request\": \""[..], &[0xff; 100_000][..]].concat();
    let options = Options { partial: true, ..Options::default() };
    let report = streamed(&[("bad.har", &binary), ("frontdoor.har", &front)], 1000, options).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(report["diagnostics"][0]["location"]["input"], "bad.har");
    assert!(streamed(&[("bad.har", &binary)], 1000, Options::default()).unwrap_err().contains("bad.har"));

    // No input at all, and bytes before any input began, are usage errors.
    assert!(Analyzer::new(Options::default()).finish().unwrap_err().to_string().contains("No input"));
    assert!(Analyzer::new(Options::default()).push(b"{}").unwrap_err().to_string().contains("begin"));
}

/// An OTLP file export's lines are often longer than the start that decides the reader: its
/// lines are still read one by one as they arrive (the calls counted before the input ends),
/// not kept whole, and the report is the one the in-memory path gives.
#[test]
fn json_lines_with_long_lines_stream_line_by_line() {
    let text = String::from_utf8(file("tests/formats/backend-model-calls.otlp.jsonl")).unwrap();
    let padding = format!(r#"{{"key": "padding", "value": {{"stringValue": "{}"}}}}, "#, "x".repeat(100_000));
    let long = text.replacen(r#""attributes": ["#, &format!(r#""attributes": [{padding}"#), 1);
    assert!(long.lines().next().unwrap().len() > 100_000);
    let mut analyzer = Analyzer::new(Options::default());
    analyzer.begin("long.otlp.jsonl");
    for piece in long.as_bytes().chunks(16 * 1024) {
        analyzer.push(piece).unwrap();
    }
    assert!(analyzer.calls() > 0, "the lines were read as they came");
    let streamed = analyzer.finish().unwrap().to_json();
    let input = [NamedInput { name: "long.otlp.jsonl", bytes: long.as_bytes() }];
    assert_eq!(streamed, analyze(&input, &Options::default()).unwrap().to_json());
}
