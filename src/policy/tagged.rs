//! A rule read from its internally tagged form (`{"type": "stateless", "name": …}`) without
//! serde's buffering of any value for tagged enums (16 KB of the wasm): the tag is read as it
//! comes, the other fields are kept as JSON values, in order, and the rule's variant is read from
//! them by the derive (externally tagged: `#[serde(remote = "Self")]`). Messages and the places
//! errors are found are serde's own for internally tagged enums.

use super::Rule;
use serde::de::value::{EnumAccessDeserializer, MapDeserializer, SeqDeserializer, StrDeserializer};
use serde::de::{self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// The `type` of each kind of rule, as the derive names its variants.
const RULE_TYPES: &[&str] = &["stateless", "stateless-only-at", "state-only-at", "no-retention", "evidence-strength"];

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        // The fields become the rule once the whole rule has been read, as with serde's tagged
        // enums: an error in them is then placed where the reader of the list places it.
        let (kind, fields) = deserializer.deserialize_any(TaggedRule)?;
        read(kind, fields)
    }
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

    fn visit_str<E: de::Error>(self, name: &str) -> Result<RuleType, E> {
        match RULE_TYPES.iter().find(|t| **t == name) {
            Some(found) => Ok(RuleType(found)),
            None => Err(E::unknown_variant(name, RULE_TYPES)),
        }
    }
}

/// A rule's fields but its `type`: a map, or (serde reads that too) the list after the type.
enum Fields {
    Map(Vec<(String, Value)>),
    Seq(Vec<Value>),
}

struct TaggedRule;

impl<'de> Visitor<'de> for TaggedRule {
    type Value = (RuleType, Fields);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("internally tagged enum Rule")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kind = None;
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key != "type" {
                fields.push((key, map.next_value()?));
            } else if kind.is_some() {
                return Err(de::Error::duplicate_field("type"));
            } else {
                kind = Some(map.next_value::<RuleType>()?);
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
        Ok((kind, Fields::Map(fields)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let kind = seq.next_element::<RuleType>()?.ok_or_else(|| de::Error::missing_field("type"))?;
        let mut fields = Vec::new();
        while let Some(value) = seq.next_element()? {
            fields.push(value);
        }
        Ok((kind, Fields::Seq(fields)))
    }
}

/// The rule of this type with these fields, read by the derive.
fn read<E: de::Error>(kind: RuleType, fields: Fields) -> Result<Rule, E> {
    Rule::deserialize(EnumAccessDeserializer::new(Variant { kind, fields })).map_err(E::custom)
}

/// One variant for the derive to read: its name, then its fields.
struct Variant {
    kind: RuleType,
    fields: Fields,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = serde_json::Error;
    type Variant = Fields;

    fn variant_seed<V: de::DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Fields), Self::Error> {
        let name = seed.deserialize(StrDeserializer::<Self::Error>::new(self.kind.0))?;
        Ok((name, self.fields))
    }
}

impl<'de> VariantAccess<'de> for Fields {
    type Error = serde_json::Error;

    fn unit_variant(self) -> Result<(), Self::Error> {
        Err(not_a_struct("unit variant"))
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(self, _: T) -> Result<T::Value, Self::Error> {
        Err(not_a_struct("newtype variant"))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Self::Error> {
        Err(not_a_struct("tuple variant"))
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Fields::Map(fields) => MapDeserializer::new(fields.into_iter()).deserialize_any(visitor),
            Fields::Seq(fields) => SeqDeserializer::new(fields.into_iter()).deserialize_any(visitor),
        }
    }
}

/// Every rule is a struct variant; the derive asks for nothing else.
fn not_a_struct(expected: &'static str) -> serde_json::Error {
    de::Error::invalid_type(de::Unexpected::StructVariant, &expected)
}
