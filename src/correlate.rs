//! Linking calls into a tree: which call was made on behalf of which. Within a trace by span
//! parent ids; across inputs by `traceparent`, by content (the back-end request carries the
//! front-door request's words) and by time (the back-end call ran while the front-door call was
//! open). Every step is a hash lookup or a binary search per call.

use crate::facts::Role;
use crate::model::{Call, LinkKind, Parent, Trace};
use rustc_hash::{FxHashMap, FxHashSet};

pub fn link(trace: &mut Trace) {
    merge_batch_answers(&mut trace.calls);
    merge_split_spans(&mut trace.calls);
    link_spans(&mut trace.calls);
    if trace.inputs.len() > 1 {
        link_by_content_and_time(&mut trace.calls);
    }
}

/// OpenAI batch output lines (calls without a request method) folded into the request with the
/// same `custom_id`, the first one that has it: within one JSON Lines input as it is read, and
/// across inputs when the answers come in another file than the requests.
pub fn merge_batch_answers(calls: &mut Vec<Call>) {
    let mut requests: FxHashMap<String, usize> = FxHashMap::default();
    for (i, call) in calls.iter().enumerate() {
        if let (Some(key), false) = (&call.correlation_key, call.request.method.is_empty()) {
            requests.entry(key.clone()).or_insert(i);
        }
    }
    let mut answered = FxHashSet::default();
    for i in 0..calls.len() {
        if !calls[i].request.method.is_empty() {
            continue;
        }
        let Some(&target) = calls[i].correlation_key.as_ref().and_then(|k| requests.get(k)) else { continue };
        if calls[target].response.is_none() {
            calls[target].response = calls[i].response.take();
            answered.insert(i);
        }
    }
    let mut index = 0;
    calls.retain(|_| {
        index += 1;
        !answered.contains(&(index - 1))
    });
}

/// One span read from two inputs (the span records in one file, the log records that carry its
/// messages in another): the first keeps what the others add — a request body, a response — and
/// the others go.
fn merge_split_spans(calls: &mut Vec<Call>) {
    let mut first: FxHashMap<(String, String), usize> = FxHashMap::default();
    let mut merged = FxHashSet::default();
    for i in 0..calls.len() {
        let Some(span) = &calls[i].span else { continue };
        let key = (span.trace_id.clone(), span.span_id.clone());
        let target = *first.entry(key).or_insert(i);
        if target == i || calls[target].source.input == calls[i].source.input {
            continue;
        }
        // The call with an operation or a URL describes the span; the other only adds to it.
        let (keep, give) = if describes(&calls[i]) && !describes(&calls[target]) { (i, target) } else { (target, i) };
        let (request, response) = (std::mem::take(&mut calls[give].request.body), calls[give].response.take());
        let kept = &mut calls[keep];
        if kept.request.body.is_empty() {
            kept.request.body = request;
        }
        if kept.response.as_ref().is_none_or(|r| r.body.is_empty()) && response.is_some() {
            kept.response = response;
        }
        merged.insert(give);
        if keep == i {
            first.insert(
                (
                    kept.span.as_ref().map(|s| s.trace_id.clone()).unwrap_or_default(),
                    kept.span.as_ref().map(|s| s.span_id.clone()).unwrap_or_default(),
                ),
                i,
            );
        }
    }
    let mut index = 0;
    calls.retain(|_| {
        index += 1;
        !merged.contains(&(index - 1))
    });
}

fn describes(call: &Call) -> bool {
    call.span.as_ref().is_some_and(|s| s.operation.is_some()) || !call.request.url.host.is_empty()
}

/// `traceparent: 00-<trace id>-<parent span id>-<flags>`: the span id of the caller's span.
fn traceparent_span(call: &Call) -> Option<String> {
    let header = call.request.headers.get("traceparent")?;
    let mut parts = header.trim().split('-');
    let (_version, _trace, span) = (parts.next()?, parts.next()?, parts.next()?);
    (span.len() == 16 && span.bytes().all(|b| b.is_ascii_hexdigit())).then(|| span.to_ascii_lowercase())
}

fn link_spans(calls: &mut [Call]) {
    let mut by_span: FxHashMap<String, (usize, LinkKind)> = FxHashMap::default();
    for (i, call) in calls.iter().enumerate() {
        if let Some(span) = &call.span {
            by_span.entry(span.span_id.clone()).or_insert((i, LinkKind::SpanParent));
        }
        // A captured request that carries `traceparent` stands for the caller's span.
        if let Some(span_id) = traceparent_span(call) {
            by_span.entry(span_id).or_insert((i, LinkKind::Traceparent));
        }
    }
    for (i, call) in calls.iter_mut().enumerate() {
        let Some(parent_id) = call.span.as_ref().and_then(|s| s.parent_span_id.as_deref()) else { continue };
        if let Some(&(parent, by)) = by_span.get(parent_id) {
            if parent != i {
                call.parent = Some(Parent { call: parent, by });
            }
        }
    }
}

/// Hashes of the content strings of a request worth matching: long enough not to match by
/// chance.
fn content_strings(call: &Call) -> &[u64] {
    &call.request.body.facts(Role::Request).long_texts
}

/// Calls of one input made on behalf of calls of another: a back-end request that carries what
/// a front-door request said first, or failing that, one that ran inside a front-door call's
/// time. Where inputs have no times, give the front door first.
fn link_by_content_and_time(calls: &mut [Call]) {
    link_by_content(calls);
    link_by_time(calls);
}

/// Words per call of each input. Which input is nearer the front door: its requests carry fewer
/// words (the new message), a back end's carry more (the whole context). Decided from the
/// content, not the order in which the inputs were given.
fn words_per_call(calls: &[Call], strings: &[&[u64]]) -> Vec<f64> {
    let inputs = calls.iter().map(|c| c.source.input + 1).max().unwrap_or(0);
    let mut totals = vec![(0usize, 0usize); inputs];
    for (call, s) in calls.iter().zip(strings) {
        if !s.is_empty() {
            totals[call.source.input].0 += s.len();
            totals[call.source.input].1 += 1;
        }
    }
    totals.iter().map(|&(words, calls)| if calls == 0 { f64::MAX } else { words as f64 / calls as f64 }).collect()
}

/// Each call's parent: the latest call of a more front-door input whose words it carries.
fn link_by_content(calls: &mut [Call]) {
    let strings: Vec<&[u64]> = calls.iter().map(content_strings).collect();
    let average = words_per_call(calls, &strings);
    // Each string, and the latest call of each input that said it.
    let mut said: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for (i, s) in strings.iter().enumerate() {
        for text in s.iter() {
            let callers = said.entry(*text).or_default();
            match callers.iter_mut().find(|c| calls[**c].source.input == calls[i].source.input) {
                Some(latest) => *latest = i,
                None => callers.push(i),
            }
        }
    }
    let mut links = Vec::new();
    for (i, call) in calls.iter().enumerate().filter(|(_, c)| c.parent.is_none()) {
        let own = average[call.source.input];
        let front = strings[i]
            .iter()
            .filter_map(|s| said.get(s))
            .flatten()
            .filter(|&&f| calls[f].source.input != call.source.input && average[calls[f].source.input] < own)
            .max();
        if let Some(&front) = front {
            links.push((i, front));
        }
    }
    for (i, front) in links {
        calls[i].parent = Some(Parent { call: front, by: LinkKind::Content });
    }
}

/// Each call still without a parent: the latest-starting call of another input that ran around
/// it (front-door calls with a start and a duration, as intervals sorted by start).
fn link_by_time(calls: &mut [Call]) {
    let mut intervals: Vec<(f64, f64, usize, usize)> = calls
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((c.started_ms?, c.started_ms? + c.duration_ms?, i, c.source.input)))
        .collect();
    crate::sort::sort_by(&mut intervals, |a, b| a.0.total_cmp(&b.0));
    for (i, call) in calls.iter_mut().enumerate().filter(|(_, c)| c.parent.is_none()) {
        let (Some(start), input) = (call.started_ms, call.source.input) else { continue };
        let end = start + call.duration_ms.unwrap_or(0.0);
        let upto = intervals.partition_point(|iv| iv.0 <= start);
        let container = intervals[..upto]
            .iter()
            .rev()
            .take(64)
            .find(|iv| iv.3 != input && iv.2 != i && iv.1 >= end && (iv.1 - iv.0) > (end - start));
        if let Some(&(_, _, front, _)) = container {
            call.parent = Some(Parent { call: front, by: LinkKind::Time });
        }
    }
}
