//! The Yew app: the steps' frame (title, language, step buttons, messages) and its effects —
//! restoring the project and an interrupted batch at start, autosave, and reading files again
//! with chosen header blocks. Each step draws in its own module (`files_step`, `forms_step`,
//! `review_step`, `set_step`, `export_step`, `split_step`); the browser edge is `edge`. Every
//! decision is made by the pure reducer in `state`. Cell text is always rendered as text, never
//! as HTML, and never becomes a link.

use std::rc::Rc;

use yew::prelude::*;

use crate::error::Lang;
use crate::merge::Project;

use super::edge::{
    initial_lang, reread, storage, MAX_SAVED_BYTES, STORE_BATCH, STORE_LANG, STORE_PROJECT,
};
use super::i18n::{self, tr, T};
use super::state::{Action, AppState, BatchRecord, Step};

pub use super::edge::{prestart_readers, TRAP_TEST_FILE};

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

/// The app.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| AppState {
        lang: initial_lang(),
        ..AppState::default()
    });
    // Restore the last project once.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let store = storage();
            let get = |key: &str| store.as_ref().and_then(|s| s.get_item(key).ok().flatten());
            if let Some(text) = get(STORE_PROJECT) {
                if let Ok(p) = Project::from_json(&text) {
                    dispatch.dispatch(Action::Restore(Box::new(p)));
                }
            }
            // A batch was being read when the page was closed or reloaded: say so.
            if let Some(text) = get(STORE_BATCH) {
                if let Ok(record) = serde_json::from_str::<BatchRecord>(&text) {
                    dispatch.dispatch(Action::Interrupted(record));
                }
            }
        });
    }
    // Autosave the project and the language.
    {
        let project = (state.project.clone(), state.cleared.is_some());
        use_effect_with(project, move |(p, cleared)| {
            let Some(s) = storage() else {
                return;
            };
            match p {
                // Once the decision is painted: writing 1,000 clusters' JSON takes a while,
                // and a later change saved meanwhile makes this one moot.
                Some(p) => {
                    let generation = SAVES.with(|g| {
                        g.set(g.get() + 1);
                        g.get()
                    });
                    let p = p.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        super::edge::after_paint().await;
                        if SAVES.with(|g| g.get()) != generation {
                            return;
                        }
                        if let Ok(text) = serde_json::to_string(&*p) {
                            if text.len() <= MAX_SAVED_BYTES {
                                let _ = s.set_item(STORE_PROJECT, &text);
                            }
                        }
                    });
                }
                // 全部清除: a reload does not bring the cleared project back (撤销 does,
                // while the page is open).
                None if *cleared => {
                    SAVES.with(|g| g.set(g.get() + 1));
                    let _ = s.remove_item(STORE_PROJECT);
                }
                None => {}
            }
        });
        // The batch being read, and which of its files are read, until it is read (a reload
        // meanwhile then says what must be added again).
        let batch = state.batch_record().filter(|b| !b.files.is_empty());
        use_effect_with(batch, move |b| {
            if let Some(s) = storage() {
                let _ = match b.as_ref().and_then(|b| serde_json::to_string(b).ok()) {
                    Some(text) => s.set_item(STORE_BATCH, &text),
                    None => s.remove_item(STORE_BATCH),
                };
            }
        });
        let lang = state.lang;
        use_effect_with(lang, move |l| {
            if let Some(s) = storage() {
                let _ = s.set_item(STORE_LANG, if *l == Lang::En { "en" } else { "zh" });
            }
        });
    }
    use_reread_chosen_headers(&state);
    // After a review decision, the next cluster's first button takes the focus (once drawn).
    use_effect_with((state.focus.clone(), state.focus_seq), |(id, _)| {
        if let Some(id) = id {
            focus_cluster(id);
        }
    });
    let lang = state.lang;
    let d = state.dispatcher();
    let go = |step: Step| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Go(step)))
    };
    let toggle_lang = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Action::SetLang(if lang == Lang::Zh {
                Lang::En
            } else {
                Lang::Zh
            }))
        })
    };
    let steps = [
        (Step::Files, T::StepFiles, "step-files"),
        (Step::Forms, T::StepForms, "step-forms"),
        (Step::Review, T::StepReview, "step-review"),
        (Step::Set, T::StepSet, "step-set"),
        (Step::Export, T::StepExport, "step-export"),
        (Step::Split, T::StepSplit, "step-split"),
    ];
    html! {
        <div class="app" lang={if lang == Lang::Zh { "zh-CN" } else { "en" }}>
            <header class="top">
                <div class="brand">
                    <h1>{ tr(lang, T::AppTitle) }</h1>
                    <p class="tagline">{ tr(lang, T::Tagline) }</p>
                </div>
                <button class="lang" data-testid="toggle-lang" onclick={toggle_lang}>{ tr(lang, T::Language) }</button>
            </header>
            <nav class="steps">
                { for steps.iter().map(|(s, label, id)| html! {
                    <button class={classes!("step", (state.step == *s).then_some("current"))}
                        data-testid={*id} onclick={go(*s)}>{ tr(lang, *label) }</button>
                }) }
            </nav>
            <p class="privacy">{ tr(lang, T::Privacy) }</p>
            if let Some((zh, en)) = &state.message {
                <p class="message" role="alert">{ if lang == Lang::Zh { zh } else { en } }</p>
            }
            if let Some(r) = &state.restored {
                <p class="restored" data-testid="restored">{ i18n::restored(lang, r.forms, r.decisions) }</p>
            }
            <main>
                { match state.step {
                    Step::Files => super::files_step::files_step(&state, &d),
                    Step::Forms => super::forms_step::forms_step(&state, &d),
                    Step::Review => super::review_step::review_step(&state, &d),
                    Step::Set => super::set_step::set_step(&state),
                    Step::Export => super::export_step::export_step(&state, &d),
                    Step::Split => html! { <super::split_step::SplitStep project={state.project.clone()} lang={lang} /> },
                } }
            </main>
        </div>
    }
}

/// Reads files again whose header blocks were chosen in a restored or opened project (or whose
/// files were added again), once each.
#[hook]
fn use_reread_chosen_headers(state: &UseReducerHandle<AppState>) {
    let pending = state.header_rereads();
    let d = state.dispatcher();
    use_effect_with(pending, move |pending| {
        for (file, choices) in pending {
            d.dispatch(Action::RereadHeaders(file.clone()));
            reread(file.clone(), choices.clone(), d.clone());
        }
    });
}

thread_local! {
    /// Counts the project's saves asked for: a deferred save skips itself once a later one
    /// is asked for.
    static SAVES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Puts the keyboard focus on a review cluster's first button.
fn focus_cluster(id: &str) {
    use wasm_bindgen::JsCast;
    let button = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("cluster-{id}")))
        .and_then(|e| e.query_selector("button").ok().flatten())
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(b) = button {
        let _ = b.focus();
    }
}
