//! Context replay: request k carries the conversation items of an earlier request j as a prefix,
//! plus the model's reply from response j. The client holds the conversation.
//!
//! Items are keyed by their text (roles, types and ids left out, so that `"input": "Hi"` and
//! `[{"role":"user","content":[{"type":"input_text","text":"Hi"}]}]` key alike and client-rewritten
//! ids do not break the chain). Prefix hashes index every request's full item list; each later
//! request looks up its own prefixes, longest first: linear in the number of items.

use super::{At, Evidence, Part, Reason, Side, Signal, Strength};
use crate::model::{Body, Call, Trace};
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use serde_json::Value;
use std::hash::{Hash, Hasher};

/// Where conversation items sit in request bodies of the chat APIs people use.
const ITEM_KEYS: &[&str] = &["messages", "input", "contents", "history", "turns"];

/// Keys whose values say how an item is shaped, not what it says.
const SHAPE_KEYS: &[&str] =
    &["type", "role", "id", "call_id", "tool_call_id", "tool_use_id", "status", "cache_control", "index"];

pub(super) struct Items<'v> {
    pub key: &'static str,
    /// One key per item.
    pub keys: Vec<u64>,
    pub values: Vec<&'v Value>,
}

pub(super) fn items_of(body: &Body) -> Option<Items<'_>> {
    let json = body.json()?;
    for key in ITEM_KEYS {
        match json.get(key) {
            Some(Value::Array(items)) if !items.is_empty() => {
                return Some(Items { key, keys: items.iter().map(item_key).collect(), values: items.iter().collect() });
            }
            Some(value @ Value::String(_)) => {
                return Some(Items { key, keys: vec![item_key(value)], values: vec![value] })
            }
            _ => {}
        }
    }
    None
}

fn item_key(item: &Value) -> u64 {
    let mut hasher = FxHasher::default();
    let mut texts = Vec::new();
    texts_of(item, None, &mut texts);
    for text in texts {
        hasher.write_u64(hash_str(text));
    }
    hasher.finish()
}

/// String leaves that carry content, in document order.
pub(super) fn texts_of<'v>(value: &'v Value, key: Option<&str>, out: &mut Vec<&'v str>) {
    match value {
        Value::String(s) if !key.is_some_and(|k| SHAPE_KEYS.contains(&k)) => {
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

pub(super) use crate::model::text_hash as hash_str;

/// Hashes of what a response said: every content string, and for streams the concatenation of
/// their text deltas.
fn reply_hashes(call: &Call) -> FxHashSet<u64> {
    let mut hashes = FxHashSet::default();
    let Some(response) = &call.response else { return hashes };
    let mut texts = Vec::new();
    if let Some(json) = response.body.json() {
        texts_of(json, None, &mut texts);
    }
    let mut streamed = String::new();
    for event in response.body.events() {
        if let Some(json) = event.json() {
            let mut parts = Vec::new();
            deltas_of(json, None, &mut parts);
            streamed.extend(parts);
        }
    }
    hashes.extend(texts.into_iter().map(hash_str));
    if !streamed.trim().is_empty() {
        hashes.insert(hash_str(&streamed));
    }
    hashes
}

/// Text fragments of one stream event (`delta.content`, `delta.text`, `message.content`, …).
fn deltas_of<'v>(value: &'v Value, key: Option<&str>, out: &mut Vec<&'v str>) {
    match value {
        Value::String(s) if matches!(key, Some("text" | "content" | "thinking" | "output_text" | "delta")) => {
            out.push(s)
        }
        Value::Array(items) => items.iter().for_each(|v| deltas_of(v, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| deltas_of(v, Some(k), out)),
        _ => {}
    }
}

pub fn replays(trace: &Trace) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    // Prefix hash of a request's whole item list → that request (the latest with that list).
    let mut full_lists: FxHashMap<u64, (usize, usize)> = FxHashMap::default();
    for (k, call) in trace.calls.iter().enumerate() {
        let Some(items) = items_of(&call.request.body) else { continue };
        let mut prefixes = Vec::with_capacity(items.keys.len());
        let mut hasher = FxHasher::default();
        for key in &items.keys {
            key.hash(&mut hasher);
            prefixes.push(hasher.finish());
        }
        // Longest proper prefix of this request that was some earlier request's whole list.
        let found = (0..prefixes.len().saturating_sub(1))
            .rev()
            .find_map(|i| full_lists.get(&prefixes[i]).map(|&(j, len)| (j, len, i)));
        if let Some((j, len, _)) = found {
            if len == items.keys.len() {
                continue;
            }
            let replies = reply_hashes(&trace.calls[j]);
            let carries_reply = items.values[len..].iter().any(|item| {
                let mut texts = Vec::new();
                texts_of(item, None, &mut texts);
                texts.into_iter().any(|t| replies.contains(&hash_str(t)))
            });
            evidence.push(replay_evidence(j, k, len, items.keys.len(), items.key, carries_reply));
        }
        if let Some(&last) = prefixes.last() {
            full_lists.insert(last, (k, prefixes.len()));
        }
    }
    evidence
}

fn replay_evidence(j: usize, k: usize, len: usize, total: usize, key: &str, carries_reply: bool) -> Evidence {
    Evidence {
        signal: Signal::ContextReplay,
        state: None,
        strength: if carries_reply { Strength::Strong } else { Strength::Medium },
        calls: vec![j, k],
        dependents: Vec::new(),
        // The reply is a place of the evidence only where it is carried.
        places: [
            Some(At::sent(Part::Body { pointer: format!("/{key}") }).of(j)),
            carries_reply.then(|| At::body(Side::Received).of(j)),
            Some(At::sent(Part::Items { key: key.to_string(), first: 0, last: len.saturating_sub(1) }).of(k)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        handle: None,
        secret: false,
        api: None,
        reason: Reason::Replay { from: j, to: k, key: key.to_string(), items: len, total, reply: carries_reply },
        notes: Vec::new(),
    }
}
