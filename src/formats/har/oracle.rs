//! The reader checked against a tree (tests and fuzzing only): the document parsed whole by
//! `serde_json`, each entry's fields taken from the tree as HAR's types say, and made calls by
//! the same code as the reader's entries.

use super::call::Entries;
use super::entry::{Content, Entry, Kind, Loose, Message, Pair, PostData, Request, Response, Shape};
use super::{Read, Reader};
use crate::error::Location;
use crate::limits::Limits;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Whether the reader and the tree agree on `bytes` (a HAR): where both read it, the same
/// calls, skipped entries and warnings; the reader never refuses what the tree reads. The tree
/// refuses more (numbers too large for a float, nesting deeper than 128 in members the reader
/// skips); documents that repeat a key are left out (a tree keeps only the last value).
pub fn agrees(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Ok(()) };
    if crate::facts::oracle::repeats_a_key(bytes) {
        return Ok(());
    }
    let limits = Limits::default();
    let mut reader = Reader::new(0, 0, false);
    let read = reader.feed(bytes, &limits).and_then(|()| reader.finish(&limits));
    match (read, tree(text, &limits)) {
        (Ok(read), Some(tree)) => same(&read, &tree),
        (Err(e), Some(_)) => Err(format!("the reader refused what the tree read: {e}")),
        _ => Ok(()),
    }
}

fn same(read: &Read, tree: &Read) -> Result<(), String> {
    let calls = |read: &Read| read.calls.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>();
    let counts = |read: &Read| (read.skipped, read.warnings.count());
    if calls(read) != calls(tree) || counts(read) != counts(tree) {
        return Err(format!(
            "reader and tree differ: {} calls, {:?} skipped and warnings against {} and {:?}",
            read.calls.len(),
            counts(read),
            tree.calls.len(),
            counts(tree)
        ));
    }
    Ok(())
}

/// The calls of a HAR read from its tree; `None` where the tree refuses it.
fn tree(text: &str, limits: &Limits) -> Option<Read> {
    let document: Value = serde_json::from_str(text).ok()?;
    let log = document.as_object()?.get("log")?.as_object()?;
    let mut entries = Entries::new(0, false);
    let list = match log.get("entries") {
        None | Some(Value::Null) => &Vec::new(),
        Some(Value::Array(list)) => list,
        Some(_) => return None,
    };
    for value in list {
        let entry = entry(value).map_err(|()| Shape::Type { field: "", found: Kind::Null, expected: Kind::Object });
        entries.entry(entry, limits, Location::default).ok()?;
    }
    Some(entries.read)
}

type Field<T> = Result<Option<T>, ()>;

fn entry(value: &Value) -> Result<Entry<'_>, ()> {
    let o = value.as_object().ok_or(())?;
    Ok(Entry {
        started: text(o.get("startedDateTime"))?,
        request: object(o.get("request"), |o| {
            Ok(Request {
                method: text(o.get("method"))?,
                url: text(o.get("url"))?,
                headers: pairs(o.get("headers"))?,
                cookies: pairs(o.get("cookies"))?,
                post: object(o.get("postData"), |o| {
                    Ok(PostData {
                        mime_type: text(o.get("mimeType"))?,
                        text: text(o.get("text"))?,
                        params: pairs(o.get("params"))?,
                        encoding: text(o.get("encoding"))?,
                    })
                })?,
            })
        })?,
        response: object(o.get("response"), |o| {
            Ok(Response {
                status: loose(o.get("status"), 0)?,
                headers: pairs(o.get("headers"))?,
                cookies: pairs(o.get("cookies"))?,
                content: object(o.get("content"), |o| {
                    Ok(Content {
                        mime_type: text(o.get("mimeType"))?,
                        text: text(o.get("text"))?,
                        encoding: text(o.get("encoding"))?,
                    })
                })?,
            })
        })?,
        messages: list(o.get("_webSocketMessages"), |v| {
            object(Some(v), |o| {
                Ok(Message {
                    kind: text(o.get("type"))?,
                    time: number(o.get("time"))?,
                    opcode: number(o.get("opcode"))?,
                    data: text(o.get("data"))?,
                })
            })
        })?,
        resource_type: text(o.get("_resourceType"))?,
        time: number(o.get("time"))?,
    })
}

fn text(value: Option<&Value>) -> Field<Cow<'_, str>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(Cow::Borrowed(s))),
        Some(_) => Err(()),
    }
}

fn number(value: Option<&Value>) -> Field<f64> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(()),
    }
}

fn loose(value: Option<&Value>, depth: usize) -> Field<Loose<'_>> {
    Ok(Some(match value {
        None => return Ok(None),
        Some(Value::Null) => Loose::Null,
        Some(Value::String(s)) => Loose::Text(Cow::Borrowed(s)),
        Some(Value::Number(n)) => Loose::Number(n.as_f64().ok_or(())?),
        Some(Value::Bool(b)) => Loose::Bool(*b),
        Some(Value::Array(items)) if depth < 16 => {
            let items = items.iter().map(|v| loose(Some(v), depth + 1).map(|l| l.unwrap_or(Loose::Null)));
            Loose::Many(items.collect::<Result<_, _>>()?)
        }
        Some(_) => return Err(()),
    }))
}

fn pairs(value: Option<&Value>) -> Field<Vec<Pair<'_>>> {
    list(value, |v| object(Some(v), |o| Ok(Pair { name: text(o.get("name"))?, value: loose(o.get("value"), 0)? })))
}

fn object<'v, T>(value: Option<&'v Value>, read: impl FnOnce(&'v Map<String, Value>) -> Result<T, ()>) -> Field<T> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => read(o).map(Some),
        Some(_) => Err(()),
    }
}

fn list<'v, T>(value: Option<&'v Value>, mut read: impl FnMut(&'v Value) -> Field<T>) -> Field<Vec<T>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(read(item)?);
            }
            Ok(Some(out))
        }
        Some(_) => Err(()),
    }
}
