//! The lexicon-additions panel of the review step (wasm only): staff tell the app which names
//! mean the same thing, see and remove their additions, and import an additions file. Every
//! change is an action for the pure reducer, which checks it and merges the set again.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::error::Lang;
use crate::matching::ConceptKind;

use super::i18n::{kind_label, tr, T};
use super::state::{Action, AppState, TermInput};
use super::terms::{element_names, split_names, term_rows};

/// The kinds a new data element can be given (places are the key columns; not for staff).
/// The first is the default and is marked selected: Yew inserts options last first, and a
/// select without a selected option would keep the first one inserted.
const KINDS: [ConceptKind; 5] = [
    ConceptKind::Any,
    ConceptKind::Person,
    ConceptKind::Household,
    ConceptKind::Village,
    ConceptKind::Plot,
];

/// The panel: a form, the current additions, and an import button.
pub fn lexicon_panel(state: &AppState, d: &UseReducerDispatcher<AppState>) -> Html {
    let lang = state.lang;
    let pick = |zh: &String, en: &String| {
        if lang == Lang::Zh {
            zh.clone()
        } else {
            en.clone()
        }
    };
    let add = {
        let d = d.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(form) = e.target_dyn_into::<web_sys::HtmlFormElement>() else {
                return;
            };
            let field = |name: &str| {
                form.query_selector(&format!("[name={name}]"))
                    .ok()
                    .flatten()
            };
            let input =
                |name: &str| field(name).and_then(|el| el.dyn_into::<HtmlInputElement>().ok());
            let element = input("element").map(|i| i.value()).unwrap_or_default();
            let names_box = input("names");
            let names = names_box
                .as_ref()
                .map(|i| split_names(&i.value()))
                .unwrap_or_default();
            let kind = field("kind")
                .and_then(|el| el.dyn_into::<HtmlSelectElement>().ok())
                .and_then(|s| ConceptKind::from_word(&s.value()))
                .unwrap_or(ConceptKind::Any);
            d.dispatch(Action::AddTerm(TermInput {
                element,
                names,
                kind,
            }));
            if let Some(b) = names_box {
                b.set_value("");
            }
        })
    };
    let import = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files: Vec<web_sys::File> = input
                .files()
                .map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
                .unwrap_or_default();
            input.set_value("");
            let d = d.clone();
            spawn_local(async move {
                for f in files {
                    match JsFuture::from(f.text())
                        .await
                        .ok()
                        .and_then(|v| v.as_string())
                    {
                        Some(text) => d.dispatch(Action::ImportLexicon(text)),
                        None => d.dispatch(Action::Message(
                            tr(Lang::Zh, T::CannotReadLexicon).into(),
                            tr(Lang::En, T::CannotReadLexicon).into(),
                        )),
                    }
                }
            });
        })
    };
    let clear = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::ClearLexicon))
    };
    let rows = term_rows(state);
    let count = rows.as_ref().map(Vec::len).unwrap_or(0);
    html! {
        <details class="lexicon" data-testid="lexicon-panel">
            <summary>{ tr(lang, T::LexiconTitle) }{ if count > 0 { format!("（{count}）") } else { String::new() } }</summary>
            <p class="hint">{ tr(lang, T::LexiconHint) }</p>
            <form class="term-form" onsubmit={add}>
                <label>{ tr(lang, T::TermTarget) }
                    <input name="element" list="yibiao-elements" autocomplete="off" data-testid="term-element" />
                </label>
                <datalist id="yibiao-elements">
                    { for element_names(state).into_iter().map(|n| html! { <option value={n} /> }) }
                </datalist>
                <label>{ tr(lang, T::TermNames) }
                    <input name="names" autocomplete="off" data-testid="term-names" />
                </label>
                <label>{ tr(lang, T::TermKind) }
                    <select name="kind" data-testid="term-kind">
                        { for KINDS.iter().map(|k| html! { <option value={k.word()} selected={*k == ConceptKind::Any}>{ kind_label(lang, *k) }</option> }) }
                    </select>
                </label>
                <button class="button small" type="submit" data-testid="term-add">{ tr(lang, T::AddTerm) }</button>
            </form>
            if let Some((zh, en)) = &state.lexicon_error {
                <p class="message" role="alert" data-testid="lexicon-error">{ pick(zh, en) }</p>
            }
            <h4>{ tr(lang, T::CurrentAdditions) }</h4>
            { match rows {
                Ok(rows) if rows.is_empty() => html! { <p class="empty">{ tr(lang, T::NoAdditions) }</p> },
                Ok(rows) => html! {
                    <ul class="terms">
                        { for rows.into_iter().map(|r| {
                            let remove = {
                                let d = d.clone();
                                let i = r.index;
                                Callback::from(move |_: MouseEvent| d.dispatch(Action::RemoveTerm(i)))
                            };
                            html! {
                                <li data-testid="term">
                                    <span class="element">{ &r.element }</span>
                                    if r.new { <span class="tag">{ tr(lang, T::NewTag) }</span> }
                                    <span class="names">{ r.names.join("、") }</span>
                                    <button class="button small subtle" data-testid="term-remove" onclick={remove}>{ tr(lang, T::RemoveTerm) }</button>
                                </li>
                            }
                        }) }
                    </ul>
                },
                Err((zh, en)) => html! {
                    <>
                        <p class="message" data-testid="lexicon-error">{ tr(lang, T::LexiconBroken) }{ pick(&zh, &en) }</p>
                        <button class="button small" data-testid="clear-lexicon" onclick={clear}>{ tr(lang, T::ClearLexicon) }</button>
                    </>
                },
            } }
            <label class="button small">
                { tr(lang, T::ImportLexicon) }
                <input type="file" accept=".toml,.txt,text/plain" class="visually-hidden" data-testid="import-lexicon" onchange={import} />
            </label>
        </details>
    }
}
