//! WebAssembly tests: the same file runs in Node and, with `WASM_BINDGEN_USE_BROWSER=1`, in
//! headless Chromium (see the Makefile). They go through the exported JS API, as users do.
#![cfg(target_arch = "wasm32")]

mod common;

use callstate::wasm;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn options(name: &str) -> JsValue {
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &"name".into(), &name.into()).unwrap();
    object.into()
}

fn as_json(value: &JsValue) -> serde_json::Value {
    let text: String = js_sys::JSON::stringify(value).unwrap().into();
    serde_json::from_str(&text).unwrap()
}

#[wasm_bindgen_test]
fn wasm_reports_match_the_native_ones() {
    for (name, bytes, golden) in common::cases::CASES {
        // The core, compiled to wasm: byte for byte the native report.
        let core = callstate::analyze_bytes(name, bytes, &callstate::Options::default()).unwrap().to_json();
        assert_eq!(core.trim(), golden.trim(), "{name}: the wasm core differs from the native report");
        // Through the JS boundary: the same document as a JS object.
        let report = wasm::analyze(js_sys::Uint8Array::from(*bytes).into(), options(name))
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let expected: serde_json::Value = serde_json::from_str(golden).unwrap();
        assert_eq!(as_json(&report), expected, "{name}: the exported object differs from the native report");
    }
}

#[wasm_bindgen_test]
fn bad_input_throws_an_error_with_a_location_and_the_instance_survives() {
    let error = wasm::analyze("{\"log\": {\"entries\": [ {\"request\": ".into(), options("cut.har")).unwrap_err();
    let error: js_sys::Error = error.dyn_into().expect("a real Error object");
    let message: String = error.message().into();
    assert!(message.contains("ends too early") && message.contains("cut.har"), "{message}");
    let location = js_sys::Reflect::get(&error, &"location".into()).unwrap();
    assert_eq!(as_json(&location)["offset"], 34);
    assert_eq!(as_json(&location)["line"], 1);

    let error = wasm::analyze(js_sys::Uint8Array::from(&[0xff, 0xfe, 0x7b, 0x00][..]).into(), options("utf16.har"))
        .unwrap_err();
    let message: String = error.dyn_into::<js_sys::Error>().unwrap().message().into();
    assert!(message.contains("UTF-16"), "{message}");

    // The same instance analyzes a good file correctly afterwards.
    let (name, bytes, _) = common::cases::CASES[0];
    let report = as_json(&wasm::analyze(js_sys::Uint8Array::from(bytes).into(), options(name)).unwrap());
    assert_eq!(report["verdict"]["label"], "stateful");
}

#[wasm_bindgen_test]
fn markdown_and_schema_version() {
    let (name, bytes, _) = common::cases::CASES[0];
    let markdown = wasm::analyze_markdown(js_sys::Uint8Array::from(bytes).into(), options(name)).unwrap();
    assert!(markdown.starts_with("# callstate report"));
    assert!(markdown.contains("**Verdict: stateful**"));
    assert_eq!(wasm::schema_version(), "callstate.report/2");
}

#[wasm_bindgen_test]
fn options_raise_and_lower_limits() {
    let (name, bytes, _) = common::cases::CASES[0];
    let options = js_sys::JSON::parse(r#"{"name": "x.yaml", "limits": {"maxInputBytes": 100}}"#).unwrap();
    let error = wasm::analyze(js_sys::Uint8Array::from(bytes).into(), options.clone()).unwrap_err();
    let message: String = error.dyn_into::<js_sys::Error>().unwrap().message().into();
    assert!(message.contains("maxInputBytes") && !message.contains("--limit"), "{message}");
    let _ = name;
    // The help passes through as data; the package words it.
    let error = wasm::analyze(js_sys::Uint8Array::from(bytes).into(), options).unwrap_err();
    let help = js_sys::JSON::stringify(&js_sys::Reflect::get(&error, &"help".into()).unwrap()).unwrap();
    assert_eq!(String::from(help), r#"{"raise_limit":{"limit":"maxInputBytes","current":100}}"#);
}

#[wasm_bindgen_test]
fn several_named_inputs_and_partial_analysis() {
    let (name, bytes, _) = common::cases::CASES[0];
    let inputs = js_sys::Array::new();
    for (n, b) in [(name, js_sys::Uint8Array::from(bytes)), ("bad.har", js_sys::Uint8Array::from(&b"{\"log\": ["[..]))]
    {
        let item = js_sys::Object::new();
        js_sys::Reflect::set(&item, &"name".into(), &n.into()).unwrap();
        js_sys::Reflect::set(&item, &"bytes".into(), &b.into()).unwrap();
        inputs.push(&item);
    }
    // Strict by default: one bad input fails the analysis, naming it.
    let error = wasm::analyze(inputs.clone().into(), JsValue::UNDEFINED).unwrap_err();
    let message: String = error.dyn_into::<js_sys::Error>().unwrap().message().into();
    assert!(message.contains("bad.har"), "{message}");
    // Partial: the good input is analyzed and the bad one is an error diagnostic.
    let options = js_sys::JSON::parse(r#"{"partial": true}"#).unwrap();
    let report = as_json(&wasm::analyze(inputs.into(), options).unwrap());
    assert_eq!(report["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(report["diagnostics"][0]["severity"], "error");
    assert!(report["diagnostics"][0]["message"].as_str().unwrap().contains("bad.har"));
}

#[wasm_bindgen_test]
fn one_call_as_the_page_shows_it() {
    for (name, bytes, _) in common::cases::CASES {
        let input: JsValue = js_sys::Uint8Array::from(*bytes).into();
        let core =
            callstate::exchange(&[callstate::NamedInput { name, bytes }], &callstate::Options::default(), 1).unwrap();
        let view = wasm::exchange(input.clone(), 1, options(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(
            as_json(&view),
            serde_json::to_value(&core).unwrap(),
            "{name}: the exported view differs from the core's"
        );
        // A call that is not there is a usage error, not a trap.
        let error: js_sys::Error = wasm::exchange(input, 10_000, options(name)).unwrap_err().dyn_into().unwrap();
        assert_eq!(as_json(&js_sys::Reflect::get(&error, &"kind".into()).unwrap()), "usage");
    }
}

#[wasm_bindgen_test]
fn one_analysis_gives_the_report_the_markdown_and_every_call() {
    for (name, bytes, golden) in common::cases::CASES {
        let input = [callstate::NamedInput { name, bytes }];
        let analysis = wasm::ResidentAnalysis::new(js_sys::Uint8Array::from(*bytes).into(), options(name))
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let report = as_json(&analysis.report().unwrap());
        assert_eq!(report, serde_json::from_str::<serde_json::Value>(golden).unwrap(), "{name}: report");
        assert_eq!(
            analysis.markdown(),
            callstate::to_markdown(&callstate::analyze(&input, &Default::default()).unwrap())
        );
        let calls = report["calls"].as_array().unwrap().len() as u32;
        for call in 1..=calls {
            let core = callstate::exchange(&input, &Default::default(), call as usize).unwrap();
            let view = analysis.exchange(call).unwrap_or_else(|e| panic!("{name}: call {call}: {e:?}"));
            assert_eq!(as_json(&view), serde_json::to_value(&core).unwrap(), "{name}: call {call}");
        }
        let error: js_sys::Error = analysis.exchange(calls + 1).unwrap_err().dyn_into().unwrap();
        assert_eq!(as_json(&js_sys::Reflect::get(&error, &"kind".into()).unwrap()), "usage");
    }
}

#[wasm_bindgen_test]
fn a_stream_kept_whole_finishes_into_an_analysis_that_shows_every_call() {
    for (name, bytes, golden) in common::cases::CASES {
        let mut analyzer = wasm::StreamAnalyzer::new(options(name), Some(true)).unwrap();
        for piece in bytes.chunks(977) {
            analyzer.push(piece).unwrap();
        }
        let analysis = analyzer.analysis().unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(analysis.keeps_calls());
        let expected: serde_json::Value = serde_json::from_str(golden).unwrap();
        assert_eq!(as_json(&analysis.report().unwrap()), expected, "{name}: streamed");
        let core = callstate::exchange(&[callstate::NamedInput { name, bytes }], &Default::default(), 1).unwrap();
        assert_eq!(as_json(&analysis.exchange(1).unwrap()), serde_json::to_value(&core).unwrap(), "{name}");
        assert!(analyzer.analysis().is_err(), "spent: a second analysis is a usage error, not a trap");
        // Made without keepCalls: the report, and a usage error (not a trap) for a call.
        let mut lean = wasm::StreamAnalyzer::new(options(name), None).unwrap();
        lean.push(bytes).unwrap();
        let lean = lean.analysis().unwrap();
        assert!(!lean.keeps_calls());
        assert_eq!(as_json(&lean.report().unwrap()), expected, "{name}: lean");
        let error: js_sys::Error = lean.exchange(1).unwrap_err().dyn_into().unwrap();
        assert_eq!(as_json(&js_sys::Reflect::get(&error, &"kind".into()).unwrap()), "usage");
    }
}

#[wasm_bindgen_test]
fn streamed_in_pieces_the_report_is_the_same() {
    for (name, bytes, golden) in common::cases::CASES {
        let mut analyzer = wasm::StreamAnalyzer::new(options(name), None).unwrap();
        for piece in bytes.chunks(977) {
            analyzer.push(piece).unwrap();
        }
        assert_eq!(analyzer.bytes() as usize, bytes.len());
        let report = analyzer.finish().unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let expected: serde_json::Value = serde_json::from_str(golden).unwrap();
        assert_eq!(as_json(&report), expected, "{name}: streamed");
        // Spent: a second finish is a usage error, not a trap.
        assert!(analyzer.finish().is_err());
    }
}

#[wasm_bindgen_test]
fn a_policy_is_checked_as_natively_and_a_bad_one_is_refused() {
    let (name, bytes, _) = common::cases::CASES[0];
    let policy = r#"{"name": "p", "rules": [{"name": "nothing-stored", "type": "no-retention"},
        {"name": "model-stateless", "type": "stateless", "kinds": ["conversation"]}]}"#;
    let native_policy = callstate::Policy::from_slice(policy.as_bytes(), &callstate::Rules::builtin()).unwrap();
    let native = callstate::analyze_bytes(
        name,
        bytes,
        &callstate::Options { policy: Some(native_policy), ..Default::default() },
    )
    .unwrap()
    .to_json();
    let native: serde_json::Value = serde_json::from_str(&native).unwrap();
    // As an object, and as a policy file's text: the same result as native.
    for given in [js_sys::JSON::parse(policy).unwrap(), JsValue::from_str(policy)] {
        let options = options(name);
        js_sys::Reflect::set(&options, &"policy".into(), &given).unwrap();
        let report = as_json(&wasm::analyze(js_sys::Uint8Array::from(bytes).into(), options).unwrap());
        assert_eq!(report["policy"], native["policy"]);
        assert_eq!(report["policy"]["status"], "violated");
    }
    let bad =
        js_sys::JSON::parse(r#"{"policy": {"rules": [{"name": "azure", "type": "stateless-only-at", "hostz": []}]}}"#)
            .unwrap();
    assert!(wasm::check_options(js_sys::JSON::parse(&format!(r#"{{"policy": {policy}}}"#)).unwrap()).is_ok());
    let error = wasm::check_options(bad.clone()).unwrap_err().dyn_into::<js_sys::Error>().unwrap();
    let message: String = error.message().into();
    assert!(message.contains("rule `azure`") && message.contains("unknown field `hostz`"), "{message}");
    let error = wasm::analyze(js_sys::Uint8Array::from(bytes).into(), bad).unwrap_err();
    let kind = js_sys::Reflect::get(&error, &"kind".into()).unwrap();
    assert_eq!(kind.as_string().as_deref(), Some("usage"));
}
