//! Step ① 添加表格: files chosen or dropped, each with its status; what needs staff's word
//! before anything is lost or doubled — files with the same content (跳过 / 仍然保留), files
//! added again, a batch a reload cut short, the restored project's files — and 全部清除, which
//! asks first and can be undone.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::error::Lang;

use super::edge::{files_of, folding_list, load_examples, read_files, Dispatch};
use super::i18n::{self, tr, T};
use super::state::{Action, AppState, FileStatus, Notice};

/// Lines of the interrupted batch drawn before "… and N more".
const INTERRUPTED_SHOWN: usize = 50;

pub(crate) fn files_step(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let onchange = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            read_files(files_of(input.files()), d.clone());
            input.set_value("");
        })
    };
    let ondrop = {
        let d = d.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            read_files(
                files_of(e.data_transfer().and_then(|t| t.files())),
                d.clone(),
            );
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let examples = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| load_examples(d.clone()))
    };
    let send = |action: Action| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(action.clone()))
    };
    let answer = {
        let d = d.clone();
        Callback::from(move |clear: bool| {
            d.dispatch(if clear {
                Action::Clear
            } else {
                Action::AskClear(false)
            })
        })
    };
    let restored = state.restored_files();
    let done = state.files.len() - state.busy();
    html! {
        <section class="files">
            <div class="drop" {ondrop} {ondragover}>
                <p>{ tr(lang, T::DropHere) }</p>
                <label class="button primary">
                    { tr(lang, T::AddFiles) }
                    <input type="file" multiple=true data-testid="add-files" class="visually-hidden"
                        accept=".xlsx,.xlsm,.xlsb,.xls,.et,.ett,.ods,.csv,.tsv,.txt,.htm,.html,.xml" {onchange} />
                </label>
                <button class="button" data-testid="load-example" onclick={examples}>{ tr(lang, T::LoadExample) }</button>
                if !state.files.is_empty() || !restored.is_empty() {
                    <button class="button subtle" data-testid="clear-all" aria-expanded={state.confirm_clear.to_string()}
                        onclick={send(Action::AskClear(true))}>{ tr(lang, T::ClearAll) }</button>
                }
            </div>
            if state.confirm_clear {
                <ClearConfirm {lang} onanswer={answer} />
            }
            if let Some(before) = &state.cleared {
                <p class="notice" data-testid="cleared" role="status">
                    { i18n::cleared(lang, before.files.len()) }{ " " }
                    <button class="button small" data-testid="undo-clear" onclick={send(Action::UndoClear)}>{ tr(lang, T::UndoClear) }</button>
                </p>
            }
            { interrupted(state, d) }
            { duplicates(state, d) }
            if !state.notices.is_empty() {
                <div class="notice" role="status">
                    <ul>
                        { for state.notices.iter().map(|n| html! {
                            <li data-testid="notice">{ match n {
                                Notice::AlreadyAdded(f) => i18n::already_added(lang, f),
                                Notice::Replaced(f) => i18n::replaced(lang, f),
                            } }</li>
                        }) }
                    </ul>
                    <button class="button small subtle" onclick={send(Action::DismissNotices)}>{ tr(lang, T::Dismiss) }</button>
                </div>
            }
            if state.files.is_empty() && restored.is_empty() {
                <p class="empty">{ tr(lang, T::NoFiles) }</p>
            }
            if !state.files.is_empty() {
                <p class="progress" data-testid="progress">
                    <progress max={state.files.len().to_string()} value={done.to_string()}></progress>
                    { format!(" {done} / {}", state.files.len()) }
                </p>
            }
            if !state.files.is_empty() || !restored.is_empty() {
                <ul class="file-list">
                    { for state.files.iter().map(|f| {
                        let (class, text) = match (&f.status, &f.duplicate_of) {
                            (_, Some(of)) => ("duplicate", i18n::duplicate_status(lang, of)),
                            (FileStatus::Waiting, _) => ("waiting", tr(lang, T::Waiting).to_string()),
                            (FileStatus::Reading, _) => ("reading", tr(lang, T::Reading).to_string()),
                            (FileStatus::Read { forms, fields }, _) => ("ok", i18n::file_found(lang, *forms, *fields)),
                            (FileStatus::Failed { zh, en }, _) => ("failed", format!("✗ {}", if lang == Lang::Zh { zh } else { en })),
                        };
                        html! {
                            <li class={classes!("file", class)}>
                                <span class="name">{ &f.name }</span>
                                <span class="size">{ format!("{:.0} KB", f.size as f64 / 1024.0) }</span>
                                <span class="status" data-testid="file-status">{ text }</span>
                            </li>
                        }
                    }) }
                    // The restored project's files, not added again: the banner's forms, here.
                    { for restored.iter().map(|(name, forms)| html! {
                        <li class="file restored-file" data-testid="restored-file">
                            <span class="name">{ *name }</span>
                            <span class="size"></span>
                            <span class="status">{ if state.detached { i18n::restored_file(lang, *forms) } else { tr(lang, T::RestoredNotInSet).to_string() } }</span>
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}

/// Files with the same bytes as an earlier one, in pairs, with 跳过 and 仍然保留.
fn duplicates(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let pairs = state.duplicates();
    if pairs.is_empty() {
        return html! {};
    }
    let choose = |keep: bool| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Duplicates { keep }))
    };
    let lines: Vec<String> = pairs
        .iter()
        .map(|(f, of)| i18n::duplicate_pair(lang, f, of))
        .collect();
    html! {
        <div class="notice duplicates" data-testid="duplicates" role="status">
            { folding_list(lang, tr(lang, T::DuplicatesTitle), &lines, lines.len(), "duplicate-pair") }
            <p class="hint">{ tr(lang, T::DuplicatesHint) }</p>
            <button class="button small" data-testid="skip-duplicates" onclick={choose(false)}>{ tr(lang, T::SkipDuplicates) }</button>
            { " " }
            <button class="button small subtle" data-testid="keep-duplicates" onclick={choose(true)}>{ tr(lang, T::KeepDuplicates) }</button>
        </div>
    }
}

/// A batch a reload cut short: which files were read, which were not, and which have been
/// added again since.
fn interrupted(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let files = state.interrupted_files();
    if files.is_empty() {
        return html! {};
    }
    let read = files.iter().filter(|(f, _)| f.read).count();
    let dismiss = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::DismissInterrupted))
    };
    let more = files.len().saturating_sub(INTERRUPTED_SHOWN);
    html! {
        <div class="notice interrupted" data-testid="interrupted" role="alert">
            <p>{ i18n::interrupted(lang, read, files.len() - read) }</p>
            <ul>
                { for files.iter().take(INTERRUPTED_SHOWN).map(|(f, again)| html! {
                    <li data-testid="interrupted-file" class={classes!(again.then_some("again"))}>
                        <span class="name">{ &f.name }</span>{ " · " }
                        <span class="status">{ tr(lang, if *again { T::AddedAgain } else if f.read { T::WasRead } else { T::WasNotRead }) }</span>
                    </li>
                }) }
                if more > 0 {
                    <li class="more">{ i18n::more_lines(lang, more) }</li>
                }
            </ul>
            <button class="button small subtle" data-testid="dismiss-interrupted" onclick={dismiss}>{ tr(lang, T::Dismiss) }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ClearConfirmProps {
    lang: Lang,
    /// `true`: clear; `false`: not after all.
    onanswer: Callback<bool>,
}

/// 全部清除's question, inside the page: focus goes to 不清除 (the safe answer) when it opens,
/// Tab reaches 清除, Escape answers no.
#[component]
fn ClearConfirm(props: &ClearConfirmProps) -> Html {
    let keep_ref = use_node_ref();
    {
        let keep_ref = keep_ref.clone();
        use_effect_with((), move |_| {
            if let Some(b) = keep_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        });
    }
    let lang = props.lang;
    let answer = |clear: bool| {
        let on = props.onanswer.clone();
        Callback::from(move |_: MouseEvent| on.emit(clear))
    };
    let onkeydown = {
        let on = props.onanswer.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on.emit(false);
            }
        })
    };
    html! {
        <div class="confirm" role="alertdialog" aria-labelledby="clear-ask" data-testid="clear-confirm" {onkeydown}>
            <p id="clear-ask">{ tr(lang, T::ClearAsk) }</p>
            <button class="button small danger" data-testid="clear-yes" onclick={answer(true)}>{ tr(lang, T::ClearYes) }</button>
            { " " }
            <button class="button small" data-testid="clear-no" ref={keep_ref} onclick={answer(false)}>{ tr(lang, T::ClearNo) }</button>
        </div>
    }
}
