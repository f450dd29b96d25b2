//! Matching on the real-dev corpus judged against its hand-made `truth.json`: pairwise
//! precision, recall and F1 of the clustering over the fields the engine found, plus the merges
//! that must never happen (two units in one field, generic leaves of different meanings).
//! Shared by `tests/engine/matching.rs` and `examples/real_dev_match.rs`.
//!
//! A truth field counts when the engine found a data column at its place (file, sheet, the
//! form whose header rows overlap the truth's, column). Columns the engine takes as structural
//! (序号, 备注: role other than `data`) take no part in matching and are left out; they are
//! counted in `structural`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value as Json;
use yibiao::inspect::inspect;
use yibiao::matching::{cluster_calibrated, match_key, Calibration, Clustering, Lexicon};
use yibiao::plan::{sources_from_reports, SourceForm};

/// The figures, and the wrong pairs (most frequent first) for a person to read.
#[derive(Default)]
pub struct Eval {
    pub truth_fields: usize,
    pub found: usize,
    pub structural: usize,
    pub tp: u64,
    pub fp: u64,
    pub fneg: u64,
    /// Pairs in one cluster whose units differ (元 vs 万元, 户 vs 人).
    pub cross_unit: u64,
    /// Pairs in one cluster whose leaves are both generic (合计, 其他 …) and whose concepts
    /// differ.
    pub generic_leaf: u64,
    pub wrong: Vec<(String, u32)>,
}

impl Eval {
    pub fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fneg).max(1) as f64
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// The header rows of a truth table, if it has a header.
fn header_rows(t: &Json) -> Option<(u32, u32)> {
    let a = t["header_rows"].as_array()?;
    Some((a.first()?.as_u64()? as u32, a.last()?.as_u64()? as u32))
}

/// The source form of `file`/`sheet` whose header block is the truth's, else overlaps it most.
fn best_source(
    sources: &[SourceForm],
    file: &str,
    sheet: Option<&str>,
    rows: (u32, u32),
) -> Option<usize> {
    let (first, last) = rows;
    sources
        .iter()
        .enumerate()
        .filter(|(_, s)| s.file == file && sheet.is_none_or(|n| s.sheet == n))
        .map(|(i, s)| {
            let a = s.header_rows.first().copied().unwrap_or(0);
            let b = s.header_rows.last().copied().unwrap_or(0);
            let overlap = (b.min(last) + 1).saturating_sub(a.max(first));
            (i, (a == first && b == last, overlap))
        })
        .filter(|(_, (exact, overlap))| *exact || *overlap > 0)
        .max_by_key(|(_, k)| *k)
        .map(|(i, _)| i)
}

/// The corpus read and clustered, with the truth concept of each data field found.
pub struct Labelled {
    pub sources: Vec<SourceForm>,
    pub clustering: Clustering,
    /// `[source, field]` → truth concept, in the truth's order.
    pub data: Vec<([usize; 2], String)>,
    pub truth_fields: usize,
    pub structural: usize,
}

/// Reads the corpus in `dir`, clusters it with `lex` (and `calibration`), and places each truth
/// field on the data field the engine found for it.
pub fn labelled(dir: &Path, lex: &Lexicon, calibration: &Calibration) -> Labelled {
    let truth: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).expect("truth.json"))
            .expect("truth.json parses");
    let sheets = truth["sheets"].as_array().expect("sheets");
    let mut files: Vec<String> = sheets
        .iter()
        .filter_map(|s| s["file"].as_str().map(String::from))
        .collect();
    files.sort();
    files.dedup();
    let reports: Vec<_> = files
        .iter()
        .map(|f| inspect(f, &std::fs::read(dir.join(f)).expect("fixture file")))
        .collect();
    let sources = sources_from_reports(&reports, lex);
    // Each source field's label cell (cards and indicators), in the order the sources are made.
    let label_cells: Vec<Vec<Option<String>>> = reports
        .iter()
        .flat_map(|r| &r.sheets)
        .filter(|s| s.kind == "form")
        .flat_map(|s| &s.forms)
        .filter(|f| !f.fields.is_empty())
        .map(|f| f.fields.iter().map(|x| x.label_cell.clone()).collect())
        .collect();
    assert_eq!(
        label_cells.len(),
        sources.len(),
        "sources follow the reports"
    );
    let c = cluster_calibrated(&sources, lex, calibration);
    let mut e = Eval::default();
    // (source, field) → concept
    let mut data: Vec<([usize; 2], String)> = Vec::new();
    for sheet in sheets {
        let file = sheet["file"].as_str().unwrap_or_default();
        let name = sheet["sheet"].as_str();
        let tables =
            std::iter::once(sheet).chain(sheet["extra_tables"].as_array().into_iter().flatten());
        for t in tables {
            let fields = t["fields"].as_array();
            e.truth_fields += fields.map_or(0, Vec::len);
            let Some(rows) = header_rows(t) else { continue };
            let Some(si) = best_source(&sources, file, name, rows) else {
                continue;
            };
            // The truth's `fields` are a column table's columns: an item form's fields are
            // found through its labels below.
            if sources[si].shape != "roster" {
                continue;
            }
            for f in fields.into_iter().flatten() {
                let col = f["column"].as_u64().unwrap_or(0) as u32;
                let Some(fi) = sources[si].fields.iter().position(|x| x.column == col) else {
                    continue;
                };
                if sources[si].fields[fi].role != "data" {
                    e.structural += 1;
                    continue;
                }
                if data.iter().any(|(at, _)| *at == [si, fi]) {
                    continue;
                }
                data.push((
                    [si, fi],
                    f["concept"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    // Cards, indicators, questionnaires: a truth label is the field whose label cell it is.
    for sheet in sheets {
        let file = sheet["file"].as_str().unwrap_or_default();
        let name = sheet["sheet"].as_str();
        for l in sheet["labels"].as_array().into_iter().flatten() {
            if l["role"].as_str() == Some("grid_axis") {
                continue;
            }
            e.truth_fields += 1;
            let cell = l["cell"].as_str().unwrap_or_default();
            let found = sources.iter().enumerate().find_map(|(si, s)| {
                (s.file == file && name.is_none_or(|n| s.sheet == n) && s.shape != "roster")
                    .then(|| {
                        label_cells[si]
                            .iter()
                            .position(|lc| lc.as_deref() == Some(cell))
                            .map(|fi| [si, fi])
                    })
                    .flatten()
            });
            let Some(at) = found else { continue };
            if sources[at[0]].fields[at[1]].role != "data" {
                e.structural += 1;
                continue;
            }
            if !data.iter().any(|(x, _)| *x == at) {
                data.push((at, l["concept"].as_str().unwrap_or_default().to_string()));
            }
        }
    }
    Labelled {
        sources,
        clustering: c,
        data,
        truth_fields: e.truth_fields,
        structural: e.structural,
    }
}

pub fn evaluate(dir: &Path, lex: &Lexicon) -> Eval {
    let Labelled {
        sources,
        clustering: c,
        data,
        truth_fields,
        structural,
    } = labelled(dir, lex, Calibration::builtin());
    let mut e = Eval {
        truth_fields,
        structural,
        ..Eval::default()
    };
    e.found = data.len();
    let field = |at: [usize; 2]| &sources[at[0]].fields[at[1]];
    let shown = |at: [usize; 2]| {
        let s = &sources[at[0]];
        format!(
            "{}:{}",
            s.title.chars().take(10).collect::<String>(),
            field(at).header_path.join("/")
        )
    };
    let unit = |at: [usize; 2]| {
        field(at)
            .unit
            .as_deref()
            .map(yibiao::matching::lexicon::unit_key)
    };
    let generic = |at: [usize; 2]| {
        let leaf = field(at).header_path.last().cloned().unwrap_or_default();
        lex.is_generic_leaf(&match_key(&leaf))
    };
    let mut wrong: BTreeMap<String, u32> = BTreeMap::new();
    let mut cluster_of: HashMap<[usize; 2], Option<usize>> = HashMap::new();
    for (at, _) in &data {
        cluster_of.insert(*at, c.assignment[at[0]][at[1]]);
    }
    for (i, a) in data.iter().enumerate() {
        for b in &data[i + 1..] {
            if a.0[0] == b.0[0] {
                // Two columns of one form never join; the pair says nothing about matching.
                continue;
            }
            let same_t = a.1 == b.1;
            let ca = cluster_of[&a.0];
            let same_g = ca.is_some() && ca == cluster_of[&b.0];
            if same_g {
                if let (Some(x), Some(y)) = (unit(a.0), unit(b.0)) {
                    if x != y {
                        e.cross_unit += 1;
                        *wrong
                            .entry(format!("UNITS {} ≠ {}", shown(a.0), shown(b.0)))
                            .or_default() += 1;
                    }
                }
                if !same_t && generic(a.0) && generic(b.0) {
                    e.generic_leaf += 1;
                }
            }
            match (same_t, same_g) {
                (true, true) => e.tp += 1,
                (false, true) => {
                    e.fp += 1;
                    *wrong
                        .entry(format!(
                            "FALSE {} ({}) + {} ({})",
                            shown(a.0),
                            a.1,
                            shown(b.0),
                            b.1
                        ))
                        .or_default() += 1;
                }
                (true, false) => {
                    e.fneg += 1;
                    *wrong
                        .entry(format!("MISS {} + {} ({})", shown(a.0), shown(b.0), a.1))
                        .or_default() += 1;
                }
                _ => {}
            }
        }
    }
    let mut w: Vec<(String, u32)> = wrong.into_iter().collect();
    w.sort_by_key(|b| std::cmp::Reverse(b.1));
    e.wrong = w;
    e
}
