//! The consolidated form set as one .xlsx workbook, ready to send to villages.
//!
//! Sheets, in order:
//! 1. the catalog (目录): what each sheet of the set is, which original forms it replaces,
//!    where each original form went, and the burden figures before and after;
//! 2. the instructions (填表说明), in plain words for a village clerk;
//! 3. the sheets of the set themselves, with a title row, a one- or two-row header block,
//!    frozen panes, print setup, text/date formats and data validations (dropdowns,
//!    18-character ID numbers, codes of a fixed length, dates, non-negative numbers); every
//!    identifier column ([`crate::plan::identifier`]: ID and phone numbers, bank accounts,
//!    certificate numbers, codes) is text, and its values are written as text;
//! 4. the crosswalk (字段对照表): every column of every original form, and where it now lives;
//! 5. the department × department overlap matrix (重叠矩阵);
//! 6. a hidden sheet holding the dropdown lists too long to inline (only when one is needed).
//!
//! The sheets of the set carry the model's Chinese names and headers whatever the language,
//! because villages fill them and the set is later split back into each department's forms.
//! The fixed labels of the catalog, instructions, crosswalk and overlap sheets, their sheet
//! names and the validation prompts follow the chosen [`Lang`].
//!
//! Every text goes through [`Worksheet::write_string`] (or a merge or hyperlink, which store
//! strings too) after [`neutralise`]: nothing from a departmental spreadsheet becomes a formula.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::workbook::{
    column_number_to_name, ColNum, Color, DataValidation, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, FormatUnderline, Formula, RowNum, Url,
    Workbook, Worksheet,
};

use super::{WriteError, MAX_COLUMNS};
use crate::error::Lang;
use crate::plan::identifier;
use crate::plan::{CanonicalField, FormSet, SetColumn, SetSheet, SetSheetKind, SourceField};
use crate::read::Value;

/// Rows below each sheet's header block that carry the data validations. Validations are
/// stored as one range per column, so the count costs nothing in file size; 10,000 rows hold
/// the people of any village. (Text and date formats are set on whole columns, so rows below
/// this still keep ID numbers as text.)
pub const DATA_ROWS: u32 = 10_000;

/// Name of the hidden sheet holding dropdown lists too long to write inline. ASCII and
/// language-neutral on purpose: it is machinery, and the leading underscore says so to anyone
/// who unhides it.
const LIST_SHEET: &str = "_lists";

/// Excel's limit on an inline list validation: the values joined by commas, in UTF-16 units.
const MAX_INLINE_LIST: usize = 255;

/// Excel's limit on a sheet name, in UTF-16 units.
const MAX_SHEET_NAME: usize = 31;

/// Excel's limit on the text of one cell, in UTF-16 units.
const MAX_CELL_TEXT: usize = 32_767;

/// Column widths in Excel's character units: narrowest, widest, and ID number columns (18
/// digits plus room to read them).
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 40;
const ID_WIDTH: usize = 20;

/// Width of the instruction text column, wide enough for a line of plain Chinese.
const INSTRUCTION_WIDTH: usize = 100;

/// Height of one line of wrapped 11-point text, in points (CJK glyphs need a little more than
/// Latin ones).
const LINE_HEIGHT: f64 = 16.0;

/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;

/// Fills: required headers light orange, key headers light blue, other headers light grey.
const FILL_REQUIRED: u32 = 0xFCE4D6;
const FILL_KEY: u32 = 0xDDEBF7;
const FILL_HEADER: u32 = 0xF2F2F2;

/// Writes the form set as an .xlsx workbook and returns its bytes.
///
/// The same `set` always gives the same bytes (the document's creation date is fixed, not read
/// from the clock). Fails only when the set does not fit a workbook (a sheet wider than Excel
/// allows), when it contradicts itself (an index pointing past the end of a list), or when the
/// spreadsheet library refuses something.
pub fn to_xlsx(set: &FormSet, lang: Lang) -> Result<Vec<u8>, WriteError> {
    to_xlsx_filled(set, lang, &[])
}

/// The final sheet names of the set's sheets in a workbook written in `lang`, in
/// [`FormSet::sheets`] order (a filled copy is read back by these names).
pub fn set_sheet_names(set: &FormSet, lang: Lang) -> Vec<String> {
    Names::assign(set, lang).sheets
}

/// Like [`to_xlsx`], with rows already filled in: `rows[s]` holds the rows of set sheet `s`,
/// one value per column of [`SetSheet::columns`] (序号 is numbered by the writer). Sheets
/// past the end of `rows` stay empty. Used to hand villages a set pre-filled with data the
/// county already has, and by the round-trip tests.
pub fn to_xlsx_filled(
    set: &FormSet,
    lang: Lang,
    rows: &[Vec<Vec<Value>>],
) -> Result<Vec<u8>, WriteError> {
    let names = Names::assign(set, lang);
    check_references(set, &names)?;
    let ctx = Ctx {
        set,
        lang,
        places: placements(set),
        st: Styles::new(),
        names,
    };

    let mut lists = Lists::default();
    let mut sheets = vec![write_catalog(&ctx)?, write_instructions(&ctx)?];
    for (index, sheet) in set.sheets.iter().enumerate() {
        let filled = rows.get(index).map_or(&[][..], Vec::as_slice);
        sheets.push(write_set_sheet(&ctx, index, sheet, filled, &mut lists)?);
    }
    sheets.push(write_crosswalk(&ctx)?);
    sheets.push(write_overlap(&ctx)?);
    if let Some(list_sheet) = lists.into_sheet(&ctx.names.lists)? {
        sheets.push(list_sheet);
    }

    let mut workbook = Workbook::new();
    // A fixed creation date keeps the output a function of the set alone.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(set.title.as_str())
            .set_creation_datetime(&created),
    );
    for sheet in sheets {
        workbook.push_worksheet(sheet);
    }
    Ok(workbook.save_to_buffer()?)
}

/// Makes text that a spreadsheet would take for a formula safe to open anywhere.
///
/// [`Worksheet::write_string`] already stores text as text, so Excel never evaluates it. But a
/// cell starting with `=`, `+`, `-` or `@` (or tab or CR, or the full-width signs Chinese input
/// methods type in place of the ASCII ones) becomes a formula again as soon as someone saves the sheet as CSV and opens
/// that, or retypes it. Such text gets a leading `'`, which every spreadsheet shows as a
/// harmless apostrophe; anything else is returned untouched.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];
    match text.chars().next() {
        Some(first) if FORMULA_STARTS.contains(&first) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Writes one data value as what it is: text as text (never a formula, see [`neutralise`]),
/// numbers as numbers, dates as dates in `date` format, TRUE/FALSE as booleans.
pub(crate) fn write_value(
    ws: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    value: &Value,
    cell: Option<&Format>,
    date: &Format,
) -> Result<(), WriteError> {
    match (value, cell) {
        (Value::Empty, Some(f)) => {
            ws.write_blank(row, col, f)?;
        }
        (Value::Empty, None) => {}
        (Value::Text(t) | Value::Error(t), Some(f)) => {
            ws.write_string_with_format(row, col, cell_text(t).as_ref(), f)?;
        }
        (Value::Text(t) | Value::Error(t), None) => {
            ws.write_string(row, col, cell_text(t).as_ref())?;
        }
        (Value::Number(n), Some(f)) => {
            ws.write_number_with_format(row, col, *n, f)?;
        }
        (Value::Number(n), None) => {
            ws.write_number(row, col, *n)?;
        }
        (Value::Bool(b), Some(f)) => {
            ws.write_boolean_with_format(row, col, *b, f)?;
        }
        (Value::Bool(b), None) => {
            ws.write_boolean(row, col, *b)?;
        }
        (Value::Date(d), _) => match ExcelDateTime::parse_from_str(d) {
            Ok(dt) if d.contains('T') => {
                let with_time = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
                ws.write_datetime_with_format(row, col, &dt, &with_time)?;
            }
            Ok(dt) => {
                ws.write_datetime_with_format(row, col, &dt, date)?;
            }
            Err(_) => {
                ws.write_string(row, col, cell_text(d).as_ref())?;
            }
        },
    }
    Ok(())
}

/// Text as it goes into a cell: [`neutralise`]d, and cut to the 32,767 characters a cell can
/// hold (ending in `…`), since one overlong text must not stop the whole set from being written.
fn cell_text(text: &str) -> Cow<'_, str> {
    let text = neutralise(text);
    // A UTF-8 string is never shorter in bytes than in UTF-16 units, so most texts stop here.
    if text.len() <= MAX_CELL_TEXT || text.encode_utf16().count() <= MAX_CELL_TEXT {
        return text;
    }
    Cow::Owned(format!("{}…", truncate_utf16(&text, MAX_CELL_TEXT - 1)))
}

/// Turns `name` into a sheet name Excel accepts and that is not yet in `used`, and records it.
///
/// The plan already promises valid, unique names; this is the defence for when it does not.
/// `[]:*?/\` become their full-width forms (`低保/特困` → `低保／特困`, still readable), control
/// characters are dropped, apostrophes at either end are removed, an empty name becomes `表`
/// (`Sheet` would be no better), and the name is cut to 31 characters as Excel counts them
/// (UTF-16 units, never splitting a character). A name already taken gets `(2)`, `(3)` …,
/// cutting the name further to make room. `used` holds lower-cased names, because Excel
/// compares sheet names case-insensitively; `History` is reserved by Excel and never returned.
pub fn safe_sheet_name(name: &str, used: &mut HashSet<String>) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            ':' => '：',
            '*' => '＊',
            '?' => '？',
            '/' => '／',
            '\\' => '＼',
            other => other,
        })
        .collect();
    let mut base = truncate_utf16(cleaned.trim_matches('\''), MAX_SHEET_NAME)
        .trim_end_matches('\'')
        .to_string();
    if base.trim().is_empty() {
        base = "表".to_string();
    }
    let taken = |candidate: &str, used: &HashSet<String>| {
        let lower = candidate.to_lowercase();
        lower == "history" || used.contains(&lower)
    };
    let mut candidate = base.clone();
    let mut n = 2u32;
    while taken(&candidate, used) {
        let suffix = format!("({n})");
        let room = MAX_SHEET_NAME.saturating_sub(suffix.len());
        candidate = format!("{}{suffix}", truncate_utf16(&base, room));
        n = n.saturating_add(1);
    }
    used.insert(candidate.to_lowercase());
    candidate
}

/// The longest prefix of `text` that is at most `max` UTF-16 units long.
fn truncate_utf16(text: &str, max: usize) -> &str {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &text[..at];
        }
    }
    text
}

/// Whether a character takes two columns: CJK ideographs, kana, hangul, full-width forms and
/// CJK punctuation. Used only to size columns, so the ranges are the common ones, not all of
/// Unicode's East Asian Width table.
fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}')
}

/// Display width of each line of `text`, wide characters counting 2.
fn line_widths(text: &str) -> Vec<usize> {
    text.split('\n')
        .map(|line| line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum())
        .collect()
}

/// Display width of the widest line of `text`.
fn display_width(text: &str) -> usize {
    line_widths(text).into_iter().max().unwrap_or(0)
}

/// A column width that fits `content` display columns, with padding, within the usual bounds.
fn fit_width(content: usize) -> usize {
    (content + 2).clamp(MIN_WIDTH, MAX_WIDTH)
}

/// Lines a text with these line widths takes when wrapped in a column `width` wide.
fn wrapped_lines(widths: &[usize], width: usize) -> usize {
    let usable = width.saturating_sub(1).max(1);
    widths.iter().map(|w| w.div_ceil(usable).max(1)).sum()
}

/// A sheet name as used in a reference: always quoted, inner apostrophes doubled.
fn quoted(sheet: &str) -> String {
    format!("'{}'", sheet.replace('\'', "''"))
}

/// A 0-based column index as a column number, or [`WriteError::TooManyColumns`].
fn col_num(index: usize, sheet: &str) -> Result<ColNum, WriteError> {
    if index >= MAX_COLUMNS {
        return Err(WriteError::TooManyColumns {
            sheet: sheet.to_string(),
        });
    }
    ColNum::try_from(index).map_err(|_| WriteError::TooManyColumns {
        sheet: sheet.to_string(),
    })
}

/// A count as a row number; counts past Excel's rows are refused by the library later.
fn row_num(n: usize) -> RowNum {
    RowNum::try_from(n).unwrap_or(RowNum::MAX)
}

/// Picks the Chinese or the English text.
fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// "One row per …" for a grain. The sheets of the set are Chinese, but this text sits in the
/// catalog and instructions, which follow the language.
pub(crate) fn grain_rows(grain: &str, lang: Lang) -> Cow<'static, str> {
    Cow::Borrowed(match (grain, lang) {
        ("village", Lang::Zh) => "每村一行",
        ("household", Lang::Zh) => "每户一行",
        ("person", Lang::Zh) => "每人一行",
        ("plot", Lang::Zh) => "每地块一行",
        ("village", Lang::En) => "one row per village",
        ("household", Lang::En) => "one row per household",
        ("person", Lang::En) => "one row per person",
        ("plot", Lang::En) => "one row per plot",
        _ => return Cow::Owned(grain.to_string()),
    })
}

/// The name of a grain, for the burden lines (`by_grain` labels are grain codes).
fn grain_noun(grain: &str, lang: Lang) -> Cow<'static, str> {
    let grain = grain.strip_prefix("per_").unwrap_or(grain);
    Cow::Borrowed(match (grain, lang) {
        ("village", Lang::Zh) => "村",
        ("household", Lang::Zh) => "农户",
        ("person", Lang::Zh) => "人员",
        ("plot", Lang::Zh) => "地块",
        ("unknown", Lang::Zh) => "未识别",
        ("village", Lang::En) => "villages",
        ("household", Lang::En) => "households",
        ("person", Lang::En) => "people",
        ("plot", Lang::En) => "plots",
        ("unknown", Lang::En) => "not recognised",
        _ => return Cow::Owned(grain.to_string()),
    })
}

/// A value type in words; unknown types are shown as they are.
pub(crate) fn type_label(ty: &str, lang: Lang) -> Cow<'static, str> {
    Cow::Borrowed(match (ty, lang) {
        ("text", Lang::Zh) => "文本",
        ("integer", Lang::Zh) => "整数",
        ("decimal", Lang::Zh) => "小数",
        ("date", Lang::Zh) => "日期",
        ("id_number", Lang::Zh) => "身份证号",
        ("phone", Lang::Zh) => "电话",
        ("code", Lang::Zh) => "编号（文本）",
        ("enum", Lang::Zh) => "选项",
        ("yes_no", Lang::Zh) => "是/否",
        ("text", Lang::En) => "text",
        ("integer", Lang::En) => "whole number",
        ("decimal", Lang::En) => "number",
        ("date", Lang::En) => "date",
        ("id_number", Lang::En) => "ID number",
        ("phone", Lang::En) => "phone",
        ("code", Lang::En) => "identifier (text)",
        ("enum", Lang::En) => "choice",
        ("yes_no", Lang::En) => "yes/no",
        _ => return Cow::Owned(ty.to_string()),
    })
}

/// Final sheet names: the fixed sheets first, so a set sheet that happens to be called `目录`
/// gets `目录(2)` rather than the catalog losing its name.
struct Names {
    catalog: String,
    instructions: String,
    crosswalk: String,
    overlap: String,
    lists: String,
    /// One per [`FormSet::sheets`], same order.
    sheets: Vec<String>,
}

impl Names {
    fn assign(set: &FormSet, lang: Lang) -> Names {
        let mut used = HashSet::new();
        let mut name = |text: &str| safe_sheet_name(text, &mut used);
        let catalog = name(tr(lang, "目录", "Catalog"));
        let instructions = name(tr(lang, "填表说明", "How to fill"));
        let crosswalk = name(tr(lang, "字段对照表", "Crosswalk"));
        let overlap = name(tr(lang, "重叠矩阵", "Overlap"));
        let lists = name(LIST_SHEET);
        let sheets = set.sheets.iter().map(|s| name(&s.name)).collect();
        Names {
            catalog,
            instructions,
            crosswalk,
            overlap,
            lists,
            sheets,
        }
    }

    /// The final name of set sheet `index`.
    fn sheet(&self, index: usize) -> &str {
        self.sheets.get(index).map_or("", String::as_str)
    }
}

/// Refuses a set that points past the end of its own lists or is too wide for Excel, before
/// anything is written. After this, lookups that cannot fail are still done with `get`, so a
/// mistake here degrades the output instead of panicking.
fn check_references(set: &FormSet, names: &Names) -> Result<(), WriteError> {
    let inconsistent = |detail: String| Err(WriteError::Inconsistent { detail });
    for (s, sheet) in set.sheets.iter().enumerate() {
        col_num(sheet.columns.len(), names.sheet(s))?;
        for (c, column) in sheet.columns.iter().enumerate() {
            if column.canonical >= set.canonical.len() {
                return inconsistent(format!(
                    "sheet {s} column {c}: canonical field {} of {}",
                    column.canonical,
                    set.canonical.len()
                ));
            }
        }
        if let Some(form) = sheet.replaces.iter().find(|&&f| f >= set.sources.len()) {
            return inconsistent(format!(
                "sheet {s} replaces form {form} of {}",
                set.sources.len()
            ));
        }
    }
    for (c, canon) in set.canonical.iter().enumerate() {
        for &[form, field] in &canon.members {
            let found = set.sources.get(form).and_then(|f| f.fields.get(field));
            if found.is_none() {
                return inconsistent(format!("canonical field {c}: member [{form}, {field}]"));
            }
        }
    }
    let ids = canonical_ids(set);
    for (f, form) in set.sources.iter().enumerate() {
        for (i, field) in form.fields.iter().enumerate() {
            if let Some(id) = field
                .canonical
                .as_deref()
                .filter(|id| !ids.contains_key(id))
            {
                return inconsistent(format!("form {f} field {i}: no canonical field {id}"));
            }
        }
    }
    col_num(set.burden.overlap.departments.len(), &names.overlap)?;
    Ok(())
}

/// Canonical field id → index.
fn canonical_ids(set: &FormSet) -> HashMap<&str, usize> {
    set.canonical
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect()
}

/// The index of a source field's canonical field, if it has one.
fn canonical_of(ids: &HashMap<&str, usize>, field: &SourceField) -> Option<usize> {
    field
        .canonical
        .as_deref()
        .and_then(|id| ids.get(id).copied())
}

/// Where a canonical field sits in the set: a sheet (index) and a column (with 序号 as A).
#[derive(Clone, Copy)]
struct Place {
    sheet: usize,
    col: ColNum,
}

/// The places of each canonical field, indexed like [`FormSet::canonical`]. A field may sit in
/// more than one sheet (a base table of one grain and a topic sheet of another).
fn placements(set: &FormSet) -> Vec<Vec<Place>> {
    let mut places = vec![Vec::new(); set.canonical.len()];
    for (sheet, s) in set.sheets.iter().enumerate() {
        for (i, column) in s.columns.iter().enumerate() {
            // Widths were checked, so the +1 for 序号 fits.
            let Ok(col) = ColNum::try_from(i + 1) else {
                continue;
            };
            if let Some(list) = places.get_mut(column.canonical) {
                list.push(Place { sheet, col });
            }
        }
    }
    places
}

/// What every sheet writer needs.
struct Ctx<'a> {
    set: &'a FormSet,
    lang: Lang,
    names: Names,
    places: Vec<Vec<Place>>,
    st: Styles,
}

impl Ctx<'_> {
    fn tr(&self, zh: &'static str, en: &'static str) -> &'static str {
        tr(self.lang, zh, en)
    }
}

/// The cell formats, made once.
struct Styles {
    /// The set's title on the catalog.
    big_title: Format,
    /// A sheet's title row.
    title: Format,
    /// A section heading on the catalog.
    section: Format,
    /// Header cells: plain, required, key.
    head: Format,
    head_required: Format,
    head_key: Format,
    /// Bordered, wrapped body cells of the fixed sheets.
    cell: Format,
    /// The same, centred (numbers, 序号).
    cell_center: Format,
    /// A percentage.
    percent: Format,
    /// An internal hyperlink.
    link: Format,
    /// The overlap matrix's diagonal.
    diagonal: Format,
    /// A note under a table.
    note: Format,
    /// Whole-column formats of the set sheets: text (`@`) and dates.
    text_column: Format,
    date_column: Format,
    /// A date written into a cell.
    date_cell: Format,
}

/// A header cell: bold, centred, wrapped, thin border.
pub(crate) fn header_cell() -> Format {
    Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
}

/// A body cell: vertically centred, thin border.
pub(crate) fn body_cell() -> Format {
    Format::new()
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
}

impl Styles {
    fn new() -> Styles {
        let head = header_cell().set_background_color(Color::RGB(FILL_HEADER));
        let cell = body_cell().set_text_wrap();
        let cell_center = cell.clone().set_align(FormatAlign::Center);
        Styles {
            big_title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            section: Format::new().set_bold().set_font_size(12),
            head_required: head.clone().set_background_color(Color::RGB(FILL_REQUIRED)),
            head_key: head.clone().set_background_color(Color::RGB(FILL_KEY)),
            head,
            percent: cell_center.clone().set_num_format("0.0%"),
            diagonal: cell_center
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(FILL_HEADER)),
            link: cell
                .clone()
                .set_font_color(Color::RGB(0x0563C1))
                .set_underline(FormatUnderline::Single),
            cell_center,
            cell,
            note: Format::new().set_font_color(Color::RGB(0x595959)),
            // Excel's built-in "Text" format (49, shown as `@`), which Excel and WPS both
            // recognise as text; a custom `@` format would look the same but is not the one
            // their "set as text" buttons apply.
            text_column: Format::new().set_num_format_index(49),
            date_column: Format::new().set_num_format("yyyy-mm-dd"),
            date_cell: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

/// A worksheet being filled, remembering how wide each column's content is and which cells
/// wrap, so widths and row heights can be set once everything is written.
struct Sheet {
    ws: Worksheet,
    widths: Vec<usize>,
    /// Cells whose text may wrap: row, column, width of each line.
    wrapping: Vec<(RowNum, ColNum, Vec<usize>)>,
}

impl Sheet {
    fn new(name: &str) -> Result<Sheet, WriteError> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        Ok(Sheet {
            ws,
            widths: Vec::new(),
            wrapping: Vec::new(),
        })
    }

    fn note_width(&mut self, col: ColNum, width: usize) {
        let col = usize::from(col);
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        if let Some(w) = self.widths.get_mut(col) {
            *w = (*w).max(width);
        }
    }

    /// Writes text (neutralised) and counts it towards the column's width.
    fn text(
        &mut self,
        row: RowNum,
        col: ColNum,
        text: &str,
        format: &Format,
    ) -> Result<(), WriteError> {
        let text = cell_text(text);
        let widths = line_widths(&text);
        self.note_width(col, widths.iter().copied().max().unwrap_or(0));
        self.ws
            .write_string_with_format(row, col, text.as_ref(), format)?;
        if widths.len() > 1 || widths.iter().any(|&w| w > MAX_WIDTH) {
            self.wrapping.push((row, col, widths));
        }
        Ok(())
    }

    /// Writes text (neutralised) that may spill over the empty cells to its right: a section
    /// heading or a note. It does not widen its column.
    fn spill(
        &mut self,
        row: RowNum,
        col: ColNum,
        text: &str,
        format: &Format,
    ) -> Result<(), WriteError> {
        self.ws
            .write_string_with_format(row, col, cell_text(text).as_ref(), format)?;
        Ok(())
    }

    /// Writes a number and counts it towards the column's width: whole numbers by their
    /// digits, fractions (shown as percentages) as a short fixed width.
    fn number(
        &mut self,
        row: RowNum,
        col: ColNum,
        value: f64,
        format: &Format,
    ) -> Result<(), WriteError> {
        let width = if value.fract() == 0.0 {
            value.to_string().len()
        } else {
            6
        };
        self.note_width(col, width);
        self.ws.write_number_with_format(row, col, value, format)?;
        Ok(())
    }

    /// Writes a bordered empty cell, so a table's grid has no holes.
    fn blank(&mut self, row: RowNum, col: ColNum, format: &Format) -> Result<(), WriteError> {
        self.ws.write_blank(row, col, format)?;
        Ok(())
    }

    /// Writes text across a range (or into one cell when the range is one cell, which Excel
    /// refuses to merge). Merged text does not count towards column widths.
    fn merged(
        &mut self,
        (first_row, first_col): (RowNum, ColNum),
        (last_row, last_col): (RowNum, ColNum),
        text: &str,
        format: &Format,
    ) -> Result<(), WriteError> {
        merge_or_write(
            &mut self.ws,
            (first_row, first_col),
            (last_row, last_col),
            text,
            format,
        )
    }

    /// Writes a link to cell A1 of another sheet of the workbook, showing `text`.
    fn link(
        &mut self,
        row: RowNum,
        col: ColNum,
        sheet: &str,
        text: &str,
        format: &Format,
    ) -> Result<(), WriteError> {
        let text = cell_text(text);
        self.note_width(col, display_width(&text));
        let url = Url::new(format!("internal:{}!A1", quoted(sheet))).set_text(text.as_ref());
        self.ws.write_url_with_format(row, col, url, format)?;
        Ok(())
    }

    /// Sets every column's width from its content and the heights of rows with wrapped text,
    /// and hands the worksheet over.
    fn finish(mut self, fixed: &[(ColNum, usize)]) -> Result<Worksheet, WriteError> {
        let mut widths: Vec<usize> = self.widths.iter().map(|&w| fit_width(w)).collect();
        for &(col, width) in fixed {
            let col = usize::from(col);
            if widths.len() <= col {
                widths.resize(col + 1, MIN_WIDTH);
            }
            if let Some(w) = widths.get_mut(col) {
                *w = width;
            }
        }
        for (col, &width) in widths.iter().enumerate() {
            let col = col_num(col, self.ws.name().as_str())?;
            self.ws.set_column_width(col, width as f64)?;
        }
        let mut lines: HashMap<RowNum, usize> = HashMap::new();
        for (row, col, line_widths) in &self.wrapping {
            let width = widths.get(usize::from(*col)).copied().unwrap_or(MIN_WIDTH);
            let n = wrapped_lines(line_widths, width);
            let entry = lines.entry(*row).or_insert(1);
            *entry = (*entry).max(n);
        }
        for (row, n) in lines {
            if n > 1 {
                self.ws.set_row_height(row, LINE_HEIGHT * n as f64 + 4.0)?;
            }
        }
        Ok(self.ws)
    }
}

/// Writes text across a range, or into the one cell when the range is a single cell.
fn merge_or_write(
    ws: &mut Worksheet,
    (first_row, first_col): (RowNum, ColNum),
    (last_row, last_col): (RowNum, ColNum),
    text: &str,
    format: &Format,
) -> Result<(), WriteError> {
    let text = cell_text(text);
    if first_row == last_row && first_col == last_col {
        ws.write_string_with_format(first_row, first_col, text.as_ref(), format)?;
    } else {
        ws.merge_range(first_row, first_col, last_row, last_col, &text, format)?;
    }
    Ok(())
}

/// Writes a header row of fixed labels.
fn header_row(
    sheet: &mut Sheet,
    row: RowNum,
    labels: &[&str],
    format: &Format,
) -> Result<(), WriteError> {
    for (col, label) in (0..).zip(labels) {
        sheet.text(row, col, label, format)?;
    }
    Ok(())
}

/// Sheet-wide print setup: landscape A4, one page wide.
fn print_setup(ws: &mut Worksheet) {
    ws.set_landscape();
    ws.set_paper_size(PAPER_A4);
    ws.set_print_fit_to_pages(1, 0);
}

/// The catalog: the set's title, its sheets, where each original form went, and the burden
/// figures.
fn write_catalog(ctx: &Ctx) -> Result<Worksheet, WriteError> {
    let set = ctx.set;
    let st = &ctx.st;
    let mut sheet = Sheet::new(&ctx.names.catalog)?;
    let sheet_headers = [
        ctx.tr("序号", "No."),
        ctx.tr("表名", "Sheet"),
        ctx.tr("类型", "Kind"),
        ctx.tr("填报对象", "Rows"),
        ctx.tr("填报频次", "Frequency"),
        ctx.tr("服务部门", "Departments"),
        ctx.tr("替代的原表", "Replaces"),
        ctx.tr("字段数", "Fields"),
        ctx.tr("用途", "Purpose"),
    ];
    let last_col = col_num(sheet_headers.len() - 1, &ctx.names.catalog)?;

    let title = if set.title.trim().is_empty() {
        ctx.tr("村级综合报表", "Village form set")
    } else {
        set.title.as_str()
    };
    sheet.merged((0, 0), (0, last_col), title, &st.big_title)?;
    sheet.ws.set_row_height(0, 30)?;
    let summary = match ctx.lang {
        Lang::Zh => format!(
            "本套表共 {} 张表，替代各部门原来的 {} 张表。点击表名可跳转到该表。",
            set.sheets.len(),
            set.sources.len()
        ),
        Lang::En => format!(
            "{} sheets replacing {} departmental forms. Click a sheet name to go to it.",
            set.sheets.len(),
            set.sources.len()
        ),
    };
    sheet.merged((1, 0), (1, last_col), &summary, &st.note)?;

    // The sheets of the set.
    // Where each original form went: exactly the sheets its fields are filled in.
    let destinations: Vec<Vec<usize>> = (0..set.sources.len())
        .map(|f| set.destinations(f))
        .collect();
    let mut row: RowNum = 3;
    sheet.spill(
        row,
        0,
        ctx.tr("一、本套表各表", "1. Sheets of this set"),
        &st.section,
    )?;
    row += 1;
    header_row(&mut sheet, row, &sheet_headers, &st.head)?;
    row += 1;
    for (i, s) in set.sheets.iter().enumerate() {
        let kind = match s.kind {
            SetSheetKind::Base => ctx.tr("基础表", "base table"),
            SetSheetKind::Topic => ctx.tr("专题表", "topic sheet"),
        };
        let replaces: Vec<&str> = set
            .sources
            .iter()
            .zip(&destinations)
            .filter(|(_, to)| to.contains(&i))
            .map(|(f, _)| f.title.as_str())
            .collect();
        sheet.number(row, 0, (i + 1) as f64, &st.cell_center)?;
        sheet.link(row, 1, ctx.names.sheet(i), ctx.names.sheet(i), &st.link)?;
        sheet.text(row, 2, kind, &st.cell)?;
        sheet.text(row, 3, &grain_rows(&s.grain, ctx.lang), &st.cell)?;
        sheet.text(row, 4, &s.frequency, &st.cell)?;
        sheet.text(row, 5, &s.departments.join("、"), &st.cell)?;
        sheet.text(row, 6, &replaces.join("\n"), &st.cell)?;
        sheet.number(row, 7, s.columns.len() as f64, &st.cell_center)?;
        sheet.text(row, 8, &s.purpose, &st.cell)?;
        row += 1;
    }

    // Where each original form went.
    row += 1;
    sheet.spill(
        row,
        0,
        ctx.tr("二、原表去向", "2. Where each original form went"),
        &st.section,
    )?;
    row += 1;
    header_row(
        &mut sheet,
        row,
        &[
            ctx.tr("序号", "No."),
            ctx.tr("部门", "Department"),
            ctx.tr("原表名称", "Original form"),
            ctx.tr("原文件", "File"),
            ctx.tr("原表字段数", "Data fields"),
            ctx.tr("现归入", "Now in"),
            ctx.tr("与基础表对应的关键列", "Matched to the base table by"),
        ],
        &st.head,
    )?;
    row += 1;
    for (f, (form, to)) in set.sources.iter().zip(&destinations).enumerate() {
        // The key the form's rows are joined by: said in words where it is not the base
        // table's own (a certificate that embeds the ID number, name + head's ID …).
        let matched = crate::plan::build::join_note(set, f, ctx.lang).unwrap_or_else(|| {
            form.join_key
                .iter()
                .map(|id| {
                    set.canonical
                        .iter()
                        .find(|c| &c.id == id)
                        .map_or(id.as_str(), |c| c.name.as_str())
                })
                .collect::<Vec<_>>()
                .join("＋")
        });
        let now_in: Vec<&str> = to.iter().map(|&i| ctx.names.sheet(i)).collect();
        let data_fields = form.fields.iter().filter(|x| x.role == "data").count();
        sheet.number(row, 0, (f + 1) as f64, &st.cell_center)?;
        sheet.text(row, 1, &form.department, &st.cell)?;
        sheet.text(row, 2, &form.title, &st.cell)?;
        sheet.text(row, 3, &form.file, &st.cell)?;
        sheet.number(row, 4, data_fields as f64, &st.cell_center)?;
        sheet.text(row, 5, &now_in.join("、"), &st.cell)?;
        sheet.text(row, 6, &matched, &st.cell)?;
        row += 1;
    }

    // The burden figures.
    row += 1;
    sheet.spill(
        row,
        0,
        ctx.tr(
            "三、村里要填的量：原来与现在",
            "3. What a village fills: before and now",
        ),
        &st.section,
    )?;
    row += 1;
    header_row(
        &mut sheet,
        row,
        &[
            ctx.tr("口径", "By"),
            ctx.tr("名称", "Name"),
            ctx.tr("原表数", "Forms before"),
            ctx.tr("原字段数", "Fields before"),
            ctx.tr("原表头单元格数", "Header cells before"),
            ctx.tr("现表数", "Sheets after"),
            ctx.tr("现字段数", "Fields after"),
            ctx.tr("减少比例", "Reduction"),
        ],
        &st.head,
    )?;
    row += 1;
    let burden = &set.burden;
    let lines = burden
        .by_grain
        .iter()
        .map(|b| {
            (
                ctx.tr("按填报对象", "Rows of"),
                grain_noun(&b.label, ctx.lang),
                b,
            )
        })
        .chain(burden.by_department.iter().map(|b| {
            (
                ctx.tr("按部门", "Department"),
                Cow::Borrowed(b.label.as_str()),
                b,
            )
        }))
        .chain(std::iter::once((
            ctx.tr("合计", "Total"),
            Cow::Borrowed(""),
            &burden.total,
        )));
    for (by, label, b) in lines {
        sheet.text(row, 0, by, &st.cell)?;
        sheet.text(row, 1, &label, &st.cell)?;
        let figures = [
            b.forms_before,
            b.fields_before,
            b.header_cells_before,
            b.sheets_after,
            b.fields_after,
        ];
        for (col, n) in (2..).zip(figures) {
            sheet.number(row, col, f64::from(n), &st.cell_center)?;
        }
        if b.fields_before > 0 {
            let before = f64::from(b.fields_before);
            let reduction = (before - f64::from(b.fields_after)) / before;
            sheet.number(row, 7, reduction, &st.percent)?;
        } else {
            sheet.blank(row, 7, &st.percent)?;
        }
        row += 1;
    }
    sheet.spill(
        row,
        0,
        ctx.tr(
            "减少比例 = 1 − 现字段数 ÷ 原字段数。同一项信息在多张原表中出现时，现在只算一次。",
            "Reduction = 1 − fields after ÷ fields before. A fact several forms asked for now counts once.",
        ),
        &st.note,
    )?;
    let mut ws = sheet.finish(&[])?;
    print_setup(&mut ws);
    Ok(ws)
}

/// The headers of a sheet's key columns.
fn key_headers(sheet: &SetSheet) -> Vec<&str> {
    sheet
        .columns
        .iter()
        .filter(|c| c.key)
        .map(|c| c.header.as_str())
        .collect()
}

/// The numbered instructions, each a first line and sub-lines.
fn instructions(ctx: &Ctx) -> Vec<(String, Vec<String>)> {
    let set = ctx.set;
    let names = &ctx.names;
    let n_sheets = set.sheets.len();
    let n_forms = set.sources.len();
    let mut items = Vec::new();
    match ctx.lang {
        Lang::Zh => {
            items.push((
                format!("本套表共 {n_sheets} 张表，替代各部门原来下发的 {n_forms} 张表。同一项信息在本套表中只填一次，不要在不同的表里重复填写。"),
                vec![],
            ));
            items.push((
                "每张表每一行填什么：".to_string(),
                set.sheets
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        format!("「{}」：{}", names.sheet(i), grain_rows(&s.grain, ctx.lang))
                    })
                    .collect(),
            ));
        }
        Lang::En => {
            items.push((
                format!("This set has {n_sheets} sheets and replaces {n_forms} forms the departments used to send. Fill each fact once, in one place; do not repeat it on other sheets."),
                vec![],
            ));
            items.push((
                "What one row of each sheet is:".to_string(),
                set.sheets
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        format!("\"{}\": {}", names.sheet(i), grain_rows(&s.grain, ctx.lang))
                    })
                    .collect(),
            ));
        }
    }

    // Key columns and joins, as split joins the rows (read from the plan).
    let mut key_lines = Vec::new();
    for (i, s) in set.sheets.iter().enumerate() {
        let joins = set.joins(i);
        let keys = key_headers(s);
        if !keys.is_empty() && (s.kind == SetSheetKind::Base || joins.is_empty()) {
            key_lines.push(match ctx.lang {
                Lang::Zh => format!("「{}」的关键列：{}", names.sheet(i), keys.join("、")),
                Lang::En => format!("\"{}\" key columns: {}", names.sheet(i), keys.join(", ")),
            });
        }
        for join in joins {
            let shared: Vec<&str> = join
                .columns
                .iter()
                .filter_map(|&k| s.columns.get(k))
                .map(|c| c.header.as_str())
                .collect();
            key_lines.push(match ctx.lang {
                Lang::Zh => format!(
                    "「{}」按“{}”与「{}」对应，两张表中这些列要填得完全一致",
                    names.sheet(i),
                    shared.join("、"),
                    names.sheet(join.base)
                ),
                Lang::En => format!(
                    "\"{}\" matches \"{}\" by {}; fill these columns exactly alike on both sheets",
                    names.sheet(i),
                    names.sheet(join.base),
                    shared.join(", ")
                ),
            });
        }
    }
    if !key_lines.is_empty() {
        items.push((
            ctx.tr(
                "关键列（表头为蓝色）用来确定每一行是谁，并把各表的行对应起来，必须准确填写：",
                "Key columns (blue headers) say whose row it is and link the rows of different sheets; fill them exactly:",
            )
            .to_string(),
            key_lines,
        ));
    }

    let fixed: [(&str, &str); 8] = [
        (
            "身份证号填 18 位，最后一位是 X 的用大写 X。身份证号、银行账号、证号、户编号、地块编号、各类代码等编号列已设为文本格式，直接输入即可；不要改成数字格式，否则后几位会变成 0，开头的 0 也会丢失。",
            "ID numbers have 18 characters; a final X is a capital X. ID numbers, bank accounts, certificate, household and plot numbers and codes are already formatted as text: just type them, and do not change these columns to a number format, or the last digits turn into 0 and leading zeros are lost.",
        ),
        (
            "电话号码：手机填 11 位；固定电话请带区号，如 0571-88886666。",
            "Phone numbers: mobiles have 11 digits; give landlines with their area code, e.g. 0571-88886666.",
        ),
        (
            "日期按“年-月-日”填写，如 2025-03-01。",
            "Dates as year-month-day, e.g. 2025-03-01.",
        ),
        (
            "数字列只填数字，不要带单位（单位已写在表头括号里，如“（亩）”），不填负数。",
            "Number columns take numbers only, without units (the unit is in the header, e.g. \"（亩）\"), and no negative numbers.",
        ),
        (
            "有下拉箭头的列，请从下拉列表中选择，不要自己输入其他内容。",
            "Where a cell shows a dropdown arrow, pick from the list; do not type anything else.",
        ),
        (
            "表头带 * 号、底色为橙色的列必须填写；底色为蓝色的是关键列。",
            "Columns whose header has a * and an orange fill must be filled; blue headers are key columns.",
        ),
        (
            "不要修改表头和工作表名称，不要插入、删除或调换列，不要删除隐藏的工作表：汇总后，本套表要按原样拆分回各部门的原表。",
            "Do not change headers or sheet names, do not insert, delete or move columns, and do not delete the hidden sheet: the set is split back into each department's forms after it is collected.",
        ),
        (
            "「字段对照表」列出各部门原表的每一列现在填在哪张表的哪一列；「目录」列出每张表替代了哪些原表。",
            "The crosswalk sheet lists where each column of each original form is now filled; the catalog lists which original forms each sheet replaces.",
        ),
    ];
    for (zh, en) in fixed {
        items.push((tr(ctx.lang, zh, en).to_string(), vec![]));
    }
    items
}

/// The instructions sheet: numbered items in plain words.
fn write_instructions(ctx: &Ctx) -> Result<Worksheet, WriteError> {
    let st = &ctx.st;
    let mut sheet = Sheet::new(&ctx.names.instructions)?;
    sheet.merged(
        (0, 0),
        (0, 1),
        ctx.tr("填表说明", "How to fill in this form set"),
        &st.title,
    )?;
    sheet.ws.set_row_height(0, 28)?;
    let plain = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let mut row: RowNum = 2;
    for (n, (first, subs)) in instructions(ctx).into_iter().enumerate() {
        sheet.text(row, 0, &format!("{}.", n + 1), &plain)?;
        sheet.text(row, 1, &first, &plain)?;
        row += 1;
        for sub in subs {
            sheet.text(row, 1, &format!("• {sub}"), &plain)?;
            row += 1;
        }
    }
    // Column B wraps at a fixed width; heights follow from it in `finish`, which sees every
    // line wider than MAX_WIDTH.
    let mut ws = sheet.finish(&[(0, 5), (1, INSTRUCTION_WIDTH)])?;
    print_setup(&mut ws);
    ws.set_portrait();
    Ok(ws)
}

/// How a column of the set is laid out and checked, from its canonical field.
struct ColumnPlan<'a> {
    column: &'a SetColumn,
    canon: &'a CanonicalField,
    /// Leaf header as printed (`*` for required).
    leaf: String,
    /// The type it is written with ([`identifier::column_type`]: the canonical field's, or
    /// `code` when the values written into it are identifiers).
    ty: &'a str,
}

impl ColumnPlan<'_> {
    fn group(&self) -> Option<&str> {
        self.column
            .group
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
    }

    fn ty(&self) -> &str {
        self.ty
    }

    fn width(&self, values: &[String]) -> usize {
        let mut content = display_width(&self.leaf);
        content = content.max(match self.ty() {
            "phone" => 13,
            "date" => 10,
            _ => 0,
        });
        // Room for the longest choice plus the dropdown arrow.
        if let Some(longest) = values.iter().map(|v| display_width(v) + 2).max() {
            content = content.max(longest);
        }
        let width = fit_width(content);
        match self.ty() {
            "id_number" => width.max(ID_WIDTH),
            // Room for every digit: a 19-digit account, a 20-digit certificate.
            identifier::CODE => width.max(fit_width(self.canon.length.unwrap_or(19) as usize + 2)),
            _ => width,
        }
    }
}

/// The values of a dropdown: the canonical field's values (blank ones dropped, duplicates
/// once, neutralised like every cell), or 是/否 for a yes/no field without values. The values
/// are data, so they stay Chinese whatever the language.
/// Split back checks values against this same list, and pre-fill extends it.
pub(crate) fn list_values(canon: &CanonicalField) -> Vec<String> {
    if !matches!(canon.ty.as_str(), "enum" | "yes_no") {
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut values: Vec<String> = canon
        .enum_values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .filter(|v| seen.insert(v.as_str()))
        .map(|v| cell_text(v).into_owned())
        .collect();
    if values.is_empty() && canon.ty == "yes_no" {
        values = vec!["是".to_string(), "否".to_string()];
    }
    values
}

/// Whether a list can be written inline in the validation: no value contains a comma (Excel's
/// separator) or a control character, and the joined list, with quotes doubled as the library
/// writes them, is within Excel's 255 characters.
///
/// Chinese characters count two here. The limit dates from double-byte code pages, where a
/// Chinese character took two bytes, and counting it once would let a list through that some
/// Excel and WPS versions cut short or refuse. A list on the hidden sheet works everywhere, so
/// erring that way costs nothing. (The 56 nationalities, 216 characters, count 377 and go to the sheet.)
fn fits_inline(values: &[String]) -> bool {
    if values
        .iter()
        .any(|v| v.contains(',') || v.chars().any(char::is_control))
    {
        return false;
    }
    let units: usize = values
        .iter()
        .flat_map(|v| v.chars())
        .map(|c| match c {
            '"' => 2,
            c if is_wide(c) => 2,
            c => c.len_utf16(),
        })
        .sum::<usize>()
        + values.len().saturating_sub(1);
    units <= MAX_INLINE_LIST
}

/// Dropdown lists too long to inline, one column each on the hidden list sheet; identical
/// lists share a column.
#[derive(Default)]
struct Lists {
    columns: Vec<Vec<String>>,
    seen: HashMap<Vec<String>, usize>,
}

impl Lists {
    /// The range holding `values` on the list sheet, adding a column if the list is new.
    fn range(&mut self, sheet: &str, values: &[String]) -> Result<String, WriteError> {
        let index = match self.seen.get(values) {
            Some(&index) => index,
            None => {
                let index = self.columns.len();
                self.columns.push(values.to_vec());
                self.seen.insert(values.to_vec(), index);
                index
            }
        };
        let letter = column_number_to_name(col_num(index, sheet)?);
        Ok(format!(
            "={}!${letter}$1:${letter}${}",
            quoted(sheet),
            values.len().max(1)
        ))
    }

    /// The hidden list sheet, or nothing when every list was short enough to inline.
    fn into_sheet(self, name: &str) -> Result<Option<Worksheet>, WriteError> {
        if self.columns.is_empty() {
            return Ok(None);
        }
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        for (c, values) in self.columns.iter().enumerate() {
            let col = col_num(c, name)?;
            let mut width = 0;
            for (r, value) in values.iter().enumerate() {
                // Already neutralised and clipped in `list_values`.
                ws.write_string(row_num(r), col, value)?;
                width = width.max(display_width(value));
            }
            ws.set_column_width(col, fit_width(width) as f64)?;
        }
        ws.set_hidden(true);
        Ok(Some(ws))
    }
}

/// The data validation of a column, if its type has one. Prompts follow the language; titles
/// stay within Excel's 32 characters and messages within 255, since none holds model text.
fn validation(
    plan: &ColumnPlan,
    values: &[String],
    lang: Lang,
    lists: &mut Lists,
    list_sheet: &str,
) -> Result<Option<DataValidation>, WriteError> {
    let dv = DataValidation::new();
    let (dv, title, input, error) = match plan.ty() {
        "id_number" => (
            dv.allow_text_length(DataValidationRule::EqualTo(18)),
            tr(lang, "公民身份号码", "ID number"),
            tr(
                lang,
                "公民身份号码应为18位，请按文本格式填写",
                "An ID number has 18 characters; type it as text",
            ),
            tr(
                lang,
                "公民身份号码应为18位，请检查是否多填或漏填",
                "An ID number has exactly 18 characters; check for a missing or extra digit",
            ),
        ),
        // 7 to 13 characters: a local number (7–8 digits), a mobile (11), or a landline with
        // its area code, with or without the hyphen (0571-88886666 is 13).
        "phone" => (
            dv.allow_text_length(DataValidationRule::Between(7, 13)),
            tr(lang, "电话号码", "Phone number"),
            tr(
                lang,
                "手机填11位；固定电话请带区号，如0571-88886666",
                "Mobiles: 11 digits; landlines with area code, e.g. 0571-88886666",
            ),
            tr(
                lang,
                "电话号码长度不对：手机为11位，固定电话带区号",
                "Wrong length: mobiles have 11 digits, landlines need the area code",
            ),
        ),
        identifier::CODE => {
            // A code has a rule only when its data element fixes its length.
            let Some(n) = plan.canon.length else {
                return Ok(None);
            };
            let (input, error) = match lang {
                Lang::Zh => (
                    format!("应为{n}位，请按文本格式填写"),
                    format!("应为{n}位，请检查是否多填或漏填"),
                ),
                Lang::En => (
                    format!("{n} characters; type it as text"),
                    format!("Exactly {n} characters; check for a missing or extra one"),
                ),
            };
            let title = tr(lang, "编号", "Identifier");
            let dv = dv
                .allow_text_length(DataValidationRule::EqualTo(n))
                .set_input_title(title)?
                .set_input_message(input.as_str())?
                .set_error_title(title)?
                .set_error_message(error.as_str())?;
            return Ok(Some(dv));
        }
        "date" => (
            dv.allow_date(DataValidationRule::Between(
                ExcelDateTime::from_ymd(1900, 1, 1)?,
                ExcelDateTime::from_ymd(2100, 12, 31)?,
            )),
            tr(lang, "日期", "Date"),
            tr(
                lang,
                "请按“年-月-日”填写，如2025-03-01",
                "Type the date as year-month-day, e.g. 2025-03-01",
            ),
            tr(
                lang,
                "不是有效日期，请按“年-月-日”填写，如2025-03-01",
                "Not a valid date; type it as year-month-day, e.g. 2025-03-01",
            ),
        ),
        "integer" => (
            dv.allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)),
            tr(lang, "整数", "Whole number"),
            tr(
                lang,
                "请填不小于0的整数，不带单位",
                "A whole number, 0 or more, without units",
            ),
            tr(
                lang,
                "这里只能填不小于0的整数，不带单位",
                "Only a whole number, 0 or more, without units",
            ),
        ),
        "decimal" => (
            dv.allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
            tr(lang, "数字", "Number"),
            tr(
                lang,
                "请填不小于0的数字，不带单位",
                "A number, 0 or more, without units",
            ),
            tr(
                lang,
                "这里只能填不小于0的数字，不带单位",
                "Only a number, 0 or more, without units",
            ),
        ),
        "enum" | "yes_no" if !values.is_empty() => {
            let dv = if fits_inline(values) {
                dv.allow_list_strings(values)?
            } else {
                dv.allow_list_formula(Formula::new(lists.range(list_sheet, values)?))
            };
            (
                dv,
                tr(lang, "请选择", "Pick a value"),
                tr(lang, "请从下拉列表中选择", "Pick a value from the list"),
                tr(
                    lang,
                    "只能从下拉列表中选择，不要自行输入",
                    "Pick a value from the list; other values are not accepted",
                ),
            )
        }
        _ => return Ok(None),
    };
    let dv = dv
        .set_input_title(title)?
        .set_input_message(input)?
        .set_error_title(title)?
        .set_error_message(error)?;
    Ok(Some(dv))
}

/// One sheet of the set: title row, header block, frozen panes, print setup, column formats
/// and validations.
fn write_set_sheet(
    ctx: &Ctx,
    index: usize,
    sheet: &SetSheet,
    rows: &[Vec<Value>],
    lists: &mut Lists,
) -> Result<Worksheet, WriteError> {
    let st = &ctx.st;
    let name = ctx.names.sheet(index);
    let mut ws = Worksheet::new();
    ws.set_name(name)?;

    let mut plans = Vec::with_capacity(sheet.columns.len());
    for (c, column) in sheet.columns.iter().enumerate() {
        let canon =
            ctx.set
                .canonical
                .get(column.canonical)
                .ok_or_else(|| WriteError::Inconsistent {
                    detail: format!(
                        "sheet {index} column {c}: canonical field {}",
                        column.canonical
                    ),
                })?;
        let header = if column.header.trim().is_empty() {
            canon.name.as_str()
        } else {
            column.header.as_str()
        };
        let marked = header.starts_with('*') || header.starts_with('＊');
        let leaf = if column.required && !marked {
            format!("*{header}")
        } else {
            header.to_string()
        };
        let ty = identifier::column_type(canon, rows.iter().filter_map(|r| r.get(c)));
        plans.push(ColumnPlan {
            column,
            canon,
            leaf,
            ty,
        });
    }
    let last_col = col_num(plans.len(), name)?;
    let grouped = plans.iter().any(|p| p.group().is_some());
    let header_last: RowNum = if grouped { 2 } else { 1 };

    // Title, then 序号, which is part of the form and so Chinese whatever the language.
    merge_or_write(&mut ws, (0, 0), (0, last_col), name, &st.title)?;
    ws.set_row_height(0, 28)?;
    merge_or_write(&mut ws, (1, 0), (header_last, 0), "序号", &st.head)?;

    // Header block: runs of columns sharing a group get one merged group cell above their
    // leaves; columns without a group span both header rows.
    let mut widths = vec![MIN_WIDTH; plans.len() + 1];
    // Lines the longest header needs: of leaves in the last header row alone, and of leaves
    // spanning both rows of a two-row block (which get a row's worth of room for free).
    let (mut leaf_lines, mut spanning_lines) = (1, 1);
    let mut c = 0;
    while let Some(plan) = plans.get(c) {
        let mut end = c;
        if let Some(group) = plan.group() {
            while plans.get(end + 1).and_then(ColumnPlan::group) == Some(group) {
                end += 1;
            }
            let first = col_num(c + 1, name)?;
            let last = col_num(end + 1, name)?;
            merge_or_write(&mut ws, (1, first), (1, last), group, &st.head)?;
        }
        for k in c..=end {
            let Some(plan) = plans.get(k) else { break };
            let col = col_num(k + 1, name)?;
            let format = if plan.column.key {
                &st.head_key
            } else if plan.column.required {
                &st.head_required
            } else {
                &st.head
            };
            let top = if plan.group().is_some() { 2 } else { 1 };
            merge_or_write(&mut ws, (top, col), (header_last, col), &plan.leaf, format)?;

            let values = list_values(plan.canon);
            let width = plan.width(&values);
            if let Some(w) = widths.get_mut(k + 1) {
                *w = width;
            }
            let lines = wrapped_lines(&line_widths(&plan.leaf), width);
            if top < header_last {
                spanning_lines = spanning_lines.max(lines);
            } else {
                leaf_lines = leaf_lines.max(lines);
            }
            ws.set_column_width(col, width as f64)?;
            if identifier::is_identifier_type(plan.ty()) {
                ws.set_column_format(col, &st.text_column)?;
            } else if plan.ty() == "date" {
                ws.set_column_format(col, &st.date_column)?;
            }
            if let Some(dv) = validation(plan, &values, ctx.lang, lists, &ctx.names.lists)? {
                let first = header_last + 1;
                ws.add_data_validation(first, col, first + DATA_ROWS - 1, col, &dv)?;
            }
        }
        c = end + 1;
    }
    ws.set_column_width(0, MIN_WIDTH as f64)?;
    // Excel does not grow rows for wrapped text it did not lay out itself, so the last header
    // row is given the height its longest header needs.
    let needed = leaf_lines.max(spanning_lines.saturating_sub(1));
    if needed > 1 {
        ws.set_row_height(header_last, LINE_HEIGHT * needed as f64 + 4.0)?;
    }

    for (i, row) in rows.iter().enumerate() {
        let r = header_last + 1 + row_num(i);
        ws.write_number(r, 0, (i + 1) as f64)?;
        for (k, value) in row.iter().enumerate() {
            let col = col_num(k + 1, name)?;
            let value = match plans.get(k) {
                Some(p) if identifier::is_identifier_type(p.ty()) => identifier::as_text(value),
                _ => Cow::Borrowed(value),
            };
            write_value(&mut ws, r, col, &value, None, &st.date_cell)?;
        }
    }

    ws.set_freeze_panes(header_last + 1, 1)?;
    ws.set_repeat_rows(0, header_last)?;
    print_setup(&mut ws);
    Ok(ws)
}

/// One row of the crosswalk: a source field and, for data fields, its canonical field.
struct CrossRow<'a> {
    canon: Option<(usize, &'a CanonicalField)>,
    form: usize,
    field: &'a SourceField,
}

/// The crosswalk's rows: each canonical field's members in order, then every source field not
/// yet listed (structural columns, and data fields a member list forgot), so that every source
/// field appears exactly once.
fn cross_rows(set: &FormSet) -> Vec<CrossRow<'_>> {
    let ids = canonical_ids(set);
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (c, canon) in set.canonical.iter().enumerate() {
        for &[form, field] in &canon.members {
            let Some(source_field) = set.sources.get(form).and_then(|f| f.fields.get(field)) else {
                continue;
            };
            if seen.insert((form, field)) {
                rows.push(CrossRow {
                    canon: Some((c, canon)),
                    form,
                    field: source_field,
                });
            }
        }
    }
    for (form, source) in set.sources.iter().enumerate() {
        for (i, field) in source.fields.iter().enumerate() {
            if seen.insert((form, i)) {
                let canon =
                    canonical_of(&ids, field).and_then(|c| set.canonical.get(c).map(|k| (c, k)));
                rows.push(CrossRow { canon, form, field });
            }
        }
    }
    rows
}

/// The crosswalk: every column of every original form and where it is filled now.
fn write_crosswalk(ctx: &Ctx) -> Result<Worksheet, WriteError> {
    let set = ctx.set;
    let st = &ctx.st;
    let mut sheet = Sheet::new(&ctx.names.crosswalk)?;
    let headers = [
        ctx.tr("统一字段", "Field"),
        ctx.tr("单位", "Unit"),
        ctx.tr("类型", "Type"),
        ctx.tr("所在表", "Sheet"),
        ctx.tr("所在列", "Column"),
        ctx.tr("部门", "Department"),
        ctx.tr("原文件", "File"),
        ctx.tr("原表", "Original form"),
        ctx.tr("原表头", "Original header"),
        ctx.tr("原列", "Original column"),
        ctx.tr("置信度", "Confidence"),
        ctx.tr("说明", "Why"),
    ];
    let last_col = col_num(headers.len() - 1, &ctx.names.crosswalk)?;
    sheet.merged(
        (0, 0),
        (0, last_col),
        ctx.tr(
            "字段对照表：原表的每一列现在填在哪里",
            "Crosswalk: where each column of the original forms is filled now",
        ),
        &st.title,
    )?;
    sheet.ws.set_row_height(0, 28)?;
    header_row(&mut sheet, 1, &headers, &st.head)?;

    let mut row: RowNum = 2;
    for cross in cross_rows(set) {
        let form = set.sources.get(cross.form);
        let field = cross.field;
        let (name, unit, ty, sheets, columns, reasons, confidence) = match cross.canon {
            Some((c, canon)) => {
                let places = ctx.places.get(c).map_or(&[][..], Vec::as_slice);
                let (sheets, columns) = if canon.dropped {
                    (ctx.tr("（已取消）", "(dropped)").to_string(), String::new())
                } else if places.is_empty() {
                    (
                        ctx.tr("（未列入本套表）", "(not in the set)").to_string(),
                        String::new(),
                    )
                } else {
                    let sheets: Vec<&str> =
                        places.iter().map(|p| ctx.names.sheet(p.sheet)).collect();
                    let columns: Vec<String> = places
                        .iter()
                        .map(|p| column_number_to_name(p.col))
                        .collect();
                    (sheets.join("，"), columns.join("，"))
                };
                let mut reasons = canon.reasons.join("；");
                if canon.enum_conflict {
                    if !reasons.is_empty() {
                        reasons.push('；');
                    }
                    reasons.push_str(ctx.tr(
                        "各原表的选项不一致，请核对",
                        "the original forms' choices disagree; please check",
                    ));
                }
                (
                    canon.name.as_str(),
                    canon.unit.as_deref().unwrap_or(""),
                    canon.ty.as_str(),
                    sheets,
                    columns,
                    reasons,
                    // f32 → f64 would show 0.9 as 0.8999999761581421 to anyone reading the
                    // cell's value; three decimals are all a confidence means.
                    Some((f64::from(canon.confidence) * 1000.0).round() / 1000.0),
                )
            }
            None => (
                "",
                field.unit.as_deref().unwrap_or(""),
                field.ty.as_str(),
                ctx.tr("（各表自带）", "(on every sheet)").to_string(),
                String::new(),
                String::new(),
                None,
            ),
        };
        let cells: [(ColNum, &str); 11] = [
            (0, name),
            (1, unit),
            (2, &type_label(ty, ctx.lang)),
            (3, &sheets),
            (4, &columns),
            (5, form.map_or("", |f| f.department.as_str())),
            (6, form.map_or("", |f| f.file.as_str())),
            (7, form.map_or("", |f| f.title.as_str())),
            (8, &field.header_path.join(" / ")),
            // A card's or report's item: the cell its value is in (B3), not just its column.
            (
                9,
                field.value_cell.as_deref().unwrap_or(&field.column_letter),
            ),
            (11, &reasons),
        ];
        for (col, text) in cells {
            sheet.text(row, col, text, &st.cell)?;
        }
        match confidence.filter(|c| c.is_finite()) {
            Some(c) => sheet.number(row, 10, c, &st.percent)?,
            None => sheet.blank(row, 10, &st.percent)?,
        }
        row += 1;
    }
    let last_row = row.saturating_sub(1).max(1);
    let mut ws = sheet.finish(&[(10, 8)])?;
    ws.autofilter(1, 0, last_row, last_col)?;
    ws.set_freeze_panes(2, 1)?;
    ws.set_repeat_rows(0, 1)?;
    print_setup(&mut ws);
    Ok(ws)
}

/// The overlap matrix: for each pair of departments, the fields both ask for.
fn write_overlap(ctx: &Ctx) -> Result<Worksheet, WriteError> {
    let st = &ctx.st;
    let overlap = &ctx.set.burden.overlap;
    let name = ctx.names.overlap.as_str();
    let mut sheet = Sheet::new(name)?;
    let n = overlap.departments.len();
    let last_col = col_num(n, name)?;
    sheet.merged(
        (0, 0),
        (0, last_col.max(1)),
        ctx.tr(
            "部门重叠矩阵：两个部门都要的字段数",
            "Overlap: fields two departments both ask for",
        ),
        &st.title,
    )?;
    sheet.ws.set_row_height(0, 28)?;
    sheet.text(1, 0, ctx.tr("部门", "Department"), &st.head)?;
    for (j, department) in overlap.departments.iter().enumerate() {
        sheet.text(1, col_num(j + 1, name)?, department, &st.head)?;
    }
    let mut row: RowNum = 2;
    for (i, department) in overlap.departments.iter().enumerate() {
        sheet.text(row, 0, department, &st.head)?;
        for j in 0..n {
            let col = col_num(j + 1, name)?;
            let format = if i == j {
                &st.diagonal
            } else {
                &st.cell_center
            };
            match overlap.counts.get(i).and_then(|r| r.get(j)) {
                Some(&count) => sheet.number(row, col, f64::from(count), format)?,
                None => sheet.blank(row, col, format)?,
            }
        }
        row += 1;
    }
    row += 1;
    sheet.spill(
        row,
        0,
        ctx.tr(
            "对角线上是该部门要求的字段总数；其他格是两个部门都要求的字段数，这些信息现在只填一次。",
            "The diagonal is each department's total; other cells count the fields both departments ask for, now filled once.",
        ),
        &st.note,
    )?;

    // Department × field: for each field two or more departments ask for, the header each
    // department's forms use for it (what every department will find where).
    let ids = canonical_ids(ctx.set);
    let shared: Vec<&CanonicalField> = ctx
        .set
        .canonical
        .iter()
        .filter(|c| !c.dropped && c.departments.len() > 1)
        .collect();
    if !shared.is_empty() {
        row += 2;
        sheet.text(
            row,
            0,
            ctx.tr(
                "部门 × 字段：两个及以上部门都要的字段，在各部门原表中的表头",
                "Department × field: fields two or more departments ask for, as each department's forms head them",
            ),
            &st.note,
        )?;
        row += 1;
        sheet.text(row, 0, ctx.tr("部门", "Department"), &st.head)?;
        for (j, c) in shared.iter().enumerate() {
            sheet.text(row, col_num(j + 1, name)?, &c.name, &st.head)?;
        }
        row += 1;
        for department in &overlap.departments {
            sheet.text(row, 0, department, &st.head)?;
            for (j, c) in shared.iter().enumerate() {
                let mut headers: Vec<String> = Vec::new();
                for source in ctx
                    .set
                    .sources
                    .iter()
                    .filter(|s| &s.department == department)
                {
                    for f in &source.fields {
                        let mine = canonical_of(&ids, f)
                            .and_then(|i| ctx.set.canonical.get(i))
                            .is_some_and(|k| k.id == c.id);
                        let header = f.header_path.join("/");
                        if mine && !headers.contains(&header) {
                            headers.push(header);
                        }
                    }
                }
                sheet.text(row, col_num(j + 1, name)?, &headers.join("、"), &st.cell)?;
            }
            row += 1;
        }
    }
    let mut ws = sheet.finish(&[])?;
    ws.set_freeze_panes(2, 1)?;
    print_setup(&mut ws);
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Burden, BurdenRow, OverlapMatrix, SourceForm};
    use calamine::{open_workbook_from_rs, Data, Reader, SheetVisible, Xlsx};
    use std::io::{Cursor, Read};

    const NATIONS: [&str; 56] = [
        "汉族",
        "蒙古族",
        "回族",
        "藏族",
        "维吾尔族",
        "苗族",
        "彝族",
        "壮族",
        "布依族",
        "朝鲜族",
        "满族",
        "侗族",
        "瑶族",
        "白族",
        "土家族",
        "哈尼族",
        "哈萨克族",
        "傣族",
        "黎族",
        "傈僳族",
        "佤族",
        "畲族",
        "高山族",
        "拉祜族",
        "水族",
        "东乡族",
        "纳西族",
        "景颇族",
        "柯尔克孜族",
        "土族",
        "达斡尔族",
        "仫佬族",
        "羌族",
        "布朗族",
        "撒拉族",
        "毛南族",
        "仡佬族",
        "锡伯族",
        "阿昌族",
        "普米族",
        "塔吉克族",
        "怒族",
        "乌孜别克族",
        "俄罗斯族",
        "鄂温克族",
        "德昂族",
        "保安族",
        "裕固族",
        "京族",
        "塔塔尔族",
        "独龙族",
        "鄂伦春族",
        "赫哲族",
        "门巴族",
        "珞巴族",
        "基诺族",
    ];

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    fn field(column: u32, path: &[&str], ty: &str, canonical: Option<usize>) -> SourceField {
        SourceField {
            column,
            column_letter: column_number_to_name((column - 1) as u16),
            header_path: strings(path),
            name: path.last().map(|s| s.to_string()).unwrap_or_default(),
            ty: ty.into(),
            role: if canonical.is_some() {
                "data"
            } else {
                "structural"
            }
            .into(),
            canonical: canonical.map(|c| format!("#{c}")),
            ..SourceField::default()
        }
    }

    fn canon(id: &str, name: &str, ty: &str, members: &[[usize; 2]]) -> CanonicalField {
        CanonicalField {
            id: id.into(),
            name: name.into(),
            ty: ty.into(),
            grain: "person".into(),
            members: members.to_vec(),
            confidence: 0.9,
            reasons: vec!["表头相同".into()],
            ..CanonicalField::default()
        }
    }

    fn col(
        canonical: usize,
        header: &str,
        group: Option<&str>,
        key: bool,
        required: bool,
    ) -> SetColumn {
        SetColumn {
            canonical,
            group: group.map(str::to_string),
            header: header.into(),
            key,
            required,
        }
    }

    /// Two departmental forms (民政 低保花名册 per household, 残联 补贴名册 per person), eleven
    /// canonical fields, a base table with a header group, and two topic sheets.
    fn sample() -> FormSet {
        let dibao = SourceForm {
            file: "民政局-低保花名册.xlsx".into(),
            sheet: "Sheet1".into(),
            title: "低保花名册".into(),
            department: "民政".into(),
            grain: "per_household".into(),
            frequency: "年报".into(),
            header_rows: vec![2],
            header_cells: 7,
            data_first_row: 3,
            fields: vec![
                field(1, &["序号"], "integer", None),
                field(2, &["户主姓名"], "text", Some(1)),
                field(3, &["户主身份证号"], "id_number", Some(0)),
                field(4, &["联系电话"], "phone", Some(2)),
                field(5, &["家庭人口"], "integer", Some(6)),
                field(6, &["保障金额（元）"], "decimal", Some(7)),
                field(7, &["备注"], "text", None),
            ],
            ..SourceForm::default()
        };
        let canlian = SourceForm {
            file: "残联-残疾人补贴名册.xls".into(),
            sheet: "补贴".into(),
            title: "残疾人两项补贴名册".into(),
            department: "残联".into(),
            grain: "per_person".into(),
            frequency: "季报".into(),
            header_rows: vec![2, 3],
            header_cells: 11,
            data_first_row: 4,
            fields: vec![
                field(1, &["序号"], "integer", None),
                field(2, &["基本情况", "姓名"], "text", Some(1)),
                field(3, &["基本情况", "身份证号"], "id_number", Some(0)),
                field(4, &["基本情况", "民族"], "enum", Some(3)),
                field(5, &["残疾类别"], "enum", Some(4)),
                field(6, &["是否享受低保"], "yes_no", Some(5)),
                field(7, &["发证日期"], "date", Some(8)),
                field(8, &["承包地面积（亩）"], "decimal", Some(9)),
                field(9, &["曾用名"], "text", Some(10)),
            ],
            ..SourceForm::default()
        };
        let mut canonical = vec![
            canon(
                "person.id_number",
                "公民身份号码",
                "id_number",
                &[[0, 2], [1, 2]],
            ),
            canon("person.name", "姓名", "text", &[[0, 1], [1, 1]]),
            canon("person.phone", "联系电话", "phone", &[[0, 3]]),
            canon("person.ethnicity", "民族", "enum", &[[1, 3]]),
            canon("n:残疾类别", "残疾类别", "enum", &[[1, 4]]),
            canon("n:是否享受低保", "是否享受低保", "yes_no", &[[1, 5]]),
            canon("household.size", "家庭人口", "integer", &[[0, 4]]),
            canon("n:保障金额", "保障金额", "decimal", &[[0, 5]]),
            canon("n:发证日期", "发证日期", "date", &[[1, 6]]),
            canon("n:承包地面积", "承包地面积", "decimal", &[[1, 7]]),
            canon("n:曾用名", "曾用名", "text", &[[1, 8]]),
        ];
        canonical[0].required = true;
        canonical[0].departments = strings(&["民政", "残联"]);
        canonical[3].enum_values = strings(&NATIONS);
        canonical[4].enum_values =
            strings(&["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]);
        canonical[7].unit = Some("元".into());
        canonical[9].unit = Some("亩".into());
        canonical[10].dropped = true;
        canonical[10].reasons = vec!["=SUM(1)".into()];

        let sheets = vec![
            SetSheet {
                name: "人员基本信息".into(),
                kind: SetSheetKind::Base,
                grain: "person".into(),
                frequency: "年报".into(),
                departments: strings(&["民政", "残联"]),
                replaces: vec![],
                purpose: "两个部门都要的人员信息，每人只填一次".into(),
                columns: vec![
                    col(1, "姓名", None, true, true),
                    col(0, "公民身份号码", None, true, true),
                    col(3, "民族", Some("基本情况"), false, false),
                    col(5, "是否享受低保", Some("基本情况"), false, false),
                    col(2, "联系电话", Some("联系方式"), false, false),
                ],
            },
            SetSheet {
                name: "低保花名册".into(),
                kind: SetSheetKind::Topic,
                grain: "household".into(),
                frequency: "年报".into(),
                departments: strings(&["民政"]),
                replaces: vec![0],
                purpose: "低保家庭的保障情况".into(),
                columns: vec![
                    col(0, "户主身份证号", None, true, true),
                    col(6, "家庭人口", None, false, false),
                    col(7, "保障金额（元）", None, false, true),
                ],
            },
            SetSheet {
                name: "残疾人补贴名册".into(),
                kind: SetSheetKind::Topic,
                grain: "person".into(),
                frequency: "季报".into(),
                departments: strings(&["残联"]),
                replaces: vec![1],
                purpose: "残疾人两项补贴".into(),
                columns: vec![
                    col(0, "公民身份号码", None, true, true),
                    col(4, "残疾类别", None, false, true),
                    col(8, "发证日期", None, false, false),
                    col(9, "承包地面积（亩）", None, false, false),
                ],
            },
        ];
        let row = |label: &str, forms, before, cells, sheets, after| BurdenRow {
            label: label.into(),
            forms_before: forms,
            fields_before: before,
            header_cells_before: cells,
            sheets_after: sheets,
            fields_after: after,
        };
        // The fields above name their canonical field by index (`#n`); the model uses ids.
        let mut sources = vec![dibao, canlian];
        for f in sources.iter_mut().flat_map(|s| s.fields.iter_mut()) {
            if let Some(i) = f.canonical.as_deref().and_then(|c| c.strip_prefix('#')) {
                let i: usize = i.parse().expect("index");
                f.canonical = Some(canonical[i].id.clone());
            }
        }
        FormSet {
            title: "青山县2025年村级综合报表".into(),
            sources,
            canonical,
            sheets,
            burden: Burden {
                by_grain: vec![
                    row("household", 1, 5, 7, 1, 3),
                    row("person", 1, 8, 11, 2, 8),
                ],
                by_department: vec![row("民政", 1, 5, 7, 2, 5), row("残联", 1, 8, 11, 2, 9)],
                total: row("", 2, 13, 18, 3, 11),
                overlap: OverlapMatrix {
                    departments: strings(&["民政", "残联"]),
                    counts: vec![vec![5, 2], vec![2, 8]],
                },
            },
        }
    }

    /// The written workbook, reopened two ways: calamine for cells, the zip for the XML that
    /// calamine does not expose (validations, panes, visibility).
    struct Opened {
        book: Xlsx<Cursor<Vec<u8>>>,
        zip: zip::ZipArchive<Cursor<Vec<u8>>>,
    }

    impl Opened {
        fn new(set: &FormSet, lang: Lang) -> Opened {
            let bytes = to_xlsx(set, lang).unwrap();
            Opened {
                book: open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap(),
                zip: zip::ZipArchive::new(Cursor::new(bytes)).unwrap(),
            }
        }

        fn part(&mut self, name: &str) -> String {
            let mut text = String::new();
            self.zip
                .by_name(name)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        }

        /// The XML of the `n`th sheet (1-based, workbook order).
        fn sheet_xml(&mut self, n: usize) -> String {
            self.part(&format!("xl/worksheets/sheet{n}.xml"))
        }

        fn cell(&mut self, sheet: &str, a1: &str) -> String {
            let range = self.book.worksheet_range(sheet).unwrap();
            let (row, col) = parse_a1(a1);
            match range.get_value((row, col)) {
                Some(Data::String(s)) => s.clone(),
                Some(Data::Float(f)) => f.to_string(),
                Some(Data::Int(i)) => i.to_string(),
                Some(Data::Empty) | None => String::new(),
                Some(other) => format!("{other:?}"),
            }
        }
    }

    fn parse_a1(a1: &str) -> (u32, u32) {
        let letters: String = a1.chars().take_while(char::is_ascii_alphabetic).collect();
        let digits = &a1[letters.len()..];
        let col = letters
            .bytes()
            .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1));
        (digits.parse::<u32>().unwrap() - 1, col - 1)
    }

    /// Data-driven cell check: (sheet, cell, expected text).
    #[track_caller]
    fn check(opened: &mut Opened, cases: &[(&str, &str, &str)]) {
        for (sheet, a1, expected) in cases {
            assert_eq!(opened.cell(sheet, a1), *expected, "{sheet}!{a1}");
        }
    }

    #[test]
    fn neutralise_prefixes_formula_starts_only() {
        let cases = [
            ("=SUM(1)", "'=SUM(1)"),
            ("+86 138", "'+86 138"),
            ("-", "'-"),
            ("@user", "'@user"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("＝SUM(1)", "'＝SUM(1)"),
            ("＋1", "'＋1"),
            ("－1", "'－1"),
            ("＠x", "'＠x"),
            ("姓名", "姓名"),
            ("a=b", "a=b"),
            ("", ""),
            (" =x", " =x"),
        ];
        for (input, expected) in cases {
            assert_eq!(neutralise(input), expected, "{input:?}");
        }
        assert!(matches!(neutralise("姓名"), Cow::Borrowed(_)));
    }

    #[test]
    fn sheet_names_are_made_safe_and_unique() {
        let mut used = HashSet::new();
        let long = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三";
        let cases = [
            ("人员基本信息", "人员基本信息"),
            ("人员基本信息", "人员基本信息(2)"),
            ("人员基本信息", "人员基本信息(3)"),
            ("低保/特困[2025]:名单?*\\", "低保／特困［2025］：名单？＊＼"),
            ("'引号'", "引号"),
            ("''", "表"),
            ("", "表(2)"),
            ("Sheet", "Sheet"),
            ("SHEET", "SHEET(2)"),
            ("History", "History(2)"),
            ("制\u{0}表", "制表"),
            (
                long,
                "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一",
            ),
            (
                long,
                "一二三四五六七八九十一二三四五六七八九十一二三四五六七八(2)",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(safe_sheet_name(input, &mut used), expected, "{input:?}");
        }
        // Characters outside the BMP count two units in Excel's limit and are never split.
        let wide = "𠀀".repeat(20);
        let got = safe_sheet_name(&wide, &mut used);
        assert_eq!(got, "𠀀".repeat(15));
        // Truncation exposing an apostrophe at the end removes it too.
        let got = safe_sheet_name(&format!("{}'x", "a".repeat(30)), &mut used);
        assert_eq!(got, "a".repeat(30));
    }

    #[test]
    fn widths_count_cjk_as_two() {
        assert_eq!(display_width("姓名"), 4);
        assert_eq!(display_width("承包地面积（亩）"), 16);
        assert_eq!(display_width("ID 号"), 5);
        assert_eq!(display_width("第一行\nab"), 6);
        assert_eq!(fit_width(0), MIN_WIDTH);
        assert_eq!(fit_width(100), MAX_WIDTH);
        assert_eq!(wrapped_lines(&[30], 16), 2);
        assert_eq!(wrapped_lines(&[4, 4], 16), 2);
    }

    #[test]
    fn inline_lists_stop_at_255_and_commas() {
        assert!(fits_inline(&strings(&["是", "否"])));
        // 161 Chinese characters and 55 commas: 216 characters, counted as 377.
        assert!(!fits_inline(&strings(&NATIONS)));
        assert!(fits_inline(&strings(&[
            "视力", "听力", "言语", "肢体", "智力", "精神", "多重"
        ])));
        assert!(fits_inline(&vec!["汉字".to_string(); 51]));
        assert!(!fits_inline(&vec!["汉字".to_string(); 52]));
        assert!(!fits_inline(&strings(&["一,二", "三"])));
        // 127 one-unit values and 126 commas: 253; 128 values: 255; 129: 257.
        assert!(fits_inline(&vec!["a".to_string(); 128]));
        assert!(!fits_inline(&vec!["a".to_string(); 129]));
        // Quotes are doubled when written, so they count twice.
        assert!(!fits_inline(&[format!("{}\"", "a".repeat(254))]));
    }

    #[test]
    fn workbook_has_every_sheet_in_order() {
        let mut opened = Opened::new(&sample(), Lang::Zh);
        assert_eq!(
            opened.book.sheet_names(),
            strings(&[
                "目录",
                "填表说明",
                "人员基本信息",
                "低保花名册",
                "残疾人补贴名册",
                "字段对照表",
                "重叠矩阵",
                "_lists",
            ])
        );
        let hidden: Vec<String> = opened
            .book
            .sheets_metadata()
            .iter()
            .filter(|s| s.visible != SheetVisible::Visible)
            .map(|s| s.name.clone())
            .collect();
        assert_eq!(hidden, ["_lists"]);
        let workbook = opened.part("xl/workbook.xml");
        assert!(workbook.contains(r#"<sheet name="_lists" sheetId="8" state="hidden""#));
        // Title and header rows repeat on every printed page of every set sheet.
        assert!(workbook.contains("_xlnm.Print_Titles"));
        assert!(workbook.contains(r#"localSheetId="2">人员基本信息!$1:$3<"#));
        assert!(workbook.contains(r#"localSheetId="3">低保花名册!$1:$2<"#));
    }

    #[test]
    fn set_sheets_have_their_headers_in_place() {
        let mut opened = Opened::new(&sample(), Lang::Zh);
        check(
            &mut opened,
            &[
                // A base table with groups: two header rows.
                ("人员基本信息", "A1", "人员基本信息"),
                ("人员基本信息", "A2", "序号"),
                ("人员基本信息", "B2", "*姓名"),
                ("人员基本信息", "C2", "*公民身份号码"),
                ("人员基本信息", "D2", "基本情况"),
                ("人员基本信息", "D3", "民族"),
                ("人员基本信息", "E3", "是否享受低保"),
                ("人员基本信息", "F2", "联系方式"),
                ("人员基本信息", "F3", "联系电话"),
                ("人员基本信息", "A4", ""),
                // A topic sheet without groups: one header row.
                ("低保花名册", "A2", "序号"),
                ("低保花名册", "B2", "*户主身份证号"),
                ("低保花名册", "C2", "家庭人口"),
                ("低保花名册", "D2", "*保障金额（元）"),
                ("低保花名册", "A3", ""),
                ("残疾人补贴名册", "E2", "承包地面积（亩）"),
                // Hidden list: the 56 nations in one column.
                ("_lists", "A1", "汉族"),
                ("_lists", "A56", "基诺族"),
            ],
        );
        let xml = opened.sheet_xml(3);
        for merge in ["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:E2"] {
            assert!(
                xml.contains(&format!(r#"<mergeCell ref="{merge}"/>"#)),
                "{merge}"
            );
        }
        // A one-column group is a single cell, not a merge.
        assert!(!xml.contains(r#"ref="F2:F2""#));
        assert!(xml.contains(r#"<pane xSplit="1" ySplit="3" topLeftCell="B4" activePane="bottomRight" state="frozen"/>"#));
        assert!(xml.contains(r#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape""#));
        let topic = opened.sheet_xml(4);
        assert!(topic.contains(r#"ySplit="2" topLeftCell="B3""#));
        assert!(!topic.contains("<mergeCell ref=\"A2"));
    }

    #[test]
    fn long_headers_get_taller_rows() {
        let mut set = sample();
        // 60 display columns in a column at most 40 wide: two lines in the leaf row.
        set.sheets[0].columns[2].header = "民族".repeat(15);
        let mut opened = Opened::new(&set, Lang::Zh);
        let xml = opened.sheet_xml(3);
        assert!(
            xml.contains(r#"<row r="3" spans="1:6" ht="36" customHeight="1">"#),
            "{xml}"
        );
        // A two-row block's spanning leaves get the second row for free.
        let mut set = sample();
        set.sheets[0].columns[0].header = "姓名".repeat(15);
        let mut opened = Opened::new(&set, Lang::Zh);
        assert!(!opened
            .sheet_xml(3)
            .contains(r#"<row r="3" spans="1:6" ht="#));
    }

    #[test]
    fn set_sheets_validate_by_type() {
        let mut opened = Opened::new(&sample(), Lang::Zh);
        let base = opened.sheet_xml(3);
        let expected = [
            // ID number C: exactly 18 characters, with a Chinese prompt.
            r#"<dataValidation type="textLength" operator="equal" allowBlank="1" showInputMessage="1" showErrorMessage="1" errorTitle="公民身份号码" error="公民身份号码应为18位，请检查是否多填或漏填" promptTitle="公民身份号码" prompt="公民身份号码应为18位，请按文本格式填写" sqref="C4:C10003"><formula1>18</formula1>"#,
            // 民族 D: 56 names are too long to inline; they live on the hidden sheet.
            r#"sqref="D4:D10003"><formula1>'_lists'!$A$1:$A$56</formula1>"#,
            // 是否享受低保 E: yes/no without values gets 是/否 inline.
            r#"sqref="E4:E10003"><formula1>"是,否"</formula1>"#,
            // Phone F: 7 to 13 characters.
            r#"type="textLength" allowBlank="1""#,
            r#"sqref="F4:F10003"><formula1>7</formula1><formula2>13</formula2>"#,
        ];
        for fragment in expected {
            assert!(base.contains(fragment), "{fragment}\n{base}");
        }
        // 姓名 (text) has no validation.
        assert!(!base.contains("sqref=\"B4"));
        let dibao = opened.sheet_xml(4);
        assert!(dibao.contains(r#"<dataValidation type="whole" operator="greaterThanOrEqual""#));
        assert!(dibao.contains(r#"<dataValidation type="decimal" operator="greaterThanOrEqual""#));
        let canlian = opened.sheet_xml(5);
        assert!(canlian.contains(
            r#"sqref="C3:C10002"><formula1>"视力,听力,言语,肢体,智力,精神,多重"</formula1>"#
        ));
        assert!(canlian.contains(r#"<dataValidation type="date" allowBlank="1""#));
        assert!(canlian.contains(r#"<formula1>1</formula1><formula2>73415</formula2>"#));
        // ID and phone columns are text, date columns show year-month-day.
        let styles = opened.part("xl/styles.xml");
        assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#));
        assert!(styles.contains(r#"<xf numFmtId="49""#));
        assert!(base.contains(r#"<col min="3" max="3" width="20.7109375" style="#));
    }

    #[test]
    fn catalog_lists_sheets_forms_and_burden() {
        let mut opened = Opened::new(&sample(), Lang::Zh);
        check(
            &mut opened,
            &[
                ("目录", "A1", "青山县2025年村级综合报表"),
                ("目录", "A5", "序号"),
                ("目录", "B5", "表名"),
                ("目录", "I5", "用途"),
                ("目录", "A6", "1"),
                ("目录", "B6", "人员基本信息"),
                ("目录", "C6", "基础表"),
                ("目录", "D6", "每人一行"),
                ("目录", "F6", "民政、残联"),
                ("目录", "H6", "5"),
                ("目录", "C7", "专题表"),
                ("目录", "D7", "每户一行"),
                ("目录", "G7", "低保花名册"),
                ("目录", "G8", "残疾人两项补贴名册"),
                // Original forms: 低保花名册 now lives in the base table and its topic sheet.
                ("目录", "A11", "序号"),
                ("目录", "C12", "低保花名册"),
                ("目录", "E12", "5"),
                ("目录", "F12", "人员基本信息、低保花名册"),
                ("目录", "F13", "人员基本信息、残疾人补贴名册"),
                // Burden.
                ("目录", "A16", "口径"),
                ("目录", "B17", "农户"),
                ("目录", "B19", "民政"),
                ("目录", "A21", "合计"),
                ("目录", "D21", "13"),
                ("目录", "G21", "11"),
            ],
        );
        let catalog = opened.sheet_xml(1);
        assert!(catalog.contains(r#"location="'人员基本信息'!A1""#));
        assert!(catalog.contains(r#"location="'残疾人补贴名册'!A1""#));
        let range = opened.book.worksheet_range("目录").unwrap();
        match range.get_value((20, 7)) {
            Some(Data::Float(f)) => assert!((f - 2.0 / 13.0).abs() < 1e-9),
            other => panic!("reduction: {other:?}"),
        }
    }

    #[test]
    fn crosswalk_lists_every_source_field_once() {
        let set = sample();
        let mut opened = Opened::new(&set, Lang::Zh);
        let range = opened.book.worksheet_range("字段对照表").unwrap();
        let source_fields: usize = set.sources.iter().map(|s| s.fields.len()).sum();
        let rows: Vec<Vec<String>> = range
            .rows()
            .skip(2)
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows.len(), source_fields);
        let mut places = HashSet::new();
        for row in &rows {
            assert!(
                places.insert((row[7].clone(), row[9].clone())),
                "twice: {row:?}"
            );
        }
        check(
            &mut opened,
            &[
                ("字段对照表", "A2", "统一字段"),
                ("字段对照表", "L2", "说明"),
                // The ID number sits in three sheets.
                ("字段对照表", "A3", "公民身份号码"),
                ("字段对照表", "C3", "身份证号"),
                (
                    "字段对照表",
                    "D3",
                    "人员基本信息，低保花名册，残疾人补贴名册",
                ),
                ("字段对照表", "E3", "C，B，B"),
                ("字段对照表", "F3", "民政"),
                ("字段对照表", "I3", "户主身份证号"),
                ("字段对照表", "J3", "C"),
                ("字段对照表", "I4", "基本情况 / 身份证号"),
                ("字段对照表", "K3", "0.9"),
            ],
        );
        // The dropped field, whose reason looks like a formula: still text, prefixed.
        let dropped = rows.iter().find(|r| r[0] == "曾用名").unwrap();
        assert_eq!(dropped[3], "（已取消）");
        assert_eq!(dropped[11], "'=SUM(1)");
        // Structural columns come last, once each.
        let structural: Vec<&Vec<String>> =
            rows.iter().filter(|r| r[3] == "（各表自带）").collect();
        assert_eq!(structural.len(), 3);
        assert_eq!(structural[0][8], "序号");
        // Nothing anywhere is a formula.
        for n in 1..=8 {
            let xml = opened.sheet_xml(n);
            assert!(!xml.contains("<f>"), "sheet{n}.xml holds a formula");
        }
    }

    #[test]
    fn overlap_and_instructions() {
        let mut opened = Opened::new(&sample(), Lang::Zh);
        check(
            &mut opened,
            &[
                ("重叠矩阵", "A2", "部门"),
                ("重叠矩阵", "B2", "民政"),
                ("重叠矩阵", "A4", "残联"),
                ("重叠矩阵", "B4", "2"),
                ("重叠矩阵", "C4", "8"),
                ("填表说明", "A1", "填表说明"),
                ("填表说明", "A3", "1."),
                ("填表说明", "B4", "每张表每一行填什么："),
                ("填表说明", "B5", "• 「人员基本信息」：每人一行"),
            ],
        );
        let range = opened.book.worksheet_range("填表说明").unwrap();
        let text: Vec<String> = range.rows().map(|r| r[1].to_string()).collect();
        assert!(text.contains(&"• 「人员基本信息」的关键列：姓名、公民身份号码".to_string()));
        assert!(text.contains(
            &"• 「低保花名册」按“户主身份证号”与「人员基本信息」对应，两张表中这些列要填得完全一致"
                .to_string()
        ));
    }

    #[test]
    fn english_labels_keep_chinese_forms() {
        let mut opened = Opened::new(&sample(), Lang::En);
        assert_eq!(
            opened.book.sheet_names()[..3],
            strings(&["Catalog", "How to fill", "人员基本信息"])[..]
        );
        assert!(opened.book.sheet_names().contains(&"Crosswalk".to_string()));
        assert!(opened.book.sheet_names().contains(&"Overlap".to_string()));
        check(
            &mut opened,
            &[
                ("Catalog", "B5", "Sheet"),
                ("Catalog", "D6", "one row per person"),
                ("人员基本信息", "A2", "序号"),
                ("Crosswalk", "C3", "ID number"),
            ],
        );
    }

    #[test]
    fn same_set_same_bytes() {
        let set = sample();
        assert_eq!(
            to_xlsx(&set, Lang::Zh).unwrap(),
            to_xlsx(&set, Lang::Zh).unwrap()
        );
    }

    #[test]
    fn a_set_sheet_named_like_a_fixed_sheet_is_renamed_everywhere() {
        let mut set = sample();
        set.sheets[1].name = "目录".into();
        set.sheets[2].name = "残疾人/补贴:名册".into();
        let mut opened = Opened::new(&set, Lang::Zh);
        let names = opened.book.sheet_names();
        assert_eq!(names[3], "目录(2)");
        assert_eq!(names[4], "残疾人／补贴：名册");
        check(
            &mut opened,
            &[
                ("目录", "B7", "目录(2)"),
                ("目录(2)", "A1", "目录(2)"),
                (
                    "字段对照表",
                    "D3",
                    "人员基本信息，目录(2)，残疾人／补贴：名册",
                ),
            ],
        );
        assert!(opened.sheet_xml(1).contains(r#"location="'目录(2)'!A1""#));
    }

    #[test]
    fn empty_and_degenerate_sets_still_write() {
        // Nothing at all.
        let opened = Opened::new(&FormSet::default(), Lang::Zh);
        assert_eq!(
            opened.book.sheet_names(),
            strings(&["目录", "填表说明", "字段对照表", "重叠矩阵"])
        );
        // A sheet with no columns (title in one cell) and short lists only (no list sheet).
        let mut set = sample();
        set.sheets[0].columns.clear();
        set.sheets[2].columns.clear();
        let mut opened = Opened::new(&set, Lang::Zh);
        assert!(!opened.book.sheet_names().contains(&"_lists".to_string()));
        check(
            &mut opened,
            &[
                ("人员基本信息", "A1", "人员基本信息"),
                ("人员基本信息", "A2", "序号"),
            ],
        );
    }

    #[test]
    fn refuses_what_does_not_fit_or_contradicts_itself() {
        let mut set = sample();
        set.sheets[1].columns = vec![col(6, "家庭人口", None, false, false); MAX_COLUMNS];
        let err = to_xlsx(&set, Lang::Zh).unwrap_err();
        assert_eq!(
            err,
            WriteError::TooManyColumns {
                sheet: "低保花名册".into()
            }
        );
        // One column fewer fits (序号 plus 16,383).
        set.sheets[1].columns.pop();
        let got = to_xlsx(&set, Lang::Zh);
        assert!(got.is_ok(), "{got:?}");

        let cases: [fn(&mut FormSet); 4] = [
            |s| s.sheets[0].columns[0].canonical = 99,
            |s| s.canonical[0].members.push([5, 0]),
            |s| s.sources[0].fields[1].canonical = Some("nope".into()),
            |s| s.sheets[0].replaces.push(7),
        ];
        for break_it in cases {
            let mut set = sample();
            break_it(&mut set);
            let err = to_xlsx(&set, Lang::Zh).unwrap_err();
            assert_eq!(err.code(), "inconsistent_plan", "{err:?}");
        }
    }
}
