//! Retention: requests that ask the server to keep conversation data (a Responses call stored by
//! default, a thread created). It is its own property, apart from dependence: a stored response
//! that nothing later refers to still leaves the conversation on the server.

use super::Fingerprint;
use crate::facts::{Field, Role};
use crate::model::{Call, Trace};
use schemars::JsonSchema;
use serde::Serialize;

/// What a request asks the server to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetentionKind {
    /// A model response stored with its input (Responses `store`, Gemini Interactions `store`).
    StoredResponse,
    /// A Chat Completion stored (`store: true`).
    StoredCompletion,
    /// A conversation or thread created on the server.
    ConversationCreated,
    /// Messages added to a conversation or thread the server keeps.
    MessagesAdded,
}

/// One request that asks the server to retain conversation data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// Index of the call (from 0).
    pub call: usize,
    pub kind: RetentionKind,
    /// The place that asks for it: `request.body/store`, or the request's path.
    pub at: String,
    /// The request did not say: the API keeps it unless told not to.
    pub by_default: bool,
}

/// APIs whose responses are stored unless the request says `store: false`.
const STORED_BY_DEFAULT: &[&str] = &["openai.responses", "azure.responses", "gemini.interactions"];
/// APIs that store a response only when the request says `store: true`.
const STORED_ON_REQUEST: &[&str] =
    &["openai.chat_completions", "azure.chat_completions", "bedrock.mantle.responses", "bedrock.runtime.openai"];
/// APIs whose collections hold conversations: creating one, or posting messages to one, keeps them.
const CONVERSATION_STORES: &[&str] =
    &["openai.conversations", "openai.assistants.threads", "openai.assistants.runs", "azure.assistants"];

/// Every request in the trace that asks the server to retain conversation data.
pub fn retention(trace: &Trace, apis: &[Option<&Fingerprint>]) -> Vec<Retention> {
    trace
        .calls
        .iter()
        .zip(apis)
        .enumerate()
        .filter_map(|(i, (call, api))| {
            let fp = (*api)?;
            let (kind, at, by_default) = retained(call, fp)?;
            Some(Retention { call: i, kind, at, by_default })
        })
        .collect()
}

fn retained(call: &Call, fp: &Fingerprint) -> Option<(RetentionKind, String, bool)> {
    if !call.request.method.eq_ignore_ascii_case("POST") || !fp.keeps_state {
        return None;
    }
    let id = fp.id.as_str();
    let body = call.request.body.facts(Role::Request);
    if STORED_BY_DEFAULT.contains(&id) && body.field("/conversation").is_some_and(|c| *c != Field::Null) {
        return Some((RetentionKind::MessagesAdded, "request.body/conversation".to_string(), false));
    }
    let store = match body.field("/store") {
        Some(Field::Bool(b)) => Some(*b),
        _ => None,
    };
    let stored = if STORED_BY_DEFAULT.contains(&id) {
        store.unwrap_or(true)
    } else {
        STORED_ON_REQUEST.contains(&id) && store == Some(true)
    };
    if stored {
        let kind = if id.contains("chat_completions") {
            RetentionKind::StoredCompletion
        } else {
            RetentionKind::StoredResponse
        };
        return Some((kind, "request.body/store".to_string(), store.is_none()));
    }
    if !CONVERSATION_STORES.contains(&id) {
        return None;
    }
    let path = call.request.url.path.trim_end_matches('/');
    let kind = if path.ends_with("/messages") || path.ends_with("/items") {
        RetentionKind::MessagesAdded
    } else if path.ends_with("/conversations") || path.ends_with("/threads") || path.ends_with("/threads/runs") {
        RetentionKind::ConversationCreated
    } else {
        return None;
    };
    // Ids in the path are handles: the place names the endpoint, as the evidence does.
    let shape: Vec<&str> = path.split('/').map(|s| if s.contains('_') { "*" } else { s }).collect();
    Some((kind, format!("request.path{}", shape.join("/")), false))
}
