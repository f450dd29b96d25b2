//! The web app's logic. `state` (the pure reducer), `view` (what lists and charts show) and
//! `i18n` (every string) are plain Rust, tested natively; `app` (the frame and its effects), one
//! module per step (`files_step` … `split_step`) and `edge` (file reading, downloads, storage)
//! are built only for wasm32.

use crate::error::Lang;

pub mod i18n;
pub mod state;
pub mod terms;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod edge;
#[cfg(target_arch = "wasm32")]
pub mod export_step;
#[cfg(target_arch = "wasm32")]
pub mod files_step;
#[cfg(target_arch = "wasm32")]
pub mod forms_step;
#[cfg(target_arch = "wasm32")]
pub mod lexicon_panel;
#[cfg(target_arch = "wasm32")]
pub mod prefill;
#[cfg(target_arch = "wasm32")]
pub mod review_step;
#[cfg(target_arch = "wasm32")]
pub mod set_step;
#[cfg(target_arch = "wasm32")]
pub mod split_step;

/// Preview size: enough rows for a title, a 3-row header and the first data rows.
pub const PREVIEW_ROWS: u32 = 14;
/// Preview width.
pub const PREVIEW_COLS: u32 = 14;

/// What a pre-filled set gave, for the page to list: counts, and the first lines of each kind
/// in both languages (staff may switch language after).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PrefillSummary {
    /// Original files read and used.
    pub files: usize,
    /// Rows written, all sheets.
    pub rows: usize,
    /// Facts two forms disagree on.
    pub conflicts: usize,
    /// Rows of the pre-filled set lacking keys, by the rule split back reports them with
    /// ([`crate::split::missing_key`]).
    pub unplaced: usize,
    /// Files that could not be read again, `name: why` (Chinese, English).
    pub unreadable: Vec<(String, String)>,
    /// The first [`PREFILL_LINES`] disagreements (Chinese, English).
    pub conflict_lines: Vec<(String, String)>,
    /// The first [`PREFILL_LINES`] rows without keys, then rows whose shared facts found no
    /// base-table row (Chinese, English).
    pub unplaced_lines: Vec<(String, String)>,
    /// Values added to the pre-filled set's dropdowns because an original had them.
    #[serde(default)]
    pub extended: usize,
    /// The first [`PREFILL_LINES`] of them (Chinese, English).
    #[serde(default)]
    pub extended_lines: Vec<(String, String)>,
}

/// Lines of each kind a [`PrefillSummary`] keeps.
pub const PREFILL_LINES: usize = 50;

/// The set filled from the original files' bytes, as .xlsx in `lang`, and what to tell staff;
/// or why the workbook could not be written (Chinese, English). Run by a worker.
pub fn prefill(
    set: &crate::plan::FormSet,
    files: &[(&str, &[u8])],
    lang: Lang,
) -> Result<(Vec<u8>, PrefillSummary), (String, String)> {
    let (books, unreadable) = crate::split::fill::read_originals(files);
    prefill_read(set, &books, &unreadable, lang)
}

/// [`prefill`] from the files already read (the page reads them one by one where there is
/// no worker) and those that could not be.
pub fn prefill_read(
    set: &crate::plan::FormSet,
    books: &[(&str, crate::read::Workbook)],
    unreadable: &[(String, crate::ReadError)],
    lang: Lang,
) -> Result<(Vec<u8>, PrefillSummary), (String, String)> {
    let refs: Vec<(&str, &crate::read::Workbook)> = books.iter().map(|(n, w)| (*n, w)).collect();
    let filled = crate::split::fill::fill(set, &refs);
    let xlsx = crate::write::to_xlsx_filled(&filled.set_with_lists(set), lang, &filled.values())
        .map_err(|e| (e.message(Lang::Zh), e.message(Lang::En)))?;
    let both = |f: &dyn Fn(Lang) -> String| (f(Lang::Zh), f(Lang::En));
    let summary = PrefillSummary {
        files: books.len(),
        rows: filled.rows.sheets.iter().map(Vec::len).sum(),
        conflicts: filled.conflicts.len(),
        unplaced: filled.keyless.len(),
        unreadable: unreadable
            .iter()
            .map(|(name, e)| both(&|l| format!("{name}{}{}", i18n::colon(l), e.message(l))))
            .collect(),
        conflict_lines: filled
            .conflicts
            .iter()
            .take(PREFILL_LINES)
            .map(|c| both(&|l| c.message(l)))
            .collect(),
        unplaced_lines: filled
            .keyless
            .iter()
            .chain(&filled.unplaced)
            .take(PREFILL_LINES)
            .map(|u| both(&|l| u.message(l)))
            .collect(),
        extended: filled.extended.len(),
        extended_lines: filled
            .extended
            .iter()
            .take(PREFILL_LINES)
            .map(|e| both(&|l| e.message(l)))
            .collect(),
    };
    Ok((xlsx, summary))
}

/// One file as the reading worker answers it: what was found, the first rows of each sheet,
/// and the fingerprint of its bytes ([`crate::fingerprint::content_hash`]).
pub type WorkerResult = (
    crate::inspect::FileReport,
    Vec<crate::inspect::SheetPreview>,
    u64,
);

/// What the reading worker sends back for one file: `[report, previews, hash]` as JSON.
pub fn worker_result(name: &str, bytes: &[u8]) -> String {
    let (report, previews) =
        crate::inspect::inspect_with_preview(name, bytes, PREVIEW_ROWS, PREVIEW_COLS);
    let result: WorkerResult = (report, previews, crate::fingerprint::content_hash(bytes));
    // Plain data with string keys: serialising cannot fail.
    serde_json::to_string(&result).unwrap_or_default()
}

/// The worker's answer read back; `None` if it is not one.
pub fn parse_worker_result(json: &str) -> Option<WorkerResult> {
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    /// The hash survives the trip through JSON whole (it is not a JavaScript number there).
    #[test]
    fn the_workers_answer_carries_the_files_fingerprint() {
        let (name, bytes) = crate::examples::EXAMPLES[0];
        let (report, _, hash) =
            super::parse_worker_result(&super::worker_result(name, bytes)).expect("parses");
        assert_eq!(hash, crate::fingerprint::content_hash(bytes));
        assert!(report.format.is_some());
    }
}
