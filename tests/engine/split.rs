//! Split back, as the county meets it: the set filled from the original forms' rows, written
//! and read back as a village would return it, split into each department's own forms — and
//! every original data cell comes back in the same sheet, row and column. Faults in a filled
//! copy are reported with their file, sheet and row.

use std::collections::HashMap;

use yibiao::examples::EXAMPLES;
use yibiao::merge::{merge, Project};
use yibiao::read::{self, Value, Workbook};
use yibiao::split::{self, fill::fill, Finding, SetRows};
use yibiao::write::forms::department_workbooks;
use yibiao::write::to_xlsx_filled;
use yibiao::Lang;

use super::merging::reports;

fn project() -> Project {
    merge(&reports(), "", &[]).expect("fixture county merges")
}

fn originals() -> Vec<(String, Workbook)> {
    EXAMPLES
        .iter()
        .map(|(n, b)| (n.to_string(), read::read(n, b).expect("fixture reads")))
        .collect()
}

/// A cell as compared: numbers and text by what they show, dates by their ISO text.
fn shown(v: &Value) -> String {
    v.text().trim().to_string()
}

/// The fixture set filled from the originals and written as a village would get it back.
fn filled_workbook(
    project: &Project,
    originals: &[(String, Workbook)],
) -> (Vec<u8>, split::fill::Filled) {
    let refs: Vec<(&str, &Workbook)> = originals.iter().map(|(n, w)| (n.as_str(), w)).collect();
    let filled = fill(&project.set, &refs);
    let bytes =
        to_xlsx_filled(&project.set, Lang::Zh, &filled.values()).expect("filled set writes");
    (bytes, filled)
}

#[test]
fn every_original_data_cell_comes_back_in_its_place() {
    let project = project();
    let set = &project.set;
    let originals = originals();
    let (bytes, filled) = filled_workbook(&project, &originals);
    assert!(
        filled.unplaced.is_empty(),
        "rows whose shared facts found no base row: {:#?}",
        filled.unplaced
    );

    // Facts two departments ask for are filled once. Where the sample rows of two originals
    // disagree on one (the same village's figures in two statistics forms), the first value
    // is kept: those cells come back with it, and each is listed as a conflict.
    let mut expected_override: HashMap<(String, String, u32, u32), String> = HashMap::new();
    for c in &filled.conflicts {
        expected_override.insert(
            (c.file.clone(), c.sheet.clone(), c.row, c.column),
            c.kept.clone(),
        );
    }

    // The village returns the workbook; the county reads it and splits it back.
    let wb = read::read("石桥村-已填.xlsx", &bytes).expect("filled set reads back");
    let mut rows = SetRows::new(set);
    let problems = split::read_filled(set, "石桥村-已填.xlsx", &wb, &mut rows);
    let structural: Vec<_> = problems
        .iter()
        .filter(|p| {
            matches!(
                p.finding,
                Finding::NotThisSet
                    | Finding::MissingSheet
                    | Finding::MissingKeyColumn { .. }
                    | Finding::UnknownColumn { .. }
            )
        })
        .collect();
    assert!(structural.is_empty(), "{structural:#?}");
    let assembled = split::assemble(set, &rows);
    let lost: Vec<_> = assembled
        .problems
        .iter()
        .filter(|p| {
            matches!(
                p.finding,
                Finding::NoBaseRow { .. } | Finding::NotOnAnyList { .. }
            )
        })
        .collect();
    assert!(lost.is_empty(), "{lost:#?}");
    let books = department_workbooks(set, &assembled.forms).expect("department workbooks write");

    // Each department's workbook, read back like any other file.
    let mut written: HashMap<(String, String), Workbook> = HashMap::new();
    for (name, bytes) in &books {
        let wb = read::read(name, bytes).expect("department workbook reads");
        for s in &wb.sheets {
            written.insert(
                (name.clone(), s.name.clone()),
                Workbook {
                    sheets: vec![s.clone()],
                    ..wb.clone()
                },
            );
        }
    }

    let (mut compared, mut mismatches) = (0usize, Vec::new());
    for source in &set.sources {
        let (_, original) = originals
            .iter()
            .find(|(n, _)| *n == source.file)
            .expect("original");
        let osheet = original
            .sheets
            .iter()
            .find(|s| s.name == source.sheet)
            .expect("sheet");
        let book = yibiao::write::forms::department_file_name(&source.department);
        let sheet_name = if source.sheet.is_empty() {
            source.file.clone()
        } else {
            source.sheet.clone()
        };
        let out = written
            .iter()
            .find(|((b, s), _)| {
                *b == book && (*s == sheet_name || sheet_name.starts_with(s.as_str()))
            })
            .map(|(_, w)| &w.sheets[0])
            .unwrap_or_else(|| panic!("{book}: no sheet for {} / {}", source.file, source.sheet));
        let t = &source.template;
        for r in t.data_first_row..=t.data_last_row {
            for f in source.fields.iter().filter(|f| f.role == "data") {
                let (row0, col0) = (r - 1, f.column - 1);
                let want = expected_override
                    .get(&(source.file.clone(), source.sheet.clone(), r, f.column))
                    .cloned()
                    .unwrap_or_else(|| shown(osheet.grid.get(row0, col0)));
                let got = shown(out.grid.get(row0, col0));
                compared += 1;
                if want != got {
                    mismatches.push(format!(
                        "{} / {} {}{}: want {want:?}, got {got:?}",
                        source.file, source.sheet, f.column_letter, r
                    ));
                }
            }
        }
        // The header block is the department's own, cell for cell.
        for c in &t.cells {
            if t.meta_rows.contains(&c.row) {
                continue;
            }
            let got = shown(out.grid.get(c.row - 1, c.col - 1));
            if got != c.text.trim() {
                mismatches.push(format!(
                    "{} header {}:{} want {:?} got {got:?}",
                    source.file, c.row, c.col, c.text
                ));
            }
        }
    }
    println!(
        "round trip: {compared} data cells over {} forms compared, {} kept from an earlier form (conflicts), {} mismatches",
        set.sources.len(),
        filled.conflicts.len(),
        mismatches.len()
    );
    assert!(compared > 1000, "only {compared} cells compared");
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first: {:#?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(20)]
    );
}
