//! Pre-flight for zip containers (xlsx, xlsm, xlsb, ods) before any parser sees them.
//!
//! The zip crate and calamine (xlsb) trust the sizes a zip claims and set no decompression
//! limit, so this module walks
//! the container first: it counts the entries (from the end record, before the zip crate reads
//! the directory), rejects duplicate names, and inflates every entry once while counting the
//! bytes *actually* produced against a per-entry and a total cap. The XML parts are kept in
//! memory for the readers that need them; pictures and other media are counted and dropped.

use std::collections::HashSet;
use std::io::{Cursor, Read};

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

    /// A new zip (stored, not compressed) of the kept entries, with some replaced.
    ///
    /// # Errors
    /// [`ReadError::Damaged`] if writing the in-memory zip fails (it should not).
    pub fn rebuild(&self, replace: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, ReadError> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        let damaged = |e: &dyn std::fmt::Display| ReadError::Damaged {
            detail: e.to_string(),
        };
        for (name, data) in &self.kept {
            let data = replace
                .iter()
                .find(|(n, _)| n == name)
                .map_or(data.as_slice(), |(_, d)| d.as_slice());
            w.start_file(name.as_str(), opts).map_err(|e| damaged(&e))?;
            w.write_all(data).map_err(|e| damaged(&e))?;
        }
        let out = w.finish().map_err(|e| damaged(&e))?;
        Ok(out.into_inner())
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

/// Reads the entry count a zip's end record claims, without trusting anything else.
fn claimed_entries(bytes: &[u8]) -> Option<u64> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    let tail_start = bytes.len().saturating_sub(22 + 65_535);
    let tail = &bytes[tail_start..];
    let pos = tail.windows(4).rposition(|w| w == EOCD)?;
    let eocd = &tail[pos..];
    let total = u16::from_le_bytes([*eocd.get(10)?, *eocd.get(11)?]);
    if total != 0xFFFF {
        return Some(u64::from(total));
    }
    // Zip64: the locator sits just before the end record and points at the zip64 end record.
    let abs = tail_start + pos;
    let loc = bytes.get(abs.checked_sub(20)?..abs)?;
    if loc[..4] != [0x50, 0x4b, 0x06, 0x07] {
        return Some(u64::from(total));
    }
    let off = u64::from_le_bytes(loc[8..16].try_into().ok()?);
    let rec = bytes.get(usize::try_from(off).ok()?..)?;
    if rec.get(..4)? != [0x50, 0x4b, 0x06, 0x06] {
        return None;
    }
    Some(u64::from_le_bytes(rec.get(32..40)?.try_into().ok()?))
}

fn damaged(e: impl std::fmt::Display) -> ReadError {
    ReadError::Damaged {
        detail: e.to_string(),
    }
}

/// Checks a zip container against the limits and inflates its parts.
///
/// # Errors
/// - [`ReadError::TooLarge`] for too many entries or too many inflated bytes;
/// - [`ReadError::Encrypted`] for encrypted entries;
/// - [`ReadError::Damaged`] for a truncated or corrupt container, duplicate entry names, or an
///   entry whose data does not match its checksum.
pub fn preflight(bytes: &[u8], limits: &Limits) -> Result<ZipEntries, ReadError> {
    let claimed = claimed_entries(bytes);
    match claimed {
        Some(n) if n > limits.max_zip_entries => {
            return Err(ReadError::TooLarge {
                limit: Limit::ZipEntries {
                    max: limits.max_zip_entries,
                },
            })
        }
        Some(_) => {}
        None => {
            return Err(damaged(
                "找不到 zip 目录（文件末尾缺失） / zip end record not found",
            ))
        }
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    if archive.len() as u64 > limits.max_zip_entries {
        return Err(ReadError::TooLarge {
            limit: Limit::ZipEntries {
                max: limits.max_zip_entries,
            },
        });
    }
    // The zip reader keeps one entry per name; a directory that lists more entries than it
    // yields has duplicate names (or is corrupt), and which copy a reader uses is arbitrary.
    if claimed.is_some_and(|n| n != archive.len() as u64) {
        return Err(damaged(
            "压缩包内有重名部件 / duplicate entry names in the zip directory",
        ));
    }
    let mut seen = HashSet::new();
    let mut names = Vec::with_capacity(archive.len());
    let mut kept = Vec::new();
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(zip::result::ZipError::UnsupportedArchive(msg))
                if msg.to_ascii_lowercase().contains("password")
                    || msg.to_ascii_lowercase().contains("encrypt") =>
            {
                return Err(ReadError::Encrypted)
            }
            Err(e) => return Err(damaged(e)),
        };
        if file.encrypted() {
            return Err(ReadError::Encrypted);
        }
        let name = file.name().map_err(damaged)?.to_string();
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(damaged(format!(
                "压缩包内有重名部件 / duplicate entry name: {name}"
            )));
        }
        let keep = worth_keeping(&name);
        let mut data = Vec::new();
        let mut entry_bytes: u64 = 0;
        loop {
            let n = file.read(&mut buf).map_err(|e| {
                if e.to_string().to_ascii_lowercase().contains("password") {
                    ReadError::Encrypted
                } else {
                    damaged(format!("{name}: {e}"))
                }
            })?;
            if n == 0 {
                break;
            }
            entry_bytes += n as u64;
            total += n as u64;
            if entry_bytes > limits.max_entry_bytes || total > limits.max_inflated_bytes {
                return Err(ReadError::TooLarge {
                    limit: Limit::Inflated {
                        max: limits.max_inflated_bytes.min(limits.max_entry_bytes),
                    },
                });
            }
            if keep {
                data.extend_from_slice(&buf[..n]);
            }
        }
        names.push(name.clone());
        if keep {
            kept.push((name, data));
        }
    }
    Ok(ZipEntries { names, kept })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
}
