//! Matching and merging. Targets: matching 10,000 fields in under 1 s natively; the whole merge
//! of the 200-form scale set (made by `benches/make-scale.sh`, see `benches/read.rs`).
//!
//! The 10k-field input is the fixture county's 14 forms copied 40 times under other
//! departments, with every name the lexicon does not know given a per-copy prefix — so the
//! matcher sees 10,360 fields, large lexicon groups (320 ID columns) and thousands of distinct
//! look-alike names for the bigram index.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use yibiao::examples::EXAMPLES;
use yibiao::inspect::{inspect, FileReport};
use yibiao::matching::{cluster, match_key, Lexicon};
use yibiao::plan::{sources_from_reports, SourceForm};
use yibiao::Lang;

const COPIES: usize = 40;
const DEPTS: [&str; 12] = [
    "民政",
    "农业农村",
    "乡村振兴",
    "卫健",
    "人社",
    "医保",
    "残联",
    "退役军人",
    "统计",
    "应急管理",
    "自然资源",
    "教育",
];
const PREFIXES: &str =
    "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥春夏秋冬东南西北金木水火土山川河湖海";

fn fixture_reports() -> Vec<FileReport> {
    EXAMPLES.iter().map(|(n, b)| inspect(n, b)).collect()
}

fn ten_thousand_fields(lex: &Lexicon) -> Vec<SourceForm> {
    let base = sources_from_reports(&fixture_reports(), lex);
    let prefixes: Vec<char> = PREFIXES.chars().collect();
    let mut out = Vec::new();
    for k in 0..COPIES {
        for (i, s) in base.iter().enumerate() {
            let mut s = s.clone();
            s.file = format!("{k}-{i}-{}", s.file);
            s.department = DEPTS[(k + i) % DEPTS.len()].to_string();
            for f in &mut s.fields {
                let known = lex
                    .lookup(&match_key(&f.name), yibiao::fields::GrainKind::Person)
                    .is_some();
                if !known {
                    let p = prefixes[k % prefixes.len()];
                    f.name = format!("{p}{}", f.name);
                    if let Some(leaf) = f.header_path.last_mut() {
                        *leaf = format!("{p}{leaf}");
                    }
                }
            }
            out.push(s);
        }
    }
    out
}

fn scale_reports() -> Vec<FileReport> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-scale/scale");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "xlsx"))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some(inspect(&name, &std::fs::read(p).ok()?))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let lex = Lexicon::builtin();
    let sources = ten_thousand_fields(&lex);
    let n: usize = sources.iter().map(|s| s.fields.len()).sum();
    let mut group = c.benchmark_group("matching");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_function(format!("cluster_{n}_fields"), |b| {
        b.iter(|| std::hint::black_box(cluster(&sources, &lex)))
    });
    group.finish();

    let mut group = c.benchmark_group("merge");
    group.sample_size(10);
    let fixtures = fixture_reports();
    group.bench_function("qingshan_14_forms_merge_and_xlsx", |b| {
        b.iter(|| {
            let p = yibiao::merge::merge(&fixtures, "", &[]).expect("merge");
            std::hint::black_box(yibiao::write::to_xlsx(&p.set, Lang::Zh).expect("xlsx"))
        })
    });
    let scale = scale_reports();
    if scale.is_empty() {
        eprintln!("no scale set: run benches/make-scale.sh (or `cargo bench --bench read` once)");
    } else {
        let forms: usize = scale
            .iter()
            .flat_map(|r| &r.sheets)
            .map(|s| s.forms.len())
            .sum();
        group.throughput(Throughput::Elements(forms as u64));
        group.bench_function(format!("scale_{forms}_forms_merge_and_xlsx"), |b| {
            b.iter(|| {
                let p = yibiao::merge::merge(&scale, "", &[]).expect("merge");
                std::hint::black_box(yibiao::write::to_xlsx(&p.set, Lang::Zh).expect("xlsx"))
            })
        });
    }
    group.finish();

    // Filling the set from the originals' rows and writing it; splitting back: that set read,
    // checked, joined and written as one workbook per department.
    let mut group = c.benchmark_group("split");
    group.sample_size(10);
    let fixture_books: Vec<(String, yibiao::read::Workbook)> = EXAMPLES
        .iter()
        .map(|(n, b)| {
            (
                n.to_string(),
                yibiao::read::read(n, b).expect("fixture reads"),
            )
        })
        .collect();
    split_bench(&mut group, "qingshan_14_forms", &fixtures, &fixture_books);
    if !scale.is_empty() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-scale/scale");
        let books: Vec<(String, yibiao::read::Workbook)> = scale
            .iter()
            .filter_map(|r| {
                let bytes = std::fs::read(dir.join(&r.file)).ok()?;
                Some((r.file.clone(), yibiao::read::read(&r.file, &bytes).ok()?))
            })
            .collect();
        split_bench(&mut group, "scale_200_forms", &scale, &books);
    }
    group.finish();
}

fn split_bench(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    reports: &[FileReport],
    books: &[(String, yibiao::read::Workbook)],
) {
    let p = yibiao::merge::merge(reports, "", &[]).expect("merge");
    let refs: Vec<(&str, &yibiao::read::Workbook)> =
        books.iter().map(|(n, w)| (n.as_str(), w)).collect();
    let filled = yibiao::split::fill::fill(&p.set, &refs);
    let rows: usize = filled.rows.sheets.iter().map(Vec::len).sum();
    let bytes = yibiao::write::to_xlsx_filled(&p.set, Lang::Zh, &filled.values()).expect("xlsx");
    eprintln!(
        "{name}: filled set of {rows} rows, {} KB",
        bytes.len() / 1024
    );
    group.throughput(Throughput::Elements(rows as u64));
    // The pre-filled set (the app's 下载预填综合表, `yibiao fill`), the files already read.
    group.bench_function(format!("{name}_prefill_{rows}_rows"), |b| {
        b.iter(|| {
            let filled = yibiao::split::fill::fill(&p.set, &refs);
            std::hint::black_box(
                yibiao::write::to_xlsx_filled(&p.set, Lang::Zh, &filled.values()).expect("xlsx"),
            )
        })
    });
    group.bench_function(format!("{name}_split_{rows}_rows"), |b| {
        b.iter(|| {
            std::hint::black_box(
                yibiao::split::split_files(&p.set, &[("filled.xlsx", &bytes)]).expect("split"),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
