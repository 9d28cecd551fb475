//! Kept context, seen across two layers: an upper call (a request to an agent runtime) carries
//! only the new message, yet the model call made on its behalf carries earlier turns too. Those
//! turns came from somewhere between the two: the runtime kept the conversation.

use super::replay::items_of;
use super::{At, Evidence, Part, Reason, Side, Signal, StateKind, Strength};
use crate::facts::{Items, Role};
use crate::model::{Body, Trace};
use rustc_hash::{FxHashMap, FxHashSet};

/// Hashes of every content string of a body (request or response).
fn text_hashes(body: &Body, role: Role, out: &mut FxHashSet<u64>) {
    out.extend(body.facts(role).texts.iter().copied());
}

/// The turn a call belongs to: its topmost ancestor (bounded: parent links come from the input).
fn turn_of(trace: &Trace, mut call: usize) -> usize {
    for _ in 0..256 {
        match trace.calls[call].parent {
            Some(parent) if parent.call != call => call = parent.call,
            _ => break,
        }
    }
    call
}

/// The nearest caller that recorded what it was sent (wrapper spans in between carry nothing).
fn caller_with_body(trace: &Trace, call: usize) -> Option<usize> {
    let mut at = trace.calls[call].parent?.call;
    for _ in 0..256 {
        if !trace.calls[at].request.body.is_empty() {
            return Some(at);
        }
        at = trace.calls[at].parent?.call;
    }
    None
}

/// Items of a model call that its caller did not send and that came from outside its own turn:
/// said in an earlier turn of the trace, or standing before the caller's new message (earlier
/// turns the layer put back, though the trace holds no record of them).
fn kept_items(items: &Items, upper: &FxHashSet<u64>, said_before: impl Fn(u64) -> bool) -> usize {
    let count = items.items.len();
    let new_message = (0..count).position(|i| items.texts(i).iter().any(|t| upper.contains(t)));
    (0..count)
        .filter(|&i| {
            let texts = items.texts(i);
            !items.items[i].instructions && !texts.is_empty() && !texts.iter().all(|t| upper.contains(t))
        })
        .filter(|&i| {
            new_message.is_some_and(|n| i < n) || items.texts(i).iter().any(|&t| !upper.contains(&t) && said_before(t))
        })
        .count()
}

pub fn kept_context(trace: &Trace) -> Vec<Evidence> {
    if trace.calls.iter().all(|c| c.parent.is_none()) {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..trace.calls.len()).collect();
    crate::sort::sort_by(&mut order, |&a, &b| {
        let (ta, tb) = (trace.calls[a].started_ms, trace.calls[b].started_ms);
        ta.unwrap_or(f64::MIN).total_cmp(&tb.unwrap_or(f64::MIN)).then(a.cmp(&b))
    });
    // Each text, and the turn that first said it.
    let mut said: FxHashMap<u64, usize> = FxHashMap::default();
    let mut evidence = Vec::new();
    for &m in &order {
        let call = &trace.calls[m];
        let turn = turn_of(trace, m);
        if let (Some(parent), Some(items)) = (caller_with_body(trace, m), items_of(call)) {
            let mut upper_texts = FxHashSet::default();
            text_hashes(&trace.calls[parent].request.body, Role::Request, &mut upper_texts);
            let kept = kept_items(items, &upper_texts, |t| said.get(&t).is_some_and(|&first| first != turn));
            if kept > 0 {
                evidence.push(kept_evidence(parent, m, kept, items.key));
            }
        }
        // What was said: the conversation's items (not tool declarations or configuration,
        // which every turn resends) and what the server answered.
        let mut texts = FxHashSet::default();
        match items_of(call) {
            Some(items) => (0..items.items.len()).for_each(|i| texts.extend(items.texts(i).iter().copied())),
            None => text_hashes(&call.request.body, Role::Request, &mut texts),
        }
        if let Some(response) = &call.response {
            text_hashes(&response.body, Role::Response, &mut texts);
        }
        for text in texts {
            said.entry(text).or_insert(turn);
        }
    }
    evidence
}

fn kept_evidence(parent: usize, m: usize, kept: usize, key: &str) -> Evidence {
    Evidence {
        signal: Signal::KeptContext,
        state: Some(StateKind::Conversation),
        strength: Strength::Strong,
        calls: vec![parent.min(m), parent.max(m)],
        dependents: vec![parent],
        places: vec![At::body(Side::Sent).of(parent), At::sent(Part::Body { pointer: format!("/{key}") }).of(m)],
        handle: None,
        secret: false,
        api: None,
        reason: Reason::KeptContext { caller: parent, model_call: m, items: kept },
        notes: Vec::new(),
    }
}
