use super::{agrees, Doc, Due, Problem};

fn doc(text: &str) -> Doc<'_> {
    Doc::parse(text, 128, usize::MAX).unwrap()
}

#[test]
fn documents_read_as_serde_json_reads_them() {
    let texts = [
        "null",
        " true ",
        "[1, -2.5e3, 0, \"a\\u00e9\\\"b\", {}, []]",
        r#"{"b": 1, "a": {"x": [null, false]}, "b": 2}"#,
        r#"{"k\u0065y": "v", "key": "w", "": ""}"#,
        "\"\\ud83d\\ude00 \\n\"",
        "1e999",
        "[1,]",
        "{\"a\" 1}",
        "{\"a\": 1 \"b\": 2}",
        "\"\\ud800\"",
        "[\"\u{1}\"]",
        "01",
        "[] x",
        "",
        "[[[]]",
        "18446744073709551616",
        "-9223372036854775809",
    ];
    for text in texts {
        agrees(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
}

#[test]
fn objects_answer_as_a_map() {
    let doc = doc(r#"{"b": 1, "a": 2, "b": 3, "c": {"d": "e"}}"#);
    let root = doc.root();
    assert_eq!(root.get("b").and_then(|n| n.as_u64()), Some(3));
    assert_eq!(root.get("c").and_then(|c| c.get("d")).and_then(|d| d.as_str()), Some("e"));
    let keys: Vec<_> = root.members().map(|(k, v)| (k, v.text())).collect();
    assert_eq!(keys, [("a", "2"), ("b", "3"), ("c", r#"{"d": "e"}"#)]);
    assert_eq!(root.len(), 4);
    assert_eq!(root.members_in_order().count(), 4);
    assert!(root.get("z").is_none() && root.item(0).is_none());
}

#[test]
fn lists_and_scalars() {
    let doc = doc(r#"[1.5, -3, "x\ty", true, null, [2, [3]], {"a": []}]"#);
    let items: Vec<_> = doc.root().items().collect();
    assert_eq!(items.len(), 7);
    assert_eq!(items[0].as_f64(), Some(1.5));
    assert_eq!(items[0].as_u64(), None);
    assert_eq!(items[1].as_i64(), Some(-3));
    assert_eq!(items[2].as_str(), Some("x\ty"));
    assert_eq!(items[2].text(), r#""x\ty""#);
    assert_eq!(items[3].as_bool(), Some(true));
    assert!(items[4].is_null());
    assert_eq!(items[5].item(1).and_then(|l| l.item(0)).and_then(|n| n.as_u64()), Some(3));
    assert_eq!(items[6].get("a").map(|a| a.is_list() && a.is_empty()), Some(true));
    assert_eq!(doc.root().item(6).map(|n| n.offset()), Some(40));
}

#[test]
fn errors_say_what_was_due_and_where() {
    let error = |text: &str| Doc::parse(text, 4, 1000).err().map(|e| (e.offset, e.problem));
    assert_eq!(error("{\"a\": 1 \"b\": 2}"), Some((8, Problem::Expected(Due::CommaOrBrace))));
    assert_eq!(error("[1, 2"), Some((5, Problem::Truncated)));
    assert_eq!(error("[1, }"), Some((4, Problem::Expected(Due::Value))));
    assert_eq!(error("{1: 2}"), Some((1, Problem::Expected(Due::Key))));
    assert_eq!(error("{\"a\" 2}"), Some((5, Problem::Expected(Due::Colon))));
    assert_eq!(error("[\"a\\x\"]"), Some((3, Problem::BadEscape)));
    assert_eq!(error("[\"a\\n\\ud800 \"]"), Some((5, Problem::BadEscape)));
    assert_eq!(error("[\"ab\u{1}\"]"), Some((4, Problem::RawControl)));
    assert_eq!(error("[\"a\\u00"), Some((7, Problem::Truncated)));
    assert_eq!(error("[1] 2"), Some((4, Problem::Expected(Due::End))));
    assert_eq!(error("[[[[]]]]"), Some((3, Problem::TooDeep(4))));
    assert!(error("[[[]]]").is_none());
    assert_eq!(error(&format!("[\"{}\"]", "a".repeat(2000))), Some((1, Problem::OverBudget(1000))));
    assert!(Doc::parse("[1, 2", 4, 1000).err().is_some_and(|e| e.detail().contains("ends inside")));
}

/// Every JSON document of the test suite's inputs reads as `serde_json` reads it.
#[test]
fn test_inputs_read_as_serde_json_reads_them() {
    let mut read = 0;
    for dir in ["tests/fixtures", "tests/data", "tests/golden", "www"] {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            if path.extension().is_some_and(|e| e == "json" || e == "har") {
                agrees(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                read += 1;
            }
        }
    }
    assert!(read > 10, "{read} documents");
}
