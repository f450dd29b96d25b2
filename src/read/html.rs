//! HTML tables → a [`Workbook`]: the "export to Excel" of most Chinese government web systems
//! (an HTML table saved with an .xls name) and forms laid out in `<table>`s.
//!
//! Every `<tr>` of every `<table>` becomes one grid row, in document order, each table's columns
//! starting at column A: a page of several tables (a form split into sections, two reports one
//! under the other) reads as one sheet, the way Excel and WPS open it, and layout detection
//! finds the forms in it. `rowspan`/`colspan` are merges (the HTML table algorithm: a cell
//! skips the columns a cell above still covers); a cell's text is its visible text, entities
//! decoded, `<br>` and paragraph breaks as line breaks, other white space folded as Excel does.
//! Red text (`<font color>`, an inline `color:` style, or a class that a `<style>` rule makes
//! red) marks a red cell, as a red font does in a workbook; a `<select>`'s options become the
//! cell's list validation.
//!
//! Nothing of the page is run, fetched or kept beyond the cells: scripts, styles (read only for
//! red classes), comments, images and links are skipped, and there is no DOM. Only the five
//! XML entities, a few common HTML ones and numeric references are decoded; anything else stays
//! as written, so no entity can expand. The tokenizer is our own (see ARCHITECTURE.md, "Why
//! our own readers"): it reads the table subset of HTML tolerantly — unclosed cells and rows,
//! unquoted attributes, stray `<` — in one pass over the decoded text, without recursion.
//!
//! Sizes are claims, never allocations: `colspan` is clamped to 1,000 and `rowspan` to 65,534
//! (as browsers do), a span is one merge rectangle, cells go through [`GridBuilder`] (the cell
//! budget), and a table that breaks a limit stops there while the tables after it are still read.

use std::collections::HashSet;

use crate::error::{Limit, ReadError, SheetError, SheetErrorKind};
use crate::read::grid::{GridBuilder, MAX_COLS, MAX_ROWS};
use crate::read::{
    Format, Limits, ListSource, ListValidation, Rect, Sheet, SheetNote, Value, Workbook,
};

/// Largest `colspan` honoured, as in browsers.
const MAX_COLSPAN: u32 = 1000;
/// Largest `rowspan` honoured, as in browsers.
const MAX_ROWSPAN: u32 = 65_534;
/// Tables nested deeper than this are read as text of the cell they sit in.
const MAX_TABLE_DEPTH: usize = 32;
/// Elements inside one cell whose colour is followed; deeper ones inherit.
const MAX_STYLE_DEPTH: usize = 64;
/// Most merged regions kept.
const MAX_MERGES: usize = 100_000;
/// Most notes kept: a person reads them.
const MAX_NOTES: usize = 1000;
/// Most options kept for one `<select>`.
const MAX_OPTIONS: usize = 1000;
/// Most list validations kept.
const MAX_VALIDATIONS: usize = 10_000;
/// Longest sheet name taken from the page (Excel allows 31 characters).
const MAX_SHEET_NAME: usize = 31;

/// True when the bytes look like an HTML page or fragment with a table (after a BOM and white
/// space): the sniffer's test, kept here with the reader.
pub(crate) fn looks_like_html(head_lower: &str) -> bool {
    head_lower.contains("<html")
        || head_lower.contains("<!doctype html")
        || head_lower.contains("<table")
        || head_lower.contains("<head")
        || head_lower.contains("<body")
        || head_lower.contains("<meta")
}

/// Reads an HTML page: all its tables as one sheet.
///
/// `name` is the file name; the sheet is named after the page's `<title>`, else the first line
/// of text above the first table, else the file name.
///
/// # Errors
/// [`ReadError::NotSpreadsheet`] when the page holds no `<table>` at all (a web page, not an
/// exported table). Limits broken by one table are listed in [`Workbook::sheet_errors`] and the
/// other tables kept.
pub fn read_html(name: &str, bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let decoded = decode(bytes);
    let mut b = Builder::new(limits);
    tokenize(&decoded.text, &mut b);
    b.finish_all();
    if b.tables_seen == 0 {
        return Err(ReadError::NotSpreadsheet {
            looks_like: "不含表格的网页",
        });
    }
    let sheet_name = b.sheet_name(name);
    let mut notes = std::mem::take(&mut b.notes);
    if decoded.replaced {
        notes.insert(0, SheetNote::DecodeErrors { first_row: 0 });
    }
    let mut red_cells = std::mem::take(&mut b.red_cells);
    red_cells.sort_unstable();
    red_cells.dedup();
    let sheet_errors = b
        .limits_broken
        .iter()
        .map(|limit| SheetError {
            sheet: sheet_name.clone(),
            kind: SheetErrorKind::TooLarge { limit: *limit },
        })
        .collect();
    let sheet = Sheet {
        name: sheet_name,
        hidden: false,
        grid: b.grid.finish(),
        merges: b.merges,
        validations: b.validations,
        red_cells,
        col_widths: Vec::new(),
        notes,
    };
    Ok(Workbook {
        format: Format::Html,
        encoding: Some(decoded.encoding),
        sheets: vec![sheet],
        sheet_errors,
    })
}

// ---------------------------------------------------------------------------------------------
// Decoding

struct Decoded {
    text: String,
    encoding: &'static str,
    replaced: bool,
}

/// The page's text: a BOM decides, then the charset the page declares (`<meta charset>` or
/// `http-equiv`), then the CSV decoder's detection (UTF-8, else GB18030 line by line).
fn decode(bytes: &[u8]) -> Decoded {
    let has_bom = bytes.starts_with(b"\xEF\xBB\xBF")
        || bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF");
    if !has_bom {
        match declared_charset(bytes) {
            Some(Charset::Gb) => {
                let (text, replaced) = crate::read::gb18030::decode(bytes);
                return Decoded {
                    text,
                    encoding: "GB18030",
                    replaced,
                };
            }
            Some(Charset::Utf8) => {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    return Decoded {
                        text: text.to_owned(),
                        encoding: "UTF-8",
                        replaced: false,
                    };
                }
            }
            None => {}
        }
    }
    // UTF-8 cut short inside its last character (a download broken off) is still UTF-8.
    if let Err(e) = std::str::from_utf8(bytes) {
        if e.error_len().is_none() && e.valid_up_to() + 4 > bytes.len() {
            let head = bytes.get(..e.valid_up_to()).unwrap_or_default();
            if let Ok(text) = std::str::from_utf8(head) {
                return Decoded {
                    text: text.to_owned(),
                    encoding: "UTF-8",
                    replaced: true,
                };
            }
        }
    }
    let d = crate::read::csv::decode_text(bytes);
    Decoded {
        text: d.0,
        encoding: d.1,
        replaced: d.2,
    }
}

enum Charset {
    Utf8,
    Gb,
}

/// The charset a page declares in its first 4 KB, when it is one we decode.
fn declared_charset(bytes: &[u8]) -> Option<Charset> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let at = memchr::memmem::find(&lower, b"charset")?;
    let rest = &lower[at + 7..];
    let rest = rest
        .iter()
        .position(|&c| !matches!(c, b' ' | b'=' | b'"' | b'\''))
        .map_or(&[][..], |i| &rest[i..]);
    let end = rest
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_'))
        .unwrap_or(rest.len());
    match &rest[..end] {
        b"utf-8" | b"utf8" => Some(Charset::Utf8),
        b"gbk" | b"gb2312" | b"gb18030" | b"x-gbk" | b"cp936" | b"euc-cn" | b"hz-gb-2312" => {
            Some(Charset::Gb)
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

/// Where the tokenizer sends what it finds.
trait Sink {
    fn start(&mut self, name: &str, attrs: &str, self_closing: bool);
    fn end(&mut self, name: &str);
    fn text(&mut self, raw: &str);
    /// The content of `<style>`, `<title>` or `<textarea>` (raw, entities not decoded).
    fn raw_text(&mut self, element: &str, raw: &str);
}

/// One pass over the page. Tag and attribute syntax is ASCII, so byte positions found by ASCII
/// search always fall on character boundaries.
fn tokenize(s: &str, sink: &mut impl Sink) {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        let lt = i + off;
        let next = bytes.get(lt + 1).copied().unwrap_or(0);
        if next == b'!' || next == b'?' {
            if lt > text_start {
                sink.text(&s[text_start..lt]);
            }
            i = if bytes[lt..].starts_with(b"<!--") {
                find(bytes, lt + 4, b"-->").map_or(bytes.len(), |e| e + 3)
            } else {
                memchr::memchr(b'>', &bytes[lt..]).map_or(bytes.len(), |e| lt + e + 1)
            };
            text_start = i;
            continue;
        }
        let closing = next == b'/';
        let name_start = lt + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b':' | b'-' | b'_')))
            .unwrap_or(bytes.len() - name_start);
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            // A `<` that starts no tag is text.
            i = lt + 1;
            continue;
        }
        if lt > text_start {
            sink.text(&s[text_start..lt]);
        }
        let name = s[name_start..name_start + name_len].to_ascii_lowercase();
        let attrs_start = name_start + name_len;
        let gt = tag_end(bytes, attrs_start);
        let inner_end = gt.min(bytes.len());
        let self_closing = inner_end > attrs_start && bytes[inner_end - 1] == b'/';
        let attrs = &s[attrs_start..inner_end - usize::from(self_closing)];
        i = (gt + 1).min(bytes.len());
        text_start = i;
        if closing {
            sink.end(&name);
            continue;
        }
        sink.start(&name, attrs, self_closing);
        if matches!(
            name.as_str(),
            "script" | "style" | "title" | "textarea" | "xmp"
        ) {
            // Raw text up to the matching end tag, whatever it holds.
            let close = format!("</{name}");
            let end = find_ascii_ci(bytes, i, close.as_bytes()).unwrap_or(bytes.len());
            if name != "script" {
                sink.raw_text(&name, &s[i..end]);
            }
            sink.end(&name);
            i = memchr::memchr(b'>', &bytes[end..]).map_or(bytes.len(), |e| end + e + 1);
            text_start = i;
        }
    }
    if text_start < bytes.len() {
        sink.text(&s[text_start..]);
    }
}

/// The `>` that ends a tag whose attributes start at `from`, skipping quoted values.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote = 0u8;
    for (k, &c) in bytes[from..].iter().enumerate() {
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'"' || c == b'\'' {
            // A quote only opens a value right after `=` (with optional spaces).
            let before = bytes[from..from + k]
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace());
            if before == Some(&b'=') {
                quote = c;
            }
        } else if c == b'>' {
            return from + k;
        }
    }
    bytes.len()
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(&bytes[from.min(bytes.len())..], needle).map(|p| from + p)
}

/// Case-insensitive search for an ASCII needle.
fn find_ascii_ci(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(off) = memchr::memchr(b'<', &bytes[at.min(bytes.len())..]) {
        let p = at + off;
        if bytes.len() - p >= needle.len()
            && bytes[p..p + needle.len()].eq_ignore_ascii_case(needle)
        {
            return Some(p);
        }
        at = p + 1;
    }
    None
}

/// The value of attribute `key` in a tag's attribute text, entities decoded.
fn attr(attrs: &str, key: &str) -> Option<String> {
    let b = attrs.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'/') {
            i += 1;
        }
        let name = &attrs[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = None;
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = memchr::memchr(q, &b[vs..]).map_or(b.len(), |e| vs + e);
                value = Some(&attrs[vs..ve]);
                i = (ve + 1).min(b.len());
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = Some(&attrs[vs..i]);
            }
        }
        if name.eq_ignore_ascii_case(key) {
            return Some(decode_entities(value.unwrap_or("")));
        }
        if start == i {
            i += 1;
        }
    }
    None
}

/// Decodes character references: numeric ones, XML's five and a few HTML names forms use.
/// Anything else is kept as written; nothing expands into more than one character. Pages made
/// from templates often escape twice (`&amp;mdash;`): a reference left after one pass is
/// decoded once more, as no one means the text `&mdash;`.
pub(crate) fn decode_entities(s: &str) -> String {
    let once = decode_once(s);
    if once.len() < s.len() && once.contains('&') {
        let twice = decode_once(&once);
        if twice.len() < once.len() {
            return twice;
        }
    }
    once
}

fn decode_once(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after
            .bytes()
            .take(12)
            .position(|c| c == b';')
            .filter(|&e| e > 0);
        let decoded = end.and_then(|e| entity(&after[..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                // `&nbsp` without its `;` is common in hand-written pages.
                if let Some(tail) = after.strip_prefix("nbsp") {
                    out.push('\u{A0}');
                    rest = tail;
                } else {
                    out.push('&');
                    rest = after;
                }
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return Some(match n {
            0 => '\u{FFFD}',
            _ => char::from_u32(n).unwrap_or('\u{FFFD}'),
        });
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "middot" => '·',
        "times" => '×',
        "divide" => '÷',
        "yen" => '¥',
        "copy" => '©',
        "reg" => '®',
        "deg" => '°',
        "plusmn" => '±',
        "sup2" => '²',
        "sup3" => '³',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "bull" => '•',
        "radic" => '√',
        "le" => '≤',
        "ge" => '≥',
        "permil" => '‰',
        "square" | "squ" => '□',
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Colours

/// The colour an element's attributes declare: `Some(true)` red, `Some(false)` another colour,
/// `None` when it declares none (and inherits).
fn declared_red(attrs: &str, red_classes: &HashSet<String>) -> Option<bool> {
    if let Some(style) = attr(attrs, "style") {
        if let Some(color) = css_color(&style) {
            return Some(is_red_css(&color));
        }
    }
    if let Some(color) = attr(attrs, "color") {
        return Some(is_red_css(&color));
    }
    if !red_classes.is_empty() {
        if let Some(classes) = attr(attrs, "class") {
            if classes
                .split_ascii_whitespace()
                .any(|c| red_classes.contains(&c.to_ascii_lowercase()))
            {
                return Some(true);
            }
        }
    }
    None
}

/// The value of the `color` property in a declaration list (not `background-color` or
/// `border-color`).
fn css_color(decls: &str) -> Option<String> {
    let mut found = None;
    for decl in decls.split(';') {
        let Some((prop, value)) = decl.split_once(':') else {
            continue;
        };
        if prop.trim().eq_ignore_ascii_case("color") {
            let value = value.trim().trim_end_matches("!important").trim();
            found = Some(value.to_owned());
        }
    }
    found
}

fn is_red_css(color: &str) -> bool {
    let c = color.trim().trim_matches(['"', '\'']);
    if let Some(args) = c
        .strip_prefix("rgb(")
        .or_else(|| c.strip_prefix("RGB("))
        .and_then(|r| r.strip_suffix(')'))
    {
        let v: Vec<u8> = args
            .split(',')
            .filter_map(|p| p.trim().parse::<u8>().ok())
            .collect();
        return v.len() == 3 && crate::read::xlsx::is_red(v[0], v[1], v[2]);
    }
    // `<font color=FF0000>` without the `#` is common in generated pages.
    if c.len() == 6 && c.bytes().all(|b| b.is_ascii_hexdigit()) {
        return crate::read::ods::is_red_color(&format!("#{c}"));
    }
    crate::read::ods::is_red_color(c)
}

/// Class names that the page's `<style>` rules colour red (`.xl65 {color:red}`,
/// `td.req{color:#FF0000}`). Only simple class selectors count.
fn red_classes_of(css: &str, out: &mut HashSet<String>) {
    let mut css = css.replace("<!--", " ").replace("-->", " ");
    while let Some(a) = css.find("/*") {
        let end = css[a + 2..].find("*/").map_or(css.len(), |e| a + 2 + e + 2);
        css.replace_range(a..end, " ");
    }
    for rule in css.split('}') {
        let Some((selectors, decls)) = rule.split_once('{') else {
            continue;
        };
        let Some(color) = css_color(decls) else {
            continue;
        };
        if !is_red_css(&color) {
            continue;
        }
        for selector in selectors.split(',') {
            let selector = selector.trim();
            let Some(dot) = selector.rfind('.') else {
                continue;
            };
            let class = &selector[dot + 1..];
            let simple = !class.is_empty()
                && class
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !selector[..dot].contains(char::is_whitespace);
            if simple && out.len() < 10_000 {
                out.insert(class.to_ascii_lowercase());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tables → grid

struct Table {
    /// The row being filled, once a `<tr>` (or a cell without one) opened it.
    row: Option<u32>,
    /// First and last grid row of this table.
    first_row: Option<u32>,
    last_row: u32,
    /// Next column to try in the current row.
    col: u32,
    /// Rows each column is still covered for by a `rowspan` above, after the current row.
    covered: Vec<u32>,
    /// Columns taken in the current row.
    taken: Vec<bool>,
    cell: Option<Cell>,
    /// Index of this table's first merge, to clip spans at the table's end.
    first_merge: usize,
    /// The colour `<table>`/`<tr>` declare.
    table_red: Option<bool>,
    row_red: Option<bool>,
    /// A limit this table broke: its remaining cells are skipped.
    broken: bool,
}

struct Cell {
    row: u32,
    col: u32,
    rect: Rect,
    text: String,
    pending_space: bool,
    truncated: bool,
    /// Colours declared by the elements open inside the cell (name, declared colour).
    styles: Vec<(String, Option<bool>)>,
    base_red: Option<bool>,
    red_text: bool,
    /// Characters in `text`, against the limit.
    chars: usize,
    /// The `<select>` open in the cell, and the options of the one closed.
    select: Option<Select>,
    options: Option<Vec<String>>,
}

#[derive(Default)]
struct Select {
    options: Vec<String>,
    option: Option<(String, bool, bool)>, // (text, placeholder, selected)
    selected: Option<String>,
}

struct Builder<'l> {
    limits: &'l Limits,
    grid: GridBuilder,
    merges: Vec<Rect>,
    validations: Vec<ListValidation>,
    red_cells: Vec<(u32, u32)>,
    notes: Vec<SheetNote>,
    limits_broken: Vec<Limit>,
    tables: Vec<Table>,
    tables_seen: usize,
    /// Tables opened beyond the depth limit, read as text.
    ignored_depth: usize,
    next_row: u32,
    red_classes: HashSet<String>,
    title: String,
    /// Text outside any table, before the first one (title candidates).
    before_first: String,
}

impl<'l> Builder<'l> {
    fn new(limits: &'l Limits) -> Self {
        Builder {
            limits,
            grid: GridBuilder::new(limits.max_cells, limits.max_columns),
            merges: Vec::new(),
            validations: Vec::new(),
            red_cells: Vec::new(),
            notes: Vec::new(),
            limits_broken: Vec::new(),
            tables: Vec::new(),
            tables_seen: 0,
            ignored_depth: 0,
            next_row: 0,
            red_classes: HashSet::new(),
            title: String::new(),
            before_first: String::new(),
        }
    }

    fn sheet_name(&self, file_name: &str) -> String {
        let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let title = fold(&decode_entities(&self.title).replace('\u{A0}', " "));
        let above = self
            .before_first
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(fold)
            .unwrap_or_default();
        let pick = if !title.is_empty() {
            title
        } else if !above.is_empty() && above.chars().count() <= 60 {
            above
        } else {
            crate::read::file_stem(file_name)
        };
        // Characters a sheet tab cannot show, and the length it allows.
        let clean: String = pick
            .chars()
            .map(|c| match c {
                '[' | ']' | ':' | '*' | '?' | '/' | '\\' => ' ',
                c => c,
            })
            .take(MAX_SHEET_NAME)
            .collect();
        let clean = clean.trim().to_owned();
        if clean.is_empty() {
            "Sheet1".into()
        } else {
            clean
        }
    }

    fn note(&mut self, note: SheetNote) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(note);
        }
    }

    fn broke(&mut self, limit: Limit) {
        if let Some(t) = self.tables.last_mut() {
            t.broken = true;
        }
        if !self.limits_broken.contains(&limit) {
            self.limits_broken.push(limit);
        }
    }

    fn open_table(&mut self, attrs: &str) {
        if self.tables.len() >= MAX_TABLE_DEPTH {
            self.ignored_depth += 1;
            return;
        }
        self.tables_seen += 1;
        let table_red = declared_red(attrs, &self.red_classes);
        self.tables.push(Table {
            row: None,
            first_row: None,
            last_row: 0,
            col: 0,
            covered: Vec::new(),
            taken: Vec::new(),
            cell: None,
            first_merge: self.merges.len(),
            table_red,
            row_red: None,
            broken: false,
        });
    }

    fn close_table(&mut self) {
        if self.ignored_depth > 0 {
            self.ignored_depth -= 1;
            return;
        }
        self.close_row();
        let Some(t) = self.tables.pop() else {
            return;
        };
        // A rowspan reaching past the table's last row ends there, as in a browser.
        if t.first_row.is_some() {
            for m in &mut self.merges[t.first_merge..] {
                m.bottom = m.bottom.min(t.last_row.max(m.top));
            }
        }
        self.merges.retain(|m| m.height() > 1 || m.width() > 1);
    }

    fn open_row(&mut self, attrs: &str) {
        self.close_row();
        if self.tables.is_empty() {
            return;
        }
        let row = self.next_row;
        if row >= MAX_ROWS {
            self.broke(Limit::OutsideGrid);
            return;
        }
        self.next_row += 1;
        let row_red = declared_red(attrs, &self.red_classes);
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        t.row = Some(row);
        t.first_row.get_or_insert(row);
        t.last_row = row;
        t.col = 0;
        t.row_red = row_red;
        t.taken.clear();
        t.taken.resize(t.covered.len(), false);
        for (taken, covered) in t.taken.iter_mut().zip(t.covered.iter_mut()) {
            if *covered > 0 {
                *taken = true;
                *covered -= 1;
            }
        }
    }

    fn close_row(&mut self) {
        self.close_cell();
        if let Some(t) = self.tables.last_mut() {
            t.row = None;
        }
    }

    fn open_cell(&mut self, attrs: &str) {
        if self.tables.is_empty() {
            return;
        }
        self.close_cell();
        if self.tables.last().is_some_and(|t| t.row.is_none()) {
            self.open_row("");
        }
        let red = declared_red(attrs, &self.red_classes);
        let span = |key: &str, max: u32| {
            attr(attrs, key)
                .and_then(|v| {
                    let digits: String =
                        v.trim().chars().take_while(char::is_ascii_digit).collect();
                    digits.parse::<u64>().ok()
                })
                .map_or(1, |n| n.clamp(1, u64::from(max)) as u32)
        };
        let colspan = span("colspan", MAX_COLSPAN);
        let rowspan = span("rowspan", MAX_ROWSPAN);
        let max_cols = (self.limits.max_columns.min(u64::from(MAX_COLS))) as u32;
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        let Some(row) = t.row else {
            return;
        };
        let mut col = t.col;
        while (col as usize) < t.taken.len() && t.taken[col as usize] {
            col += 1;
        }
        if col >= max_cols {
            self.broke(Limit::Columns {
                max: u64::from(max_cols),
            });
            return;
        }
        let colspan = colspan.min(max_cols - col);
        let end = (col + colspan) as usize;
        if t.taken.len() < end {
            t.taken.resize(end, false);
            t.covered.resize(end, 0);
        }
        for c in col as usize..end {
            t.taken[c] = true;
            t.covered[c] = t.covered[c].max(rowspan - 1);
        }
        t.col = col + colspan;
        let bottom = row.saturating_add(rowspan - 1).min(MAX_ROWS - 1);
        let rect = Rect::new(row, col, bottom, col + colspan - 1);
        let base_red = red.or(t.row_red).or(t.table_red);
        t.cell = Some(Cell {
            row,
            col,
            rect,
            text: String::new(),
            pending_space: false,
            truncated: false,
            styles: Vec::new(),
            base_red,
            red_text: false,
            chars: 0,
            select: None,
            options: None,
        });
        if (colspan > 1 || rowspan > 1) && self.merges.len() < MAX_MERGES {
            self.merges.push(rect);
        }
    }

    /// The open cell of the innermost table read (text of tables nested too deep goes there).
    fn cell_mut(&mut self) -> Option<&mut Cell> {
        self.tables.last_mut().and_then(|t| t.cell.as_mut())
    }

    fn close_cell(&mut self) {
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        let broken = t.broken;
        let Some(mut cell) = t.cell.take() else {
            return;
        };
        finish_select(&mut cell);
        let text = tidy(&cell.text);
        if cell.truncated {
            self.note(SheetNote::TextTruncated {
                row: cell.row,
                col: cell.col,
            });
        }
        if broken {
            return;
        }
        // A `<select>` never closed still gives its options.
        if let Some(select) = cell.select.take() {
            if !select.options.is_empty() && cell.options.is_none() {
                cell.options = Some(select.options);
            }
        }
        if let Some(options) = cell.options.take() {
            if self.validations.len() < MAX_VALIDATIONS {
                self.validations.push(ListValidation {
                    ranges: vec![cell.rect],
                    source: ListSource::Values(options),
                });
            }
        }
        if text.is_empty() {
            return;
        }
        if cell.red_text {
            self.red_cells.push((cell.row, cell.col));
        }
        if let Err(limit) = self.grid.set(cell.row, cell.col, Value::Text(text)) {
            self.broke(limit);
        }
    }

    fn finish_all(&mut self) {
        while !self.tables.is_empty() {
            self.close_table();
        }
    }
}

/// Closes an open `<option>` and, at `</select>`, sets the cell's value to the selected one.
fn finish_select(cell: &mut Cell) {
    let Some(select) = cell.select.as_mut() else {
        return;
    };
    if let Some((text, placeholder, selected)) = select.option.take() {
        let text = tidy(&text);
        if !text.is_empty() && !placeholder && select.options.len() < MAX_OPTIONS {
            if selected {
                select.selected = Some(text.clone());
            }
            if !select.options.contains(&text) {
                select.options.push(text);
            }
        }
    }
}

/// A cell's text as Excel shows it: each line trimmed, empty lines dropped, no-break spaces as
/// spaces.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let line = line.trim_matches(|c: char| c.is_whitespace());
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

impl Cell {
    fn red_now(&self) -> bool {
        self.styles
            .iter()
            .rev()
            .find_map(|(_, red)| *red)
            .or(self.base_red)
            .unwrap_or(false)
    }

    fn push_text(&mut self, decoded: &str, max_chars: usize) {
        let red = self.red_now();
        if let Some(select) = self.select.as_mut() {
            if let Some((text, _, _)) = select.option.as_mut() {
                if text.len() < 4096 {
                    text.push_str(decoded);
                }
            }
            return;
        }
        for c in decoded.chars() {
            if c.is_ascii_whitespace() {
                self.pending_space = true;
                continue;
            }
            if self.chars >= max_chars {
                self.truncated = true;
                return;
            }
            self.chars += 1;
            if self.pending_space && !self.text.is_empty() && !self.text.ends_with('\n') {
                self.text.push(' ');
            }
            self.pending_space = false;
            self.text.push(if c == '\u{A0}' { ' ' } else { c });
            if red && !c.is_whitespace() {
                self.red_text = true;
            }
        }
    }

    fn line_break(&mut self) {
        // Repeated breaks make one: tidy() drops empty lines anyway.
        if self.select.is_none() && !self.text.ends_with('\n') {
            self.chars += 1;
            self.text.push('\n');
            self.pending_space = false;
        }
    }
}

/// Elements that end a line inside a cell, as paragraphs do.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div" | "li" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "dd" | "dt"
    )
}

impl Sink for Builder<'_> {
    fn start(&mut self, name: &str, attrs: &str, self_closing: bool) {
        match name {
            "table" => {
                // A table inside a cell: the cell keeps its text; the inner table's rows follow.
                if self.tables.len() < MAX_TABLE_DEPTH {
                    if let Some(cell) = self.cell_mut() {
                        cell.line_break();
                    }
                }
                self.open_table(attrs);
            }
            "tr" if self.ignored_depth == 0 => self.open_row(attrs),
            "td" | "th" if self.ignored_depth == 0 => self.open_cell(attrs),
            "br" => {
                if let Some(cell) = self.cell_mut() {
                    cell.line_break();
                }
            }
            "select" => {
                if let Some(cell) = self.cell_mut() {
                    cell.select.get_or_insert_with(Select::default);
                }
            }
            "option" => {
                let placeholder = attr(attrs, "value").is_some_and(|v| v.trim().is_empty());
                let selected = attr(attrs, "selected").is_some();
                if let Some(cell) = self.cell_mut() {
                    finish_select(cell);
                    if let Some(select) = cell.select.as_mut() {
                        select.option = Some((String::new(), placeholder, selected));
                    }
                }
            }
            "input" => {
                let kind = attr(attrs, "type").unwrap_or_default().to_ascii_lowercase();
                if matches!(kind.as_str(), "" | "text" | "number" | "date" | "tel") {
                    if let Some(value) = attr(attrs, "value") {
                        let max = self.limits.max_text_chars;
                        if let Some(cell) = self.cell_mut() {
                            cell.push_text(&value, max);
                        }
                    }
                }
            }
            _ => {
                let red = declared_red(attrs, &self.red_classes);
                let block = is_block(name);
                let in_table = !self.tables.is_empty();
                if let Some(cell) = self.cell_mut() {
                    if block {
                        cell.line_break();
                    }
                    if !self_closing && !is_void(name) && cell.styles.len() < MAX_STYLE_DEPTH {
                        cell.styles.push((name.to_owned(), red));
                    }
                } else if block && !in_table && self.tables_seen == 0 {
                    self.before_first.push('\n');
                }
            }
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "table" => self.close_table(),
            "tr" if self.ignored_depth == 0 => self.close_row(),
            "td" | "th" if self.ignored_depth == 0 => self.close_cell(),
            "thead" | "tbody" | "tfoot" if self.ignored_depth == 0 => self.close_row(),
            "select" => {
                if let Some(cell) = self.cell_mut() {
                    finish_select(cell);
                    if let Some(select) = cell.select.take() {
                        if let Some(v) = select.selected {
                            cell.text.push_str(&v);
                        }
                        if !select.options.is_empty() && cell.options.is_none() {
                            cell.options = Some(select.options);
                        }
                    }
                }
            }
            "option" => {
                if let Some(cell) = self.cell_mut() {
                    finish_select(cell);
                }
            }
            _ => {
                let block = is_block(name);
                if let Some(cell) = self.cell_mut() {
                    if let Some(pos) = cell.styles.iter().rposition(|(n, _)| n == name) {
                        cell.styles.truncate(pos);
                    }
                    if block {
                        cell.line_break();
                    }
                } else if block && self.tables.is_empty() && self.tables_seen == 0 {
                    self.before_first.push('\n');
                }
            }
        }
    }

    fn text(&mut self, raw: &str) {
        let max = self.limits.max_text_chars;
        let in_cell = self.tables.last().is_some_and(|t| t.cell.is_some());
        if in_cell {
            let decoded = decode_entities(raw);
            if let Some(cell) = self.cell_mut() {
                cell.push_text(&decoded, max);
            }
        } else if self.tables.is_empty() && self.tables_seen == 0 && self.before_first.len() < 4096
        {
            let decoded = decode_entities(raw).replace('\u{A0}', " ");
            let folded = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
            if !folded.is_empty() {
                if !self.before_first.is_empty() && !self.before_first.ends_with('\n') {
                    self.before_first.push(' ');
                }
                self.before_first.push_str(&folded);
            }
        }
    }

    fn raw_text(&mut self, element: &str, raw: &str) {
        match element {
            "style" => red_classes_of(raw, &mut self.red_classes),
            "title" if self.title.is_empty() => {
                self.title = raw.chars().take(200).collect();
            }
            "textarea" => self.text(raw),
            _ => {}
        }
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "img" | "input" | "hr" | "meta" | "link" | "col" | "area" | "base" | "wbr"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(html: &str) -> Workbook {
        read_html("t.xls", html.as_bytes(), &Limits::default()).expect("reads")
    }

    /// The sheet's cells as rows of text, trailing blanks trimmed.
    fn cells(wb: &Workbook) -> Vec<Vec<String>> {
        let g = &wb.sheets[0].grid;
        (0..g.height())
            .map(|r| g.row(r).iter().map(Value::text).collect())
            .collect()
    }

    #[track_caller]
    fn check(html: &str, want: &[&[&str]]) {
        let wb = read(html);
        let want: Vec<Vec<String>> = want
            .iter()
            .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
            .collect();
        assert_eq!(cells(&wb), want, "{html}");
    }

    #[test]
    fn cells_rows_and_spans() {
        check(
            "<table><tr><td>序号<td>姓名</tr><tr><td>1<td>张三</table>",
            &[&["序号", "姓名"], &["1", "张三"]],
        );
        // rowspan: the next row's cells skip the covered column.
        check(
            "<table><tr><td rowspan=2>序号</td><td colspan=2>家庭成员</td></tr>\
             <tr><td>姓名</td><td>关系</td></tr></table>",
            &[&["序号", "家庭成员"], &["", "姓名", "关系"]],
        );
        // Quoted spans, spans with junk after the digits, and a span at the table's end.
        let wb = read(
            "<table><tr><td colspan=\"3\">标题</td></tr><tr><td rowspan='5x'>a</td><td>b</td></tr></table>",
        );
        assert_eq!(
            wb.sheets[0].merges,
            vec![Rect::new(0, 0, 0, 2), Rect::new(1, 0, 1, 0)]
                .into_iter()
                .filter(|m| m.width() > 1 || m.height() > 1)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn tables_stack_in_document_order_and_text_outside_is_not_a_cell() {
        let wb = read(
            "<html><head><title>失业人员登记表</title></head><body><p>说明文字</p>\
             <table><tr><td>一、基本情况</td></tr></table><p>中间</p>\
             <table><tr><th>姓名</th><th>性别</th></tr><tr><td></td></tr></table></body></html>",
        );
        assert_eq!(cells(&wb), vec![vec!["一、基本情况"], vec!["姓名", "性别"]]);
        assert_eq!(wb.sheets[0].name, "失业人员登记表");
        assert_eq!(wb.format, Format::Html);
        // No title: the first line above the first table names the sheet; else the file.
        let wb = read("<p>  表一：村级 统计 </p><table><tr><td>a</td></tr></table>");
        assert_eq!(wb.sheets[0].name, "表一：村级 统计");
        let wb = read("<table><tr><td>a</td></tr></table>");
        assert_eq!(wb.sheets[0].name, "t");
    }

    #[test]
    fn visible_text_entities_breaks_and_white_space() {
        check(
            "<table><tr><td> 身份证\n   号码 </td><td>a&nbsp;&amp;&lt;b&gt;&#20013;&#x6587;&bogus;</td>\
             <td>第一行<br>第二行<BR/>第三行</td><td><p>段一</p><p>&nbsp;</p><p>段二</p></td></tr></table>",
            &[&["身份证 号码", "a &<b>中文&bogus;", "第一行\n第二行\n第三行", "段一\n段二"]],
        );
        // Escaped twice by a template engine: decoded twice; a literal `&amp;` once.
        check(
            "<table><tr><td>汇总表&amp;mdash;&amp;mdash;工业</td><td>A&amp;B</td></tr></table>",
            &[&["汇总表——工业", "A&B"]],
        );
        // Scripts, styles and comments are never text; links keep their words, images nothing.
        check(
            "<table><tr><td><script>alert('<td>x</td>')</script>甲<!-- <td>注</td> -->乙\
             <img src=a.png><a href=http://x>链接</a></td></tr></table>",
            &[&["甲乙链接"]],
        );
    }

    #[test]
    fn red_text_by_font_style_and_class() {
        let wb = read(
            "<style><!-- .xl65 {color:red; font-weight:700} .ok{color:#000000} td.req , .x .y {color:#FF0000} --></style>\
             <table><tr><td class=xl65>姓名</td><td style='background-color:red'>性别</td>\
             <td><font color=\"#FF0000\">身份证号</font></td><td class=req>电话</td>\
             <td style=\"color: rgb(255, 0, 0)\">住址</td><td class='ok'>备注</td>\
             <td class=xl65><span style='color:black'>黑</span></td><td class=xl65></td></tr></table>",
        );
        assert_eq!(wb.sheets[0].red_cells, vec![(0, 0), (0, 2), (0, 3), (0, 4)]);
    }

    #[test]
    fn select_options_become_a_list_validation() {
        let wb = read(
            "<table><tr><td>性别</td><td><select><option value=''>请选择</option>\
             <option>男<option selected>女</select></td><td>文化程度<select name=x></select></td></tr></table>",
        );
        let s = &wb.sheets[0];
        assert_eq!(cells(&wb), vec![vec!["性别", "女", "文化程度"]]);
        assert_eq!(
            s.validations,
            vec![ListValidation {
                ranges: vec![Rect::new(0, 1, 0, 1)],
                source: ListSource::Values(vec!["男".into(), "女".into()]),
            }]
        );
    }

    #[test]
    fn encodings_from_bom_meta_or_detection() {
        let (gbk, _, _) =
            encoding_rs::GBK.encode("<meta charset=gb2312><table><tr><td>姓名</td></tr></table>");
        let wb = read_html("x.xls", &gbk, &Limits::default()).unwrap();
        assert_eq!(cells(&wb), vec![vec!["姓名"]]);
        assert_eq!(wb.encoding, Some("GB18030"));
        // No declaration: detected as the CSV decoder does.
        let (gbk, _, _) = encoding_rs::GBK.encode("<table><tr><td>户主姓名</td></tr></table>");
        let wb = read_html("x.xls", &gbk, &Limits::default()).unwrap();
        assert_eq!(cells(&wb), vec![vec!["户主姓名"]]);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("<table><tr><td>村</td></tr></table>".as_bytes());
        assert_eq!(
            cells(&read_html("x", &bom, &Limits::default()).unwrap()),
            vec![vec!["村"]]
        );
    }

    #[test]
    fn a_page_without_a_table_is_not_a_spreadsheet() {
        assert_eq!(
            read_html(
                "a.html",
                b"<html><body><p>hello</p></body></html>",
                &Limits::default()
            ),
            Err(ReadError::NotSpreadsheet {
                looks_like: "不含表格的网页"
            })
        );
    }

    #[test]
    fn sizes_are_claims_never_allocations() {
        // A colspan of a billion is clamped; a rowspan past the table ends with it.
        let wb = read(
            "<table><tr><td colspan=1000000000>a</td><td colspan=99999>b</td></tr>\
             <tr><td rowspan=4000000000>c</td></tr></table><table><tr><td>next</td></tr></table>",
        );
        let s = &wb.sheets[0];
        assert_eq!(s.merges[0], Rect::new(0, 0, 0, 999));
        assert_eq!(s.merges[1], Rect::new(0, 1000, 0, 1999));
        assert!(s.merges.iter().all(|m| m.bottom <= 1), "{:?}", s.merges);
        assert_eq!(s.grid.get(2, 0), &Value::Text("next".into()));
        // Columns beyond the limit break that table only.
        let limits = Limits {
            max_columns: 10,
            ..Limits::default()
        };
        let wb = read_html(
            "x",
            b"<table><tr><td colspan=8>a</td><td colspan=8>b</td><td>c</td></tr></table>\
              <table><tr><td>next</td></tr></table>",
            &limits,
        )
        .unwrap();
        assert_eq!(wb.sheets[0].grid.get(1, 0), &Value::Text("next".into()));
        assert_eq!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge {
                limit: Limit::Columns { max: 10 }
            }
        );
        // The cell budget stops a flood of cells; what was read stays.
        let many = "<tr><td>x</td><td>y</td></tr>".repeat(100);
        let limits = Limits {
            max_cells: 50,
            ..Limits::default()
        };
        let wb = read_html("x", format!("<table>{many}</table>").as_bytes(), &limits).unwrap();
        assert!(wb.sheets[0].grid.height() > 10);
        assert!(matches!(
            wb.sheet_errors[0].kind,
            SheetErrorKind::TooLarge {
                limit: Limit::Cells { .. }
            }
        ));
    }

    #[test]
    fn broken_markup_never_panics() {
        for html in [
            "<table",
            "<table><tr><td",
            "<table><tr><td>a<",
            "<table><tr><td>a</td",
            "<table><td>无行</td></table>",
            "<td>无表</td>",
            "<table><tr><td>&#xFFFFFFFF;&#0;&#;&",
            "<table><tr><td><select><option>a",
            "<table><tr><td title='a>b'>x</td></tr></table>",
            "<table><tr><td><script>never closed",
            "<!-- unclosed comment <table>",
            "<table><tr><td>\u{0}\u{FFFD}</td></tr></table>",
            "</td></tr></table><table></table></table>",
        ] {
            let _ = read_html("x", html.as_bytes(), &Limits::default());
        }
        // Deep nesting is bounded: past the limit tables read as text of their cell.
        let deep = "<table><tr><td>".repeat(10_000);
        let wb = read_html("x", deep.as_bytes(), &Limits::default()).unwrap();
        assert!(wb.sheets[0].grid.height() <= MAX_TABLE_DEPTH as u32);
        // A cell without a row opens one.
        check("<table><td>无行</td></table>", &[&["无行"]]);
        // An attribute value holding `>` does not end the tag.
        check("<table><tr><td title='a>b'>x</td></tr></table>", &[&["x"]]);
    }

    #[test]
    fn long_text_is_cut_with_a_note() {
        let limits = Limits {
            max_text_chars: 5,
            ..Limits::default()
        };
        let wb = read_html(
            "x",
            "<table><tr><td>一二三四五六七</td></tr></table>".as_bytes(),
            &limits,
        )
        .unwrap();
        assert_eq!(
            wb.sheets[0].grid.get(0, 0),
            &Value::Text("一二三四五".into())
        );
        assert_eq!(
            wb.sheets[0].notes,
            vec![SheetNote::TextTruncated { row: 0, col: 0 }]
        );
    }
}
