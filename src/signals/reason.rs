//! What a piece of evidence saw, as data: the numbers and names its sentence is made from. The
//! signals write no English; `report/` words every reason (JSON, Markdown, text, the page).
//!
//! Call numbers count from 0 here, as everywhere in the core; the report counts from 1
//! ([`Reason::renumbered`]). The places a reason speaks of are the evidence's own `places`, and
//! its handle the evidence's `handle` (shown only as a fingerprint).

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// A handle minted at the first place and sent back at the second by `senders` later calls
    /// (the first of them is the second place's call).
    HandleFlow { senders: usize },
    /// Call `uploaded` sent content that the server stored under the handle, and `senders` refer
    /// to it.
    Upload { uploaded: usize, senders: Vec<usize> },
    /// The call resumes an event stream with `Last-Event-ID`.
    StreamResumed,
    /// A WebSocket with `sent` client and `received` server messages.
    WebSocket { sent: usize, received: usize },
    /// The session cookie `cookie` is sent on `senders` calls, and set by call `set_by`.
    CookieSession { cookie: String, senders: usize, set_by: Option<usize> },
    /// Call `created` created `/path` under a name the client chose; `users` later calls (the
    /// first is `first_user`) address it.
    ClientNamed { path: String, created: usize, users: usize, first_user: usize },
    /// The calls send the handle at a place the API declares, and the trace never minted it.
    DeclaredHandle,
    /// The server names its protocol in its first messages; the API keeps state for the session.
    DeclaredProtocol,
    /// The request configures server-side state at a place the API declares.
    DeclaredSetting,
    /// Request `to` resends request `from`'s first `items` items of `key` (`total` in all), and
    /// the model's reply from response `from` when `reply`.
    Replay { from: usize, to: usize, key: String, items: usize, total: usize, reply: bool },
    /// Call `caller` does not carry earlier turns, yet the model call made for it (`model_call`)
    /// carries `items` items from earlier turns.
    KeptContext { caller: usize, model_call: usize, items: usize },
    /// The span attribute `key` with the value whose fingerprint is `value` groups the calls;
    /// `depending` when kept-context evidence shows a dependence for some of them.
    Label { key: String, value: String, depending: bool },
}

/// What was found after the evidence was made, and weakens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// These calls resend their whole context, so there the handle is a label.
    ResendsContext { calls: Vec<usize> },
    /// The API family keeps no state by contract.
    StatelessHost { family: String },
}

impl Reason {
    /// The reason with its call numbers counted from 1, as reports count them.
    pub fn renumbered(&self) -> Reason {
        let mut r = self.clone();
        match &mut r {
            Reason::Upload { uploaded, senders } => {
                *uploaded += 1;
                senders.iter_mut().for_each(|c| *c += 1);
            }
            Reason::CookieSession { set_by, .. } => *set_by = set_by.map(|c| c + 1),
            Reason::ClientNamed { created, first_user, .. } => {
                *created += 1;
                *first_user += 1;
            }
            Reason::Replay { from, to, .. } => {
                *from += 1;
                *to += 1;
            }
            Reason::KeptContext { caller, model_call, .. } => {
                *caller += 1;
                *model_call += 1;
            }
            _ => {}
        }
        r
    }
}

impl Note {
    /// The note with its call numbers counted from 1.
    pub fn renumbered(&self) -> Note {
        match self {
            Note::ResendsContext { calls } => Note::ResendsContext { calls: calls.iter().map(|c| c + 1).collect() },
            other => other.clone(),
        }
    }
}
