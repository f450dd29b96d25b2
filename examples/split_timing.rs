//! Times the phases of splitting back on the 200-form scale set (tuning aid):
//! `cargo run --release --example split_timing [DIR]` (default: target/bench-scale/scale).
use std::time::Instant;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench-scale/scale".into());
    let mut books = Vec::new();
    let mut reports = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("scale dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&p).expect("read");
        reports.push(yibiao::inspect(&name, &bytes));
        if let Ok(wb) = yibiao::read::read(&name, &bytes) {
            books.push((name, wb));
        }
    }
    let p = yibiao::merge::merge(&reports, "", &[]).expect("merge");
    let refs: Vec<(&str, &yibiao::read::Workbook)> =
        books.iter().map(|(n, w)| (n.as_str(), w)).collect();
    let t = Instant::now();
    let filled = yibiao::split::fill::fill(&p.set, &refs);
    println!("fill {:?}", t.elapsed());
    let t = Instant::now();
    let bytes =
        yibiao::write::to_xlsx_filled(&p.set, yibiao::Lang::Zh, &filled.values()).expect("xlsx");
    println!(
        "write filled set {:?} ({} KB)",
        t.elapsed(),
        bytes.len() / 1024
    );
    let t = Instant::now();
    let wb = yibiao::read::read("filled.xlsx", &bytes).expect("reads");
    println!("read {:?}", t.elapsed());
    let t = Instant::now();
    let mut rows = yibiao::split::SetRows::new(&p.set);
    let problems = yibiao::split::read_filled(&p.set, "filled.xlsx", &wb, &mut rows);
    println!(
        "read_filled {:?} ({} problems)",
        t.elapsed(),
        problems.len()
    );
    let t = Instant::now();
    let assembled = yibiao::split::assemble(&p.set, &rows);
    println!(
        "assemble {:?} ({} problems)",
        t.elapsed(),
        assembled.problems.len()
    );
    let t = Instant::now();
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    for p in problems.iter().chain(&assembled.problems) {
        *kinds.entry(p.finding.code()).or_default() += 1;
    }
    println!(
        "problems by kind: {kinds:?}; fill: {} conflicts, {} rows unplaced",
        filled.conflicts.len(),
        filled.unplaced.len()
    );
    let mut by_field: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for c in &filled.conflicts {
        *by_field
            .entry((c.set_sheet.as_str(), c.field.as_str()))
            .or_default() += 1;
    }
    let mut top: Vec<_> = by_field.into_iter().collect();
    top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    println!("conflicts by field: {:?}", &top[..top.len().min(8)]);
    if let Some(c) = filled.conflicts.first() {
        println!("  e.g. {c:?}");
    }
    for p in assembled.problems.iter().take(3) {
        println!("  {}", p.message(yibiao::Lang::Zh));
    }
    let out = yibiao::write::forms::department_workbooks(&p.set, &assembled.forms).expect("write");
    println!(
        "department workbooks {:?} ({} files)",
        t.elapsed(),
        out.len()
    );
}
