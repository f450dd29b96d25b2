//! Pairwise precision and recall of the matcher against any generator `truth.json`:
//! `cargo run --release --example match_eval -- DIR` (e.g. the 200-form scale set in
//! `target/bench-scale/scale`). Prints the figures and the first wrong pairs.

use std::collections::HashMap;

use yibiao::inspect::inspect;
use yibiao::matching::{cluster, Lexicon};
use yibiao::plan::sources_from_reports;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/qingshan".into());
    let dir = std::path::Path::new(&dir);
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).expect("truth.json"))
            .expect("json");
    let forms = truth["forms"].as_array().expect("forms");
    let mut files: Vec<String> = forms
        .iter()
        .filter_map(|f| f["file"].as_str().map(String::from))
        .collect();
    files.dedup();
    let reports: Vec<_> = files
        .iter()
        .map(|f| inspect(f, &std::fs::read(dir.join(f)).expect("file")))
        .collect();
    let lex = Lexicon::builtin();
    let sources = sources_from_reports(&reports, &lex);
    let t0 = std::time::Instant::now();
    let c = cluster(&sources, &lex);
    let took = t0.elapsed();
    let mut by_place: HashMap<(String, String, u32), [usize; 2]> = HashMap::new();
    for (si, s) in sources.iter().enumerate() {
        for (fi, f) in s.fields.iter().enumerate() {
            by_place.insert((s.file.clone(), s.sheet.clone(), f.column), [si, fi]);
        }
    }
    let mut data = Vec::new();
    let mut unplaced = 0;
    for form in forms {
        let file = form["file"].as_str().unwrap_or_default().to_string();
        let sheet = form["sheet"].as_str().map(String::from);
        for f in form["fields"].as_array().into_iter().flatten() {
            if f["role"].as_str() != Some("data") {
                continue;
            }
            let col = f["column"].as_u64().unwrap_or(0) as u32;
            let at = by_place
                .iter()
                .find(|((fi, sh, co), _)| {
                    *fi == file && sheet.as_ref().is_none_or(|s| s == sh) && *co == col
                })
                .map(|(_, at)| *at);
            match at {
                Some(at) => data.push((
                    at,
                    f["concept"].as_str().unwrap_or_default().to_string(),
                    f["header_path"].to_string(),
                    form["form_id"].as_str().unwrap_or_default().to_string(),
                )),
                None => unplaced += 1,
            }
        }
    }
    let (mut tp, mut fp, mut fneg) = (0u64, 0u64, 0u64);
    let mut wrong: HashMap<String, u32> = HashMap::new();
    for (i, a) in data.iter().enumerate() {
        for b in &data[i + 1..] {
            let same_t = a.1 == b.1;
            let ca = c.assignment[a.0[0]][a.0[1]];
            let same_g = ca.is_some() && ca == c.assignment[b.0[0]][b.0[1]];
            match (same_t, same_g) {
                (true, true) => tp += 1,
                (false, true) => {
                    fp += 1;
                    *wrong
                        .entry(format!("FALSE {} {} ≠ {} {}", a.2, a.1, b.2, b.1))
                        .or_default() += 1;
                }
                (true, false) => {
                    fneg += 1;
                    *wrong
                        .entry(format!("MISS {} + {} ({})", a.2, b.2, a.1))
                        .or_default() += 1;
                }
                _ => {}
            }
        }
    }
    let mut w: Vec<_> = wrong.into_iter().collect();
    w.sort_by_key(|b| std::cmp::Reverse(b.1));
    for (k, n) in w.iter().take(40) {
        println!("{n:6} {k}");
    }
    println!(
        "{} data fields ({unplaced} not found by inspect); clustering took {took:?}; precision {:.4}, recall {:.4} ({tp} true pairs, {fp} false, {fneg} missed)",
        data.len(),
        tp as f64 / (tp + fp).max(1) as f64,
        tp as f64 / (tp + fneg).max(1) as f64
    );
}
