//! Times the two halves of `inspect` — read, then layout + fields — over every file in a
//! folder: `cargo run --release --example profile -- target/bench-scale/scale`. A quick look
//! before reaching for `cargo bench` or `perf record`.

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
}
