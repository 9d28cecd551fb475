//! Declared state: the fingerprint table of known APIs, as data. A fingerprint names the API a
//! call belongs to and the places where that API carries state; the observed flow decides the
//! mode. Users add their own fingerprints and names in the same format (`--rules`).

use super::lexicon::Meaning;
use super::{At, Evidence, Part, Place, Reason, Side, Signal, StateKind, Strength};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::facts::{Facts, Field, Role};
use crate::model::{Call, Trace};
use rustc_hash::{FxHashMap, FxHashSet};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The built-in table, compiled in. Each entry cites the vendor reference it was checked against.
/// It is kept pretty-printed for people and compiled in without the white space between tokens:
/// 7.6 KB less in the wasm module.
static BUILTIN: &str = match std::str::from_utf8(&MINIFIED) {
    Ok(text) => text,
    Err(_) => panic!("fingerprints.json is not UTF-8"),
};
const PRETTY: &[u8] = include_bytes!("fingerprints.json");
static MINIFIED: [u8; minified_len(PRETTY)] = minified(PRETTY);

/// The length of `text` without the JSON white space outside strings.
const fn minified_len(text: &[u8]) -> usize {
    minify(text, &mut [])
}

/// `text` without the JSON white space outside strings (`N` is its `minified_len`).
const fn minified<const N: usize>(text: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    minify(text, &mut out);
    out
}

/// Writes the bytes of `text` kept by minifying into `out`, as many as it holds; how many are kept.
const fn minify(text: &[u8], out: &mut [u8]) -> usize {
    let (mut i, mut len, mut in_string, mut escaped) = (0, 0, false, false);
    while i < text.len() {
        let kept;
        (kept, in_string, escaped) = crate::lex::json_byte(text[i], in_string, escaped);
        if kept {
            if len < out.len() {
                out[len] = text[i];
            }
            len += 1;
        }
        i += 1;
    }
    len
}

/// One API family or endpoint.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    pub id: String,
    pub family: String,
    #[serde(default)]
    pub reference: Option<String>,
    /// Host patterns (`*.openai.azure.com`); empty matches any host.
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub method: Option<String>,
    /// Path patterns: `*` within a segment, `**` for any number of segments, `{name}` for one
    /// segment that a state place can refer to as `request.path/{name}`. Empty matches any path.
    #[serde(default)]
    pub paths: Vec<String>,
    /// JSON pointers into the request body and the patterns their string value must match.
    #[serde(default)]
    pub body: BTreeMap<String, Vec<String>>,
    /// Span attributes and the patterns their value must match (for calls read from traces).
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
    /// JSON pointers into the first messages a server sent on a WebSocket, and the patterns their
    /// value must match (`*` also matches an object): protocols that name themselves in their
    /// first events (`session.created`, `setupComplete`) when the recording has no URL.
    #[serde(default)]
    pub frames: BTreeMap<String, Vec<String>>,
    /// Where the API carries state.
    #[serde(default)]
    pub state: Vec<StatePlace>,
    /// The mode of a call to this API when nothing else is observed.
    #[serde(default)]
    pub mode: Option<DefaultMode>,
    /// `false` for endpoints that keep no state by contract (a gateway whose Responses API is
    /// stateless): a handle sent there cannot refer to state the server kept.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub keeps_state: bool,
    /// `paths`, split into segments once when the table is loaded.
    #[serde(skip)]
    #[schemars(skip)]
    split_paths: Vec<Vec<String>>,
}

impl Fingerprint {
    fn compiled(mut self) -> Fingerprint {
        self.split_paths =
            self.paths.iter().map(|p| p.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect()).collect();
        self
    }
}

fn yes() -> bool {
    true
}

fn is_yes(value: &bool) -> bool {
    *value
}

/// What a call to an API is when nothing else is observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DefaultMode {
    /// A model call that carries its own context.
    Stateless,
    /// A connection or session that keeps state by its nature (a realtime WebSocket).
    Stateful,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatePlace {
    /// `request.body/<pointer>`, `request.headers/<name>`, `request.query/<name>`,
    /// `request.path/{name}` or `span.attributes/<key>`.
    pub at: String,
    pub kind: StateKind,
    /// The field's presence declares the state (it configures a server-side session) even
    /// without a handle in it.
    #[serde(default)]
    pub present: bool,
}

/// User rules: extra fingerprints (matched before the built-in ones) and extra names.
#[derive(Debug, Default, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRules {
    #[serde(default)]
    pub fingerprints: Vec<Fingerprint>,
    /// Field, header or cookie names and the kind of state their values are handles to
    /// (`conversation`, `session`, `connection`, `sandbox`, `resource`, `job`, or `cursor`).
    #[serde(default)]
    pub names: BTreeMap<String, String>,
}

/// The fingerprint table in use.
#[derive(Debug, Clone)]
pub struct Rules {
    fingerprints: Vec<Fingerprint>,
    names: FxHashMap<String, Meaning>,
}

impl Rules {
    pub fn builtin() -> Rules {
        let fingerprints: Vec<Fingerprint> = crate::json::de::from_str(BUILTIN).unwrap_or_default();
        Rules {
            fingerprints: fingerprints.into_iter().map(Fingerprint::compiled).collect(),
            names: FxHashMap::default(),
        }
    }

    /// The built-in rules extended with a user's rules (JSON, see the README).
    pub fn with_user_rules(json: &[u8]) -> Result<Rules> {
        let invalid = |detail: &str| Error::new(ErrorKind::Usage, format!("The rules file is not valid: {detail}."));
        let text = std::str::from_utf8(json).map_err(|_| invalid("it is not UTF-8 text"))?;
        let user: UserRules = crate::json::de::from_str(text).map_err(|e| match e.offset {
            Some(offset) => invalid(&e.message).at(Location::at_offset(json, offset)),
            None => invalid(&e.message),
        })?;
        Rules::with(user)
    }

    /// The built-in rules extended with a user's rules, validated.
    pub fn with(user: UserRules) -> Result<Rules> {
        let mut rules = Rules::builtin();
        let mut fingerprints: Vec<Fingerprint> = user.fingerprints.into_iter().map(Fingerprint::compiled).collect();
        fingerprints.append(&mut rules.fingerprints);
        rules.fingerprints = fingerprints;
        for (name, kind) in user.names {
            let meaning = if kind == "cursor" { Meaning::Cursor } else { Meaning::State(parse_kind(&kind)?) };
            rules.names.insert(name.to_ascii_lowercase(), meaning);
        }
        Ok(rules)
    }

    pub fn fingerprints(&self) -> &[Fingerprint] {
        &self.fingerprints
    }

    /// The table as Markdown, one row per family: how it is recognized, where it keeps state.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from(
            "| id | family | recognised by | state it declares | default | reference |\n|---|---|---|---|---|---|\n",
        );
        for fp in &self.fingerprints {
            let mut by = Vec::new();
            if !fp.hosts.is_empty() {
                by.push(format!("host {}", fp.hosts.join(", ")));
            }
            if let Some(method) = &fp.method {
                by.push(method.clone());
            }
            if !fp.paths.is_empty() {
                by.push(fp.paths.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "));
            }
            for (pointer, values) in fp.body.iter().chain(&fp.attributes) {
                by.push(format!("`{pointer}` = {}", values.join(" / ")));
            }
            for (pointer, values) in &fp.frames {
                by.push(format!("first server message `{pointer}` = {}", values.join(" / ")));
            }
            let state: Vec<String> = fp
                .state
                .iter()
                .map(|s| format!("`{}` → {}{}", s.at, s.kind.as_str(), if s.present { " (present)" } else { "" }))
                .collect();
            let mode = match (fp.mode, fp.keeps_state) {
                (_, false) => "stateless; keeps no state",
                (Some(DefaultMode::Stateless), true) => "stateless",
                (Some(DefaultMode::Stateful), true) => "stateful",
                (None, true) => "—",
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                fp.id,
                fp.family,
                by.join("; ").replace('|', "\\|"),
                if state.is_empty() { "—".to_string() } else { state.join("<br>") },
                mode,
                fp.reference.as_deref().unwrap_or("—")
            ));
        }
        out
    }

    /// What a user rule says a name holds.
    pub fn meaning(&self, name: &str) -> Option<Meaning> {
        if self.names.is_empty() {
            return None;
        }
        self.names.get(&name.to_ascii_lowercase()).copied()
    }

    /// The first fingerprint that matches each call. A trace repeats a few URLs thousands of
    /// times: which fingerprints a method, host and path pass is worked out once per URL (each
    /// pattern was split when the table was loaded), and only the conditions on what a call
    /// carries are checked call by call.
    pub fn recognize_all<'t>(&self, calls: &'t [Call]) -> Vec<Option<&Fingerprint>> {
        let mut by_url: FxHashMap<(&'t str, &'t str, &'t str), Vec<usize>> = FxHashMap::default();
        calls
            .iter()
            .map(|call| {
                let (method, url) = (call.request.method.as_str(), &call.request.url);
                let passing = by_url.entry((method, url.hostname(), url.path.as_str())).or_insert_with(|| {
                    let segments: Vec<&str> = url.path.split('/').filter(|s| !s.is_empty()).collect();
                    let fingerprints = self.fingerprints.iter().enumerate();
                    fingerprints.filter(|(_, fp)| fp.url_matches(call, &segments)).map(|(i, _)| i).collect()
                });
                passing.iter().map(|&i| &self.fingerprints[i]).find(|fp| fp.content_matches(call))
            })
            .collect()
    }
}

fn parse_kind(kind: &str) -> Result<StateKind> {
    StateKind::parse(kind).ok_or_else(|| {
        Error::new(
            ErrorKind::Usage,
            format!("Unknown kind of state `{kind}` in the rules: use conversation, session, connection, sandbox, resource or job."),
        )
    })
}

impl Fingerprint {
    /// Whether the call's method, host and path (split into `segments`) are this API's.
    fn url_matches(&self, call: &Call, segments: &[&str]) -> bool {
        let request = &call.request;
        if let Some(method) = &self.method {
            if !request.method.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        if !self.hosts.is_empty() && !self.hosts.iter().any(|h| glob(h, request.url.hostname())) {
            return false;
        }
        if !self.paths.is_empty() {
            let mut captures = Vec::new();
            let matched = self.split_paths.iter().any(|pattern| {
                captures.clear();
                match_segments(pattern, segments, 0, &mut captures)
            });
            if !matched {
                return false;
            }
        }
        true
    }

    /// Whether what the call carries (span attributes, first frames, request body) is this
    /// API's.
    fn content_matches(&self, call: &Call) -> bool {
        if !self.attributes.is_empty() {
            let Some(span) = &call.span else { return false };
            for (key, patterns) in &self.attributes {
                let Some(value) = span.attribute(key) else { return false };
                if !patterns.iter().any(|p| glob(p, value)) {
                    return false;
                }
            }
        }
        if !self.frames.is_empty() && first_frame_with(call, &self.frames).is_none() {
            return false;
        }
        if !self.body.is_empty() {
            let facts = call.request.body.facts(Role::Request);
            for (pointer, patterns) in &self.body {
                let Some(value) = facts.text_at(pointer) else { return false };
                if !patterns.iter().any(|p| glob(p, value)) {
                    return false;
                }
            }
        }
        true
    }

    /// The kind of state this API keeps at a request place (a path segment, a body field), for
    /// a request to `path`. The table writes its places as reports print them.
    pub fn state_at(&self, path: &str, at: &At) -> Option<StateKind> {
        if let Part::Segment { index, .. } = at.part {
            let name = self.paths.iter().find_map(|pattern| {
                let captures = path_captures(pattern, path)?;
                captures.into_iter().find(|&(_, i)| i == index).map(|(name, _)| name)
            })?;
            let place = format!("request.path/{{{name}}}");
            return self.state.iter().find(|s| s.at == place).map(|s| s.kind);
        }
        if let Part::Path { .. } = at.part {
            return None;
        }
        let at = at.to_string();
        self.state
            .iter()
            .find(|s| at == s.at || at.strip_prefix(s.at.as_str()).is_some_and(|rest| rest.starts_with('/')))
            .map(|s| s.kind)
    }

    pub fn default_mode(&self) -> Option<DefaultMode> {
        self.mode
    }
}

/// `*` matches any run of characters within the text; everything else literally (ASCII case
/// folded).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// Matches a path against a pattern of segments and returns the `{name}` captures with the index
/// of the path segment each one matched.
fn path_captures(pattern: &str, path: &str) -> Option<Vec<(String, usize)>> {
    let pattern: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut captures = Vec::new();
    let matched = match_segments(&pattern, &path, 0, &mut captures);
    matched.then(|| captures.into_iter().map(|(name, at)| (name.to_string(), at)).collect())
}

fn match_segments<'p, S: AsRef<str>>(
    pattern: &'p [S],
    path: &[&str],
    at: usize,
    captures: &mut Vec<(&'p str, usize)>,
) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((segment, rest)) if segment.as_ref() == "**" => {
            (0..=path.len()).any(|skip| match_segments(rest, &path[skip..], at + skip, captures))
        }
        Some((segment, rest)) => {
            let segment = segment.as_ref();
            let Some((first, tail)) = path.split_first() else { return false };
            let capture = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
            let ok = match capture {
                Some(name) => {
                    captures.push((name, at));
                    true
                }
                None => glob(segment, first),
            };
            if ok && match_segments(rest, tail, at + 1, captures) {
                return true;
            }
            if capture.is_some() {
                captures.pop();
            }
            false
        }
    }
}

/// How many of a WebSocket's first messages are looked at to recognize its protocol.
const FIRST_FRAMES: usize = 8;

/// The first message the server sent (among the first few) whose JSON matches every pointer's
/// patterns, with its index among the call's messages.
fn first_frame_with<'c>(call: &'c Call, patterns: &BTreeMap<String, Vec<String>>) -> Option<(usize, &'c Facts)> {
    call.frames.iter().take(FIRST_FRAMES).enumerate().find_map(|(n, frame)| {
        if frame.direction != crate::model::Direction::Received {
            return None;
        }
        let facts = Some(frame.body.facts(Role::Frame)).filter(|f| f.json)?;
        let matched = patterns.iter().all(|(pointer, patterns)| match facts.field(pointer) {
            Some(Field::Text(text)) => patterns.iter().any(|p| glob(p, text)),
            Some(Field::Null) | None => false,
            Some(_) => patterns.iter().any(|p| p == "*"),
        });
        matched.then_some((n, facts))
    })
}

/// Declared state whose handle the trace never saw minted: the API says the call continues state
/// kept elsewhere (a session id the client chose, a conversation started before the capture).
pub fn declarations(trace: &Trace, apis: &[Option<&Fingerprint>], minted: &FxHashSet<&str>) -> Vec<Evidence> {
    let mut found: Vec<Declared> = Vec::new();
    let mut by_value: FxHashMap<(String, String), usize> = FxHashMap::default();
    for (i, (call, api)) in trace.calls.iter().zip(apis).enumerate() {
        let Some(fp) = api else { continue };
        for place in &fp.state {
            let kind = place.kind;
            let Some((at, value)) = value_at(call, fp, &place.at) else { continue };
            if place.present {
                found.push(Declared {
                    kind,
                    family: fp.family.clone(),
                    calls: vec![i],
                    places: vec![at.of(i)],
                    value: None,
                });
                continue;
            }
            if value.is_empty() || minted.contains(value.as_str()) {
                continue;
            }
            let key = (place.at.clone(), value.clone());
            match by_value.get(&key) {
                Some(&n) => {
                    found[n].calls.push(i);
                    found[n].places.push(at.of(i));
                }
                None => {
                    by_value.insert(key, found.len());
                    found.push(Declared {
                        kind,
                        family: fp.family.clone(),
                        calls: vec![i],
                        places: vec![at.of(i)],
                        value: Some(value),
                    });
                }
            }
        }
    }
    found.into_iter().map(evidence_of).collect()
}

/// One declared place, and the calls that carry the same value there.
struct Declared {
    kind: StateKind,
    family: String,
    calls: Vec<usize>,
    places: Vec<Place>,
    value: Option<String>,
}

fn evidence_of(d: Declared) -> Evidence {
    let reason = match &d.value {
        Some(_) => Reason::DeclaredHandle,
        // A protocol recognized by its first events keeps that state for the session.
        None if matches!(d.places[0].part, Part::Frame { .. }) => Reason::DeclaredProtocol,
        None => Reason::DeclaredSetting,
    };
    Evidence {
        signal: Signal::Declared,
        state: Some(d.kind),
        strength: if d.value.is_some() && d.calls.len() > 1 { Strength::Medium } else { Strength::Weak },
        dependents: d.calls.clone(),
        calls: d.calls,
        places: d.places,
        handle: d.value,
        secret: false,
        api: Some(d.family),
        reason,
        notes: Vec::new(),
    }
}

/// The value a request carries at a declared place, with the place as printed in reports.
fn value_at(call: &Call, fp: &Fingerprint, at: &str) -> Option<(At, String)> {
    let request = &call.request;
    if let Some(name) = at.strip_prefix("request.headers/") {
        let place = At::sent(Part::Header { name: name.to_string() });
        return request.headers.get(name).map(|v| (place, v.to_string()));
    }
    if let Some(key) = at.strip_prefix("span.attributes/") {
        let place = At::sent(Part::Attribute { key: key.to_string() });
        return call.span.as_ref()?.attribute(key).map(|v| (place, v.to_string()));
    }
    if let Some(pointer) = at.strip_prefix("received.frame") {
        let wanted = BTreeMap::from([(pointer.to_string(), vec!["*".to_string()])]);
        let (n, facts) = first_frame_with(call, &wanted)?;
        let text = facts.text_at(pointer).unwrap_or_default().to_string();
        let place = At::new(Side::Received, Part::Frame { index: n + 1, pointer: pointer.to_string() });
        return Some((place, text));
    }
    if let Some(name) = at.strip_prefix("request.query/") {
        let place = At::sent(Part::Query { name: name.to_string() });
        return request.url.query.iter().find(|(k, _)| k == name).map(|(_, v)| (place, v.clone()));
    }
    if let Some(pointer) = at.strip_prefix("request.body") {
        let text = request.body.facts(Role::Request).field(pointer)?.text()?.to_string();
        return Some((At::sent(Part::Body { pointer: pointer.to_string() }), text));
    }
    if let Some(capture) = at.strip_prefix("request.path/{").and_then(|s| s.strip_suffix('}')) {
        let segments: Vec<&str> = request.url.path.split('/').filter(|s| !s.is_empty()).collect();
        return fp.paths.iter().find_map(|pattern| {
            let (_, index) =
                path_captures(pattern, &request.url.path)?.into_iter().find(|(name, _)| *name == capture)?;
            Some((
                At::sent(super::places::path_place(&segments, index)),
                crate::model::percent_decode(segments[index]).into_owned(),
            ))
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_is_the_source_without_white_space() {
        let pretty: serde_json::Value = serde_json::from_str(include_str!("fingerprints.json")).unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(BUILTIN).unwrap(), pretty);
        assert!(!BUILTIN.contains('\n') && !BUILTIN.contains("\": ") && BUILTIN.len() < 22_000);
        const TRICKY: &[u8] = br#"{ "a \" b\\": [ "c\t d" , 1 ] }"#;
        assert_eq!(&minified::<{ minified_len(TRICKY) }>(TRICKY), br#"{"a \" b\\":["c\t d",1]}"#);
    }

    #[test]
    fn builtin_table_parses_and_every_kind_is_known() {
        let fingerprints: Vec<Fingerprint> = crate::json::de::from_str(BUILTIN).expect("fingerprints.json parses");
        let theirs: Vec<Fingerprint> = serde_json::from_str(BUILTIN).unwrap();
        assert_eq!(format!("{fingerprints:?}"), format!("{theirs:?}"), "read as serde_json reads it");
        assert!(fingerprints.len() >= 15);
        for fp in &fingerprints {
            assert!(fp.reference.is_some(), "{} cites no reference", fp.id);
            assert!(
                fp.state
                    .iter()
                    .all(|place| ["request.", "span.", "received.frame/"].iter().any(|p| place.at.starts_with(p))),
                "{}",
                fp.id
            );
        }
    }

    #[test]
    fn paths_and_globs() {
        assert!(glob("*.openai.azure.com", "x.openai.azure.com"));
        assert!(!glob("*.openai.azure.com", "openai.com"));
        assert!(path_captures("/**/responses", "/v1/responses").is_some());
        assert!(path_captures(
            "/**/models/*:*generateContent",
            "/v1beta/models/gemini-2.0-flash:streamGenerateContent"
        )
        .is_some());
        let captures = path_captures("/v1/threads/{thread}/runs/{run}/**", "/v1/threads/thread_a/runs/run_b").unwrap();
        assert_eq!(captures, vec![("thread".to_string(), 2), ("run".to_string(), 4)]);
        let captures = path_captures("/**/realtime/calls/{call}/**", "/openai/v1/realtime/calls/rtc_1/hangup").unwrap();
        assert_eq!(captures, vec![("call".to_string(), 4)]);
    }
}
