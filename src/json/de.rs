//! Typed values read from a document's nodes by serde's derive: the options, limits, user rules,
//! fingerprint table and policies, read from the tape instead of by `serde_json`'s deserializer.
//!
//! Messages read as `serde_json`'s ("unknown field `x`, expected …", "invalid type: string
//! \"x\", expected …"), and each error carries the byte offset of the node it is about. The
//! error words what it did not expect itself, never through `Unexpected`'s `Display`: that would
//! link core's float formatting (9 KB gzipped) for a message. A float is quoted as written.

use super::{Doc, Kind, Node};
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Expected, Unexpected, Visitor};
use std::fmt::{self, Write};

/// How deep a document read here may nest: `serde_json`'s bound (it reads 128 levels), which
/// is the readers' `formats::MAX_DEPTH` (named here by value: the readers use this module).
pub const DEPTH: usize = 128;

/// How an object's members reach the derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// As written, a repeated key each time: as `serde_json` reads text (a struct then refuses
    /// a repeated field).
    Written,
    /// In key order, a repeated key once with its last value: as `serde_json` reads its tree.
    Keys,
}

/// Why a value could not be read, and where. Boxed, as `serde_json`'s is: every generic
/// function of a read returns it, and a small `Result` is less code in each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<Detail>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub message: String,
    /// The byte offset in its document of the node the error is about.
    pub offset: Option<usize>,
    /// Where in `message` the text of the float it is about goes, once its node is known.
    float: Option<usize>,
}

impl std::ops::Deref for Error {
    type Target = Detail;

    fn deref(&self) -> &Detail {
        &self.0
    }
}

impl Error {
    fn new(message: String) -> Error {
        Error(Box::new(Detail { message, offset: None, float: None }))
    }

    /// The error placed at `node`, unless it is placed already.
    pub fn at(mut self, node: Node) -> Error {
        let detail = &mut *self.0;
        if detail.offset.is_none() {
            detail.offset = Some(node.offset());
            if let Some(at) = detail.float.take() {
                detail.message.insert_str(at, node.text());
            }
        }
        self
    }

    /// "invalid type: …, expected …" (or value), worded as `serde_json` words it; a float's
    /// text goes in once its node is known.
    fn invalid(what: &str, unexpected: Unexpected, expected: &dyn Expected) -> Error {
        let mut message = format!("invalid {what}: {}", words(unexpected));
        let float = matches!(unexpected, Unexpected::Float(_)).then(|| message.len() - 1);
        let _ = write!(message, ", expected {expected}");
        Error(Box::new(Detail { message, offset: None, float }))
    }
}

/// What was met instead of what was expected, as `serde_json` words it (a float without its
/// value, which is quoted as written).
fn words(unexpected: Unexpected) -> String {
    match unexpected {
        Unexpected::Bool(b) => format!("boolean `{b}`"),
        Unexpected::Unsigned(n) => format!("integer `{n}`"),
        Unexpected::Signed(n) => format!("integer `{n}`"),
        Unexpected::Float(_) => "floating point ``".into(),
        Unexpected::Char(c) => format!("character `{c}`"),
        Unexpected::Str(s) => format!("string {s:?}"),
        Unexpected::Bytes(_) => "byte array".into(),
        Unexpected::Unit => "null".into(),
        Unexpected::Option => "Option value".into(),
        Unexpected::NewtypeStruct => "newtype struct".into(),
        Unexpected::Seq => "sequence".into(),
        Unexpected::Map => "map".into(),
        Unexpected::Enum => "enum".into(),
        Unexpected::UnitVariant => "unit variant".into(),
        Unexpected::NewtypeVariant => "newtype variant".into(),
        Unexpected::TupleVariant => "tuple variant".into(),
        Unexpected::StructVariant => "struct variant".into(),
        Unexpected::Other(other) => other.into(),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Error {
        Error::new(message.to_string())
    }

    fn invalid_type(unexpected: Unexpected, expected: &dyn Expected) -> Error {
        Error::invalid("type", unexpected, expected)
    }

    fn invalid_value(unexpected: Unexpected, expected: &dyn Expected) -> Error {
        Error::invalid("value", unexpected, expected)
    }
}

impl From<super::SyntaxError> for Error {
    fn from(e: super::SyntaxError) -> Error {
        Error(Box::new(Detail { message: e.detail(), offset: Some(e.offset), float: None }))
    }
}

/// A number as `serde_json` reads it: an integer where it fits 64 bits (`-0` is a float).
enum Number {
    Unsigned(u64),
    Signed(i64),
    Float,
}

fn number(node: Node) -> Number {
    if let Some(n) = node.as_u64() {
        return Number::Unsigned(n);
    }
    match node.as_i64() {
        Some(n) if n < 0 => Number::Signed(n),
        _ => Number::Float,
    }
}

/// What a node is, for an error about it (a float's text is added where the error is placed).
pub fn unexpected<'d>(node: Node<'d>) -> Unexpected<'d> {
    match node.slot().kind {
        Kind::Null => Unexpected::Unit,
        Kind::False | Kind::True => Unexpected::Bool(node.as_bool() == Some(true)),
        Kind::Number => match number(node) {
            Number::Unsigned(n) => Unexpected::Unsigned(n),
            Number::Signed(n) => Unexpected::Signed(n),
            Number::Float => Unexpected::Float(0.0),
        },
        Kind::Raw | Kind::Unescaped => Unexpected::Str(node.as_str().unwrap_or_default()),
        Kind::List => Unexpected::Seq,
        Kind::Object => Unexpected::Map,
    }
}

/// "invalid type: …" about `node`, placed at it.
pub fn invalid_type(node: Node, expected: &dyn Expected) -> Error {
    <Error as de::Error>::invalid_type(unexpected(node), expected).at(node)
}

/// Where an enum is due and something else stands: worded as `serde_json`'s tree words it
/// (its text reader says only "expected value").
fn not_an_enum(node: Node) -> Error {
    match node.is_object() {
        true => <Error as de::Error>::invalid_value(Unexpected::Map, &"map with a single key").at(node),
        false => invalid_type(node, &"string or map"),
    }
}

/// Reads a `T` from a node; `order` is how objects' members reach it.
pub fn from_node<'d, T: de::Deserialize<'d>>(node: Node<'d>, order: Order) -> Result<T, Error> {
    T::deserialize(Deserializer::new(node, order))
}

/// Reads a `T` from a whole JSON document, members as written.
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    let doc = Doc::parse(text, DEPTH, usize::MAX)?;
    from_node(doc.root(), Order::Written)
}

/// The name of the newtype through which [`Raw`] asks for a value's JSON text.
const RAW: &str = "$callstate::json::Raw";

/// A value's JSON text, as written: for what is read apart, later (a policy given in the
/// options, a rule once its `type` is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw(pub String);

impl<'de> de::Deserialize<'de> for Raw {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Raw, D::Error> {
        deserializer.deserialize_newtype_struct(RAW, RawVisitor)
    }
}

/// Written as a string of its text: read back, a policy's text is read as a policy file (and
/// the option's schema shows its default, `null`).
impl serde::Serialize for Raw {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Raw, E> {
        Ok(Raw(text.to_string()))
    }

    /// Another deserializer (`serde_json`, the oracle) gives the value: its text is written.
    #[cfg(any(test, feature = "oracle"))]
    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        let value: serde_json::Value = de::Deserialize::deserialize(deserializer)?;
        Ok(Raw(value.to_string()))
    }
}

/// Reads typed values from one node of a document.
pub struct Deserializer<'d> {
    node: Node<'d>,
    order: Order,
    /// A member of the object read as an empty list (its items are read apart).
    emptied: Option<&'static str>,
    /// This value is that member.
    empty: bool,
}

impl<'d> Deserializer<'d> {
    pub fn new(node: Node<'d>, order: Order) -> Deserializer<'d> {
        Deserializer { node, order, emptied: None, empty: false }
    }

    /// With the object's member `key` read as an empty list: its items are read one by one
    /// elsewhere, for errors that name them.
    pub fn emptying(self, key: &'static str) -> Deserializer<'d> {
        Deserializer { emptied: Some(key), ..self }
    }
}

/// An object's members (key node, value node) in `order`.
pub fn members(node: Node, order: Order) -> Vec<(Node, Node)> {
    let mut nodes = node.members_in_order().0;
    let pairs = std::iter::from_fn(|| Some((nodes.next()?, nodes.next()?)));
    let mut members: Vec<(&str, (Node, Node))> = pairs.map(|(k, v)| (k.as_str().unwrap_or_default(), (k, v))).collect();
    if order == Order::Keys {
        crate::sort::by_keys_keeping_last(&mut members);
    }
    members.into_iter().map(|(_, pair)| pair).collect()
}

/// Numbers of every type are read alike: the visitor says which it takes.
macro_rules! numbers {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
            self.number(visitor)
        })*
    };
}

impl<'d> de::Deserializer<'d> for Deserializer<'d> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.node;
        let result = match node.slot().kind {
            Kind::Null => visitor.visit_unit(),
            Kind::False | Kind::True => visitor.visit_bool(node.as_bool() == Some(true)),
            Kind::Number => return self.number(visitor),
            Kind::Raw | Kind::Unescaped => return self.string(visitor),
            Kind::List | Kind::Object => return self.container(visitor, true, true),
        };
        result.map_err(|e: Error| e.at(node))
    }

    // Each kind of value asked for is read alone, so that a visitor is not asked for kinds it
    // refuses: each would be code of its own (a derived struct would hold eight).
    fn deserialize_bool<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.as_bool() {
            Some(b) => visitor.visit_bool(b).map_err(|e: Error| e.at(self.node)),
            None => Err(invalid_type(self.node, &visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        self.string(visitor)
    }

    fn deserialize_string<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        self.string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        self.string(visitor)
    }

    fn deserialize_seq<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        self.container(visitor, true, false)
    }

    fn deserialize_tuple<V: Visitor<'d>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.container(visitor, true, false)
    }

    fn deserialize_tuple_struct<V: Visitor<'d>>(self, _: &str, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.container(visitor, true, false)
    }

    fn deserialize_map<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        self.container(visitor, false, true)
    }

    fn deserialize_struct<V: Visitor<'d>>(
        self,
        _: &str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.container(visitor, true, true)
    }

    fn deserialize_unit<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.is_null() {
            true => visitor.visit_unit().map_err(|e: Error| e.at(self.node)),
            false => Err(invalid_type(self.node, &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'d>>(self, _: &str, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_option<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.node;
        let result: Result<V::Value, Error> = match node.is_null() {
            true => visitor.visit_none(),
            false => visitor.visit_some(self),
        };
        result.map_err(|e: Error| e.at(node))
    }

    fn deserialize_newtype_struct<V: Visitor<'d>>(self, name: &str, visitor: V) -> Result<V::Value, Error> {
        let node = self.node;
        let result: Result<V::Value, Error> = match name {
            RAW => visitor.visit_borrowed_str(node.text()),
            _ => visitor.visit_newtype_struct(self),
        };
        result.map_err(|e: Error| e.at(node))
    }

    /// A unit variant as a string, any other as an object of one member: externally tagged.
    fn deserialize_enum<V: Visitor<'d>>(
        self,
        _: &str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let node = self.node;
        if let Some(name) = node.as_str() {
            return visitor.visit_enum(BorrowedStrDeserializer::new(name)).map_err(|e: Error| e.at(node));
        }
        match members(node, self.order).as_slice() {
            [(key, value)] if node.is_object() => {
                let variant = Variant { key: *key, value: Deserializer::new(*value, self.order) };
                visitor.visit_enum(variant).map_err(|e: Error| e.at(node))
            }
            _ => Err(not_an_enum(node)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'d>>
        char bytes byte_buf
    }

    numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64
    }
}

impl<'d> Deserializer<'d> {
    fn number<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.node;
        let result = match (node.is_number(), number(node)) {
            (false, _) => return Err(invalid_type(node, &visitor)),
            (true, Number::Unsigned(n)) => visitor.visit_u64(n),
            (true, Number::Signed(n)) => visitor.visit_i64(n),
            (true, Number::Float) => visitor.visit_f64(node.as_f64().unwrap_or_default()),
        };
        result.map_err(|e: Error| e.at(node))
    }

    fn string<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.as_str() {
            Some(text) => visitor.visit_borrowed_str(text).map_err(|e: Error| e.at(self.node)),
            None => Err(invalid_type(self.node, &visitor)),
        }
    }

    /// A list (where `list`) or an object (where `object`) to the visitor.
    fn container<V: Visitor<'d>>(self, visitor: V, list: bool, object: bool) -> Result<V::Value, Error> {
        let node = self.node;
        if self.empty {
            let none = super::Items { doc: node.doc, next: 0, end: 0 };
            return visit_items(visitor, none, 0, self.order, node);
        }
        match node.slot().kind {
            Kind::List if list => visit_items(visitor, node.items(), node.len(), self.order, node),
            Kind::Object if object => {
                visit_members(visitor, Members::new(members(node, self.order), self.order, self.emptied), node)
            }
            _ => Err(invalid_type(node, &visitor)),
        }
    }
}

/// A list's items (`left` of them) to a visitor; items it leaves are an error, as in `serde_json`.
pub fn visit_items<'d, V: Visitor<'d>>(
    visitor: V,
    items: super::Items<'d>,
    left: usize,
    order: Order,
    at: Node<'d>,
) -> Result<V::Value, Error> {
    let mut access = Items { items, left, order };
    let value = visitor.visit_seq(&mut access).map_err(|e: Error| e.at(at))?;
    match access.left {
        0 => Ok(value),
        more => Err(too_long(left, left - more, "sequence").at(at)),
    }
}

/// A list or an object of `length` that a visitor read only `read` of: serde's words for it.
fn too_long(length: usize, read: usize, what: &str) -> Error {
    let expected = match read {
        1 => format!("1 element in {what}"),
        _ => format!("{read} elements in {what}"),
    };
    de::Error::invalid_length(length, &expected.as_str())
}

/// An object's members to a visitor; errors after a key are placed at it, others at the object.
pub fn visit_members<'d, V: Visitor<'d>>(visitor: V, mut access: Members<'d>, at: Node<'d>) -> Result<V::Value, Error> {
    let length = access.members.len();
    let value = visitor.visit_map(&mut access).map_err(|e: Error| e.at(access.key.unwrap_or(at)))?;
    match access.members.len() {
        0 => Ok(value),
        more => Err(too_long(length, length - more, "map").at(at)),
    }
}

struct Items<'d> {
    items: super::Items<'d>,
    left: usize,
    order: Order,
}

impl<'d> de::SeqAccess<'d> for Items<'d> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'d>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(node) = self.items.next() else { return Ok(None) };
        self.left -= 1;
        seed.deserialize(Deserializer::new(node, self.order)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// Members of an object (key node, value node), as a map to the derive.
pub struct Members<'d> {
    members: std::vec::IntoIter<(Node<'d>, Node<'d>)>,
    /// The key just read, and its value.
    key: Option<Node<'d>>,
    value: Option<Node<'d>>,
    order: Order,
    emptied: Option<&'static str>,
}

impl<'d> Members<'d> {
    pub fn new(members: Vec<(Node<'d>, Node<'d>)>, order: Order, emptied: Option<&'static str>) -> Members<'d> {
        Members { members: members.into_iter(), key: None, value: None, order, emptied }
    }
}

impl<'d> de::MapAccess<'d> for Members<'d> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'d>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.members.next() else {
            (self.key, self.value) = (None, None);
            return Ok(None);
        };
        (self.key, self.value) = (Some(key), Some(value));
        let name = BorrowedStrDeserializer::new(key.as_str().unwrap_or_default());
        seed.deserialize(name).map(Some).map_err(|e: Error| e.at(key))
    }

    fn next_value_seed<V: DeserializeSeed<'d>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self.value.take().ok_or_else(|| Error::new("a value is read before its key".into()))?;
        let key = self.key.and_then(|key| key.as_str());
        // The same deserializer either way: a second one would be code of its own for each field.
        let empty = key.is_some() && key == self.emptied;
        seed.deserialize(Deserializer { empty, ..Deserializer::new(value, self.order) })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

/// The variant of an externally tagged enum: an object's one member.
struct Variant<'d> {
    key: Node<'d>,
    value: Deserializer<'d>,
}

impl<'d> de::EnumAccess<'d> for Variant<'d> {
    type Error = Error;
    type Variant = Deserializer<'d>;

    fn variant_seed<V: DeserializeSeed<'d>>(self, seed: V) -> Result<(V::Value, Deserializer<'d>), Error> {
        let name = BorrowedStrDeserializer::new(self.key.as_str().unwrap_or_default());
        let variant = seed.deserialize(name).map_err(|e: Error| e.at(self.key))?;
        Ok((variant, self.value))
    }
}

impl<'d> de::VariantAccess<'d> for Deserializer<'d> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'d>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'d>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'d>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}

#[cfg(test)]
mod tests;
