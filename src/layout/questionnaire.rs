//! Questionnaires: items down a column × options across (好/较好/一般/差, 是/否), one tick per
//! item → one field per item whose values are the options.

use crate::read::Grid;

use super::{Form, Merges};

/// The questionnaire on a sheet, if its evidence is clear.
pub(super) fn detect(_grid: &Grid, _merges: &Merges<'_>) -> Option<Vec<Form>> {
    None
}
