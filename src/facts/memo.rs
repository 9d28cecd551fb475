//! Conversation items remembered across the request bodies of one input. An agent resends its
//! whole history with every turn, so a trace holds each item many times: an item is scanned the
//! first time, then recognised by its bytes (the same list, the same place in it, found by the
//! first [`PREFIX`] bytes and compared whole) and what its scan added to the facts is added again.
//! [`Memo`] remembers anything made of an item's bytes this way (a JSON Lines reader the text it
//! writes of each).

use super::scan::{Node, SortKey};
use super::Candidate;
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;

/// Item bytes a generation holds before it becomes the older one: items not met again for that
/// long are forgotten, so the memory stays bounded whatever the traffic.
const GENERATION_BYTES: usize = 4 << 20;

/// How many items one hash (their list, place and first bytes) holds: items that share more
/// are scanned each time, so that crafted items cannot make each look-up walk a long list.
const BUCKET: usize = 32;

/// How many of an item's first bytes find it; shorter items are scanned each time (they cost
/// little). Only objects, lists and strings are remembered: their bytes say where they end.
pub(super) const PREFIX: usize = 32;

/// What scanning one item added to a document's facts.
#[derive(Clone)]
pub(super) struct Scanned {
    pub node: Node,
    pub texts: Vec<u64>,
    pub long_texts: Vec<u64>,
    pub candidates: Vec<(SortKey, Candidate)>,
}

/// An item as it was written: its list (a place of [`super::ITEM_KEYS`]), its index, its bytes.
struct Remembered<T> {
    place: usize,
    index: usize,
    bytes: Box<[u8]>,
    made: T,
}

/// What was made of items, by the hash of their list, place and bytes; the bytes themselves are
/// compared, so that no crafted collision can lend one item what was made of another.
pub(crate) struct Memo<T> {
    newer: FxHashMap<u64, Vec<Remembered<T>>>,
    older: FxHashMap<u64, Vec<Remembered<T>>>,
    newer_bytes: usize,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo { newer: FxHashMap::default(), older: FxHashMap::default(), newer_bytes: 0 }
    }
}

/// The facts of the conversation items of an input's request bodies.
#[derive(Default)]
pub struct ItemMemo(pub(super) Memo<Scanned>);

/// Whether the value `rest` starts with can be remembered: one long enough to be found by its
/// first bytes, whose bytes say where it ends (an object, a list, a string), so that the same
/// bytes are the same value.
pub(crate) fn rememberable(rest: &[u8]) -> bool {
    rest.len() >= PREFIX && matches!(rest[0], b'{' | b'[' | b'"')
}

fn hash(place: usize, index: usize, prefix: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write_usize(place);
    hasher.write_usize(index);
    hasher.write(prefix);
    hasher.finish()
}

/// Whether `rest` starts with `bytes`, compared eight bytes at a time (wasm's `memcmp` goes byte
/// by byte, and histories are long).
fn starts_with(rest: &[u8], bytes: &[u8]) -> bool {
    let Some(rest) = rest.get(..bytes.len()) else { return false };
    let (ours, theirs) = (rest.chunks_exact(8), bytes.chunks_exact(8));
    let tails_equal = ours.remainder() == theirs.remainder();
    // `chunks_exact` gives eight bytes: the conversions cannot fail, and compile to loads.
    let word = |chunk: &[u8]| u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
    tails_equal && ours.zip(theirs).all(|(a, b)| word(a) == word(b))
}

fn take<T>(
    map: &mut FxHashMap<u64, Vec<Remembered<T>>>,
    key: u64,
    is: impl Fn(&Remembered<T>) -> bool,
) -> Option<Remembered<T>> {
    let bucket = map.get_mut(&key)?;
    let at = bucket.iter().position(is)?;
    Some(bucket.swap_remove(at))
}

impl<T> Memo<T> {
    /// What was made of the item that `rest` starts with, and its length; `rest` must hold at
    /// least [`PREFIX`] bytes.
    pub(crate) fn get(&mut self, place: usize, index: usize, rest: &[u8]) -> Option<(&T, usize)> {
        let key = hash(place, index, &rest[..PREFIX]);
        let is = |r: &Remembered<T>| r.place == place && r.index == index && starts_with(rest, &r.bytes);
        if !self.newer.get(&key).is_some_and(|bucket| bucket.iter().any(is)) {
            // Met again: it moves to the newer generation.
            let remembered = take(&mut self.older, key, is)?;
            self.keep(key, remembered);
        }
        let newer = self.newer.get(&key).and_then(|bucket| bucket.iter().find(|r| is(r)));
        let found = newer.or_else(|| self.older.get(&key)?.iter().find(|r| is(r)))?;
        Some((&found.made, found.bytes.len()))
    }

    /// Remembers what was made of the item of `bytes` (at least [`PREFIX`] of them).
    pub(crate) fn insert(&mut self, place: usize, index: usize, bytes: &[u8], made: T) {
        let key = hash(place, index, &bytes[..PREFIX]);
        self.keep(key, Remembered { place, index, bytes: bytes.into(), made });
    }

    fn keep(&mut self, key: u64, remembered: Remembered<T>) {
        let bucket = self.newer.entry(key).or_default();
        if bucket.len() >= BUCKET {
            return;
        }
        self.newer_bytes += remembered.bytes.len();
        bucket.push(remembered);
        if self.newer_bytes > GENERATION_BYTES {
            self.older = std::mem::take(&mut self.newer);
            self.newer_bytes = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Memo, BUCKET};

    /// Items that share their first bytes are remembered only as far as a bucket holds: a
    /// look-up never walks more than a few.
    #[test]
    fn items_sharing_their_first_bytes_fill_one_bucket_at_most() {
        let mut memo = Memo::<usize>::default();
        for i in 0..100 {
            let item = format!("\"{}{i}\"", "x".repeat(40));
            memo.insert(0, 0, item.as_bytes(), i);
        }
        assert!(memo.newer.values().all(|bucket| bucket.len() <= BUCKET));
        let first = format!("\"{}0\"", "x".repeat(40));
        assert_eq!(memo.get(0, 0, first.as_bytes()).map(|(made, length)| (*made, length)), Some((0, first.len())));
    }
}
