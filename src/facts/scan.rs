//! The scanner: one pass over a JSON document's bytes that validates it as `serde_json` would
//! (the same grammar, escapes, UTF-8 and nesting limit) and keeps only facts. Nothing is
//! allocated per JSON node: keys go to one arena, strings are read where they lie unless they
//! hold escapes, and each object's members are ordered by key only to combine their hashes.

use super::memo::{rememberable, ItemMemo, Scanned, PREFIX};
use super::seq::Seq;
use super::{
    field_text, is_content_key, is_handle_like, is_noise_name, keeps_content, pointer_segment, text_hash, Candidate,
    Facts, Field, Items, Role, CONTENT_ARRAYS, DELTA_KEYS, FIELD_DEPTH, ITEM_KEYS, LONG_FIELD, LONG_TEXT,
};
use crate::lex::{Lexer, Scan, Text};
use crate::lexicon;

/// `serde_json` refuses documents nested deeper than this.
const MAX_NESTING: usize = 127;

/// The facts of a document (an object or an array, surrounded by whitespace at most), or `None`
/// where `serde_json` would not read it. `spelled`, for a stream event, gathers its text deltas.
pub(super) fn document(
    text: &str,
    role: Role,
    spelled: Option<&mut String>,
    memo: Option<&mut ItemMemo>,
) -> Option<Facts> {
    let text = text.trim_ascii();
    if !matches!(text.as_bytes().first(), Some(b'{' | b'[')) {
        return None;
    }
    let mut scanner = Scanner::new(text, role, spelled.is_some());
    scanner.memo = memo;
    scanner.value(Context::ROOT).ok()?;
    scanner.lex.whitespace();
    if scanner.lex.at != text.len() {
        return None;
    }
    Some(scanner.finish(spelled))
}

/// One step of the path from the root: a member (its key's place in the arena) or a list index.
#[derive(Clone, Copy)]
enum Step {
    Key(usize, usize),
    Index(usize),
}

/// The path of a candidate, owned, to order candidates as the document's keys sort: its steps
/// in one buffer, written so that comparing the bytes compares the steps in turn (see
/// [`sort_key`]).
pub(super) type SortKey = Box<[u8]>;

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
pub(super) struct Node {
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
    lex: Lexer<'b>,
    /// Items of conversation lists already scanned in the input (requests only).
    memo: Option<&'b mut ItemMemo>,
    role: Role,
    path: Vec<Step>,
    /// Keys of the open objects' members, and of the path.
    keys: String,
    members: Vec<Member>,
    facts: Facts,
    candidates: Vec<(SortKey, Candidate)>,
    /// Item lists by their place in [`ITEM_KEYS`].
    items: Vec<(usize, Items)>,
    /// Text deltas of a stream event, with their paths.
    deltas: Option<Vec<(SortKey, String)>>,
}

impl<'b> Scanner<'b> {
    fn new(text: &'b str, role: Role, deltas: bool) -> Scanner<'b> {
        Scanner {
            lex: Lexer::new(text),
            memo: None,
            role,
            path: Vec::new(),
            keys: String::new(),
            members: Vec::new(),
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

    fn key_text(&self, (start, end): (usize, usize)) -> &str {
        &self.keys[start..end]
    }

    fn value(&mut self, context: Context) -> Scan<Node> {
        self.lex.whitespace();
        let start = self.lex.at;
        match self.lex.peek()? {
            b'{' => self.object(context),
            b'[' => self.array(context),
            b'"' => self.string(context).map(|seq| Node { seq, instructions: false }),
            b't' => self.literal(b"true", context, Field::Bool(true)),
            b'f' => self.literal(b"false", context, Field::Bool(false)),
            b'n' => self.literal(b"null", context, Field::Null),
            b'-' | b'0'..=b'9' => {
                self.lex.number()?;
                self.scalar_field(context, start);
                Ok(Node::EMPTY)
            }
            _ => Err(()),
        }
    }

    fn literal(&mut self, word: &[u8], context: Context, field: Field) -> Scan<Node> {
        self.lex.word(word)?;
        if context.field {
            self.push_field(field);
        }
        Ok(Node::EMPTY)
    }

    /// A number or a list at a field's place, as written (a long list as nothing: no handle is
    /// a list, and conversation histories are long lists).
    fn scalar_field(&mut self, context: Context, start: usize) {
        if context.field {
            let written = if self.lex.at - start > LONG_FIELD { "" } else { &self.lex.text[start..self.lex.at] };
            self.push_field(Field::Other(written.to_string()));
        }
    }

    fn push_field(&mut self, field: Field) {
        let pointer = self.pointer();
        self.facts.fields.push((pointer, field));
    }

    fn pointer(&self) -> String {
        let room = self.path.iter().map(|step| if let Step::Key(s, e) = step { e - s + 1 } else { 4 }).sum();
        let mut pointer = String::with_capacity(room);
        for step in &self.path {
            pointer.push('/');
            match *step {
                Step::Key(start, end) => pointer_segment(&self.keys[start..end], &mut pointer),
                Step::Index(i) => push_decimal(&mut pointer, i),
            }
        }
        pointer
    }

    fn array(&mut self, context: Context) -> Scan<Node> {
        let start = self.lex.at;
        self.lex.at += 1;
        let nesting = context.nesting + 1;
        if nesting > MAX_NESTING {
            return Err(());
        }
        let item_list = self.item_list(context);
        // Each item: its key, whether it is instructions, and where its texts end.
        let mut items: Vec<(u64, bool, usize)> = Vec::new();
        let texts_from = self.facts.texts.len();
        let mut seq = Seq::EMPTY;
        self.lex.whitespace();
        if self.lex.peek()? == b']' {
            self.lex.at += 1;
        } else {
            for index in 0.. {
                self.path.push(Step::Index(index));
                let child = Context { nesting, field: false, ..context };
                let node = match item_list {
                    Some(place) if self.memo.is_some() => self.remembered_item(child, place, index)?,
                    _ => self.value(child)?,
                };
                self.path.pop();
                if item_list.is_some() {
                    items.push((node.seq.key(), node.instructions, self.facts.texts.len()));
                }
                seq = seq.then(node.seq);
                if !self.lex.more(b']')? {
                    break;
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

    /// An item of a conversation list, scanned once per input: met again (the same list, the
    /// same place, the same bytes), what its scan added is added again. Only a scan that
    /// succeeded is remembered, and only of a value whose bytes say where it ends (an object, a
    /// list, a string), so the same bytes here are the same value, checked where it stands.
    fn remembered_item(&mut self, context: Context, place: usize, index: usize) -> Scan<Node> {
        self.lex.whitespace();
        let start = self.lex.at;
        let rest = &self.lex.bytes[start..];
        if !rememberable(rest) {
            return self.value(context);
        }
        if let Some((scanned, length)) = self.memo.as_deref_mut().and_then(|memo| memo.0.get(place, index, rest)) {
            self.facts.texts.extend_from_slice(&scanned.texts);
            self.facts.long_texts.extend_from_slice(&scanned.long_texts);
            self.candidates.extend(scanned.candidates.iter().cloned());
            self.lex.at = start + length;
            return Ok(scanned.node);
        }
        let from = (self.facts.texts.len(), self.facts.long_texts.len(), self.candidates.len());
        let node = self.value(context)?;
        let bytes = &self.lex.bytes[start..self.lex.at];
        if let (Some(memo), true) = (self.memo.as_deref_mut(), bytes.len() >= PREFIX) {
            let scanned = Scanned {
                node,
                texts: self.facts.texts[from.0..].to_vec(),
                long_texts: self.facts.long_texts[from.1..].to_vec(),
                candidates: self.candidates[from.2..].to_vec(),
            };
            memo.0.insert(place, index, bytes, scanned);
        }
        Ok(node)
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
        self.lex.at += 1;
        let nesting = context.nesting + 1;
        if nesting > MAX_NESTING {
            return Err(());
        }
        let (keys_from, members_from) = (self.keys.len(), self.members.len());
        let mut shape = ObjectShape::default();
        self.lex.whitespace();
        if self.lex.peek()? == b'}' {
            self.lex.at += 1;
        } else {
            loop {
                self.member(context, nesting, &mut shape)?;
                if !self.lex.more(b'}')? {
                    break;
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
        self.lex.whitespace();
        if self.lex.peek()? != b'"' {
            return Err(());
        }
        let key = self.key()?;
        self.lex.expect(b':')?;
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
        self.lex.whitespace();
        let string = self.lex.peek()? == b'"';
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
        let text = self.lex.read_string()?;
        match text {
            Text::Raw(s) => self.keys.push_str(s),
            Text::Scratch => self.keys.push_str(&self.lex.scratch),
        }
        Ok((start, self.keys.len()))
    }

    fn string(&mut self, context: Context) -> Scan<Seq> {
        self.string_with(context, |_| ()).map(|(seq, ())| seq)
    }

    /// Reads a string, records its facts, and gives `keep` a look at its text.
    fn string_with<T>(&mut self, context: Context, keep: impl FnOnce(&str) -> T) -> Scan<(Seq, T)> {
        match self.lex.read_string()? {
            Text::Raw(text) => {
                let seq = self.string_facts(text, context);
                Ok((seq, keep(text)))
            }
            Text::Scratch => {
                let scratch = std::mem::take(&mut self.lex.scratch);
                let seq = self.string_facts(&scratch, context);
                let kept = keep(&scratch);
                self.lex.scratch = scratch;
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
            deltas.push((sort_key(&self.path, &self.keys), text.to_string()));
        }
        if !context.noise && is_handle_like(text) {
            self.candidate(text, context);
        }
        if context.field {
            self.push_field(Field::Text(field_text(text)));
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
        let path = sort_key(&self.path, &self.keys);
        self.candidates.push((path, candidate));
    }
}

/// Writes `n` in decimal: a pointer has an index per list it passes, and the formatting machinery
/// costs many times this in wasm.
fn push_decimal(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| d as char));
}

/// A path as a [`SortKey`]: a key is `1`, its bytes (a zero byte as `0 255`) and `0 0`, which
/// sorts a key before any longer one it begins; an index is `2` and eight big-endian bytes. Keys
/// sort before indexes, though one list or object never holds both.
fn sort_key(path: &[Step], keys: &str) -> SortKey {
    let mut out =
        Vec::with_capacity(path.iter().map(|step| if let Step::Key(s, e) = step { e - s + 3 } else { 9 }).sum());
    for step in path {
        match *step {
            Step::Key(start, end) => {
                out.push(1);
                for &byte in &keys.as_bytes()[start..end] {
                    out.extend_from_slice(if byte == 0 { &[0, 255] } else { std::slice::from_ref(&byte) });
                }
                out.extend_from_slice(&[0, 0]);
            }
            Step::Index(i) => {
                out.push(2);
                out.extend_from_slice(&(i as u64).to_be_bytes());
            }
        }
    }
    out.into_boxed_slice()
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

#[cfg(test)]
mod tests {
    #[test]
    fn indexes_are_written_in_decimal() {
        for n in [0, 7, 10, 11, 99, 100, 1_234_567, usize::MAX] {
            let mut out = String::from("/");
            super::push_decimal(&mut out, n);
            assert_eq!(out, format!("/{n}"));
        }
    }
}
