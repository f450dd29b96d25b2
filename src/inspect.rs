//! Inspect: the whole read pipeline for one file — read → layout → fields — as a report that
//! never fails. A file that cannot be read still gets a report, with its error.
//!
//! The report is what `yibiao inspect --json` prints; its shape is a stable interface that
//! later stages and outside checks read. Rows and columns in it are 1-based, as a person
//! counts them in Excel.

use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use crate::error::{Lang, ReadError, SheetError};
use crate::fields::{self, Dictionaries, Field};
use crate::layout::{self, SheetKind};
use crate::read::{self, col_letter, Limits, SheetNote, Workbook};
use crate::warning::Warning;

/// The report on a batch of files: `{"files": [...]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// One entry per file, in the order given.
    pub files: Vec<FileReport>,
}

/// What was found in one file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    /// The file name as given.
    pub file: String,
    /// The detected format (`xlsx`, `xls`, `ods`, `csv` …), or null when unreadable.
    pub format: Option<String>,
    /// The detected text encoding (CSV only).
    pub encoding: Option<String>,
    /// Why the file, or some of its sheets, could not be read.
    pub errors: Vec<Problem>,
    /// The sheets that were read, in tab order.
    pub sheets: Vec<SheetReport>,
}

/// An error or warning, with a stable code and messages in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Stable machine-readable code.
    pub code: String,
    /// The sheet concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The message in Chinese.
    pub message: String,
    /// The message in English.
    pub message_en: String,
}

/// One sheet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SheetReport {
    /// The sheet's name.
    pub sheet: String,
    /// `form`, `dictionary`, `instructions` or `empty`.
    pub kind: String,
    /// Hidden in the workbook.
    #[serde(default)]
    pub hidden: bool,
    /// The forms on the sheet.
    pub forms: Vec<FormReport>,
    /// Things about the sheet a person should know.
    #[serde(default)]
    pub warnings: Vec<Problem>,
}

/// One form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormReport {
    /// `roster`, `card`, `indicator` or `questionnaire`: how the form lays out its fields.
    #[serde(default = "roster_shape")]
    pub shape: String,
    /// The title, as written.
    pub title: Option<String>,
    /// Title rows (1-based).
    #[serde(default)]
    pub title_rows: Vec<u32>,
    /// The header block's rows (1-based).
    pub header_rows: Vec<u32>,
    /// The unit row (1-based), if any.
    pub unit_row: Option<u32>,
    /// The column-number row (1-based), if any.
    pub code_row: Option<u32>,
    /// First and last data row (1-based), if any.
    pub data_rows: Option<[u32; 2]>,
    /// Footer rows (1-based).
    #[serde(default)]
    pub footer_rows: Vec<u32>,
    /// `per_person`, `per_household`, `per_village`, `per_plot` or `unknown`.
    pub grain: String,
    /// Why that grain.
    #[serde(default)]
    pub grain_reason: String,
    /// Where detection was unsure, and data problems.
    pub warnings: Vec<Problem>,
    /// One per leaf column.
    pub fields: Vec<FieldReport>,
    /// What a filler sees around the data (title, reporter line, header block, footer), so
    /// the department's own layout can be written back with data (split).
    #[serde(default)]
    pub template: FormTemplate,
}

/// The cells of a form around its data, as text: everything above the first data row from
/// the form's title down (title, reporter line, header block, unit and code rows) and the
/// footer lines below the data. Never a data cell: no villager's data is kept here.
///
/// Rows and columns are 1-based, as in Excel.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormTemplate {
    /// Leftmost column of the form.
    pub first_col: u32,
    /// Rightmost column of the form.
    pub last_col: u32,
    /// Where the data starts.
    pub data_first_row: u32,
    /// The last data row the original had (`data_first_row - 1` when it had none).
    pub data_last_row: u32,
    /// Reporter lines (填报单位：…), where the village can be filled in.
    pub meta_rows: Vec<u32>,
    /// Non-empty cells above the data.
    pub cells: Vec<TemplateCell>,
    /// Merged areas above the data, `[top, left, bottom, right]`.
    pub merges: Vec<[u32; 4]>,
    /// Non-empty footer cells; their rows count from the last data row (1 = the row after it).
    pub footer: Vec<TemplateCell>,
    /// Merged footer areas, rows counted like [`FormTemplate::footer`].
    pub footer_merges: Vec<[u32; 4]>,
    /// Column widths in characters for `first_col..=last_col`, where the file sets them.
    pub widths: Vec<Option<f64>>,
}

/// One cell of a [`FormTemplate`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateCell {
    /// Row.
    pub row: u32,
    /// Column.
    pub col: u32,
    /// The text as shown.
    pub text: String,
    /// The original shows it in red (offices mark required columns this way).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub red: bool,
}

/// One field (leaf column).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldReport {
    /// 1-based column.
    pub column: u32,
    /// Column letters.
    pub column_letter: String,
    /// Header texts top-down, exactly as in the cells.
    pub header_path: Vec<String>,
    /// Normalised leaf name.
    pub name: String,
    /// Unit as written, if any.
    pub unit: Option<String>,
    /// `text`, `integer`, `decimal`, `date`, `id_number`, `phone`, `enum`, `yes_no`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Allowed values.
    pub enum_values: Vec<String>,
    /// Marked required.
    pub required: bool,
    /// `data` or `structural`.
    pub role: String,
    /// An item's label cell (A1): cards, indicators and questionnaires only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_cell: Option<String>,
    /// The cell an item's value goes in (A1), where one was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_cell: Option<String>,
    /// An indicator item's code, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// `roster`, the shape of forms in reports and project files from before shapes were told
/// apart.
pub fn roster_shape() -> String {
    layout::Shape::Roster.name().into()
}

impl Problem {
    fn from_read(e: &ReadError) -> Problem {
        Problem {
            code: e.code().into(),
            sheet: None,
            message: e.message(Lang::Zh),
            message_en: e.message(Lang::En),
        }
    }

    fn from_sheet(e: &SheetError) -> Problem {
        Problem {
            code: e.code().into(),
            sheet: Some(e.sheet.clone()),
            message: e.message(Lang::Zh),
            message_en: e.message(Lang::En),
        }
    }

    /// A warning as a report entry.
    pub fn from_warning(w: &Warning) -> Problem {
        Problem {
            code: w.code().into(),
            sheet: None,
            message: w.message(Lang::Zh),
            message_en: w.message(Lang::En),
        }
    }
}

/// Reads one file and reports its forms and fields. Never fails: errors are in the report.
pub fn inspect(name: &str, bytes: &[u8]) -> FileReport {
    inspect_with_limits(name, bytes, &Limits::default())
}

/// Like [`inspect`], with explicit limits.
pub fn inspect_with_limits(name: &str, bytes: &[u8], limits: &Limits) -> FileReport {
    match read::read_with_limits(name, bytes, limits) {
        Ok(wb) => report_workbook(name, &wb),
        Err(e) => error_report(name, &e),
    }
}

fn error_report(name: &str, e: &ReadError) -> FileReport {
    FileReport {
        file: name.to_string(),
        format: None,
        encoding: None,
        errors: vec![Problem::from_read(e)],
        sheets: Vec::new(),
    }
}

/// The forms of one sheet with their fields and warnings, in the stage's own types.
#[derive(Clone, Debug)]
pub struct SheetForms {
    /// What the sheet holds.
    pub kind: SheetKind,
    /// Each form with its fields, grain and warnings.
    pub forms: Vec<(layout::Form, Vec<Field>, fields::Grain)>,
    /// Warnings about the sheet as a whole (from the reader).
    pub warnings: Vec<Warning>,
}

/// A header block chosen by a person for one sheet: first and last row, 1-based.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderChoice {
    /// The sheet's name.
    pub sheet: String,
    /// First header row (1-based).
    pub first: u32,
    /// Last header row (1-based).
    pub last: u32,
    /// The form's shape as the person chose it (`roster`, `card`, `indicator`,
    /// `questionnaire`); `None`: as detected. The header rows apply to a roster only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
}

/// Runs layout detection and field extraction on every sheet of a workbook.
pub fn analyse(wb: &Workbook) -> Vec<SheetForms> {
    analyse_with(wb, &[])
}

/// Like [`analyse`], with header blocks chosen by a person for some sheets.
pub fn analyse_with(wb: &Workbook, choices: &[HeaderChoice]) -> Vec<SheetForms> {
    let referenced = layout::referenced_sheets(wb);
    let own_set = is_yibiao_form_set(wb);
    let layouts: Vec<layout::SheetLayout> = wb
        .sheets
        .iter()
        .map(|s| {
            if let Some(c) = choices.iter().find(|c| c.sheet == s.name) {
                let header = (c.first.max(1) - 1, c.last.max(1) - 1);
                let shape = c.shape.as_deref().and_then(layout::Shape::from_name);
                let forms = match shape {
                    Some(layout::Shape::Roster) | None => {
                        layout::detect_as(s, layout::Shape::Roster, Some(header))
                    }
                    Some(shape) => layout::detect_as(s, shape, None),
                };
                return layout::SheetLayout {
                    kind: SheetKind::Form,
                    forms,
                };
            }
            match own_set.then(|| support_sheet_kind(&s.name)).flatten() {
                Some(kind) => layout::SheetLayout {
                    kind,
                    forms: Vec::new(),
                },
                None => layout::detect(s, &referenced),
            }
        })
        .collect();
    let dictionaries = Dictionaries::from_sheets(
        wb.sheets
            .iter()
            .zip(&layouts)
            .filter(|(_, l)| l.kind == SheetKind::Dictionary)
            .map(|(s, _)| s),
    );
    wb.sheets
        .iter()
        .zip(layouts)
        .map(|(sheet, lay)| {
            let forms = lay
                .forms
                .into_iter()
                .map(|mut form| {
                    let mut warnings = std::mem::take(&mut form.warnings);
                    let fields = fields::extract(wb, &dictionaries, sheet, &form, &mut warnings);
                    form.warnings = warnings;
                    let grain = fields::guess_grain(form.title.as_deref(), &fields, lexicon_kind);
                    let grain = members_of_households(grain, sheet, &form, &fields);
                    (form, fields, grain)
                })
                .collect();
            SheetForms {
                kind: lay.kind,
                forms,
                warnings: note_warnings(&sheet.notes),
            }
        })
        .collect()
}

/// Whose fact a field is by the built-in lexicon's meaning of its name: a person's or a
/// household's; `None` for keys (names, ID numbers, household numbers), which either kind of
/// roster has, and for names the lexicon does not know.
fn lexicon_kind(f: &Field) -> Option<fields::GrainKind> {
    use crate::matching::lexicon::{match_key, ConceptKind};
    let lex = crate::matching::Lexicon::shared();
    let hit = lex.lookup(&match_key(&f.name), fields::GrainKind::Unknown)?;
    let concept = &lex.concepts[hit.concept];
    if hit.subject.is_some()
        || ["person.name", "person.id_number", "household.id"].contains(&concept.id.as_str())
    {
        return None;
    }
    match concept.kind {
        ConceptKind::Person => Some(fields::GrainKind::Person),
        ConceptKind::Household => Some(fields::GrainKind::Household),
        _ => None,
    }
}

/// A roster guessed to list households whose data says otherwise: one household number on
/// several rows, each with another person's ID number, is a roster of household members (the
/// household's facts repeated on each member's row). Headers alone cannot tell a member's
/// 姓名 from the head's when the household columns outnumber the personal ones; the rows can.
fn members_of_households(
    grain: fields::Grain,
    sheet: &read::Sheet,
    form: &layout::Form,
    fields: &[Field],
) -> fields::Grain {
    use crate::matching::lexicon::match_key;
    if grain.kind != fields::GrainKind::Household {
        return grain;
    }
    let Some((first, last)) = form.data_rows else {
        return grain;
    };
    let lex = crate::matching::Lexicon::shared();
    let household_id = fields.iter().find(|f| {
        lex.lookup(&match_key(&f.name), fields::GrainKind::Household)
            .is_some_and(|h| lex.concepts[h.concept].id == "household.id")
    });
    let person_id = fields.iter().find(|f| f.ty == fields::FieldType::IdNumber);
    let (Some(hh), Some(pid)) = (household_id, person_id) else {
        return grain;
    };
    // Household number → the ID numbers on its rows.
    let mut people: HashMap<String, Vec<String>> = HashMap::new();
    let mut rows = 0usize;
    for r in first..=last {
        let h = sheet.grid.get(r, hh.column).text().trim().to_string();
        let p = sheet.grid.get(r, pid.column).text().trim().to_string();
        if h.is_empty() || p.is_empty() {
            continue;
        }
        rows += 1;
        let ids = people.entry(h).or_default();
        if !ids.contains(&p) {
            ids.push(p);
        }
    }
    let shared: Vec<&String> = {
        let mut v: Vec<&String> = people
            .iter()
            .filter(|(_, ids)| ids.len() > 1)
            .map(|(h, _)| h)
            .collect();
        v.sort();
        v
    };
    let on_shared: usize = shared.iter().map(|h| people[*h].len()).sum();
    // A typo or one split household is not a pattern: a tenth of the rows, two households.
    if shared.len() < 2 || on_shared * 10 < rows {
        return grain;
    }
    fields::Grain {
        kind: fields::GrainKind::Person,
        reason: format!(
            "同一{}在多行出现、各行{}不同（如 {}，共 {} 户），每行一名家庭成员",
            hh.name,
            pid.name,
            shared[0],
            shared.len()
        ),
    }
}

/// A form set written by Yibiao: it has both a catalog and a crosswalk sheet.
fn is_yibiao_form_set(wb: &Workbook) -> bool {
    let has = |zh: &str, en: &str| wb.sheets.iter().any(|s| s.name == zh || s.name == en);
    has("目录", "Catalog") && has("字段对照表", "Crosswalk")
}

/// The kind of a support sheet of a Yibiao form set (catalog, instructions, crosswalk,
/// overlap matrix, dropdown lists): read back, they are not forms to fill.
fn support_sheet_kind(name: &str) -> Option<SheetKind> {
    match name {
        "目录" | "Catalog" | "填表说明" | "How to fill" | "字段对照表" | "Crosswalk"
        | "重叠矩阵" | "Overlap" => Some(SheetKind::Instructions),
        "_lists" => Some(SheetKind::Dictionary),
        _ => None,
    }
}

/// Folds the reader's per-cell notes into a few warnings.
fn note_warnings(notes: &[SheetNote]) -> Vec<Warning> {
    let mut out = Vec::new();
    let formulas: Vec<(u32, u32)> = notes
        .iter()
        .filter_map(|n| match n {
            SheetNote::FormulaWithoutValue { row, col } => Some((*row, *col)),
            _ => None,
        })
        .collect();
    if let Some(&(r, c)) = formulas.first() {
        out.push(Warning::FormulaWithoutValue {
            cells: formulas.len() as u32,
            first: format!("{}{}", col_letter(c), r + 1),
        });
    }
    let truncated = notes
        .iter()
        .filter(|n| matches!(n, SheetNote::TextTruncated { .. }))
        .count() as u32;
    if truncated > 0 {
        out.push(Warning::TextTruncated { cells: truncated });
    }
    for n in notes {
        match n {
            SheetNote::UnterminatedQuote { row } => {
                out.push(Warning::UnterminatedQuote { row: *row })
            }
            SheetNote::DecodeErrors { first_row } => {
                out.push(Warning::DecodeErrors { row: *first_row })
            }
            _ => {}
        }
    }
    out
}

fn one_based(v: &[u32]) -> Vec<u32> {
    v.iter().map(|r| r + 1).collect()
}

/// The report of a workbook that was read.
pub fn report_workbook(name: &str, wb: &Workbook) -> FileReport {
    report_workbook_with(name, wb, &[])
}

/// Like [`report_workbook`], with header blocks chosen by a person.
pub fn report_workbook_with(name: &str, wb: &Workbook, choices: &[HeaderChoice]) -> FileReport {
    let analysed = analyse_with(wb, choices);
    let sheets = wb
        .sheets
        .iter()
        .zip(analysed)
        .map(|(sheet, a)| SheetReport {
            sheet: sheet.name.clone(),
            kind: a.kind.name().into(),
            hidden: sheet.hidden,
            warnings: a.warnings.iter().map(Problem::from_warning).collect(),
            forms: {
                let tops: Vec<u32> = a.forms.iter().map(|(f, _, _)| form_top(f)).collect();
                a.forms
                    .into_iter()
                    .enumerate()
                    .map(|(i, (form, fields, grain))| FormReport {
                        shape: form.shape.name().into(),
                        title: form.title.clone(),
                        title_rows: one_based(&form.title_rows),
                        header_rows: one_based(&form.header_rows),
                        unit_row: form.unit_row.map(|r| r + 1),
                        code_row: form.code_row.map(|r| r + 1),
                        data_rows: form.data_rows.map(|(a, b)| [a + 1, b + 1]),
                        footer_rows: one_based(&form.footer_rows),
                        grain: grain.kind.name().into(),
                        grain_reason: grain.reason,
                        warnings: form.warnings.iter().map(Problem::from_warning).collect(),
                        fields: fields.iter().map(field_report).collect(),
                        template: template(
                            sheet,
                            &form,
                            tops.iter().copied().filter(|&t| t > tops[i]).min(),
                        ),
                    })
                    .collect()
            },
        })
        .collect();
    FileReport {
        file: name.to_string(),
        format: Some(wb.format.name().into()),
        encoding: wb.encoding.map(str::to_string),
        errors: wb.sheet_errors.iter().map(Problem::from_sheet).collect(),
        sheets,
    }
}

/// The form's cells above and below its data (0-based `form`, 1-based result). `next_form`:
/// the first row of the next form down the sheet, if any.
fn template(sheet: &read::Sheet, form: &layout::Form, next_form: Option<u32>) -> FormTemplate {
    let header_last = form.header_rows.last().copied().unwrap_or(0);
    let below_header = [form.unit_row, form.code_row]
        .into_iter()
        .flatten()
        .chain(std::iter::once(header_last))
        .max()
        .unwrap_or(header_last);
    // A card, indicator or questionnaire is all template: its labels (and an indicator's units
    // and codes) down to the last item, its values in their own cells among them.
    let last_item = form
        .items
        .iter()
        .flat_map(|i| std::iter::once(i.label_cell.0).chain(i.value_cell.map(|v| v.0)))
        .max()
        // Never past the sheet's cells, whatever a broken merge said.
        .map(|r| r.min(sheet.grid.height()));
    let record = form.shape != layout::Shape::Roster && last_item.is_some();
    let (data_first, data_last) = match (form.shape, last_item, form.data_rows) {
        (layout::Shape::Roster, _, Some((a, b))) => (a, b),
        (layout::Shape::Roster, _, None) | (_, None, _) => (below_header + 1, below_header),
        (_, Some(last), _) => {
            // And what is written under the last item (a declaration, where to sign), down to
            // the next form on the sheet.
            let end = next_form.unwrap_or(u32::MAX).min(sheet.grid.height());
            let last = (last + 1..end)
                .filter(|&r| sheet.grid.row(r).iter().any(|v| !v.is_blank()))
                .max()
                .unwrap_or(last)
                .max(last)
                .max(below_header);
            (last + 1, last)
        }
    };
    let top = form
        .title_rows
        .iter()
        .chain(&form.meta_rows)
        .chain(&form.note_rows)
        .chain(&form.header_rows)
        .copied()
        .filter(|&r| r < data_first)
        .min()
        .unwrap_or(data_first);
    // A card or report is as wide as its rows are (a two-up report's right-hand units).
    let c1 = if record {
        (top..data_first)
            .map(|r| sheet.grid.row(r).len() as u32)
            .chain(
                sheet
                    .merges
                    .iter()
                    .filter(|m| m.top >= top && m.bottom < data_first)
                    .map(|m| (m.right + 1).min(sheet.grid.width().max(form.last_col + 1))),
            )
            .max()
            .unwrap_or(0)
            .saturating_sub(1)
            .max(form.last_col)
    } else {
        form.last_col
    };
    let (c0, c1) = (form.first_col, c1.max(form.first_col));
    // Title and reporter lines may reach past the table's last column.
    let wide = |r: u32| {
        form.title_rows.contains(&r)
            || form.meta_rows.contains(&r)
            || form.note_rows.contains(&r)
            || form.footer_rows.contains(&r)
    };
    let is_red = |r: u32, c: u32| sheet.red_cells.binary_search(&(r, c)).is_ok();
    // A card's or indicator's value cells are data, even though they sit among its labels.
    // On an indicator's item rows, a number right of an item's label that is not its unit or
    // code is a value (a second year's column, say); codes and row numbers left of it are not.
    // A sign-off's slot (`年 月 日`) is the form's, not a value.
    let is_value = |r: u32, c: u32| {
        form.items.iter().any(|i| {
            !i.structural
                && i.value_cell.is_some_and(|(vr, vc)| {
                    // A questionnaire's item: the cells of its options, where the tick goes.
                    let n = i.options.len().max(1) as u32;
                    vr == r && (vc..vc + n).contains(&c)
                })
        })
    };
    let cells_of = |rows: &mut dyn Iterator<Item = u32>, base: u32| {
        let mut out = Vec::new();
        for r in rows {
            let right = if wide(r) {
                sheet.grid.row(r).len() as u32
            } else {
                c1 + 1
            };
            for c in c0..right.max(c0) {
                let v = sheet.grid.get(r, c);
                if v.is_blank() || is_value(r, c) {
                    continue;
                }
                out.push(TemplateCell {
                    row: r + 1 - base,
                    col: c + 1,
                    text: v.text(),
                    red: is_red(r, c),
                });
            }
        }
        out
    };
    let merges_in = |from: u32, to: u32, base: u32| -> Vec<[u32; 4]> {
        sheet
            .merges
            .iter()
            .filter(|m| m.top >= from && m.bottom <= to && m.right >= c0)
            .map(|m| {
                [
                    m.top + 1 - base,
                    m.left + 1,
                    m.bottom + 1 - base,
                    m.right + 1,
                ]
            })
            .collect()
    };
    let footer_rows: Vec<u32> = form
        .footer_rows
        .iter()
        .chain(&form.note_rows)
        .copied()
        .filter(|&r| r > data_last)
        .collect();
    let footer_end = footer_rows.iter().copied().max().unwrap_or(data_last);
    let widths = (c0..=c1)
        .map(|c| {
            sheet
                .col_widths
                .iter()
                .rev()
                .find(|(a, b, _)| (*a..=*b).contains(&c))
                .map(|(_, _, w)| *w)
        })
        .collect();
    FormTemplate {
        first_col: c0 + 1,
        last_col: c1 + 1,
        data_first_row: data_first + 1,
        data_last_row: data_last + 1,
        meta_rows: one_based(&form.meta_rows),
        cells: cells_of(&mut (top..data_first), 0),
        merges: merges_in(top, data_first.saturating_sub(1), 0),
        footer: cells_of(&mut footer_rows.iter().copied(), data_last + 1),
        footer_merges: if footer_rows.is_empty() {
            Vec::new()
        } else {
            merges_in(data_last + 1, footer_end, data_last + 1)
        },
        widths,
    }
}

/// The first row of a form: its title, reporter line, header or first item.
fn form_top(form: &layout::Form) -> u32 {
    form.title_rows
        .iter()
        .chain(&form.meta_rows)
        .chain(&form.header_rows)
        .copied()
        .chain(form.items.iter().map(|i| i.label_cell.0))
        .min()
        .unwrap_or(0)
}

fn field_report(f: &Field) -> FieldReport {
    FieldReport {
        column: f.column + 1,
        column_letter: col_letter(f.column),
        header_path: f.header_path.clone(),
        name: f.name.clone(),
        unit: f.unit.clone(),
        ty: f.ty.name().into(),
        enum_values: f.enum_values.clone(),
        required: f.required,
        role: f.role.name().into(),
        label_cell: f.label_cell.clone(),
        value_cell: f.value_cell.clone(),
        code: f.code.clone(),
    }
}

/// The top-left corner of a sheet as text, for a preview grid (the app shows where the title,
/// header block and first data rows were found).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetPreview {
    /// The sheet's name.
    pub sheet: String,
    /// Up to `rows` × `cols` cell texts, top-down.
    pub cells: Vec<Vec<String>>,
}

/// Reads a file like [`inspect`] and also returns a preview of each sheet's first rows.
pub fn inspect_with_preview(
    name: &str,
    bytes: &[u8],
    rows: u32,
    cols: u32,
) -> (FileReport, Vec<SheetPreview>) {
    inspect_with_choices(name, bytes, &[], rows, cols)
}

/// Like [`inspect_with_preview`], with header blocks chosen by a person for some sheets.
pub fn inspect_with_choices(
    name: &str,
    bytes: &[u8],
    choices: &[HeaderChoice],
    rows: u32,
    cols: u32,
) -> (FileReport, Vec<SheetPreview>) {
    match read::read_with_limits(name, bytes, &Limits::default()) {
        Ok(wb) => {
            let previews = wb
                .sheets
                .iter()
                .map(|s| SheetPreview {
                    sheet: s.name.clone(),
                    cells: (0..s.grid.height().min(rows))
                        .map(|r| {
                            (0..s.grid.width().min(cols))
                                .map(|c| s.grid.get(r, c).text())
                                .collect()
                        })
                        .collect(),
                })
                .collect();
            (report_workbook_with(name, &wb, choices), previews)
        }
        Err(e) => (error_report(name, &e), Vec::new()),
    }
}
