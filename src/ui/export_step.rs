//! Step ⑤ 导出: the form set and the project file downloaded, a project opened, the
//! pre-filled set, and last year's project with what changed since.

use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use crate::error::Lang;
use crate::merge::Project;
use crate::reasons;

use super::edge::{download, files_of, Dispatch};
use super::i18n::{self, tr, T};
use super::state::{Action, AppState};
use super::view::diff_departments;

/// A chosen project file, read; or why not (Chinese, English).
async fn read_project(f: &File) -> Result<Project, (String, String)> {
    let text = JsFuture::from(f.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| {
            (
                tr(Lang::Zh, T::CannotReadProject).to_string(),
                tr(Lang::En, T::CannotReadProject).to_string(),
            )
        })?;
    Project::from_json(&text).map_err(|e| (e.message(Lang::Zh), e.message(Lang::En)))
}

pub(crate) fn export_step(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let open_project = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = files_of(input.files());
            input.set_value("");
            let d = d.clone();
            spawn_local(async move {
                for f in files {
                    match read_project(&f).await {
                        Ok(p) => d.dispatch(Action::OpenProject(Box::new(p))),
                        Err((zh, en)) => d.dispatch(Action::Message(zh, en)),
                    }
                }
            });
        })
    };
    let project = state.project.clone();
    let xlsx = {
        let project = project.clone();
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = &project {
                match crate::write::to_xlsx(&p.set, lang) {
                    Ok(bytes) => {
                        let _ = download(
                            &format!("{}.xlsx", p.set.title),
                            &bytes,
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        );
                    }
                    Err(e) => d.dispatch(Action::Message(e.message(Lang::Zh), e.message(Lang::En))),
                }
            }
        })
    };
    let mapping = {
        let project = project.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = &project {
                let _ = download(
                    &format!("{}.json", p.set.title),
                    p.to_json().as_bytes(),
                    "application/json",
                );
            }
        })
    };
    let not_applied: Vec<_> = project
        .as_ref()
        .map(|p| {
            p.decision_outcomes
                .iter()
                .filter(|o| !o.applied)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    html! {
        <section class="export">
            <div class="buttons">
                <button class="button primary" data-testid="export-xlsx" onclick={xlsx} disabled={project.is_none()}>{ tr(lang, T::ExportXlsx) }</button>
                <button class="button" data-testid="export-mapping" onclick={mapping} disabled={project.is_none()}>{ tr(lang, T::ExportMapping) }</button>
                <label class="button">
                    { tr(lang, T::OpenProject) }
                    <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="open-project" onchange={open_project} />
                </label>
            </div>
            <p class="hint">{ tr(lang, T::ExportHint) }</p>
            if project.is_none() {
                <p class="empty">{ tr(lang, T::NothingYet) }</p>
            }
            if let Some(p) = &project {
                <super::prefill::Prefill project={p.clone()} lang={lang} />
            }
            if !not_applied.is_empty() {
                <h3>{ tr(lang, T::NotApplied) }</h3>
                <ul>{ for not_applied.iter().map(|o| html! { <li>{ format!("{}{}{}", crate::diff::describe_decision(lang, &o.decision), i18n::colon(lang), reasons::in_lang(lang, &o.problem)) }</li> }) }</ul>
            }
            { last_year_panel(state, d) }
        </section>
    }
}

/// Last year's project next to this year's files: the button that opens it, then the change
/// list per department (collapsed, counts first) and what became of last year's decisions.
fn last_year_panel(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let open = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = files_of(input.files());
            input.set_value("");
            let d = d.clone();
            spawn_local(async move {
                let Some(f) = files.into_iter().next() else {
                    return;
                };
                match read_project(&f).await {
                    Ok(p) => d.dispatch(Action::OpenLastYear(Box::new(p))),
                    Err((zh, en)) => d.dispatch(Action::Message(zh, en)),
                }
            });
        })
    };
    let close = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::CloseLastYear))
    };
    let departments = diff_departments(state);
    html! {
        <div class="last-year">
            <h3>{ tr(lang, T::SinceLastYear) }</h3>
            <p class="hint">{ tr(lang, T::LastYearHint) }</p>
            <div class="buttons">
                <label class="button">
                    { tr(lang, T::OpenLastYear) }
                    <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="open-last-year" onchange={open} />
                </label>
                if state.last_year.is_some() {
                    <button class="button subtle" onclick={close}>{ tr(lang, T::CloseLastYear) }</button>
                }
            </div>
            if let Some(diff) = &state.year_diff {
                <p class="diff-summary">{ crate::diff::summary_line(lang, diff) }</p>
                <div class="diff">
                    { for departments.iter().map(|x| html! {
                        <details class={classes!("diff-dept", x.changed.then_some("changed"))} data-testid="diff-department">
                            <summary><span class="dept">{ &x.name }</span>{ " " }<span class="counts">{ &x.counts }</span></summary>
                            <ul>{ for x.lines.iter().map(|l| html! {
                                <li class={if l.starts_with(' ') { "detail" } else { "form" }}>{ l.trim_start() }</li>
                            }) }</ul>
                        </details>
                    }) }
                </div>
                if !diff.decisions.is_empty() {
                    <h4>{ tr(lang, T::LastYearDecisions) }</h4>
                    <p>{ crate::diff::decisions_line(lang, diff) }</p>
                    <ul class="diff-decisions">{ for diff.decisions.iter().map(|c| html! {
                        <li class={if c.fit.fits() { "fits" } else { "misfit" }}>{ crate::diff::decision_line(lang, c) }</li>
                    }) }</ul>
                }
            }
        </div>
    }
}
