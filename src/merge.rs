//! Merge: inspect reports → clusters → staff decisions → form set, kept as a **project**: the
//! versioned JSON that holds the sources, canonical fields, the set's sheets, the decisions
//! and the lexicon additions, so the next import (this year's again, or next year's) starts
//! from what staff already decided.

use serde::{Deserialize, Serialize};

use crate::error::Lang;
use crate::inspect::{FileReport, HeaderChoice};
use crate::matching::{self, Lexicon, LexiconError};
use crate::plan::{self, Decision, DecisionOutcome, FieldRef, FormSet};

/// The `format` value of a project file.
pub const PROJECT_FORMAT: &str = "yibiao-project";
/// The project file version this build writes and reads.
pub const PROJECT_VERSION: u32 = 1;
/// Below this confidence a canonical field is listed for review.
pub const REVIEW_BELOW: f32 = 0.8;

/// A project: everything needed to rebuild, review, export and later split the form set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "ProjectFile")]
pub struct Project {
    /// Always [`PROJECT_FORMAT`].
    pub format: String,
    /// [`PROJECT_VERSION`] when written.
    pub version: u32,
    /// The program that wrote it.
    pub generator: String,
    /// Staff additions to the lexicon, in the lexicon's TOML format.
    #[serde(default)]
    pub lexicon_additions: String,
    /// Staff decisions, in the order made.
    #[serde(default)]
    pub decisions: Vec<Decision>,
    /// Staff corrections of a form's department or grain.
    #[serde(default)]
    pub overrides: Vec<FormOverride>,
    /// Header blocks staff chose where detection was wrong, by file and sheet: applied again
    /// when the same files are read with this project.
    #[serde(default)]
    pub header_choices: Vec<FileHeaderChoice>,
    /// What became of each decision at the last merge.
    #[serde(default)]
    pub decision_outcomes: Vec<DecisionOutcome>,
    /// Look-alike fields that were kept apart, most similar first.
    #[serde(default)]
    pub near_misses: Vec<NearMissRef>,
    /// The form set: title, sources, canonical fields, sheets, burden.
    #[serde(flatten)]
    pub set: FormSet,
}

/// A project file as read: [`Project`] with the form set's fields inline, as they are written.
/// (Reading `#[serde(flatten)]` goes through serde's generic buffered content, which made the
/// web app's bundle some 30 KB larger; writing keeps the flattened `set`.)
#[derive(Deserialize)]
struct ProjectFile {
    format: String,
    version: u32,
    generator: String,
    #[serde(default)]
    lexicon_additions: String,
    #[serde(default)]
    decisions: Vec<Decision>,
    #[serde(default)]
    overrides: Vec<FormOverride>,
    #[serde(default)]
    header_choices: Vec<FileHeaderChoice>,
    #[serde(default)]
    decision_outcomes: Vec<DecisionOutcome>,
    #[serde(default)]
    near_misses: Vec<NearMissRef>,
    title: String,
    sources: Vec<plan::SourceForm>,
    canonical: Vec<plan::CanonicalField>,
    sheets: Vec<plan::SetSheet>,
    burden: plan::Burden,
}

impl From<ProjectFile> for Project {
    fn from(f: ProjectFile) -> Project {
        Project {
            format: f.format,
            version: f.version,
            generator: f.generator,
            lexicon_additions: f.lexicon_additions,
            decisions: f.decisions,
            overrides: f.overrides,
            header_choices: f.header_choices,
            decision_outcomes: f.decision_outcomes,
            near_misses: f.near_misses,
            set: FormSet {
                title: f.title,
                sources: f.sources,
                canonical: f.canonical,
                sheets: f.sheets,
                burden: f.burden,
            },
        }
    }
}

/// What [`Project::from_json`] looks at first, of any JSON: the `format` if it is a string and
/// the `version` if it is a whole number.
#[derive(Default)]
struct Head {
    format: Option<String>,
    version: Option<u64>,
}

/// One JSON value, kept only if it is a string or a whole number (nested values are skipped).
#[derive(Default)]
struct Scalar {
    text: Option<String>,
    number: Option<u64>,
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar {
                    text: Some(v.to_string()),
                    number: None,
                })
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar {
                    text: None,
                    number: Some(v),
                })
            }
            fn visit_i64<E>(self, _: i64) -> Result<Scalar, E> {
                Ok(Scalar::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Scalar, E> {
                Ok(Scalar::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
                Ok(Scalar::default())
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Scalar::default())
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Scalar, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Scalar::default())
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Head {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Head, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Head;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Head, A::Error> {
                let mut head = Head::default();
                while let Some(key) = a.next_key::<String>()? {
                    let value: Scalar = a.next_value()?;
                    match key.as_str() {
                        "format" => head.format = value.text,
                        "version" => head.version = value.number,
                        _ => {}
                    }
                }
                Ok(head)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Head, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Head::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_unit<E>(self) -> Result<Head, E> {
                Ok(Head::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// A staff correction of what was detected about one form: its department or its grain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOverride {
    /// The file.
    pub file: String,
    /// The sheet (empty for CSV).
    pub sheet: String,
    /// The department to use instead of the guess.
    #[serde(default)]
    pub department: Option<String>,
    /// The grain to use instead of the guess (`per_person`, `per_household`, …).
    #[serde(default)]
    pub grain: Option<String>,
}

/// A header block staff chose for one sheet of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHeaderChoice {
    /// The file.
    pub file: String,
    /// The sheet (empty for CSV).
    pub sheet: String,
    /// First header row (1-based).
    pub first: u32,
    /// Last header row (1-based).
    pub last: u32,
    /// The shape chosen with it ([`HeaderChoice::shape`]); absent in project files from
    /// before shapes could be chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
}

impl FileHeaderChoice {
    /// The choice for one file's sheet.
    pub fn new(file: &str, choice: &HeaderChoice) -> FileHeaderChoice {
        FileHeaderChoice {
            file: file.to_string(),
            sheet: choice.sheet.clone(),
            first: choice.first,
            last: choice.last,
            shape: choice.shape.clone(),
        }
    }

    /// The choice as the reader takes it.
    pub fn choice(&self) -> HeaderChoice {
        HeaderChoice {
            sheet: self.sheet.clone(),
            first: self.first,
            last: self.last,
            shape: self.shape.clone(),
        }
    }
}

/// The header blocks chosen for one file, as the reader takes them.
pub fn choices_for(choices: &[FileHeaderChoice], file: &str) -> Vec<HeaderChoice> {
    choices
        .iter()
        .filter(|c| c.file == file)
        .map(FileHeaderChoice::choice)
        .collect()
}

/// A near miss by field references.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NearMissRef {
    /// One field.
    pub a: FieldRef,
    /// The other.
    pub b: FieldRef,
    /// Name similarity, 0–1.
    pub similarity: f32,
    /// Why they were kept apart.
    pub reason: String,
}

/// Why a project file could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectError {
    /// The file is not JSON, or not in the project's shape; `detail` says where.
    Syntax {
        /// The parser's words.
        detail: String,
    },
    /// The JSON is not a Yibiao project (no `"format": "yibiao-project"`).
    NotAProject,
    /// Written by a newer Yibiao; this one cannot read it safely.
    NewerVersion {
        /// The file's version.
        version: u32,
    },
    /// The lexicon additions kept in the project are broken.
    Lexicon(LexiconError),
}

impl ProjectError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ProjectError::Syntax { .. } => "project_syntax",
            ProjectError::NotAProject => "project_not_a_project",
            ProjectError::NewerVersion { .. } => "project_newer_version",
            ProjectError::Lexicon(e) => e.code(),
        }
    }

    /// The message in the given language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ProjectError::Syntax { detail }, Lang::Zh) => {
                format!("项目文件已损坏或被改动过，无法读取：{detail}")
            }
            (ProjectError::Syntax { detail }, Lang::En) => {
                format!("The project file is damaged or was edited and cannot be read: {detail}")
            }
            (ProjectError::NotAProject, Lang::Zh) => {
                "这不是一表的项目文件（应是合并时保存的 .json 文件）。".into()
            }
            (ProjectError::NotAProject, Lang::En) => {
                "This is not a Yibiao project file (the .json file saved when merging).".into()
            }
            (ProjectError::NewerVersion { version }, Lang::Zh) => format!(
                "项目文件由较新版本的一表保存（格式版本 {version}），请升级一表后再打开。"
            ),
            (ProjectError::NewerVersion { version }, Lang::En) => format!(
                "The project file was saved by a newer Yibiao (format version {version}); please update Yibiao to open it."
            ),
            (ProjectError::Lexicon(e), lang) => e.message(lang),
        }
    }
}

impl std::fmt::Display for ProjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for ProjectError {}

impl Project {
    /// Reads a project file.
    ///
    /// # Errors
    /// [`ProjectError`] when the text is not a project this version can read.
    pub fn from_json(text: &str) -> Result<Project, ProjectError> {
        let syntax = |e: serde_json::Error| ProjectError::Syntax {
            detail: e.to_string(),
        };
        let head: Head = serde_json::from_str(text).map_err(syntax)?;
        if head.format.as_deref() != Some(PROJECT_FORMAT) {
            return Err(ProjectError::NotAProject);
        }
        let version = head.version.unwrap_or(0) as u32;
        if version > PROJECT_VERSION {
            return Err(ProjectError::NewerVersion { version });
        }
        serde_json::from_str(text).map_err(syntax)
    }

    /// The project as pretty JSON.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The lexicon this project merges with: built-in plus its additions.
    ///
    /// # Errors
    /// [`ProjectError::Lexicon`] when the additions are broken.
    pub fn lexicon(&self) -> Result<Lexicon, ProjectError> {
        lexicon_with(&[self.lexicon_additions.as_str()]).map_err(ProjectError::Lexicon)
    }

    /// Figures for a summary line.
    pub fn summary(&self) -> Summary {
        let set = &self.set;
        Summary {
            files: {
                let mut f: Vec<&str> = set.sources.iter().map(|s| s.file.as_str()).collect();
                f.dedup();
                f.len()
            },
            forms: set.sources.len(),
            fields_before: set.burden.total.fields_before as usize,
            fields_after: set.burden.total.fields_after as usize,
            canonical: set
                .canonical
                .iter()
                .filter(|c| !c.dropped && !c.members.is_empty())
                .count(),
            shared: set
                .canonical
                .iter()
                .filter(|c| !c.dropped && c.members.len() > 1)
                .count(),
            sheets: set.sheets.len(),
            to_review: self.review().len(),
            decisions_not_applied: self.decision_outcomes.iter().filter(|o| !o.applied).count(),
        }
    }

    /// What a reviewer should look at, least certain first: canonical fields below
    /// [`REVIEW_BELOW`] confidence.
    pub fn review(&self) -> Vec<&plan::CanonicalField> {
        let mut v: Vec<&plan::CanonicalField> = self
            .set
            .canonical
            .iter()
            .filter(|c| !c.members.is_empty() && c.confidence < REVIEW_BELOW)
            .collect();
        v.sort_by(|a, b| a.confidence.total_cmp(&b.confidence).then(a.id.cmp(&b.id)));
        v
    }
}

/// Counts for the line printed after a merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Files with at least one form.
    pub files: usize,
    /// Original forms.
    pub forms: usize,
    /// Data columns over all original forms.
    pub fields_before: usize,
    /// Columns of the set.
    pub fields_after: usize,
    /// Canonical fields.
    pub canonical: usize,
    /// Canonical fields asked by two or more forms.
    pub shared: usize,
    /// Sheets of the set.
    pub sheets: usize,
    /// Canonical fields to review.
    pub to_review: usize,
    /// Decisions that no longer found their fields.
    pub decisions_not_applied: usize,
}

/// The built-in lexicon plus staff additions, in order.
///
/// # Errors
/// [`LexiconError`] from the first broken addition.
pub fn lexicon_with(additions: &[&str]) -> Result<Lexicon, LexiconError> {
    let mut lex = Lexicon::builtin();
    for a in additions.iter().filter(|a| !a.trim().is_empty()) {
        lex.extend(a)?;
    }
    Ok(lex)
}

/// Merges the forms of the reports into a project, applying `decisions` in order.
/// `lexicon_additions` is kept in the project so the next merge uses it too.
///
/// # Errors
/// [`LexiconError`] when the additions are broken.
pub fn merge(
    reports: &[FileReport],
    lexicon_additions: &str,
    decisions: &[Decision],
) -> Result<Project, LexiconError> {
    merge_with(reports, lexicon_additions, decisions, &[])
}

/// [`merge`] with staff corrections of forms' departments and grains.
///
/// # Errors
/// [`LexiconError`] when the additions are broken.
pub fn merge_with(
    reports: &[FileReport],
    lexicon_additions: &str,
    decisions: &[Decision],
    overrides: &[FormOverride],
) -> Result<Project, LexiconError> {
    let lex = lexicon_with(&[lexicon_additions])?;
    let sources = plan::sources_from_reports(reports, &lex);
    Ok(merge_prepared(
        sources,
        &lex,
        lexicon_additions,
        decisions,
        overrides,
    ))
}

/// Merges the source forms of an earlier project again (a project restored or opened without
/// its files): with other lexicon additions, decisions or corrections. The header choices are
/// kept.
///
/// # Errors
/// [`LexiconError`] when the additions are broken.
pub fn merge_project_sources(
    previous: &Project,
    lexicon_additions: &str,
    decisions: &[Decision],
    overrides: &[FormOverride],
) -> Result<Project, LexiconError> {
    let lex = lexicon_with(&[lexicon_additions])?;
    let mut p = merge_prepared(
        previous.set.sources.clone(),
        &lex,
        lexicon_additions,
        decisions,
        overrides,
    );
    p.header_choices.clone_from(&previous.header_choices);
    Ok(p)
}

fn merge_prepared(
    sources: Vec<plan::SourceForm>,
    lex: &Lexicon,
    lexicon_additions: &str,
    decisions: &[Decision],
    overrides: &[FormOverride],
) -> Project {
    let prepared = Prepared::new(sources, lex.clone(), lexicon_additions, overrides);
    prepared.decide(decisions)
}

/// A merge before staff decisions: the source forms with staff's corrections and their
/// clustering. A decision changes neither, so the app keeps this between decisions and only
/// applies the decisions and plans the set again ([`Prepared::decide`]): clustering is most of a
/// merge (700 clusters: about two thirds).
#[derive(Clone, Debug)]
pub struct Prepared {
    sources: Vec<plan::SourceForm>,
    lex: Lexicon,
    lexicon_additions: String,
    overrides: Vec<FormOverride>,
    clustering: matching::Clustering,
}

impl Prepared {
    fn new(
        mut sources: Vec<plan::SourceForm>,
        lex: Lexicon,
        lexicon_additions: &str,
        overrides: &[FormOverride],
    ) -> Prepared {
        for o in overrides {
            for s in sources
                .iter_mut()
                .filter(|s| s.file == o.file && s.sheet == o.sheet)
            {
                if let Some(d) = &o.department {
                    s.department.clone_from(d);
                    s.department_reason.clear();
                }
                if let Some(g) = &o.grain {
                    s.grain.clone_from(g);
                }
            }
        }
        let clustering = matching::cluster(&sources, &lex);
        Prepared {
            sources,
            lex,
            lexicon_additions: lexicon_additions.to_string(),
            overrides: overrides.to_vec(),
            clustering,
        }
    }

    /// What [`merge_with`] would merge, before the decisions.
    ///
    /// # Errors
    /// [`LexiconError`] when the additions are broken.
    pub fn from_reports(
        reports: &[FileReport],
        lexicon_additions: &str,
        overrides: &[FormOverride],
    ) -> Result<Prepared, LexiconError> {
        let lex = lexicon_with(&[lexicon_additions])?;
        let sources = plan::sources_from_reports(reports, &lex);
        Ok(Prepared::new(sources, lex, lexicon_additions, overrides))
    }

    /// What [`merge_project_sources`] would merge, before the decisions (the header choices
    /// are the caller's to keep).
    ///
    /// # Errors
    /// [`LexiconError`] when the additions are broken.
    pub fn from_project(
        previous: &Project,
        lexicon_additions: &str,
        overrides: &[FormOverride],
    ) -> Result<Prepared, LexiconError> {
        let lex = lexicon_with(&[lexicon_additions])?;
        Ok(Prepared::new(
            previous.set.sources.clone(),
            lex,
            lexicon_additions,
            overrides,
        ))
    }

    /// The project with these decisions: the same as merging from scratch with them.
    pub fn decide(&self, decisions: &[Decision]) -> Project {
        let sources = &self.sources;
        let mut clustering = self.clustering.clone();
        let (outcomes, marks) = plan::decisions::apply(sources, &mut clustering, decisions);
        let near_misses = clustering
            .near_misses
            .iter()
            .map(|n| NearMissRef {
                a: FieldRef::of(sources, n.a),
                b: FieldRef::of(sources, n.b),
                similarity: n.similarity,
                reason: n.reason.clone(),
            })
            .collect();
        let set = plan::build(sources, &clustering, &marks, &self.lex);
        Project {
            format: PROJECT_FORMAT.into(),
            version: PROJECT_VERSION,
            generator: format!("yibiao {}", env!("CARGO_PKG_VERSION")),
            lexicon_additions: self.lexicon_additions.clone(),
            decisions: decisions.to_vec(),
            overrides: self.overrides.clone(),
            header_choices: Vec::new(),
            decision_outcomes: outcomes,
            near_misses,
            set,
        }
    }
}

/// Merges again with a project's decisions and lexicon additions (same or next year's forms).
/// The new project keeps the previous header choices; read the files with them
/// ([`choices_for`]) for them to apply.
///
/// # Errors
/// [`LexiconError`] when the project's additions are broken.
pub fn remerge(reports: &[FileReport], previous: &Project) -> Result<Project, LexiconError> {
    let mut p = merge_with(
        reports,
        &previous.lexicon_additions,
        &previous.decisions,
        &previous.overrides,
    )?;
    p.header_choices.clone_from(&previous.header_choices);
    Ok(p)
}
