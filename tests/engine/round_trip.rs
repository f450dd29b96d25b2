//! The round trip as a measure: original forms with data → the set pre-filled from them,
//! written and read back as a village returns it, split back into each department's
//! workbooks, read back again — and every original data cell compared with the cell at the
//! same sheet, row and column. What does not come back is counted by cause.
//!
//! Shared by the engine tests (the example county, a roster without ID numbers) and by
//! `examples/round_trip.rs` (any folder, e.g. the 200-form scale set).

use std::collections::{BTreeMap, HashMap};

use yibiao::inspect::inspect;
use yibiao::merge::{merge, Project};
use yibiao::read::{self, Value, Workbook};
use yibiao::split::{self, fill::fill, SetRows};
use yibiao::write::forms::{department_file_name, department_workbooks};
use yibiao::write::{safe_sheet_name, to_xlsx_filled};
use yibiao::Lang;

/// Why an original cell did not come back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// A column the set has no place for (备注: another branch gives it one).
    NotInSet,
    /// Two forms disagreed on the fact; the earlier form's value was kept (a listed conflict).
    Conflict,
    /// A shared fact came back empty: the row found no base-table row.
    NotJoined,
    /// The form's own column came back empty.
    OwnEmpty,
    /// Something else came back.
    Changed,
}

impl Cause {
    pub fn label(self) -> &'static str {
        match self {
            Cause::NotInSet => "column not in the set (备注)",
            Cause::Conflict => "two forms disagree, earlier kept",
            Cause::NotJoined => "shared fact empty: row not joined to its base row",
            Cause::OwnEmpty => "own column empty",
            Cause::Changed => "value changed",
        }
    }
}

/// What came back.
#[derive(Debug, Default)]
pub struct RoundTrip {
    /// Non-empty original data cells compared.
    pub compared: usize,
    /// Of those, the same text in the same place.
    pub back: usize,
    /// Lost cells by cause: `file / sheet A1: want …, got …`.
    pub lost: BTreeMap<Cause, Vec<String>>,
    /// Cells empty in the original that came back filled (from another form's fact).
    pub added: usize,
    /// Problems reading and splitting the pre-filled set, by code: the app's own doing.
    pub problems: BTreeMap<&'static str, Vec<String>>,
    /// Fill's own report: disagreements and rows without keys.
    pub conflicts: usize,
    pub unplaced: usize,
    /// Rows of the pre-filled set lacking keys, as fill counts them.
    pub keyless: usize,
}

impl RoundTrip {
    pub fn share(&self) -> f64 {
        if self.compared == 0 {
            return 1.0;
        }
        self.back as f64 / self.compared as f64
    }

    pub fn lost_in(&self, causes: &[Cause]) -> usize {
        causes
            .iter()
            .map(|c| self.lost.get(c).map_or(0, Vec::len))
            .sum()
    }

    /// A few lines for a test failure or the example's output.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} of {} original data cells back ({:.2}%); {} filled from other forms; fill: {} conflicts, {} rows unplaced, {} rows without keys\n",
            self.back,
            self.compared,
            self.share() * 100.0,
            self.added,
            self.conflicts,
            self.unplaced,
            self.keyless
        );
        for (cause, cells) in &self.lost {
            s.push_str(&format!("  lost, {}: {}\n", cause.label(), cells.len()));
            for c in cells.iter().take(5) {
                s.push_str(&format!("    {c}\n"));
            }
        }
        for (code, lines) in &self.problems {
            s.push_str(&format!("  split problem {code}: {}\n", lines.len()));
            for l in lines.iter().take(3) {
                s.push_str(&format!("    {l}\n"));
            }
        }
        s
    }
}

/// A cell as compared: numbers and text by what they show, dates by their ISO text.
pub fn shown(v: &Value) -> String {
    v.text().trim().to_string()
}

/// The files inspected and merged as they are, with no staff decisions.
pub fn project_of(files: &[(String, Vec<u8>)]) -> Project {
    let reports: Vec<_> = files.iter().map(|(n, b)| inspect(n, b)).collect();
    merge(&reports, "", &[]).expect("merges")
}

/// Fills the set from `files`, writes it, reads it back, splits it and compares.
pub fn measure(project: &Project, files: &[(String, Vec<u8>)]) -> RoundTrip {
    let set = &project.set;
    let originals: Vec<(String, Workbook)> = files
        .iter()
        .filter_map(|(n, b)| read::read(n, b).ok().map(|w| (n.clone(), w)))
        .collect();
    let refs: Vec<(&str, &Workbook)> = originals.iter().map(|(n, w)| (n.as_str(), w)).collect();
    let filled = fill(set, &refs);
    let bytes = to_xlsx_filled(&filled.set_with_lists(set), Lang::Zh, &filled.values())
        .expect("filled set writes");
    let name = "已填.xlsx";
    let wb = read::read(name, &bytes).expect("filled set reads back");
    let mut rows = SetRows::new(set);
    let mut problems = split::read_filled(set, name, &wb, &mut rows);
    let assembled = split::assemble(set, &rows);
    problems.extend(assembled.problems.iter().cloned());
    let books = department_workbooks(set, &assembled.forms).expect("department workbooks write");
    let books: HashMap<String, Workbook> = books
        .iter()
        .map(|(n, b)| {
            (
                n.clone(),
                read::read(n, b).expect("department workbook reads"),
            )
        })
        .collect();

    let mut out = RoundTrip {
        conflicts: filled.conflicts.len(),
        unplaced: filled.unplaced.len(),
        keyless: filled.keyless.len(),
        ..RoundTrip::default()
    };
    for p in &problems {
        out.problems
            .entry(p.finding.code())
            .or_default()
            .push(p.message(Lang::Zh));
    }
    let conflicts: HashMap<(&str, &str, u32, u32), &str> = filled
        .conflicts
        .iter()
        .map(|c| {
            (
                (c.file.as_str(), c.sheet.as_str(), c.row, c.column),
                c.kept.as_str(),
            )
        })
        .collect();

    // Each department's sheet names, as `department_workbook` gives them.
    let mut sheet_names: HashMap<(&str, &str), String> = HashMap::new();
    let mut used: HashMap<&str, std::collections::HashSet<String>> = HashMap::new();
    for s in &set.sources {
        if sheet_names.contains_key(&(s.file.as_str(), s.sheet.as_str())) {
            continue;
        }
        let base = if s.sheet.is_empty() {
            file_stem(&s.file)
        } else {
            s.sheet.clone()
        };
        let name = safe_sheet_name(&base, used.entry(&s.department).or_default());
        sheet_names.insert((&s.file, &s.sheet), name);
    }

    for source in &set.sources {
        let Some((_, original)) = originals.iter().find(|(n, _)| *n == source.file) else {
            continue;
        };
        let Some(osheet) = original.sheets.iter().find(|s| s.name == source.sheet) else {
            continue;
        };
        let book = &books[&department_file_name(&source.department)];
        let name = &sheet_names[&(source.file.as_str(), source.sheet.as_str())];
        let out_sheet = book.sheets.iter().find(|s| s.name == *name);
        let t = &source.template;
        for r in t.data_first_row..=t.data_last_row {
            for f in &source.fields {
                if f.canonical.is_none() && is_serial(&f.name) {
                    continue; // the set numbers its own rows
                }
                let (row0, col0) = (r - 1, f.column - 1);
                let want = shown(osheet.grid.get(row0, col0));
                let got = out_sheet
                    .map(|s| shown(s.grid.get(row0, col0)))
                    .unwrap_or_default();
                if want.is_empty() {
                    if !got.is_empty() {
                        out.added += 1;
                    }
                    continue;
                }
                out.compared += 1;
                if want == got {
                    out.back += 1;
                    continue;
                }
                let cause = if f.canonical.is_none() {
                    Cause::NotInSet
                } else if conflicts
                    .get(&(source.file.as_str(), source.sheet.as_str(), r, f.column))
                    .is_some_and(|kept| *kept == got)
                {
                    Cause::Conflict
                } else if got.is_empty() && on_own_sheet(project, source, f) {
                    Cause::OwnEmpty
                } else if got.is_empty() {
                    Cause::NotJoined
                } else {
                    Cause::Changed
                };
                out.lost.entry(cause).or_default().push(format!(
                    "{} / {} {}{} ({}): want {want:?}, got {got:?}",
                    source.file, source.sheet, f.column_letter, r, f.name
                ));
            }
        }
    }
    out
}

/// The file name without directory and extension (a CSV file's sheet name).
fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) if i > 0 => base[..i].to_string(),
        _ => base.to_string(),
    }
}

fn is_serial(name: &str) -> bool {
    matches!(name, "序号" | "编号" | "序" | "No" | "NO" | "No.")
}

/// Whether the field's value lives on its form's own (topic) sheet.
fn on_own_sheet(
    project: &Project,
    source: &yibiao::plan::SourceForm,
    f: &yibiao::plan::SourceField,
) -> bool {
    let set = &project.set;
    let Some(si) = set.sources.iter().position(|s| std::ptr::eq(s, source)) else {
        return false;
    };
    set.sheets
        .iter()
        .filter(|s| s.replaces.as_slice() == [si] && s.kind == yibiao::plan::SetSheetKind::Topic)
        .any(|s| {
            s.columns
                .iter()
                .any(|c| Some(set.canonical[c.canonical].id.as_str()) == f.canonical.as_deref())
        })
}
