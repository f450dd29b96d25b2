//! Write: the consolidated [`FormSet`](crate::plan::FormSet) → file bytes.
//!
//! Like the rest of the core, writers do no I/O: they return the bytes and leave saving or
//! downloading them to the CLI or the web app. Failures are [`WriteError`]s, worded for the
//! clerk who pressed the button, in Chinese and English.

pub mod forms;
pub mod workbook;
pub mod xlsx;
mod zip;

use std::fmt;

use crate::error::Lang;

pub use xlsx::{neutralise, safe_sheet_name, set_sheet_names, to_xlsx, to_xlsx_filled, DATA_ROWS};

/// The widest sheet Excel can hold (columns A to XFD).
pub const MAX_COLUMNS: usize = 16_384;

/// Why the form set could not be written as a workbook.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// The spreadsheet library refused to write the workbook. This is a bug or a limit of this
    /// tool, not something the clerk did; `detail` is the library's own technical reason, kept
    /// for support.
    Xlsx { detail: String },
    /// A sheet of the set would be wider than the 16,384 columns Excel can hold.
    TooManyColumns { sheet: String },
    /// The form set points at something it does not hold (a column naming a field that does not
    /// exist, a field naming a form that does not exist). It happens only when a project file
    /// was edited by hand or damaged; `detail` says where, for support.
    Inconsistent { detail: String },
}

impl WriteError {
    /// A stable machine-readable code, for JSON output and the web app.
    pub fn code(&self) -> &'static str {
        match self {
            WriteError::Xlsx { .. } => "write_failed",
            WriteError::TooManyColumns { .. } => "too_many_columns",
            WriteError::Inconsistent { .. } => "inconsistent_plan",
        }
    }

    /// The message shown to a person, with what to do about it.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (WriteError::Xlsx { detail }, Lang::Zh) => format!(
                "生成 Excel 文件时出错，请把本条信息发给技术支持。技术原因：{detail}"
            ),
            (WriteError::Xlsx { detail }, Lang::En) => format!(
                "The Excel file could not be written. Please send this message to support. Technical reason: {detail}"
            ),
            (WriteError::TooManyColumns { sheet }, Lang::Zh) => format!(
                "工作表「{sheet}」超过 Excel 最多 16,384 列的上限，无法生成。请把该表的字段分到两张表中。"
            ),
            (WriteError::TooManyColumns { sheet }, Lang::En) => format!(
                "Sheet \"{sheet}\" would be wider than the 16,384 columns Excel can hold. Split its fields over two sheets."
            ),
            (WriteError::Inconsistent { detail }, Lang::Zh) => format!(
                "套表方案内容前后不一致，无法生成 Excel 文件（项目文件可能被手工改动或已损坏）。请重新生成套表方案。技术原因：{detail}"
            ),
            (WriteError::Inconsistent { detail }, Lang::En) => format!(
                "The form set contradicts itself and cannot be written (the project file may have been edited by hand or damaged). Plan the set again. Technical reason: {detail}"
            ),
        }
    }
}

impl From<workbook::XlsxError> for WriteError {
    fn from(err: workbook::XlsxError) -> Self {
        WriteError::Xlsx {
            detail: err.to_string(),
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for WriteError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each message word for word in both languages: a change of wording must be deliberate.
    #[test]
    fn messages_are_pinned() {
        let cases: &[(WriteError, &str, &str, &str)] = &[
            (
                WriteError::Xlsx { detail: "Worksheet name is already in use".into() },
                "write_failed",
                "生成 Excel 文件时出错，请把本条信息发给技术支持。技术原因：Worksheet name is already in use",
                "The Excel file could not be written. Please send this message to support. Technical reason: Worksheet name is already in use",
            ),
            (
                WriteError::TooManyColumns { sheet: "人员基本信息".into() },
                "too_many_columns",
                "工作表「人员基本信息」超过 Excel 最多 16,384 列的上限，无法生成。请把该表的字段分到两张表中。",
                "Sheet \"人员基本信息\" would be wider than the 16,384 columns Excel can hold. Split its fields over two sheets.",
            ),
            (
                WriteError::Inconsistent { detail: "sheet 0 column 2: canonical field 57 of 40".into() },
                "inconsistent_plan",
                "套表方案内容前后不一致，无法生成 Excel 文件（项目文件可能被手工改动或已损坏）。请重新生成套表方案。技术原因：sheet 0 column 2: canonical field 57 of 40",
                "The form set contradicts itself and cannot be written (the project file may have been edited by hand or damaged). Plan the set again. Technical reason: sheet 0 column 2: canonical field 57 of 40",
            ),
        ];
        for (err, code, zh, en) in cases {
            assert_eq!(err.code(), *code);
            assert_eq!(err.message(Lang::Zh), *zh);
            assert_eq!(err.message(Lang::En), *en);
            assert_eq!(err.to_string(), *zh);
        }
    }

    #[test]
    fn library_errors_keep_their_text() {
        let err = WriteError::from(workbook::XlsxError::RowColumnLimitError);
        assert_eq!(err.code(), "write_failed");
        assert!(matches!(&err, WriteError::Xlsx { detail } if !detail.is_empty()));
    }
}
