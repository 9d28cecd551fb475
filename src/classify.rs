//! The classifier: evidence in, per-call modes, sessions and a trace verdict out.

use crate::model::Trace;
use crate::signals::{Evidence, Fingerprint, Signal, StateKind, Strength};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Stateless,
    Stateful,
    /// Stateless in its conversation but using a stored resource or a polled job.
    ResourceDependent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Stateless,
    Stateful,
    Layered,
    Mixed,
    Inconclusive,
}

impl Label {
    /// The label as the report spells it.
    pub fn as_str(self) -> &'static str {
        crate::names::variant_name(&self)
    }
}

pub struct CallClass {
    pub mode: Mode,
    pub state: Vec<StateKind>,
    pub session: Option<usize>,
    /// Indices into the evidence list.
    pub evidence: Vec<usize>,
}

pub struct Session {
    pub mode: Mode,
    pub state: Vec<StateKind>,
    pub calls: Vec<usize>,
    /// Evidence carrying a handle: (evidence index).
    pub handles: Vec<usize>,
}

pub struct Verdict {
    pub label: Label,
    pub confidence: f64,
    /// What the verdict rests on; `report/` words it.
    pub explanation: Explanation,
    /// Indices into the evidence list, most decisive first.
    pub deciding: Vec<usize>,
}

pub struct Classification {
    pub calls: Vec<CallClass>,
    pub sessions: Vec<Session>,
    pub layers: Option<Layers>,
    pub verdict: Verdict,
}

/// Two layers of one system, linked by parent calls: an upper one (a runtime, a front door) and
/// the model calls made on its behalf.
pub struct Layers {
    /// Upper calls with model calls beneath them.
    pub upper: Vec<usize>,
    /// The model calls beneath them.
    pub lower: Vec<usize>,
    /// The upper layer keeps state and the model calls do not: a stateful runtime on stateless
    /// model calls. `false` is the reverse: the model calls depend on state, the upper layer not.
    pub stateful_upper: bool,
}

/// Union-find over calls, to group them into sessions.
struct Groups(Vec<usize>);

impl Groups {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// Whether an evidence item shows a dependency on stateful server state.
fn shows_state(e: &Evidence) -> bool {
    e.state.is_some_and(StateKind::is_stateful) && !e.dependents.is_empty()
}

pub fn classify(trace: &Trace, evidence: &[Evidence], apis: &[Option<&Fingerprint>]) -> Classification {
    let (mut calls, mut groups) = call_classes(trace.calls.len(), evidence);
    let sessions = sessions(&mut calls, &mut groups, evidence);
    let layers = layers(trace, evidence, &calls, &sessions, apis);
    let verdict = verdict(trace, evidence, &calls, &sessions, layers.as_ref(), apis);
    Classification { calls, sessions, layers, verdict }
}

/// Each call's mode, state and evidence, and the groups of calls that evidence links.
fn call_classes(n: usize, evidence: &[Evidence]) -> (Vec<CallClass>, Groups) {
    let mut calls: Vec<CallClass> = (0..n)
        .map(|_| CallClass { mode: Mode::Stateless, state: Vec::new(), session: None, evidence: Vec::new() })
        .collect();
    let mut groups = Groups((0..n).collect());
    for (i, e) in evidence.iter().enumerate() {
        for &c in &e.calls {
            if calls[c].evidence.last() != Some(&i) {
                calls[c].evidence.push(i);
            }
        }
        // Calls of one layer form sessions; the link between layers is not a session.
        if !matches!(e.signal, Signal::KeptContext | Signal::Label) {
            for pair in e.calls.windows(2) {
                groups.union(pair[0], pair[1]);
            }
        }
        let Some(kind) = e.state else { continue };
        for &c in &e.dependents {
            let class = &mut calls[c];
            if !class.state.contains(&kind) {
                class.state.push(kind);
            }
            class.mode = match (class.mode, kind.is_stateful()) {
                (_, true) | (Mode::Stateful, _) => Mode::Stateful,
                _ => Mode::ResourceDependent,
            };
        }
    }
    for class in &mut calls {
        crate::sort::sort_by(&mut class.state, Ord::cmp);
    }
    (calls, groups)
}

/// Sessions: groups of linked calls, and single calls that carry state on their own; each call
/// learns its session.
fn sessions(calls: &mut [CallClass], groups: &mut Groups, evidence: &[Evidence]) -> Vec<Session> {
    let mut sessions: Vec<Session> = Vec::new();
    let mut session_of_root = rustc_hash::FxHashMap::default();
    for c in 0..calls.len() {
        let root = groups.find(c);
        let index = *session_of_root.entry(root).or_insert_with(|| {
            sessions.push(Session { mode: Mode::Stateless, state: Vec::new(), calls: Vec::new(), handles: Vec::new() });
            sessions.len() - 1
        });
        sessions[index].calls.push(c);
    }
    for (i, e) in evidence.iter().enumerate() {
        let Some(&first) = e.calls.first() else { continue };
        let session = &mut sessions[session_of_root[&groups.find(first)]];
        if let Some(kind) = e.state {
            if !session.state.contains(&kind) {
                session.state.push(kind);
            }
        }
        if e.handle.is_some() {
            session.handles.push(i);
        }
    }
    let mut kept = Vec::new();
    for mut session in sessions.into_iter().filter(|s| s.calls.len() > 1 || !s.state.is_empty()) {
        crate::sort::sort_by(&mut session.state, Ord::cmp);
        let any = |mode| session.calls.iter().any(|&c| calls[c].mode == mode);
        session.mode = if any(Mode::Stateful) {
            Mode::Stateful
        } else if any(Mode::ResourceDependent) {
            Mode::ResourceDependent
        } else {
            Mode::Stateless
        };
        kept.push(session);
    }
    for (s, session) in kept.iter().enumerate() {
        for &c in &session.calls {
            calls[c].session = Some(s);
        }
    }
    kept
}

/// A call made to a model: a GenAI inference span, a known model API, or a request that
/// replays a conversation.
fn is_model_call(
    trace: &Trace,
    c: usize,
    apis: &[Option<&Fingerprint>],
    replayed: &rustc_hash::FxHashSet<usize>,
) -> bool {
    let inference = trace.calls[c]
        .span
        .as_ref()
        .and_then(|s| s.operation.as_deref())
        .is_some_and(|op| matches!(op, "chat" | "text_completion" | "generate_content"));
    inference
        || apis[c].is_some_and(|fp| fp.default_mode() == Some(crate::signals::DefaultMode::Stateless))
        || replayed.contains(&c)
}

/// Finds model calls made on behalf of other calls (through parent links) where one layer keeps
/// state and the other does not.
fn layers(
    trace: &Trace,
    evidence: &[Evidence],
    calls: &[CallClass],
    sessions: &[Session],
    apis: &[Option<&Fingerprint>],
) -> Option<Layers> {
    let keeps_state = |c: usize| {
        calls[c].mode == Mode::Stateful || calls[c].session.is_some_and(|s| sessions[s].mode == Mode::Stateful)
    };
    let replayed: rustc_hash::FxHashSet<usize> =
        evidence.iter().filter(|e| e.signal == Signal::ContextReplay).flat_map(|e| e.calls.iter().copied()).collect();
    let (mut down, mut up) = (
        Layers { upper: Vec::new(), lower: Vec::new(), stateful_upper: true },
        Layers { upper: Vec::new(), lower: Vec::new(), stateful_upper: false },
    );
    for (c, class) in calls.iter().enumerate() {
        if !is_model_call(trace, c, apis, &replayed) {
            continue;
        }
        // Ancestors, nearest first (bounded: parent links come from the input).
        let mut ancestors = Vec::new();
        let mut at = trace.calls[c].parent;
        while let Some(parent) = at {
            if ancestors.len() >= 256 || ancestors.contains(&parent.call) {
                break;
            }
            ancestors.push(parent.call);
            at = trace.calls[parent.call].parent;
        }
        let Some(&top) = ancestors.last() else { continue };
        let stateful_ancestor = ancestors.iter().copied().find(|&a| keeps_state(a));
        match (stateful_ancestor, class.mode == Mode::Stateful) {
            (Some(a), false) => {
                down.upper.push(a);
                down.lower.push(c);
            }
            (None, true) => {
                up.upper.push(top);
                up.lower.push(c);
            }
            _ => {}
        }
    }
    let chosen = if !down.lower.is_empty() { down } else { up };
    if chosen.lower.is_empty() {
        return None;
    }
    let mut chosen = chosen;
    // Every stateful call of the upper layer belongs to it, not only those with children.
    if chosen.stateful_upper {
        chosen.upper.extend((0..calls.len()).filter(|&c| keeps_state(c) && !chosen.lower.contains(&c)));
    }
    crate::sort::sort_distinct(&mut chosen.upper);
    crate::sort::sort_distinct(&mut chosen.lower);
    Some(chosen)
}

fn confidence_of(strength: Strength) -> f64 {
    match strength {
        Strength::Strong => 0.95,
        Strength::Medium => 0.8,
        Strength::Weak => 0.6,
    }
}

/// Why the evidence deciding a stateful verdict is believed less.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hedge {
    None,
    /// The handle is declared by the API's fingerprint, not seen flowing.
    Declared,
    /// A transport or a weak match, not an observed handle flow.
    Weak,
}

/// Stored resources and polled jobs the calls use: their kinds and the evidence cited for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub kinds: Vec<StateKind>,
    pub cited: Vec<usize>,
}

/// What the verdict rests on, as data: the numbers, kinds and evidence (indices into the evidence
/// list) that `report/` words into the explanation.
#[derive(Debug, Clone, PartialEq)]
pub enum Explanation {
    /// The input holds no calls; the first diagnostic says why, if there is one.
    NoCalls { diagnostic: Option<String> },
    /// Calls depend on state kept by the server; `mixed` when stateless model calls run beside.
    Stateful {
        mixed: bool,
        stateful_calls: usize,
        calls: usize,
        sessions: usize,
        kinds: Vec<StateKind>,
        cited: Vec<usize>,
        hedge: Hedge,
        stored: Option<Stored>,
    },
    /// A stateful runtime (`upper`) on stateless model calls (`lower`).
    Layered {
        upper: Vec<usize>,
        sessions: usize,
        kinds: Vec<StateKind>,
        cited: Vec<usize>,
        lower: Vec<usize>,
        replays: usize,
        replay_cited: Vec<usize>,
        declared_only: bool,
    },
    /// Stateless upper calls whose model calls depend on state kept by the model provider.
    StatefulBehindFront { upper: Vec<usize>, lower: Vec<usize>, kinds: Vec<StateKind>, cited: Vec<usize> },
    /// A connection whose messages are not recorded.
    OpenConnection { cited: usize },
    /// One call, sending no handle.
    OneCall { caveat: bool, stored: Option<Stored>, labels: Vec<usize> },
    /// No call sends a handle; `replays` cited when the client resends the conversation.
    Stateless { calls: usize, replays: Vec<usize>, caveat: bool, stored: Option<Stored>, labels: Vec<usize> },
}

/// The evidence a verdict considers, sorted and filtered once.
struct Found {
    /// Evidence of dependence on stateful server state, strongest first.
    stateful: Vec<usize>,
    /// Evidence of stored resources and jobs that calls depend on.
    stored: Vec<usize>,
    replays: Vec<usize>,
}

impl Found {
    fn of(evidence: &[Evidence]) -> Found {
        let mut stateful: Vec<usize> = (0..evidence.len()).filter(|&i| shows_state(&evidence[i])).collect();
        // Strongest first; among equals, handle flows before declarations.
        crate::sort::sort_by_key(&mut stateful, |&i| {
            (std::cmp::Reverse(evidence[i].strength), evidence[i].signal != Signal::HandleFlow, i)
        });
        let stored = (0..evidence.len())
            .filter(|&i| evidence[i].state.is_some_and(|k| !k.is_stateful()) && !evidence[i].dependents.is_empty())
            .collect();
        let replays = (0..evidence.len()).filter(|&i| evidence[i].signal == Signal::ContextReplay).collect();
        Found { stateful, stored, replays }
    }

    fn stored_note(&self, evidence: &[Evidence]) -> Option<Stored> {
        (!self.stored.is_empty()).then(|| Stored {
            kinds: kinds_of(evidence, &self.stored),
            cited: self.stored[..self.stored.len().min(2)].to_vec(),
        })
    }
}

fn verdict(
    trace: &Trace,
    evidence: &[Evidence],
    calls: &[CallClass],
    sessions: &[Session],
    layers: Option<&Layers>,
    apis: &[Option<&Fingerprint>],
) -> Verdict {
    if calls.is_empty() {
        let diagnostic = trace.diagnostics.first().map(|d| d.message.clone());
        return Verdict {
            label: Label::Inconclusive,
            confidence: 0.0,
            explanation: Explanation::NoCalls { diagnostic },
            deciding: Vec::new(),
        };
    }
    let found = Found::of(evidence);
    if let (Some(layers), false) = (layers, found.stateful.is_empty()) {
        return layered_verdict(evidence, &found.stateful, calls, sessions, layers);
    }
    if !found.stateful.is_empty() {
        return stateful_verdict(evidence, &found, calls, sessions, apis);
    }
    stateless_verdict(trace, evidence, &found, calls.len())
}

/// Calls depend on stateful server state: stateful, or mixed when stateless model calls that
/// carry their own context run beside the stateful sessions.
fn stateful_verdict(
    evidence: &[Evidence],
    found: &Found,
    calls: &[CallClass],
    sessions: &[Session],
    apis: &[Option<&Fingerprint>],
) -> Verdict {
    let stateful = &found.stateful;
    let stateless_beside = (0..calls.len()).any(|c| {
        let outside = calls[c].session.is_none_or(|s| sessions[s].mode != Mode::Stateful);
        let model_call = apis[c].is_some_and(|fp| fp.default_mode() == Some(crate::signals::DefaultMode::Stateless))
            || found.replays.iter().any(|&r| evidence[r].calls.contains(&c));
        outside && model_call && calls[c].mode == Mode::Stateless
    });
    let strength = evidence[stateful[0]].strength;
    let hedge = match (strength, evidence[stateful[0]].signal) {
        (_, Signal::Declared) => Hedge::Declared,
        (Strength::Weak, _) => Hedge::Weak,
        _ => Hedge::None,
    };
    let deciding: Vec<usize> = stateful.iter().take(3).copied().collect();
    Verdict {
        label: if stateless_beside { Label::Mixed } else { Label::Stateful },
        confidence: confidence_of(strength),
        explanation: Explanation::Stateful {
            mixed: stateless_beside,
            stateful_calls: calls.iter().filter(|c| c.mode == Mode::Stateful).count(),
            calls: calls.len(),
            sessions: sessions.iter().filter(|s| s.mode == Mode::Stateful).count(),
            kinds: kinds_of(evidence, stateful),
            cited: deciding.clone(),
            hedge,
            stored: found.stored_note(evidence),
        },
        deciding,
    }
}

/// No call depends on stateful server state: stateless, or inconclusive when all the trace holds
/// is a connection whose messages are not recorded.
fn stateless_verdict(trace: &Trace, evidence: &[Evidence], found: &Found, n: usize) -> Verdict {
    let weak_connection: Vec<usize> = (0..evidence.len())
        .filter(|&i| evidence[i].state == Some(StateKind::Connection) && evidence[i].dependents.is_empty())
        .collect();
    if !weak_connection.is_empty() && n <= weak_connection.len() + 1 {
        return Verdict {
            label: Label::Inconclusive,
            confidence: 0.3,
            explanation: Explanation::OpenConnection { cited: weak_connection[0] },
            deciding: weak_connection[..1].to_vec(),
        };
    }
    let caveat = browser_capture_without_credentials(trace);
    let stored = found.stored_note(evidence);
    let labels = labels_cited(evidence);
    if n == 1 {
        return Verdict {
            label: Label::Stateless,
            confidence: 0.5,
            explanation: Explanation::OneCall { caveat, stored, labels },
            deciding: Vec::new(),
        };
    }
    let deciding: Vec<usize> = found.replays.iter().take(2).copied().collect();
    let confidence = if deciding.is_empty() { 0.75 } else { 0.9 };
    Verdict {
        label: Label::Stateless,
        confidence: if caveat { confidence - 0.1 } else { confidence },
        explanation: Explanation::Stateless { calls: n, replays: deciding.clone(), caveat, stored, labels },
        deciding: [deciding, found.stored.clone()].concat(),
    }
}

/// Two layers: which one keeps state, with the evidence for each.
fn layered_verdict(
    evidence: &[Evidence],
    stateful: &[usize],
    calls: &[CallClass],
    sessions: &[Session],
    layers: &Layers,
) -> Verdict {
    let in_layer = |e: &Evidence, members: &[usize]| e.calls.iter().any(|c| members.binary_search(c).is_ok());
    let upper_state: Vec<usize> = stateful.iter().copied().filter(|&i| in_layer(&evidence[i], &layers.upper)).collect();
    let lower_state: Vec<usize> = stateful.iter().copied().filter(|&i| in_layer(&evidence[i], &layers.lower)).collect();
    let replays: Vec<usize> = (0..evidence.len())
        .filter(|&i| evidence[i].signal == Signal::ContextReplay && in_layer(&evidence[i], &layers.lower))
        .collect();
    let strength = evidence[stateful[0]].strength;
    if !layers.stateful_upper {
        let deciding: Vec<usize> = lower_state.iter().take(3).copied().collect();
        return Verdict {
            label: Label::Stateful,
            confidence: confidence_of(strength),
            explanation: Explanation::StatefulBehindFront {
                upper: layers.upper.clone(),
                lower: layers.lower.clone(),
                kinds: kinds_of(evidence, &lower_state),
                cited: deciding.clone(),
            },
            deciding,
        };
    }
    let upper_sessions: rustc_hash::FxHashSet<usize> =
        layers.upper.iter().filter_map(|&c| calls[c].session).filter(|&s| sessions[s].mode == Mode::Stateful).collect();
    let deciding: Vec<usize> = upper_state.iter().take(2).chain(replays.iter().take(1)).copied().collect();
    // A runtime whose state is only declared (the session id it is called with, under an API
    // whose contract keeps state behind it) is believed less than one seen keeping state.
    let declared_only = upper_state.iter().all(|&i| evidence[i].signal == Signal::Declared);
    Verdict {
        label: Label::Layered,
        confidence: if declared_only {
            confidence_of(strength.min(Strength::Medium)) - 0.1
        } else {
            confidence_of(strength)
        },
        explanation: Explanation::Layered {
            upper: layers.upper.clone(),
            sessions: upper_sessions.len().max(1),
            kinds: kinds_of(evidence, &upper_state),
            cited: upper_state[..upper_state.len().min(2)].to_vec(),
            lower: layers.lower.clone(),
            replays: replays.len(),
            replay_cited: replays[..replays.len().min(1)].to_vec(),
            declared_only,
        },
        deciding,
    }
}

/// Session tags seen on spans (at most three), which did not count.
fn labels_cited(evidence: &[Evidence]) -> Vec<usize> {
    (0..evidence.len())
        .filter(|&i| evidence[i].signal == Signal::Label)
        .filter(|&i| matches!(evidence[i].places.first(), Some(p) if matches!(p.part, crate::signals::Part::Attribute { .. })))
        .take(3)
        .collect()
}

fn kinds_of(evidence: &[Evidence], ids: &[usize]) -> Vec<StateKind> {
    let mut kinds: Vec<StateKind> = ids.iter().filter_map(|&i| evidence[i].state).collect();
    crate::sort::sort_by(&mut kinds, Ord::cmp);
    kinds.dedup();
    kinds
}

/// A HAR from a browser where no request carries a cookie or credentials: probably sanitised.
fn browser_capture_without_credentials(trace: &Trace) -> bool {
    let browser = trace.inputs.iter().any(|i| i.format == crate::model::Format::Har);
    browser
        && trace.calls.iter().all(|c| {
            let h = &c.request.headers;
            h.get("cookie").is_none() && h.get("authorization").is_none()
        })
}
