//! A YAML document written as JSON text, within a budget. YAML aliases can make a small file
//! expand into a huge document (the "billion laughs"); every node and string byte is charged
//! against a budget that grows with the input, so expansion stops with an error instead of
//! exhausting memory. The text is what `serde_json` writes of the tree of the document: compact,
//! each mapping's keys in order, a repeated key once with its last value.

use super::yaml::OVER_BUDGET;
use crate::json::write::escaped;
use serde::de::{DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use std::cell::Cell;
use std::fmt;

/// Deserializes any self-describing document into JSON text, charging `budget`. YAML tags
/// (`!!python/object:…`, `!!python/tuple`, …) are dropped and their content kept.
#[derive(Clone, Copy)]
pub struct Bounded<'b> {
    pub budget: &'b Cell<usize>,
}

/// A value written: JSON text, or a string's own text (a key is its text; any other value as
/// a key is its JSON text, as `serde_json`'s tree makes keys of them).
pub enum Written {
    Text(String),
    Json(String),
}

impl Written {
    pub fn json(self) -> String {
        match self {
            Written::Text(text) => {
                let mut out = String::with_capacity(text.len() + 2);
                escaped(&mut out, &text);
                out
            }
            Written::Json(json) => json,
        }
    }

    fn key(self) -> String {
        match self {
            Written::Text(text) | Written::Json(text) => text,
        }
    }
}

impl Bounded<'_> {
    fn charge<E: serde::de::Error>(&self, cost: usize) -> Result<(), E> {
        let left = self.budget.get();
        if cost > left {
            return Err(E::custom(OVER_BUDGET));
        }
        self.budget.set(left - cost);
        Ok(())
    }

    fn json<E: serde::de::Error>(&self, json: String) -> Result<Written, E> {
        self.charge(1)?;
        Ok(Written::Json(json))
    }

    fn text<E: serde::de::Error>(&self, text: String) -> Result<Written, E> {
        self.charge(1 + text.len())?;
        Ok(Written::Text(text))
    }
}

impl<'de> DeserializeSeed<'de> for Bounded<'_> {
    type Value = Written;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Written, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bounded<'_> {
    type Value = Written;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Written, E> {
        self.json(if v { "true" } else { "false" }.into())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Written, E> {
        self.json(v.to_string())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Written, E> {
        self.json(v.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Written, E> {
        // YAML allows .inf and .nan, which JSON numbers cannot hold; keep them as text, spelled
        // as Rust prints them (written out: printing floats would weigh 13 KB in the YAML module).
        let Some(number) = serde_json::Number::from_f64(v) else {
            self.charge::<E>(1)?;
            let text = if v.is_nan() {
                "NaN"
            } else if v > 0.0 {
                "inf"
            } else {
                "-inf"
            };
            return Ok(Written::Text(text.into()));
        };
        self.json(number.to_string())
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Written, E> {
        self.text(v.to_string())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Written, E> {
        self.text(v)
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Written, E> {
        self.text(String::from_utf8_lossy(v).into_owned())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Written, E> {
        self.json("null".into())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Written, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Written, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Written, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Written, A::Error> {
        self.charge(1)?;
        let mut out = String::from("[");
        while let Some(item) = seq.next_element_seed(self)? {
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(&item.json());
        }
        out.push(']');
        Ok(Written::Json(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Written, A::Error> {
        self.charge(1)?;
        let mut members = Vec::new();
        while let Some(key) = map.next_key_seed(self)? {
            let value = map.next_value_seed(self)?;
            members.push((key.key(), value.json()));
        }
        Ok(Written::Json(crate::json::write::object(members, |value: &String, out| out.push_str(value))))
    }

    /// YAML tags arrive as enums: keep the tagged content, drop the tag.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Written, A::Error> {
        let (_tag, variant): (serde::de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant_seed(self)
    }
}
