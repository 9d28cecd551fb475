//! The call view (`exchange`, `callstate show`): every place the evidence names in a call is
//! marked in it, and each mark covers the value the report shows there.

mod common;

use callstate::{analyze, exchange, NamedInput, Options};
use std::path::Path;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = ["tests/corpus", "tests/corpus/runtimes"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json" || x == "har"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// Slices a text by UTF-16 offsets, as the page does.
fn slice(text: &str, start: usize, end: usize) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    assert!(start <= end && end <= units.len(), "mark {start}..{end} outside a text of {} units", units.len());
    String::from_utf16(&units[start..end]).unwrap()
}

#[test]
fn every_place_evidence_names_is_marked_in_its_call() {
    let mut marked = 0;
    for (name, bytes) in corpus() {
        let input = [NamedInput { name: &name, bytes: &bytes }];
        let options = Options::default();
        let report = analyze(&input, &options).unwrap();
        for call in &report.calls {
            let view = exchange(&input, &options, call.index).unwrap();
            assert_eq!(view.call, call.index);
            assert_eq!((view.input, view.entry), (call.input, call.entry));
            assert_eq!(view.request.method, call.method);
            assert_eq!(view.request.url.text, call.url, "{name}: the URL shows as the report shows it");
            let mut texts = vec![&view.request.url.text];
            let mut marks: Vec<(&str, &Vec<String>, String)> = Vec::new();
            let bodies = std::iter::once(&view.request.body)
                .chain(view.response.as_ref().map(|r| &r.body))
                .chain(view.frames.iter().map(|f| &f.body));
            for (text, list) in std::iter::once((&view.request.url.text, &view.request.url.marks))
                .chain(bodies.map(|b| (&b.text, &b.marks)))
            {
                texts.push(text);
                for m in list {
                    marks.push((m.at.as_str(), &m.evidence, slice(text, m.start, m.end)));
                }
            }
            let headers: Vec<_> = view
                .request
                .headers
                .iter()
                .chain(view.response.iter().flat_map(|r| &r.headers))
                .chain(&view.attributes)
                .collect();
            for evidence in &report.evidence {
                // `transport/websocket` and the like are about the call as a whole, not a place in it.
                let in_view = |at: &str| {
                    ["request.", "response.", "sent.", "received.", "span."].iter().any(|p| at.starts_with(p))
                };
                for place in evidence.places.iter().filter(|p| p.call == call.index && in_view(&p.at)) {
                    let in_header = headers.iter().any(|h| h.evidence.contains(&evidence.id));
                    let mark = marks.iter().find(|(at, ids, _)| *at == place.at && ids.contains(&evidence.id));
                    assert!(
                        in_header || mark.is_some(),
                        "{name}: call {} has no mark for {} at {}",
                        call.index,
                        evidence.id,
                        place.at
                    );
                    // A handle's mark covers the handle as the report shows it.
                    if let (Some((_, _, text)), Some(handle)) = (mark, &evidence.handle) {
                        if !place.at.starts_with("request.path") || text.contains('…') {
                            assert!(
                                text.contains(handle.as_str()),
                                "{name}: {} marks {text:?}, not {handle}",
                                place.at
                            );
                        }
                    }
                    marked += 1;
                }
            }
        }
    }
    assert!(marked > 100, "only {marked} places checked");
}

#[test]
fn a_call_that_does_not_exist_is_a_usage_error() {
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/oai-responses-prevresp-chain.yaml"))
            .unwrap();
    let input = [NamedInput { name: "chain.yaml", bytes: &bytes }];
    for call in [0, 999] {
        let error = exchange(&input, &Options::default(), call).unwrap_err();
        assert_eq!(error.kind, callstate::ErrorKind::Usage);
        assert!(error.message.contains(&format!("no call {call}")), "{}", error.message);
    }
}

#[test]
fn bodies_are_pretty_printed_and_long_ones_cut() {
    let big = "x".repeat(400_000);
    let har = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "t"}, "entries": [{
        "request": {"method": "POST", "url": "https://api.openai.com/v1/chat/completions", "headers": [],
            "postData": {"mimeType": "application/json", "text": serde_json::json!({"model": "m", "messages": [{"role": "user", "content": big}]}).to_string()}},
        "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{\"id\":\"chatcmpl-1\",\"choices\":[]}"}}
    }]}});
    let bytes = serde_json::to_vec(&har).unwrap();
    let view = exchange(&[NamedInput { name: "big.har", bytes: &bytes }], &Options::default(), 1).unwrap();
    assert!(view.request.body.truncated);
    assert!(view.request.body.text.len() < 300_000);
    assert!(view.request.body.text.starts_with("{\n  \"messages\": [\n"));
    let response = view.response.unwrap();
    assert!(!response.body.truncated);
    assert_eq!(response.body.text, "{\n  \"choices\": [],\n  \"id\": \"chatcmpl-1\"\n}");
}
