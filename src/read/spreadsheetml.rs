//! Excel 2003 XML ("SpreadsheetML") reader: one XML document → a [`Workbook`], with merged
//! cells, list validations, red-font cells and column widths.
//!
//! Many Java government systems export "Excel" this way (`<?mso-application
//! progid="Excel.Sheet"?>`, `<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`),
//! named .xml or .xls. The document is decoded to UTF-8 first (UTF-8 and UTF-16 byte-order marks,
//! a declared GBK/GB2312/GB18030 encoding), then read once by quick-xml, which the xlsx and ODS
//! readers already use.
//!
//! Elements and attributes are matched by local name (`Data` and `ss:Data`, `ss:Color` and
//! `html:Color`), since writers differ in the prefixes they pick. Positions are claims:
//! `ss:Index` and the merge spans only move a cursor or make a [`Rect`]; cells go through
//! [`GridBuilder`], which charges the cell budget. A DTD is refused and no entity but XML's
//! predefined ones and character references is ever expanded.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::error::{Limit, ReadError, SheetError, SheetErrorKind};
use crate::read::grid::{GridBuilder, MAX_COLS, MAX_ROWS};
use crate::read::{
    Format, Limits, ListSource, ListValidation, Rect, Sheet, SheetNote, Value, Workbook,
};

/// Most worksheets read: an empty `<Worksheet/>` costs a dozen bytes but a [`Sheet`] far more.
const MAX_SHEETS: usize = 10_000;
/// Most merged regions kept per sheet.
const MAX_MERGES: usize = 100_000;
/// Most notes kept per sheet: a person reads them.
const MAX_NOTES: usize = 1000;
/// Most rectangles kept per list validation.
const MAX_VALIDATION_RECTS: usize = 10_000;
/// Most column-width runs kept per sheet (one per column at most).
const MAX_WIDTHS: usize = MAX_COLS as usize;
/// Longest chain of parent styles followed, so a cycle of parents cannot loop.
const MAX_STYLE_DEPTH: usize = 16;

const MAX_ROWS64: u64 = MAX_ROWS as u64;
const MAX_COLS64: u64 = MAX_COLS as u64;

/// An XML problem, as the technical detail kept in [`ReadError::Damaged`].
type XmlResult<T> = Result<T, String>;

/// Reads an Excel 2003 XML workbook.
///
/// Each `Worksheet` becomes a [`Sheet`]. A worksheet that goes over a [`Limits`] budget, or
/// whose XML breaks, is listed in [`Workbook::sheet_errors`]; the worksheets before it are kept.
///
/// # Errors
/// [`ReadError::Damaged`] when the document has a DTD, has no `Workbook`, or breaks before any
/// worksheet could be read.
pub fn read_spreadsheetml(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let text = decode(bytes);
    let mut doc = Doc {
        xml: Xml::new(&text),
        limits: *limits,
        styles: Styles::default(),
        sheets: Vec::new(),
        sheet_errors: Vec::new(),
        worksheets_seen: 0,
        workbook_seen: false,
        workbook_done: false,
    };
    if let Err(stop) = doc.run() {
        let (detail, outside) = match stop {
            Stop::InSheet(d) => (d, false),
            Stop::Outside(d) => (d, true),
        };
        if doc.sheets.is_empty() {
            return Err(ReadError::Damaged { detail });
        }
        // Broken between worksheets: the ones after this point are lost, and they have no name
        // we could read, so the report names the position of the first lost one.
        if outside && !doc.workbook_done {
            doc.sheet_errors.push(SheetError {
                sheet: format!("#{}", doc.worksheets_seen + 1),
                kind: SheetErrorKind::Damaged { detail },
            });
        }
    }
    Ok(Workbook {
        format: Format::SpreadsheetMl,
        encoding: None,
        sheets: doc.sheets,
        sheet_errors: doc.sheet_errors,
    })
}

// ---------------------------------------------------------------------------------------------
// Encoding.

/// The document as UTF-8. A byte-order mark decides first; then a declared GB encoding; then
/// UTF-8 when the bytes are valid UTF-8, GB18030 when they decode cleanly as that (undeclared
/// GBK is common in Chinese systems), and UTF-8 with replacement characters otherwise.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Cow::Owned(crate::read::gb18030::decode_utf16(rest, true).0);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Cow::Owned(crate::read::gb18030::decode_utf16(rest, false).0);
    }
    let utf8 = std::str::from_utf8(bytes);
    if declares_gb(bytes) {
        // A GB declaration over bytes that are valid UTF-8 with Chinese in them is a system that
        // wrote UTF-8 and a stale declaration: GBK text is almost never valid UTF-8.
        match utf8 {
            Ok(s) if !s.is_ascii() => return Cow::Borrowed(s),
            _ => return Cow::Owned(crate::read::gb18030::decode(bytes).0),
        }
    }
    match utf8 {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => match crate::read::gb18030::decode(bytes) {
            (s, false) => Cow::Owned(s),
            (_, true) => String::from_utf8_lossy(bytes),
        },
    }
}

/// True when the XML declaration names GBK, GB2312 or GB18030.
fn declares_gb(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256)];
    let Some(head) = head.strip_prefix(b"<?xml") else {
        return false;
    };
    let end = head
        .windows(2)
        .position(|w| w == b"?>")
        .unwrap_or(head.len());
    let decl = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
    let Some(at) = decl.find("encoding") else {
        return false;
    };
    let value = decl[at + "encoding".len()..]
        .trim_start()
        .trim_start_matches('=')
        .trim_start()
        .trim_start_matches(['"', '\'']);
    let name: String = value
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    matches!(
        name.as_str(),
        "gbk" | "gb2312" | "gb18030" | "cp936" | "x-gbk" | "gb_2312-80"
    )
}

// ---------------------------------------------------------------------------------------------
// The XML pull parser.

/// Why reading stopped early; the detail is the XML problem.
#[derive(Debug)]
enum Stop {
    /// Inside a worksheet, which is already listed in the sheet errors.
    InSheet(String),
    /// Outside any worksheet (styles, between worksheets).
    Outside(String),
}

/// A pull parser that refuses DTDs and checks entities, once for every caller.
struct Xml<'a> {
    reader: Reader<&'a [u8]>,
}

impl<'a> Xml<'a> {
    fn new(text: &'a str) -> Xml<'a> {
        Xml {
            reader: Reader::from_str(text),
        }
    }

    fn fail(&self, what: impl std::fmt::Display) -> String {
        format!("{what} (byte {})", self.reader.buffer_position())
    }

    fn next(&mut self) -> XmlResult<Event<'a>> {
        match self.reader.read_event() {
            Ok(Event::DocType(_)) => {
                Err(self.fail("不接受 DTD（<!DOCTYPE>）/ a DTD (<!DOCTYPE>) is not accepted"))
            }
            Ok(Event::GeneralRef(r)) => {
                resolve_ref(&r).map_err(|e| self.fail(e))?;
                Ok(Event::GeneralRef(r))
            }
            Ok(event) => Ok(event),
            Err(e) => Err(format!("{e} (byte {})", self.reader.error_position())),
        }
    }

    /// Skips the rest of an element whose start was just read.
    fn skip(&mut self, start: &BytesStart<'_>) -> XmlResult<()> {
        match self.reader.read_to_end(start.name()) {
            Ok(_) => Ok(()),
            Err(e) => Err(format!("{e} (byte {})", self.reader.error_position())),
        }
    }

    fn ended_early(&self) -> String {
        self.fail("文件提前结束 / unexpected end of the document")
    }

    /// Calls `f` with every attribute's local name and unescaped value.
    fn each_attr(
        &self,
        e: &BytesStart<'_>,
        mut f: impl FnMut(&str, Cow<'_, str>),
    ) -> XmlResult<()> {
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.fail(err))?;
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.fail(err))?;
            f(attr.key.local_name().as_ref(), value);
        }
        Ok(())
    }

    /// The text of an element whose start was just read, up to `max` characters, with the
    /// text of any child elements.
    fn text(&mut self, max: usize) -> XmlResult<String> {
        let mut acc = TextAcc::new(max);
        self.collect_text(&mut acc, |_, _| Ok(()))?;
        Ok(acc.out)
    }

    /// Collects the text of an element whose start was just read, calling `on_child` for the
    /// start of every child element (rich-text runs), up to the element's end.
    fn collect_text(
        &mut self,
        acc: &mut TextAcc,
        mut on_child: impl FnMut(&Xml<'a>, &BytesStart<'_>) -> XmlResult<()>,
    ) -> XmlResult<()> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Event::Start(e) => {
                    on_child(self, &e)?;
                    depth += 1;
                }
                Event::Empty(e) => on_child(self, &e)?,
                Event::Text(t) => acc.push_str(&t.xml10_content()),
                Event::CData(t) => acc.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => {
                    let c = resolve_ref(&r).map_err(|e| self.fail(e))?;
                    acc.push(c);
                }
                Event::End(_) => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                Event::Eof => return Err(self.ended_early()),
                _ => {}
            }
        }
    }
}

/// The character an entity or character reference stands for.
fn resolve_ref(r: &BytesRef<'_>) -> Result<char, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => return Ok(c),
        Ok(None) => {}
        Err(e) => return Err(e.to_string()),
    }
    resolve_predefined_entity(r)
        .and_then(|s| s.chars().next())
        .ok_or_else(|| format!("未知实体 / unknown entity &{};", &**r))
}

/// Text being collected, cut at a number of characters.
struct TextAcc {
    out: String,
    chars: usize,
    max: usize,
    truncated: bool,
}

impl TextAcc {
    fn new(max: usize) -> TextAcc {
        TextAcc {
            out: String::new(),
            chars: 0,
            max,
            truncated: false,
        }
    }

    fn push(&mut self, c: char) {
        if self.chars >= self.max {
            self.truncated = true;
            return;
        }
        self.out.push(c);
        self.chars += 1;
    }

    fn push_str(&mut self, s: &str) {
        if self.truncated {
            return;
        }
        // Bytes ≥ chars, so only long text needs counting.
        if self.chars.saturating_add(s.len()) <= self.max {
            self.out.push_str(s);
            self.chars += s.chars().count();
            return;
        }
        for c in s.chars() {
            self.push(c);
            if self.truncated {
                return;
            }
        }
    }
}

/// A 1-based position or a span as the file claims it: digits too many for a `u64` stand for
/// the largest one (so a huge position still fails its sheet); `None` when not a number.
fn parse_u64(v: &str) -> Option<u64> {
    let v = v.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.parse::<u64>().unwrap_or(u64::MAX))
}

// ---------------------------------------------------------------------------------------------
// Styles: red fonts only.

/// What one `Style` says about the font colour.
#[derive(Debug, Default)]
struct Style {
    /// `Some` when the style sets a colour itself: whether it is red.
    red: Option<bool>,
    /// The style it inherits from (`ss:Parent`).
    parent: Option<String>,
}

/// The styles of the document, reduced to red fonts.
#[derive(Debug, Default)]
struct Styles {
    by_id: HashMap<String, Style>,
    /// Styles already resolved.
    cache: HashMap<String, bool>,
}

impl Styles {
    /// Whether cells of this style show red text, following parent styles and then the
    /// `Default` style, which every style implicitly builds on.
    fn is_red(&mut self, id: &str) -> bool {
        if let Some(&red) = self.cache.get(id) {
            return red;
        }
        let mut style = self.by_id.get(id);
        let mut red = None;
        for _ in 0..MAX_STYLE_DEPTH {
            let Some(s) = style else { break };
            if s.red.is_some() {
                red = s.red;
                break;
            }
            style = s.parent.as_deref().and_then(|p| self.by_id.get(p));
        }
        let red = red
            .or_else(|| self.by_id.get("Default").and_then(|s| s.red))
            .unwrap_or(false);
        self.cache.insert(id.to_string(), red);
        red
    }
}

// ---------------------------------------------------------------------------------------------
// Worksheets.

/// One worksheet being read.
struct Table {
    sheet: Sheet,
    builder: GridBuilder,
    failed: Option<Limit>,
    /// The 0-based row the next `Row` element describes.
    row: u64,
    /// The 0-based column the next `Column` element describes.
    next_col: u64,
}

impl Table {
    fn note(&mut self, note: SheetNote) {
        if self.sheet.notes.len() < MAX_NOTES {
            self.sheet.notes.push(note);
        }
    }

    fn fail(&mut self, limit: Limit) {
        if self.failed.is_none() {
            self.failed = Some(limit);
        }
    }
}

/// One `Cell`, read.
struct Cell {
    value: Value,
    truncated: bool,
    red: bool,
    formula_without_value: bool,
}

/// The reader of the document.
struct Doc<'a> {
    xml: Xml<'a>,
    limits: Limits,
    styles: Styles,
    sheets: Vec<Sheet>,
    sheet_errors: Vec<SheetError>,
    worksheets_seen: usize,
    /// The start of `Workbook` was read.
    workbook_seen: bool,
    /// The end of `Workbook` was read: every worksheet is in.
    workbook_done: bool,
}

impl Doc<'_> {
    fn run(&mut self) -> Result<(), Stop> {
        loop {
            let (e, empty) = match self.xml.next().map_err(Stop::Outside)? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(e) => {
                    if e.local_name().as_ref() == "Workbook" {
                        self.workbook_done = true;
                    }
                    continue;
                }
                Event::Eof if !self.workbook_seen => {
                    return Err(Stop::Outside(
                        self.xml.fail("没有 Workbook 元素 / no Workbook element"),
                    ));
                }
                Event::Eof if !self.workbook_done => {
                    return Err(Stop::Outside(self.xml.ended_early()));
                }
                Event::Eof => return Ok(()),
                _ => continue,
            };
            match e.local_name().as_ref() {
                "Workbook" if !self.workbook_seen => {
                    self.workbook_seen = true;
                    self.workbook_done = empty;
                }
                "Styles" if !empty => {
                    self.read_styles().map_err(Stop::Outside)?;
                    self.styles.cache.clear();
                }
                "Worksheet" if self.workbook_seen => {
                    if self.worksheets_seen >= MAX_SHEETS {
                        return Err(Stop::Outside(self.xml.fail(format!(
                            "工作表超过 {MAX_SHEETS} 个 / more than {MAX_SHEETS} worksheets"
                        ))));
                    }
                    if let Err((sheet, detail)) = self.read_worksheet(&e, !empty) {
                        self.sheet_errors.push(SheetError {
                            sheet,
                            kind: SheetErrorKind::Damaged {
                                detail: detail.clone(),
                            },
                        });
                        return Err(Stop::InSheet(detail));
                    }
                }
                _ => {
                    if !empty {
                        self.xml.skip(&e).map_err(Stop::Outside)?;
                    }
                }
            }
        }
    }

    /// Reads `Styles` until its end.
    fn read_styles(&mut self) -> XmlResult<()> {
        loop {
            let (e, empty) = match self.xml.next()? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                // Every child is read or skipped whole, so an end tag here closes the container.
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(self.xml.ended_early()),
                _ => continue,
            };
            if e.local_name().as_ref() != "Style" {
                if !empty {
                    self.xml.skip(&e)?;
                }
                continue;
            }
            let (mut id, mut parent) = (None, None);
            self.xml.each_attr(&e, |k, v| match k {
                "ID" => id = Some(v.into_owned()),
                "Parent" => parent = Some(v.into_owned()),
                _ => {}
            })?;
            let mut style = Style { red: None, parent };
            if !empty {
                self.read_style_body(&mut style)?;
            }
            if let Some(id) = id {
                self.styles.by_id.entry(id).or_insert(style);
            }
        }
    }

    /// Reads the children of one `Style`: its `Font` colour.
    fn read_style_body(&mut self, style: &mut Style) -> XmlResult<()> {
        let mut depth = 0usize;
        loop {
            let e = match self.xml.next()? {
                Event::Start(e) => {
                    depth += 1;
                    e
                }
                Event::Empty(e) => e,
                Event::End(_) => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                    continue;
                }
                Event::Eof => return Err(self.xml.ended_early()),
                _ => continue,
            };
            if e.local_name().as_ref() == "Font" {
                self.xml.each_attr(&e, |k, v| {
                    if k == "Color" {
                        style.red = Some(super::ods::is_red_color(&v));
                    }
                })?;
            }
        }
    }

    /// Reads one worksheet; on an XML error, returns the worksheet's name and the detail.
    fn read_worksheet(
        &mut self,
        e: &BytesStart<'_>,
        has_children: bool,
    ) -> Result<(), (String, String)> {
        self.worksheets_seen += 1;
        let fallback = format!("#{}", self.worksheets_seen);
        let mut name = None;
        self.xml
            .each_attr(e, |k, v| {
                if k == "Name" {
                    name = Some(v.into_owned());
                }
            })
            .map_err(|d| (fallback.clone(), d))?;
        let name = name.unwrap_or_else(|| format!("Sheet{}", self.worksheets_seen));
        let mut t = Table {
            sheet: Sheet {
                name: name.clone(),
                ..Sheet::default()
            },
            builder: GridBuilder::new(self.limits.max_cells, self.limits.max_columns),
            failed: None,
            row: 0,
            next_col: 0,
        };
        if has_children {
            self.read_worksheet_body(&mut t)
                .map_err(|d| (name.clone(), d))?;
        }
        if let Some(limit) = t.failed {
            self.sheet_errors.push(SheetError {
                sheet: name,
                kind: SheetErrorKind::TooLarge { limit },
            });
            return Ok(());
        }
        let Table {
            mut sheet, builder, ..
        } = t;
        sheet.grid = builder.finish();
        sheet.red_cells.sort_unstable();
        sheet.red_cells.dedup();
        self.sheets.push(sheet);
        Ok(())
    }

    fn read_worksheet_body(&mut self, t: &mut Table) -> XmlResult<()> {
        loop {
            let (e, empty) = match self.xml.next()? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                // Every child is read or skipped whole, so an end tag here closes the worksheet.
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(self.xml.ended_early()),
                _ => continue,
            };
            if empty {
                continue;
            }
            match e.local_name().as_ref() {
                "Table" => self.read_table(t)?,
                "WorksheetOptions" => self.read_options(t)?,
                "DataValidation" => self.read_validation(t)?,
                _ => self.xml.skip(&e)?,
            }
        }
    }

    /// Reads `WorksheetOptions` until its end: only `Visible` matters.
    fn read_options(&mut self, t: &mut Table) -> XmlResult<()> {
        loop {
            match self.xml.next()? {
                Event::Start(e) if e.local_name().as_ref() == "Visible" => {
                    let v = self.xml.text(64)?;
                    if matches!(v.trim(), "SheetHidden" | "SheetVeryHidden") {
                        t.sheet.hidden = true;
                    }
                }
                Event::Start(e) => self.xml.skip(&e)?,
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(self.xml.ended_early()),
                _ => {}
            }
        }
    }

    /// Reads one `DataValidation` until its end; list validations go into the sheet.
    fn read_validation(&mut self, t: &mut Table) -> XmlResult<()> {
        let max = self.limits.max_text_chars;
        let (mut range, mut kind, mut value) = (None, None, None);
        loop {
            match self.xml.next()? {
                Event::Start(e) => match e.local_name().as_ref() {
                    "Range" => range = Some(self.xml.text(max)?),
                    "Type" => kind = Some(self.xml.text(64)?),
                    "Value" => value = Some(self.xml.text(max)?),
                    _ => self.xml.skip(&e)?,
                },
                Event::End(_) => break,
                Event::Eof => return Err(self.xml.ended_early()),
                _ => {}
            }
        }
        if !kind.is_some_and(|k| k.trim().eq_ignore_ascii_case("List")) {
            return Ok(());
        }
        let (Some(range), Some(value)) = (range, value) else {
            return Ok(());
        };
        let ranges: Vec<Rect> = range
            .split(',')
            .filter_map(parse_r1c1_range)
            .take(MAX_VALIDATION_RECTS)
            .collect();
        if !ranges.is_empty() {
            t.sheet.validations.push(ListValidation {
                ranges,
                source: list_source(&value),
            });
        }
        Ok(())
    }

    /// Reads `Table` until its end: columns and rows.
    fn read_table(&mut self, t: &mut Table) -> XmlResult<()> {
        loop {
            let (e, empty) = match self.xml.next()? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(self.xml.ended_early()),
                _ => continue,
            };
            match e.local_name().as_ref() {
                "Column" => {
                    self.add_column(&e, t)?;
                    if !empty {
                        self.xml.skip(&e)?;
                    }
                }
                "Row" => self.read_row(&e, !empty, t)?,
                _ => {
                    if !empty {
                        self.xml.skip(&e)?;
                    }
                }
            }
        }
    }

    /// `<Column ss:Index ss:Width ss:Span>`: a width in points for one column and the `Span`
    /// columns after it.
    fn add_column(&mut self, e: &BytesStart<'_>, t: &mut Table) -> XmlResult<()> {
        let (mut index, mut width, mut span) = (None, None, 0);
        self.xml.each_attr(e, |k, v| match k {
            "Index" => index = parse_u64(&v).filter(|&i| i >= 1),
            "Width" => width = v.trim().parse::<f64>().ok(),
            "Span" => span = parse_u64(&v).unwrap_or(0),
            _ => {}
        })?;
        let first = index.map_or(t.next_col, |i| i - 1);
        let last = first.saturating_add(span);
        t.next_col = last.saturating_add(1);
        if let Some(points) = width {
            // Excel's own conversion: points → pixels at 96 dpi (× 4/3), less 5 pixels of
            // padding, over the 7-pixel digit width of the default font. 48 pt (64 px), Excel's
            // default, gives its default 8.43 characters, the unit the xlsx reader reports.
            let chars = ((points * 4.0 / 3.0 - 5.0) / 7.0).max(0.0);
            let widths = &mut t.sheet.col_widths;
            if first < MAX_COLS64
                && chars.is_finite()
                && chars <= 255.0
                && widths.len() < MAX_WIDTHS
            {
                let chars = (chars * 100.0).round() / 100.0;
                widths.push((first as u32, last.min(MAX_COLS64 - 1) as u32, chars));
            }
        }
        Ok(())
    }

    fn read_row(&mut self, e: &BytesStart<'_>, has_children: bool, t: &mut Table) -> XmlResult<()> {
        let (mut index, mut span) = (None, 0);
        self.xml.each_attr(e, |k, v| match k {
            "Index" => index = parse_u64(&v).filter(|&i| i >= 1),
            "Span" => span = parse_u64(&v).unwrap_or(0),
            _ => {}
        })?;
        let row = index.map_or(t.row, |i| i - 1);
        // A `Span` row stands for itself and the rows after it that look the same.
        t.row = row.saturating_add(span).saturating_add(1);
        if row >= MAX_ROWS64 {
            t.fail(Limit::OutsideGrid);
        }
        if !has_children {
            return Ok(());
        }
        if t.failed.is_some() {
            return self.xml.skip(e);
        }
        let row = row as u32;
        let mut col = 0u64;
        loop {
            let (e, empty) = match self.xml.next()? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(self.xml.ended_early()),
                _ => continue,
            };
            if e.local_name().as_ref() != "Cell" {
                if !empty {
                    self.xml.skip(&e)?;
                }
                continue;
            }
            let (mut index, mut across, mut down, mut style, mut formula) =
                (None, 0u64, 0u64, None, false);
            self.xml.each_attr(&e, |k, v| match k {
                "Index" => index = parse_u64(&v).filter(|&i| i >= 1),
                "MergeAcross" => across = parse_u64(&v).unwrap_or(0),
                "MergeDown" => down = parse_u64(&v).unwrap_or(0),
                "StyleID" => style = Some(v.into_owned()),
                "Formula" => formula = true,
                _ => {}
            })?;
            let at = index.map_or(col, |i| i - 1);
            // The next cell starts after the merged columns, as Excel places it.
            col = at.saturating_add(across).saturating_add(1);
            if at >= MAX_COLS64 {
                t.fail(Limit::OutsideGrid);
                if !empty {
                    self.xml.skip(&e)?;
                }
                continue;
            }
            let at = at as u32;
            if (across > 0 || down > 0) && t.sheet.merges.len() < MAX_MERGES {
                // Spans past the grid's edge are cut at it: a Rect is four numbers, nothing is
                // allocated for the cells it covers.
                let right = (u64::from(at) + across).min(MAX_COLS64 - 1) as u32;
                let bottom = (u64::from(row) + down).min(MAX_ROWS64 - 1) as u32;
                t.sheet.merges.push(Rect::new(row, at, bottom, right));
            }
            let cell = if empty {
                Cell {
                    value: Value::Empty,
                    truncated: false,
                    red: false,
                    formula_without_value: formula,
                }
            } else {
                self.read_cell(formula)?
            };
            if cell.formula_without_value {
                t.note(SheetNote::FormulaWithoutValue { row, col: at });
            }
            if cell.value == Value::Empty || t.failed.is_some() {
                continue;
            }
            // Offices mark required columns in red; a blank cell marks nothing.
            let red = !cell.value.is_blank()
                && (cell.red || self.styles.is_red(style.as_deref().unwrap_or("Default")));
            if let Err(limit) = t.builder.set(row, at, cell.value) {
                t.fail(limit);
                continue;
            }
            if red {
                t.sheet.red_cells.push((row, at));
            }
            if cell.truncated {
                t.note(SheetNote::TextTruncated { row, col: at });
            }
        }
    }

    /// Reads the children of a `Cell` whose start was just read: its `Data`.
    fn read_cell(&mut self, formula: bool) -> XmlResult<Cell> {
        let mut cell = Cell {
            value: Value::Empty,
            truncated: false,
            red: false,
            formula_without_value: false,
        };
        let mut has_data = false;
        loop {
            let (e, empty) = match self.xml.next()? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => break,
                Event::Eof => return Err(self.xml.ended_early()),
                _ => continue,
            };
            if e.local_name().as_ref() != "Data" || has_data {
                // Comments, named cells, smart tags: not the cell's value.
                if !empty {
                    self.xml.skip(&e)?;
                }
                continue;
            }
            has_data = true;
            let mut kind = None;
            self.xml.each_attr(&e, |k, v| {
                if k == "Type" {
                    kind = Some(v.trim().to_string());
                }
            })?;
            let mut acc = TextAcc::new(self.limits.max_text_chars);
            let mut red = false;
            if !empty {
                // Rich text: `<Font html:Color="#FF0000">`, `<B>`, `<I>` runs inside the Data.
                self.xml.collect_text(&mut acc, |xml, child| {
                    if child.local_name().as_ref() == "Font" {
                        xml.each_attr(child, |k, v| {
                            if k == "Color" && super::ods::is_red_color(&v) {
                                red = true;
                            }
                        })?;
                    }
                    Ok(())
                })?;
            }
            cell.truncated = acc.truncated;
            cell.red = red;
            cell.value = data_value(kind.as_deref(), acc.out);
        }
        cell.formula_without_value = formula && !has_data;
        Ok(cell)
    }
}

/// A `Data` element's value from its `ss:Type` and text: the typed value when the text reads
/// as that type, else the text as written.
fn data_value(kind: Option<&str>, text: String) -> Value {
    if text.is_empty() {
        return Value::Empty;
    }
    match kind {
        Some("Number") => match text.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Value::Number(n),
            _ => Value::Text(text),
        },
        Some("DateTime") => match super::ods::iso_date(&text) {
            Some(d) => Value::Date(d),
            None => Value::Text(text),
        },
        Some("Boolean") => match text.trim() {
            "1" | "true" | "TRUE" => Value::Bool(true),
            "0" | "false" | "FALSE" => Value::Bool(false),
            _ => Value::Text(text),
        },
        Some("Error") => Value::Error(text),
        _ => Value::Text(text),
    }
}

// ---------------------------------------------------------------------------------------------
// R1C1 references.

/// One R1C1 reference: `R3C2`, `R3C2:R1000C2`, a whole column `C2` (or `C2:C4`), a whole row
/// `R2` (or `R2:R5`). Relative forms (`R[1]C`) and anything outside the grid are `None`.
fn parse_r1c1_range(s: &str) -> Option<Rect> {
    let s = s.trim();
    let (a, b) = match s.split_once(':') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let (r1, c1) = parse_r1c1(a)?;
    let (r2, c2) = match b {
        Some(b) => parse_r1c1(b)?,
        None => (r1, c1),
    };
    // A missing row (whole columns) or column (whole rows) spans the grid.
    let rows = match (r1, r2) {
        (Some(x), Some(y)) => (x, y),
        (None, None) => (0, MAX_ROWS - 1),
        _ => return None,
    };
    let cols = match (c1, c2) {
        (Some(x), Some(y)) => (x, y),
        (None, None) => (0, MAX_COLS - 1),
        _ => return None,
    };
    Some(Rect::new(rows.0, cols.0, rows.1, cols.1))
}

/// `R3C2`, `R3`, `C2` → 0-based (row, column), each `None` when not given.
#[allow(clippy::type_complexity)]
fn parse_r1c1(s: &str) -> Option<(Option<u32>, Option<u32>)> {
    let s = s.trim().to_ascii_uppercase();
    let number = |digits: &str, max: u32| -> Option<Option<u32>> {
        if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = digits.parse().ok()?;
        (1..=max).contains(&n).then(|| Some(n - 1))
    };
    let (row, col) = match s.strip_prefix('R') {
        Some(rest) => match rest.split_once('C') {
            Some((r, c)) => (number(r, MAX_ROWS)?, number(c, MAX_COLS)?),
            None => (number(rest, MAX_ROWS)?, None),
        },
        None => (None, number(s.strip_prefix('C')?, MAX_COLS)?),
    };
    if row.is_none() && col.is_none() {
        return None;
    }
    Some((row, col))
}

/// A list validation's `Value`: `"男,女"`, a range in R1C1 (`R2C1:R9C1`, `字典!R2C1:R9C1`), or
/// anything else kept as a formula.
fn list_source(value: &str) -> ListSource {
    let f = value.trim().trim_start_matches('=').trim();
    if f.starts_with('"') {
        return super::xlsx::list_source(f, &HashMap::<String, String>::new());
    }
    let (sheet, range) = super::xlsx::sheet_and_range(f);
    match parse_r1c1_range(range) {
        Some(rect) if !range.contains(',') => ListSource::Range { sheet, rect },
        _ => ListSource::Formula(value.trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">"#;

    const STYLES: &str = r##"<Styles>
 <Style ss:ID="Default" ss:Name="Normal"><Font ss:FontName="宋体" ss:Size="12"/></Style>
 <Style ss:ID="warn" ss:Name="警告文本"><Font ss:Color="#FF0000"/></Style>
 <Style ss:ID="s1" ss:Parent="warn"><Borders><Border ss:Position="Top"/></Borders></Style>
 <Style ss:ID="s2" ss:Parent="warn"><Font ss:Color="#000000"/></Style>
 <Style ss:ID="dark"><Font ss:Color="#C00000" ss:Bold="1"/></Style>
 <Style ss:ID="loop1" ss:Parent="loop2"/><Style ss:ID="loop2" ss:Parent="loop1"/>
</Styles>"##;

    fn workbook(body: &str) -> String {
        format!("{HEAD}{STYLES}{body}</Workbook>")
    }

    fn worksheet(name: &str, table: &str) -> String {
        format!(r#"<Worksheet ss:Name="{name}"><Table>{table}</Table></Worksheet>"#)
    }

    fn read_with(xml: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
        read_spreadsheetml(xml, limits)
    }

    fn read(xml: &str) -> Workbook {
        match read_with(xml.as_bytes(), &Limits::default()) {
            Ok(wb) => wb,
            Err(e) => panic!("{e:?}"),
        }
    }

    /// The grid of a sheet as display texts, row by row.
    fn texts(sheet: &Sheet) -> Vec<Vec<String>> {
        (0..sheet.grid.height())
            .map(|r| sheet.grid.row(r).iter().map(Value::text).collect())
            .collect()
    }

    /// Reads one worksheet whose `Table` holds `table` and checks its cells.
    #[track_caller]
    fn check(table: &str, expect: &[&[&str]]) -> Sheet {
        let wb = read(&workbook(&worksheet("S", table)));
        assert_eq!(wb.sheet_errors, vec![]);
        let sheet = wb.sheets.into_iter().next().expect("one sheet");
        let want: Vec<Vec<String>> = expect
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(texts(&sheet), want);
        sheet
    }

    fn s(text: &str) -> String {
        format!(r#"<Cell><Data ss:Type="String">{text}</Data></Cell>"#)
    }

    #[test]
    fn row_and_cell_index_gaps() {
        let a = s("a");
        check(
            &format!(
                r#"<Row>{a}<Cell ss:Index="3"><Data ss:Type="Number">2</Data></Cell>{a}</Row><Row ss:Index="3">{a}</Row><Row/>{a}<Row>{a}</Row>"#
            ),
            &[&["a", "", "2", "a"], &[], &["a"], &[], &["a"]],
        );
    }

    #[test]
    fn merges_move_the_next_cell() {
        let sheet = check(
            &format!(
                r#"<Row><Cell ss:MergeAcross="2">{}</Cell>{}</Row><Row><Cell ss:MergeDown="1" ss:MergeAcross="1"/>{}</Row>"#,
                r#"<Data ss:Type="String">标题</Data>"#,
                s("x"),
                s("y")
            ),
            &[&["标题", "", "", "x"], &["", "", "y"]],
        );
        assert_eq!(
            sheet.merges,
            vec![Rect::new(0, 0, 0, 2), Rect::new(1, 0, 2, 1)]
        );
    }

    #[test]
    fn typed_data() {
        let cell = |ty: &str, v: &str| format!(r#"<Cell><Data ss:Type="{ty}">{v}</Data></Cell>"#);
        let sheet = check(
            &format!(
                "<Row>{}{}{}{}{}{}{}{}</Row>",
                cell("Number", "1.5"),
                cell("DateTime", "2024-03-05T00:00:00.000"),
                cell("DateTime", "2024-03-05T08:30:00.000"),
                cell("Boolean", "1"),
                cell("Error", "#N/A"),
                cell("String", "一&#10;二 &amp; &lt;三&gt; &#x4E2D;"),
                cell("Number", "not a number"),
                cell("String", "0012"),
            ),
            &[&[
                "1.5",
                "2024-03-05",
                "2024-03-05T08:30:00",
                "TRUE",
                "#N/A",
                "一\n二 & <三> 中",
                "not a number",
                "0012",
            ]],
        );
        let row = sheet.grid.row(0);
        assert_eq!(row[0], Value::Number(1.5));
        assert_eq!(row[1], Value::Date("2024-03-05".into()));
        assert_eq!(row[4], Value::Error("#N/A".into()));
        assert_eq!(row[7], Value::Text("0012".into()));
    }

    #[test]
    fn rich_text_is_joined_and_red_runs_count() {
        let rich = r##"<Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>姓名</B><Font html:Color="#FF0000">（必填）</Font></ss:Data></Cell><Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><Font html:Color="#0000FF">备</Font><I>注</I></ss:Data></Cell>"##;
        let sheet = check(&format!("<Row>{rich}</Row>"), &[&["姓名（必填）", "备注"]]);
        assert_eq!(sheet.red_cells, vec![(0, 0)]);
    }

    #[test]
    fn red_fonts_follow_styles_and_parents() {
        let cell = |style: &str| {
            format!(r#"<Cell ss:StyleID="{style}"><Data ss:Type="String">{style}</Data></Cell>"#)
        };
        let sheet = check(
            &format!(
                r#"<Row>{}{}{}{}{}{}{}<Cell ss:StyleID="warn"><Data ss:Type="String"> </Data></Cell></Row>"#,
                cell("warn"),
                cell("s1"),
                cell("s2"),
                cell("dark"),
                cell("loop1"),
                cell("nosuch"),
                s("plain"),
            ),
            &[&["warn", "s1", "s2", "dark", "loop1", "nosuch", "plain", " "]],
        );
        // s2 sets its own black font over its red parent; a blank cell marks nothing.
        assert_eq!(sheet.red_cells, vec![(0, 0), (0, 1), (0, 3)]);
        // A red default style makes every unstyled cell red.
        let styles = r##"<Styles><Style ss:ID="Default"><Font ss:Color="red"/></Style></Styles>"##;
        let xml = format!(
            "{HEAD}{styles}{}</Workbook>",
            worksheet("S", &format!("<Row>{}</Row>", s("a")))
        );
        assert_eq!(read(&xml).sheets[0].red_cells, vec![(0, 0)]);
    }

    #[test]
    fn list_validations_in_r1c1() {
        let body = r#"<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">性别</Data></Cell></Row></Table>
<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Selected/></WorksheetOptions>
<DataValidation xmlns="urn:schemas-microsoft-com:office:excel"><Range>R3C2:R1000C2</Range><Type>List</Type><Value>&quot;男,女&quot;</Value></DataValidation>
<DataValidation xmlns="urn:schemas-microsoft-com:office:excel"><Range>R1C7,R4C7:R65536C7,R[1]C</Range><Type>List</Type><CellRangeList/><Value>'字典'!R2C1:R5C1</Value></DataValidation>
<DataValidation xmlns="urn:schemas-microsoft-com:office:excel"><Range>C3</Range><Type>List</Type><Value>=R2C9:R4C9</Value></DataValidation>
<DataValidation xmlns="urn:schemas-microsoft-com:office:excel"><Range>R2C1:R2C5</Range><Type>List</Type><Value>民族</Value></DataValidation>
<DataValidation xmlns="urn:schemas-microsoft-com:office:excel"><Range>R2C1</Range><Type>Whole</Type><Min>1</Min></DataValidation>
<DataValidation xmlns="urn:schemas-microsoft-com:office:excel"><Range>R[1]C</Range><Type>List</Type><Value>"a"</Value></DataValidation>
</Worksheet>"#;
        let v = &read(&workbook(body)).sheets[0].validations;
        let expect = vec![
            ListValidation {
                ranges: vec![Rect::new(2, 1, 999, 1)],
                source: ListSource::Values(vec!["男".into(), "女".into()]),
            },
            ListValidation {
                ranges: vec![Rect::new(0, 6, 0, 6), Rect::new(3, 6, 65_535, 6)],
                source: ListSource::Range {
                    sheet: Some("字典".into()),
                    rect: Rect::new(1, 0, 4, 0),
                },
            },
            ListValidation {
                ranges: vec![Rect::new(0, 2, MAX_ROWS - 1, 2)],
                source: ListSource::Range {
                    sheet: None,
                    rect: Rect::new(1, 8, 3, 8),
                },
            },
            ListValidation {
                ranges: vec![Rect::new(1, 0, 1, 4)],
                source: ListSource::Formula("民族".into()),
            },
        ];
        assert_eq!(v, &expect);
        assert_eq!(
            parse_r1c1_range("R2:R3"),
            Some(Rect::new(1, 0, 2, MAX_COLS - 1))
        );
        assert_eq!(parse_r1c1_range("R0C1"), None);
        assert_eq!(parse_r1c1_range("R1048577C1"), None);
        assert_eq!(parse_r1c1_range("R1C16385"), None);
        assert_eq!(parse_r1c1_range("R1:C1"), None);
    }

    #[test]
    fn hidden_sheets_names_and_widths() {
        let body = format!(
            r#"{}<Worksheet ss:Name="字典"><Table><Column ss:Width="48"/><Column ss:Index="3" ss:Width="123" ss:Span="1"/><Column ss:AutoFitWidth="0"/><Column ss:Width="-5"/><Column ss:Index="99999" ss:Width="10"/></Table><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions></Worksheet><Worksheet ss:Name="很隐藏"><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetVeryHidden</Visible></WorksheetOptions></Worksheet><Worksheet/>"#,
            worksheet("表 &amp; 一", "")
        );
        let wb = read(&workbook(&body));
        let names: Vec<(&str, bool)> = wb
            .sheets
            .iter()
            .map(|s| (s.name.as_str(), s.hidden))
            .collect();
        assert_eq!(
            names,
            vec![
                ("表 & 一", false),
                ("字典", true),
                ("很隐藏", true),
                ("Sheet4", false)
            ]
        );
        assert_eq!(wb.format, Format::SpreadsheetMl);
        assert_eq!(
            wb.sheets[1].col_widths,
            vec![(0, 0, 8.43), (2, 3, 22.71), (5, 5, 0.0)]
        );
    }

    #[test]
    fn formulas_keep_their_value_or_say_it_is_missing() {
        let sheet = check(
            r#"<Row><Cell ss:Formula="=1+1"><Data ss:Type="Number">2</Data></Cell><Cell ss:Formula="=A1*2"/><Cell ss:Formula="=X"><Comment><Data>note</Data></Comment></Cell></Row>"#,
            &[&["2"]],
        );
        assert_eq!(
            sheet.notes,
            vec![
                SheetNote::FormulaWithoutValue { row: 0, col: 1 },
                SheetNote::FormulaWithoutValue { row: 0, col: 2 }
            ]
        );
    }

    #[test]
    fn long_text_is_cut_with_a_note() {
        let limits = Limits {
            max_text_chars: 3,
            ..Limits::default()
        };
        let xml = workbook(&worksheet(
            "S",
            &format!("<Row>{}{}</Row>", s("一二三四五"), s("abc")),
        ));
        let wb = read_with(xml.as_bytes(), &limits).expect("reads");
        assert_eq!(texts(&wb.sheets[0]), vec![vec!["一二三", "abc"]]);
        assert_eq!(
            wb.sheets[0].notes,
            vec![SheetNote::TextTruncated { row: 0, col: 0 }]
        );
    }

    #[test]
    fn positions_outside_the_grid_fail_only_their_sheet() {
        let ok = worksheet("ok", &format!("<Row>{}</Row>", s("a")));
        for (table, limit) in [
            (
                format!(r#"<Row ss:Index="1048577">{}</Row>"#, s("x")),
                Limit::OutsideGrid,
            ),
            (
                format!(r#"<Row ss:Index="99999999999999999999">{}</Row>"#, s("x")),
                Limit::OutsideGrid,
            ),
            (
                r#"<Row><Cell ss:Index="16385"><Data ss:Type="String">x</Data></Cell></Row>"#
                    .to_string(),
                Limit::OutsideGrid,
            ),
            (
                format!(r#"<Row ss:Index="1048576"></Row><Row>{}</Row>"#, s("x")),
                Limit::OutsideGrid,
            ),
            (
                format!(
                    r#"<Row><Cell ss:MergeAcross="18446744073709551615"/>{}</Row>"#,
                    s("x")
                ),
                Limit::OutsideGrid,
            ),
        ] {
            let wb = read(&workbook(&format!("{ok}{}{ok}", worksheet("bad", &table))));
            assert_eq!(wb.sheets.len(), 2, "{table}");
            assert_eq!(
                wb.sheet_errors,
                vec![SheetError {
                    sheet: "bad".into(),
                    kind: SheetErrorKind::TooLarge { limit }
                }],
                "{table}"
            );
        }
        // Huge spans are cut at the grid's edge, never allocated.
        let sheet = check(
            r#"<Row><Cell ss:MergeAcross="4000000000" ss:MergeDown="4000000000"><Data ss:Type="String">t</Data></Cell></Row>"#,
            &[&["t"]],
        );
        assert_eq!(
            sheet.merges,
            vec![Rect::new(0, 0, MAX_ROWS - 1, MAX_COLS - 1)]
        );
    }

    #[test]
    fn the_cell_budget_holds() {
        let limits = Limits {
            max_cells: 10,
            ..Limits::default()
        };
        let row = format!("<Row>{}</Row>", s("a").repeat(11));
        let xml = workbook(&worksheet("big", &row));
        let wb = read_with(xml.as_bytes(), &limits).expect("reads");
        assert!(wb.sheets.is_empty());
        assert_eq!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge {
                limit: Limit::Cells { max: 10 }
            }
        );
    }

    #[test]
    fn broken_documents() {
        let damaged = |xml: &[u8]| match read_with(xml, &Limits::default()) {
            Err(ReadError::Damaged { detail }) => detail,
            other => panic!("{other:?}"),
        };
        // A DTD is refused, whatever it declares; unknown entities are never expanded.
        let dtd = format!(
            r#"<?xml version="1.0"?><!DOCTYPE Workbook [<!ENTITY boom "BOOM">]>{}"#,
            workbook(&worksheet("S", &format!("<Row>{}</Row>", s("&boom;"))))
                .trim_start_matches(r#"<?xml version="1.0"?>"#)
        );
        assert!(damaged(dtd.as_bytes()).contains("DTD"));
        let entity = workbook(&worksheet("S", &format!("<Row>{}</Row>", s("&boom;"))));
        assert!(damaged(entity.as_bytes()).contains("boom"));
        assert!(damaged(b"<?xml version=\"1.0\"?><Other/>").contains("Workbook"));
        assert!(!damaged(b"<Workbook><Styles><Style").is_empty());
        // Cut inside the second sheet: the first is kept, the second is reported.
        let full = workbook(&format!(
            "{}{}",
            worksheet("一", &format!("<Row>{}</Row>", s("a"))),
            worksheet("二", &format!("<Row>{}{}</Row>", s("b"), s("c")))
        ));
        let cut = &full[..full.find("<Data ss:Type=\"String\">c").expect("c")];
        let wb = read(cut);
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(wb.sheet_errors[0].sheet, "二");
        // Cut between sheets: the lost ones are counted by position.
        let cut = &full[..full.find("<Worksheet ss:Name=\"二\"").expect("二")];
        let wb = read(cut);
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(wb.sheet_errors[0].sheet, "#2");
        // Cut before any sheet.
        let cut = &full[..full.find("<Worksheet").expect("sheet") + 5];
        damaged(cut.as_bytes());
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = format!(
            r#"<Row><Cell><ss:Data ss:Type="String">{}x{}</ss:Data></Cell><Cell><Comment>{}{}</Comment></Cell></Row>"#,
            "<B>".repeat(100_000),
            "</B>".repeat(100_000),
            "<I>".repeat(100_000),
            "</I>".repeat(100_000),
        );
        check(&deep, &[&["x"]]);
    }

    #[test]
    fn encodings_are_decoded_first() {
        let xml = workbook(&worksheet("名单", &format!("<Row>{}</Row>", s("张三"))));
        let expect = vec![vec!["张三".to_string()]];
        // Declared GBK: "名单" and "张三" in GBK.
        let gbk = xml
            .replace(
                r#"<?xml version="1.0"?>"#,
                r#"<?xml version="1.0" encoding="GBK"?>"#,
            )
            .replace("名单", "\u{1}")
            .replace("张三", "\u{2}");
        let mut bytes = Vec::new();
        for b in gbk.bytes() {
            match b {
                1 => bytes.extend_from_slice(b"\xC3\xFB\xB5\xA5"),
                2 => bytes.extend_from_slice(b"\xD5\xC5\xC8\xFD"),
                b => bytes.push(b),
            }
        }
        // The styles' 宋体, 警告文本 and 正常 are UTF-8: take them out so the file is pure GBK.
        let styles_utf8 = STYLES.as_bytes();
        let at = bytes
            .windows(styles_utf8.len())
            .position(|w| w == styles_utf8)
            .expect("styles");
        bytes.splice(at..at + styles_utf8.len(), b"<Styles/>".iter().copied());
        let wb = read_with(&bytes, &Limits::default()).expect("gbk");
        assert_eq!(
            (wb.sheets[0].name.as_str(), texts(&wb.sheets[0])),
            ("名单", expect.clone())
        );
        // Undeclared GBK reads the same.
        let undeclared = String::from_utf8_lossy(&bytes).replace(" encoding=\"GBK\"", "");
        assert!(undeclared.contains('\u{FFFD}'));
        let bytes2: Vec<u8> = {
            let decl = b" encoding=\"GBK\"";
            let at = bytes
                .windows(decl.len())
                .position(|w| w == decl)
                .expect("decl");
            let mut b = bytes.clone();
            b.drain(at..at + decl.len());
            b
        };
        assert_eq!(
            texts(&read_with(&bytes2, &Limits::default()).expect("gbk").sheets[0]),
            expect
        );
        // UTF-16 with a byte-order mark, both ways round; UTF-8 with one.
        for little in [true, false] {
            let mut bytes: Vec<u8> = if little {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in xml.encode_utf16() {
                bytes.extend(if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                });
            }
            assert_eq!(
                texts(
                    &read_with(&bytes, &Limits::default())
                        .expect("utf-16")
                        .sheets[0]
                ),
                expect
            );
            assert_eq!(
                crate::read::sniff::sniff(&bytes),
                crate::read::sniff::Sniffed::SpreadsheetMl
            );
        }
        let bom = [b"\xEF\xBB\xBF".as_slice(), xml.as_bytes()].concat();
        assert_eq!(
            texts(&read_with(&bom, &Limits::default()).expect("bom").sheets[0]),
            expect
        );
        // A GB declaration over UTF-8 bytes: the bytes win.
        let lying = xml.replace(
            r#"<?xml version="1.0"?>"#,
            r#"<?xml version="1.0" encoding="gb2312"?>"#,
        );
        assert_eq!(texts(&read(&lying).sheets[0]), expect);
        // Bytes that are neither: replacement characters, never a panic.
        let mut broken = xml.into_bytes();
        let at = broken
            .windows(6)
            .position(|w| w == "张三".as_bytes())
            .expect("张三");
        broken[at] = 0xFF;
        broken[at + 1] = 0xFF;
        let wb = read_with(&broken, &Limits::default()).expect("lossy");
        assert!(texts(&wb.sheets[0])[0][0].contains('\u{FFFD}'));
    }

    #[test]
    fn through_read_with_the_format_name() {
        let xml = workbook(&worksheet("S", &format!("<Row>{}</Row>", s("a"))));
        let wb = crate::read::read("export.xls", xml.as_bytes()).expect("reads");
        assert_eq!(
            (wb.format, wb.format.name()),
            (Format::SpreadsheetMl, "xml2003")
        );
    }
}
