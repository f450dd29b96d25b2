//! Matching: all fields of all forms → clusters of fields that mean the same thing, each with
//! a confidence and reasons, plus the near misses that were kept apart.
//!
//! Signals: the lexicon (variants of one data element), whose fact a column is (户主/配偶/联系人
//! prefixes and header groups, and the form's grain), units, types, value lists, and character
//! bigram similarity normalised by length. Two columns of one form never join one cluster.
//!
//! Cost stays near-linear: lexicon hits are grouped by key (a hash map), other names meet only
//! through a bigram index whose very common bigrams are left out of candidate generation.

pub mod additions;
pub mod calibration;
pub mod lexicon;
mod toml_subset;

use std::collections::{HashMap, HashSet};

use crate::fields::GrainKind;
use crate::plan::SourceForm;
use crate::reasons;
pub use calibration::Calibration;
pub use lexicon::{match_key, ConceptKind, Lexicon, LexiconError, LexiconSyntax, Subject};

/// A group of source fields judged to mean the same thing.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Stable id: the lexicon concept (`person.id_number`, `head@person.name`) or `n:` + name.
    pub key: String,
    /// The name for the form set.
    pub name: String,
    /// Whose fact it is: person, household, village, plot (unknown when the forms do not say).
    pub level: GrainKind,
    /// Members as `[source form, field]`.
    pub members: Vec<[usize; 2]>,
    /// 0–1.
    pub confidence: f32,
    /// Why, in Chinese.
    pub reasons: Vec<String>,
}

/// Two fields (or clusters) that look alike but were kept apart, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct NearMiss {
    /// One side, as `[source form, field]`.
    pub a: [usize; 2],
    /// The other side.
    pub b: [usize; 2],
    /// Name similarity, 0–1.
    pub similarity: f32,
    /// Why they were kept apart, in Chinese.
    pub reason: String,
}

/// The matcher's result.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clustering {
    /// Clusters, in order of their first member.
    pub clusters: Vec<Cluster>,
    /// Risky separations, most similar first.
    pub near_misses: Vec<NearMiss>,
    /// For each form, for each field: its cluster (None for structural columns).
    pub assignment: Vec<Vec<Option<usize>>>,
    /// For each form, for each field: whose fact it is in that form (a bank account on a
    /// household roster is the household's, on a person roster the person's).
    pub levels: Vec<Vec<GrainKind>>,
}

/// What the matcher knows about one data field.
#[derive(Clone, Debug)]
pub(crate) struct Feat {
    pub at: [usize; 2],
    pub dept: String,
    /// The leaf name's match key.
    pub leaf: String,
    /// The name compared by similarity (leaf, or group + leaf for generic leaves).
    pub name: String,
    pub concept: Option<usize>,
    /// How the lexicon matched: exact variant, or a variant at the end.
    pub exact: bool,
    pub subject: Subject,
    pub key: String,
    pub level: GrainKind,
    pub unit: Option<String>,
    pub ty: String,
    pub enums: Vec<String>,
    /// The leaf as written, for reasons.
    pub shown: String,
    /// The programme the form's title names (`城乡居民养老保险参保`), empty if none.
    pub program: String,
    /// The form's title as written, for reasons.
    pub title: String,
    /// Whether the leaf is one of the lexicon's generic leaves (合计, 其他, 人数).
    pub generic: bool,
    /// The topic group put in front of a generic leaf (`资金到户` of 资金到户/合计), else empty.
    pub group: String,
    /// The topic of the header groups above the leaf (`户籍基础信息` → `户籍基础`), empty if none.
    pub topic: String,
    /// The grain of the field's form.
    pub form_grain: GrainKind,
    /// The shape its form was read in (`roster`, `card`, `indicator`, `questionnaire`).
    pub shape: String,
    /// Whether the values name something (an ID, phone or account number, a code).
    pub identifier: bool,
    /// Its bigrams.
    pub program_grams: Vec<(char, char)>,
    /// Whether `name` is a programme's own field ([`Lexicon::is_program_specific`]).
    pub program_specific: bool,
    /// `name`, `leaf` and `key` as numbers, equal where the texts are: pairs are weighed by the
    /// ten thousand, and comparing numbers beats comparing texts.
    pub name_id: u32,
    pub leaf_id: u32,
    pub key_id: u32,
}

/// Edges at or above this similarity join fields the lexicon does not know.
const JOIN_SIMILARITY: f32 = 0.8;
/// Pairs at or above this similarity that stay apart are reported.
const NEAR_SIMILARITY: f32 = 0.5;
/// How much a merge across forms of different shapes takes from its raw score.
const SHAPES_APART: f32 = 0.1;
/// How much a look-alike kept apart takes from a merge's raw score, at similarity 1.
const NEAR_WEIGHT: f32 = 0.15;
/// Bigrams shared by more fields than this do not generate candidates (they are too common
/// to say anything: 金额, 时间); pairs still meet through their rarer bigrams or equal names.
const MAX_POSTING: usize = 200;

pub(crate) fn grain_of(s: &str) -> GrainKind {
    match s {
        "per_person" | "person" => GrainKind::Person,
        "per_household" | "household" => GrainKind::Household,
        "per_village" | "village" => GrainKind::Village,
        "per_plot" | "plot" => GrainKind::Plot,
        _ => GrainKind::Unknown,
    }
}

/// Header path with a CSV-style `组-叶` leaf split into group and leaf.
fn split_path(path: &[String]) -> (Vec<String>, String) {
    let mut groups: Vec<String> = path
        .iter()
        .take(path.len().saturating_sub(1))
        .cloned()
        .collect();
    let leaf = path.last().cloned().unwrap_or_default();
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for sep in ['-', '－', '—'] {
        if let Some((g, l)) = leaf.split_once(sep) {
            if cjk(g) && cjk(l) && !g.ends_with('(') && !g.ends_with('（') {
                groups.push(g.to_string());
                return (groups, l.to_string());
            }
        }
    }
    (groups, leaf)
}

pub(crate) fn features(sources: &[SourceForm], lex: &Lexicon) -> Vec<Feat> {
    let mut out: Vec<Feat> = Vec::new();
    // A batch repeats its headers form after form: what the lexicon says of a header is worked
    // out once per header path, grain and whether the column counts.
    let mut seen: HashMap<(&[String], GrainKind, bool, bool), Feat> = HashMap::new();
    for (fi, form) in sources.iter().enumerate() {
        let grain = grain_of(&form.grain);
        // On a household roster a bare 姓名 or 身份证号 is the head's, unless the roster lists
        // the household's people: a column of their relation to the head (与户主关系) says
        // each row is a member (a bank's customers by household).
        let rows_are_heads = grain != GrainKind::Household
            || !form.fields.iter().any(|f| {
                f.role == "data"
                    && lex
                        .lookup(&match_key(f.header_path.last().map_or("", |s| s)), grain)
                        .is_some_and(|h| lex.concepts[h.concept].id == "person.relation_to_head")
            });
        let start = out.len();
        let program = lex.program_of(&form.title);
        let program_grams = bigrams(&program);
        for (ci, f) in form.fields.iter().enumerate() {
            if f.role != "data" {
                continue;
            }
            let mut feat = seen
                .entry((f.header_path.as_slice(), grain, counts(f), rows_are_heads))
                .or_insert_with(|| feature(lex, grain, rows_are_heads, f))
                .clone();
            if feat.concept.is_none() && grain == GrainKind::Person {
                own_qualified(lex, &form.title, &mut feat);
            }
            feat.at = [fi, ci];
            feat.dept.clone_from(&form.department);
            feat.unit = f.unit.as_deref().map(lexicon::unit_key);
            feat.ty.clone_from(&f.ty);
            feat.enums.clone_from(&f.enum_values);
            feat.program.clone_from(&program);
            feat.title.clone_from(&form.title);
            feat.shape.clone_from(&form.shape);
            feat.identifier |= matches!(f.ty.as_str(), "id_number" | "phone");
            feat.program_grams.clone_from(&program_grams);
            out.push(feat);
        }
        // 联系人 then 联系电话: the phone is the contact's (the row's own phone is elsewhere).
        for i in start + 1..out.len() {
            let (before, after) = out.split_at_mut(i);
            let prev = &before[i - 1];
            let cur = &mut after[0];
            let is_phone = cur
                .concept
                .is_some_and(|c| lex.concepts[c].id == "person.phone");
            let prev_name = prev
                .concept
                .is_some_and(|c| lex.concepts[c].id == "person.name");
            if is_phone
                && prev_name
                && prev.subject == Subject::Contact
                && cur.subject == Subject::Own
                && prev.at[1] + 1 == cur.at[1]
            {
                cur.subject = Subject::Contact;
                cur.level = GrainKind::Person;
                cur.key = "contact@person.phone".into();
            }
        }
        let feats = &mut out[start..];
        document_numbers(lex, feats);
        // A card about more than one person (申请人 …, 亡故人 …) is read in blocks. (A table on
        // a card's sheet — 家庭成员 rows — is a roster of its own: each row a person whose 姓名
        // and 身份证号码 are the row's own, joining the person base table like any roster's.)
        if form.shape == "card" {
            card_blocks(lex, feats);
        }
        // A table whose rows are not people (no name, no ID number: a recruitment's posts)
        // asks for a sex, an age or a schooling as what the row requires, not as anyone's own.
        let names_people = feats.iter().any(|f| {
            f.concept.is_some_and(|c| {
                matches!(
                    lex.concepts[c].id.as_str(),
                    "person.name" | "person.id_number" | "person.id_document_number"
                )
            })
        });
        if grain == GrainKind::Unknown && !names_people {
            for f in feats.iter_mut().filter(|f| {
                f.subject == Subject::Own
                    && f.concept
                        .is_some_and(|c| lex.concepts[c].kind == ConceptKind::Person)
            }) {
                f.concept = None;
                f.exact = false;
                f.key = format!("n:{}", f.name);
            }
        }
        // The applicant of a form about nobody else is the form's own person.
        let someone_else = feats.iter().any(|f| {
            f.subject == Subject::Own
                && f.concept
                    .is_some_and(|c| lex.concepts[c].id == "person.name")
        });
        if !someone_else && grain == GrainKind::Person {
            for f in feats.iter_mut().filter(|f| f.subject == Subject::Applicant) {
                set_subject(lex, f, Subject::Own);
            }
        }
    }
    fn id<'a>(ids: &mut HashMap<&'a str, u32>, t: &'a str) -> u32 {
        let next = ids.len() as u32;
        *ids.entry(t).or_insert(next)
    }
    let mut ids = HashMap::new();
    let numbered: Vec<[u32; 3]> = out
        .iter()
        .map(|f| {
            [
                id(&mut ids, &f.name),
                id(&mut ids, &f.leaf),
                id(&mut ids, &f.key),
            ]
        })
        .collect();
    for (f, [name, leaf, key]) in out.iter_mut().zip(numbered) {
        (f.name_id, f.leaf_id, f.key_id) = (name, leaf, key);
        f.program_specific = lex.is_program_specific(&f.name);
    }
    out
}

/// On a form that asks which kind of document a person shows (证件种类), its 证件号码 is that
/// document's number, not necessarily the ID number.
fn document_numbers(lex: &Lexicon, feats: &mut [Feat]) {
    let id_of = |f: &Feat| f.concept.map(|c| lex.concepts[c].id.as_str());
    if !feats
        .iter()
        .any(|f| id_of(f) == Some("person.id_document_type"))
    {
        return;
    }
    let Some(doc) = lex
        .concepts
        .iter()
        .position(|c| c.id == "person.id_document_number")
    else {
        return;
    };
    for f in feats.iter_mut() {
        if id_of(f) == Some("person.id_number")
            && f.leaf.contains("证件")
            && !f.leaf.contains("身份")
        {
            f.concept = Some(doc);
            let subject = f.subject.clone();
            set_subject(lex, f, subject);
        }
    }
}

/// Whose fact a person field is, with its key to match.
fn set_subject(lex: &Lexicon, f: &mut Feat, subject: Subject) {
    f.key = match (f.concept, &subject) {
        (Some(c), Subject::Own) => lex.concepts[c].id.clone(),
        (Some(c), s) => format!("{}@{}", s.tag(), lex.concepts[c].id),
        (None, Subject::Own) => format!("n:{}", f.name),
        (None, s) => format!("n:{}@{}", f.name, s.tag()),
    };
    f.level = GrainKind::Person;
    f.subject = subject;
}

/// A card about more than one person reads in blocks: a name label with whose name it is in
/// front (申请人姓名, 收件人姓名) starts that person's block, and the labels after it without a
/// word of their own (联系电话, 身份证号码) are that person's, up to the next name label. A name
/// label of the person the card is about (姓名, 亡故人姓名, 失业人员姓名) starts the card's own.
fn card_blocks(lex: &Lexicon, feats: &mut [Feat]) {
    let mut block = Subject::Own;
    for f in feats.iter_mut() {
        if let Some(prefix) = f.leaf.strip_suffix("姓名") {
            match lex.subject_of(prefix) {
                _ if prefix.is_empty() => block = Subject::Own,
                Some(s @ (Subject::Applicant | Subject::Recipient)) => block = s,
                Some(Subject::Own) | None => block = Subject::Own,
                Some(_) => {}
            }
        }
        if f.subject == Subject::Own && f.level == GrainKind::Person && block != Subject::Own {
            set_subject(lex, f, block.clone());
        }
    }
}

/// `参战人员身份证号` on the roster of 参战人员: the qualifier names the row's own subject, so
/// the column is the person's own ID.
fn own_qualified(lex: &Lexicon, title: &str, feat: &mut Feat) {
    let Some((c, qualifier)) = lex.lookup_qualified(&feat.leaf, GrainKind::Person) else {
        return;
    };
    if lex.concepts[c].kind != ConceptKind::Person || !lex.own_qualifier(&qualifier, title) {
        return;
    }
    feat.concept = Some(c);
    feat.exact = false;
    feat.subject = Subject::Own;
    feat.level = GrainKind::Person;
    feat.key.clone_from(&lex.concepts[c].id);
}

/// A place word with a count's unit or numbers (村民小组（个）) counts places; it is not the
/// row's place.
fn counts(f: &crate::plan::SourceField) -> bool {
    f.unit.is_some() || matches!(f.ty.as_str(), "integer" | "decimal")
}

/// What the lexicon says of one data field, from its header path, its form's grain and
/// whether it counts; [`features`] fills in the rest (position, department, unit, type,
/// options, programme).
fn feature(
    lex: &Lexicon,
    grain: GrainKind,
    rows_are_heads: bool,
    f: &crate::plan::SourceField,
) -> Feat {
    let (groups, leaf_text) = split_path(&f.header_path);
    let leaf = match_key(&leaf_text);
    let mut group_subject = None;
    let mut topic = None;
    for g in groups.iter().rev() {
        if group_subject.is_none() {
            if let Some(s) = lex.subject_of(&match_key(g)) {
                group_subject = Some(s);
                continue;
            }
        }
        let stem = lex.group_stem(g);
        if topic.is_none() && !stem.is_empty() {
            topic = Some(stem);
        }
    }
    let compound = topic.as_ref().map(|t| format!("{t}{leaf}"));
    // A column headed just 户主 / 联系人 / 配偶 holds that person's name.
    let mut hit = None;
    if let Some(s) = lex
        .subject_of(&leaf)
        .filter(|s| *s != Subject::Own && *s != Subject::Household)
    {
        if let Some(c) = lex.concepts.iter().position(|c| c.id == "person.name") {
            hit = Some(lexicon::Hit {
                concept: c,
                variant: leaf.clone(),
                subject: Some(s),
            });
        }
    }
    if hit.is_none() {
        hit = compound
            .as_deref()
            .and_then(|c| lex.lookup(c, grain))
            .filter(|h| h.subject.is_none())
            .or_else(|| lex.lookup(&leaf, grain));
    }
    let generic = lex.is_generic_leaf(&leaf);
    let name = match (&compound, generic) {
        (Some(c), true) => c.clone(),
        _ => leaf.clone(),
    };
    let mut feat = Feat {
        at: [0, 0],
        dept: String::new(),
        leaf: leaf.clone(),
        name,
        concept: None,
        exact: false,
        subject: Subject::Own,
        key: String::new(),
        level: grain,
        unit: None,
        ty: String::new(),
        enums: Vec::new(),
        shown: leaf_text.trim().to_string(),
        program: String::new(),
        title: String::new(),
        generic,
        group: if generic {
            topic.clone().unwrap_or_default()
        } else {
            String::new()
        },
        topic: topic.clone().unwrap_or_default(),
        form_grain: grain,
        shape: String::new(),
        identifier: lex.names_identifier(&leaf_text),
        program_grams: Vec::new(),
        program_specific: false,
        name_id: 0,
        leaf_id: 0,
        key_id: 0,
    };
    let counts = counts(f);
    let hit = hit.filter(|h| !(lex.concepts[h.concept].kind == ConceptKind::Place && counts));
    match hit {
        Some(h) => {
            let mut concept = h.concept;
            feat.exact = h.subject.is_none();
            let mut subject = h.subject.or(group_subject).unwrap_or(Subject::Own);
            let c = &lex.concepts[concept];
            match c.kind {
                ConceptKind::Person => {
                    let household_form = grain == GrainKind::Household && rows_are_heads;
                    if subject == Subject::Household || (subject == Subject::Own && household_form)
                    {
                        match c
                            .on_household
                            .as_ref()
                            .and_then(|id| lex.concepts.iter().position(|x| &x.id == id))
                        {
                            Some(h) => {
                                concept = h;
                                subject = Subject::Own;
                            }
                            None if household_form && subject == Subject::Own => {
                                subject = Subject::Head
                            }
                            None => {}
                        }
                    }
                    feat.level = match subject {
                        Subject::Head | Subject::Household => GrainKind::Household,
                        _ if lex.concepts[concept].kind == ConceptKind::Household => {
                            GrainKind::Household
                        }
                        _ => GrainKind::Person,
                    };
                }
                ConceptKind::Household => {
                    subject = Subject::Own;
                    feat.level = GrainKind::Household;
                }
                ConceptKind::Village => {
                    subject = Subject::Own;
                    feat.level = GrainKind::Village;
                }
                ConceptKind::Plot => {
                    subject = Subject::Own;
                    feat.level = GrainKind::Plot;
                }
                ConceptKind::Place | ConceptKind::Any => {
                    subject = Subject::Own;
                    feat.level = grain;
                }
            }
            let id = &lex.concepts[concept].id;
            feat.key = match subject {
                Subject::Own => id.clone(),
                ref s => format!("{}@{id}", s.tag()),
            };
            feat.concept = Some(concept);
            feat.subject = subject;
        }
        None => {
            let subject = group_subject.unwrap_or(Subject::Own);
            if matches!(subject, Subject::Household | Subject::Head) {
                feat.level = GrainKind::Household;
            }
            feat.key = match &subject {
                Subject::Own => format!("n:{}", feat.name),
                s => format!("n:{}@{}", feat.name, s.tag()),
            };
            feat.subject = subject;
        }
    }
    feat
}

/// Character bigrams of a name (a one-character name is its own gram).
fn bigrams(s: &str) -> Vec<(char, char)> {
    let cs: Vec<char> = s.chars().collect();
    if cs.len() == 1 {
        return vec![(cs[0], '\0')];
    }
    let mut v: Vec<(char, char)> = cs.windows(2).map(|w| (w[0], w[1])).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Dice coefficient over character bigrams: shared / average count. Length-normalised, so
/// 耕地面积 vs 林地面积 (2 of 3 shared, 0.67) stays below the join bar while an edit distance
/// of 1 would join them.
pub fn similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    dice(&bigrams(a), &bigrams(b))
}

/// Dice coefficient of two sorted, deduplicated bigram lists.
fn dice(x: &[(char, char)], y: &[(char, char)]) -> f32 {
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f32 / (x.len() + y.len()) as f32
}

/// Why two fields stay apart. The words are written only for the pairs that get reported:
/// a batch of 200 forms weighs some 80,000 pairs and reports a few hundred.
#[derive(Clone, Copy, Debug)]
enum Apart {
    /// Two columns of one form.
    SameForm,
    /// One form is filled per person, the other per household (or village, plot).
    Level,
    /// 本人 vs 配偶 (or another subject).
    Subject,
    /// 元 vs 亩: two dimensions.
    Unit,
    /// 元 vs 万元: one dimension at two scales.
    UnitScale,
    /// A generic leaf (合计) under groups that mean different things.
    GenericGroups,
    /// A generic leaf with no group.
    GenericAlone,
    /// An identifier vs an amount or count.
    IdVsAmount,
    /// A count vs a yes/no flag.
    CountVsFlag,
    /// An ID number vs free text.
    Type,
    /// A programme's own field on forms of two different programmes.
    Program,
    /// Two different lexicon data elements.
    Concepts,
    /// Names alike, but not alike enough to join.
    Weak,
    /// One side is in the lexicon, the other is not.
    OneInLexicon,
    /// The cluster already has a column of that form.
    FormTaken,
}

impl Apart {
    /// The reason staff read, in Chinese; `a` and `b` are the pair as it was weighed.
    fn words(self, a: &Feat, b: &Feat, sim: f32, lex: &Lexicon) -> String {
        match self {
            Apart::SameForm => reasons::same_form(),
            Apart::Level => reasons::levels_differ(a.level, b.level),
            Apart::Subject => {
                let w = |s: &Subject| match s {
                    Subject::Own => "本人".to_string(),
                    s => s.label().to_string(),
                };
                reasons::subjects_differ(&w(&a.subject), &w(&b.subject))
            }
            Apart::Unit => reasons::units_differ(
                a.unit.as_deref().unwrap_or_default(),
                b.unit.as_deref().unwrap_or_default(),
            ),
            Apart::UnitScale => reasons::units_scale(
                a.unit.as_deref().unwrap_or_default(),
                b.unit.as_deref().unwrap_or_default(),
            ),
            Apart::GenericGroups => reasons::generic_leaf_groups(
                &a.shown,
                &lexicon::display_name(&a.group),
                &lexicon::display_name(&b.group),
            ),
            Apart::GenericAlone => reasons::generic_leaf_alone(&a.shown),
            Apart::IdVsAmount => {
                let (i, o) = if a.identifier { (a, b) } else { (b, a) };
                reasons::identifier_vs_amount(&shown_with_unit(i), &shown_with_unit(o))
            }
            Apart::CountVsFlag => reasons::count_vs_flag(&shown_with_unit(a), &shown_with_unit(b)),
            Apart::Type => reasons::types_differ(&a.ty, &b.ty),
            Apart::Program => reasons::programs_differ(&a.title, &b.title),
            Apart::Concepts => concept_apart(lex, a, b),
            Apart::Weak => reasons::too_weak(sim),
            Apart::OneInLexicon => {
                let (k, u) = if a.concept.is_some() { (a, b) } else { (b, a) };
                reasons::one_in_lexicon(
                    &k.shown,
                    &lex.concepts[k.concept.unwrap_or(0)].name,
                    &u.shown,
                )
            }
            Apart::FormTaken => reasons::form_taken(),
        }
    }
}

/// A leaf as written, with its unit when the text does not show it.
fn shown_with_unit(f: &Feat) -> String {
    match &f.unit {
        Some(u) if !f.shown.contains(u.as_str()) => format!("{}（{u}）", f.shown),
        _ => f.shown.clone(),
    }
}

/// Why two fields must stay apart even if their names agree, if they must.
fn veto(a: &Feat, b: &Feat, lex: &Lexicon) -> Option<Apart> {
    if a.at[0] == b.at[0] {
        return Some(Apart::SameForm);
    }
    let anywhere = |f: &Feat| {
        f.concept
            .is_some_and(|c| matches!(lex.concepts[c].kind, ConceptKind::Place | ConceptKind::Any))
    };
    // A form whose grain is unclear says nothing against a match.
    let known = a.level != GrainKind::Unknown && b.level != GrainKind::Unknown;
    if known && a.level != b.level && !(a.key_id == b.key_id && anywhere(a)) {
        return Some(Apart::Level);
    }
    if a.subject != b.subject {
        return Some(Apart::Subject);
    }
    if let (Some(x), Some(y)) = (&a.unit, &b.unit) {
        if x != y {
            let (dx, dy) = (lex.dimension_of(x), lex.dimension_of(y));
            return Some(if dx.is_some() && dx == dy {
                Apart::UnitScale
            } else {
                Apart::Unit
            });
        }
    }
    // An insurance number is not an insurance amount, whatever the names share.
    let amount = |f: &Feat| f.unit.is_some() || f.ty == "decimal";
    if (a.identifier && !b.identifier && amount(b)) || (b.identifier && !a.identifier && amount(a))
    {
        return Some(Apart::IdVsAmount);
    }
    // A village's count of 危房户 (户) is not a household's 危房户 flag.
    let count = |f: &Feat| f.unit.as_deref().is_some_and(|u| lex.is_count_unit(u));
    let flag = |f: &Feat| f.ty == "yes_no";
    if (count(a) && flag(b)) || (count(b) && flag(a)) {
        return Some(Apart::CountVsFlag);
    }
    // Types are read from sample values, which can be messy (a 退役时间 column of free text);
    // within one lexicon data element the name is the stronger evidence.
    let strong = |t: &str| matches!(t, "id_number" | "phone" | "date");
    let same_element = a.concept.is_some() && a.key_id == b.key_id;
    if !same_element && a.ty != b.ty && (strong(&a.ty) || strong(&b.ty)) {
        let numeric = |t: &str| matches!(t, "integer" | "decimal");
        if !(numeric(&a.ty) && numeric(&b.ty)) {
            return Some(Apart::Type);
        }
    }
    // 参保状态 of the pension roster is not 参保状态 of the medical-insurance roster: a
    // programme's own field joins another form's only when the forms do not name different
    // programmes (a generic 综合信息采集表 names none).
    // One bureau's templates for different groups of entitled persons share their person
    // attributes (医疗保障方式, 批准日期): within a department only the names the lexicon
    // calls programme-bound (补贴金额, 保障标准) are kept apart.
    if a.concept.is_none()
        && b.concept.is_none()
        && (a.program_specific || b.program_specific)
        && !a.program.is_empty()
        && !b.program.is_empty()
        && dice(&a.program_grams, &b.program_grams) < 0.7
        && (a.dept != b.dept || lex.is_program_bound(&a.name) || lex.is_program_bound(&b.name))
    {
        return Some(Apart::Program);
    }
    None
}

fn enum_overlap(a: &[String], b: &[String]) -> Option<f32> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    // Option lists are short: a scan beats building a set.
    let shared = b.iter().filter(|v| a.contains(v)).count();
    Some(shared as f32 / a.len().min(b.len()) as f32)
}

/// A field's score from the name edges that joined it, and the pair `(i, j)` that joined it
/// last (`None` for the side an edge started from).
type EdgeNote = (f32, Option<(usize, usize)>);

/// Union-find with a per-set list of forms, so no set ever takes two columns of one form.
struct Sets {
    parent: Vec<usize>,
    forms: Vec<Vec<usize>>,
    /// The one unit a set's members are stated in, if any states one.
    units: Vec<Option<u32>>,
}

impl Sets {
    fn new(feats: &[Feat]) -> Sets {
        let mut ids: HashMap<&str, u32> = HashMap::new();
        let units = feats
            .iter()
            .map(|f| {
                f.unit.as_deref().map(|u| {
                    let next = ids.len() as u32;
                    *ids.entry(u).or_insert(next)
                })
            })
            .collect();
        Sets {
            parent: (0..feats.len()).collect(),
            forms: feats.iter().map(|f| vec![f.at[0]]).collect(),
            units,
        }
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    /// Joins the sets of a and b unless they share a form or would hold two units (a field
    /// without a unit must not bridge 元 and 万元); says why not.
    fn join(&mut self, a: usize, b: usize) -> Result<(), Apart> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Ok(());
        }
        if let (Some(x), Some(y)) = (self.units[ra], self.units[rb]) {
            if x != y {
                return Err(Apart::Unit);
            }
        }
        let (fa, fb) = (&self.forms[ra], &self.forms[rb]);
        if fa.iter().any(|f| fb.binary_search(f).is_ok()) {
            return Err(Apart::FormTaken);
        }
        let (big, small) = if fa.len() >= fb.len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let moved = std::mem::take(&mut self.forms[small]);
        let target = &mut self.forms[big];
        target.extend(moved);
        target.sort_unstable();
        self.units[big] = self.units[big].or(self.units[small]);
        self.parent[small] = big;
        Ok(())
    }
}

/// Clusters the data fields of all sources; each cluster's confidence is the built-in
/// calibration of its raw score ([`calibration`]).
pub fn cluster(sources: &[SourceForm], lex: &Lexicon) -> Clustering {
    cluster_calibrated(sources, lex, Calibration::builtin())
}

/// [`cluster`] with another calibration table ([`Calibration::none`] gives the raw scores).
pub fn cluster_calibrated(
    sources: &[SourceForm],
    lex: &Lexicon,
    calibration: &Calibration,
) -> Clustering {
    let feats = features(sources, lex);
    cluster_features(sources, lex, &feats, calibration)
}

pub(crate) fn cluster_features(
    sources: &[SourceForm],
    lex: &Lexicon,
    feats: &[Feat],
    calibration: &Calibration,
) -> Clustering {
    let mut sets = Sets::new(feats);
    // Per field joined by name: the weakest score that joined it and the pair it was joined
    // through (written out as a reason only for the fields whose cluster is described).
    let mut edge_note: HashMap<usize, EdgeNote> = HashMap::new();
    let mut near: Vec<(usize, usize, f32, Apart)> = Vec::new();

    // 1. Lexicon keys: members of one key join unless a veto (unit, type, same form) splits.
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in feats.iter().enumerate() {
        if f.concept.is_some() {
            by_key.entry(f.key.as_str()).or_default().push(i);
        }
    }
    let mut keys: Vec<&&str> = by_key.keys().collect();
    keys.sort();
    for key in keys {
        let members = &by_key[*key];
        // Greedy: each member joins the first sub-group it is compatible with.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for &m in members {
            let mut placed = false;
            let mut why = None;
            for g in groups.iter_mut() {
                let head = g[0];
                match veto(&feats[head], &feats[m], lex) {
                    None => {
                        if sets.join(head, m).is_ok() {
                            g.push(m);
                            placed = true;
                            break;
                        }
                    }
                    Some(r) => why = Some((head, r)),
                }
            }
            if !placed {
                if let Some((other, r)) = why {
                    near.push((other, m, 1.0, r));
                }
                groups.push(vec![m]);
            }
        }
    }

    // 2. Names the lexicon does not know: bigram index over the compared names. Lexicon
    // fields are already grouped; one of each (key, leaf) takes part, for near misses only.
    let mut reps: HashSet<(&str, &str)> = HashSet::new();
    let takes_part: Vec<bool> = feats
        .iter()
        .map(|f| f.concept.is_none() || reps.insert((f.key.as_str(), f.leaf.as_str())))
        .collect();
    let mut postings: HashMap<(char, char), Vec<usize>> = HashMap::new();
    let grams: Vec<Vec<(char, char)>> = feats.iter().map(|f| bigrams(&f.name)).collect();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in feats.iter().enumerate() {
        if !takes_part[i] {
            continue;
        }
        for b in &grams[i] {
            postings.entry(*b).or_default().push(i);
        }
        by_name.entry(f.name.as_str()).or_default().push(i);
    }
    let mut edges: Vec<(f32, usize, usize)> = Vec::new();
    for (i, f) in feats.iter().enumerate() {
        if !takes_part[i] {
            continue;
        }
        let mut cands: Vec<usize> = Vec::new();
        if let Some(same) = by_name.get(f.name.as_str()) {
            // Equal names meet directly; a capped list keeps a name used 10,000 times linear
            // (its chain through neighbours still joins them all).
            let pos = same.partition_point(|&x| x <= i);
            cands.extend(same[pos..].iter().take(MAX_POSTING));
        }
        for b in &grams[i] {
            let list = &postings[b];
            if list.len() <= MAX_POSTING {
                cands.extend(list.iter().filter(|&&j| j > i));
            }
        }
        cands.sort_unstable();
        cands.dedup();
        for j in cands {
            let g = &feats[j];
            let sim = if f.name_id == g.name_id {
                1.0
            } else if f.leaf_id == g.leaf_id && !f.generic {
                0.9_f32.max(dice(&grams[i], &grams[j]))
            } else {
                dice(&grams[i], &grams[j])
            };
            if sim < NEAR_SIMILARITY {
                continue;
            }
            match (f.concept, g.concept) {
                (Some(_), Some(_)) => {
                    if f.key_id != g.key_id {
                        near.push((i, j, sim, Apart::Concepts));
                    }
                }
                (None, None) if f.generic || g.generic => {
                    // A generic leaf joins on its group: 资金到户/合计 never on 合计 alone.
                    let groups = |x: &Feat| !x.generic || !x.group.is_empty();
                    let apart = if !groups(f) || !groups(g) {
                        Some(Apart::GenericAlone)
                    } else if f.generic
                        && g.generic
                        && f.leaf_id == g.leaf_id
                        && similarity(&f.group, &g.group) < JOIN_SIMILARITY
                    {
                        Some(Apart::GenericGroups)
                    } else {
                        veto(f, g, lex)
                    };
                    match apart {
                        Some(r) => near.push((i, j, sim, r)),
                        None if sim >= JOIN_SIMILARITY => edges.push((sim, i, j)),
                        None => near.push((i, j, sim, Apart::Weak)),
                    }
                }
                (None, None) => {
                    let mut score = sim;
                    if let Some(o) = enum_overlap(&f.enums, &g.enums) {
                        score += if o == 0.0 { -0.15 } else { 0.05 * o };
                    }
                    match veto(f, g, lex) {
                        Some(r) => near.push((i, j, sim, r)),
                        None if score >= JOIN_SIMILARITY => edges.push((score.min(1.0), i, j)),
                        None => near.push((i, j, sim, Apart::Weak)),
                    }
                }
                _ => {
                    if sim >= 0.6 {
                        near.push((i, j, sim, Apart::OneInLexicon));
                    }
                }
            }
        }
    }
    edges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (score, i, j) in edges {
        if let Err(why) = sets.join(i, j) {
            near.push((i, j, score, why));
        } else {
            let root_note = edge_note.entry(i).or_insert((1.0, None));
            if score < root_note.0 {
                *root_note = (score, None);
            }
            edge_note.insert(j, (score, Some((i, j))));
        }
    }

    // 3. Collect clusters in order of first member.
    let mut index_of_root: HashMap<usize, usize> = HashMap::new();
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut member_cluster = vec![0usize; feats.len()];
    for i in 0..feats.len() {
        let r = sets.find(i);
        let ci = *index_of_root.entry(r).or_insert_with(|| {
            clusters.push(Cluster {
                key: String::new(),
                name: String::new(),
                level: feats[i].level,
                members: Vec::new(),
                confidence: 1.0,
                reasons: Vec::new(),
            });
            clusters.len() - 1
        });
        member_cluster[i] = ci;
        clusters[ci].members.push(feats[i].at);
    }
    let mut feats_of: Vec<Vec<usize>> = vec![Vec::new(); clusters.len()];
    for (i, &c) in member_cluster.iter().enumerate() {
        feats_of[c].push(i);
    }
    let mut used_keys: HashMap<String, usize> = HashMap::new();
    for (ci, members) in feats_of.iter().enumerate() {
        let first = &feats[members[0]];
        let (key, name, conf, reasons) = describe(lex, feats, members, &edge_note);
        let n = used_keys.entry(key.clone()).or_insert(0);
        *n += 1;
        let c = &mut clusters[ci];
        c.key = if *n == 1 { key } else { format!("{key}#{n}") };
        c.name = name;
        c.confidence = conf;
        c.reasons = reasons;
        c.level = first.level;
    }

    // 4. Near misses between different clusters, strongest per cluster pair.
    let mut best: HashMap<(usize, usize), (f32, usize, usize, Apart)> = HashMap::new();
    for (i, j, sim, reason) in near {
        let (ca, cb) = (member_cluster[i], member_cluster[j]);
        // Two columns of one form never merge; only a shared leaf name makes that worth a look
        // (户籍/户数 vs 常住/户数), other same-form pairs would bury the risky ones.
        if ca == cb || (feats[i].at[0] == feats[j].at[0] && feats[i].leaf != feats[j].leaf) {
            continue;
        }
        let k = (ca.min(cb), ca.max(cb));
        let e = best.entry(k).or_insert((-1.0, i, j, reason));
        if sim > e.0 {
            *e = (sim, i, j, reason);
        }
    }
    // The strongest look-alike each cluster was kept apart from.
    let mut near_of = vec![0.0_f32; clusters.len()];
    let mut near_misses: Vec<NearMiss> = best
        .into_iter()
        .map(|((ca, cb), (sim, i, j, reason))| {
            for c in [ca, cb] {
                if sim > near_of[c] {
                    near_of[c] = sim;
                }
            }
            NearMiss {
                a: feats[i].at,
                b: feats[j].at,
                similarity: sim,
                reason: reason.words(&feats[i], &feats[j], sim, lex),
            }
        })
        .collect();
    // A lone field is only as sure as its look-alikes are unlike it; a merge with a look-alike
    // outside it is a little less sure, and its number is the measured share of such merges
    // that were right.
    for (c, near) in clusters.iter_mut().zip(near_of) {
        if c.members.len() > 1 {
            c.confidence = calibration.apply((c.confidence - NEAR_WEIGHT * near).max(0.0));
        } else {
            c.confidence = calibration.apply_lone(c.confidence.min(1.0 - 0.4 * near));
        }
    }
    near_misses.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });

    let mut assignment: Vec<Vec<Option<usize>>> =
        sources.iter().map(|s| vec![None; s.fields.len()]).collect();
    let mut levels: Vec<Vec<GrainKind>> = sources
        .iter()
        .map(|s| vec![grain_of(&s.grain); s.fields.len()])
        .collect();
    for (i, f) in feats.iter().enumerate() {
        assignment[f.at[0]][f.at[1]] = Some(member_cluster[i]);
        levels[f.at[0]][f.at[1]] = f.level;
    }
    Clustering {
        clusters,
        near_misses,
        assignment,
        levels,
    }
}

fn concept_apart(lex: &Lexicon, a: &Feat, b: &Feat) -> String {
    let name = |f: &Feat| {
        let c = &lex.concepts[f.concept.unwrap_or(0)];
        match &f.subject {
            Subject::Own => c.name.clone(),
            s => format!("{}{}", s.label(), c.name),
        }
    };
    let (na, nb) = (name(a), name(b));
    if a.leaf == b.leaf {
        reasons::same_name_other_meaning(&a.shown, &na, a.level, &nb, b.level)
    } else {
        reasons::two_elements(&na, &nb)
    }
}

/// A cluster's key, name, confidence and reasons.
fn describe(
    lex: &Lexicon,
    feats: &[Feat],
    members: &[usize],
    edge_note: &HashMap<usize, EdgeNote>,
) -> (String, String, f32, Vec<String>) {
    let first = &feats[members[0]];
    let mut reasons = Vec::new();
    let mut shown: Vec<&str> = Vec::new();
    for &m in members {
        if !shown.contains(&feats[m].shown.as_str()) {
            shown.push(&feats[m].shown);
        }
    }
    let (key, name, mut conf) = match first.concept {
        Some(c) => {
            let concept = &lex.concepts[c];
            let name = match &first.subject {
                Subject::Own => concept.name.clone(),
                s => format!("{}{}", s.label(), concept.name),
            };
            let exact = members.iter().all(|&m| feats[m].exact);
            let conf = if exact { 0.95 } else { 0.85 };
            if members.len() > 1 {
                if shown.len() > 1 {
                    reasons.push(reasons::synonyms(&shown));
                } else {
                    reasons.push(reasons::same_name(shown[0]));
                }
            }
            reasons.push(reasons::data_element(&concept.name));
            (first.key.clone(), name, conf)
        }
        None => {
            let mut conf: f32 = 1.0;
            for &m in members {
                if let Some((s, pair)) = edge_note.get(&m) {
                    conf = conf.min(*s * 0.9);
                    if let Some((i, j)) = pair {
                        reasons.push(reasons::similar(*s, &feats[*i].shown, &feats[*j].shown));
                    }
                }
            }
            if members.len() > 1 && shown.len() == 1 {
                reasons.insert(0, reasons::same_name(shown[0]));
                conf = conf.max(0.9);
            }
            if members.len() > 1 {
                conf = conf.min(0.9);
            }
            let name = if first.name != first.leaf {
                lexicon::display_name(&first.name)
            } else {
                lexicon::display_name(&first.shown)
            };
            (first.key.clone(), name, conf)
        }
    };
    match &first.subject {
        Subject::Own => {}
        s => reasons.push(reasons::subject(s.label())),
    }
    if members.len() > 1 {
        let units: HashSet<&str> = members
            .iter()
            .filter_map(|&m| feats[m].unit.as_deref())
            .collect();
        if units.len() == 1 {
            reasons.push(reasons::same_unit(
                units.iter().next().copied().unwrap_or_default(),
            ));
        }
        let types: HashSet<&str> = members.iter().map(|&m| feats[m].ty.as_str()).collect();
        if types.len() == 1 {
            reasons.push(reasons::same_type(&first.ty));
        }
        let depts: HashSet<&str> = members.iter().map(|&m| feats[m].dept.as_str()).collect();
        if depts.len() > 1 {
            reasons.push(reasons::departments(depts.len()));
        }
        let mut shapes: Vec<&str> = members.iter().map(|&m| feats[m].shape.as_str()).collect();
        shapes.sort_unstable();
        shapes.dedup();
        if shapes.len() > 1 {
            reasons.push(reasons::shapes_differ(&shapes));
        }
        let lists: Vec<&Vec<String>> = members
            .iter()
            .map(|&m| &feats[m].enums)
            .filter(|e| !e.is_empty())
            .collect();
        if lists.len() > 1 {
            let o = enum_overlap(lists[0], lists[1]).unwrap_or(0.0);
            if o == 0.0 {
                reasons.push(reasons::options_disjoint());
                conf -= 0.1;
            } else {
                reasons.push(reasons::options_overlap(o));
            }
        }
    }
    if members.len() > 1 {
        conf -= disagreement(feats, members);
    }
    (key, name, conf.clamp(0.0, 1.0), reasons)
}

/// How much a merge's members disagree, as a deduction from its raw score: what the wrong
/// merges of the calibration corpora had in common (a lone member of another grain or of a form
/// whose grain is unclear, forms of different shapes, header groups of other topics, a name said in many ways, a name
/// qualified by another person, a big cluster: more members, more chances for one stranger).
fn disagreement(feats: &[Feat], members: &[usize]) -> f32 {
    let fs = || members.iter().map(|&m| &feats[m]);
    let distinct = |v: Vec<&str>| {
        let mut v = v;
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let mut d = 0.0;
    // Forms filled per person, per household or of unclear grain.
    let grains: HashSet<GrainKind> = fs().map(|f| f.form_grain).collect();
    if grains.len() > 1 {
        d += 0.1;
    }
    // Forms of different shapes: a card's label beside a roster's column or an indicator's
    // item (on the real-dev corpus such merges were right less than half as often as merges
    // of one shape: the same words name a row's fact on one and a form's, or a score's, on the
    // other).
    if distinct(fs().map(|f| f.shape.as_str()).collect()) > 1 {
        d += SHAPES_APART;
    }
    // Header groups of different topics above the leaf (各业务线 vs 预谋实施的场所部位).
    if distinct(
        fs().map(|f| f.topic.as_str())
            .filter(|t| !t.is_empty())
            .collect(),
    ) > 1
    {
        d += 0.2;
    }
    // The leaf said in many ways.
    let names = distinct(fs().map(|f| f.leaf.as_str()).collect());
    d += 0.03 * (names.saturating_sub(1)).min(5) as f32;
    // Some members matched as exact variants, others through a qualifier (评议员姓名).
    if fs().any(|f| f.exact) && fs().any(|f| f.concept.is_some() && !f.exact) {
        d += 0.05;
    }
    // Departments.
    let depts = distinct(fs().map(|f| f.dept.as_str()).collect());
    d += 0.02 * (depts.saturating_sub(1)).min(5) as f32;
    // Size.
    d += 0.02 * (members.len() as f32).log2().min(5.0);
    d
}
