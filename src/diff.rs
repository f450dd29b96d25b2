//! Year to year: what changed between last year's form set and this year's, per department —
//! forms added, removed and kept; for each kept form its fields added, removed, renamed, and
//! changed (unit, type, value list, required) — and which of last year's staff decisions still
//! fit this year's forms, follow a renamed field, or no longer fit and why.
//!
//! Pure: two projects (or two form sets) in, a serialisable [`ProjectDiff`] out. Forms are the
//! same form when their department and title agree once years and other digits are taken out
//! (`2024年…花名册` is `2025年…花名册`), failing that when their file and sheet names agree
//! the same way, and failing that when most of their field names agree. Fields of a kept form
//! are the same field by header path (then without years and the unit), then by canonical id,
//! then by their place among the fields already paired, and type.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::Lang;
use crate::merge::Project;
use crate::plan::decisions::resolve;
use crate::plan::{Decision, FieldRef, FormSet, SourceField, SourceForm};
use crate::text::{canonical_unit, normalize_name};
use crate::write::xlsx::{grain_rows, type_label};

/// Two forms whose fields agree at least this much (shared names over all names) are taken
/// for one retitled form.
const SAME_FIELDS: f32 = 0.6;
/// At most this many names are listed in one line of the text report.
const LIST_AT_MOST: usize = 8;

/// What changed from last year's form set to this year's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectDiff {
    /// Last year's set title.
    pub old_title: String,
    /// This year's set title.
    pub new_title: String,
    /// Per department, sorted by name; every department of either year is listed.
    pub departments: Vec<DepartmentDiff>,
    /// Canonical fields this year's set has and last year's had not.
    pub canonical_added: Vec<CanonicalRef>,
    /// Canonical fields last year's set had and this year's has not.
    pub canonical_removed: Vec<CanonicalRef>,
    /// Each of last year's decisions, in order, and whether it fits this year's forms.
    pub decisions: Vec<DecisionCheck>,
}

/// A canonical field by id and name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanonicalRef {
    /// Its id (`person.id_number`, `n:宅基地面积`).
    pub id: String,
    /// Its name in the set.
    pub name: String,
}

/// One department's changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DepartmentDiff {
    /// The department (this year's name where a form moved).
    pub department: String,
    /// Forms that are new this year.
    pub forms_added: Vec<FormRef>,
    /// Forms of last year that are gone.
    pub forms_removed: Vec<FormRef>,
    /// Forms of both years, changed or not, in this year's order.
    pub forms_kept: Vec<FormDiff>,
}

/// A form by where it is and what it is called.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRef {
    /// File name.
    pub file: String,
    /// Sheet name (empty for CSV).
    pub sheet: String,
    /// Title.
    pub title: String,
    /// Its columns (fields).
    pub fields: usize,
}

/// Why two forms are taken for the same form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormMatch {
    /// Same department and title, years aside.
    #[default]
    Title,
    /// Same file and sheet names, years aside.
    File,
    /// Same department and most field names agree.
    Fields,
}

/// An old and a new value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change<T> {
    /// Last year's.
    pub old: T,
    /// This year's.
    pub new: T,
}

/// A form of both years and how it changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormDiff {
    /// Last year's form.
    pub old: FormRef,
    /// This year's form.
    pub new: FormRef,
    /// Why they are taken for the same form.
    pub matched_by: FormMatch,
    /// The title changed beyond its year.
    pub title_changed: bool,
    /// Last year's department, where it differs.
    pub department_changed: Option<Change<String>>,
    /// The grain (one row per …), where it changed.
    pub grain: Option<Change<String>>,
    /// The frequency (年报, 季报 …), where it changed.
    pub frequency: Option<Change<String>>,
    /// Fields new this year.
    pub fields_added: Vec<FieldInfo>,
    /// Fields of last year that are gone.
    pub fields_removed: Vec<FieldInfo>,
    /// Fields of both years that were renamed or changed.
    pub fields_changed: Vec<FieldChange>,
}

/// A field as the report shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldInfo {
    /// Column letters.
    pub column: String,
    /// Header texts top-down.
    pub header_path: Vec<String>,
    /// Unit as written.
    pub unit: Option<String>,
    /// Value type (`text`, `integer` …).
    #[serde(rename = "type")]
    pub ty: String,
}

/// Why a field with a different header is taken for the same field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenameBasis {
    /// Both are the same data element of the set.
    SameCanonical,
    /// Same place among the form's columns, same type.
    SamePosition,
}

/// One field of both years and what changed about it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Last year's field.
    pub old: FieldInfo,
    /// This year's field.
    pub new: FieldInfo,
    /// Its header changed; why it is still taken for the same field.
    pub renamed: Option<RenameBasis>,
    /// Its unit changed.
    pub unit: Option<Change<Option<String>>>,
    /// Its value type changed.
    #[serde(rename = "type")]
    pub ty: Option<Change<String>>,
    /// Values its list allows this year and did not last year.
    pub enum_added: Vec<String>,
    /// Values its list allowed last year and does not this year.
    pub enum_removed: Vec<String>,
    /// Its required mark changed.
    pub required: Option<Change<bool>>,
}

/// One of last year's decisions checked against this year's forms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionCheck {
    /// The decision as last year's project holds it.
    pub decision: Decision,
    /// The decision as it applies to this year's forms (renamed fields followed).
    pub now: Decision,
    /// Whether and how it fits.
    pub fit: DecisionFit,
}

/// Whether a decision of last year fits this year's forms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fit", rename_all = "snake_case")]
pub enum DecisionFit {
    /// Its fields are there as named.
    Fits {
        /// This year's project applied it.
        applied: bool,
    },
    /// Its fields are there under new headers (or in a renamed file); it follows them.
    Followed {
        /// This year's project applied it.
        applied: bool,
        /// Each field it names that moved: where it was, where it is now.
        moved: Vec<Change<FieldRef>>,
    },
    /// A field it names is gone from this year's forms.
    Missing {
        /// The fields not found.
        fields: Vec<FieldRef>,
    },
    /// A field it names is a row-number or notes column this year, which takes no decisions.
    Structural {
        /// Those fields.
        fields: Vec<FieldRef>,
    },
}

impl DecisionFit {
    /// The decision can be applied to this year's forms.
    pub fn fits(&self) -> bool {
        matches!(
            self,
            DecisionFit::Fits { .. } | DecisionFit::Followed { .. }
        )
    }
}

/// Figures for a department or the whole diff.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Forms new this year.
    pub forms_added: usize,
    /// Forms gone.
    pub forms_removed: usize,
    /// Kept forms with some change.
    pub forms_changed: usize,
    /// Kept forms without change.
    pub forms_unchanged: usize,
    /// Fields added to kept forms.
    pub fields_added: usize,
    /// Fields removed from kept forms.
    pub fields_removed: usize,
    /// Fields renamed in kept forms.
    pub fields_renamed: usize,
    /// Fields of kept forms whose unit, type, values or required mark changed.
    pub fields_changed: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.forms_added += o.forms_added;
        self.forms_removed += o.forms_removed;
        self.forms_changed += o.forms_changed;
        self.forms_unchanged += o.forms_unchanged;
        self.fields_added += o.fields_added;
        self.fields_removed += o.fields_removed;
        self.fields_renamed += o.fields_renamed;
        self.fields_changed += o.fields_changed;
    }
}

impl FieldChange {
    /// Something besides the header changed.
    pub fn content_changed(&self) -> bool {
        self.unit.is_some()
            || self.ty.is_some()
            || !self.enum_added.is_empty()
            || !self.enum_removed.is_empty()
            || self.required.is_some()
    }
}

impl FormDiff {
    /// Anything changed.
    pub fn changed(&self) -> bool {
        self.title_changed
            || self.department_changed.is_some()
            || self.grain.is_some()
            || self.frequency.is_some()
            || !self.fields_added.is_empty()
            || !self.fields_removed.is_empty()
            || !self.fields_changed.is_empty()
    }
}

impl DepartmentDiff {
    /// Its figures.
    pub fn counts(&self) -> Counts {
        let kept = |f: fn(&FormDiff) -> usize| self.forms_kept.iter().map(f).sum::<usize>();
        Counts {
            forms_added: self.forms_added.len(),
            forms_removed: self.forms_removed.len(),
            forms_changed: self.forms_kept.iter().filter(|f| f.changed()).count(),
            forms_unchanged: self.forms_kept.iter().filter(|f| !f.changed()).count(),
            fields_added: kept(|f| f.fields_added.len()),
            fields_removed: kept(|f| f.fields_removed.len()),
            fields_renamed: kept(|f| {
                f.fields_changed
                    .iter()
                    .filter(|c| c.renamed.is_some())
                    .count()
            }),
            fields_changed: kept(|f| {
                f.fields_changed
                    .iter()
                    .filter(|c| c.content_changed())
                    .count()
            }),
        }
    }

    /// Anything changed in this department.
    pub fn changed(&self) -> bool {
        let c = self.counts();
        c.forms_added + c.forms_removed + c.forms_changed > 0
    }
}

impl ProjectDiff {
    /// Figures over all departments.
    pub fn counts(&self) -> Counts {
        let mut total = Counts::default();
        for d in &self.departments {
            total.add(d.counts());
        }
        total
    }

    /// Last year's decisions as they apply to this year's forms, in order: those whose fields
    /// were renamed follow them; those that no longer fit are kept as they were, so the merge
    /// reports them.
    pub fn carried_decisions(&self) -> Vec<Decision> {
        self.decisions.iter().map(|c| c.now.clone()).collect()
    }
}

/// The title of a form with years, dates, other digits and blanks taken out:
/// `青山县2024年农村最低生活保障对象花名册` and `青山县 2025 年农村最低生活保障对象花名册` give the
/// same key; so do `2024—2025年度` and `2025—2026年度`.
pub fn title_key(title: &str) -> String {
    let chars: Vec<char> = normalize_name(title).chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        if out.ends_with('第') {
            out.pop();
        }
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let rest: String = chars[i..].iter().take(2).collect();
        for unit in ["年度", "季度", "月份", "年", "月", "日", "号", "期"] {
            if rest.starts_with(unit) {
                i += unit.chars().count();
                break;
            }
        }
        // `2024—2025`, `2024-2025`, `2024至2025`: the second year goes the same way.
        if i + 1 < chars.len()
            && matches!(chars[i], '—' | '-' | '–' | '~' | '～' | '至' | '到')
            && chars[i + 1].is_ascii_digit()
        {
            i += 1;
        }
    }
    for empty in ["()", "[]", "【】", "（）"] {
        out = out.replace(empty, "");
    }
    out
}

/// A file or sheet name without digits (years), blanks or width differences.
fn name_key(s: &str) -> String {
    normalize_name(s)
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect()
}

fn form_ref(s: &SourceForm) -> FormRef {
    FormRef {
        file: s.file.clone(),
        sheet: s.sheet.clone(),
        title: s.title.clone(),
        fields: s.fields.len(),
    }
}

fn field_info(f: &SourceField) -> FieldInfo {
    FieldInfo {
        column: f.column_letter.clone(),
        header_path: f.header_path.clone(),
        unit: f.unit.clone(),
        ty: f.ty.clone(),
    }
}

fn path_key(f: &SourceField) -> Vec<String> {
    f.header_path.iter().map(|h| normalize_name(h)).collect()
}

/// Shared field names over all names of two forms.
fn field_overlap(a: &SourceForm, b: &SourceForm) -> f32 {
    let x: HashSet<String> = a.fields.iter().map(|f| normalize_name(&f.name)).collect();
    let y: HashSet<String> = b.fields.iter().map(|f| normalize_name(&f.name)).collect();
    let all = x.union(&y).count();
    if all == 0 {
        return 0.0;
    }
    x.intersection(&y).count() as f32 / all as f32
}

/// Which forms of last year are which forms of this year: (old index, new index, why).
fn match_forms(old: &[SourceForm], new: &[SourceForm]) -> Vec<(usize, usize, FormMatch)> {
    let mut pairs = Vec::new();
    let mut old_used = vec![false; old.len()];
    let mut new_used = vec![false; new.len()];
    let title: Vec<String> = old.iter().map(|s| title_key(&s.title)).collect();
    let title_new: Vec<String> = new.iter().map(|s| title_key(&s.title)).collect();
    let file = |s: &SourceForm| (name_key(&s.file), name_key(&s.sheet));
    let file_old: Vec<(String, String)> = old.iter().map(file).collect();
    let file_new: Vec<(String, String)> = new.iter().map(file).collect();

    // 1. Same department and title; among several, the one in the same file.
    for (oi, o) in old.iter().enumerate() {
        let candidates: Vec<usize> = (0..new.len())
            .filter(|&ni| {
                !new_used[ni] && new[ni].department == o.department && title_new[ni] == title[oi]
            })
            .collect();
        let pick = candidates
            .iter()
            .copied()
            .find(|&ni| file_new[ni] == file_old[oi])
            .or_else(|| candidates.first().copied());
        if let Some(ni) = pick {
            old_used[oi] = true;
            new_used[ni] = true;
            pairs.push((oi, ni, FormMatch::Title));
        }
    }
    // 2. Same file and sheet (the title was reworded, or the department read differently).
    for oi in 0..old.len() {
        if old_used[oi] {
            continue;
        }
        if let Some(ni) = (0..new.len()).find(|&ni| !new_used[ni] && file_new[ni] == file_old[oi]) {
            old_used[oi] = true;
            new_used[ni] = true;
            pairs.push((oi, ni, FormMatch::File));
        }
    }
    // 3. Same title in another department (the department was renamed).
    for oi in 0..old.len() {
        if old_used[oi] {
            continue;
        }
        if let Some(ni) = (0..new.len()).find(|&ni| !new_used[ni] && title_new[ni] == title[oi]) {
            old_used[oi] = true;
            new_used[ni] = true;
            pairs.push((oi, ni, FormMatch::Title));
        }
    }
    // 4. Same department, most field names shared: a retitled form. Best pairs first.
    let mut scored: Vec<(f32, usize, usize)> = Vec::new();
    for oi in (0..old.len()).filter(|&i| !old_used[i]) {
        for ni in (0..new.len()).filter(|&i| !new_used[i]) {
            if old[oi].department == new[ni].department {
                let s = field_overlap(&old[oi], &new[ni]);
                if s >= SAME_FIELDS {
                    scored.push((s, oi, ni));
                }
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, oi, ni) in scored {
        if !old_used[oi] && !new_used[ni] {
            old_used[oi] = true;
            new_used[ni] = true;
            pairs.push((oi, ni, FormMatch::Fields));
        }
    }
    pairs.sort_by_key(|p| p.1);
    pairs
}

/// A canonical id from the lexicon (not one made from a field's own name).
fn lexicon_id(id: Option<&str>) -> Option<&str> {
    id.filter(|i| !i.starts_with("n:"))
}

/// Which fields of a kept form are which: (old index, new index, renamed by).
fn match_fields(o: &SourceForm, n: &SourceForm) -> Vec<(usize, usize, Option<RenameBasis>)> {
    let mut pairs: Vec<(usize, usize, Option<RenameBasis>)> = Vec::new();
    let mut old_used = vec![false; o.fields.len()];
    let mut new_used = vec![false; n.fields.len()];
    // Same header path.
    let new_paths: Vec<Vec<String>> = n.fields.iter().map(path_key).collect();
    for (oi, of) in o.fields.iter().enumerate() {
        let p = path_key(of);
        if let Some(ni) = (0..n.fields.len()).find(|&ni| !new_used[ni] && new_paths[ni] == p) {
            old_used[oi] = true;
            new_used[ni] = true;
            pairs.push((oi, ni, None));
        }
    }
    // Same header path once years and the leaf's unit are taken out: `2024年种植面积` is
    // `2025年种植面积`, `承包地面积（亩）` is `承包地面积（公顷）` with another unit.
    let year_free = |f: &SourceField| -> Vec<String> {
        let mut p: Vec<String> = f.header_path.iter().map(|h| title_key(h)).collect();
        if let (Some(leaf), Some(unit)) = (p.last_mut(), f.unit.as_deref()) {
            let unit = normalize_name(unit);
            if !unit.is_empty() {
                *leaf = leaf.replace(&format!("({unit})"), "");
                if let Some(bare) = leaf.strip_suffix(unit.as_str()) {
                    *leaf = bare.to_string();
                }
            }
        }
        p
    };
    let new_free: Vec<Vec<String>> = n.fields.iter().map(year_free).collect();
    for (oi, of) in o.fields.iter().enumerate() {
        if old_used[oi] {
            continue;
        }
        let p = year_free(of);
        if let Some(ni) = (0..n.fields.len()).find(|&ni| !new_used[ni] && new_free[ni] == p) {
            old_used[oi] = true;
            new_used[ni] = true;
            pairs.push((oi, ni, None));
        }
    }
    // Same canonical field of the set.
    for (oi, of) in o.fields.iter().enumerate() {
        let Some(id) = of.canonical.as_deref().filter(|_| !old_used[oi]) else {
            continue;
        };
        if let Some(ni) = (0..n.fields.len())
            .find(|&ni| !new_used[ni] && n.fields[ni].canonical.as_deref() == Some(id))
        {
            old_used[oi] = true;
            new_used[ni] = true;
            pairs.push((oi, ni, Some(RenameBasis::SameCanonical)));
        }
    }
    // Same place between fields already paired, same type; never two known, different
    // data elements.
    let mut anchors: Vec<(usize, usize)> = Vec::new();
    let mut sorted: Vec<(usize, usize)> = pairs.iter().map(|p| (p.0, p.1)).collect();
    sorted.sort_unstable();
    for (a, b) in sorted {
        if anchors.last().is_none_or(|l| b > l.1) {
            anchors.push((a, b));
        }
    }
    let mut bounds: Vec<(usize, usize, usize, usize)> = Vec::new();
    let (mut lo_o, mut lo_n) = (0, 0);
    for &(a, b) in &anchors {
        bounds.push((lo_o, a, lo_n, b));
        (lo_o, lo_n) = (a + 1, b + 1);
    }
    bounds.push((lo_o, o.fields.len(), lo_n, n.fields.len()));
    let alike = |oi: usize, ni: usize| {
        let (of, nf) = (&o.fields[oi], &n.fields[ni]);
        let (a, b) = (
            lexicon_id(of.canonical.as_deref()),
            lexicon_id(nf.canonical.as_deref()),
        );
        of.ty == nf.ty && !(a.is_some() && b.is_some() && a != b)
    };
    for (o0, o1, n0, n1) in bounds {
        let free_o: Vec<usize> = (o0..o1.max(o0)).filter(|&i| !old_used[i]).collect();
        let free_n: Vec<usize> = (n0..n1.max(n0)).filter(|&i| !new_used[i]).collect();
        let gap: Vec<(usize, usize)> = if free_o.len() == free_n.len() {
            free_o.iter().copied().zip(free_n.iter().copied()).collect()
        } else {
            free_o
                .iter()
                .filter_map(|&oi| {
                    free_n
                        .iter()
                        .find(|&&ni| n.fields[ni].column == o.fields[oi].column)
                        .map(|&ni| (oi, ni))
                })
                .collect()
        };
        for (oi, ni) in gap {
            if alike(oi, ni) {
                old_used[oi] = true;
                new_used[ni] = true;
                pairs.push((oi, ni, Some(RenameBasis::SamePosition)));
            }
        }
    }
    pairs.sort_by_key(|p| p.1);
    pairs
}

fn values_not_in(a: &[String], b: &[String]) -> Vec<String> {
    let b: HashSet<&str> = b.iter().map(|v| v.trim()).collect();
    a.iter()
        .filter(|v| !b.contains(v.trim()))
        .cloned()
        .collect()
}

fn unit_key(u: &Option<String>) -> Option<String> {
    u.as_deref().map(canonical_unit).filter(|u| !u.is_empty())
}

fn field_change(
    of: &SourceField,
    nf: &SourceField,
    renamed: Option<RenameBasis>,
) -> Option<FieldChange> {
    let c = FieldChange {
        old: field_info(of),
        new: field_info(nf),
        renamed,
        unit: (unit_key(&of.unit) != unit_key(&nf.unit)).then(|| Change {
            old: of.unit.clone(),
            new: nf.unit.clone(),
        }),
        ty: (of.ty != nf.ty).then(|| Change {
            old: of.ty.clone(),
            new: nf.ty.clone(),
        }),
        enum_added: values_not_in(&nf.enum_values, &of.enum_values),
        enum_removed: values_not_in(&of.enum_values, &nf.enum_values),
        required: (of.required != nf.required).then_some(Change {
            old: of.required,
            new: nf.required,
        }),
    };
    (c.renamed.is_some() || c.content_changed()).then_some(c)
}

/// What was matched between the two sets: forms, and fields of kept forms.
struct Matched {
    forms: Vec<(usize, usize, FormMatch)>,
    /// Old `[form, field]` → new `[form, field]`.
    fields: HashMap<[usize; 2], [usize; 2]>,
}

fn match_sets(old: &FormSet, new: &FormSet) -> Matched {
    let forms = match_forms(&old.sources, &new.sources);
    let mut fields = HashMap::new();
    for &(oi, ni, _) in &forms {
        for (a, b, _) in match_fields(&old.sources[oi], &new.sources[ni]) {
            fields.insert([oi, a], [ni, b]);
        }
    }
    Matched { forms, fields }
}

fn canonical_refs(set: &FormSet) -> Vec<CanonicalRef> {
    set.canonical
        .iter()
        .filter(|c| !c.dropped && !c.members.is_empty())
        .map(|c| CanonicalRef {
            id: c.id.clone(),
            name: c.name.clone(),
        })
        .collect()
}

/// What changed from one form set to the next, without decisions.
pub fn diff_sets(old: &FormSet, new: &FormSet) -> ProjectDiff {
    let matched = match_sets(old, new);
    let mut departments: Vec<DepartmentDiff> = Vec::new();
    fn dept<'a>(v: &'a mut Vec<DepartmentDiff>, name: &str) -> &'a mut DepartmentDiff {
        let at = match v.iter().position(|d| d.department == name) {
            Some(at) => at,
            None => {
                v.push(DepartmentDiff {
                    department: name.to_string(),
                    ..DepartmentDiff::default()
                });
                v.len() - 1
            }
        };
        &mut v[at]
    }
    let old_kept: HashSet<usize> = matched.forms.iter().map(|p| p.0).collect();
    let new_kept: HashSet<usize> = matched.forms.iter().map(|p| p.1).collect();
    for (ni, n) in new.sources.iter().enumerate() {
        if let Some(&(oi, _, by)) = matched.forms.iter().find(|p| p.1 == ni) {
            let o = &old.sources[oi];
            let pairs = match_fields(o, n);
            let old_paired: HashSet<usize> = pairs.iter().map(|p| p.0).collect();
            let new_paired: HashSet<usize> = pairs.iter().map(|p| p.1).collect();
            let changed = |a: &String, b: &String| {
                (a != b).then(|| Change {
                    old: a.clone(),
                    new: b.clone(),
                })
            };
            let form = FormDiff {
                old: form_ref(o),
                new: form_ref(n),
                matched_by: by,
                title_changed: title_key(&o.title) != title_key(&n.title),
                department_changed: changed(&o.department, &n.department),
                grain: changed(&o.grain, &n.grain),
                frequency: changed(&o.frequency, &n.frequency),
                fields_added: n
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !new_paired.contains(i))
                    .map(|(_, f)| field_info(f))
                    .collect(),
                fields_removed: o
                    .fields
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !old_paired.contains(i))
                    .map(|(_, f)| field_info(f))
                    .collect(),
                fields_changed: pairs
                    .iter()
                    .filter_map(|&(a, b, r)| field_change(&o.fields[a], &n.fields[b], r))
                    .collect(),
            };
            dept(&mut departments, &n.department).forms_kept.push(form);
        } else if !new_kept.contains(&ni) {
            dept(&mut departments, &n.department)
                .forms_added
                .push(form_ref(n));
        }
    }
    for (oi, o) in old.sources.iter().enumerate() {
        if !old_kept.contains(&oi) {
            dept(&mut departments, &o.department)
                .forms_removed
                .push(form_ref(o));
        }
    }
    departments.sort_by(|a, b| a.department.cmp(&b.department));
    let before = canonical_refs(old);
    let after = canonical_refs(new);
    let ids_before: HashSet<&str> = before.iter().map(|c| c.id.as_str()).collect();
    let ids_after: HashSet<&str> = after.iter().map(|c| c.id.as_str()).collect();
    ProjectDiff {
        old_title: old.title.clone(),
        new_title: new.title.clone(),
        departments,
        canonical_added: after
            .iter()
            .filter(|c| !ids_before.contains(c.id.as_str()))
            .cloned()
            .collect(),
        canonical_removed: before
            .iter()
            .filter(|c| !ids_after.contains(c.id.as_str()))
            .cloned()
            .collect(),
        decisions: Vec::new(),
    }
}

/// What changed from last year's project to this year's, and how each of last year's decisions
/// fits this year's forms. `new` may have been merged with last year's decisions (then the
/// check says which were applied) or without them.
pub fn diff(old: &Project, new: &Project) -> ProjectDiff {
    let mut d = diff_sets(&old.set, &new.set);
    d.decisions = check_decisions(old, new);
    d
}

/// Last year's decisions as they apply to this year's form set: a decision whose field was
/// renamed (or whose file was renamed beyond its year) names the field as it is now. Decisions
/// that no longer fit are kept as they were, so the merge reports them.
pub fn carry_over(old: &Project, new: &FormSet) -> Vec<Decision> {
    let matched = match_sets(&old.set, new);
    old.decisions
        .iter()
        .map(|d| check_one(d, &old.set, new, &matched).0)
        .collect()
}

fn check_decisions(old: &Project, new: &Project) -> Vec<DecisionCheck> {
    let matched = match_sets(&old.set, &new.set);
    old.decisions
        .iter()
        .map(|d| {
            let (now, fit) = check_one(d, &old.set, &new.set, &matched);
            let applied = new
                .decision_outcomes
                .iter()
                .any(|o| o.applied && o.decision == now);
            let fit = match fit {
                DecisionFit::Fits { .. } => DecisionFit::Fits { applied },
                DecisionFit::Followed { moved, .. } => DecisionFit::Followed { applied, moved },
                other => other,
            };
            DecisionCheck {
                decision: d.clone(),
                now,
                fit,
            }
        })
        .collect()
}

/// Where a field named by a decision is this year: as named, followed, gone or structural.
enum Found {
    Here([usize; 2]),
    Moved([usize; 2]),
    Gone,
}

fn find(r: &FieldRef, old: &FormSet, new: &FormSet, matched: &Matched) -> Found {
    if let Some(at) = resolve(&new.sources, r) {
        return Found::Here(at);
    }
    match resolve(&old.sources, r).and_then(|at| matched.fields.get(&at)) {
        Some(&at) => Found::Moved(at),
        None => Found::Gone,
    }
}

/// The decision as it applies now, and whether it fits (`applied` still to be filled in).
fn check_one(
    d: &Decision,
    old: &FormSet,
    new: &FormSet,
    matched: &Matched,
) -> (Decision, DecisionFit) {
    let mut moved = Vec::new();
    let mut missing = Vec::new();
    let mut structural = Vec::new();
    let mut follow = |r: &FieldRef| -> FieldRef {
        let at = match find(r, old, new, matched) {
            Found::Here(at) => at,
            Found::Moved(at) => {
                let now = FieldRef::of(&new.sources, at);
                moved.push(Change {
                    old: r.clone(),
                    new: now.clone(),
                });
                at
            }
            Found::Gone => {
                missing.push(r.clone());
                return r.clone();
            }
        };
        let field = &new.sources[at[0]].fields[at[1]];
        // 序号 and 备注: no cluster holds them, so no decision applies (备注 has a field of its
        // own all the same).
        if field.canonical.is_none() || field.role != "data" {
            structural.push(r.clone());
        }
        FieldRef::of(&new.sources, at)
    };
    let now = match d {
        Decision::Accept { field } => Decision::Accept {
            field: follow(field),
        },
        Decision::Split { field } => Decision::Split {
            field: follow(field),
        },
        Decision::Drop { field } => Decision::Drop {
            field: follow(field),
        },
        Decision::Rename { field, name } => Decision::Rename {
            field: follow(field),
            name: name.clone(),
        },
        Decision::Move { field, to } => Decision::Move {
            field: follow(field),
            to: follow(to),
        },
        Decision::Merge { a, b } => Decision::Merge {
            a: follow(a),
            b: follow(b),
        },
    };
    if !missing.is_empty() {
        return (d.clone(), DecisionFit::Missing { fields: missing });
    }
    if !structural.is_empty() {
        return (d.clone(), DecisionFit::Structural { fields: structural });
    }
    if moved.is_empty() {
        // Found as named: keep it exactly as it was (the merge resolves it the same way).
        return (d.clone(), DecisionFit::Fits { applied: false });
    }
    (
        now,
        DecisionFit::Followed {
            applied: false,
            moved,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Words: the same lines for the CLI report and the web app.

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn quote(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Zh => format!("「{s}」"),
        Lang::En => format!("“{s}”"),
    }
}

fn path_text(p: &[String]) -> String {
    p.iter()
        .map(|h| crate::text::norm_space(h))
        .collect::<Vec<_>>()
        .join("/")
}

fn list(lang: Lang, items: &[String]) -> String {
    let sep = pick(lang, "、", ", ");
    if items.len() <= LIST_AT_MOST {
        return items.join(sep);
    }
    let more = items.len() - LIST_AT_MOST;
    let head = items[..LIST_AT_MOST].join(sep);
    match lang {
        Lang::Zh => format!("{head} 等 {} 个", items.len()),
        Lang::En => format!("{head} and {more} more"),
    }
}

fn grain_text(lang: Lang, g: &str) -> String {
    grain_rows(g.strip_prefix("per_").unwrap_or(g), lang).into_owned()
}

fn unit_text(lang: Lang, u: &Option<String>) -> String {
    match u {
        Some(u) if !u.trim().is_empty() => u.clone(),
        _ => pick(lang, "无", "none").to_string(),
    }
}

/// "新增 1 张表，2 张表有改动" for a department, counts first; the empty string when nothing
/// at all is listed.
pub fn counts_text(lang: Lang, c: &Counts) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (k, zh, en) in [
        (c.forms_added, "新增 {} 张表", "new"),
        (c.forms_removed, "减少 {} 张表", "gone"),
        (c.forms_changed, "{} 张表有改动", "changed"),
        (c.forms_unchanged, "{} 张表无变化", "unchanged"),
    ] {
        if k > 0 {
            parts.push(match lang {
                Lang::Zh => zh.replace("{}", &k.to_string()),
                Lang::En if en == "new" => format!("{k} new form{}", plural(k)),
                Lang::En => format!("{k} form{} {en}", plural(k)),
            });
        }
    }
    parts.join(pick(lang, "，", ", "))
}

fn plural(k: usize) -> &'static str {
    if k == 1 {
        ""
    } else {
        "s"
    }
}

/// What changed in a kept form's fields, in figures: "新增 2 个字段，1 个字段改名".
pub fn field_counts_text(lang: Lang, f: &FormDiff) -> String {
    let renamed = f
        .fields_changed
        .iter()
        .filter(|c| c.renamed.is_some())
        .count();
    let changed = f
        .fields_changed
        .iter()
        .filter(|c| c.content_changed())
        .count();
    let mut parts = Vec::new();
    for (k, zh, en) in [
        (f.fields_added.len(), "新增 {} 个字段", "added"),
        (f.fields_removed.len(), "删除 {} 个字段", "removed"),
        (renamed, "{} 个字段改名", "renamed"),
        (changed, "{} 个字段有改动", "changed"),
    ] {
        if k > 0 {
            parts.push(match lang {
                Lang::Zh => zh.replace("{}", &k.to_string()),
                Lang::En => format!("{k} field{} {en}", plural(k)),
            });
        }
    }
    parts.join(pick(lang, "，", ", "))
}

/// The heading of a kept form: its title, and last year's where it changed beyond its year.
pub fn form_heading(lang: Lang, f: &FormDiff) -> String {
    let mut s = quote(lang, &f.new.title);
    if f.title_changed {
        s.push_str(&match lang {
            Lang::Zh => format!("（原为{}）", quote(lang, &f.old.title)),
            Lang::En => format!(" (was {})", quote(lang, &f.old.title)),
        });
    }
    s
}

/// One line per change of a kept form, in plain words.
pub fn form_lines(lang: Lang, f: &FormDiff) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = &f.department_changed {
        out.push(match lang {
            Lang::Zh => format!("部门由“{}”改为“{}”", c.old, c.new),
            Lang::En => format!("department “{}” → “{}”", c.old, c.new),
        });
    }
    if let Some(c) = &f.grain {
        out.push(match lang {
            Lang::Zh => format!(
                "填报对象由{}改为{}",
                grain_text(lang, &c.old),
                grain_text(lang, &c.new)
            ),
            Lang::En => format!(
                "was {}, now {}",
                grain_text(lang, &c.old),
                grain_text(lang, &c.new)
            ),
        });
    }
    if let Some(c) = &f.frequency {
        out.push(match lang {
            Lang::Zh => format!("频次由{}改为{}", c.old, c.new),
            Lang::En => format!("frequency {} → {}", c.old, c.new),
        });
    }
    for a in &f.fields_added {
        out.push(match lang {
            Lang::Zh => format!(
                "新增字段 {}（{} 列）",
                quote(lang, &path_text(&a.header_path)),
                a.column
            ),
            Lang::En => format!(
                "new field {} (column {})",
                quote(lang, &path_text(&a.header_path)),
                a.column
            ),
        });
    }
    for r in &f.fields_removed {
        out.push(match lang {
            Lang::Zh => format!("删除字段 {}", quote(lang, &path_text(&r.header_path))),
            Lang::En => format!("field removed: {}", quote(lang, &path_text(&r.header_path))),
        });
    }
    for c in &f.fields_changed {
        out.extend(change_lines(lang, c));
    }
    out
}

/// The lines of one changed field.
pub fn change_lines(lang: Lang, c: &FieldChange) -> Vec<String> {
    let mut out = Vec::new();
    let old = quote(lang, &path_text(&c.old.header_path));
    let name = quote(lang, &path_text(&c.new.header_path));
    if let Some(by) = c.renamed {
        let why = match (by, lang) {
            (RenameBasis::SameCanonical, Lang::Zh) => "同一标准数据项",
            (RenameBasis::SamePosition, Lang::Zh) => "同一位置、同一类型",
            (RenameBasis::SameCanonical, Lang::En) => "same data element",
            (RenameBasis::SamePosition, Lang::En) => "same place and type",
        };
        out.push(match lang {
            Lang::Zh => format!("字段改名：{old} → {name}（{why}）"),
            Lang::En => format!("renamed: {old} → {name} ({why})"),
        });
    }
    if let Some(u) = &c.unit {
        out.push(match lang {
            Lang::Zh => format!(
                "{name}单位由{}改为{}",
                unit_text(lang, &u.old),
                unit_text(lang, &u.new)
            ),
            Lang::En => format!(
                "{name}: unit {} → {}",
                unit_text(lang, &u.old),
                unit_text(lang, &u.new)
            ),
        });
    }
    if let Some(t) = &c.ty {
        out.push(match lang {
            Lang::Zh => format!(
                "{name}类型由{}改为{}",
                type_label(&t.old, lang),
                type_label(&t.new, lang)
            ),
            Lang::En => format!(
                "{name}: type {} → {}",
                type_label(&t.old, lang),
                type_label(&t.new, lang)
            ),
        });
    }
    if !c.enum_added.is_empty() || !c.enum_removed.is_empty() {
        let mut parts = Vec::new();
        if !c.enum_added.is_empty() {
            parts.push(match lang {
                Lang::Zh => format!("增加：{}", list(lang, &c.enum_added)),
                Lang::En => format!("added {}", list(lang, &c.enum_added)),
            });
        }
        if !c.enum_removed.is_empty() {
            parts.push(match lang {
                Lang::Zh => format!("去掉：{}", list(lang, &c.enum_removed)),
                Lang::En => format!("removed {}", list(lang, &c.enum_removed)),
            });
        }
        out.push(match lang {
            Lang::Zh => format!("{name}可选值{}", parts.join("；")),
            Lang::En => format!("{name}: values {}", parts.join("; ")),
        });
    }
    if let Some(r) = &c.required {
        out.push(match (lang, r.new) {
            (Lang::Zh, true) => format!("{name}改为必填"),
            (Lang::Zh, false) => format!("{name}改为选填"),
            (Lang::En, true) => format!("{name} is now required"),
            (Lang::En, false) => format!("{name} is now optional"),
        });
    }
    out
}

/// A decision in words.
pub fn describe_decision(lang: Lang, d: &Decision) -> String {
    if lang == Lang::Zh {
        return d.describe();
    }
    let leaf = |r: &FieldRef| format!("“{}”", path_text(&r.header_path));
    match d {
        Decision::Accept { field } => format!("accept the field holding {}", leaf(field)),
        Decision::Split { field } => format!("split {} out", leaf(field)),
        Decision::Move { field, to } => {
            format!("move {} to the field holding {}", leaf(field), leaf(to))
        }
        Decision::Merge { a, b } => format!("merge {} with {}", leaf(a), leaf(b)),
        Decision::Rename { field, name } => {
            format!("call the field holding {} “{name}”", leaf(field))
        }
        Decision::Drop { field } => format!("drop the field holding {} (no basis)", leaf(field)),
    }
}

fn refs_text(lang: Lang, refs: &[FieldRef]) -> String {
    refs.iter()
        .map(|r| r.describe())
        .collect::<Vec<_>>()
        .join(pick(lang, "；", "; "))
}

/// Whether and how one of last year's decisions fits, in words.
pub fn decision_line(lang: Lang, c: &DecisionCheck) -> String {
    let what = describe_decision(lang, &c.decision);
    let pending = |applied: bool| match (applied, lang) {
        (true, Lang::Zh) => "，已沿用",
        (true, Lang::En) => "; applied",
        (false, Lang::Zh) => "，今年的合并尚未沿用",
        (false, Lang::En) => "; not yet applied to this year's merge",
    };
    match (&c.fit, lang) {
        (DecisionFit::Fits { applied }, Lang::Zh) => {
            format!("{what}：仍适用{}", pending(*applied))
        }
        (DecisionFit::Fits { applied }, Lang::En) => {
            format!("{what}: still fits{}", pending(*applied))
        }
        (DecisionFit::Followed { applied, moved }, _) => {
            let moves: Vec<String> = moved
                .iter()
                .map(|m| {
                    format!(
                        "{} → {}",
                        quote(lang, &path_text(&m.old.header_path)),
                        quote(lang, &path_text(&m.new.header_path))
                    )
                })
                .collect();
            match lang {
                Lang::Zh => format!(
                    "{what}：字段已改名（{}），按新名称仍适用{}",
                    moves.join("；"),
                    pending(*applied)
                ),
                Lang::En => format!(
                    "{what}: the field was renamed ({}) and the decision follows it{}",
                    moves.join("; "),
                    pending(*applied)
                ),
            }
        }
        (DecisionFit::Missing { fields }, Lang::Zh) => format!(
            "{what}：不再适用，今年的表格中找不到字段 {}",
            refs_text(lang, fields)
        ),
        (DecisionFit::Missing { fields }, Lang::En) => format!(
            "{what}: no longer fits; this year's forms have no field {}",
            refs_text(lang, fields)
        ),
        (DecisionFit::Structural { fields }, Lang::Zh) => format!(
            "{what}：不再适用，{} 今年是序号或备注列",
            refs_text(lang, fields)
        ),
        (DecisionFit::Structural { fields }, Lang::En) => format!(
            "{what}: no longer fits; {} is a row-number or notes column this year",
            refs_text(lang, fields)
        ),
    }
}

/// The one-line summary of the whole diff.
pub fn summary_line(lang: Lang, d: &ProjectDiff) -> String {
    let changed = d.departments.iter().filter(|x| x.changed()).count();
    let c = d.counts();
    let forms = counts_text(
        lang,
        &Counts {
            forms_unchanged: 0,
            ..c
        },
    );
    match lang {
        Lang::Zh => {
            let mut s = format!("{} 个部门，其中 {changed} 个有变化", d.departments.len());
            if !forms.is_empty() {
                s.push_str(&format!("：{forms}"));
            }
            s.push('。');
            s
        }
        Lang::En => {
            let mut s = format!(
                "{} departments, {changed} with changes",
                d.departments.len()
            );
            if !forms.is_empty() {
                s.push_str(&format!(": {forms}"));
            }
            s.push('.');
            s
        }
    }
}

/// The decisions' summary: how many still fit and how many no longer do.
pub fn decisions_line(lang: Lang, d: &ProjectDiff) -> String {
    let fit = d.decisions.iter().filter(|c| c.fit.fits()).count();
    let misfit = d.decisions.len() - fit;
    match lang {
        Lang::Zh => format!(
            "去年的人工决定 {} 条：{fit} 条仍适用，{misfit} 条不再适用。",
            d.decisions.len()
        ),
        Lang::En => format!(
            "Last year's decisions: {}; {fit} still fit, {misfit} no longer fit.",
            d.decisions.len()
        ),
    }
}

/// A department's changes as lines: `+` a new form, `−` a form gone, `~` a changed form
/// followed by its changes (indented). Unchanged forms are not listed.
pub fn department_lines(lang: Lang, dep: &DepartmentDiff) -> Vec<String> {
    let mut out = Vec::new();
    for f in &dep.forms_added {
        out.push(format!(
            "+ {}{}",
            quote(lang, &f.title),
            match lang {
                Lang::Zh => format!("（新增，{} 个字段）", f.fields),
                Lang::En => format!(" (new, {} field{})", f.fields, plural(f.fields)),
            }
        ));
    }
    for f in &dep.forms_removed {
        out.push(format!(
            "− {}{}",
            quote(lang, &f.title),
            pick(lang, "（今年没有）", " (gone this year)")
        ));
    }
    for f in dep.forms_kept.iter().filter(|f| f.changed()) {
        let figures = field_counts_text(lang, f);
        let mut head = format!("~ {}", form_heading(lang, f));
        if !figures.is_empty() {
            head.push_str(pick(lang, "：", ": "));
            head.push_str(&figures);
        }
        out.push(head);
        for line in form_lines(lang, f) {
            out.push(format!("    {line}"));
        }
    }
    out
}

/// The whole diff as a readable report, grouped by department.
pub fn render(lang: Lang, d: &ProjectDiff) -> String {
    let mut out = String::new();
    let (last, this) = pick2(lang);
    out.push_str(&format!("{last}{}\n{this}{}\n", d.old_title, d.new_title));
    out.push_str(&summary_line(lang, d));
    out.push('\n');
    for dep in d.departments.iter().filter(|x| x.changed()) {
        out.push_str(&format!(
            "\n■ {}{}{}\n",
            dep.department,
            pick(lang, "：", ": "),
            counts_text(lang, &dep.counts())
        ));
        for line in department_lines(lang, dep) {
            out.push_str(&format!("  {line}\n"));
        }
    }
    let unchanged: Vec<String> = d
        .departments
        .iter()
        .filter(|x| !x.changed())
        .map(|x| x.department.clone())
        .collect();
    if !unchanged.is_empty() {
        out.push_str(&format!(
            "\n{}{}\n",
            pick(lang, "无变化：", "Unchanged: "),
            unchanged.join(pick(lang, "、", ", "))
        ));
    }
    if !d.canonical_added.is_empty() || !d.canonical_removed.is_empty() {
        let names = |v: &[CanonicalRef]| v.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        out.push('\n');
        out.push_str(&match lang {
            Lang::Zh => format!(
                "统一字段：新增 {} 个，减少 {} 个。\n",
                d.canonical_added.len(),
                d.canonical_removed.len()
            ),
            Lang::En => format!(
                "Canonical fields: {} new, {} gone.\n",
                d.canonical_added.len(),
                d.canonical_removed.len()
            ),
        });
        if !d.canonical_added.is_empty() {
            out.push_str(&format!("  + {}\n", list(lang, &names(&d.canonical_added))));
        }
        if !d.canonical_removed.is_empty() {
            out.push_str(&format!(
                "  − {}\n",
                list(lang, &names(&d.canonical_removed))
            ));
        }
    }
    if !d.decisions.is_empty() {
        out.push('\n');
        out.push_str(&decisions_line(lang, d));
        out.push('\n');
        for c in &d.decisions {
            let mark = if c.fit.fits() { "✓" } else { "✗" };
            out.push_str(&format!("  {mark} {}\n", decision_line(lang, c)));
        }
    }
    out
}

fn pick2(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Zh => ("去年：", "今年："),
        Lang::En => ("Last year: ", "This year: "),
    }
}

#[cfg(test)]
mod tests {
    use super::title_key;

    #[track_caller]
    fn same(a: &str, b: &str) {
        assert_eq!(title_key(a), title_key(b), "{a} vs {b}");
    }

    #[test]
    fn years_and_dates_leave_titles() {
        same(
            "青山县2024年农村最低生活保障对象花名册",
            "青山县 2025 年农村最低生活保障对象花名册",
        );
        same(
            "青山县2024—2025年度冬春生活救助需求及发放台账",
            "青山县2025-2026年度冬春生活救助需求及发放台账",
        );
        same(
            "青山县特困人员救助供养对象台账（2024年）",
            "青山县特困人员救助供养对象台账",
        );
        same(
            "青山县2024年第三季度80周岁以上老年人高龄津贴发放花名册",
            "青山县2025年第三季度80周岁以上老年人高龄津贴发放花名册",
        );
        assert_ne!(
            title_key("青山县农村最低生活保障对象花名册"),
            title_key("青山县城市最低生活保障对象花名册")
        );
        assert_eq!(title_key("2024年 月"), "月");
    }
}
