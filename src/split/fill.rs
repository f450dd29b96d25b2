//! Fill: original departmental forms with data → the set's rows, through the crosswalk.
//!
//! Each data row of each original form gives one row of that form's own sheet, and its shared
//! facts go to the base tables, one row per person / household / village / plot found by its
//! keys. When two forms say different things about the same fact of the same key, the first
//! value is kept and the difference is listed ([`Conflict`]): a village fills each fact once.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{key_alternatives, key_text, FilledRow, SetRows};
use crate::error::{Lang, ReadError};
use crate::plan::{FormSet, SetSheetKind};
use crate::read::{Value, Workbook};

/// Two original forms disagree on one fact of one person/household/village/plot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The original file, sheet, row and column (1-based) whose value was not kept.
    pub file: String,
    /// Its sheet.
    pub sheet: String,
    /// Its row.
    pub row: u32,
    /// Its column.
    pub column: u32,
    /// The set sheet and field.
    pub set_sheet: String,
    /// The field's name in the set.
    pub field: String,
    /// The value kept (from an earlier form).
    pub kept: String,
    /// The value of this cell, not kept.
    pub other: String,
}

/// A data row that could not go into a base table: it has shared facts but no key there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    /// The original file.
    pub file: String,
    /// Its sheet.
    pub sheet: String,
    /// Its row (1-based).
    pub row: u32,
    /// The base table it needed.
    pub set_sheet: String,
}

/// The set's rows filled from the originals, and what did not fit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filled {
    /// The rows, per set sheet.
    pub rows: SetRows,
    /// Facts two forms disagree on.
    pub conflicts: Vec<Conflict>,
    /// Rows whose shared facts found no base-table row.
    pub unplaced: Vec<Unplaced>,
}

impl Filled {
    /// The rows as [`crate::write::to_xlsx_filled`] takes them.
    pub fn values(&self) -> Vec<Vec<Vec<Value>>> {
        self.rows
            .sheets
            .iter()
            .map(|rows| rows.iter().map(|r| r.values.clone()).collect())
            .collect()
    }
}

impl Conflict {
    /// The line staff read: which cell said what, and what was kept.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "{} · {} · 第{}行：「{}」此处为「{}」，前面的表为「{}」，采用「{}」。",
                self.file, self.sheet, self.row, self.field, self.other, self.kept, self.kept
            ),
            Lang::En => format!(
                "{} · {} · row {}: \"{}\" is \"{}\" here but \"{}\" in an earlier form; kept \"{}\".",
                self.file, self.sheet, self.row, self.field, self.other, self.kept, self.kept
            ),
        }
    }
}

impl Unplaced {
    /// The line staff read: which row lacked the keys of which base table.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "{} · {} · 第{}行：缺少「{}」的关键列，共用信息未能填入。",
                self.file, self.sheet, self.row, self.set_sheet
            ),
            Lang::En => format!(
                "{} · {} · row {}: no key for \"{}\"; its shared facts were not filled in.",
                self.file, self.sheet, self.row, self.set_sheet
            ),
        }
    }
}

/// [`fill`] from the files' bytes, as `yibiao fill` and the app's pre-filled download take
/// them: each file is read, one that cannot be read is listed with why and left out.
pub fn fill_from_bytes(
    set: &FormSet,
    files: &[(&str, &[u8])],
) -> (Filled, Vec<(String, ReadError)>) {
    let mut books = Vec::new();
    let mut unreadable = Vec::new();
    for (name, bytes) in files {
        match crate::read::read(name, bytes) {
            Ok(wb) => books.push((*name, wb)),
            Err(e) => unreadable.push((name.to_string(), e)),
        }
    }
    let refs: Vec<(&str, &Workbook)> = books.iter().map(|(n, w)| (*n, w)).collect();
    (fill(set, &refs), unreadable)
}

/// Fills the set from original forms with data. `originals` are the files the set was made
/// from (matched to its sources by file and sheet name); forms whose file is not given stay
/// empty.
pub fn fill(set: &FormSet, originals: &[(&str, &Workbook)]) -> Filled {
    let mut out = Filled {
        rows: SetRows::new(set),
        ..Filled::default()
    };
    out.rows.files = originals.iter().map(|(n, _)| n.to_string()).collect();
    // Base tables: per alternative, key → row.
    let mut index: HashMap<(usize, usize, String), usize> = HashMap::new();
    for (si, source) in set.sources.iter().enumerate() {
        let Some((fi, wb)) = originals
            .iter()
            .enumerate()
            .find(|(_, (n, _))| *n == source.file)
            .map(|(i, (_, wb))| (i, *wb))
        else {
            continue;
        };
        let Some(sheet) = wb.sheets.iter().find(|s| s.name == source.sheet) else {
            continue;
        };
        let topic = set
            .sheets
            .iter()
            .position(|s| s.kind == SetSheetKind::Topic && s.replaces.as_slice() == [si]);
        let t = &source.template;
        let first = t.data_first_row.max(source.data_first_row).max(1) - 1;
        let last = if t.data_first_row > 0 {
            t.data_last_row
        } else {
            sheet.grid.height()
        };
        for r in first..last {
            // The row's values by canonical id, and by id and whose fact it is.
            let mut known: HashMap<&str, (&Value, u32)> = HashMap::new();
            let mut at_level: HashMap<(&str, &str), (&Value, u32)> = HashMap::new();
            for f in &source.fields {
                let Some(id) = &f.canonical else { continue };
                let v = sheet.grid.get(r, f.column.saturating_sub(1));
                if !v.is_blank() {
                    known.entry(id.as_str()).or_insert((v, f.column));
                    at_level
                        .entry((id.as_str(), f.level.as_str()))
                        .or_insert((v, f.column));
                }
            }
            if known.is_empty() {
                continue;
            }
            // A base table takes the facts of its own grain, and any key it shares.
            let values_for = |sheet: usize| -> Vec<Value> {
                let s = &set.sheets[sheet];
                s.columns
                    .iter()
                    .map(|c| {
                        let Some(cf) = set.canonical.get(c.canonical) else {
                            return Value::Empty;
                        };
                        let hit = if s.kind == SetSheetKind::Base && !c.key {
                            at_level.get(&(cf.id.as_str(), s.grain.as_str()))
                        } else {
                            known.get(cf.id.as_str())
                        };
                        hit.map(|(v, _)| (*v).clone()).unwrap_or_default()
                    })
                    .collect()
            };
            if let Some(topic) = topic {
                out.rows.sheets[topic].push(FilledRow {
                    file: fi,
                    row: r + 1,
                    values: values_for(topic),
                });
            }
            for (bi, base) in set.sheets.iter().enumerate() {
                if base.kind != SetSheetKind::Base {
                    continue;
                }
                let own = topic.is_some_and(|t| set.sheets[t].grain == base.grain);
                let values = values_for(bi);
                let has_fact = base
                    .columns
                    .iter()
                    .zip(&values)
                    .any(|(c, v)| !c.key && !v.is_blank());
                if !own && !has_fact {
                    continue;
                }
                let keys: Vec<(usize, String)> = key_alternatives(&base.grain)
                    .iter()
                    .enumerate()
                    .filter_map(|(ai, alt)| {
                        let parts: Vec<String> = alt
                            .iter()
                            .map(|id| known.get(id).map(|(v, _)| key_text(v)).unwrap_or_default())
                            .collect();
                        (!parts.iter().any(String::is_empty)).then(|| (ai, parts.join(" / ")))
                    })
                    .collect();
                if keys.is_empty() {
                    if has_fact {
                        out.unplaced.push(Unplaced {
                            file: source.file.clone(),
                            sheet: source.sheet.clone(),
                            row: r + 1,
                            set_sheet: base.name.clone(),
                        });
                    }
                    continue;
                }
                let existing = keys
                    .iter()
                    .find_map(|(ai, k)| index.get(&(bi, *ai, k.clone())).copied());
                let ri = match existing {
                    Some(ri) => {
                        let row = &mut out.rows.sheets[bi][ri];
                        for (k, v) in values.into_iter().enumerate() {
                            if v.is_blank() {
                                continue;
                            }
                            let cell = &mut row.values[k];
                            if cell.is_blank() {
                                *cell = v;
                            } else if key_text(cell) != key_text(&v) {
                                let column = base.columns[k].canonical;
                                let field = set.canonical.get(column);
                                let col = field
                                    .and_then(|f| {
                                        at_level
                                            .get(&(f.id.as_str(), base.grain.as_str()))
                                            .or_else(|| known.get(f.id.as_str()))
                                    })
                                    .map_or(0, |(_, c)| *c);
                                out.conflicts.push(Conflict {
                                    file: source.file.clone(),
                                    sheet: source.sheet.clone(),
                                    row: r + 1,
                                    column: col,
                                    set_sheet: base.name.clone(),
                                    field: field.map(|f| f.name.clone()).unwrap_or_default(),
                                    kept: cell.text(),
                                    other: v.text(),
                                });
                            }
                        }
                        ri
                    }
                    None => {
                        out.rows.sheets[bi].push(FilledRow {
                            file: fi,
                            row: r + 1,
                            values,
                        });
                        out.rows.sheets[bi].len() - 1
                    }
                };
                // Index under every alternative the row now has.
                let row = &out.rows.sheets[bi][ri];
                for (ai, alt) in key_alternatives(&base.grain).iter().enumerate() {
                    let parts: Option<Vec<String>> = alt
                        .iter()
                        .map(|id| {
                            let k = super::column_of(set, bi, id)?;
                            let t = key_text(&row.values[k]);
                            (!t.is_empty()).then_some(t)
                        })
                        .collect();
                    if let Some(parts) = parts {
                        index.entry((bi, ai, parts.join(" / "))).or_insert(ri);
                    }
                }
            }
        }
    }
    out
}
