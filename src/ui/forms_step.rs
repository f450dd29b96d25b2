//! Step ② 核对表格: every form with its department and grain (editable), frequency, header
//! rows and fields, and a preview of its sheet where the header block can be moved by hand.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::merge::FormOverride;

use super::edge::{reread, Dispatch};
use super::i18n::{self, grain_label, tr, T};
use super::state::{Action, AppState};

pub(crate) fn forms_step(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let Some(p) = &state.project else {
        return html! { <p class="empty">{ tr(lang, T::NothingYet) }</p> };
    };
    let grains = [
        "per_person",
        "per_household",
        "per_village",
        "per_plot",
        "unknown",
    ];
    html! {
        <section class="forms">
            <table class="grid">
                <thead><tr>
                    <th>{ tr(lang, T::Department) }</th><th>{ tr(lang, T::Form) }</th>
                    <th>{ tr(lang, T::Grain) }</th><th>{ tr(lang, T::Frequency) }</th>
                    <th>{ tr(lang, T::HeaderRows) }</th><th>{ tr(lang, T::Fields) }</th><th></th>
                </tr></thead>
                <tbody>
                { for p.set.sources.iter().enumerate().map(|(i, s)| {
                    let (file, sheet) = (s.file.clone(), s.sheet.clone());
                    let on_dept = {
                        let d = d.clone();
                        let (file, sheet) = (file.clone(), sheet.clone());
                        Callback::from(move |e: Event| {
                            let input: HtmlInputElement = e.target_unchecked_into();
                            d.dispatch(Action::Override(FormOverride { file: file.clone(), sheet: sheet.clone(), department: Some(input.value()), grain: None }));
                        })
                    };
                    let on_grain = {
                        let d = d.clone();
                        Callback::from(move |e: Event| {
                            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
                            d.dispatch(Action::Override(FormOverride { file: file.clone(), sheet: sheet.clone(), department: None, grain: Some(input.value()) }));
                        })
                    };
                    let open = state.preview == Some(i);
                    let on_preview = {
                        let d = d.clone();
                        Callback::from(move |_: MouseEvent| d.dispatch(Action::Preview(if open { None } else { Some(i) })))
                    };
                    let header = s.header_rows.iter().map(u32::to_string).collect::<Vec<_>>().join("–");
                    html! {
                        <>
                        <tr data-testid="form-row">
                            <td><input class="dept" value={s.department.clone()} onchange={on_dept} aria-label={tr(lang, T::Department)} />
                                if !s.department_reason.is_empty() {
                                    <div class="why" data-testid="department-reason">{ crate::reasons::in_lang(lang, &s.department_reason).into_owned() }</div>
                                }
                            </td>
                            <td><div class="title">{ &s.title }</div><div class="file-name">{ &s.file }
                                if let Some(f) = state.format_of(&s.file) {
                                    { " · " }<span class="format" data-testid="form-format">{ i18n::format_label(lang, f) }</span>
                                }
                            </div><div class="shape" data-testid="form-shape" data-shape={s.shape.clone()}>{ i18n::shape_label(lang, &s.shape) }</div></td>
                            <td><select onchange={on_grain} aria-label={tr(lang, T::Grain)}>
                                { for grains.iter().map(|g| html! { <option value={*g} selected={s.grain == *g}>{ grain_label(lang, g) }</option> }) }
                            </select></td>
                            <td>{ i18n::frequency_label(lang, &s.frequency) }</td>
                            <td>{ header }</td>
                            <td>{ s.fields.iter().filter(|f| f.role == "data").count() }</td>
                            <td><button class="button subtle" onclick={on_preview}>{ tr(lang, T::Preview) }</button></td>
                        </tr>
                        if open {
                            <tr><td colspan="7">{ preview(state, i, d) }</td></tr>
                        }
                        </>
                    }
                }) }
                </tbody>
            </table>
        </section>
    }
}

fn preview(state: &AppState, source: usize, d: &Dispatch) -> Html {
    let (Some(p), Some(pv)) = (&state.project, state.preview_of(source)) else {
        // A restored project keeps no file: the sheet's rows come with the file.
        return html! { <p class="empty">{ tr(state.lang, T::PreviewNeedsFile) }</p> };
    };
    let s = &p.set.sources[source];
    let first_header = s.header_rows.first().copied().unwrap_or(1);
    let last_header = s.header_rows.last().copied().unwrap_or(first_header);
    let lang = state.lang;
    let apply = {
        let d = d.clone();
        let (file, sheet) = (s.file.clone(), s.sheet.clone());
        let choices = state.choices_for(&s.file);
        let detected_shape = s.shape.clone();
        let shape_chosen = choices
            .iter()
            .any(|c| c.sheet == s.sheet && c.shape.is_some());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(form) = e.target_dyn_into::<web_sys::HtmlFormElement>() else {
                return;
            };
            let value = |n: &str| -> Option<u32> {
                form.query_selector(&format!("input[name={n}]"))
                    .ok()
                    .flatten()
                    .and_then(|el| el.dyn_into::<HtmlInputElement>().ok())
                    .and_then(|i| i.value().trim().parse().ok())
            };
            let (Some(first), Some(last)) = (value("first"), value("last")) else {
                return;
            };
            let shape = form
                .query_selector("select[name=shape]")
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .map(|s| s.value());
            let choice = crate::inspect::HeaderChoice {
                sheet: sheet.clone(),
                first: first.min(last).max(1),
                last: first.max(last).max(1),
                // The shape as read and never chosen before: the header rows alone are chosen.
                shape: shape.filter(|v| *v != detected_shape || shape_chosen),
            };
            let mut all: Vec<_> = choices
                .iter()
                .filter(|c| c.sheet != sheet)
                .cloned()
                .collect();
            all.push(choice.clone());
            d.dispatch(Action::ChooseHeader {
                file: file.clone(),
                choice,
            });
            reread(file.clone(), all, d.clone());
        })
    };
    html! {
        <div class="preview-wrap">
            <form class="header-choice" onsubmit={apply} data-testid="header-choice">
                { tr(lang, T::ShapeIs) }
                <select name="shape" aria-label={tr(lang, T::ShapeIs)} data-testid="shape-choice">
                    { for crate::layout::Shape::ALL.iter().map(|sh| html! {
                        <option value={sh.name()} selected={s.shape == sh.name()}>{ i18n::shape_label(lang, sh.name()) }</option>
                    }) }
                </select>
                { " " }{ tr(lang, T::HeaderFrom) }
                <input name="first" type="number" min="1" value={first_header.to_string()} aria-label={tr(lang, T::HeaderFrom)} />
                { tr(lang, T::HeaderTo) }
                <input name="last" type="number" min="1" value={last_header.to_string()} aria-label={tr(lang, T::HeaderTo)} />
                <button class="button small" type="submit">{ tr(lang, T::Redetect) }</button>
            </form>

            <table class="preview">
                { for pv.cells.iter().enumerate().map(|(r, row)| {
                    let n = r as u32 + 1;
                    let class = if n < first_header { "above" } else if n <= last_header { "header" } else if n >= s.data_first_row { "data" } else { "units" };
                    html! {
                        <tr class={class}>
                            <th>{ n }</th>
                            { for row.iter().map(|c| html! { <td>{ c }</td> }) }
                        </tr>
                    }
                }) }
            </table>
        </div>
    }
}
