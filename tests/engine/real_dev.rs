//! Real public templates (tests/fixtures/real-dev, copied from the shared development corpus)
//! against their hand-made truth.json: per sheet and table, the header rows found and the
//! header paths of the fields, by format. `cargo test real_dev -- --nocapture` prints the
//! per-file figures.
//!
//! What is held here is what the engine reaches today and must not lose: every file in the
//! formats read is read; the rosters of HTML tables and Excel 2003 XML files have their header
//! block and header paths as the truth says.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value as Json;
use yibiao::inspect::{inspect, FileReport, FormReport};
use yibiao::read::col_letter;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-dev")
}

fn truth() -> Json {
    let text = std::fs::read_to_string(dir().join("truth.json")).expect("truth.json");
    serde_json::from_str(&text).expect("truth.json parses")
}

/// Header text as the truth writes it: white space removed.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// What one roster table scored.
#[derive(Default, Clone, Copy)]
struct Score {
    tables: u32,
    header_right: u32,
    fields: u32,
    paths_right: u32,
}

impl Score {
    fn add(&mut self, o: Score) {
        self.tables += o.tables;
        self.header_right += o.header_right;
        self.fields += o.fields;
        self.paths_right += o.paths_right;
    }
}

/// The report's form whose header block is the truth table's, else the one whose header
/// overlaps it most.
fn best_form(forms: &[FormReport], first: u32, last: u32) -> Option<&FormReport> {
    let span = |f: &FormReport| {
        let a = f.header_rows.first().copied().unwrap_or(0);
        let b = f.header_rows.last().copied().unwrap_or(0);
        (a, b)
    };
    forms.iter().max_by_key(|f| {
        let (a, b) = span(f);
        let exact = a == first && b == last;
        let overlap = (b.min(last) + 1).saturating_sub(a.max(first));
        (exact, overlap)
    })
}

fn score_table(forms: &[FormReport], table: &Json, what: &str, lines: &mut Vec<String>) -> Score {
    let hr = table["header_rows"].as_array();
    let Some([first, last]) = hr
        .map(|a| {
            a.iter()
                .filter_map(Json::as_u64)
                .map(|x| x as u32)
                .collect::<Vec<_>>()
        })
        .and_then(|v| <[u32; 2]>::try_from(v).ok())
    else {
        return Score::default();
    };
    let mut s = Score {
        tables: 1,
        ..Score::default()
    };
    let form = best_form(forms, first, last);
    let found = form.map(|f| {
        (
            f.header_rows.first().copied().unwrap_or(0),
            f.header_rows.last().copied().unwrap_or(0),
        )
    });
    if found == Some((first, last)) {
        s.header_right = 1;
    } else {
        lines.push(format!(
            "    {what}: header rows {first}–{last}, found {found:?}"
        ));
    }
    for f in table["fields"].as_array().into_iter().flatten() {
        s.fields += 1;
        let col = f["column"].as_u64().unwrap_or(0) as u32;
        let letter = col_letter(col.saturating_sub(1));
        let want: Vec<String> = f["header_path"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(squash)
            .collect();
        let got = form.and_then(|form| form.fields.iter().find(|x| x.column_letter == letter));
        let got_path: Option<Vec<String>> =
            got.map(|x| x.header_path.iter().map(|p| squash(p)).collect());
        if got_path.as_ref() == Some(&want) {
            s.paths_right += 1;
        } else if lines.len() < 400 {
            lines.push(format!(
                "    {what} {letter}: want {}, got {}",
                want.join(" › "),
                got_path.map_or("—".into(), |p| p.join(" › "))
            ));
        }
    }
    s
}

/// Every sheet of the corpus scored; per format and per file, and the lines that missed.
struct Results {
    /// Per file: sheets whose shape is right, sheets; truth labels found, labels.
    shapes: BTreeMap<String, [u32; 4]>,
    shape_misses: Vec<String>,
    by_format: BTreeMap<String, Score>,
    by_file: BTreeMap<String, (String, Score)>,
    unread: Vec<String>,
    misses: Vec<String>,
}

fn run() -> Results {
    let truth = truth();
    let mut reports: BTreeMap<String, FileReport> = BTreeMap::new();
    let mut r = Results {
        shapes: BTreeMap::new(),
        shape_misses: Vec::new(),
        by_format: BTreeMap::new(),
        by_file: BTreeMap::new(),
        unread: Vec::new(),
        misses: Vec::new(),
    };
    for sheet in truth["sheets"].as_array().expect("sheets") {
        let file = sheet["file"].as_str().expect("file").to_owned();
        let rep = reports.entry(file.clone()).or_insert_with(|| {
            let bytes = std::fs::read(dir().join(&file)).expect("fixture file");
            inspect(&file, &bytes)
        });
        let format = rep.format.clone().unwrap_or_else(|| "unread".into());
        if rep.format.is_none() {
            if !r.unread.contains(&file) {
                r.unread.push(file.clone());
            }
            continue;
        }
        let sheet_rep = match sheet["sheet"].as_str() {
            Some(name) => rep.sheets.iter().find(|s| s.sheet == name),
            None => rep.sheets.first(),
        };
        let kind = sheet["kind"].as_str().unwrap_or("");
        if let Some(sheet_rep) = sheet_rep {
            let name = sheet["sheet"].as_str().unwrap_or("");
            let (right, got) = shape_right(sheet_rep, kind);
            let (found, all, missed) = labels_found(sheet_rep, sheet);
            let e = r.shapes.entry(file.clone()).or_default();
            e[0] += u32::from(right);
            e[1] += 1;
            e[2] += found;
            e[3] += all;
            if !right {
                r.shape_misses
                    .push(format!("  {file} {name}: {kind}, reported {got}"));
            }
            if !missed.is_empty() {
                r.shape_misses.push(format!(
                    "  {file} {name}: labels not found: {}",
                    missed.join(" ")
                ));
            }
        }
        if kind != "roster" {
            continue;
        }
        let Some(sheet_rep) = sheet_rep else {
            r.misses
                .push(format!("  {file}: sheet {} not read", sheet["sheet"]));
            continue;
        };
        let mut lines = Vec::new();
        let name = sheet["sheet"].as_str().unwrap_or("");
        let mut s = score_table(&sheet_rep.forms, sheet, name, &mut lines);
        for (i, extra) in sheet["extra_tables"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            s.add(score_table(
                &sheet_rep.forms,
                extra,
                &format!("{name} extra table {}", i + 1),
                &mut lines,
            ));
        }
        r.by_format.entry(format.clone()).or_default().add(s);
        r.by_file
            .entry(file.clone())
            .or_insert((format, Score::default()))
            .1
            .add(s);
        if !lines.is_empty() {
            r.misses.push(format!("  {file}"));
            r.misses.extend(lines);
        }
    }
    r
}

/// Is the sheet's shape the truth's kind: a roster, card, indicator or questionnaire sheet
/// reports a form of that shape first (and a roster sheet no other shape); a dictionary,
/// instructions or empty sheet reports that kind. Also what was reported.
fn shape_right(rep: &yibiao::inspect::SheetReport, kind: &str) -> (bool, String) {
    match kind {
        "roster" | "card" | "indicator" | "questionnaire" => {
            let shapes: Vec<&str> = rep.forms.iter().map(|f| f.shape.as_str()).collect();
            let right = rep.kind == "form"
                && shapes.first() == Some(&kind)
                && (kind != "roster" || shapes.iter().all(|s| *s == "roster"));
            (right, format!("{} {}", rep.kind, shapes.join("+")))
        }
        other => (rep.kind == other, rep.kind.clone()),
    }
}

/// A label's text as compared: white space and a trailing colon removed.
fn label_key(s: &str) -> String {
    squash(s).trim_end_matches(['：', ':']).to_string()
}

/// The truth labels of a sheet (and its extra tables) that some field of the sheet has: by
/// its label text, or by its label cell. Found, all, and the ones missed.
fn labels_found(rep: &yibiao::inspect::SheetReport, sheet: &Json) -> (u32, u32, Vec<String>) {
    let fields: Vec<&yibiao::inspect::FieldReport> =
        rep.forms.iter().flat_map(|f| &f.fields).collect();
    let labels = sheet["labels"].as_array().into_iter().flatten().chain(
        sheet["extra_tables"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|t| t["labels"].as_array().into_iter().flatten()),
    );
    let (mut found, mut all, mut missed) = (0, 0, Vec::new());
    for l in labels {
        if l["role"].as_str() == Some("grid_axis") {
            continue;
        }
        all += 1;
        let text = label_key(l["text"].as_str().unwrap_or(""));
        let cell = l["cell"].as_str().unwrap_or("");
        let hit = fields.iter().any(|f| {
            f.label_cell.as_deref() == Some(cell)
                || f.header_path.last().is_some_and(|p| label_key(p) == text)
        });
        if hit {
            found += 1;
        } else {
            missed.push(format!("{cell}={text}"));
        }
    }
    (found, all, missed)
}

fn pct(a: u32, b: u32) -> String {
    if b == 0 {
        "—".into()
    } else {
        format!("{:.1}%", 100.0 * f64::from(a) / f64::from(b))
    }
}

#[test]
fn real_dev_rosters_against_truth() {
    let r = run();
    println!("real-dev rosters: header rows right / tables, header paths exact / fields");
    for (file, (format, s)) in &r.by_file {
        println!(
            "  {file:<58} {format:<8} headers {}/{}  paths {}/{} ({})",
            s.header_right,
            s.tables,
            s.paths_right,
            s.fields,
            pct(s.paths_right, s.fields)
        );
    }
    for (format, s) in &r.by_format {
        println!(
            "{format:<8} tables {} headers right {} ({})  fields {} paths exact {} ({})",
            s.tables,
            s.header_right,
            pct(s.header_right, s.tables),
            s.fields,
            s.paths_right,
            pct(s.paths_right, s.fields)
        );
    }
    println!("not read: {:?}", r.unread);
    println!("misses:\n{}", r.misses.join("\n"));

    // Every file in a format we read is read (the blank three-sheet workbook included).
    assert!(r.unread.is_empty(), "files not read: {:?}", r.unread);
    // Every roster of the corpus, in every format: the header block and the header paths as
    // the truth says (all 74 tables and 1,474 fields when this was written).
    for format in ["html", "xml2003", "xlsx", "xls"] {
        let s = r.by_format.get(format).copied().unwrap_or_default();
        assert!(s.tables >= 5, "{format} roster tables: {}", s.tables);
        check_at_least(format, "header paths exact", s.paths_right, s.fields, 0.97);
        check_at_least(format, "header rows right", s.header_right, s.tables, 0.95);
    }
}

#[test]
fn real_dev_shapes_against_truth() {
    let r = run();
    println!("real-dev shapes: sheets whose shape is right / sheets, labels found / labels");
    let mut sum = [0u32; 4];
    for (file, s) in &r.shapes {
        println!(
            "  {file:<58} shapes {}/{}  labels {}/{} ({})",
            s[0],
            s[1],
            s[2],
            s[3],
            pct(s[2], s[3])
        );
        for i in 0..4 {
            sum[i] += s[i];
        }
    }
    println!(
        "all: shapes {}/{} ({})  labels {}/{} ({})",
        sum[0],
        sum[1],
        pct(sum[0], sum[1]),
        sum[2],
        sum[3],
        pct(sum[2], sum[3])
    );
    println!("misses:\n{}", r.shape_misses.join("\n"));
    // Every sheet's shape is right; labels at 91.6% (the misses: long sentence labels, option
    // lists, the mr.xml roster with a card-like block over it).
    check_at_least("all", "shapes right", sum[0], sum[1], 1.0);
    check_at_least("all", "labels found", sum[2], sum[3], 0.915);
}

#[track_caller]
fn check_at_least(format: &str, what: &str, right: u32, all: u32, share: f64) {
    assert!(
        f64::from(right) >= share * f64::from(all),
        "{format} {what}: {right}/{all}, want at least {:.0}%",
        share * 100.0
    );
}
