//! The consolidated form set as data: source forms and their fields, canonical fields (one per
//! cluster), the sheets of the set with their columns, and the burden figures.
//!
//! Everything here is plain serialisable data. It is the project file's body and the only thing
//! the xlsx writer reads. Lists are arrays, never objects keyed by header text; cross references
//! are indexes into the arrays of [`FormSet`].

use serde::{Deserialize, Serialize};

/// One departmental form that went into the set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceForm {
    /// The file name as given.
    pub file: String,
    /// The sheet the form is on.
    pub sheet: String,
    /// The form's title, or the sheet/file name when it has none.
    pub title: String,
    /// `roster`, `card`, `indicator` or `questionnaire` (`roster` in project files from before
    /// shapes were told apart). A card is one record of its grain.
    #[serde(default = "crate::inspect::roster_shape")]
    pub shape: String,
    /// The department that issues it (`民政`, `农业农村` …), from the file name, the title, the
    /// sheet name or the field names.
    pub department: String,
    /// What said which department it is ([`crate::reasons`]: `文件名中有“民政”` …); empty in
    /// project files from before it was kept, and after a staff correction.
    #[serde(default)]
    pub department_reason: String,
    /// `per_person`, `per_household`, `per_village`, `per_plot` or `unknown`.
    pub grain: String,
    /// How often it is filled (`年报`, `季报`, `月报`), from its title; `年报` when unsaid.
    pub frequency: String,
    /// The header block's rows (1-based).
    pub header_rows: Vec<u32>,
    /// Header cells (group and leaf cells) a filler reads: a burden figure.
    pub header_cells: u32,
    /// The first data row (1-based), where the form's data would start.
    pub data_first_row: u32,
    /// The form's leaf columns, left to right.
    pub fields: Vec<SourceField>,
    /// The fields (canonical ids) its rows are joined by to the base table of its grain: the
    /// base table's own key when the form has it, else the best it has — a certificate number
    /// that embeds the ID number, name + the head's ID, name + village
    /// ([`crate::plan::build::join_key_of`]). Empty when it has none, or no base table is
    /// of its grain's kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub join_key: Vec<String>,
    /// The form's own layout around the data (title, reporter line, header block, footer),
    /// for writing it back filled. Empty in project files from before it was kept.
    #[serde(default)]
    pub template: crate::inspect::FormTemplate,
}

impl SourceForm {
    /// A card, indicator report or questionnaire: filled once per record (a person, a
    /// household, a village), each value in its own cell ([`SourceField::value_cell`]) — one
    /// sheet per record when pre-filled from and split back.
    pub fn is_record_form(&self) -> bool {
        matches!(self.shape.as_str(), "card" | "indicator" | "questionnaire")
            && self.fields.iter().any(|f| f.value_cell.is_some())
    }

    /// A questionnaire: each item's answer is the option ticked in its row, its value cell
    /// the first option's.
    pub fn is_questionnaire(&self) -> bool {
        self.shape == "questionnaire"
    }
}

/// One leaf column of a source form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceField {
    /// 1-based column.
    pub column: u32,
    /// Column letters.
    pub column_letter: String,
    /// Header texts top-down, exactly as in the cells.
    pub header_path: Vec<String>,
    /// Normalised leaf name.
    pub name: String,
    /// Unit as written.
    pub unit: Option<String>,
    /// `text`, `integer`, `decimal`, `date`, `id_number`, `phone`, `enum`, `yes_no`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Allowed values.
    pub enum_values: Vec<String>,
    /// Marked required.
    pub required: bool,
    /// `data` or `structural`.
    pub role: String,
    /// Id of its canonical field ([`CanonicalField::id`]); `None` for 序号-like columns: the
    /// set numbers its own rows, and the crosswalk lists them as such. A 备注 column, also
    /// structural, has a field of its own ([`CanonicalField::is_remarks`]).
    pub canonical: Option<String>,
    /// Whose fact it is on this form (`person`, `household`, `village`, `plot`, `unknown`):
    /// a household's size on a person roster is the household's. Decides which base table
    /// holds its value. Empty in project files from before it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub level: String,
    /// A card's, indicator's or questionnaire's item: its label's cell (A1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_cell: Option<String>,
    /// A card's, indicator's or questionnaire's item: the cell its value is written in (A1),
    /// so a record goes back into the form's own layout and is read from it again. `None` for
    /// a roster's column, whose values go down [`SourceField::column`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_cell: Option<String>,
}

/// A field of the set: one cluster of source fields that mean the same thing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CanonicalField {
    /// Stable id (`person.id_number`, `head@person.name`, `n:宅基地面积`).
    pub id: String,
    /// The name printed in the set's header.
    pub name: String,
    /// Canonical unit (`亩`, `元`, `㎡`), if any.
    pub unit: Option<String>,
    /// Value type (as in [`SourceField::ty`], or `code`: an identifier other than an ID or
    /// phone number). ID numbers, phone numbers and codes are written as text
    /// ([`super::identifier`]).
    #[serde(rename = "type")]
    pub ty: String,
    /// How many characters every value has, when its data element fixes it (18 for an ID
    /// number, 6 for a postcode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// The union of the members' allowed values, in first-seen order.
    pub enum_values: Vec<String>,
    /// Members' value lists disagree (neither contains the other): a reviewer should look.
    pub enum_conflict: bool,
    /// Required in at least one source form.
    pub required: bool,
    /// Whose fact it is: `person`, `household`, `village`, `plot`.
    pub grain: String,
    /// Departments that ask for it, in first-seen order.
    pub departments: Vec<String>,
    /// Members as `[source form index, field index within that form]`. Empty for a key column
    /// no form asked for, and for a form's own remarks ([`CanonicalField::is_remarks`]), which
    /// no cluster holds: no staff decision applies to them.
    pub members: Vec<[usize; 2]>,
    /// 0–1: how sure the matcher is that the members belong together (1 = confirmed by staff).
    pub confidence: f32,
    /// Why the members were put together, in Chinese.
    pub reasons: Vec<String>,
    /// Staff marked it "drop (no basis)": it is not in the set, only in the crosswalk.
    pub dropped: bool,
}

/// The id prefix of a form's own remarks field: `remark:3.15` is field 15 of form 3.
pub const REMARKS_ID: &str = "remark:";

impl CanonicalField {
    /// A form's own 备注 (remarks) column: it sits on that form's own sheet only, and its
    /// values go back to that form's 备注 when the set is split. It is not a fact two forms
    /// share, so it is not counted in the burden figures.
    pub fn is_remarks(&self) -> bool {
        self.id.starts_with(REMARKS_ID)
    }
}

/// Whether a sheet of the set holds shared facts or one form's own fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetSheetKind {
    /// 村基本情况 / 农户基本信息 / 人员基本信息 / 地块信息: facts two or more forms need.
    #[default]
    Base,
    /// One original form's remaining fields plus the keys that join them to a base table.
    Topic,
}

/// One sheet of the set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SetSheet {
    /// Sheet name (≤ 31 characters, unique, no `[]:*?/\`).
    pub name: String,
    /// Base table or topic sheet.
    pub kind: SetSheetKind,
    /// One row per `person`, `household`, `village` or `plot`.
    pub grain: String,
    /// How often it is filled (`年报`, …).
    pub frequency: String,
    /// Departments served.
    pub departments: Vec<String>,
    /// Source forms (indexes) whose fields live here.
    pub replaces: Vec<usize>,
    /// One line on what the sheet is for, in Chinese.
    pub purpose: String,
    /// Columns, left to right (序号 is not listed: every sheet starts with it).
    pub columns: Vec<SetColumn>,
}

/// One column of a sheet of the set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SetColumn {
    /// Index into [`FormSet::canonical`].
    pub canonical: usize,
    /// Header group above the leaf (merged across its columns), if any.
    pub group: Option<String>,
    /// Leaf header text, with the unit: `承包地面积（亩）`.
    pub header: String,
    /// A key column (joins the sheet's rows to a base table or identifies them).
    pub key: bool,
    /// Must be filled.
    pub required: bool,
}

/// Before/after counts of what villages fill.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Burden {
    /// Per grain (`person`, `household`, `village`, `plot`, `unknown`).
    pub by_grain: Vec<BurdenRow>,
    /// Per department.
    pub by_department: Vec<BurdenRow>,
    /// Totals.
    pub total: BurdenRow,
    /// Departments (rows) × departments (columns): canonical fields both ask for.
    pub overlap: OverlapMatrix,
}

/// One line of burden figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BurdenRow {
    /// What the line counts (a grain or a department).
    pub label: String,
    /// Original forms.
    pub forms_before: u32,
    /// Data columns over those forms.
    pub fields_before: u32,
    /// Header cells over those forms.
    pub header_cells_before: u32,
    /// Sheets of the set for it.
    pub sheets_after: u32,
    /// Columns of the set for it (each shared fact counted once).
    pub fields_after: u32,
}

/// Department × department overlap.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OverlapMatrix {
    /// Department names, in order.
    pub departments: Vec<String>,
    /// `counts[i][j]`: canonical fields asked for by both department i and j (`[i][i]`: all of i's).
    pub counts: Vec<Vec<u32>>,
}

/// The consolidated annual form set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormSet {
    /// Title of the set, e.g. `青山县2025年村级综合报表`.
    pub title: String,
    /// Source forms.
    pub sources: Vec<SourceForm>,
    /// Canonical fields.
    pub canonical: Vec<CanonicalField>,
    /// Sheets of the set, in order: base tables (village, household, person, plot), then
    /// topic sheets.
    pub sheets: Vec<SetSheet>,
    /// Before/after figures.
    pub burden: Burden,
}
