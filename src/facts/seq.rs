//! A hash of a sequence of texts that composes: the hash of `a` then `b` follows from theirs
//! (a polynomial hash), so an object's members can be combined in key order once all are read,
//! and an item keys the same whatever order its JSON writes its members in.

/// The hash of a sequence, and the base's power that shifts it past a sequence that follows.
#[derive(Clone, Copy)]
pub(super) struct Seq {
    hash: u64,
    power: u64,
}

const BASE: u64 = 0x9e37_79b9_7f4a_7c15;

impl Seq {
    pub const EMPTY: Seq = Seq { hash: 0, power: 1 };

    pub fn text(hash: u64) -> Seq {
        Seq { hash, power: BASE }
    }

    pub fn then(self, next: Seq) -> Seq {
        Seq {
            hash: self.hash.wrapping_mul(next.power).wrapping_add(next.hash),
            power: self.power.wrapping_mul(next.power),
        }
    }

    pub fn key(self) -> u64 {
        self.hash ^ self.power.rotate_left(29)
    }
}

/// The key [`super::Item::key`] gives an item whose content texts, in key order, hash to `texts`.
#[cfg(any(test, feature = "oracle"))]
pub(super) fn sequence_key(texts: &[u64]) -> u64 {
    texts.iter().fold(Seq::EMPTY, |seq, &hash| seq.then(Seq::text(hash))).key()
}
