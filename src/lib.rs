//! # 一表 Yibiao — one annual form set instead of dozens of departmental forms
//!
//! County departments each send villages their own spreadsheets; the same facts come back under
//! different names. Yibiao reads those spreadsheets, finds each form's header block and fields,
//! clusters the fields that mean the same thing, and writes one consolidated form set.
//!
//! The core is pure: bytes in, values out. No module here touches the file system, the network
//! or the browser; the CLI (`src/bin/yibiao.rs`) and the web app are thin edges over it.
//!
//! Stages, in the order data flows through them:
//! - [`read`]: file bytes → [`read::Workbook`] (cell grids, merges, dropdown lists, red fonts);
//! - [`layout`]: a sheet's grid → [`layout::Form`]s (title, header block, unit/code rows, data);
//! - [`fields`]: a form's header block → [`fields::Field`]s (path, name, unit, type, role);
//! - [`inspect`]: all of the above as one report that never fails;
//! - [`matching`]: all fields of all forms → clusters that mean the same thing, with reasons;
//! - [`reasons`]: those reasons and staff decisions as stored (Chinese) and in English;
//! - [`plan`]: clusters + staff decisions → the consolidated [`plan::FormSet`];
//! - [`merge`]: the above as one call, kept as a versioned project file;
//! - [`diff`]: last year's project against this year's: changes per department, decisions that
//!   still fit;
//! - [`write`](mod@write): the consolidated [`plan::FormSet`] → .xlsx bytes.

pub mod diff;
pub mod error;
pub mod examples;
pub mod fields;
pub mod fingerprint;
pub mod inspect;
pub mod layout;
pub mod matching;
pub mod merge;
pub mod plan;
pub mod read;
pub mod reasons;
pub mod split;
pub mod text;
pub mod ui;
pub mod warning;
pub mod write;

pub use error::{Lang, ReadError, SheetError};
pub use inspect::{inspect, FileReport, Report};
pub use read::read;
