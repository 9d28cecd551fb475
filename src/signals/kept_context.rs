//! Kept context, seen across two layers: an upper call (a request to an agent runtime) carries
//! only the new message, yet the model call made on its behalf carries earlier turns too. Those
//! turns came from somewhere between the two: the runtime kept the conversation.

use super::replay::{hash_str, items_of, texts_of};
use super::{Evidence, Place, Signal, StateKind, Strength};
use crate::model::{Body, Trace};
use rustc_hash::FxHashSet;
use serde_json::Value;

/// Hashes of every content string of a body (request or response), streams included.
fn text_hashes(body: &Body, out: &mut FxHashSet<u64>) {
    let mut texts = Vec::new();
    if let Some(json) = body.json() {
        texts_of(json, None, &mut texts);
    }
    out.extend(texts.into_iter().map(hash_str));
}

fn is_instructions(item: &Value) -> bool {
    matches!(item.get("role").and_then(Value::as_str), Some("system" | "developer"))
}

pub fn kept_context(trace: &Trace) -> Vec<Evidence> {
    if trace.calls.iter().all(|c| c.parent.is_none()) {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..trace.calls.len()).collect();
    order.sort_by(|&a, &b| {
        let (ta, tb) = (trace.calls[a].started_ms, trace.calls[b].started_ms);
        ta.unwrap_or(f64::MIN).total_cmp(&tb.unwrap_or(f64::MIN)).then(a.cmp(&b))
    });
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    let mut evidence = Vec::new();
    for &m in &order {
        let call = &trace.calls[m];
        if let (Some(parent), Some(items)) = (call.parent, items_of(&call.request.body)) {
            let upper = &trace.calls[parent.call];
            if !upper.request.body.is_empty() {
                let mut upper_texts = FxHashSet::default();
                text_hashes(&upper.request.body, &mut upper_texts);
                // Items of the model call that the upper request did not carry but earlier
                // calls said.
                let kept = items
                    .values
                    .iter()
                    .filter(|item| !is_instructions(item))
                    .filter(|item| {
                        let mut texts = Vec::new();
                        texts_of(item, None, &mut texts);
                        texts.iter().map(|t| hash_str(t)).any(|h| seen.contains(&h) && !upper_texts.contains(&h))
                    })
                    .count();
                if kept > 0 {
                    evidence.push(Evidence {
                        signal: Signal::KeptContext,
                        state: Some(StateKind::Conversation),
                        strength: Strength::Strong,
                        calls: vec![parent.call.min(m), parent.call.max(m)],
                        dependents: vec![parent.call],
                        places: vec![
                            Place { call: parent.call, at: "request.body".into() },
                            Place { call: m, at: format!("request.body/{}", items.key) },
                        ],
                        handle: None,
                        secret: false,
                        api: None,
                        message: format!(
                            "Call {} does not carry the earlier turns, yet the model call made for it (call {}) carries {kept} item(s) said in earlier calls: the layer between them kept the conversation.",
                            parent.call + 1,
                            m + 1
                        ),
                    });
                }
            }
        }
        text_hashes(&call.request.body, &mut seen);
        if let Some(response) = &call.response {
            text_hashes(&response.body, &mut seen);
        }
    }
    evidence
}
