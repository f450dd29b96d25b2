//! Layout: one sheet's cell grid → the forms on it (title, reporter lines, notes, header
//! block, unit and code rows, data rows, footer) — or the verdict that the sheet holds no form
//! (a dropdown dictionary, instructions, or nothing).
//!
//! Real county sheets put one to three title and reporter lines above the table, sometimes a
//! note (`注：…`) above the header, a header block of one to four rows with merged group cells,
//! then an optional unit row and a column-number row. Detection never fails: it returns what
//! it found and, where it had to guess, a [`Warning`] with the reason.
//!
//! Not every form is a column table. Layout grows by [`Shape`], one module each behind the one
//! [`detect`]: [`roster`] (the column table), [`card`] (a single-record form of labels beside
//! value cells), [`indicator`] (items down a column, values to the right) and
//! [`questionnaire`] (items × options). A shape other than the roster claims a sheet only on
//! its own evidence; everything else is read as rosters.

use std::collections::HashSet;

use crate::read::{Grid, ListSource, Rect, Sheet, Value, Workbook};
use crate::text::norm_space;
use crate::warning::Warning;

pub mod card;
pub mod indicator;
pub mod questionnaire;
pub mod roster;

pub use roster::detect_with_header;

/// What a sheet holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetKind {
    /// One or more forms (tables to fill).
    Form,
    /// Lists for dropdowns (`字典`, `type` sheets).
    Dictionary,
    /// Instructions for filling (`填表说明`).
    Instructions,
    /// Nothing at all.
    Empty,
}

impl SheetKind {
    /// The name used in JSON: `form`, `dictionary`, `instructions`, `empty`.
    pub fn name(self) -> &'static str {
        match self {
            SheetKind::Form => "form",
            SheetKind::Dictionary => "dictionary",
            SheetKind::Instructions => "instructions",
            SheetKind::Empty => "empty",
        }
    }
}

/// How a form lays out its fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    /// A column table: a header block over one row per record.
    #[default]
    Roster,
    /// A single-record form: label cells beside (or above) their value cells.
    Card,
    /// Items down a column (指标名称, often with 代码 and 计量单位), values to the right.
    Indicator,
    /// Items down a column × options across (好/较好/一般/差), one tick per item.
    Questionnaire,
}

impl Shape {
    /// The name used in JSON: `roster`, `card`, `indicator`, `questionnaire`.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Roster => "roster",
            Shape::Card => "card",
            Shape::Indicator => "indicator",
            Shape::Questionnaire => "questionnaire",
        }
    }
}

impl Shape {
    /// Every shape, in the order a person is offered them.
    pub const ALL: [Shape; 4] = [
        Shape::Roster,
        Shape::Card,
        Shape::Indicator,
        Shape::Questionnaire,
    ];

    /// The shape of a JSON name ([`Shape::name`]).
    pub fn from_name(name: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The forms on a sheet read as the shape a person chose, each shape's detector asked even
/// where its own evidence would be too thin to claim the sheet (a card of one label). For a
/// roster, `header` (first and last row, 0-based) is the header block chosen with it. Empty
/// when the chosen shape finds nothing on the sheet.
pub fn detect_as(sheet: &Sheet, shape: Shape, header: Option<(u32, u32)>) -> Vec<Form> {
    let grid = &sheet.grid;
    let merges = Merges::new(&sheet.merges);
    let forms = match shape {
        Shape::Roster => {
            return match header {
                Some(h) => roster::detect_with_header(sheet, h).into_iter().collect(),
                None => roster::detect_forms(grid, &merges),
            };
        }
        Shape::Card => card::detect_chosen(grid, &merges),
        Shape::Indicator => {
            indicator::detect(grid, &merges, &roster::detect_forms_from(grid, &merges, 0))
        }
        Shape::Questionnaire => questionnaire::detect(grid, &merges),
    };
    let mut forms = forms.unwrap_or_default();
    // A person's choice is not a guess: no "only judged from N labels" warning on it.
    for f in &mut forms {
        f.warnings
            .retain(|w| !matches!(w, Warning::ShapeUncertain { .. }));
    }
    forms
}

/// One labelled item of a card, indicator or questionnaire form: it becomes one field.
/// Rows and columns are 0-based.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Item {
    /// The label as written (trimmed; an indicator's leading number removed).
    pub label: String,
    /// The section heading the item sits under (`一、基本情况`), if any.
    pub section: Option<String>,
    /// The label's cell.
    pub label_cell: (u32, u32),
    /// The cell its value goes in, if one was found.
    pub value_cell: Option<(u32, u32)>,
    /// The unit (an indicator's 计量单位 column, or the label's own `（元）`).
    pub unit: Option<String>,
    /// The item's code (an indicator's 代码 column).
    pub code: Option<String>,
    /// The options to tick (a questionnaire's 好/较好/一般/差).
    pub options: Vec<String>,
    /// A signature or sign-off line (填表人：, 单位负责人, 申请人签名): found as a field, but
    /// filled on paper, like a roster's 序号 — structure, not data.
    pub structural: bool,
}

/// The text with every template placeholder (`${bank}`) taken out.
pub(crate) fn without_placeholders(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        rest = match rest[i..].find('}') {
            Some(j) => &rest[i + j + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// True when the text holds a template engine's slot for a value (`${data.khmc}`,
/// `日期：${date}`, `#{name}`).
pub(crate) fn has_placeholder(t: &str) -> bool {
    (t.contains("${") || t.contains("#{")) && t.contains('}')
}

/// A cell's text without any white space (labels are padded: `姓　　名`).
pub(crate) fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The layout of one form on a sheet. Rows and columns are 0-based.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Form {
    /// How the form lays out its fields.
    pub shape: Shape,
    /// The labelled items of a card, indicator or questionnaire (empty for a roster, whose
    /// fields are its header block's leaf columns).
    pub items: Vec<Item>,
    /// The form's title, as written.
    pub title: Option<String>,
    /// Rows holding the title (and subtitles).
    pub title_rows: Vec<u32>,
    /// Reporter lines: 填报单位：… 填报人：… 填报日期：…
    pub meta_rows: Vec<u32>,
    /// Note rows above the header or below the data: 注：… 说明：…
    pub note_rows: Vec<u32>,
    /// The header block, top to bottom.
    pub header_rows: Vec<u32>,
    /// The row of units (个/户/人/亩), if any.
    pub unit_row: Option<u32>,
    /// The row of column numbers (1, 2, 3… / 甲 乙 / A B C), if any.
    pub code_row: Option<u32>,
    /// First and last data row, if the form has data.
    pub data_rows: Option<(u32, u32)>,
    /// Rows after the data: totals, signatures, notes.
    pub footer_rows: Vec<u32>,
    /// First column of the table.
    pub first_col: u32,
    /// Last column of the table.
    pub last_col: u32,
    /// A unit declared for the whole table (`单位：元`), if any.
    pub table_unit: Option<String>,
    /// Where detection had to guess, with the reason.
    pub warnings: Vec<Warning>,
}

/// The layout of one sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetLayout {
    /// What the sheet holds.
    pub kind: SheetKind,
    /// The forms on it (empty unless `kind` is [`SheetKind::Form`]).
    pub forms: Vec<Form>,
}

/// Merged regions of a sheet, indexed for lookups by cell.
pub struct Merges<'a> {
    rects: &'a [Rect],
}

impl<'a> Merges<'a> {
    /// Wraps the merged regions of a sheet.
    pub fn new(rects: &'a [Rect]) -> Merges<'a> {
        Merges { rects }
    }

    /// The merged region covering a cell, if any.
    pub fn at(&self, row: u32, col: u32) -> Option<&'a Rect> {
        self.rects.iter().find(|m| m.contains(row, col))
    }

    /// The regions whose top row is `row`.
    pub fn starting_in(&self, row: u32) -> impl Iterator<Item = &'a Rect> {
        self.rects.iter().filter(move |m| m.top == row)
    }
}

/// A cell as seen through merges: the value of a merged region's top-left cell.
pub fn merged_value<'g>(grid: &'g Grid, merges: &Merges<'_>, row: u32, col: u32) -> &'g Value {
    match merges.at(row, col) {
        Some(m) => grid.get(m.top, m.left),
        None => grid.get(row, col),
    }
}

/// The distinct non-blank cells of a row (a merged region counts once, at its left-most
/// column), with their text.
pub(crate) fn row_cells(grid: &Grid, merges: &Merges<'_>, row: u32) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (c, v) in grid.row(row).iter().enumerate() {
        if v.is_blank() {
            continue;
        }
        let c = c as u32;
        if let Some(m) = merges.at(row, c) {
            if (m.top, m.left) != (row, c) {
                continue;
            }
        }
        out.push((c, v.text().trim().to_string()));
    }
    out
}

/// The texts of a row's cells joined into one line, as a person reads a merged note.
pub(crate) fn row_text(cells: &[(u32, String)]) -> String {
    cells
        .iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sheets other sheets' list validations point at.
pub fn referenced_sheets(workbook: &Workbook) -> HashSet<String> {
    workbook
        .sheets
        .iter()
        .flat_map(|s| &s.validations)
        .filter_map(|v| match &v.source {
            ListSource::Range {
                sheet: Some(name), ..
            } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// Data rows under a table's header that make it a roster before any card is looked for.
const ROSTER_DATA_ROWS: u32 = 8;

/// A cell that holds a value, not a label: a number, a date, or text that looks like data (an
/// ID number, a phone, an amount written as text).
pub(crate) fn is_value(v: &Value) -> bool {
    match v {
        Value::Number(_) | Value::Date(_) => true,
        Value::Text(t) => crate::text::looks_like_data(t),
        _ => false,
    }
}

/// Whether a table has [`ROSTER_DATA_ROWS`] rows of values ([`is_value`]) under its header,
/// three in a row (a card's labels are not values). Numbers and dates are counted before any
/// text is looked at.
fn rows_of_values(grid: &Grid, form: &Form) -> bool {
    let Some((a, b)) = form.data_rows else {
        return false;
    };
    let row_of_values = |r: u32| {
        let row = grid.row(r);
        let plain = row
            .iter()
            .filter(|v| matches!(v, Value::Number(_) | Value::Date(_)))
            .take(3)
            .count();
        plain >= 3
            || row
                .iter()
                .filter(|v| matches!(v, Value::Text(_)) && is_value(v))
                .take(3 - plain)
                .count()
                == 3 - plain
    };
    (a..=b.min(a + 2 * ROSTER_DATA_ROWS))
        .filter(|&r| row_of_values(r))
        .nth(ROSTER_DATA_ROWS as usize - 1)
        .is_some()
}

/// Detects what a sheet holds and the forms on it.
/// `referenced` is the set of sheet names other sheets' dropdowns read from.
pub fn detect(sheet: &Sheet, referenced: &HashSet<String>) -> SheetLayout {
    let grid = &sheet.grid;
    if grid.is_empty() || (0..grid.height()).all(|r| grid.row(r).iter().all(Value::is_blank)) {
        return SheetLayout {
            kind: SheetKind::Empty,
            forms: Vec::new(),
        };
    }
    if referenced.contains(&sheet.name) || is_dictionary_name(&sheet.name) {
        return SheetLayout {
            kind: SheetKind::Dictionary,
            forms: Vec::new(),
        };
    }
    if is_instructions_name(&sheet.name) {
        return SheetLayout {
            kind: SheetKind::Instructions,
            forms: Vec::new(),
        };
    }
    let merges = Merges::new(&sheet.merges);
    // Shapes other than the column table claim a sheet only on their own evidence; what none
    // claims is read as rosters, exactly as before shapes were told apart.
    // The column tables are read once: the indicator detector reads its header block as they do.
    let from_top = roster::detect_forms_from(grid, &merges, 0);
    // A table over rows of data is what the sheet is: a card is a page of labels and slots
    // (its tables blank), a questionnaire's items are ticked, not filled with figures, and most
    // sheets are long rosters, not worth looking at as either. (An indicator report's items do
    // hold figures: it is looked for all the same.)
    let over_data = from_top.iter().any(|f| rows_of_values(grid, f));
    let shaped = indicator::detect(grid, &merges, &from_top).or_else(|| {
        if over_data {
            None
        } else {
            questionnaire::detect(grid, &merges)
        }
    });
    if let Some(forms) = shaped {
        return SheetLayout {
            kind: SheetKind::Form,
            forms,
        };
    }
    let forms = roster::tables_of(from_top);
    if !over_data {
        if let Some(forms) = card::detect(grid, &merges) {
            return SheetLayout {
                kind: SheetKind::Form,
                forms,
            };
        }
    }
    if forms.is_empty() || (forms.len() == 1 && looks_like_dictionary(grid, &forms[0])) {
        // No table: a small card of a few labels, or else lists or instructions.
        if let Some(forms) = card::detect_small(grid, &merges) {
            return SheetLayout {
                kind: SheetKind::Form,
                forms,
            };
        }
    }
    if forms.is_empty() || (forms.len() == 1 && looks_like_dictionary(grid, &forms[0])) {
        let kind = if mostly_long_text(grid) {
            SheetKind::Instructions
        } else {
            SheetKind::Dictionary
        };
        return SheetLayout {
            kind,
            forms: Vec::new(),
        };
    }
    SheetLayout {
        kind: SheetKind::Form,
        forms,
    }
}

fn is_dictionary_name(name: &str) -> bool {
    let n = name.trim().to_lowercase();
    [
        "字典",
        "下拉",
        "数据源",
        "选项",
        "代码表",
        "枚举",
        "数据有效性",
        "序列",
    ]
    .iter()
    .any(|k| n.contains(k))
        || [
            "type",
            "list",
            "lists",
            "dict",
            "dictionary",
            "dropdown",
            "hidden",
        ]
        .contains(&n.as_str())
}

fn is_instructions_name(name: &str) -> bool {
    let n = name.trim().to_lowercase();
    [
        "说明",
        "注意事项",
        "须知",
        "指标解释",
        "readme",
        "instructions",
    ]
    .iter()
    .any(|k| n.contains(k))
}

/// Long text that reads as sentences (filling notes), not as a long list of entries. A code
/// list (`430102450000-长沙市公安局芙蓉分局韭菜园派出所` × 2,000) is long text too, but its
/// entries have no sentence punctuation and there are many of them.
fn mostly_long_text(grid: &Grid) -> bool {
    let texts: Vec<String> = (0..grid.height())
        .flat_map(|r| grid.row(r).iter())
        .filter(|v| !v.is_blank())
        .map(|v| v.text())
        .collect();
    if texts.is_empty() {
        return false;
    }
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    if chars / texts.len() <= 12 {
        return false;
    }
    let sentences = texts
        .iter()
        .filter(|t| t.contains(['。', '，', '；', '：', '！', '？', ',', ';', ':']))
        .count();
    texts.len() < 20 || sentences * 5 >= texts.len()
}

/// A "form" whose header is the first row, with no title, whose columns end at very different
/// rows and hold only short text, is a set of dropdown lists.
fn looks_like_dictionary(grid: &Grid, form: &Form) -> bool {
    if form.header_rows.first() != Some(&0) || form.header_rows.len() != 1 {
        return false;
    }
    let Some((first, last)) = form.data_rows else {
        return false;
    };
    let mut ends = Vec::new();
    for c in form.first_col..=form.last_col {
        let mut end = None;
        for r in first..=last {
            let v = grid.get(r, c);
            if !v.is_blank() {
                if !matches!(v, Value::Text(t) if t.chars().count() <= 20)
                    && !matches!(v, Value::Number(_))
                {
                    return false;
                }
                end = Some(r);
            }
        }
        ends.push(end.unwrap_or(first));
    }
    let (min, max) = (ends.iter().min(), ends.iter().max());
    matches!((min, max), (Some(a), Some(b)) if b - a >= 2)
}

/// The unit a title or note line declares for the whole table: `单位：元`, `计量单位：万元`.
/// `填报单位：…` and similar are not units.
pub fn table_unit(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for i in 0..chars.len().saturating_sub(2) {
        if chars[i] == '单' && chars[i + 1] == '位' && matches!(chars[i + 2], '：' | ':') {
            let before = if i > 0 { Some(chars[i - 1]) } else { None };
            let ok = match before {
                None => true,
                Some(b) => {
                    b.is_whitespace()
                        || matches!(b, '（' | '(' | '，' | ',' | '；' | ';')
                        || (b == '量' && i >= 2 && chars[i - 2] == '计')
                }
            };
            if !ok {
                continue;
            }
            let rest: String = chars[i + 3..]
                .iter()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '）' | ')' | '；' | ';'))
                .collect();
            let rest = norm_space(&rest);
            if !rest.is_empty() {
                return Some(rest);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_unit_is_not_the_reporting_unit() {
        assert_eq!(table_unit("单位：万元"), Some("万元".into()));
        assert_eq!(table_unit("填报单位：　　乡（镇）"), None);
        assert_eq!(table_unit("表号：A304　计量单位：元"), Some("元".into()));
        assert_eq!(table_unit("统计单位：青山县"), None);
    }
}
