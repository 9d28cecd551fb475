//! JSON's lexical grammar, for the body scanner and the HAR reader: whitespace, literals,
//! numbers and strings, read as `serde_json` reads them (the same escapes, the same refusals),
//! strings where they lie.

use std::borrow::Cow;

/// Why nothing is said: a reader only needs to know that the text is not JSON, or, where a
/// stream may bring more, that it ran out ([`Lexer::ran_out`]).
pub(crate) type Scan<T> = Result<T, ()>;

/// The bytes of a document (valid UTF-8), and where reading stands.
pub(crate) struct Lexer<'b> {
    pub text: &'b str,
    pub bytes: &'b [u8],
    pub at: usize,
    /// Unescaped text of a string that holds escapes.
    pub scratch: String,
    /// Newlines passed, and where the last line starts: JSON has raw newlines only between
    /// tokens, so counting them in whitespace counts every line.
    pub lines: usize,
    pub line_start: usize,
}

impl<'b> Lexer<'b> {
    pub fn new(text: &'b str) -> Lexer<'b> {
        Lexer { text, bytes: text.as_bytes(), at: 0, scratch: String::new(), lines: 0, line_start: 0 }
    }

    // `peek`, `expect` and `more` run at every token: in the size-optimised wasm a call costs
    // more than their bodies.
    #[inline(always)]
    pub fn peek(&self) -> Scan<u8> {
        self.bytes.get(self.at).copied().ok_or(())
    }

    /// Whether reading failed at the end of the bytes (every failure there moves `at` to the
    /// end): a document cut short, not a malformed one.
    pub fn ran_out(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn short<T>(&mut self) -> Scan<T> {
        self.at = self.bytes.len();
        Err(())
    }

    pub fn whitespace(&mut self) {
        while let Some(&byte) = self.bytes.get(self.at) {
            match byte {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => {
                    self.lines += 1;
                    self.line_start = self.at + 1;
                }
                _ => return,
            }
            self.at += 1;
        }
    }

    #[inline(always)]
    pub fn expect(&mut self, byte: u8) -> Scan<()> {
        self.whitespace();
        if self.peek()? != byte {
            return Err(());
        }
        self.at += 1;
        Ok(())
    }

    /// After an element of a list or object: a comma (`true`, more follow) or the `close`
    /// bracket (`false`, consumed).
    #[inline(always)]
    pub fn more(&mut self, close: u8) -> Scan<bool> {
        self.whitespace();
        let byte = self.peek()?;
        self.at += 1;
        match byte {
            b',' => Ok(true),
            b if b == close => Ok(false),
            _ => Err(()),
        }
    }

    /// A member's key (copied only if it holds escapes) and the colon after it.
    pub fn member_key(&mut self) -> Scan<Cow<'b, str>> {
        self.whitespace();
        if self.peek()? != b'"' {
            return Err(());
        }
        let key = match self.read_string()? {
            Text::Raw(key) => Cow::Borrowed(key),
            Text::Scratch => Cow::Owned(self.scratch.clone()),
        };
        self.expect(b':')?;
        Ok(key)
    }

    /// A string value where it lies, or unescaped. A short one is a copy of the scratch buffer,
    /// which keeps its room for the next; a long one (a body) is the buffer itself, replaced by
    /// an empty one with room for as much, so that its bytes are not copied a second time.
    pub fn string(&mut self) -> Scan<Cow<'b, str>> {
        const LONG: usize = 1024;
        Ok(match self.read_string()? {
            Text::Raw(text) => Cow::Borrowed(text),
            Text::Scratch if self.scratch.len() < LONG => Cow::Owned(self.scratch.as_str().to_owned()),
            Text::Scratch => {
                let room = String::with_capacity(self.scratch.len());
                Cow::Owned(std::mem::replace(&mut self.scratch, room))
            }
        })
    }

    /// Skips a value, checking its grammar, at any depth (as `serde_json` skips what it
    /// ignores): one byte of state per open bracket, no recursion.
    pub fn skip_value(&mut self) -> Scan<()> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            self.whitespace();
            match self.peek()? {
                byte @ (b'{' | b'[') => {
                    let close = if byte == b'{' { b'}' } else { b']' };
                    self.at += 1;
                    self.whitespace();
                    if self.peek()? != close {
                        open.push(close);
                        if close == b'}' {
                            self.member_key()?;
                        }
                        continue;
                    }
                    self.at += 1;
                }
                b'"' => {
                    self.read_string()?;
                }
                b't' => self.word(b"true")?,
                b'f' => self.word(b"false")?,
                b'n' => self.word(b"null")?,
                b'-' | b'0'..=b'9' => {
                    self.number_grammar()?;
                }
                _ => return Err(()),
            }
            // After a value: close what it ends, or go on after a comma.
            loop {
                let Some(&close) = open.last() else { return Ok(()) };
                if self.more(close)? {
                    if close == b'}' {
                        self.member_key()?;
                    }
                    break;
                }
                open.pop();
            }
        }
    }

    /// An object, each member given to `member` with its key (the colon read, the value not);
    /// what it refuses stops the reading.
    pub fn members(&mut self, mut member: impl FnMut(&mut Self, Cow<'b, str>) -> Scan<()>) -> Scan<()> {
        self.elements(b'{', b'}', |lex| {
            let key = lex.member_key()?;
            member(lex, key)
        })
    }

    /// A list, each element read by `item`.
    pub fn items(&mut self, item: impl FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.elements(b'[', b']', item)
    }

    /// The elements between `open` and `close`, separated by commas, each read by `element`.
    fn elements(&mut self, open: u8, close: u8, mut element: impl FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.expect(open)?;
        self.whitespace();
        if self.peek()? == close {
            self.at += 1;
            return Ok(());
        }
        loop {
            element(self)?;
            if !self.more(close)? {
                return Ok(());
            }
        }
    }

    /// Whether the next value is `null`, read if so.
    pub fn null(&mut self) -> Scan<bool> {
        self.whitespace();
        if self.peek()? != b'n' {
            return Ok(false);
        }
        self.word(b"null")?;
        Ok(true)
    }

    /// The text of the next value, its grammar checked.
    pub fn value_text(&mut self) -> Scan<&'b str> {
        self.whitespace();
        let start = self.at;
        self.skip_value()?;
        Ok(&self.text[start..self.at])
    }

    /// `true`, `false` or `null`, spelled out.
    pub fn word(&mut self, word: &[u8]) -> Scan<()> {
        let rest = &self.bytes[self.at..];
        if !rest.starts_with(word) {
            return if word.starts_with(rest) { self.short() } else { Err(()) };
        }
        self.at += word.len();
        Ok(())
    }

    /// JSON's number grammar; a number too large for a float is refused, as `serde_json` does
    /// where it reads the number.
    pub fn number(&mut self) -> Scan<()> {
        let start = self.at;
        if self.number_grammar()? && parse_number(&self.text[start..self.at]).is_none() {
            return Err(());
        }
        Ok(())
    }

    /// JSON's number grammar only (as `serde_json` checks a number it skips); whether the number
    /// is a float, or an integer too long for 64 bits.
    pub fn number_grammar(&mut self) -> Scan<bool> {
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
        Ok(float)
    }

    /// Reads a string at the opening quote: where it lies if it holds no escape, else unescaped
    /// into the scratch buffer. Control characters and bad escapes are refused.
    pub fn read_string(&mut self) -> Scan<Text<'b>> {
        let (text, bytes) = (self.text, self.bytes);
        let start = self.at + 1;
        let Some(mut stop) = stop_byte(&bytes[start..]).map(|s| start + s) else { return self.short() };
        if bytes[stop] == b'"' {
            self.at = stop + 1;
            return Ok(Text::Raw(&text[start..stop]));
        }
        self.scratch.clear();
        // Text is copied from `from`; the next stop byte is looked for from `after`. An escaped
        // quote, backslash or slash is its own second byte: it starts the next run instead of
        // being pushed alone, so most escapes cost one copy.
        let mut from = start;
        loop {
            self.scratch.push_str(&text[from..stop]);
            let after = match (bytes[stop], bytes.get(stop + 1)) {
                (b'"', _) => {
                    self.at = stop + 1;
                    return Ok(Text::Scratch);
                }
                (b'\\', Some(b'"' | b'\\' | b'/')) => {
                    from = stop + 1;
                    stop + 2
                }
                (b'\\', _) => {
                    from = self.escape(stop)?;
                    from
                }
                _ => return Err(()),
            };
            let Some(next) = stop_byte(&bytes[after..]) else { return self.short() };
            stop = after + next;
        }
    }

    /// One escape at `at` (the backslash) into the scratch buffer; the index after it.
    pub fn escape(&mut self, at: usize) -> Scan<usize> {
        let Some(&byte) = self.bytes.get(at + 1) else { return self.short() };
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

    fn hex4(&mut self, at: usize) -> Scan<u32> {
        let Some(digits) = self.bytes.get(at..at + 4) else { return self.short() };
        digits.iter().try_fold(0u32, |n, &d| Ok(n * 16 + (d as char).to_digit(16).ok_or(())?))
    }

    /// `\uXXXX`, a surrogate pair as one character; a lone surrogate is refused.
    fn unicode_escape(&mut self, at: usize) -> Scan<usize> {
        let first = self.hex4(at + 2)?;
        let (code, next) = match first {
            0xD800..=0xDBFF => {
                match self.bytes.get(at + 6..at + 8) {
                    Some(b"\\u") => {}
                    None if b"\\u".starts_with(&self.bytes[at + 6..]) => return self.short(),
                    _ => return Err(()),
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
pub(crate) fn stop_byte(bytes: &[u8]) -> Option<usize> {
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

/// A number as JSON writes it, read by `serde_json`'s number parser (which the module links
/// anyway; `str::parse::<f64>` would add core's 10 KB table of powers of five): `None` for other
/// text and for a number beyond a float's range, which `serde_json` refuses. White space around
/// the number is allowed, as in a document.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
    <serde_json::Number as std::str::FromStr>::from_str(text).ok()?.as_f64()
}

/// One byte of JSON text read with whether it lies in a string and whether it follows a backslash
/// there: whether it is kept (white space outside strings is not), and those two for the next.
pub(crate) const fn json_byte(byte: u8, in_string: bool, escaped: bool) -> (bool, bool, bool) {
    if in_string {
        (true, escaped || byte != b'"', !escaped && byte == b'\\')
    } else {
        (!matches!(byte, b' ' | b'\n' | b'\r' | b'\t'), byte == b'"', false)
    }
}

/// How deep the brackets of JSON text `json` (valid) nest, strings left out.
pub(crate) fn nesting(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut string, mut escaped) = (0usize, 0usize, false, false);
    for &byte in json {
        let in_string = string;
        (_, string, escaped) = json_byte(byte, string, escaped);
        if in_string {
            continue;
        }
        match byte {
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// A string as read: where it lies, or in the scratch buffer.
pub(crate) enum Text<'b> {
    Raw(&'b str),
    Scratch,
}

#[cfg(test)]
mod tests {
    /// Wherever the stop falls, in a short string or a long one, it is found; without one,
    /// nothing is.
    #[test]
    fn stop_bytes_are_found() {
        for stop in [b'"', b'\\', b'\n', 0x1f, 0] {
            for len in (0..80).chain([127, 128, 129, 500]) {
                let mut plain = vec![b'a'; len];
                plain.extend_from_slice("é€".as_bytes());
                assert_eq!(super::stop_byte(&plain), None);
                for at in 0..len {
                    let mut bytes = plain.clone();
                    bytes[at] = stop;
                    bytes.extend_from_slice(b"\"\\\x01");
                    assert_eq!(super::stop_byte(&bytes), Some(at), "{bytes:?}");
                }
            }
        }
    }
}
