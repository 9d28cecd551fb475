//! A JSON document read once into a flat list of nodes (a tape): the one tree the readers of
//! whole documents walk (cassettes, nock, span-record dumps, OTLP fallbacks, policies, options).
//!
//! Strings and numbers stay where they lie in the text; only strings that hold escapes are
//! unescaped, once, into one shared buffer. A node is 24 bytes, an object or a list is its
//! nodes in a row, and the whole document is two allocations that grow, never one per node.
//! Objects answer as `serde_json`'s map did (the readers' outputs were fixed by it): a repeated
//! key means its last value, and members are listed in key order.

pub mod de;
mod parse;
pub mod write;

pub use parse::{Due, Problem, SyntaxError};

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    False,
    True,
    Number,
    /// A string without escapes: `a..b` in the text.
    Raw,
    /// A string with escapes, unescaped: `a..b` in the document's buffer.
    Unescaped,
    /// `a` is the index of the node after the list's last node, `b` the number of items.
    List,
    /// As a list; its nodes are key, value, key, value, … and `b` counts members.
    Object,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    kind: Kind,
    /// Where the value's text starts and ends in the document.
    start: u32,
    end: u32,
    a: u32,
    b: u32,
}

/// A whole JSON document.
pub struct Doc<'t> {
    text: &'t str,
    unescaped: String,
    slots: Vec<Slot>,
}

impl<'t> Doc<'t> {
    /// Reads a whole document: one value, white space around it. Brackets may nest less than
    /// `max_depth` deep (serde_json's count: it refuses 128), and the document costs at most `budget` (a node is 1, a string 1 plus its bytes).
    pub fn parse(text: &'t str, max_depth: usize, budget: usize) -> Result<Doc<'t>, SyntaxError> {
        parse::document(text, max_depth, budget, true).map(|(doc, _)| doc)
    }

    /// Reads the value at the start of `text`, which may go on after it; where it ends.
    pub fn parse_value(text: &'t str, max_depth: usize) -> Result<(Doc<'t>, usize), SyntaxError> {
        parse::document(text, max_depth, usize::MAX, false)
    }

    /// The top value.
    pub fn root(&self) -> Node<'_> {
        Node { doc: self, index: 0 }
    }

    /// The number of nodes (keys count as nodes).
    pub fn nodes(&self) -> usize {
        self.slots.len()
    }
}

/// One value of a document.
#[derive(Clone, Copy)]
pub struct Node<'d> {
    doc: &'d Doc<'d>,
    index: usize,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

impl<'d> Node<'d> {
    fn slot(&self) -> Slot {
        self.doc.slots[self.index]
    }

    /// The index of the node after this value and all it holds.
    fn after(&self) -> usize {
        let slot = self.slot();
        match slot.kind {
            Kind::List | Kind::Object => slot.a as usize,
            _ => self.index + 1,
        }
    }

    /// The value's JSON text, as it lies in the document.
    pub fn text(&self) -> &'d str {
        let slot = self.slot();
        &self.doc.text[slot.start as usize..slot.end as usize]
    }

    /// Where the value starts in the document's text.
    pub fn offset(&self) -> usize {
        self.slot().start as usize
    }

    pub fn is_null(&self) -> bool {
        self.slot().kind == Kind::Null
    }

    pub fn is_string(&self) -> bool {
        matches!(self.slot().kind, Kind::Raw | Kind::Unescaped)
    }

    pub fn is_number(&self) -> bool {
        self.slot().kind == Kind::Number
    }

    pub fn is_object(&self) -> bool {
        self.slot().kind == Kind::Object
    }

    pub fn is_list(&self) -> bool {
        self.slot().kind == Kind::List
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.slot().kind {
            Kind::True => Some(true),
            Kind::False => Some(false),
            _ => None,
        }
    }

    /// A string's text, unescaped.
    pub fn as_str(&self) -> Option<&'d str> {
        let slot = self.slot();
        let (a, b) = (slot.a as usize, slot.b as usize);
        match slot.kind {
            Kind::Raw => Some(&self.doc.text[a..b]),
            Kind::Unescaped => Some(&self.doc.unescaped[a..b]),
            _ => None,
        }
    }

    /// A number's text, as written.
    pub fn as_number(&self) -> Option<&'d str> {
        self.is_number().then(|| self.text())
    }

    /// A number as a float (a large integer rounded), as `serde_json` reads it.
    pub fn as_f64(&self) -> Option<f64> {
        crate::lex::parse_number(self.as_number()?)
    }

    /// An integer that fits 64 bits unsigned (no fraction, no exponent).
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number()?.parse().ok()
    }

    /// An integer that fits 64 bits signed (no fraction, no exponent).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()?.parse().ok()
    }

    /// The number of items of a list or members of an object (a repeated key counts each
    /// time); 0 for anything else.
    pub fn len(&self) -> usize {
        match self.slot().kind {
            Kind::List | Kind::Object => self.slot().b as usize,
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of `key` in an object (the last, if the key repeats).
    pub fn get(&self, key: &str) -> Option<Node<'d>> {
        self.members_in_order().filter(|(k, _)| *k == key).last().map(|(_, value)| value)
    }

    /// The item at `index` in a list.
    pub fn item(&self, index: usize) -> Option<Node<'d>> {
        self.items().nth(index)
    }

    /// A list's items, in order; none for anything else.
    pub fn items(&self) -> Items<'d> {
        let (next, end) = match self.slot().kind {
            Kind::List => (self.index + 1, self.after()),
            _ => (0, 0),
        };
        Items { doc: self.doc, next, end }
    }

    /// An object's members as they are written, a repeated key each time.
    pub fn members_in_order(&self) -> Members<'d> {
        let (next, end) = match self.slot().kind {
            Kind::Object => (self.index + 1, self.after()),
            _ => (0, 0),
        };
        Members(Items { doc: self.doc, next, end })
    }

    /// An object's members in key order, a repeated key once with its last value: as a map
    /// reads them.
    pub fn members(&self) -> std::vec::IntoIter<(&'d str, Node<'d>)> {
        let mut members: Vec<_> = self.members_in_order().collect();
        crate::sort::by_keys_keeping_last(&mut members);
        members.into_iter()
    }
}

/// The values of a list (or the keys and values of an object) from one node to another.
pub struct Items<'d> {
    doc: &'d Doc<'d>,
    next: usize,
    end: usize,
}

impl<'d> Iterator for Items<'d> {
    type Item = Node<'d>;

    fn next(&mut self) -> Option<Node<'d>> {
        if self.next >= self.end {
            return None;
        }
        let node = Node { doc: self.doc, index: self.next };
        self.next = node.after();
        Some(node)
    }
}

/// An object's members as written.
pub struct Members<'d>(Items<'d>);

impl<'d> Iterator for Members<'d> {
    type Item = (&'d str, Node<'d>);

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.0.next()?;
        let value = self.0.next()?;
        Some((key.as_str().unwrap_or_default(), value))
    }
}

#[cfg(test)]
mod tests;

/// The tape against `serde_json`'s tree (the oracle): the same document, or both refuse the
/// text, at `serde_json`'s default depth.
#[cfg(any(test, feature = "oracle"))]
pub fn agrees(text: &str) -> Result<(), String> {
    let tree = serde_json::from_str::<serde_json::Value>(text);
    let tape = Doc::parse(text, 128, usize::MAX);
    match (tree, &tape) {
        (Ok(tree), Ok(doc)) if tree == oracle::tree(doc.root()) => Ok(()),
        (Err(_), Err(_)) => Ok(()),
        (tree, _) => Err(format!("serde_json: {tree:?}, tape: {:?}", tape.as_ref().map(|doc| doc.root()))),
    }
}

#[cfg(any(test, feature = "oracle"))]
mod oracle {
    use super::Node;
    use serde_json::Value;

    /// The tree `serde_json` would have made of a node.
    pub fn tree(node: Node) -> Value {
        if let Some(text) = node.as_str() {
            return Value::String(text.into());
        }
        if node.is_list() {
            return Value::Array(node.items().map(tree).collect());
        }
        if node.is_object() {
            return Value::Object(node.members().map(|(k, v)| (k.to_string(), tree(v))).collect());
        }
        serde_json::from_str(node.text()).unwrap_or(Value::String("unreadable scalar".into()))
    }
}
