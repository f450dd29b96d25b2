//! The web app's logic. `state` (the pure reducer), `view` (what lists and charts show) and
//! `i18n` (every string) are plain Rust, tested natively; `app` holds the Yew components and the
//! browser edge (file reading, downloads, storage) and is built only for wasm32.

pub mod i18n;
pub mod state;
pub mod terms;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod lexicon_panel;
#[cfg(target_arch = "wasm32")]
pub mod prefill;
#[cfg(target_arch = "wasm32")]
pub mod split_step;

/// Preview size: enough rows for a title, a 3-row header and the first data rows.
pub const PREVIEW_ROWS: u32 = 14;
/// Preview width.
pub const PREVIEW_COLS: u32 = 14;

/// What the reading worker sends back for one file: `[report, previews]` as JSON.
pub fn worker_result(name: &str, bytes: &[u8]) -> String {
    let result = crate::inspect::inspect_with_preview(name, bytes, PREVIEW_ROWS, PREVIEW_COLS);
    // Plain data with string keys: serialising cannot fail.
    serde_json::to_string(&result).unwrap_or_default()
}

/// The worker's answer read back; `None` if it is not one.
pub fn parse_worker_result(
    json: &str,
) -> Option<(
    crate::inspect::FileReport,
    Vec<crate::inspect::SheetPreview>,
)> {
    serde_json::from_str(json).ok()
}
