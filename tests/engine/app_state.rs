//! The web app's reducer and view logic, natively: files in, statuses and a live form set out;
//! decisions and corrections change the set; the review list is ordered and filtered as shown.

use yibiao::examples::EXAMPLES;
use yibiao::inspect::inspect_with_preview;
use yibiao::merge::{FormOverride, Project};
use yibiao::plan::{Decision, FieldRef};
use yibiao::ui::state::{Action, AppState, FileStatus, Step};
use yibiao::ui::view::{cluster_rows, department_bars, diff_departments, heat, split};
use yibiao::Lang;

fn with_examples() -> AppState {
    let mut s = AppState::default();
    s.apply(Action::Queue(
        EXAMPLES
            .iter()
            .map(|(n, b)| (n.to_string(), b.len()))
            .collect(),
    ));
    assert_eq!(s.busy(), EXAMPLES.len());
    for (name, bytes) in EXAMPLES {
        s.apply(Action::Reading(name.to_string()));
        let (report, previews) = inspect_with_preview(name, bytes, 14, 14);
        s.apply(Action::Read {
            name: name.to_string(),
            report,
            previews,
        });
    }
    s
}

#[test]
fn files_become_forms_and_a_live_form_set() {
    let s = with_examples();
    assert_eq!(s.busy(), 0);
    assert!(s
        .files
        .iter()
        .all(|f| matches!(f.status, FileStatus::Read { forms, .. } if forms >= 1)));
    let p = s.project.as_ref().expect("project");
    assert_eq!(p.set.sources.len(), 14);
    // A form's preview shows its sheet's first rows.
    let pv = s.preview_of(0).expect("preview");
    assert!(!pv.cells.is_empty());
}

#[test]
fn a_bad_file_fails_alone_with_a_plain_reason() {
    let mut s = with_examples();
    s.apply(Action::Queue(vec![("坏文件.xlsx".into(), 9)]));
    let (report, previews) = inspect_with_preview("坏文件.xlsx", b"PK\x03\x04broken", 14, 14);
    s.apply(Action::Read {
        name: "坏文件.xlsx".into(),
        report,
        previews,
    });
    let bad = s
        .files
        .iter()
        .find(|f| f.name == "坏文件.xlsx")
        .expect("file");
    match &bad.status {
        FileStatus::Failed { zh, en } => {
            assert!(!zh.is_empty() && !en.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.project.as_ref().expect("project").set.sources.len(), 14);
    s.apply(Action::Remove("坏文件.xlsx".into()));
    assert_eq!(s.files.len(), EXAMPLES.len());
}

#[test]
fn review_list_is_ordered_filtered_and_decisions_apply_live() {
    let mut s = with_examples();
    let rows = cluster_rows(&s);
    assert!(rows.windows(2).all(|w| w[0].confidence <= w[1].confidence));
    let id_row = rows
        .iter()
        .find(|r| r.id == "person.id_number")
        .expect("ID cluster");
    assert!(id_row.members.len() >= 8);

    s.apply(Action::Search("身份".into()));
    assert!(cluster_rows(&s)
        .iter()
        .all(|r| r.name.contains("身份") || r.members.iter().any(|m| m.header.contains("身份"))));
    s.apply(Action::Search(String::new()));
    s.apply(Action::FilterDepartment(Some("残联".into())));
    assert!(cluster_rows(&s)
        .iter()
        .all(|r| r.members.iter().any(|m| m.department == "残联")));
    s.apply(Action::FilterDepartment(None));
    s.apply(Action::OnlyReview(true));
    assert!(cluster_rows(&s).iter().all(|r| r.needs_review));
    s.apply(Action::OnlyReview(false));

    // Split one member out of the ID cluster, then undo.
    let before = cluster_rows(&s).len();
    let member = id_row.members[1].field.clone();
    s.apply(Action::Decide(split(&member)));
    assert_eq!(cluster_rows(&s).len(), before + 1);
    s.apply(Action::Undo);
    assert_eq!(cluster_rows(&s).len(), before);

    // Accept: confirmed, full confidence.
    s.apply(Action::Decide(Decision::Accept {
        field: member.clone(),
    }));
    let row = cluster_rows(&s)
        .into_iter()
        .find(|r| r.id == "person.id_number")
        .expect("row");
    assert!(row.confirmed);
    assert_eq!(row.confidence, 1.0);
}

#[test]
fn corrections_of_department_and_grain_flow_into_the_set() {
    let mut s = with_examples();
    let p = s.project.clone().expect("project");
    let src = &p.set.sources[0];
    s.apply(Action::Override(FormOverride {
        file: src.file.clone(),
        sheet: src.sheet.clone(),
        department: Some("社保中心".into()),
        grain: None,
    }));
    let p2 = s.project.clone().expect("project");
    assert_eq!(p2.set.sources[0].department, "社保中心");
    assert!(department_bars(&p2).iter().any(|(d, _, _)| d == "社保中心"));
    assert_eq!(s.overrides.len(), 1);
}

#[test]
fn a_saved_project_restores_and_reopens() {
    let s = with_examples();
    let text = s.project.as_ref().expect("project").to_json();
    let mut fresh = AppState::default();
    fresh.apply(Action::Restore(Box::new(
        Project::from_json(&text).expect("parses"),
    )));
    let r = fresh.restored.clone().expect("restored");
    assert_eq!(r.forms, 14);
    assert!(fresh.project.is_some());
    fresh.apply(Action::Go(Step::Set));
    assert_eq!(fresh.step, Step::Set);
    fresh.apply(Action::SetLang(Lang::En));
    assert_eq!(fresh.lang, Lang::En);
    fresh.apply(Action::Clear);
    assert!(fresh.project.is_none() && fresh.restored.is_none());
}

#[test]
fn heat_goes_from_white_to_blue() {
    assert_eq!(heat(0, 10), "rgb(255,255,255)");
    assert_eq!(heat(10, 10), "rgb(30,90,170)");
    assert_eq!(heat(3, 0), "rgb(255,255,255)");
}

#[test]
fn the_set_is_merged_once_the_batch_is_read() {
    let mut s = AppState::default();
    let (a, b) = (&EXAMPLES[0], &EXAMPLES[1]);
    s.apply(Action::Queue(vec![
        (a.0.to_string(), a.1.len()),
        (b.0.to_string(), b.1.len()),
    ]));
    let (report, previews) = inspect_with_preview(a.0, a.1, 4, 4);
    s.apply(Action::Read {
        name: a.0.to_string(),
        report,
        previews,
    });
    assert!(s.project.is_none(), "one file still waiting");
    s.apply(Action::Failed {
        name: b.0.to_string(),
        zh: "读不出".into(),
        en: "unreadable".into(),
    });
    assert_eq!(s.busy(), 0);
    assert!(s.project.is_some(), "merged when the batch is done");
}

#[test]
fn a_person_can_move_the_header_block() {
    use yibiao::inspect::{inspect_with_choices, HeaderChoice};
    let (name, bytes) = EXAMPLES
        .iter()
        .find(|(n, _)| n.contains("高龄津贴"))
        .expect("fixture");
    let (auto, _) = inspect_with_preview(name, bytes, 4, 4);
    let sheet = &auto.sheets[0];
    let detected = sheet.forms[0].header_rows.clone();
    assert_eq!(detected.len(), 1);
    // Choose one more row on top: the header now has two rows and the fields' paths grow.
    let choice = HeaderChoice {
        sheet: sheet.sheet.clone(),
        first: detected[0] - 1,
        last: detected[0],
    };
    let (chosen, previews) = inspect_with_choices(name, bytes, std::slice::from_ref(&choice), 4, 4);
    let form = &chosen.sheets[0].forms[0];
    assert_eq!(form.header_rows, vec![detected[0] - 1, detected[0]]);
    assert_eq!(form.fields.len(), sheet.forms[0].fields.len());
    assert_eq!(form.data_rows, sheet.forms[0].data_rows);

    // Through the reducer: the choice is kept, the file is read again, the set follows.
    let mut s = with_examples();
    s.apply(Action::ChooseHeader {
        file: name.to_string(),
        choice: choice.clone(),
    });
    assert_eq!(s.choices_for(name), vec![choice]);
    assert_eq!(s.busy(), 1);
    s.apply(Action::Read {
        name: name.to_string(),
        report: chosen.clone(),
        previews,
    });
    let p = s.project.as_ref().expect("project");
    let src = p
        .set
        .sources
        .iter()
        .find(|x| x.file == *name)
        .expect("source");
    assert_eq!(src.header_rows, vec![detected[0] - 1, detected[0]]);
}

/// Last year's project: the examples without the 自然资源 form, 低保证号 then called 低保证编码,
/// with two decisions.
fn last_year() -> Project {
    let mut reports: Vec<_> = EXAMPLES
        .iter()
        .filter(|(n, _)| !n.contains("自然资源局"))
        .map(|(n, b)| yibiao::inspect(n, b))
        .collect();
    let form = reports
        .iter_mut()
        .filter(|r| r.file.contains("民政工作报表"))
        .flat_map(|r| r.sheets.iter_mut())
        .flat_map(|s| s.forms.iter_mut())
        .next()
        .expect("低保");
    let f = form
        .fields
        .iter_mut()
        .find(|f| f.name == "低保证号")
        .expect("低保证号");
    f.header_path = vec!["低保证编码".into()];
    f.name = "低保证编码".into();
    let first = yibiao::merge::merge(&reports, "", &[]).expect("merge");
    let at = |file: &str, leaf: &str| {
        let s = first
            .set
            .sources
            .iter()
            .find(|s| s.file.contains(file))
            .expect("form");
        FieldRef {
            file: s.file.clone(),
            sheet: s.sheet.clone(),
            header_path: vec![leaf.to_string()],
        }
    };
    let decisions = vec![
        Decision::Rename {
            field: at("民政工作报表", "低保证编码"),
            name: "低保证编号".into(),
        },
        Decision::Split {
            field: at("医疗保障局", "联系方式"),
        },
    ];
    yibiao::merge::merge(&reports, "", &decisions).expect("merge")
}

#[test]
fn last_years_project_shows_what_changed_and_its_decisions_apply_again() {
    let old = last_year();
    // Without this year's files there is nothing to compare with.
    let mut empty = AppState::default();
    empty.apply(Action::OpenLastYear(Box::new(old.clone())));
    assert_eq!(
        empty.message,
        Some((
            "请先添加今年的表格，再打开去年的项目文件。".into(),
            "Add this year's files first, then open last year's project file.".into()
        ))
    );
    assert!(empty.last_year.is_none() && empty.decisions.is_empty());

    let mut s = with_examples();
    let accept = Decision::Accept {
        field: cluster_rows(&s)[0].members[0].field.clone(),
    };
    s.apply(Action::Decide(accept.clone()));
    s.apply(Action::OpenLastYear(Box::new(old)));
    assert!(s.year_diff.is_some());

    // The change list: departments with changes first, counts first, then the lines.
    let rows = diff_departments(&s);
    let changed: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.changed)
        .map(|r| (r.name.as_str(), r.counts.as_str()))
        .collect();
    assert_eq!(
        changed,
        [
            ("民政", "1 张表有改动，2 张表无变化"),
            ("自然资源", "新增 1 张表")
        ]
    );
    assert!(rows[2..].iter().all(|r| !r.changed && r.lines.is_empty()));
    assert_eq!(
        rows[0].lines,
        [
            "~ 「青山县2024年农村最低生活保障对象花名册」：1 个字段改名",
            "    字段改名：「低保证编码」 → 「低保证号」（同一位置、同一类型）",
        ]
    );
    assert_eq!(
        rows[1].lines,
        ["+ 「青山县农村宅基地及农房现状调查表」（新增，20 个字段）"]
    );

    // Last year's decisions come first (the rename follows its field), this year's last.
    assert_eq!(s.decisions.len(), 3);
    assert!(
        matches!(&s.decisions[0], Decision::Rename { field, .. } if field.header_path == ["低保证号"])
    );
    assert_eq!(s.decisions[2], accept);
    let p = s.project.clone().expect("project");
    assert!(p.decision_outcomes.iter().all(|o| o.applied));
    assert!(p.set.canonical.iter().any(|c| c.name == "低保证编号"));
    let d = s.year_diff.clone().expect("diff");
    assert!(d.decisions.iter().all(|c| c.fit.fits()));

    // The list follows every change of the set; English on request.
    s.apply(Action::Undo);
    assert_eq!(s.decisions.len(), 2);
    assert!(!std::rc::Rc::ptr_eq(
        &d,
        s.year_diff.as_ref().expect("diff")
    ));
    s.apply(Action::SetLang(Lang::En));
    assert_eq!(
        diff_departments(&s)[1].lines,
        ["+ “青山县农村宅基地及农房现状调查表” (new, 20 fields)"]
    );
    s.apply(Action::CloseLastYear);
    assert!(s.year_diff.is_none() && s.last_year.is_none());
    assert_eq!(s.decisions.len(), 2, "decisions taken over stay");
    s.apply(Action::Clear);
    assert!(s.last_year.is_none());
}
