//! Calibration of the matcher's confidence: `cargo run --release --example calibrate`
//! (`-- --write` to write the table) measures, on the example county, the real-dev corpus and (when generated) the 200-form
//! scale set, the share of merges that are right per band of raw score, prints it as
//! `lexicon/calibration.toml`, then prints precision per band of the confidence shown with the
//! built-in table, the expected calibration error (ECE) per corpus, and how many of the wrong
//! merges sit in the first tenth of the review order.

#[path = "../tests/engine/calibration_eval.rs"]
mod calibration_eval;
#[path = "../tests/engine/real_dev_eval.rs"]
#[allow(dead_code)]
mod real_dev_eval;

use std::path::Path;

use calibration_eval::{
    bands, ece, generated, lone_outcomes, outcomes, wrong_on_top, Outcome, TENTHS,
};
use yibiao::matching::{Calibration, Lexicon};

const HEADER: &str = "\
# Calibration of the matcher's confidence (src/matching/calibration.rs): bands of a merge's raw
# score (`from`, percent; a band ends where the next starts) and the share of such merges that
# were right (`right`, percent; a merge is right when every pair of its members has one truth
# concept), measured on `clusters` merges of the example county and the real-dev corpus (the
# 200-form scale set is held out as a check), made to rise with the raw score. `[[lone]]`: the same for fields left
# alone (right: none of the look-alikes kept apart from it has its truth concept). Written by
# `cargo run --release --example calibrate -- --write`.
";

/// Where the raw-score bands of the table start.
const RAW_EDGES: [f32; 9] = [0.0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9];

fn corpora() -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("county", "tests/fixtures/qingshan".to_string()),
        ("real-dev", "tests/fixtures/real-dev".to_string()),
    ];
    let scale = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into())
        + "/bench-scale/scale";
    if Path::new(&scale).join("truth.json").exists() {
        v.push(("scale", scale));
    }
    v
}

fn read(name: &str, dir: &str, cal: &Calibration) -> real_dev_eval::Labelled {
    let lex = Lexicon::builtin();
    if name == "real-dev" {
        real_dev_eval::labelled(Path::new(dir), &lex, cal)
    } else {
        generated(Path::new(dir), &lex, cal)
    }
}

fn print_bands(o: &[Outcome], edges: &[f32]) {
    for b in bands(o, edges) {
        if b.clusters > 0 {
            println!(
                "  {:>3.0}–{:<3.0}%  {:5} merges  {:5.1}% right  (mean confidence {:5.1}%)",
                b.from * 100.0,
                b.to * 100.0,
                b.clusters,
                b.precision() * 100.0,
                b.mean * 100.0
            );
        }
    }
}

/// The table: per raw band, the share right, made to rise with the raw score by pooling
/// adjacent bands that would fall (pool-adjacent-violators), empty bands joined to the next.
fn table(raw: &[Outcome]) -> Vec<(f32, f64, usize)> {
    // (from, right, clusters) of each pooled block.
    let mut blocks: Vec<(f32, usize, usize)> = Vec::new();
    let mut pending: Option<f32> = None;
    for b in bands(raw, &RAW_EDGES) {
        if b.clusters == 0 {
            pending.get_or_insert(b.from);
            continue;
        }
        let from = pending.take().unwrap_or(b.from);
        blocks.push((from, b.right, b.clusters));
        while blocks.len() > 1 {
            let (f1, r1, n1) = blocks[blocks.len() - 2];
            let (_, r2, n2) = blocks[blocks.len() - 1];
            if (r1 as f64 / n1 as f64) <= (r2 as f64 / n2 as f64) {
                break;
            }
            blocks.pop();
            blocks.pop();
            blocks.push((f1, r1 + r2, n1 + n2));
        }
    }
    blocks
        .into_iter()
        .map(|(from, right, n)| (from, right as f64 / n as f64, n))
        .collect()
}

fn main() {
    let corpora = corpora();
    // 1. Raw scores, all corpora together (each weighed by its merges).
    let (mut raw, mut raw_lone): (Vec<Outcome>, Vec<Outcome>) = (Vec::new(), Vec::new());
    for (name, dir) in &corpora {
        let l = read(name, dir, Calibration::none());
        // The scale set is generated (its truth tells 2024 from 2025 crops and a contact's phone
        // from the person's by column position alone): it checks the table, it does not make it,
        // unless asked (`--with-scale`).
        let held_out = *name == "scale" && !std::env::args().any(|a| a == "--with-scale");
        let o = outcomes(&l);
        println!("{name}: {} merges, raw scores", o.len());
        print_bands(&o, &RAW_EDGES);
        let lone = lone_outcomes(&l);
        println!("{name}: {} lone fields, raw scores", lone.len());
        print_bands(&lone, &RAW_EDGES);
        if !held_out {
            raw.extend(o);
            raw_lone.extend(lone);
        }
    }
    let mut text = String::from(HEADER);
    for (from, right, clusters) in table(&raw) {
        text += &format!(
            "\n[[band]]\nfrom = {:.0}\nright = {:.0}\nclusters = {clusters}\n",
            from * 100.0,
            right * 100.0
        );
    }
    for (from, right, clusters) in table(&raw_lone) {
        text += &format!(
            "\n[[lone]]\nfrom = {:.0}\nright = {:.0}\nclusters = {clusters}\n",
            from * 100.0,
            right * 100.0
        );
    }
    println!("\n# the table, measured on {} merges\n{text}", raw.len());
    if std::env::args().any(|a| a == "--write") {
        std::fs::write("lexicon/calibration.toml", &text)
            .expect("lexicon/calibration.toml written");
        println!("written to lexicon/calibration.toml (build again to use it)");
    }
    // 2. With the built-in table: what the confidence shown is worth.
    for (name, dir) in &corpora {
        let l = read(name, dir, Calibration::builtin());
        let o = outcomes(&l);
        println!(
            "\n{name}: {} merges, {} wrong; ECE {:.3}",
            o.len(),
            o.iter().filter(|x| !x.right).count(),
            ece(&o)
        );
        print_bands(&o, &TENTHS);
        let lone = lone_outcomes(&l);
        println!(
            "  {} lone fields, {} with a look-alike of their concept kept apart; ECE {:.3}",
            lone.len(),
            lone.iter().filter(|x| !x.right).count(),
            ece(&lone)
        );
        print_bands(&lone, &TENTHS);
        if std::env::var_os("CALIBRATE_DUMP").is_some() {
            dump(&l, &o);
        }
        let (top, wrong) = wrong_on_top(&l);
        if std::env::var_os("CALIBRATE_DUMP").is_some() {
            println!(
                "  ranks of the wrong merges: {:?}",
                calibration_eval::wrong_ranks(&l)
            );
        }
        let total = l.clustering.clusters.len();
        println!(
            "  wrong merges in the first 10% of the review order ({} of {total} clusters): {top} of {wrong}",
            total.div_ceil(10)
        );
    }
}

/// Every merge with its members (truth concept, header path, form), wrong ones first: a
/// tuning aid (`CALIBRATE_DUMP=1`).
fn dump(l: &real_dev_eval::Labelled, o: &[Outcome]) {
    let mut o: Vec<&Outcome> = o.iter().collect();
    o.sort_by_key(|x| x.right);
    for x in o {
        let c = &l.clustering.clusters[x.cluster];
        println!(
            "  {} {:.2} {} [{}] {}",
            if x.right { "ok   " } else { "WRONG" },
            x.confidence,
            c.name,
            c.members.len(),
            c.reasons.join(" | ")
        );
        for m in &c.members {
            let s = &l.sources[m[0]];
            let t = l
                .data
                .iter()
                .find(|(at, _)| at == m)
                .map_or("?", |(_, t)| t.as_str());
            println!(
                "        {t:32} {} ({}; {}; {})",
                s.fields[m[1]].header_path.join("/"),
                s.title.chars().take(16).collect::<String>(),
                s.department,
                s.grain
            );
        }
    }
}
