//! What a name says about the value it holds, and the kinds of state it can name. Key names,
//! header names, cookie names and path collections are split into words (`previous_response_id`
//! → previous, response, id; `contextId` → context, id) and matched word by word, so
//! `truncation` never reads as `run`. Readers and signals both read names, so this sits below
//! both.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Kinds of server-held state a call can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StateKind {
    Conversation,
    Session,
    Connection,
    Sandbox,
    Resource,
    Job,
}

impl StateKind {
    /// Conversation, session, connection and sandbox state make a call stateful; stored resources
    /// and polled jobs do not (REST's own sense of "stateless"), though they are always reported.
    pub fn is_stateful(self) -> bool {
        matches!(self, StateKind::Conversation | StateKind::Session | StateKind::Connection | StateKind::Sandbox)
    }

    /// The kind as reports and policies spell it.
    pub fn as_str(self) -> &'static str {
        crate::names::variant_name(&self)
    }

    pub fn parse(name: &str) -> Option<StateKind> {
        [
            StateKind::Conversation,
            StateKind::Session,
            StateKind::Connection,
            StateKind::Sandbox,
            StateKind::Resource,
            StateKind::Job,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// What a named place holds, as far as its name tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    State(StateKind),
    /// A pagination cursor: server-minted and sent back, but not state the result depends on.
    Cursor,
}

/// Phrases, most specific first; a phrase matches consecutive words, singular or plural.
const RULES: &[(&[&str], Meaning)] = &[
    (&["cursor"], Meaning::Cursor),
    (&["page", "token"], Meaning::Cursor),
    (&["next", "page"], Meaning::Cursor),
    (&["starting", "after"], Meaning::Cursor),
    (&["ending", "before"], Meaning::Cursor),
    (&["continuation"], Meaning::Cursor),
    (&["previous", "response"], Meaning::State(StateKind::Conversation)),
    (&["previous", "interaction"], Meaning::State(StateKind::Conversation)),
    (&["parent", "message"], Meaning::State(StateKind::Conversation)),
    (&["conversation"], Meaning::State(StateKind::Conversation)),
    (&["thread"], Meaning::State(StateKind::Conversation)),
    (&["chat", "id"], Meaning::State(StateKind::Conversation)),
    (&["context", "id"], Meaning::State(StateKind::Conversation)),
    (&["history"], Meaning::State(StateKind::Conversation)),
    (&["session"], Meaning::State(StateKind::Session)),
    (&["sid"], Meaning::State(StateKind::Session)),
    (&["memory"], Meaning::State(StateKind::Session)),
    (&["container"], Meaning::State(StateKind::Sandbox)),
    (&["sandbox"], Meaning::State(StateKind::Sandbox)),
    (&["kernel"], Meaning::State(StateKind::Sandbox)),
    (&["job"], Meaning::State(StateKind::Job)),
    (&["run"], Meaning::State(StateKind::Job)),
    (&["task"], Meaning::State(StateKind::Job)),
    (&["operation"], Meaning::State(StateKind::Job)),
    (&["batch"], Meaning::State(StateKind::Job)),
    (&["file"], Meaning::State(StateKind::Resource)),
    (&["upload"], Meaning::State(StateKind::Resource)),
    (&["cached"], Meaning::State(StateKind::Resource)),
    (&["cache"], Meaning::State(StateKind::Resource)),
    (&["document"], Meaning::State(StateKind::Resource)),
    (&["index"], Meaning::State(StateKind::Resource)),
    (&["vector", "store"], Meaning::State(StateKind::Resource)),
    (&["attachment"], Meaning::State(StateKind::Resource)),
    (&["assistant"], Meaning::State(StateKind::Resource)),
    (&["agent"], Meaning::State(StateKind::Resource)),
    // Optimistic-concurrency values name a stored version of a resource, not a session.
    (&["etag"], Meaning::State(StateKind::Resource)),
    (&["revision"], Meaning::State(StateKind::Resource)),
    (&["sha"], Meaning::State(StateKind::Resource)),
    (&["hash"], Meaning::State(StateKind::Resource)),
];

/// Words of credentials and anti-forgery tokens: what they carry is authentication (REST keeps
/// it stateless: every request carries it), never a handle to server state.
const CREDENTIAL_WORDS: &[&str] = &[
    "token",
    "auth",
    "authorization",
    "key",
    "apikey",
    "secret",
    "password",
    "passwd",
    "credential",
    "credentials",
    "csrf",
    "xsrf",
    "csrftoken",
    "xsrftoken",
    "signature",
    "nonce",
    "otp",
    "bearer",
];

/// Words that make a token-ish name a handle after all (`session_token`, `page_token`).
const NOT_CREDENTIAL_WORDS: &[&str] =
    &["session", "page", "cursor", "continuation", "next", "resumption", "conversation"];

/// Whether a name says its value is a credential or an anti-forgery token.
pub fn is_credential(name: &str) -> bool {
    read(name).0
}

pub fn meaning(name: &str) -> Option<Meaning> {
    read(name).1
}

/// Names read so far. A trace repeats a few names (`content`, `tool_call_id`) in every body, so
/// each is split into words once; the cache stops growing at a bound, whatever the input.
const CACHED_NAMES: usize = 4096;

thread_local! {
    static READ: std::cell::RefCell<rustc_hash::FxHashMap<String, (bool, Option<Meaning>)>> = Default::default();
}

fn read(name: &str) -> (bool, Option<Meaning>) {
    if let Some(found) = READ.with(|cache| cache.borrow().get(name).copied()) {
        return found;
    }
    let words = words(name);
    let credential = words.iter().any(|w| CREDENTIAL_WORDS.contains(&w.as_str()))
        && !words.iter().any(|w| NOT_CREDENTIAL_WORDS.iter().any(|n| same_word(w, n)));
    let meaning = RULES.iter().find(|(phrase, _)| contains_phrase(&words, phrase)).map(|(_, m)| *m);
    READ.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() < CACHED_NAMES {
            cache.insert(name.to_string(), (credential, meaning));
        }
    });
    (credential, meaning)
}

fn contains_phrase(words: &[String], phrase: &[&str]) -> bool {
    words.windows(phrase.len()).any(|window| window.iter().zip(phrase).all(|(w, p)| same_word(w, p)))
}

fn same_word(word: &str, rule: &str) -> bool {
    word == rule || word.strip_suffix('s') == Some(rule) || word.strip_suffix("es") == Some(rule)
}

/// Splits `previous_response_id`, `Mcp-Session-Id`, `contextId`, `cachedContents` into lower-case
/// words.
pub fn words(name: &str) -> Vec<String> {
    word_slices(name).map(str::to_ascii_lowercase).collect()
}

/// The words of a name as [`words`] splits them, as written: runs of letters and digits, a
/// lower-case letter or digit followed by an upper-case one starting a new word.
pub fn word_slices(name: &str) -> impl Iterator<Item = &str> {
    let bytes = name.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
            let lower_before = at > start && (bytes[at - 1].is_ascii_lowercase() || bytes[at - 1].is_ascii_digit());
            if bytes[at].is_ascii_uppercase() && lower_before {
                break;
            }
            at += 1;
        }
        (at > start).then(|| &name[start..at])
    })
}

/// Whether `text` holds `part` (lower-case ASCII), in any case.
pub fn contains_ignoring_case(text: &str, part: &str) -> bool {
    text.as_bytes().windows(part.len()).any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_word_by_word() {
        assert_eq!(words("previous_response_id"), ["previous", "response", "id"]);
        assert_eq!(words("Mcp-Session-Id"), ["mcp", "session", "id"]);
        assert_eq!(words("contextId"), ["context", "id"]);
        assert_eq!(meaning("previous_response_id"), Some(Meaning::State(StateKind::Conversation)));
        assert_eq!(meaning("mcp-session-id"), Some(Meaning::State(StateKind::Session)));
        assert_eq!(meaning("threads"), Some(Meaning::State(StateKind::Conversation)));
        assert_eq!(meaning("cachedContents"), Some(Meaning::State(StateKind::Resource)));
        assert_eq!(meaning("truncation"), None);
        assert_eq!(meaning("page_token"), Some(Meaning::Cursor));
        assert_eq!(meaning("runs"), Some(Meaning::State(StateKind::Job)));
        assert!(is_credential("access_token") && is_credential("csrftoken") && is_credential("X-CSRF-Token"));
        assert!(!is_credential("page_token") && !is_credential("session_token") && !is_credential("thread_id"));
    }
}
