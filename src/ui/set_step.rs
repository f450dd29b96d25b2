//! Step ④ 综合表: the set's sheets and columns, before/after figures, fields per department
//! (bar chart) and the department × department overlap (heatmap).

use yew::prelude::*;

use crate::error::Lang;
use crate::merge::Project;
use crate::plan::SetSheetKind;

use super::i18n::{self, grain_label, tr, T};
use super::state::AppState;
use super::view::{department_bars, heat};

pub(crate) fn set_step(state: &AppState) -> Html {
    let lang = state.lang;
    let Some(p) = &state.project else {
        return html! { <p class="empty">{ tr(lang, T::NothingYet) }</p> };
    };
    let b = &p.set.burden;
    let row = |label: String, r: &crate::plan::BurdenRow| {
        html! {
            <tr><td>{ label }</td><td>{ r.forms_before }</td><td>{ r.fields_before }</td><td>{ r.sheets_after }</td><td>{ r.fields_after }</td></tr>
        }
    };
    html! {
        <section class="set">
            <h2>{ &p.set.title }</h2>
            <div class="figures">
                <div>
                    <h3>{ tr(lang, T::BurdenTitle) }</h3>
                    <table class="grid" data-testid="burden">
                        <thead><tr><th></th><th>{ tr(lang, T::OriginalForms) }</th><th>{ tr(lang, T::OriginalFields) }</th><th>{ tr(lang, T::SetSheets) }</th><th>{ tr(lang, T::SetColumns) }</th></tr></thead>
                        <tbody>
                            { for b.by_grain.iter().map(|r| row(grain_label(lang, &r.label).to_string(), r)) }
                            { row(tr(lang, T::Total).to_string(), &b.total) }
                        </tbody>
                    </table>
                </div>
                <div>
                    <h3>{ tr(lang, T::FieldsPerDepartment) }</h3>
                    { bar_chart(lang, &department_bars(p)) }
                </div>
                <div>
                    <h3>{ tr(lang, T::Overlap) }</h3>
                    { heatmap(lang, p) }
                </div>
            </div>
            <p class="legend">
                <span class="col key">{ tr(lang, T::LegendKey) }</span>
                <span class="col req">{ tr(lang, T::LegendRequired) }</span>
                <span class="col">{ tr(lang, T::LegendOther) }</span>
            </p>
            <ol class="sheets">
                { for p.set.sheets.iter().map(|s| html! {
                    <li class={if s.kind == SetSheetKind::Base { "base" } else { "topic" }} data-testid="set-sheet">
                        <div class="sheet-head">
                            <span class="kind" title={tr(lang, if s.kind == SetSheetKind::Base { T::BaseHint } else { T::TopicHint })}>{ tr(lang, if s.kind == SetSheetKind::Base { T::Base } else { T::Topic }) }</span>
                            <span class="name">{ &s.name }</span>
                            <span class="grain">{ grain_label(lang, &s.grain) }</span>
                            <span class="freq">{ i18n::frequency_label(lang, &s.frequency) }</span>
                            <span class="depts">{ i18n::list(lang, &s.departments) }</span>
                        </div>
                        <div class="cols">
                            { for s.columns.iter().map(|c| html! {
                                <span class={classes!("col", c.key.then_some("key"), c.required.then_some("req"))}>{ &c.header }</span>
                            }) }
                        </div>
                    </li>
                }) }
            </ol>
        </section>
    }
}

fn bar_chart(lang: Lang, bars: &[(String, u32, u32)]) -> Html {
    let max = bars.iter().map(|b| b.1.max(b.2)).max().unwrap_or(1).max(1) as f32;
    let row_h = 26.0;
    let height = bars.len() as f32 * row_h + 24.0;
    let label_w = 80.0;
    let width = 420.0;
    let scale = |v: u32| (width - label_w - 40.0) * v as f32 / max;
    html! {
        <svg class="chart" viewBox={format!("0 0 {width} {height}")} role="img" aria-label={tr(lang, T::FieldsPerDepartment)}>
            { for bars.iter().enumerate().map(|(i, (name, before, after))| {
                let y = i as f32 * row_h + 4.0;
                html! {
                    <g>
                        <text x="0" y={(y + 14.0).to_string()} class="label">{ name }</text>
                        <rect x={label_w.to_string()} y={y.to_string()} width={scale(*before).to_string()} height="9" class="before"></rect>
                        <rect x={label_w.to_string()} y={(y + 10.0).to_string()} width={scale(*after).to_string()} height="9" class="after"></rect>
                        <text x={(label_w + scale(*before) + 4.0).to_string()} y={(y + 9.0).to_string()} class="value">{ before }</text>
                        <text x={(label_w + scale(*after) + 4.0).to_string()} y={(y + 19.0).to_string()} class="value">{ after }</text>
                    </g>
                }
            }) }
            <g>
                <rect x={label_w.to_string()} y={(height - 14.0).to_string()} width="10" height="9" class="before"></rect>
                <text x={(label_w + 14.0).to_string()} y={(height - 6.0).to_string()} class="value">{ tr(lang, T::Before) }</text>
                <rect x={(label_w + 80.0).to_string()} y={(height - 14.0).to_string()} width="10" height="9" class="after"></rect>
                <text x={(label_w + 94.0).to_string()} y={(height - 6.0).to_string()} class="value">{ tr(lang, T::After) }</text>
            </g>
        </svg>
    }
}

fn heatmap(lang: Lang, p: &Project) -> Html {
    let m = &p.set.burden.overlap;
    let n = m.departments.len();
    let cell = 30.0;
    let label = 80.0;
    let size = label + n as f32 * cell;
    // The last column's slanted name reaches past the grid.
    let width = size + 40.0;
    let max = m
        .counts
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.iter()
                .enumerate()
                .filter(move |(j, _)| *j != i)
                .map(|(_, v)| *v)
        })
        .max()
        .unwrap_or(1);
    html! {
        <svg class="heatmap" viewBox={format!("0 0 {width} {size}")} role="img" aria-label={tr(lang, T::Overlap)}>
            { for m.departments.iter().enumerate().map(|(i, dname)| html! {
                <g>
                    <text x="0" y={(label + i as f32 * cell + 19.0).to_string()} class="label">{ dname }</text>
                    <text x={(label + i as f32 * cell + 4.0).to_string()} y={(label - 6.0).to_string()} class="label vertical"
                        transform={format!("rotate(-60 {} {})", label + i as f32 * cell + 10.0, label - 6.0)}>{ dname }</text>
                </g>
            }) }
            { for m.counts.iter().enumerate().flat_map(|(i, r)| r.iter().enumerate().map(move |(j, v)| (i, j, *v))).map(|(i, j, v)| html! {
                <g class={(i != j && v * 2 > max).then_some("dark")}>
                    <title>{ i18n::overlap_cell(lang, &m.departments[i], &m.departments[j], v) }</title>
                    <rect x={(label + j as f32 * cell).to_string()} y={(label + i as f32 * cell).to_string()} width={(cell - 2.0).to_string()} height={(cell - 2.0).to_string()}
                        fill={if i == j { "#e8e8e8".to_string() } else { heat(v, max) }}></rect>
                    <text x={(label + j as f32 * cell + 8.0).to_string()} y={(label + i as f32 * cell + 19.0).to_string()} class="value">{ v }</text>
                </g>
            }) }
        </svg>
    }
}
