//! One resident analysis: built once, it gives the report, the Markdown and every call exactly
//! as the functions that analyse again for each question.

use callstate::{analyze, exchange, to_markdown, Analysis, Analyzer, ErrorKind, NamedInput, Options};
use std::path::Path;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = ["tests/corpus", "tests/corpus/runtimes"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json" || x == "har" || x == "jsonl"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn an_analysis_answers_as_the_functions_do_on_every_corpus_input() {
    let options = Options::default();
    let mut calls = 0;
    for (name, bytes) in corpus() {
        let input = [NamedInput { name: &name, bytes: &bytes }];
        let Ok(report) = analyze(&input, &options) else { continue };
        let analysis = Analysis::new(&input, &options).unwrap();
        assert_eq!(json(analysis.report()), json(&report), "{name}: the same report");
        assert_eq!(analysis.markdown(), to_markdown(&report), "{name}: the same Markdown");
        for call in &report.calls {
            let view = analysis.exchange(call.index).unwrap();
            assert_eq!(
                json(&view),
                json(&exchange(&input, &options, call.index).unwrap()),
                "{name}: call {}",
                call.index
            );
            calls += 1;
        }
    }
    assert!(calls > 100, "every call of the corpus is shown ({calls})");
}

#[test]
fn several_inputs_make_one_analysis() {
    let files = corpus();
    let input: Vec<NamedInput> = files.iter().take(3).map(|(name, bytes)| NamedInput { name, bytes }).collect();
    let options = Options { partial: true, ..Options::default() };
    let analysis = Analysis::new(&input, &options).unwrap();
    assert_eq!(json(analysis.report()), json(&analyze(&input, &options).unwrap()));
    let last = analysis.report().calls.len();
    assert_eq!(analysis.exchange(last).unwrap().call, last);
}

#[test]
fn the_streaming_analyzer_finishes_into_an_analysis() {
    for (name, bytes) in corpus().into_iter().filter(|(name, _)| name.ends_with(".har")) {
        let input = [NamedInput { name: &name, bytes: &bytes }];
        let whole = Analysis::new(&input, &Options::default()).unwrap();
        let mut analyzer = Analyzer::new(Options { keep_bodies: true, ..Options::default() });
        analyzer.begin(&name);
        for chunk in bytes.chunks(1000) {
            analyzer.push(chunk).unwrap();
        }
        let streamed = analyzer.analysis().unwrap();
        assert_eq!(json(streamed.report()), json(whole.report()), "{name}");
        for call in 1..=whole.report().calls.len() {
            assert_eq!(
                json(&streamed.exchange(call).unwrap()),
                json(&whole.exchange(call).unwrap()),
                "{name}: call {call}"
            );
        }
    }
}

#[test]
fn asking_for_a_call_that_is_not_there_or_not_kept_is_an_error() {
    let (name, bytes) = corpus().into_iter().find(|(name, _)| name.ends_with(".har")).unwrap();
    let input = [NamedInput { name: &name, bytes: &bytes }];
    let analysis = Analysis::new(&input, &Options::default()).unwrap();
    for call in [0, analysis.report().calls.len() + 1] {
        let error = analysis.exchange(call).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Usage);
        assert!(error.message.contains(&format!("no call {call}")), "{}", error.message);
    }
    let lean = Analysis::of_inputs(&input, &Options::default()).unwrap();
    assert!(analysis.keeps_calls() && !lean.keeps_calls());
    assert_eq!(json(lean.report()), json(analysis.report()));
    assert_eq!(lean.exchange(1).unwrap_err().kind, ErrorKind::Usage);
}
