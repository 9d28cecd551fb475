//! One stable sort for the whole crate. The standard library's stable sort is compiled again
//! for every element type and comparison (2–3 KB of wasm each); this one sorts indices with a
//! merge sort that exists once, and only moving the elements into that order is per type (short
//! lists are sorted in place by insertion).
//! The order is the standard stable sort's: equal elements keep their order.

use std::cmp::Ordering;

/// Lists this short (an object's members, a body's few candidates) are sorted by insertion, in
/// place, where the merge sort allocates three times: OTLP message lists have an object per
/// message, each sorted to write its keys in order.
const SHORT: usize = 16;

/// Sorts `items` stably by `compare`, as `slice::sort_by`.
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    if items.len() <= SHORT {
        // An element moves left only past greater ones: stable.
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 && compare(&items[j], &items[j - 1]) == Ordering::Less {
                items.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    let order = stable_order(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.iter().filter_map(|&i| slots[i].take()));
}

/// Sorts members by their keys as a JSON tree holds them: `None` if a key repeats (a tree keeps
/// only one of them), else whether the order changed.
pub fn by_distinct_keys<K: Ord, V>(members: &mut Vec<(K, V)>) -> Option<bool> {
    if members.windows(2).all(|pair| pair[0].0 < pair[1].0) {
        return Some(false);
    }
    sort_by(members, |a, b| a.0.cmp(&b.0));
    members.windows(2).all(|pair| pair[0].0 != pair[1].0).then_some(true)
}

/// Sorts members by their keys as a JSON tree holds them, a repeated key once with its last
/// value: whether the list changed.
pub fn by_keys_keeping_last<K: Ord, V>(members: &mut Vec<(K, V)>) -> bool {
    if members.windows(2).all(|pair| pair[0].0 < pair[1].0) {
        return false;
    }
    sort_by(members, |a, b| a.0.cmp(&b.0));
    // Stable: of a run of one key, the last is the last written.
    let mut kept: Vec<(K, V)> = Vec::with_capacity(members.len());
    for (key, value) in members.drain(..) {
        match kept.last_mut() {
            Some(last) if last.0 == key => last.1 = value,
            _ => kept.push((key, value)),
        }
    }
    *members = kept;
    true
}

/// Sorts `items` stably by `key`, as `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts call numbers and drops the repeated ones, as `sort_unstable` then `dedup`, with the
/// crate's one sort (the standard unstable sort would be another 3.5 KB of wasm).
pub fn sort_distinct(calls: &mut Vec<usize>) {
    sort_by_key(calls, |&call| call);
    calls.dedup();
}

/// The indices `0..n` in stable sorted order: a bottom-up merge sort, not generic.
#[inline(never)]
fn stable_order(n: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut from: Vec<usize> = (0..n).collect();
    let mut to = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let middle = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right, mut at) = (start, middle, start);
            while left < middle && right < end {
                // The right run's element goes first only when strictly less: stability.
                if compare(from[right], from[left]) == Ordering::Less {
                    to[at] = from[right];
                    right += 1;
                } else {
                    to[at] = from[left];
                    left += 1;
                }
                at += 1;
            }
            to[at..at + middle - left].copy_from_slice(&from[left..middle]);
            at += middle - left;
            to[at..at + end - right].copy_from_slice(&from[right..end]);
            start = end;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    from
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_sort_by_distinct_keys() {
        let mut sorted = vec![("a", 1), ("b", 2)];
        assert_eq!(by_distinct_keys(&mut sorted), Some(false));
        let mut unsorted = vec![("role", 1), ("content", 2), ("name", 3)];
        assert_eq!(by_distinct_keys(&mut unsorted), Some(true));
        assert_eq!(unsorted, [("content", 2), ("name", 3), ("role", 1)]);
        let mut repeated = vec![("b", 1), ("a", 2), ("b", 3)];
        assert_eq!(by_distinct_keys(&mut repeated), None);
        let mut repeated = vec![("b", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5)];
        assert!(by_keys_keeping_last(&mut repeated));
        assert_eq!(repeated, [("a", 4), ("b", 3), ("c", 5)]);
        assert!(!by_keys_keeping_last(&mut repeated));
    }

    #[test]
    #[allow(clippy::unnecessary_sort_by)] // the same calls as ours, on purpose
    fn same_order_as_the_standard_stable_sort() {
        let mut seed = 7u64;
        for n in [0, 1, 2, 3, 5, 8, 16, 17, 100, 1000] {
            let items: Vec<(u8, usize)> = (0..n)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((seed >> 59) as u8, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |item| item.0);
            let mut std = items.clone();
            std.sort_by_key(|item| item.0);
            assert_eq!(ours, std, "n = {n}");
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut std = items;
            std.sort_by(|a, b| b.0.cmp(&a.0));
            assert_eq!(ours, std, "n = {n}, reversed");
        }
    }
}
