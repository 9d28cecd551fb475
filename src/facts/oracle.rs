//! The facts of a body computed from a `serde_json::Value` tree, as callstate read bodies before
//! the scanner: kept only to check the scanner against (tests and the `body_facts` fuzz target).
//! Its results are compared in [`Facts::normalized`] form: texts as multisets (the scanner keeps
//! document order), fields by pointer without numbers and lists (the scanner keeps them as
//! written, a tree as it re-prints them).

use super::{
    is_content_key, is_handle_like, is_noise_name, keeps_content, text_hash, Candidate, Facts, Field, Items, Role,
    CONTENT_ARRAYS, DELTA_KEYS, FIELD_DEPTH, ITEM_KEYS, LONG_TEXT,
};
use crate::lexicon;
use serde_json::Value;

/// The facts of a document, or `None` where it is not one.
pub fn of(bytes: &[u8], role: Role) -> Option<Facts> {
    let trimmed = bytes.trim_ascii();
    if !matches!(trimmed.first(), Some(b'{' | b'[')) {
        return None;
    }
    let value: Value = serde_json::from_slice(trimmed).ok()?;
    Some(of_value(&value, role))
}

/// The facts of a stream's events, as [`Facts::of_events`] computes them.
pub fn of_events<'e>(events: impl Iterator<Item = &'e str>) -> Facts {
    let mut facts = Facts::default();
    let mut spelled = String::new();
    for (n, data) in events.enumerate() {
        let trimmed = data.trim_ascii();
        if !matches!(trimmed.chars().next(), Some('{' | '[')) {
            continue;
        }
        let Ok(value) = serde_json::from_str::<Value>(trimmed) else { continue };
        let mut parts = Vec::new();
        deltas(&value, None, &mut parts);
        parts.into_iter().for_each(|p| spelled.push_str(p));
        let mut candidates = Vec::new();
        walk(&value, &mut Vec::new(), Role::Frame, &mut candidates);
        facts.candidates.extend(candidates.into_iter().map(|c| Candidate { event: Some(n), ..c }));
    }
    if !spelled.trim().is_empty() {
        facts.streamed = Some(text_hash(&spelled));
    }
    facts
}

/// Whether a document repeats a key in some object (a tree keeps only the last).
pub fn repeats_a_key(bytes: &[u8]) -> bool {
    struct Counter(usize);
    impl<'de> serde::de::Visitor<'de> for &mut Counter {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut keys = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                if keys.contains(&key) {
                    self.0 += 1;
                }
                keys.push(key);
                map.next_value_seed(&mut *self)?;
            }
            Ok(())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(&mut *self)?.is_some() {}
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
    }
    impl<'de> serde::de::DeserializeSeed<'de> for &mut Counter {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    let mut counter = Counter(0);
    let mut de = serde_json::Deserializer::from_slice(bytes.trim_ascii());
    serde::de::DeserializeSeed::deserialize(&mut counter, &mut de).is_ok() && counter.0 > 0
}

fn of_value(value: &Value, role: Role) -> Facts {
    let mut facts = Facts { json: true, ..Facts::default() };
    let mut texts = Vec::new();
    texts_of(value, None, &mut texts);
    facts.texts = texts.into_iter().map(text_hash).collect();
    walk(value, &mut Vec::new(), role, &mut facts.candidates);
    if role == Role::Request {
        facts.items = items_of(value);
        long_texts(value, &mut facts.long_texts);
    }
    fields(value, &mut String::new(), 0, &mut facts.fields);
    facts
}

fn items_of(json: &Value) -> Option<Items> {
    let item = |value: &Value| {
        let mut texts = Vec::new();
        texts_of(value, None, &mut texts);
        let texts: Vec<u64> = texts.into_iter().map(text_hash).collect();
        let instructions = matches!(value.get("role").and_then(Value::as_str), Some("system" | "developer"));
        (super::seq::sequence_key(&texts), instructions, texts)
    };
    let list = |key, values: &mut dyn Iterator<Item = (u64, bool, Vec<u64>)>| {
        let values: Vec<_> = values.collect();
        Items::new(key, values.iter().map(|(k, i, t)| (*k, *i, t.as_slice())))
    };
    ITEM_KEYS.iter().find_map(|key| match json.get(key) {
        Some(Value::Array(items)) if !items.is_empty() => Some(list(key, &mut items.iter().map(item))),
        Some(value @ Value::String(_)) => {
            Some(list(key, &mut std::iter::once(value).map(item).map(|(k, _, t)| (k, false, t))))
        }
        _ => None,
    })
}

fn texts_of<'v>(value: &'v Value, key: Option<&str>, out: &mut Vec<&'v str>) {
    match value {
        Value::String(s) if is_content_key(key) => {
            let t = s.trim();
            if !t.is_empty() {
                out.push(t);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| texts_of(v, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| texts_of(v, Some(k), out)),
        _ => {}
    }
}

fn deltas<'v>(value: &'v Value, key: Option<&str>, out: &mut Vec<&'v str>) {
    match value {
        Value::String(s) if key.is_some_and(|k| DELTA_KEYS.contains(&k)) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| deltas(v, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| deltas(v, Some(k), out)),
        _ => {}
    }
}

fn long_texts(value: &Value, out: &mut Vec<u64>) {
    match value {
        Value::String(s) if s.trim().len() >= LONG_TEXT => out.push(text_hash(s)),
        Value::Array(items) => items.iter().for_each(|v| long_texts(v, out)),
        Value::Object(map) => map.values().for_each(|v| long_texts(v, out)),
        _ => {}
    }
}

fn fields(value: &Value, pointer: &mut String, depth: usize, out: &mut Vec<(String, Field)>) {
    let Value::Object(map) = value else { return };
    if depth >= FIELD_DEPTH {
        return;
    }
    for (key, child) in map {
        let len = pointer.len();
        pointer.push('/');
        super::pointer_segment(key, pointer);
        let field = match child {
            Value::String(s) => Field::Text(super::field_text(s)),
            Value::Bool(b) => Field::Bool(*b),
            Value::Null => Field::Null,
            Value::Object(members) => Field::Object(members.get("id").and_then(Value::as_str).map(str::to_string)),
            other => Field::Other(other.to_string()),
        };
        out.push((pointer.clone(), field));
        fields(child, pointer, depth + 1, out);
        pointer.truncate(len);
    }
}

enum Segment<'v> {
    Key(&'v str),
    Index(usize),
}

fn walk<'v>(value: &'v Value, path: &mut Vec<Segment<'v>>, role: Role, out: &mut Vec<Candidate>) {
    match value {
        Value::Object(map) => {
            let reference = map.get("type").and_then(Value::as_str).is_some_and(|t| t.ends_with("reference"));
            for (key, child) in map {
                if is_noise_name(key) {
                    continue;
                }
                path.push(Segment::Key(key));
                if reference && key == "id" {
                    if let Value::String(s) = child {
                        leaf(s, path, role, true, out);
                    }
                } else {
                    walk(child, path, role, out);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                walk(child, path, role, out);
                path.pop();
            }
        }
        Value::String(s) => leaf(s, path, role, false, out),
        _ => {}
    }
}

fn leaf(value: &str, path: &[Segment], role: Role, reference: bool, out: &mut Vec<Candidate>) {
    if !is_handle_like(value) {
        return;
    }
    let name = path.iter().rev().find_map(|s| match s {
        Segment::Key(k) => Some(*k),
        Segment::Index(_) => None,
    });
    let name = name.unwrap_or("");
    if lexicon::is_credential(name) {
        return;
    }
    let content =
        role == Role::Request && matches!(path, [Segment::Key(k), Segment::Index(_), ..] if CONTENT_ARRAYS.contains(k));
    if content && !keeps_content(name) {
        return;
    }
    let mut pointer = String::new();
    for segment in path {
        pointer.push('/');
        match segment {
            Segment::Key(k) => super::pointer_segment(k, &mut pointer),
            Segment::Index(i) => pointer.push_str(&i.to_string()),
        }
    }
    out.push(Candidate { value: value.to_string(), pointer, name: name.to_string(), event: None, reference, content });
}

impl Facts {
    /// The facts in a form that does not depend on the order a document writes its members in,
    /// nor on how it writes numbers and lists: what scanner and tree must agree on.
    pub fn normalized(mut self) -> Facts {
        self.texts.sort_unstable();
        self.long_texts.sort_unstable();
        if let Some(items) = &mut self.items {
            let mut start = 0;
            for item in &items.items {
                items.texts[start..item.end].sort_unstable();
                start = item.end;
            }
        }
        self.fields.retain(|(_, f)| !matches!(f, Field::Other(_)));
        self.fields.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }
}
