//! CRC-32 (IEEE 802.3, the one gzip uses), with the API of crates.io's `crc32fast` that flate2
//! calls, computed a byte at a time from one 256-entry table.

#![no_std]

const POLY: u32 = 0xedb8_8320;

const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ POLY } else { crc >> 1 };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// The CRC-32 of `buf`.
pub fn hash(buf: &[u8]) -> u32 {
    let mut hasher = Hasher::new();
    hasher.update(buf);
    hasher.finalize()
}

/// A running CRC-32.
#[derive(Clone, Debug, Default)]
pub struct Hasher {
    amount: u64,
    state: u32,
}

impl Hasher {
    pub fn new() -> Self {
        Self::new_with_initial(0)
    }

    pub fn new_with_initial(init: u32) -> Self {
        Self::new_with_initial_len(init, 0)
    }

    pub fn new_with_initial_len(init: u32, amount: u64) -> Self {
        Hasher { amount, state: init }
    }

    pub fn update(&mut self, buf: &[u8]) {
        self.amount += buf.len() as u64;
        let mut crc = !self.state;
        for &byte in buf {
            crc = TABLE[((crc ^ byte as u32) & 0xff) as usize] ^ (crc >> 8);
        }
        self.state = !crc;
    }

    pub fn finalize(self) -> u32 {
        self.state
    }

    pub fn reset(&mut self) {
        self.amount = 0;
        self.state = 0;
    }

    /// The CRC of this hasher's bytes followed by `other`'s (zlib's `crc32_combine`).
    pub fn combine(&mut self, other: &Self) {
        self.state = combine(self.state, other.state, other.amount);
        self.amount += other.amount;
    }
}

impl core::hash::Hasher for Hasher {
    fn finish(&self) -> u64 {
        u64::from(self.state)
    }

    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

fn gf2_times(matrix: &[u32; 32], mut vector: u32) -> u32 {
    let mut sum = 0;
    let mut i = 0;
    while vector != 0 {
        if vector & 1 == 1 {
            sum ^= matrix[i];
        }
        vector >>= 1;
        i += 1;
    }
    sum
}

fn gf2_square(square: &mut [u32; 32], matrix: &[u32; 32]) {
    for (n, out) in square.iter_mut().enumerate() {
        *out = gf2_times(matrix, matrix[n]);
    }
}

fn combine(mut crc1: u32, crc2: u32, mut len2: u64) -> u32 {
    if len2 == 0 {
        return crc1;
    }
    let mut even = [0u32; 32];
    let mut odd = [0u32; 32];
    // The operator for one zero bit.
    odd[0] = POLY;
    let mut row = 1;
    for entry in odd.iter_mut().skip(1) {
        *entry = row;
        row <<= 1;
    }
    gf2_square(&mut even, &odd); // two zero bits
    gf2_square(&mut odd, &even); // four zero bits
    loop {
        gf2_square(&mut even, &odd);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        gf2_square(&mut odd, &even);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    crc1 ^ crc2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(hash(b""), 0);
        assert_eq!(hash(b"123456789"), 0xcbf4_3926);
        assert_eq!(hash(b"The quick brown fox jumps over the lazy dog"), 0x414f_a339);
    }

    #[test]
    fn pieces_and_combine_agree_with_the_whole() {
        let data: [u8; 1000] = core::array::from_fn(|i| (i * 7 + i / 13) as u8);
        for cut in [0, 1, 3, 500, 999, 1000] {
            let mut a = Hasher::new();
            a.update(&data[..cut]);
            let mut b = Hasher::new();
            b.update(&data[cut..]);
            let mut pieces = Hasher::new();
            pieces.update(&data[..cut]);
            pieces.update(&data[cut..]);
            a.combine(&b);
            assert_eq!(a.finalize(), hash(&data));
            assert_eq!(pieces.finalize(), hash(&data));
        }
    }
}
