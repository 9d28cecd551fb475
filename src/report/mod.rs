//! The report: a versioned JSON document (`callstate.report/2`) and its Markdown and text
//! renderings. The sentences are made here ([`words`]) from what the evidence and the verdict saw.
//! Every string that comes from the trace passes through the redaction policy on its way here.

pub mod each;
pub mod exchange;
mod markdown;
pub mod policy_result;
pub mod policy_text;
mod text;
mod time;
pub mod words;

pub use exchange::Exchange;
pub use markdown::to_markdown;
pub use text::to_text;
pub use words::{Phrase, Sentence};

use crate::classify::{Classification, Label, Mode};
use crate::model::{Call, Diagnostic, Input, LinkKind, Trace, Transport};
use crate::redact;
use crate::signals::retention::{retention, RetentionKind};
use crate::signals::{Evidence, Fingerprint, Note, Part, Reason, Side, Signal, StateKind, Strength};
use schemars::JsonSchema;
use serde::Serialize;

/// Version 2 added the structured fields next to the sentences: each place's `side` and `part`,
/// each evidence item's `reason`, `notes` and `message_parts`, and the verdict's
/// `explanation_parts`. Every field of version 1 is still there, with the same content.
pub const SCHEMA: &str = "callstate.report/2";

/// The name a unit enum serializes to (`stateful`, `handle_flow`): what the renderers print.
fn wire_name<T: Serialize>(value: &T) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    quoted.trim_matches('"').to_string()
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    pub schema: &'static str,
    pub tool: Tool,
    pub inputs: Vec<Input>,
    pub verdict: VerdictReport,
    pub summary: Summary,
    pub calls: Vec<CallReport>,
    pub sessions: Vec<SessionReport>,
    pub layers: Option<LayersReport>,
    pub evidence: Vec<EvidenceReport>,
    /// Requests that ask the server to retain conversation data, whether or not a later call
    /// depends on it.
    pub retention: Vec<RetentionReport>,
    pub diagnostics: Vec<Diagnostic>,
    /// The policy's result, when the analysis was given one (`--policy`, the `policy` option).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<policy_result::PolicyResult>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerdictReport {
    pub label: Label,
    pub confidence: f64,
    pub level: Level,
    pub explanation: String,
    /// The explanation as phrases (text, quoted names, cited evidence), for renderers that make
    /// code and links of them.
    pub explanation_parts: Vec<Phrase>,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Summary {
    pub calls: usize,
    pub stateful: usize,
    pub stateless: usize,
    pub resource_dependent: usize,
    pub sessions: usize,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Api {
    pub id: String,
    pub family: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CallReport {
    /// From 1, in trace order.
    pub index: usize,
    /// Index into `inputs`.
    pub input: usize,
    /// Index (from 0) of the entry or interaction in that input.
    pub entry: usize,
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub transport: Transport,
    /// When the call started, in whole microseconds since the Unix epoch (UTC), where the input
    /// records it (HAR `startedDateTime`, a span's start, a log line's `time`, a cassette's
    /// `recorded_at`, a WebSocket's first message).
    pub started_us: Option<i64>,
    /// How long the call took, in whole microseconds: HAR `time`, a span's end minus its start, a
    /// log line's `duration_ms`; a WebSocket lasts at least until its last recorded message.
    pub duration_us: Option<i64>,
    pub api: Option<Api>,
    pub mode: Mode,
    pub state: Vec<StateKind>,
    pub session: Option<String>,
    pub evidence: Vec<String>,
    /// The call (from 1) this one was made on behalf of, and what shows it.
    pub parent: Option<usize>,
    pub linked_by: Option<LinkKind>,
    /// For calls read from traces: the span.
    pub span: Option<SpanReport>,
    /// The layer of the call when the trace has two.
    pub layer: Option<Layer>,
}

/// How much the verdict can be relied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    High,
    Medium,
    Low,
}

/// One of two layers of a system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// The runtime, front door or session API.
    Upper,
    /// The model calls made on its behalf.
    Lower,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SpanReport {
    pub name: String,
    pub operation: Option<String>,
    pub service: Option<String>,
    pub trace_id: String,
    pub span_id: String,
}

/// The two layers of a layered trace.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LayersReport {
    /// The layer that keeps state: the upper one (a stateful runtime on stateless model calls)
    /// or the lower one (stateless calls in front of stateful model calls).
    pub stateful: Layer,
    pub upper: Vec<usize>,
    pub lower: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SessionReport {
    pub id: String,
    pub mode: Mode,
    pub state: Vec<StateKind>,
    /// Call indices (from 1).
    pub calls: Vec<usize>,
    pub handles: Vec<HandleReport>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HandleReport {
    /// The handle's fingerprint, never its value.
    pub handle: String,
    pub state: Option<StateKind>,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EvidenceReport {
    pub id: String,
    pub signal: Signal,
    pub state: Option<StateKind>,
    pub strength: Strength,
    /// Call indices (from 1).
    pub calls: Vec<usize>,
    pub places: Vec<PlaceReport>,
    pub handle: Option<String>,
    pub api: Option<String>,
    /// What the evidence saw (call numbers from 1; the places it speaks of are `places`, its
    /// handle `handle`).
    pub reason: Reason,
    /// What was found later that weakens it.
    pub notes: Vec<Note>,
    pub message: String,
    /// The message as phrases (text, quoted names and places).
    pub message_parts: Vec<Phrase>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RetentionReport {
    /// Call index (from 1).
    pub call: usize,
    pub kind: RetentionKind,
    /// The place that asks for it (`request.body/store`, a path).
    pub at: String,
    /// The request did not say; the API keeps it unless told not to.
    pub by_default: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlaceReport {
    /// Call index (from 1).
    pub call: usize,
    /// The place as printed (`request.body/previous_response_id`).
    pub at: String,
    /// `sent` (the request, a message the client sent, the call's span) or `received` (the
    /// response, a message the server sent: where handles are minted).
    pub side: Side,
    pub part: Part,
}

/// When a call started and how long it took, in whole microseconds (see
/// [`CallReport::started_us`]). Times that are not finite, out of range or negative durations are
/// left out rather than guessed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timing {
    pub started_us: Option<i64>,
    pub duration_us: Option<i64>,
}

/// Milliseconds as whole microseconds, within what a JavaScript number holds exactly.
fn micros(ms: f64) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_991.0; // 2^53 - 1
    let us = (ms * 1000.0).round();
    (us.is_finite() && us.abs() <= EXACT).then_some(us as i64)
}

/// A call's timing: its recorded start and duration, and for a WebSocket the span of its
/// messages (it lasts until the last one, and starts at the first if nothing else says when).
pub fn timing(call: &Call) -> Timing {
    let frames = call.frames.iter().filter_map(|f| f.time_ms.and_then(micros));
    let (first, last) = frames.fold((None, None), |(lo, hi): (Option<i64>, Option<i64>), t| {
        (Some(lo.map_or(t, |lo| lo.min(t))), Some(hi.map_or(t, |hi| hi.max(t))))
    });
    let started_us = call.started_ms.and_then(micros).or(first);
    let recorded = call.duration_ms.and_then(micros).filter(|d| *d >= 0);
    let until_last = started_us.zip(last).map(|(start, last)| last.saturating_sub(start)).filter(|d| *d >= 0);
    let duration_us = match (recorded, until_last) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Timing { started_us, duration_us }
}

fn evidence_id(i: usize) -> String {
    format!("E{}", i + 1)
}

pub fn build(trace: &Trace, evidence: &[Evidence], apis: &[Option<&Fingerprint>], classes: Classification) -> Report {
    let sentences: Vec<Sentence> = evidence.iter().map(words::evidence).collect();
    let calls = call_reports(trace, evidence, apis, &classes);
    let count = |mode: Mode| classes.calls.iter().filter(|c| c.mode == mode).count();
    Report {
        schema: SCHEMA,
        tool: Tool { name: "callstate", version: env!("CARGO_PKG_VERSION") },
        summary: Summary {
            calls: calls.len(),
            stateful: count(Mode::Stateful),
            stateless: count(Mode::Stateless),
            resource_dependent: count(Mode::ResourceDependent),
            sessions: classes.sessions.len(),
        },
        verdict: verdict_report(&classes.verdict, evidence, &sentences),
        inputs: trace.inputs.clone(),
        calls,
        sessions: session_reports(&classes, evidence),
        layers: classes.layers.as_ref().map(|l| LayersReport {
            stateful: if l.stateful_upper { Layer::Upper } else { Layer::Lower },
            upper: l.upper.iter().map(|c| c + 1).collect(),
            lower: l.lower.iter().map(|c| c + 1).collect(),
        }),
        evidence: evidence.iter().zip(&sentences).enumerate().map(|(i, (e, s))| evidence_report(i, e, s)).collect(),
        retention: retention(trace, apis)
            .into_iter()
            .map(|r| RetentionReport {
                call: r.call + 1,
                kind: r.kind,
                at: redact::redact_text(&r.at).into_owned(),
                by_default: r.by_default,
            })
            .collect(),
        policy: None,
        diagnostics: trace
            .diagnostics
            .iter()
            .map(|d| Diagnostic { message: redact::redact_text(&d.message).into_owned(), ..d.clone() })
            .collect(),
    }
}

fn verdict_report(verdict: &crate::classify::Verdict, evidence: &[Evidence], sentences: &[Sentence]) -> VerdictReport {
    let level = match verdict.confidence {
        c if c >= 0.85 => Level::High,
        c if c >= 0.65 => Level::Medium,
        _ => Level::Low,
    };
    let explanation = words::explanation(&verdict.explanation, evidence, sentences).redacted();
    VerdictReport {
        label: verdict.label,
        confidence: (verdict.confidence * 100.0).round() / 100.0,
        level,
        explanation: explanation.to_string(),
        explanation_parts: explanation.0,
        evidence: verdict.deciding.iter().map(|&e| evidence_id(e)).collect(),
    }
}

fn evidence_report(i: usize, e: &Evidence, sentence: &Sentence) -> EvidenceReport {
    let message = sentence.redacted();
    EvidenceReport {
        id: evidence_id(i),
        signal: e.signal,
        state: e.state,
        strength: e.strength,
        calls: e.calls.iter().map(|c| c + 1).collect(),
        places: e
            .places
            .iter()
            .map(|p| PlaceReport {
                call: p.call + 1,
                at: redact::redact_string(p.to_string()),
                side: p.side,
                part: p.part.map_text(|text| redact::redact_text(text).into_owned()),
            })
            .collect(),
        handle: e.handle.as_deref().map(|h| redact::fingerprint(h, e.secret)),
        api: e.api.clone(),
        reason: e.reason.renumbered(),
        notes: e.notes.iter().map(Note::renumbered).collect(),
        message: message.to_string(),
        message_parts: message.0,
    }
}

fn session_reports(classes: &Classification, evidence: &[Evidence]) -> Vec<SessionReport> {
    let handle = |e: usize| {
        let item = &evidence[e];
        Some(HandleReport {
            handle: redact::fingerprint(item.handle.as_deref()?, item.secret),
            state: item.state,
            evidence: evidence_id(e),
        })
    };
    classes
        .sessions
        .iter()
        .enumerate()
        .map(|(s, session)| SessionReport {
            id: session_id(s),
            mode: session.mode,
            state: session.state.clone(),
            calls: session.calls.iter().map(|c| c + 1).collect(),
            handles: session.handles.iter().filter_map(|&e| handle(e)).collect(),
        })
        .collect()
}

fn session_id(s: usize) -> String {
    format!("S{}", s + 1)
}

fn call_reports(
    trace: &Trace,
    evidence: &[Evidence],
    apis: &[Option<&Fingerprint>],
    classes: &Classification,
) -> Vec<CallReport> {
    let handles: rustc_hash::FxHashMap<&str, String> = evidence
        .iter()
        .filter_map(|e| Some((e.handle.as_deref()?, redact::fingerprint(e.handle.as_deref()?, e.secret))))
        .collect();
    let layer = |i: usize| {
        let l = classes.layers.as_ref()?;
        if l.upper.binary_search(&i).is_ok() {
            Some(Layer::Upper)
        } else if l.lower.binary_search(&i).is_ok() {
            Some(Layer::Lower)
        } else {
            None
        }
    };
    let calls = trace.calls.iter().zip(&classes.calls).zip(apis).enumerate();
    calls
        .map(|(i, ((call, class), api))| {
            let time = timing(call);
            CallReport {
                index: i + 1,
                input: call.source.input,
                entry: call.source.entry,
                method: call.request.method.clone(),
                url: redact::url(&call.request.url, &handles),
                status: call.response.as_ref().map(|r| r.status),
                transport: call.transport,
                started_us: time.started_us,
                duration_us: time.duration_us,
                api: api.map(|fp| Api { id: fp.id.clone(), family: fp.family.clone() }),
                mode: class.mode,
                state: class.state.clone(),
                session: class.session.map(session_id),
                evidence: class.evidence.iter().map(|&e| evidence_id(e)).collect(),
                parent: call.parent.map(|p| p.call + 1),
                linked_by: call.parent.map(|p| p.by),
                span: call.span.as_ref().map(span_report),
                layer: layer(i),
            }
        })
        .collect()
}

fn span_report(s: &crate::model::Span) -> SpanReport {
    SpanReport {
        name: redact::redact_free_text(&s.name),
        operation: s.operation.clone(),
        service: s.service.clone(),
        trace_id: s.trace_id.clone(),
        span_id: s.span_id.clone(),
    }
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
