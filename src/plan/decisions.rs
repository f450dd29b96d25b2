//! Staff decisions: data that overrides the matcher (accept, split, move, merge, rename, drop),
//! re-applied whenever the same or next year's forms are merged again.
//!
//! A decision names fields by file, sheet and header path — not by position — so it still
//! finds its field when a form gains a column or next year's file carries a new year in its
//! name. A decision that no longer finds its field is reported, never silently dropped.

use serde::{Deserialize, Serialize};

use crate::matching::{Cluster, Clustering};
use crate::plan::SourceForm;
use crate::reasons::{self, Staff};
use crate::text::normalize_name;

/// Where a field is: file, sheet and header path as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldRef {
    /// File name.
    pub file: String,
    /// Sheet name (empty for CSV).
    pub sheet: String,
    /// Header texts top-down.
    pub header_path: Vec<String>,
}

impl FieldRef {
    /// The reference of a source field.
    pub fn of(sources: &[SourceForm], at: [usize; 2]) -> FieldRef {
        let s = &sources[at[0]];
        FieldRef {
            file: s.file.clone(),
            sheet: s.sheet.clone(),
            header_path: s.fields[at[1]].header_path.clone(),
        }
    }

    /// `文件 › 表 › 表头`, for messages.
    pub fn describe(&self) -> String {
        let mut parts = vec![self.file.clone()];
        if !self.sheet.is_empty() {
            parts.push(self.sheet.clone());
        }
        parts.push(self.header_path.join("/"));
        parts.join(" › ")
    }
}

/// One staff decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", try_from = "DecisionFile")]
pub enum Decision {
    /// The cluster holding `field` is right as it is.
    Accept {
        /// Any member of the cluster.
        field: FieldRef,
    },
    /// Take `field` out of its cluster: it means something else.
    Split {
        /// The field to take out.
        field: FieldRef,
    },
    /// Put `field` into the cluster holding `to`.
    Move {
        /// The field to move.
        field: FieldRef,
        /// A member of the target cluster.
        to: FieldRef,
    },
    /// Merge the clusters holding `a` and `b`.
    Merge {
        /// A member of one cluster.
        a: FieldRef,
        /// A member of the other.
        b: FieldRef,
    },
    /// Call the cluster holding `field` by `name` in the form set.
    Rename {
        /// Any member of the cluster.
        field: FieldRef,
        /// The new name.
        name: String,
    },
    /// Leave the cluster holding `field` out of the set: there is no basis for asking it.
    Drop {
        /// Any member of the cluster.
        field: FieldRef,
    },
}

/// A decision as read from a project file: the `action` and whichever fields it has. (serde's
/// reader for an internally tagged enum buffers each decision in a generic tree first, which
/// cost the web app's bundle some 15 KB; writing keeps the derived form.)
#[derive(Deserialize)]
struct DecisionFile {
    action: String,
    field: Option<FieldRef>,
    to: Option<FieldRef>,
    a: Option<FieldRef>,
    b: Option<FieldRef>,
    name: Option<String>,
}

impl TryFrom<DecisionFile> for Decision {
    type Error = String;

    fn try_from(d: DecisionFile) -> Result<Decision, String> {
        let need = |v: Option<FieldRef>, what: &str| v.ok_or(format!("missing field `{what}`"));
        Ok(match d.action.as_str() {
            "accept" => Decision::Accept {
                field: need(d.field, "field")?,
            },
            "split" => Decision::Split {
                field: need(d.field, "field")?,
            },
            "move" => Decision::Move {
                field: need(d.field, "field")?,
                to: need(d.to, "to")?,
            },
            "merge" => Decision::Merge {
                a: need(d.a, "a")?,
                b: need(d.b, "b")?,
            },
            "rename" => Decision::Rename {
                field: need(d.field, "field")?,
                name: d.name.ok_or("missing field `name`")?,
            },
            "drop" => Decision::Drop {
                field: need(d.field, "field")?,
            },
            other => {
                return Err(format!(
                    "unknown variant `{other}`, expected one of `accept`, `split`, `move`, `merge`, `rename`, `drop`"
                ))
            }
        })
    }
}

impl Decision {
    /// The fields the decision names.
    pub fn refs(&self) -> Vec<&FieldRef> {
        match self {
            Decision::Accept { field }
            | Decision::Split { field }
            | Decision::Rename { field, .. }
            | Decision::Drop { field } => vec![field],
            Decision::Move { field, to } => vec![field, to],
            Decision::Merge { a, b } => vec![a, b],
        }
    }

    /// A short description in Chinese.
    pub fn describe(&self) -> String {
        let leaf = |r: &FieldRef| r.header_path.join("/");
        match self {
            Decision::Accept { field } => format!("确认“{}”所在的合并", leaf(field)),
            Decision::Split { field } => format!("把“{}”单独列出", leaf(field)),
            Decision::Move { field, to } => {
                format!("把“{}”移到“{}”所在的字段", leaf(field), leaf(to))
            }
            Decision::Merge { a, b } => format!("合并“{}”与“{}”", leaf(a), leaf(b)),
            Decision::Rename { field, name } => {
                format!("把“{}”所在的字段改名为“{name}”", leaf(field))
            }
            Decision::Drop { field } => format!("取消“{}”所在的字段（无依据）", leaf(field)),
        }
    }
}

/// What became of one decision when re-applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionOutcome {
    /// The decision.
    pub decision: Decision,
    /// It found its fields and was applied.
    pub applied: bool,
    /// Why not, in Chinese (empty when applied); [`crate::reasons::in_lang`] gives the English.
    pub problem: String,
}

/// Year digits and spaces removed: `2024年…花名册` and `2025年…花名册` compare equal.
fn without_digits(s: &str) -> String {
    normalize_name(s)
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect()
}

/// Finds the field a reference names: the same header path, in the same file and sheet, or
/// failing that in a file and sheet whose names differ only in digits (next year's form).
pub fn resolve(sources: &[SourceForm], r: &FieldRef) -> Option<[usize; 2]> {
    let path: Vec<String> = r.header_path.iter().map(|h| normalize_name(h)).collect();
    let mut best: Option<(u32, [usize; 2])> = None;
    let mut tie = false;
    for (si, s) in sources.iter().enumerate() {
        let score = if s.file == r.file && s.sheet == r.sheet {
            4
        } else if without_digits(&s.file) == without_digits(&r.file)
            && without_digits(&s.sheet) == without_digits(&r.sheet)
        {
            3
        } else if without_digits(&s.sheet) == without_digits(&r.sheet) && !r.sheet.is_empty() {
            2
        } else if without_digits(&s.title) == without_digits(&r.sheet) && !r.sheet.is_empty() {
            1
        } else {
            continue;
        };
        for (fi, f) in s.fields.iter().enumerate() {
            let fp: Vec<String> = f.header_path.iter().map(|h| normalize_name(h)).collect();
            if fp == path {
                match best {
                    Some((b, _)) if b > score => {}
                    Some((b, _)) if b == score => tie = true,
                    _ => {
                        best = Some((score, [si, fi]));
                        tie = false;
                    }
                }
            }
        }
    }
    match best {
        Some((_, at)) if !tie => Some(at),
        _ => None,
    }
}

/// Cluster-level marks decisions leave for the plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marks {
    /// Per cluster: staff renamed it.
    pub names: Vec<Option<String>>,
    /// Per cluster: staff dropped it.
    pub dropped: Vec<bool>,
}

/// Applies decisions in order to a clustering; returns what became of each and the marks.
pub fn apply(
    sources: &[SourceForm],
    clustering: &mut Clustering,
    decisions: &[Decision],
) -> (Vec<DecisionOutcome>, Marks) {
    let mut marks = Marks {
        names: vec![None; clustering.clusters.len()],
        dropped: vec![false; clustering.clusters.len()],
    };
    let mut outcomes = Vec::new();
    for d in decisions {
        let resolved: Vec<Option<[usize; 2]>> =
            d.refs().iter().map(|r| resolve(sources, r)).collect();
        let missing: Vec<String> = d
            .refs()
            .iter()
            .zip(&resolved)
            .filter(|(_, at)| at.is_none())
            .map(|(r, _)| r.describe())
            .collect();
        let clusters: Vec<Option<usize>> = resolved
            .iter()
            .map(|at| at.and_then(|[s, f]| clustering.assignment[s][f]))
            .collect();
        let problem = if !missing.is_empty() {
            reasons::fields_missing(&missing)
        } else if clusters.iter().any(Option::is_none) {
            reasons::structural_column()
        } else {
            String::new()
        };
        if !problem.is_empty() {
            outcomes.push(DecisionOutcome {
                decision: d.clone(),
                applied: false,
                problem,
            });
            continue;
        }
        let c: Vec<usize> = clusters.into_iter().flatten().collect();
        let at: Vec<[usize; 2]> = resolved.into_iter().flatten().collect();
        match d {
            Decision::Accept { .. } => confirm(&mut clustering.clusters[c[0]], Staff::Accepted),
            Decision::Rename { name, .. } => {
                marks.names[c[0]] = Some(name.clone());
                confirm(&mut clustering.clusters[c[0]], Staff::Renamed);
            }
            Decision::Drop { .. } => {
                marks.dropped[c[0]] = true;
                confirm(&mut clustering.clusters[c[0]], Staff::Dropped);
            }
            Decision::Split { .. } => {
                if clustering.clusters[c[0]].members.len() > 1 {
                    let new = detach(sources, clustering, at[0]);
                    marks.names.push(None);
                    marks.dropped.push(false);
                    confirm(&mut clustering.clusters[new], Staff::SplitOut);
                } else {
                    confirm(&mut clustering.clusters[c[0]], Staff::KeptAlone);
                }
            }
            Decision::Move { .. } => {
                if c[0] != c[1] {
                    move_member(clustering, at[0], c[0], c[1]);
                }
                confirm(&mut clustering.clusters[c[1]], Staff::Moved);
            }
            Decision::Merge { .. } => {
                if c[0] != c[1] {
                    let members = std::mem::take(&mut clustering.clusters[c[1]].members);
                    for m in members {
                        clustering.assignment[m[0]][m[1]] = Some(c[0]);
                        clustering.clusters[c[0]].members.push(m);
                    }
                    clustering.clusters[c[0]].members.sort_unstable();
                }
                confirm(&mut clustering.clusters[c[0]], Staff::Merged);
            }
        }
        outcomes.push(DecisionOutcome {
            decision: d.clone(),
            applied: true,
            problem: String::new(),
        });
    }
    (outcomes, marks)
}

fn confirm(c: &mut Cluster, act: Staff) {
    c.confidence = 1.0;
    let why = reasons::staff(act);
    if !c.reasons.contains(&why) {
        c.reasons.insert(0, why);
    }
}

fn move_member(clustering: &mut Clustering, at: [usize; 2], from: usize, to: usize) {
    clustering.clusters[from].members.retain(|m| *m != at);
    clustering.clusters[to].members.push(at);
    clustering.clusters[to].members.sort_unstable();
    clustering.assignment[at[0]][at[1]] = Some(to);
}

/// Takes a field out into a new cluster of its own; returns the new cluster's index.
fn detach(sources: &[SourceForm], clustering: &mut Clustering, at: [usize; 2]) -> usize {
    let from = clustering.assignment[at[0]][at[1]].unwrap_or(0);
    let f = &sources[at[0]].fields[at[1]];
    let base = format!("n:{}", crate::matching::match_key(&f.name));
    let mut key = base.clone();
    let mut n = 1;
    while clustering.clusters.iter().any(|c| c.key == key) {
        n += 1;
        key = format!("{base}#{n}");
    }
    let level = clustering.levels[at[0]][at[1]];
    clustering.clusters.push(Cluster {
        key,
        name: crate::matching::lexicon::display_name(&f.name),
        level,
        members: Vec::new(),
        confidence: 1.0,
        reasons: Vec::new(),
    });
    let to = clustering.clusters.len() - 1;
    move_member(clustering, at, from, to);
    to
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(leaf: &str) -> FieldRef {
        FieldRef {
            file: "a.xlsx".into(),
            sheet: "表".into(),
            header_path: vec!["户主".into(), leaf.into()],
        }
    }

    #[test]
    fn every_decision_reads_back_as_written() {
        let all = vec![
            Decision::Accept { field: r("姓名") },
            Decision::Split { field: r("姓名") },
            Decision::Move {
                field: r("姓名"),
                to: r("名字"),
            },
            Decision::Merge {
                a: r("电话"),
                b: r("手机"),
            },
            Decision::Rename {
                field: r("姓名"),
                name: "户主姓名".into(),
            },
            Decision::Drop { field: r("备注") },
        ];
        let text = serde_json::to_string(&all).unwrap();
        assert!(text.starts_with(r#"[{"action":"accept","field":{"file":"a.xlsx""#));
        let back: Vec<Decision> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, all);
        let bad = [
            (
                r#"{"action":"keep","field":null}"#,
                "unknown variant `keep`",
            ),
            (
                r#"{"action":"move","field":{"file":"","sheet":"","header_path":[]}}"#,
                "missing field `to`",
            ),
            (
                r#"{"field":{"file":"","sheet":"","header_path":[]}}"#,
                "missing field `action`",
            ),
        ];
        for (text, why) in bad {
            let e = serde_json::from_str::<Decision>(text)
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{text}: {e}");
        }
    }
}
