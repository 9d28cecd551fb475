//! Client-named resources: the client creates a resource under a name it chose
//! (`PUT /indexes/my-index`, `POST /indexes/TestIndex`), then later calls address it
//! (`/indexes/TestIndex/documents`, `DELETE /indexes/TestIndex`). No handle is minted, yet the
//! later calls depend on what the server stored. One hash map from created path to creating call.

use super::places::is_handle_like;
use super::{At, Evidence, Part, Reason, Signal, StateKind, Strength};
use crate::model::Trace;
use rustc_hash::FxHashMap;

/// A segment that reads as a name someone chose, not as a fixed part of an API
/// (`completions`, `v1`, `documents`).
fn is_chosen_name(segment: &str) -> bool {
    let version = segment.starts_with('v') && segment[1..].starts_with(|c: char| c.is_ascii_digit());
    let marked =
        segment.bytes().any(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'));
    !version && marked && !segment.contains(':') && segment.len() >= 3
}

/// A path the client created under a name it chose (`PUT /v1/files/report-2024.pdf`).
struct Created {
    call: usize,
    method: String,
    users: Vec<usize>,
}

pub fn client_named(trace: &Trace) -> Vec<Evidence> {
    let mut created: FxHashMap<String, Created> = FxHashMap::default();
    let mut order = Vec::new();
    for (i, call) in trace.calls.iter().enumerate() {
        let request = &call.request;
        let segments: Vec<&str> = request.url.path.split('/').filter(|s| !s.is_empty()).collect();
        let host = request.url.host.as_str();
        // Later calls under a created path use it.
        for len in (1..=segments.len()).rev() {
            let key = format!("{host}/{}", segments[..len].join("/"));
            if let Some(c) = created.get_mut(&key) {
                let extends = len < segments.len() || !request.method.eq_ignore_ascii_case(&c.method);
                if extends && c.call != i {
                    c.users.push(i);
                }
                break;
            }
        }
        let ok = call.response.as_ref().is_some_and(|r| (200..300).contains(&r.status));
        let creates = matches!(request.method.as_str(), "PUT" | "POST");
        if let (true, true, Some(last)) = (ok, creates, segments.last()) {
            // A minted handle in the path is the handle flow's business; here only chosen names.
            if segments.len() >= 2 && is_chosen_name(last) && !is_handle_like(last) {
                let key = format!("{host}/{}", segments.join("/"));
                created.entry(key.clone()).or_insert_with(|| {
                    order.push(key);
                    Created { call: i, method: request.method.clone(), users: Vec::new() }
                });
            }
        }
    }
    order.into_iter().filter_map(|key| used_evidence(&key, &created[&key])).collect()
}

/// A created path that later calls used, as evidence of a stored resource.
fn used_evidence(key: &str, c: &Created) -> Option<Evidence> {
    let &first_user = c.users.first()?;
    let path = key.split_once('/').map_or("", |(_, p)| p);
    let mut calls = vec![c.call];
    calls.extend(&c.users);
    let at = At::sent(Part::Path { template: path.to_string() });
    let mut places = vec![at.clone().of(c.call)];
    places.extend(c.users.iter().map(|&u| at.clone().of(u)));
    Some(Evidence {
        signal: Signal::HandleFlow,
        state: Some(StateKind::Resource),
        strength: Strength::Weak,
        calls,
        dependents: c.users.clone(),
        places,
        handle: None,
        secret: false,
        api: None,
        reason: Reason::ClientNamed { path: path.to_string(), created: c.call, users: c.users.len(), first_user },
        notes: Vec::new(),
    })
}
