//! Legacy Excel 97–2003 workbooks (.xls: BIFF8 records in an OLE container), read by our own
//! parser.
//!
//! The container is walked by the strict [`cfb`](super::cfb) reader, then the `Workbook`
//! stream record by record: the workbook globals (sheets, shared strings, number formats, fonts,
//! the palette, defined names), then each worksheet's substream, whose cell records go straight
//! into a [`GridBuilder`]. Only what a form needs is read: values (numbers, RK numbers, text,
//! booleans, errors, cached formula results — formulas themselves are never decoded), dates by
//! their number format, merged ranges, red fonts and list validations.
//!
//! Every length is checked before it is used and every vector grows only from bytes present,
//! so no input makes this reader panic or allocate from a claim. What is refused:
//! - encrypted workbooks (`FILEPASS`), Excel 5/95 (`Book` stream, BIFF5 `BOF`), Word and
//!   PowerPoint files;
//! - sheets whose cells span more than the cell budget (all sheets together twice that), or
//!   columns beyond BIFF8's 256;
//! - merged ranges over the limits, and shared strings repeated into more text than the budget;
//! - records cut short or that do not add up (short `BOUNDSHEET`, `LBL`, `MERGEDCELLS`,
//!   `FORMULA`, cell records, reversed `MULRK`, cut `SST` strings, overlapping substreams, …).
//!
//! Text in BIFF8 is UTF-16 or "compressed" (one byte a character, the Latin-1 range), flagged
//! per string, so the workbook's code page is never needed.

use std::collections::HashMap;

use crate::error::{Limit, ReadError, SheetError, SheetErrorKind};
use crate::read::cfb::{le_u16, le_u32, Cfb};
use crate::read::grid::GridBuilder;
use crate::read::{
    Format, Limits, ListSource, ListValidation, Rect, Sheet, SheetNote, Value, Workbook,
};

/// BIFF record types used here ([MS-XLS] 2.3).
mod rt {
    pub const FORMULA: u16 = 0x0006;
    pub const EOF: u16 = 0x000A;
    pub const EXTERNSHEET: u16 = 0x0017;
    pub const LBL: u16 = 0x0018;
    pub const DATEMODE: u16 = 0x0022;
    pub const FILEPASS: u16 = 0x002F;
    pub const FONT: u16 = 0x0031;
    pub const CONTINUE: u16 = 0x003C;
    pub const CODEPAGE: u16 = 0x0042;
    pub const WSBOOL: u16 = 0x0081;
    pub const BOUNDSHEET: u16 = 0x0085;
    pub const PALETTE: u16 = 0x0092;
    pub const MULRK: u16 = 0x00BD;
    pub const RSTRING: u16 = 0x00D6;
    pub const XF: u16 = 0x00E0;
    pub const MERGEDCELLS: u16 = 0x00E5;
    pub const SST: u16 = 0x00FC;
    pub const LABELSST: u16 = 0x00FD;
    pub const SUPBOOK: u16 = 0x01AE;
    pub const DV: u16 = 0x01BE;
    #[cfg(test)]
    pub const DIMENSIONS: u16 = 0x0200;
    pub const NUMBER: u16 = 0x0203;
    pub const LABEL: u16 = 0x0204;
    pub const BOOLERR: u16 = 0x0205;
    pub const STRING: u16 = 0x0207;
    pub const RK: u16 = 0x027E;
    pub const FORMAT: u16 = 0x041E;
    pub const BOF: u16 = 0x0809;
    /// BOF records of BIFF2, BIFF3 and BIFF4.
    pub const OLD_BOFS: [u16; 3] = [0x0009, 0x0209, 0x0409];
}

/// Columns in a BIFF8 sheet (A..IV).
const BIFF8_COLUMNS: u32 = 256;
/// All sheets together may span at most this many times the per-sheet cell budget.
const WORKBOOK_CELLS_FACTOR: u64 = 2;
/// Sheet substreams should not overlap; reading may walk the stream this many times over (plus
/// a little) before the file is called damaged. Bounds the time a crafted file can take.
const SCAN_FACTOR: usize = 2;
const SCAN_SLACK: usize = 1 << 20;

/// The most list validations or merged regions kept per sheet (as for xlsx); real forms have
/// dozens.
const MAX_RANGES: usize = 100_000;
/// Real workbooks have dozens of sheets; a file of tiny BOUNDSHEET records could list millions.
const MAX_SHEETS: usize = 10_000;
/// Writers split the SST every 8 KiB; one split into many more, smaller pieces than this
/// allows is no file a spreadsheet program wrote, and is refused as damaged.
const SST_PIECE_BYTES: usize = 4096;
const SST_PIECES_FREE: usize = 1024;

/// The default colour palette, shared with the xlsx reader: indexes 0 to 7 are fixed in
/// BIFF8, 8 to 63 may be replaced by a PALETTE record ([MS-XLS] 2.5.161).
use super::xlsx::DEFAULT_PALETTE;

/// Reads a legacy .xls workbook. `bytes` start with the OLE signature.
///
/// # Errors
/// - [`ReadError::Encrypted`] for a password-protected workbook (or an encrypted .xlsx, which
///   is stored in an OLE container too);
/// - [`ReadError::OldExcel`] for Excel 5/95 and older;
/// - [`ReadError::NotSpreadsheet`] for Word, PowerPoint and other OLE files;
/// - [`ReadError::TooLarge`] when a sheet's cells, merged ranges or text go over `limits`;
/// - [`ReadError::Damaged`] for a broken container or records that do not add up.
pub fn read_xls(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let cfb = Cfb::parse(bytes)?;
    classify(&cfb)?;
    let stream = cfb.read_stream("Workbook")?;
    let stream = stream.data.as_slice();
    let g = read_globals(stream)?;
    let styles = Styles::of(&g);
    let mut budget = Budget {
        scanned: 0,
        max_scanned: stream.len().saturating_mul(SCAN_FACTOR) + SCAN_SLACK,
        cells: 0,
        text: 0,
    };
    // Of two sheets with one name, only the last is read: sheets are named by their name
    // everywhere downstream (decisions, previews), so a second one could never be told apart.
    let last: HashMap<&str, usize> = g
        .sheets
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let names: Vec<String> = g.sheets.iter().map(|s| s.name.clone()).collect();
    let mut sheets = Vec::new();
    let mut sheet_errors = Vec::new();
    for (i, bs) in g.sheets.iter().enumerate() {
        let not_table = |what| Err(SheetErrorKind::NotATable { what });
        let content = match bs.typ {
            0 if last.get(bs.name.as_str()) != Some(&i) => Err(SheetErrorKind::Damaged {
                detail: "another sheet has the same name".into(),
            }),
            0 => match read_sheet(stream, bs.pos, &g, &styles, limits, &mut budget)? {
                r if r.dialog => not_table("对话框表"),
                r => r.content.map(|c| (c, r.red_cells, r.validations)),
            },
            2 => not_table("图表"),
            1 | 6 => not_table("宏表"),
            _ => return Err(damaged("unknown sheet type")),
        };
        match content {
            Ok((content, mut red_cells, validations)) => {
                red_cells.sort_unstable();
                red_cells.dedup();
                sheets.push(Sheet {
                    name: bs.name.clone(),
                    hidden: bs.hidden,
                    grid: content.grid.finish(),
                    merges: content.merges,
                    validations: validations
                        .into_iter()
                        .map(|v| ListValidation {
                            ranges: v.ranges,
                            source: v.source.resolve(i, &names),
                        })
                        .collect(),
                    red_cells,
                    notes: content.notes,
                    ..Sheet::default()
                });
            }
            Err(kind) => sheet_errors.push(SheetError {
                sheet: bs.name.clone(),
                kind,
            }),
        }
    }
    Ok(Workbook {
        format: Format::Xls,
        encoding: None,
        sheets,
        sheet_errors,
    })
}

fn damaged(detail: impl Into<String>) -> ReadError {
    ReadError::Damaged {
        detail: detail.into(),
    }
}

/// Tells what kind of OLE file this is from the streams under its root.
fn classify(cfb: &Cfb<'_>) -> Result<(), ReadError> {
    let names = cfb.top_level_names();
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("EncryptionInfo") || has("EncryptedPackage") {
        // An .xlsx saved with a password to open is an OLE file holding the encrypted zip.
        return Err(ReadError::Encrypted);
    }
    if has("Workbook") {
        return Ok(());
    }
    if has("Book") {
        return Err(ReadError::OldExcel);
    }
    if has("WordDocument") {
        return Err(ReadError::NotSpreadsheet {
            looks_like: "Word 文档",
        });
    }
    if has("PowerPoint Document") {
        return Err(ReadError::NotSpreadsheet {
            looks_like: "PowerPoint 演示文稿",
        });
    }
    Err(ReadError::NotSpreadsheet {
        looks_like: "二进制数据",
    })
}

// ---------------------------------------------------------------------------------------------
// Record framing.

struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    /// Offset of `data` in the stream (the tests poke records there).
    #[cfg_attr(not(test), allow(dead_code))]
    at: usize,
    /// The CONTINUE records that follow this one.
    cont: Vec<&'a [u8]>,
    /// Stream bytes taken, headers and continuations included.
    span: usize,
}

impl<'a> Record<'a> {
    /// The record's data and its continuations, read as one.
    fn pieces(&self) -> Pieces<'a, '_> {
        Pieces {
            data: self.data,
            cont: self.cont.iter(),
        }
    }
}

struct Records<'a> {
    stream: &'a [u8],
    pos: usize,
}

impl<'a> Records<'a> {
    fn new(stream: &'a [u8], pos: usize) -> Records<'a> {
        Records { stream, pos }
    }

    fn fail(&mut self, what: &str) -> Option<Result<Record<'a>, ReadError>> {
        self.pos = self.stream.len();
        Some(Err(damaged(format!("BIFF record cut short ({what})"))))
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.stream.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        if rest.len() < 4 {
            return self.fail("header");
        }
        let start = self.pos;
        let typ = le_u16(rest, 0);
        let at = start + 4;
        let Some(data) = self.stream.get(at..at + usize::from(le_u16(rest, 2))) else {
            return self.fail("data");
        };
        self.pos = at + data.len();
        // CONTINUE records belong to the record before them (while a header's worth remains).
        let mut cont = Vec::new();
        while self.stream.len() - self.pos > 4 && le_u16(self.stream, self.pos) == rt::CONTINUE {
            let c_at = self.pos + 4;
            let c_len = usize::from(le_u16(self.stream, self.pos + 2));
            let Some(c) = self.stream.get(c_at..c_at + c_len) else {
                return self.fail("CONTINUE");
            };
            cont.push(c);
            self.pos = c_at + c_len;
        }
        Some(Ok(Record {
            typ,
            data,
            at,
            cont,
            span: self.pos - start,
        }))
    }
}

fn short(what: &str) -> ReadError {
    damaged(format!("{what} record too short"))
}

/// Whether a BOF record inside the workbook is a BIFF8 one.
fn bof_is_biff8(data: &[u8]) -> bool {
    let dt = if data.len() >= 4 { le_u16(data, 2) } else { 0 };
    match le_u16(data, 0) {
        0x0200 | 0x0002 | 0x0007 | 0x0300 | 0x0400 | 0x0500 => false,
        0 => dt != 0x1000,
        _ => true,
    }
}

/// A reader over a record and its CONTINUE records. Text continued in a CONTINUE record starts
/// again with a flags byte (UTF-16 or compressed).
struct Pieces<'a, 'r> {
    data: &'a [u8],
    cont: std::slice::Iter<'r, &'a [u8]>,
}

impl Pieces<'_, '_> {
    fn next_piece(&mut self) -> bool {
        match self.cont.next() {
            Some(c) => {
                self.data = c;
                true
            }
            None => false,
        }
    }

    fn skip(&mut self, mut n: usize, what: &str) -> Result<(), ReadError> {
        while n > 0 {
            if self.data.is_empty() && !self.next_piece() {
                return Err(short(what));
            }
            let l = n.min(self.data.len());
            self.data = &self.data[l..];
            n -= l;
        }
        Ok(())
    }

    /// `cch` characters, UTF-16 (`high`) or compressed, continued across pieces.
    fn chars(&mut self, cch: usize, mut high: bool, what: &str) -> Result<String, ReadError> {
        let mut units: Vec<u16> = Vec::new();
        let mut left = cch;
        while left > 0 {
            let (n, bytes) = if high {
                let n = (self.data.len() / 2).min(left);
                (n, 2 * n)
            } else {
                let n = self.data.len().min(left);
                (n, n)
            };
            let (now, rest) = self.data.split_at(bytes);
            if high {
                units.extend(
                    now.chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]])),
                );
            } else {
                units.extend(now.iter().map(|&b| u16::from(b)));
            }
            self.data = rest;
            left -= n;
            if left > 0 {
                if !self.next_piece() {
                    return Err(short(what));
                }
                let Some((&f, rest)) = self.data.split_first() else {
                    return Err(short(what));
                };
                high = f & 1 != 0;
                self.data = rest;
            }
        }
        Ok(char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect())
    }

    /// An `XLUnicodeString`: a 2-byte count, a flags byte, the characters.
    fn xl_string(&mut self, what: &str) -> Result<String, ReadError> {
        if self.data.len() < 3 {
            return Err(short(what));
        }
        let cch = usize::from(le_u16(self.data, 0));
        let high = self.data[2] & 1 != 0;
        self.data = &self.data[3..];
        self.chars(cch, high, what)
    }
}

// ---------------------------------------------------------------------------------------------
// The workbook globals.

/// One BOUNDSHEET entry.
#[derive(Debug)]
struct BoundSheet {
    /// Stream offset of the sheet's substream.
    pos: usize,
    name: String,
    /// 0 worksheet (or dialog sheet), 1 macro sheet, 2 chart, 6 VBA module.
    typ: u8,
    hidden: bool,
}

/// A list validation's source before sheet indexes are turned into names.
#[derive(Debug)]
struct RawValidation {
    ranges: Vec<Rect>,
    source: RawSource,
}

#[derive(Debug, PartialEq)]
enum RawSource {
    Values(Vec<String>),
    /// `sheet` is an index in tab order; `None` means the sheet of the validation.
    Range {
        sheet: Option<usize>,
        rect: Rect,
    },
    Formula(String),
}

impl RawSource {
    fn resolve(self, own: usize, names: &[String]) -> ListSource {
        match self {
            RawSource::Values(v) => ListSource::Values(v),
            RawSource::Range { sheet, rect } => match sheet {
                None => ListSource::Range { sheet: None, rect },
                Some(i) if i == own => ListSource::Range { sheet: None, rect },
                Some(i) => match names.get(i) {
                    Some(name) => ListSource::Range {
                        sheet: Some(name.clone()),
                        rect,
                    },
                    None => ListSource::Formula(String::new()),
                },
            },
            RawSource::Formula(f) => ListSource::Formula(f),
        }
    }
}

/// What the workbook globals say.
#[derive(Debug, Default)]
struct Globals {
    /// The sheets, in tab order.
    sheets: Vec<BoundSheet>,
    /// Colour index of each FONT record.
    font_colours: Vec<u16>,
    /// Font and number format index of each XF record.
    xfs: Vec<(u16, u16)>,
    /// FORMAT records: number format index → format code.
    formats: HashMap<u16, String>,
    /// PALETTE entries (indexes 8 on), if the workbook has its own.
    palette: Vec<u32>,
    /// The shared strings.
    sst: Vec<String>,
    /// Dates count from 1904 (DATEMODE).
    date1904: bool,
    /// EXTERNSHEET entries: (SUPBOOK index, first sheet index).
    xtis: Vec<(u16, u16)>,
    /// For each SUPBOOK: is it this workbook?
    supbook_internal: Vec<bool>,
    /// Defined names: the name, and its target when that is a plain 3-D area.
    names: Vec<(String, Option<(u16, Rect)>)>,
}

/// What a number format shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NumberKind {
    Number,
    /// A date, a time or both.
    Date,
    /// Elapsed time (`[h]:mm:ss`).
    Duration,
}

/// Per cell format (XF index): red font, and what its number format shows.
struct Styles {
    red: Vec<bool>,
    kind: Vec<NumberKind>,
    date1904: bool,
}

impl Styles {
    fn of(g: &Globals) -> Styles {
        let red = g
            .xfs
            .iter()
            .map(|&(ifnt, _)| {
                // Font index 4 does not exist in BIFF: indexes above it are one off.
                let i = if ifnt >= 4 { ifnt - 1 } else { ifnt };
                g.font_colours
                    .get(usize::from(i))
                    .is_some_and(|&icv| is_red(icv, &g.palette))
            })
            .collect();
        let kind = g
            .xfs
            .iter()
            .map(|&(_, ifmt)| match g.formats.get(&ifmt) {
                Some(code) => format_kind(code),
                None => match ifmt {
                    46 => NumberKind::Duration,
                    id if super::xlsx::builtin_is_date(u32::from(id)) => NumberKind::Date,
                    _ => NumberKind::Number,
                },
            })
            .collect();
        Styles {
            red,
            kind,
            date1904: g.date1904,
        }
    }

    fn red(&self, ixfe: u16) -> bool {
        self.red.get(usize::from(ixfe)).copied().unwrap_or(false)
    }

    /// A number as the cell's format shows it: a date, a duration, or the number.
    fn number(&self, ixfe: u16, n: f64) -> Value {
        match self.kind.get(usize::from(ixfe)) {
            Some(NumberKind::Date) => date_value(n, self.date1904),
            Some(NumberKind::Duration) => duration_value(n),
            _ => Value::Number(n),
        }
    }
}

/// What a custom number format shows: a date or time (a y/m/d/h/s token outside quotes and
/// brackets, in the first section), elapsed time (`[h]`, `[mm]`, `[ss]`), or a number.
fn format_kind(code: &str) -> NumberKind {
    if super::xlsx::format_is_date(code) {
        return NumberKind::Date;
    }
    let first = code.split(';').next().unwrap_or_default();
    let mut quoted = false;
    let mut rest = first;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => {
                let inner = rest.split(']').next().unwrap_or_default();
                if !inner.is_empty() && inner.chars().all(|b| "hHmMsS".contains(b)) {
                    return NumberKind::Duration;
                }
            }
            _ => {}
        }
    }
    NumberKind::Number
}

/// Walks the workbook globals up to the first EOF.
fn read_globals(stream: &[u8]) -> Result<Globals, ReadError> {
    let mut records = Records::new(stream, 0);
    let first = match records.next() {
        Some(r) => r?,
        None => return Err(damaged("the Workbook stream is empty")),
    };
    if rt::OLD_BOFS.contains(&first.typ) {
        return Err(ReadError::OldExcel);
    }
    if first.typ != rt::BOF || first.data.len() < 2 {
        return Err(damaged(
            "the Workbook stream does not start with a BOF record",
        ));
    }
    if le_u16(first.data, 0) != 0x0600 {
        // BIFF5 (Excel 5/95) and older keep the BIFF8 BOF record type.
        return Err(ReadError::OldExcel);
    }
    let mut g = Globals::default();
    for rec in records {
        let rec = rec?;
        let d = rec.data;
        match rec.typ {
            rt::FILEPASS => return Err(ReadError::Encrypted),
            rt::CODEPAGE | rt::DATEMODE if d.len() < 2 => return Err(short("CODEPAGE/DATEMODE")),
            rt::DATEMODE => g.date1904 = le_u16(d, 0) == 1,
            rt::BOF => {
                if d.len() < 2 {
                    return Err(short("BOF"));
                }
                if !bof_is_biff8(d) {
                    return Err(damaged("BIFF version changes inside the workbook"));
                }
            }
            rt::XF => g.xfs.push((le_u16(d, 0), le_u16(d, 2))),
            rt::FORMAT => {
                // ifmt, then an XLUnicodeString. A cut one is ignored: the cells keep numbers.
                let mut p = rec.pieces();
                let id = le_u16(d, 0);
                p.data = d.get(2..).unwrap_or_default();
                if let Ok(code) = p.xl_string("FORMAT") {
                    g.formats.insert(id, code);
                }
            }
            rt::FONT => g
                .font_colours
                .push(if d.len() >= 6 { le_u16(d, 4) } else { 0x7FFF }),
            rt::PALETTE => {
                let n = usize::from(le_u16(d, 0))
                    .min(d.len().saturating_sub(2) / 4)
                    .min(56);
                g.palette = (0..n)
                    .map(|i| {
                        let c = &d[2 + 4 * i..5 + 4 * i];
                        u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2])
                    })
                    .collect();
            }
            rt::BOUNDSHEET => {
                // lbPlyPos, hsState, dt, then the name as a ShortXLUnicodeString.
                if d.len() < 8 {
                    return Err(short("BOUNDSHEET"));
                }
                let pos = le_u32(d, 0) as usize;
                if pos > stream.len() {
                    return Err(damaged("a sheet's offset lies outside the Workbook stream"));
                }
                if g.sheets.len() >= MAX_SHEETS {
                    return Err(damaged(format!("more than {MAX_SHEETS} sheets")));
                }
                let Some((name, _)) = read_unicode_no_cch(d, 7, usize::from(d[6])) else {
                    return Err(short("BOUNDSHEET name"));
                };
                g.sheets.push(BoundSheet {
                    pos,
                    name,
                    typ: d[5],
                    hidden: d[4] & 0x03 != 0,
                });
            }
            rt::LBL => g.names.push(read_lbl(d)?),
            rt::EXTERNSHEET => {
                if d.len() < 2 {
                    return Err(short("EXTERNSHEET"));
                }
                let n = usize::from(le_u16(d, 0));
                g.xtis.extend(
                    d[2..]
                        .chunks_exact(6)
                        .take(n)
                        .map(|x| (le_u16(x, 0), le_u16(x, 2))),
                );
            }
            rt::SUPBOOK => g
                .supbook_internal
                .push(d.len() >= 4 && le_u16(d, 2) == 0x0401),
            rt::SST => g.sst = read_sst(&rec)?,
            rt::EOF => break,
            _ => {}
        }
    }
    Ok(g)
}

/// A defined-name record: the name, and its target if that is a plain 3-D area.
fn read_lbl(d: &[u8]) -> Result<(String, Option<(u16, Rect)>), ReadError> {
    if d.len() < 14 {
        return Err(short("LBL"));
    }
    let builtin = le_u16(d, 0) & 0x0020 != 0;
    let cch = usize::from(d[3]);
    let cce = usize::from(le_u16(d, 4));
    let name = match read_unicode_no_cch(d, 14, cch) {
        Some((name, _)) => name,
        None => return Err(short("LBL name")),
    };
    let Some(rgce) = d.len().checked_sub(cce).map(|start| &d[start..]) else {
        return Err(damaged("LBL formula longer than its record"));
    };
    let need = match rgce.first() {
        Some(0x3A | 0x5A | 0x7A) => 7,
        Some(0x3B | 0x5B | 0x7B) => 11,
        Some(0x3C | 0x5C | 0x7C | 0x3D | 0x5D | 0x7D) => 3,
        _ => 0,
    };
    if rgce.len() < need {
        return Err(short("LBL formula"));
    }
    let area = match rgce.first() {
        Some(0x3B | 0x5B | 0x7B) if rgce.len() == 11 => Some((le_u16(rgce, 1), area(&rgce[3..]))),
        _ => None,
    };
    let name = if builtin {
        match name.chars().next() {
            Some('\u{6}') => "Print_Area".to_string(),
            Some('\u{7}') => "Print_Titles".to_string(),
            Some('\u{D}') => "_FilterDatabase".to_string(),
            _ => name,
        }
    } else {
        name
    };
    Ok((name, area))
}

/// The rectangle of an area operand (rwFirst, rwLast, colFirst, colLast; columns carry relative
/// flags in their two high bits).
fn area(b: &[u8]) -> Rect {
    Rect::new(
        u32::from(le_u16(b, 0)),
        u32::from(le_u16(b, 4) & 0x3FFF),
        u32::from(le_u16(b, 2)),
        u32::from(le_u16(b, 6) & 0x3FFF),
    )
}

/// The rectangle of a `Ref8` (rwFirst, rwLast, colFirst, colLast, no flags), as in merged
/// ranges and validation ranges.
fn ref8(b: &[u8]) -> Rect {
    Rect::new(
        u32::from(le_u16(b, 0)),
        u32::from(le_u16(b, 4)),
        u32::from(le_u16(b, 2)),
        u32::from(le_u16(b, 6)),
    )
}

/// Reads an `XLUnicodeStringNoCch` of `cch` characters at `at` (a flags byte, then 1 or 2 bytes
/// a character). Returns the text and the offset after it.
fn read_unicode_no_cch(d: &[u8], at: usize, cch: usize) -> Option<(String, usize)> {
    let flags = *d.get(at)?;
    let start = at + 1;
    if flags & 1 == 0 {
        let end = start.checked_add(cch)?;
        let bytes = d.get(start..end)?;
        Some((bytes.iter().map(|&b| char::from(b)).collect(), end))
    } else {
        let end = start.checked_add(cch.checked_mul(2)?)?;
        let bytes = d.get(start..end)?;
        let units = bytes.chunks_exact(2).map(|c| le_u16(c, 0));
        let text = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        Some((text, end))
    }
}

/// The shared string table ([MS-XLS] 2.4.265 SST: two counts, then the strings, continued
/// across CONTINUE records).
fn read_sst(rec: &Record<'_>) -> Result<Vec<String>, ReadError> {
    let Some(data) = rec.data.get(8..) else {
        return Err(short("SST"));
    };
    let bytes = rec.data.len() + rec.cont.iter().map(|c| c.len()).sum::<usize>();
    if rec.cont.len() > SST_PIECES_FREE.max(bytes / SST_PIECE_BYTES) {
        return Err(damaged("shared string table split into too many pieces"));
    }
    let mut p = rec.pieces();
    p.data = data;
    let mut strings = Vec::new();
    while !p.data.is_empty() || p.next_piece() {
        strings.push(read_sst_string(&mut p)?);
    }
    Ok(strings)
}

/// One `XLUnicodeRichExtendedString`: count, flags, run and extension sizes, the characters,
/// then the runs and the extension (skipped).
fn read_sst_string(p: &mut Pieces<'_, '_>) -> Result<String, ReadError> {
    if p.data.is_empty() {
        return Ok(String::new());
    }
    if p.data.len() < 3 {
        return Err(short("SST string"));
    }
    let cch = usize::from(le_u16(p.data, 0));
    let flags = p.data[2];
    p.data = &p.data[3..];
    let mut runs = 0;
    let mut ext = 0;
    if flags & 0x8 != 0 {
        if p.data.len() < 2 {
            return Err(short("SST string runs"));
        }
        runs = usize::from(le_u16(p.data, 0));
        p.data = &p.data[2..];
    }
    if flags & 0x4 != 0 {
        if p.data.len() < 4 {
            return Err(short("SST string extension"));
        }
        ext = le_u32(p.data, 0) as usize;
        p.data = &p.data[4..];
    }
    let text = p.chars(cch, flags & 1 != 0, "SST string")?;
    p.skip(runs.saturating_mul(4), "SST")?;
    p.skip(ext, "SST")?;
    Ok(text)
}

// ---------------------------------------------------------------------------------------------
// Worksheets.

/// The cells' bounding box, for the cell budget: a sheet whose few cells lie far apart is
/// measured by the area they span, like the dense grid a spreadsheet program would show.
#[derive(Default)]
struct BBox {
    any: bool,
    top: u32,
    left: u32,
    bottom: u32,
    right: u32,
}

impl BBox {
    fn add(&mut self, row: u32, col: u32) {
        if self.any {
            self.top = self.top.min(row);
            self.left = self.left.min(col);
            self.bottom = self.bottom.max(row);
            self.right = self.right.max(col);
        } else {
            *self = BBox {
                any: true,
                top: row,
                left: col,
                bottom: row,
                right: col,
            };
        }
    }

    fn area(&self) -> u64 {
        if self.any {
            u64::from(self.bottom - self.top + 1) * u64::from(self.right - self.left + 1)
        } else {
            0
        }
    }
}

fn too_many_cells(limits: &Limits) -> ReadError {
    ReadError::TooLarge {
        limit: Limit::Cells {
            max: limits.max_cells,
        },
    }
}

fn too_many_columns() -> ReadError {
    ReadError::TooLarge {
        limit: Limit::Columns {
            max: u64::from(BIFF8_COLUMNS),
        },
    }
}

/// Running totals over all sheets.
struct Budget {
    scanned: usize,
    max_scanned: usize,
    cells: u64,
    text: u64,
}

/// A sheet's cells as far as they went into the grid.
struct Content {
    grid: GridBuilder,
    merges: Vec<Rect>,
    notes: Vec<SheetNote>,
}

/// One worksheet as read.
struct ReadSheet {
    /// A dialog sheet (a worksheet record with the dialog flag).
    dialog: bool,
    /// The cells, or why the sheet alone could not be read.
    content: Result<Content, SheetErrorKind>,
    red_cells: Vec<(u32, u32)>,
    validations: Vec<RawValidation>,
}

/// Puts cells into the grid until one breaks a grid limit; from then on the sheet is an error
/// (the walk goes on, for the workbook-wide checks).
struct Cells<'l> {
    content: Result<Content, SheetErrorKind>,
    limits: &'l Limits,
    bbox: BBox,
}

impl Cells<'_> {
    fn set(&mut self, row: u32, col: u32, mut value: Value) {
        self.bbox.add(row, col);
        let Ok(c) = &mut self.content else {
            return;
        };
        if let Value::Text(text) = &mut value {
            if let Some((cut, _)) = text.char_indices().nth(self.limits.max_text_chars) {
                text.truncate(cut);
                c.notes.push(SheetNote::TextTruncated { row, col });
            }
        }
        if let Err(limit) = c.grid.set(row, col, value) {
            self.content = Err(SheetErrorKind::TooLarge { limit });
        }
    }
}

/// The cell a record is about (row, column, XF index).
fn cell_ref(d: &[u8], min_len: usize, what: &str) -> Result<(u32, u32, u16), ReadError> {
    if d.len() < min_len {
        return Err(short(what));
    }
    Ok((
        u32::from(le_u16(d, 0)),
        u32::from(le_u16(d, 2)),
        le_u16(d, 4),
    ))
}

/// An RK number: a 30-bit integer or the high 30 bits of a double, optionally divided by 100.
fn rk_number(rk: u32) -> f64 {
    let n = if rk & 0x02 != 0 {
        f64::from((rk as i32) >> 2)
    } else {
        f64::from_bits(u64::from(rk & 0xFFFF_FFFC) << 32)
    };
    if rk & 0x01 != 0 {
        n / 100.0
    } else {
        n
    }
}

/// The text of a BIFF error code.
fn error_text(code: u8) -> &'static str {
    match code {
        0x00 => "#NULL!",
        0x07 => "#DIV/0!",
        0x17 => "#REF!",
        0x1D => "#NAME?",
        0x24 => "#NUM!",
        0x2A => "#N/A",
        0x2B => "#GETTING_DATA",
        _ => "#VALUE!",
    }
}

/// Walks one sheet's substream from its BOUNDSHEET offset to the EOF at depth 0, skipping
/// nested substreams (embedded charts), and reads its cells, merges, red fonts and list
/// validations.
fn read_sheet(
    stream: &[u8],
    pos: usize,
    g: &Globals,
    styles: &Styles,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<ReadSheet, ReadError> {
    let mut cells = Cells {
        content: Ok(Content {
            grid: GridBuilder::new(limits.max_cells, limits.max_columns),
            merges: Vec::new(),
            notes: Vec::new(),
        }),
        limits,
        bbox: BBox::default(),
    };
    let mut dialog = false;
    let mut red_cells = Vec::new();
    let mut validations = Vec::new();
    let mut merges = Vec::new();
    let mut seen_bof = false;
    let mut depth = 0usize;
    // A FORMULA whose cached result is text: the STRING record after it holds the text.
    let mut string_for: Option<(u32, u32)> = None;
    for rec in Records::new(stream, pos) {
        let rec = rec?;
        budget.scanned += rec.span;
        if budget.scanned > budget.max_scanned {
            return Err(damaged("sheet substreams overlap"));
        }
        let d = rec.data;
        if depth > 0 {
            match rec.typ {
                rt::BOF => depth += 1,
                rt::EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        let mut red = |row: u32, col: u32, ixfe: u16| {
            if styles.red(ixfe) {
                red_cells.push((row, col));
            }
        };
        match rec.typ {
            rt::BOF if seen_bof => depth += 1,
            rt::BOF => seen_bof = true,
            rt::EOF => break,
            rt::NUMBER => {
                let (row, col, ixfe) = cell_ref(d, 14, "NUMBER")?;
                let n = f64::from_le_bytes([d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13]]);
                red(row, col, ixfe);
                cells.set(row, col, styles.number(ixfe, n));
            }
            rt::RK => {
                let (row, col, ixfe) = cell_ref(d, 10, "RK")?;
                red(row, col, ixfe);
                cells.set(row, col, styles.number(ixfe, rk_number(le_u32(d, 6))));
            }
            rt::MULRK => {
                if d.len() < 6 {
                    return Err(short("MULRK"));
                }
                let row = u32::from(le_u16(d, 0));
                let first = le_u16(d, 2);
                let last = le_u16(d, d.len() - 2);
                if last < first {
                    return Err(damaged("MULRK columns out of order"));
                }
                let n = usize::from(last - first) + 1;
                if d.len() != 6 + 6 * n {
                    return Err(damaged("MULRK length does not match its columns"));
                }
                for (k, rk) in d[4..4 + 6 * n].chunks_exact(6).enumerate() {
                    let col = u32::from(first) + k as u32;
                    let ixfe = le_u16(rk, 0);
                    red(row, col, ixfe);
                    cells.set(row, col, styles.number(ixfe, rk_number(le_u32(rk, 2))));
                }
            }
            rt::LABELSST => {
                let (row, col, ixfe) = cell_ref(d, 10, "LABELSST")?;
                red(row, col, ixfe);
                // A cell only for a valid string index.
                if let Some(s) = g.sst.get(le_u32(d, 6) as usize) {
                    budget.text += s.len() as u64;
                    if budget.text > limits.max_inflated_bytes {
                        return Err(ReadError::TooLarge {
                            limit: Limit::Inflated {
                                max: limits.max_inflated_bytes,
                            },
                        });
                    }
                    cells.set(row, col, Value::Text(s.clone()));
                }
            }
            rt::LABEL | rt::RSTRING => {
                let (row, col, ixfe) = cell_ref(d, 9, "LABEL")?;
                red(row, col, ixfe);
                let mut p = rec.pieces();
                p.data = &d[6..];
                let text = p.xl_string("LABEL")?;
                cells.set(row, col, Value::Text(text));
            }
            rt::BOOLERR => {
                let (row, col, ixfe) = cell_ref(d, 8, "BOOLERR")?;
                red(row, col, ixfe);
                let value = if d[7] == 0 {
                    Value::Bool(d[6] != 0)
                } else {
                    Value::Error(error_text(d[6]).to_string())
                };
                cells.set(row, col, value);
            }
            rt::FORMULA => {
                // Cell, cached result (8 bytes), flags, chCalc, token count: 22 bytes at least.
                let (row, col, ixfe) = cell_ref(d, 22, "FORMULA")?;
                red(row, col, ixfe);
                string_for = None;
                if le_u16(d, 12) == 0xFFFF {
                    match d[6] {
                        0 => string_for = Some((row, col)),
                        1 => cells.set(row, col, Value::Bool(d[8] != 0)),
                        2 => cells.set(row, col, Value::Error(error_text(d[8]).to_string())),
                        // 3: an empty string; anything else: no value.
                        _ => {}
                    }
                } else {
                    let n =
                        f64::from_le_bytes([d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13]]);
                    cells.set(row, col, styles.number(ixfe, n));
                }
            }
            rt::STRING => {
                if let Some((row, col)) = string_for.take() {
                    let text = rec.pieces().xl_string("STRING")?;
                    cells.set(row, col, Value::Text(text));
                }
            }
            rt::MERGEDCELLS => {
                let n = usize::from(le_u16(d, 0));
                if d.len() < 2 || d.len() < 2 + 8 * n {
                    return Err(short("MERGEDCELLS"));
                }
                for m in d[2..2 + 8 * n].chunks_exact(8) {
                    let rect = ref8(m);
                    if rect.right >= BIFF8_COLUMNS {
                        return Err(too_many_columns());
                    }
                    if u64::from(rect.height()) * u64::from(rect.width()) > limits.max_cells {
                        return Err(too_many_cells(limits));
                    }
                    if merges.len() < MAX_RANGES {
                        merges.push(rect);
                    }
                }
            }
            rt::WSBOOL if le_u16(d, 0) & 0x0010 != 0 => dialog = true,
            rt::DV if validations.len() < MAX_RANGES => {
                if let Some(v) = parse_dv(d, g) {
                    validations.push(v);
                }
            }
            _ => {}
        }
    }
    let bbox = &cells.bbox;
    if bbox.any && bbox.right >= BIFF8_COLUMNS {
        return Err(too_many_columns());
    }
    let area = bbox.area();
    budget.cells += area;
    if area > limits.max_cells
        || budget.cells > limits.max_cells.saturating_mul(WORKBOOK_CELLS_FACTOR)
    {
        return Err(too_many_cells(limits));
    }
    merges.sort_unstable();
    merges.dedup();
    let content = cells.content.map(|mut c| {
        c.merges = merges;
        c
    });
    Ok(ReadSheet {
        dialog,
        content,
        red_cells,
        validations,
    })
}

/// A date-formatted number as ISO text: `2024-03-05`, `2024-03-05T08:30:00`, or `08:30:00` for
/// a time of day alone. Before 1900 (negative) or after 9999 it stays a number.
fn date_value(serial: f64, date1904: bool) -> Value {
    if (0.0..1.0).contains(&serial) {
        let secs = (serial * 86_400.0).round() as u64;
        if secs < 86_400 {
            let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            return Value::Date(format!("{h:02}:{mi:02}:{s:02}"));
        }
    }
    super::xlsx::serial_to_iso(serial, date1904).map_or(Value::Number(serial), Value::Date)
}

/// Elapsed time (`[h]:mm:ss`) as `h:mm:ss`.
fn duration_value(serial: f64) -> Value {
    let secs = (serial * 86_400.0).round();
    if !secs.is_finite() || secs.abs() >= 1e15 {
        return Value::Number(serial);
    }
    let sign = if secs < 0.0 { "-" } else { "" };
    let s = secs.abs() as u64;
    Value::Text(format!(
        "{sign}{}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    ))
}

/// A list data validation ([MS-XLS] 2.4.112 DV), or `None` for other kinds and anything that
/// does not parse.
fn parse_dv(d: &[u8], g: &Globals) -> Option<RawValidation> {
    let flags = le_u32(d, 0);
    if d.len() < 4 || flags & 0xF != 3 {
        return None;
    }
    // Prompt title, error title, prompt, error: XLUnicodeString each.
    let mut at = 4;
    for _ in 0..4 {
        let cch = usize::from(le_u16(d, at));
        d.get(at..at + 2)?;
        at = read_unicode_no_cch(d, at + 2, cch)?.1;
    }
    // formula1 and formula2: cce, 2 unused bytes, tokens.
    d.get(at..at + 4)?;
    let cce1 = usize::from(le_u16(d, at));
    let formula1 = d.get(at + 4..at + 4 + cce1)?;
    at += 4 + cce1;
    d.get(at..at + 4)?;
    at += 4 + usize::from(le_u16(d, at));
    d.get(at..at + 2)?;
    let n = usize::from(le_u16(d, at));
    let refs = d.get(at + 2..at + 2 + 8 * n)?;
    let ranges: Vec<Rect> = refs
        .chunks_exact(8)
        .map(ref8)
        .filter(|r| r.right < BIFF8_COLUMNS)
        .collect();
    if ranges.is_empty() {
        return None;
    }
    Some(RawValidation {
        ranges,
        source: list_source(formula1, g),
    })
}

/// Where a list validation's values come from, for the formulas that are a single token: an
/// explicit list, a reference, a 3-D reference or a defined name.
fn list_source(rgce: &[u8], g: &Globals) -> RawSource {
    let unknown = || RawSource::Formula(String::new());
    let Some(&ptg) = rgce.first() else {
        return unknown();
    };
    match (ptg, rgce.len()) {
        // ptgStr: the values separated by NUL.
        (0x17, len) if len >= 3 => match read_unicode_no_cch(rgce, 2, usize::from(rgce[1])) {
            Some((text, end)) if end == len => RawSource::Values(
                text.split('\0')
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            _ => unknown(),
        },
        // ptgArea, ptgRef on this sheet.
        (0x25 | 0x45 | 0x65, 9) => RawSource::Range {
            sheet: None,
            rect: area(&rgce[1..]),
        },
        (0x24 | 0x44 | 0x64, 5) => RawSource::Range {
            sheet: None,
            rect: cell(&rgce[1..]),
        },
        // ptgArea3d, ptgRef3d.
        (0x3B | 0x5B | 0x7B, 11) => {
            sheet_of(g, le_u16(rgce, 1)).map_or_else(unknown, |s| RawSource::Range {
                sheet: Some(s),
                rect: area(&rgce[3..]),
            })
        }
        (0x3A | 0x5A | 0x7A, 7) => {
            sheet_of(g, le_u16(rgce, 1)).map_or_else(unknown, |s| RawSource::Range {
                sheet: Some(s),
                rect: cell(&rgce[3..]),
            })
        }
        // ptgName: a defined name (1-based).
        (0x23 | 0x43 | 0x63, 5) => {
            let i = (le_u32(rgce, 1) as usize).wrapping_sub(1);
            match g.names.get(i) {
                Some((_, Some((ixti, rect)))) => {
                    sheet_of(g, *ixti).map_or_else(unknown, |s| RawSource::Range {
                        sheet: Some(s),
                        rect: *rect,
                    })
                }
                Some((name, None)) => RawSource::Formula(name.clone()),
                None => unknown(),
            }
        }
        _ => unknown(),
    }
}

fn cell(b: &[u8]) -> Rect {
    let (r, c) = (u32::from(le_u16(b, 0)), u32::from(le_u16(b, 2) & 0x3FFF));
    Rect::new(r, c, r, c)
}

/// The sheet (tab index) an EXTERNSHEET entry names, if it is a sheet of this workbook.
fn sheet_of(g: &Globals, ixti: u16) -> Option<usize> {
    let &(supbook, itab) = g.xtis.get(usize::from(ixti))?;
    let internal = g
        .supbook_internal
        .get(usize::from(supbook))
        .copied()
        .unwrap_or(g.supbook_internal.is_empty());
    let itab = usize::from(itab);
    (internal && itab < g.sheets.len()).then_some(itab)
}

/// Red as the xlsx reader judges it, or the palette's dark red (0x800000), which the legacy
/// colour picker offers next to red. Offices mark required columns so.
fn is_red(icv: u16, palette: &[u32]) -> bool {
    let i = usize::from(icv);
    let rgb = match i {
        0..=7 => DEFAULT_PALETTE[i],
        8..=63 => match palette.get(i - 8) {
            Some(&c) => c,
            None => DEFAULT_PALETTE[i],
        },
        // 0x40 and up: system colours (window text, "automatic"), not red.
        _ => return false,
    };
    let [_, r, g, b] = rgb.to_be_bytes();
    crate::read::xlsx::is_red(r, g, b) || (r >= 0x80 && g <= 0x10 && b <= 0x10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::cfb::tests::{cfb_file, FIXTURE};

    const POVERTY: &[u8] = include_bytes!(
        "../../tests/fixtures/qingshan/青山县农业农村局（乡村振兴）-防止返贫监测对象信息采集表.xls"
    );

    // --- A tiny BIFF8 writer -----------------------------------------------------------------

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend_from_slice(&(data.len() as u16).to_le_bytes());
        r.extend_from_slice(data);
        r
    }

    fn bof(vers: u16, dt: u16) -> Vec<u8> {
        let mut d = vers.to_le_bytes().to_vec();
        d.extend_from_slice(&dt.to_le_bytes());
        d.extend_from_slice(&[0xBB, 0x0D, 0xCC, 0x07, 0, 0, 0, 0, 6, 0, 0, 0]);
        rec(rt::BOF, &d)
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn u16s(v: &[u16]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    /// XLUnicodeString (2-byte count, UTF-16).
    fn xl_string(s: &str) -> Vec<u8> {
        let mut d = (s.encode_utf16().count() as u16).to_le_bytes().to_vec();
        d.push(1);
        d.extend(utf16(s));
        d
    }

    fn label(row: u16, col: u16, xf: u16, s: &str) -> Vec<u8> {
        let mut d = u16s(&[row, col, xf]);
        d.extend(xl_string(s));
        rec(rt::LABEL, &d)
    }

    fn number(row: u16, col: u16, xf: u16, v: f64) -> Vec<u8> {
        let mut d = u16s(&[row, col, xf]);
        d.extend_from_slice(&v.to_le_bytes());
        rec(rt::NUMBER, &d)
    }

    fn xf(font: u16, fmt: u16) -> Vec<u8> {
        let mut d = u16s(&[font, fmt]);
        d.resize(20, 0);
        rec(rt::XF, &d)
    }

    fn font(icv: u16) -> Vec<u8> {
        let mut d = u16s(&[200, 0, icv, 400, 0]);
        d.extend_from_slice(&[0, 0, 0, 0, 1, 0, b'A']);
        rec(rt::FONT, &d)
    }

    /// Five fonts (index 4 is skipped, so the fifth is number 5) and one XF per font.
    fn styles(colours: [u16; 5]) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = colours.iter().map(|&c| font(c)).collect();
        v.extend([0, 1, 2, 3, 5].iter().map(|&f| xf(f, 0)));
        v
    }

    /// A sheet: name, BOUNDSHEET type (0 worksheet, 1 macro, 2 chart), hidden state, records.
    struct S<'a>(&'a str, u8, u8, Vec<Vec<u8>>);

    fn boundsheet(pos: u32, hidden: u8, dt: u8, name: &str) -> Vec<u8> {
        let mut d = pos.to_le_bytes().to_vec();
        d.extend_from_slice(&[hidden, dt, name.encode_utf16().count() as u8, 1]);
        d.extend(utf16(name));
        rec(rt::BOUNDSHEET, &d)
    }

    fn workbook_stream(globals: &[Vec<u8>], sheets: &[S<'_>]) -> Vec<u8> {
        let head = bof(0x0600, 0x0005);
        let eof = rec(rt::EOF, &[]);
        let globals: Vec<u8> = globals.concat();
        let bs_len: usize = sheets.iter().map(|s| boundsheet(0, 0, 0, s.0).len()).sum();
        let bodies: Vec<Vec<u8>> = sheets
            .iter()
            .map(|s| [bof(0x0600, 0x0010), s.3.concat(), eof.clone()].concat())
            .collect();
        let mut pos = head.len() + globals.len() + bs_len + eof.len();
        let mut out = [head, globals].concat();
        for (s, body) in sheets.iter().zip(&bodies) {
            out.extend(boundsheet(pos as u32, s.2, s.1, s.0));
            pos += body.len();
        }
        out.extend(&eof);
        for body in bodies {
            out.extend(body);
        }
        out
    }

    fn xls_file(globals: &[Vec<u8>], sheets: &[S<'_>]) -> Vec<u8> {
        cfb_file(&[("Workbook", &workbook_stream(globals, sheets))])
    }

    fn read(bytes: &[u8]) -> Result<Workbook, ReadError> {
        read_xls(bytes, &Limits::default())
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    /// Offsets (in the stream) of each record of a type, from `from`.
    fn find_records(stream: &[u8], from: usize, typ: u16) -> Vec<usize> {
        Records::new(stream, from)
            .filter_map(Result::ok)
            .filter(|r| r.typ == typ)
            .map(|r| r.at)
            .collect()
    }

    /// Overwrites bytes of a file's Workbook stream, in place.
    fn poke(file: &[u8], stream_at: usize, bytes: &[u8]) -> Vec<u8> {
        let s = Cfb::parse(file).unwrap().read_stream("Workbook").unwrap();
        let mut out = file.to_vec();
        for (i, b) in bytes.iter().enumerate() {
            out[s.file_offset(stream_at + i).unwrap()] = *b;
        }
        out
    }

    fn workbook_of(file: &[u8]) -> Vec<u8> {
        Cfb::parse(file)
            .unwrap()
            .read_stream("Workbook")
            .unwrap()
            .data
    }

    /// Where the first sheet's substream starts.
    fn first_sheet_pos(stream: &[u8]) -> usize {
        let at = find_records(stream, 0, rt::BOUNDSHEET)[0];
        le_u32(stream, at) as usize
    }

    // --- The fixtures ------------------------------------------------------------------------

    #[test]
    fn statistics_form_reads_with_merges_values_and_red_headers() {
        let wb = read(FIXTURE).unwrap();
        assert_eq!(wb.format, Format::Xls);
        assert!(wb.sheet_errors.is_empty());
        assert_eq!(wb.sheets.len(), 1);
        let s = &wb.sheets[0];
        assert_eq!(s.name, "村级基本情况统计表");
        assert!(!s.hidden);
        assert_eq!(s.merges.len(), 25);
        for a1 in ["A4:A6", "B4:B6", "C4:D4"] {
            let r = crate::read::parse_a1_range(a1).unwrap();
            assert!(s.merges.contains(&r), "{a1}");
        }
        assert_eq!(s.grid.get(0, 0), &text("村级基本情况统计表"));
        assert_eq!(s.grid.get(7, 0), &text("甲"));
        assert_eq!(s.grid.get(7, 1), &text("乙"));
        assert_eq!(s.grid.get(8, 2), &Value::Number(14.0));
        assert_eq!(s.grid.get(10, 17), &Value::Number(17565.67));
        assert_eq!(s.red_cells, vec![(3, 0), (3, 1)]);
        assert!(s.validations.is_empty());
    }

    #[test]
    fn poverty_form_reads_with_red_headers() {
        let wb = read(POVERTY).unwrap();
        let s = &wb.sheets[0];
        assert_eq!(s.name, "青山县防止返贫监测对象信息采集表");
        assert_eq!(s.merges.len(), 11);
        assert_eq!(s.red_cells, vec![(2, 1), (2, 2), (2, 4), (3, 5), (3, 6)]);
        assert_eq!(s.grid.get(4, 7), &Value::Number(3.0));
        assert_eq!(s.grid.get(3, 5), &text("姓名"));
    }

    #[test]
    fn a_workbook_from_another_writer_reads() {
        // tests/fixtures/xls/make_xlwt.py: xlwt's records, the 1904 date system, shared strings
        // continued across CONTINUE records.
        let wb = read(include_bytes!("../../tests/fixtures/xls/xlwt-1904.xls")).unwrap();
        assert_eq!(wb.sheets.len(), 2);
        let s = &wb.sheets[0];
        assert_eq!(s.name, "人员名单");
        assert!(!s.hidden && wb.sheets[1].hidden);
        assert_eq!(s.merges, vec![Rect::new(0, 0, 0, 3)]);
        assert_eq!(s.red_cells, vec![(0, 0), (1, 0), (1, 1)]);
        let col: Vec<&Value> = (2..13).map(|r| s.grid.get(r, 0)).collect();
        let long_zh = format!("{}尾", "长".repeat(9000));
        let long_en = format!("{}中文", "a".repeat(9000));
        assert_eq!(
            col,
            [
                &text("张三"),
                &text("李四"),
                &Value::Date("2024-03-05T08:30:15".into()),
                &Value::Date("06:00:00".into()),
                &text("36:00:00"),
                &Value::Date("2024-03-05".into()),
                &Value::Bool(true),
                &Value::Empty,
                &text(&long_zh),
                &text(&long_en),
                &text("é – 𝄞"),
            ]
        );
        assert_eq!(s.grid.get(2, 1), &Value::Number(110_101_199_001_010_011.0));
        assert_eq!(s.grid.get(2, 2), &Value::Date("1950-03-16".into()));
        assert_eq!(s.grid.get(2, 3), &Value::Number(12.5));
        assert_eq!(s.grid.get(3, 3), &Value::Number(-7.0));
    }

    // --- Refusals ----------------------------------------------------------------------------

    #[test]
    fn far_apart_cells_are_refused() {
        // Move the fixture's first shared-string cell to IV65536.
        let stream = workbook_of(FIXTURE);
        let at = find_records(&stream, first_sheet_pos(&stream), rt::LABELSST)[1];
        let file = poke(FIXTURE, at, &u16s(&[65535, 255]));
        let started = std::time::Instant::now();
        assert_eq!(
            read(&file).unwrap_err(),
            ReadError::TooLarge {
                limit: Limit::Cells { max: 5_000_000 }
            }
        );
        assert!(started.elapsed().as_secs() < 2);
        // Past column IV, which BIFF8 cannot hold.
        let file = poke(FIXTURE, at, &u16s(&[3, 300]));
        assert_eq!(
            read(&file).unwrap_err(),
            ReadError::TooLarge {
                limit: Limit::Columns { max: 256 }
            }
        );
        // Two crafted cells, A1 and IV65536.
        let file = xls_file(
            &[],
            &[S(
                "S",
                0,
                0,
                vec![number(0, 0, 0, 1.0), number(65535, 255, 0, 2.0)],
            )],
        );
        assert!(matches!(read(&file), Err(ReadError::TooLarge { .. })));
    }

    #[test]
    fn sheets_together_have_a_budget() {
        let sheet = |n| S(n, 0, 0, vec![number(0, 0, 0, 1.0), number(999, 99, 0, 2.0)]);
        let limits = Limits {
            max_cells: 120_000,
            ..Limits::default()
        };
        // 100,000 cells each: two fit the workbook budget (twice the sheet budget), three not.
        let file = xls_file(&[], &[sheet("a"), sheet("b")]);
        assert!(read_xls(&file, &limits).is_ok());
        let file = xls_file(&[], &[sheet("a"), sheet("b"), sheet("c")]);
        assert_eq!(
            read_xls(&file, &limits).unwrap_err(),
            ReadError::TooLarge {
                limit: Limit::Cells { max: 120_000 }
            }
        );
    }

    #[test]
    fn filepass_means_encrypted() {
        // Turn the fixture's INTERFACEHDR (0x00E1) into a FILEPASS record.
        let stream = workbook_of(FIXTURE);
        let at = find_records(&stream, 0, 0x00E1)[0];
        let file = poke(FIXTURE, at - 4, &rt::FILEPASS.to_le_bytes());
        assert_eq!(read(&file).unwrap_err(), ReadError::Encrypted);
        let file = xls_file(&[rec(rt::FILEPASS, &[0, 0])], &[S("S", 0, 0, vec![])]);
        assert_eq!(read(&file).unwrap_err(), ReadError::Encrypted);
    }

    #[test]
    fn other_ole_files_are_named() {
        let biff5 = [bof(0x0500, 0x0005), rec(rt::EOF, &[])].concat();
        assert_eq!(
            read(&cfb_file(&[("Book", &biff5)])).unwrap_err(),
            ReadError::OldExcel
        );
        assert_eq!(
            read(&cfb_file(&[("Workbook", &biff5)])).unwrap_err(),
            ReadError::OldExcel
        );
        let cases: [(&str, ReadError); 4] = [
            ("EncryptedPackage", ReadError::Encrypted),
            (
                "WordDocument",
                ReadError::NotSpreadsheet {
                    looks_like: "Word 文档",
                },
            ),
            (
                "PowerPoint Document",
                ReadError::NotSpreadsheet {
                    looks_like: "PowerPoint 演示文稿",
                },
            ),
            (
                "Contents",
                ReadError::NotSpreadsheet {
                    looks_like: "二进制数据",
                },
            ),
        ];
        for (name, err) in cases {
            assert_eq!(read(&cfb_file(&[(name, &[0u8; 600])])).unwrap_err(), err);
        }
        assert!(matches!(
            read(&FIXTURE[..512]),
            Err(ReadError::Damaged { .. })
        ));
    }

    #[test]
    fn records_cut_short_are_damage() {
        let sheet = |recs: Vec<Vec<u8>>| xls_file(&[], &[S("S", 0, 0, recs)]);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            // Claims 3 merged ranges, holds 1.
            (
                "merges",
                sheet(vec![rec(rt::MERGEDCELLS, &u16s(&[3, 0, 1, 0, 1]))]),
            ),
            // Columns 5..2.
            (
                "mulrk",
                sheet(vec![rec(rt::MULRK, &u16s(&[0, 5, 0, 0, 0, 2]))]),
            ),
            ("formula", sheet(vec![rec(rt::FORMULA, &[0; 21])])),
            (
                "lbl",
                xls_file(&[rec(rt::LBL, &[0; 10])], &[S("S", 0, 0, vec![])]),
            ),
            (
                // One string flagged rich text, cut before its run count.
                "sst",
                xls_file(
                    &[rec(rt::SST, &[1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0x08, 0x41])],
                    &[S("S", 0, 0, vec![])],
                ),
            ),
            (
                "boundsheet",
                cfb_file(&[(
                    "Workbook",
                    &[
                        bof(0x0600, 5),
                        rec(rt::BOUNDSHEET, &[0, 0, 0, 0]),
                        rec(rt::EOF, &[]),
                    ]
                    .concat(),
                )]),
            ),
            (
                "sheet offset",
                cfb_file(&[(
                    "Workbook",
                    &[
                        bof(0x0600, 5),
                        boundsheet(100_000, 0, 0, "S"),
                        rec(rt::EOF, &[]),
                    ]
                    .concat(),
                )]),
            ),
        ];
        for (what, file) in cases {
            match read(&file) {
                Err(ReadError::Damaged { .. }) => {}
                other => panic!("{what}: {other:?}"),
            }
        }
    }

    #[test]
    fn merged_range_over_the_limits_is_refused() {
        let merge = |r2: u16, c2: u16| {
            xls_file(
                &[],
                &[S(
                    "S",
                    0,
                    0,
                    vec![rec(rt::MERGEDCELLS, &u16s(&[1, 0, r2, 0, c2]))],
                )],
            )
        };
        assert!(read(&merge(10, 3)).is_ok());
        assert_eq!(
            read(&merge(65535, 255)).unwrap_err(),
            ReadError::TooLarge {
                limit: Limit::Cells { max: 5_000_000 }
            }
        );
        // Merged ranges carry no relative-reference flags: 0x4005 is column 16390, not 6.
        for c2 in [400, 0x4005] {
            assert_eq!(
                read(&merge(1, c2)).err(),
                Some(ReadError::TooLarge {
                    limit: Limit::Columns { max: 256 }
                })
            );
        }
    }

    #[test]
    fn shared_strings_repeated_past_the_text_budget_are_refused() {
        let long = "长".repeat(2000);
        let mut sst = u16s(&[1, 0, 1, 0]);
        sst.extend(xl_string(&long));
        let cells: Vec<Vec<u8>> = (0..100)
            .map(|r| {
                let mut d = u16s(&[r, 0, 0]);
                d.extend_from_slice(&0u32.to_le_bytes());
                rec(rt::LABELSST, &d)
            })
            .collect();
        let file = xls_file(&[rec(rt::SST, &sst)], &[S("S", 0, 0, cells)]);
        let wb = read(&file).unwrap();
        assert_eq!(wb.sheets[0].grid.get(99, 0), &Value::Text(long));
        let limits = Limits {
            max_inflated_bytes: 500_000,
            ..Limits::default()
        };
        // 100 cells × 2000 characters × at most 3 bytes each.
        assert_eq!(
            read_xls(&file, &limits).err(),
            Some(ReadError::TooLarge {
                limit: Limit::Inflated { max: 500_000 }
            })
        );
    }

    #[test]
    fn overlapping_sheets_are_refused() {
        // 200 sheets that all point at one long substream without an EOF.
        let body: Vec<u8> = (0..2000)
            .flat_map(|r| number(r, 0, 0, 1.0))
            .collect::<Vec<u8>>();
        let mut head = bof(0x0600, 5);
        let bs: Vec<u8> = (0..200)
            .flat_map(|i| boundsheet(0, 0, 0, &format!("S{i}")))
            .collect();
        let start = head.len() + bs.len() + 4;
        let bs: Vec<u8> = (0..200)
            .flat_map(|i| boundsheet(start as u32, 0, 0, &format!("S{i}")))
            .collect();
        head.extend(bs);
        head.extend(rec(rt::EOF, &[]));
        head.extend(body);
        let err = read(&cfb_file(&[("Workbook", &head)])).unwrap_err();
        assert_eq!(
            err,
            ReadError::Damaged {
                detail: "sheet substreams overlap".into()
            }
        );
    }

    #[test]
    fn many_pieces_and_many_sheets_are_refused_in_linear_time() {
        // An SST cut into 5000 empty CONTINUE records: no writer does that.
        let mut recs = vec![rec(rt::SST, &u16s(&[0, 0, 0, 0]))];
        recs.extend((0..5000).map(|_| rec(rt::CONTINUE, &[])));
        let file = xls_file(&recs, &[S("S", 0, 0, vec![])]);
        assert_eq!(
            read(&file).err(),
            Some(ReadError::Damaged {
                detail: "shared string table split into too many pieces".into()
            })
        );
        let names: Vec<String> = (0..=MAX_SHEETS).map(|i| format!("S{i}")).collect();
        let sheets: Vec<S<'_>> = names.iter().map(|n| S(n, 0, 0, vec![])).collect();
        assert_eq!(
            read(&xls_file(&[], &sheets)).err(),
            Some(ReadError::Damaged {
                detail: "more than 10000 sheets".into()
            })
        );
    }

    #[test]
    fn of_two_sheets_with_one_name_the_last_is_read() {
        let file = xls_file(
            &[],
            &[
                S("表", 0, 0, vec![label(0, 0, 0, "first")]),
                S("表", 0, 0, vec![label(0, 0, 0, "second")]),
            ],
        );
        let wb = read(&file).unwrap();
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(wb.sheets[0].grid.get(0, 0), &text("second"));
        assert_eq!(wb.sheet_errors[0].sheet, "表");
    }

    // --- Formula results and DIMENSIONS --------------------------------------------------------

    fn formula(row: u16, col: u16, value: f64, tokens: &[u8], cce: u16) -> Vec<u8> {
        let mut d = u16s(&[row, col, 0]);
        d.extend_from_slice(&value.to_le_bytes());
        d.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        d.extend_from_slice(&cce.to_le_bytes());
        d.extend_from_slice(tokens);
        rec(rt::FORMULA, &d)
    }

    #[test]
    fn broken_formula_tokens_keep_their_cached_value() {
        // A token count past the record, then a PtgAttr cut short: formulas are never decoded,
        // only their cached values read.
        let file = xls_file(
            &[],
            &[S(
                "S",
                0,
                0,
                vec![
                    formula(0, 0, 42.0, &[0x19, 0x40], 50),
                    formula(1, 0, 7.0, &[0x19, 0x40], 2),
                    label(2, 0, 0, "ok"),
                ],
            )],
        );
        let wb = read(&file).unwrap();
        let g = &wb.sheets[0].grid;
        assert_eq!(g.get(0, 0), &Value::Number(42.0));
        assert_eq!(g.get(1, 0), &Value::Number(7.0));
        assert_eq!(g.get(2, 0), &text("ok"));
    }

    #[test]
    fn dimensions_that_lie_are_ignored() {
        let dims = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut d = rf.to_le_bytes().to_vec();
            d.extend_from_slice(&rl.to_le_bytes());
            d.extend(u16s(&[cf, cl, 0]));
            rec(rt::DIMENSIONS, &d)
        };
        for d in [
            dims(0, u32::MAX, 0, 256),
            dims(0, 0x0100_0000, 0, 200),
            dims(10, 5, 0, 3),
            dims(0, 3, 5, 5),
        ] {
            let file = xls_file(&[], &[S("S", 0, 0, vec![d, label(1, 1, 0, "x")])]);
            let wb = read(&file).unwrap();
            assert_eq!(wb.sheets[0].grid.get(1, 1), &text("x"));
        }
    }

    // --- Fonts and validations ---------------------------------------------------------------

    #[test]
    fn red_fonts_follow_the_palette() {
        // Font colours: black, default red (10), blue (12), dark red (16), automatic.
        let mut globals = styles([8, 10, 12, 16, 0x7FFF]);
        let cells = |n: u16| (0..n).map(|xf| label(0, xf, xf, "h")).collect::<Vec<_>>();
        let file = xls_file(&globals, &[S("S", 0, 0, cells(5))]);
        assert_eq!(
            read(&file).unwrap().sheets[0].red_cells,
            vec![(0, 1), (0, 3)]
        );
        // A palette that makes index 12 red and index 10 blue.
        let mut pal = u16s(&[56]);
        for i in 8..64u32 {
            let rgb: u32 = match i {
                10 => 0x0000FF,
                12 => 0xE01010,
                _ => DEFAULT_PALETTE[i as usize],
            };
            pal.extend_from_slice(&[(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8, 0]);
        }
        globals.push(rec(rt::PALETTE, &pal));
        let file = xls_file(&globals, &[S("S", 0, 0, cells(5))]);
        assert_eq!(
            read(&file).unwrap().sheets[0].red_cells,
            vec![(0, 2), (0, 3)]
        );
    }

    fn dv(formula1: &[u8], ranges: &[[u16; 4]]) -> Vec<u8> {
        let mut d = 0x0000_0103u32.to_le_bytes().to_vec(); // list, blanks allowed
        for s in ["", "", "", ""] {
            d.extend(xl_string(s));
        }
        d.extend(u16s(&[formula1.len() as u16, 0]));
        d.extend_from_slice(formula1);
        d.extend(u16s(&[0, 0]));
        d.extend(u16s(&[ranges.len() as u16]));
        for r in ranges {
            d.extend(u16s(r));
        }
        rec(rt::DV, &d)
    }

    #[test]
    fn list_validations_are_listed() {
        let mut values = vec![0x17, 3, 1];
        values.extend(utf16("男\0女"));
        let mut area = vec![0x25];
        area.extend(u16s(&[1, 9, 0xC000, 0xC000]));
        let mut area3d = vec![0x3B];
        area3d.extend(u16s(&[0, 0, 4, 1, 1]));
        let name = [0x23, 1, 0, 0, 0];
        let unknown = [0x1E, 5, 0];
        let mut lbl = vec![0, 0, 0, 4, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        lbl.extend_from_slice(b"list");
        lbl.extend_from_slice(&area3d);
        let globals = vec![
            rec(rt::SUPBOOK, &u16s(&[2, 0x0401])),
            rec(rt::EXTERNSHEET, &u16s(&[1, 0, 1, 1])),
            rec(rt::LBL, &lbl),
        ];
        let dvs = vec![
            dv(&values, &[[1, 100, 2, 2]]),
            dv(&area, &[[1, 100, 3, 3]]),
            dv(&area3d, &[[1, 100, 4, 4], [1, 100, 6, 6]]),
            dv(&name, &[[1, 100, 5, 5]]),
            dv(&unknown, &[[1, 100, 7, 7]]),
        ];
        let file = xls_file(
            &globals,
            &[
                S("表", 0, 0, [vec![label(0, 0, 0, "性别")], dvs].concat()),
                S(
                    "字典",
                    0,
                    1,
                    vec![label(0, 1, 0, "是"), label(1, 1, 0, "否")],
                ),
            ],
        );
        let wb = read(&file).unwrap();
        assert!(wb.sheets[1].hidden);
        let v = &wb.sheets[0].validations;
        assert_eq!(v.len(), 5);
        assert_eq!(v[0].ranges, vec![Rect::new(1, 2, 100, 2)]);
        assert_eq!(
            v[0].source,
            ListSource::Values(vec!["男".into(), "女".into()])
        );
        assert_eq!(
            v[1].source,
            ListSource::Range {
                sheet: None,
                rect: Rect::new(1, 0, 9, 0)
            }
        );
        let dict = ListSource::Range {
            sheet: Some("字典".into()),
            rect: Rect::new(0, 1, 4, 1),
        };
        assert_eq!(v[2].source, dict);
        assert_eq!(v[2].ranges.len(), 2);
        assert_eq!(v[3].source, dict);
        assert_eq!(v[4].source, ListSource::Formula(String::new()));
    }

    #[test]
    fn chart_macro_and_dialog_sheets_are_not_tables() {
        let dialog = rec(rt::WSBOOL, &u16s(&[0x0411]));
        let file = xls_file(
            &[],
            &[
                S("数据", 0, 0, vec![label(0, 0, 0, "a")]),
                S("图", 2, 0, vec![]),
                S("宏", 1, 0, vec![]),
                S("对话", 0, 0, vec![dialog]),
            ],
        );
        let wb = read(&file).unwrap();
        assert_eq!(wb.sheets.len(), 1);
        let kinds: Vec<_> = wb.sheet_errors.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                SheetErrorKind::NotATable { what: "图表" },
                SheetErrorKind::NotATable { what: "宏表" },
                SheetErrorKind::NotATable {
                    what: "对话框表"
                },
            ]
        );
    }

    #[test]
    fn values_convert_like_a_spreadsheet_shows_them() {
        let boolerr = |r: u16, v: u8, is_err: u8| {
            let mut d = u16s(&[r, 0, 0]);
            d.extend_from_slice(&[v, is_err]);
            rec(rt::BOOLERR, &d)
        };
        let globals = vec![xf(0, 0), xf(0, 14), xf(0, 22), xf(0, 20)];
        let cells = vec![
            number(0, 0, 1, 45356.0),
            number(1, 0, 2, 45356.5),
            number(2, 0, 3, 0.25),
            boolerr(3, 1, 0),
            boolerr(4, 0x2A, 1),
            label(5, 0, 0, "一二三四五"),
            number(6, 0, 0, 12.5),
        ];
        let file = xls_file(&globals, &[S("S", 0, 0, cells)]);
        let limits = Limits {
            max_text_chars: 3,
            ..Limits::default()
        };
        let wb = read_xls(&file, &limits).unwrap();
        let s = &wb.sheets[0];
        let col: Vec<&Value> = (0..7).map(|r| s.grid.get(r, 0)).collect();
        assert_eq!(
            col,
            [
                &Value::Date("2024-03-05".into()),
                &Value::Date("2024-03-05T12:00:00".into()),
                &Value::Date("06:00:00".into()),
                &Value::Bool(true),
                &Value::Error("#N/A".into()),
                &text("一二三"),
                &Value::Number(12.5),
            ]
        );
        assert_eq!(s.notes, vec![SheetNote::TextTruncated { row: 5, col: 0 }]);
    }

    #[test]
    fn a_sheet_over_the_grid_limits_fails_alone() {
        let file = xls_file(
            &[],
            &[
                S("wide", 0, 0, vec![label(0, 200, 0, "x")]),
                S("ok", 0, 0, vec![label(0, 0, 0, "y")]),
            ],
        );
        let limits = Limits {
            max_columns: 100,
            ..Limits::default()
        };
        let wb = read_xls(&file, &limits).unwrap();
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(wb.sheets[0].name, "ok");
        assert_eq!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge {
                limit: Limit::Columns { max: 100 }
            }
        );
    }

    // --- Robustness --------------------------------------------------------------------------

    /// Flips bytes of a file's Workbook stream (deterministically) and checks that every result
    /// is an answer, never a panic.
    fn fuzz(file: &[u8], default_rounds: usize, seed: u64) {
        let stream = Cfb::parse(file).unwrap().read_stream("Workbook").unwrap();
        let len = stream.data.len();
        let mut rng = Rng(seed);
        for round in 0..rounds(default_rounds) {
            let mut f = file.to_vec();
            for _ in 0..1 + rng.below(4) {
                let at = stream.file_offset(rng.below(len)).unwrap();
                f[at] = match rng.below(4) {
                    0 => 0xFF,
                    1 => 0,
                    _ => rng.next() as u8,
                };
            }
            // A panic here names the round that caused it.
            let answer = std::panic::catch_unwind(|| read(&f));
            assert!(answer.is_ok(), "round {round} panicked");
        }
    }

    #[test]
    fn mutated_fixtures_never_panic() {
        fuzz(FIXTURE, 400, 0x2545_F491_4F6C_DD1D);
        fuzz(POVERTY, 400, 0x9E37_79B9_7F4A_7C15);
    }

    /// A small workbook with one of everything the pre-flight looks at.
    fn crafted() -> Vec<u8> {
        let mut sst = u16s(&[2, 0, 2, 0]);
        sst.extend(xl_string("甲"));
        sst.extend(xl_string("乙"));
        let mut lbl = vec![0, 0, 0, 1, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b'n'];
        lbl.extend_from_slice(&[0x3B, 0, 0, 1, 0, 4, 0, 0, 0, 0, 0]);
        let mut globals = styles([8, 10, 12, 16, 0x7FFF]);
        globals.extend([
            rec(rt::SST, &sst),
            rec(rt::EXTERNSHEET, &u16s(&[1, 0, 0, 0])),
            rec(rt::LBL, &lbl),
        ]);
        let mut lsst = u16s(&[3, 1, 1]);
        lsst.extend_from_slice(&1u32.to_le_bytes());
        let cells = vec![
            rec(rt::DIMENSIONS, &[0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 4, 0, 0, 0]),
            label(0, 0, 1, "姓名"),
            number(1, 1, 2, 3.0),
            formula(2, 2, 5.0, &[0x1E, 2, 0, 0x1E, 3, 0, 0x03], 7),
            rec(rt::LABELSST, &lsst),
            rec(rt::MULRK, &u16s(&[4, 0, 0, 0, 0x4000, 0, 0, 0x4000, 1])),
            rec(rt::MERGEDCELLS, &u16s(&[1, 0, 0, 0, 1])),
            dv(&[0x17, 1, 0, b'a'], &[[1, 5, 0, 0]]),
        ];
        xls_file(&globals, &[S("S", 0, 0, cells)])
    }

    #[test]
    fn crafted_workbook_reads() {
        let wb = read(&crafted()).unwrap();
        let s = &wb.sheets[0];
        assert_eq!(s.grid.get(2, 2), &Value::Number(5.0));
        assert_eq!(s.grid.get(3, 1), &text("乙"));
        assert_eq!(s.grid.get(4, 1), &Value::Number(2.0));
        assert_eq!(s.red_cells, vec![(0, 0), (3, 1)]);
        assert_eq!(s.merges, vec![Rect::new(0, 0, 0, 1)]);
        assert_eq!(
            s.validations[0].source,
            ListSource::Values(vec!["a".into()])
        );
    }

    #[test]
    fn mutated_crafted_workbooks_never_panic() {
        fuzz(&crafted(), 3000, 0xD1B5_4A32_D192_ED03);
    }

    /// Flips bytes of a file outside its Workbook stream (header, FAT, directory, mini FAT)
    /// and checks that the container reader never panics.
    fn fuzz_container(file: &[u8], default_rounds: usize, seed: u64) {
        let stream = Cfb::parse(file).unwrap().read_stream("Workbook").unwrap();
        let data: std::collections::HashSet<usize> = (0..stream.data.len())
            .filter_map(|p| stream.file_offset(p))
            .collect();
        let targets: Vec<usize> = (0..file.len()).filter(|p| !data.contains(p)).collect();
        let mut rng = Rng(seed);
        for round in 0..rounds(default_rounds) {
            let mut f = file.to_vec();
            for _ in 0..1 + rng.below(3) {
                let at = targets[rng.below(targets.len())];
                f[at] = match rng.below(4) {
                    0 => 0xFF,
                    1 => 0,
                    2 => rng.below(20) as u8,
                    _ => rng.next() as u8,
                };
            }
            // A panic here names the round that caused it.
            let answer = std::panic::catch_unwind(|| read(&f));
            assert!(answer.is_ok(), "round {round} panicked");
        }
    }

    #[test]
    fn mutated_containers_never_panic() {
        // The fixture keeps its Workbook stream in the FAT, the crafted file in the mini stream.
        fuzz_container(FIXTURE, 1000, 0x5851_F42D_4C95_7F2D);
        fuzz_container(&crafted(), 1000, 0x1405_7B7E_F767_814F);
    }

    /// Fuzz rounds: `default`, or `YIBIAO_FUZZ_ROUNDS` for a longer run (in release mode).
    fn rounds(default: usize) -> usize {
        std::env::var("YIBIAO_FUZZ_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    /// A xorshift generator: deterministic, so a failure names a reproducible round.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            self.next() as usize % n
        }

        /// A record of one of `types`, short or long, of mostly small or zero bytes.
        fn record(&mut self, types: &[u16]) -> Vec<u8> {
            let typ = types[self.below(types.len())];
            let len = match self.below(4) {
                0 => self.below(8),
                1 => 8 + self.below(24),
                _ => 20 + self.below(40),
            };
            let d: Vec<u8> = (0..len)
                .map(|_| match self.below(3) {
                    0 => 0,
                    1 => self.below(8) as u8,
                    _ => self.next() as u8,
                })
                .collect();
            rec(typ, &d)
        }
    }

    /// Random workbooks made of the records the reader parses, with random lengths and bytes.
    #[test]
    fn random_records_never_panic() {
        const GLOBAL: [u16; 12] = [
            rt::SST,
            rt::LBL,
            rt::EXTERNSHEET,
            rt::XF,
            rt::FONT,
            0x041E,
            rt::CODEPAGE,
            rt::DATEMODE,
            rt::BOF,
            rt::CONTINUE,
            rt::SUPBOOK,
            rt::PALETTE,
        ];
        const SHEET: [u16; 17] = [
            rt::FORMULA,
            rt::STRING,
            rt::LABEL,
            rt::RSTRING,
            rt::MULRK,
            rt::MERGEDCELLS,
            rt::DIMENSIONS,
            rt::BOOLERR,
            rt::RK,
            rt::NUMBER,
            rt::LABELSST,
            rt::DV,
            rt::BOF,
            rt::EOF,
            rt::CONTINUE,
            rt::WSBOOL,
            0x00BE,
        ];
        let mut rng = Rng(0x0123_4567_89AB_CDEF);
        for round in 0..rounds(2000) {
            let n = rng.below(6);
            let globals: Vec<Vec<u8>> = (0..n).map(|_| rng.record(&GLOBAL)).collect();
            let mut sheets = Vec::new();
            for name in ["a", "b"].iter().take(1 + rng.below(2)) {
                let n = rng.below(10);
                sheets.push(S(name, 0, 0, (0..n).map(|_| rng.record(&SHEET)).collect()));
            }
            let file = xls_file(&globals, &sheets);
            // A panic here names the round that caused it.
            let answer = std::panic::catch_unwind(|| read(&file));
            assert!(answer.is_ok(), "round {round} panicked");
        }
    }

    #[test]
    fn a_record_that_swallows_the_globals_eof_reads_safely() {
        // Found by the fuzz test: a BOUNDSHEET whose length swallows the globals' EOF makes the
        // globals walk frame the sheet's records differently from the sheet walk. Each walk
        // reads only what it frames itself, so the sheet still reads as written.
        let file = crafted();
        let stream = workbook_of(&file);
        let at = find_records(&stream, 0, rt::BOUNDSHEET)[0];
        let file = poke(&file, at - 2, &109u16.to_le_bytes());
        let wb = read(&file).unwrap();
        let s = &wb.sheets[0];
        assert_eq!(s.grid.get(2, 2), &Value::Number(5.0));
        assert_eq!(s.grid.get(0, 0), &text("姓名"));
    }
}
