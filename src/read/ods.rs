//! OpenDocument spreadsheet reader: the `content.xml` of an .ods file → a [`Workbook`], with merged
//! cells, list validations and red-font cells.
//!
//! We read content.xml ourselves rather than through calamine: calamine 0.38 rejects files with
//! white space between cells (SheetJS writes those), exposes no merged cells for ODS and accepts
//! up to 100M cells, far too many for a browser tab.
//!
//! Repeat counts (`table:number-rows-repeated`, `table:number-columns-repeated`) are claims, never
//! sizes to allocate: repeats of empty cells only move the position, repeats of non-empty cells
//! go through [`GridBuilder`] one copy at a time so the cell budget stops them, and the copies are
//! also counted against the inflated-bytes limit (a long text repeated a million times is a zip
//! bomb by other means). Elements are matched by their usual ODF prefixes (`table:`, `text:`,
//! `office:`, `style:`), which every known writer uses.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::error::{Limit, ReadError, SheetError, SheetErrorKind};
use crate::read::grid::{GridBuilder, MAX_COLS, MAX_ROWS};
use crate::read::zipguard::ZipEntries;
use crate::read::{
    Format, Limits, ListSource, ListValidation, Rect, Sheet, SheetNote, Value, Workbook,
};

/// Most spaces one `text:s` may stand for; its count is the file's claim.
const MAX_SPACES: u64 = 1000;
/// Most merged regions kept per sheet: a repeated row can claim one merge per repeat.
const MAX_MERGES: usize = 100_000;
/// Most notes kept per sheet: a person reads them, and repeats can claim millions.
const MAX_NOTES: usize = 1000;
/// Most rectangles kept per list validation, so a scattered validation stays small.
const MAX_VALIDATION_RECTS: usize = 10_000;
/// Longest chain of parent styles followed, so a cycle of parents cannot loop.
const MAX_STYLE_DEPTH: usize = 16;
/// Rough memory of one cell copied from a repeat, beyond its text.
const CELL_COPY_BYTES: u64 = 32;

const MAX_ROWS64: u64 = MAX_ROWS as u64;
const MAX_COLS64: u64 = MAX_COLS as u64;

/// An XML problem, as the technical detail kept in [`ReadError::Damaged`].
type XmlResult<T> = Result<T, String>;

/// Reads an OpenDocument spreadsheet from its pre-flighted zip entries.
///
/// Each `table:table` becomes a [`Sheet`]. A table that goes over a [`Limits`] budget, or whose
/// XML breaks, is listed in [`Workbook::sheet_errors`]; the tables before it are kept.
///
/// # Errors
/// - [`ReadError::Encrypted`] when the manifest declares encrypted parts (a password to open);
/// - [`ReadError::Damaged`] when content.xml is missing, or broken before any table could be read.
pub fn read_ods(entries: &ZipEntries, limits: &Limits) -> Result<Workbook, ReadError> {
    if let Some(manifest) = entries.get("META-INF/manifest.xml") {
        // ODF encryption is declared per part in the manifest; the zip itself is not encrypted.
        if manifest.windows(15).any(|w| w == b"encryption-data") {
            return Err(ReadError::Encrypted);
        }
    }
    let content = entries
        .get("content.xml")
        .ok_or_else(|| ReadError::Damaged {
            detail: "缺少 content.xml / content.xml is missing".into(),
        })?;
    let mut styles = Styles::default();
    if let Some(bytes) = entries.get("styles.xml") {
        // Named styles only refine the red-font marks; a broken styles.xml must not cost the data.
        let _ = read_named_styles(bytes, &mut styles);
    }
    let mut doc = Doc {
        xml: Xml::new(content, "content.xml"),
        limits: *limits,
        styles,
        defs: Vec::new(),
        def_index: HashMap::new(),
        sheets: Vec::new(),
        sheet_errors: Vec::new(),
        tables_seen: 0,
        expanded: content.len() as u64,
        spreadsheet_seen: false,
        spreadsheet_done: false,
    };
    if let Err(stop) = doc.run() {
        let (detail, outside) = match stop {
            Stop::InTable(d) => (d, false),
            Stop::Outside(d) => (d, true),
        };
        if doc.sheets.is_empty() {
            return Err(ReadError::Damaged { detail });
        }
        // Broken between tables: the tables after this point are lost, and they have no name
        // we could read, so the report names the position of the first lost one.
        if outside && !doc.spreadsheet_done {
            doc.sheet_errors.push(SheetError {
                sheet: format!("#{}", doc.tables_seen + 1),
                kind: SheetErrorKind::Damaged { detail },
            });
        }
    }
    let Doc {
        defs,
        def_index,
        sheets,
        sheet_errors,
        ..
    } = doc;
    let sheets = sheets
        .into_iter()
        .map(|(mut sheet, pending)| {
            let mut found: Vec<(usize, ListValidation)> = pending
                .into_iter()
                .filter_map(|p| {
                    let &i = def_index.get(&p.name)?;
                    let source = defs.get(i)?.clone()?;
                    Some((
                        i,
                        ListValidation {
                            ranges: p.rects,
                            source,
                        },
                    ))
                })
                .collect();
            found.sort_by_key(|(i, _)| *i);
            sheet.validations = found.into_iter().map(|(_, v)| v).collect();
            sheet
        })
        .collect();
    Ok(Workbook {
        format: Format::Ods,
        encoding: None,
        sheets,
        sheet_errors,
    })
}

/// Why reading content.xml stopped early; the detail is the XML problem.
#[derive(Debug)]
enum Stop {
    /// Inside a table, which is already listed in the sheet errors.
    InTable(String),
    /// Outside any table (styles, validations, between tables).
    Outside(String),
}

/// A pull parser over one XML part that checks entities and names the part in its errors.
struct Xml<'a> {
    reader: Reader<&'a [u8]>,
    part: &'static str,
}

impl<'a> Xml<'a> {
    fn new(bytes: &'a [u8], part: &'static str) -> Xml<'a> {
        Xml {
            reader: Reader::from_reader(bytes),
            part,
        }
    }

    fn fail(&self, what: impl std::fmt::Display) -> String {
        format!(
            "{}: {what} (byte {})",
            self.part,
            self.reader.buffer_position()
        )
    }

    /// The next event. Entity references are checked here, once for every caller: only XML's
    /// predefined entities and character references are allowed, never entities a DTD declares.
    fn next(&mut self) -> XmlResult<Event<'a>> {
        match self.reader.read_event() {
            Ok(Event::GeneralRef(r)) => {
                resolve_ref(&r).map_err(|e| self.fail(e))?;
                Ok(Event::GeneralRef(r))
            }
            Ok(event) => Ok(event),
            Err(e) => Err(format!(
                "{}: {e} (byte {})",
                self.part,
                self.reader.error_position()
            )),
        }
    }

    /// Skips the rest of an element whose start was just read.
    fn skip(&mut self, start: &BytesStart<'_>) -> XmlResult<()> {
        match self.reader.read_to_end(start.name()) {
            Ok(_) => Ok(()),
            Err(e) => Err(format!(
                "{}: {e} (byte {})",
                self.part,
                self.reader.error_position()
            )),
        }
    }

    fn ended_early(&self) -> String {
        self.fail("文件提前结束 / unexpected end of the document")
    }

    /// Calls `f` with every attribute's qualified name and unescaped value.
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
            f(attr.key.as_ref(), value);
        }
        Ok(())
    }

    /// One attribute's unescaped value.
    fn attr(&self, e: &BytesStart<'_>, key: &str) -> XmlResult<Option<String>> {
        let mut found = None;
        self.each_attr(e, |k, v| {
            if k == key {
                found = Some(v.into_owned());
            }
        })?;
        Ok(found)
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

/// A repeat or span count as the file claims it; anything unreadable counts as 1.
fn parse_count(v: &str) -> u64 {
    v.trim()
        .parse::<u64>()
        .ok()
        .filter(|&n| n >= 1)
        .unwrap_or(1)
}

// ---------------------------------------------------------------------------------------------
// Styles: only what the reader needs from them, red font and hidden tables.

/// What one cell style says about the font colour.
#[derive(Debug, Default)]
struct CellStyle {
    /// `Some` when the style sets a colour itself: whether it is red.
    red: Option<bool>,
    /// The named style it inherits from.
    parent: Option<String>,
}

/// The styles of content.xml and styles.xml, reduced to what the reader needs.
#[derive(Debug, Default)]
struct Styles {
    /// Automatic cell styles of content.xml, which cells name.
    automatic: HashMap<String, CellStyle>,
    /// Named cell styles of styles.xml, which automatic styles inherit from.
    named: HashMap<String, CellStyle>,
    /// The colour of the default cell style, when it sets one.
    default_red: Option<bool>,
    /// Table styles that hide their table.
    hidden_tables: HashSet<String>,
    /// Styles already resolved.
    cache: HashMap<String, bool>,
}

impl Styles {
    /// Whether cells of this style show red text, following parent styles.
    fn is_red(&mut self, name: &str) -> bool {
        if let Some(&red) = self.cache.get(name) {
            return red;
        }
        let mut style = self.automatic.get(name).or_else(|| self.named.get(name));
        let mut red = None;
        for _ in 0..MAX_STYLE_DEPTH {
            let Some(s) = style else { break };
            if s.red.is_some() {
                red = s.red;
                break;
            }
            style = s.parent.as_deref().and_then(|p| self.named.get(p));
        }
        let red = red.or(self.default_red).unwrap_or(false);
        self.cache.insert(name.to_string(), red);
        red
    }
}

/// True for the reds offices use to mark required columns: pure red and its darker or lighter
/// neighbours (R ≥ 0xC0, G and B ≤ 0x40).
pub(crate) fn is_red_color(color: &str) -> bool {
    let c = color.trim();
    if c.eq_ignore_ascii_case("red") {
        return true;
    }
    let Some(hex) = c.strip_prefix('#') else {
        return false;
    };
    let channel = |s: Option<&str>, short: bool| {
        let s = s?;
        let v = u8::from_str_radix(s, 16).ok()?;
        Some(if short { v * 17 } else { v })
    };
    let (r, g, b) = match hex.len() {
        6 => (
            channel(hex.get(0..2), false),
            channel(hex.get(2..4), false),
            channel(hex.get(4..6), false),
        ),
        3 => (
            channel(hex.get(0..1), true),
            channel(hex.get(1..2), true),
            channel(hex.get(2..3), true),
        ),
        _ => return false,
    };
    matches!((r, g, b), (Some(r), Some(g), Some(b)) if r >= 0xC0 && g <= 0x40 && b <= 0x40)
}

/// Reads `office:styles` of styles.xml into the named styles.
fn read_named_styles(bytes: &[u8], styles: &mut Styles) -> XmlResult<()> {
    let mut xml = Xml::new(bytes, "styles.xml");
    loop {
        match xml.next()? {
            Event::Start(e) if e.name().as_ref() == "office:styles" => {
                let mut named = std::mem::take(&mut styles.named);
                let result = read_styles(&mut xml, &mut named, styles);
                styles.named = named;
                return result;
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Which style a `style:style` or `style:default-style` element defines.
enum StyleKey {
    Cell(String),
    Table(String),
    CellDefault,
    Other,
}

/// Reads the styles of one container (`office:automatic-styles`, `office:styles`) until its end.
/// Cell styles go into `into`, table visibility and the default cell colour into `styles`.
fn read_styles(
    xml: &mut Xml<'_>,
    into: &mut HashMap<String, CellStyle>,
    styles: &mut Styles,
) -> XmlResult<()> {
    let mut depth = 0usize;
    // The style being read, what it says so far, whether it hides its table, and its depth.
    let mut current: Option<(StyleKey, CellStyle, bool, usize)> = None;
    let mut store = |key: StyleKey, style: CellStyle, hides: bool, styles: &mut Styles| match key {
        StyleKey::Cell(name) => {
            into.entry(name).or_insert(style);
        }
        StyleKey::Table(name) => {
            if hides {
                styles.hidden_tables.insert(name);
            }
        }
        StyleKey::CellDefault => {
            if style.red.is_some() {
                styles.default_red = style.red;
            }
        }
        StyleKey::Other => {}
    };
    loop {
        let (e, empty) = match xml.next()? {
            Event::Start(e) => {
                depth += 1;
                (e, false)
            }
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                if depth == 0 {
                    return Ok(());
                }
                if current.as_ref().is_some_and(|c| c.3 == depth) {
                    if let Some((key, style, hides, _)) = current.take() {
                        store(key, style, hides, styles);
                    }
                }
                depth -= 1;
                continue;
            }
            Event::Eof => return Err(xml.ended_early()),
            _ => continue,
        };
        match e.name().as_ref() {
            tag @ ("style:style" | "style:default-style") => {
                let (mut name, mut parent, mut family) = (None, None, None);
                xml.each_attr(&e, |k, v| match k {
                    "style:name" => name = Some(v.into_owned()),
                    "style:parent-style-name" => parent = Some(v.into_owned()),
                    "style:family" => family = Some(v.into_owned()),
                    _ => {}
                })?;
                let key = match (tag, family.as_deref(), name) {
                    ("style:default-style", Some("table-cell"), _) => StyleKey::CellDefault,
                    ("style:style", Some("table-cell"), Some(n)) => StyleKey::Cell(n),
                    ("style:style", Some("table"), Some(n)) => StyleKey::Table(n),
                    _ => StyleKey::Other,
                };
                let style = CellStyle { red: None, parent };
                if empty {
                    store(key, style, false, styles);
                } else {
                    current = Some((key, style, false, depth));
                }
            }
            "style:text-properties" => {
                if let Some(cur) = current.as_mut() {
                    if let Some(color) = xml.attr(&e, "fo:color")? {
                        cur.1.red = Some(is_red_color(&color));
                    }
                }
            }
            "style:table-properties" => {
                if let Some(cur) = current.as_mut() {
                    if xml.attr(&e, "table:display")?.as_deref() == Some("false") {
                        cur.2 = true;
                    }
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// List validations.

/// What a `table:condition` means for a list validation; `None` when it is not a list.
fn parse_condition(cond: &str) -> Option<ListSource> {
    const KEY: &str = "cell-content-is-in-list(";
    let start = cond.find(KEY)?;
    let rest = &cond[start + KEY.len()..];
    let Some(inner) = rest.trim_end().strip_suffix(')') else {
        return Some(ListSource::Formula(cond.trim().to_string()));
    };
    if let Some(values) = parse_list_values(inner) {
        return Some(ListSource::Values(values));
    }
    if let Some((sheet, rect)) = parse_range_ref(inner) {
        return Some(ListSource::Range { sheet, rect });
    }
    Some(ListSource::Formula(inner.trim().to_string()))
}

/// `"男";"女"` (OpenFormula strings, `""` for a quote) or plain numbers, separated by `;`.
fn parse_list_values(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.peek() {
            Some('"') => {
                chars.next();
                let mut v = String::new();
                loop {
                    match chars.next()? {
                        '"' if chars.next_if_eq(&'"').is_some() => v.push('"'),
                        '"' => break,
                        c => v.push(c),
                    }
                }
                out.push(v);
            }
            Some(_) => {
                let mut token = String::new();
                while let Some(c) = chars.next_if(|&c| c != ';') {
                    token.push(c);
                }
                let token = token.trim();
                let numeric = token
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'))
                    && token.parse::<f64>().is_ok_and(f64::is_finite);
                if !numeric {
                    return None;
                }
                out.push(token.to_string());
            }
            None => return None,
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            None => return Some(out),
            Some(';') => {}
            Some(_) => return None,
        }
    }
}

/// `[$字典.$A$2:.$A$5]`, `[.A2:.A5]`, `['My sheet'.A1]`, or the old unbracketed `$字典.$A$2:$A$5`.
fn parse_range_ref(s: &str) -> Option<(Option<String>, Rect)> {
    let s = s.trim();
    let (s, bracketed) = match s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        Some(inner) => (inner.trim(), true),
        None => (s, false),
    };
    // Unbracketed text without a sheet separator is a defined name, even when it looks like A1.
    if !bracketed && !s.contains('.') {
        return None;
    }
    let (a, b) = split_range(s);
    let (sheet, (r1, c1)) = parse_endpoint(a)?;
    let (r2, c2) = match b {
        Some(b) => {
            let (sheet2, cell) = parse_endpoint(b)?;
            if sheet2.is_some() && sheet2 != sheet {
                return None;
            }
            cell
        }
        None => (r1, c1),
    };
    Some((sheet, Rect::new(r1, c1, r2, c2)))
}

/// Splits a range at the `:` outside quoted sheet names.
fn split_range(s: &str) -> (&str, Option<&str>) {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            ':' if !quoted => return (&s[..i], Some(&s[i + 1..])),
            _ => {}
        }
    }
    (s, None)
}

/// One end of a range: an optional sheet name and a cell.
fn parse_endpoint(s: &str) -> Option<(Option<String>, (u32, u32))> {
    let s = s.trim();
    let s = s.strip_prefix('$').unwrap_or(s);
    let (sheet, cell) = if let Some(rest) = s.strip_prefix('\'') {
        let mut name = String::new();
        let mut end = None;
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.next_if(|&(_, c)| c == '\'').is_some() {
                    name.push('\'');
                } else {
                    end = Some(i + 1);
                    break;
                }
            } else {
                name.push(c);
            }
        }
        (Some(name), rest.get(end?..)?.strip_prefix('.')?)
    } else if let Some(cell) = s.strip_prefix('.') {
        (None, cell)
    } else if let Some(dot) = s.rfind('.') {
        (Some(s[..dot].to_string()), &s[dot + 1..])
    } else {
        (None, s)
    };
    let sheet = sheet.filter(|n| !n.is_empty());
    Some((sheet, crate::read::parse_a1(cell)?))
}

/// Reads `table:content-validations` until its end.
fn read_validations(
    xml: &mut Xml<'_>,
    defs: &mut Vec<Option<ListSource>>,
    index: &mut HashMap<String, usize>,
) -> XmlResult<()> {
    loop {
        let (e, empty) = match xml.next()? {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            // Every child is skipped whole, so an end tag here closes the container.
            Event::End(_) => return Ok(()),
            Event::Eof => return Err(xml.ended_early()),
            _ => continue,
        };
        if e.name().as_ref() == "table:content-validation" {
            let (mut name, mut condition) = (None, None);
            xml.each_attr(&e, |k, v| match k {
                "table:name" => name = Some(v.into_owned()),
                "table:condition" => condition = Some(v.into_owned()),
                _ => {}
            })?;
            if let Some(name) = name {
                if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(name) {
                    slot.insert(defs.len());
                    defs.push(condition.as_deref().and_then(parse_condition));
                }
            }
        }
        if !empty {
            xml.skip(&e)?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cell text.

/// Cell text being collected, with ODF white-space rules and the length limit.
struct TextAcc {
    out: String,
    chars: usize,
    max: usize,
    truncated: bool,
    paragraphs: usize,
    /// White space seen since the last character; ODF collapses a run of it into one space.
    pending_space: bool,
    /// No character yet in this paragraph: ODF drops leading white space.
    at_start: bool,
}

impl TextAcc {
    fn new(max: usize) -> TextAcc {
        TextAcc {
            out: String::new(),
            chars: 0,
            max,
            truncated: false,
            paragraphs: 0,
            pending_space: false,
            at_start: true,
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

    /// A character of the paragraph's character data, where white space collapses.
    fn text_char(&mut self, c: char) {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            self.pending_space = true;
        } else {
            self.literal(c);
        }
    }

    fn text(&mut self, s: &str) {
        if self.truncated || s.is_empty() {
            return;
        }
        // Most text has no white space to collapse: take it whole.
        if !s.contains([' ', '\t', '\n', '\r']) {
            let n = s.chars().count();
            if self.chars + n <= self.max {
                if std::mem::take(&mut self.pending_space) && !self.at_start {
                    self.push(' ');
                }
                if self.chars + n <= self.max {
                    self.at_start = false;
                    self.out.push_str(s);
                    self.chars += n;
                    return;
                }
            }
        }
        for c in s.chars() {
            self.text_char(c);
        }
    }

    /// A character that does not collapse: from `text:s`, `text:tab`, `text:line-break`.
    fn literal(&mut self, c: char) {
        if std::mem::take(&mut self.pending_space) && !self.at_start {
            self.push(' ');
        }
        self.at_start = false;
        self.push(c);
    }

    fn start_paragraph(&mut self) {
        if self.paragraphs > 0 {
            self.push('\n');
        }
        self.paragraphs += 1;
        self.pending_space = false;
        self.at_start = true;
    }

    fn end_paragraph(&mut self) {
        // Trailing white space of a paragraph is layout, not content.
        self.pending_space = false;
    }
}

/// The special text elements: `text:s` (spaces), `text:tab`, `text:line-break`.
fn text_special(xml: &Xml<'_>, e: &BytesStart<'_>, acc: &mut TextAcc) -> XmlResult<()> {
    match e.name().as_ref() {
        "text:s" => {
            let count = xml
                .attr(e, "text:c")?
                .map_or(1, |c| c.trim().parse::<u64>().unwrap_or(1))
                .min(MAX_SPACES);
            for _ in 0..count {
                acc.literal(' ');
            }
        }
        "text:tab" => acc.literal('\t'),
        "text:line-break" => acc.literal('\n'),
        _ => {}
    }
    Ok(())
}

/// Collects the text of a cell whose start tag was just read, up to its end tag. Paragraphs
/// (`text:p`, `text:h`) are joined with a line break; comments (`office:annotation`), shapes and
/// anything else outside the text namespace are skipped.
fn read_cell_text(xml: &mut Xml<'_>, max_chars: usize) -> XmlResult<TextAcc> {
    let mut acc = TextAcc::new(max_chars);
    let mut depth = 0usize;
    // The depth of the open paragraph element, if any.
    let mut para: Option<usize> = None;
    loop {
        match xml.next()? {
            Event::Start(e) => match e.name().as_ref() {
                "text:p" | "text:h" if para.is_none() => {
                    acc.start_paragraph();
                    depth += 1;
                    para = Some(depth);
                }
                "text:s" | "text:tab" | "text:line-break" => {
                    if para.is_some() {
                        text_special(xml, &e, &mut acc)?;
                    }
                    xml.skip(&e)?;
                }
                // Footnotes and ruby annotations are not the cell's own text.
                "text:note" | "text:ruby-text" => xml.skip(&e)?,
                name if name.starts_with("text:") => depth += 1,
                _ => xml.skip(&e)?,
            },
            Event::Empty(e) => match e.name().as_ref() {
                "text:p" | "text:h" if para.is_none() => {
                    acc.start_paragraph();
                    acc.end_paragraph();
                }
                "text:s" | "text:tab" | "text:line-break" if para.is_some() => {
                    text_special(xml, &e, &mut acc)?;
                }
                _ => {}
            },
            Event::Text(t) if para.is_some() => acc.text(&t),
            Event::CData(t) if para.is_some() => acc.text(&t),
            Event::GeneralRef(r) if para.is_some() => {
                let c = resolve_ref(&r).map_err(|e| xml.fail(e))?;
                acc.text_char(c);
            }
            Event::End(_) => {
                if depth == 0 {
                    return Ok(acc);
                }
                if para == Some(depth) {
                    acc.end_paragraph();
                    para = None;
                }
                depth -= 1;
            }
            Event::Eof => return Err(xml.ended_early()),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cells, rows and tables.

/// The attributes of a `table:table-cell` that matter here.
#[derive(Debug, Default)]
struct CellAttrs {
    repeat: u64,
    rows_spanned: u64,
    cols_spanned: u64,
    value_type: ValueType,
    /// LibreOffice marks formula errors (`#DIV/0!`) with `calcext:value-type="error"`.
    error: bool,
    /// `office:value`, when it is a finite number.
    number: Option<f64>,
    /// `office:date-value` in ISO form, when it reads as a date.
    date: Option<String>,
    boolean: Option<bool>,
    string: Option<String>,
    /// Any `office:*-value` attribute, readable or not.
    has_value: bool,
    formula: bool,
    /// Red-ness of the cell's own style, when it names one.
    red: Option<bool>,
    validation: Option<String>,
}

/// `office:value-type`, as far as it decides the value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ValueType {
    #[default]
    Text,
    Number,
    Date,
    Boolean,
}

/// One cell element, read.
struct Cell {
    repeat: u64,
    value: Value,
    truncated: bool,
    formula_without_value: bool,
    rows_spanned: u64,
    cols_spanned: u64,
    cell_red: Option<bool>,
    validation: Option<String>,
}

/// `2024-03-05` or `2024-03-05T08:30:00` from an ODF date value (fractions and zones dropped).
pub(crate) fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(digits(0..4) && at(4, b'-') && digits(5..7) && at(7, b'-') && digits(8..10)) {
        return None;
    }
    if at(10, b'T')
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19)
    {
        // Midnight is how date-only values come out of some writers (SheetJS); a spreadsheet
        // cannot tell them apart from a plain date.
        if s.get(10..19) == Some("T00:00:00") {
            return s.get(..10).map(str::to_string);
        }
        return s.get(..19).map(str::to_string);
    }
    s.get(..10).map(str::to_string)
}

/// Text cut to `max` characters; true when it was cut.
fn cut(s: &str, max: usize) -> (String, bool) {
    match s.char_indices().nth(max) {
        Some((i, _)) => (s[..i].to_string(), true),
        None => (s.to_string(), false),
    }
}

/// A cell's value from its attributes and text: the typed value when it is readable, else the
/// text a person sees.
fn cell_value(a: &CellAttrs, text: TextAcc, max_chars: usize) -> (Value, bool) {
    let shown = |text: TextAcc| -> (Value, bool) {
        if !text.out.is_empty() {
            return (Value::Text(text.out), text.truncated);
        }
        match a.string.as_deref() {
            Some(s) if !s.is_empty() => {
                let (s, cut) = cut(s, max_chars);
                (Value::Text(s), cut)
            }
            _ => (Value::Empty, false),
        }
    };
    if a.error && !text.out.is_empty() {
        return (Value::Error(text.out), text.truncated);
    }
    match (a.value_type, a.number, &a.date, a.boolean) {
        (ValueType::Number, Some(n), _, _) => (Value::Number(n), false),
        (ValueType::Date, _, Some(d), _) => (Value::Date(d.clone()), false),
        (ValueType::Boolean, _, _, Some(b)) => (Value::Bool(b), false),
        _ => shown(text),
    }
}

/// Cells of one row element, before its repeats are applied.
#[derive(Debug, Default)]
struct Row {
    repeat: u64,
    /// Red-ness of the row's default cell style, when it names one.
    default_red: Option<bool>,
    runs: Vec<Run>,
    /// Merged cells: first column, rows spanned, columns spanned.
    merges: Vec<(u32, u64, u64)>,
    /// Formulas without a saved value: first column, count.
    formula_notes: Vec<(u32, u64)>,
    /// Cells under a list validation: the table's validation index, first and last column.
    validations: Vec<(usize, u64, u64)>,
}

/// A non-empty cell and its column repeats.
#[derive(Debug)]
struct Run {
    col: u64,
    count: u64,
    value: Value,
    /// Red-ness of the cell's own style, when it names one.
    cell_red: Option<bool>,
    truncated: bool,
}

/// The cells of one list validation in one table.
#[derive(Debug)]
struct PendingValidation {
    name: String,
    rects: Vec<Rect>,
    /// The last rectangle of each column span, which the next row may extend downward.
    open: HashMap<(u32, u32), usize>,
}

/// One table being read.
struct Table {
    sheet: Sheet,
    builder: GridBuilder,
    failed: Option<Limit>,
    /// The row the next row element starts at.
    row: u64,
    /// The column the next column element describes.
    next_col: u64,
    /// Column runs `[start, end)` with a default cell style, and whether it is red.
    col_defaults: Vec<(u64, u64, bool)>,
    validations: Vec<PendingValidation>,
    validation_index: HashMap<String, usize>,
}

impl Table {
    fn col_default_red(&self, col: u64) -> Option<bool> {
        let i = self
            .col_defaults
            .partition_point(|&(start, _, _)| start <= col);
        let &(_, end, red) = self.col_defaults.get(i.checked_sub(1)?)?;
        (col < end).then_some(red)
    }

    fn validation(&mut self, name: String) -> usize {
        if let Some(&i) = self.validation_index.get(&name) {
            return i;
        }
        let i = self.validations.len();
        self.validations.push(PendingValidation {
            name: name.clone(),
            rects: Vec::new(),
            open: HashMap::new(),
        });
        self.validation_index.insert(name, i);
        i
    }

    fn add_validation_rect(&mut self, idx: usize, rect: Rect) {
        let Some(v) = self.validations.get_mut(idx) else {
            return;
        };
        if let Some(&i) = v.open.get(&(rect.left, rect.right)) {
            if let Some(prev) = v.rects.get_mut(i) {
                if prev.bottom.checked_add(1) == Some(rect.top) {
                    prev.bottom = rect.bottom;
                    return;
                }
            }
        }
        if v.rects.len() >= MAX_VALIDATION_RECTS {
            return;
        }
        v.open.insert((rect.left, rect.right), v.rects.len());
        v.rects.push(rect);
    }

    fn note(&mut self, note: SheetNote) {
        if self.sheet.notes.len() < MAX_NOTES {
            self.sheet.notes.push(note);
        }
    }
}

/// The reader of content.xml.
struct Doc<'a> {
    xml: Xml<'a>,
    limits: Limits,
    styles: Styles,
    /// List validations by definition order; `None` for validations that are not lists.
    defs: Vec<Option<ListSource>>,
    def_index: HashMap<String, usize>,
    sheets: Vec<(Sheet, Vec<PendingValidation>)>,
    sheet_errors: Vec<SheetError>,
    tables_seen: usize,
    /// Bytes of content.xml plus the bytes of every cell copied from a repeat, so far.
    expanded: u64,
    /// The start of `office:spreadsheet` was read.
    spreadsheet_seen: bool,
    /// The end of `office:spreadsheet` was read: every table is in.
    spreadsheet_done: bool,
}

impl Doc<'_> {
    fn run(&mut self) -> Result<(), Stop> {
        loop {
            let (e, empty) = match self.xml.next().map_err(Stop::Outside)? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(e) => {
                    if e.name().as_ref() == "office:spreadsheet" {
                        self.spreadsheet_done = true;
                    }
                    continue;
                }
                Event::Eof if !self.spreadsheet_seen => {
                    return Err(Stop::Outside(self.xml.fail(
                        "没有 office:spreadsheet 元素 / no office:spreadsheet element",
                    )));
                }
                // Cut short between tables: tables may be missing, though none broke.
                Event::Eof if !self.spreadsheet_done => {
                    return Err(Stop::Outside(self.xml.ended_early()));
                }
                Event::Eof => return Ok(()),
                _ => continue,
            };
            match e.name().as_ref() {
                "office:spreadsheet" => {
                    self.spreadsheet_seen = true;
                    self.spreadsheet_done = empty;
                }
                "office:automatic-styles" if !empty => {
                    let mut automatic = std::mem::take(&mut self.styles.automatic);
                    let result = read_styles(&mut self.xml, &mut automatic, &mut self.styles);
                    self.styles.automatic = automatic;
                    self.styles.cache.clear();
                    result.map_err(Stop::Outside)?;
                }
                "table:content-validations" if !empty => {
                    read_validations(&mut self.xml, &mut self.defs, &mut self.def_index)
                        .map_err(Stop::Outside)?;
                }
                "table:table" => {
                    if let Err((sheet, detail)) = self.read_table(&e, !empty) {
                        self.sheet_errors.push(SheetError {
                            sheet,
                            kind: SheetErrorKind::Damaged {
                                detail: detail.clone(),
                            },
                        });
                        return Err(Stop::InTable(detail));
                    }
                }
                _ => {}
            }
        }
    }

    /// Reads one table; on an XML error, returns the table's name and the detail.
    fn read_table(
        &mut self,
        e: &BytesStart<'_>,
        has_children: bool,
    ) -> Result<(), (String, String)> {
        self.tables_seen += 1;
        let fallback = format!("#{}", self.tables_seen);
        let (mut name, mut style) = (None, None);
        self.xml
            .each_attr(e, |k, v| match k {
                "table:name" => name = Some(v.into_owned()),
                "table:style-name" => style = Some(v.into_owned()),
                _ => {}
            })
            .map_err(|d| (fallback.clone(), d))?;
        let name = name.unwrap_or_else(|| format!("Sheet{}", self.tables_seen));
        let hidden = style.is_some_and(|s| self.styles.hidden_tables.contains(&s));
        let mut t = Table {
            sheet: Sheet {
                name: name.clone(),
                hidden,
                ..Sheet::default()
            },
            builder: GridBuilder::new(self.limits.max_cells, self.limits.max_columns),
            failed: None,
            row: 0,
            next_col: 0,
            col_defaults: Vec::new(),
            validations: Vec::new(),
            validation_index: HashMap::new(),
        };
        if has_children {
            self.read_table_body(&mut t)
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
            mut sheet,
            builder,
            validations,
            ..
        } = t;
        sheet.grid = builder.finish();
        sheet.red_cells.sort_unstable();
        sheet.red_cells.dedup();
        self.sheets.push((sheet, validations));
        Ok(())
    }

    fn read_table_body(&mut self, t: &mut Table) -> XmlResult<()> {
        let mut depth = 0usize;
        loop {
            match self.xml.next()? {
                Event::Start(e) => match e.name().as_ref() {
                    "table:table-row" => {
                        let row = self.read_row(&e, true, t)?;
                        self.apply_row(t, row);
                    }
                    "table:table-column" => {
                        self.add_columns(&e, t)?;
                        depth += 1;
                    }
                    // Groups of rows or columns: their rows and columns count like any other.
                    "table:table-header-rows"
                    | "table:table-row-group"
                    | "table:table-rows"
                    | "table:table-column-group"
                    | "table:table-header-columns"
                    | "table:table-columns" => depth += 1,
                    // Shapes, forms, scenarios, named ranges: not cells.
                    _ => self.xml.skip(&e)?,
                },
                Event::Empty(e) => match e.name().as_ref() {
                    "table:table-row" => {
                        let row = self.read_row(&e, false, t)?;
                        self.apply_row(t, row);
                    }
                    "table:table-column" => self.add_columns(&e, t)?,
                    _ => {}
                },
                Event::End(_) => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                Event::Eof => return Err(self.xml.ended_early()),
                _ => {}
            }
        }
    }

    fn add_columns(&mut self, e: &BytesStart<'_>, t: &mut Table) -> XmlResult<()> {
        let (mut repeat, mut style) = (1, None);
        self.xml.each_attr(e, |k, v| match k {
            "table:number-columns-repeated" => repeat = parse_count(&v),
            "table:default-cell-style-name" => style = Some(v.into_owned()),
            _ => {}
        })?;
        let start = t.next_col;
        t.next_col = start.saturating_add(repeat);
        if let Some(style) = style {
            if start < MAX_COLS64 {
                let red = self.styles.is_red(&style);
                t.col_defaults.push((start, t.next_col, red));
            }
        }
        Ok(())
    }

    fn read_row(
        &mut self,
        e: &BytesStart<'_>,
        has_children: bool,
        t: &mut Table,
    ) -> XmlResult<Row> {
        let (mut repeat, mut style) = (1, None);
        self.xml.each_attr(e, |k, v| match k {
            "table:number-rows-repeated" => repeat = parse_count(&v),
            "table:default-cell-style-name" => style = Some(v.into_owned()),
            _ => {}
        })?;
        let mut row = Row {
            repeat,
            default_red: style.map(|s| self.styles.is_red(&s)),
            ..Row::default()
        };
        if !has_children {
            return Ok(row);
        }
        let mut col = 0u64;
        loop {
            let (e, empty) = match self.xml.next()? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                // Every child is read or skipped whole, so an end tag here closes the row.
                Event::End(_) => return Ok(row),
                Event::Eof => return Err(self.xml.ended_early()),
                _ => continue,
            };
            match e.name().as_ref() {
                "table:table-cell" => {
                    let cell = self.read_cell(&e, !empty)?;
                    self.place_cell(cell, &mut col, &mut row, t);
                }
                // Hidden under a merge: what it holds is not shown, so only its place counts.
                "table:covered-table-cell" => {
                    let repeat = self
                        .xml
                        .attr(&e, "table:number-columns-repeated")?
                        .map_or(1, |v| parse_count(&v));
                    col = col.saturating_add(repeat);
                    if !empty {
                        self.xml.skip(&e)?;
                    }
                }
                _ => {
                    if !empty {
                        self.xml.skip(&e)?;
                    }
                }
            }
        }
    }

    fn read_cell(&mut self, e: &BytesStart<'_>, has_children: bool) -> XmlResult<Cell> {
        let mut a = CellAttrs {
            repeat: 1,
            rows_spanned: 1,
            cols_spanned: 1,
            ..CellAttrs::default()
        };
        let styles = &mut self.styles;
        self.xml.each_attr(e, |k, v| match k {
            "table:number-columns-repeated" => a.repeat = parse_count(&v),
            "table:number-rows-spanned" => a.rows_spanned = parse_count(&v),
            "table:number-columns-spanned" => a.cols_spanned = parse_count(&v),
            "office:value-type" => {
                a.value_type = match v.trim() {
                    "float" | "percentage" | "currency" => ValueType::Number,
                    "date" => ValueType::Date,
                    "boolean" => ValueType::Boolean,
                    _ => ValueType::Text,
                }
            }
            "calcext:value-type" => a.error = v.trim() == "error",
            "office:value" => {
                a.has_value = true;
                a.number = v.trim().parse::<f64>().ok().filter(|n| n.is_finite());
            }
            "office:date-value" => {
                a.has_value = true;
                a.date = iso_date(&v);
            }
            "office:boolean-value" => {
                a.has_value = true;
                a.boolean = match v.trim() {
                    "true" | "1" => Some(true),
                    "false" | "0" => Some(false),
                    _ => None,
                };
            }
            "office:string-value" => {
                a.has_value = true;
                a.string = Some(v.into_owned());
            }
            "office:time-value" => a.has_value = true,
            "table:formula" => a.formula = true,
            "table:style-name" => a.red = Some(styles.is_red(&v)),
            "table:content-validation-name" => a.validation = Some(v.into_owned()),
            _ => {}
        })?;
        let max_chars = self.limits.max_text_chars;
        let text = if has_children {
            read_cell_text(&mut self.xml, max_chars)?
        } else {
            TextAcc::new(max_chars)
        };
        let formula_without_value = a.formula && !a.has_value && text.out.is_empty();
        let (value, truncated) = cell_value(&a, text, max_chars);
        Ok(Cell {
            repeat: a.repeat,
            value,
            truncated,
            formula_without_value,
            rows_spanned: a.rows_spanned,
            cols_spanned: a.cols_spanned,
            cell_red: a.red,
            validation: a.validation,
        })
    }

    /// Records a cell in its row at `col` and moves `col` past its repeats.
    fn place_cell(&mut self, cell: Cell, col: &mut u64, row: &mut Row, t: &mut Table) {
        let at = *col;
        *col = at.saturating_add(cell.repeat);
        let last = at.saturating_add(cell.repeat - 1);
        if let Some(name) = cell.validation {
            let idx = t.validation(name);
            match row.validations.last_mut() {
                Some(prev) if prev.0 == idx && prev.2.checked_add(1) == Some(at) => prev.2 = last,
                _ => row.validations.push((idx, at, last)),
            }
        }
        if at < MAX_COLS64 {
            let at32 = at as u32;
            if cell.rows_spanned > 1 || cell.cols_spanned > 1 {
                row.merges
                    .push((at32, cell.rows_spanned, cell.cols_spanned));
            }
            if cell.formula_without_value {
                row.formula_notes.push((at32, cell.repeat));
            }
        }
        if cell.value != Value::Empty {
            row.runs.push(Run {
                col: at,
                count: cell.repeat,
                value: cell.value,
                cell_red: cell.cell_red,
                truncated: cell.truncated,
            });
        }
    }

    /// Writes a row's cells into the table, once per row repeat. Every copy of a non-empty cell
    /// goes through the grid builder, so the cell budget bounds this loop; rows without values
    /// stop as soon as their merges and notes are full.
    fn apply_row(&mut self, t: &mut Table, mut row: Row) {
        let start = t.row;
        t.row = start.saturating_add(row.repeat);
        if t.failed.is_some() {
            return;
        }
        if start < MAX_ROWS64 {
            let bottom = start.saturating_add(row.repeat - 1).min(MAX_ROWS64 - 1) as u32;
            for &(idx, first, last) in &row.validations {
                if first < MAX_COLS64 {
                    let rect = Rect {
                        top: start as u32,
                        left: first as u32,
                        bottom,
                        right: last.min(MAX_COLS64 - 1) as u32,
                    };
                    t.add_validation_rect(idx, rect);
                }
            }
        }
        if row.runs.is_empty() && row.merges.is_empty() && row.formula_notes.is_empty() {
            return;
        }
        let default_red = self.styles.default_red.unwrap_or(false);
        for rr in 0..row.repeat {
            let r = start.saturating_add(rr);
            if r >= MAX_ROWS64 {
                if !row.runs.is_empty() {
                    t.failed = Some(Limit::OutsideGrid);
                }
                return;
            }
            let r32 = r as u32;
            let last_repeat = rr + 1 == row.repeat;
            for run in &mut row.runs {
                for k in 0..run.count {
                    let c = run.col.saturating_add(k);
                    let c32 = c.min(MAX_COLS64) as u32;
                    if rr > 0 || k > 0 {
                        self.expanded = self
                            .expanded
                            .saturating_add(CELL_COPY_BYTES + value_bytes(&run.value));
                        if self.expanded > self.limits.max_inflated_bytes {
                            t.failed = Some(Limit::Inflated {
                                max: self.limits.max_inflated_bytes,
                            });
                            return;
                        }
                    }
                    // The last copy takes the value itself: most cells are not repeated at all.
                    let value = if last_repeat && k + 1 == run.count {
                        std::mem::take(&mut run.value)
                    } else {
                        run.value.clone()
                    };
                    if let Err(limit) = t.builder.set(r32, c32, value) {
                        t.failed = Some(limit);
                        return;
                    }
                    let red = run
                        .cell_red
                        .or_else(|| t.col_default_red(c))
                        .or(row.default_red)
                        .unwrap_or(default_red);
                    if red {
                        t.sheet.red_cells.push((r32, c32));
                    }
                    if run.truncated {
                        t.note(SheetNote::TextTruncated { row: r32, col: c32 });
                    }
                }
            }
            for &(c, rows, cols) in &row.merges {
                if t.sheet.merges.len() >= MAX_MERGES {
                    break;
                }
                let bottom = r.saturating_add(rows - 1).min(MAX_ROWS64 - 1) as u32;
                let right = u64::from(c).saturating_add(cols - 1).min(MAX_COLS64 - 1) as u32;
                t.sheet.merges.push(Rect {
                    top: r32,
                    left: c,
                    bottom,
                    right,
                });
            }
            for &(c, count) in &row.formula_notes {
                for k in 0..count {
                    let col = u64::from(c) + k;
                    if t.sheet.notes.len() >= MAX_NOTES || col >= MAX_COLS64 {
                        break;
                    }
                    t.note(SheetNote::FormulaWithoutValue {
                        row: r32,
                        col: col as u32,
                    });
                }
            }
            if row.runs.is_empty() {
                let more_merges = !row.merges.is_empty() && t.sheet.merges.len() < MAX_MERGES;
                let more_notes = !row.formula_notes.is_empty() && t.sheet.notes.len() < MAX_NOTES;
                if !more_merges && !more_notes {
                    return;
                }
            }
        }
    }
}

/// The text bytes a value holds.
fn value_bytes(v: &Value) -> u64 {
    match v {
        Value::Text(s) | Value::Date(s) | Value::Error(s) => s.len() as u64,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::zipguard::preflight;
    use std::io::{Cursor, Write};
    use std::time::{Duration, Instant};

    const NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2""#;

    const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

    fn content(styles: &str, body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}><office:automatic-styles>{styles}</office:automatic-styles><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"#
        )
    }

    fn zip_parts(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("mimetype", stored).unwrap();
        w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        for (name, data) in parts {
            w.start_file(*name, deflated).unwrap();
            w.write_all(data.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn ods(content_xml: &str) -> Vec<u8> {
        zip_parts(&[
            ("META-INF/manifest.xml", MANIFEST),
            ("content.xml", content_xml),
        ])
    }

    fn read_with(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
        let entries = preflight(bytes, limits)?;
        read_ods(&entries, limits)
    }

    fn read(styles: &str, body: &str) -> Workbook {
        read_with(&ods(&content(styles, body)), &Limits::default()).unwrap()
    }

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn whitespace_between_cells_is_ignored() {
        let body = r#"
  <table:table table:name="Sheet1">
    <table:table-column table:number-columns-repeated="3"/>
    <table:table-row>
      <table:table-cell office:value-type="string">
        <text:p>姓名</text:p>
      </table:table-cell>
      <table:table-cell office:value-type="float" office:value="42">
        <text:p>42</text:p>
      </table:table-cell>
      <table:table-cell/>
      <table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
      <table:table-cell office:value-type="string"><text:p>  two  words  </text:p></table:table-cell>
    </table:table-row>
  </table:table>
"#;
        let wb = read("", body);
        assert_eq!(wb.format, Format::Ods);
        assert_eq!(wb.encoding, None);
        assert!(wb.sheet_errors.is_empty());
        let s = &wb.sheets[0];
        assert_eq!(s.name, "Sheet1");
        assert!(!s.hidden);
        assert_eq!(
            s.grid.row(0),
            &[text("姓名"), Value::Number(42.0), Value::Empty, text("x")]
        );
        assert_eq!(s.grid.get(1, 0), &text("two words"));
        assert_eq!(s.grid.height(), 2);
    }

    #[test]
    fn huge_empty_repeats_cost_nothing() {
        let body = r#"<table:table table:name="S">
<table:table-column table:number-columns-repeated="1000000000"/>
<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1000000000"/></table:table-row>
<table:table-row table:number-rows-repeated="1000000000"><table:table-cell table:number-columns-repeated="1000000000"/></table:table-row>
<table:table-row table:number-rows-repeated="4000000000"/>
</table:table>"#;
        let t0 = Instant::now();
        let wb = read("", body);
        assert!(t0.elapsed() < Duration::from_secs(2));
        assert!(wb.sheet_errors.is_empty());
        assert_eq!(wb.sheets[0].grid.height(), 1);
        assert_eq!(wb.sheets[0].grid.width(), 1);

        // A value after a billion empty rows lies outside the Excel grid.
        let body = r#"<table:table table:name="S">
<table:table-row table:number-rows-repeated="1000000000"><table:table-cell/></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row>
</table:table>"#;
        let wb = read("", body);
        assert!(wb.sheets.is_empty());
        assert_eq!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge {
                limit: Limit::OutsideGrid
            }
        );
    }

    #[test]
    fn huge_repeat_of_a_value_is_refused_quickly() {
        let cell = r#"<table:table-cell table:number-columns-repeated="1000000000" office:value-type="string"><text:p>x</text:p></table:table-cell>"#;
        let body = format!(
            r#"<table:table table:name="Big"><table:table-row table:number-rows-repeated="1000000000">{cell}</table:table-row></table:table><table:table table:name="Small"><table:table-row><table:table-cell office:value-type="string"><text:p>ok</text:p></table:table-cell></table:table-row></table:table>"#
        );
        let t0 = Instant::now();
        let wb = read("", &body);
        assert!(t0.elapsed() < Duration::from_secs(5));
        assert_eq!(wb.sheet_errors.len(), 1);
        assert_eq!(wb.sheet_errors[0].sheet, "Big");
        assert!(matches!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge { .. }
        ));
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(wb.sheets[0].grid.get(0, 0), &text("ok"));

        // Narrow repeats over many rows hit the cell budget.
        let limits = Limits {
            max_cells: 10_000,
            ..Limits::default()
        };
        let body = r#"<table:table table:name="Tall"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="3" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table>"#;
        let wb = read_with(&ods(&content("", body)), &limits).unwrap();
        assert_eq!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge {
                limit: Limit::Cells { max: 10_000 }
            }
        );

        // Long text repeated within the cell budget still counts as inflated bytes.
        let limits = Limits {
            max_inflated_bytes: 1_000_000,
            max_entry_bytes: 1_000_000,
            ..Limits::default()
        };
        let long = "长".repeat(10_000);
        let body = format!(
            r#"<table:table table:name="Wide"><table:table-row table:number-rows-repeated="100"><table:table-cell table:number-columns-repeated="100" office:value-type="string"><text:p>{long}</text:p></table:table-cell></table:table-row></table:table>"#
        );
        let wb = read_with(&ods(&content("", &body)), &limits).unwrap();
        assert_eq!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge {
                limit: Limit::Inflated { max: 1_000_000 }
            }
        );
    }

    #[test]
    fn repeated_values_are_materialised() {
        let body = r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2" office:value-type="string"><text:p>v</text:p></table:table-cell><table:covered-table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell></table:table-row></table:table>"#;
        let s = &read("", body).sheets[0];
        for r in 0..2 {
            assert_eq!(
                s.grid.row(r),
                &[
                    text("v"),
                    text("v"),
                    Value::Empty,
                    Value::Empty,
                    Value::Bool(true)
                ]
            );
        }
    }

    #[test]
    fn merges_are_rects() {
        let body = r#"<table:table table:name="S">
<table:table-row>
 <table:table-cell table:number-rows-spanned="2" table:number-columns-spanned="1" office:value-type="string"><text:p>编号</text:p></table:table-cell>
 <table:table-cell table:number-columns-spanned="3" table:number-rows-spanned="1" office:value-type="string"><text:p>本人情况</text:p></table:table-cell>
 <table:covered-table-cell table:number-columns-repeated="2"/>
 <table:table-cell table:number-columns-spanned="99999999" table:number-rows-spanned="99999999"/>
</table:table-row>
<table:table-row><table:covered-table-cell/><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row>
</table:table>"#;
        let s = &read("", body).sheets[0];
        assert_eq!(
            s.merges,
            vec![
                Rect::new(0, 0, 1, 0),
                Rect::new(0, 1, 0, 3),
                Rect::new(0, 4, MAX_ROWS - 1, MAX_COLS - 1),
            ]
        );
        assert_eq!(s.merges[1].a1(), "B1:D1");
        assert_eq!(s.grid.get(1, 1), &text("a"));
    }

    #[test]
    fn text_elements_and_annotations() {
        let body = r#"<table:table table:name="S"><table:table-row>
<table:table-cell office:value-type="string"><office:annotation><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">me</dc:creator><text:p>a comment</text:p></office:annotation><text:p>a<text:s text:c="3"/>b<text:span text:style-name="T1">c<text:s/>d</text:span><text:tab/>e<text:line-break/>f</text:p><text:p><text:a xlink:href="http://x" xmlns:xlink="http://www.w3.org/1999/xlink">link</text:a> &amp; &lt;&#x4E2D;&#25991;&gt;</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p><text:s text:c="99999999"/></text:p></table:table-cell>
</table:table-row></table:table>"#;
        let s = &read("", body).sheets[0];
        assert_eq!(s.grid.get(0, 0), &text("a   bc d\te\nf\nlink & <中文>"));
        assert_eq!(s.grid.get(0, 1), &text(&" ".repeat(1000)));
    }

    #[test]
    fn long_text_is_cut_with_a_note() {
        let limits = Limits {
            max_text_chars: 5,
            ..Limits::default()
        };
        let body = r#"<table:table table:name="S"><table:table-row><table:table-cell/><table:table-cell office:value-type="string"><text:p>一二三四五六七</text:p></table:table-cell></table:table-row></table:table>"#;
        let wb = read_with(&ods(&content("", body)), &limits).unwrap();
        let s = &wb.sheets[0];
        assert_eq!(s.grid.get(0, 1), &text("一二三四五"));
        assert_eq!(s.notes, vec![SheetNote::TextTruncated { row: 0, col: 1 }]);
    }

    #[test]
    fn typed_values() {
        let body = r#"<table:table table:name="S"><table:table-row>
<table:table-cell office:value-type="float" office:value="1200.5"><text:p>1,200.50</text:p></table:table-cell>
<table:table-cell office:value-type="percentage" office:value="0.25"><text:p>25%</text:p></table:table-cell>
<table:table-cell office:value-type="currency" office:currency="CNY" office:value="-3"><text:p>¥-3.00</text:p></table:table-cell>
<table:table-cell office:value-type="date" office:date-value="2024-03-11"><text:p>2024/3/11</text:p></table:table-cell>
<table:table-cell office:value-type="date" office:date-value="2024-03-11T08:30:00.123"><text:p>x</text:p></table:table-cell>
<table:table-cell office:value-type="boolean" office:boolean-value="false"><text:p>FALSE</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p>001</text:p></table:table-cell>
<table:table-cell table:formula="of:=SUM([.A1:.B1])"/>
<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>
<table:table-cell office:value-type="float" office:value="abc"><text:p>abc</text:p></table:table-cell>
<table:table-cell><text:p>untyped</text:p></table:table-cell>
<table:table-cell office:value-type="date" office:date-value="2024-03-12T00:00:00.000Z"><text:p>3/12/24</text:p></table:table-cell>
</table:table-row></table:table>"#;
        let s = &read("", body).sheets[0];
        assert_eq!(
            s.grid.row(0),
            &[
                Value::Number(1200.5),
                Value::Number(0.25),
                Value::Number(-3.0),
                Value::Date("2024-03-11".into()),
                Value::Date("2024-03-11T08:30:00".into()),
                Value::Bool(false),
                text("001"),
                Value::Empty,
                Value::Error("#DIV/0!".into()),
                text("abc"),
                text("untyped"),
                Value::Date("2024-03-12".into()),
            ]
        );
        assert_eq!(
            s.notes,
            vec![SheetNote::FormulaWithoutValue { row: 0, col: 7 }]
        );
    }

    #[test]
    fn list_validations_inline_and_by_range() {
        let body = r#"<table:content-validations>
<table:content-validation table:name="val1" table:condition="of:cell-content-is-in-list(&quot;男&quot;;&quot;女&quot;)" table:allow-empty-cell="true"><table:error-message table:display="true"/></table:content-validation>
<table:content-validation table:name="val2" table:condition="of:cell-content-is-in-list([$字典.$A$2:.$A$5])"/>
<table:content-validation table:name="val3" table:condition="of:cell-content-is-whole-number()"/>
</table:content-validations>
<table:table table:name="S">
<table:table-row><table:table-cell office:value-type="string"><text:p>性别</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>民族</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="3"><table:table-cell table:content-validation-name="val1"/><table:table-cell table:content-validation-name="val2" table:number-columns-repeated="2"/><table:table-cell table:content-validation-name="val3"/></table:table-row>
<table:table-row><table:table-cell table:content-validation-name="val1" office:value-type="string"><text:p>男</text:p></table:table-cell><table:table-cell table:content-validation-name="val2"/></table:table-row>
<table:table-row table:number-rows-repeated="2000000"><table:table-cell table:content-validation-name="val1"/></table:table-row>
</table:table>
<table:table table:name="字典"><table:table-row><table:table-cell office:value-type="string"><text:p>汉族</text:p></table:table-cell></table:table-row></table:table>"#;
        let wb = read("", body);
        let s = &wb.sheets[0];
        assert_eq!(s.grid.get(4, 0), &text("男"));
        assert_eq!(
            s.validations,
            vec![
                ListValidation {
                    ranges: vec![Rect::new(1, 0, MAX_ROWS - 1, 0)],
                    source: ListSource::Values(vec!["男".into(), "女".into()]),
                },
                ListValidation {
                    ranges: vec![Rect::new(1, 1, 3, 2), Rect::new(4, 1, 4, 1)],
                    source: ListSource::Range {
                        sheet: Some("字典".into()),
                        rect: Rect::new(1, 0, 4, 0),
                    },
                },
            ]
        );
        assert!(wb.sheets[1].validations.is_empty());
    }

    #[test]
    fn conditions() {
        let values = |v: &[&str]| {
            Some(ListSource::Values(
                v.iter().map(|s| s.to_string()).collect(),
            ))
        };
        assert_eq!(
            parse_condition(r#"of:cell-content-is-in-list("a";"b")"#),
            values(&["a", "b"])
        );
        assert_eq!(
            parse_condition(r#"cell-content-is-in-list("a""b"; "c")"#),
            values(&["a\"b", "c"])
        );
        assert_eq!(
            parse_condition("of:cell-content-is-in-list(1;2.5)"),
            values(&["1", "2.5"])
        );
        assert_eq!(
            parse_condition("of:cell-content-is-in-list([.A2:.A5])"),
            Some(ListSource::Range {
                sheet: None,
                rect: Rect::new(1, 0, 4, 0)
            })
        );
        assert_eq!(
            parse_condition("of:cell-content-is-in-list(['My ''list'''.$B$1:.$B$3])"),
            Some(ListSource::Range {
                sheet: Some("My 'list'".into()),
                rect: Rect::new(0, 1, 2, 1)
            })
        );
        assert_eq!(
            parse_condition("oooc:cell-content-is-in-list($Dict.$A$1:$A$9)"),
            Some(ListSource::Range {
                sheet: Some("Dict".into()),
                rect: Rect::new(0, 0, 8, 0)
            })
        );
        assert_eq!(
            parse_condition("of:cell-content-is-in-list(Names)"),
            Some(ListSource::Formula("Names".into()))
        );
        assert_eq!(
            parse_condition("of:cell-content-is-in-list([$A.A1:$B.B2])"),
            Some(ListSource::Formula("[$A.A1:$B.B2]".into()))
        );
        assert_eq!(parse_condition("of:cell-content-is-whole-number()"), None);
    }

    #[test]
    fn red_font_cells() {
        let styles = r##"<style:style style:name="ce1" style:family="table-cell"><style:text-properties fo:color="#ff0000"/></style:style>
<style:style style:name="ce2" style:family="table-cell"><style:text-properties fo:color="#000000"/></style:style>
<style:style style:name="ce3" style:family="table-cell" style:parent-style-name="Required"/>
<style:style style:name="ce4" style:family="table-cell"><style:text-properties fo:color="#C00000"/></style:style>
<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>"##;
        let named = format!(
            r##"<?xml version="1.0" encoding="UTF-8"?><office:document-styles {NS}><office:styles><style:style style:name="Default" style:family="table-cell"/><style:style style:name="Required" style:family="table-cell" style:parent-style-name="Default"><style:text-properties fo:color="#e01010"/></style:style></office:styles></office:document-styles>"##
        );
        let body = r#"<table:table table:name="S">
<table:table-column table:default-cell-style-name="ce2"/><table:table-column table:number-columns-repeated="2" table:default-cell-style-name="ce1"/><table:table-column table:default-cell-style-name="ce2"/>
<table:table-row>
<table:table-cell table:style-name="ce1" office:value-type="string"><text:p>a</text:p></table:table-cell>
<table:table-cell table:style-name="ce2" office:value-type="string"><text:p>b</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p>c</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p>d</text:p></table:table-cell>
<table:table-cell table:style-name="ce3" office:value-type="string"><text:p>e</text:p></table:table-cell>
<table:table-cell table:style-name="ce4" office:value-type="string"><text:p>f</text:p></table:table-cell>
<table:table-cell table:style-name="ce1" table:number-columns-repeated="100"/>
</table:table-row></table:table>
<table:table table:name="Hidden" table:style-name="ta2"/>"#;
        let bytes = zip_parts(&[
            ("META-INF/manifest.xml", MANIFEST),
            ("content.xml", &content(styles, body)),
            ("styles.xml", &named),
        ]);
        let wb = read_with(&bytes, &Limits::default()).unwrap();
        assert_eq!(wb.sheets[0].red_cells, vec![(0, 0), (0, 2), (0, 4), (0, 5)]);
        assert!(!wb.sheets[0].hidden);
        assert_eq!(wb.sheets[1].name, "Hidden");
        assert!(wb.sheets[1].hidden);
        assert!(is_red_color("#f00") && is_red_color("red") && !is_red_color("#ff8080"));
    }

    #[test]
    fn encrypted_and_missing_content() {
        let manifest = MANIFEST.replace(
            r#"manifest:media-type="text/xml"/>"#,
            r#"manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry>"#,
        );
        let bytes = zip_parts(&[
            ("META-INF/manifest.xml", &manifest),
            ("content.xml", "garbage"),
        ]);
        assert_eq!(
            read_with(&bytes, &Limits::default()).unwrap_err(),
            ReadError::Encrypted
        );

        let bytes = zip_parts(&[("META-INF/manifest.xml", MANIFEST)]);
        assert!(matches!(
            read_with(&bytes, &Limits::default()),
            Err(ReadError::Damaged { .. })
        ));
    }

    #[test]
    fn broken_xml_keeps_earlier_tables() {
        let good = r#"<table:table table:name="One"><table:table-row><table:table-cell office:value-type="string"><text:p>1</text:p></table:table-cell></table:table-row></table:table>"#;
        let bad = r#"<table:table table:name="Two"><table:table-row><table:table-cell><text:p>x</text:span></table:table-cell></table:table-row></table:table>"#;
        let wb = read("", &format!("{good}{bad}{good}"));
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(wb.sheets[0].name, "One");
        assert_eq!(wb.sheet_errors.len(), 1);
        assert_eq!(wb.sheet_errors[0].sheet, "Two");
        assert!(matches!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::Damaged { .. }
        ));

        // Broken in the only table: nothing to show.
        let err = read_with(&ods(&content("", bad)), &Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::Damaged { .. }));

        // Cut short inside a table.
        let cut = &content("", good)[..300];
        let err = read_with(&ods(cut), &Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::Damaged { .. }));

        // Cut short after a table: the table is kept, the loss is reported.
        let whole = content("", &format!("{good}{good}"));
        let cut = &whole[..whole.rfind("<table:table ").unwrap()];
        let wb = read_with(&ods(cut), &Limits::default()).unwrap();
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(wb.sheet_errors.len(), 1);
        assert_eq!(wb.sheet_errors[0].sheet, "#2");

        // Well-formed, but no spreadsheet in it.
        let err = read_with(&ods("<a>text</a>"), &Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::Damaged { .. }));
    }

    #[test]
    fn unknown_entities_are_errors() {
        let doc = format!(
            r#"<?xml version="1.0"?><!DOCTYPE office:document-content [<!ENTITY boom "BOOM">]><office:document-content {NS}><office:body><office:spreadsheet><table:table table:name="S"><table:table-row><table:table-cell><text:p>&boom;</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        let err = read_with(&ods(&doc), &Limits::default()).unwrap_err();
        match err {
            ReadError::Damaged { detail } => assert!(detail.contains("boom"), "{detail}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrappers_and_shapes() {
        let body = r#"<table:table table:name="S">
<table:shapes><draw:frame xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"><draw:text-box><text:p>shape text</text:p></draw:text-box></draw:frame></table:shapes>
<table:table-column-group><table:table-header-columns><table:table-column/></table:table-header-columns><table:table-column table:number-columns-repeated="5"/></table:table-column-group>
<table:table-header-rows><table:table-row><table:table-cell office:value-type="string"><text:p>h</text:p></table:table-cell></table:table-row></table:table-header-rows>
<table:table-row-group><table:table-rows><text:soft-page-break/><table:table-row><table:table-cell office:value-type="string"><text:p>r2</text:p></table:table-cell></table:table-row></table:table-rows></table:table-row-group>
<table:table-row><table:table-cell office:value-type="string"><text:p>r3</text:p></table:table-cell></table:table-row>
<table:named-expressions/>
</table:table>"#;
        let s = &read("", body).sheets[0];
        assert_eq!(
            s.grid,
            crate::read::Grid::from_text(&[&["h"], &["r2"], &["r3"]])
        );
    }
}
