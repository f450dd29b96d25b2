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
use super::state::{Action, AppState, Bulk, GroupBy, Note, StatusFilter};
use super::view::{
    bulk_pick, cluster_groups, departments, filter_targets, form_label, near_miss_lines, split,
    targets, Target,
};

pub(crate) fn review_step(state: &AppState, d: &Dispatch) -> Html {
    let lang = state.lang;
    let Some(p) = &state.project else {
        return html! { <p class="empty">{ tr(lang, T::NothingYet) }</p> };
    };
    let groups = cluster_groups(state);
    let listed: usize = groups.iter().map(|g| g.rows.len()).sum();
    // Every cluster, unfiltered: counted here, listed only for an open 移到…/合并到….
    let total = p
        .set
        .canonical
        .iter()
        .filter(|c| !c.members.is_empty())
        .count();
    let all = || {
        super::view::cluster_rows(&AppState {
            search: String::new(),
            department: None,
            form: None,
            status: StatusFilter::All,
            grain: None,
            project: state.project.clone(),
            ..AppState::default()
        })
    };
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
    let on_form = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            d.dispatch(Action::FilterForm(input.value().parse().ok()));
        })
    };
    let group_by = [
        ("", GroupBy::None, T::GroupNone),
        ("department", GroupBy::Department, T::GroupDepartment),
        ("form", GroupBy::Form, T::GroupForm),
    ];
    let on_group = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            let g = group_by
                .iter()
                .find(|(k, _, _)| *k == v)
                .map_or(GroupBy::None, |(_, g, _)| *g);
            d.dispatch(Action::Group(g));
        })
    };
    let undo = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Undo))
    };
    // Bulk 确认: each says how many clusters it takes before it is pressed.
    let threshold = state.threshold();
    let on_threshold = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().trim().parse::<u8>() {
                d.dispatch(Action::BulkThreshold(v));
            }
        })
    };
    let bulk = |b: Bulk| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::AcceptAll(b)))
    };
    let listed_rows = || groups.iter().flat_map(|g| &g.rows);
    let above = bulk_pick(state, listed_rows(), Bulk::Above(threshold)).len();
    let by_department = state
        .department
        .is_some()
        .then(|| bulk_pick(state, listed_rows(), Bulk::Department).len());
    let by_form = state
        .form
        .is_some()
        .then(|| bulk_pick(state, listed_rows(), Bulk::Form).len());
    let note = state.note.as_ref().map(|n| {
        let dismiss = {
            let d = d.clone();
            Callback::from(move |_: MouseEvent| d.dispatch(Action::DismissNote))
        };
        let (text, go) = match n {
            Note::Moved {
                name,
                id,
                done,
                position,
            } => {
                let d = d.clone();
                let id = id.clone();
                (
                    i18n::moved_note(lang, name, done, *position),
                    Some(Callback::from(move |_: MouseEvent| {
                        d.dispatch(Action::GoTo(id.clone()))
                    })),
                )
            }
            Note::Bulk(n) => (i18n::bulk_done(lang, *n), None),
        };
        html! {
            <p class="note" data-testid="review-note" role="status">
                { text }
                if let Some(go) = go {
                    <button class="button small subtle" data-testid="review-note-go" onclick={go}>{ tr(lang, T::GoTo) }</button>
                }
                <button class="button small subtle" onclick={dismiss}>{ tr(lang, T::Dismiss) }</button>
            </p>
        }
    });
    // Every cluster as 移到…/合并到… offer it (name, departments, a member). Built once per
    // drawing and shared by every card's lists and callbacks (200 forms: thousands of members).
    // Built only for the card whose list is open (the others get none, so they compare equal
    // and are not drawn again).
    let targets = || Rc::new(targets(lang, &all()));
    let shown = state.clusters_shown();
    let grouped = state.group != GroupBy::None;
    html! {
        <section class="review">
            <div class="filters">
                <input type="search" placeholder={tr(lang, T::Search)} aria-label={tr(lang, T::Search)} value={state.search.clone()} oninput={on_search} />
                <select onchange={on_dept} aria-label={tr(lang, T::Department)} data-testid="filter-department">
                    <option value="" selected={state.department.is_none()}>{ tr(lang, T::AllDepartments) }</option>
                    { for departments(p).into_iter().map(|x| html! { <option value={x.clone()} selected={state.department.as_deref() == Some(x.as_str())}>{ x }</option> }) }
                </select>
                <select onchange={on_form} aria-label={tr(lang, T::OriginalForm)} data-testid="filter-form">
                    <option value="" selected={state.form.is_none()}>{ tr(lang, T::AllForms) }</option>
                    { for p.set.sources.iter().enumerate().map(|(i, s)| html! { <option value={i.to_string()} selected={state.form == Some(i)}>{ form_label(s) }</option> }) }
                </select>
                <select onchange={on_grain} aria-label={tr(lang, T::Grain)} data-testid="filter-grain">
                    <option value="" selected={state.grain.is_none()}>{ tr(lang, T::AllGrains) }</option>
                    { for grains.iter().map(|g| html! { <option value={*g} selected={state.grain.as_deref() == Some(*g)}>{ grain_label(lang, g) }</option> }) }
                </select>
                <select onchange={on_status} aria-label={tr(lang, T::AllStatuses)} data-testid="filter-status">
                    { for statuses.iter().map(|(k, s, t)| html! { <option value={*k} selected={state.status == *s}>{ tr(lang, *t) }</option> }) }
                </select>
                <select onchange={on_group} aria-label={tr(lang, T::GroupBy)} data-testid="group-by">
                    { for group_by.iter().map(|(k, g, t)| html! { <option value={*k} selected={state.group == *g}>{ tr(lang, *t) }</option> }) }
                </select>
                <button class="button subtle" onclick={undo} disabled={state.decisions.is_empty()}>{ tr(lang, T::Undo) }</button>
                <span class="count" data-testid="cluster-count">{ format!("{listed} / {total}") }</span>
            </div>
            <div class="bulk">
                <label>{ tr(lang, T::Threshold) }
                    <input type="number" min="1" max="100" value={threshold.to_string()} onchange={on_threshold} data-testid="bulk-threshold" />
                </label>
                <button class="button small" data-testid="bulk-accept" onclick={bulk(Bulk::Above(threshold))} disabled={above == 0}>{ i18n::bulk_above(lang, threshold, above) }</button>
                if let Some(n) = by_department {
                    <button class="button small" data-testid="bulk-department" onclick={bulk(Bulk::Department)} disabled={n == 0}>{ i18n::bulk_scope(lang, false, n) }</button>
                }
                if let Some(n) = by_form {
                    <button class="button small" data-testid="bulk-form" onclick={bulk(Bulk::Form)} disabled={n == 0}>{ i18n::bulk_scope(lang, true, n) }</button>
                }
            </div>
            { for note }
            { super::lexicon_panel::lexicon_panel(state, d) }
            { for groups.iter().map(|g| {
                let fold = {
                    let d = d.clone();
                    let key = g.key.clone();
                    Callback::from(move |_: MouseEvent| d.dispatch(Action::Fold(key.clone())))
                };
                let more = {
                    let d = d.clone();
                    Callback::from(move |_: MouseEvent| d.dispatch(Action::ShowMoreClusters))
                };
                let hidden = g.rows.len().saturating_sub(shown);
                html! {
                    <>
                        if grouped {
                            <h3 class="group">
                                <button class="group-head" data-testid="group" aria-expanded={(!g.folded).to_string()} onclick={fold}>
                                    { if g.folded { "▸ " } else { "▾ " } }{ &g.label }{ i18n::count_suffix(lang, g.rows.len()) }
                                </button>
                            </h3>
                        }
                        if !g.folded {
                            <ol class="clusters">
                                { for g.rows.iter().take(shown).map(|r| cluster_card(lang, r, &targets, state, d)) }
                            </ol>
                            if hidden > 0 {
                                <button class="button small subtle" data-testid="show-more-clusters" onclick={more}>{ i18n::more_clusters(lang, hidden) }</button>
                            }
                        }
                    </>
                }
            }) }
            if !p.near_misses.is_empty() {
                <h3>{ tr(lang, T::NearMisses) }</h3>
                <ul class="near">
                    { for near_miss_lines(lang, p, 40).into_iter().map(|line| html! { <li data-testid="near-miss">{ line }</li> }) }
                </ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TargetPickerProps {
    lang: Lang,
    targets: Rc<Vec<Target>>,
    /// The card's own cluster, left out.
    own: String,
    /// 移到… or 合并到….
    label: T,
    testid: &'static str,
    onpick: Callback<crate::plan::FieldRef>,
}

/// A 移到…/合并到… list with a box above it: typing narrows the list (names, departments) in
/// this component alone, so the 700 clusters around it are not drawn again per key.
#[component]
fn TargetPicker(props: &TargetPickerProps) -> Html {
    let typed = use_state(String::new);
    let input = use_node_ref();
    {
        let input = input.clone();
        use_effect_with((), move |_| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        });
    }
    let lang = props.lang;
    let shown = filter_targets(&props.targets, &props.own, &typed);
    let on_input = {
        let typed = typed.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            typed.set(input.value());
        })
    };
    let on_change = {
        let targets = props.targets.clone();
        let onpick = props.onpick.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = input.value();
            if let Some(t) = targets.iter().find(|t| t.id == v) {
                onpick.emit(t.field.clone());
            }
        })
    };
    html! {
        <span class="picker">
            <input type="search" ref={input} class="target-filter" data-testid="target-filter" placeholder={tr(lang, T::FilterTargets)} aria-label={tr(lang, T::FilterTargets)} value={(*typed).clone()} oninput={on_input} />
            <select class="merge" data-testid={props.testid} onchange={on_change} aria-label={tr(lang, props.label)}>
                <option value="" selected=true>{ if shown.is_empty() { tr(lang, T::NoTargets).to_string() } else { format!("{}{}", tr(lang, props.label), i18n::count_suffix(lang, shown.len())) } }</option>
                { for shown.iter().map(|t| html! { <option value={t.id.clone()}>{ &t.label }</option> }) }
            </select>
        </span>
    }
}

/// What one cluster card draws from. A card whose props did not change is not drawn again, so
/// a decision redraws only the cards it touched (and those that moved).
#[derive(Properties, PartialEq)]
struct CardProps {
    lang: Lang,
    row: super::view::ClusterRow,
    /// The 移到…/合并到… entries, only while this card's list is open.
    targets: Option<Rc<Vec<Target>>>,
    /// This card's member being moved.
    moving: Option<crate::plan::FieldRef>,
    /// This card is being merged into another.
    merging: bool,
    /// This card's member whose split waits for a second click.
    confirming: Option<crate::plan::FieldRef>,
    /// Every member is shown.
    expanded: bool,
    d: Dispatch,
}

fn cluster_card(
    lang: Lang,
    r: &super::view::ClusterRow,
    targets: &impl Fn() -> Rc<Vec<Target>>,
    state: &AppState,
    d: &Dispatch,
) -> Html {
    let holds = |f: &Option<crate::plan::FieldRef>| {
        f.as_ref()
            .filter(|f| r.members.iter().any(|m| &m.field == *f))
            .cloned()
    };
    let moving = holds(&state.moving);
    let merging = state
        .merging
        .as_ref()
        .is_some_and(|f| r.members.first().is_some_and(|m| &m.field == f));
    let targets = (moving.is_some() || merging).then(targets);
    html! {
        <ClusterCard key={r.id.clone()} lang={lang} row={r.clone()} targets={targets} moving={moving} merging={merging}
            confirming={holds(&state.confirm_split)} expanded={state.expanded.contains(&r.id)} d={d.clone()} />
    }
}

#[component]
fn ClusterCard(props: &CardProps) -> Html {
    let (lang, r, d) = (props.lang, &props.row, &props.d);
    let Some(first) = r.members.first() else {
        return html! {};
    };
    let (moving, confirming) = (props.moving.as_ref(), props.confirming.as_ref());
    let targets = props.targets.clone().unwrap_or_default();
    // A field 200 forms ask for has 200 members: the first few are drawn, the rest on demand
    // (drawing every member of a 200-form batch took the review over a second per decision).
    let shown_members = if props.expanded {
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
    let merging = props.merging;
    let start_merge = {
        let d = d.clone();
        let field = first.field.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::StartMerge(Some(field.clone()))))
    };
    let on_merge = {
        let d = d.clone();
        let field = first.field.clone();
        Callback::from(move |a: crate::plan::FieldRef| {
            d.dispatch(Action::Decide(Decision::Merge {
                a,
                b: field.clone(),
            }))
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
        // Keyed by id in `cluster_card` (unique, tests/engine/app_state.rs): a decision that
        // reorders the list moves cards instead of rewriting each.
        <li class={class} data-testid="cluster" id={format!("cluster-{}", r.id)}>
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
                        <TargetPicker lang={lang} targets={targets.clone()} own={r.id.clone()} label={T::MergeInto} testid="merge-into" onpick={on_merge} />
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
                        Callback::from(move |to: crate::plan::FieldRef| {
                            d.dispatch(Action::Decide(Decision::Move { field: field.clone(), to }));
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
                                <TargetPicker lang={lang} targets={targets.clone()} own={r.id.clone()} label={T::MoveTo} testid="move-to" onpick={on_move} />
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
