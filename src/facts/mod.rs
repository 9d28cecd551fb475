//! What the signals read of a body, taken from its bytes in one pass: the handle-shaped strings
//! with their places, the hashes of its texts and of its conversation items, and the short fields
//! that fingerprints look up. A body is never held as a tree: a history resent turn after turn
//! costs a few hashes per item, not a copy of itself.
//!
//! [`scan`] reads the bytes ([`crate::lex`] is JSON's lexical grammar, [`seq`] the composable
//! hash that keys items); [`oracle`] (tests and fuzzing only) computes the same facts from a
//! `serde_json::Value`, the way callstate once did, to check the scanner against.

mod memo;
#[cfg(any(test, feature = "oracle"))]
pub mod oracle;
mod scan;
mod seq;

pub use memo::ItemMemo;
pub(crate) use memo::{rememberable, Memo};

use crate::lexicon;

/// What a body is to the call it belongs to. Only a request's conversation items are replayed
/// content; the same shapes elsewhere (a response, a WebSocket message) are what they say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Request,
    Response,
    Frame,
}

/// The facts of one body. Empty when the body is neither a JSON document nor a stream of JSON
/// events (text, forms, binary).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The body is one JSON document (an object or an array).
    pub json: bool,
    /// Handle-shaped strings, in the order of the document with its object members sorted by
    /// key (so the same JSON written with its keys in another order gives the same facts).
    pub candidates: Vec<Candidate>,
    /// Hashes of the content texts of the document (see [`is_content_key`]), in that order.
    pub texts: Vec<u64>,
    /// The conversation items of a request document, if it has any.
    pub items: Option<Items>,
    /// Hashes of every string of a request document at least [`LONG_TEXT`] bytes long (trimmed),
    /// in that order: what links a back-end request to the front-door request it serves.
    pub long_texts: Vec<u64>,
    /// Members reached from the root through objects only (`/store`, `/params/message/taskId`),
    /// up to [`FIELD_DEPTH`] deep: what fingerprints and retention look up.
    pub fields: Vec<(String, Field)>,
    /// For a stream of events: the hash of the text its deltas spell, if not blank.
    pub streamed: Option<u64>,
}

/// A handle-shaped string and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    /// JSON pointer of the string (`/previous_response_id`, `/data/0/id`).
    pub pointer: String,
    /// The nearest member name above the string (`id` in `/data/0/id`); empty at the root.
    pub name: String,
    /// For a stream of events, the event (from 0) the string is in.
    pub event: Option<usize>,
    /// The `id` of a `{"type": "…reference", "id": …}` object: a reference even inside a
    /// WebSocket message.
    pub reference: bool,
    /// Inside a request's conversation items (kept only where its name says it refers to a
    /// stored resource).
    pub content: bool,
}

/// A document's conversation items: the first of [`ITEM_KEYS`] that holds a non-empty list or a
/// string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Items {
    pub key: &'static str,
    pub items: Vec<Item>,
    /// The items' content text hashes, item after item (one allocation for a whole history).
    texts: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Equal for items that say the same texts in the same order (ids, roles and types aside).
    pub key: u64,
    /// A `system` or `developer` message: instructions, not a turn.
    pub instructions: bool,
    /// Where its texts end in [`Items`]'s texts (they start where the previous item's end).
    end: usize,
}

impl Items {
    /// Items from their keys, instructions flags and texts.
    fn new<'t>(key: &'static str, items: impl Iterator<Item = (u64, bool, &'t [u64])>) -> Items {
        let mut all = Items { key, items: Vec::new(), texts: Vec::new() };
        for (key, instructions, texts) in items {
            all.texts.extend_from_slice(texts);
            all.items.push(Item { key, instructions, end: all.texts.len() });
        }
        all
    }

    /// Hashes of item `i`'s content texts.
    pub fn texts(&self, i: usize) -> &[u64] {
        let start = if i == 0 { 0 } else { self.items[i - 1].end };
        &self.texts[start..self.items[i].end]
    }
}

/// The value of a member, as much of it as fingerprints compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A string; one longer than [`LONG_FIELD`] bytes as a digest (the same text, the same
    /// digest), since no handle is that long.
    Text(String),
    Bool(bool),
    Null,
    /// An object, with its `id` if that is a string.
    Object(Option<String>),
    /// A number or a list, as written (a list longer than [`LONG_FIELD`] bytes as a digest).
    Other(String),
}

impl Field {
    /// The value as fingerprints compare it: a string, an object's `id`, anything else as text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Field::Text(s) | Field::Other(s) => Some(s),
            Field::Object(id) => Some(id.as_deref().unwrap_or("")),
            Field::Bool(true) => Some("true"),
            Field::Bool(false) => Some("false"),
            Field::Null => None,
        }
    }
}

impl Facts {
    /// The facts of a body's bytes, for the role it plays (`None` where they are not a JSON
    /// document; bad UTF-8 anywhere makes one `serde_json` refuses).
    pub fn of(bytes: &[u8], role: Role) -> Option<Facts> {
        Facts::of_text(std::str::from_utf8(bytes).ok()?, role)
    }

    /// The facts of a body's text, for the role it plays.
    pub fn of_text(text: &str, role: Role) -> Option<Facts> {
        Facts::of_text_remembering(text, role, None)
    }

    /// The same facts, taken with the conversation items earlier bodies of the input held
    /// (see [`ItemMemo`]).
    pub fn of_text_remembering(text: &str, role: Role, memo: Option<&mut ItemMemo>) -> Option<Facts> {
        scan::document(text, role, None, memo).map(|mut facts| {
            facts.json = true;
            facts
        })
    }

    /// The facts of a stream of JSON events (SSE `data:` or NDJSON lines): their handle-shaped
    /// strings, and the text their deltas spell.
    pub fn of_events<'e>(events: impl Iterator<Item = &'e str>) -> Facts {
        let mut facts = Facts::default();
        let mut spelled = String::new();
        for (n, data) in events.enumerate() {
            let Some(event) = scan::document(data, Role::Frame, Some(&mut spelled), None) else { continue };
            facts.candidates.extend(event.candidates.into_iter().map(|c| Candidate { event: Some(n), ..c }));
        }
        if !spelled.trim().is_empty() {
            facts.streamed = Some(text_hash(&spelled));
        }
        facts
    }

    /// The field at a JSON pointer (the last one, where a document repeats a key).
    pub fn field(&self, pointer: &str) -> Option<&Field> {
        self.fields.iter().rev().find(|(p, _)| p == pointer).map(|(_, f)| f)
    }

    /// The string at a JSON pointer.
    pub fn text_at(&self, pointer: &str) -> Option<&str> {
        match self.field(pointer)? {
            Field::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// Keys of a request body whose values are conversation items, first found first used.
pub const ITEM_KEYS: &[&str] = &["messages", "input", "contents", "history", "turns"];

/// Keys of a request body whose list items are conversation content, not references.
const CONTENT_ARRAYS: &[&str] = &["messages", "input", "contents", "history", "turns", "items", "prompt", "system"];

/// Keys whose strings say how an item is shaped, not what it says.
const SHAPE_KEYS: &[&str] =
    &["type", "role", "id", "call_id", "tool_call_id", "tool_use_id", "status", "cache_control", "index"];

/// Keys whose strings in a stream event are pieces of the reply's text.
const DELTA_KEYS: &[&str] = &["text", "content", "thinking", "output_text", "delta"];

/// Strings at least this long (trimmed) link calls by content: too long to match by chance.
pub const LONG_TEXT: usize = 12;

/// Fields are read this deep (fingerprints look 3 deep).
pub const FIELD_DEPTH: usize = 8;

/// Strings longer than any handle are kept as digests in fields.
pub const LONG_FIELD: usize = 512;

/// A string under this key (or a list under it) is content, not shape.
fn is_content_key(key: Option<&str>) -> bool {
    !key.is_some_and(|k| SHAPE_KEYS.contains(&k))
}

/// The hash of a text, trimmed: what replay and kept context compare.
pub fn text_hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    s.trim().hash(&mut hasher);
    hasher.finish()
}

/// A long field's stand-in: a control character and the hash of the text.
fn digest(s: &str) -> String {
    format!("\u{1}{:016x}", text_hash(s))
}

/// A text as a field keeps it: itself, or past [`LONG_FIELD`] bytes its digest.
pub fn field_text(s: &str) -> String {
    if s.len() > LONG_FIELD {
        digest(s)
    } else {
        s.to_string()
    }
}

/// Whether a candidate in a request's items is kept: only where its name refers to a stored
/// resource (a `file_id` in a message), never a replayed `tool_call_id`.
fn keeps_content(name: &str) -> bool {
    lexicon::meaning(name) == Some(lexicon::Meaning::State(lexicon::StateKind::Resource))
}

/// Names whose values are never handles: types, roles, models, timestamps, and the like. Nothing
/// under them is a candidate.
pub fn is_noise_name(name: &str) -> bool {
    // Grouped by length, which is compared first: a key costs one comparison of its bytes at most
    // a few times, where a list of names compared in turn costs one call per name (wasm).
    match name.len() {
        4 => matches!(name, "type" | "role" | "date"),
        5 => name == "model",
        6 => matches!(name, "object" | "status" | "method"),
        7 => matches!(name, "created" | "version" | "jsonrpc"),
        8 => matches!(name, "encoding" | "mimeType"),
        9 => matches!(name, "timestamp" | "mime_type"),
        10 => matches!(name, "created_at" | "updated_at" | "expires_at" | "media_type"),
        11 => matches!(name, "stop_reason" | "api-version"),
        12 => matches!(name, "completed_at" | "service_tier" | "modelVersion" | "content_type"),
        13 => name == "finish_reason",
        18 => name == "system_fingerprint",
        _ => false,
    }
}

/// Placeholders that recorders write over real values (`FILTERED`, `COOKIE-XXX`, `<API_KEY>`,
/// `0000000000000000`): the same text everywhere, so it would link unrelated calls.
fn is_scrubbed(value: &str) -> bool {
    let bytes = value.as_bytes();
    // The distinct bytes, one bit each.
    let mut distinct = [0u64; 4];
    for (i, &b) in bytes.iter().enumerate() {
        distinct[(b >> 6) as usize] |= 1 << (b & 63);
        if matches!(b, b'<' | b'>') || (may_start_mark(b) && SCRUB_MARKS.iter().any(|m| bytes[i..].starts_with(m))) {
            return true;
        }
    }
    distinct.iter().map(|bits| bits.count_ones()).sum::<u32>() < 4
}

/// What recorders write in place of a value they hid.
const SCRUB_MARKS: &[&[u8]] =
    &[b"FILTERED", b"REDACTED", b"XXX", b"xxx", b"SCRUBBED", b"MASKED", b"PLACEHOLDER", b"DUMMY", b"***"];

/// Whether a byte can begin one of [`SCRUB_MARKS`]: the marks are looked for only there.
fn may_start_mark(byte: u8) -> bool {
    byte.is_ascii_uppercase() || matches!(byte, b'x' | b'*')
}

/// Whether a value is shaped like a minted handle: an opaque token, not prose, not a number,
/// not a timestamp, not a common word.
pub fn is_handle_like(value: &str) -> bool {
    let len = value.len();
    if !(8..=512).contains(&len) {
        return false;
    }
    let bytes = value.as_bytes();
    // One pass counts what the tests below need, and stops at white space or a control byte.
    let (mut digits, mut upper, mut lower) = (0, 0, 0);
    for &b in bytes {
        match b {
            b'0'..=b'9' => digits += 1,
            b'A'..=b'Z' => upper += 1,
            b'a'..=b'z' => lower += 1,
            b' ' | ..0x20 => return false,
            _ => {}
        }
    }
    let alnum = digits + upper + lower;
    // Mostly punctuation (JSON, URLs with many parts, paths) or pure numbers are not handles.
    if alnum * 10 < len * 7 || digits == len {
        return false;
    }
    if value.starts_with("http://") || value.starts_with("https://") || value.starts_with('{') {
        return false;
    }
    // Timestamps and dates: 2024-01-01T…, 2024-01-01
    if len >= 10 && bytes[4] == b'-' && bytes[7] == b'-' && bytes[..4].iter().all(u8::is_ascii_digit) {
        return false;
    }
    // A word or a phrase in snake/kebab case without digits reads as a name, not a handle,
    // unless it is long and mixed-case like a random token.
    if digits == 0
        && !(len >= 16 && upper >= 2 && lower >= 2 && !bytes.iter().any(|b| matches!(b, b'.' | b'_' | b'-' | b'/')))
    {
        return false;
    }
    // Last, as the dearest test: most strings are turned away before.
    !is_scrubbed(value)
}

/// A member name as a JSON pointer writes it.
fn pointer_segment(key: &str, out: &mut String) {
    if key.bytes().any(|b| matches!(b, b'~' | b'/')) {
        out.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        out.push_str(key);
    }
}

#[cfg(test)]
mod tests {
    use super::{is_handle_like, oracle, Facts, Field, ItemMemo, Role};

    const ROLES: [Role; 3] = [Role::Request, Role::Response, Role::Frame];

    #[test]
    fn noise_names_are_told_whatever_their_length() {
        let noise = "type object role status model created created_at updated_at completed_at expires_at timestamp \
            date version finish_reason stop_reason encoding system_fingerprint service_tier modelVersion api-version \
            jsonrpc method mime_type mimeType media_type content_type";
        for name in noise.split_whitespace() {
            assert!(super::is_noise_name(name), "{name}");
        }
        for name in ["", "id", "types", "Role", "content", "created_by", "system_fingerprints"] {
            assert!(!super::is_noise_name(name), "{name}");
        }
    }

    /// The scanner and the tree agree on a document, for every role.
    fn agree(bytes: &[u8]) {
        for role in ROLES {
            let scanned = Facts::of(bytes, role).map(Facts::normalized);
            let tree = oracle::of(bytes, role).map(Facts::normalized);
            assert_eq!(scanned, tree, "{role:?}: {}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn candidates_come_in_the_order_of_their_keys_as_a_tree_sorts_them() {
        let id = "resp_0941b08f06efed9e0069";
        let document = format!(
            r#"{{"ab":"{id}","a\u0000":"{id}","a":{{"z":"{id}","":"{id}"}},"":"{id}","\u0000":"{id}","b":[{}"{id}"]}}"#,
            "0,".repeat(11)
        );
        agree(document.as_bytes());
        let facts = Facts::of(document.as_bytes(), Role::Response).expect("JSON");
        let pointers: Vec<&str> = facts.candidates.iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(pointers, ["/", "/\u{0}", "/a/", "/a/z", "/a\u{0}", "/ab", "/b/11"]);
    }

    #[test]
    fn every_scrub_mark_is_looked_for() {
        assert!(super::SCRUB_MARKS.iter().all(|m| super::may_start_mark(m[0])));
    }

    #[test]
    fn handle_shapes() {
        for yes in [
            "resp_0941b08f06efed9e00697312fcce9c819080f2ec731d0d34ed",
            "00d24e6e5a6214603e10da907443ff90",
            "550e8400-e29b-41d4-a716-446655440000",
            "cachedContents/abc123def456",
            "RxX1eusrYsxXj1VxCMe3qcGXmrfCOHx3",
        ] {
            assert!(is_handle_like(yes), "{yes}");
        }
        for no in [
            "completed",
            "2024-01-01T00:00:00Z",
            "1769149180",
            "hello world 123",
            "short1",
            "https://api.openai.com/v1/x1",
            "application_json",
        ] {
            assert!(!is_handle_like(no), "{no}");
        }
    }

    #[test]
    fn the_same_json_written_differently_gives_the_same_facts() {
        let one = br#"{"model":"gpt-4o","previous_response_id":"resp_0941b08f06efed9e0069","input":[{"role":"user","content":[{"type":"input_text","text":"Hi there"}]},{"role":"assistant","content":"Hello!"}],"store":false}"#;
        let two = "{ \"store\" : false ,\n \"input\": [ {\"content\": [{\"text\": \"Hi \\u0074here\", \"type\": \"input_text\"}], \"role\": \"user\"},\n{\"content\":\"Hello\\u0021\",\"role\":\"assistant\"} ],\n\t\"previous_response_id\": \"resp_0941b08f06efed9e0069\", \"model\": \"gpt-4o\" }";
        let (a, b) = (Facts::of(one, Role::Request).unwrap(), Facts::of(two.as_bytes(), Role::Request).unwrap());
        assert_eq!(a.clone().normalized(), b.clone().normalized());
        let keys = |f: &Facts| f.items.as_ref().unwrap().items.iter().map(|i| i.key).collect::<Vec<_>>();
        assert_eq!(keys(&a), keys(&b));
        assert_eq!(a.candidates[0].pointer, "/previous_response_id");
        assert_eq!(a.field("/store"), Some(&Field::Bool(false)));
        agree(one);
        agree(two.as_bytes());
    }

    #[test]
    fn a_string_input_keys_like_a_message_that_says_it() {
        let text = Facts::of(br#"{"input": "Hi"}"#, Role::Request).unwrap();
        let message =
            Facts::of(br#"{"input": [{"role":"user","content":[{"type":"input_text","text":"Hi"}]}]}"#, Role::Request)
                .unwrap();
        assert_eq!(text.items.unwrap().items[0].key, message.items.unwrap().items[0].key);
    }

    #[test]
    fn texts_in_another_order_key_apart() {
        let a = Facts::of(br#"{"messages": [{"content": ["one", "two"]}]}"#, Role::Request).unwrap();
        let b = Facts::of(br#"{"messages": [{"content": ["two", "one"]}]}"#, Role::Request).unwrap();
        assert_ne!(a.items.unwrap().items[0].key, b.items.unwrap().items[0].key);
    }

    /// A history resent turn after turn (and other lists, other places, broken items) reads to
    /// the same facts with the items remembered as without.
    #[test]
    fn remembered_items_give_the_same_facts() {
        let item = |i: usize| {
            format!(
                r#"{{"role": "{}", "content": [{{"type": "text", "text": "Turn {i}: a long enough message, said once"}}], "id": "msg_{i:08}abcdef"}}"#,
                if i % 2 == 0 { "user" } else { "assistant" }
            )
        };
        let mut bodies: Vec<String> = (1..12)
            .map(|n| {
                format!(
                    r#"{{"model": "m", "messages": [{}], "previous_response_id": "resp_0123456789abcdef"}}"#,
                    (0..n).map(item).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        bodies.push(format!(r#"{{"input": [{}, "a plain string item that is long enough", 5]}}"#, item(3)));
        bodies.push(format!(r#"{{"messages": [{}, {}]}}"#, item(1), item(0)));
        bodies.push(format!(r#"{{"messages": [{}1]}}"#, item(0)));
        bodies.push(format!(r#"{{"messages": [{} , {}]}}"#, item(0), item(1)));
        let mut memo = ItemMemo::default();
        for _ in 0..2 {
            for body in &bodies {
                let remembered = Facts::of_text_remembering(body, Role::Request, Some(&mut memo));
                assert_eq!(remembered, Facts::of_text(body, Role::Request), "{body}");
            }
        }
    }

    #[test]
    fn what_serde_json_refuses_the_scanner_refuses() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let cases: Vec<Vec<u8>> = vec![
            b"{".to_vec(),
            b"{\"a\":}".to_vec(),
            b"{\"a\":1,}".to_vec(),
            b"[1,]".to_vec(),
            b"[01]".to_vec(),
            b"[1.]".to_vec(),
            b"[1e]".to_vec(),
            b"[-]".to_vec(),
            b"[1e400]".to_vec(),
            b"[\"\\ud800\"]".to_vec(),
            b"[\"\\udc00\"]".to_vec(),
            b"[\"\\ud800\\u0041\"]".to_vec(),
            b"[\"\\x\"]".to_vec(),
            b"[\"a\x01\"]".to_vec(),
            b"[\"\xff\"]".to_vec(),
            b"[tru]".to_vec(),
            b"{} {}".to_vec(),
            b"[1]\x0c[2]".to_vec(),
            b"[\x0c1]".to_vec(),
            nested(127).into_bytes(),
            nested(128).into_bytes(),
            b"[1e308, -0, 0.5e-400, 123456789012345678901234567890]".to_vec(),
            b"[\"\\ud83d\\ude00 \\u00e9\\/\\b\\f\\n\\r\\t\"]".to_vec(),
            b"\x0c {\"a\": [true, false, null]}\n".to_vec(),
        ];
        for case in cases {
            let tree = oracle::of(&case, Role::Request).is_some();
            assert_eq!(Facts::of(&case, Role::Request).is_some(), tree, "{}", String::from_utf8_lossy(&case));
            agree(&case);
        }
    }

    #[test]
    fn references_and_noise() {
        agree(br#"{"input":[{"type":"item_reference","id":"msg_0941b08f06efed9e0069"}],"tools":[{"type":"file_search","vector_store_ids":["vs_68a2c1f0e4b08191"]}]}"#);
        agree(br#"{"type":"conversation.item.create","item":{"type":"item_reference","id":{"x":"msg_0941b08f06efed9e0069"}}}"#);
        agree(br#"{"status":{"id":"abc123def456ghi"},"data":[{"id":"file_abc123def456","object":"file"}]}"#);
        let frame =
            Facts::of(br#"{"item":{"type":"item_reference","id":"item_0941b08f06efed9e0069"}}"#, Role::Frame).unwrap();
        assert!(frame.candidates[0].reference);
    }

    /// Every JSON body and stream in the test corpora reads to the same facts by scanner and tree.
    #[test]
    fn every_corpus_body_agrees_with_the_tree() {
        let mut bodies = 0;
        let mut streams = 0;
        for dir in ["tests/corpus", "tests/corpus/runtimes", "tests/formats", "tests/golden", "tests/rules"] {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for path in entries.flatten().map(|e| e.path()).filter(|p| p.is_file()) {
                let bytes = std::fs::read(&path).unwrap();
                let input = [crate::NamedInput { name: "input", bytes: &bytes }];
                let Ok(trace) = crate::read_trace(&input, &crate::Limits::default()) else { continue };
                for call in &trace.calls {
                    let frames = call.frames.iter().map(|f| (&f.body, Role::Frame));
                    let response = call.response.iter().map(|r| (&r.body, Role::Response));
                    for (body, role) in [(&call.request.body, Role::Request)].into_iter().chain(response).chain(frames)
                    {
                        let scanned = Facts::of(&body.bytes, role).map(Facts::normalized);
                        let tree = oracle::of(&body.bytes, role).map(Facts::normalized);
                        assert_eq!(scanned, tree, "{}: {}", path.display(), String::from_utf8_lossy(&body.bytes));
                        bodies += scanned.is_some() as usize;
                        if !body.events().is_empty() {
                            let data = || body.events().iter().map(|e| e.data.as_str());
                            assert_eq!(Facts::of_events(data()), oracle::of_events(data()), "{}", path.display());
                            streams += 1;
                        }
                    }
                }
            }
        }
        assert!(bodies > 500 && streams >= 10, "{bodies} JSON bodies, {streams} streams");
    }
}
