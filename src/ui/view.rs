//! View logic without the browser: what the review list, the charts and the heatmap show,
//! computed from the state. The components only draw these.

use crate::error::Lang;
use crate::merge::{Project, REVIEW_BELOW};
use crate::plan::{Decision, FieldRef};

use super::state::{AppState, Bulk, GroupBy, StatusFilter};

/// One member line of a cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberRow {
    /// Department.
    pub department: String,
    /// Original form title.
    pub form: String,
    /// Original header path, joined with ` / `.
    pub header: String,
    /// Column letter in the original.
    pub column: String,
    /// Where it is, for decisions.
    pub field: FieldRef,
    /// Its form (index into the project's sources).
    pub source: usize,
}

/// One cluster in the review list.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterRow {
    /// Index in the project's canonical fields.
    pub index: usize,
    /// Canonical id.
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// Unit, if any.
    pub unit: Option<String>,
    /// 0–1.
    pub confidence: f32,
    /// Below the review bar and not confirmed.
    pub needs_review: bool,
    /// Confirmed by staff.
    pub confirmed: bool,
    /// Dropped by staff.
    pub dropped: bool,
    /// It identifies rows across forms (an ID number, a household number, a village's or
    /// person's name where no number is given): splitting a member out asks first.
    pub identifies_rows: bool,
    /// The level its facts are kept at (`person`, `household`, `village`, `plot`), as the
    /// set's field says.
    pub grain: String,
    /// Members.
    pub members: Vec<MemberRow>,
    /// Why.
    pub reasons: Vec<String>,
}

/// Members of a cluster the review draws before a "show the others" button.
pub const MEMBERS_SHOWN: usize = 10;

/// A cluster one can move a member to or merge into, as the review's lists offer it.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// Canonical id.
    pub id: String,
    /// Its name and the departments that ask for it: `联系电话（人社、医保、卫健等 6 个部门）`,
    /// so two fields of one name can be told apart.
    pub label: String,
    /// A member, for the decision.
    pub field: FieldRef,
    /// Its name, normalised: what the list is sorted by.
    pub key: String,
    /// Every department that asks for it (the label shows the first three), for the filter.
    pub departments: Vec<String>,
}

/// Every cluster (of `all`, the unfiltered review list) as a target, ordered so that fields of
/// one name stand together: by the normalised name (character by character, as Rust orders
/// text — the browser's `localeCompare` is not at hand in Rust), then the field more
/// departments ask for first, then the id.
pub fn targets(lang: Lang, all: &[ClusterRow]) -> Vec<Target> {
    let mut out: Vec<Target> = all
        .iter()
        .filter_map(|c| {
            let first = c.members.first()?;
            let mut depts: Vec<&str> = Vec::new();
            for m in &c.members {
                if !depts.contains(&m.department.as_str()) {
                    depts.push(&m.department);
                }
            }
            let label = super::i18n::target_label(lang, &c.name, &depts);
            Some(Target {
                id: c.id.clone(),
                label,
                field: first.field.clone(),
                key: crate::text::normalize_name(&c.name),
                departments: depts.iter().map(|d| d.to_string()).collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then(b.departments.len().cmp(&a.departments.len()))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// The targets a 移到…/合并到… list offers once `typed` is typed above it: every target but
/// the card's own (`own`) whose name or one of whose departments holds each typed word.
pub fn filter_targets<'a>(targets: &'a [Target], own: &str, typed: &str) -> Vec<&'a Target> {
    let words: Vec<String> = typed
        .split_whitespace()
        .map(crate::text::fold_width)
        .filter(|w| !w.is_empty())
        .collect();
    targets
        .iter()
        .filter(|t| t.id != own)
        .filter(|t| {
            words.iter().all(|w| {
                t.key.contains(w.as_str())
                    || t.label.contains(w.as_str())
                    || t.departments.iter().any(|d| d.contains(w.as_str()))
            })
        })
        .collect()
}

/// The review list: clusters with members, least certain first, filtered by the search text
/// (canonical or original names), department and "only to review".
pub fn cluster_rows(state: &AppState) -> Vec<ClusterRow> {
    let Some(p) = &state.project else {
        return Vec::new();
    };
    let needle = state.search.trim();
    let mut rows: Vec<ClusterRow> = p
        .set
        .canonical
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.members.is_empty())
        .map(|(index, c)| ClusterRow {
            index,
            id: c.id.clone(),
            name: c.name.clone(),
            unit: c.unit.clone(),
            confidence: c.confidence,
            needs_review: c.confidence < REVIEW_BELOW,
            confirmed: c.confidence >= 1.0
                && c.reasons
                    .first()
                    .is_some_and(|r| crate::reasons::by_staff(r)),
            dropped: c.dropped,
            identifies_rows: crate::plan::identifies_rows(&c.id),
            grain: c.grain.clone(),
            members: c
                .members
                .iter()
                .filter_map(|&[s, f]| {
                    let src = p.set.sources.get(s)?;
                    let field = src.fields.get(f)?;
                    Some(MemberRow {
                        department: src.department.clone(),
                        form: src.title.clone(),
                        header: field.header_path.join(" / "),
                        column: field.column_letter.clone(),
                        field: FieldRef::of(&p.set.sources, [s, f]),
                        source: s,
                    })
                })
                .collect(),
            reasons: c.reasons.clone(),
        })
        .filter(|r| {
            needle.is_empty()
                || r.name.contains(needle)
                || r.members.iter().any(|m| m.header.contains(needle))
        })
        .filter(|r| {
            state
                .department
                .as_ref()
                .is_none_or(|d| r.members.iter().any(|m| &m.department == d))
        })
        .filter(|r| state.grain.as_ref().is_none_or(|g| &r.grain == g))
        .filter(|r| {
            state
                .form
                .is_none_or(|f| r.members.iter().any(|m| m.source == f))
        })
        .filter(|r| match state.status {
            StatusFilter::All => true,
            StatusFilter::NeedsReview => r.needs_review,
            // A dropped cluster is decided too, but shows as dropped.
            StatusFilter::Confirmed => r.confirmed && !r.dropped,
            StatusFilter::Dropped => r.dropped,
        })
        .collect();
    rows.sort_by(|a, b| {
        a.confidence
            .total_cmp(&b.confidence)
            .then(b.members.len().cmp(&a.members.len()))
            .then(a.index.cmp(&b.index))
    });
    rows
}

/// Clusters the review draws in each group before a "show more" button (700 clusters drawn at
/// once took the review over a second; a card with ten members takes about 2–4 ms to draw).
pub const CLUSTERS_SHOWN: usize = 50;

/// One group of the review list: a heading with its count, folding.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterGroup {
    /// What the group is kept by in the state (folding): `""` when not grouped, `*` for the
    /// clusters several departments (forms) share, else the department or the form's index.
    pub key: String,
    /// Its heading (empty when not grouped).
    pub label: String,
    /// Folded by staff: only its heading is drawn.
    pub folded: bool,
    /// Its clusters, in the list's order.
    pub rows: Vec<ClusterRow>,
}

/// The review list in its groups: one group when not grouped; by department, the clusters
/// several departments share first, then each department's own (in the project's order); by
/// form, the clusters several forms share first, then each form's own. A cluster is in one
/// group only, so each is drawn once.
pub fn cluster_groups(state: &AppState) -> Vec<ClusterGroup> {
    let rows = cluster_rows(state);
    let Some(p) = &state.project else {
        return Vec::new();
    };
    let lang = state.lang;
    let folded = |key: &str| state.folded.iter().any(|k| k == key);
    if state.group == GroupBy::None {
        return vec![ClusterGroup {
            key: String::new(),
            label: String::new(),
            folded: false,
            rows,
        }];
    }
    let mut groups: Vec<ClusterGroup> = Vec::new();
    for r in rows {
        let key = match state.group {
            GroupBy::Department => {
                let d = r.members.first().map(|m| m.department.as_str());
                if r.members.iter().all(|m| Some(m.department.as_str()) == d) {
                    d.unwrap_or_default().to_string()
                } else {
                    "*".to_string()
                }
            }
            _ => {
                let s = r.members.first().map(|m| m.source);
                if r.members.iter().all(|m| Some(m.source) == s) {
                    s.map(|s| s.to_string()).unwrap_or_default()
                } else {
                    "*".to_string()
                }
            }
        };
        match groups.iter_mut().find(|g| g.key == key) {
            Some(g) => g.rows.push(r),
            None => groups.push(ClusterGroup {
                label: String::new(),
                folded: folded(&key),
                key,
                rows: vec![r],
            }),
        }
    }
    let depts = departments(p);
    let rank = |key: &str| -> usize {
        if key == "*" {
            return 0;
        }
        1 + match state.group {
            GroupBy::Department => depts.iter().position(|d| d == key).unwrap_or(depts.len()),
            _ => key.parse().unwrap_or(usize::MAX - 1),
        }
    };
    groups.sort_by_key(|g| rank(&g.key));
    for g in &mut groups {
        g.label = match (state.group, g.key.as_str()) {
            (GroupBy::Department, "*") => {
                super::i18n::tr(lang, super::i18n::T::SharedByDepartments).to_string()
            }
            (_, "*") => super::i18n::tr(lang, super::i18n::T::SharedByForms).to_string(),
            (GroupBy::Department, d) => d.to_string(),
            (_, i) => i
                .parse::<usize>()
                .ok()
                .and_then(|i| p.set.sources.get(i))
                .map(form_label)
                .unwrap_or_default(),
        };
    }
    groups
}

/// A form as the review names it: `民政 · 低保花名册`.
pub fn form_label(s: &crate::plan::SourceForm) -> String {
    format!("{} · {}", s.department, s.title)
}

/// The clusters in the order the review draws them: group after group, folded groups left
/// out (every cluster, not only those drawn before "show more").
pub fn review_order(state: &AppState) -> Vec<ClusterRow> {
    cluster_groups(state)
        .into_iter()
        .filter(|g| !g.folded)
        .flat_map(|g| g.rows)
        .collect()
}

/// The clusters a bulk action confirms: those listed under the current filters, not yet
/// confirmed or dropped, and — for [`Bulk::Above`] — at least that sure; for
/// [`Bulk::Department`] and [`Bulk::Form`], none unless that filter is chosen. One member of
/// each, for its decision.
pub fn bulk_fields(state: &AppState, bulk: Bulk) -> Vec<FieldRef> {
    bulk_pick(state, &cluster_rows(state), bulk)
}

/// [`bulk_fields`] over the listed clusters (`rows`, as [`cluster_rows`] gives them), so the
/// review counts each bulk action without listing the clusters again.
pub fn bulk_pick<'a>(
    state: &AppState,
    rows: impl IntoIterator<Item = &'a ClusterRow>,
    bulk: Bulk,
) -> Vec<FieldRef> {
    let ok = match bulk {
        Bulk::Above(_) => true,
        Bulk::Department => state.department.is_some(),
        Bulk::Form => state.form.is_some(),
    };
    if !ok {
        return Vec::new();
    }
    rows.into_iter()
        .filter(|r| !r.confirmed && !r.dropped)
        .filter(|r| match bulk {
            Bulk::Above(pct) => r.confidence * 100.0 + 1e-3 >= f32::from(pct),
            _ => true,
        })
        .filter_map(|r| r.members.first().map(|m| m.field.clone()))
        .collect()
}

/// A look-alike pair kept apart, as the review lists it: how alike, both sides with their
/// department, form and header, and why they were kept apart.
pub fn near_miss_lines(lang: Lang, p: &Project, max: usize) -> Vec<String> {
    let side = |f: &FieldRef| {
        let form = p
            .set
            .sources
            .iter()
            .find(|s| s.file == f.file && s.sheet == f.sheet)
            .map(form_label)
            .unwrap_or_else(|| f.file.clone());
        format!("{form} · {}", f.header_path.join(" / "))
    };
    p.near_misses
        .iter()
        .take(max)
        .map(|n| {
            super::i18n::near_miss(
                lang,
                n.similarity,
                &side(&n.a),
                &side(&n.b),
                &crate::reasons::in_lang(lang, &n.reason),
            )
        })
        .collect()
}

/// Departments in the project, in first-seen order.
pub fn departments(p: &Project) -> Vec<String> {
    p.set.burden.overlap.departments.clone()
}

/// Fields per department before and after, for the bar chart.
pub fn department_bars(p: &Project) -> Vec<(String, u32, u32)> {
    p.set
        .burden
        .by_department
        .iter()
        .map(|r| (r.label.clone(), r.fields_before, r.fields_after))
        .collect()
}

/// The decision that splits `field` out of its cluster.
pub fn split(field: &FieldRef) -> Decision {
    Decision::Split {
        field: field.clone(),
    }
}

/// A heat colour for `value` of `max`: white to deep blue, as an `rgb()` string.
pub fn heat(value: u32, max: u32) -> String {
    let t = if max == 0 {
        0.0
    } else {
        value as f32 / max as f32
    };
    let c = |from: f32, to: f32| (from + (to - from) * t).round() as u8;
    format!(
        "rgb({},{},{})",
        c(255.0, 30.0),
        c(255.0, 90.0),
        c(255.0, 170.0)
    )
}

/// Split problems grouped by kind, the kinds that lose data first: `(code, problems)`.
pub fn problem_groups(
    problems: &[crate::split::Problem],
) -> Vec<(&'static str, Vec<&crate::split::Problem>)> {
    const ORDER: [&str; 12] = [
        "unreadable",
        "not_this_set",
        "missing_sheet",
        "missing_key_column",
        "missing_key",
        "no_base_row",
        "duplicate_key",
        "not_on_any_list",
        "unknown_column",
        "bad_id_number",
        "not_in_list",
        "required_empty",
    ];
    let mut groups: Vec<(&'static str, Vec<&crate::split::Problem>)> = Vec::new();
    for p in problems {
        let code = p.finding.code();
        match groups.iter_mut().find(|(c, _)| *c == code) {
            Some((_, v)) => v.push(p),
            None => groups.push((code, vec![p])),
        }
    }
    groups.sort_by_key(|(c, _)| ORDER.iter().position(|o| o == c).unwrap_or(ORDER.len()));
    groups
}

/// One department in the change list against last year: its name, its figures in words, and
/// its changes line by line (empty when nothing changed).
#[derive(Clone, Debug, PartialEq)]
pub struct DiffDepartment {
    /// The department.
    pub name: String,
    /// "新增 1 张表，2 张表有改动" — counts first.
    pub counts: String,
    /// Something changed.
    pub changed: bool,
    /// `+`/`−`/`~` lines, as the CLI prints them.
    pub lines: Vec<String>,
}

/// The change list against last year, departments with changes first (each group by name).
pub fn diff_departments(state: &AppState) -> Vec<DiffDepartment> {
    let Some(d) = &state.year_diff else {
        return Vec::new();
    };
    let mut rows: Vec<DiffDepartment> = d
        .departments
        .iter()
        .map(|x| DiffDepartment {
            name: x.department.clone(),
            counts: crate::diff::counts_text(state.lang, &x.counts()),
            changed: x.changed(),
            lines: crate::diff::department_lines(state.lang, x),
        })
        .collect();
    rows.sort_by_key(|r| !r.changed);
    rows
}
