//! Transport evidence: WebSocket connections, SSE resumption, cookie sessions.

use super::lexicon::{self, Meaning};
use super::{At, Evidence, Part, Place, Reason, Side, Signal, StateKind, Strength};
use crate::model::{Direction, Trace, Transport};
use rustc_hash::FxHashMap;

/// Cookie names that session frameworks use.
const SESSION_COOKIES: &[&str] =
    &["phpsessid", "jsessionid", "asp.net_sessionid", "connect.sid", "sid", "sessionid", "session"];

fn is_session_cookie(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SESSION_COOKIES.contains(&lower.as_str())
        || lower.ends_with("_session")
        || lower.ends_with("-session")
        || lexicon::meaning(name) == Some(Meaning::State(StateKind::Session))
}

pub fn signals(trace: &Trace) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    for (i, call) in trace.calls.iter().enumerate() {
        if call.transport == Transport::Websocket {
            evidence.push(websocket(i, call));
        }
        if let Some(id) = call.request.headers.get("last-event-id") {
            evidence.push(Evidence {
                signal: Signal::Transport,
                state: Some(StateKind::Connection),
                strength: Strength::Medium,
                calls: vec![i],
                dependents: vec![i],
                places: vec![At::sent(Part::Header { name: "last-event-id".into() }).of(i)],
                handle: Some(id.to_string()),
                secret: false,
                api: None,
                reason: Reason::StreamResumed,
                notes: Vec::new(),
            });
        }
    }
    evidence.extend(cookie_sessions(trace));
    evidence
}

fn websocket(i: usize, call: &crate::model::Call) -> Evidence {
    let sent = call.frames.iter().filter(|f| f.direction == Direction::Sent).count();
    let received = call.frames.len() - sent;
    let strength = if sent >= 2 {
        Strength::Strong
    } else if call.frames.is_empty() {
        Strength::Weak
    } else {
        Strength::Medium
    };
    Evidence {
        signal: Signal::Transport,
        state: Some(StateKind::Connection),
        strength,
        calls: vec![i],
        dependents: if sent >= 2 { vec![i] } else { Vec::new() },
        places: vec![At::sent(Part::Connection).of(i)],
        handle: None,
        secret: false,
        api: None,
        reason: Reason::WebSocket { sent, received },
        notes: Vec::new(),
    }
}

/// Where a session cookie's value was seen: the call that set it, and those that sent it.
struct Seen {
    set_by: Option<usize>,
    sent_by: Vec<usize>,
}

/// A session cookie the client sends on several calls, or that the server sets and the client
/// then sends: a server-side session (even when the recording starts mid-session).
fn cookie_sessions(trace: &Trace) -> Vec<Evidence> {
    let mut seen: FxHashMap<(String, String), Seen> = FxHashMap::default();
    let mut order = Vec::new();
    for (i, call) in trace.calls.iter().enumerate() {
        for (name, value) in call.request.headers.cookies() {
            if is_session_cookie(name) && !value.is_empty() {
                let key = (name.to_string(), value.to_string());
                let entry = seen.entry(key.clone()).or_insert_with(|| {
                    order.push(key);
                    Seen { set_by: None, sent_by: Vec::new() }
                });
                if entry.sent_by.last() != Some(&i) {
                    entry.sent_by.push(i);
                }
            }
        }
        if let Some(response) = &call.response {
            for (name, value) in response.headers.set_cookies() {
                if is_session_cookie(name) && !value.is_empty() {
                    if let Some(entry) = seen.get_mut(&(name.to_string(), value.to_string())) {
                        entry.set_by.get_or_insert(i);
                    }
                }
            }
        }
    }
    order.iter().filter_map(|key| cookie_evidence(key, &seen[key])).collect()
}

/// A cookie sent twice, or set and sent, as a session kept by the server.
fn cookie_evidence((name, value): &(String, String), s: &Seen) -> Option<Evidence> {
    if s.sent_by.len() < 2 && s.set_by.is_none() {
        return None;
    }
    let mut calls = s.sent_by.clone();
    calls.extend(s.set_by);
    crate::sort::sort_distinct(&mut calls);
    let mut places: Vec<Place> =
        s.sent_by.iter().map(|&c| At::sent(Part::Cookie { name: name.clone() }).of(c)).collect();
    if let Some(c) = s.set_by {
        places.push(At::new(Side::Received, Part::Cookie { name: name.clone() }).of(c));
    }
    Some(Evidence {
        signal: Signal::Transport,
        state: Some(StateKind::Session),
        strength: Strength::Medium,
        calls,
        dependents: s.sent_by.clone(),
        places,
        handle: Some(value.clone()),
        secret: true,
        api: None,
        reason: Reason::CookieSession { cookie: name.clone(), senders: s.sent_by.len(), set_by: s.set_by },
        notes: Vec::new(),
    })
}
