//! Building the form set: canonical fields from clusters, base tables per grain for the facts
//! two or more forms need, one topic sheet per original form for the rest, and burden figures.
//!
//! Every original form stays recoverable: its topic sheet exists even when all its fields live
//! in base tables (then it is a keys-only roster that records who is on it), and its key columns
//! join its rows to the base table of its grain.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::fields::GrainKind;
use crate::matching::{grain_of, Clustering, Lexicon};
use crate::plan::decisions::Marks;
use crate::plan::{
    Burden, BurdenRow, CanonicalField, FormSet, OverlapMatrix, SetColumn, SetSheet, SetSheetKind,
    SourceForm, REMARKS_ID,
};
use crate::text::canonical_unit;

/// The grains that get base tables, in sheet order.
const LEVELS: [GrainKind; 4] = [
    GrainKind::Village,
    GrainKind::Household,
    GrainKind::Person,
    GrainKind::Plot,
];

fn level_name(g: GrainKind) -> &'static str {
    match g {
        GrainKind::Person => "person",
        GrainKind::Household => "household",
        GrainKind::Village => "village",
        GrainKind::Plot => "plot",
        GrainKind::Unknown => "unknown",
    }
}

fn base_sheet_name(g: GrainKind) -> &'static str {
    match g {
        GrainKind::Village => "村基本情况",
        GrainKind::Household => "农户基本信息",
        GrainKind::Person => "人员基本信息",
        GrainKind::Plot => "地块信息",
        GrainKind::Unknown => "其他",
    }
}

/// Key columns of a base table: (canonical key, always present even if no form asks for it).
fn base_keys(g: GrainKind) -> &'static [(&'static str, bool)] {
    match g {
        GrainKind::Village => &[("loc.town", true), ("loc.village", true)],
        GrainKind::Household => &[
            ("loc.town", true),
            ("loc.village", true),
            ("loc.group", false),
            ("household.id", false),
            ("head@person.name", true),
            ("head@person.id_number", true),
        ],
        GrainKind::Person => &[
            ("loc.town", true),
            ("loc.village", true),
            ("loc.group", false),
            ("person.name", true),
            ("person.id_number", true),
        ],
        GrainKind::Plot => &[("loc.town", true), ("loc.village", true), ("plot.id", true)],
        GrainKind::Unknown => &[],
    }
}

/// The ways a row of a base table of `grain` (`person`, `household`, `village`, `plot`) is
/// identified, most specific first, by canonical id. A row is found by the first alternative
/// whose cells are all filled.
pub fn key_alternatives(grain: &str) -> &'static [&'static [&'static str]] {
    match grain {
        "person" => &[
            &["person.id_number"],
            &["head@person.id_number", "person.name"],
            &["household.id", "person.name"],
            &["loc.village", "person.name"],
        ],
        "household" => &[
            &["head@person.id_number"],
            &["household.id"],
            &["loc.village", "head@person.name"],
        ],
        "village" => &[&["loc.town", "loc.village"], &["loc.village"]],
        "plot" => &[&["loc.village", "plot.id"], &["plot.id"]],
        _ => &[],
    }
}

/// A field about the return rather than its row (填报人, 填报日期, 数据年份: `meta.*`): each
/// form's own, so it stays on the form's sheet even when many forms ask it. Two departments'
/// forms filled on different days do not disagree about a household.
fn about_the_return(c: &CanonicalField) -> bool {
    c.id.starts_with("meta.")
}

/// Identifiers that carry another in their first characters, `(carrier, carried)`: a
/// 残疾人证号 is its holder's 18-character ID number followed by two digits.
pub const EMBEDDED_KEYS: &[(&str, &str)] = &[("person.disability_cert_no", "person.id_number")];

/// The ID number a certificate number begins with, when it begins with one whose check digit
/// is right (`99999919430419637X12` → `99999919430419637X`).
pub fn embedded_id(cert: &str) -> Option<String> {
    let t = crate::text::fold_width(cert.trim()).to_uppercase();
    let id: String = t.chars().take(18).collect();
    (t.chars().count() > 18 && crate::text::id_check_ok(&id)).then_some(id)
}

/// The key a form's rows are joined by to the base table of its grain: the first of
/// [`key_alternatives`] the form has every field of, as the form's own canonical ids. An ID
/// number the form lacks counts as had when the form carries an identifier that embeds it
/// ([`EMBEDDED_KEYS`]); the key then names that identifier. Empty when the form has none.
pub fn join_key_of(grain: &str, own: &HashSet<&str>) -> Vec<String> {
    'alternatives: for alt in key_alternatives(grain) {
        let mut key = Vec::new();
        for id in alt.iter() {
            if own.contains(id) {
                key.push(id.to_string());
                continue;
            }
            match EMBEDDED_KEYS
                .iter()
                .find(|(carrier, carried)| carried == id && own.contains(carrier))
            {
                Some((carrier, _)) => key.push(carrier.to_string()),
                None => continue 'alternatives,
            }
        }
        return key;
    }
    Vec::new()
}

/// How a form's rows find their base row, in words, when it is not by the base table's own
/// key (`None` then, and for forms of a grain without a base table): said in the split report
/// so staff know a roster without ID numbers was joined by name + the head's ID, say.
pub fn join_note(set: &FormSet, source: usize, lang: crate::Lang) -> Option<String> {
    use crate::Lang;
    let s = set.sources.get(source)?;
    let grain = level_name(grain_of(&s.grain));
    let base = set
        .sheets
        .iter()
        .find(|b| b.kind == SetSheetKind::Base && b.grain == grain)?;
    let own_key = key_alternatives(grain).first()?;
    if s.join_key
        .iter()
        .map(String::as_str)
        .eq(own_key.iter().copied())
    {
        return None;
    }
    let name = |id: &str| {
        set.canonical
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_string(), |c| c.name.clone())
    };
    let quoted = |open: &str, close: &str, sep: &str| {
        s.join_key
            .iter()
            .map(|id| format!("{open}{}{close}", name(id)))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let embeds = s
        .join_key
        .iter()
        .any(|k| EMBEDDED_KEYS.iter().any(|(carrier, _)| carrier == k));
    Some(match (lang, s.join_key.is_empty(), embeds) {
        (Lang::Zh, true, _) => format!(
            "「{}」没有能与「{}」对应的关键列，其共用信息无法带入。",
            s.title, base.name
        ),
        (Lang::En, true, _) => format!(
            "\"{}\" has no column to match \"{}\" by; its shared facts cannot be carried in.",
            s.title, base.name
        ),
        (Lang::Zh, false, true) => format!(
            "「{}」没有身份证号，按{}（前18位即公民身份号码）与「{}」对应。",
            s.title,
            quoted("「", "」", "＋"),
            base.name
        ),
        (Lang::En, false, true) => format!(
            "\"{}\" has no ID numbers; matched to \"{}\" by {} (its first 18 characters are the ID number).",
            s.title,
            base.name,
            quoted("\"", "\"", " + ")
        ),
        (Lang::Zh, false, false) => format!(
            "「{}」没有「{}」，按{}与「{}」对应。",
            s.title,
            own_key.iter().map(|id| name(id)).collect::<Vec<_>>().join("、"),
            quoted("「", "」", "＋"),
            base.name
        ),
        (Lang::En, false, false) => format!(
            "\"{}\" has no \"{}\"; matched to \"{}\" by {}.",
            s.title,
            own_key.iter().map(|id| name(id)).collect::<Vec<_>>().join(", "),
            base.name,
            quoted("\"", "\"", " + ")
        ),
    })
}

/// Whether the canonical field `id` is one of the fields that tell which row (person,
/// household, village, plot) a form's row is about: part of some [`key_alternatives`].
pub fn identifies_rows(id: &str) -> bool {
    ["person", "household", "village", "plot"]
        .iter()
        .flat_map(|g| key_alternatives(g).iter())
        .any(|alt| alt.contains(&id))
}

/// The keys that join a topic sheet's rows to its base table.
fn join_keys(g: GrainKind) -> &'static [&'static str] {
    match g {
        GrainKind::Village => &["loc.town", "loc.village"],
        GrainKind::Household => &["head@person.name", "head@person.id_number"],
        GrainKind::Person => &["person.name", "person.id_number"],
        GrainKind::Plot => &["loc.village", "plot.id"],
        GrainKind::Unknown => &[],
    }
}

/// Builds the form set from sources, their (decided) clustering and the decisions' marks.
pub fn build(
    sources: &[SourceForm],
    clustering: &Clustering,
    marks: &Marks,
    lex: &Lexicon,
) -> FormSet {
    let mut sources = sources.to_vec();
    let (mut canonical, index_of_cluster) = canonical_fields(&sources, clustering, marks, lex);
    for (si, s) in sources.iter_mut().enumerate() {
        for (fi, f) in s.fields.iter_mut().enumerate() {
            f.canonical = clustering.assignment[si][fi]
                .and_then(|c| index_of_cluster[c])
                .map(|c| canonical[c].id.clone());
            f.level = level_name(clustering.levels[si][fi]).into();
        }
    }
    for s in sources.iter_mut() {
        let own: HashSet<&str> = s
            .fields
            .iter()
            .filter_map(|f| f.canonical.as_deref())
            .collect();
        s.join_key = join_key_of(level_name(grain_of(&s.grain)), &own);
    }
    let remarks = remarks_fields(&mut sources, &mut canonical);
    let id_index =
        |canonical: &[CanonicalField], id: &str| canonical.iter().position(|c| c.id == id);

    // Where each (canonical, level) is asked: the forms, by index.
    let mut asked: HashMap<(usize, GrainKind), Vec<usize>> = HashMap::new();
    for (si, s) in sources.iter().enumerate() {
        for fi in 0..s.fields.len() {
            let Some(c) = clustering.assignment[si][fi].and_then(|c| index_of_cluster[c]) else {
                continue;
            };
            if canonical[c].dropped {
                continue;
            }
            let level = clustering.levels[si][fi];
            let e = asked.entry((c, level)).or_default();
            if !e.contains(&si) {
                e.push(si);
            }
        }
    }

    let mut sheets: Vec<SetSheet> = Vec::new();
    // (canonical, level) → base sheet index
    let mut in_base: HashMap<(usize, GrainKind), usize> = HashMap::new();
    let mut base_of_level: HashMap<GrainKind, usize> = HashMap::new();
    for level in LEVELS {
        let forms_here: Vec<usize> = (0..sources.len())
            .filter(|&si| grain_of(&sources[si].grain) == level)
            .collect();
        let mut shared: Vec<(usize, Vec<usize>)> = asked
            .iter()
            .filter(|((c, l), forms)| {
                *l == level && forms.len() >= 2 && !about_the_return(&canonical[*c])
            })
            .map(|((c, _), forms)| (*c, forms.clone()))
            .collect();
        let key_ids: Vec<&str> = base_keys(level).iter().map(|(k, _)| *k).collect();
        let non_key = shared
            .iter()
            .filter(|(c, _)| !key_ids.contains(&canonical[*c].id.as_str()))
            .count();
        if non_key == 0 {
            continue;
        }
        // Most-asked first, then in order of first appearance.
        shared.sort_by_key(|(c, forms)| {
            (
                std::cmp::Reverse(forms.len()),
                canonical[*c].members.first().copied(),
                *c,
            )
        });
        let mut columns = Vec::new();
        let mut used: HashSet<usize> = HashSet::new();
        let mut replaces: Vec<usize> = Vec::new();
        for (key, always) in base_keys(level) {
            let present = id_index(&canonical, key)
                .filter(|c| asked.get(&(*c, level)).is_some_and(|f| !f.is_empty()));
            let c = match (present, *always) {
                (Some(c), _) => c,
                (None, true) => ensure_key(&mut canonical, key, level, lex),
                (None, false) => continue,
            };
            used.insert(c);
            columns.push(key_column(&canonical, c, "标识信息"));
        }
        // People rows that also carry household facts need the head's ID to find their household.
        if level == GrainKind::Person {
            let person_forms_with_household_facts = asked.iter().any(|((c, l), forms)| {
                *l == GrainKind::Household
                    && forms.len() >= 2
                    && forms
                        .iter()
                        .any(|&si| grain_of(&sources[si].grain) == GrainKind::Person)
                    && !canonical[*c].dropped
            });
            // A roster without ID numbers that names each person with the head's ID is joined
            // by both: the person table needs the head's ID too.
            let rosters_by_head = sources.iter().any(|s| {
                grain_of(&s.grain) == GrainKind::Person
                    && s.join_key.iter().any(|k| k == "head@person.id_number")
            });
            if person_forms_with_household_facts || rosters_by_head {
                let c = ensure_key(
                    &mut canonical,
                    "head@person.id_number",
                    GrainKind::Household,
                    lex,
                );
                used.insert(c);
                columns.push(key_column(&canonical, c, "标识信息"));
            }
            // A roster that names each person by name within a household number (no ID, no
            // head's ID): the person table keeps the number too, to find them by it.
            let rosters_by_household_number = sources.iter().any(|s| {
                grain_of(&s.grain) == GrainKind::Person
                    && s.join_key.iter().any(|k| k == "household.id")
            });
            if rosters_by_household_number {
                let c = ensure_key(&mut canonical, "household.id", GrainKind::Household, lex);
                if used.insert(c) {
                    let mut col = key_column(&canonical, c, "标识信息");
                    col.required = false;
                    columns.push(col);
                }
            }
        }
        for (c, forms) in &shared {
            for &si in forms {
                if !replaces.contains(&si) {
                    replaces.push(si);
                }
            }
            if !used.insert(*c) {
                continue;
            }
            columns.push(SetColumn {
                canonical: *c,
                group: Some(base_group(&canonical[*c]).into()),
                header: header_text(&canonical[*c]),
                key: false,
                required: canonical[*c].required,
            });
        }
        for &si in &forms_here {
            if !replaces.contains(&si) {
                replaces.push(si);
            }
        }
        replaces.sort_unstable();
        let sheet = sheets.len();
        for col in &columns {
            in_base.insert((col.canonical, level), sheet);
        }
        base_of_level.insert(level, sheet);
        sheets.push(SetSheet {
            name: base_sheet_name(level).into(),
            kind: SetSheetKind::Base,
            grain: level_name(level).into(),
            frequency: "年报（年初填报，变动时更新）".into(),
            departments: departments_of(&sources, &replaces),
            replaces,
            purpose: format!(
                "{}：两张及以上原表都要的信息，每{}一行，只填一次",
                base_sheet_name(level),
                level_word(level)
            ),
            columns,
        });
    }

    // Topic sheets: one per original form.
    let mut used_names: HashSet<String> = sheets.iter().map(|s| s.name.clone()).collect();
    let short_names = short_titles(&sources);
    for (si, s) in sources.iter().enumerate() {
        let grain = grain_of(&s.grain);
        let mut columns: Vec<SetColumn> = Vec::new();
        let mut used: HashSet<usize> = HashSet::new();
        let has_base = base_of_level.contains_key(&grain);
        if has_base {
            for key in join_keys(grain) {
                let c = ensure_key(&mut canonical, key, grain, lex);
                used.insert(c);
                columns.push(key_column(&canonical, c, "关联信息（与基础表对应）"));
            }
        }
        // Facts of another grain in a base table (a household's size on a person roster) are
        // found through this form's own key of that grain, which joins its sheet too; without
        // one they stay on this sheet.
        let own_ids: HashSet<&str> = s
            .fields
            .iter()
            .filter_map(|f| f.canonical.as_deref())
            .collect();
        let mut other_keys: Vec<&'static str> = Vec::new();
        for (fi, f) in s.fields.iter().enumerate() {
            let Some(c) = clustering.assignment[si][fi].and_then(|c| index_of_cluster[c]) else {
                continue;
            };
            if canonical[c].dropped {
                continue;
            }
            let level = clustering.levels[si][fi];
            if in_base.contains_key(&(c, level)) {
                if level == grain && has_base {
                    continue;
                }
                let alt = key_alternatives(level_name(level))
                    .iter()
                    .find(|alt| alt.iter().all(|id| own_ids.contains(id)));
                if let Some(alt) = alt {
                    for id in alt.iter() {
                        if !other_keys.contains(id) {
                            other_keys.push(id);
                        }
                    }
                    continue;
                }
            }
            if !used.insert(c) {
                continue;
            }
            let group = if f.header_path.len() > 1 {
                Some(crate::matching::lexicon::display_name(&f.header_path[0]))
            } else {
                None
            };
            columns.push(SetColumn {
                canonical: c,
                group,
                header: header_text(&canonical[c]),
                key: false,
                required: f.required,
            });
        }
        // The form's own join key, when it is not the base table's (a roster that names
        // people by the head's ID or by village): its columns are keys of this sheet.
        if has_base {
            for id in &s.join_key {
                if !other_keys.contains(&id.as_str()) && !join_keys(grain).contains(&id.as_str()) {
                    if let Some(id) = key_alternatives(level_name(grain))
                        .iter()
                        .flat_map(|a| a.iter())
                        .find(|k| **k == id.as_str())
                    {
                        other_keys.push(id);
                    }
                }
            }
        }
        let mut at = columns.iter().take_while(|c| c.key).count();
        for id in other_keys {
            let Some(c) = id_index(&canonical, id) else {
                continue;
            };
            match columns.iter().position(|col| col.canonical == c) {
                // Already a key of this sheet.
                Some(pos) if columns[pos].key => continue,
                // Already a column of this sheet: it becomes a key.
                Some(pos) => {
                    let mut col = columns.remove(pos);
                    col.key = true;
                    col.required = true;
                    col.group = Some("关联信息（与基础表对应）".into());
                    columns.insert(at.min(columns.len()), col);
                }
                None => {
                    used.insert(c);
                    let col = key_column(&canonical, c, "关联信息（与基础表对应）");
                    columns.insert(at.min(columns.len()), col);
                }
            }
            at += 1;
        }
        // A card or indicator report of a village is one record, from the place on its
        // reporter line: that place is its key, whether or not the form has a 村 item.
        if !has_base && grain == GrainKind::Village && s.shape != "roster" {
            for key in join_keys(grain).iter().rev() {
                let c = ensure_key(&mut canonical, key, grain, lex);
                if used.insert(c) {
                    columns.insert(0, key_column(&canonical, c, "标识信息"));
                }
            }
        }
        if !has_base {
            // No base table for this grain: the form's own place and identity columns are the
            // keys, first and marked.
            let ids: Vec<&str> = base_keys(grain).iter().map(|(k, _)| *k).collect();
            for col in columns.iter_mut() {
                if ids.contains(&canonical[col.canonical].id.as_str()) {
                    col.key = true;
                    col.required = true;
                    col.group = Some("标识信息".into());
                }
            }
            columns.sort_by_key(|c| !c.key);
        }
        let name = unique_name(
            &format!("{}-{}", s.department, short_names[si]),
            &mut used_names,
        );
        let purpose = if columns.iter().all(|c| c.key) {
            format!("{}：名单（只记录哪些对象在册，其余信息见基础表）", s.title)
        } else {
            format!("{}：本表特有的信息", s.title)
        };
        // The form's own remarks, last, as on most forms.
        for &c in &remarks[si] {
            columns.push(SetColumn {
                canonical: c,
                group: None,
                header: header_text(&canonical[c]),
                key: false,
                required: canonical[c].required,
            });
        }
        sheets.push(SetSheet {
            name,
            kind: SetSheetKind::Topic,
            grain: level_name(grain).into(),
            frequency: s.frequency.clone(),
            departments: vec![s.department.clone()],
            replaces: vec![si],
            purpose,
            columns,
        });
    }

    distinct_headers(&mut sheets, &canonical);
    let burden = burden(&sources, &canonical, &sheets);
    FormSet {
        title: set_title(&sources),
        sources,
        canonical,
        sheets,
        burden,
    }
}

fn level_word(g: GrainKind) -> &'static str {
    match g {
        GrainKind::Person => "人",
        GrainKind::Household => "户",
        GrainKind::Village => "村",
        GrainKind::Plot => "地块",
        GrainKind::Unknown => "行",
    }
}

fn base_group(c: &CanonicalField) -> &'static str {
    if c.id.starts_with("payment.") {
        "银行账户"
    } else if c.id.starts_with("spouse@") {
        "配偶信息"
    } else if c.id.starts_with("contact@") {
        "联系人信息"
    } else if c.id.contains("phone") || c.id.contains("address") {
        "联系方式"
    } else {
        "基本情况"
    }
}

/// A key column (always required) of canonical field `c` under `group`.
fn key_column(canonical: &[CanonicalField], c: usize, group: &str) -> SetColumn {
    SetColumn {
        canonical: c,
        group: Some(group.into()),
        header: header_text(&canonical[c]),
        key: true,
        required: true,
    }
}

/// The leaf header: name and unit, `承包地面积（亩）`.
pub fn header_text(c: &CanonicalField) -> String {
    header_named(c, &c.name)
}

/// The leaf header of `c` under another name, with its unit.
fn header_named(c: &CanonicalField, name: &str) -> String {
    match &c.unit {
        Some(u) if !name.contains(u.as_str()) => format!("{name}（{u}）"),
        _ => name.to_string(),
    }
}

/// The word for whose fact a field is, from its id (`spouse@person.phone`,
/// `n:联系电话@contact#2` → 配偶, 联系人); none for the row's own.
fn subject_word(id: &str) -> Option<&'static str> {
    use crate::matching::Subject;
    let (before, after) = id.split_once('@')?;
    let after = after.split('#').next().unwrap_or(after);
    Subject::OTHERS
        .into_iter()
        .find(|s| s.tag() == before || s.tag() == after)
        .map(|s| s.label())
}

/// Columns of `sheet` whose header, as a filled copy is read back, is another column's too:
/// every column of each such group, by index.
fn clashing(sheet: &SetSheet) -> Vec<Vec<usize>> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, col) in sheet.columns.iter().enumerate() {
        groups
            .entry(crate::text::header_key(&col.header))
            .or_default()
            .push(k);
    }
    groups.into_values().filter(|g| g.len() > 1).collect()
}

/// Makes every header of every sheet its own: split finds a filled copy's columns by their
/// headers, and a clerk tells them apart by them. When two fields share a display name on one
/// sheet, the one about someone else (户主, 配偶, 联系人 …) says whose it is; then one asked
/// only by departments the others' are not says which (`联系电话（残联）`); what is still alike
/// is numbered (`联系电话2`). The first column keeps the plain name.
fn distinct_headers(sheets: &mut [SetSheet], canonical: &[CanonicalField]) {
    for sheet in sheets.iter_mut() {
        // Whose fact it is.
        for group in clashing(sheet) {
            for k in group {
                let Some(c) = canonical.get(sheet.columns[k].canonical) else {
                    continue;
                };
                if let Some(word) = subject_word(&c.id).filter(|w| !c.name.contains(w)) {
                    sheet.columns[k].header = header_named(c, &format!("{word}{}", c.name));
                }
            }
        }
        // Which departments ask for it, when none of the others' do.
        for group in clashing(sheet) {
            let depts = |k: usize| {
                canonical
                    .get(sheet.columns[k].canonical)
                    .map_or(&[][..], |c| c.departments.as_slice())
            };
            let mut renamed = Vec::new();
            for (i, &k) in group.iter().enumerate().skip(1) {
                let others: HashSet<&String> = group
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .flat_map(|(_, &o)| depts(o))
                    .collect();
                let own = depts(k);
                if !own.is_empty() && own.iter().all(|d| !others.contains(d)) {
                    renamed.push((k, own.join("、")));
                }
            }
            for (k, which) in renamed {
                if let Some(c) = canonical.get(sheet.columns[k].canonical) {
                    sheet.columns[k].header = header_named(c, &format!("{}（{which}）", c.name));
                }
            }
        }
        // Numbered, the first left as it is.
        let mut taken: HashSet<String> = sheet
            .columns
            .iter()
            .map(|c| crate::text::header_key(&c.header))
            .collect();
        for group in clashing(sheet) {
            for &k in &group[1..] {
                let Some(c) = canonical.get(sheet.columns[k].canonical) else {
                    continue;
                };
                let base = sheet.columns[k].header.clone();
                let stem = base
                    .strip_suffix(
                        &c.unit
                            .as_ref()
                            .map_or(String::new(), |u| format!("（{u}）")),
                    )
                    .filter(|s| !s.is_empty())
                    .unwrap_or(&base)
                    .to_string();
                let header = (2..)
                    .map(|n| {
                        let name = if stem.ends_with(|ch: char| ch.is_ascii_digit()) {
                            format!("{stem}（{n}）")
                        } else {
                            format!("{stem}{n}")
                        };
                        header_named(c, &name)
                    })
                    .find(|h| !taken.contains(&crate::text::header_key(h)))
                    .unwrap_or(base);
                taken.insert(crate::text::header_key(&header));
                sheet.columns[k].header = header;
            }
        }
    }
}

/// Index of the canonical field with this id, adding a key column nobody asked for (e.g. the
/// head's ID on a household base table built from forms that only had the head's name).
fn ensure_key(
    canonical: &mut Vec<CanonicalField>,
    id: &str,
    level: GrainKind,
    lex: &Lexicon,
) -> usize {
    if let Some(i) = canonical.iter().position(|c| c.id == id) {
        return i;
    }
    let (subject, concept_id) = match id.split_once('@') {
        Some((s, c)) => (Some(s), c),
        None => (None, id),
    };
    let concept = lex.concepts.iter().find(|c| c.id == concept_id);
    let base = concept
        .map(|c| c.name.clone())
        .unwrap_or_else(|| id.to_string());
    let name = match subject {
        Some("head") => format!("户主{base}"),
        _ => base,
    };
    let members = concept
        .and_then(|c| c.ty.clone())
        .unwrap_or_else(|| "text".into());
    let (ty, length) = super::identifier::decide(concept, &name, None, members, lex);
    canonical.push(CanonicalField {
        id: id.to_string(),
        name,
        unit: None,
        ty,
        length,
        enum_values: Vec::new(),
        enum_conflict: false,
        required: true,
        grain: level_name(level).into(),
        departments: Vec::new(),
        members: Vec::new(),
        confidence: 1.0,
        reasons: vec![crate::reasons::key_column()],
        dropped: false,
    });
    canonical.len() - 1
}

/// A field of its own for each 备注 column of each form (no cluster holds them: remarks are
/// the form's own), with the source field pointing at it; returns each form's, by index.
fn remarks_fields(
    sources: &mut [SourceForm],
    canonical: &mut Vec<CanonicalField>,
) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); sources.len()];
    for (si, s) in sources.iter_mut().enumerate() {
        let grain = level_name(grain_of(&s.grain));
        for (fi, f) in s.fields.iter_mut().enumerate() {
            if f.canonical.is_some() || !crate::fields::is_remarks(&f.name) {
                continue;
            }
            let id = format!("{REMARKS_ID}{si}.{fi}");
            f.canonical = Some(id.clone());
            out[si].push(canonical.len());
            canonical.push(CanonicalField {
                id,
                name: f.name.clone(),
                unit: None,
                ty: "text".into(),
                length: None,
                enum_values: Vec::new(),
                enum_conflict: false,
                required: f.required,
                grain: grain.into(),
                departments: vec![s.department.clone()],
                members: Vec::new(),
                confidence: 1.0,
                reasons: vec![crate::reasons::remarks()],
                dropped: false,
            });
        }
    }
    out
}

/// One canonical field per non-empty cluster; returns them and cluster → canonical index.
fn canonical_fields(
    sources: &[SourceForm],
    clustering: &Clustering,
    marks: &Marks,
    lex: &Lexicon,
) -> (Vec<CanonicalField>, Vec<Option<usize>>) {
    let mut out = Vec::new();
    let mut index = vec![None; clustering.clusters.len()];
    for (ci, cl) in clustering.clusters.iter().enumerate() {
        if cl.members.is_empty() {
            continue;
        }
        let fields: Vec<&crate::plan::SourceField> = cl
            .members
            .iter()
            .map(|m| &sources[m[0]].fields[m[1]])
            .collect();
        // Unit: the most common among members, in canonical spelling.
        let mut units: BTreeMap<String, usize> = BTreeMap::new();
        for f in &fields {
            if let Some(u) = &f.unit {
                *units.entry(canonical_unit(u)).or_default() += 1;
            }
        }
        let unit = units.into_iter().max_by_key(|(_, n)| *n).map(|(u, _)| u);
        let concept = cl
            .key
            .rsplit('@')
            .next()
            .and_then(|id| lex.concepts.iter().find(|c| c.id == id));
        let name = marks
            .names
            .get(ci)
            .cloned()
            .flatten()
            .unwrap_or_else(|| cl.name.clone());
        let (ty, length) =
            super::identifier::decide(concept, &name, unit.as_deref(), majority_type(&fields), lex);
        let mut enum_values: Vec<String> = Vec::new();
        let mut lists: Vec<&Vec<String>> = Vec::new();
        for f in &fields {
            // Equal lists never disagree: each distinct list once (a cluster of 200 forms'
            // 性别 columns holds one or two).
            if !f.enum_values.is_empty() && !lists.contains(&&f.enum_values) {
                lists.push(&f.enum_values);
            }
            for v in &f.enum_values {
                if !enum_values.contains(v) {
                    enum_values.push(v.clone());
                }
            }
        }
        let enum_conflict = lists.iter().enumerate().any(|(i, a)| {
            lists[i + 1..]
                .iter()
                .any(|b| !a.iter().all(|v| b.contains(v)) && !b.iter().all(|v| a.contains(v)))
        });
        let mut departments: Vec<String> = Vec::new();
        for m in &cl.members {
            let d = &sources[m[0]].department;
            if !departments.contains(d) {
                departments.push(d.clone());
            }
        }
        let mut reasons = cl.reasons.clone();
        // The confidence is the matcher's calibrated one: the measured share of such merges
        // that are right (options that disagree were weighed there).
        let confidence = cl.confidence;
        if enum_conflict && confidence < 1.0 {
            reasons.push(crate::reasons::options_union());
        }
        index[ci] = Some(out.len());
        out.push(CanonicalField {
            id: cl.key.clone(),
            name,
            unit,
            ty,
            length,
            enum_values,
            enum_conflict,
            required: fields.iter().any(|f| f.required),
            grain: level_name(cl.level).into(),
            departments,
            members: cl.members.clone(),
            confidence,
            reasons,
            dropped: marks.dropped.get(ci).copied().unwrap_or(false),
        });
    }
    (out, index)
}

fn majority_type(fields: &[&crate::plan::SourceField]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in fields {
        *counts.entry(f.ty.as_str()).or_default() += 1;
    }
    // Strong evidence wins: one column of real ID numbers says the cluster holds ID numbers.
    for strong in ["id_number", "phone", "date"] {
        if counts.contains_key(strong) {
            return strong.into();
        }
    }
    if counts.contains_key("decimal") && counts.contains_key("integer") {
        return "decimal".into();
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(t, _)| t.to_string())
        .unwrap_or_else(|| "text".into())
}

fn departments_of(sources: &[SourceForm], forms: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for &si in forms {
        if !out.contains(&sources[si].department) {
            out.push(sources[si].department.clone());
        }
    }
    out
}

/// Titles shortened for sheet names: no shared county prefix, no years, no 表/花名册 ending
/// beyond what is needed to tell them apart.
fn short_titles(sources: &[SourceForm]) -> Vec<String> {
    let county = county_prefix(sources);
    sources
        .iter()
        .map(|s| {
            let mut t: String = crate::text::normalize_name(&s.title);
            if let Some(c) = &county {
                if let Some(x) = t.strip_prefix(c.as_str()) {
                    t = x.to_string();
                }
            }
            t = strip_years(&t);
            for junk in ["()", "（）"] {
                t = t.replace(junk, "");
            }
            let t = t.trim_matches(|c: char| c == '-' || c == '—' || c.is_whitespace());
            if t.is_empty() {
                s.sheet.clone()
            } else {
                t.to_string()
            }
        })
        .collect()
}

/// `青山县` when every title starts with the same place name ending in 县/市/区/旗.
fn county_prefix(sources: &[SourceForm]) -> Option<String> {
    let first = &sources.first()?.title;
    let end = first
        .char_indices()
        .take(8)
        .find(|(_, c)| matches!(c, '县' | '市' | '区' | '旗'))
        .map(|(i, c)| i + c.len_utf8())?;
    let prefix = &first[..end];
    let n = sources
        .iter()
        .filter(|s| s.title.starts_with(prefix))
        .count();
    (n * 2 > sources.len()).then(|| prefix.to_string())
}

/// Removes `2024年`, `2024—2025年度`, `2024年度`, `（2024年）`, `2024年第三季度` → `第三季度`.
fn strip_years(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit() || matches!(chars[j], '—' | '-' | '–' | '~'))
            {
                j += 1;
            }
            let digits = chars[i..j].iter().filter(|c| c.is_ascii_digit()).count();
            if digits >= 4 && j < chars.len() && chars[j] == '年' {
                j += 1;
                if j < chars.len() && chars[j] == '度' {
                    j += 1;
                }
                i = j;
                continue;
            }
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out.replace("(　月)", "").replace("(月)", "")
}

/// Excel sheet names: ≤ 31 characters, none of `[]:*?/\`, unique.
fn unique_name(raw: &str, used: &mut HashSet<String>) -> String {
    let clean: String = raw
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let base: String = clean.chars().take(31).collect();
    let mut name = base.clone();
    let mut n = 1;
    while used.contains(&name) {
        n += 1;
        let suffix = format!("({n})");
        name = base
            .chars()
            .take(31 - suffix.chars().count())
            .collect::<String>()
            + &suffix;
    }
    used.insert(name.clone());
    name
}

/// `青山县2025年村级综合报表` from the sources' county and latest year.
fn set_title(sources: &[SourceForm]) -> String {
    let county = county_prefix(sources).unwrap_or_default();
    let year = sources
        .iter()
        .flat_map(|s| years_in(&s.title))
        .max()
        .map(|y| format!("{y}年度"))
        .unwrap_or_default();
    format!("{county}{year}村级基础数据综合报表（一表通）")
}

fn years_in(t: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let cs: Vec<char> = t.chars().collect();
    for i in 0..cs.len().saturating_sub(3) {
        if cs[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && (i == 0 || !cs[i - 1].is_ascii_digit())
            && cs.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            let y: u32 = cs[i..i + 4].iter().collect::<String>().parse().unwrap_or(0);
            if (2000..2100).contains(&y) {
                out.push(y);
            }
        }
    }
    out
}

/// A sheet's columns as the burden counts them: remarks aside, as they were before (a form's
/// 备注 is not one of its data fields).
fn counted(canonical: &[CanonicalField], sheet: &SetSheet) -> u32 {
    sheet
        .columns
        .iter()
        .filter(|c| !canonical.get(c.canonical).is_some_and(|c| c.is_remarks()))
        .count() as u32
}

fn burden(sources: &[SourceForm], canonical: &[CanonicalField], sheets: &[SetSheet]) -> Burden {
    let data_fields = |s: &SourceForm| s.fields.iter().filter(|f| f.role == "data").count() as u32;
    let mut by_grain = Vec::new();
    for level in LEVELS.iter().chain(std::iter::once(&GrainKind::Unknown)) {
        let forms: Vec<&SourceForm> = sources
            .iter()
            .filter(|s| grain_of(&s.grain) == *level)
            .collect();
        let sheets_here: Vec<&SetSheet> = sheets
            .iter()
            .filter(|s| s.grain == level_name(*level))
            .collect();
        if forms.is_empty() && sheets_here.is_empty() {
            continue;
        }
        by_grain.push(BurdenRow {
            label: level_name(*level).into(),
            forms_before: forms.len() as u32,
            fields_before: forms.iter().map(|s| data_fields(s)).sum(),
            header_cells_before: forms.iter().map(|s| s.header_cells).sum(),
            sheets_after: sheets_here.len() as u32,
            fields_after: sheets_here.iter().map(|s| counted(canonical, s)).sum(),
        });
    }
    let mut departments: Vec<String> = Vec::new();
    for s in sources {
        if !departments.contains(&s.department) {
            departments.push(s.department.clone());
        }
    }
    let by_department = departments
        .iter()
        .map(|d| {
            let forms: Vec<&SourceForm> = sources.iter().filter(|s| &s.department == d).collect();
            let ids: HashSet<&str> = forms
                .iter()
                .flat_map(|s| s.fields.iter().filter_map(|f| f.canonical.as_deref()))
                .filter(|id| {
                    canonical
                        .iter()
                        .any(|c| c.id == *id && !c.dropped && !c.is_remarks())
                })
                .collect();
            BurdenRow {
                label: d.clone(),
                forms_before: forms.len() as u32,
                fields_before: forms.iter().map(|s| data_fields(s)).sum(),
                header_cells_before: forms.iter().map(|s| s.header_cells).sum(),
                sheets_after: sheets.iter().filter(|s| s.departments.contains(d)).count() as u32,
                fields_after: ids.len() as u32,
            }
        })
        .collect();
    let total = BurdenRow {
        label: "合计".into(),
        forms_before: sources.len() as u32,
        fields_before: sources.iter().map(data_fields).sum(),
        header_cells_before: sources.iter().map(|s| s.header_cells).sum(),
        sheets_after: sheets.len() as u32,
        fields_after: sheets.iter().map(|s| counted(canonical, s)).sum(),
    };
    let n = departments.len();
    let mut counts = vec![vec![0u32; n]; n];
    for c in canonical
        .iter()
        .filter(|c| !c.dropped && !c.members.is_empty())
    {
        let idx: Vec<usize> = c
            .departments
            .iter()
            .filter_map(|d| departments.iter().position(|x| x == d))
            .collect();
        for &i in &idx {
            for &j in &idx {
                counts[i][j] += 1;
            }
        }
    }
    Burden {
        by_grain,
        by_department,
        total,
        overlap: OverlapMatrix {
            departments,
            counts,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_embedded(cert: &str, want: Option<&str>) {
        assert_eq!(embedded_id(cert).as_deref(), want, "{cert}");
    }

    #[test]
    fn a_certificate_number_gives_the_id_number_it_begins_with() {
        check_embedded("99999919520112687564", Some("999999195201126875"));
        check_embedded("99999919430419637x12", Some("99999919430419637X"));
        check_embedded(
            "９９９９９９１９５２０１１２６８７５６４",
            Some("999999195201126875"),
        );
        // Wrong check digit, too short, the ID number itself: none.
        check_embedded("99999919520112687464", None);
        check_embedded("9999991952011268", None);
        check_embedded("999999195201126875", None);
        check_embedded("", None);
    }

    #[track_caller]
    fn check_join(grain: &str, own: &[&str], want: &[&str]) {
        let own: HashSet<&str> = own.iter().copied().collect();
        assert_eq!(join_key_of(grain, &own), want, "{grain} {own:?}");
    }

    #[test]
    fn a_form_is_joined_by_the_best_key_it_has() {
        let (id, name, head, village) = (
            "person.id_number",
            "person.name",
            "head@person.id_number",
            "loc.village",
        );
        let cert = "person.disability_cert_no";
        check_join("person", &[name, id, village], &[id]);
        check_join("person", &[name, cert, village], &[cert]);
        check_join("person", &[name, head, village], &[head, name]);
        check_join("person", &[name, village], &[village, name]);
        check_join("person", &[name], &[]);
        check_join("household", &["household.id", head], &[head]);
        check_join("household", &["household.id"], &["household.id"]);
        check_join(
            "household",
            &[village, "head@person.name"],
            &[village, "head@person.name"],
        );
        check_join("village", &["loc.village"], &["loc.village"]);
        check_join("unknown", &[id], &[]);
    }

    #[test]
    fn titles_lose_years_and_county() {
        assert_eq!(
            strip_years("2024年第三季度80周岁以上老年人"),
            "第三季度80周岁以上老年人"
        );
        assert_eq!(strip_years("2024—2025年度冬春生活救助"), "冬春生活救助");
        assert_eq!(years_in("青山县2024—2025年度冬春"), vec![2024, 2025]);
        let mut used = HashSet::new();
        assert_eq!(unique_name("a/b", &mut used), "a_b");
        assert_eq!(unique_name("a/b", &mut used), "a_b(2)");
        let long = "一".repeat(40);
        assert_eq!(unique_name(&long, &mut used).chars().count(), 31);
        assert_eq!(unique_name(&long, &mut used).chars().count(), 31);
    }
}
