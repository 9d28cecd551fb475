//! The scanner: one pass over a JSON document's bytes that validates it as `serde_json` would
//! (the same grammar, escapes, UTF-8 and nesting limit) and keeps only facts. Nothing is
//! allocated per JSON node: keys go to one arena, strings are read where they lie unless they
//! hold escapes, and each object's members are ordered by key only to combine their hashes.

use super::{
    digest, is_content_key, is_handle_like, is_noise_name, keeps_content, pointer_segment, text_hash, Candidate, Facts,
    Field, Items, Role, CONTENT_ARRAYS, DELTA_KEYS, FIELD_DEPTH, ITEM_KEYS, LONG_FIELD, LONG_TEXT,
};
use crate::lexicon;

/// `serde_json` refuses documents nested deeper than this.
const MAX_NESTING: usize = 127;

/// The facts of a document (an object or an array, surrounded by whitespace at most), or `None`
/// where `serde_json` would not read it. `spelled`, for a stream event, gathers its text deltas.
pub(super) fn document(bytes: &[u8], role: Role, spelled: Option<&mut String>) -> Option<Facts> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
    let bytes = &bytes[start..end];
    if !matches!(bytes.first(), Some(b'{' | b'[')) {
        return None;
    }
    // Bad UTF-8 anywhere makes a document `serde_json` refuses (outside strings only ASCII is
    // JSON): checked once here, strings are then sliced where they lie.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut scanner = Scanner::new(text, role, spelled.is_some());
    scanner.value(Context::ROOT).ok()?;
    scanner.whitespace();
    if scanner.at != bytes.len() {
        return None;
    }
    Some(scanner.finish(spelled))
}

/// A hash of a sequence of texts that composes: the hash of `a` then `b` follows from theirs,
/// so an object's members can be combined in key order once all are read.
#[derive(Clone, Copy)]
struct Seq {
    hash: u64,
    power: u64,
}

const BASE: u64 = 0x9e37_79b9_7f4a_7c15;

impl Seq {
    const EMPTY: Seq = Seq { hash: 0, power: 1 };

    fn text(hash: u64) -> Seq {
        Seq { hash, power: BASE }
    }

    fn then(self, next: Seq) -> Seq {
        Seq {
            hash: self.hash.wrapping_mul(next.power).wrapping_add(next.hash),
            power: self.power.wrapping_mul(next.power),
        }
    }

    fn key(self) -> u64 {
        self.hash ^ self.power.rotate_left(29)
    }
}

/// One step of the path from the root: a member (its key's place in the arena) or a list index.
#[derive(Clone, Copy)]
enum Step {
    Key(usize, usize),
    Index(usize),
}

/// The path of a candidate, owned, to order candidates as the document's keys sort.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortStep {
    Key(Box<str>),
    Index(usize),
}

/// What a value inherits from where it sits.
#[derive(Clone, Copy)]
struct Context {
    /// Containers open around the value.
    nesting: usize,
    /// The nearest member name above, as a range of the key arena.
    key: Option<(usize, usize)>,
    /// Under a name whose values are never handles.
    noise: bool,
    /// Reached through objects only, not too deep: a field.
    field: bool,
    /// Strings here are content (see [`is_content_key`]).
    content: bool,
    /// Strings here are pieces of a streamed reply's text.
    delta: bool,
}

impl Context {
    const ROOT: Context = Context { nesting: 0, key: None, noise: false, field: false, content: true, delta: false };
}

/// What a value tells the object or list around it.
#[derive(Clone, Copy)]
struct Node {
    seq: Seq,
    /// An object whose `role` is `system` or `developer`.
    instructions: bool,
}

impl Node {
    const EMPTY: Node = Node { seq: Seq::EMPTY, instructions: false };
}

/// A member read, until its object closes.
struct Member {
    key: (usize, usize),
    seq: Seq,
}

struct Scanner<'b> {
    text: &'b str,
    bytes: &'b [u8],
    at: usize,
    role: Role,
    path: Vec<Step>,
    /// Keys of the open objects' members, and of the path.
    keys: String,
    members: Vec<Member>,
    /// Unescaped text of a string that holds escapes.
    scratch: String,
    facts: Facts,
    candidates: Vec<(Vec<SortStep>, Candidate)>,
    /// Item lists by their place in [`ITEM_KEYS`].
    items: Vec<(usize, Items)>,
    /// Text deltas of a stream event, with their paths.
    deltas: Option<Vec<(Vec<SortStep>, String)>>,
}

type Scan<T> = Result<T, ()>;

impl<'b> Scanner<'b> {
    fn new(text: &'b str, role: Role, deltas: bool) -> Scanner<'b> {
        Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
            role,
            path: Vec::new(),
            keys: String::new(),
            members: Vec::new(),
            scratch: String::new(),
            facts: Facts::default(),
            candidates: Vec::new(),
            items: Vec::new(),
            deltas: deltas.then(Vec::new),
        }
    }

    fn finish(mut self, spelled: Option<&mut String>) -> Facts {
        crate::sort::sort_by(&mut self.candidates, |a, b| a.0.cmp(&b.0));
        self.facts.candidates = self.candidates.into_iter().map(|(_, c)| c).collect();
        self.facts.items = self.items.into_iter().min_by_key(|(place, _)| *place).map(|(_, items)| items);
        if let (Some(mut deltas), Some(spelled)) = (self.deltas, spelled) {
            crate::sort::sort_by(&mut deltas, |a, b| a.0.cmp(&b.0));
            deltas.iter().for_each(|(_, text)| spelled.push_str(text));
        }
        self.facts
    }

    fn peek(&self) -> Scan<u8> {
        self.bytes.get(self.at).copied().ok_or(())
    }

    fn whitespace(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Scan<()> {
        self.whitespace();
        if self.peek()? != byte {
            return Err(());
        }
        self.at += 1;
        Ok(())
    }

    fn key_text(&self, (start, end): (usize, usize)) -> &str {
        &self.keys[start..end]
    }

    fn value(&mut self, context: Context) -> Scan<Node> {
        self.whitespace();
        let start = self.at;
        match self.peek()? {
            b'{' => self.object(context),
            b'[' => self.array(context),
            b'"' => self.string(context).map(|seq| Node { seq, instructions: false }),
            b't' => self.literal(b"true", context, Field::Bool(true)),
            b'f' => self.literal(b"false", context, Field::Bool(false)),
            b'n' => self.literal(b"null", context, Field::Null),
            b'-' | b'0'..=b'9' => {
                self.number()?;
                self.scalar_field(context, start);
                Ok(Node::EMPTY)
            }
            _ => Err(()),
        }
    }

    fn literal(&mut self, word: &[u8], context: Context, field: Field) -> Scan<Node> {
        if !self.bytes[self.at..].starts_with(word) {
            return Err(());
        }
        self.at += word.len();
        if context.field {
            self.push_field(field);
        }
        Ok(Node::EMPTY)
    }

    /// A number or a list at a field's place, as written (a long list as nothing: no handle is
    /// a list, and conversation histories are long lists).
    fn scalar_field(&mut self, context: Context, start: usize) {
        if context.field {
            let written = if self.at - start > LONG_FIELD { "" } else { &self.text[start..self.at] };
            self.push_field(Field::Other(written.to_string()));
        }
    }

    fn push_field(&mut self, field: Field) {
        let pointer = self.pointer();
        self.facts.fields.push((pointer, field));
    }

    fn pointer(&self) -> String {
        let mut pointer = String::new();
        for step in &self.path {
            pointer.push('/');
            match *step {
                Step::Key(start, end) => pointer_segment(&self.keys[start..end], &mut pointer),
                Step::Index(i) => pointer.push_str(&i.to_string()),
            }
        }
        pointer
    }

    /// JSON's number grammar; a number too large for a float is refused, as `serde_json` does.
    fn number(&mut self) -> Scan<()> {
        let start = self.at;
        let digits = |s: &mut Self| {
            let from = s.at;
            while s.bytes.get(s.at).is_some_and(u8::is_ascii_digit) {
                s.at += 1;
            }
            s.at - from
        };
        if self.bytes[self.at] == b'-' {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return Err(()),
        }
        let mut float = self.at - start > 18;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(());
            }
            float = true;
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(());
            }
            float = true;
        }
        if float && !self.text[start..self.at].parse::<f64>().map_err(|_| ())?.is_finite() {
            return Err(());
        }
        Ok(())
    }

    fn array(&mut self, context: Context) -> Scan<Node> {
        let start = self.at;
        self.at += 1;
        let nesting = context.nesting + 1;
        if nesting > MAX_NESTING {
            return Err(());
        }
        let item_list = self.item_list(context);
        // Each item: its key, whether it is instructions, and where its texts end.
        let mut items: Vec<(u64, bool, usize)> = Vec::new();
        let texts_from = self.facts.texts.len();
        let mut seq = Seq::EMPTY;
        self.whitespace();
        if self.peek()? == b']' {
            self.at += 1;
        } else {
            for index in 0.. {
                self.path.push(Step::Index(index));
                let child = Context { nesting, field: false, ..context };
                let node = self.value(child)?;
                self.path.pop();
                if item_list.is_some() {
                    items.push((node.seq.key(), node.instructions, self.facts.texts.len()));
                }
                seq = seq.then(node.seq);
                self.whitespace();
                match self.peek()? {
                    b',' => self.at += 1,
                    b']' => {
                        self.at += 1;
                        break;
                    }
                    _ => return Err(()),
                }
            }
        }
        if let Some(place) = item_list {
            let texts = &self.facts.texts;
            let starts = std::iter::once(texts_from).chain(items.iter().map(|i| i.2));
            let list = items
                .iter()
                .zip(starts)
                .map(|(&(key, instructions, end), start)| (key, instructions, &texts[start..end]));
            let list = Items::new(ITEM_KEYS[place], list);
            self.set_items(place, list);
        }
        self.scalar_field(context, start);
        Ok(Node { seq, instructions: false })
    }

    /// A request's list of items under the key at `place` of [`ITEM_KEYS`] (the last, where the
    /// key repeats); an empty list is none.
    fn set_items(&mut self, place: usize, items: Items) {
        self.items.retain(|(p, _)| *p != place);
        if !items.items.is_empty() {
            self.items.push((place, items));
        }
    }

    /// Which of [`ITEM_KEYS`] a value is under, if it is a member of the root object.
    fn item_list(&self, context: Context) -> Option<usize> {
        if context.nesting != 1 || self.role != Role::Request {
            return None;
        }
        let key = self.key_text(context.key?);
        ITEM_KEYS.iter().position(|k| *k == key)
    }

    fn object(&mut self, context: Context) -> Scan<Node> {
        self.at += 1;
        let nesting = context.nesting + 1;
        if nesting > MAX_NESTING {
            return Err(());
        }
        let (keys_from, members_from) = (self.keys.len(), self.members.len());
        let mut shape = ObjectShape::default();
        self.whitespace();
        if self.peek()? == b'}' {
            self.at += 1;
        } else {
            loop {
                self.member(context, nesting, &mut shape)?;
                self.whitespace();
                match self.peek()? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        break;
                    }
                    _ => return Err(()),
                }
            }
        }
        let seq = self.combine_members(members_from);
        if shape.reference {
            self.mark_reference(&shape);
        }
        if context.field {
            self.push_field(Field::Object(shape.id_text.take()));
        }
        self.keys.truncate(keys_from);
        Ok(Node { seq, instructions: shape.instructions })
    }

    /// One `"key": value` of an object.
    fn member(&mut self, context: Context, nesting: usize, shape: &mut ObjectShape) -> Scan<()> {
        self.whitespace();
        if self.peek()? != b'"' {
            return Err(());
        }
        let key = self.key()?;
        self.expect(b':')?;
        let name = self.key_text(key);
        let child = Context {
            nesting,
            key: Some(key),
            noise: context.noise || is_noise_name(name),
            field: (context.field || nesting == 1) && nesting <= FIELD_DEPTH,
            content: is_content_key(Some(name)),
            delta: self.deltas.is_some() && DELTA_KEYS.contains(&name),
        };
        let special = match name {
            "type" => Special::Type,
            "role" => Special::Role,
            "id" => Special::Id,
            _ => Special::None,
        };
        let item_list = self.item_list(child);
        self.path.push(Step::Key(key.0, key.1));
        let (candidates_from, texts_from) = (self.candidates.len(), self.facts.texts.len());
        self.whitespace();
        let string = self.peek()? == b'"';
        let node = if special != Special::None && string {
            self.special_string(child, special, context.field, shape)?
        } else {
            self.value(child)?
        };
        // `"input": "Hi"` is one item.
        if let (Some(place), true) = (item_list, string) {
            let item = (node.seq.key(), false, &self.facts.texts[texts_from..]);
            self.set_items(place, Items::new(ITEM_KEYS[place], std::iter::once(item)));
        }
        if special == Special::Id {
            shape.id = Some((candidates_from, self.candidates.len()));
        }
        self.path.pop();
        self.members.push(Member { key, seq: node.seq });
        Ok(())
    }

    /// The string of a `type`, `role` or `id` member, which also says what its object is.
    fn special_string(
        &mut self,
        context: Context,
        special: Special,
        field: bool,
        shape: &mut ObjectShape,
    ) -> Scan<Node> {
        let (seq, ()) = self.string_with(context, |text| match special {
            Special::Type => shape.reference = text.ends_with("reference"),
            Special::Role => shape.instructions = matches!(text, "system" | "developer"),
            Special::Id => {
                shape.id_is_string = true;
                shape.id_text = field.then(|| text.to_string());
            }
            Special::None => {}
        })?;
        Ok(Node { seq, instructions: false })
    }

    /// In a `{"type": "…reference"}` object, the `id` string is a reference wherever the object
    /// sits, and nothing below an `id` that is not a string counts.
    fn mark_reference(&mut self, shape: &ObjectShape) {
        let Some((from, to)) = shape.id else { return };
        if shape.id_is_string {
            self.candidates[from..to].iter_mut().for_each(|(_, c)| c.reference = true);
        } else {
            self.candidates.drain(from..to);
        }
    }

    /// The object's members in key order, their texts as one sequence.
    fn combine_members(&mut self, from: usize) -> Seq {
        let keys = &self.keys;
        let members = &mut self.members[from..];
        if members.windows(2).any(|w| keys[w[0].key.0..w[0].key.1] > keys[w[1].key.0..w[1].key.1]) {
            members.sort_by(|a, b| keys[a.key.0..a.key.1].cmp(&keys[b.key.0..b.key.1]));
        }
        let seq = members.iter().fold(Seq::EMPTY, |seq, m| seq.then(m.seq));
        self.members.truncate(from);
        seq
    }

    /// A member name, unescaped into the key arena.
    fn key(&mut self) -> Scan<(usize, usize)> {
        let start = self.keys.len();
        let text = self.read_string()?;
        match text {
            Text::Raw(s) => self.keys.push_str(s),
            Text::Scratch => self.keys.push_str(&self.scratch),
        }
        Ok((start, self.keys.len()))
    }

    fn string(&mut self, context: Context) -> Scan<Seq> {
        self.string_with(context, |_| ()).map(|(seq, ())| seq)
    }

    /// Reads a string, records its facts, and gives `keep` a look at its text.
    fn string_with<T>(&mut self, context: Context, keep: impl FnOnce(&str) -> T) -> Scan<(Seq, T)> {
        match self.read_string()? {
            Text::Raw(text) => {
                let seq = self.string_facts(text, context);
                Ok((seq, keep(text)))
            }
            Text::Scratch => {
                let scratch = std::mem::take(&mut self.scratch);
                let seq = self.string_facts(&scratch, context);
                let kept = keep(&scratch);
                self.scratch = scratch;
                Ok((seq, kept))
            }
        }
    }

    /// What a string leaf adds to the facts; its part of the texts' sequence.
    fn string_facts(&mut self, text: &str, context: Context) -> Seq {
        let (content, delta) = (context.content, context.delta);
        let trimmed = text.trim();
        let long = self.role == Role::Request && trimmed.len() >= LONG_TEXT;
        let hash = (content || long).then(|| text_hash(trimmed));
        if let (true, Some(hash)) = (long, hash) {
            self.facts.long_texts.push(hash);
        }
        if let (true, Some(deltas)) = (delta, self.deltas.as_mut()) {
            deltas.push((sort_path(&self.path, &self.keys), text.to_string()));
        }
        if !context.noise && is_handle_like(text) {
            self.candidate(text, context);
        }
        if context.field {
            let field = if text.len() > LONG_FIELD { digest(text) } else { text.to_string() };
            self.push_field(Field::Text(field));
        }
        match hash {
            Some(hash) if content && !trimmed.is_empty() => {
                self.facts.texts.push(hash);
                Seq::text(hash)
            }
            _ => Seq::EMPTY,
        }
    }

    fn candidate(&mut self, text: &str, context: Context) {
        let name = context.key.map_or("", |k| self.key_text(k));
        if lexicon::is_credential(name) {
            return;
        }
        let content = self.role == Role::Request
            && matches!(self.path.as_slice(), [Step::Key(s, e), Step::Index(_), ..] if CONTENT_ARRAYS.contains(&&self.keys[*s..*e]));
        if content && !keeps_content(name) {
            return;
        }
        let candidate = Candidate {
            value: text.to_string(),
            pointer: self.pointer(),
            name: name.to_string(),
            event: None,
            reference: false,
            content,
        };
        let path = sort_path(&self.path, &self.keys);
        self.candidates.push((path, candidate));
    }

    /// Reads a string at the opening quote: where it lies if it holds no escape, else unescaped
    /// into the scratch buffer. Control characters and bad escapes are refused.
    fn read_string(&mut self) -> Scan<Text<'b>> {
        let (text, bytes) = (self.text, self.bytes);
        let start = self.at + 1;
        let mut stop = start + stop_byte(&bytes[start..]).ok_or(())?;
        if bytes[stop] == b'"' {
            self.at = stop + 1;
            return Ok(Text::Raw(&text[start..stop]));
        }
        self.scratch.clear();
        let mut from = start;
        loop {
            self.scratch.push_str(&text[from..stop]);
            match bytes[stop] {
                b'"' => {
                    self.at = stop + 1;
                    return Ok(Text::Scratch);
                }
                b'\\' => from = self.escape(stop)?,
                _ => return Err(()),
            }
            stop = from + stop_byte(&bytes[from..]).ok_or(())?;
        }
    }

    /// One escape at `at` (the backslash) into the scratch buffer; the index after it.
    fn escape(&mut self, at: usize) -> Scan<usize> {
        let byte = *self.bytes.get(at + 1).ok_or(())?;
        let plain = match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(at),
            _ => return Err(()),
        };
        self.scratch.push(plain);
        Ok(at + 2)
    }

    fn hex4(&self, at: usize) -> Scan<u32> {
        let digits = self.bytes.get(at..at + 4).ok_or(())?;
        digits.iter().try_fold(0u32, |n, &d| Ok(n * 16 + (d as char).to_digit(16).ok_or(())?))
    }

    /// `\uXXXX`, a surrogate pair as one character; a lone surrogate is refused.
    fn unicode_escape(&mut self, at: usize) -> Scan<usize> {
        let first = self.hex4(at + 2)?;
        let (code, next) = match first {
            0xD800..=0xDBFF => {
                if self.bytes.get(at + 6..at + 8) != Some(b"\\u") {
                    return Err(());
                }
                let second = self.hex4(at + 8)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(());
                }
                (0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00), at + 12)
            }
            0xDC00..=0xDFFF => return Err(()),
            code => (code, at + 6),
        };
        self.scratch.push(char::from_u32(code).ok_or(())?);
        Ok(next)
    }
}

/// The first quote, backslash or control character (which a string cannot hold raw) in
/// `bytes`, looked for eight bytes at a time: one pass over the text of a string.
fn stop_byte(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The lowest byte that is zero, or below 0x20, sets its high bit (higher ones may be wrong).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in words.by_ref() {
        // `chunks_exact` gives eight bytes: the conversion cannot fail, and compiles to a load.
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let found = zero(word ^ (ONES * b'"' as u64))
            | zero(word ^ (ONES * b'\\' as u64))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGH);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words.remainder().iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map(|p| at + p)
}

fn sort_path(path: &[Step], keys: &str) -> Vec<SortStep> {
    path.iter()
        .map(|step| match *step {
            Step::Key(start, end) => SortStep::Key(keys[start..end].into()),
            Step::Index(i) => SortStep::Index(i),
        })
        .collect()
}

/// A string as read: where it lies, or in the scratch buffer.
enum Text<'b> {
    Raw(&'b str),
    Scratch,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Special {
    None,
    Type,
    Role,
    Id,
}

/// What an object's `type`, `role` and `id` say about it.
#[derive(Default)]
struct ObjectShape {
    /// `type` ends with `reference`.
    reference: bool,
    /// `role` is `system` or `developer`.
    instructions: bool,
    /// The candidates read under `id`.
    id: Option<(usize, usize)>,
    id_is_string: bool,
    /// The `id` string, for the object's field.
    id_text: Option<String>,
}

/// The key [`Item::key`] gives an item whose content texts, in key order, hash to `texts`.
#[cfg(any(test, feature = "oracle"))]
pub(super) fn sequence_key(texts: &[u64]) -> u64 {
    texts.iter().fold(Seq::EMPTY, |seq, &hash| seq.then(Seq::text(hash))).key()
}
