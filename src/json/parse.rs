//! Reading a document into its tape, on the shared lexer: no recursion (one entry of state per
//! open bracket), and on failure a typed error with the byte where reading stopped.

use super::{Doc, Kind, Slot};
use crate::lex::{Lexer, Text};

/// Why a document could not be read, and where: the byte offset in its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub problem: Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The text ends inside the document.
    Truncated,
    /// Something else stands where one of these was due.
    Expected(Due),
    /// A string holds a raw control character (a newline, a tab…).
    RawControl,
    /// A string holds an escape JSON does not have, or a lone surrogate.
    BadEscape,
    /// A number does not follow JSON's grammar, or is beyond a float's range.
    BadNumber,
    /// Brackets nest as deep as the limit.
    TooDeep(usize),
    /// The document holds more than its budget of nodes and string bytes.
    OverBudget(usize),
    /// The text is too long for offsets of 32 bits.
    TooLong,
}

/// What was due where reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Value,
    Key,
    Colon,
    CommaOrBrace,
    CommaOrBracket,
    End,
}

impl SyntaxError {
    /// The sentence for a person, without the place (reported beside it).
    pub fn detail(&self) -> String {
        match self.problem {
            Problem::Truncated => "the text ends inside the document".into(),
            Problem::Expected(due) => {
                let due = match due {
                    Due::Value => "a value",
                    Due::Key => "a member's key (a string in double quotes)",
                    Due::Colon => "`:` after a member's key",
                    Due::CommaOrBrace => "`,` or `}` after a member",
                    Due::CommaOrBracket => "`,` or `]` after an item",
                    Due::End => "the end of the text after the document",
                };
                format!("expected {due}")
            }
            Problem::RawControl => {
                "a string holds a raw control character (write it escaped, as `\\n` or `\\u001f`)".into()
            }
            Problem::BadEscape => "a string holds an invalid escape or a lone surrogate".into(),
            Problem::BadNumber => "a number is malformed or beyond a float's range".into(),
            Problem::TooDeep(depth) => format!("brackets nest {depth} levels deep"),
            Problem::OverBudget(budget) => format!("the document holds more than {budget} nodes and string bytes"),
            Problem::TooLong => "the document is over 4 GiB, too long to read as one document".into(),
        }
    }
}

/// An open list or object: its node, and the nodes and members it has so far.
struct Open {
    slot: usize,
    object: bool,
    count: u32,
}

struct Builder<'t> {
    lex: Lexer<'t>,
    doc: Doc<'t>,
    left: usize,
    budget: usize,
}

/// The document at the start of `text`, and where it ends; unless `whole`, text may follow it.
pub(super) fn document(
    text: &str,
    max_depth: usize,
    budget: usize,
    whole: bool,
) -> Result<(Doc<'_>, usize), SyntaxError> {
    if u32::try_from(text.len()).is_err() {
        return Err(SyntaxError { offset: 0, problem: Problem::TooLong });
    }
    let doc = Doc { text, unescaped: String::new(), slots: Vec::new() };
    let mut builder = Builder { lex: Lexer::new(text), doc, left: budget, budget };
    builder.values(max_depth)?;
    let end = builder.lex.at;
    builder.lex.whitespace();
    if whole && !builder.lex.ran_out() {
        return Err(builder.error(Problem::Expected(Due::End)));
    }
    Ok((builder.doc, end))
}

impl<'t> Builder<'t> {
    fn error(&self, problem: Problem) -> SyntaxError {
        let problem = if self.lex.ran_out() { Problem::Truncated } else { problem };
        SyntaxError { offset: self.lex.at.min(self.lex.bytes.len()), problem }
    }

    /// Spends `cost` of the budget on the value that starts at `start`.
    fn charge(&mut self, cost: usize, start: usize) -> Result<(), SyntaxError> {
        if cost > self.left {
            return Err(SyntaxError { offset: start, problem: Problem::OverBudget(self.budget) });
        }
        self.left -= cost;
        Ok(())
    }

    fn push(&mut self, kind: Kind, start: usize, a: usize, b: usize) -> Result<(), SyntaxError> {
        self.charge(1, start)?;
        let end = self.lex.at;
        let slot = Slot { kind, start: start as u32, end: end as u32, a: a as u32, b: b as u32 };
        self.doc.slots.push(slot);
        Ok(())
    }

    /// The document's values, in the order they are written.
    fn values(&mut self, max_depth: usize) -> Result<(), SyntaxError> {
        let mut open: Vec<Open> = Vec::new();
        loop {
            self.lex.whitespace();
            let start = self.lex.at;
            let byte = self.lex.peek().map_err(|()| self.error(Problem::Expected(Due::Value)))?;
            if let b'{' | b'[' = byte {
                let object = byte == b'{';
                self.lex.at += 1;
                self.lex.whitespace();
                let slot = self.doc.slots.len();
                let kind = if object { Kind::Object } else { Kind::List };
                self.push(kind, start, 0, 0)?;
                // As serde_json counts: the bracket that makes `max_depth` levels is refused.
                if open.len() + 1 >= max_depth {
                    return Err(SyntaxError { offset: start, problem: Problem::TooDeep(max_depth) });
                }
                let close = if object { b'}' } else { b']' };
                if self.lex.peek() == Ok(close) {
                    self.lex.at += 1;
                    self.close(slot, 0);
                } else {
                    open.push(Open { slot, object, count: 0 });
                    if object {
                        self.key()?;
                    }
                    continue;
                }
            } else {
                self.scalar(byte, start)?;
            }
            // After a value: close what it ends, or go on after a comma.
            loop {
                let Some(top) = open.last_mut() else { return Ok(()) };
                top.count += 1;
                let (close, due) = if top.object { (b'}', Due::CommaOrBrace) } else { (b']', Due::CommaOrBracket) };
                self.lex.whitespace();
                let before = self.lex.at;
                let Ok(more) = self.lex.more(close) else {
                    // `more` has passed the byte it refused.
                    self.lex.at = before;
                    return Err(self.error(Problem::Expected(due)));
                };
                if more {
                    if top.object {
                        self.key()?;
                    }
                    break;
                }
                let Open { slot, count, .. } = open.pop().unwrap_or(Open { slot: 0, object: false, count: 0 });
                self.close(slot, count);
            }
        }
    }

    /// Ends a list or object: where its text ends, where its nodes end, how many it holds.
    fn close(&mut self, slot: usize, count: u32) {
        let next = self.doc.slots.len() as u32;
        let slot = &mut self.doc.slots[slot];
        slot.end = self.lex.at as u32;
        slot.a = next;
        slot.b = count;
    }

    fn key(&mut self) -> Result<(), SyntaxError> {
        self.lex.whitespace();
        if self.lex.peek() != Ok(b'"') {
            return Err(self.error(Problem::Expected(Due::Key)));
        }
        self.string(self.lex.at)?;
        self.lex.expect(b':').map_err(|()| self.error(Problem::Expected(Due::Colon)))
    }

    fn scalar(&mut self, byte: u8, start: usize) -> Result<(), SyntaxError> {
        let (kind, word): (Kind, &[u8]) = match byte {
            b'"' => return self.string(start),
            b'-' | b'0'..=b'9' => {
                self.lex.number().map_err(|()| self.error(Problem::BadNumber))?;
                return self.push(Kind::Number, start, 0, 0);
            }
            b't' => (Kind::True, b"true"),
            b'f' => (Kind::False, b"false"),
            b'n' => (Kind::Null, b"null"),
            _ => return Err(self.error(Problem::Expected(Due::Value))),
        };
        self.lex.word(word).map_err(|()| self.error(Problem::Expected(Due::Value)))?;
        self.push(kind, start, 0, 0)
    }

    fn string(&mut self, start: usize) -> Result<(), SyntaxError> {
        let Ok(text) = self.lex.read_string() else {
            let error = self.error(Problem::BadEscape);
            if error.problem == Problem::Truncated {
                return Err(error);
            }
            let (offset, problem) = bad_byte(self.lex.text, start).unwrap_or((error.offset, error.problem));
            return Err(SyntaxError { offset, problem });
        };
        let (kind, a, b) = match text {
            Text::Raw(raw) => (Kind::Raw, start + 1, start + 1 + raw.len()),
            Text::Scratch => {
                let a = self.doc.unescaped.len();
                self.doc.unescaped.push_str(&self.lex.scratch);
                (Kind::Unescaped, a, self.doc.unescaped.len())
            }
        };
        self.charge(b - a, start)?;
        self.push(kind, start, a, b)
    }
}

/// Where the string that starts at `start` breaks JSON's rules, and how: its first raw control
/// character, or the backslash of its first bad escape (a lone surrogate's included).
fn bad_byte(text: &str, start: usize) -> Option<(usize, Problem)> {
    let mut lex = Lexer::new(text);
    let mut at = start + 1;
    loop {
        match *lex.bytes.get(at)? {
            b'"' => return None,
            0..=0x1f => return Some((at, Problem::RawControl)),
            b'\\' => match lex.escape(at) {
                Ok(next) => at = next,
                Err(()) => return Some((at, Problem::BadEscape)),
            },
            _ => at += 1,
        }
    }
}
