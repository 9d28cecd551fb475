//! An attribute's value as span readers hand it to the span conventions: text, a number or a
//! boolean as written, or a list or object kept as its JSON text. Nothing is held as a tree:
//! the few conventions that look inside a structured value read its text into a tape then.

use crate::json::write::{compact, escaped, number};
use crate::json::{Doc, Node};
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub enum Attr<'d> {
    Null,
    Bool(bool),
    /// A number's JSON text, as written.
    Number(Cow<'d, str>),
    Text(Cow<'d, str>),
    /// A list or an object, as valid JSON text.
    Json(Cow<'d, str>),
}

/// A span's or event's attributes, in the order found.
pub type Attrs<'d> = Vec<(Cow<'d, str>, Attr<'d>)>;

impl<'d> Attr<'d> {
    /// A plain JSON value.
    pub fn of(node: Node<'d>) -> Attr<'d> {
        if let Some(text) = node.as_str() {
            Attr::Text(Cow::Borrowed(text))
        } else if let Some(flag) = node.as_bool() {
            Attr::Bool(flag)
        } else if let Some(number) = node.as_number() {
            Attr::Number(Cow::Borrowed(number))
        } else if node.is_null() {
            Attr::Null
        } else {
            Attr::Json(Cow::Borrowed(node.text()))
        }
    }

    /// An OTLP `AnyValue` (`{"stringValue": "…"}`, `arrayValue`, `kvlistValue`…) as plain JSON;
    /// any other value as it is.
    pub fn of_any(node: Node<'d>) -> Attr<'d> {
        if !node.is_object() {
            return Attr::of(node);
        }
        for key in ["stringValue", "boolValue", "intValue", "doubleValue", "bytesValue"] {
            let Some(value) = node.get(key) else { continue };
            // int64 is written as a string in OTLP/JSON.
            return match value.as_str().map(str::parse::<i64>) {
                Some(Ok(int)) if key == "intValue" => Attr::Number(Cow::Owned(int.to_string())),
                _ => Attr::of(value),
            };
        }
        if let Some(array) = node.get("arrayValue") {
            let values = array.get("values").filter(|_| array.is_object());
            let mut out = String::from("[");
            for (i, value) in values.iter().flat_map(|v| v.items()).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                Attr::of_any(value).write(&mut out);
            }
            out.push(']');
            return Attr::Json(Cow::Owned(out));
        }
        if let Some(kvlist) = node.get("kvlistValue") {
            let pairs = key_values(kvlist.get("values"));
            return Attr::Json(Cow::Owned(object_text(pairs.iter().map(|(k, v)| (k.as_ref(), v)))));
        }
        Attr::Null
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Attr::Text(text) => Some(text),
            _ => None,
        }
    }

    /// Text, a number or a boolean as text; `None` for the rest.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Attr::Text(text) => Some(text.to_string()),
            Attr::Number(text) => Some(number_text(text).into_owned()),
            Attr::Bool(flag) => Some(flag.to_string()),
            Attr::Null | Attr::Json(_) => None,
        }
    }

    /// The value as JSON text, in `out`.
    pub fn write(&self, out: &mut String) {
        match self {
            Attr::Null => out.push_str("null"),
            Attr::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Attr::Number(text) => out.push_str(&number_text(text)),
            Attr::Text(text) => escaped(out, text),
            Attr::Json(text) => out.push_str(text),
        }
    }

    /// The value as JSON text.
    pub fn json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// The JSON a value may hold: given as text (most instrumentations serialize messages) or
    /// as a structure, or a number or boolean; `None` for null. Text is not checked here: every
    /// caller reads it into a document ([`with_doc`]), which refuses text that is not JSON.
    pub fn json_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Attr::Text(text) => Some(Cow::Borrowed(text)),
            Attr::Null => None,
            other => Some(Cow::Owned(other.json())),
        }
    }

    /// The value with its text owned, to outlive the document it was read from.
    pub fn into_owned(self) -> Attr<'static> {
        match self {
            Attr::Null => Attr::Null,
            Attr::Bool(flag) => Attr::Bool(flag),
            Attr::Number(text) => Attr::Number(Cow::Owned(text.into_owned())),
            Attr::Text(text) => Attr::Text(Cow::Owned(text.into_owned())),
            Attr::Json(text) => Attr::Json(Cow::Owned(text.into_owned())),
        }
    }
}

/// A number's text as serde_json writes it (the text as it is where serde_json would refuse it,
/// which readers have checked it is not).
fn number_text(text: &str) -> Cow<'_, str> {
    number(text).unwrap_or(Cow::Borrowed(text))
}

/// Text that holds JSON as that JSON, compact; other text as a JSON string; `None` for null.
pub fn json_or_text(attr: &Attr) -> Option<String> {
    match attr {
        Attr::Null => None,
        Attr::Text(text) => Some(match Doc::parse(text, crate::formats::MAX_DEPTH, usize::MAX) {
            Ok(doc) => compact(doc.root()),
            Err(_) => attr.json(),
        }),
        other => Some(with_doc(&other.json(), compact).unwrap_or_default()),
    }
}

/// Runs `read` on the document of JSON text `text`; `None` when it is not JSON.
pub fn with_doc<T>(text: &str, read: impl FnOnce(Node) -> T) -> Option<T> {
    let doc = Doc::parse(text, crate::formats::MAX_DEPTH, usize::MAX).ok()?;
    Some(read(doc.root()))
}

/// An OTLP key-value list (`[{key, value: AnyValue}]`), each value as plain JSON.
pub fn key_values(list: Option<Node<'_>>) -> Attrs<'_> {
    let items = list.into_iter().flat_map(|l| l.items());
    items
        .filter_map(|kv| {
            Some((Cow::Borrowed(kv.get("key")?.as_str()?), kv.get("value").map_or(Attr::Null, Attr::of_any)))
        })
        .collect()
}

/// The JSON text of an object of `members`, each key once with its last value (as a tree holds
/// them), in key order.
pub fn object_text<'a>(members: impl Iterator<Item = (&'a str, &'a Attr<'a>)>) -> String {
    crate::json::write::object(members.collect(), |value, out| value.write(out))
}
