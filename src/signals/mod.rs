//! Signals: each reads the normalized trace and yields evidence. Every signal is linear in the
//! size of the trace (hash maps and prefix hashes, never a comparison of all pairs of calls).

pub mod declared;
mod handles;
mod kept_context;
mod labels;
pub mod place;
mod places;
pub mod reason;
mod replay;
mod resources;
pub mod retention;
mod transport;

pub use crate::lexicon::{self, StateKind};
pub use declared::{DefaultMode, Fingerprint, Rules, UserRules};
pub use place::{At, Part, Place, Side};
pub use reason::{Note, Reason};

use crate::model::Trace;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// A value minted by the server and later sent by the client.
    HandleFlow,
    /// A request carrying an earlier request's items and the model's reply: the client holds the
    /// conversation.
    ContextReplay,
    /// A known API's field or header that carries state, seen with a value minted outside the trace.
    Declared,
    /// WebSockets, SSE resumption, cookie sessions.
    Transport,
    /// A model call carries earlier turns that the call it was made for did not: the layer
    /// between them kept the conversation.
    KeptContext,
    /// A session, conversation, thread or user id stamped on spans: it groups them, and proves
    /// nothing kept on a server by itself (reported so that the reader sees why it did not count).
    Label,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    Weak,
    Medium,
    Strong,
}

/// One piece of evidence, naming its calls and the exact places.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub signal: Signal,
    /// The state the evidence shows; `None` for evidence of statelessness (replay).
    pub state: Option<StateKind>,
    pub strength: Strength,
    /// Every call involved, in trace order.
    pub calls: Vec<usize>,
    /// The calls whose result depends on the state (the ones that send the handle).
    pub dependents: Vec<usize>,
    pub places: Vec<Place>,
    /// The handle's value, kept only to group calls into sessions; reports show a fingerprint.
    pub handle: Option<String>,
    /// Whether the handle is a secret (a cookie value): its fingerprint then shows no prefix.
    pub secret: bool,
    /// The API family whose fingerprint declared the place, if any.
    pub api: Option<String>,
    /// What the evidence saw; `report/` words it.
    pub reason: Reason,
    /// What was found later that weakens it, in the order found.
    pub notes: Vec<Note>,
}

/// Runs every signal over the trace.
pub fn collect(trace: &Trace, rules: &Rules, apis: &[Option<&Fingerprint>]) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    let flows = handles::flows(trace, rules, apis);
    let minted: rustc_hash::FxHashSet<&str> = flows.iter().filter_map(|e| e.handle.as_deref()).collect();
    let declarations = declared::declarations(trace, apis, &minted);
    evidence.extend(declarations);
    evidence.extend(flows);
    evidence.extend(transport::signals(trace));
    evidence.extend(resources::client_named(trace));
    evidence.extend(replay::replays(trace));
    let kept = kept_context::kept_context(trace);
    evidence.extend(labels::labels(trace, apis, &kept));
    evidence.extend(kept);
    outweigh_declarations(&mut evidence);
    judge_by_host(&mut evidence, apis);
    evidence
}

/// The same wire shape on a host that keeps no state (a gateway whose Responses API is
/// stateless by contract) cannot depend on server-kept state, whatever the client sends.
fn judge_by_host(evidence: &mut [Evidence], apis: &[Option<&Fingerprint>]) {
    for e in evidence.iter_mut().filter(|e| e.state.is_some_and(StateKind::is_stateful)) {
        let stateless_host = |c: &usize| apis[*c].is_some_and(|fp| !fp.keeps_state);
        let Some(family) =
            e.dependents.iter().find(|c| stateless_host(c)).and_then(|&c| apis[c]).map(|fp| fp.family.clone())
        else {
            continue;
        };
        e.dependents.retain(|c| !stateless_host(c));
        e.notes.push(Note::StatelessHost { family });
        e.strength = Strength::Weak;
    }
}

/// What the trace shows outweighs what an API declares: a call that resends its whole context
/// does not depend on the conversation handle it also carries (observability labels such as
/// `gen_ai.conversation.id` are often set on every call).
fn outweigh_declarations(evidence: &mut [Evidence]) {
    let replaying: rustc_hash::FxHashSet<usize> =
        evidence.iter().filter(|e| e.signal == Signal::ContextReplay).filter_map(|e| e.calls.last().copied()).collect();
    for e in evidence.iter_mut().filter(|e| e.signal == Signal::Declared && e.state == Some(StateKind::Conversation)) {
        let (kept, outweighed): (Vec<usize>, Vec<usize>) = e.dependents.iter().partition(|c| !replaying.contains(c));
        if outweighed.is_empty() {
            continue;
        }
        e.notes.push(Note::ResendsContext { calls: outweighed });
        e.dependents = kept;
        e.strength = Strength::Weak;
    }
}
