//! The names serde gives enum variants (after `rename_all`), read back from the derive so that no
//! enum spells its variants' names a second time by hand.

use serde::ser::{self, Impossible, Serialize, Serializer};
use std::fmt;

/// The serialized name of a unit variant (`Label::Stateless` → `"stateless"`); empty for any
/// value that is not a unit variant.
pub fn variant_name<T: Serialize>(value: &T) -> &'static str {
    value.serialize(VariantName).unwrap_or("")
}

struct VariantName;

#[derive(Debug)]
struct NotUnitVariant;

impl fmt::Display for NotUnitVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotUnitVariant {}

impl ser::Error for NotUnitVariant {
    fn custom<T: fmt::Display>(_: T) -> Self {
        NotUnitVariant
    }
}

/// Every serializer method but `serialize_unit_variant` refuses.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> {
            Err(NotUnitVariant)
        })*
    };
}

impl Serializer for VariantName {
    type Ok = &'static str;
    type Error = NotUnitVariant;
    type SerializeSeq = Impossible<&'static str, NotUnitVariant>;
    type SerializeTuple = Impossible<&'static str, NotUnitVariant>;
    type SerializeTupleStruct = Impossible<&'static str, NotUnitVariant>;
    type SerializeTupleVariant = Impossible<&'static str, NotUnitVariant>;
    type SerializeMap = Impossible<&'static str, NotUnitVariant>;
    type SerializeStruct = Impossible<&'static str, NotUnitVariant>;
    type SerializeStructVariant = Impossible<&'static str, NotUnitVariant>;

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<&'static str, NotUnitVariant> {
        Ok(variant)
    }

    refuse! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
        serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_str(&str);
        serialize_bytes(&[u8]); serialize_none(); serialize_unit(); serialize_unit_struct(&'static str);
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Self::Ok, Self::Error> {
        Err(NotUnitVariant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result<Self::Ok, Self::Error> {
        Err(NotUnitVariant)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, Self::Error> {
        Err(NotUnitVariant)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        Err(NotUnitVariant)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Self::Error> {
        Err(NotUnitVariant)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Self::Error> {
        Err(NotUnitVariant)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Err(NotUnitVariant)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Err(NotUnitVariant)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Self::Error> {
        Err(NotUnitVariant)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Err(NotUnitVariant)
    }
}

#[cfg(test)]
mod tests {
    use super::variant_name;

    #[derive(serde::Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Example {
        ResourceDependent,
        Other(u8),
    }

    #[test]
    fn reads_the_renamed_name_of_a_unit_variant_and_nothing_else() {
        assert_eq!(variant_name(&Example::ResourceDependent), "resource-dependent");
        assert_eq!(variant_name(&Example::Other(1)), "");
        assert_eq!(variant_name(&"text"), "");
    }
}
