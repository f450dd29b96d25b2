//! Pairwise precision, recall and F1 of the matcher on the real-dev corpus against its
//! hand-made `truth.json`, with the cross-unit and generic-leaf merges:
//! `cargo run --release --example real_dev_match [-- DIR [N]]` prints the figures and the N
//! most frequent wrong pairs (default 60).

#[path = "../tests/engine/real_dev_eval.rs"]
mod real_dev_eval;

use yibiao::matching::Lexicon;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/real-dev".into());
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let e = real_dev_eval::evaluate(std::path::Path::new(&dir), &Lexicon::builtin());
    for (k, c) in e.wrong.iter().take(n) {
        println!("{c:6} {k}");
    }
    println!(
        "{} truth fields, {} found as data fields ({} structural left out); {} true pairs, {} false, {} missed; precision {:.4}, recall {:.4}, F1 {:.4}; cross-unit merged pairs {}, generic-leaf merged pairs {}",
        e.truth_fields,
        e.found,
        e.structural,
        e.tp,
        e.fp,
        e.fneg,
        e.precision(),
        e.recall(),
        e.f1(),
        e.cross_unit,
        e.generic_leaf
    );
}
