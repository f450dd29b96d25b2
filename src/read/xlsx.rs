//! Office Open XML workbooks (xlsx, xlsm, xlsb) through calamine, with our own guards.
//!
//! The zip has already passed [`zipguard::preflight`](super::zipguard::preflight). Before
//! calamine opens it, parts that would make it fail or over-allocate are neutralised in an
//! in-memory copy: macro sheets (calamine refuses the whole workbook over one) are dropped from
//! the sheet list and reported, and a shared-string count larger than the part could possibly
//! hold is removed (calamine reserves memory for it up front). Cells are read through
//! calamine's streaming cell reader into a [`GridBuilder`], so a lying `<dimension>` or two
//! far-apart cells cost nothing; the budget decides. What calamine does not expose — list data
//! validations and formulas saved without a result — is read from the sheet XML here.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsb, Xlsx, XlsxError};
use quick_xml::events::Event;

use super::grid::{parse_a1_range, GridBuilder, Rect, Value};
use super::xmlutil::{attr, entity_text};
use super::zipguard::ZipEntries;
use super::{Format, Limits, ListSource, ListValidation, Sheet, SheetNote, Workbook};
use crate::error::{ReadError, SheetError, SheetErrorKind};

/// The most list validations or merged regions kept per sheet; real forms have dozens.
const MAX_RANGES: usize = 100_000;

/// A sheet as listed in `workbook.xml`, with the part its relationship points to.
struct SheetEntry {
    name: String,
    rel_type: String,
    part: Option<String>,
}

/// Reads an xlsx/xlsm workbook.
///
/// # Errors
/// [`ReadError::Encrypted`] for a password-protected workbook, [`ReadError::Damaged`] when
/// calamine cannot open it. Sheets that fail alone go to [`Workbook::sheet_errors`].
pub fn read_xlsx(
    bytes: &[u8],
    entries: ZipEntries,
    macros: bool,
    limits: &Limits,
) -> Result<Workbook, ReadError> {
    let workbook_part = office_document_part(&entries).unwrap_or_else(|| "xl/workbook.xml".into());
    let listed = list_sheets(&entries, &workbook_part);
    let mut sheet_errors = Vec::new();

    // Parts calamine cannot cope with are neutralised in a copy of the zip.
    let mut replace: Vec<(&str, Vec<u8>)> = Vec::new();
    let unknown: Vec<&SheetEntry> = listed
        .iter()
        .filter(|s| {
            !matches!(
                rel_kind(&s.rel_type),
                "worksheet" | "chartsheet" | "dialogsheet"
            )
        })
        .collect();
    if !unknown.is_empty() {
        if let Some(xml) = entries.get(&workbook_part) {
            let names: Vec<&str> = unknown.iter().map(|s| s.name.as_str()).collect();
            replace.push((workbook_part.as_str(), drop_sheets(xml, &names)));
        }
        for s in &unknown {
            sheet_errors.push(SheetError {
                sheet: s.name.clone(),
                kind: SheetErrorKind::NotATable {
                    what: if rel_kind(&s.rel_type).to_ascii_lowercase().contains("macro") {
                        "宏表"
                    } else {
                        "图表"
                    },
                },
            });
        }
    }
    let sst_part = sibling_part(&workbook_part, "sharedStrings.xml");
    if let Some(sst) = entries.get(&sst_part) {
        if let Some(fixed) = neutralise_unique_count(sst) {
            replace.push((sst_part.as_str(), fixed));
        }
    }
    let rebuilt;
    let source: &[u8] = if replace.is_empty() {
        bytes
    } else {
        rebuilt = entries.rebuild(&replace)?;
        &rebuilt
    };

    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(source)).map_err(xlsx_error)?;
    let defined: HashMap<String, String> = xlsx
        .defined_names()
        .iter()
        .map(|(n, f)| (n.to_lowercase(), f.clone()))
        .collect();
    let metadata: Vec<(String, SheetType, bool)> = xlsx
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.typ, s.visible != SheetVisible::Visible))
        .collect();

    let mut sheets = Vec::new();
    for (name, typ, hidden) in metadata {
        if typ != SheetType::WorkSheet {
            sheet_errors.push(SheetError {
                sheet: name,
                kind: SheetErrorKind::NotATable {
                    what: match typ {
                        SheetType::DialogSheet => "对话框表",
                        SheetType::MacroSheet => "宏表",
                        _ => "图表",
                    },
                },
            });
            continue;
        }
        let part = listed
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.part.clone());
        match read_sheet(&mut xlsx, &name, limits) {
            Ok(mut sheet) => {
                sheet.hidden = hidden;
                if let Some(xml) = part.as_deref().and_then(|p| entries.get(p)) {
                    let extras = scan_sheet_xml(xml, &defined);
                    sheet.validations = extras.validations;
                    sheet.notes.extend(extras.notes);
                }
                sheets.push(sheet);
            }
            Err(kind) => sheet_errors.push(SheetError { sheet: name, kind }),
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
/// As [`read_xlsx`].
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

fn xlsx_error(e: XlsxError) -> ReadError {
    match e {
        XlsxError::Password => ReadError::Encrypted,
        e => ReadError::Damaged {
            detail: e.to_string(),
        },
    }
}

fn sheet_damaged(e: impl std::fmt::Display) -> SheetErrorKind {
    SheetErrorKind::Damaged {
        detail: e.to_string(),
    }
}

/// Reads one worksheet's cells, merged regions and red-font cells.
fn read_sheet(
    xlsx: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
) -> Result<Sheet, SheetErrorKind> {
    let mut grid = GridBuilder::new(limits.max_cells, limits.max_columns);
    let mut red_cells = Vec::new();
    let mut notes = Vec::new();
    {
        let mut reader = xlsx.worksheet_cells_reader(name).map_err(sheet_damaged)?;
        // Which style ids have a red font, decided once per style.
        let red_styles: Vec<bool> = reader.styles().iter().map(style_is_red).collect();
        while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(sheet_damaged)? {
            let (row, col) = cell.get_position();
            let value = data_ref_value(cell.get_value(), limits, row, col, &mut notes);
            let blank = value.is_blank();
            grid.set(row, col, value)
                .map_err(|limit| SheetErrorKind::TooLarge { limit })?;
            if !blank && red_styles.get(style).copied().unwrap_or(false) {
                red_cells.push((row, col));
            }
        }
    }
    let merges = xlsx
        .merge_cells_by_sheet_name(name)
        .map_err(sheet_damaged)?
        .into_iter()
        .take(MAX_RANGES)
        .map(|d| Rect::new(d.start.0, d.start.1, d.end.0, d.end.1))
        .collect();
    red_cells.sort_unstable();
    red_cells.dedup();
    Ok(Sheet {
        name: name.to_string(),
        hidden: false,
        grid: grid.finish(),
        merges,
        validations: Vec::new(),
        red_cells,
        notes,
    })
}

fn style_is_red(style: &calamine::Style) -> bool {
    style
        .font
        .as_ref()
        .and_then(|f| f.color)
        .is_some_and(|c| is_red(c.red, c.green, c.blue))
}

/// Offices mark required columns in red; accept the reds people actually pick.
pub(crate) fn is_red(r: u8, g: u8, b: u8) -> bool {
    r >= 0xC0 && g <= 0x50 && b <= 0x50
}

/// Converts one calamine value to ours.
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

/// An Excel date serial as an ISO date (or date-time when it has a time of day).
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
    match part.rfind('/') {
        Some(i) => format!("{}{}", &part[..=i], name),
        None => name.to_string(),
    }
}

/// The relationships of a part: id → (absolute target part, type). `base` is the directory
/// relative targets are resolved against (with a trailing `/`, or empty).
fn parse_rels(xml: &[u8], base: &str) -> HashMap<String, (String, String)> {
    let mut out = HashMap::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
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
        buf.clear();
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

fn rel_kind(rel_type: &str) -> &str {
    rel_type.rsplit('/').next().unwrap_or("")
}

/// The sheets `workbook.xml` lists, in order, with their relationship type and part.
fn list_sheets(entries: &ZipEntries, workbook_part: &str) -> Vec<SheetEntry> {
    let Some(xml) = entries.get(workbook_part) else {
        return Vec::new();
    };
    let dir = match workbook_part.rfind('/') {
        Some(i) => &workbook_part[..=i],
        None => "",
    };
    let rels_part = format!(
        "{dir}_rels/{}.rels",
        workbook_part.rsplit('/').next().unwrap_or("workbook.xml")
    );
    let rels = entries
        .get(&rels_part)
        .map(|r| parse_rels(r, dir))
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == "sheet" => {
                let name = attr(&e, "name").unwrap_or_default();
                let rid = attr(&e, "id").unwrap_or_default();
                let (part, rel_type) = match rels.get(&rid) {
                    Some((t, ty)) => (Some(t.clone()), ty.clone()),
                    None => (None, String::new()),
                };
                out.push(SheetEntry {
                    name,
                    rel_type,
                    part,
                });
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// `workbook.xml` without the `<sheet>` elements of the named sheets.
fn drop_sheets(xml: &[u8], names: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len());
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut last = 0usize;
    let mut buf = Vec::new();
    loop {
        let before = reader.buffer_position() as usize;
        match reader.read_event_into(&mut buf) {
            Ok(Event::Empty(e)) | Ok(Event::Start(e)) if e.local_name().as_ref() == "sheet" => {
                let name = attr(&e, "name").unwrap_or_default();
                if names.contains(&name.as_str()) {
                    let after = reader.buffer_position() as usize;
                    out.extend_from_slice(xml.get(last..before).unwrap_or_default());
                    last = after;
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out.extend_from_slice(xml.get(last..).unwrap_or_default());
    out
}

/// A copy of `sharedStrings.xml` without its `uniqueCount`, when the count claims more strings
/// than the part could hold (calamine reserves memory for the claimed count up front).
fn neutralise_unique_count(sst: &[u8]) -> Option<Vec<u8>> {
    let head_len = sst.len().min(2048);
    let head = &sst[..head_len];
    let key = b"uniqueCount=\"";
    let start = head.windows(key.len()).position(|w| w == key)? + key.len();
    let end = start + head[start..].iter().position(|&b| b == b'"')?;
    let claimed: u64 = std::str::from_utf8(&head[start..end])
        .ok()?
        .trim()
        .parse()
        .unwrap_or(u64::MAX);
    // The smallest string item, `<si/>`, takes 5 bytes.
    if claimed <= sst.len() as u64 / 5 {
        return None;
    }
    let mut out = Vec::with_capacity(sst.len());
    out.extend_from_slice(&sst[..start]);
    out.push(b'0');
    out.extend_from_slice(&sst[end..]);
    Some(out)
}

/// What the sheet XML says beyond cell values.
#[derive(Default)]
struct SheetExtras {
    validations: Vec<ListValidation>,
    notes: Vec<SheetNote>,
}

/// A `<c>` element being read: its position and whether it has a formula and a value.
struct OpenCell {
    pos: Option<(u32, u32)>,
    formula: bool,
    value: bool,
}

/// Reads list data validations (classic and the x14 extension form) and formulas saved without
/// a cached result from a worksheet part. Malformed XML ends the scan; what was found is kept.
fn scan_sheet_xml(xml: &[u8], defined: &HashMap<String, String>) -> SheetExtras {
    let mut extras = SheetExtras::default();
    // Most sheets have no formulas: then only the part after the cells needs parsing.
    let start = match find(xml, b"</sheetData>") {
        Some(end) if find(&xml[..end], b"<f").is_none() => end + b"</sheetData>".len(),
        _ => 0,
    };
    let mut reader = quick_xml::Reader::from_reader(&xml[start..]);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut cell: Option<OpenCell> = None;
    // Current validation: is a list, sqref text, formula1 text.
    let mut dv: Option<(bool, String, String)> = None;
    let mut in_text: Option<&'static str> = None;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "c" => {
                    let pos = attr(&e, "r").and_then(|r| super::grid::parse_a1(&r));
                    cell = Some(OpenCell {
                        pos,
                        formula: false,
                        value: false,
                    });
                }
                "f" if cell.is_some() => {
                    if let Some(c) = cell.as_mut() {
                        c.formula = true;
                    }
                }
                "v" | "is" if cell.is_some() => {
                    if let Some(c) = cell.as_mut() {
                        c.value = true;
                    }
                }
                "dataValidation" => {
                    let is_list = attr(&e, "type").as_deref() == Some("list");
                    dv = Some((
                        is_list,
                        attr(&e, "sqref").unwrap_or_default(),
                        String::new(),
                    ));
                }
                "formula1" | "f" if dv.is_some() => in_text = Some("formula"),
                "sqref" if dv.is_some() => in_text = Some("sqref"),
                _ => {}
            },
            Ok(Event::Empty(e)) if e.local_name().as_ref() == "c" => cell = None,
            Ok(Event::Text(t)) => {
                if let (Some(which), Some(d)) = (in_text, dv.as_mut()) {
                    let text = t.xml10_content().into_owned();
                    if which == "formula" {
                        d.2.push_str(&text);
                    } else {
                        d.1.push_str(&text);
                    }
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let (Some(which), Some(d), Some(text)) = (in_text, dv.as_mut(), entity_text(&r))
                {
                    if which == "formula" {
                        d.2.push_str(&text);
                    } else {
                        d.1.push_str(&text);
                    }
                }
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "c" => {
                    if let Some(OpenCell {
                        pos: Some((row, col)),
                        formula: true,
                        value: false,
                    }) = cell.take()
                    {
                        if extras.notes.len() < 1000 {
                            extras
                                .notes
                                .push(SheetNote::FormulaWithoutValue { row, col });
                        }
                    }
                }
                "formula1" | "f" | "sqref" => in_text = None,
                "dataValidation" => {
                    if let Some((true, sqref, formula)) = dv.take() {
                        if extras.validations.len() < MAX_RANGES {
                            let ranges: Vec<Rect> = sqref
                                .split_whitespace()
                                .filter_map(parse_a1_range)
                                .take(MAX_RANGES)
                                .collect();
                            if !ranges.is_empty() {
                                extras.validations.push(ListValidation {
                                    ranges,
                                    source: list_source(&formula, defined),
                                });
                            }
                        }
                    }
                    dv = None;
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    extras
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Interprets a list validation's `formula1`: `"男,女"`, `字典!$A$2:$A$5`, `$A$2:$A$5`, or a
/// defined name standing for one of those.
pub(crate) fn list_source(formula: &str, defined: &HashMap<String, String>) -> ListSource {
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
    if let Some(resolved) = defined.get(&f.to_lowercase()) {
        if resolved.trim_start_matches('=') != f {
            return list_source(resolved, &HashMap::new());
        }
    }
    let (sheet, range) = match f.rsplit_once('!') {
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
    };
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
    fn lying_shared_string_count_is_neutralised() {
        let sst = br#"<sst xmlns="x" count="1" uniqueCount="4294967295"><si><t>a</t></si></sst>"#;
        let fixed = neutralise_unique_count(sst).unwrap();
        assert!(String::from_utf8_lossy(&fixed).contains("uniqueCount=\"0\""));
        let honest = br#"<sst xmlns="x" count="1" uniqueCount="1"><si><t>a</t></si></sst>"#;
        assert!(neutralise_unique_count(honest).is_none());
    }

    #[test]
    fn macro_sheets_are_dropped_from_the_list() {
        let xml = br#"<workbook><sheets><sheet name="A" sheetId="1" r:id="rId1"/><sheet name="M" sheetId="2" r:id="rId2"/></sheets></workbook>"#;
        let out = String::from_utf8(drop_sheets(xml, &["M"])).unwrap();
        assert_eq!(
            out,
            r#"<workbook><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>"#
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
    }
}
