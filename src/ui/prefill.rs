//! On the export step: the form set pre-filled with the data the departments' forms already
//! hold, so villages only check it and fill in what changed. The work is done by
//! [`super::prefill`] in a worker ([`super::edge::prefill`]); this component downloads the
//! workbook and lists where forms disagreed.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::error::Lang;
use crate::merge::Project;

use super::edge::{download, file_at_hand, folding_list, prefill};
use super::i18n::{prefill_summary, tr, T};
use super::PrefillSummary;

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
        summary: Rc<PrefillSummary>,
    },
    Failed(String, String),
}

/// The pre-filled set: a button, then what was filled and what disagreed.
#[component]
pub fn Prefill(props: &PrefillProps) -> Html {
    let lang = props.lang;
    let state = use_state(|| State::Idle);
    let project = props.project.clone();
    let at_hand = project.set.sources.iter().any(|s| file_at_hand(&s.file));
    let start = {
        let state = state.clone();
        let project = project.clone();
        Callback::from(move |_: MouseEvent| {
            let state = state.clone();
            let project = project.clone();
            state.set(State::Working);
            spawn_local(async move {
                match prefill(&project.set, lang).await {
                    Ok((bytes, summary)) => {
                        let name = match lang {
                            Lang::Zh => format!("{}（预填）.xlsx", project.set.title),
                            Lang::En => format!("{} (pre-filled).xlsx", project.set.title),
                        };
                        let _ = download(&name, &bytes, XLSX);
                        state.set(State::Done {
                            from: project.clone(),
                            summary: Rc::new(summary),
                        });
                    }
                    Err((zh, en)) => state.set(State::Failed(zh, en)),
                }
            });
        })
    };
    let pick = |(zh, en): &(String, String)| {
        if lang == Lang::Zh {
            zh.clone()
        } else {
            en.clone()
        }
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
        State::Done { summary: s, .. } => html! {
            <>
                <p class="prefill-summary" data-testid="prefill-summary">
                    { prefill_summary(lang, s.files, s.rows, s.conflicts, s.unplaced) }
                </p>
                { folding_list(lang, tr(lang, T::PrefillUnreadable), &s.unreadable.iter().map(pick).collect::<Vec<_>>(), s.unreadable.len(), "prefill-line") }
                { folding_list(lang, tr(lang, T::PrefillConflicts), &s.conflict_lines.iter().map(pick).collect::<Vec<_>>(), s.conflicts, "prefill-line") }
                { folding_list(lang, tr(lang, T::PrefillUnplaced), &s.unplaced_lines.iter().map(pick).collect::<Vec<_>>(), s.unplaced, "prefill-line") }
            </>
        },
    };
    html! {
        <div class="prefill">
            <h3>{ tr(lang, T::PrefillTitle) }</h3>
            <p class="hint">{ tr(lang, T::PrefillHint) }</p>
            <div class="buttons">
                <button class="button" data-testid="export-prefilled" onclick={start}
                    disabled={!at_hand || *state == State::Working}>{ tr(lang, T::ExportPrefilled) }</button>
            </div>
            if !at_hand {
                <p class="empty">{ tr(lang, T::PrefillNeedsFiles) }</p>
            }
            { body }
        </div>
    }
}
