//! On the export step: the form set pre-filled with the data the departments' forms already
//! hold, so villages only check it and fill in what changed. The work is done by
//! [`crate::split::fill::fill_from_bytes`] and [`crate::write::to_xlsx_filled`]; this component
//! gathers the files' bytes, downloads the workbook and lists where forms disagreed.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::error::Lang;
use crate::merge::Project;
use crate::split::fill::Filled;

use super::app::{download, file_at_hand, file_bytes, folding_list, yield_now};
use super::i18n::{prefill_summary, tr, T};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Properties of [`Prefill`].
#[derive(Properties, PartialEq)]
pub struct PrefillProps {
    /// The current project: its set is filled from its source files.
    pub project: Rc<Project>,
    /// Interface language.
    pub lang: Lang,
}

/// What the last pre-fill gave.
#[derive(PartialEq)]
enum State {
    Idle,
    Working,
    Done {
        /// The project it was made from: a later decision makes it stale.
        from: Rc<Project>,
        files: usize,
        filled: Rc<Filled>,
        /// Files that could not be read again: (name, Chinese, English).
        unreadable: Vec<(String, String, String)>,
    },
    Failed(String, String),
}

/// The pre-filled set: a button, then what was filled and what disagreed.
#[component]
pub fn Prefill(props: &PrefillProps) -> Html {
    let lang = props.lang;
    let state = use_state(|| State::Idle);
    let project = props.project.clone();
    let mut names: Vec<&str> = Vec::new();
    for s in &project.set.sources {
        if !names.contains(&s.file.as_str()) {
            names.push(&s.file);
        }
    }
    let at_hand = names.iter().filter(|n| file_at_hand(n)).count();
    let start = {
        let state = state.clone();
        let project = project.clone();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        Callback::from(move |_: MouseEvent| {
            let state = state.clone();
            let project = project.clone();
            let names = names.clone();
            state.set(State::Working);
            spawn_local(async move {
                let mut files: Vec<(String, Vec<u8>)> = Vec::new();
                for name in names {
                    if let Some(bytes) = file_bytes(&name).await {
                        files.push((name, bytes));
                    }
                }
                // Let the "working" line show before the main thread is busy.
                yield_now().await;
                let refs: Vec<(&str, &[u8])> = files
                    .iter()
                    .map(|(n, b)| (n.as_str(), b.as_slice()))
                    .collect();
                let (filled, unreadable) = crate::split::fill::fill_from_bytes(&project.set, &refs);
                match crate::write::to_xlsx_filled(&project.set, lang, &filled.values()) {
                    Ok(bytes) => {
                        let name = match lang {
                            Lang::Zh => format!("{}（预填）.xlsx", project.set.title),
                            Lang::En => format!("{} (pre-filled).xlsx", project.set.title),
                        };
                        let _ = download(&name, &bytes, XLSX);
                        state.set(State::Done {
                            from: project.clone(),
                            files: files.len() - unreadable.len(),
                            filled: Rc::new(filled),
                            unreadable: unreadable
                                .into_iter()
                                .map(|(n, e)| (n, e.message(Lang::Zh), e.message(Lang::En)))
                                .collect(),
                        });
                    }
                    Err(e) => state.set(State::Failed(e.message(Lang::Zh), e.message(Lang::En))),
                }
            });
        })
    };
    let body = match &*state {
        State::Idle => html! {},
        State::Working => {
            html! { <p class="working" data-testid="prefill-working">{ tr(lang, T::Prefilling) }</p> }
        }
        State::Failed(zh, en) => {
            html! { <p class="message" role="alert">{ if lang == Lang::Zh { zh } else { en } }</p> }
        }
        // Made before a later decision or correction: no longer what the set says.
        State::Done { from, .. } if !Rc::ptr_eq(from, &project) => html! {},
        State::Done {
            files,
            filled,
            unreadable,
            ..
        } => {
            let rows: usize = filled.rows.sheets.iter().map(Vec::len).sum();
            html! {
                <>
                    <p class="prefill-summary" data-testid="prefill-summary">
                        { prefill_summary(lang, *files, rows, filled.conflicts.len(), filled.unplaced.len()) }
                    </p>
                    { folding_list(lang, tr(lang, T::PrefillUnreadable), &unreadable.iter().map(|(n, zh, en)| format!("{n}: {}", if lang == Lang::Zh { zh } else { en })).collect::<Vec<_>>(), "prefill-line") }
                    { folding_list(lang, tr(lang, T::PrefillConflicts), &filled.conflicts.iter().map(|c| c.message(lang)).collect::<Vec<_>>(), "prefill-line") }
                    { folding_list(lang, tr(lang, T::PrefillUnplaced), &filled.unplaced.iter().map(|u| u.message(lang)).collect::<Vec<_>>(), "prefill-line") }
                </>
            }
        }
    };
    html! {
        <div class="prefill">
            <h3>{ tr(lang, T::PrefillTitle) }</h3>
            <p class="hint">{ tr(lang, T::PrefillHint) }</p>
            <div class="buttons">
                <button class="button" data-testid="export-prefilled" onclick={start}
                    disabled={at_hand == 0 || *state == State::Working}>{ tr(lang, T::ExportPrefilled) }</button>
            </div>
            if at_hand == 0 {
                <p class="empty">{ tr(lang, T::PrefillNeedsFiles) }</p>
            }
            { body }
        </div>
    }
}
