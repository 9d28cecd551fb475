//! Session tags: a `session.id`, `gen_ai.conversation.id`, thread or user id that a client or an
//! SDK stamps on spans groups them for observability. By itself it proves nothing kept on a
//! server, so it is reported as a label that did not count — unless the call's API declares state
//! behind it (then [`super::declared`] reports it) or the trace shows dependence (kept context).

use super::{At, Evidence, Fingerprint, Part, Reason, Signal, Strength};
use crate::model::Trace;
use rustc_hash::{FxHashMap, FxHashSet};

/// Span attributes that instrumentations use to group spans by session, conversation, thread or
/// user.
const LABEL_KEYS: &[&str] = &[
    "session.id",
    "gen_ai.conversation.id",
    "thread_id",
    "thread.id",
    "conversation.id",
    "gcp.vertex.agent.session_id",
    "langfuse.session.id",
    "ai.telemetry.metadata.sessionId",
    "user.id",
    "enduser.id",
];

/// One evidence item per tag and value, saying which calls carry it and why it did not count.
pub fn labels(trace: &Trace, apis: &[Option<&Fingerprint>], kept: &[Evidence]) -> Vec<Evidence> {
    let depending: FxHashSet<usize> = kept.iter().flat_map(|e| e.calls.iter().copied()).collect();
    let mut groups: Vec<(&str, &str, Vec<usize>)> = Vec::new();
    let mut index: FxHashMap<(&str, &str), usize> = FxHashMap::default();
    for (c, call) in trace.calls.iter().enumerate() {
        let Some(span) = &call.span else { continue };
        for &key in LABEL_KEYS {
            let Some(value) = span.attribute(key).filter(|v| !v.is_empty()) else { continue };
            if declares(apis[c], key) {
                continue;
            }
            let slot = *index.entry((key, value)).or_insert_with(|| {
                groups.push((key, value, Vec::new()));
                groups.len() - 1
            });
            groups[slot].2.push(c);
        }
    }
    groups.into_iter().map(|(key, value, calls)| label(key, value, calls, &depending)).collect()
}

/// Whether the call's API declares state behind this attribute (an AgentCore runtime session).
fn declares(api: Option<&Fingerprint>, key: &str) -> bool {
    api.is_some_and(|fp| fp.state.iter().any(|place| place.at.strip_prefix("span.attributes/") == Some(key)))
}

fn label(key: &str, value: &str, calls: Vec<usize>, depending: &FxHashSet<usize>) -> Evidence {
    // The value is shown only as a fingerprint: the label is not a handle the evidence keeps.
    let reason = Reason::Label {
        key: key.to_string(),
        value: crate::redact::fingerprint(value, false),
        depending: calls.iter().any(|c| depending.contains(c)),
    };
    Evidence {
        signal: Signal::Label,
        state: None,
        strength: Strength::Weak,
        places: calls.iter().map(|&call| At::sent(Part::Attribute { key: key.to_string() }).of(call)).collect(),
        calls,
        dependents: Vec::new(),
        handle: None,
        secret: false,
        api: None,
        reason,
        notes: Vec::new(),
    }
}
