//! CSV, TSV and TXT text tables: encoding detection, delimiter sniffing and RFC 4180 parsing.
//!
//! County offices send text tables saved by WPS or Excel in GBK, in UTF-8 with or without a BOM,
//! and as Excel "Unicode text" (UTF-16LE with a BOM, tab-separated). Some files were edited by
//! two programs and hold UTF-8 lines next to GBK lines; decoding such a file as a whole in either
//! encoding turns half of it (often the header) into mojibake, so it is decoded line by line.
//!
//! Every value is kept as the exact text written: no number parsing, so ID numbers such as
//! `99999919460110278X`, account numbers and leading zeros survive. Parsing is linear in the
//! input, and a quote that is never closed does not swallow the rest of the file.

use std::borrow::Cow;

use super::gb18030;

use crate::error::{Limit, ReadError};
use crate::read::grid::{GridBuilder, MAX_COLS};
use crate::read::{file_stem, Format, Limits, Sheet, SheetNote, Value, Workbook};

/// Delimiters we recognise, in order of preference when they score the same.
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];
/// Records looked at to choose the delimiter.
const SNIFF_RECORDS: usize = 50;
/// Bytes looked at to choose the delimiter; bounds the sniffing cost on one huge first line.
const SNIFF_BYTES: usize = 1 << 20;
/// Bytes looked at for the NUL pattern of UTF-16 without a BOM.
const UTF16_SAMPLE_BYTES: usize = 1024;
/// Characters looked at to decide whether the text is really binary data.
const BINARY_SAMPLE_CHARS: usize = 4096;
/// Past this many "text truncated" notes the sheet is clearly broken; more notes only add noise.
const MAX_TRUNCATION_NOTES: usize = 100;

/// Reads a CSV, TSV or TXT text table into a workbook of one sheet named after the file.
///
/// The encoding is detected (BOM, UTF-16 NUL pattern, strict UTF-8, else GB18030, line by line
/// for files that mix UTF-8 and GBK) and reported in [`Workbook::encoding`]. The delimiter is
/// chosen among `,` `\t` `;` `|`; a tab gives [`Format::Tsv`], anything else [`Format::Csv`].
/// Every non-empty field becomes a [`Value::Text`] exactly as written.
///
/// # Errors
/// - [`ReadError::NotSpreadsheet`] when the decoded text is mostly control characters or
///   undecodable bytes (binary data).
/// - [`ReadError::TooLarge`] when a value lies beyond `limits.max_columns`, beyond Excel's last
///   row, or the sheet holds more than `limits.max_cells` cells.
pub fn read_text(name: &str, bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let decoded = decode(bytes);
    if looks_binary(&decoded.text, decoded.nuls_removed) {
        return Err(ReadError::NotSpreadsheet {
            looks_like: "二进制数据",
        });
    }
    let text = decoded.text;
    let delimiter = sniff_delimiter(text.as_bytes());
    // A U+FFFD earlier than the first replacement could have been in the file itself; the
    // decoder only says *whether* it replaced, so the first U+FFFD is the best row we can name.
    let first_bad = if decoded.replaced {
        text.find('\u{FFFD}')
    } else {
        None
    };
    let parsed = parse(&text, delimiter, limits, first_bad)?;

    let mut notes = Vec::new();
    if decoded.nuls_removed > 0 {
        notes.push(SheetNote::NulBytesRemoved);
    }
    if let Some(first_row) = parsed.bad_row {
        notes.push(SheetNote::DecodeErrors { first_row });
    }
    notes.extend(parsed.notes);

    Ok(Workbook {
        format: if delimiter == b'\t' {
            Format::Tsv
        } else {
            Format::Csv
        },
        encoding: Some(decoded.encoding),
        sheets: vec![Sheet {
            name: file_stem(name),
            hidden: false,
            grid: parsed.grid.finish(),
            notes,
            ..Sheet::default()
        }],
        sheet_errors: Vec::new(),
    })
}

/// The file's text and how it was obtained.
struct Decoded {
    text: String,
    encoding: &'static str,
    /// Some bytes were invalid in the chosen encoding and became U+FFFD.
    replaced: bool,
    nuls_removed: usize,
}

/// Text bytes decoded as a CSV file's are (BOM, UTF-16 by its NUL pattern, UTF-8, else GB18030
/// line by line; NUL bytes dropped): the text, the encoding's name, and whether bytes were
/// replaced. The HTML reader uses it when a page declares no charset.
pub(crate) fn decode_text(bytes: &[u8]) -> (String, &'static str, bool) {
    let d = decode(bytes);
    (d.text, d.encoding, d.replaced)
}

fn decode(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_8bit(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_16bit(rest, true, "UTF-16LE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_16bit(rest, false, "UTF-16BE");
    }
    match utf16_by_nul_pattern(bytes) {
        Some(Utf16::Le) => decode_16bit(bytes, true, "UTF-16LE"),
        Some(Utf16::Be) => decode_16bit(bytes, false, "UTF-16BE"),
        None => decode_8bit(bytes, false),
    }
}

enum Utf16 {
    Le,
    Be,
}

/// UTF-16 without a BOM, recognised only when the pattern is unmistakable: in mostly-ASCII
/// UTF-16 one byte of each pair is zero, while 8-bit text almost never has a NUL at all.
fn utf16_by_nul_pattern(bytes: &[u8]) -> Option<Utf16> {
    let sample = &bytes[..bytes.len().min(UTF16_SAMPLE_BYTES)];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut zero_first, mut zero_second) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        zero_first += usize::from(pair[0] == 0);
        zero_second += usize::from(pair[1] == 0);
    }
    // Half the pairs zero on one side (the ASCII characters), almost none on the other: a CJK
    // character has a zero low byte only rarely (U+4E00 一).
    let clear = |zeros: usize, other: usize| zeros * 2 >= pairs && other * 50 <= pairs;
    if clear(zero_second, zero_first) {
        Some(Utf16::Le)
    } else if clear(zero_first, zero_second) {
        Some(Utf16::Be)
    } else {
        None
    }
}

fn decode_16bit(bytes: &[u8], little_endian: bool, name: &'static str) -> Decoded {
    let (text, replaced) = gb18030::decode_utf16(bytes, little_endian);
    let (text, nuls_removed) = if text.contains('\0') {
        (text.replace('\0', ""), text.matches('\0').count())
    } else {
        (text, 0)
    };
    Decoded {
        text,
        encoding: name,
        replaced,
        nuls_removed,
    }
}

/// UTF-8 or GB18030 (which decodes all of GBK), deciding line by line when the file mixes them.
fn decode_8bit(raw: &[u8], bom: bool) -> Decoded {
    // NUL bytes are removed before decoding: one between a GBK lead and trail byte would
    // otherwise break that character too.
    let nuls_removed = raw.iter().filter(|&&b| b == 0).count();
    let bytes: Cow<[u8]> = if nuls_removed > 0 {
        Cow::Owned(raw.iter().copied().filter(|&b| b != 0).collect())
    } else {
        Cow::Borrowed(raw)
    };
    let utf8_name = if bom { "UTF-8 (BOM)" } else { "UTF-8" };
    if let Ok(text) = std::str::from_utf8(&bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: utf8_name,
            replaced: false,
            nuls_removed,
        };
    }

    // CR and LF never occur inside a UTF-8 or GB18030 multi-byte sequence, so splitting there
    // cannot cut a character, and each line can be decoded on its own.
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let (mut utf8_lines, mut gb_lines, mut replaced) = (false, false, false);
    for line in bytes.split_inclusive(|&b| b == b'\n' || b == b'\r') {
        if let Ok(s) = std::str::from_utf8(line) {
            if s.is_ascii() {
                text.push_str(s);
                continue;
            }
            // With a BOM the file says it is UTF-8; trust every line that is valid UTF-8.
            if bom || !gbk_read_as_utf8(s, line) {
                utf8_lines = true;
                text.push_str(s);
                continue;
            }
        }
        let (s, had_errors) = gb18030::decode(line);
        gb_lines = true;
        replaced |= had_errors;
        text.push_str(&s);
    }
    let encoding = match (utf8_lines, gb_lines) {
        (true, true) => "UTF-8+GB18030",
        (_, true) => "GB18030",
        // Not reached (the whole file was not valid UTF-8, so some line was not), but harmless.
        (_, false) => utf8_name,
    };
    Decoded {
        text,
        encoding,
        replaced,
        nuls_removed,
    }
}

/// True when a line that happens to be valid UTF-8 is more likely GBK: GBK pairs with a lead
/// byte C4–DF and a trail byte 80–BF read as two-byte UTF-8, which gives Latin-extended, Greek,
/// Cyrillic, Hebrew or Arabic letters, while real Chinese UTF-8 text is mostly three-byte
/// characters. Only asked in files that already have lines that are not UTF-8.
fn gbk_read_as_utf8(s: &str, line: &[u8]) -> bool {
    let (mut odd, mut wide) = (0usize, 0usize);
    for c in s.chars() {
        match u32::from(c) {
            0x80..=0x9F | 0x100..=0x7FF => odd += 1,
            0x800.. => wide += 1,
            _ => {}
        }
    }
    odd > wide && !gb18030::decode(line).1
}

/// Binary data decodes to text full of control characters and replacement characters. NULs
/// have already been removed (a text file with stray NULs is still text) unless they were all
/// there was.
fn looks_binary(text: &str, nuls_removed: usize) -> bool {
    if text.trim().is_empty() {
        return nuls_removed > 0;
    }
    let (mut total, mut bad) = (0usize, 0usize);
    for c in text.chars().take(BINARY_SAMPLE_CHARS) {
        total += 1;
        if matches!(c, '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{FFFD}')
        {
            bad += 1;
        }
    }
    (bad >= 2 || bad == total) && bad * 20 > total
}

/// Chooses the delimiter that splits the first records into the most consistent number (more
/// than one) of fields. Quotes are honoured, so commas inside quoted text do not count.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let sample = &text[..text.len().min(SNIFF_BYTES)];
    let mut best = (b',', 0usize, 0usize);
    for d in DELIMITERS {
        let counts = field_counts(sample, d);
        // The most frequent field count above one; ties go to the wider count.
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for &c in counts.iter().filter(|&&c| c > 1) {
            match tally.iter_mut().find(|(n, _)| *n == c) {
                Some((_, hits)) => *hits += 1,
                None => tally.push((c, 1)),
            }
        }
        let Some(&(mode, hits)) = tally.iter().max_by_key(|&&(n, hits)| (hits, n)) else {
            continue;
        };
        if (hits, mode) > (best.1, best.2) {
            best = (d, hits, mode);
        }
    }
    best.0
}

/// Number of fields in each non-blank record of `sample` (at most [`SNIFF_RECORDS`]).
fn field_counts(sample: &[u8], delimiter: u8) -> Vec<usize> {
    let mut counts = Vec::new();
    let (mut fields, mut in_quotes, mut at_start, mut blank) = (1usize, false, true, true);
    let mut i = 0;
    while i < sample.len() && counts.len() < SNIFF_RECORDS {
        let c = sample[i];
        i += 1;
        if in_quotes {
            if c == b'"' {
                if sample.get(i) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
            continue;
        }
        match c {
            b'"' if at_start => {
                in_quotes = true;
                at_start = false;
                blank = false;
            }
            b'\r' | b'\n' => {
                if c == b'\r' && sample.get(i) == Some(&b'\n') {
                    i += 1;
                }
                if !blank {
                    counts.push(fields);
                }
                (fields, at_start, blank) = (1, true, true);
            }
            _ if c == delimiter => {
                fields += 1;
                at_start = true;
                blank = false;
            }
            _ => {
                at_start = false;
                blank = false;
            }
        }
    }
    if !blank && !in_quotes && counts.len() < SNIFF_RECORDS {
        counts.push(fields);
    }
    counts
}

/// The parsed cells and what was noticed on the way.
struct Parsed {
    grid: GridBuilder,
    notes: Vec<SheetNote>,
    /// Row holding the first replaced character, if any.
    bad_row: Option<u32>,
}

/// RFC 4180 parsing with Excel's leniencies: lone CR and LF end records too, text after a
/// closing quote is kept, and a quote that is never closed is read as a literal character.
fn parse(
    text: &str,
    delimiter: u8,
    limits: &Limits,
    first_bad: Option<usize>,
) -> Result<Parsed, ReadError> {
    let b = text.as_bytes();
    let mut out = Parsed {
        grid: GridBuilder::new(limits.max_cells, limits.max_columns),
        notes: Vec::new(),
        bad_row: None,
    };
    // The grid reports a column past Excel's last as "outside the grid"; for a text file the
    // useful message is the column limit, so check it here first.
    let max_columns = limits.max_columns.min(u64::from(MAX_COLS));
    let mut truncations = 0usize;
    let mut quoted = String::new();
    let (mut row, mut col) = (0u32, 0u32);
    let mut pos = 0usize;

    while pos < b.len() {
        let value: &str = if b[pos] == b'"' {
            match quoted_field(text, pos + 1, delimiter, &mut quoted) {
                Some(end) => {
                    pos = end;
                    quoted.as_str()
                }
                None => {
                    // Never closed before the end of the file. Shown to be O(n) overall: all
                    // quote runs after this one have even length, so every later field that
                    // starts with a quote closes within its own run, and this re-read happens
                    // at most once per file.
                    out.notes.push(SheetNote::UnterminatedQuote { row });
                    let end = field_end(b, pos, delimiter);
                    let v = text.get(pos..end).unwrap_or_default();
                    pos = end;
                    v
                }
            }
        } else {
            let end = field_end(b, pos, delimiter);
            let v = text.get(pos..end).unwrap_or_default();
            pos = end;
            v
        };

        if !value.is_empty() {
            if u64::from(col) >= max_columns {
                return Err(ReadError::TooLarge {
                    limit: Limit::Columns { max: max_columns },
                });
            }
            let value = match truncate(value, limits.max_text_chars) {
                Some(cut) => {
                    if truncations < MAX_TRUNCATION_NOTES {
                        out.notes.push(SheetNote::TextTruncated { row, col });
                    }
                    truncations += 1;
                    cut
                }
                None => value,
            };
            out.grid
                .set(row, col, Value::Text(value.to_owned()))
                .map_err(|limit| ReadError::TooLarge { limit })?;
        }

        match b.get(pos) {
            Some(&c) if c == delimiter => {
                col = col.saturating_add(1);
                pos += 1;
            }
            Some(&c) => {
                pos += 1;
                if c == b'\r' && b.get(pos) == Some(&b'\n') {
                    pos += 1;
                }
                if out.bad_row.is_none() && first_bad.is_some_and(|at| at < pos) {
                    out.bad_row = Some(row);
                }
                row = row.saturating_add(1);
                col = 0;
            }
            None => {}
        }
    }
    if out.bad_row.is_none() && first_bad.is_some() {
        out.bad_row = Some(row);
    }
    Ok(out)
}

/// Where an unquoted field starting at `from` ends: the next delimiter, CR, LF or the end.
fn field_end(b: &[u8], from: usize, delimiter: u8) -> usize {
    b.get(from..)
        .and_then(|rest| {
            rest.iter()
                .position(|&c| c == delimiter || c == b'\r' || c == b'\n')
        })
        .map_or(b.len(), |i| from + i)
}

/// Reads a quoted field whose content starts at `start` (just after the opening quote) into
/// `buf`. Returns where the field ends, or `None` when the quote is never closed.
fn quoted_field(text: &str, start: usize, delimiter: u8, buf: &mut String) -> Option<usize> {
    let b = text.as_bytes();
    buf.clear();
    let mut i = start;
    loop {
        let q = i + b.get(i..)?.iter().position(|&c| c == b'"')?;
        buf.push_str(text.get(i..q).unwrap_or_default());
        if b.get(q + 1) == Some(&b'"') {
            buf.push('"');
            i = q + 2;
        } else {
            // Closed. Like Excel, keep any text between the closing quote and the delimiter
            // (`"ab"c` reads as `abc`) rather than dropping it.
            let end = field_end(b, q + 1, delimiter);
            buf.push_str(text.get(q + 1..end).unwrap_or_default());
            return Some(end);
        }
    }
}

/// The first `max` characters of `s`, or `None` when `s` is not longer than that.
fn truncate(s: &str, max: usize) -> Option<&str> {
    // A string of at most `max` bytes has at most `max` characters: skip the count.
    if s.len() <= max {
        return None;
    }
    s.char_indices().nth(max).and_then(|(i, _)| s.get(..i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Grid;
    use encoding_rs::{GB18030, GBK};

    fn utf16(s: &str, le: bool) -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    }

    fn gbk(s: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = GBK.encode(s);
        assert!(!unmappable, "{s} is not all GBK");
        bytes.into_owned()
    }

    fn gb18030(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    fn read(bytes: &[u8]) -> Workbook {
        match read_text("表.csv", bytes, &Limits::default()) {
            Ok(wb) => wb,
            Err(e) => panic!("read failed: {e:?}"),
        }
    }

    /// Reads `bytes` and checks the encoding, format, cells and notes.
    #[track_caller]
    fn check(bytes: &[u8], encoding: &str, format: Format, rows: &[&[&str]], notes: &[SheetNote]) {
        let wb = read(bytes);
        assert_eq!(wb.encoding, Some(encoding), "encoding");
        assert_eq!(wb.format, format, "format");
        assert_eq!(wb.sheets.len(), 1);
        let sheet = &wb.sheets[0];
        assert_eq!(sheet.grid, Grid::from_text(rows), "cells");
        assert_eq!(sheet.notes, notes, "notes");
        assert!(!sheet.hidden && sheet.merges.is_empty() && sheet.red_cells.is_empty());
    }

    const CSV: Format = Format::Csv;
    const TSV: Format = Format::Tsv;

    #[test]
    fn encodings() {
        let rows: &[&[&str]] = &[
            &["序号", "姓名", "身份证号", "账号"],
            &["1", "张三", "99999919460110278X", "0012345678901234567"],
        ];
        let text = "序号,姓名,身份证号,账号\r\n1,张三,99999919460110278X,0012345678901234567\r\n";
        check(&gbk(text), "GB18030", CSV, rows, &[]);
        check(text.as_bytes(), "UTF-8", CSV, rows, &[]);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        check(&bom, "UTF-8 (BOM)", CSV, rows, &[]);
        let tabbed = format!("\u{FEFF}{}", text.replace(',', "\t"));
        check(&utf16(&tabbed, true), "UTF-16LE", TSV, rows, &[]);
        check(&utf16(&tabbed, false), "UTF-16BE", TSV, rows, &[]);
        check(
            &utf16(&format!("\u{FEFF}{text}"), false),
            "UTF-16BE",
            CSV,
            rows,
            &[],
        );
    }

    #[test]
    fn utf16_without_bom_needs_a_clear_nul_pattern() {
        let text = "id,name,account\r\n1,Zhang San,0012\r\n2,张三,0013\r\n";
        let rows: &[&[&str]] = &[
            &["id", "name", "account"],
            &["1", "Zhang San", "0012"],
            &["2", "张三", "0013"],
        ];
        check(&utf16(text, true), "UTF-16LE", CSV, rows, &[]);
        check(&utf16(text, false), "UTF-16BE", CSV, rows, &[]);
    }

    #[test]
    fn gb18030_four_byte_rare_name_characters() {
        let bytes = gb18030("姓名,备注\n王𠇔,\n李䶮,䶮是四字节\n");
        // 𠇔 is outside the BMP and 䶮 (U+4DAE) is not in GBK: both need four bytes.
        assert!(bytes
            .windows(4)
            .any(|w| w[1].is_ascii_digit() && w[3].is_ascii_digit()));
        let rows: &[&[&str]] = &[&["姓名", "备注"], &["王𠇔"], &["李䶮", "䶮是四字节"]];
        check(&bytes, "GB18030", CSV, rows, &[]);
    }

    #[test]
    fn mixed_utf8_and_gbk_lines_keep_headers_readable() {
        let mut bytes = "青山县花名册\r\n序号,户主姓名,身份证号\r\n"
            .as_bytes()
            .to_vec();
        bytes.extend(gbk(
            "1,莫文斌,99999919630302951X\r\n2,梁丽莉,999999197307177928\r\n",
        ));
        bytes.extend("3,韦长波,999999195208283232\r\n".as_bytes());
        let rows: &[&[&str]] = &[
            &["青山县花名册"],
            &["序号", "户主姓名", "身份证号"],
            &["1", "莫文斌", "99999919630302951X"],
            &["2", "梁丽莉", "999999197307177928"],
            &["3", "韦长波", "999999195208283232"],
        ];
        check(&bytes, "UTF-8+GB18030", CSV, rows, &[]);

        // A BOM file with one GBK line stays readable too.
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend("姓名,村\n".as_bytes());
        bom.extend(gbk("梁丽莉,东坡村\n"));
        let rows: &[&[&str]] = &[&["姓名", "村"], &["梁丽莉", "东坡村"]];
        check(&bom, "UTF-8+GB18030", CSV, rows, &[]);
    }

    #[test]
    fn gbk_line_that_is_valid_utf8_by_chance_is_read_as_gbk() {
        // Find hanzi whose GBK bytes also form one two-byte UTF-8 character.
        let chance: String = ('\u{4E00}'..='\u{9FA5}')
            .filter(|c| {
                let bytes = gbk(&c.to_string());
                std::str::from_utf8(&bytes).is_ok_and(|s| s.chars().count() == 1)
            })
            .take(3)
            .collect();
        assert_eq!(chance.chars().count(), 3);
        let mut bytes = "姓名,村\n".as_bytes().to_vec();
        let line = gbk(&format!("{chance},1\n"));
        assert!(std::str::from_utf8(&line).is_ok());
        bytes.extend(line);
        bytes.extend(gbk("梁丽莉,大坪村\n"));
        let rows: &[&[&str]] = &[&["姓名", "村"], &[&chance, "1"], &["梁丽莉", "大坪村"]];
        check(&bytes, "UTF-8+GB18030", CSV, rows, &[]);
    }

    #[test]
    fn decode_errors_name_the_first_row() {
        // A GBK file cut in the middle of its last character.
        let mut bytes = gbk("姓名,村\n梁丽莉,东坡村\n韦长波,大");
        bytes.push(0xC6);
        let rows: &[&[&str]] = &[
            &["姓名", "村"],
            &["梁丽莉", "东坡村"],
            &["韦长波", "大\u{FFFD}"],
        ];
        check(
            &bytes,
            "GB18030",
            CSV,
            rows,
            &[SheetNote::DecodeErrors { first_row: 2 }],
        );
    }

    #[test]
    fn dialects() {
        let cases: &[(&str, Format, &[&[&str]])] = &[
            // Semicolons, with commas inside values.
            (
                "姓名;面积;备注\n张三;1,5;a,b\n李四;2,25;\n",
                CSV,
                &[&["姓名", "面积", "备注"], &["张三", "1,5", "a,b"], &["李四", "2,25"]],
            ),
            // Pipes.
            ("a|b|c\n1|2|3\n", CSV, &[&["a", "b", "c"], &["1", "2", "3"]]),
            // Tabs, with commas in amounts.
            (
                "姓名\t金额\n张三\t1,234.00\n李四\t12,345,678.00\n",
                TSV,
                &[&["姓名", "金额"], &["张三", "1,234.00"], &["李四", "12,345,678.00"]],
            ),
            // Ragged rows, empty fields and a title line.
            (
                "标题\n序号,姓名,村,组\n1,张三\n2,,东坡村,6组,多余\n\n3\n",
                CSV,
                &[
                    &["标题"],
                    &["序号", "姓名", "村", "组"],
                    &["1", "张三"],
                    &["2", "", "东坡村", "6组", "多余"],
                    &[],
                    &["3"],
                ],
            ),
            // Quoted delimiters, newlines, CRLF and "" escapes; spaces and U+3000 kept.
            (
                "a,b,c\r\n\"x,y\",\"line1\nline2\",\"say \"\"hi\"\"\"\r\n\"crlf\r\nkept\", 姓　　名 ,\"\"\r\n",
                CSV,
                &[
                    &["a", "b", "c"],
                    &["x,y", "line1\nline2", "say \"hi\""],
                    &["crlf\r\nkept", " 姓　　名 "],
                ],
            ),
            // Lone CR line endings.
            ("a,b\r1,2\r3,4", CSV, &[&["a", "b"], &["1", "2"], &["3", "4"]]),
            // Text after a closing quote is kept; a quote inside a field is literal.
            ("\"ab\"c,d\"e\n1,2\n", CSV, &[&["abc", "d\"e"], &["1", "2"]]),
            // One column.
            ("姓名\n张三\n李四\n", CSV, &[&["姓名"], &["张三"], &["李四"]]),
            // Numbers stay text, exactly as written.
            ("001,1.50,1e5,-0\n", CSV, &[&["001", "1.50", "1e5", "-0"]]),
        ];
        for (text, format, rows) in cases {
            check(text.as_bytes(), "UTF-8", *format, rows, &[]);
        }
        check(&gbk(cases[0].0), "GB18030", CSV, cases[0].2, &[]);
    }

    #[test]
    fn unterminated_quote_does_not_swallow_the_file() {
        let text = "姓名,备注\n张三,\"没有结束\n李四,b\n王五,c\n";
        let rows: &[&[&str]] = &[
            &["姓名", "备注"],
            &["张三", "\"没有结束"],
            &["李四", "b"],
            &["王五", "c"],
        ];
        check(
            text.as_bytes(),
            "UTF-8",
            CSV,
            rows,
            &[SheetNote::UnterminatedQuote { row: 1 }],
        );
        // Quoted fields after it still work.
        let text = "a,\"open\nb,\"\"\n\"\"\"\",c";
        let rows: &[&[&str]] = &[&["a", "\"open"], &["b"], &["\"", "c"]];
        check(
            text.as_bytes(),
            "UTF-8",
            CSV,
            rows,
            &[SheetNote::UnterminatedQuote { row: 0 }],
        );
    }

    #[test]
    fn quotes_stay_linear() {
        // Many quotes that open and close far apart, then one that never closes, in a 4 MB file.
        let mut text = String::from("a,b\n");
        for i in 0..200_000 {
            text.push_str(if i % 2 == 0 { "\"x\n" } else { "y\"\"\"\n" });
        }
        text.push_str("\"tail\n");
        text.push_str(&"1,2\n".repeat(100_000));
        let start = std::time::Instant::now();
        let wb = read(text.as_bytes());
        assert!(start.elapsed().as_secs() < 10);
        let sheet = &wb.sheets[0];
        assert!(sheet
            .notes
            .contains(&SheetNote::UnterminatedQuote { row: 100_001 }));
        assert_eq!(sheet.grid.height(), 200_002);
    }

    #[test]
    fn nul_bytes_are_removed() {
        let bytes = gbk("姓名,村\n梁丽莉,东坡村\n");
        let mut with_nuls = Vec::new();
        for (i, &b) in bytes.iter().enumerate() {
            with_nuls.push(b);
            if i % 3 == 0 {
                with_nuls.push(0);
            }
        }
        with_nuls.extend([0; 5000]);
        let rows: &[&[&str]] = &[&["姓名", "村"], &["梁丽莉", "东坡村"]];
        check(
            &with_nuls,
            "GB18030",
            CSV,
            rows,
            &[SheetNote::NulBytesRemoved],
        );
    }

    #[test]
    fn binary_is_refused() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let junk: Vec<u8> = (0..8000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let not_text = ReadError::NotSpreadsheet {
            looks_like: "二进制数据",
        };
        for bytes in [junk.as_slice(), &[0u8; 100], b"\x01\x02\x03\x04,\x05"] {
            assert_eq!(
                read_text("x.csv", bytes, &Limits::default()),
                Err(not_text.clone())
            );
        }
        // One stray control character in real text is not binary.
        check(b"a,b\x1A", "UTF-8", CSV, &[&["a", "b\x1A"]], &[]);
    }

    #[test]
    fn limits() {
        let wide = "x,".repeat(20_000);
        assert_eq!(
            read_text("w.csv", wide.as_bytes(), &Limits::default()),
            Err(ReadError::TooLarge {
                limit: Limit::Columns { max: 16_384 }
            })
        );
        // Empty fields beyond the limit cost nothing.
        let sparse = format!("a{}\n", ",".repeat(20_000));
        check(sparse.as_bytes(), "UTF-8", CSV, &[&["a"]], &[]);

        let small = Limits {
            max_cells: 5,
            max_text_chars: 3,
            ..Limits::default()
        };
        let wb = read_text("t.csv", "张三丰X,ab\n".as_bytes(), &small);
        let Ok(wb) = wb else { panic!("{wb:?}") };
        assert_eq!(wb.sheets[0].grid, Grid::from_text(&[&["张三丰", "ab"]]));
        assert_eq!(
            wb.sheets[0].notes,
            [SheetNote::TextTruncated { row: 0, col: 0 }]
        );
        assert_eq!(
            read_text("t.csv", b"1,2,3\n4,5,6\n", &small),
            Err(ReadError::TooLarge {
                limit: Limit::Cells { max: 5 }
            })
        );

        let many = "abcdef\n".repeat(300);
        let short = Limits {
            max_text_chars: 3,
            ..Limits::default()
        };
        let Ok(wb) = read_text("t.csv", many.as_bytes(), &short) else {
            panic!()
        };
        assert_eq!(wb.sheets[0].notes.len(), MAX_TRUNCATION_NOTES);
    }

    #[test]
    fn sheet_is_named_after_the_file() {
        for (name, sheet) in [
            (
                "C:\\下载\\青山县自然资源局-调查表.csv",
                "青山县自然资源局-调查表",
            ),
            ("dir/data.tsv", "data"),
            ("noext", "noext"),
        ] {
            let Ok(wb) = read_text(name, b"a", &Limits::default()) else {
                panic!()
            };
            assert_eq!(wb.sheets[0].name, sheet);
        }
    }

    #[test]
    fn empty_text_gives_an_empty_sheet() {
        check(b"\xEF\xBB\xBF", "UTF-8 (BOM)", CSV, &[], &[]);
        check(b"\n\n,,\n", "UTF-8", CSV, &[], &[]);
    }
}
