//! Step 6, split back: staff add the filled form sets villages returned; the app checks them,
//! lists the problems by kind with file, sheet and row, and offers each department's own
//! forms, filled, one by one or all together as a .zip. The work is done by
//! [`crate::split::split_files`]; this component only reads the files and draws the outcome.

use std::rc::Rc;

use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::error::Lang;
use crate::merge::Project;
use crate::split::SplitOutcome;

use super::edge::{download, files_of, folding_list, yield_now};
use super::i18n::{count_suffix, finding_label, split_summary, tr, T};
use super::view::problem_groups;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Properties of [`SplitStep`].
#[derive(Properties, PartialEq)]
pub struct SplitProps {
    /// The current project (its form set is what the filled files are checked against).
    pub project: Option<Rc<Project>>,
    /// Interface language.
    pub lang: Lang,
}

/// What the last split gave.
#[derive(PartialEq)]
enum Split {
    Idle,
    Working,
    Done {
        files: usize,
        outcome: Rc<SplitOutcome>,
    },
    Failed(String, String),
}

/// The split-back step.
#[component]
pub fn SplitStep(props: &SplitProps) -> Html {
    let lang = props.lang;
    let result = use_state(|| Split::Idle);
    let Some(project) = props.project.clone() else {
        return html! { <section class="split"><p class="empty">{ tr(lang, T::NothingYet) }</p></section> };
    };
    let add = {
        let result = result.clone();
        let project = project.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = files_of(input.files());
            input.set_value("");
            if files.is_empty() {
                return;
            }
            let result = result.clone();
            let project = project.clone();
            result.set(Split::Working);
            spawn_local(async move {
                let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
                for f in files {
                    let bytes = JsFuture::from(f.array_buffer())
                        .await
                        .map(|b| js_sys::Uint8Array::new(&b).to_vec())
                        .unwrap_or_default();
                    inputs.push((f.name(), bytes));
                }
                yield_now().await;
                let refs: Vec<(&str, &[u8])> = inputs
                    .iter()
                    .map(|(n, b)| (n.as_str(), b.as_slice()))
                    .collect();
                match crate::split::split_files(&project.set, &refs) {
                    Ok(outcome) => result.set(Split::Done {
                        files: inputs.len(),
                        outcome: Rc::new(outcome),
                    }),
                    Err(e) => result.set(Split::Failed(e.message(Lang::Zh), e.message(Lang::En))),
                }
            });
        })
    };
    let body = match &*result {
        Split::Idle => html! {},
        Split::Working => {
            html! { <p class="working" data-testid="split-working">{ tr(lang, T::Splitting) }</p> }
        }
        Split::Failed(zh, en) => {
            html! { <p class="message" role="alert">{ if lang == Lang::Zh { zh } else { en } }</p> }
        }
        Split::Done { files, outcome } => outcome_view(lang, &project, *files, outcome),
    };
    html! {
        <section class="split">
            <p class="hint">{ tr(lang, T::SplitIntro) }</p>
            <div class="buttons">
                <label class="button primary">
                    { tr(lang, T::AddFilled) }
                    <input type="file" multiple=true accept=".xlsx,.xlsm,.xls,.ods" class="visually-hidden" data-testid="add-filled" onchange={add} />
                </label>
            </div>
            { body }
        </section>
    }
}

fn outcome_view(lang: Lang, project: &Project, files: usize, outcome: &Rc<SplitOutcome>) -> Html {
    let rows: usize = outcome.rows_per_form.iter().sum();
    let filled = outcome.rows_per_form.iter().filter(|n| **n > 0).count();
    let zip = {
        let outcome = outcome.clone();
        let title = project.set.title.clone();
        Callback::from(move |_: MouseEvent| {
            if let Ok(bytes) = crate::write::forms::zip_files(&outcome.workbooks) {
                let name = match lang {
                    Lang::Zh => format!("{title}-各部门原表.zip"),
                    Lang::En => format!("{title}-department-forms.zip"),
                };
                let _ = download(&name, &bytes, "application/zip");
            }
        })
    };
    let groups = problem_groups(&outcome.problems);
    html! {
        <>
            <p class="split-summary" data-testid="split-summary">
                { split_summary(lang, files, rows, filled, project.set.sources.len(), outcome.workbooks.len()) }
            </p>
            <h3>{ tr(lang, T::DepartmentForms) }</h3>
            <div class="buttons">
                <button class="button primary" data-testid="export-split-zip" onclick={zip}>{ tr(lang, T::DownloadAll) }</button>
            </div>
            <ul class="split-books">
                { for outcome.workbooks.iter().enumerate().map(|(i, (name, bytes))| {
                    let outcome = outcome.clone();
                    let one = Callback::from(move |_: MouseEvent| {
                        if let Some((name, bytes)) = outcome.workbooks.get(i) {
                            let _ = download(name, bytes, XLSX);
                        }
                    });
                    html! {
                        <li data-testid="split-department">
                            <button class="link" onclick={one}>{ name.clone() }</button>
                            <span class="size">{ format!(" {} KB", bytes.len().div_ceil(1024)) }</span>
                        </li>
                    }
                }) }
            </ul>
            <h3>{ tr(lang, T::ProblemsFound) }{ count_suffix(lang, outcome.problems.len()) }</h3>
            if groups.is_empty() {
                <p>{ tr(lang, T::NoProblems) }</p>
            }
            { for groups.iter().map(|(code, problems)| folding_list(lang, finding_label(lang, code), &problems.iter().map(|p| p.message(lang)).collect::<Vec<_>>(), problems.len(), "split-problem")) }
        </>
    }
}
