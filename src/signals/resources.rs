//! Client-named resources: the client creates a resource under a name it chose
//! (`PUT /indexes/my-index`, `POST /indexes/TestIndex`), then later calls address it
//! (`/indexes/TestIndex/documents`, `DELETE /indexes/TestIndex`). No handle is minted, yet the
//! later calls depend on what the server stored. One hash map from created path to creating call.

use super::places::is_handle_like;
use super::{At, Evidence, Part, Reason, Signal, StateKind, Strength};
use crate::model::Trace;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

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
    // Keyed by host, then by the path's segments joined by `/`: looked up without building keys.
    let mut created: FxHashMap<&str, FxHashMap<String, Created>> = FxHashMap::default();
    let mut order = Vec::new();
    for (i, call) in trace.calls.iter().enumerate() {
        let request = &call.request;
        let host = request.url.host.as_str();
        let ok = call.response.as_ref().is_some_and(|r| (200..300).contains(&r.status));
        let creates = ok && matches!(request.method.as_str(), "PUT" | "POST");
        if !creates && !created.contains_key(host) {
            continue;
        }
        let path = Path::of(&request.url.path);
        // Later calls under a created path use it.
        if let Some(paths) = created.get_mut(host) {
            for len in (1..=path.len()).rev() {
                if let Some(c) = paths.get_mut(path.prefix(len)) {
                    let extends = len < path.len() || !request.method.eq_ignore_ascii_case(&c.method);
                    if extends && c.call != i {
                        c.users.push(i);
                    }
                    break;
                }
            }
        }
        if let (true, Some(last)) = (creates, path.last()) {
            // A minted handle in the path is the handle flow's business; here only chosen names.
            if path.len() >= 2 && is_chosen_name(last) && !is_handle_like(last) {
                let joined = path.prefix(path.len()).to_string();
                created.entry(host).or_default().entry(joined.clone()).or_insert_with(|| {
                    order.push((host, joined));
                    Created { call: i, method: request.method.clone(), users: Vec::new() }
                });
            }
        }
    }
    order.into_iter().filter_map(|(host, path)| used_evidence(&path, &created[host][&path])).collect()
}

/// A URL path as its non-empty segments joined by `/` (`/a//b/` is `a/b`), and where each
/// segment ends in that text: the first segments are a slice of it.
struct Path<'a> {
    joined: Cow<'a, str>,
    ends: Vec<usize>,
}

impl<'a> Path<'a> {
    fn of(path: &'a str) -> Path<'a> {
        let joined = match path.strip_prefix('/') {
            Some(rest) if !rest.ends_with('/') && !rest.contains("//") => Cow::Borrowed(rest),
            _ => Cow::Owned(path.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/")),
        };
        let ends = match joined.is_empty() {
            true => Vec::new(),
            false => joined.match_indices('/').map(|(at, _)| at).chain([joined.len()]).collect(),
        };
        Path { joined, ends }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn last(&self) -> Option<&str> {
        let start = self.ends.len().checked_sub(2).map_or(0, |i| self.ends[i] + 1);
        self.ends.last().map(|&end| &self.joined[start..end])
    }

    /// The first `len` segments joined by `/`.
    fn prefix(&self, len: usize) -> &str {
        &self.joined[..self.ends[len - 1]]
    }
}

/// A created path that later calls used, as evidence of a stored resource.
fn used_evidence(path: &str, c: &Created) -> Option<Evidence> {
    let &first_user = c.users.first()?;
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
