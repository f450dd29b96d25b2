//! A file's content fingerprint: a small, fast, non-cryptographic hash of its bytes (64-bit
//! FNV-1a over 8-byte words), so the app can tell the same file added twice, under the same
//! name or another, without keeping the bytes. Not for security: only staff's own files are
//! compared, and a clash (about 1 in 10^19 for two different files) would only ask a question.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// The fingerprint of `bytes`: equal bytes give equal fingerprints; the length is part of it.
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut h = OFFSET ^ bytes.len() as u64;
    h = h.wrapping_mul(PRIME);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h ^= u64::from_le_bytes(b);
        h = h.wrapping_mul(PRIME);
        // FNV's multiply mixes low bits upwards only: fold the high half back in.
        h ^= h >> 29;
    }
    for &b in words.remainder() {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::content_hash;

    #[test]
    fn same_bytes_same_hash_and_any_change_tells() {
        let a = crate::examples::EXAMPLES[0].1;
        let same = a.to_vec();
        assert_eq!(content_hash(a), content_hash(&same));
        let mut b = a.to_vec();
        b[a.len() / 2] ^= 1;
        assert_ne!(content_hash(a), content_hash(&b));
        // A byte more or less, a zero byte appended, the tail changed: each differs.
        assert_ne!(content_hash(a), content_hash(&a[..a.len() - 1]));
        let mut c = a.to_vec();
        c.push(0);
        assert_ne!(content_hash(a), content_hash(&c));
        let mut d = a.to_vec();
        *d.last_mut().expect("bytes") ^= 0x80;
        assert_ne!(content_hash(a), content_hash(&d));
        assert_ne!(content_hash(b""), content_hash(b"\0"));
    }

    #[test]
    fn the_example_files_all_differ() {
        let mut seen: Vec<u64> = crate::examples::EXAMPLES
            .iter()
            .map(|(_, b)| content_hash(b))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), crate::examples::EXAMPLES.len());
        // Short inputs that differ in one bit, at every position, never clash.
        let mut all = std::collections::HashSet::new();
        for len in 0..24usize {
            for bit in 0..len * 8 {
                let mut v = vec![0u8; len];
                v[bit / 8] |= 1 << (bit % 8);
                assert!(all.insert(content_hash(&v)), "{len} {bit}");
            }
            assert!(all.insert(content_hash(&vec![0u8; len])));
        }
    }
}
