//! Fill: original departmental forms with data → the set's rows, through the crosswalk.
//!
//! Each data row of each original form — for a card, indicator report or questionnaire, each
//! sheet filled in its layout — gives one row of that form's own sheet, and its shared
//! facts go to the base tables, one row per person / household / village / plot found by its
//! keys. When two forms say different things about the same fact of the same key, the first
//! value is kept and the difference is listed ([`Conflict`]): a village fills each fact once.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{key_alternatives, key_text, missing_key, FilledRow, SetRows};
use crate::error::{Lang, ReadError};
use crate::inspect::FormTemplate;
use crate::plan::build::{embedded_id, EMBEDDED_KEYS};
use crate::plan::{FormSet, SetSheetKind, SourceField, SourceForm};
use crate::read::{parse_a1, Sheet, Value, Workbook};
use crate::text::{reporter_place, split_place};

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
    /// Rows of the filled set that lack keys, by the rule split back reports them with
    /// ([`super::missing_key`]): what 行缺少关键列 counts, here and after the village returns it.
    pub keyless: Vec<Unplaced>,
    /// Values outside their column's list in the set, added to the list of the workbook
    /// written ([`Filled::set_with_lists`]), so the dropdown offers them and split back takes
    /// them.
    pub extended: Vec<Extended>,
}

/// A value an original form has that the set's list for the field does not: the list of the
/// pre-filled workbook is extended by it (a form without a list, or with another one, said
/// 本科及以上 where the set lists 大学本科).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extended {
    /// The original file of the first row with it.
    pub file: String,
    /// That row (1-based) in the original.
    pub row: u32,
    /// The set sheet it was written to.
    pub set_sheet: String,
    /// The field's name in the set.
    pub field: String,
    /// Index into [`FormSet::canonical`].
    pub canonical: usize,
    /// The value added.
    pub value: String,
}

impl Extended {
    /// The line staff read.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "{} · 第{}行：「{}」的「{}」不在套表的下拉选项中，已加入预填表的选项。",
                self.file, self.row, self.field, self.value
            ),
            Lang::En => format!(
                "{} · row {}: \"{}\" of \"{}\" is not one of the set's choices; it was added to the pre-filled set's dropdown.",
                self.file, self.row, self.value, self.field
            ),
        }
    }
}

impl Filled {
    /// The set whose lists also hold the values [`Filled::extended`] lists: the one to write
    /// the pre-filled workbook with.
    pub fn set_with_lists(&self, set: &FormSet) -> FormSet {
        let mut out = set.clone();
        for e in &self.extended {
            if let Some(c) = out.canonical.get_mut(e.canonical) {
                if c.enum_values.is_empty() {
                    // 是/否 of a yes/no field, which the writer offers without a list.
                    c.enum_values = crate::write::xlsx::list_values(c);
                }
                if !c.enum_values.contains(&e.value) {
                    c.enum_values.push(e.value.clone());
                }
            }
        }
        out
    }

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

/// Original files read: each workbook with its file name, and the files that could not be read
/// with why.
pub type Originals<'a> = (Vec<(&'a str, Workbook)>, Vec<(String, ReadError)>);

/// Reads the original files (see [`Originals`]).
pub fn read_originals<'a>(files: &[(&'a str, &[u8])]) -> Originals<'a> {
    let mut books = Vec::new();
    let mut unreadable = Vec::new();
    for (name, bytes) in files {
        match crate::read::read(name, bytes) {
            Ok(wb) => books.push((*name, wb)),
            Err(e) => unreadable.push((name.to_string(), e)),
        }
    }
    (books, unreadable)
}

/// [`fill`] from the files' bytes, as `yibiao fill` takes them: each file is read, one that
/// cannot be read is listed with why and left out.
pub fn fill_from_bytes(
    set: &FormSet,
    files: &[(&str, &[u8])],
) -> (Filled, Vec<(String, ReadError)>) {
    let (books, unreadable) = read_originals(files);
    let refs: Vec<(&str, &Workbook)> = books.iter().map(|(n, w)| (*n, w)).collect();
    (fill(set, &refs), unreadable)
}

/// Fills the set from original forms with data. `originals` are the files the set was made
/// from (matched to its sources by file name; a roster by its sheet's name, a card, indicator
/// report or questionnaire by every sheet laid out as it is); forms whose file is not given
/// stay empty.
pub fn fill(set: &FormSet, originals: &[(&str, &Workbook)]) -> Filled {
    let mut out = Filled {
        rows: SetRows::new(set),
        ..Filled::default()
    };
    out.rows.files = originals.iter().map(|(n, _)| n.to_string()).collect();
    let ids = Ids::new(set);
    // Base tables: per sheet and key alternative, key → row.
    let mut index: Vec<Vec<HashMap<String, usize>>> = set
        .sheets
        .iter()
        .map(|s| vec![HashMap::new(); key_alternatives(&s.grain).len()])
        .collect();
    let mut placed = Placed::new(set.sheets.len());
    // Ids in some base table's key: what links a row to the rows of other tables.
    let mut link_ids: Vec<usize> = ids
        .alternatives
        .iter()
        .flatten()
        .flatten()
        .flatten()
        .copied()
        .collect();
    link_ids.sort_unstable();
    link_ids.dedup();
    for (si, source) in set.sources.iter().enumerate() {
        let Some((fi, wb)) = originals
            .iter()
            .enumerate()
            .find(|(_, (n, _))| *n == source.file)
            .map(|(i, (_, wb))| (i, *wb))
        else {
            continue;
        };
        let topic = set
            .sheets
            .iter()
            .position(|s| s.kind == SetSheetKind::Topic && s.replaces.as_slice() == [si]);
        // Sheets that are another form of this file's own are that form's.
        let others: Vec<&str> = set
            .sources
            .iter()
            .enumerate()
            .filter(|&(sj, s)| sj != si && s.file == source.file)
            .map(|(_, s)| s.sheet.as_str())
            .collect();
        let records = records_of(source, wb, &others);
        // The form's fields with a place in the set: (where its value is, id, level).
        let fields: Vec<(At, usize, usize)> = source
            .fields
            .iter()
            .enumerate()
            .filter_map(|(k, f)| {
                let id = ids.of(f.canonical.as_deref()?)?;
                Some((At::of(source, k, f)?, id, ids.level(&f.level)))
            })
            .collect();
        // Keys the form lacks but carries inside another identifier (the ID number at the
        // start of a 残疾人证号): (carried id, where the carrier is), and per record the value.
        let carried: Vec<(usize, At)> = EMBEDDED_KEYS
            .iter()
            .filter_map(|(carrier, carried)| {
                let to = ids.of(carried)?;
                let from = ids.of(carrier)?;
                if fields.iter().any(|f| f.1 == to) {
                    return None;
                }
                fields.iter().find(|f| f.1 == from).map(|f| (to, f.0))
            })
            .collect();
        let derived: Vec<Vec<Option<Value>>> = records
            .iter()
            .map(|rec| {
                carried
                    .iter()
                    .map(|&(_, at)| embedded_id(&rec.get(at).text()).map(Value::Text))
                    .collect()
            })
            .collect();
        // A card's or indicator report's place, from its reporter line: the village's key.
        let place_ids = [ids.of("loc.town"), ids.of("loc.village")];
        // The record being read: its values by canonical id, and by id and whose fact it is (at
        // `id * levels + level`); `touched` lists the ids set, to clear them for the next row.
        let mut known: Vec<Option<(&Value, u32)>> = vec![None; ids.count];
        let mut at_level: Vec<Option<(&Value, u32)>> = vec![None; ids.count * ids.levels.len()];
        let mut touched: Vec<usize> = Vec::new();
        // Keys the row lacks but a base row it was joined to has (the household found by its
        // 户编号 gives the head's ID and the village): later base tables are found by them too,
        // as split back finds them, so one person is one row whichever keys each form has.
        let mut learned: Vec<Option<Value>> = vec![None; ids.count];
        let mut learned_ids: Vec<usize> = Vec::new();
        for (ri, rec) in records.iter().enumerate() {
            let r = rec.row;
            let sheet_name = &rec.sheet.name;
            for id in touched.drain(..) {
                known[id] = None;
                at_level[id * ids.levels.len()..(id + 1) * ids.levels.len()].fill(None);
            }
            for id in learned_ids.drain(..) {
                learned[id] = None;
            }
            for &(at, id, level) in &fields {
                let v = rec.get(at);
                if !v.is_blank() {
                    let column = at.col + 1;
                    if known[id].is_none() {
                        known[id] = Some((v, column));
                        touched.push(id);
                    }
                    let at = &mut at_level[id * ids.levels.len() + level];
                    if at.is_none() {
                        *at = Some((v, column));
                    }
                }
            }
            if touched.is_empty() {
                continue;
            }
            if let Some(place) = &rec.place {
                for (id, v) in place_ids.iter().zip(place) {
                    if let Some(id) = *id {
                        if known[id].is_none() && !v.is_blank() {
                            known[id] = Some((v, 0));
                            touched.push(id);
                        }
                    }
                }
            }
            // On a roster of household members, the head's own row says who the head is: its
            // household is then found by the head's ID too, and is one row with the household
            // another form knows by that ID.
            if let Some([rel, pid, pname, hid, hname]) = ids.head_of_household {
                let is_head = known[rel].is_some_and(|(v, _)| v.text().trim() == "户主");
                if is_head && known[hid].is_none() && known[pid].is_some() {
                    known[hid] = known[pid];
                    touched.push(hid);
                    if known[hname].is_none() && known[pname].is_some() {
                        known[hname] = known[pname];
                        touched.push(hname);
                    }
                }
            }
            for (j, &(to, at)) in carried.iter().enumerate() {
                if known[to].is_none() {
                    if let Some(v) = derived[ri][j].as_ref() {
                        known[to] = Some((v, at.col + 1));
                        touched.push(to);
                    }
                }
            }
            let level_hit = |id: usize, level: usize| at_level[id * ids.levels.len() + level];
            // A base table takes the facts of its own grain, and any key it shares.
            let values_for = |sheet: usize, learned: &[Option<Value>]| -> Vec<Value> {
                let s = &set.sheets[sheet];
                let grain = ids.level(&s.grain);
                s.columns
                    .iter()
                    .zip(&ids.columns[sheet])
                    .map(|(c, id)| {
                        let Some(id) = *id else {
                            return Value::Empty;
                        };
                        if s.kind == SetSheetKind::Base && !c.key {
                            return level_hit(id, grain)
                                .map(|(v, _)| v.clone())
                                .unwrap_or_default();
                        }
                        known[id]
                            .map(|(v, _)| v)
                            .or(learned[id].as_ref())
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect()
            };
            if let Some(topic) = topic {
                out.rows.sheets[topic].push(FilledRow {
                    file: fi,
                    row: r + 1,
                    values: values_for(topic, &learned),
                });
            }
            for (bi, base) in set.sheets.iter().enumerate() {
                if base.kind != SetSheetKind::Base {
                    continue;
                }
                let own = topic.is_some_and(|t| set.sheets[t].grain == base.grain);
                let values = values_for(bi, &learned);
                let has_fact = base
                    .columns
                    .iter()
                    .zip(&values)
                    .any(|(c, v)| !c.key && !v.is_blank());
                // A row with no fact for this table still tells, by two of its keys, that
                // two of its rows are one (a member roster's head row: 户编号 and head's ID).
                let bridge_only = !own && !has_fact;
                if bridge_only && ids.alternatives[bi].len() < 2 {
                    continue;
                }
                let keys: Vec<(usize, String)> = ids.alternatives[bi]
                    .iter()
                    .enumerate()
                    .filter_map(|(ai, alt)| {
                        let parts: Vec<String> = alt
                            .iter()
                            .map(|id| {
                                id.and_then(|id| known[id].map(|(v, _)| v).or(learned[id].as_ref()))
                                    .map(key_text)
                                    .unwrap_or_default()
                            })
                            .collect();
                        (!parts.iter().any(String::is_empty)).then(|| (ai, parts.join(" / ")))
                    })
                    .collect();
                if bridge_only && keys.len() < 2 {
                    // Nothing to add here, but the row it finds still tells its keys.
                    let hit = keys
                        .iter()
                        .find_map(|(ai, k)| index[bi][*ai].get(k).copied());
                    if let Some(ri) = hit {
                        let row = &out.rows.sheets[bi][ri].values;
                        learn(
                            base,
                            row,
                            &ids.columns[bi],
                            &known,
                            &mut learned,
                            &mut learned_ids,
                        );
                    }
                    continue;
                }
                if keys.is_empty() {
                    if has_fact {
                        out.unplaced.push(Unplaced {
                            file: source.file.clone(),
                            sheet: sheet_name.clone(),
                            row: r + 1,
                            set_sheet: base.name.clone(),
                        });
                    }
                    continue;
                }
                // Rows that are this one by any key are one row: a household found once by
                // its 户编号 and once by the head's ID.
                // A row found by a weaker key whose stronger key differs is someone else (two
                // 张伟 in one village, with different ID numbers).
                let mut found: Vec<usize> = Vec::new();
                for (ai, k) in &keys {
                    let Some(&ri) = index[bi][*ai].get(k) else {
                        continue;
                    };
                    let other_one = keys.iter().filter(|(aj, _)| aj < ai).any(|(aj, kj)| {
                        ids.alternative_columns[bi][*aj]
                            .as_ref()
                            .and_then(|cols| super::key_of(&out.rows.sheets[bi][ri].values, cols))
                            .is_some_and(|theirs| theirs != *kj)
                    });
                    if !other_one && !found.contains(&ri) {
                        found.push(ri);
                    }
                }
                if bridge_only && found.len() < 2 {
                    continue;
                }
                if found.len() > 1 {
                    let into = found[0];
                    for &other in &found[1..] {
                        merge_rows(set, &mut out, &mut placed, bi, into, other);
                        for map in index[bi].iter_mut() {
                            for ri in map.values_mut() {
                                if *ri == other {
                                    *ri = into;
                                }
                            }
                        }
                    }
                }
                let existing = found.first().copied();
                let grain = ids.level(&base.grain);
                // The record's own column for each cell (0 for a key learned elsewhere).
                let column_of = |k: usize| -> u32 {
                    ids.columns[bi][k]
                        .and_then(|id| level_hit(id, grain).or(known[id]))
                        .map_or(0, |(_, c)| c)
                };
                let here = |k: usize| From {
                    source: si,
                    row: r + 1,
                    column: column_of(k),
                };
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
                                placed.from[bi][ri][k] = vec![here(k)];
                            } else if key_text(cell) == key_text(&v) {
                                // One more cell the value stands for (listed, too, if the
                                // value loses to another when rows merge).
                                placed.from[bi][ri][k].push(here(k));
                            } else {
                                let field = set.canonical.get(base.columns[k].canonical);
                                out.conflicts.push(Conflict {
                                    file: source.file.clone(),
                                    sheet: sheet_name.clone(),
                                    row: r + 1,
                                    column: column_of(k),
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
                        let from = (0..values.len())
                            .map(|k| {
                                if values[k].is_blank() {
                                    Vec::new()
                                } else {
                                    vec![here(k)]
                                }
                            })
                            .collect();
                        out.rows.sheets[bi].push(FilledRow {
                            file: fi,
                            row: r + 1,
                            values,
                        });
                        placed.from[bi].push(from);
                        placed.gone[bi].push(false);
                        placed.links[bi].push(Vec::new());
                        out.rows.sheets[bi].len() - 1
                    }
                };
                // The keys this record knew the row by, kept where the table has no column
                // for them (the 户编号 of a person): rows are joined by them at the end.
                for &id in &link_ids {
                    if let Some(v) = known[id].map(|(v, _)| v).or(learned[id].as_ref()) {
                        placed.link(bi, ri, id, key_text(v));
                    }
                }
                // Index under every alternative the row now has.
                let row = &out.rows.sheets[bi][ri];
                learn(
                    base,
                    &row.values,
                    &ids.columns[bi],
                    &known,
                    &mut learned,
                    &mut learned_ids,
                );
                for (ai, columns) in ids.alternative_columns[bi].iter().enumerate() {
                    let Some(columns) = columns else { continue };
                    let parts: Option<Vec<String>> = columns
                        .iter()
                        .map(|&k| {
                            let t = key_text(&row.values[k]);
                            (!t.is_empty()).then_some(t)
                        })
                        .collect();
                    if let Some(parts) = parts {
                        index[bi][ai].entry(parts.join(" / ")).or_insert(ri);
                    }
                }
            }
        }
    }
    settle(set, &ids, &mut out, &mut placed);
    for (bi, gone) in placed.gone.iter().enumerate() {
        if gone.iter().any(|&g| g) {
            let rows = std::mem::take(&mut out.rows.sheets[bi]);
            out.rows.sheets[bi] = rows
                .into_iter()
                .zip(gone)
                .filter(|(_, &g)| !g)
                .map(|(r, _)| r)
                .collect();
        }
    }
    // Values outside the set's lists: the written workbook's lists take them.
    for (si, rows) in out.rows.sheets.iter().enumerate() {
        for row in rows {
            for (column, v) in set.sheets[si].columns.iter().zip(&row.values) {
                let Some(c) = set.canonical.get(column.canonical) else {
                    continue;
                };
                if v.is_blank() {
                    continue;
                }
                let list = crate::write::xlsx::list_values(c);
                if list.is_empty() || super::in_list(&list, v) {
                    continue;
                }
                let value = v.text().trim().to_string();
                if out
                    .extended
                    .iter()
                    .any(|e| e.canonical == column.canonical && e.value == value)
                {
                    continue;
                }
                out.extended.push(Extended {
                    file: out.rows.files.get(row.file).cloned().unwrap_or_default(),
                    row: row.row,
                    set_sheet: set.sheets[si].name.clone(),
                    field: c.name.clone(),
                    canonical: column.canonical,
                    value,
                });
            }
        }
    }
    // Rows lacking keys, by the rule split back uses.
    for (si, rows) in out.rows.sheets.iter().enumerate() {
        for row in rows {
            // A row with nothing in it is no row once written (split back skips it too).
            if row.values.iter().all(Value::is_blank) {
                continue;
            }
            if missing_key(set, si, &row.values).is_some() {
                let sheet = set
                    .sources
                    .iter()
                    .find(|s| {
                        Some(s.file.as_str()) == out.rows.files.get(row.file).map(String::as_str)
                    })
                    .filter(|_| set.sheets[si].kind == SetSheetKind::Topic)
                    .and_then(|_| set.sheets[si].replaces.first())
                    .and_then(|&i| set.sources.get(i))
                    .map(|s| s.sheet.clone())
                    .unwrap_or_default();
                out.keyless.push(Unplaced {
                    file: out.rows.files.get(row.file).cloned().unwrap_or_default(),
                    sheet,
                    row: row.row,
                    set_sheet: set.sheets[si].name.clone(),
                });
            }
        }
    }
    out
}

/// Moves base row `other` of set sheet `bi` into row `into`: blank cells take its values,
/// differing ones are listed as conflicts (against the form `other` came from); `other` is
/// left out at the end.
fn merge_rows(
    set: &FormSet,
    out: &mut Filled,
    placed: &mut Placed,
    bi: usize,
    into: usize,
    other: usize,
) {
    let base = &set.sheets[bi];
    let taken = std::mem::take(&mut out.rows.sheets[bi][other].values);
    let taken_from = std::mem::take(&mut placed.from[bi][other]);
    for (k, (v, from)) in taken.into_iter().zip(taken_from).enumerate() {
        if v.is_blank() {
            continue;
        }
        let cell = &mut out.rows.sheets[bi][into].values[k];
        if cell.is_blank() {
            *cell = v;
            placed.from[bi][into][k] = from;
        } else if key_text(cell) == key_text(&v) {
            placed.from[bi][into][k].extend(from);
        } else {
            // Listed against every form cell the value came from.
            let field = set.canonical.get(base.columns[k].canonical);
            for from in from {
                let source = &set.sources[from.source];
                out.conflicts.push(Conflict {
                    file: source.file.clone(),
                    sheet: source.sheet.clone(),
                    row: from.row,
                    column: from.column,
                    set_sheet: base.name.clone(),
                    field: field.map(|f| f.name.clone()).unwrap_or_default(),
                    kept: cell.text(),
                    other: v.text(),
                });
            }
        }
    }
    placed.gone[bi][other] = true;
    for (id, v) in std::mem::take(&mut placed.links[bi][other]) {
        placed.link(bi, into, id, v);
    }
}

/// Where a base cell's value was read: the form (its index in the set's sources), and the row
/// and column on it (1-based; column 0 for a key learned from another row).
#[derive(Clone, Copy, Debug)]
struct From {
    source: usize,
    row: u32,
    column: u32,
}

/// Base rows as placed: per base sheet, where each row's cells were read — every form cell
/// that gave the value (for conflicts found when two rows merge), whether it was merged into another (left out at the end), and the
/// keys its records knew it by, as (id, key text).
struct Placed {
    from: Vec<Vec<Vec<Vec<From>>>>,
    gone: Vec<Vec<bool>>,
    links: Vec<Vec<Vec<(usize, String)>>>,
}

impl Placed {
    fn new(sheets: usize) -> Placed {
        Placed {
            from: vec![Vec::new(); sheets],
            gone: vec![Vec::new(); sheets],
            links: vec![Vec::new(); sheets],
        }
    }

    fn link(&mut self, bi: usize, ri: usize, id: usize, v: String) {
        let links = &mut self.links[bi][ri];
        if !v.is_empty() && !links.iter().any(|(i, _)| *i == id) {
            links.push((id, v));
        }
    }
}

/// Base rows' keys, from their own columns or, where the table has no column for a key,
/// from the keys their records knew them by ([`Placed::links`]).
struct Keys<'a> {
    ids: &'a Ids<'a>,
    /// Per set sheet, the column holding each id.
    column: Vec<Vec<Option<usize>>>,
}

impl<'a> Keys<'a> {
    fn new(ids: &'a Ids<'a>, sheets: usize) -> Keys<'a> {
        let column = (0..sheets)
            .map(|bi| {
                let mut by_id = vec![None; ids.count];
                for (k, id) in ids.columns[bi].iter().enumerate() {
                    if let Some(id) = *id {
                        by_id[id].get_or_insert(k);
                    }
                }
                by_id
            })
            .collect();
        Keys { ids, column }
    }

    fn value(
        &self,
        out: &Filled,
        placed: &Placed,
        bi: usize,
        ri: usize,
        id: usize,
    ) -> Option<String> {
        if let Some(k) = self.column[bi][id] {
            let t = key_text(&out.rows.sheets[bi][ri].values[k]);
            if !t.is_empty() {
                return Some(t);
            }
        }
        placed.links[bi][ri]
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, v)| v.clone())
    }

    /// Row `ri` of sheet `bi` under base sheet `bj`'s key alternative `aj`.
    fn key(
        &self,
        out: &Filled,
        placed: &Placed,
        bi: usize,
        ri: usize,
        bj: usize,
        aj: usize,
    ) -> Option<String> {
        let parts: Option<Vec<String>> = self.ids.alternatives[bj][aj]
            .iter()
            .map(|id| self.value(out, placed, bi, ri, (*id)?))
            .collect();
        parts.map(|p| p.join(" / "))
    }

    /// Whether two rows of base sheet `bi` are one: the strongest key alternative both have
    /// decides (two 张伟 of one village with different ID numbers are two people); `None`
    /// when they share none.
    fn same(&self, out: &Filled, placed: &Placed, bi: usize, a: usize, b: usize) -> Option<bool> {
        (0..self.ids.alternatives[bi].len()).find_map(|ai| {
            match (
                self.key(out, placed, bi, a, bi, ai),
                self.key(out, placed, bi, b, bi, ai),
            ) {
                (Some(x), Some(y)) => Some(x == y),
                _ => None,
            }
        })
    }
}

/// After every form is placed: rows placed before the keys that join them were known become
/// one. A person row from a roster keyed by village and name takes the head's ID from its
/// household (found by the 户编号 its roster gave), and is then the row another form gave with
/// the ID; a household keyed by village and head's name is the one another form knows by its
/// 户编号. Split back finds rows by any of their keys, so each record must be one row here, or
/// its facts come back empty and the person is in the set twice. Repeats while anything
/// changes (a few rounds at most).
fn settle(set: &FormSet, ids: &Ids, out: &mut Filled, placed: &mut Placed) {
    let bases: Vec<usize> = (0..set.sheets.len())
        .filter(|&i| set.sheets[i].kind == SetSheetKind::Base)
        .collect();
    let keys = Keys::new(ids, set.sheets.len());
    let live = |placed: &Placed, bi: usize| -> Vec<usize> {
        (0..placed.gone[bi].len())
            .filter(|&ri| !placed.gone[bi][ri])
            .collect()
    };
    for _round in 0..4 {
        let mut changed = false;
        // Each base table under each key alternative: key → its first row.
        let index: Vec<Vec<HashMap<String, usize>>> = (0..set.sheets.len())
            .map(|bj| {
                let mut maps = vec![HashMap::new(); ids.alternatives[bj].len()];
                if bases.contains(&bj) {
                    for ri in live(placed, bj) {
                        for (aj, map) in maps.iter_mut().enumerate() {
                            if let Some(k) = keys.key(out, placed, bj, ri, bj, aj) {
                                map.entry(k).or_insert(ri);
                            }
                        }
                    }
                }
                maps
            })
            .collect();
        // Keys a row lacks that the row of another table it names has: into the row's key
        // column where it has one, else kept as a link.
        for &bi in &bases {
            for ri in live(placed, bi) {
                for &bj in bases.iter().filter(|&&bj| bj != bi) {
                    let hit = (0..ids.alternatives[bj].len()).find_map(|aj| {
                        let k = keys.key(out, placed, bi, ri, bj, aj)?;
                        index[bj][aj].get(&k).copied()
                    });
                    let Some(rj) = hit else { continue };
                    for (kj, c) in set.sheets[bj].columns.iter().enumerate() {
                        let Some(id) = ids.columns[bj][kj].filter(|_| c.key) else {
                            continue;
                        };
                        if keys.value(out, placed, bi, ri, id).is_some() {
                            continue;
                        }
                        let v = &out.rows.sheets[bj][rj].values[kj];
                        if v.is_blank() {
                            continue;
                        }
                        match keys.column[bi][id].filter(|&k| set.sheets[bi].columns[k].key) {
                            Some(k) => {
                                out.rows.sheets[bi][ri].values[k] = v.clone();
                                placed.from[bi][ri][k] = placed.from[bj][rj][kj].clone();
                            }
                            None => {
                                let t = key_text(v);
                                placed.link(bi, ri, id, t);
                            }
                        }
                        changed = true;
                    }
                }
            }
        }
        // Rows of one table that are one by any key.
        for &bi in &bases {
            let alts = ids.alternatives[bi].len();
            let mut index: Vec<HashMap<String, usize>> = vec![HashMap::new(); alts];
            for ri in live(placed, bi) {
                let mut found: Vec<usize> = Vec::new();
                for (ai, map) in index.iter().enumerate() {
                    let Some(&rj) = keys
                        .key(out, placed, bi, ri, bi, ai)
                        .and_then(|k| map.get(&k))
                    else {
                        continue;
                    };
                    let one = |a: usize, b: usize| keys.same(out, placed, bi, a, b) == Some(true);
                    if !found.contains(&rj)
                        && one(ri, rj)
                        && found.first().is_none_or(|&f| one(f, rj))
                    {
                        found.push(rj);
                    }
                }
                let into = found.first().copied().unwrap_or(ri);
                for &other in found.iter().skip(1).chain(found.first().map(|_| &ri)) {
                    merge_rows(set, out, placed, bi, into, other);
                    changed = true;
                    for map in index.iter_mut() {
                        for r in map.values_mut() {
                            if *r == other {
                                *r = into;
                            }
                        }
                    }
                }
                for (ai, map) in index.iter_mut().enumerate() {
                    if let Some(k) = keys.key(out, placed, bi, into, bi, ai) {
                        map.entry(k).or_insert(into);
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// Where a field's value is on a record: a roster's column on the record's row, or a card's or
/// indicator's own cell (0-based).
#[derive(Clone, Copy, Debug)]
struct At {
    /// The value cell's row; `None` for a roster's column, read on each record's row.
    row: Option<u32>,
    col: u32,
    /// A questionnaire's item, read as the option ticked ([`Record::ticked`]): the field's
    /// index.
    ticked: Option<usize>,
}

impl At {
    /// Where a field of `source` is read: its value cell on a card or indicator report (a
    /// field without one is not read), its column on a roster.
    fn of(source: &SourceForm, k: usize, f: &SourceField) -> Option<At> {
        if !source.is_record_form() {
            return Some(At {
                row: None,
                col: f.column.saturating_sub(1),
                ticked: None,
            });
        }
        let (row, col) = f.value_cell.as_deref().and_then(parse_a1)?;
        Some(At {
            row: Some(row),
            col,
            ticked: source.is_questionnaire().then_some(k),
        })
    }
}

/// One record of an original form: a roster's data row, or one sheet filled in a card's or
/// indicator report's layout.
struct Record<'w> {
    sheet: &'w Sheet,
    /// The row (0-based): a roster's data row; a card's first value row, for messages.
    row: u32,
    /// The town and village a card or indicator report names on its reporter line.
    place: Option<[Value; 2]>,
    /// A questionnaire's answers, per field: the option whose cell is ticked.
    ticked: Vec<Value>,
}

impl Record<'_> {
    fn get(&self, at: At) -> &Value {
        match at.ticked {
            Some(k) => self.ticked.get(k).unwrap_or(&Value::Empty),
            None => self.sheet.grid.get(at.row.unwrap_or(self.row), at.col),
        }
    }
}

/// A questionnaire's answers on a sheet: per field, the option under which a mark is (`√`),
/// the first if several are.
fn ticked(sheet: &Sheet, source: &SourceForm) -> Vec<Value> {
    if !source.is_questionnaire() {
        return Vec::new();
    }
    source
        .fields
        .iter()
        .map(|f| {
            let Some((r, c)) = f.value_cell.as_deref().and_then(parse_a1) else {
                return Value::Empty;
            };
            f.enum_values
                .iter()
                .enumerate()
                .find(|(k, _)| !sheet.grid.get(r, c + *k as u32).is_blank())
                .map_or(Value::Empty, |(_, o)| Value::Text(o.clone()))
        })
        .collect()
}

/// The records an original form gives: a roster's data rows; for a card or indicator report,
/// every sheet of its workbook laid out as it is (its labels in their cells) — the form filled
/// once, or once per person, household or village, one sheet each — but another form's own
/// sheet (`others`).
fn records_of<'w>(source: &SourceForm, wb: &'w Workbook, others: &[&str]) -> Vec<Record<'w>> {
    let t = &source.template;
    if !source.is_record_form() {
        let Some(sheet) = wb.sheets.iter().find(|s| s.name == source.sheet) else {
            return Vec::new();
        };
        let first = t.data_first_row.max(source.data_first_row).max(1) - 1;
        let last = if t.data_first_row > 0 {
            t.data_last_row
        } else {
            sheet.grid.height()
        };
        return (first..last)
            .map(|row| Record {
                sheet,
                row,
                place: None,
                ticked: Vec::new(),
            })
            .collect();
    }
    let first_value_row = source
        .fields
        .iter()
        .filter_map(|f| f.value_cell.as_deref().and_then(parse_a1))
        .map(|(r, _)| r)
        .min()
        .unwrap_or(0);
    wb.sheets
        .iter()
        .filter(|sheet| {
            sheet.name == source.sheet
                || (!others.contains(&sheet.name.as_str()) && in_layout(sheet, t))
        })
        .map(|sheet| Record {
            sheet,
            row: first_value_row,
            place: place_on(sheet, source),
            ticked: ticked(sheet, source),
        })
        .collect()
}

/// Whether a sheet is laid out as the template: four in five of its labels (reporter lines
/// aside, which hold the place once filled) in their cells.
fn in_layout(sheet: &Sheet, t: &FormTemplate) -> bool {
    let labels: Vec<_> = t
        .cells
        .iter()
        .filter(|c| c.row > 0 && c.col > 0 && !t.meta_rows.contains(&c.row))
        .collect();
    let same = labels
        .iter()
        .filter(|c| squash(&sheet.grid.get(c.row - 1, c.col - 1).text()) == squash(&c.text))
        .count();
    !labels.is_empty() && same * 5 >= labels.len() * 4
}

/// The town and village a filled card or indicator report names: on its reporter lines
/// (`填报单位：青山镇石桥村`), else in the cell beside its 单位名称.
fn place_on(sheet: &Sheet, source: &SourceForm) -> Option<[Value; 2]> {
    let lines = source.template.meta_rows.iter().map(|&r| {
        let cells = sheet.grid.row(r.saturating_sub(1));
        let texts: Vec<String> = cells.iter().map(Value::text).collect();
        reporter_place(&texts.join("\u{3000}"))
    });
    let beside = source
        .fields
        .iter()
        .filter(|f| f.role == "structural" && crate::fields::is_place_label(&f.name))
        .filter_map(|f| f.value_cell.as_deref().and_then(parse_a1))
        .map(|(r, c)| split_place(&sheet.grid.get(r, c).text()));
    let (town, village) = lines.chain(beside).find(|(_, v)| !v.is_empty())?;
    let text = |t: String| {
        if t.is_empty() {
            Value::Empty
        } else {
            Value::Text(t)
        }
    };
    Some([text(town), text(village)])
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Takes the keys a base row has that the row being read lacks (see `learned` in [`fill`]).
fn learn(
    base: &crate::plan::SetSheet,
    values: &[Value],
    columns: &[Option<usize>],
    known: &[Option<(&Value, u32)>],
    learned: &mut [Option<Value>],
    learned_ids: &mut Vec<usize>,
) {
    for (c, (v, id)) in base.columns.iter().zip(values.iter().zip(columns)) {
        if let Some(id) = *id {
            if c.key && !v.is_blank() && known[id].is_none() && learned[id].is_none() {
                learned[id] = Some(v.clone());
                learned_ids.push(id);
            }
        }
    }
}

/// Canonical fields and levels as small numbers, worked out once for [`fill`]. Fields of one
/// id share its number (the first field's index).
struct Ids<'a> {
    by_id: HashMap<&'a str, usize>,
    /// Numbers in use: `0..count`.
    count: usize,
    /// Levels (`person`, `household` …) as met in the set's sheets and fields.
    levels: Vec<&'a str>,
    /// Per set sheet, each column's id number.
    columns: Vec<Vec<Option<usize>>>,
    /// Per set sheet, each key alternative's id numbers.
    alternatives: Vec<Vec<Vec<Option<usize>>>>,
    /// Per set sheet, each key alternative's columns, if the sheet has them all.
    alternative_columns: Vec<Vec<Option<Vec<usize>>>>,
    /// 与户主关系, the person's ID and name, the head's ID and name, when the set has them all.
    head_of_household: Option<[usize; 5]>,
}

impl<'a> Ids<'a> {
    fn new(set: &'a FormSet) -> Ids<'a> {
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        for (i, c) in set.canonical.iter().enumerate() {
            by_id.entry(c.id.as_str()).or_insert(i);
        }
        let mut levels: Vec<&str> = Vec::new();
        let levels_met = set.sheets.iter().map(|s| s.grain.as_str()).chain(
            set.sources
                .iter()
                .flat_map(|s| s.fields.iter().map(|f| f.level.as_str())),
        );
        for l in levels_met {
            if !levels.contains(&l) {
                levels.push(l);
            }
        }
        let number = |i: usize| {
            set.canonical
                .get(i)
                .and_then(|c| by_id.get(c.id.as_str()).copied())
        };
        let columns: Vec<Vec<Option<usize>>> = set
            .sheets
            .iter()
            .map(|s| s.columns.iter().map(|c| number(c.canonical)).collect())
            .collect();
        let alternatives = set
            .sheets
            .iter()
            .map(|s| {
                key_alternatives(&s.grain)
                    .iter()
                    .map(|alt| alt.iter().map(|id| by_id.get(id).copied()).collect())
                    .collect()
            })
            .collect();
        let alternative_columns = (0..set.sheets.len())
            .map(|bi| {
                key_alternatives(&set.sheets[bi].grain)
                    .iter()
                    .map(|alt| alt.iter().map(|id| super::column_of(set, bi, id)).collect())
                    .collect()
            })
            .collect();
        let head_of_household = [
            "person.relation_to_head",
            "person.id_number",
            "person.name",
            "head@person.id_number",
            "head@person.name",
        ]
        .map(|id| by_id.get(id).copied());
        let head_of_household = match head_of_household {
            [Some(a), Some(b), Some(c), Some(d), Some(e)] => Some([a, b, c, d, e]),
            _ => None,
        };
        Ids {
            head_of_household,
            count: set.canonical.len(),
            by_id,
            levels,
            columns,
            alternatives,
            alternative_columns,
        }
    }

    fn of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// A level's number; every level of the set's sheets and fields has one.
    fn level(&self, level: &str) -> usize {
        self.levels.iter().position(|l| *l == level).unwrap_or(0)
    }
}
