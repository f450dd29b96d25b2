//! Read + layout + fields (`inspect`) on the 14 fixture forms and on 200 generated forms.
//! Target: 200 small forms in under 150 ms natively. The scale set is generated once by
//! `benches/make-scale.sh` (run automatically when missing).

use std::path::Path;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use yibiao::examples::EXAMPLES;
use yibiao::inspect::inspect;

fn scale_set() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-scale/scale");
    if !dir.join("truth.json").exists() {
        let status = Command::new("bash")
            .arg(root.join("benches/make-scale.sh"))
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("could not generate the scale set; run benches/make-scale.sh");
            return Vec::new();
        }
    }
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "xlsx"))
                .filter_map(|e| {
                    Some((
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("inspect");
    group.throughput(Throughput::Elements(EXAMPLES.len() as u64));
    group.bench_function("qingshan_12_files_14_forms", |b| {
        b.iter(|| {
            for (name, bytes) in EXAMPLES {
                std::hint::black_box(inspect(name, bytes));
            }
        })
    });
    let scale = scale_set();
    if !scale.is_empty() {
        group.throughput(Throughput::Elements(scale.len() as u64));
        group.sample_size(20);
        group.bench_function(format!("scale_{}_forms", scale.len()), |b| {
            b.iter(|| {
                for (name, bytes) in &scale {
                    std::hint::black_box(inspect(name, bytes));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
