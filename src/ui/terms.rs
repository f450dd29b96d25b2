//! What the lexicon panel shows: the staff additions one row each, and the names of the data
//! elements for the form's suggestions. Plain Rust, tested natively.

use crate::matching::additions::{self, EntryKind, STAFF_PREFIX};
use crate::matching::Lexicon;
use crate::merge;

use super::i18n::words_label;
use super::state::AppState;

/// One entry of the additions as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermRow {
    /// Its index (for [`super::state::Action::RemoveTerm`]).
    pub index: usize,
    /// The data element's name (or what a word-list entry holds).
    pub element: String,
    /// The names the entry adds.
    pub names: Vec<String>,
    /// The entry makes a new data element.
    pub new: bool,
}

/// The additions, one row per entry; the plain-words error (Chinese, English) when the kept
/// additions are broken.
pub fn term_rows(state: &AppState) -> Result<Vec<TermRow>, (String, String)> {
    let text = &state.lexicon_additions;
    let list = additions::entries(text)
        .map_err(|e| (e.message(crate::Lang::Zh), e.message(crate::Lang::En)))?;
    let lex = merge::lexicon_with(&[text]).unwrap_or_else(|_| Lexicon::builtin());
    Ok(list
        .into_iter()
        .enumerate()
        .map(|(index, e)| match e.kind {
            EntryKind::Concept { id, name, variants } => {
                let element = name
                    .filter(|n| !n.is_empty())
                    .or_else(|| {
                        lex.concepts
                            .iter()
                            .find(|c| c.id == id)
                            .map(|c| c.name.clone())
                    })
                    .unwrap_or_else(|| id.clone());
                TermRow {
                    index,
                    names: variants.into_iter().filter(|v| *v != element).collect(),
                    element,
                    new: id.starts_with(STAFF_PREFIX),
                }
            }
            EntryKind::Words(table) => TermRow {
                index,
                element: words_label(state.lang, &table).to_string(),
                names: Vec::new(),
                new: false,
            },
        })
        .collect())
}

/// The names of all data elements (built-in and staff ones), each once, for suggestions.
pub fn element_names(state: &AppState) -> Vec<String> {
    let lex =
        merge::lexicon_with(&[&state.lexicon_additions]).unwrap_or_else(|_| Lexicon::builtin());
    let mut out: Vec<String> = Vec::new();
    for c in &lex.concepts {
        if !out.contains(&c.name) {
            out.push(c.name.clone());
        }
    }
    out
}

/// Names typed in one box: split at 、，,；; and line breaks, trimmed, blanks dropped.
pub fn split_names(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', '；', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
