//! A bounded document tree for cassettes. YAML aliases can make a small file expand into a huge
//! tree (the "billion laughs"); every node and string byte is charged against a budget that
//! grows with the input, so expansion stops with an error instead of exhausting memory.

use serde::de::{DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::Cell;
use std::fmt;

/// Deserializes any self-describing document into a `serde_json::Value`, charging `budget`.
/// YAML tags (`!!python/object:…`, `!!python/tuple`, …) are dropped and their content kept.
#[derive(Clone, Copy)]
pub struct Bounded<'b> {
    pub budget: &'b Cell<usize>,
}

use super::yaml::OVER_BUDGET;

impl Bounded<'_> {
    fn charge<E: serde::de::Error>(&self, cost: usize) -> Result<(), E> {
        let left = self.budget.get();
        if cost > left {
            return Err(E::custom(OVER_BUDGET));
        }
        self.budget.set(left - cost);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Bounded<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bounded<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.charge(1)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.charge(1)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.charge(1)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.charge(1)?;
        // YAML allows .inf and .nan, which JSON numbers cannot hold; keep them as text, spelled
        // as Rust prints them (written out: printing floats would weigh 13 KB in the YAML module).
        let text = if v.is_nan() {
            "NaN"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        };
        Ok(Number::from_f64(v).map_or_else(|| Value::String(text.into()), Value::Number))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.charge(1 + v.len())?;
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.charge(1 + v.len())?;
        Ok(Value::String(v))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Value, E> {
        self.charge(1 + v.len())?;
        Ok(Value::String(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.charge(1)?;
        Ok(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.charge(1)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.charge(1)?;
        let mut object = Map::new();
        while let Some(key) = map.next_key_seed(self)? {
            let key = match key {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }

    /// YAML tags arrive as enums: keep the tagged content, drop the tag.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (_tag, variant): (serde::de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant_seed(self)
    }
}

/// Parses a whole JSON text into a bounded tree (tests: the YAML module's JSON is checked against
/// the tree this build reads from the YAML). `depth_checked` says the text was checked for depth
/// already (the YAML parser allows one level more than serde_json).
#[cfg(test)]
pub fn json(text: &str, limits: &crate::limits::Limits, depth_checked: bool) -> serde_json::Result<Value> {
    let budget = Cell::new(super::budget(text.len(), limits));
    let mut de = serde_json::Deserializer::from_str(text);
    if depth_checked {
        de.disable_recursion_limit();
    }
    let value = Bounded { budget: &budget }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}
