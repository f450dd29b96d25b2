//! View logic without the browser: what the review list, the charts and the heatmap show,
//! computed from the state. The components only draw these.

use crate::error::Lang;
use crate::merge::{Project, REVIEW_BELOW};
use crate::plan::{Decision, FieldRef};

use super::state::{AppState, StatusFilter};

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
}

/// Every cluster (of `all`, the unfiltered review list) as a target, ordered by label so that
/// fields of one name stand together.
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
            })
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label).then(a.id.cmp(&b.id)));
    out
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
