//! Calibration: a cluster's raw score → the share of such merges that were measured right.
//!
//! The matcher scores each cluster of two or more fields from its evidence (lexicon or name
//! similarity, names that differ, several departments, generic leaves, options that disagree,
//! look-alikes kept apart, forms that name another person). That raw score orders clusters but
//! is not a probability. The table in `lexicon/calibration.toml` maps bands of it to what was
//! measured: **a merge is right when every pair of its members has one truth concept** (the
//! cluster is pure), and a band's value is the share of the clusters in it that were pure on the
//! example county, the 200-form scale set and the real-dev corpus together
//! (`cargo run --release --example calibrate` measures it again and prints the table).
//!
//! A lone field is no merge; its number is the share of such lone fields (by the raw score the
//! look-alikes it was kept apart from leave it) that were **rightly kept apart: none of its
//! look-alikes has its truth concept** (`[[lone]]` bands, measured the same way).

use std::sync::OnceLock;

use super::lexicon::{Expected, LexiconError, LexiconSyntax};
use super::toml_subset::{self, Header, Value};

/// The built-in table.
const BUILTIN: &str = include_str!("../../lexicon/calibration.toml");

/// One band of raw scores and what was measured in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// The lowest raw score of the band, 0–1; the band ends where the next one starts.
    pub from: f32,
    /// The share of the band's clusters that were right, 0–1.
    pub right: f32,
    /// How many clusters it was measured on.
    pub clusters: u32,
}

/// Raw score bands → measured precision, lowest band first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Calibration {
    /// Merges (`[[band]]`), by `from`.
    pub bands: Vec<Band>,
    /// Lone fields (`[[lone]]`), by `from`.
    pub lone: Vec<Band>,
}

impl Calibration {
    /// The built-in table (measured; pinned by a test to parse).
    pub fn builtin() -> &'static Calibration {
        static TABLE: OnceLock<Calibration> = OnceLock::new();
        TABLE.get_or_init(|| Calibration::parse(BUILTIN).unwrap_or_default())
    }

    /// No table: the raw score is shown as it is (what the calibration tool measures).
    pub fn none() -> &'static Calibration {
        static NONE: Calibration = Calibration {
            bands: Vec::new(),
            lone: Vec::new(),
        };
        &NONE
    }

    /// Reads a table: `[[band]]` (merges) and `[[lone]]` (lone fields) items with `from` and
    /// `right` in percent, and `clusters`.
    ///
    /// # Errors
    /// [`LexiconError`] when the text is not such a table.
    pub fn parse(text: &str) -> Result<Calibration, LexiconError> {
        let (mut bands, mut lone) = (Vec::new(), Vec::new());
        for section in toml_subset::parse(text)? {
            match &section.header {
                Header::Root if section.entries.is_empty() => continue,
                Header::Item(name) if name == "band" || name == "lone" => {}
                Header::Root => {
                    return Err(LexiconError::Syntax {
                        line: section.entries[0].line,
                        problem: LexiconSyntax::UnknownKey(section.entries[0].key.clone()),
                    })
                }
                Header::Table(name) | Header::Item(name) => {
                    return Err(LexiconError::Syntax {
                        line: section.line,
                        problem: LexiconSyntax::UnknownTable(name.clone()),
                    })
                }
            }
            let mut band = Band {
                from: 0.0,
                right: 0.0,
                clusters: 0,
            };
            for e in &section.entries {
                let Value::Int(n) = e.value else {
                    return Err(LexiconError::Syntax {
                        line: e.line,
                        problem: LexiconSyntax::WrongType {
                            key: e.key.clone(),
                            expected: Expected::Count,
                        },
                    });
                };
                let percent = (n.clamp(0, 100) as f32) / 100.0;
                match e.key.as_str() {
                    "from" => band.from = percent,
                    "right" => band.right = percent,
                    "clusters" => band.clusters = n.clamp(0, i64::from(u32::MAX)) as u32,
                    _ => {
                        return Err(LexiconError::Syntax {
                            line: e.line,
                            problem: LexiconSyntax::UnknownKey(e.key.clone()),
                        })
                    }
                }
            }
            match section.header {
                Header::Item(ref n) if n == "lone" => lone.push(band),
                _ => bands.push(band),
            }
        }
        bands.sort_by(|a, b| a.from.total_cmp(&b.from));
        lone.sort_by(|a, b| a.from.total_cmp(&b.from));
        Ok(Calibration { bands, lone })
    }

    /// The measured share right for a merge's raw score: its band's value (the raw score
    /// itself when there is no table).
    pub fn apply(&self, raw: f32) -> f32 {
        lookup(&self.bands, raw)
    }

    /// The same for a lone field: the measured share of such fields whose look-alikes were
    /// rightly kept apart.
    pub fn apply_lone(&self, raw: f32) -> f32 {
        lookup(&self.lone, raw)
    }
}

fn lookup(bands: &[Band], raw: f32) -> f32 {
    match bands.iter().rev().find(|b| raw >= b.from) {
        Some(b) => b.right,
        None => bands.first().map_or(raw, |b| b.right),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_rises_with_the_raw_score() {
        let c = Calibration::parse(BUILTIN).expect("built-in calibration parses");
        assert!(c.bands.len() >= 3, "{:?}", c.bands);
        assert_eq!(c.bands[0].from, 0.0);
        for w in c.bands.windows(2) {
            assert!(w[0].from < w[1].from, "{:?}", c.bands);
        }
    }

    #[test]
    fn bands_map_raw_scores_and_refuse_other_keys() {
        let c = Calibration::parse(
            "[[band]]\nfrom = 0\nright = 40\n[[band]]\nfrom = 80\nright = 97\nclusters = 5\n\
             [[lone]]\nfrom = 0\nright = 70\n",
        )
        .expect("parses");
        assert_eq!(c.apply(0.5), 0.4);
        assert_eq!(c.apply_lone(0.9), 0.7);
        assert_eq!(c.apply(0.8), 0.97);
        assert_eq!(Calibration::none().apply(0.63), 0.63);
        assert!(Calibration::parse("[[band]]\nfrom = 0\nprecision = 4\n").is_err());
        assert!(Calibration::parse("[bands]\n").is_err());
    }
}
