//! The sentences of the report, made from what the evidence and the verdict saw (their reasons,
//! numbers and places). A sentence is a list of phrases — text, quoted names and places, and
//! citations of evidence — so that every renderer shows it without parsing it: Markdown and text
//! quote names in backticks and cite evidence as `[E1]`, the page makes code and links.

use crate::classify::{Explanation, Hedge, Stored};
use crate::redact;
use crate::signals::{Evidence, Note, Reason, StateKind};
use schemars::JsonSchema;
use serde::Serialize;

/// One piece of a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phrase {
    Text(String),
    /// A name or place quoted from the trace (`previous_response_id`).
    Code(String),
    /// The id of an evidence item (`E1`).
    Cite(String),
}

/// A sentence (or a few), as phrases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sentence(pub Vec<Phrase>);

impl Sentence {
    /// Adds text, joined to the text before it.
    pub fn t(&mut self, text: impl AsRef<str>) -> &mut Self {
        match self.0.last_mut() {
            Some(Phrase::Text(last)) => last.push_str(text.as_ref()),
            _ => self.0.push(Phrase::Text(text.as_ref().to_string())),
        }
        self
    }

    /// Adds a quoted name or place.
    pub fn c(&mut self, code: impl ToString) -> &mut Self {
        self.0.push(Phrase::Code(code.to_string()));
        self
    }

    /// Cites evidence items: `[E1] <its sentence> [E2] <its sentence>`.
    fn cite(&mut self, ids: &[usize], sentences: &[Sentence]) -> &mut Self {
        for (n, &i) in ids.iter().enumerate() {
            if n > 0 {
                self.t(" ");
            }
            self.0.push(Phrase::Cite(format!("E{}", i + 1)));
            self.t(" ");
            for phrase in &sentences[i].0 {
                match phrase {
                    Phrase::Text(text) => {
                        self.t(text);
                    }
                    other => self.0.push(other.clone()),
                }
            }
        }
        self
    }

    /// The sentence with key-shaped words in its text and quotes replaced (the one redaction
    /// policy, applied where the sentence meets the trace's names).
    pub fn redacted(&self) -> Sentence {
        let phrases = self.0.iter().map(|p| match p {
            Phrase::Text(text) => Phrase::Text(redact::redact_text(text).into_owned()),
            Phrase::Code(code) => Phrase::Code(redact::redact_text(code).into_owned()),
            Phrase::Cite(id) => Phrase::Cite(id.clone()),
        });
        Sentence(phrases.collect())
    }
}

impl std::fmt::Display for Sentence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for phrase in &self.0 {
            match phrase {
                Phrase::Text(text) => f.write_str(text)?,
                Phrase::Code(code) => write!(f, "`{code}`")?,
                Phrase::Cite(id) => write!(f, "[{id}]")?,
            }
        }
        Ok(())
    }
}

/// Call numbers (from 1) as a reader reads them: the first eight, then how many more.
/// A confidence (0 to 1) with two decimals, `0.85`: written from whole hundredths, so that no
/// float formatting is linked into the wasm.
pub fn two_decimals(x: f64) -> String {
    let hundredths = (x.clamp(0.0, 1.0) * 100.0).round() as u32;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

pub fn numbered(calls: &[usize]) -> String {
    numbers(calls, 8)
}

/// Call numbers (from 1): the first `shown`, then how many more.
fn numbers(calls: &[usize], shown: usize) -> String {
    let listed: Vec<String> = calls.iter().take(shown).map(|c| (c + 1).to_string()).collect();
    let more = if calls.len() > shown { format!(" and {} more", calls.len() - shown) } else { String::new() };
    format!("{}{more}", listed.join(", "))
}

/// Calls named in a sentence: "call 3", "calls 1, 2, 5" (every one listed); `Call`/`Calls` where
/// the sentence starts with them.
fn list_calls(calls: &[usize], starts_sentence: bool) -> String {
    let noun = match (calls.len() == 1, starts_sentence) {
        (true, false) => "call",
        (false, false) => "calls",
        (true, true) => "Call",
        (false, true) => "Calls",
    };
    format!("{noun} {}", numbers(calls, usize::MAX))
}

/// `conversation`, `conversation and session`, `a, b and c`.
fn kinds(kinds: &[StateKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The sentence of one evidence item, its notes included.
pub fn evidence(e: &Evidence) -> Sentence {
    let mut s = Sentence::default();
    let shown = |secret: bool| e.handle.as_deref().map(|h| redact::fingerprint(h, secret)).unwrap_or_default();
    let first = e.calls.first().map_or(0, |c| c + 1);
    match &e.reason {
        Reason::HandleFlow { senders } => handle_flow(&mut s, e, *senders),
        Reason::Upload { uploaded, senders } => {
            s.t(format!("Call {} uploaded content that the server stored under {}; ", uploaded + 1, shown(e.secret)))
                .t(format!("{} refer to it by that handle: a stored resource.", list_calls(senders, false)))
        }
        Reason::StreamResumed => s
            .t(format!("Call {first} resumes an event stream with "))
            .c("Last-Event-ID")
            .t(": the server kept the stream's position."),
        Reason::WebSocket { sent, received } => s.t(match (sent, received) {
            (2.., _) => format!("Call {first} is a WebSocket carrying {sent} client and {received} server messages over one connection: each message is understood in the context the server kept for the connection."),
            (0, 0) => format!("Call {first} opens a WebSocket; its messages are not in the recording."),
            _ => format!("Call {first} is a WebSocket with {sent} client and {received} server messages."),
        }),
        Reason::CookieSession { cookie, senders, set_by } => {
            let also_set = set_by.map(|c| format!(", and call {} sets it", c + 1)).unwrap_or_default();
            s.t("The session cookie ").c(cookie).t(format!(
                " ({}) is sent on {senders} call(s){also_set}: a cookie session kept by the server.",
                shown(true)
            ))
        }
        Reason::ClientNamed { path, created, users, first_user } => s
            .t(format!("Call {} created ", created + 1))
            .c(format!("/{path}"))
            .t(format!(" under a name the client chose, and {users} later call(s) (first: call {}) address it: a stored resource.", first_user + 1)),
        Reason::DeclaredHandle | Reason::DeclaredProtocol | Reason::DeclaredSetting => declared(&mut s, e),
        Reason::Replay { from, to, key, items, total, reply: true } => s
            .t(format!("Request {} resends request {}'s {items} ", to + 1, from + 1))
            .c(key)
            .t(format!(" item(s) and the model's reply from response {}, {total} item(s) in all: the client carries the conversation.", from + 1)),
        Reason::Replay { from, to, key, items, total, reply: false } => s
            .t(format!("Request {} starts with request {}'s {items} ", to + 1, from + 1))
            .c(key)
            .t(format!(" item(s) and adds {} more: the client resends the history.", total - items)),
        Reason::KeptContext { caller, model_call, items } => s.t(format!(
            "Call {} does not carry the earlier turns, yet the model call made for it (call {}) carries {items} item(s) from earlier turns: the layer between them kept the conversation.",
            caller + 1,
            model_call + 1
        )),
        Reason::Label { key, value, depending } => label(&mut s, &e.calls, key, value, *depending),
    };
    notes(&mut s, &e.notes);
    s
}

/// What an API declares: a handle sent at its place, a protocol its server names, a setting.
fn declared<'s>(s: &'s mut Sentence, e: &Evidence) -> &'s mut Sentence {
    let kind = e.state.map(StateKind::as_str).unwrap_or_default();
    let family = e.api.as_deref().unwrap_or_default();
    match e.reason {
        Reason::DeclaredHandle => {
            let shown = e.handle.as_deref().map(|h| redact::fingerprint(h, false)).unwrap_or_default();
            s.t(format!("{} send{} {shown} at ", list_calls(&e.calls, true), if e.calls.len() == 1 { "s" } else { "" }))
                .c(&e.places[0])
                .t(format!(", which {family} declares as a {kind} handle; it was not minted in this trace, so the state was created elsewhere or chosen by the client."))
        }
        Reason::DeclaredProtocol => s
            .t(format!("The server of {} names its protocol at ", list_calls(&e.calls, false)))
            .c(&e.places[0])
            .t(format!(": {family} keeps {kind} state on the server for the session.")),
        _ => s
            .t(format!("{} configures server-side {kind} state at ", list_calls(&e.calls, true)))
            .c(&e.places[0])
            .t(format!(" ({family}).")),
    }
}

/// What weakened an item after it was found.
fn notes(s: &mut Sentence, notes: &[Note]) {
    for note in notes {
        match note {
            Note::ResendsContext { calls } => s.t(format!(
                " Call(s) {} resend their whole context, so there the handle is a label, not a dependency.",
                numbers(calls, usize::MAX)
            )),
            Note::StatelessHost { family } => s.t(format!(
                " But {family} keeps no state by contract, so there the handle cannot refer to state the server kept."
            )),
        };
    }
}

fn handle_flow<'s>(s: &'s mut Sentence, e: &Evidence, senders: usize) -> &'s mut Sentence {
    let (minted, sent) = (&e.places[0], &e.places[e.places.len().min(2) - 1]);
    let later = if senders == 1 {
        format!("call {}", sent.call + 1)
    } else {
        format!("{senders} later calls (first: call {})", sent.call + 1)
    };
    let shown = e.handle.as_deref().map(|h| redact::fingerprint(h, e.secret)).unwrap_or_default();
    let family = e.api.as_deref().map(|f| format!(" ({f})")).unwrap_or_default();
    let kind = e.state.map(StateKind::as_str).unwrap_or_default();
    s.t(format!("Call {} minted {shown} at ", minted.call + 1))
        .c(minted)
        .t(format!(" and {later} sent it back at "))
        .c(sent)
        .t(format!(": {kind} state kept by the server{family}."))
}

fn label<'s>(s: &'s mut Sentence, calls: &[usize], key: &str, value: &str, depending: bool) -> &'s mut Sentence {
    let (which, carry) = if calls.len() == 1 { ("Call", "carries") } else { ("Calls", "carry") };
    let why = if depending {
        "the dependence on kept state is shown by the kept-context evidence, not by the tag"
    } else {
        "nothing in the trace shows a dependence behind it (no model call carries earlier turns that its caller did not send, and no handle minted by a server is sent back), so it does not count as server-kept state"
    };
    s.t(format!("{which} {} {carry} ", numbered(calls))).c(key).t(format!(
        " = {value}: a label that a client or SDK stamps on spans to group them; by itself it proves nothing kept on a server, and {why}."
    ))
}

/// The verdict's explanation. `sentences` are the evidence's, in evidence order (E1 first).
pub fn explanation(x: &Explanation, evidence: &[Evidence], sentences: &[Sentence]) -> Sentence {
    let mut s = Sentence::default();
    match x {
        Explanation::NoCalls { diagnostic: None } => s.t("Inconclusive: the input holds no calls."),
        Explanation::NoCalls { diagnostic: Some(why) } => {
            s.t(format!("Inconclusive: the input holds no calls ({}).", why.trim_end_matches('.')))
        }
        Explanation::Stateful { .. } => stateful(&mut s, x, sentences),
        Explanation::Layered { .. } => layered(&mut s, x, sentences),
        Explanation::StatefulBehindFront { upper, lower, kinds: k, cited } => s
            .t(format!(
                "Stateful behind a stateless front: the upper calls ({}) carry no server-kept state, but the {} model call(s) made for them (calls {}) depend on {} state kept by the model provider: ",
                numbered(upper),
                lower.len(),
                numbered(lower),
                kinds(k)
            ))
            .cite(cited, sentences),
        Explanation::OpenConnection { cited } => s
            .t("Inconclusive: the trace opens a connection whose messages are not recorded. ")
            .cite(&[*cited], sentences),
        Explanation::OneCall { caveat, stored, labels } => {
            s.t("Stateless as far as one call can show: it sends no handle to server-kept state, and there is no other call to link it to.");
            endings(&mut s, *caveat, stored, labels, evidence, sentences)
        }
        Explanation::Stateless { calls, replays, caveat, stored, labels } => {
            if replays.is_empty() {
                s.t(format!("Stateless: none of the {calls} calls sends back a handle to conversation, session, connection or sandbox state kept by the server."));
            } else {
                s.t(format!("Stateless: the client carries the conversation, resending it on each call, and none of the {calls} calls refers to server-kept conversation, session, connection or sandbox state. "))
                    .cite(replays, sentences);
            }
            endings(&mut s, *caveat, stored, labels, evidence, sentences)
        }
    };
    s
}

fn stateful<'s>(s: &'s mut Sentence, x: &Explanation, sentences: &[Sentence]) -> &'s mut Sentence {
    let Explanation::Stateful { mixed, stateful_calls, calls, sessions, kinds: k, cited, hedge, stored } = x else {
        return s;
    };
    let k = kinds(k);
    if *mixed {
        s.t(format!("Mixed: {stateful_calls} of {calls} calls depend on {k} state kept by the server ({sessions} stateful session(s)), beside stateless model calls that carry their own context. "));
    } else {
        s.t(format!(
            "Stateful: {stateful_calls} of {calls} calls depend on {k} state kept by the server ({sessions} session(s)). "
        ));
    }
    s.cite(cited, sentences);
    s.t(match hedge {
        Hedge::Declared => " The handle is declared by the API's fingerprint, not seen flowing from a response, so confidence is lower than for an observed handle.",
        Hedge::Weak => " The evidence is a transport or a weak match, not an observed handle flow, so confidence is limited.",
        Hedge::None => "",
    });
    stored_note(s, stored, sentences)
}

fn layered<'s>(s: &'s mut Sentence, x: &Explanation, sentences: &[Sentence]) -> &'s mut Sentence {
    let Explanation::Layered { upper, sessions, kinds: k, cited, lower, replays, replay_cited, declared_only } = x
    else {
        return s;
    };
    s.t(format!(
        "Layered: a stateful runtime built on stateless model calls. The runtime layer (calls {} in {sessions} session(s)) keeps {} state: ",
        numbered(upper),
        kinds(k)
    ))
    .cite(cited, sentences)
    .t(format!(" Beneath it, its {} model call(s) (calls {}) are stateless: ", lower.len(), numbered(lower)));
    if *replays == 0 {
        s.t("none of them sends a handle to server-kept state.");
    } else {
        s.t(format!("{replays} of them resend the whole context: ")).cite(replay_cited, sentences);
    }
    if *declared_only {
        s.t(" The runtime's state is declared by its API's contract (the session it is called with), not seen kept in this trace (no model call carries turns its caller did not send), so confidence is lower.");
    }
    s
}

/// What a stateless explanation ends with: the browser caveat, stored resources, session tags.
fn endings<'s>(
    s: &'s mut Sentence,
    caveat: bool,
    stored: &Option<Stored>,
    labels: &[usize],
    evidence: &[Evidence],
    sentences: &[Sentence],
) -> &'s mut Sentence {
    if caveat {
        s.t(" Browsers leave cookies and Authorization headers out of HAR exports by default, so a cookie session could be hidden.");
    }
    stored_note(s, stored, sentences);
    let tags: Vec<(&str, usize)> = labels
        .iter()
        .filter_map(|&i| match &evidence[i].places.first()?.part {
            crate::signals::Part::Attribute { key } => Some((key.as_str(), i)),
            _ => None,
        })
        .collect();
    if tags.is_empty() {
        return s;
    }
    s.t(if tags.len() == 1 { " The tag " } else { " The tags " });
    for (n, (key, i)) in tags.iter().enumerate() {
        if n > 0 {
            s.t(", ");
        }
        s.c(key).t(" ");
        s.0.push(Phrase::Cite(format!("E{}", i + 1)));
    }
    s.t(if tags.len() == 1 {
        " groups calls but is a label, not state: nothing shows a call depending on it."
    } else {
        " group calls but are labels, not state: nothing shows a call depending on them."
    })
}

fn stored_note<'s>(s: &'s mut Sentence, stored: &Option<Stored>, sentences: &[Sentence]) -> &'s mut Sentence {
    let Some(stored) = stored else { return s };
    s.t(format!(
        " Calls also use {} kept by the server, which do not by themselves make the traffic stateful: ",
        kinds(&stored.kinds)
    ))
    .cite(&stored.cited, sentences)
}
