//! The classifier: evidence in, per-call modes, sessions and a trace verdict out.

use crate::model::Trace;
use crate::signals::{numbered as list, Evidence, Fingerprint, Signal, StateKind, Strength};
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
    pub explanation: String,
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
    let n = trace.calls.len();
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

    // Sessions: groups of linked calls, and single calls that carry state on their own.
    let mut sessions: Vec<Session> = Vec::new();
    let mut session_of_root = rustc_hash::FxHashMap::default();
    for c in 0..n {
        let root = groups.find(c);
        let index = *session_of_root.entry(root).or_insert_with(|| {
            sessions.push(Session { mode: Mode::Stateless, state: Vec::new(), calls: Vec::new(), handles: Vec::new() });
            sessions.len() - 1
        });
        sessions[index].calls.push(c);
    }
    for (i, e) in evidence.iter().enumerate() {
        let Some(&first) = e.calls.first() else { continue };
        let index = session_of_root[&groups.find(first)];
        let session = &mut sessions[index];
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
    for mut session in sessions {
        let linked = session.calls.len() > 1 || !session.state.is_empty();
        if !linked {
            continue;
        }
        crate::sort::sort_by(&mut session.state, Ord::cmp);
        session.mode = if session.calls.iter().any(|&c| calls[c].mode == Mode::Stateful) {
            Mode::Stateful
        } else if session.calls.iter().any(|&c| calls[c].mode == Mode::ResourceDependent) {
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
    let layers = layers(trace, evidence, &calls, &kept, apis);
    let verdict = verdict(trace, evidence, &calls, &kept, layers.as_ref(), apis);
    Classification { calls, sessions: kept, layers, verdict }
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
    chosen.upper.sort_unstable();
    chosen.upper.dedup();
    chosen.lower.sort_unstable();
    chosen.lower.dedup();
    Some(chosen)
}

fn confidence_of(strength: Strength) -> f64 {
    match strength {
        Strength::Strong => 0.95,
        Strength::Medium => 0.8,
        Strength::Weak => 0.6,
    }
}

fn cite(evidence: &[Evidence], ids: &[usize]) -> String {
    ids.iter().map(|&i| format!("[E{}] {}", i + 1, evidence[i].message)).collect::<Vec<_>>().join(" ")
}

fn verdict(
    trace: &Trace,
    evidence: &[Evidence],
    calls: &[CallClass],
    sessions: &[Session],
    layers: Option<&Layers>,
    apis: &[Option<&Fingerprint>],
) -> Verdict {
    let n = calls.len();
    if n == 0 {
        return Verdict {
            label: Label::Inconclusive,
            confidence: 0.0,
            explanation: if trace.diagnostics.is_empty() {
                "Inconclusive: the input holds no calls.".into()
            } else {
                format!(
                    "Inconclusive: the input holds no calls ({}).",
                    trace.diagnostics[0].message.trim_end_matches('.')
                )
            },
            deciding: Vec::new(),
        };
    }
    let mut stateful: Vec<usize> = (0..evidence.len()).filter(|&i| shows_state(&evidence[i])).collect();
    // Strongest first; among equals, handle flows before declarations.
    crate::sort::sort_by_key(&mut stateful, |&i| {
        (std::cmp::Reverse(evidence[i].strength), evidence[i].signal != Signal::HandleFlow, i)
    });
    let stored: Vec<usize> = (0..evidence.len())
        .filter(|&i| evidence[i].state.is_some_and(|k| !k.is_stateful()) && !evidence[i].dependents.is_empty())
        .collect();
    let replays: Vec<usize> = (0..evidence.len()).filter(|&i| evidence[i].signal == Signal::ContextReplay).collect();
    let stored_note = if stored.is_empty() {
        String::new()
    } else {
        let kinds = kinds_of(evidence, &stored);
        format!(
            " Calls also use {kinds} kept by the server, which do not by themselves make the traffic stateful: {}",
            cite(evidence, &stored[..stored.len().min(2)])
        )
    };

    if let (Some(layers), false) = (layers, stateful.is_empty()) {
        return layered_verdict(evidence, &stateful, calls, sessions, layers);
    }
    if !stateful.is_empty() {
        let stateful_calls = calls.iter().filter(|c| c.mode == Mode::Stateful).count();
        let stateful_sessions = sessions.iter().filter(|s| s.mode == Mode::Stateful).count();
        // Mixed: a stateless model conversation runs beside the stateful sessions.
        let stateless_beside = (0..n).any(|c| {
            let outside = calls[c].session.is_none_or(|s| sessions[s].mode != Mode::Stateful);
            let model_call = apis[c]
                .is_some_and(|fp| fp.default_mode() == Some(crate::signals::DefaultMode::Stateless))
                || replays.iter().any(|&r| evidence[r].calls.contains(&c));
            outside && model_call && calls[c].mode == Mode::Stateless
        });
        let label = if stateless_beside { Label::Mixed } else { Label::Stateful };
        let strength = evidence[stateful[0]].strength;
        let kinds = kinds_of(evidence, &stateful);
        let deciding: Vec<usize> = stateful.iter().take(3).copied().collect();
        let lead = match label {
            Label::Mixed => format!(
                "Mixed: {stateful_calls} of {n} calls depend on {kinds} state kept by the server ({stateful_sessions} stateful session(s)), beside stateless model calls that carry their own context."
            ),
            _ => format!("Stateful: {stateful_calls} of {n} calls depend on {kinds} state kept by the server ({stateful_sessions} session(s))."),
        };
        let hedge = match (strength, evidence[stateful[0]].signal) {
            (_, Signal::Declared) => {
                " The handle is declared by the API's fingerprint, not seen flowing from a response, so confidence is lower than for an observed handle."
            }
            (Strength::Weak, _) => " The evidence is a transport or a weak match, not an observed handle flow, so confidence is limited.",
            _ => "",
        };
        return Verdict {
            label,
            confidence: confidence_of(strength),
            explanation: format!("{lead} {}{hedge}{stored_note}", cite(evidence, &deciding)),
            deciding,
        };
    }

    let weak_connection: Vec<usize> = (0..evidence.len())
        .filter(|&i| evidence[i].state == Some(StateKind::Connection) && evidence[i].dependents.is_empty())
        .collect();
    if !weak_connection.is_empty() && n <= weak_connection.len() + 1 {
        return Verdict {
            label: Label::Inconclusive,
            confidence: 0.3,
            explanation: format!(
                "Inconclusive: the trace opens a connection whose messages are not recorded. {}",
                cite(evidence, &weak_connection[..1])
            ),
            deciding: weak_connection[..1].to_vec(),
        };
    }
    let stripped = browser_capture_without_credentials(trace);
    let caveat = if stripped {
        " Browsers leave cookies and Authorization headers out of HAR exports by default, so a cookie session could be hidden."
    } else {
        ""
    };
    if n == 1 {
        return Verdict {
            label: Label::Stateless,
            confidence: 0.5,
            explanation: format!("Stateless as far as one call can show: it sends no handle to server-kept state, and there is no other call to link it to.{caveat}{stored_note}{}", labels_note(evidence)),
            deciding: Vec::new(),
        };
    }
    let deciding: Vec<usize> = replays.iter().take(2).copied().collect();
    let (confidence, lead) = if replays.is_empty() {
        (0.75, format!("Stateless: none of the {n} calls sends back a handle to conversation, session, connection or sandbox state kept by the server."))
    } else {
        (
            0.9,
            format!(
                "Stateless: the client carries the conversation, resending it on each call, and none of the {n} calls refers to server-kept conversation, session, connection or sandbox state. {}",
                cite(evidence, &deciding)
            ),
        )
    };
    Verdict {
        label: Label::Stateless,
        confidence: if stripped { confidence - 0.1 } else { confidence },
        explanation: format!("{lead}{caveat}{stored_note}{}", labels_note(evidence)),
        deciding: [deciding, stored].concat(),
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
    if layers.stateful_upper {
        let upper_sessions: rustc_hash::FxHashSet<usize> = layers
            .upper
            .iter()
            .filter_map(|&c| calls[c].session)
            .filter(|&s| sessions[s].mode == Mode::Stateful)
            .collect();
        let how = if replays.is_empty() {
            "none of them sends a handle to server-kept state.".to_string()
        } else {
            format!(
                "{} of them resend the whole context: {}",
                replays.len(),
                cite(evidence, &replays[..replays.len().min(1)])
            )
        };
        let deciding: Vec<usize> = upper_state.iter().take(2).chain(replays.iter().take(1)).copied().collect();
        // A runtime whose state is only declared (the session id it is called with, under an API
        // whose contract keeps state behind it) is believed less than one seen keeping state.
        let declared_only = upper_state.iter().all(|&i| evidence[i].signal == Signal::Declared);
        let hedge = if declared_only {
            " The runtime's state is declared by its API's contract (the session it is called with), not seen kept in this trace (no model call carries turns its caller did not send), so confidence is lower."
        } else {
            ""
        };
        return Verdict {
            label: Label::Layered,
            confidence: if declared_only { confidence_of(strength.min(Strength::Medium)) - 0.1 } else { confidence_of(strength) },
            explanation: format!(
                "Layered: a stateful runtime built on stateless model calls. The runtime layer (calls {} in {} session(s)) keeps {} state: {} Beneath it, its {} model call(s) (calls {}) are stateless: {}",
                list(&layers.upper),
                upper_sessions.len().max(1),
                kinds_of(evidence, &upper_state),
                cite(evidence, &upper_state[..upper_state.len().min(2)]),
                layers.lower.len(),
                list(&layers.lower),
                how
            ) + hedge,
            deciding,
        };
    }
    let deciding: Vec<usize> = lower_state.iter().take(3).copied().collect();
    Verdict {
        label: Label::Stateful,
        confidence: confidence_of(strength),
        explanation: format!(
            "Stateful behind a stateless front: the upper calls ({}) carry no server-kept state, but the {} model call(s) made for them (calls {}) depend on {} state kept by the model provider: {}",
            list(&layers.upper),
            layers.lower.len(),
            list(&layers.lower),
            kinds_of(evidence, &lower_state),
            cite(evidence, &deciding)
        ),
        deciding,
    }
}

/// Session tags seen on spans, and that they did not count.
fn labels_note(evidence: &[Evidence]) -> String {
    let labels: Vec<String> = (0..evidence.len())
        .filter(|&i| evidence[i].signal == Signal::Label)
        .filter_map(|i| {
            let key = evidence[i].places.first()?.at.strip_prefix("span.attributes/")?;
            Some(format!("`{key}` [E{}]", i + 1))
        })
        .take(3)
        .collect();
    match labels.as_slice() {
        [] => String::new(),
        [one] => {
            format!(" The tag {one} groups calls but is a label, not state: nothing shows a call depending on it.")
        }
        many => format!(
            " The tags {} group calls but are labels, not state: nothing shows a call depending on them.",
            many.join(", ")
        ),
    }
}

fn kinds_of(evidence: &[Evidence], ids: &[usize]) -> String {
    let mut kinds: Vec<StateKind> = ids.iter().filter_map(|&i| evidence[i].state).collect();
    crate::sort::sort_by(&mut kinds, Ord::cmp);
    kinds.dedup();
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
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
