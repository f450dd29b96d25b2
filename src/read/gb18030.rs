//! GB18030 (and so GBK and GB2312) to UTF-8, decoded as the WHATWG Encoding Standard says —
//! the same text and the same errors as encoding_rs's `GB18030.decode_without_bom_handling`,
//! which the tests check for every two- and four-byte sequence and for random byte strings.
//!
//! Our own so that the web app links one Chinese table: encoding_rs's decoder dispatches over
//! every encoding it knows, so calling it for GB18030 alone links the tables of Big5, EUC-KR,
//! Shift_JIS and all the others (some 130 KB of the browser bundle).
//!
//! The table (`gb18030.bin`, made from encoding_rs by the ignored test `write_table`) holds the
//! 23,940 code points of the two-byte index, delta-coded, and the ranges of the four-byte BMP
//! index; it is expanded once, on first use.

use std::sync::OnceLock;

static TABLE: &[u8] = include_bytes!("gb18030.bin");

/// Two-byte pointers: leads 0x81..=0xFE, 190 trail bytes each.
const TWO_BYTE: usize = 126 * 190;
/// The last four-byte pointer of the BMP ranges.
const LAST_BMP_POINTER: u32 = 39_419;
/// Four-byte pointers from here to `LAST_POINTER` are U+10000 onwards, in order.
const ASTRAL_POINTER: u32 = 189_000;
const LAST_POINTER: u32 = 1_237_575;

struct Index {
    /// Code point by two-byte pointer; 0 where there is none.
    two: Vec<u16>,
    /// Four-byte BMP ranges: (first pointer, its code point), by pointer; a code point of 0
    /// starts a run of pointers with none.
    ranges: Vec<(u32, u32)>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| expand(TABLE))
}

/// Reads unsigned LEB128 numbers.
struct Varints<'a>(&'a [u8]);

impl Iterator for Varints<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let mut value = 0u32;
        for shift in (0..35).step_by(7) {
            let (&b, rest) = self.0.split_first()?;
            self.0 = rest;
            value |= u32::from(b & 0x7F) << shift;
            if b < 0x80 {
                return Some(value);
            }
        }
        None
    }
}

/// The table as written by [`tests::table_bytes`]: the two-byte code points as zigzag deltas
/// from the one before, then the number of ranges and each range's pointer and code point.
fn expand(table: &[u8]) -> Index {
    let mut numbers = Varints(table);
    let mut two = Vec::with_capacity(TWO_BYTE);
    let mut last = 0i64;
    for z in numbers.by_ref().take(TWO_BYTE) {
        let delta = i64::from(z >> 1) ^ -i64::from(z & 1);
        last += delta;
        two.push(u16::try_from(last).unwrap_or(0));
    }
    let n = numbers.next().unwrap_or(0) as usize;
    let mut ranges = Vec::with_capacity(n.min(1024));
    while ranges.len() < n {
        match (numbers.next(), numbers.next()) {
            (Some(p), Some(c)) => ranges.push((p, c)),
            _ => break,
        }
    }
    Index { two, ranges }
}

/// The code point of a four-byte pointer, if it has one.
fn four_byte(idx: &Index, pointer: u32) -> Option<char> {
    if pointer >= ASTRAL_POINTER {
        return if pointer <= LAST_POINTER {
            char::from_u32(0x10000 + pointer - ASTRAL_POINTER)
        } else {
            None
        };
    }
    if pointer > LAST_BMP_POINTER {
        return None;
    }
    let at = idx.ranges.partition_point(|&(p, _)| p <= pointer);
    let &(first, cp) = idx.ranges.get(at.checked_sub(1)?)?;
    if cp == 0 {
        return None;
    }
    char::from_u32(cp + pointer - first)
}

/// Decodes GB18030 bytes; `true` when some bytes were invalid and became U+FFFD.
pub fn decode(bytes: &[u8]) -> (String, bool) {
    let idx = index();
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut errors = false;
    let mut error = |out: &mut String| {
        errors = true;
        out.push(char::REPLACEMENT_CHARACTER);
    };
    let mut i = 0;
    while let Some(&lead) = bytes.get(i) {
        match lead {
            0x00..=0x7F => {
                out.push(char::from(lead));
                i += 1;
                continue;
            }
            0x80 => {
                out.push('\u{20AC}');
                i += 1;
                continue;
            }
            0xFF => {
                error(&mut out);
                i += 1;
                continue;
            }
            _ => {}
        }
        // A lead byte 0x81..=0xFE. Input that ends inside a sequence is one error.
        let Some(&b2) = bytes.get(i + 1) else {
            error(&mut out);
            break;
        };
        if (0x30..=0x39).contains(&b2) {
            let Some(&b3) = bytes.get(i + 2) else {
                error(&mut out);
                break;
            };
            if !(0x81..=0xFE).contains(&b3) {
                // The second and third bytes are read again on their own.
                error(&mut out);
                i += 1;
                continue;
            }
            let Some(&b4) = bytes.get(i + 3) else {
                error(&mut out);
                break;
            };
            if !(0x30..=0x39).contains(&b4) {
                error(&mut out);
                i += 1;
                continue;
            }
            let pointer = ((u32::from(lead - 0x81) * 10 + u32::from(b2 - 0x30)) * 126
                + u32::from(b3 - 0x81))
                * 10
                + u32::from(b4 - 0x30);
            match four_byte(idx, pointer) {
                Some(c) => out.push(c),
                None => error(&mut out),
            }
            i += 4;
            continue;
        }
        let trail = match b2 {
            0x40..=0x7E => Some(b2 - 0x40),
            0x80..=0xFE => Some(b2 - 0x41),
            _ => None,
        };
        let c = trail
            .and_then(|t| idx.two.get(usize::from(lead - 0x81) * 190 + usize::from(t)))
            .filter(|&&c| c != 0)
            .and_then(|&c| char::from_u32(u32::from(c)));
        match c {
            Some(c) => {
                out.push(c);
                i += 2;
            }
            None => {
                error(&mut out);
                // An ASCII byte after a lead byte is read again on its own.
                i += if b2 < 0x80 { 1 } else { 2 };
            }
        }
    }
    (out, errors)
}

/// Decodes UTF-16 (little- or big-endian) as encoding_rs does: an unpaired surrogate, or an
/// odd byte at the end (with a high surrogate just before it, if any), becomes U+FFFD. `true`
/// when that happened.
pub fn decode_utf16(bytes: &[u8], little_endian: bool) -> (String, bool) {
    let units = bytes.chunks_exact(2).map(|c| {
        if little_endian {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let mut errors = false;
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for c in char::decode_utf16(units) {
        out.push(c.unwrap_or_else(|_| {
            errors = true;
            char::REPLACEMENT_CHARACTER
        }));
    }
    if bytes.len() % 2 == 1 {
        errors = true;
        // A high surrogate left open and an odd byte after it are one error together.
        let last = bytes.len() - 1;
        let open = last >= 2 && {
            let (a, b) = (bytes[last - 2], bytes[last - 1]);
            let unit = if little_endian {
                u16::from_le_bytes([a, b])
            } else {
                u16::from_be_bytes([a, b])
            };
            (0xD800..0xDC00).contains(&unit)
        };
        if !open {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

    /// The bytes of a four-byte pointer.
    fn four(pointer: u32) -> [u8; 4] {
        [
            (pointer / 12_600 + 0x81) as u8,
            (pointer / 1260 % 10 + 0x30) as u8,
            (pointer / 10 % 126 + 0x81) as u8,
            (pointer % 10 + 0x30) as u8,
        ]
    }

    fn single(bytes: &[u8]) -> Option<char> {
        let (text, errors) = GB18030.decode_without_bom_handling(bytes);
        let mut chars = text.chars();
        match (chars.next(), chars.next(), errors) {
            (Some(c), None, false) => Some(c),
            _ => None,
        }
    }

    fn zigzag(v: i64) -> u32 {
        ((v << 1) ^ (v >> 63)) as u32
    }

    fn varint(out: &mut Vec<u8>, mut v: u32) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// The table, made from encoding_rs.
    fn table_bytes() -> Vec<u8> {
        let mut out = Vec::new();
        let mut last = 0i64;
        for pointer in 0..TWO_BYTE {
            let lead = (pointer / 190) as u8 + 0x81;
            let t = (pointer % 190) as u8;
            let trail = if t < 0x3F { t + 0x40 } else { t + 0x41 };
            let cp = single(&[lead, trail]).map_or(0, |c| i64::from(u32::from(c)));
            assert!(
                cp <= 0xFFFF,
                "two-byte pointer {pointer} is outside the BMP"
            );
            varint(&mut out, zigzag(cp - last));
            last = cp;
        }
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        let mut expected = None;
        for pointer in 0..=LAST_BMP_POINTER {
            let cp = single(&four(pointer)).map_or(0, u32::from);
            if Some(cp) != expected {
                ranges.push((pointer, cp));
            }
            expected = Some(if cp == 0 { 0 } else { cp + 1 });
        }
        varint(&mut out, ranges.len() as u32);
        for (p, c) in ranges {
            varint(&mut out, p);
            varint(&mut out, c);
        }
        out
    }

    /// Writes `gb18030.bin` (after an encoding_rs update that changes the index).
    #[test]
    #[ignore]
    fn write_table() {
        std::fs::write("src/read/gb18030.bin", table_bytes()).unwrap();
    }

    #[test]
    fn table_is_made_from_encoding_rs() {
        assert!(
            TABLE == table_bytes().as_slice(),
            "run: cargo test -- --ignored write_table"
        );
    }

    #[track_caller]
    fn same(bytes: &[u8]) {
        let (want, want_errors) = GB18030.decode_without_bom_handling(bytes);
        assert_eq!(
            decode(bytes),
            (want.into_owned(), want_errors),
            "{bytes:02X?}"
        );
    }

    #[test]
    fn every_two_byte_sequence_decodes_as_encoding_rs() {
        for lead in 0x81..=0xFEu8 {
            for trail in 0..=0xFFu8 {
                same(&[lead, trail]);
                same(&[lead, trail, b'a']);
            }
        }
        for b in 0..=0xFFu8 {
            same(&[b]);
            same(&[b'x', b]);
        }
    }

    #[test]
    fn every_four_byte_pointer_decodes_as_encoding_rs() {
        for pointer in
            (0..=LAST_BMP_POINTER + 2).chain((ASTRAL_POINTER - 2..=LAST_POINTER + 2).step_by(37))
        {
            same(&four(pointer));
        }
        for p in [ASTRAL_POINTER, LAST_POINTER, LAST_POINTER + 1, 7457] {
            same(&four(p));
        }
        // Cut short, and with bytes out of range in each place.
        for b in [0x2F, 0x30, 0x39, 0x3A, 0x40, 0x80, 0x81, 0xFE, 0xFF] {
            same(&[0x81, 0x30, b]);
            same(&[0x81, 0x30, b, 0x30]);
            same(&[0x81, 0x30, 0x81, b]);
            same(&[0x84, 0x31, 0xA4, b, b'z']);
        }
        same(&[0x81, 0x30]);
        same(&[0x81, 0x30, 0x81]);
        same(&[0xE3, 0x32, 0x9A, 0x35]);
    }

    #[test]
    fn random_bytes_decode_as_encoding_rs() {
        const BYTES: [u8; 16] = [
            0x00, 0x30, 0x35, 0x39, 0x40, 0x61, 0x7E, 0x7F, 0x80, 0x81, 0x84, 0xA1, 0xB0, 0xD6,
            0xFE, 0xFF,
        ];
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..200_000 {
            let n = (next() % 10) as usize;
            let bytes: Vec<u8> = (0..n)
                .map(|_| match next() % 3 {
                    0 => next() as u8,
                    _ => BYTES[(next() % 16) as usize],
                })
                .collect();
            same(&bytes);
            let (le, le_errors) = UTF_16LE.decode_without_bom_handling(&bytes);
            assert_eq!(decode_utf16(&bytes, true), (le.into_owned(), le_errors));
            let (be, be_errors) = UTF_16BE.decode_without_bom_handling(&bytes);
            assert_eq!(decode_utf16(&bytes, false), (be.into_owned(), be_errors));
        }
    }

    #[test]
    fn unpaired_surrogates_and_odd_bytes() {
        for bytes in [
            &[0x00, 0xD8, 0x41, 0x00][..],
            &[0x00, 0xDC],
            &[0x3D, 0xD8, 0x00, 0xDE],
            &[0x41, 0x00, 0x42],
            &[0x00, 0xD8],
        ] {
            let (le, e) = UTF_16LE.decode_without_bom_handling(bytes);
            assert_eq!(decode_utf16(bytes, true), (le.into_owned(), e));
        }
    }
}
