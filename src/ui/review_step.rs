//! Step ③ 核对字段: the clusters, least certain first, with filters, the staff decisions on
//! them, and the lexicon-additions panel.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::error::Lang;
use crate::plan::Decision;
use crate::reasons;

use super::edge::Dispatch;
use super::i18n::{self, grain_label, tr, T};
use super::state::{Action, AppState, StatusFilter};
use super::view::{cluster_rows, departments, split, targets, Target};

pub(crate) fn review_step(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let Some(p) = &state.project else {
        return html! { <p class="empty">{ tr(lang, T::NothingYet) }</p> };
    };
    let rows = cluster_rows(state);
    let all = cluster_rows(&AppState {
        search: String::new(),
        department: None,
        status: StatusFilter::All,
        grain: None,
        ..state.clone()
    });
    let on_search = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            d.dispatch(Action::Search(input.value()));
        })
    };
    let on_dept = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            d.dispatch(Action::FilterDepartment((!v.is_empty()).then_some(v)));
        })
    };
    let statuses = [
        ("", StatusFilter::All, T::AllStatuses),
        ("review", StatusFilter::NeedsReview, T::NeedsReview),
        ("confirmed", StatusFilter::Confirmed, T::Accepted),
        ("dropped", StatusFilter::Dropped, T::Dropped),
    ];
    let on_status = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            let s = statuses
                .iter()
                .find(|(k, _, _)| *k == v)
                .map_or(StatusFilter::All, |(_, s, _)| *s);
            d.dispatch(Action::FilterStatus(s));
        })
    };
    let grains = ["person", "household", "village", "plot"];
    let on_grain = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            d.dispatch(Action::FilterGrain((!v.is_empty()).then_some(v)));
        })
    };
    let undo = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Undo))
    };
    // Every cluster as 移到…/合并到… offer it (name, departments, a member). Built once per
    // drawing and shared by every card's lists and callbacks (200 forms: thousands of members).
    let targets: Rc<Vec<Target>> = Rc::new(targets(lang, &all));
    html! {
        <section class="review">
            <div class="filters">
                <input type="search" placeholder={tr(lang, T::Search)} aria-label={tr(lang, T::Search)} value={state.search.clone()} oninput={on_search} />
                <select onchange={on_dept} aria-label={tr(lang, T::Department)}>
                    <option value="" selected={state.department.is_none()}>{ tr(lang, T::AllDepartments) }</option>
                    { for departments(p).into_iter().map(|x| html! { <option value={x.clone()} selected={state.department.as_deref() == Some(x.as_str())}>{ x }</option> }) }
                </select>
                <select onchange={on_grain} aria-label={tr(lang, T::Grain)} data-testid="filter-grain">
                    <option value="" selected={state.grain.is_none()}>{ tr(lang, T::AllGrains) }</option>
                    { for grains.iter().map(|g| html! { <option value={*g} selected={state.grain.as_deref() == Some(*g)}>{ grain_label(lang, g) }</option> }) }
                </select>
                <select onchange={on_status} aria-label={tr(lang, T::AllStatuses)} data-testid="filter-status">
                    { for statuses.iter().map(|(k, s, t)| html! { <option value={*k} selected={state.status == *s}>{ tr(lang, *t) }</option> }) }
                </select>
                <button class="button subtle" onclick={undo} disabled={state.decisions.is_empty()}>{ tr(lang, T::Undo) }</button>
                <span class="count">{ format!("{} / {}", rows.len(), all.len()) }</span>
            </div>
            { super::lexicon_panel::lexicon_panel(state, d) }
            <ol class="clusters">
                { for rows.iter().map(|r| cluster_card(lang, r, &targets, state, d)) }
            </ol>
            if !p.near_misses.is_empty() {
                <h3>{ tr(lang, T::NearMisses) }</h3>
                <ul class="near">
                    { for p.near_misses.iter().take(40).map(|n| html! {
                        <li>{ format!("{:.0}% · {}  ↔  {}{}{}", n.similarity * 100.0, n.a.header_path.join("/"), n.b.header_path.join("/"), i18n::colon(lang), reasons::in_lang(lang, &n.reason)) }</li>
                    }) }
                </ul>
            }
        </section>
    }
}

/// The options of a 移到…/合并到… list: every cluster but the card's own.
fn target_options(targets: &[Target], own: &str) -> Html {
    targets
        .iter()
        .filter(|t| t.id != own)
        .map(|t| html! { <option value={t.id.clone()}>{ &t.label }</option> })
        .collect()
}

fn cluster_card(
    lang: Lang,
    r: &super::view::ClusterRow,
    targets: &Rc<Vec<Target>>,
    state: &AppState,
    d: &Dispatch,
) -> Html {
    let Some(first) = r.members.first() else {
        return html! {};
    };
    let (moving, confirming) = (state.moving.as_ref(), state.confirm_split.as_ref());
    // A field 200 forms ask for has 200 members: the first few are drawn, the rest on demand
    // (drawing every member of a 200-form batch took the review over a second per decision).
    let shown_members = if state.expanded.contains(&r.id) {
        r.members.len()
    } else {
        super::view::MEMBERS_SHOWN
    };
    let hidden_members = r.members.len().saturating_sub(shown_members);
    let show_members = {
        let d = d.clone();
        let id = r.id.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::ShowMembers(id.clone())))
    };
    // Merge into another cluster: its list opens on demand (a batch has hundreds).
    let merging = state.merging.as_ref() == Some(&first.field);
    let start_merge = {
        let d = d.clone();
        let field = first.field.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::StartMerge(Some(field.clone()))))
    };
    let on_merge = {
        let d = d.clone();
        let field = first.field.clone();
        let targets = targets.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            if let Some(t) = targets.iter().find(|t| t.id == v) {
                d.dispatch(Action::Decide(Decision::Merge {
                    a: t.field.clone(),
                    b: field.clone(),
                }));
            }
        })
    };
    let decide = |decision: Decision| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Decide(decision.clone())))
    };
    let accept = decide(Decision::Accept {
        field: first.field.clone(),
    });
    let drop = decide(Decision::Drop {
        field: first.field.clone(),
    });
    let rename = {
        let d = d.clone();
        let field = first.field.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let name = input.value().trim().to_string();
            if !name.is_empty() {
                d.dispatch(Action::Decide(Decision::Rename {
                    field: field.clone(),
                    name,
                }));
            }
        })
    };
    let class = classes!(
        "cluster",
        r.needs_review.then_some("risky"),
        r.confirmed.then_some("confirmed"),
        r.dropped.then_some("dropped")
    );
    html! {
        // Keyed by id (unique, tests/engine/app_state.rs): a decision that reorders the list
        // moves cards instead of rewriting each (200 forms: 0.4 -> 0.26 s per decision).
        <li class={class} data-testid="cluster" key={r.id.clone()}>
            <div class="head">
                <span class="name">{ &r.name }{ r.unit.as_ref().map(|u| format!("（{u}）")).unwrap_or_default() }</span>
                <span class="conf" title={tr(lang, T::Confidence)}>
                    <meter min="0" max="1" low="0.6" high="0.8" optimum="1" value={r.confidence.to_string()}></meter>
                    <span class="pct">{ format!("{:.0}%", r.confidence * 100.0) }</span>
                </span>
                if r.dropped { <span class="tag">{ tr(lang, T::Dropped) }</span> }
                else if r.confirmed { <span class="tag ok">{ tr(lang, T::Accepted) }</span> }
                <span class="actions">
                    <button class="button small" data-testid="accept" onclick={accept}>{ tr(lang, T::Accept) }</button>
                    <button class="button small subtle" data-testid="drop" onclick={drop}>{ tr(lang, T::Drop) }</button>
                    <input class="rename" placeholder={tr(lang, T::Rename)} aria-label={tr(lang, T::Rename)} onchange={rename} />
                    if merging {
                        <select class="merge" data-testid="merge-into" onchange={on_merge} aria-label={tr(lang, T::MergeInto)}>
                            <option value="" selected=true>{ tr(lang, T::MergeInto) }</option>
                            { target_options(targets, &r.id) }
                        </select>
                    } else {
                        <button class="button small subtle" data-testid="merge" onclick={start_merge}>{ tr(lang, T::MergeInto) }</button>
                    }
                </span>
            </div>
            <ul class="members">
                { for r.members.iter().take(shown_members).map(|m| {
                    // A field that identifies rows is split only after the clerk has read what
                    // that costs.
                    let split_out = if r.identifies_rows {
                        let d = d.clone();
                        let field = m.field.clone();
                        Callback::from(move |_: MouseEvent| d.dispatch(Action::AskSplit(Some(field.clone()))))
                    } else {
                        decide(split(&m.field))
                    };
                    let asking = confirming == Some(&m.field);
                    let split_anyway = decide(split(&m.field));
                    let keep = {
                        let d = d.clone();
                        Callback::from(move |_: MouseEvent| d.dispatch(Action::AskSplit(None)))
                    };
                    let start_move = {
                        let d = d.clone();
                        let field = m.field.clone();
                        Callback::from(move |_: MouseEvent| d.dispatch(Action::StartMove(Some(field.clone()))))
                    };
                    let on_move = {
                        let d = d.clone();
                        let field = m.field.clone();
                        let targets = targets.clone();
                        Callback::from(move |e: Event| {
                            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
                            let v = input.value();
                            if let Some(t) = targets.iter().find(|t| t.id == v) {
                                d.dispatch(Action::Decide(Decision::Move { field: field.clone(), to: t.field.clone() }));
                            }
                        })
                    };
                    html! {
                        <li>
                            <span class="dept">{ &m.department }</span>
                            <span class="form">{ &m.form }</span>
                            <span class="hdr">{ format!("{} · {}", m.column, m.header) }</span>
                            if r.members.len() > 1 && !asking {
                                <button class="button small subtle" data-testid="split" onclick={split_out}>{ tr(lang, T::Split) }</button>
                            }
                            if moving == Some(&m.field) {
                                <select class="move" onchange={on_move} aria-label={tr(lang, T::MoveTo)}>
                                    <option value="" selected=true>{ tr(lang, T::MoveTo) }</option>
                                    { target_options(targets, &r.id) }
                                </select>
                            } else {
                                <button class="button small subtle move" onclick={start_move}>{ tr(lang, T::MoveTo) }</button>
                            }
                            if asking {
                                <span class="split-warning" data-testid="split-warning" role="alert">
                                    { tr(lang, T::SplitKeyWarning) }
                                    <button class="button small" data-testid="split-anyway" onclick={split_anyway}>{ tr(lang, T::SplitAnyway) }</button>
                                    <button class="button small subtle" data-testid="split-keep" onclick={keep}>{ tr(lang, T::KeepTogether) }</button>
                                </span>
                            }
                        </li>
                    }
                }) }
                if hidden_members > 0 {
                    <li class="more">
                        <button class="button small subtle" data-testid="show-members" onclick={show_members}>{ i18n::more_members(lang, hidden_members) }</button>
                    </li>
                }
            </ul>
            if !r.reasons.is_empty() {
                <p class="reasons">{ r.reasons.iter().map(|x| reasons::in_lang(lang, x)).collect::<Vec<_>>().join(if lang == Lang::Zh { "；" } else { "; " }) }</p>
            }
        </li>
    }
}
