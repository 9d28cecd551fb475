//! A rule read from its internally tagged form (`{"type": "stateless", "name": …}`) without
//! serde's buffering of any value for tagged enums (16 KB of the wasm): the rule is a node of a
//! document, so its `type` is read first wherever it is written, and the rule's variant is read
//! from the other members by the derive (externally tagged: `#[serde(remote = "Self")]`).
//! Messages are serde's own for internally tagged enums; errors point at the member at fault.

use super::Rule;
use crate::json::de::{self, Error, Members, Order, Raw};
use crate::json::{Doc, Items, Node};
use serde::de::value::{BorrowedStrDeserializer, EnumAccessDeserializer};
use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, EnumAccess, Error as _, Unexpected, VariantAccess, Visitor,
};
use std::fmt;

/// The `type` of each kind of rule, as the derive names its variants.
const RULE_TYPES: &[&str] = &["stateless", "stateless-only-at", "state-only-at", "no-retention", "evidence-strength"];

/// A rule as any deserializer meets it inside a `Policy` (the policy reader reads rules one by
/// one instead, see `read`): its JSON text, read as a document.
impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        let Raw(text) = Raw::deserialize(deserializer)?;
        let doc = Doc::parse(&text, de::DEPTH, usize::MAX).map_err(|e| D::Error::custom(e.detail()))?;
        read(doc.root(), Order::Keys).map_err(|e| D::Error::custom(&e.message))
    }
}

/// A rule from its node, its members taken in `order`.
pub(super) fn read(node: Node, order: Order) -> Result<Rule, Error> {
    let (kind, fields) = tag(node, order)?;
    Rule::deserialize(EnumAccessDeserializer::new(Variant { kind, fields, at: node, order }))
}

/// A rule's `type`, checked where it is read (so that an error points at it).
struct RuleType(&'static str);

impl<'de> Deserialize<'de> for RuleType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RuleType, D::Error> {
        deserializer.deserialize_identifier(RuleTypeVisitor)
    }
}

struct RuleTypeVisitor;

impl Visitor<'_> for RuleTypeVisitor {
    type Value = RuleType;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<RuleType, E> {
        match RULE_TYPES.iter().find(|t| **t == name) {
            Some(found) => Ok(RuleType(found)),
            None => Err(E::unknown_variant(name, RULE_TYPES)),
        }
    }
}

/// A rule's fields but its `type`: an object's other members, or (serde reads that too) the
/// items of a list after the type.
enum Fields<'d> {
    Map(Vec<(Node<'d>, Node<'d>)>),
    Seq(Items<'d>, usize),
}

/// A rule's type and its other fields.
fn tag(node: Node, order: Order) -> Result<(&'static str, Fields), Error> {
    let rule_type = |node| de::from_node::<RuleType>(node, order).map(|t| t.0);
    if node.is_list() {
        let mut items = node.items();
        let kind = items.next().ok_or_else(|| Error::missing_field("type").at(node))?;
        return Ok((rule_type(kind)?, Fields::Seq(items, node.len() - 1)));
    }
    if !node.is_object() {
        return Err(de::invalid_type(node, &"internally tagged enum Rule"));
    }
    let (mut kind, mut fields) = (None, Vec::new());
    for (key, value) in de::members(node, order) {
        if key.as_str() != Some("type") {
            fields.push((key, value));
        } else if kind.is_some() {
            return Err(Error::duplicate_field("type").at(key));
        } else {
            kind = Some(rule_type(value)?);
        }
    }
    let kind = kind.ok_or_else(|| Error::missing_field("type").at(node))?;
    Ok((kind, Fields::Map(fields)))
}

/// One variant for the derive to read: its name, then its fields.
struct Variant<'d> {
    kind: &'static str,
    fields: Fields<'d>,
    /// The rule's node, where errors about it as a whole point.
    at: Node<'d>,
    order: Order,
}

impl<'d> EnumAccess<'d> for Variant<'d> {
    type Error = Error;
    type Variant = Variant<'d>;

    fn variant_seed<V: DeserializeSeed<'d>>(self, seed: V) -> Result<(V::Value, Variant<'d>), Error> {
        let name = seed.deserialize(BorrowedStrDeserializer::<Error>::new(self.kind))?;
        Ok((name, self))
    }
}

impl<'d> VariantAccess<'d> for Variant<'d> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Err(self.not_a_struct("unit variant"))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'d>>(self, _: T) -> Result<T::Value, Error> {
        Err(self.not_a_struct("newtype variant"))
    }

    fn tuple_variant<V: Visitor<'d>>(self, _: usize, _: V) -> Result<V::Value, Error> {
        Err(self.not_a_struct("tuple variant"))
    }

    fn struct_variant<V: Visitor<'d>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        match self.fields {
            Fields::Map(fields) => de::visit_members(visitor, Members::new(fields, self.order, None), self.at),
            Fields::Seq(items, left) => de::visit_items(visitor, items, left, self.order, self.at),
        }
    }
}

impl Variant<'_> {
    /// Every rule is a struct variant; the derive asks for nothing else.
    fn not_a_struct(&self, expected: &'static str) -> Error {
        Error::invalid_type(Unexpected::StructVariant, &expected).at(self.at)
    }
}
