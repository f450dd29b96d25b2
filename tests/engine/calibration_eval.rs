//! How well the confidence shown per cluster says how often such merges are right, and whether
//! the review's "least certain first" puts the wrong merges on top. Shared by
//! `tests/engine/matching.rs` and `examples/calibrate.rs`.
//!
//! **A merge is right when it is pure**: every pair of its members whose truth is known has one
//! truth concept. Only clusters with two or more members of known truth are merges; a lone field
//! is never a wrong merge.

use std::path::Path;

use yibiao::inspect::inspect;
use yibiao::matching::{cluster_calibrated, Calibration, Lexicon};
use yibiao::plan::sources_from_reports;

use crate::real_dev_eval::Labelled;

/// A generator corpus (the example county, the scale set: `truth.json` with `forms`) read and
/// clustered, each truth data field placed on the source field at its file, sheet and column.
pub fn generated(dir: &Path, lex: &Lexicon, calibration: &Calibration) -> Labelled {
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).expect("truth.json"))
            .expect("truth.json parses");
    let forms = truth["forms"].as_array().expect("forms");
    let mut files: Vec<String> = forms
        .iter()
        .filter_map(|f| f["file"].as_str().map(String::from))
        .collect();
    files.sort();
    files.dedup();
    let reports: Vec<_> = files
        .iter()
        .map(|f| inspect(f, &std::fs::read(dir.join(f)).expect("corpus file")))
        .collect();
    let sources = sources_from_reports(&reports, lex);
    let clustering = cluster_calibrated(&sources, lex, calibration);
    let mut data = Vec::new();
    let (mut truth_fields, mut structural) = (0, 0);
    for form in forms {
        let file = form["file"].as_str().unwrap_or_default();
        let sheet = form["sheet"].as_str();
        let Some(si) = sources
            .iter()
            .position(|s| s.file == file && sheet.is_none_or(|n| s.sheet == n))
        else {
            continue;
        };
        for f in form["fields"].as_array().into_iter().flatten() {
            if f["role"].as_str() != Some("data") {
                continue;
            }
            truth_fields += 1;
            let col = f["column"].as_u64().unwrap_or(0) as u32;
            let Some(fi) = sources[si].fields.iter().position(|x| x.column == col) else {
                continue;
            };
            if sources[si].fields[fi].role != "data" {
                structural += 1;
                continue;
            }
            data.push((
                [si, fi],
                f["concept"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    Labelled {
        sources,
        clustering,
        data,
        truth_fields,
        structural,
    }
}

/// One merge: its confidence as shown, whether it was right, its size.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub cluster: usize,
    pub confidence: f32,
    pub right: bool,
}

/// Every merge of the corpus (a cluster with two or more members of known truth).
pub fn outcomes(l: &Labelled) -> Vec<Outcome> {
    let mut concepts: Vec<Vec<&str>> = vec![Vec::new(); l.clustering.clusters.len()];
    for (at, concept) in &l.data {
        if let Some(c) = l.clustering.assignment[at[0]][at[1]] {
            concepts[c].push(concept);
        }
    }
    concepts
        .iter()
        .enumerate()
        .filter(|(_, k)| k.len() > 1)
        .map(|(c, k)| Outcome {
            cluster: c,
            confidence: l.clustering.clusters[c].confidence,
            right: k.iter().all(|x| *x == k[0]),
        })
        .collect()
}

/// Every lone field of known truth: right when none of the look-alikes it was kept apart from
/// (its near misses) has its truth concept.
pub fn lone_outcomes(l: &Labelled) -> Vec<Outcome> {
    let truth: std::collections::HashMap<[usize; 2], &str> =
        l.data.iter().map(|(at, c)| (*at, c.as_str())).collect();
    let clusters = &l.clustering.clusters;
    let mut out = Vec::new();
    for (c, cl) in clusters.iter().enumerate() {
        let [m] = cl.members[..] else { continue };
        let Some(mine) = truth.get(&m) else { continue };
        let partners = l.clustering.near_misses.iter().filter_map(|n| {
            if n.a == m {
                Some(n.b)
            } else if n.b == m {
                Some(n.a)
            } else {
                None
            }
        });
        // A look-alike in a cluster stands for all its members.
        let right = !partners
            .filter_map(|p| l.clustering.assignment[p[0]][p[1]])
            .flat_map(|pc| &clusters[pc].members)
            .any(|p| p[0] != m[0] && truth.get(p) == Some(mine));
        out.push(Outcome {
            cluster: c,
            confidence: cl.confidence,
            right,
        });
    }
    out
}

/// A band of confidences (or raw scores) and what was measured in it.
#[derive(Clone, Debug)]
pub struct Measured {
    pub from: f32,
    pub to: f32,
    pub clusters: usize,
    pub right: usize,
    /// The mean confidence of its clusters.
    pub mean: f64,
}

impl Measured {
    pub fn precision(&self) -> f64 {
        self.right as f64 / self.clusters.max(1) as f64
    }
}

/// The outcomes in bands starting at `edges` (the first at 0, the last ending at 1).
pub fn bands(outcomes: &[Outcome], edges: &[f32]) -> Vec<Measured> {
    let mut out: Vec<Measured> = edges
        .iter()
        .enumerate()
        .map(|(i, &from)| Measured {
            from,
            to: edges.get(i + 1).copied().unwrap_or(1.0),
            clusters: 0,
            right: 0,
            mean: 0.0,
        })
        .collect();
    for o in outcomes {
        let i = edges.iter().rposition(|&e| o.confidence >= e).unwrap_or(0);
        let b = &mut out[i];
        b.clusters += 1;
        b.right += usize::from(o.right);
        b.mean += f64::from(o.confidence);
    }
    for b in &mut out {
        b.mean /= b.clusters.max(1) as f64;
    }
    out
}

/// Ten equal bands of confidence.
pub const TENTHS: [f32; 10] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/// Expected calibration error over ten equal bands: the mean, weighted by clusters, of how far
/// each band's share right is from its mean confidence.
pub fn ece(outcomes: &[Outcome]) -> f64 {
    let n = outcomes.len().max(1) as f64;
    bands(outcomes, &TENTHS)
        .iter()
        .map(|b| b.clusters as f64 / n * (b.precision() - b.mean).abs())
        .sum()
}

/// The clusters in review order: least certain first, then the larger, then in order (as the
/// review lists them).
pub fn review_order(l: &Labelled) -> Vec<usize> {
    let clusters = &l.clustering.clusters;
    let mut order: Vec<usize> = (0..clusters.len())
        .filter(|&c| !clusters[c].members.is_empty())
        .collect();
    order.sort_by(|&a, &b| {
        clusters[a]
            .confidence
            .total_cmp(&clusters[b].confidence)
            .then(clusters[b].members.len().cmp(&clusters[a].members.len()))
            .then(a.cmp(&b))
    });
    order
}

/// Where each wrong merge sits in the review order (0-based), first first.
pub fn wrong_ranks(l: &Labelled) -> Vec<usize> {
    let order = review_order(l);
    let mut r: Vec<usize> = outcomes(l)
        .iter()
        .filter(|o| !o.right)
        .filter_map(|o| order.iter().position(|&c| c == o.cluster))
        .collect();
    r.sort_unstable();
    r
}

/// Wrong merges in the first tenth of the review order (all clusters, least certain first,
/// then the larger, then in order, as the review lists them), and all wrong merges.
pub fn wrong_on_top(l: &Labelled) -> (usize, usize) {
    let wrong: Vec<usize> = outcomes(l)
        .iter()
        .filter(|o| !o.right)
        .map(|o| o.cluster)
        .collect();
    let order = review_order(l);
    let top = order.len().div_ceil(10);
    let on_top = order[..top].iter().filter(|c| wrong.contains(c)).count();
    (on_top, wrong.len())
}
