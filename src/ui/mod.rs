//! The web app's logic. `state` (the pure reducer), `view` (what lists and charts show) and
//! `i18n` (every string) are plain Rust, tested natively; `app` holds the Yew components and the
//! browser edge (file reading, downloads, storage) and is built only for wasm32.

pub mod i18n;
pub mod state;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod app;
