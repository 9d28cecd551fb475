//! JSON text as serde_json writes its tree: compact, each object's keys in order, strings and
//! numbers as it writes them. Bodies that recordings hold as JSON values are kept as this text,
//! so that their bytes, size and facts are the same whichever reader met them.

use super::Node;
use crate::facts::{rememberable, Memo};
use crate::lex::{stop_byte, Lexer, Scan, Text};
use std::borrow::Cow;
use std::str::FromStr;

/// The text written of items of JSON values, by the items' text (see [`Memo`]).
pub(crate) type Written = Memo<Box<str>>;

/// How deep the brackets of a value written from the lexer ([`written_json`]) may nest: a
/// reader leaves what is deeper to a document.
pub(crate) const NESTING: usize = 32;

/// Brackets open around a value, and how many may be.
#[derive(Clone, Copy)]
struct Depth {
    open: usize,
    limit: usize,
}

impl Depth {
    fn deeper(self) -> Scan<Depth> {
        match self.open < self.limit {
            true => Ok(Depth { open: self.open + 1, ..self }),
            false => Err(()),
        }
    }
}

/// Any JSON value at the lexer into `out`, nesting at most [`NESTING`] deep. With a `memo`, the
/// items of the first lists met from the top (a conversation's messages) are written once, then
/// copied: a history resent turn after turn is written once.
pub(crate) fn written_json(lex: &mut Lexer, out: &mut String, memo: Option<&mut Written>) -> Scan<()> {
    written(lex, out, Depth { open: 0, limit: NESTING }, memo)
}

/// A list at the lexer, as [`written_json`] writes it; an item that `refused` says of its
/// written text refuses the list.
pub(crate) fn written_list_items(lex: &mut Lexer, out: &mut String, refused: impl Fn(&str) -> bool) -> Scan<()> {
    written_items(lex, out, Depth { open: 1, limit: NESTING }, None, refused)
}

/// A value of a document, written whole.
pub fn compact(node: Node) -> String {
    let mut out = String::with_capacity(node.text().len());
    let mut lex = Lexer::new(node.text());
    // The document has checked the grammar and its depth: nothing is refused.
    let _ = written(&mut lex, &mut out, Depth { open: 0, limit: usize::MAX }, None);
    out
}

/// One value into `out`; `depth` is how many brackets are open. `memo` is for the items of the
/// lists met below, not within.
fn written<'b>(lex: &mut Lexer<'b>, out: &mut String, depth: Depth, memo: Option<&mut Written>) -> Scan<()> {
    lex.whitespace();
    match lex.peek()? {
        b'{' => written_object(lex, out, depth.deeper()?, memo),
        b'[' => written_items(lex, out, depth.deeper()?, memo, |_| false),
        b'"' => {
            match lex.read_string()? {
                Text::Raw(raw) => quoted(out, raw),
                Text::Scratch => escaped(out, &lex.scratch),
            }
            Ok(())
        }
        b't' => lex.word(b"true").map(|()| out.push_str("true")),
        b'f' => lex.word(b"false").map(|()| out.push_str("false")),
        b'n' => lex.word(b"null").map(|()| out.push_str("null")),
        _ => written_number(lex, out),
    }
}

/// A list's items, `depth` brackets open within it, each from `memo` where it was written
/// before; an item that `refused` says of its written text refuses the list.
fn written_items(
    lex: &mut Lexer,
    out: &mut String,
    depth: Depth,
    mut memo: Option<&mut Written>,
    refused: impl Fn(&str) -> bool,
) -> Scan<()> {
    out.push('[');
    let mut index = 0;
    lex.items(|lex| {
        if index > 0 {
            out.push(',');
        }
        let start = out.len();
        match memo.as_deref_mut() {
            Some(memo) => written_item(lex, out, depth, index, memo)?,
            None => written(lex, out, depth, None)?,
        }
        index += 1;
        if refused(&out[start..]) {
            return Err(());
        }
        Ok(())
    })?;
    out.push(']');
    Ok(())
}

/// Item `index` of a list: its text copied from `memo` where the same bytes (at the same place)
/// were written before, else written and remembered. Only text that was written is remembered,
/// so the same bytes are written the same, and refused the same.
fn written_item(lex: &mut Lexer, out: &mut String, depth: Depth, index: usize, memo: &mut Written) -> Scan<()> {
    lex.whitespace();
    let start = lex.at;
    let rest = &lex.bytes[start..];
    if !rememberable(rest) {
        return written(lex, out, depth, None);
    }
    if let Some((text, length)) = memo.get(depth.open, index, rest) {
        out.push_str(text);
        lex.at = start + length;
        return Ok(());
    }
    let from = out.len();
    written(lex, out, depth, None)?;
    let bytes = &lex.bytes[start..lex.at];
    if rememberable(bytes) {
        memo.insert(depth.open, index, bytes, out[from..].into());
    }
    Ok(())
}

/// An object's members in the order of their keys, a repeated key once with its last value, as
/// a tree of it holds them.
fn written_object<'b>(lex: &mut Lexer<'b>, out: &mut String, depth: Depth, mut memo: Option<&mut Written>) -> Scan<()> {
    let start = out.len();
    out.push('{');
    let mut members: Vec<(Cow<'b, str>, std::ops::Range<usize>)> = Vec::new();
    lex.members(|lex, key| {
        if !members.is_empty() {
            out.push(',');
        }
        let from = out.len();
        match &key {
            Cow::Borrowed(raw) => quoted(out, raw),
            Cow::Owned(key) => escaped(out, key),
        }
        out.push(':');
        written(lex, out, depth, memo.as_deref_mut())?;
        members.push((key, from..out.len()));
        Ok(())
    })?;
    if crate::sort::by_keys_keeping_last(&mut members) {
        let written = out.split_off(start + 1);
        for (i, (_, range)) in members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&written[range.start - start - 1..range.end - start - 1]);
        }
    }
    out.push('}');
    Ok(())
}

/// An object of `members` as serde_json writes the tree that holds them: each key once with its
/// last value, in key order; `value` writes a member's value.
pub fn object<K: Ord + AsRef<str>, V>(mut members: Vec<(K, V)>, value: impl Fn(&V, &mut String)) -> String {
    crate::sort::by_keys_keeping_last(&mut members);
    let mut out = String::from("{");
    for (i, (key, member)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        escaped(&mut out, key.as_ref());
        out.push(':');
        value(member, &mut out);
    }
    out.push('}');
    out
}

/// A number at the lexer as serde_json writes it after reading it.
fn written_number(lex: &mut Lexer, out: &mut String) -> Scan<()> {
    let start = lex.at;
    lex.number_grammar()?;
    out.push_str(&number(&lex.text[start..lex.at]).ok_or(())?);
    Ok(())
}

/// A number's JSON text as serde_json writes the number it reads: a short integer as it is, any
/// other through serde_json's number; `None` where serde_json refuses it (beyond a float's range).
pub fn number(text: &str) -> Option<Cow<'_, str>> {
    let float = text.len() > 18 || text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if !float && text != "-0" {
        return Some(Cow::Borrowed(text));
    }
    Some(Cow::Owned(serde_json::Number::from_str(text).ok()?.to_string()))
}

/// A string read without escapes: it holds nothing to escape.
pub fn quoted(out: &mut String, raw: &str) {
    out.push('"');
    out.push_str(raw);
    out.push('"');
}

/// A string as serde_json writes one: quotes, backslashes and control characters escaped,
/// the short escapes where JSON has them.
pub fn escaped(out: &mut String, text: &str) {
    out.push('"');
    let mut from = 0;
    while let Some(stop) = stop_byte(&text.as_bytes()[from..]) {
        let at = from + stop;
        out.push_str(&text[from..at]);
        match text.as_bytes()[at] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            byte => out.push_str(&format!("\\u{byte:04x}")),
        }
        from = at + 1;
    }
    out.push_str(&text[from..]);
    out.push('"');
}
