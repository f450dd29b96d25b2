//! Times the two halves of `inspect` — read, then layout + fields — over every file in a
//! folder, then what the web app does with the same files: each file's worker answer (report
//! and previews as JSON), the page reading the answers back, and the one merge of the batch:
//! `cargo run --release --example profile -- target/bench-scale/scale`. A quick look before
//! reaching for `cargo bench` or `perf record`.

use std::time::Instant;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/qingshan".into());
    let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x != "json" && x != "md"))
                .filter_map(|p| Some((p.display().to_string(), std::fs::read(&p).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    let t = Instant::now();
    let books: Vec<_> = files
        .iter()
        .filter_map(|(n, b)| yibiao::read::read(n, b).ok())
        .collect();
    let read = t.elapsed();
    let t = Instant::now();
    for wb in &books {
        std::hint::black_box(yibiao::inspect::analyse(wb));
    }
    println!(
        "{} files: read {read:?}, layout + fields {:?}",
        files.len(),
        t.elapsed()
    );
    let t = Instant::now();
    let answers: Vec<String> = files
        .iter()
        .map(|(n, b)| yibiao::ui::worker_result(n, b))
        .collect();
    let answered = t.elapsed();
    let t = Instant::now();
    let reports: Vec<_> = answers
        .iter()
        .filter_map(|j| yibiao::ui::parse_worker_result(j))
        .map(|(report, _, _)| report)
        .filter(|r| r.format.is_some())
        .collect();
    let parsed = t.elapsed();
    // The merge is short: the best of five runs.
    let mut merge = std::time::Duration::MAX;
    let mut merged = None;
    for _ in 0..5 {
        let t = Instant::now();
        merged = Some(yibiao::merge::merge_with(&reports, "", &[], &[]));
        merge = merge.min(t.elapsed());
    }
    let merged = merged.expect("five runs");
    println!(
        "web app: worker answers {answered:?} ({} KB of JSON), read back {parsed:?}, merge {merge:?} ({} fields in the set)",
        answers.iter().map(String::len).sum::<usize>() / 1024,
        merged.map(|p| p.set.canonical.len()).unwrap_or(0)
    );
}
