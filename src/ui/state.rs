//! The app's state and its one pure reducer: actions in, next state out. No browser, no
//! storage, no clock — the web edge (`ui::app`) reads files, downloads and saves; this file only
//! decides. It is compiled and tested natively.

use std::rc::Rc;

use crate::diff::{self, ProjectDiff};
use crate::error::Lang;
use crate::inspect::{FileReport, HeaderChoice, SheetPreview};
use crate::matching::additions::{self, Addition};
use crate::merge::{self, FileHeaderChoice, FormOverride, Project};
use crate::plan::Decision;

use super::i18n::{tr, T};

/// The five steps of the flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Step {
    /// Add files.
    #[default]
    Files,
    /// Check the detected forms.
    Forms,
    /// Review the clusters.
    Review,
    /// The form set and its figures.
    Set,
    /// Downloads.
    Export,
    /// Filled sets back into each department's own forms.
    Split,
}

/// Which clusters the review shows, by where their review stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// All clusters.
    #[default]
    All,
    /// Below the review bar and not yet confirmed.
    NeedsReview,
    /// Confirmed by staff.
    Confirmed,
    /// Dropped by staff.
    Dropped,
}

/// Where one file is.
#[derive(Clone, Debug, PartialEq)]
pub enum FileStatus {
    /// Queued.
    Waiting,
    /// Being read.
    Reading,
    /// Read: forms and fields found.
    Read {
        /// Forms found.
        forms: usize,
        /// Fields over those forms.
        fields: usize,
    },
    /// Could not be read; the message says why and what to do.
    Failed {
        /// In Chinese.
        zh: String,
        /// In English.
        en: String,
    },
}

/// One added file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileEntry {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: usize,
    /// Where it is.
    pub status: FileStatus,
    /// What was found (once read).
    pub report: Option<Rc<FileReport>>,
    /// The first rows of each sheet (once read); kept in memory only.
    pub previews: Rc<Vec<SheetPreview>>,
    /// The header blocks its report was read with (staff choices; empty: as detected).
    pub read_with: Vec<HeaderChoice>,
}

/// What was restored from browser storage at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// Original forms in the restored project.
    pub forms: usize,
    /// Staff decisions restored.
    pub decisions: usize,
}

/// The whole app state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppState {
    /// Interface language.
    pub lang: Lang,
    /// The step shown.
    pub step: Step,
    /// Files in the order added.
    pub files: Vec<FileEntry>,
    /// Staff decisions, in order.
    pub decisions: Vec<Decision>,
    /// Staff corrections of forms' departments and grains.
    pub overrides: Vec<FormOverride>,
    /// Staff lexicon additions (TOML).
    pub lexicon_additions: String,
    /// The current merge; `None` until there is something to merge.
    pub project: Option<Rc<Project>>,
    /// The review's search text.
    pub search: String,
    /// The review's department filter.
    pub department: Option<String>,
    /// The review's status filter.
    pub status: StatusFilter,
    /// The review's grain filter (`person`…): clusters of fields kept at that level.
    pub grain: Option<String>,
    /// The form whose preview is open (index into the project's sources).
    pub preview: Option<usize>,
    /// Header blocks chosen by staff where detection was wrong: (file, choice).
    pub header_choices: Vec<(String, HeaderChoice)>,
    /// The field being moved to another cluster (its target list is open).
    pub moving: Option<crate::plan::FieldRef>,
    /// The first member of the cluster being merged into another (its target list is open).
    pub merging: Option<crate::plan::FieldRef>,
    /// Clusters (by id) whose members are all shown, not only the first
    /// [`MEMBERS_SHOWN`](super::view::MEMBERS_SHOWN).
    pub expanded: Vec<String>,
    /// A field that identifies rows (an ID number…) whose split was asked for: the review
    /// says what splitting it costs and waits for a second click.
    pub confirm_split: Option<crate::plan::FieldRef>,
    /// Set when a saved project was restored at start.
    pub restored: Option<Restored>,
    /// A message for the user (Chinese, English), e.g. a broken project file.
    pub message: Option<(String, String)>,
    /// Last year's project, opened next to this year's files.
    pub last_year: Option<Rc<Project>>,
    /// What changed from last year's project to the current one (kept up to date).
    pub year_diff: Option<Rc<ProjectDiff>>,
    /// Why the last change to the lexicon additions was refused (Chinese, English).
    pub lexicon_error: Option<(String, String)>,
    /// The project was restored or opened without its files: it is merged again from its own
    /// source forms until files are read.
    pub detached: bool,
}

/// What staff typed into the lexicon form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermInput {
    /// The data element: a name it already goes by (公民身份号码), or a new name.
    pub element: String,
    /// Other names that mean the same (证件号码).
    pub names: Vec<String>,
    /// Whose fact a new element is.
    pub kind: crate::matching::ConceptKind,
}

/// Everything that can happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Switch the interface language.
    SetLang(Lang),
    /// Show a step.
    Go(Step),
    /// Files were chosen: (name, size) each, queued in order.
    Queue(Vec<(String, usize)>),
    /// A queued file is being read.
    Reading(String),
    /// A file was read (its report may still carry a read error).
    Read {
        /// The file's name.
        name: String,
        /// What was found.
        report: FileReport,
        /// The first rows of each sheet.
        previews: Vec<SheetPreview>,
    },
    /// Reading a file failed outside the engine (the browser could not give its bytes, or the
    /// reader stopped).
    Failed {
        /// The file's name.
        name: String,
        /// In Chinese.
        zh: String,
        /// In English.
        en: String,
    },
    /// Remove one file.
    Remove(String),
    /// Remove everything.
    Clear,
    /// A staff decision on the clusters.
    Decide(Decision),
    /// Take back the last decision.
    Undo,
    /// Correct a form's department or grain.
    Override(FormOverride),
    /// Review search text.
    Search(String),
    /// Review department filter.
    FilterDepartment(Option<String>),
    /// Review status filter.
    FilterStatus(StatusFilter),
    /// Review grain filter (`person`, `household`, `village`, `plot`).
    FilterGrain(Option<String>),
    /// Open a form's preview (source index), or close it.
    Preview(Option<usize>),
    /// Staff chose a form's header block; the edge reads the file again with it.
    ChooseHeader {
        /// The file.
        file: String,
        /// The sheet and rows.
        choice: HeaderChoice,
    },
    /// Open the "move to" list for a field, or close it.
    StartMove(Option<crate::plan::FieldRef>),
    /// Open the "merge into" list for the cluster holding a field, or close it.
    StartMerge(Option<crate::plan::FieldRef>),
    /// Show every member of a cluster (by id), not only the first few.
    ShowMembers(String),
    /// Splitting a row-identifying field out was asked for (`None`: not after all).
    AskSplit(Option<crate::plan::FieldRef>),
    /// A project file was opened: its decisions, corrections and lexicon apply from now on.
    OpenProject(Box<Project>),
    /// A saved project was restored at start (files are not kept).
    Restore(Box<Project>),
    /// Last year's project file was opened next to this year's files: show what changed, and
    /// re-apply its decisions, corrections and lexicon additions to this year's forms.
    OpenLastYear(Box<Project>),
    /// Stop comparing with last year (the decisions taken over stay).
    CloseLastYear,
    /// A project file could not be used.
    Message(String, String),
    /// Add an entry to the lexicon additions (names for a data element, maybe a new one).
    AddTerm(TermInput),
    /// Remove the n-th entry of the lexicon additions (as listed by `additions::entries`).
    RemoveTerm(usize),
    /// Add a staff lexicon file's text to the additions.
    ImportLexicon(String),
    /// Remove all lexicon additions (the way out when kept additions are broken).
    ClearLexicon,
    /// The edge reads a file again with the header blocks chosen for it (restored from a
    /// project, see [`AppState::header_rereads`]).
    RereadHeaders(String),
}

impl AppState {
    /// The next state after `action`.
    pub fn apply(&mut self, action: Action) {
        self.message = None;
        self.lexicon_error = None;
        let (project_before, last_before) = (self.project.clone(), self.last_year.clone());
        self.apply_one(action);
        let same = |a: &Option<Rc<Project>>, b: &Option<Rc<Project>>| match (a, b) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same(&project_before, &self.project) || !same(&last_before, &self.last_year) {
            self.year_diff = match (&self.last_year, &self.project) {
                (Some(old), Some(new)) => Some(Rc::new(diff::diff(old, new))),
                _ => None,
            };
        }
    }

    fn apply_one(&mut self, action: Action) {
        match action {
            Action::SetLang(l) => self.lang = l,
            Action::Go(s) => self.step = s,
            Action::Queue(files) => {
                for (name, size) in files {
                    self.files.retain(|f| f.name != name);
                    self.files.push(FileEntry {
                        name,
                        size,
                        status: FileStatus::Waiting,
                        report: None,
                        previews: Rc::new(Vec::new()),
                        read_with: Vec::new(),
                    });
                }
            }
            Action::Reading(name) => {
                if let Some(f) = self.files.iter_mut().find(|f| f.name == name) {
                    f.status = FileStatus::Reading;
                }
            }
            Action::Read {
                name,
                report,
                previews,
            } => {
                if let Some(f) = self.files.iter_mut().find(|f| f.name == name) {
                    f.status = match report.errors.first() {
                        Some(e) if report.format.is_none() => FileStatus::Failed {
                            zh: e.message.clone(),
                            en: e.message_en.clone(),
                        },
                        _ => FileStatus::Read {
                            forms: report.sheets.iter().map(|s| s.forms.len()).sum(),
                            fields: report
                                .sheets
                                .iter()
                                .flat_map(|s| &s.forms)
                                .map(|f| f.fields.len())
                                .sum(),
                        },
                    };
                    f.report = Some(Rc::new(report));
                    f.previews = Rc::new(previews);
                }
                // Merge once the batch is read, not after every file (200 files would merge
                // 200 times).
                if self.busy() == 0 {
                    self.remerge();
                }
            }
            Action::Failed { name, zh, en } => {
                if let Some(f) = self.files.iter_mut().find(|f| f.name == name) {
                    f.status = FileStatus::Failed { zh, en };
                }
                if self.busy() == 0 {
                    self.remerge();
                }
            }
            Action::Remove(name) => {
                self.files.retain(|f| f.name != name);
                self.remerge();
            }
            Action::Clear => {
                self.files.clear();
                self.header_choices.clear();
                self.decisions.clear();
                self.overrides.clear();
                self.project = None;
                self.restored = None;
                self.preview = None;
                self.last_year = None;
                self.detached = false;
            }
            Action::StartMove(f) => self.moving = f,
            Action::StartMerge(f) => self.merging = f,
            Action::ShowMembers(id) => {
                if !self.expanded.contains(&id) {
                    self.expanded.push(id);
                }
            }
            Action::AskSplit(f) => self.confirm_split = f,
            Action::ChooseHeader { file, choice } => {
                self.header_choices
                    .retain(|(f, c)| !(f == &file && c.sheet == choice.sheet));
                self.header_choices.push((file.clone(), choice));
                self.reread(&file);
            }
            Action::RereadHeaders(file) => self.reread(&file),
            Action::Decide(d) => {
                self.moving = None;
                self.merging = None;
                self.confirm_split = None;
                self.decisions.push(d);
                self.remerge();
            }
            Action::Undo => {
                self.decisions.pop();
                self.remerge();
            }
            Action::Override(o) => {
                match self
                    .overrides
                    .iter_mut()
                    .find(|x| x.file == o.file && x.sheet == o.sheet)
                {
                    Some(x) => {
                        if o.department.is_some() {
                            x.department = o.department;
                        }
                        if o.grain.is_some() {
                            x.grain = o.grain;
                        }
                    }
                    None => self.overrides.push(o),
                }
                self.remerge();
            }
            Action::Search(s) => self.search = s,
            Action::FilterDepartment(d) => self.department = d,
            Action::FilterStatus(s) => self.status = s,
            Action::FilterGrain(g) => self.grain = g,
            Action::Preview(p) => self.preview = p,
            Action::OpenProject(p) => {
                self.decisions = p.decisions.clone();
                self.overrides = p.overrides.clone();
                self.lexicon_additions = p.lexicon_additions.clone();
                self.header_choices = project_choices(&p);
                if self.reports().is_empty() {
                    self.project = Some(Rc::new(*p));
                    self.detached = true;
                } else {
                    self.remerge();
                }
            }
            Action::Restore(p) => {
                self.restored = Some(Restored {
                    forms: p.set.sources.len(),
                    decisions: p.decisions.len(),
                });
                self.decisions = p.decisions.clone();
                self.overrides = p.overrides.clone();
                self.lexicon_additions = p.lexicon_additions.clone();
                self.header_choices = project_choices(&p);
                self.project = Some(Rc::new(*p));
                self.detached = true;
            }
            Action::OpenLastYear(p) => self.open_last_year(*p),
            Action::CloseLastYear => self.last_year = None,
            Action::Message(zh, en) => self.message = Some((zh, en)),
            Action::AddTerm(input) => {
                let lex = merge::lexicon_with(&[&self.lexicon_additions])
                    .unwrap_or_else(|_| crate::matching::Lexicon::builtin());
                match Addition::from_input(&lex, &input.element, &input.names, input.kind) {
                    Some(a) => {
                        let text = additions::append(&self.lexicon_additions, &a.to_toml());
                        self.set_lexicon(text);
                    }
                    None if input.element.trim().is_empty() => {
                        self.lexicon_error = Some(both(T::TermNeedsName));
                    }
                    None => self.lexicon_error = Some(both(T::TermNeedsNames)),
                }
            }
            Action::RemoveTerm(i) => {
                let text = additions::remove(&self.lexicon_additions, i);
                self.set_lexicon(Ok(text));
            }
            Action::ImportLexicon(text) => {
                let text = additions::append(&self.lexicon_additions, &text);
                self.set_lexicon(text);
            }
            Action::ClearLexicon => self.set_lexicon(Ok(String::new())),
        }
    }

    /// Takes last year's decisions (following fields renamed since), corrections and lexicon
    /// additions over into this year's set, before this year's own decisions so those win.
    fn open_last_year(&mut self, old: Project) {
        let Some(current) = self.project.clone().filter(|_| !self.reports().is_empty()) else {
            self.message = Some((
                tr(Lang::Zh, T::LastYearNeedsFiles).into(),
                tr(Lang::En, T::LastYearNeedsFiles).into(),
            ));
            return;
        };
        let additions = old.lexicon_additions.trim();
        if !additions.is_empty() && !self.lexicon_additions.contains(additions) {
            if !self.lexicon_additions.is_empty() {
                self.lexicon_additions.push('\n');
            }
            self.lexicon_additions.push_str(additions);
            self.lexicon_additions.push('\n');
        }
        for o in &old.overrides {
            if !self
                .overrides
                .iter()
                .any(|x| x.file == o.file && x.sheet == o.sheet)
            {
                self.overrides.push(o.clone());
            }
        }
        let mut decisions: Vec<Decision> = diff::carry_over(&old, &current.set)
            .into_iter()
            .filter(|d| !self.decisions.contains(d))
            .collect();
        decisions.append(&mut self.decisions);
        self.decisions = decisions;
        self.last_year = Some(Rc::new(old));
        self.remerge();
    }

    /// The reports of the files read so far, in order.
    pub fn reports(&self) -> Vec<FileReport> {
        self.files
            .iter()
            .filter_map(|f| f.report.as_deref())
            .filter(|r| r.format.is_some())
            .cloned()
            .collect()
    }

    /// Files still waiting or being read.
    pub fn busy(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Waiting | FileStatus::Reading))
            .count()
    }

    fn remerge(&mut self) {
        let reports = self.reports();
        let merged = if !reports.is_empty() {
            self.detached = false;
            merge::merge_with(
                &reports,
                &self.lexicon_additions,
                &self.decisions,
                &self.overrides,
            )
        } else if let (true, Some(p)) = (self.detached, &self.project) {
            merge::merge_project_sources(
                p,
                &self.lexicon_additions,
                &self.decisions,
                &self.overrides,
            )
        } else {
            self.project = None;
            return;
        };
        match merged {
            Ok(mut p) => {
                p.header_choices = self
                    .header_choices
                    .iter()
                    .map(|(file, c)| FileHeaderChoice::new(file, c))
                    .collect();
                self.project = Some(Rc::new(p));
            }
            Err(e) => {
                self.message = Some((e.message(Lang::Zh), e.message(Lang::En)));
            }
        }
    }

    /// New lexicon additions, if they are a lexicon: kept, and the set merged again.
    fn set_lexicon(&mut self, text: Result<String, crate::matching::LexiconError>) {
        match text {
            Ok(text) => {
                self.lexicon_additions = text;
                self.remerge();
            }
            Err(e) => self.lexicon_error = Some((e.message(Lang::Zh), e.message(Lang::En))),
        }
    }

    /// A file is read again with the header blocks now chosen for it.
    fn reread(&mut self, file: &str) {
        let choices = self.choices_for(file);
        if let Some(f) = self.files.iter_mut().find(|f| f.name == file) {
            f.status = FileStatus::Reading;
            f.read_with = choices;
        }
    }

    /// Files read with other header blocks than those now chosen for them (a project with
    /// header choices was restored or opened, or its files were added again): the edge reads
    /// each again with its choices and says so with [`Action::RereadHeaders`].
    pub fn header_rereads(&self) -> Vec<(String, Vec<HeaderChoice>)> {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Read { .. }))
            .filter_map(|f| {
                let choices = self.choices_for(&f.name);
                let same = choices.len() == f.read_with.len()
                    && choices.iter().all(|c| f.read_with.contains(c));
                (!same).then(|| (f.name.clone(), choices))
            })
            .collect()
    }

    /// The header blocks staff chose in one file.
    pub fn choices_for(&self, file: &str) -> Vec<HeaderChoice> {
        self.header_choices
            .iter()
            .filter(|(f, _)| f == file)
            .map(|(_, c)| c.clone())
            .collect()
    }

    /// The preview of a source form's sheet, if its file is still in memory.
    pub fn preview_of(&self, source: usize) -> Option<&SheetPreview> {
        let p = self.project.as_ref()?;
        let s = p.set.sources.get(source)?;
        let f = self.files.iter().find(|f| f.name == s.file)?;
        f.previews
            .iter()
            .find(|x| x.sheet == s.sheet)
            .or_else(|| f.previews.first())
    }
}

/// A project's header choices as the state keeps them.
fn project_choices(p: &Project) -> Vec<(String, HeaderChoice)> {
    p.header_choices
        .iter()
        .map(|c| (c.file.clone(), c.choice()))
        .collect()
}

fn both(t: T) -> (String, String) {
    (tr(Lang::Zh, t).to_string(), tr(Lang::En, t).to_string())
}
