use super::{from_node, from_str, Deserializer, Error, Order, Raw};
use crate::json::Doc;
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Every shape of serde's data model the readers use, and a few more.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Shapes<'a> {
    #[serde(borrow)]
    text: &'a str,
    owned: String,
    count: usize,
    signed: i64,
    float: f64,
    flag: bool,
    maybe: Option<u8>,
    list: Vec<Kind>,
    map: BTreeMap<String, Vec<String>>,
    pair: (u8, String),
    wrapped: Wrapped,
    unit: (),
    marker: Marker,
    variants: Vec<Variant>,
    #[serde(default)]
    absent: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Session,
    Thread,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Wrapped(u32);

#[derive(Debug, Deserialize, PartialEq)]
struct Marker;

#[derive(Debug, Deserialize, PartialEq)]
enum Variant {
    Unit,
    Newtype(String),
    Tuple(u8, u8),
    Struct { a: bool },
}

/// A struct that keeps what it does not know, as `AnalyzeOptions` does.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(default)]
struct Lenient {
    name: Option<String>,
    limit: usize,
}

impl Default for Lenient {
    fn default() -> Self {
        Lenient { name: None, limit: 7 }
    }
}

const SHAPES: &str = r#"{
  "text": "plain", "owned": "esc\u00e9ped\n", "count": 18446744073709551615, "signed": -9223372036854775808,
  "float": 1.5e3, "flag": true, "maybe": null, "list": ["session", "thread"],
  "map": {"b": ["x"], "a": []}, "pair": [1, "two"], "wrapped": 5, "unit": null, "marker": null,
  "variants": ["Unit", {"Newtype": "n"}, {"Tuple": [1, 2]}, {"Struct": {"a": false}}]
}"#;

/// The value `serde_json` reads, or both refuse the text.
fn same_as_serde_json<T>(text: &str)
where
    T: serde::de::DeserializeOwned + std::fmt::Debug + PartialEq,
{
    let ours = from_str::<T>(text);
    let theirs = serde_json::from_str::<T>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
        (Err(_), Err(_)) => {}
        _ => panic!("{text}: ours {ours:?}, serde_json {theirs:?}"),
    }
}

#[test]
fn every_shape_reads_as_serde_json_reads_it() {
    let doc = Doc::parse(SHAPES, 16, usize::MAX).unwrap();
    let ours: Shapes = from_node(doc.root(), Order::Written).unwrap();
    let theirs: Shapes = serde_json::from_str(SHAPES).unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(ours.text.as_ptr(), SHAPES[SHAPES.find("plain").unwrap()..].as_ptr(), "borrowed from the text");
    for text in [
        r#"{"limit": 3, "other": {"deep": [1.5, -0, null]}}"#,
        r#"[null, 4]"#,
        r#"{"name": "a", "name": "b"}"#,
        r#"{"limit": -0}"#,
        r#"{"limit": 1.0}"#,
        r#"{"limit": 1e2}"#,
        r#"{"limit": 18446744073709551616}"#,
        r#"{"limit": -1}"#,
        r#"{"name": 5}"#,
        r#"{"name": ["a"]}"#,
        r#"[null, 4, 5]"#,
        "5",
    ] {
        same_as_serde_json::<Lenient>(text);
    }
    for text in [
        r#""Unit""#,
        r#"{"Unit": null}"#,
        r#"{"Tuple": [1]}"#,
        r#"{}"#,
        r#"{"Unit": null, "Unit": null}"#,
        "5",
        r#""Nope""#,
    ] {
        same_as_serde_json::<Variant>(text);
    }
}

fn error<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> Error {
    from_str::<T>(text).unwrap_err()
}

#[test]
fn messages_read_as_serde_json_writes_them_and_say_where() {
    let text = r#"{"text": "a", "nope": 1}"#;
    let doc = Doc::parse(text, 8, usize::MAX).unwrap();
    let e = from_node::<Shapes>(doc.root(), Order::Written).unwrap_err();
    assert!(e.message.starts_with("unknown field `nope`, expected one of `text`, `owned`"), "{}", e.message);
    assert_eq!(e.offset, Some(14), "at the key");
    let e = error::<Vec<Kind>>(r#"["session", "memory"]"#);
    assert_eq!(e.message, "unknown variant `memory`, expected `session` or `thread`");
    assert_eq!(e.offset, Some(12));
    let e = error::<Wrapped>(r#""five""#);
    assert_eq!(e.message, "invalid type: string \"five\", expected u32");
    let e = error::<Vec<String>>("[\"a\",\n 1.50]");
    assert_eq!(e.message, "invalid type: floating point `1.50`, expected a string", "quoted as written");
    assert_eq!(e.offset, Some(7));
    assert_eq!(error::<String>("null").message, "invalid type: null, expected a string");
    assert_eq!(error::<String>("-3").message, "invalid type: integer `-3`, expected a string");
    assert_eq!(error::<u8>("300").message, "invalid value: integer `300`, expected u8");
    assert_eq!(error::<u8>("-0").message, "invalid type: floating point `-0`, expected u8");
    assert_eq!(error::<Vec<Kind>>("[1]").message, "invalid type: integer `1`, expected string or map");
    assert_eq!(error::<Kind>("{}").message, "invalid value: map, expected map with a single key");
    assert_eq!(error::<(u8,)>("[1, 2]").message, "invalid length 2, expected 1 element in sequence");
    let e = error::<Lenient>(r#"{"name": "a", "name": "b"}"#);
    assert_eq!((e.message.as_str(), e.offset), ("duplicate field `name`", Some(14)), "at the repeated key");
    let e = error::<Variant>("  {\"Struct\": {}}");
    assert_eq!((e.message.as_str(), e.offset), ("missing field `a`", Some(13)), "at the object");
    let e = error::<Lenient>("{\"a\": tru}");
    assert_eq!((e.message.as_str(), e.offset), ("expected a value", Some(6)));
}

#[test]
fn in_key_order_a_repeated_key_counts_once() {
    let text = r#"{"name": "a", "zz": 1, "limit": 2, "name": "b"}"#;
    let doc = Doc::parse(text, 8, usize::MAX).unwrap();
    let lenient: Lenient = from_node(doc.root(), Order::Keys).unwrap();
    assert_eq!(lenient, Lenient { name: Some("b".into()), limit: 2 });
    let keys: BTreeMap<String, IgnoredAny> = from_node(doc.root(), Order::Keys).unwrap();
    assert_eq!(keys.len(), 3);
}

#[test]
fn raw_values_and_emptied_members() {
    #[derive(Debug, Deserialize)]
    struct Holder {
        raw: Option<Raw>,
        items: Vec<u8>,
    }
    let text = r#"{"raw": {"a" : [1.50]}, "items": [1, 2]}"#;
    let holder: Holder = from_str(text).unwrap();
    assert_eq!(holder.raw, Some(Raw(r#"{"a" : [1.50]}"#.into())), "as written");
    assert_eq!(holder.items, [1, 2]);
    let holder: Holder = from_str(r#"{"raw": "t\"", "items": []}"#).unwrap();
    assert_eq!(holder.raw, Some(Raw(r#""t\"""#.into())));
    let theirs: Holder = serde_json::from_str(r#"{"raw": {"b": 1, "a": 2.5}, "items": []}"#).unwrap();
    assert_eq!(theirs.raw, Some(Raw(r#"{"a":2.5,"b":1}"#.into())), "another deserializer's value, written");
    let doc = Doc::parse(text, 8, usize::MAX).unwrap();
    let holder = Holder::deserialize(Deserializer::new(doc.root(), Order::Written).emptying("items")).unwrap();
    assert!(holder.items.is_empty());
}
