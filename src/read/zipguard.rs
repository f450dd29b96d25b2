//! Zip containers (xlsx, xlsm, xlsb, ods): our own reader of the central directory, with every
//! claim checked before it is used.
//!
//! The entry count is read from the end record and capped before the directory is walked;
//! every directory entry, local header and data range must lie inside the file; names must be
//! unique (ignoring ASCII case); encrypted entries are refused. The parts the readers need
//! (XML, relationships, `mimetype`, xlsb records) are inflated once, while the bytes *actually*
//! produced are counted against a per-entry and a total cap, and checked against their CRC-32.
//! Other entries (pictures, media, macros) are never inflated. Only the zip features
//! spreadsheet writers use are read: stored and deflated entries, data descriptors, zip64
//! sizes and offsets, and a prefix before the archive (self-extracting files).

use std::collections::HashSet;

use crate::error::{Limit, ReadError};
use crate::read::Limits;

/// The entries of a zip container that passed the pre-flight.
#[derive(Debug)]
pub struct ZipEntries {
    /// Every entry name, in directory order.
    names: Vec<String>,
    /// The inflated content of the entries worth keeping (XML, relationships, `mimetype`).
    kept: Vec<(String, Vec<u8>)>,
}

/// What a zip container holds, judged from its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZipKind {
    /// An Office Open XML workbook; `macros` when it is an .xlsm.
    Xlsx { macros: bool },
    /// An Excel binary workbook.
    Xlsb,
    /// An OpenDocument spreadsheet.
    Ods,
    /// A zip that is not a spreadsheet; the text names what it looks like.
    Other(&'static str),
    /// A spreadsheet format this tool does not read.
    Unsupported(&'static str),
}

impl ZipEntries {
    /// The inflated bytes of a kept entry. Names match exactly, else ignoring ASCII case and a
    /// leading `/` (Excel itself is lenient about both).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        let name = name.trim_start_matches('/');
        self.kept
            .iter()
            .find(|(n, _)| n == name)
            .or_else(|| self.kept.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
            .map(|(_, d)| d.as_slice())
    }

    /// Every entry name in the container, in directory order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// What the container holds.
    pub fn kind(&self) -> ZipKind {
        if let Some(mime) = self.get("mimetype") {
            let mime = String::from_utf8_lossy(mime);
            let mime = mime.trim();
            return if mime == "application/vnd.oasis.opendocument.spreadsheet" {
                ZipKind::Ods
            } else if mime.starts_with("application/vnd.oasis.opendocument.text") {
                ZipKind::Other("Word 文档")
            } else if mime.starts_with("application/vnd.oasis.opendocument.presentation") {
                ZipKind::Other("PowerPoint 演示文稿")
            } else if mime.starts_with("application/vnd.oasis.opendocument.spreadsheet") {
                // Templates (…-template) are still spreadsheets.
                ZipKind::Ods
            } else {
                ZipKind::Other("压缩包")
            };
        }
        if self.has("content.xml") && self.has("META-INF/manifest.xml") {
            return ZipKind::Ods;
        }
        if self.has("xl/workbook.bin") {
            return ZipKind::Xlsb;
        }
        let types = self
            .get("[Content_Types].xml")
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .unwrap_or_default();
        if self
            .names()
            .any(|n| n.to_ascii_lowercase().ends_with("workbook.xml"))
            || types.contains("spreadsheetml")
        {
            let macros = types.contains("macroEnabled") || self.has("xl/vbaProject.bin");
            return ZipKind::Xlsx { macros };
        }
        if self.has("word/document.xml") {
            return ZipKind::Other("Word 文档");
        }
        if self.names().any(|n| n.starts_with("ppt/")) {
            return ZipKind::Other("PowerPoint 演示文稿");
        }
        if self
            .names()
            .any(|n| n.starts_with("Index/") && n.ends_with(".iwa"))
        {
            return ZipKind::Unsupported("Apple Numbers");
        }
        ZipKind::Other("压缩包")
    }
}

/// Entries worth keeping in memory: the XML parts readers parse.
fn worth_keeping(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml")
        || lower.ends_with(".rels")
        || lower == "mimetype"
        || lower.ends_with(".bin") && lower.starts_with("xl/") && !lower.contains("vbaproject")
}

fn damaged(e: impl std::fmt::Display) -> ReadError {
    ReadError::Damaged {
        detail: e.to_string(),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

const EOCD: u32 = 0x0605_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const ZIP64_EOCD: u32 = 0x0606_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;

/// What the end record says about the central directory.
struct End {
    /// Where the end record starts.
    at: usize,
    entries: u64,
    size: u64,
    offset: u64,
}

/// The end of central directory record (and its zip64 version), searched from the end of the
/// file as far back as a comment can reach.
fn end_record(bytes: &[u8]) -> Option<End> {
    let tail_start = bytes.len().saturating_sub(22 + 65_535);
    let tail = bytes.get(tail_start..)?;
    let pos = tail
        .windows(4)
        .rposition(|w| w == EOCD.to_le_bytes().as_slice())?;
    let at = tail_start + pos;
    let e = &bytes[at..];
    let mut end = End {
        at,
        entries: u64::from(u16_at(e, 10)?),
        size: u64::from(u32_at(e, 12)?),
        offset: u64::from(u32_at(e, 16)?),
    };
    if end.entries == 0xFFFF || end.size == 0xFFFF_FFFF || end.offset == 0xFFFF_FFFF {
        // Zip64: the locator sits just before the end record and points at the zip64 record.
        if let Some(loc) = at.checked_sub(20).and_then(|l| bytes.get(l..at)) {
            if u32_at(loc, 0) == Some(ZIP64_LOCATOR) {
                let rec = bytes.get(usize::try_from(u64_at(loc, 8)?).ok()?..)?;
                if u32_at(rec, 0) != Some(ZIP64_EOCD) {
                    return None;
                }
                end.entries = u64_at(rec, 32)?;
                end.size = u64_at(rec, 40)?;
                end.offset = u64_at(rec, 48)?;
            }
        }
    }
    Some(end)
}

/// One central directory entry.
struct Entry {
    name: String,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    /// Offset of the local header (before any prefix shift).
    local: u64,
}

/// Reads the central directory entry at `at`; returns it and where the next one starts.
fn central_entry(bytes: &[u8], at: usize) -> Option<(Entry, usize)> {
    let h = bytes.get(at..at.checked_add(46)?)?;
    if u32_at(h, 0)? != CENTRAL {
        return None;
    }
    let name_len = usize::from(u16_at(h, 28)?);
    let extra_len = usize::from(u16_at(h, 30)?);
    let comment_len = usize::from(u16_at(h, 32)?);
    let name_at = at + 46;
    let name = bytes.get(name_at..name_at + name_len)?;
    let extra = bytes.get(name_at + name_len..name_at + name_len + extra_len)?;
    let next = name_at + name_len + extra_len + comment_len;
    if next > bytes.len() {
        return None;
    }
    let mut entry = Entry {
        name: String::from_utf8_lossy(name).into_owned(),
        flags: u16_at(h, 8)?,
        method: u16_at(h, 10)?,
        crc: u32_at(h, 16)?,
        compressed: u64::from(u32_at(h, 20)?),
        size: u64::from(u32_at(h, 24)?),
        local: u64::from(u32_at(h, 42)?),
    };
    // Zip64 extended information: the 64-bit values of the fields that are all ones, in order.
    let mut x = extra;
    while x.len() >= 4 {
        let (id, len) = (u16_at(x, 0)?, usize::from(u16_at(x, 2)?));
        let body = x.get(4..4 + len)?;
        if id == 0x0001 {
            let mut vals = body.chunks_exact(8).map(|c| u64_at(c, 0));
            for field in [&mut entry.size, &mut entry.compressed, &mut entry.local] {
                if *field == 0xFFFF_FFFF {
                    *field = vals.next().flatten()?;
                }
            }
        }
        x = &x[4 + len..];
    }
    Some((entry, next))
}

/// The compressed bytes of an entry: after its local header, which must be there.
fn entry_data<'a>(bytes: &'a [u8], e: &Entry, shift: u64) -> Option<&'a [u8]> {
    let at = usize::try_from(e.local.checked_add(shift)?).ok()?;
    let h = bytes.get(at..at.checked_add(30)?)?;
    if u32_at(h, 0)? != LOCAL {
        return None;
    }
    let start = at + 30 + usize::from(u16_at(h, 26)?) + usize::from(u16_at(h, 28)?);
    let len = usize::try_from(e.compressed).ok()?;
    bytes.get(start..start.checked_add(len)?)
}

fn too_many_entries(limits: &Limits) -> ReadError {
    ReadError::TooLarge {
        limit: Limit::ZipEntries {
            max: limits.max_zip_entries,
        },
    }
}

/// Inflates (or copies) one entry, counting the bytes produced against the limits, and checks
/// its size and CRC-32.
fn inflate(
    name: &str,
    e: &Entry,
    data: &[u8],
    limits: &Limits,
    total: &mut u64,
) -> Result<Vec<u8>, ReadError> {
    let too_large = || ReadError::TooLarge {
        limit: Limit::Inflated {
            max: limits.max_inflated_bytes.min(limits.max_entry_bytes),
        },
    };
    let mut count = |n: usize, entry_bytes: u64| {
        *total += n as u64;
        entry_bytes > limits.max_entry_bytes || *total > limits.max_inflated_bytes
    };
    let out = match e.method {
        0 => {
            if count(data.len(), data.len() as u64) {
                return Err(too_large());
            }
            data.to_vec()
        }
        8 => {
            let mut z = flate2::Decompress::new(false);
            // Grows only as bytes really come (never from the size the entry claims).
            let mut out: Vec<u8> = Vec::with_capacity(data.len().saturating_mul(4).min(1 << 20));
            loop {
                if out.capacity() - out.len() < 16 * 1024 {
                    out.reserve(64 * 1024);
                }
                let read = z.total_in() as usize;
                let before = out.len();
                let status = z
                    .decompress_vec(
                        data.get(read..).unwrap_or_default(),
                        &mut out,
                        flate2::FlushDecompress::None,
                    )
                    .map_err(|err| damaged(format!("{name}: {err}")))?;
                let n = out.len() - before;
                if count(n, out.len() as u64) {
                    return Err(too_large());
                }
                match status {
                    flate2::Status::StreamEnd => break,
                    _ if n == 0 && z.total_in() as usize == read => {
                        return Err(damaged(format!(
                            "{name}: 压缩数据不完整 / deflate stream cut short"
                        )))
                    }
                    _ => {}
                }
            }
            out
        }
        m => {
            return Err(damaged(format!(
                "{name}: 不支持的压缩方式 {m} / unsupported compression method {m}"
            )))
        }
    };
    let mut crc = flate2::Crc::new();
    crc.update(&out);
    if out.len() as u64 != e.size || crc.sum() != e.crc {
        return Err(damaged(format!(
            "{name}: 校验失败 / size or checksum does not match"
        )));
    }
    Ok(out)
}

/// Checks a zip container against the limits and inflates its parts.
///
/// # Errors
/// - [`ReadError::TooLarge`] for too many entries or too many inflated bytes;
/// - [`ReadError::Encrypted`] for encrypted entries;
/// - [`ReadError::Damaged`] for a truncated or corrupt container, duplicate entry names, or an
///   entry whose data does not match its checksum.
pub fn preflight(bytes: &[u8], limits: &Limits) -> Result<ZipEntries, ReadError> {
    let Some(end) = end_record(bytes) else {
        return Err(damaged(
            "找不到 zip 目录（文件末尾缺失） / zip end record not found",
        ));
    };
    if end.entries > limits.max_zip_entries {
        return Err(too_many_entries(limits));
    }
    let bad_directory = || damaged("zip 目录已损坏 / the zip directory is damaged");
    // The directory ends where the end record starts; a file with a prefix (a self-extracting
    // archive) has all offsets shifted by the prefix's length.
    let cd_start = (end.at as u64)
        .checked_sub(end.size)
        .ok_or_else(bad_directory)?;
    let shift = cd_start.checked_sub(end.offset).ok_or_else(bad_directory)?;
    let mut at = usize::try_from(cd_start).map_err(|_| bad_directory())?;
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    let mut kept = Vec::new();
    let mut total: u64 = 0;
    for _ in 0..end.entries {
        let (e, next) = central_entry(bytes, at).ok_or_else(bad_directory)?;
        at = next;
        if e.flags & 0x0041 != 0 {
            return Err(ReadError::Encrypted);
        }
        if !seen.insert(e.name.to_ascii_lowercase()) {
            return Err(damaged(format!(
                "压缩包内有重名部件 / duplicate entry name: {}",
                e.name
            )));
        }
        if worth_keeping(&e.name) {
            let data = entry_data(bytes, &e, shift).ok_or_else(|| {
                damaged(format!(
                    "{}: 部件超出文件范围 / entry outside the file",
                    e.name
                ))
            })?;
            let content = inflate(&e.name, &e, data, limits, &mut total)?;
            kept.push((e.name.clone(), content));
        }
        names.push(e.name);
    }
    Ok(ZipEntries { names, kept })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn zip_of(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        for (n, d) in entries {
            w.start_file(*n, opts).unwrap();
            w.write_all(d).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn inflated_bytes_are_counted_not_claimed() {
        let big = vec![b' '; 3_000_000];
        let z = zip_of(
            &[("xl/workbook.xml", &big)],
            zip::CompressionMethod::Deflated,
        );
        assert!(z.len() < 100_000);
        let limits = Limits {
            max_inflated_bytes: 1_000_000,
            max_entry_bytes: 1_000_000,
            ..Limits::default()
        };
        assert_eq!(
            preflight(&z, &limits).unwrap_err(),
            ReadError::TooLarge {
                limit: Limit::Inflated { max: 1_000_000 }
            }
        );
        assert!(preflight(&z, &Limits::default()).is_ok());
    }

    #[test]
    fn entry_count_is_capped_before_reading_the_directory() {
        let names: Vec<String> = (0..30).map(|i| format!("f{i}.xml")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
        let z = zip_of(&entries, zip::CompressionMethod::Stored);
        let limits = Limits {
            max_zip_entries: 20,
            ..Limits::default()
        };
        assert_eq!(
            preflight(&z, &limits).unwrap_err(),
            ReadError::TooLarge {
                limit: Limit::ZipEntries { max: 20 }
            }
        );
    }

    #[test]
    fn truncated_zip_is_damaged() {
        let z = zip_of(&[("a.xml", b"<a/>")], zip::CompressionMethod::Deflated);
        let cut = &z[..z.len() * 6 / 10];
        assert!(matches!(
            preflight(cut, &Limits::default()),
            Err(ReadError::Damaged { .. })
        ));
    }

    fn opts(method: zip::CompressionMethod) -> zip::write::SimpleFileOptions {
        zip::write::SimpleFileOptions::default().compression_method(method)
    }

    #[test]
    fn parts_read_back_stored_deflated_zip64_and_after_a_prefix() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("xl/a.xml", opts(zip::CompressionMethod::Stored))
            .unwrap();
        w.write_all(b"<a/>").unwrap();
        w.start_file(
            "xl/b.xml",
            opts(zip::CompressionMethod::Deflated).large_file(true),
        )
        .unwrap();
        w.write_all("<b>长</b>".repeat(1000).as_bytes()).unwrap();
        w.start_file("xl/media/p.png", opts(zip::CompressionMethod::Stored))
            .unwrap();
        w.write_all(b"PNG").unwrap();
        let z = w.finish().unwrap().into_inner();
        let check = |bytes: &[u8]| {
            let e = preflight(bytes, &Limits::default()).unwrap();
            assert_eq!(e.get("xl/a.xml"), Some(&b"<a/>"[..]));
            assert_eq!(e.get("/XL/B.xml").map(<[u8]>::len), Some(10 * 1000));
            assert_eq!(e.get("xl/media/p.png"), None);
            assert_eq!(e.names().count(), 3);
        };
        check(&z);
        // A self-extracting archive: a program in front, every offset shifted.
        let mut prefixed = vec![0x4D, 0x5A];
        prefixed.resize(5000, 0);
        prefixed.extend_from_slice(&z);
        check(&prefixed);
    }

    #[test]
    fn encrypted_duplicate_and_corrupt_entries() {
        let z = zip_of(&[("a.xml", b"<a/>")], zip::CompressionMethod::Stored);
        let central = z.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        // The encryption flag in the central directory.
        let mut enc = z.clone();
        enc[central + 8] |= 1;
        assert_eq!(
            preflight(&enc, &Limits::default()).unwrap_err(),
            ReadError::Encrypted
        );
        // A changed byte of stored data fails its checksum.
        let mut bad = z.clone();
        let data = z.windows(4).position(|w| w == b"<a/>").unwrap();
        bad[data + 1] = b'b';
        assert!(matches!(
            preflight(&bad, &Limits::default()),
            Err(ReadError::Damaged { detail }) if detail.contains("checksum")
        ));
        // Two names that differ only in case.
        let z = zip_of(
            &[("a.xml", b"<a/>"), ("A.XML", b"<b/>")],
            zip::CompressionMethod::Stored,
        );
        assert!(matches!(
            preflight(&z, &Limits::default()),
            Err(ReadError::Damaged { detail }) if detail.contains("duplicate")
        ));
        // A picture that is damaged is never inflated, so it does not fail the file.
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("a.xml", opts(zip::CompressionMethod::Stored))
            .unwrap();
        w.write_all(b"<a/>").unwrap();
        w.start_file("p.png", opts(zip::CompressionMethod::Deflated))
            .unwrap();
        w.write_all(&[7u8; 5000]).unwrap();
        let mut z = w.finish().unwrap().into_inner();
        let local = z.windows(4).rposition(|w| w == b"PK\x03\x04").unwrap();
        z[local + 40] ^= 0xFF;
        assert!(preflight(&z, &Limits::default()).is_ok());
    }
}
