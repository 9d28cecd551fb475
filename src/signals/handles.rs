//! Handle flow: a value minted by the server (in a response or a received message), absent from
//! every earlier request, and later sent by the client. One pass over the exchange with two hash
//! maps: what the client has sent so far, and what the server has minted.

use super::declared::Fingerprint;
use super::lexicon::{self, Meaning};
use super::places::{steps, Position, Side, Token};
use super::{Evidence, Reason, Rules, Signal, StateKind, Strength};
use crate::facts::{Field, Role};
use crate::model::Trace;
use rustc_hash::{FxHashMap, FxHashSet};

struct Mint<'t> {
    call: usize,
    token: Token<'t>,
}

struct Use<'t> {
    call: usize,
    token: Token<'t>,
}

pub fn flows(trace: &Trace, rules: &Rules, apis: &[Option<&Fingerprint>]) -> Vec<Evidence> {
    let steps = steps(&trace.calls);
    let mut sent: FxHashSet<&str> = FxHashSet::default();
    let mut minted: FxHashMap<&str, Mint> = FxHashMap::default();
    // Uses per minted value, in the order values were first used.
    let mut uses: FxHashMap<&str, Vec<Use>> = FxHashMap::default();
    let mut order: Vec<&str> = Vec::new();
    for step in &steps {
        match step.side {
            Side::Sends => {
                for token in &step.tokens {
                    match minted.get(token.value) {
                        // A value minted by this same call's response cannot be sent in its
                        // request; inside one WebSocket, order of messages is what counts.
                        Some(_) => {
                            let entry = uses.entry(token.value).or_default();
                            if entry.is_empty() {
                                order.push(token.value);
                            }
                            entry.push(Use { call: step.call, token: token.clone() });
                        }
                        None => {
                            sent.insert(token.value);
                        }
                    }
                }
            }
            Side::Mints => {
                for token in &step.tokens {
                    if !sent.contains(token.value) && !minted.contains_key(token.value) {
                        minted.insert(token.value, Mint { call: step.call, token: token.clone() });
                    }
                }
            }
        }
    }
    let mut evidence = Vec::new();
    for value in order {
        let (Some(mint), Some(uses)) = (minted.get(value), uses.get(value)) else { continue };
        let Some(flow) = flow_evidence(trace, rules, apis, value, mint, uses) else { continue };
        // An upload stores what it received: the handle names a stored resource as well as
        // whatever the flow shows (a parsing job polled by id, say).
        let upload = (flow.state != Some(StateKind::Resource) && is_upload(&trace.calls[mint.call])).then(|| {
            let mut stored = flow.clone();
            stored.state = Some(StateKind::Resource);
            stored.reason = Reason::Upload { uploaded: mint.call, senders: flow.dependents.clone() };
            stored
        });
        evidence.push(flow);
        evidence.extend(upload);
    }
    evidence
}

fn flow_evidence(
    trace: &Trace,
    rules: &Rules,
    apis: &[Option<&Fingerprint>],
    value: &str,
    mint: &Mint,
    uses: &[Use],
) -> Option<Evidence> {
    let (kind, strength, declared_by) = what_handle(trace, rules, apis, mint, uses)?;
    let first = &uses[0];
    let mut calls: Vec<usize> = std::iter::once(mint.call).chain(uses.iter().map(|u| u.call)).collect();
    crate::sort::sort_distinct(&mut calls);
    let mut dependents: Vec<usize> = uses.iter().map(|u| u.call).collect();
    dependents.dedup();
    let mut places = vec![mint.token.at.clone().of(mint.call)];
    for u in uses {
        let place = u.token.at.clone().of(u.call);
        if !places.contains(&place) {
            places.push(place);
        }
    }
    let secret = matches!(first.token.position, Position::Cookie | Position::Header);
    let reason = Reason::HandleFlow { senders: dependents.len() };
    Some(Evidence {
        signal: Signal::HandleFlow,
        state: Some(kind),
        strength,
        calls,
        dependents,
        places,
        handle: Some(value.to_string()),
        secret,
        api: declared_by,
        reason,
        notes: Vec::new(),
    })
}

/// What a handle is, how sure that is, and the API that declares it: a known API's declaration
/// first, then the names on both sides, then where it sits. `None` for a pagination cursor.
fn what_handle(
    trace: &Trace,
    rules: &Rules,
    apis: &[Option<&Fingerprint>],
    mint: &Mint,
    uses: &[Use],
) -> Option<(StateKind, Strength, Option<String>)> {
    let declared = uses.iter().find_map(|u| {
        let fp = apis[u.call]?;
        let kind = fp.state_at(&trace.calls[u.call].request.url.path, &u.token.at)?;
        Some((kind, fp.family.clone()))
    });
    let (mut kind, declared_by) = declared.map_or((None, None), |(kind, family)| (Some(kind), Some(family)));
    if kind.is_none() {
        match named_kind(rules, mint, uses) {
            Some(Meaning::Cursor) => return None,
            Some(Meaning::State(k)) => kind = Some(k),
            None => {}
        }
    }
    let named = kind.is_some();
    let position = uses[0].token.position;
    // A job is polled: the minting response says the work is still running.
    let running = minted_status(trace, mint.call).is_some_and(is_running);
    let kind = match kind {
        Some(StateKind::Resource) | None if running => StateKind::Job,
        Some(k) => k,
        None => match position {
            Position::Header | Position::Cookie | Position::Attribute => StateKind::Session,
            Position::Frame => StateKind::Conversation,
            _ => StateKind::Resource,
        },
    };
    let strength = if named {
        Strength::Strong
    } else if matches!(position, Position::Body | Position::Content | Position::Frame) {
        Strength::Weak
    } else {
        Strength::Medium
    };
    Some((kind, strength, declared_by))
}

/// What the first name on either side (the uses' names, then the mint's) says the handle is.
fn named_kind(rules: &Rules, mint: &Mint, uses: &[Use]) -> Option<Meaning> {
    let names = uses.iter().map(|u| u.token.name).chain([mint.token.name]);
    names.map(|name| lexicon::meaning(name).or_else(|| rules.meaning(name))).find(Option::is_some).flatten()
}

/// A status that says the work is still running: the handle names a job that is polled.
fn is_running(status: &str) -> bool {
    matches!(
        status,
        "queued"
            | "in_progress"
            | "pending"
            | "running"
            | "submitted"
            | "working"
            | "processing"
            | "validating"
            | "starting"
    )
}

/// A request that sends content for the server to store: a multipart form, or a path that says
/// upload.
fn is_upload(call: &crate::model::Call) -> bool {
    let multipart = call.request.body.content_type.as_deref().is_some_and(|c| c.starts_with("multipart/"));
    multipart
        || call.request.url.segments().any(|s| {
            lexicon::word_slices(&s).any(|w| w.eq_ignore_ascii_case("upload") || w.eq_ignore_ascii_case("uploads"))
        })
}

/// The top-level `status` of the response that minted a handle, if it has one.
/// The state of the work a response describes: its `status`, or `running` for a long-running
/// operation not yet `done` (Google's `operations`).
fn minted_status(trace: &Trace, call: usize) -> Option<&str> {
    let body = trace.calls[call].response.as_ref()?.body.facts(Role::Response);
    if !body.json {
        return None;
    }
    let operation = body.text_at("/name").is_some_and(|n| n.contains("operations/"));
    // proto3 JSON leaves `done: false` out.
    if operation && body.field("/done") != Some(&Field::Bool(true)) {
        return Some("running");
    }
    body.text_at("/status")
}
