//! Context replay: request k carries the conversation items of an earlier request j as a prefix,
//! plus the model's reply from response j. The client holds the conversation.
//!
//! Items are keyed by their text (roles, types and ids left out, so that `"input": "Hi"` and
//! `[{"role":"user","content":[{"type":"input_text","text":"Hi"}]}]` key alike and client-rewritten
//! ids do not break the chain). Prefix hashes index every request's full item list; each later
//! request looks up its own prefixes, longest first: linear in the number of items.

use super::{At, Evidence, Part, Reason, Side, Signal, Strength};
use crate::facts::{Items, Role};
use crate::model::{Call, Trace};
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::{Hash, Hasher};

/// A request's conversation items.
pub(super) fn items_of(call: &Call) -> Option<&Items> {
    call.request.body.facts(Role::Request).items.as_ref()
}

/// Hashes of what a response said: every content string, and for streams the text their deltas
/// spell.
fn reply_hashes(call: &Call) -> FxHashSet<u64> {
    let Some(response) = &call.response else { return FxHashSet::default() };
    let facts = response.body.facts(Role::Response);
    facts.texts.iter().copied().chain(facts.streamed).collect()
}

pub fn replays(trace: &Trace) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    // Prefix hash of a request's whole item list → that request (the latest with that list).
    let mut full_lists: FxHashMap<u64, (usize, usize)> = FxHashMap::default();
    for (k, call) in trace.calls.iter().enumerate() {
        let Some(items) = items_of(call) else { continue };
        let mut prefixes = Vec::with_capacity(items.items.len());
        let mut hasher = FxHasher::default();
        for item in &items.items {
            item.key.hash(&mut hasher);
            prefixes.push(hasher.finish());
        }
        // Longest proper prefix of this request that was some earlier request's whole list.
        let found = (0..prefixes.len().saturating_sub(1))
            .rev()
            .find_map(|i| full_lists.get(&prefixes[i]).map(|&(j, len)| (j, len, i)));
        if let Some((j, len, _)) = found {
            if len == items.items.len() {
                continue;
            }
            let replies = reply_hashes(&trace.calls[j]);
            let carries_reply = (len..items.items.len()).any(|i| items.texts(i).iter().any(|t| replies.contains(t)));
            evidence.push(replay_evidence(j, k, len, items.items.len(), items.key, carries_reply));
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
