//! Office Open XML workbooks: xlsx and xlsm through our own single-pass reader, xlsb through
//! calamine in the command-line tool (the web app asks for .xlsx instead).
//!
//! # xlsx and xlsm
//!
//! The zip has already passed [`zipguard::preflight`](super::zipguard::preflight), which
//! inflated every XML part exactly once while counting the bytes actually produced against the
//! limits. This module reads those inflated parts in place, with quick-xml's borrowing reader
//! (no copy of the input, no per-event buffer):
//!
//! 1. the package: `_rels/.rels` names the workbook part; the workbook's relationships name the
//!    sheet parts, the shared strings, the styles and the theme;
//! 2. `workbook.xml`: the sheets in tab order (name, hidden state, part), the 1904 date system
//!    and the defined names list validations may refer to;
//! 3. `sharedStrings.xml`: every string item into one text arena (rich-text runs joined,
//!    phonetic `<rPh>` runs left out, `_xHHHH_` escapes decoded); the claimed counts are never
//!    used to reserve memory, the arena grows as strings arrive;
//! 4. `styles.xml` (and the theme for theme colours): per cell format, two precomputed facts,
//!    "is a date format" and "has a red font";
//! 5. each worksheet in ONE pass: cells (into a [`GridBuilder`], which enforces the cell budget
//!    and the Excel grid), formulas saved without a result, merged regions, and list data
//!    validations in both the classic and the x14 extension form. The contents of
//!    `<sheetData>` (nearly all of a part's bytes) are read by a hand-written scanner that
//!    yields the same events quick-xml would, at a fraction of the cost; anything outside its
//!    narrow subset (comments, CDATA, damage) sends the sheet back to quick-xml alone.
//!
//! Why not calamine for xlsx: calamine opens the zip again and inflates each sheet a second
//! time (the pre-flight already did), parses the sheet once for cells and once more for merged
//! cells (and we parsed it a third time for data validations); it reserves memory from the
//! shared-string count a file claims, and it refuses a whole workbook over one macro sheet. On
//! the 200-form benchmark set (42 MB of sheet XML) the calamine path took more than twice as
//! long as this one, pre-flight included.
//!
//! Damage is contained: malformed XML or an entity reference other than XML's predefined
//! entities and character references (DTD entities are never expanded) fails only that sheet;
//! the other sheets are still read. A broken workbook, shared-strings or styles part fails the
//! file, since every sheet depends on it.
//!
//! # xlsb
//!
//! Read through calamine's streaming cell reader (values only: calamine exposes no merges or
//! styles for xlsb), natively only. calamine is not built into the web app (wasm32): with its
//! code pages and encoding tables it was a fifth of the bundle, for a format county offices
//! rarely send; there [`read_xlsb`] answers [`ReadError::Unsupported`], which asks for .xlsx.

use std::borrow::Cow;
use std::collections::HashMap;
#[cfg(not(target_arch = "wasm32"))]
use std::io::Cursor;

#[cfg(not(target_arch = "wasm32"))]
use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsb};
use quick_xml::events::{BytesRef, BytesStart, BytesText, Event};

use super::grid::{parse_a1_range, GridBuilder, Rect, Value, MAX_COLS, MAX_ROWS};
use super::xmlutil::{attr, entity_text};
use super::zipguard::ZipEntries;
use super::{Format, Limits, ListSource, ListValidation, Sheet, SheetNote, Workbook};
use crate::error::{ReadError, SheetError, SheetErrorKind};

/// The most list validations or merged regions kept per sheet; real forms have dozens.
const MAX_RANGES: usize = 100_000;
/// The most "formula without value" notes kept per sheet: a person reads them.
const MAX_FORMULA_NOTES: usize = 1000;
/// The most "text truncated" notes kept per sheet.
const MAX_TRUNCATION_NOTES: usize = 100;
/// The most fonts, cell formats or palette entries read from styles.xml. Excel itself stops at
/// 64,000 cell formats; the cap only bounds what a crafted part can make us keep.
const MAX_STYLE_ENTRIES: usize = 1 << 20;

/// quick-xml's reader over borrowed, already inflated bytes.
type XmlReader<'a> = quick_xml::Reader<&'a [u8]>;

/// A sheet as listed in `workbook.xml`, with the part its relationship points to.
struct SheetEntry {
    name: String,
    hidden: bool,
    rel_type: String,
    part: Option<String>,
}

/// A defined name of the workbook (lower-cased for lookup), with the sheet it is local to.
struct DefinedName {
    name: String,
    formula: String,
    local_sheet: Option<usize>,
}

/// What `workbook.xml` says.
struct WorkbookInfo {
    sheets: Vec<SheetEntry>,
    date1904: bool,
    names: Vec<DefinedName>,
}

/// What a cell format (`cellXfs` entry) means for the reader.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct XfInfo {
    /// The number format shows dates or times: numbers become [`Value::Date`].
    is_date: bool,
    /// The font is red: offices mark required columns this way.
    is_red: bool,
}

/// Everything a worksheet needs from the rest of the workbook.
struct Context<'a> {
    strings: &'a SharedStrings,
    xfs: &'a [XfInfo],
    date1904: bool,
    limits: &'a Limits,
}

/// The defined names a sheet sees: its own local names first, then the workbook's.
#[derive(Clone, Copy)]
struct Names<'a> {
    global: &'a HashMap<String, String>,
    local: Option<&'a HashMap<String, String>>,
}

/// Defined names looked up by lower-cased name, for [`list_source`].
pub(crate) trait DefinedNames {
    /// The formula a name stands for.
    fn lookup(&self, name: &str) -> Option<&str>;
}

impl DefinedNames for HashMap<String, String> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl DefinedNames for Names<'_> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.local
            .and_then(|l| l.get(name))
            .or_else(|| self.global.get(name))
            .map(String::as_str)
    }
}

/// Reads an xlsx/xlsm workbook from its pre-flighted zip entries. `_bytes` (the zip itself) is
/// no longer needed: every part is read from `entries`, which hold them inflated.
///
/// # Errors
/// [`ReadError::Damaged`] when the workbook part is missing, or the workbook, shared-strings or
/// styles part is malformed (every sheet depends on them). Sheets that fail alone (malformed
/// XML, missing part, over a limit, chart or macro sheets) go to [`Workbook::sheet_errors`].
pub fn read_xlsx(
    _bytes: &[u8],
    entries: ZipEntries,
    macros: bool,
    limits: &Limits,
) -> Result<Workbook, ReadError> {
    let workbook_part = office_document_part(&entries).unwrap_or_else(|| "xl/workbook.xml".into());
    let workbook_xml = entries
        .get(&workbook_part)
        .ok_or_else(|| ReadError::Damaged {
            detail: format!("缺少工作簿部件 / the workbook part is missing: {workbook_part}"),
        })?;
    let rels = entries
        .get(&rels_part_of(&workbook_part))
        .map(|r| parse_rels(r, part_dir(&workbook_part)))
        .unwrap_or_default();
    let info = parse_workbook(workbook_xml, &workbook_part, &rels).map_err(damaged_file)?;

    // Shared parts: found through the workbook's relationships, else at their usual place.
    let related = |kind: &str, usual: &str| {
        rels.values()
            .find(|(_, t)| rel_kind(t).eq_ignore_ascii_case(kind))
            .map(|(p, _)| p.clone())
            .unwrap_or_else(|| sibling_part(&workbook_part, usual))
    };
    let strings = match entries.get(&related("sharedStrings", "sharedStrings.xml")) {
        Some(xml) => parse_shared_strings(xml, limits).map_err(damaged_file)?,
        None => SharedStrings::default(),
    };
    let theme = entries
        .get(&related("theme", "theme/theme1.xml"))
        .and_then(parse_theme)
        .unwrap_or_else(|| DEFAULT_THEME.to_vec());
    let xfs = match entries.get(&related("styles", "styles.xml")) {
        Some(xml) => parse_styles(xml, &theme).map_err(damaged_file)?,
        None => Vec::new(),
    };
    let ctx = Context {
        strings: &strings,
        xfs: &xfs,
        date1904: info.date1904,
        limits,
    };

    // Defined names, grouped once: global ones, and those local to each sheet.
    let mut global_names: HashMap<String, String> = HashMap::new();
    let mut local_names: HashMap<usize, HashMap<String, String>> = HashMap::new();
    for n in info.names {
        match n.local_sheet {
            None => global_names.insert(n.name, n.formula),
            Some(i) => local_names.entry(i).or_default().insert(n.name, n.formula),
        };
    }
    let mut sheets = Vec::new();
    let mut sheet_errors = Vec::new();
    for (index, entry) in info.sheets.into_iter().enumerate() {
        let kind = rel_kind(&entry.rel_type).to_ascii_lowercase();
        let not_a_table = if kind.contains("macrosheet") {
            Some("宏表")
        } else if kind == "chartsheet" {
            Some("图表")
        } else if kind == "dialogsheet" {
            Some("对话框表")
        } else {
            None
        };
        if let Some(what) = not_a_table {
            sheet_errors.push(SheetError {
                sheet: entry.name,
                kind: SheetErrorKind::NotATable { what },
            });
            continue;
        }
        let Some(xml) = entry.part.as_deref().and_then(|p| entries.get(p)) else {
            sheet_errors.push(SheetError {
                kind: SheetErrorKind::Damaged {
                    detail: format!(
                        "缺少工作表部件 / the sheet's part is missing: {}",
                        entry.part.as_deref().unwrap_or("?")
                    ),
                },
                sheet: entry.name,
            });
            continue;
        };
        let names = Names {
            global: &global_names,
            local: local_names.get(&index),
        };
        let part = entry.part.as_deref().unwrap_or_default();
        match read_worksheet(xml, part, &ctx, names) {
            Ok(mut sheet) => {
                sheet.name = entry.name;
                sheet.hidden = entry.hidden;
                sheets.push(sheet);
            }
            Err(kind) => sheet_errors.push(SheetError {
                sheet: entry.name,
                kind,
            }),
        }
    }
    Ok(Workbook {
        format: if macros { Format::Xlsm } else { Format::Xlsx },
        encoding: None,
        sheets,
        sheet_errors,
    })
}

/// Reads an xlsb workbook (values only: calamine exposes no merges or styles for xlsb).
///
/// # Errors
/// [`ReadError::Encrypted`] for a password-protected workbook, [`ReadError::Damaged`] when
/// calamine cannot open it. Sheets that fail alone go to [`Workbook::sheet_errors`].
#[cfg(not(target_arch = "wasm32"))]
pub fn read_xlsb(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let mut xlsb: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsbError::Password => ReadError::Encrypted,
        e => ReadError::Damaged {
            detail: e.to_string(),
        },
    })?;
    let metadata: Vec<(String, SheetType, bool)> = xlsb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.typ, s.visible != SheetVisible::Visible))
        .collect();
    let mut sheets = Vec::new();
    let mut sheet_errors = Vec::new();
    for (name, typ, hidden) in metadata {
        if typ != SheetType::WorkSheet {
            sheet_errors.push(SheetError {
                sheet: name,
                kind: SheetErrorKind::NotATable { what: "图表" },
            });
            continue;
        }
        let result = (|| {
            let mut reader = xlsb.worksheet_cells_reader(&name).map_err(sheet_damaged)?;
            let mut grid = GridBuilder::new(limits.max_cells, limits.max_columns);
            let mut notes = Vec::new();
            while let Some(cell) = reader.next_cell().map_err(sheet_damaged)? {
                let (row, col) = cell.get_position();
                let value = data_ref_value(cell.get_value(), limits, row, col, &mut notes);
                grid.set(row, col, value)
                    .map_err(|limit| SheetErrorKind::TooLarge { limit })?;
            }
            Ok(Sheet {
                name: name.clone(),
                hidden,
                grid: grid.finish(),
                notes,
                ..Sheet::default()
            })
        })();
        match result {
            Ok(sheet) => sheets.push(sheet),
            Err(kind) => sheet_errors.push(SheetError { sheet: name, kind }),
        }
    }
    Ok(Workbook {
        format: Format::Xlsb,
        encoding: None,
        sheets,
        sheet_errors,
    })
}

/// The web app does not read xlsb: calamine, which reads it natively, would more than double
/// the size of the browser bundle for a format county offices rarely send.
///
/// # Errors
/// Always [`ReadError::Unsupported`], which asks to save the file as .xlsx.
#[cfg(target_arch = "wasm32")]
pub fn read_xlsb(_bytes: &[u8], _limits: &Limits) -> Result<Workbook, ReadError> {
    Err(ReadError::Unsupported { format: XLSB })
}

/// The format name of xlsb in messages.
pub const XLSB: &str = "Excel 二进制工作簿（.xlsb）";

#[cfg(not(target_arch = "wasm32"))]
fn sheet_damaged(e: impl std::fmt::Display) -> SheetErrorKind {
    SheetErrorKind::Damaged {
        detail: e.to_string(),
    }
}

fn damaged_file(detail: String) -> ReadError {
    ReadError::Damaged { detail }
}

/// The technical detail of an XML error in a part.
fn xml_error(part: &str, e: impl std::fmt::Display, position: u64) -> String {
    format!("{part}: {e} (byte {position})")
}

fn cut_short(part: &str, position: u64) -> String {
    format!("{part}: 部件提前结束 / the part ends inside an element (byte {position})")
}

/// Counts open elements so that the end of a part inside an element is an error: quick-xml
/// checks that end tags match their start tags, but treats the end of the input as a normal
/// end, which would make a part cut short look complete.
#[derive(Default)]
struct Depth(usize);

impl Depth {
    fn track(&mut self, event: &Event<'_>, part: &str, position: u64) -> Result<(), String> {
        match event {
            Event::Start(_) => self.0 += 1,
            Event::End(_) => self.0 = self.0.saturating_sub(1),
            Event::Eof if self.0 > 0 => return Err(cut_short(part, position)),
            _ => {}
        }
        Ok(())
    }
}

fn unknown_entity(part: &str, name: &str, position: u64) -> String {
    format!("{part}: 未知的 XML 实体 / unknown entity &{name}; (byte {position})")
}

/// Offices mark required columns in red; accept the reds people actually pick.
pub(crate) fn is_red(r: u8, g: u8, b: u8) -> bool {
    r >= 0xC0 && g <= 0x50 && b <= 0x50
}

/// Converts one calamine value to ours (xlsb).
#[cfg(not(target_arch = "wasm32"))]
fn data_ref_value(
    data: &DataRef<'_>,
    limits: &Limits,
    row: u32,
    col: u32,
    notes: &mut Vec<SheetNote>,
) -> Value {
    let text = |s: &str, notes: &mut Vec<SheetNote>| {
        if s.chars().count() > limits.max_text_chars {
            notes.push(SheetNote::TextTruncated { row, col });
            Value::Text(s.chars().take(limits.max_text_chars).collect())
        } else {
            Value::Text(s.to_string())
        }
    };
    match data {
        DataRef::Empty => Value::Empty,
        DataRef::Int(i) => Value::Number(*i as f64),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::String(s) => text(s, notes),
        DataRef::SharedString(s) => text(s, notes),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(dt) => excel_date_value(dt),
        DataRef::DateTimeIso(s) => Value::Date(s.clone()),
        DataRef::DurationIso(s) => Value::Text(s.clone()),
        DataRef::Error(e) => Value::Error(e.to_string()),
    }
}

/// A calamine date serial as an ISO date (or date-time when it has a time of day).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn excel_date_value(dt: &calamine::ExcelDateTime) -> Value {
    if dt.is_duration() {
        return Value::Number(dt.as_f64());
    }
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        Value::Date(format!("{y:04}-{mo:02}-{d:02}"))
    } else {
        Value::Date(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"))
    }
}

// ---------------------------------------------------------------------------------------------
// Package: relationships and the workbook part.

/// The workbook part named by the package relationships (usually `xl/workbook.xml`).
fn office_document_part(entries: &ZipEntries) -> Option<String> {
    let rels = entries.get("_rels/.rels")?;
    parse_rels(rels, "")
        .into_iter()
        .find(|(_, (_, typ))| typ.ends_with("/officeDocument"))
        .map(|(_, (target, _))| target)
}

/// `dir/x.xml` + `y.xml` → `dir/y.xml`.
fn sibling_part(part: &str, name: &str) -> String {
    format!("{}{name}", part_dir(part))
}

/// The directory of a part, with its trailing `/` (empty at the root).
fn part_dir(part: &str) -> &str {
    match part.rfind('/') {
        Some(i) => &part[..=i],
        None => "",
    }
}

/// `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`.
fn rels_part_of(part: &str) -> String {
    let file = part.rsplit('/').next().unwrap_or(part);
    format!("{}_rels/{file}.rels", part_dir(part))
}

/// The relationships of a part: id → (absolute target part, type). `base` is the directory
/// relative targets are resolved against (with a trailing `/`, or empty). A malformed part
/// yields the relationships read before the error: a missing target then shows up as a
/// missing part, which names the problem better than a parse error would.
fn parse_rels(xml: &[u8], base: &str) -> HashMap<String, (String, String)> {
    let mut out = HashMap::new();
    let mut reader = XmlReader::from_reader(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                let id = attr(&e, "Id").unwrap_or_default();
                let target = attr(&e, "Target").unwrap_or_default();
                let typ = attr(&e, "Type").unwrap_or_default();
                out.insert(id, (resolve_target(base, &target), typ));
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// Resolves a relationship target against a base directory, handling `/abs` and `../`.
fn resolve_target(base: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The last segment of a relationship type: `…/relationships/worksheet` → `worksheet`.
fn rel_kind(rel_type: &str) -> &str {
    rel_type.rsplit('/').next().unwrap_or("")
}

/// Reads `workbook.xml`: the sheets in tab order, the date system and the defined names.
fn parse_workbook(
    xml: &[u8],
    part: &str,
    rels: &HashMap<String, (String, String)>,
) -> Result<WorkbookInfo, String> {
    let mut info = WorkbookInfo {
        sheets: Vec::new(),
        date1904: false,
        names: Vec::new(),
    };
    let mut reader = XmlReader::from_reader(xml);
    // The defined name being read: its text arrives as text and entity events.
    let mut name: Option<DefinedName> = None;
    let mut depth = Depth::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(part, e, reader.error_position()))?;
        depth.track(&event, part, reader.buffer_position())?;
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "sheet" => {
                    let rid = attr(&e, "id").unwrap_or_default();
                    let (part, rel_type) = match rels.get(&rid) {
                        Some((t, ty)) => (Some(t.clone()), ty.clone()),
                        None => (None, String::new()),
                    };
                    info.sheets.push(SheetEntry {
                        name: attr(&e, "name").unwrap_or_default(),
                        hidden: matches!(
                            attr(&e, "state").as_deref(),
                            Some("hidden" | "veryHidden")
                        ),
                        rel_type,
                        part,
                    });
                }
                "workbookPr" => {
                    info.date1904 = matches!(attr(&e, "date1904").as_deref(), Some("1" | "true"));
                }
                "definedName" if is_start => {
                    name = Some(DefinedName {
                        name: attr(&e, "name").unwrap_or_default().to_lowercase(),
                        formula: String::new(),
                        local_sheet: attr(&e, "localSheetId").and_then(|v| v.trim().parse().ok()),
                    });
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some(n) = name.as_mut() {
                    n.formula.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(n) = name.as_mut() {
                    n.formula.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let text = entity_text(&r)
                    .ok_or_else(|| unknown_entity(part, &r, reader.buffer_position()))?;
                if let Some(n) = name.as_mut() {
                    n.formula.push_str(&text);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "definedName" => {
                if let Some(n) = name.take() {
                    if info.names.len() < MAX_RANGES {
                        info.names.push(n);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(info)
}

// ---------------------------------------------------------------------------------------------
// Shared strings.

/// The shared-string table: every item's text in one arena, so a table of millions of tiny
/// items costs one offset each rather than one allocation each.
#[derive(Debug, Default)]
struct SharedStrings {
    text: String,
    /// End offset in `text` of each item; an item starts where the previous one ends.
    ends: Vec<usize>,
    /// Indices (ascending) of the items cut at the text limit.
    truncated: Vec<usize>,
}

impl SharedStrings {
    /// Item `i`, and whether it was cut at the text limit; `None` out of range.
    fn get(&self, i: usize) -> Option<(&str, bool)> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        let text = self.text.get(start..end)?;
        let cut = !self.truncated.is_empty() && self.truncated.binary_search(&i).is_ok();
        Some((text, cut))
    }

    /// Closes the item that started at byte `start` of the arena: decodes `_xHHHH_` escapes
    /// and applies the text limit.
    fn finish_item(&mut self, start: usize, max_chars: usize) {
        let item = self.text.get(start..).unwrap_or_default();
        if let Cow::Owned(decoded) = decode_escapes(item) {
            self.text.truncate(start);
            self.text.push_str(&decoded);
        }
        let item = self.text.get(start..).unwrap_or_default();
        // Bytes ≥ chars, so only a long item needs counting.
        if item.len() > max_chars {
            if let Some((cut, _)) = item.char_indices().nth(max_chars) {
                self.text.truncate(start + cut);
                self.truncated.push(self.ends.len());
            }
        }
        self.ends.push(self.text.len());
    }
}

/// Reads `sharedStrings.xml`. An item's text is its `<t>` plus the `<t>` of its rich-text runs;
/// phonetic runs (`<rPh>`, the furigana of Japanese files) are not part of the cell's text.
fn parse_shared_strings(xml: &[u8], limits: &Limits) -> Result<SharedStrings, String> {
    const PART: &str = "sharedStrings.xml";
    let mut out = SharedStrings::default();
    let mut reader = XmlReader::from_reader(xml);
    let mut in_item = false;
    let mut in_text = false;
    let mut phonetic_depth = 0u32;
    let mut start = 0;
    let mut depth = Depth::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(PART, e, reader.error_position()))?;
        depth.track(&event, PART, reader.buffer_position())?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => {
                    in_item = true;
                    in_text = false;
                    phonetic_depth = 0;
                    start = out.text.len();
                }
                "t" if in_item && phonetic_depth == 0 => in_text = true,
                "rPh" if in_item => {
                    phonetic_depth += 1;
                    in_text = false;
                }
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => out.ends.push(out.text.len()),
            Event::End(e) => match e.local_name().as_ref() {
                "si" if in_item => {
                    out.finish_item(start, limits.max_text_chars);
                    in_item = false;
                    in_text = false;
                }
                "t" => in_text = false,
                "rPh" => phonetic_depth = phonetic_depth.saturating_sub(1),
                _ => {}
            },
            Event::Text(t) if in_text => out.text.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => out.text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let text = entity_text(&r)
                    .ok_or_else(|| unknown_entity(PART, &r, reader.buffer_position()))?;
                if in_text {
                    out.text.push_str(&text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Decodes OOXML's `_xHHHH_` escapes (characters XML cannot carry, such as `_x000D_` for a
/// carriage return; `_x005F_` escapes a literal underscore). UTF-16 surrogate pairs written as
/// two escapes are joined; anything that is not a valid escape stays as written.
fn decode_escapes(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    // Nearly every text has no escape; a one-byte search is the cheapest way to rule it out.
    if !memchr::memchr_iter(b'_', bytes).any(|i| bytes.get(i + 1) == Some(&b'x')) {
        return Cow::Borrowed(s);
    }
    let unit_at = |i: usize| -> Option<u32> {
        let b = bytes.get(i..i + 7)?;
        if b[0] != b'_' || b[1] != b'x' || b[6] != b'_' {
            return None;
        }
        let hex = std::str::from_utf8(&b[2..6]).ok()?;
        u32::from_str_radix(hex, 16).ok()
    };
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = memchr::memmem::find(&bytes[i..], b"_x") {
        let at = i + off;
        let decoded = match unit_at(at) {
            Some(hi @ 0xD800..=0xDBFF) => match unit_at(at + 7) {
                Some(lo @ 0xDC00..=0xDFFF) => {
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)).map(|c| (c, 14))
                }
                _ => None,
            },
            Some(unit) => char::from_u32(unit).map(|c| (c, 7)),
            None => None,
        };
        match decoded {
            Some((c, len)) => {
                out.push_str(s.get(copied..at).unwrap_or_default());
                out.push(c);
                i = at + len;
                copied = i;
            }
            None => i = at + 1,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(s);
    }
    out.push_str(s.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

// ---------------------------------------------------------------------------------------------
// Styles: which cell formats are dates, which fonts are red.

type Rgb = (u8, u8, u8);

/// Excel's default theme colours by `theme` index (lt1, dk1, lt2, dk2 come first, swapped
/// from their order in the theme part), used when the theme part is missing or unreadable.
const DEFAULT_THEME: [Rgb; 12] = [
    (0xFF, 0xFF, 0xFF),
    (0x00, 0x00, 0x00),
    (0xEE, 0xEC, 0xE1),
    (0x1F, 0x49, 0x7D),
    (0x4F, 0x81, 0xBD),
    (0xC0, 0x50, 0x4D),
    (0x9B, 0xBB, 0x59),
    (0x80, 0x64, 0xA2),
    (0x4B, 0xAC, 0xC6),
    (0xF7, 0x96, 0x46),
    (0x00, 0x00, 0xFF),
    (0x80, 0x00, 0x80),
];

/// The default indexed palette (ECMA-376 18.8.27); 2 and 10 are red.
pub(crate) const DEFAULT_PALETTE: [u32; 64] = [
    0x000000, 0xFFFFFF, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0xFF00FF, 0x00FFFF, 0x000000,
    0xFFFFFF, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0xFF00FF, 0x00FFFF, 0x800000, 0x008000,
    0x000080, 0x808000, 0x800080, 0x008080, 0xC0C0C0, 0x808080, 0x9999FF, 0x993366, 0xFFFFCC,
    0xCCFFFF, 0x660066, 0xFF8080, 0x0066CC, 0xCCCCFF, 0x000080, 0xFF00FF, 0xFFFF00, 0x00FFFF,
    0x800080, 0x800000, 0x008080, 0x0000FF, 0x00CCFF, 0xCCFFFF, 0xCCFFCC, 0xFFFF99, 0x99CCFF,
    0xFF99CC, 0xCC99FF, 0xFFCC99, 0x3366FF, 0x33CCCC, 0x99CC00, 0xFFCC00, 0xFF9900, 0xFF6600,
    0x666699, 0x969696, 0x003366, 0x339966, 0x003300, 0x333300, 0x993300, 0x993366, 0x333399,
    0x333333,
];

/// A colour as a font declares it, resolved once the whole styles part (whose custom palette
/// comes after the fonts) has been read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ColorSpec {
    Rgb(Rgb),
    Theme(usize),
    Indexed(usize),
}

/// `FFFF0000` (ARGB) or `FF0000` (RGB).
fn parse_hex_color(v: &str) -> Option<Rgb> {
    let v = v.trim();
    let hex = match v.len() {
        8 => v.get(2..)?,
        6 => v,
        _ => return None,
    };
    let n = u32::from_str_radix(hex, 16).ok()?;
    Some(rgb_of(n))
}

fn rgb_of(n: u32) -> Rgb {
    (
        ((n >> 16) & 0xFF) as u8,
        ((n >> 8) & 0xFF) as u8,
        (n & 0xFF) as u8,
    )
}

/// A `<color>` element: rgb, theme or indexed, with an optional tint.
fn parse_color(e: &BytesStart<'_>) -> Option<(ColorSpec, f64)> {
    let spec = if let Some(rgb) = attr(e, "rgb") {
        ColorSpec::Rgb(parse_hex_color(&rgb)?)
    } else if let Some(theme) = attr(e, "theme") {
        ColorSpec::Theme(theme.trim().parse().ok()?)
    } else if let Some(indexed) = attr(e, "indexed") {
        ColorSpec::Indexed(indexed.trim().parse().ok()?)
    } else {
        return None;
    };
    let tint = attr(e, "tint")
        .and_then(|t| t.trim().parse::<f64>().ok())
        .filter(|t| t.is_finite())
        .unwrap_or(0.0);
    Some((spec, tint))
}

fn resolve_color(spec: ColorSpec, tint: f64, theme: &[Rgb], palette: &[Rgb]) -> Rgb {
    let rgb = match spec {
        ColorSpec::Rgb(c) => c,
        ColorSpec::Theme(i) => theme.get(i).copied().unwrap_or((0, 0, 0)),
        ColorSpec::Indexed(i) => match palette.get(i) {
            Some(&c) => c,
            None => match DEFAULT_PALETTE.get(i) {
                Some(&n) => rgb_of(n),
                // 64 is the system foreground (black), 65 the background (white).
                None if i == 65 => (0xFF, 0xFF, 0xFF),
                None => (0, 0, 0),
            },
        },
    };
    if tint == 0.0 {
        rgb
    } else {
        apply_tint(rgb, tint)
    }
}

/// Applies a tint to the luminance of a colour (ECMA-376 18.8.19), as Excel shows it.
fn apply_tint((r, g, b): Rgb, tint: f64) -> Rgb {
    let (r, g, b) = (
        f64::from(r) / 255.0,
        f64::from(g) / 255.0,
        f64::from(b) / 255.0,
    );
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let lum = (max + min) / 2.0;
    let (hue, sat) = if max == min {
        (0.0, 0.0)
    } else {
        let delta = max - min;
        let sat = if lum > 0.5 {
            delta / (2.0 - max - min)
        } else {
            delta / (max + min)
        };
        let hue = if max == r {
            (g - b) / delta + if g < b { 6.0 } else { 0.0 }
        } else if max == g {
            (b - r) / delta + 2.0
        } else {
            (r - g) / delta + 4.0
        };
        (hue / 6.0, sat)
    };
    let lum = if tint < 0.0 {
        lum * (1.0 + tint)
    } else {
        lum * (1.0 - tint) + tint
    }
    .clamp(0.0, 1.0);
    let channel = |v: f64| (v * 255.0).round().clamp(0.0, 255.0) as u8;
    if sat == 0.0 {
        let grey = channel(lum);
        return (grey, grey, grey);
    }
    let q = if lum < 0.5 {
        lum * (1.0 + sat)
    } else {
        lum + sat - lum * sat
    };
    let p = 2.0 * lum - q;
    let hue_channel = |h: f64| {
        let h = h.rem_euclid(1.0);
        channel(if h < 1.0 / 6.0 {
            p + (q - p) * 6.0 * h
        } else if h < 0.5 {
            q
        } else if h < 2.0 / 3.0 {
            p + (q - p) * (2.0 / 3.0 - h) * 6.0
        } else {
            p
        })
    };
    (
        hue_channel(hue + 1.0 / 3.0),
        hue_channel(hue),
        hue_channel(hue - 1.0 / 3.0),
    )
}

/// The theme's colour scheme by `theme` index; `None` when the part cannot be read or names
/// too few colours (the default theme is used then).
fn parse_theme(xml: &[u8]) -> Option<Vec<Rgb>> {
    const SLOTS: [&str; 12] = [
        "dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5",
        "accent6", "hlink", "folHlink",
    ];
    let mut reader = XmlReader::from_reader(xml);
    let mut colors = Vec::new();
    let mut in_scheme = false;
    let mut slot_open = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if name == "clrScheme" {
                    in_scheme = true;
                } else if in_scheme && SLOTS.contains(&name) {
                    slot_open = true;
                } else if in_scheme && slot_open && (name == "srgbClr" || name == "sysClr") {
                    let color = attr(&e, "lastClr")
                        .and_then(|v| parse_hex_color(&v))
                        .or_else(|| attr(&e, "val").and_then(|v| parse_hex_color(&v)));
                    if let Some(c) = color {
                        colors.push(c);
                        slot_open = false;
                    }
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                if name.as_ref() == "clrScheme" {
                    break;
                }
                if slot_open && SLOTS.contains(&name.as_ref()) {
                    // A slot without a colour we understand keeps its place.
                    colors.push((0, 0, 0));
                    slot_open = false;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if colors.len() < 4 {
        return None;
    }
    // Excel's theme indices swap dk1/lt1 and dk2/lt2 relative to the scheme's order.
    colors.swap(0, 1);
    colors.swap(2, 3);
    Some(colors)
}

/// Built-in number formats that show dates or times: 14–22, the East Asian date formats
/// 27–36 and 50–58 (`yyyy"年"m"月"` and friends), and 45 and 47 (`mm:ss`, `mmss.0`). 46,
/// `[h]:mm:ss`, is elapsed time (a duration, not a point in time) and stays a number.
pub(crate) fn builtin_is_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45 | 47 | 50..=58)
}

/// True when a custom number format shows a date or time: it has a y/m/d/h/s token outside
/// quoted text, escapes and `[...]` sections. Only the first section (positive numbers)
/// decides. Elapsed-time formats (`[h]:mm`, `[mm]:ss`) are durations and stay numbers.
pub(crate) fn format_is_date(code: &str) -> bool {
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                // Quoted literal text: skip to the closing quote.
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            // `\x` is a literal, `_x` leaves the width of x, `*x` repeats x.
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => return false,
            '[' => {
                let mut empty = true;
                let mut elapsed = true;
                for b in chars.by_ref() {
                    if b == ']' {
                        break;
                    }
                    empty = false;
                    elapsed &= matches!(b, 'h' | 'H' | 'm' | 'M' | 's' | 'S');
                }
                if elapsed && !empty {
                    return false;
                }
            }
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' => return true,
            _ => {}
        }
    }
    false
}

/// Which section of styles.xml the reader is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StyleSection {
    None,
    NumFmts,
    Fonts,
    CellXfs,
    IndexedColors,
}

/// Reads `styles.xml` into one [`XfInfo`] per cell format, indexed like the cells' `s`.
fn parse_styles(xml: &[u8], theme: &[Rgb]) -> Result<Vec<XfInfo>, String> {
    const PART: &str = "styles.xml";
    let mut reader = XmlReader::from_reader(xml);
    let mut date_formats: HashMap<u32, bool> = HashMap::new();
    let mut fonts: Vec<Option<(ColorSpec, f64)>> = Vec::new();
    let mut xfs: Vec<(u32, usize)> = Vec::new();
    let mut palette: Vec<Rgb> = Vec::new();
    let mut section = StyleSection::None;
    let mut in_font = false;
    let mut depth = Depth::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(PART, e, reader.error_position()))?;
        depth.track(&event, PART, reader.buffer_position())?;
        let (e, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                match e.local_name().as_ref() {
                    "numFmts" | "fonts" | "cellXfs" | "indexedColors" => {
                        section = StyleSection::None
                    }
                    "font" => in_font = false,
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match (section, e.local_name().as_ref()) {
            (_, "numFmts") if !empty => section = StyleSection::NumFmts,
            (_, "fonts") if !empty => section = StyleSection::Fonts,
            (_, "cellXfs") if !empty => section = StyleSection::CellXfs,
            (_, "indexedColors") if !empty => section = StyleSection::IndexedColors,
            (StyleSection::NumFmts, "numFmt") => {
                if let Some(id) = attr(&e, "numFmtId").and_then(|v| v.trim().parse().ok()) {
                    let code = attr(&e, "formatCode").unwrap_or_default();
                    if date_formats.len() < MAX_STYLE_ENTRIES {
                        date_formats.insert(id, format_is_date(&code));
                    }
                }
            }
            (StyleSection::Fonts, "font") => {
                if fonts.len() < MAX_STYLE_ENTRIES {
                    fonts.push(None);
                }
                in_font = !empty;
            }
            (StyleSection::Fonts, "color") if in_font => {
                if let Some(font) = fonts.last_mut() {
                    *font = parse_color(&e);
                }
            }
            (StyleSection::CellXfs, "xf") if xfs.len() < MAX_STYLE_ENTRIES => {
                let num_fmt = attr(&e, "numFmtId")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                let font = attr(&e, "fontId")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                xfs.push((num_fmt, font));
            }
            (StyleSection::IndexedColors, "rgbColor") if palette.len() < MAX_STYLE_ENTRIES => {
                let rgb = attr(&e, "rgb").and_then(|v| parse_hex_color(&v));
                palette.push(rgb.unwrap_or((0, 0, 0)));
            }
            _ => {}
        }
    }
    let red_fonts: Vec<bool> = fonts
        .iter()
        .map(|f| {
            f.is_some_and(|(spec, tint)| {
                let (r, g, b) = resolve_color(spec, tint, theme, &palette);
                is_red(r, g, b)
            })
        })
        .collect();
    Ok(xfs
        .iter()
        .map(|&(num_fmt, font)| XfInfo {
            is_date: date_formats
                .get(&num_fmt)
                .copied()
                .unwrap_or_else(|| builtin_is_date(num_fmt)),
            is_red: red_fonts.get(font).copied().unwrap_or(false),
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Dates.

/// Days from 1970-01-01 to a civil date (proleptic Gregorian), inverse of [`civil_from_days`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's algorithm: eras of 400 years starting on 0000-03-01.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// An Excel date serial as ISO text: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` when it has a time
/// of day (rounded to the second). `None` outside Excel's dates (negative, or after
/// 9999-12-31), where the number is kept as a number.
///
/// In the 1900 system Excel counts the non-existent 1900-02-29 as serial 60 (a bug kept from
/// Lotus 1-2-3): serials below 60 are one day later than a plain count from 1899-12-30, and
/// 60 itself is shown as 1900-02-29. Serial 0 is Excel's "1900-01-00", given as 1899-12-31.
pub(crate) fn serial_to_iso(serial: f64, date1904: bool) -> Option<String> {
    // 9999-12-31 is serial 2,958,465 (1900 system) or 2,957,003 (1904 system).
    let limit = if date1904 { 2_957_004.0 } else { 2_958_466.0 };
    if !serial.is_finite() || serial < 0.0 || serial >= limit {
        return None;
    }
    let mut days = serial.floor() as i64;
    let mut secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if secs >= 86_400 {
        days += 1;
        secs -= 86_400;
    }
    if days as f64 >= limit {
        return None;
    }
    let (y, m, d) = if date1904 {
        civil_from_days(days - 24_107)
    } else if days == 60 {
        (1900, 2, 29)
    } else if days < 60 {
        civil_from_days(days - 25_568)
    } else {
        civil_from_days(days - 25_569)
    };
    Some(if secs == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    })
}

/// A `t="d"` cell's ISO 8601 text, shortened like Excel dates elsewhere: to the second, without
/// a zone, and without a midnight time. Text that is not an ISO date-time stays as written.
fn iso_date_value(text: &str) -> Value {
    let b = text.as_bytes();
    let is_digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let date_ok = b.len() >= 10
        && is_digits(0..4)
        && b[4] == b'-'
        && is_digits(5..7)
        && b[7] == b'-'
        && is_digits(8..10);
    if !date_ok {
        return Value::Date(text.to_string());
    }
    let date = &text[..10];
    let time_ok = b.len() >= 19
        && b[10] == b'T'
        && is_digits(11..13)
        && b[13] == b':'
        && is_digits(14..16)
        && b[16] == b':'
        && is_digits(17..19);
    if b.len() == 10 || (time_ok && &text[11..19] == "00:00:00") {
        Value::Date(date.to_string())
    } else if time_ok {
        Value::Date(text[..19].to_string())
    } else {
        Value::Date(text.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Worksheets.

/// The `t` attribute of a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CellType {
    Number,
    Shared,
    FormulaText,
    Inline,
    Bool,
    Error,
    Date,
}

impl CellType {
    fn from_attr(v: &[u8]) -> CellType {
        match v {
            b"s" => CellType::Shared,
            b"str" => CellType::FormulaText,
            b"inlineStr" => CellType::Inline,
            b"b" => CellType::Bool,
            b"e" => CellType::Error,
            b"d" => CellType::Date,
            _ => CellType::Number,
        }
    }
}

/// The `<c>` element being read.
struct OpenCell {
    row: u32,
    col: u32,
    typ: CellType,
    style: usize,
    /// A `<v>` or `<is>` was present.
    has_value: bool,
    /// An `<f>` was present.
    formula: bool,
}

/// A `<dataValidation>` being read.
struct OpenValidation {
    is_list: bool,
    sqref: String,
    formula: String,
}

/// Where text events go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    None,
    Cell,
    Formula,
    Sqref,
}

/// A cell reference such as `B3` → 0-based (row, column). Positions past Excel's grid are kept
/// (saturated) so that [`GridBuilder::set`] refuses them with [`Limit::OutsideGrid`]; row 0
/// lies outside the grid too. `None` for text that is not a cell reference.
///
/// [`Limit::OutsideGrid`]: crate::error::Limit::OutsideGrid
fn parse_cell_ref(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = usize::from(b.first() == Some(&b'$'));
    let mut col: u64 = 0;
    let letters = i;
    while let Some(c) = b.get(i).filter(|c| c.is_ascii_alphabetic()) {
        col = (col * 26 + u64::from(c.to_ascii_uppercase() - b'A' + 1)).min(u64::from(u32::MAX));
        i += 1;
    }
    if i == letters {
        return None;
    }
    if b.get(i) == Some(&b'$') {
        i += 1;
    }
    let digits = i;
    let mut row: u64 = 0;
    while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
        row = (row * 10 + u64::from(d - b'0')).min(u64::from(u32::MAX));
        i += 1;
    }
    if i == digits || i != b.len() {
        return None;
    }
    let row = if row == 0 { u32::MAX } else { (row - 1) as u32 };
    Some((row, (col - 1) as u32))
}

/// A row number attribute (1-based) → 0-based index; 0 and overflow land outside the grid.
fn parse_row_number(s: &[u8]) -> Option<u32> {
    let n = parse_index(s)?;
    Some(match n {
        0 => u32::MAX,
        n => u32::try_from(n - 1).unwrap_or(u32::MAX),
    })
}

/// A non-negative decimal integer, surrounding white space allowed, saturating on overflow.
fn parse_index(s: &[u8]) -> Option<usize> {
    let mut s = s;
    while let [c, rest @ ..] = s {
        if !is_xml_space(*c) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., c] = s {
        if !is_xml_space(*c) {
            break;
        }
        s = rest;
    }
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0usize, |n, d| {
        n.saturating_mul(10).saturating_add(usize::from(d - b'0'))
    }))
}

/// A plain decimal integer of up to 15 digits, parsed without the float parser (most cells of
/// a form); anything else goes to `str::parse::<f64>`, which gives the same result for these.
fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if !digits.is_empty() && digits.len() <= 15 && digits.iter().all(u8::is_ascii_digit) {
        let n = digits
            .iter()
            .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
        return Some(if neg { -(n as f64) } else { n as f64 });
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Text for a cell: `_xHHHH_` escapes decoded and cut at the limit. Empty text is no value.
fn text_value(raw: &str, max_chars: usize) -> (Value, bool) {
    if raw.is_empty() {
        return (Value::Empty, false);
    }
    let text = decode_escapes(raw);
    if text.len() > max_chars {
        if let Some((cut, _)) = text.char_indices().nth(max_chars) {
            return (Value::Text(text[..cut].to_string()), true);
        }
    }
    (Value::Text(text.into_owned()), false)
}

/// A cell's value from its type, its collected text and its format; and whether the text was
/// cut at the limit.
fn cell_value(cell: &OpenCell, text: &str, xf: XfInfo, ctx: &Context<'_>) -> (Value, bool) {
    let max = ctx.limits.max_text_chars;
    match cell.typ {
        CellType::FormulaText | CellType::Inline => text_value(text, max),
        CellType::Shared => match parse_index(text.as_bytes()).and_then(|i| ctx.strings.get(i)) {
            Some(("", _)) | None => (Value::Empty, false),
            Some((s, cut)) => (Value::Text(s.to_string()), cut),
        },
        CellType::Number => {
            let t = text.trim();
            if t.is_empty() {
                return (Value::Empty, false);
            }
            match parse_number(t) {
                Some(n) if xf.is_date => (
                    serial_to_iso(n, ctx.date1904).map_or(Value::Number(n), Value::Date),
                    false,
                ),
                Some(n) => (Value::Number(n), false),
                // Not a number after all: keep what the file says rather than lose it.
                None => text_value(t, max),
            }
        }
        CellType::Bool => match text.trim() {
            "" => (Value::Empty, false),
            "1" | "true" | "TRUE" => (Value::Bool(true), false),
            "0" | "false" | "FALSE" => (Value::Bool(false), false),
            other => text_value(other, max),
        },
        CellType::Error => match text.trim() {
            "" => (Value::Empty, false),
            e => (Value::Error(e.to_string()), false),
        },
        CellType::Date => match text.trim() {
            "" => (Value::Empty, false),
            d => (iso_date_value(d), false),
        },
    }
}

/// Appends a piece of text to where text currently goes.
fn push_text(
    target: Target,
    piece: &str,
    text: &mut String,
    validation: &mut Option<OpenValidation>,
) {
    match (target, validation.as_mut()) {
        (Target::Cell, _) => text.push_str(piece),
        (Target::Formula, Some(v)) => v.formula.push_str(piece),
        (Target::Sqref, Some(v)) => v.sqref.push_str(piece),
        _ => {}
    }
}

/// Reads one worksheet part in a single pass: cells, formulas without a value, red cells,
/// merged regions and list validations. The caller fills in the name and hidden state.
///
/// The cells (`<sheetData>`, nearly all of a sheet's bytes) are read by [`scan_sheet_data`], the
/// rest by quick-xml. This is the hot loop of the product: county files are mostly xlsx, and on
/// the 200-form benchmark set quick-xml's general tokenizer alone took about half of the whole
/// read, three times the zip inflate.
fn read_worksheet(
    xml: &[u8],
    part: &str,
    ctx: &Context<'_>,
    names: Names<'_>,
) -> Result<Sheet, SheetErrorKind> {
    match read_worksheet_pass(xml, part, ctx, names, true) {
        // The scanner met something it leaves to quick-xml (a comment, CDATA, a merge among the
        // cells…), or the sheet is damaged: read it again with quick-xml alone. Rare sheets pay
        // a second pass; in exchange the result, including the exact detail and byte position
        // of any damage, is the one quick-xml gives.
        Err(SheetErrorKind::Damaged { .. }) => read_worksheet_pass(xml, part, ctx, names, false),
        other => other,
    }
}

/// One pass over a worksheet part; `scan` hands the contents of `<sheetData>` to
/// [`scan_sheet_data`] (a [`SheetErrorKind::Damaged`] then means "read again without").
fn read_worksheet_pass(
    xml: &[u8],
    part: &str,
    ctx: &Context<'_>,
    names: Names<'_>,
    scan: bool,
) -> Result<Sheet, SheetErrorKind> {
    let damaged = |detail: String| SheetErrorKind::Damaged { detail };
    let mut reader = XmlReader::from_reader(xml);
    let mut st = SheetState::new(part, ctx, names);
    let mut depth = Depth::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| damaged(xml_error(part, e, reader.error_position())))?;
        depth
            .track(&event, part, reader.buffer_position())
            .map_err(damaged)?;
        match event {
            Event::Start(e) => match local_name(e.name().as_ref()) {
                "mergeCell" => merge_cell(&e, &mut st.sheet.merges),
                "dataValidation" => {
                    st.validation = Some(OpenValidation {
                        is_list: attr(&e, "type").as_deref() == Some("list"),
                        sqref: attr(&e, "sqref").unwrap_or_default(),
                        formula: String::new(),
                    });
                }
                "sheetData" if scan => {
                    // quick-xml has just read `<sheetData …>`; the scanner reads up to the end
                    // tag that closes it and leaves that tag to quick-xml, which checks its name
                    // against the start tag it saw. `consume` keeps the reader's byte positions
                    // right for errors further on.
                    let rest: &[u8] = reader.get_ref();
                    let used = scan_sheet_data(&mut st, rest)?;
                    std::io::BufRead::consume(&mut reader.stream(), used);
                }
                local => st.start(local, e.attributes_raw().as_bytes())?,
            },
            Event::Empty(e) => match local_name(e.name().as_ref()) {
                "mergeCell" => merge_cell(&e, &mut st.sheet.merges),
                local => st.empty(local, e.attributes_raw().as_bytes())?,
            },
            Event::End(e) => st.end(local_name(e.name().as_ref()))?,
            Event::Text(t) if st.target != Target::None => st.text(&t.xml10_content()),
            Event::CData(t) if st.target != Target::None => st.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let piece = entity_text(&r)
                    .ok_or_else(|| damaged(unknown_entity(part, &r, reader.buffer_position())))?;
                st.text(&piece);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(st.finish())
}

/// A worksheet being read: what has been gathered and where the reader stands. Both readers of
/// a sheet's XML drive it through the same calls (quick-xml's events for the whole part,
/// [`scan_sheet_data`] for the cells), so what an element means is written once.
struct SheetState<'a> {
    ctx: &'a Context<'a>,
    names: Names<'a>,
    part: &'a str,
    grid: GridBuilder,
    sheet: Sheet,
    formula_notes: usize,
    truncation_notes: usize,
    /// Position of the next row and cell when the file leaves out `r` (it may).
    row: u32,
    next_row: u32,
    next_col: u32,
    cell: Option<OpenCell>,
    /// The text of the open cell's `<v>` or inline string; reused, so numbers cost no allocation.
    text: String,
    target: Target,
    in_inline: bool,
    phonetic_depth: u32,
    validation: Option<OpenValidation>,
}

impl<'a> SheetState<'a> {
    fn new(part: &'a str, ctx: &'a Context<'a>, names: Names<'a>) -> SheetState<'a> {
        SheetState {
            ctx,
            names,
            part,
            grid: GridBuilder::new(ctx.limits.max_cells, ctx.limits.max_columns),
            sheet: Sheet::default(),
            formula_notes: 0,
            truncation_notes: 0,
            row: 0,
            next_row: 0,
            next_col: 0,
            cell: None,
            text: String::new(),
            target: Target::None,
            in_inline: false,
            phonetic_depth: 0,
            validation: None,
        }
    }

    fn damaged(&self, detail: String) -> SheetErrorKind {
        SheetErrorKind::Damaged {
            detail: format!("{}: {detail}", self.part),
        }
    }

    /// A start tag by local name, with its raw attributes. `mergeCell` and `dataValidation`
    /// are left to the quick-xml loop: their attributes need entity decoding.
    fn start(&mut self, local: &str, attrs: &[u8]) -> Result<(), SheetErrorKind> {
        match local {
            "c" => {
                let (r, c, typ, style) =
                    cell_attrs(attrs, self.row, self.next_col).map_err(|d| self.damaged(d))?;
                self.next_col = c.saturating_add(1);
                self.text.clear();
                self.cell = Some(OpenCell {
                    row: r,
                    col: c,
                    typ,
                    style,
                    has_value: false,
                    formula: false,
                });
            }
            "v" => {
                if let Some(c) = self.cell.as_mut() {
                    c.has_value = true;
                    self.target = Target::Cell;
                }
            }
            "f" => {
                if let Some(c) = self.cell.as_mut() {
                    c.formula = true;
                }
            }
            "is" => {
                if let Some(c) = self.cell.as_mut() {
                    c.has_value = true;
                    self.in_inline = true;
                    self.phonetic_depth = 0;
                }
            }
            "t" if self.in_inline && self.phonetic_depth == 0 => self.target = Target::Cell,
            "rPh" if self.in_inline => {
                self.phonetic_depth += 1;
                self.target = Target::None;
            }
            "row" => self.row(attrs)?,
            "formula1" if self.validation.is_some() => self.target = Target::Formula,
            "sqref" if self.validation.is_some() => self.target = Target::Sqref,
            _ => {}
        }
        Ok(())
    }

    /// A self-closing tag by local name (`mergeCell` is left to the quick-xml loop).
    fn empty(&mut self, local: &str, attrs: &[u8]) -> Result<(), SheetErrorKind> {
        match local {
            "c" => {
                // A formatted cell without a value: it only moves the position.
                let (_, c, _, _) =
                    cell_attrs(attrs, self.row, self.next_col).map_err(|d| self.damaged(d))?;
                self.next_col = c.saturating_add(1);
            }
            // `<f t="shared" si="0"/>`: a formula shared from another cell.
            "f" => {
                if let Some(c) = self.cell.as_mut() {
                    c.formula = true;
                }
            }
            "row" => self.row(attrs)?,
            "col" => self.col(attrs)?,
            _ => {}
        }
        Ok(())
    }

    /// `<col min="1" max="3" width="12.5"/>`: a width for a run of columns (1-based in the
    /// file). Widths only shape a department's form written back, so odd values are skipped.
    fn col(&mut self, attrs: &[u8]) -> Result<(), SheetErrorKind> {
        let (mut min, mut max, mut width) = (None, None, None);
        for a in RawAttrs::of(attrs) {
            match a.map_err(|d| self.damaged(d))? {
                (b"min", v) => {
                    min = std::str::from_utf8(v)
                        .ok()
                        .and_then(|v| v.parse::<u32>().ok())
                }
                (b"max", v) => {
                    max = std::str::from_utf8(v)
                        .ok()
                        .and_then(|v| v.parse::<u32>().ok())
                }
                (b"width", v) => {
                    width = std::str::from_utf8(v)
                        .ok()
                        .and_then(|v| v.parse::<f64>().ok())
                }
                _ => {}
            }
        }
        if let (Some(min), Some(max), Some(width)) = (min, max, width) {
            let widths = &mut self.sheet.col_widths;
            if min >= 1
                && max >= min
                && max <= crate::read::grid::MAX_COLS
                && width.is_finite()
                && (0.0..=255.0).contains(&width)
                && widths.len() < MAX_RANGES
            {
                widths.push((min - 1, max - 1, width));
            }
        }
        Ok(())
    }

    /// `<row …>` or `<row …/>`: a new row, numbered by `r` or following on.
    fn row(&mut self, attrs: &[u8]) -> Result<(), SheetErrorKind> {
        self.row = row_attr(attrs)
            .map_err(|d| self.damaged(d))?
            .unwrap_or(self.next_row);
        self.next_row = self.row.saturating_add(1);
        self.next_col = 0;
        Ok(())
    }

    /// An end tag by local name.
    fn end(&mut self, local: &str) -> Result<(), SheetErrorKind> {
        match local {
            "c" => {
                if let Some(c) = self.cell.take() {
                    self.finish_cell(c)?;
                }
                self.target = Target::None;
                self.in_inline = false;
            }
            "v" | "t" if self.target == Target::Cell => self.target = Target::None,
            "is" => self.in_inline = false,
            "rPh" => self.phonetic_depth = self.phonetic_depth.saturating_sub(1),
            "formula1" | "sqref" => self.target = Target::None,
            "dataValidation" => {
                if let Some(v) = self.validation.take() {
                    finish_validation(v, self.names, &mut self.sheet.validations);
                }
                self.target = Target::None;
            }
            _ => {}
        }
        Ok(())
    }

    /// `</c>`: the cell's value into the grid, with its notes and red mark.
    fn finish_cell(&mut self, c: OpenCell) -> Result<(), SheetErrorKind> {
        let ctx = self.ctx;
        let xf = ctx.xfs.get(c.style).copied().unwrap_or_default();
        let (value, cut) = cell_value(&c, &self.text, xf, ctx);
        let in_grid = c.row < MAX_ROWS && c.col < MAX_COLS;
        if c.formula && !c.has_value && in_grid && self.formula_notes < MAX_FORMULA_NOTES {
            self.formula_notes += 1;
            self.sheet.notes.push(SheetNote::FormulaWithoutValue {
                row: c.row,
                col: c.col,
            });
        }
        if cut && in_grid && self.truncation_notes < MAX_TRUNCATION_NOTES {
            self.truncation_notes += 1;
            self.sheet.notes.push(SheetNote::TextTruncated {
                row: c.row,
                col: c.col,
            });
        }
        if xf.is_red && !value.is_blank() {
            self.sheet.red_cells.push((c.row, c.col));
        }
        self.grid
            .set(c.row, c.col, value)
            .map_err(|limit| SheetErrorKind::TooLarge { limit })
    }

    /// A piece of decoded text, for wherever text currently goes.
    fn text(&mut self, piece: &str) {
        push_text(self.target, piece, &mut self.text, &mut self.validation);
    }

    fn finish(mut self) -> Sheet {
        self.sheet.grid = self.grid.finish();
        self.sheet.red_cells.sort_unstable();
        self.sheet.red_cells.dedup();
        self.sheet
    }
}

/// Reads the contents of a `<sheetData>` element, `xml` being the part from just after its
/// start tag, and returns how many bytes it read: `xml[used..]` starts with the end tag that
/// closes `<sheetData>`, left to quick-xml.
///
/// Why by hand: this is where a sheet's bytes are (cells, 99% of the XML), and quick-xml's
/// general tokenizer, per-event bookkeeping and UTF-8 checks of every slice cost several times
/// a scan that only looks for `<`, `&` and the `>` closing each tag. The scanner produces
/// exactly the start, empty, end, text and reference events quick-xml would and feeds them to
/// the same [`SheetState`], so the two readers agree by construction:
///
/// - text runs up to the next `<` or `&`, with line ends normalised as quick-xml does;
/// - `&name;` must close before any `&` or `<`, and resolves through [`entity_text`] (the five
///   predefined entities and character references; any other entity is damage);
/// - a tag ends at the first `>` outside quotes; a start tag's name runs to the first white
///   space and the rest are its raw attributes; an end tag's name, trailing white space
///   dropped, must equal the innermost open start tag's.
///
/// Anything else — `<!` (comments, CDATA), `<?`, `mergeCell` or `dataValidation` among the
/// cells, an unknown entity, invalid UTF-8, a tag or reference left open, the part ending
/// before `</sheetData>` — returns [`SheetErrorKind::Damaged`], and [`read_worksheet`] reads the
/// sheet again with quick-xml alone, which decides. Every search starts where the previous one
/// ended, so the scan is linear in the part's length; indexing goes through `get`, so no input
/// can make it panic.
fn scan_sheet_data(st: &mut SheetState<'_>, xml: &[u8]) -> Result<usize, SheetErrorKind> {
    let part = st.part;
    let bail = |why: &str, at: usize| SheetErrorKind::Damaged {
        detail: format!("{part}: {why} (byte {at} of <sheetData>)"),
    };
    // One check of the rest of the part (quick-xml checks every byte of it too, slice by
    // slice): from here on every slice taken at a `<`, `>`, `&` or `;` is valid text.
    let s = std::str::from_utf8(xml).map_err(|e| bail("invalid UTF-8", e.valid_up_to()))?;
    let b = s.as_bytes();
    let sub = |from: usize, to: usize| s.get(from..to).ok_or_else(|| bail("bad slice", from));
    // The start tags open inside `<sheetData>`, for matching their end tags; a row and a cell
    // deep in a normal sheet.
    let mut open: Vec<&str> = Vec::new();
    let mut i = 0;
    loop {
        // Most tags follow one another directly (`</v></c><c …>`): look at the next byte
        // before setting up a search.
        let next = if b.get(i) == Some(&b'<') {
            Some(i)
        } else {
            memchr::memchr2(b'<', b'&', b.get(i..).unwrap_or_default()).map(|off| i + off)
        };
        let Some(at) = next else {
            return Err(bail("the part ends inside <sheetData>", b.len()));
        };
        // Text before the markup: only a `<v>`, `<t>` (or validation) wants it.
        if at > i && st.target != Target::None {
            st.text(&BytesText::from_escaped(sub(i, at)?).xml10_content());
        }
        if b.get(at) == Some(&b'&') {
            let name_start = at + 1;
            let semi = memchr::memchr3(b';', b'&', b'<', b.get(name_start..).unwrap_or_default())
                .map(|off| name_start + off)
                .filter(|&j| b.get(j) == Some(&b';'))
                .ok_or_else(|| bail("unclosed reference", at))?;
            let piece = entity_text(&BytesRef::new(sub(name_start, semi)?))
                .ok_or_else(|| bail("unknown entity", at))?;
            st.text(&piece);
            i = semi + 1;
            continue;
        }
        match b.get(at + 1) {
            None => return Err(bail("unclosed tag", at)),
            Some(b'!' | b'?') => return Err(bail("comment, CDATA or instruction", at)),
            Some(b'/') => {
                let gt = tag_end(b, at + 2).ok_or_else(|| bail("unclosed tag", at))?;
                let content = sub(at + 2, gt)?;
                // quick-xml drops trailing white space, unless there is nothing else.
                let name = match content.bytes().rposition(|c| !is_xml_space(c)) {
                    Some(p) => sub(at + 2, at + 3 + p)?,
                    None => content,
                };
                match open.pop() {
                    // The end of `<sheetData>` itself (or a stray end tag): quick-xml's turn.
                    None => return Ok(at),
                    Some(expected) if expected == name => st.end(local_name(name))?,
                    Some(_) => return Err(bail("mismatched end tag", at)),
                }
                i = gt + 1;
            }
            Some(_) => {
                let gt = tag_end(b, at + 1).ok_or_else(|| bail("unclosed tag", at))?;
                // `<c …/>`: the `/` is not part of the attributes.
                let self_closing = gt > at + 1 && b.get(gt - 1) == Some(&b'/');
                let content = sub(at + 1, if self_closing { gt - 1 } else { gt })?;
                let name_len = content
                    .bytes()
                    .position(is_xml_space)
                    .unwrap_or(content.len());
                let name = sub(at + 1, at + 1 + name_len)?;
                let attrs = content.as_bytes().get(name_len..).unwrap_or_default();
                let local = local_name(name);
                if matches!(local, "mergeCell" | "dataValidation") {
                    return Err(bail("merge or validation among the cells", at));
                }
                if self_closing {
                    st.empty(local, attrs)?;
                } else {
                    open.push(name);
                    st.start(local, attrs)?;
                }
                i = gt + 1;
            }
        }
    }
}

/// The index of the `>` ending the tag whose content starts at `from`: the first `>` outside
/// quotes (quick-xml's rule, so `r=">"` does not end a tag). `None` when the part ends first.
/// A byte loop: a cell's tag is some twenty bytes with six quotes, where setting up a
/// vectorised search per quote costs more than looking at each byte once.
fn tag_end(b: &[u8], from: usize) -> Option<usize> {
    let mut quote = 0u8;
    for (k, &c) in b.get(from..)?.iter().enumerate() {
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'>' {
            return Some(from + k);
        } else if c == b'"' || c == b'\'' {
            quote = c;
        }
    }
    None
}

/// The attributes of a tag, straight from its raw bytes: `(local name, raw value)` pairs.
/// Cells and rows are most of a sheet's tags; reading their two or three attributes directly
/// costs a fraction of quick-xml's general attribute iterator (which also checks for
/// duplicates and builds strings). Values are raw: the attributes read this way (`r`, `s`,
/// `t`) hold cell references, numbers and type codes, never entity references.
struct RawAttrs<'a> {
    rest: &'a [u8],
}

impl<'a> RawAttrs<'a> {
    /// The attributes in `raw`: what follows a tag's name, up to its `>` or `/>`.
    fn of(raw: &'a [u8]) -> RawAttrs<'a> {
        RawAttrs { rest: raw }
    }
}

fn is_xml_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Iterator for RawAttrs<'a> {
    /// `Err` for text that is not an attribute list (the element is malformed).
    type Item = Result<(&'a [u8], &'a [u8]), String>;

    fn next(&mut self) -> Option<Self::Item> {
        // Byte loops: attribute lists are a few bytes long, too short for vectorised searches.
        let b = self.rest;
        self.rest = &[];
        let mut i = 0;
        while i < b.len() && is_xml_space(b[i]) {
            i += 1;
        }
        // A self-closing tag's raw attributes may end with the `/` of `/>`.
        if i == b.len() || &b[i..] == b"/" {
            return None;
        }
        let malformed = || {
            Some(Err(format!(
                "属性格式错误 / malformed attributes: {}",
                String::from_utf8_lossy(b)
            )))
        };
        let name_start = i;
        let mut local_start = i;
        while i < b.len() && !matches!(b[i], b'=' | b'"' | b'\'') && !is_xml_space(b[i]) {
            if b[i] == b':' {
                local_start = i + 1;
            }
            i += 1;
        }
        let name_end = i;
        while i < b.len() && is_xml_space(b[i]) {
            i += 1;
        }
        if name_end == name_start || b.get(i) != Some(&b'=') {
            return malformed();
        }
        i += 1;
        while i < b.len() && is_xml_space(b[i]) {
            i += 1;
        }
        let quote = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return malformed(),
        };
        let value = &b[i + 1..];
        let Some(len) = value.iter().position(|&c| c == quote) else {
            return malformed();
        };
        self.rest = &value[len + 1..];
        Some(Ok((&b[local_start..name_end], &value[..len])))
    }
}

/// The local name of an element (`x14:dataValidation` → `dataValidation`). A byte loop: names
/// are a few bytes long, too short for a vectorised search to pay off.
fn local_name(qname: &str) -> &str {
    match qname.bytes().position(|c| c == b':') {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

/// A cell's position (from `r`, else the running position), type and style index.
fn cell_attrs(
    attrs: &[u8],
    row: u32,
    next_col: u32,
) -> Result<(u32, u32, CellType, usize), String> {
    let mut pos = None;
    let mut typ = CellType::Number;
    let mut style = 0;
    for a in RawAttrs::of(attrs) {
        match a? {
            (b"r", v) => {
                pos = Some(parse_cell_ref(v).ok_or_else(|| {
                    format!(
                        "单元格位置无效 / invalid cell reference \"{}\"",
                        String::from_utf8_lossy(v)
                    )
                })?);
            }
            (b"t", v) => typ = CellType::from_attr(v),
            (b"s", v) => style = parse_index(v).unwrap_or(0),
            _ => {}
        }
    }
    let (r, c) = pos.unwrap_or((row, next_col));
    Ok((r, c, typ, style))
}

/// The 0-based index from a `<row r="…">`, when present and readable.
fn row_attr(attrs: &[u8]) -> Result<Option<u32>, String> {
    for a in RawAttrs::of(attrs) {
        if let (b"r", v) = a? {
            return Ok(parse_row_number(v));
        }
    }
    Ok(None)
}

fn merge_cell(e: &BytesStart<'_>, merges: &mut Vec<Rect>) {
    if merges.len() < MAX_RANGES {
        if let Some(rect) = attr(e, "ref").as_deref().and_then(parse_a1_range) {
            merges.push(rect);
        }
    }
}

fn finish_validation(v: OpenValidation, names: Names<'_>, out: &mut Vec<ListValidation>) {
    if !v.is_list || out.len() >= MAX_RANGES {
        return;
    }
    let ranges: Vec<Rect> = v
        .sqref
        .split_whitespace()
        .filter_map(parse_a1_range)
        .take(MAX_RANGES)
        .collect();
    if !ranges.is_empty() {
        out.push(ListValidation {
            ranges,
            source: list_source(&v.formula, &names),
        });
    }
}

/// Interprets a list validation's `formula1`: `"男,女"`, `字典!$A$2:$A$5`, `$A$2:$A$5`, or a
/// defined name standing for one of those.
/// A reference split into its sheet (quotes removed: `'户籍 名单'!A1:A9`) and its range.
pub(crate) fn sheet_and_range(f: &str) -> (Option<String>, &str) {
    match f.rsplit_once('!') {
        Some((s, r)) => {
            let s = s.trim();
            let s = s
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .map(|s| s.replace("''", "'"))
                .unwrap_or_else(|| s.to_string());
            (Some(s), r)
        }
        None => (None, f),
    }
}

pub(crate) fn list_source(formula: &str, defined: &impl DefinedNames) -> ListSource {
    let f = formula.trim().trim_start_matches('=');
    if let Some(inner) = f.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        let values = inner
            .replace("\"\"", "\"")
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        return ListSource::Values(values);
    }
    if let Some(resolved) = defined.lookup(&f.to_lowercase()) {
        // One level only: a name standing for another name is left as a formula.
        if resolved.trim_start_matches('=') != f {
            return list_source(resolved, &HashMap::new());
        }
    }
    let (sheet, range) = sheet_and_range(f);
    match parse_a1_range(range) {
        Some(rect) => ListSource::Range { sheet, rect },
        None => ListSource::Formula(formula.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_sources_are_understood() {
        let none = HashMap::new();
        assert_eq!(
            list_source("\"男,女\"", &none),
            ListSource::Values(vec!["男".into(), "女".into()])
        );
        assert_eq!(
            list_source("'字典'!$A$2:$A$5", &none),
            ListSource::Range {
                sheet: Some("字典".into()),
                rect: Rect::new(1, 0, 4, 0)
            }
        );
        assert_eq!(
            list_source("$B$2:$B$3", &none),
            ListSource::Range {
                sheet: None,
                rect: Rect::new(1, 1, 2, 1)
            }
        );
        let mut names = HashMap::new();
        names.insert("性别".to_string(), "type!$A$2:$A$3".to_string());
        assert_eq!(
            list_source("性别", &names),
            ListSource::Range {
                sheet: Some("type".into()),
                rect: Rect::new(1, 0, 2, 0)
            }
        );
        assert_eq!(
            list_source("INDIRECT(A1)", &none),
            ListSource::Formula("INDIRECT(A1)".into())
        );
    }

    #[test]
    fn targets_resolve() {
        assert_eq!(
            resolve_target("xl/", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve_target("xl/", "/xl/worksheets/s.xml"),
            "xl/worksheets/s.xml"
        );
        assert_eq!(
            resolve_target("xl/", "../customXml/item.xml"),
            "customXml/item.xml"
        );
        assert_eq!(
            rels_part_of("xl/workbook.xml"),
            "xl/_rels/workbook.xml.rels"
        );
        assert_eq!(rels_part_of("workbook.xml"), "_rels/workbook.xml.rels");
    }

    // -----------------------------------------------------------------------------------------
    // Whole workbooks, built in memory.

    use crate::error::Limit;
    use crate::read::{read_with_limits, Value};
    use std::io::{Cursor, Write};

    const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// One sheet of a hand-made workbook.
    struct Part<'a> {
        name: &'a str,
        /// Relationship type: `worksheet`, `chartsheet`, `xlMacrosheet`, …
        rel: &'a str,
        /// `state` attribute (`hidden`, `veryHidden`), if any.
        state: Option<&'a str>,
        xml: String,
    }

    /// A worksheet whose `<worksheet>` element holds `body`.
    fn ws<'a>(name: &'a str, body: &str) -> Part<'a> {
        Part {
            name,
            rel: "worksheet",
            state: None,
            xml: format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}>{body}</worksheet>"#
            ),
        }
    }

    /// A worksheet with only cells.
    fn cells<'a>(name: &'a str, rows: &str) -> Part<'a> {
        ws(name, &format!("<sheetData>{rows}</sheetData>"))
    }

    /// Extra content of a hand-made workbook.
    #[derive(Default)]
    struct Extra<'a> {
        /// Inserted in workbook.xml before `<sheets>` (e.g. `<workbookPr date1904="1"/>`).
        before_sheets: &'a str,
        /// Inserted in workbook.xml after `</sheets>` (e.g. `<definedNames>`).
        after_sheets: &'a str,
        shared_strings: Option<&'a str>,
        styles: Option<&'a str>,
        /// More parts, by path.
        parts: Vec<(&'a str, String)>,
        /// A text replacement in the workbook's relationships.
        rels_replace: Option<(&'a str, &'a str)>,
    }

    fn build(sheets: &[Part<'_>], extra: &Extra<'_>) -> Vec<u8> {
        let mut parts: Vec<(String, String)> = vec![
            (
                "[Content_Types].xml".into(),
                r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.into(),
            ),
            (
                "_rels/.rels".into(),
                format!(r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ),
        ];
        let mut wb = format!(
            r#"<?xml version="1.0"?><workbook {NS}>{}<sheets>"#,
            extra.before_sheets
        );
        let mut rels = String::from(
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
        );
        for (i, s) in sheets.iter().enumerate() {
            let n = i + 1;
            let state = s
                .state
                .map(|v| format!(r#" state="{v}""#))
                .unwrap_or_default();
            wb.push_str(&format!(
                r#"<sheet name="{}" sheetId="{n}"{state} r:id="rId{n}"/>"#,
                s.name
            ));
            rels.push_str(&format!(
                r#"<Relationship Id="rId{n}" Type="{REL}/{}" Target="worksheets/sheet{n}.xml"/>"#,
                s.rel
            ));
            parts.push((format!("xl/worksheets/sheet{n}.xml"), s.xml.clone()));
        }
        wb.push_str(&format!("</sheets>{}</workbook>", extra.after_sheets));
        rels.push_str("</Relationships>");
        if let Some((from, to)) = extra.rels_replace {
            rels = rels.replace(from, to);
        }
        parts.push(("xl/workbook.xml".into(), wb));
        parts.push(("xl/_rels/workbook.xml.rels".into(), rels));
        if let Some(sst) = extra.shared_strings {
            parts.push(("xl/sharedStrings.xml".into(), sst.into()));
        }
        if let Some(styles) = extra.styles {
            parts.push(("xl/styles.xml".into(), styles.into()));
        }
        for (path, data) in &extra.parts {
            parts.push(((*path).into(), data.clone()));
        }
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in &parts {
            w.start_file(name.as_str(), opts).unwrap();
            w.write_all(data.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn read_book(bytes: &[u8]) -> Workbook {
        read_with_limits("t.xlsx", bytes, &Limits::default()).unwrap()
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn date(s: &str) -> Value {
        Value::Date(s.into())
    }

    #[test]
    fn shared_strings_rich_runs_phonetics_and_escapes() {
        // The counts claim four billion strings: nothing may be reserved from them.
        let sst = format!(
            r#"<?xml version="1.0"?><sst {NS} count="4294967295" uniqueCount="4294967295">
<si><t>姓名</t></si>
<si><r><rPr><b/><color rgb="FFFF0000"/></rPr><t>张</t></r><r><t xml:space="preserve">三 </t></r><rPh sb="0" eb="1"><t>ちょう</t></rPh><phoneticPr fontId="1"/></si>
<si><t>第一行_x000D_
第二行</t></si>
<si><t>_x005F_x000D_ and _x41_ and _xD83D__xDE00_ and _xD83D_</t></si>
<si/>
<si><t>A&amp;B &#x4E2D;</t></si>
<si><t><![CDATA[<raw>]]></t></si>
</sst>"#
        );
        let rows = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>99</v></c><c r="G1" t="s"><v>5</v></c><c r="H1" t="s"><v>6</v></c><c r="I1" t="s"><v>x</v></c></row>"#;
        let bytes = build(
            &[cells("S", rows)],
            &Extra {
                shared_strings: Some(&sst),
                ..Extra::default()
            },
        );
        let wb = read_book(&bytes);
        let g = &wb.sheets[0].grid;
        assert_eq!(
            g.row(0),
            &[
                text("姓名"),
                text("张三 "),
                text("第一行\r\n第二行"),
                text("_x000D_ and _x41_ and 😀 and _xD83D_"),
                Value::Empty,
                Value::Empty,
                text("A&B 中"),
                text("<raw>"),
            ]
        );
    }

    #[test]
    fn numbers_dates_booleans_errors_and_inline_strings() {
        let styles = format!(
            r#"<?xml version="1.0"?><styleSheet {NS}>
<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/><numFmt numFmtId="165" formatCode="0.00"/><numFmt numFmtId="166" formatCode="[h]:mm:ss"/></numFmts>
<fonts count="1"><font><sz val="11"/></font></fonts>
<cellXfs count="6"><xf numFmtId="0" fontId="0"/><xf numFmtId="14" fontId="0"/><xf numFmtId="164" fontId="0"/><xf numFmtId="165" fontId="0"/><xf numFmtId="166" fontId="0"/><xf numFmtId="22" fontId="0"/></cellXfs>
</styleSheet>"#
        );
        let rows = r#"<row r="1">
<c r="A1"><v>42</v></c>
<c r="B1" s="1"><v>45292</v></c>
<c r="C1" s="2"><v>45292.5</v></c>
<c r="D1" s="3"><v>1.5</v></c>
<c r="E1" s="4"><v>1.5</v></c>
<c r="F1" s="1"><v>60</v></c>
<c r="G1" s="1"><v>-1</v></c>
<c r="H1" t="b"><v>1</v></c>
<c r="I1" t="e"><v>#N/A</v></c>
<c r="J1" t="d"><v>2024-03-05T00:00:00</v></c>
<c r="K1" t="str"><f>A1&amp;"x"</f><v>42x</v></c>
<c r="L1" t="inlineStr"><is><r><t>李</t></r><r><rPr><i/></rPr><t>四</t></r><rPh sb="0" eb="1"><t>り</t></rPh></is></c>
<c r="M1" s="1"><v>1E+10</v></c>
<c r="N1" t="n"><v>-3.25E-2</v></c>
<c r="O1" t="b"><v>0</v></c>
<c r="P1" s="5"><v>45292.75</v></c>
<c r="Q1" t="d"><v>2024-03-05T08:30:00.123Z</v></c>
<c r="R1" t="inlineStr"><is><t>a_x000A_b</t></is></c>
</row>"#;
        let bytes = build(
            &[cells("S", rows)],
            &Extra {
                styles: Some(&styles),
                ..Extra::default()
            },
        );
        let wb = read_book(&bytes);
        assert_eq!(wb.format, Format::Xlsx);
        assert_eq!(
            wb.sheets[0].grid.row(0),
            &[
                Value::Number(42.0),
                date("2024-01-01"),
                date("2024-01-01T12:00:00"),
                Value::Number(1.5),
                Value::Number(1.5),
                date("1900-02-29"),
                Value::Number(-1.0),
                Value::Bool(true),
                Value::Error("#N/A".into()),
                date("2024-03-05"),
                text("42x"),
                text("李四"),
                Value::Number(1e10),
                Value::Number(-0.0325),
                Value::Bool(false),
                date("2024-01-01T18:00:00"),
                date("2024-03-05T08:30:00"),
                text("a\nb"),
            ]
        );
        assert!(wb.sheets[0].notes.is_empty(), "{:?}", wb.sheets[0].notes);
    }

    #[test]
    fn date1904_workbooks_count_from_1904() {
        let styles = format!(
            r#"<styleSheet {NS}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>"#
        );
        let rows = r#"<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>43830</v></c><c r="C1" s="1"><v>2957004</v></c></row>"#;
        let bytes = build(
            &[cells("S", rows)],
            &Extra {
                before_sheets: r#"<workbookPr date1904="1"/>"#,
                styles: Some(&styles),
                ..Extra::default()
            },
        );
        let wb = read_book(&bytes);
        assert_eq!(
            wb.sheets[0].grid.row(0),
            &[
                date("1904-01-01"),
                date("2024-01-01"),
                Value::Number(2_957_004.0)
            ]
        );
    }

    #[test]
    fn serials_convert_like_excel() {
        assert_eq!(serial_to_iso(0.0, false).as_deref(), Some("1899-12-31"));
        assert_eq!(serial_to_iso(1.0, false).as_deref(), Some("1900-01-01"));
        assert_eq!(serial_to_iso(59.0, false).as_deref(), Some("1900-02-28"));
        assert_eq!(serial_to_iso(60.0, false).as_deref(), Some("1900-02-29"));
        assert_eq!(serial_to_iso(61.0, false).as_deref(), Some("1900-03-01"));
        assert_eq!(
            serial_to_iso(25_569.0, false).as_deref(),
            Some("1970-01-01")
        );
        assert_eq!(
            serial_to_iso(0.5, false).as_deref(),
            Some("1899-12-31T12:00:00")
        );
        assert_eq!(
            serial_to_iso(45_292.999_999_9, false).as_deref(),
            Some("2024-01-02")
        );
        assert_eq!(
            serial_to_iso(2_958_465.0, false).as_deref(),
            Some("9999-12-31")
        );
        assert_eq!(serial_to_iso(2_958_466.0, false), None);
        assert_eq!(serial_to_iso(2_958_465.999_999_99, false), None);
        assert_eq!(serial_to_iso(-0.5, false), None);
        assert_eq!(serial_to_iso(f64::NAN, false), None);
        assert_eq!(serial_to_iso(1462.0, true).as_deref(), Some("1908-01-02"));
    }

    #[test]
    fn date_formats_are_recognised() {
        for code in [
            "yyyy\"年\"m\"月\"",
            "yyyy-mm-dd",
            "m/d/yy h:mm",
            "[$-804]yyyy\"年\"m\"月\"d\"日\"",
            "[DBNum1][$-804]yyyy\"年\"m\"月\"",
            "h:mm AM/PM",
            "mm:ss",
            "dddd",
        ] {
            assert!(format_is_date(code), "{code}");
        }
        for code in [
            "General",
            "0.00",
            "@",
            "#,##0.00_);[Red](#,##0.00)",
            "0.0\"天\"",
            "\"day\"0",
            "\\d0",
            "[h]:mm:ss",
            "[mm]:ss",
            "0;\"yes\";\"no\"",
            "[Red]0.00",
            "0.00E+00",
            "¥#,##0.00",
        ] {
            assert!(!format_is_date(code), "{code}");
        }
        assert!(builtin_is_date(14) && builtin_is_date(31) && builtin_is_date(57));
        assert!(!builtin_is_date(0) && !builtin_is_date(2) && !builtin_is_date(46));
        assert!(!builtin_is_date(49));
    }

    #[test]
    fn escapes_decode() {
        assert_eq!(decode_escapes("plain"), "plain");
        assert!(matches!(decode_escapes("a_b_xyz"), Cow::Borrowed(_)));
        assert_eq!(decode_escapes("a_x000D_b"), "a\rb");
        assert_eq!(decode_escapes("_x005F_x000D_"), "_x000D_");
        assert_eq!(decode_escapes("_x00e9_t_x00E9_"), "été");
        assert_eq!(decode_escapes("_xD83D__xDE00_"), "😀");
        assert_eq!(
            decode_escapes("_xDE00_ _xZZZZ_ _x12_"),
            "_xDE00_ _xZZZZ_ _x12_"
        );
        assert_eq!(decode_escapes("中_x0041_文"), "中A文");
    }

    #[test]
    fn formulas_without_a_saved_value_are_noted() {
        let rows = r#"<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1*2</f><v>2</v></c></row>
<row r="3"><c r="B3"><f>SUM(B1:B2)</f></c><c r="C3"><f t="shared" si="0" ref="C3:C4"/></c><c r="D3" t="str"><f>"a"</f><v></v></c></row>"#;
        let wb = read_book(&build(&[cells("F", rows)], &Extra::default()));
        let s = &wb.sheets[0];
        assert_eq!(s.grid.get(0, 1), &Value::Number(2.0));
        assert_eq!(s.grid.get(2, 1), &Value::Empty);
        assert_eq!(
            s.notes,
            vec![
                SheetNote::FormulaWithoutValue { row: 2, col: 1 },
                SheetNote::FormulaWithoutValue { row: 2, col: 2 },
            ]
        );
    }

    #[test]
    fn rows_and_cells_without_references_follow_on() {
        let rows = r#"<row><c><v>1</v></c><c><v>2</v></c></row><row><c t="inlineStr"><is><t>x</t></is></c><c r="C2"><v>3</v></c><c><v>4</v></c></row><row r="5"><c><v>5</v></c></row><row><c s="0"/><c><v>6</v></c></row>"#;
        let wb = read_book(&build(&[cells("R", rows)], &Extra::default()));
        let g = &wb.sheets[0].grid;
        assert_eq!(g.row(0), &[Value::Number(1.0), Value::Number(2.0)]);
        assert_eq!(
            g.row(1),
            &[
                text("x"),
                Value::Empty,
                Value::Number(3.0),
                Value::Number(4.0)
            ]
        );
        assert_eq!(g.get(4, 0), &Value::Number(5.0));
        assert_eq!(g.row(5), &[Value::Empty, Value::Number(6.0)]);
    }

    #[test]
    fn attributes_in_any_quoting_and_spacing() {
        let rows = "<row r='1'><c  r = 'B1'\tt=\"inlineStr\" ><is><t>q</t></is></c><x:c xmlns:x=\"urn:x\" x:r=\"C1\"><x:v>7</x:v></x:c></row>";
        let wb = read_book(&build(&[cells("Q", rows)], &Extra::default()));
        assert_eq!(
            wb.sheets[0].grid.row(0),
            &[Value::Empty, text("q"), Value::Number(7.0)]
        );
        let broken = r#"<row r="1"><c r="A1" t><v>1</v></c></row>"#;
        let wb = read_book(&build(&[cells("B", broken)], &Extra::default()));
        assert!(matches!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::Damaged { .. }
        ));
    }

    #[test]
    fn merges_and_list_validations() {
        let body = r#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>表</t></is></c></row></sheetData>
<mergeCells count="3"><mergeCell ref="A1:Q1"/><mergeCell ref="B2:B3"/><mergeCell ref="nonsense"/></mergeCells>
<dataValidations count="5">
<dataValidation type="list" allowBlank="1" sqref="D4:D8 F4"><formula1>"男,女"</formula1></dataValidation>
<dataValidation type="list" sqref="E4:E8"><formula1>字典!$A$2:$A$5</formula1></dataValidation>
<dataValidation type="list" sqref="G4:G8"><formula1>民族</formula1></dataValidation>
<dataValidation type="whole" sqref="H4:H8"><formula1>0</formula1><formula2>10</formula2></dataValidation>
<dataValidation type="list" sqref="I4"><formula1>&quot;是,否&quot;</formula1></dataValidation>
</dataValidations>
<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>'字 典'!$B$2:$B$9</xm:f></x14:formula1><xm:sqref>J5:J8 K5</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"#;
        // The dictionary sheet has a local name 民族 that hides the global one.
        let dict = ws(
            "字典",
            r#"<sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>汉族</t></is></c></row></sheetData><dataValidations count="1"><dataValidation type="list" sqref="B1"><formula1>民族</formula1></dataValidation></dataValidations>"#,
        );
        let bytes = build(
            &[ws("表", body), dict],
            &Extra {
                after_sheets: r#"<definedNames><definedName name="民族">字典!$A$2:$A$57</definedName><definedName name="民族" localSheetId="1">字典!$C$1:$C$2</definedName></definedNames>"#,
                ..Extra::default()
            },
        );
        let wb = read_book(&bytes);
        let s = &wb.sheets[0];
        assert_eq!(
            s.merges,
            vec![Rect::new(0, 0, 0, 16), Rect::new(1, 1, 2, 1)]
        );
        let range = |sheet: &str, rect| ListSource::Range {
            sheet: Some(sheet.into()),
            rect,
        };
        assert_eq!(
            s.validations,
            vec![
                ListValidation {
                    ranges: vec![Rect::new(3, 3, 7, 3), Rect::new(3, 5, 3, 5)],
                    source: ListSource::Values(vec!["男".into(), "女".into()]),
                },
                ListValidation {
                    ranges: vec![Rect::new(3, 4, 7, 4)],
                    source: range("字典", Rect::new(1, 0, 4, 0)),
                },
                ListValidation {
                    ranges: vec![Rect::new(3, 6, 7, 6)],
                    source: range("字典", Rect::new(1, 0, 56, 0)),
                },
                ListValidation {
                    ranges: vec![Rect::new(3, 8, 3, 8)],
                    source: ListSource::Values(vec!["是".into(), "否".into()]),
                },
                ListValidation {
                    ranges: vec![Rect::new(4, 9, 7, 9), Rect::new(4, 10, 4, 10)],
                    source: range("字 典", Rect::new(1, 1, 8, 1)),
                },
            ]
        );
        assert_eq!(
            wb.sheets[1].validations,
            vec![ListValidation {
                ranges: vec![Rect::new(0, 1, 0, 1)],
                source: range("字典", Rect::new(0, 2, 1, 2)),
            }]
        );
    }

    #[test]
    fn red_fonts_by_rgb_indexed_and_theme() {
        let styles = format!(
            r#"<?xml version="1.0"?><styleSheet {NS}>
<fonts count="7">
<font><sz val="11"/><color theme="1"/></font>
<font><color rgb="FFFF0000"/></font>
<font><color indexed="10"/></font>
<font><color rgb="FF000000"/></font>
<font><color theme="5"/></font>
<font><color theme="5" tint="0.5999"/></font>
<font/>
</fonts>
<fills count="1"><fill><patternFill patternType="solid"><fgColor rgb="FFFF0000"/></patternFill></fill></fills>
<cellXfs count="7"><xf fontId="0"/><xf fontId="1"/><xf fontId="2"/><xf fontId="3"/><xf fontId="4"/><xf fontId="5"/><xf fontId="6"/></cellXfs>
<dxfs count="1"><dxf><font><color rgb="FFFF0000"/></font></dxf></dxfs>
</styleSheet>"#
        );
        let mut rows = String::from(r#"<row r="1">"#);
        for s in 0..7 {
            let col = crate::read::col_letter(s);
            rows.push_str(&format!(
                r#"<c r="{col}1" s="{s}" t="inlineStr"><is><t>必填</t></is></c>"#
            ));
        }
        // Red but blank: not a marked cell.
        rows.push_str(r#"<c r="H1" s="1" t="inlineStr"><is><t> </t></is></c><c r="I1" s="2"><v>3</v></c></row>"#);
        let bytes = build(
            &[cells("S", &rows)],
            &Extra {
                styles: Some(&styles),
                ..Extra::default()
            },
        );
        let wb = read_book(&bytes);
        // Font 4 is theme accent2, C0504D in the default theme: red by our rule; tinted 60%
        // lighter it is pink, not red.
        assert_eq!(wb.sheets[0].red_cells, vec![(0, 1), (0, 2), (0, 4), (0, 8)]);

        // A custom palette replaces the default one; a theme part replaces the default theme.
        let styles = format!(
            r#"<styleSheet {NS}><fonts count="2"><font><color indexed="2"/></font><font><color theme="5"/></font></fonts><cellXfs count="2"><xf fontId="0"/><xf fontId="1"/></cellXfs><colors><indexedColors><rgbColor rgb="FF000000"/><rgbColor rgb="FFFFFFFF"/><rgbColor rgb="FF00FF00"/></indexedColors></colors></styleSheet>"#
        );
        let theme = r#"<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:themeElements><a:clrScheme name="x"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1><a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="44546A"/></a:dk2><a:lt2><a:srgbClr val="E7E6E6"/></a:lt2><a:accent1><a:srgbClr val="4472C4"/></a:accent1><a:accent2><a:srgbClr val="ED7D31"/></a:accent2></a:clrScheme></a:themeElements></a:theme>"#;
        let rows = r#"<row r="1"><c r="A1" s="0"><v>1</v></c><c r="B1" s="1"><v>1</v></c></row>"#;
        let bytes = build(
            &[cells("S", rows)],
            &Extra {
                styles: Some(&styles),
                parts: vec![("xl/theme/theme1.xml", theme.to_string())],
                ..Extra::default()
            },
        );
        assert!(read_book(&bytes).sheets[0].red_cells.is_empty());
    }

    #[test]
    fn hidden_macro_chart_and_dialog_sheets() {
        let row = r#"<row r="1"><c r="A1"><v>1</v></c></row>"#;
        let mut hidden = cells("隐藏", row);
        hidden.state = Some("hidden");
        let mut very = cells("深藏", row);
        very.state = Some("veryHidden");
        let other = |name, rel| Part {
            name,
            rel,
            state: None,
            xml: "<sheet/>".into(),
        };
        let bytes = build(
            &[
                cells("可见", row),
                hidden,
                very,
                other("Macro1", "xlMacrosheet"),
                other("图1", "chartsheet"),
                other("Dialog1", "dialogsheet"),
                other("Intl", "xlIntlMacrosheet"),
            ],
            &Extra::default(),
        );
        let wb = read_book(&bytes);
        let sheets: Vec<(&str, bool)> = wb
            .sheets
            .iter()
            .map(|s| (s.name.as_str(), s.hidden))
            .collect();
        assert_eq!(sheets, [("可见", false), ("隐藏", true), ("深藏", true)]);
        let errors: Vec<(&str, SheetErrorKind)> = wb
            .sheet_errors
            .iter()
            .map(|e| (e.sheet.as_str(), e.kind.clone()))
            .collect();
        let not = |what| SheetErrorKind::NotATable { what };
        assert_eq!(
            errors,
            [
                ("Macro1", not("宏表")),
                ("图1", not("图表")),
                ("Dialog1", not("对话框表")),
                ("Intl", not("宏表")),
            ]
        );
    }

    #[test]
    fn one_broken_sheet_keeps_the_others() {
        let good = cells("好", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
        let malformed = cells("坏", r#"<row r="1"><c r="A1"><v>1</v></row>"#);
        let entity = Part {
            name: "实体",
            rel: "worksheet",
            state: None,
            xml: format!(
                r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY boom "BOOM">]><worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&boom;</t></is></c></row></sheetData></worksheet>"#
            ),
        };
        let cut = Part {
            name: "截断",
            rel: "worksheet",
            state: None,
            xml: format!(r#"<worksheet {NS}><sheetData><row r="1"><c r="A1"><v>1</v></c>"#),
        };
        let beyond = cells("越界", r#"<row r="1"><c r="XFE1"><v>1</v></c></row>"#);
        let row_zero = cells("零行", r#"<row r="0"><c><v>1</v></c></row>"#);
        let far = cells("远", r#"<row r="1048577"><c><v>1</v></c></row>"#);
        let bad_ref = cells("乱", r#"<row r="1"><c r="1A"><v>1</v></c></row>"#);
        let missing = cells("缺", "");
        let bytes_parts = [
            malformed, good, entity, cut, beyond, row_zero, far, bad_ref, missing,
        ];
        // The last sheet's relationship points at a part that is not there.
        let bytes = build(
            &bytes_parts,
            &Extra {
                rels_replace: Some(("worksheets/sheet9.xml", "worksheets/sheetX.xml")),
                ..Extra::default()
            },
        );
        let wb = read_book(&bytes);
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(wb.sheets[0].name, "好");
        let kinds: Vec<(&str, &SheetErrorKind)> = wb
            .sheet_errors
            .iter()
            .map(|e| (e.sheet.as_str(), &e.kind))
            .collect();
        let damaged = |name: &str| {
            kinds
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, k)| match k {
                    SheetErrorKind::Damaged { detail } => detail.clone(),
                    other => panic!("{name}: {other:?}"),
                })
                .unwrap_or_else(|| panic!("{name} missing in {kinds:?}"))
        };
        damaged("坏");
        assert!(damaged("实体").contains("boom"));
        damaged("截断");
        damaged("乱");
        assert!(damaged("缺").contains("sheetX"));
        let outside = SheetErrorKind::TooLarge {
            limit: Limit::OutsideGrid,
        };
        for name in ["越界", "零行", "远"] {
            assert!(
                kinds.iter().any(|(n, k)| *n == name && **k == outside),
                "{name}: {kinds:?}"
            );
        }
        assert_eq!(wb.sheet_errors.len(), 8);
    }

    #[test]
    fn broken_shared_parts_fail_the_file() {
        let rows = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
        let broken_sst = format!(r#"<sst {NS}><si><t>a</si></sst>"#);
        let bytes = build(
            &[cells("S", rows)],
            &Extra {
                shared_strings: Some(&broken_sst),
                ..Extra::default()
            },
        );
        assert!(matches!(
            read_with_limits("t.xlsx", &bytes, &Limits::default()),
            Err(ReadError::Damaged { .. })
        ));
        let cut_sst = format!(r#"<sst {NS}><si><t>a</t></si>"#);
        let bytes = build(
            &[cells("S", rows)],
            &Extra {
                shared_strings: Some(&cut_sst),
                ..Extra::default()
            },
        );
        assert!(matches!(
            read_with_limits("t.xlsx", &bytes, &Limits::default()),
            Err(ReadError::Damaged { .. })
        ));
        let entity_sst = format!(r#"<sst {NS}><si><t>&nope;</t></si></sst>"#);
        let bytes = build(
            &[cells("S", rows)],
            &Extra {
                shared_strings: Some(&entity_sst),
                ..Extra::default()
            },
        );
        assert!(matches!(
            read_with_limits("t.xlsx", &bytes, &Limits::default()),
            Err(ReadError::Damaged { detail }) if detail.contains("nope")
        ));
    }

    #[test]
    fn long_text_is_cut_and_noted() {
        let sst = format!(r#"<sst {NS}><si><t>一二三四五六七</t></si><si><t>短</t></si></sst>"#);
        let rows = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>abcdefgh</t></is></c><c r="D1" t="s"><v>0</v></c></row>"#;
        let bytes = build(
            &[cells("S", rows)],
            &Extra {
                shared_strings: Some(&sst),
                ..Extra::default()
            },
        );
        let limits = Limits {
            max_text_chars: 5,
            ..Limits::default()
        };
        let wb = read_with_limits("t.xlsx", &bytes, &limits).unwrap();
        let s = &wb.sheets[0];
        assert_eq!(
            s.grid.row(0),
            &[
                text("一二三四五"),
                text("短"),
                text("abcde"),
                text("一二三四五")
            ]
        );
        assert_eq!(
            s.notes,
            vec![
                SheetNote::TextTruncated { row: 0, col: 0 },
                SheetNote::TextTruncated { row: 0, col: 2 },
                SheetNote::TextTruncated { row: 0, col: 3 },
            ]
        );
    }

    #[test]
    fn cell_budget_fails_that_sheet_only() {
        let big = cells(
            "大",
            r#"<row r="1"><c r="A1"><v>1</v></c><c r="Z1"><v>1</v></c></row>"#,
        );
        let small = cells("小", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
        let bytes = build(&[big, small], &Extra::default());
        let limits = Limits {
            max_cells: 10,
            ..Limits::default()
        };
        let wb = read_with_limits("t.xlsx", &bytes, &limits).unwrap();
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge {
                limit: Limit::Cells { max: 10 }
            }
        );
    }

    #[test]
    fn package_paths_resolve() {
        // The workbook part is elsewhere and its relationships use absolute targets.
        let sheet = format!(
            r#"<worksheet {NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#
        );
        let parts: Vec<(&str, String)> = vec![
            ("[Content_Types].xml", r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/book/main.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.into()),
            ("_rels/.rels", format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="a" Type="{REL}/officeDocument" Target="/book/main.xml"/></Relationships>"#)),
            ("book/main.xml", format!(r#"<workbook {NS}><sheets><sheet name="S" sheetId="1" r:id="x1"/></sheets></workbook>"#)),
            ("book/_rels/main.xml.rels", format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="x1" Type="{REL}/worksheet" Target="/data/one.xml"/><Relationship Id="x2" Type="{REL}/sharedStrings" Target="../strings/sst.xml"/></Relationships>"#)),
            ("data/one.xml", sheet),
            ("strings/sst.xml", format!(r#"<sst {NS}><si><t>找到了</t></si></sst>"#)),
        ];
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for (name, data) in &parts {
            w.start_file(*name, opts).unwrap();
            w.write_all(data.as_bytes()).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        let wb = read_book(&bytes);
        assert_eq!(wb.sheets[0].grid.get(0, 0), &text("找到了"));

        // No workbook part at all: the file is damaged.
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("[Content_Types].xml", opts).unwrap();
        w.write_all(b"<Types>spreadsheetml</Types>").unwrap();
        let bytes = w.finish().unwrap().into_inner();
        assert!(matches!(
            read_with_limits("t.xlsx", &bytes, &Limits::default()),
            Err(ReadError::Damaged { .. })
        ));
    }

    #[test]
    fn cell_references_parse() {
        assert_eq!(parse_cell_ref(b"A1"), Some((0, 0)));
        assert_eq!(parse_cell_ref(b"xfd1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_cell_ref(b"$B$3"), Some((2, 1)));
        assert_eq!(parse_cell_ref(b"XFE1"), Some((0, 16_384)));
        assert_eq!(parse_cell_ref(b"A0"), Some((u32::MAX, 0)));
        assert_eq!(
            parse_cell_ref(b"ZZZZZZZZZZ99999999999"),
            Some((u32::MAX - 1, u32::MAX - 1))
        );
        for bad in ["", "A", "1", "A1B", "A 1", "中1"] {
            assert_eq!(parse_cell_ref(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(parse_number("123"), Some(123.0));
        assert_eq!(parse_number("-7"), Some(-7.0));
        assert_eq!(
            parse_number("999999198001011234"),
            Some(999_999_198_001_011_234.0)
        );
        assert_eq!(parse_number("1.5e3"), Some(1500.0));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("-"), None);
        assert_eq!(parse_index(b" 12 "), Some(12));
        assert_eq!(parse_index(b"99999999999999999999999"), Some(usize::MAX));
        assert_eq!(parse_index(b"-1"), None);
        assert_eq!(parse_index(b""), None);
        assert_eq!(parse_row_number(b"0"), Some(u32::MAX));
        assert_eq!(parse_row_number(b"1048576"), Some(1_048_575));
        let attrs = |raw: &str| -> Vec<Result<(String, String), String>> {
            RawAttrs {
                rest: raw.as_bytes(),
            }
            .map(|a| {
                a.map(|(k, v)| {
                    (
                        String::from_utf8_lossy(k).into_owned(),
                        String::from_utf8_lossy(v).into_owned(),
                    )
                })
            })
            .collect()
        };
        let ok = |k: &str, v: &str| Ok((k.to_string(), v.to_string()));
        assert_eq!(
            attrs(r#" r="A1"  x:s = '3'	t="inlineStr" /"#),
            vec![ok("r", "A1"), ok("s", "3"), ok("t", "inlineStr")]
        );
        assert_eq!(attrs(r#"名="值""#), vec![ok("名", "值")]);
        for bad in [r#" r"#, r#" r=A1"#, r#" r="A1"#, r#" ="1""#, r#" r "1""#] {
            assert!(matches!(attrs(bad).last(), Some(Err(_))), "{bad}");
        }
    }

    // -----------------------------------------------------------------------------------------
    // The `<sheetData>` scanner, checked against quick-xml alone.

    /// A worksheet part (not a whole workbook) around `rows`.
    fn sheet_part(rows: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><worksheet {NS}><sheetData>{rows}</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>"#
        )
    }

    type Pass = Result<Sheet, SheetErrorKind>;

    /// A part read with the scanner (no second pass) and with quick-xml alone; asserts that the
    /// scanner either gave up (`Damaged`, after which quick-xml decides) or agrees exactly, and
    /// that [`read_worksheet`] gives quick-xml's result.
    fn both_ways(xml: &[u8], ctx: &Context<'_>) -> (Pass, Pass) {
        let global = HashMap::new();
        let names = Names {
            global: &global,
            local: None,
        };
        let fast = read_worksheet_pass(xml, "s.xml", ctx, names, true);
        let slow = read_worksheet_pass(xml, "s.xml", ctx, names, false);
        if !matches!(fast, Err(SheetErrorKind::Damaged { .. })) {
            assert_eq!(fast, slow, "{}", String::from_utf8_lossy(xml));
        }
        assert_eq!(read_worksheet(xml, "s.xml", ctx, names), slow);
        (fast, slow)
    }

    fn both_ways_plain(xml: &[u8]) -> (Pass, Pass) {
        let strings = SharedStrings::default();
        let limits = Limits::default();
        let ctx = Context {
            strings: &strings,
            xfs: &[],
            date1904: false,
            limits: &limits,
        };
        both_ways(xml, &ctx)
    }

    #[test]
    fn scanner_reads_cells_as_quick_xml_does() {
        let rows = concat!(
            r#"<row r="1" spans="1:3"><c r="A1"><v>1</v></c>"#,
            r#"<c r="B1" t="inlineStr"><is><t>a&amp;b&#x4E2D;&#25991;&lt;&gt;&quot;&apos;</t></is></c></row>"#,
            // Self-closing rows and cells; rows and cells without `r` follow on.
            r#"<row r="2"/><row><c><v>2</v></c><c s="0"/><c><v>3</v></c></row>"#,
            r#"<row/><row><c r="C5"/><c><v>4</v></c></row>"#,
            // Rich text runs, phonetic runs left out, white space kept as written.
            r#"<row r="6"><c r="A6" t="inlineStr"><is><r><rPr><b/></rPr><t>东</t></r>"#,
            r#"<r><t xml:space="preserve"> 京 </t></r><rPh sb="0" eb="1"><t>とう</t></rPh></is></c>"#,
            // Formulas with a value, without one, and shared without one.
            r#"<c r="B6"><f>1+1</f><v>2</v></c><c r="C6"><f>A1*2&gt;0</f></c>"#,
            r#"<c r="D6"><f t="shared" si="0"/></c></row>"#,
            // Unknown elements inside a row, with text and references.
            r#"<row r="7"><extLst><ext uri="{X}"><x14:y a='1'>t &amp; u</x14:y></ext></extLst>"#,
            // `>` inside a quoted attribute, prefixes, a space before `>` of an end tag.
            r#"<c r="A7" x:y="a>b"><v>7</v></c ><x:c xmlns:x="urn:x" r="B7"><x:v> 8 </x:v></x:c>"#,
            // Line ends normalised, escapes decoded, a character reference kept as is.
            "<c r=\"C7\" t=\"inlineStr\"><is><t>a\r\nb\rc_x000D_d&#13;e</t></is></c>",
            r#"<c r="D7" t="str"><f>"x"</f><v>x&lt;</v></c><c r="E7" t="b"><v>1</v></c>"#,
            r#"<c r="F7" t="e"><v>#N/A</v></c></row>"#,
        );
        let (fast, _) = both_ways_plain(sheet_part(rows).as_bytes());
        let sheet = fast.expect("the scanner reads this sheet itself");
        let g = &sheet.grid;
        assert_eq!(g.get(0, 0), &Value::Number(1.0));
        assert_eq!(g.get(0, 1), &text("a&b中文<>\"'"));
        assert_eq!(
            g.row(2),
            &[Value::Number(2.0), Value::Empty, Value::Number(3.0)]
        );
        assert_eq!(g.get(4, 3), &Value::Number(4.0));
        assert_eq!(g.get(5, 0), &text("东 京 "));
        assert_eq!(g.get(5, 1), &Value::Number(2.0));
        assert_eq!(
            g.row(6),
            &[
                Value::Number(7.0),
                Value::Number(8.0),
                text("a\nb\nc\rd\re"),
                text("x<"),
                Value::Bool(true),
                Value::Error("#N/A".into()),
            ]
        );
        assert_eq!(
            sheet.notes,
            vec![
                SheetNote::FormulaWithoutValue { row: 5, col: 2 },
                SheetNote::FormulaWithoutValue { row: 5, col: 3 },
            ]
        );
        // quick-xml still reads what follows `</sheetData>`.
        assert_eq!(sheet.merges.len(), 1);
    }

    #[test]
    fn scanner_leaves_cdata_and_comments_to_quick_xml() {
        for rows in [
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<b>&]]></t></is></c></row>"#,
            r#"<row r="1"><!-- <c r="Z9"><v>9</v></c> --><c r="A1" t="inlineStr"><is><t>&lt;b&gt;&amp;</t></is></c></row>"#,
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>&lt;b<?pi x?>&gt;&amp;</t></is></c></row>"#,
            r#"<row r="1"><mergeCell ref="A2:B2"/><c r="A1" t="inlineStr"><is><t>&lt;b&gt;&amp;</t></is></c></row>"#,
        ] {
            let (fast, slow) = both_ways_plain(sheet_part(rows).as_bytes());
            assert!(
                matches!(fast, Err(SheetErrorKind::Damaged { .. })),
                "{rows}"
            );
            let sheet = slow.unwrap_or_else(|e| panic!("{rows}: {e:?}"));
            assert_eq!(sheet.grid.get(0, 0), &text("<b>&"), "{rows}");
        }
    }

    #[test]
    fn malformed_sheet_data_damages_the_sheet() {
        let head = format!(r#"<worksheet {NS}><sheetData>"#);
        let mut parts: Vec<Vec<u8>> = [
            // Unclosed tags, the part cut short, `</sheetData>` missing.
            r#"<row r="1"><c r="A1"><v>1</v></c"#,
            r#"<row r="1"><c r="A1"><v>12"#,
            r#"<row r="1"><c r="A1"><v>1</v></c></row>"#,
            r#"<row r="1"><c r="A1"><v>1</v></c></row><"#,
            r#"<row r="1"><c r="A1" t="x><v>1</v></c></row></sheetData></worksheet>"#,
            r#"<row r="1"/></worksheet>"#,
            // `<` inside a value, crossed and stray end tags.
            r#"<row r="1"><c r="A1"><v>1<2</v></c></row></sheetData></worksheet>"#,
            r#"<row r="1"><c r="A1"></row></c></sheetData></worksheet>"#,
            r#"<row r="1"></c></row></sheetData></worksheet>"#,
            r#"<row r="1"><c r="A1"><v>1</v></c></row></sheetdata></worksheet>"#,
            // Attributes without quotes or values.
            r#"<row r=1><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#,
            r#"<row r="1"><c r=A1><v>1</v></c></row></sheetData></worksheet>"#,
            r#"<row r="1"><c r="A1" s><v>1</v></c></row></sheetData></worksheet>"#,
            // Entities: unknown, unclosed, bad character references; anywhere in the cells.
            r#"<row r="1"><c r="A1"><v>&lol;</v></c></row></sheetData></worksheet>"#,
            r#"<row r="1"><extLst>&lol;</extLst></row></sheetData></worksheet>"#,
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a & b</t></is></c></row></sheetData></worksheet>"#,
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>&#xD800;</t></is></c></row></sheetData></worksheet>"#,
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>&#;</t></is></c></row></sheetData></worksheet>"#,
            r#"<row r="1"><c r="A1"><v>1</v></c></row><![CDATA[x</sheetData></worksheet>"#,
        ]
        .iter()
        .map(|rows| format!("{head}{rows}").into_bytes())
        .collect();
        // Invalid UTF-8 in a value and in a tag.
        let mut bad = format!(r#"{head}<row r="1"><c r="A1" t="inlineStr"><is><t>"#).into_bytes();
        bad.extend_from_slice(b"\xE4\xB8</t></is></c></row></sheetData></worksheet>");
        parts.push(bad);
        let mut bad = format!("{head}<row r=\"1\"><c r=\"A1\">").into_bytes();
        bad.extend_from_slice(b"<v\xFF>1</v\xFF></c></row></sheetData></worksheet>");
        parts.push(bad);
        for xml in &parts {
            let (fast, slow) = both_ways_plain(xml);
            let shown = String::from_utf8_lossy(xml);
            assert!(
                matches!(fast, Err(SheetErrorKind::Damaged { .. })),
                "{shown}"
            );
            assert!(
                matches!(slow, Err(SheetErrorKind::Damaged { .. })),
                "{shown}"
            );
        }
    }

    #[test]
    fn mutated_sheets_never_panic_and_agree() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qingshan");
        let path = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.to_string_lossy().contains("医疗保障局")
                    && p.extension().is_some_and(|x| x == "xlsx")
            })
            .expect("fixture");
        let mut zip = zip::ZipArchive::new(Cursor::new(std::fs::read(path).unwrap())).unwrap();
        let mut part = |name: &str| {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut out).unwrap();
            out
        };
        let sheet = part("xl/worksheets/sheet1.xml");
        let xfs = parse_styles(&part("xl/styles.xml"), &DEFAULT_THEME).unwrap();
        let strings = SharedStrings::default();
        let limits = Limits::default();
        let ctx = Context {
            strings: &strings,
            xfs: &xfs,
            date1904: false,
            limits: &limits,
        };
        let (fast, _) = both_ways(&sheet, &ctx);
        assert!(fast.is_ok());

        let junk: [&[u8]; 16] = [
            b"<",
            b">",
            b"&",
            b"&amp;",
            b"&#x0;",
            b"\"",
            b"'",
            b"_x000D_",
            b"</c>",
            b"<v>",
            b"<c r=\"XFD1048577\">",
            b"<row/>",
            b"<![CDATA[",
            b"<!--",
            b"\xFF",
            b"</sheetData>",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as usize
        };
        let (mut agreed, mut rounds) = (0, 0);
        // Every cut of the part, then random flips, insertions and deletions.
        for cut in (1..sheet.len()).step_by(7) {
            let (fast, _) = both_ways(&sheet[..cut], &ctx);
            assert!(fast.is_err());
        }
        for _ in 0..3000 {
            let mut m = sheet.clone();
            for _ in 0..1 + next() % 3 {
                if m.is_empty() {
                    break;
                }
                let i = next() % m.len();
                match next() % 4 {
                    0 => m[i] ^= 1 << (next() % 8),
                    1 => {
                        let j = junk[next() % junk.len()];
                        m.splice(i..i, j.iter().copied());
                    }
                    2 => {
                        let len = (next() % 16).min(m.len() - i);
                        m.drain(i..i + len);
                    }
                    _ => m.truncate(i.max(1)),
                }
            }
            let (fast, _) = both_ways(&m, &ctx);
            rounds += 1;
            agreed += usize::from(!matches!(fast, Err(SheetErrorKind::Damaged { .. })));
        }
        // Most single mutations land in cell text and leave a readable sheet: the comparison
        // above must have had work to do.
        assert!(agreed > rounds / 20, "{agreed} of {rounds}");
    }
}
