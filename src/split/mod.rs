//! Split back: filled copies of the form set → each department's own forms, filled.
//!
//! Villages fill the set once; each department still reports upward on its own form. This
//! stage reads one or many filled set workbooks ([`read_filled`]), checks them against the set
//! and lists every problem with its file, sheet and row ([`Problem`]), joins the base tables
//! and topic sheets on their keys ([`assemble`]) and hands each original form its rows, column
//! for column, ready for [`crate::write::forms`] to lay out in the department's own layout.
//!
//! Nothing is dropped silently: a row that cannot be joined, a base-table row that no
//! department's list refers to, a column that is not part of the set — each is a [`Problem`].
//!
//! [`fill`] goes the other way (original forms with data → a filled set) so a county can hand
//! villages a set pre-filled with what it already has; the round-trip tests use both.

pub mod fill;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::Lang;
use crate::plan::{FormSet, SetSheetKind};
use crate::read::{Value, Workbook};
use crate::text::header_key;

/// What is wrong with a filled set, in a clerk's words. Each comes with where it is
/// ([`Problem`]); none stops the rest of the work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Finding {
    /// The file could not be read at all (its read error, already in plain words).
    Unreadable { message: String, message_en: String },
    /// None of the set's sheets is in the file: it is not a filled copy of this set.
    NotThisSet,
    /// A sheet of the set is missing from the file; whatever it holds is missing too.
    MissingSheet,
    /// A key column's header is not found, so the sheet's rows cannot be joined.
    MissingKeyColumn { column: String },
    /// A row has data but its key cells are empty, so it cannot be joined.
    MissingKey { column: String },
    /// Two rows have the same key; the first one is used. `first_file` is set when the first
    /// row is in another file.
    DuplicateKey {
        key: String,
        first_file: Option<String>,
        first_row: u32,
    },
    /// An ID number with the wrong length or check digit.
    BadIdNumber { column: String, value: String },
    /// A value that is not one of the column's dropdown choices.
    NotInList { column: String, value: String },
    /// A required column is empty in `count` rows; `rows` are the first of them (1-based).
    /// One row: the problem's own row says which.
    RequiredEmpty {
        column: String,
        rows: Vec<u32>,
        count: usize,
    },
    /// A row of a form's own sheet whose key has no row in the base table.
    NoBaseRow { base: String, key: String },
    /// A base-table row that no department's list refers to: its values go to no form.
    NotOnAnyList { key: String },
    /// A column that is not part of the set: its values go to no form.
    UnknownColumn { column: String },
}

impl Finding {
    /// Stable code (as in JSON).
    pub fn code(&self) -> &'static str {
        match self {
            Finding::Unreadable { .. } => "unreadable",
            Finding::NotThisSet => "not_this_set",
            Finding::MissingSheet => "missing_sheet",
            Finding::MissingKeyColumn { .. } => "missing_key_column",
            Finding::MissingKey { .. } => "missing_key",
            Finding::DuplicateKey { .. } => "duplicate_key",
            Finding::BadIdNumber { .. } => "bad_id_number",
            Finding::NotInList { .. } => "not_in_list",
            Finding::RequiredEmpty { .. } => "required_empty",
            Finding::NoBaseRow { .. } => "no_base_row",
            Finding::NotOnAnyList { .. } => "not_on_any_list",
            Finding::UnknownColumn { .. } => "unknown_column",
        }
    }

    /// The finding in the given language (without its place; see [`Problem::message`]).
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Finding::Unreadable { message, .. }, Lang::Zh) => message.clone(),
            (Finding::Unreadable { message_en, .. }, Lang::En) => message_en.clone(),
            (Finding::NotThisSet, Lang::Zh) => {
                "文件中没有本套表的任何工作表，不是本套表的填报文件。请选择用本套表填好的 Excel 文件。".into()
            }
            (Finding::NotThisSet, Lang::En) => {
                "The file holds none of this set's sheets: it is not a filled copy of this set. Choose the Excel file filled from this set.".into()
            }
            (Finding::MissingSheet, Lang::Zh) => "缺少这张工作表，其中的信息无法拆分。".into(),
            (Finding::MissingSheet, Lang::En) => {
                "This sheet is missing; what it would hold cannot be split back.".into()
            }
            (Finding::MissingKeyColumn { column }, Lang::Zh) => format!(
                "找不到关键列「{column}」，本表各行无法与其他表对应。请不要删除或改动套表的表头。"
            ),
            (Finding::MissingKeyColumn { column }, Lang::En) => format!(
                "Key column \"{column}\" is missing, so the rows cannot be matched to other sheets. Do not delete or change the set's headers."
            ),
            (Finding::MissingKey { column }, Lang::Zh) => {
                format!("本行有内容，但关键列「{column}」为空，无法与其他表对应。")
            }
            (Finding::MissingKey { column }, Lang::En) => format!(
                "The row has data but its key \"{column}\" is empty, so it cannot be matched."
            ),
            (Finding::DuplicateKey { key, first_file, first_row }, Lang::Zh) => {
                let in_file = first_file.as_ref().map(|f| format!("{f} ")).unwrap_or_default();
                format!("「{key}」重复出现（第一次在{in_file}第{first_row}行），只采用第一次的内容。")
            }
            (Finding::DuplicateKey { key, first_file, first_row }, Lang::En) => {
                let in_file = first_file.as_ref().map(|f| format!("{f}, ")).unwrap_or_default();
                format!("\"{key}\" appears twice (first in {in_file}row {first_row}); only the first row is used.")
            }
            (Finding::BadIdNumber { column, value }, Lang::Zh) => format!(
                "「{column}」填的「{value}」不是有效的身份证号（位数或校验位不对）。"
            ),
            (Finding::BadIdNumber { column, value }, Lang::En) => format!(
                "\"{value}\" in \"{column}\" is not a valid ID number (wrong length or check digit)."
            ),
            (Finding::NotInList { column, value }, Lang::Zh) => {
                format!("「{column}」填的「{value}」不在下拉选项中。")
            }
            (Finding::NotInList { column, value }, Lang::En) => {
                format!("\"{value}\" in \"{column}\" is not one of the dropdown choices.")
            }
            (Finding::RequiredEmpty { column, count, .. }, Lang::Zh) if *count <= 1 => {
                format!("必填项「{column}」没有填。")
            }
            (Finding::RequiredEmpty { column, rows, count }, Lang::Zh) => {
                let list: Vec<String> = rows.iter().map(u32::to_string).collect();
                let more = if *count > rows.len() { "…" } else { "" };
                format!("必填项「{column}」有 {count} 行没有填（第 {}{more} 行）。", list.join("、"))
            }
            (Finding::RequiredEmpty { column, count, .. }, Lang::En) if *count <= 1 => {
                format!("Required \"{column}\" is empty.")
            }
            (Finding::RequiredEmpty { column, rows, count }, Lang::En) => {
                let list: Vec<String> = rows.iter().map(u32::to_string).collect();
                let more = if *count > rows.len() { "…" } else { "" };
                format!("Required \"{column}\" is empty in {count} rows (rows {}{more}).", list.join(", "))
            }
            (Finding::NoBaseRow { base, key }, Lang::Zh) => format!(
                "「{key}」在「{base}」中没有对应的行，基础表里的信息无法带入原表。"
            ),
            (Finding::NoBaseRow { base, key }, Lang::En) => format!(
                "\"{key}\" has no row in \"{base}\"; the base-table facts cannot be carried into the original form."
            ),
            (Finding::NotOnAnyList { key }, Lang::Zh) => format!(
                "「{key}」不在任何部门的名单中，这一行的信息没有用到任何原表。"
            ),
            (Finding::NotOnAnyList { key }, Lang::En) => format!(
                "\"{key}\" is on no department's list; this row's facts went into no original form."
            ),
            (Finding::UnknownColumn { column }, Lang::Zh) => {
                format!("「{column}」不是套表里的列，其中的内容没有用到任何原表。")
            }
            (Finding::UnknownColumn { column }, Lang::En) => {
                format!("\"{column}\" is not a column of the set; what it holds went into no original form.")
            }
        }
    }
}

/// A [`Finding`] and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The filled file.
    pub file: String,
    /// The sheet, if the finding is about one.
    pub sheet: Option<String>,
    /// The row (1-based, as Excel shows it), if the finding is about one.
    pub row: Option<u32>,
    /// What is wrong.
    pub finding: Finding,
}

impl Problem {
    /// `文件 · 工作表 · 第 N 行：…` in the given language.
    pub fn message(&self, lang: Lang) -> String {
        let mut place = self.file.clone();
        if let Some(s) = &self.sheet {
            place.push_str(" · ");
            place.push_str(s);
        }
        if let Some(r) = self.row {
            match lang {
                Lang::Zh => place.push_str(&format!(" · 第{r}行")),
                Lang::En => place.push_str(&format!(" · row {r}")),
            }
        }
        match lang {
            Lang::Zh => format!("{place}：{}", self.finding.message(lang)),
            Lang::En => format!("{place}: {}", self.finding.message(lang)),
        }
    }
}

/// One row of a filled set sheet: where it was and one value per column of the set sheet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilledRow {
    /// Index into the list of filled files.
    pub file: usize,
    /// The row in its file (1-based).
    pub row: u32,
    /// One value per [`crate::plan::SetSheet::columns`] entry.
    pub values: Vec<Value>,
}

/// The rows of every set sheet over all filled files, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SetRows {
    /// The filled files' names, indexed by [`FilledRow::file`].
    pub files: Vec<String>,
    /// `sheets[s]`: the rows of set sheet `s`.
    pub sheets: Vec<Vec<FilledRow>>,
}

impl SetRows {
    /// Empty rows for `set`.
    pub fn new(set: &FormSet) -> SetRows {
        SetRows {
            files: Vec::new(),
            sheets: vec![Vec::new(); set.sheets.len()],
        }
    }
}

/// Key value as compared: trimmed, full-width folded, upper case (`x` → `X` in ID numbers).
pub fn key_text(v: &Value) -> String {
    crate::text::fold_width(v.text().trim()).to_uppercase()
}

pub(crate) use crate::plan::build::key_alternatives;
use crate::plan::build::{embedded_id, EMBEDDED_KEYS};

/// Whether a row of set sheet `sheet` can be joined: one of its grain's
/// [`key_alternatives`] that the sheet has columns for is filled in full (an ID number may be
/// read from a certificate number that embeds it). A sheet with none of them is keyed by any
/// filled key column. `None` when it can; otherwise the header of the key column to fill.
///
/// The one rule for rows lacking keys: pre-fill counts them with it ([`fill::Filled::keyless`])
/// and split back reports them with it ([`Finding::MissingKey`]).
pub fn missing_key(set: &FormSet, sheet: usize, values: &[Value]) -> Option<String> {
    let s = set.sheets.get(sheet)?;
    let col = |id: &str| column_of(set, sheet, id);
    let filled = |k: usize| values.get(k).is_some_and(|v| !v.is_blank());
    let has = |id: &str| -> Option<bool> {
        let direct = col(id);
        let embedded = EMBEDDED_KEYS
            .iter()
            .filter(|(_, carried)| *carried == id)
            .filter_map(|(carrier, _)| col(carrier))
            .any(|k| {
                values
                    .get(k)
                    .is_some_and(|v| embedded_id(&v.text()).is_some())
            });
        match direct {
            Some(k) => Some(filled(k) || embedded),
            None if embedded => Some(true),
            None => None,
        }
    };
    let mut first_missing: Option<String> = None;
    let mut any_alternative = false;
    for alt in key_alternatives(&s.grain) {
        let Some(state) = alt.iter().map(|id| has(id)).collect::<Option<Vec<bool>>>() else {
            continue; // the sheet lacks a column of this alternative
        };
        any_alternative = true;
        if state.iter().all(|&b| b) {
            return None;
        }
        if first_missing.is_none() {
            let i = state.iter().rposition(|&b| !b).unwrap_or(0);
            first_missing = col(alt[i]).map(|k| s.columns[k].header.clone());
        }
    }
    if any_alternative {
        return first_missing.or_else(|| Some(String::new()));
    }
    let keys: Vec<usize> = (0..s.columns.len()).filter(|&k| s.columns[k].key).collect();
    if keys.is_empty() || keys.iter().any(|&k| filled(k)) {
        None
    } else {
        keys.last().map(|&k| s.columns[k].header.clone())
    }
}

/// Rows named in one problem about many rows.
const SHOWN_ROWS: usize = 10;

/// Reads one filled copy of the set: finds each set sheet by name, each column by its header,
/// and checks every row (keys, ID numbers, dropdown values, required cells). Rows are appended
/// to `rows`; what is wrong goes to the returned problems.
pub fn read_filled(set: &FormSet, file: &str, wb: &Workbook, rows: &mut SetRows) -> Vec<Problem> {
    let file_index = rows.files.len();
    rows.files.push(file.to_string());
    if rows.sheets.len() < set.sheets.len() {
        rows.sheets.resize(set.sheets.len(), Vec::new());
    }
    let mut problems = Vec::new();
    let at = |sheet: Option<&str>, row: Option<u32>, finding: Finding| Problem {
        file: file.to_string(),
        sheet: sheet.map(str::to_string),
        row,
        finding,
    };
    let zh = crate::write::set_sheet_names(set, Lang::Zh);
    let en = crate::write::set_sheet_names(set, Lang::En);
    let mut found_any = false;
    let mut missing = Vec::new();
    for (si, set_sheet) in set.sheets.iter().enumerate() {
        let names = [zh.get(si), en.get(si), Some(&set_sheet.name)];
        let Some(sheet) = wb
            .sheets
            .iter()
            .find(|s| names.iter().flatten().any(|n| **n == s.name))
        else {
            missing.push(at(
                zh.get(si).map(String::as_str),
                None,
                Finding::MissingSheet,
            ));
            continue;
        };
        found_any = true;
        let name = sheet.name.as_str();
        let grid = &sheet.grid;

        // Headers: the first rows, each cell's text to where it is.
        let scan = grid.height().min(8);
        let mut by_text: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        for r in 0..scan {
            for (c, v) in grid.row(r).iter().enumerate() {
                if let Some(t) = v.as_text().filter(|t| !t.is_empty()) {
                    by_text
                        .entry(header_key(t))
                        .or_default()
                        .push((r, c as u32));
                }
            }
        }
        let mut header_end = 0;
        let mut cols: Vec<Option<u32>> = Vec::with_capacity(set_sheet.columns.len());
        for column in &set_sheet.columns {
            let key = header_key(&column.header);
            let hit = by_text.get_mut(&key).and_then(|v| {
                // Leaf headers are right of 序号 and below the title.
                let i = v.iter().position(|&(r, c)| r > 0 && c > 0)?;
                Some(v.remove(i))
            });
            if let Some((r, _)) = hit {
                header_end = header_end.max(r);
            }
            cols.push(hit.map(|(_, c)| c));
        }
        for (column, col) in set_sheet.columns.iter().zip(&cols) {
            if column.key && col.is_none() {
                problems.push(at(
                    Some(name),
                    None,
                    Finding::MissingKeyColumn {
                        column: column.header.clone(),
                    },
                ));
            }
        }
        let known: HashSet<u32> = cols.iter().flatten().copied().collect();
        let header_cols: Vec<(u32, String)> = (1..grid.row(header_end).len() as u32)
            .filter(|c| !known.contains(c))
            .filter_map(|c| {
                grid.get(header_end, c)
                    .as_text()
                    .filter(|t| !t.is_empty())
                    .map(|t| (c, t.to_string()))
            })
            .collect();
        let mut unknown_with_data: HashSet<u32> = HashSet::new();
        // Rows where each required column is empty: one problem per column, not per cell.
        let mut empty_required: Vec<Vec<u32>> = vec![Vec::new(); set_sheet.columns.len()];

        let canon = |k: usize| set.canonical.get(set_sheet.columns[k].canonical);
        // The dropdown each column was written with: a value outside it is one a village typed.
        let lists: Vec<Vec<String>> = (0..set_sheet.columns.len())
            .map(|k| {
                canon(k)
                    .map(crate::write::xlsx::list_values)
                    .unwrap_or_default()
            })
            .collect();
        for r in header_end + 1..grid.height() {
            let values: Vec<Value> = cols
                .iter()
                .map(|c| c.map(|c| grid.get(r, c).clone()).unwrap_or_default())
                .collect();
            for (c, _) in &header_cols {
                if !grid.get(r, *c).is_blank() {
                    unknown_with_data.insert(*c);
                }
            }
            if values.iter().all(Value::is_blank) {
                continue;
            }
            let row1 = r + 1;
            if let Some(column) = missing_key(set, si, &values) {
                problems.push(at(Some(name), Some(row1), Finding::MissingKey { column }));
            }
            for (k, column) in set_sheet.columns.iter().enumerate() {
                let v = &values[k];
                let header = column.header.clone();
                if v.is_blank() {
                    if column.required && cols[k].is_some() && !column.key {
                        empty_required[k].push(row1);
                    }
                    continue;
                }
                let Some(c) = canon(k) else { continue };
                let text = v.text();
                let t = text.trim();
                if c.ty == "id_number"
                    && !(crate::text::is_id_number_shape(t) && crate::text::id_check_ok(t))
                {
                    problems.push(at(
                        Some(name),
                        Some(row1),
                        Finding::BadIdNumber {
                            column: header,
                            value: t.to_string(),
                        },
                    ));
                } else if !lists[k].is_empty()
                    && !in_list(&lists[k], v)
                    && !cols[k].is_some_and(|col| in_list(&dropdown(wb, sheet, r, col), v))
                {
                    problems.push(at(
                        Some(name),
                        Some(row1),
                        Finding::NotInList {
                            column: header,
                            value: t.to_string(),
                        },
                    ));
                }
            }
            rows.sheets[si].push(FilledRow {
                file: file_index,
                row: row1,
                values,
            });
        }
        for (column, rows) in set_sheet.columns.iter().zip(empty_required) {
            if rows.is_empty() {
                continue;
            }
            let count = rows.len();
            let row = (count == 1).then(|| rows[0]);
            problems.push(at(
                Some(name),
                row,
                Finding::RequiredEmpty {
                    column: column.header.clone(),
                    rows: rows.into_iter().take(SHOWN_ROWS).collect(),
                    count,
                },
            ));
        }
        for (c, header) in header_cols {
            if unknown_with_data.contains(&c) {
                problems.push(at(
                    Some(name),
                    None,
                    Finding::UnknownColumn { column: header },
                ));
            }
        }
    }
    if found_any {
        problems.extend(missing);
    } else {
        problems.push(at(None, None, Finding::NotThisSet));
    }
    problems
}

/// Reads a filled file's bytes and then [`read_filled`]; an unreadable file is one problem.
pub fn read_filled_bytes(
    set: &FormSet,
    file: &str,
    bytes: &[u8],
    rows: &mut SetRows,
) -> Vec<Problem> {
    match crate::read::read(file, bytes) {
        Ok(wb) => read_filled(set, file, &wb, rows),
        Err(e) => {
            rows.files.push(file.to_string());
            vec![Problem {
                file: file.to_string(),
                sheet: None,
                row: None,
                finding: Finding::Unreadable {
                    message: e.message(Lang::Zh),
                    message_en: e.message(Lang::En),
                },
            }]
        }
    }
}

/// One original form, filled: its rows, one value per field of the source form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormRows {
    /// Index into [`FormSet::sources`].
    pub source: usize,
    /// `rows[i][f]`: the value of field `f` (as in [`crate::plan::SourceForm::fields`]).
    pub rows: Vec<Vec<Value>>,
    /// The town and village every row is from, when they all are from one (for the form's
    /// 填报单位 line).
    pub place: Option<(String, String)>,
    /// Each row's town and village (empty where the set does not say): a card or indicator
    /// report is written once per row, each with its own reporter line.
    pub places: Vec<(String, String)>,
}

/// Every original form with its rows, and what could not be placed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assembled {
    /// One per source form, in [`FormSet::sources`] order.
    pub forms: Vec<FormRows>,
    /// What could not be joined or placed.
    pub problems: Vec<Problem>,
}

/// Index of a base table: key text per alternative → row.
struct BaseIndex {
    sheet: usize,
    /// Per alternative: canonical ids and key text → row index.
    alternatives: Vec<(Vec<usize>, HashMap<String, usize>)>,
}

fn key_of(values: &[Value], cols: &[usize]) -> Option<String> {
    let parts: Vec<String> = cols.iter().map(|&k| key_text(&values[k])).collect();
    parts
        .iter()
        .all(|p| !p.is_empty())
        .then(|| parts.join(" / "))
}

/// Column indexes of a set sheet holding each canonical id.
fn column_of(set: &FormSet, sheet: usize, id: &str) -> Option<usize> {
    set.sheets[sheet]
        .columns
        .iter()
        .position(|c| set.canonical.get(c.canonical).is_some_and(|cf| cf.id == id))
}

/// Joins the filled rows back into every original form: each form's own (topic) sheet gives
/// its rows in order; the base tables give the shared facts, found by the row's keys.
pub fn assemble(set: &FormSet, data: &SetRows) -> Assembled {
    let mut problems = Vec::new();
    let columns = Columns::new(set);
    let place_of = |sheet: usize, r: &FilledRow| {
        (
            data.files.get(r.file).cloned().unwrap_or_default(),
            set.sheets[sheet].name.clone(),
            r.row,
        )
    };

    // Index the base tables; duplicates are reported, the first row wins.
    let mut bases: Vec<BaseIndex> = Vec::new();
    for (si, sheet) in set.sheets.iter().enumerate() {
        if sheet.kind != SetSheetKind::Base {
            continue;
        }
        let alternatives: Vec<Vec<usize>> = key_alternatives(&sheet.grain)
            .iter()
            .filter_map(|alt| {
                alt.iter()
                    .map(|id| column_of(set, si, id))
                    .collect::<Option<Vec<usize>>>()
            })
            .collect();
        let mut index = BaseIndex {
            sheet: si,
            alternatives: alternatives
                .into_iter()
                .map(|a| (a, HashMap::new()))
                .collect(),
        };
        let rows = data.sheets.get(si).map_or(&[][..], Vec::as_slice);
        for (ri, row) in rows.iter().enumerate() {
            for (ai, (cols, map)) in index.alternatives.iter_mut().enumerate() {
                let Some(key) = key_of(&row.values, cols) else {
                    continue;
                };
                match map.get(&key) {
                    Some(&first) if ai == 0 => {
                        let (f, _, r) = place_of(si, &rows[first]);
                        let (file, sheet_name, row1) = place_of(si, row);
                        problems.push(Problem {
                            sheet: Some(sheet_name),
                            row: Some(row1),
                            finding: Finding::DuplicateKey {
                                key,
                                first_file: (f != file).then_some(f),
                                first_row: r,
                            },
                            file,
                        });
                    }
                    Some(_) => {}
                    None => {
                        map.insert(key, ri);
                    }
                }
            }
        }
        bases.push(index);
    }
    let mut referenced: HashSet<(usize, usize)> = HashSet::new();

    let mut forms = Vec::with_capacity(set.sources.len());
    for (source_index, source) in set.sources.iter().enumerate() {
        let topic = set
            .sheets
            .iter()
            .position(|s| s.kind == SetSheetKind::Topic && s.replaces.as_slice() == [source_index]);
        let mut out = FormRows {
            source: source_index,
            ..FormRows::default()
        };
        let Some(topic) = topic else {
            forms.push(out);
            continue;
        };
        let own_base = bases
            .iter()
            .position(|b| set.sheets[b.sheet].grain == set.sheets[topic].grain);
        let rows = data.sheets.get(topic).map_or(&[][..], Vec::as_slice);
        let mut places: HashSet<(String, String)> = HashSet::new();
        for row in rows {
            // What this row knows, by canonical id: its own sheet first, then the base rows
            // its keys lead to (a person's row gives the head's ID, which finds the household).
            let derived = derived_keys(set, topic, &row.values);
            let mut known: HashMap<&str, &Value> = HashMap::new();
            put(set, topic, &row.values, &mut known);
            for (id, v) in &derived {
                known.entry(id).or_insert(v);
            }
            let mut joined: Vec<Option<usize>> = vec![None; bases.len()];
            for _pass in 0..bases.len() {
                let mut progress = false;
                for (bi, base) in bases.iter().enumerate() {
                    if joined[bi].is_some() {
                        continue;
                    }
                    let base_rows = data.sheets.get(base.sheet).map_or(&[][..], Vec::as_slice);
                    let hit = base.alternatives.iter().find_map(|(cols, map)| {
                        let ids: Vec<&str> = cols
                            .iter()
                            .filter_map(|&k| {
                                set.canonical
                                    .get(set.sheets[base.sheet].columns[k].canonical)
                                    .map(|c| c.id.as_str())
                            })
                            .collect();
                        let parts: Vec<String> = ids
                            .iter()
                            .map(|id| known.get(id).map(|v| key_text(v)).unwrap_or_default())
                            .collect();
                        if parts.iter().any(String::is_empty) {
                            return None;
                        }
                        map.get(&parts.join(" / ")).copied()
                    });
                    if let Some(ri) = hit {
                        joined[bi] = Some(ri);
                        progress = true;
                        referenced.insert((base.sheet, ri));
                        if let Some(base_row) = base_rows.get(ri) {
                            put(set, base.sheet, &base_row.values, &mut known);
                        }
                    }
                }
                if !progress {
                    break;
                }
            }
            if let Some(ob) = own_base {
                if joined[ob].is_none() {
                    let key = set.sheets[topic]
                        .columns
                        .iter()
                        .zip(&row.values)
                        .filter(|(c, v)| c.key && !v.is_blank())
                        .map(|(_, v)| v.text())
                        .collect::<Vec<_>>()
                        .join(" / ");
                    let (file, sheet, r) = place_of(topic, row);
                    // A row without keys was already reported when it was read.
                    if !key.is_empty() {
                        problems.push(Problem {
                            file,
                            sheet: Some(sheet),
                            row: Some(r),
                            finding: Finding::NoBaseRow {
                                base: set.sheets[bases[ob].sheet].name.clone(),
                                key,
                            },
                        });
                    }
                }
            }
            let town = known.get("loc.town").map(|v| v.text()).unwrap_or_default();
            let village = known
                .get("loc.village")
                .map(|v| v.text())
                .unwrap_or_default();
            places.insert((town.clone(), village.clone()));
            out.places.push((town, village));
            let n = out.rows.len();
            out.rows.push(
                source
                    .fields
                    .iter()
                    .map(|f| match &f.canonical {
                        Some(id) => value_of(
                            set,
                            &columns,
                            topic,
                            &row.values,
                            &bases,
                            &joined,
                            data,
                            id,
                            &f.level,
                        )
                        .or_else(|| known.get(id.as_str()).copied())
                        .cloned()
                        .unwrap_or_default(),
                        None if f.role == "structural" && is_serial(&f.name) => {
                            Value::Number((n + 1) as f64)
                        }
                        None => Value::Empty,
                    })
                    .collect(),
            );
        }
        if places.len() == 1 {
            out.place = places.into_iter().next().filter(|(_, v)| !v.is_empty());
        }
        forms.push(out);
    }

    // Base rows nobody's list refers to.
    for base in &bases {
        let rows = data.sheets.get(base.sheet).map_or(&[][..], Vec::as_slice);
        let first_alt = base
            .alternatives
            .first()
            .map(|(c, _)| c.as_slice())
            .unwrap_or(&[]);
        for (ri, row) in rows.iter().enumerate() {
            if referenced.contains(&(base.sheet, ri)) {
                continue;
            }
            let key = key_of(&row.values, first_alt)
                .or_else(|| {
                    base.alternatives
                        .iter()
                        .find_map(|(c, _)| key_of(&row.values, c))
                })
                .unwrap_or_default();
            if key.is_empty() {
                continue; // reported as a missing key when read
            }
            let (file, sheet, r) = place_of(base.sheet, row);
            problems.push(Problem {
                file,
                sheet: Some(sheet),
                row: Some(r),
                finding: Finding::NotOnAnyList { key },
            });
        }
    }
    Assembled { forms, problems }
}

/// A field's value for one row: from the form's own sheet if it has the column, else from the
/// joined row of the base table of the field's grain.
#[allow(clippy::too_many_arguments)]
fn value_of<'a>(
    set: &FormSet,
    columns: &Columns<'_>,
    topic: usize,
    topic_values: &'a [Value],
    bases: &[BaseIndex],
    joined: &[Option<usize>],
    data: &'a SetRows,
    id: &str,
    level: &str,
) -> Option<&'a Value> {
    if let Some(k) = columns.of(topic, id) {
        return topic_values.get(k).filter(|v| !v.is_blank());
    }
    let (bi, base) = bases
        .iter()
        .enumerate()
        .find(|(_, b)| set.sheets[b.sheet].grain == level)?;
    let row = data.sheets.get(base.sheet)?.get(joined[bi]?)?;
    let k = columns.of(base.sheet, id)?;
    row.values.get(k).filter(|v| !v.is_blank())
}

/// Every set sheet's columns by canonical id, looked up once per split.
struct Columns<'a>(Vec<HashMap<&'a str, usize>>);

impl<'a> Columns<'a> {
    fn new(set: &'a FormSet) -> Columns<'a> {
        Columns(
            set.sheets
                .iter()
                .map(|s| {
                    let mut m = HashMap::new();
                    for (k, c) in s.columns.iter().enumerate() {
                        if let Some(cf) = set.canonical.get(c.canonical) {
                            m.entry(cf.id.as_str()).or_insert(k);
                        }
                    }
                    m
                })
                .collect(),
        )
    }

    fn of(&self, sheet: usize, id: &str) -> Option<usize> {
        self.0.get(sheet)?.get(id).copied()
    }
}

/// Adds a row's filled cells to what is known, by canonical id; what is known stays.
fn put<'a>(
    set: &'a FormSet,
    sheet: usize,
    values: &'a [Value],
    known: &mut HashMap<&'a str, &'a Value>,
) {
    for (column, v) in set.sheets[sheet].columns.iter().zip(values) {
        if v.is_blank() {
            continue;
        }
        if let Some(c) = set.canonical.get(column.canonical) {
            known.entry(c.id.as_str()).or_insert(v);
        }
    }
}

/// Whether `v` is one of `list` (as keys compare: width folded, trimmed, upper case).
pub(crate) fn in_list(list: &[String], v: &Value) -> bool {
    let t = key_text(v);
    list.iter().any(|e| key_text(&Value::Text(e.clone())) == t)
}

/// The choices the filled workbook's own dropdown offers at a cell: a pre-filled set's lists
/// also hold the values its originals had ([`fill::Filled::set_with_lists`]), so a value
/// chosen from them is no fault of the village.
fn dropdown(wb: &Workbook, sheet: &crate::read::Sheet, row: u32, col: u32) -> Vec<String> {
    let Some(v) = sheet.validations.iter().find(|v| {
        v.ranges
            .iter()
            .any(|r| (r.top..=r.bottom).contains(&row) && (r.left..=r.right).contains(&col))
    }) else {
        return Vec::new();
    };
    match &v.source {
        crate::read::ListSource::Values(values) => values.clone(),
        crate::read::ListSource::Range { sheet: name, rect } => {
            let from = match name {
                Some(n) => wb.sheets.iter().find(|s| s.name == *n),
                None => Some(sheet),
            };
            let Some(from) = from else {
                return Vec::new();
            };
            let mut out = Vec::new();
            // A list is one column or one row; a claimed range is never walked past the grid.
            for r in rect.top..=rect.bottom.min(from.grid.height().saturating_sub(1)) {
                for c in rect.left..=rect.right.min(rect.left + 1000) {
                    let t = from.grid.get(r, c).text();
                    if !t.trim().is_empty() {
                        out.push(t);
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Keys a row lacks but carries inside another identifier ([`EMBEDDED_KEYS`]): the ID number
/// at the start of a 残疾人证号. By canonical id.
pub(crate) fn derived_keys(
    set: &FormSet,
    sheet: usize,
    values: &[Value],
) -> Vec<(&'static str, Value)> {
    EMBEDDED_KEYS
        .iter()
        .filter(|(_, carried)| {
            column_of(set, sheet, carried).is_none_or(|k| values.get(k).is_none_or(Value::is_blank))
        })
        .filter_map(|(carrier, carried)| {
            let v = values.get(column_of(set, sheet, carrier)?)?;
            Some((*carried, Value::Text(embedded_id(&v.text())?)))
        })
        .collect()
}

/// A 序号-like column: the form numbers its rows.
pub(crate) fn is_serial(name: &str) -> bool {
    matches!(name, "序号" | "编号" | "序" | "No" | "NO" | "No.")
}

/// The outcome of splitting a batch of filled files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SplitOutcome {
    /// One workbook per department: `(file name, bytes)`.
    pub workbooks: Vec<(String, Vec<u8>)>,
    /// Everything found wrong, in file order; none stopped the rest.
    pub problems: Vec<Problem>,
    /// Rows written per original form, in [`FormSet::sources`] order.
    pub rows_per_form: Vec<usize>,
    /// How forms without the base table's key were joined, one line each (Chinese, English):
    /// [`crate::plan::build::join_note`].
    pub join_notes: Vec<(String, String)>,
}

/// Reads filled copies of the set, checks them, and writes each department's own forms.
///
/// # Errors
/// Only when a workbook cannot be written at all ([`crate::write::WriteError`]); problems in
/// the filled files are listed in [`SplitOutcome::problems`] instead.
pub fn split_files(
    set: &FormSet,
    files: &[(&str, &[u8])],
) -> Result<SplitOutcome, crate::write::WriteError> {
    let mut rows = SetRows::new(set);
    let mut problems = Vec::new();
    for (name, bytes) in files {
        problems.extend(read_filled_bytes(set, name, bytes, &mut rows));
    }
    let assembled = assemble(set, &rows);
    problems.extend(assembled.problems);
    let workbooks = crate::write::forms::department_workbooks(set, &assembled.forms)?;
    Ok(SplitOutcome {
        workbooks,
        problems,
        rows_per_form: assembled.forms.iter().map(|f| f.rows.len()).collect(),
        join_notes: (0..set.sources.len())
            .filter_map(|i| {
                Some((
                    crate::plan::build::join_note(set, i, Lang::Zh)?,
                    crate::plan::build::join_note(set, i, Lang::En)?,
                ))
            })
            .collect(),
    })
}
