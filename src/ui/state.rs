//! The app's state and its one pure reducer: actions in, next state out. No browser, no
//! storage, no clock — the web edge (`ui::app`) reads files, downloads and saves; this file only
//! decides. It is compiled and tested natively.

use std::rc::Rc;

use crate::diff::{self, ProjectDiff};
use crate::error::Lang;
use crate::inspect::{FileReport, HeaderChoice, SheetPreview};
use crate::matching::additions::{self, Addition};
use crate::merge::{self, FileHeaderChoice, FormOverride, Project};
use crate::plan::{Decision, FieldRef};

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

/// How the review groups its clusters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupBy {
    /// One list.
    #[default]
    None,
    /// By department: the clusters several departments share, then each department's own.
    Department,
    /// By original form: the clusters several forms share, then each form's own.
    Form,
}

/// Which clusters a bulk 确认 takes: always those listed under the current filters and not
/// decided yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bulk {
    /// Those at least this sure (percent).
    Above(u8),
    /// All of them, when a department is chosen in the filters.
    Department,
    /// All of them, when a form is chosen in the filters.
    Form,
}

/// What the review says about the last action, until the next one or dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The cluster acted on moved in the list, or left it under the current filters.
    Moved {
        /// Its name.
        name: String,
        /// Its id now, for 转到.
        id: String,
        /// What was done: `accept`, `drop`, `split`, `move`, `merge`, `rename`.
        done: &'static str,
        /// Its place in the list now (1-based), or `None`: not listed under these filters.
        position: Option<usize>,
    },
    /// A bulk 确认 confirmed this many clusters (one 撤销上一步 takes them all back).
    Bulk(usize),
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
    /// The fingerprint of its bytes ([`crate::fingerprint::content_hash`]), once read.
    pub hash: Option<u64>,
    /// An earlier file with the same bytes under another name: until staff choose (skip or keep
    /// both), this file is left out of the set.
    pub duplicate_of: Option<String>,
    /// Staff chose to keep this file although another has the same bytes.
    pub kept: bool,
    /// This file replaces one of the same name added before: that one's fingerprint, so the
    /// app can say whether the content was the same.
    pub replaces: Option<Option<u64>>,
}

impl FileEntry {
    fn queued(name: String, size: usize) -> FileEntry {
        FileEntry {
            name,
            size,
            status: FileStatus::Waiting,
            report: None,
            previews: Rc::new(Vec::new()),
            read_with: Vec::new(),
            hash: None,
            duplicate_of: None,
            kept: false,
            replaces: None,
        }
    }
}

/// Something the app tells staff about files they added, until dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A file of this name was added again with the same bytes: it is kept once.
    AlreadyAdded(String),
    /// A file of this name was added again with other bytes: the new one replaces it.
    Replaced(String),
}

/// The files of a batch being read, as the edge saves them in browser storage while it is
/// read, so that after a reload the app can say which were read and which must be added again.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchRecord {
    /// The batch's files, in order.
    pub files: Vec<BatchFile>,
}

/// One file of a [`BatchRecord`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchFile {
    /// The file's name.
    pub name: String,
    /// Whether it had been read (or had failed) when the record was saved.
    pub read: bool,
}

/// What was restored from browser storage at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// Original forms in the restored project.
    pub forms: usize,
    /// Staff decisions restored.
    pub decisions: usize,
    /// The restored forms' files, with the forms each holds, in the project's order.
    pub files: Vec<(String, usize)>,
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
    /// What to tell staff about files added again (same name), until dismissed.
    pub notices: Vec<Notice>,
    /// The names of the batch being read (since the last time nothing was being read).
    pub batch: Vec<String>,
    /// A batch that was still being read when the page was closed or reloaded.
    pub interrupted: Option<BatchRecord>,
    /// 全部清除 was asked for: the page asks first.
    pub confirm_clear: bool,
    /// The state before the last 全部清除, kept in memory so it can be undone.
    pub cleared: Option<Rc<AppState>>,
    /// The review's form filter (index into the project's sources).
    pub form: Option<usize>,
    /// How the review groups its clusters.
    pub group: GroupBy,
    /// Groups (by [`ClusterGroup::key`](super::view::ClusterGroup)) folded by staff.
    pub folded: Vec<String>,
    /// Clusters drawn in each group before "show more" (0: the default,
    /// [`CLUSTERS_SHOWN`](super::view::CLUSTERS_SHOWN)).
    pub shown: usize,
    /// The confidence (percent) 全部确认 takes clusters from; 0: the default, 90.
    pub bulk_threshold: u8,
    /// How many decisions each undoable step added (a bulk 确认 is one step), oldest first;
    /// decisions before the first step (an opened project's) are taken back one by one.
    pub undo_steps: Vec<usize>,
    /// What the review says about the last action.
    pub note: Option<Note>,
    /// The cluster (by id) whose first button gets the keyboard focus once drawn: after a
    /// decision, the one after the cluster acted on.
    pub focus: Option<String>,
    /// Counts focus requests, so that the same cluster is focused again when asked again.
    pub focus_seq: u64,
    /// The last merge before decisions, kept so that a decision only plans the set again.
    pub merged: MergeCache,
}

/// The last merge before staff decisions ([`merge::Prepared`]), if it still holds: the
/// project came from it. Compared by identity.
#[derive(Clone, Debug, Default)]
pub struct MergeCache(Option<Rc<merge::Prepared>>);

impl PartialEq for MergeCache {
    fn eq(&self, other: &MergeCache) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
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
        /// The fingerprint of its bytes (`None`: read again, the same bytes).
        hash: Option<u64>,
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
    /// 全部清除 was asked for (`true`), or not after all (`false`).
    AskClear(bool),
    /// Remove everything (the state before is kept for [`Action::UndoClear`]).
    Clear,
    /// Bring back what the last [`Action::Clear`] removed.
    UndoClear,
    /// Files with the same bytes as an earlier one under another name: keep them in the set
    /// (`true`), or skip them (`false`).
    Duplicates {
        /// Keep both.
        keep: bool,
    },
    /// The notices about files added again were read.
    DismissNotices,
    /// At start: a batch was still being read when the page was closed or reloaded.
    Interrupted(BatchRecord),
    /// The interrupted batch's list was read.
    DismissInterrupted,
    /// A staff decision on the clusters.
    Decide(Decision),
    /// Take back the last decision (a bulk 确认 as a whole).
    Undo,
    /// Confirm many clusters as one step.
    AcceptAll(Bulk),
    /// The confidence (percent) 全部确认 takes clusters from.
    BulkThreshold(u8),
    /// Review form filter (source index).
    FilterForm(Option<usize>),
    /// How the review groups its clusters.
    Group(GroupBy),
    /// Fold or unfold a group of the review (by its key).
    Fold(String),
    /// Draw more clusters of each group.
    ShowMoreClusters,
    /// Show a cluster (by id): the filters that hide it are cleared, its group unfolded, and
    /// it gets the focus.
    GoTo(String),
    /// The note about the last action was read.
    DismissNote,
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
                if self.busy() == 0 {
                    self.batch.clear();
                }
                self.notices.clear();
                self.cleared = None;
                self.confirm_clear = false;
                for (name, size) in files {
                    let mut entry = FileEntry::queued(name, size);
                    if let Some(i) = self.files.iter().position(|f| f.name == entry.name) {
                        let old = self.files.remove(i);
                        entry.replaces = Some(old.hash);
                    }
                    if !self.batch.contains(&entry.name) {
                        self.batch.push(entry.name.clone());
                    }
                    self.files.push(entry);
                }
            }
            Action::Reading(name) => {
                if let Some(f) = self.files.iter_mut().find(|f| f.name == name) {
                    f.status = FileStatus::Reading;
                }
            }
            Action::Read {
                name,
                hash,
                report,
                previews,
            } => {
                if let Some(f) = self.files.iter_mut().find(|f| f.name == name) {
                    if let Some(h) = hash {
                        if let Some(old) = f.replaces.take() {
                            self.notices.push(if old == Some(h) {
                                Notice::AlreadyAdded(name.clone())
                            } else {
                                Notice::Replaced(name.clone())
                            });
                        }
                        f.hash = Some(h);
                    }
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
                self.mark_duplicates();
                // Merge once the batch is read, not after every file (200 files would merge
                // 200 times).
                self.remerge_when_read();
            }
            Action::Failed { name, zh, en } => {
                if let Some(f) = self.files.iter_mut().find(|f| f.name == name) {
                    f.status = FileStatus::Failed { zh, en };
                }
                self.remerge_when_read();
            }
            Action::Remove(name) => {
                self.files.retain(|f| f.name != name);
                self.mark_duplicates();
                self.remerge();
            }
            Action::AskClear(ask) => self.confirm_clear = ask,
            Action::UndoClear => {
                if let Some(before) = self.cleared.take() {
                    let (lang, step) = (self.lang, self.step);
                    *self = (*before).clone();
                    self.lang = lang;
                    self.step = step;
                }
            }
            Action::Duplicates { keep } => {
                if keep {
                    for f in self.files.iter_mut().filter(|f| f.duplicate_of.is_some()) {
                        f.duplicate_of = None;
                        f.kept = true;
                    }
                } else {
                    self.files.retain(|f| f.duplicate_of.is_none());
                    self.batch
                        .retain(|n| self.files.iter().any(|f| &f.name == n));
                }
                self.remerge_when_read();
            }
            Action::DismissNotices => self.notices.clear(),
            Action::Interrupted(record) => {
                self.interrupted = (!record.files.is_empty()).then_some(record);
            }
            Action::DismissInterrupted => self.interrupted = None,
            Action::Clear => {
                let mut before = self.clone();
                before.confirm_clear = false;
                before.cleared = None;
                self.cleared = Some(Rc::new(before));
                self.confirm_clear = false;
                self.notices.clear();
                self.batch.clear();
                self.interrupted = None;
                self.files.clear();
                self.header_choices.clear();
                self.decisions.clear();
                self.undo_steps.clear();
                self.note = None;
                self.overrides.clear();
                self.project = None;
                self.merged = MergeCache(None);
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
                let before = super::view::review_order(self);
                let acted = acted_field(&d).clone();
                self.decisions.push(d.clone());
                self.undo_steps.push(1);
                self.redecide();
                self.after_decision(&before, &acted, &d);
            }
            Action::AcceptAll(bulk) => {
                let fields = super::view::bulk_fields(self, bulk);
                if !fields.is_empty() {
                    self.moving = None;
                    self.merging = None;
                    self.confirm_split = None;
                    self.undo_steps.push(fields.len());
                    self.note = Some(Note::Bulk(fields.len()));
                    self.decisions
                        .extend(fields.into_iter().map(|field| Decision::Accept { field }));
                    self.redecide();
                }
            }
            Action::BulkThreshold(t) => self.bulk_threshold = t.clamp(1, 100),
            Action::Undo => {
                let n = self.undo_steps.pop().unwrap_or(1);
                let keep = self.decisions.len().saturating_sub(n);
                self.decisions.truncate(keep);
                self.note = None;
                self.redecide();
            }
            Action::FilterForm(f) => self.form = f,
            Action::Group(g) => {
                self.group = g;
                self.folded.clear();
            }
            Action::Fold(key) => {
                if let Some(i) = self.folded.iter().position(|k| *k == key) {
                    self.folded.remove(i);
                } else {
                    self.folded.push(key);
                }
            }
            Action::ShowMoreClusters => {
                self.shown = self.clusters_shown() + super::view::CLUSTERS_SHOWN;
            }
            Action::GoTo(id) => {
                if !super::view::review_order(self).iter().any(|r| r.id == id) {
                    self.search.clear();
                    self.department = None;
                    self.form = None;
                    self.grain = None;
                    self.status = StatusFilter::All;
                }
                self.note = None;
                self.focus_on(&id);
            }
            Action::DismissNote => self.note = None,
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
                self.undo_steps.clear();
                self.decisions = p.decisions.clone();
                self.overrides = p.overrides.clone();
                self.lexicon_additions = p.lexicon_additions.clone();
                self.header_choices = project_choices(&p);
                if self.reports().is_empty() {
                    self.project = Some(Rc::new(*p));
                    self.merged = MergeCache(None);
                    self.detached = true;
                } else {
                    self.remerge();
                }
            }
            Action::Restore(p) => {
                let mut files: Vec<(String, usize)> = Vec::new();
                for s in &p.set.sources {
                    match files.iter_mut().find(|(f, _)| *f == s.file) {
                        Some((_, n)) => *n += 1,
                        None => files.push((s.file.clone(), 1)),
                    }
                }
                self.restored = Some(Restored {
                    forms: p.set.sources.len(),
                    decisions: p.decisions.len(),
                    files,
                });
                self.undo_steps.clear();
                self.decisions = p.decisions.clone();
                self.overrides = p.overrides.clone();
                self.lexicon_additions = p.lexicon_additions.clone();
                self.header_choices = project_choices(&p);
                self.project = Some(Rc::new(*p));
                self.merged = MergeCache(None);
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

    /// Clusters drawn in each group of the review before "show more".
    pub fn clusters_shown(&self) -> usize {
        if self.shown == 0 {
            super::view::CLUSTERS_SHOWN
        } else {
            self.shown
        }
    }

    /// The confidence (percent) 全部确认 takes clusters from.
    pub fn threshold(&self) -> u8 {
        if self.bulk_threshold == 0 {
            90
        } else {
            self.bulk_threshold
        }
    }

    /// Asks for the focus on a cluster, unfolding its group and drawing far enough down its
    /// group to reach it.
    fn focus_on(&mut self, id: &str) {
        let groups = super::view::cluster_groups(self);
        self.focus_in(&groups, id);
    }

    /// [`Self::focus_on`] with the review's groups at hand.
    fn focus_in(&mut self, groups: &[super::view::ClusterGroup], id: &str) {
        for g in groups {
            if let Some(i) = g.rows.iter().position(|r| r.id == id) {
                self.folded.retain(|k| *k != g.key);
                let step = super::view::CLUSTERS_SHOWN;
                if i >= self.clusters_shown() {
                    self.shown = (i / step + 1) * step;
                }
            }
        }
        self.focus = Some(id.to_string());
        self.focus_seq += 1;
    }

    /// After a decision on the cluster holding `acted` (the list was `before`): the focus goes
    /// to the cluster that followed it (or preceded it, when it was the last), and a note says
    /// where the cluster went if it moved or left the list.
    fn after_decision(
        &mut self,
        before: &[super::view::ClusterRow],
        acted: &FieldRef,
        d: &Decision,
    ) {
        let holds =
            |r: &super::view::ClusterRow, f: &FieldRef| r.members.iter().any(|m| &m.field == f);
        let Some(at) = before.iter().position(|r| holds(r, acted)) else {
            return;
        };
        let groups = super::view::cluster_groups(self);
        let after: Vec<&super::view::ClusterRow> = groups
            .iter()
            .filter(|g| !g.folded)
            .flat_map(|g| &g.rows)
            .collect();
        let next = before
            .get(at + 1)
            .or_else(|| at.checked_sub(1).and_then(|i| before.get(i)))
            .and_then(|r| r.members.first());
        let focus = next
            .and_then(|m| after.iter().find(|r| holds(r, &m.field)))
            .or_else(|| after.get(at).or(after.last()))
            .map(|r| r.id.clone());
        let now = after.iter().position(|r| holds(r, acted));
        let row = now.and_then(|i| after.get(i)).map(|r| (*r).clone());
        if let Some(id) = focus {
            self.focus_in(&groups, &id);
        }
        if now == Some(at) {
            self.note = None;
            return;
        }
        // Not listed under the filters any more: found among all clusters.
        let row = row.or_else(|| {
            super::view::cluster_rows(&AppState {
                search: String::new(),
                department: None,
                form: None,
                status: StatusFilter::All,
                grain: None,
                project: self.project.clone(),
                ..AppState::default()
            })
            .into_iter()
            .find(|r| holds(r, acted))
        });
        let Some(row) = row else {
            self.note = None;
            return;
        };
        self.note = Some(Note::Moved {
            name: row.name.clone(),
            id: row.id.clone(),
            done: match d {
                Decision::Accept { .. } => "accept",
                Decision::Drop { .. } => "drop",
                Decision::Split { .. } => "split",
                Decision::Move { .. } => "move",
                Decision::Merge { .. } => "merge",
                _ => "rename",
            },
            position: now.map(|i| i + 1),
        });
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

    /// The reports of the files read so far, in order; a file whose bytes an earlier file
    /// already has is left out until staff choose to keep it.
    pub fn reports(&self) -> Vec<FileReport> {
        self.files
            .iter()
            .filter(|f| f.duplicate_of.is_none())
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

    /// Merges once nothing is being read; the batch is over then.
    fn remerge_when_read(&mut self) {
        if self.busy() == 0 {
            self.batch.clear();
            self.remerge();
        }
    }

    /// Each read file whose bytes an earlier file (in the list's order) has is marked as that
    /// file's copy, unless staff chose to keep it.
    fn mark_duplicates(&mut self) {
        for i in 0..self.files.len() {
            let (before, rest) = self.files.split_at_mut(i);
            let f = &mut rest[0];
            f.duplicate_of = match f.hash {
                Some(h) if !f.kept => before
                    .iter()
                    .find(|b| b.hash == Some(h))
                    .map(|b| b.name.clone()),
                _ => None,
            };
        }
    }

    /// Files whose bytes an earlier file has, waiting for staff to skip or keep them: (file,
    /// the earlier file).
    pub fn duplicates(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .filter_map(|f| Some((f.name.clone(), f.duplicate_of.clone()?)))
            .collect()
    }

    /// While a batch is being read: its files and which are read, for the edge to save (see
    /// [`BatchRecord`]); `None` when nothing is being read.
    pub fn batch_record(&self) -> Option<BatchRecord> {
        if self.busy() == 0 {
            return None;
        }
        let files = self
            .batch
            .iter()
            .filter_map(|n| self.files.iter().find(|f| &f.name == n))
            .map(|f| BatchFile {
                name: f.name.clone(),
                read: !matches!(f.status, FileStatus::Waiting | FileStatus::Reading),
            })
            .collect();
        Some(BatchRecord { files })
    }

    /// The interrupted batch's files, each with whether it was read then and whether it has
    /// been added again since.
    pub fn interrupted_files(&self) -> Vec<(&BatchFile, bool)> {
        self.interrupted
            .iter()
            .flat_map(|r| &r.files)
            .map(|b| (b, self.files.iter().any(|f| f.name == b.name)))
            .collect()
    }

    /// The restored project's files not added again, with their forms: step ① lists them, so
    /// it agrees with the restore banner. While the project is detached they are its forms;
    /// once other files are read, they are not in the set any more until added again.
    pub fn restored_files(&self) -> Vec<(&str, usize)> {
        self.restored
            .iter()
            .flat_map(|r| &r.files)
            .filter(|(name, _)| !self.files.iter().any(|f| &f.name == name))
            .map(|(name, n)| (name.as_str(), *n))
            .collect()
    }

    /// Merges from scratch: files, corrections or lexicon additions changed.
    fn remerge(&mut self) {
        self.merged = MergeCache(None);
        let reports = self.reports();
        let prepared = if !reports.is_empty() {
            self.detached = false;
            merge::Prepared::from_reports(&reports, &self.lexicon_additions, &self.overrides)
        } else if let (true, Some(p)) = (self.detached, &self.project) {
            merge::Prepared::from_project(p, &self.lexicon_additions, &self.overrides)
        } else {
            self.project = None;
            return;
        };
        match prepared {
            Ok(prepared) => {
                self.merged = MergeCache(Some(Rc::new(prepared)));
                self.redecide();
            }
            Err(e) => {
                self.message = Some((e.message(Lang::Zh), e.message(Lang::En)));
            }
        }
    }

    /// Plans the set again after the decisions changed, from the clustering kept since the
    /// last merge (a merge from scratch when there is none).
    fn redecide(&mut self) {
        let Some(prepared) = self.merged.0.clone() else {
            return self.remerge();
        };
        let mut p = prepared.decide(&self.decisions);
        p.header_choices = self
            .header_choices
            .iter()
            .map(|(file, c)| FileHeaderChoice::new(file, c))
            .collect();
        self.project = Some(Rc::new(p));
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

    /// The format a file was read as (`"xlsx"`, `"html"`, `"xml2003"`…), if it is in memory.
    pub fn format_of(&self, file: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.name == file)?
            .report
            .as_ref()?
            .format
            .as_deref()
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

/// The field a decision is about: after it, that field's cluster is the one acted on.
fn acted_field(d: &Decision) -> &FieldRef {
    match d {
        Decision::Merge { b, .. } => b,
        Decision::Accept { field }
        | Decision::Drop { field }
        | Decision::Split { field }
        | Decision::Move { field, .. }
        | Decision::Rename { field, .. } => field,
    }
}

fn both(t: T) -> (String, String) {
    (tr(Lang::Zh, t).to_string(), tr(Lang::En, t).to_string())
}
