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

/// A 1-based position or a span as the file claims it; `None` when unreadable.
fn parse_u64(v: &str) -> Option<u64> {
    v.trim().parse::<u64>().ok()
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
        (1..=max).contains(&n).then_some(Some(n - 1))
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
    match parse_r1c1_range(range) {
        Some(rect) if !range.contains(',') => ListSource::Range { sheet, rect },
        _ => ListSource::Formula(value.trim().to_string()),
    }
}
