//! One HAR entry read from its JSON where it lies: the fields a call is made of, every other
//! member skipped (its grammar checked). A field of another type than the HAR tools write makes
//! the entry one to skip, as a [`Shape`] that says which field.

use crate::lex::{Lexer, Scan};
use std::borrow::Cow;

#[derive(Debug, Default, PartialEq)]
pub struct Entry<'b> {
    pub started: Option<Cow<'b, str>>,
    pub request: Option<Request<'b>>,
    pub response: Option<Response<'b>>,
    /// Chrome's `_webSocketMessages`.
    pub messages: Option<Vec<Message<'b>>>,
    /// Chrome's `_resourceType`.
    pub resource_type: Option<Cow<'b, str>>,
    /// Total time in milliseconds (`null` in mitmproxy's exports).
    pub time: Option<f64>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Request<'b> {
    pub method: Option<Cow<'b, str>>,
    pub url: Option<Cow<'b, str>>,
    pub headers: Option<Vec<Pair<'b>>>,
    pub cookies: Option<Vec<Pair<'b>>>,
    pub post: Option<PostData<'b>>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Response<'b> {
    pub status: Option<Loose<'b>>,
    pub headers: Option<Vec<Pair<'b>>>,
    pub cookies: Option<Vec<Pair<'b>>>,
    pub content: Option<Content<'b>>,
}

#[derive(Debug, Default, PartialEq)]
pub struct PostData<'b> {
    pub mime_type: Option<Cow<'b, str>>,
    pub text: Option<Cow<'b, str>>,
    pub params: Option<Vec<Pair<'b>>>,
    pub encoding: Option<Cow<'b, str>>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Content<'b> {
    pub mime_type: Option<Cow<'b, str>>,
    pub text: Option<Cow<'b, str>>,
    pub encoding: Option<Cow<'b, str>>,
}

/// A header, cookie or form parameter.
#[derive(Debug, Default, PartialEq)]
pub struct Pair<'b> {
    pub name: Option<Cow<'b, str>>,
    pub value: Option<Loose<'b>>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Message<'b> {
    /// `send` or `receive`.
    pub kind: Option<Cow<'b, str>>,
    pub time: Option<f64>,
    pub opcode: Option<f64>,
    pub data: Option<Cow<'b, str>>,
}

/// A value that tools write with varying types: strings, numbers, lists of strings (Polly.js
/// header values), `null`.
#[derive(Debug, PartialEq)]
pub enum Loose<'b> {
    Text(Cow<'b, str>),
    Number(f64),
    Bool(bool),
    Many(Vec<Loose<'b>>),
    Null,
}

/// How deep lists of header values may nest (Polly.js writes one level).
const LOOSE_DEPTH: usize = 16;

/// What a JSON value is, for saying what a field held instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Bool,
    List,
    Object,
    Null,
    /// Lists of values nested deeper than [`LOOSE_DEPTH`].
    DeepList,
}

impl Kind {
    /// The kind of the value that starts with `byte`.
    pub fn of(byte: u8) -> Kind {
        match byte {
            b'"' => Kind::Text,
            b't' | b'f' => Kind::Bool,
            b'n' => Kind::Null,
            b'[' => Kind::List,
            b'{' => Kind::Object,
            _ => Kind::Number,
        }
    }
}

/// Why an entry is skipped: `field` held a `found` where HAR has an `expected`, or came twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    Type {
        field: &'static str,
        found: Kind,
        expected: Kind,
    },
    Twice {
        field: &'static str,
    },
    /// A number too large for a float.
    Huge {
        field: &'static str,
    },
}

impl Shape {
    /// The sentence after "has an unexpected shape and was skipped: ".
    pub fn words(&self) -> String {
        match self {
            Shape::Type { field, found: Kind::DeepList, .. } => format!("`{field}` nests lists too deep"),
            Shape::Type { field: "", found, expected } => {
                format!("it is {}, not {}", kind_words(*found), kind_words(*expected))
            }
            Shape::Type { field, found, expected } => {
                format!("`{field}` is {}, not {}", kind_words(*found), kind_words(*expected))
            }
            Shape::Twice { field } => format!("`{field}` appears twice"),
            Shape::Huge { field } => format!("`{field}` is a number too large to read"),
        }
    }
}

fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "a string",
        Kind::Number => "a number",
        Kind::Bool => "true or false",
        Kind::List | Kind::DeepList => "a list",
        Kind::Object => "an object",
        Kind::Null => "null",
    }
}

/// Reads an entry at its first byte: `Ok(Err(shape))` for an entry to skip. `Err` where the
/// text is not JSON or ends inside the entry.
pub fn read<'b>(lex: &mut Lexer<'b>) -> Scan<Result<Entry<'b>, Shape>> {
    let mut fields = Fields { lex, shape: None };
    let entry = fields.entry()?;
    Ok(match (entry, fields.shape) {
        (Some(entry), None) => Ok(entry),
        (_, Some(shape)) => Err(shape),
        // `null`.
        (None, None) => Err(Shape::Type { field: "", found: Kind::Null, expected: Kind::Object }),
    })
}

/// The fields of one entry being read, and the first shape problem met.
struct Fields<'l, 'b> {
    lex: &'l mut Lexer<'b>,
    shape: Option<Shape>,
}

impl<'b> Fields<'_, 'b> {
    fn entry(&mut self) -> Scan<Option<Entry<'b>>> {
        let mut seen = 0;
        self.object("", |f, entry: &mut Entry<'b>, key| {
            match key {
                "startedDateTime" => entry.started = f.field(&mut seen, 0, "startedDateTime", Self::text)?,
                "request" => entry.request = f.field(&mut seen, 1, "request", Self::request)?,
                "response" => entry.response = f.field(&mut seen, 2, "response", Self::response)?,
                "_webSocketMessages" => {
                    entry.messages =
                        f.field(&mut seen, 3, "_webSocketMessages", |f, field| f.list(field, Self::message))?
                }
                "_resourceType" => entry.resource_type = f.field(&mut seen, 4, "_resourceType", Self::text)?,
                "time" => entry.time = f.field(&mut seen, 5, "time", Self::number)?,
                _ => f.lex.skip_value()?,
            }
            Ok(())
        })
    }

    fn request(&mut self, field: &'static str) -> Scan<Option<Request<'b>>> {
        let mut seen = 0;
        self.object(field, |f, request: &mut Request<'b>, key| {
            match key {
                "method" => request.method = f.field(&mut seen, 0, "request.method", Self::text)?,
                "url" => request.url = f.field(&mut seen, 1, "request.url", Self::text)?,
                "headers" => request.headers = f.field(&mut seen, 2, "request.headers", Self::pairs)?,
                "cookies" => request.cookies = f.field(&mut seen, 3, "request.cookies", Self::pairs)?,
                "postData" => request.post = f.field(&mut seen, 4, "request.postData", Self::post_data)?,
                _ => f.lex.skip_value()?,
            }
            Ok(())
        })
    }

    fn response(&mut self, field: &'static str) -> Scan<Option<Response<'b>>> {
        let mut seen = 0;
        self.object(field, |f, response: &mut Response<'b>, key| {
            match key {
                "status" => response.status = f.field(&mut seen, 0, "response.status", |f, field| f.loose(field, 0))?,
                "headers" => response.headers = f.field(&mut seen, 1, "response.headers", Self::pairs)?,
                "cookies" => response.cookies = f.field(&mut seen, 2, "response.cookies", Self::pairs)?,
                "content" => response.content = f.field(&mut seen, 3, "response.content", Self::content)?,
                _ => f.lex.skip_value()?,
            }
            Ok(())
        })
    }

    fn post_data(&mut self, field: &'static str) -> Scan<Option<PostData<'b>>> {
        let mut seen = 0;
        self.object(field, |f, post: &mut PostData<'b>, key| {
            match key {
                "mimeType" => post.mime_type = f.field(&mut seen, 0, "request.postData.mimeType", Self::text)?,
                "text" => post.text = f.field(&mut seen, 1, "request.postData.text", Self::text)?,
                "params" => post.params = f.field(&mut seen, 2, "request.postData.params", Self::pairs)?,
                "encoding" => post.encoding = f.field(&mut seen, 3, "request.postData.encoding", Self::text)?,
                _ => f.lex.skip_value()?,
            }
            Ok(())
        })
    }

    fn content(&mut self, field: &'static str) -> Scan<Option<Content<'b>>> {
        let mut seen = 0;
        self.object(field, |f, content: &mut Content<'b>, key| {
            match key {
                "mimeType" => content.mime_type = f.field(&mut seen, 0, "response.content.mimeType", Self::text)?,
                "text" => content.text = f.field(&mut seen, 1, "response.content.text", Self::text)?,
                "encoding" => content.encoding = f.field(&mut seen, 2, "response.content.encoding", Self::text)?,
                _ => f.lex.skip_value()?,
            }
            Ok(())
        })
    }

    /// Headers, cookies or form parameters: a list of `{name, value}`.
    fn pairs(&mut self, field: &'static str) -> Scan<Option<Vec<Pair<'b>>>> {
        self.list(field, |f, field| {
            let mut seen = 0;
            f.object(field, |f, pair: &mut Pair<'b>, key| {
                match key {
                    "name" => pair.name = f.field(&mut seen, 0, field, Self::text)?,
                    "value" => pair.value = f.field(&mut seen, 1, field, |f, field| f.loose(field, 0))?,
                    _ => f.lex.skip_value()?,
                }
                Ok(())
            })
        })
    }

    fn message(&mut self, field: &'static str) -> Scan<Option<Message<'b>>> {
        let mut seen = 0;
        self.object(field, |f, message: &mut Message<'b>, key| {
            match key {
                "type" => message.kind = f.field(&mut seen, 0, field, Self::text)?,
                "time" => message.time = f.field(&mut seen, 1, field, Self::number)?,
                "opcode" => message.opcode = f.field(&mut seen, 2, field, Self::number)?,
                "data" => message.data = f.field(&mut seen, 3, field, Self::text)?,
                _ => f.lex.skip_value()?,
            }
            Ok(())
        })
    }

    /// A known member, read by `read`; its second appearance in one object is a shape problem.
    fn field<T>(
        &mut self,
        seen: &mut u32,
        bit: u32,
        field: &'static str,
        read: impl FnOnce(&mut Self, &'static str) -> Scan<Option<T>>,
    ) -> Scan<Option<T>> {
        if *seen & (1 << bit) != 0 {
            self.shape.get_or_insert(Shape::Twice { field });
        }
        *seen |= 1 << bit;
        read(self, field)
    }

    /// A value of another type than `expected`: noted, and skipped.
    fn wrong<T>(&mut self, field: &'static str, expected: Kind) -> Scan<Option<T>> {
        let found = Kind::of(self.lex.peek()?);
        self.shape.get_or_insert(Shape::Type { field, found, expected });
        self.lex.skip_value()?;
        Ok(None)
    }

    /// The first byte of the value ahead; `None` for `null` (then read).
    fn start(&mut self) -> Scan<Option<u8>> {
        self.lex.whitespace();
        match self.lex.peek()? {
            b'n' => self.lex.word(b"null").map(|()| None),
            byte => Ok(Some(byte)),
        }
    }

    /// An object's members, each read by `member` (given the key).
    fn object<T: Default>(
        &mut self,
        field: &'static str,
        mut member: impl FnMut(&mut Self, &mut T, &str) -> Scan<()>,
    ) -> Scan<Option<T>> {
        match self.start()? {
            None => return Ok(None),
            Some(b'{') => {}
            Some(_) => return self.wrong(field, Kind::Object),
        }
        let mut value = T::default();
        self.lex.at += 1;
        self.lex.whitespace();
        if self.lex.peek()? == b'}' {
            self.lex.at += 1;
            return Ok(Some(value));
        }
        loop {
            let key = self.lex.member_key()?;
            member(self, &mut value, &key)?;
            if !self.lex.more(b'}')? {
                return Ok(Some(value));
            }
        }
    }

    /// A list's elements, each read by `element` (`None` drops it).
    fn list<T>(
        &mut self,
        field: &'static str,
        mut element: impl FnMut(&mut Self, &'static str) -> Scan<Option<T>>,
    ) -> Scan<Option<Vec<T>>> {
        match self.start()? {
            None => return Ok(None),
            Some(b'[') => {}
            Some(_) => return self.wrong(field, Kind::List),
        }
        let mut items = Vec::new();
        self.lex.at += 1;
        self.lex.whitespace();
        if self.lex.peek()? == b']' {
            self.lex.at += 1;
            return Ok(Some(items));
        }
        loop {
            items.extend(element(self, field)?);
            if !self.lex.more(b']')? {
                return Ok(Some(items));
            }
        }
    }

    fn text(&mut self, field: &'static str) -> Scan<Option<Cow<'b, str>>> {
        match self.start()? {
            None => Ok(None),
            Some(b'"') => self.lex.string().map(Some),
            Some(_) => self.wrong(field, Kind::Text),
        }
    }

    fn number(&mut self, field: &'static str) -> Scan<Option<f64>> {
        match self.start()? {
            None => Ok(None),
            Some(b'-' | b'0'..=b'9') => self.float().map(Some),
            Some(_) => self.wrong(field, Kind::Number),
        }
    }

    /// A number as a float; one too large for a float is not JSON to `serde_json`.
    fn float(&mut self) -> Scan<f64> {
        self.number_text()?.ok_or(())
    }

    /// A number, parsed as `serde_json` parses it (to the same bit); `None` where it is too
    /// large for a float.
    fn number_text(&mut self) -> Scan<Option<f64>> {
        let start = self.lex.at;
        self.lex.number_grammar()?;
        Ok(crate::lex::parse_number(&self.lex.text[start..self.lex.at]))
    }

    fn loose(&mut self, field: &'static str, depth: usize) -> Scan<Option<Loose<'b>>> {
        let Some(byte) = self.start()? else { return Ok(Some(Loose::Null)) };
        Ok(Some(match byte {
            b'"' => Loose::Text(self.lex.string()?),
            b't' => self.lex.word(b"true").map(|()| Loose::Bool(true))?,
            b'f' => self.lex.word(b"false").map(|()| Loose::Bool(false))?,
            b'-' | b'0'..=b'9' => match self.number_text()? {
                Some(number) => Loose::Number(number),
                // What tools write here is read loosely: a number out of range skips the entry.
                None => {
                    self.shape.get_or_insert(Shape::Huge { field });
                    return Ok(None);
                }
            },
            b'[' if depth < LOOSE_DEPTH => {
                Loose::Many(self.list(field, |f, field| f.loose(field, depth + 1))?.unwrap_or_default())
            }
            b'[' => {
                self.shape.get_or_insert(Shape::Type { field, found: Kind::DeepList, expected: Kind::Text });
                self.lex.skip_value()?;
                return Ok(None);
            }
            _ => return self.wrong(field, Kind::Text),
        }))
    }
}
