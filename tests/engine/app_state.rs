//! The web app's reducer and view logic, natively: files in, statuses and a live form set out;
//! decisions and corrections change the set; the review list is ordered and filtered as shown.

use yibiao::examples::EXAMPLES;
use yibiao::fingerprint::content_hash;
use yibiao::inspect::inspect_with_preview;
use yibiao::matching::ConceptKind;
use yibiao::merge::{FileHeaderChoice, FormOverride, Project};
use yibiao::plan::{Decision, FieldRef};
use yibiao::ui::state::{
    Action, AppState, BatchRecord, Bulk, FileStatus, GroupBy, Note, Notice, StatusFilter, Step,
    TermInput,
};
use yibiao::ui::terms::{element_names, split_names, term_rows};
use yibiao::ui::view::{
    bulk_fields, cluster_groups, cluster_rows, department_bars, diff_departments, filter_targets,
    heat, near_miss_lines, review_order, split, targets, ClusterRow, CLUSTERS_SHOWN, MEMBERS_SHOWN,
};
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
            hash: Some(content_hash(bytes)),
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
        hash: Some(content_hash(b"PK\x03\x04broken")),
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
    s.apply(Action::FilterStatus(StatusFilter::NeedsReview));
    let to_review = cluster_rows(&s);
    assert!(!to_review.is_empty() && to_review.iter().all(|r| r.needs_review));
    s.apply(Action::FilterStatus(StatusFilter::All));

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

/// The review's filters by level and by status, each alone, as staff pick them.
#[test]
fn the_review_filters_by_level_and_status() {
    let mut s = with_examples();
    let all = cluster_rows(&s).len();
    let check = |s: &mut AppState, action: Action, shown: &dyn Fn(&ClusterRow) -> bool| {
        s.apply(action);
        let rows = cluster_rows(s);
        assert!(
            !rows.is_empty() && rows.len() < all,
            "{} of {all}",
            rows.len()
        );
        assert!(rows.iter().all(shown));
    };
    check(&mut s, Action::FilterGrain(Some("village".into())), &|r| {
        r.grain == "village"
    });
    check(&mut s, Action::FilterGrain(Some("person".into())), &|r| {
        r.grain == "person"
    });
    s.apply(Action::FilterGrain(None));
    assert_eq!(cluster_rows(&s).len(), all);

    // Confirm one cluster, rename another (staff looked at it: confirmed too) and drop a
    // third: each status shows just those.
    let rows = cluster_rows(&s);
    let (a, b, c) = (
        rows[0].members[0].field.clone(),
        rows[1].members[0].field.clone(),
        rows[2].members[0].field.clone(),
    );
    s.apply(Action::Decide(Decision::Accept { field: a }));
    s.apply(Action::Decide(Decision::Drop { field: b }));
    s.apply(Action::Decide(Decision::Rename {
        field: c,
        name: "改过的名称".into(),
    }));
    check(
        &mut s,
        Action::FilterStatus(StatusFilter::Confirmed),
        &|r| r.confirmed && !r.dropped,
    );
    assert_eq!(cluster_rows(&s).len(), 2);
    check(&mut s, Action::FilterStatus(StatusFilter::Dropped), &|r| {
        r.dropped
    });
    assert_eq!(cluster_rows(&s).len(), 1);
    check(
        &mut s,
        Action::FilterStatus(StatusFilter::NeedsReview),
        &|r| r.needs_review,
    );
    s.apply(Action::FilterStatus(StatusFilter::All));
    assert_eq!(cluster_rows(&s).len(), all);
}

/// The review draws clusters as a keyed list: no two rows may share an id, whatever staff decide.
fn assert_unique_ids(s: &AppState) {
    let rows = cluster_rows(s);
    let ids: std::collections::HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), rows.len());
}

/// A cluster lists its first members; the others are shown on request, once per cluster.
#[test]
fn a_long_cluster_shows_its_other_members_on_request() {
    let mut s = with_examples();
    let rows = cluster_rows(&s);
    let long = rows
        .iter()
        .max_by_key(|r| r.members.len())
        .expect("clusters");
    assert!(long.members.len() > MEMBERS_SHOWN, "{}", long.members.len());
    assert!(s.expanded.is_empty());
    s.apply(Action::ShowMembers(long.id.clone()));
    s.apply(Action::ShowMembers(long.id.clone()));
    assert_eq!(s.expanded, vec![long.id.clone()]);
}

/// The lists to move a member to or merge into name each cluster with its departments, so two
/// fields of one name can be told apart, and keep fields of one name together.
#[test]
fn move_and_merge_lists_tell_fields_of_one_name_apart() {
    let mut s = with_examples();
    let phone = cluster_rows(&s)
        .into_iter()
        .find(|r| r.name == "联系电话")
        .expect("phone cluster");
    let medical = phone
        .members
        .iter()
        .find(|m| m.department == "医保")
        .expect("医保's phone");
    s.apply(Action::Decide(Decision::Split {
        field: medical.field.clone(),
    }));
    s.apply(Action::Decide(Decision::Rename {
        field: medical.field.clone(),
        name: "联系电话".into(),
    }));
    let all = cluster_rows(&s);
    let zh = targets(Lang::Zh, &all);
    assert_eq!(zh.len(), all.len());
    // By the normalised name, the field more departments ask for first.
    assert!(zh.windows(2).all(|w| w[0].key <= w[1].key));
    let phones: Vec<&str> = zh
        .iter()
        .filter(|t| t.label.starts_with("联系电话（"))
        .map(|t| t.label.as_str())
        .collect();
    assert_eq!(
        phones,
        [
            "联系电话（人社、卫健、残联等 5 个部门）",
            "联系电话（医保）"
        ]
    );
    let en = targets(Lang::En, &all);
    assert!(en
        .iter()
        .any(|t| t.label == "联系电话 (人社, 卫健, 残联 and 2 more)"));
}

/// Merging a whole cluster into another: one cluster fewer, the target holds every member of
/// both, keeps its name and is marked as decided by staff.
#[test]
fn a_cluster_merges_into_another() {
    let mut s = with_examples();
    let rows = cluster_rows(&s);
    let count = |s: &AppState| cluster_rows(s).len();
    let before = count(&s);
    let target = rows
        .iter()
        .find(|r| r.id == "person.id_number")
        .expect("ID cluster");
    let other = rows
        .iter()
        .find(|r| r.id.starts_with("n:") && r.members.len() == 1)
        .expect("a one-member cluster");
    s.apply(Action::StartMerge(Some(other.members[0].field.clone())));
    assert_eq!(s.merging.as_ref(), Some(&other.members[0].field));
    s.apply(Action::Decide(Decision::Merge {
        a: target.members[0].field.clone(),
        b: other.members[0].field.clone(),
    }));
    assert_eq!(s.merging, None);
    assert_eq!(count(&s), before - 1);
    let merged = cluster_rows(&s)
        .into_iter()
        .find(|r| r.id == "person.id_number")
        .expect("still there");
    assert_eq!(merged.name, target.name);
    assert_eq!(merged.members.len(), target.members.len() + 1);
    assert!(merged
        .members
        .iter()
        .any(|m| m.field == other.members[0].field));
    assert!(merged.confirmed);
    assert_unique_ids(&s);
    s.apply(Action::Undo);
    assert_eq!(count(&s), before);
}

/// Which clusters ask before a member is split out: those that tell rows apart across forms.
#[test]
fn splitting_a_field_that_identifies_rows_asks_first() {
    let check = |id: &str, expected: bool| {
        assert_eq!(yibiao::plan::identifies_rows(id), expected, "{id}");
    };
    check("person.id_number", true);
    check("head@person.id_number", true);
    check("household.id", true);
    check("person.name", true);
    check("loc.village", true);
    check("plot.id", true);
    check("person.phone", false);
    check("n:月补贴金额", false);

    let mut s = with_examples();
    let rows = cluster_rows(&s);
    let id_row = rows
        .iter()
        .find(|r| r.id == "person.id_number")
        .expect("ID cluster");
    assert!(id_row.identifies_rows);
    assert!(rows
        .iter()
        .filter(|r| r.id == "person.phone" || r.id.starts_with("n:"))
        .all(|r| !r.identifies_rows));

    // Asked, then kept together: nothing changes.
    let member = id_row.members[1].field.clone();
    let before = rows.len();
    s.apply(Action::AskSplit(Some(member.clone())));
    assert_eq!(s.confirm_split.as_ref(), Some(&member));
    s.apply(Action::AskSplit(None));
    assert_eq!(s.confirm_split, None);
    assert_eq!(cluster_rows(&s).len(), before);

    // Asked, then split anyway: one more cluster, and the question is gone.
    s.apply(Action::AskSplit(Some(member.clone())));
    s.apply(Action::Decide(split(&member)));
    assert_eq!(s.confirm_split, None);
    assert_eq!(cluster_rows(&s).len(), before + 1);
    assert_unique_ids(&s);
    // The same member split again and a second one split: still one row per id.
    s.apply(Action::Decide(split(&member)));
    s.apply(Action::Decide(split(&id_row.members[2].field)));
    assert_unique_ids(&s);
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
        hash: Some(content_hash(a.1)),
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
        shape: None,
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
        hash: None,
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

/// The canonical id of a form's field (by part of the form's title and the field's leaf name).
fn canonical(s: &AppState, title_part: &str, leaf: &str) -> String {
    let p = s.project.as_ref().expect("project");
    let src = p
        .set
        .sources
        .iter()
        .find(|x| x.title.contains(title_part))
        .unwrap_or_else(|| panic!("no form {title_part}"));
    src.fields
        .iter()
        .find(|f| f.header_path.last().map(String::as_str) == Some(leaf))
        .and_then(|f| f.canonical.clone())
        .unwrap_or_else(|| panic!("no field {leaf} in {title_part}"))
}

fn term(element: &str, names: &[&str]) -> Action {
    Action::AddTerm(TermInput {
        element: element.into(),
        names: names.iter().map(|n| n.to_string()).collect(),
        kind: ConceptKind::Any,
    })
}

#[test]
fn staff_tell_the_app_which_names_mean_the_same() {
    let mut s = with_examples();
    let apart =
        |s: &AppState| canonical(s, "养老保险", "个人编号") != canonical(s, "残疾人", "残疾人证号");
    assert!(apart(&s));
    assert_eq!(term_rows(&s), Ok(vec![]));

    // A new data element: the two fields come together, the set is merged again at once.
    s.apply(term("个人编号", &["残疾人证号"]));
    assert_eq!(s.lexicon_error, None);
    assert!(!apart(&s));
    assert!(s.lexicon_additions.contains("staff.个人编号"));
    assert_eq!(
        s.project.as_ref().expect("project").lexicon_additions,
        s.lexicon_additions
    );
    // Names for an existing element, found by a name it already goes by.
    s.apply(term("公民身份号码", &["证件号码", "身份证明号"]));
    s.apply(term("公民身份号码", &["证件号码", "居民身份号"]));
    let rows = term_rows(&s).expect("rows");
    assert_eq!(
        rows.iter()
            .map(|r| (r.element.as_str(), r.names.join("、"), r.new))
            .collect::<Vec<_>>(),
        vec![
            ("个人编号", "残疾人证号".to_string(), true),
            ("公民身份号码", "证件号码、身份证明号".to_string(), false),
            ("公民身份号码", "证件号码、居民身份号".to_string(), false),
        ]
    );
    assert!(element_names(&s).iter().any(|n| n == "个人编号"));

    // Removing an entry takes its effect back.
    s.apply(Action::RemoveTerm(0));
    assert!(apart(&s));
    assert_eq!(term_rows(&s).expect("rows").len(), 2);
    s.apply(Action::RemoveTerm(0));
    s.apply(Action::RemoveTerm(0));
    assert_eq!(s.lexicon_additions, "");
}

#[test]
fn names_typed_in_one_box_are_split() {
    assert_eq!(
        split_names(" 证件号码、公民身份号码，身份证明号, 居民身份号；\n 甲;乙 "),
        vec![
            "证件号码",
            "公民身份号码",
            "身份证明号",
            "居民身份号",
            "甲",
            "乙"
        ]
    );
    assert!(split_names(" 、, ").is_empty());
}

#[test]
fn wrong_lexicon_input_is_refused_in_plain_words_and_changes_nothing() {
    let mut s = with_examples();
    let before = s.project.clone();
    s.apply(term("  ", &["证件号码"]));
    assert_eq!(
        s.lexicon_error,
        Some((
            "请填写新标准数据项的名称。".into(),
            "Give the new data element a name.".into()
        ))
    );
    s.apply(term("公民身份号码", &["公民身份号码", " "]));
    assert_eq!(
        s.lexicon_error.as_ref().map(|e| e.0.as_str()),
        Some("请至少填写一个其他叫法。")
    );
    // An imported file with a mistake: its own line, in plain words; nothing changes.
    s.apply(Action::ImportLexicon(
        "# 本县补充\n[[concept]]\nid = \"person.id_number\"\nvariants = [\"证件号码\" \"身份证明号\"]\n".into(),
    ));
    let (zh, en) = s.lexicon_error.clone().expect("error");
    assert_eq!(
        zh,
        "词库文件格式有误，请对照内置词库的写法修改：第 4 行，“variants”的列表中两项之间缺少逗号。"
    );
    assert!(en.contains("line 4"), "{en}");
    assert_eq!(s.lexicon_additions, "");
    assert_eq!(s.project, before);
    // The next action clears the error; a good file is taken.
    s.apply(Action::ImportLexicon(
        "[[concept]]\nid = \"person.person_no\"\nvariants = [\"个人编号\", \"残疾人证号\"]\n"
            .into(),
    ));
    assert_eq!(s.lexicon_error, None);
    assert_eq!(
        canonical(&s, "养老保险", "个人编号"),
        canonical(&s, "残疾人", "残疾人证号")
    );
}

#[test]
fn lexicon_additions_survive_export_restore_and_open() {
    let mut s = with_examples();
    s.apply(term("个人编号", &["残疾人证号"]));
    let text = s.project.as_ref().expect("project").to_json();

    // Restored without its files: the additions are listed, and a change still merges the set
    // again (from the project's own forms).
    let mut fresh = AppState::default();
    fresh.apply(Action::Restore(Box::new(
        Project::from_json(&text).expect("parses"),
    )));
    assert_eq!(fresh.lexicon_additions, s.lexicon_additions);
    assert_eq!(term_rows(&fresh).expect("rows").len(), 1);
    assert_eq!(
        canonical(&fresh, "养老保险", "个人编号"),
        canonical(&fresh, "残疾人", "残疾人证号")
    );
    fresh.apply(Action::RemoveTerm(0));
    assert!(fresh.project.is_some(), "still there without files");
    assert_ne!(
        canonical(&fresh, "养老保险", "个人编号"),
        canonical(&fresh, "残疾人", "残疾人证号")
    );
    // A decision on a restored project keeps the project too.
    let first = cluster_rows(&fresh)[0].members[0].field.clone();
    fresh.apply(Action::Decide(Decision::Accept { field: first }));
    assert!(fresh.project.is_some());

    // Opened over the same files: merged with them.
    let mut again = with_examples();
    again.apply(Action::OpenProject(Box::new(
        Project::from_json(&text).expect("parses"),
    )));
    assert_eq!(
        canonical(&again, "养老保险", "个人编号"),
        canonical(&again, "残疾人", "残疾人证号")
    );
}

#[test]
fn broken_additions_in_a_project_never_break_the_app() {
    let mut s = with_examples();
    let mut p = (**s.project.as_ref().expect("project")).clone();
    p.lexicon_additions = "[[concept]\nid = \"a\"\n".into();
    s.apply(Action::OpenProject(Box::new(p)));
    let (zh, _) = s.message.clone().expect("message");
    assert!(zh.starts_with("词库文件格式有误"), "{zh}");
    assert!(s.project.is_some());
    assert!(term_rows(&s).is_err());
    s.apply(Action::ClearLexicon);
    assert_eq!(s.message, None);
    assert_eq!(term_rows(&s), Ok(vec![]));
}

#[test]
fn header_choices_are_kept_in_the_project_and_applied_again() {
    use yibiao::inspect::{inspect_with_choices, HeaderChoice};
    let (name, bytes) = EXAMPLES
        .iter()
        .find(|(n, _)| n.contains("高龄津贴"))
        .expect("fixture");
    let mut s = with_examples();
    let detected = s
        .project
        .as_ref()
        .expect("project")
        .set
        .sources
        .iter()
        .find(|x| x.file == *name)
        .expect("source")
        .header_rows
        .clone();
    let choice = HeaderChoice {
        sheet: s
            .files
            .iter()
            .find(|f| f.name == *name)
            .expect("file")
            .previews[0]
            .sheet
            .clone(),
        first: detected[0] - 1,
        last: detected[0],
        shape: None,
    };
    s.apply(Action::ChooseHeader {
        file: name.to_string(),
        choice: choice.clone(),
    });
    assert!(s.header_rereads().is_empty(), "the edge rereads it itself");
    let (chosen, previews) = inspect_with_choices(name, bytes, std::slice::from_ref(&choice), 4, 4);
    s.apply(Action::Read {
        hash: None,
        name: name.to_string(),
        report: chosen.clone(),
        previews,
    });
    let p = s.project.as_ref().expect("project");
    assert_eq!(p.header_choices, vec![FileHeaderChoice::new(name, &choice)]);

    // The project file round trip keeps them; an old project file without them still loads.
    let text = p.to_json();
    let back = Project::from_json(&text).expect("parses");
    assert_eq!(back.header_choices, p.header_choices);
    let mut old: serde_json::Value = serde_json::from_str(&text).expect("json");
    old.as_object_mut()
        .expect("object")
        .remove("header_choices");
    let old = Project::from_json(&old.to_string()).expect("old project loads");
    assert!(old.header_choices.is_empty());

    // Restored, then the same files added again: the chosen file is read again with its choice.
    let mut fresh = AppState::default();
    fresh.apply(Action::Restore(Box::new(back)));
    assert_eq!(fresh.choices_for(name), vec![choice.clone()]);
    fresh.apply(Action::Queue(vec![(name.to_string(), bytes.len())]));
    let (report, previews) = inspect_with_preview(name, bytes, 4, 4);
    fresh.apply(Action::Read {
        hash: Some(content_hash(bytes)),
        name: name.to_string(),
        report,
        previews,
    });
    assert_eq!(
        fresh.header_rereads(),
        vec![(name.to_string(), vec![choice.clone()])]
    );
    fresh.apply(Action::RereadHeaders(name.to_string()));
    assert!(fresh.header_rereads().is_empty());
    assert_eq!(fresh.busy(), 1);
    let (report, previews) = inspect_with_choices(name, bytes, std::slice::from_ref(&choice), 4, 4);
    fresh.apply(Action::Read {
        hash: None,
        name: name.to_string(),
        report,
        previews,
    });
    assert!(fresh.header_rereads().is_empty());
    let p = fresh.project.as_ref().expect("project");
    let src = p
        .set
        .sources
        .iter()
        .find(|x| x.file == *name)
        .expect("source");
    assert_eq!(src.header_rows, vec![detected[0] - 1, detected[0]]);
    assert_eq!(p.header_choices.len(), 1);

    // Opening the project over files read as detected asks for the reread too; clearing forgets.
    let mut other = with_examples();
    other.apply(Action::OpenProject(Box::new(
        Project::from_json(&text).expect("parses"),
    )));
    assert_eq!(other.header_rereads().len(), 1);
    other.apply(Action::Clear);
    assert!(other.header_choices.is_empty() && other.header_rereads().is_empty());
}

/// The pre-filled set as the export step makes it: the example forms' rows in the set's
/// sheets, what did not fit counted and listed in both languages, a file that cannot be read
/// listed and left out.
#[test]
fn the_pre_filled_set_holds_the_forms_rows_and_says_what_did_not_fit() {
    let s = with_examples();
    let set = &s.project.as_ref().expect("project").set;
    let mut files: Vec<(&str, &[u8])> = EXAMPLES.iter().map(|(n, b)| (*n, *b)).collect();
    files.push(("坏文件.xlsx", b"PK\x03\x04 not a zip".as_slice()));
    let (xlsx, summary) = yibiao::ui::prefill(set, &files, Lang::Zh).expect("pre-filled");
    assert_eq!(summary.files, EXAMPLES.len());
    assert!(summary.rows > 100, "{} rows", summary.rows);
    assert_eq!(summary.unreadable.len(), 1);
    assert!(summary.unreadable[0].0.starts_with("坏文件.xlsx："));
    assert!(summary.unreadable[0].1.starts_with("坏文件.xlsx: "));
    assert_eq!(
        summary.conflict_lines.len(),
        summary.conflicts.min(yibiao::ui::PREFILL_LINES)
    );
    assert_eq!(
        summary.unplaced_lines.len(),
        summary.unplaced.min(yibiao::ui::PREFILL_LINES)
    );

    let report = yibiao::inspect::inspect("预填.xlsx", &xlsx);
    let people = report
        .sheets
        .iter()
        .find(|sh| sh.sheet == "人员基本信息")
        .and_then(|sh| sh.forms.first())
        .and_then(|f| f.data_rows)
        .expect("人员基本信息 has data rows");
    assert!(people[1] - people[0] + 1 >= 30, "{people:?}");
}

/// A file as the edge hands it over: queued, then read with its fingerprint.
fn add(s: &mut AppState, name: &str, bytes: &[u8]) {
    s.apply(Action::Queue(vec![(name.to_string(), bytes.len())]));
    read(s, name, bytes);
}

fn read(s: &mut AppState, name: &str, bytes: &[u8]) {
    let (report, previews) = inspect_with_preview(name, bytes, 4, 4);
    s.apply(Action::Read {
        name: name.to_string(),
        hash: Some(content_hash(bytes)),
        report,
        previews,
    });
}

fn sources(s: &AppState) -> usize {
    s.project.as_ref().map_or(0, |p| p.set.sources.len())
}

/// Issue 17.6: a file added again under its own name is said to be there already (same bytes)
/// or replaced (other bytes), never dropped or doubled without a word.
#[test]
fn issue_17_6_a_file_added_again_is_said_so() {
    let mut s = with_examples();
    let (name, bytes) = EXAMPLES[0];
    add(&mut s, name, bytes);
    assert_eq!(s.notices, vec![Notice::AlreadyAdded(name.to_string())]);
    assert_eq!(s.files.len(), EXAMPLES.len());
    assert_eq!(sources(&s), 14);
    s.apply(Action::DismissNotices);
    assert!(s.notices.is_empty());
    // Other bytes under the same name: the new file replaces the old, and says so.
    let mut other = bytes.to_vec();
    other.push(b'\n');
    add(&mut s, name, &other);
    assert_eq!(s.notices, vec![Notice::Replaced(name.to_string())]);
    assert_eq!(s.files.len(), EXAMPLES.len());
    assert!(s.duplicates().is_empty());
}

/// Issue 17.6: the same bytes under another name are held out of the set and listed in pairs
/// until staff skip them or keep both; read in any order, the file listed first is the original.
#[test]
fn issue_17_6_the_same_content_under_another_name_asks_skip_or_keep() {
    let mut s = with_examples();
    let ((a, a_bytes), (b, b_bytes)) = (EXAMPLES[0], EXAMPLES[1]);
    let forms_ab = s
        .files
        .iter()
        .take(2)
        .map(|f| match f.status {
            FileStatus::Read { forms, .. } => forms,
            _ => 0,
        })
        .sum::<usize>();
    let copies = |s: &mut AppState| {
        s.apply(Action::Queue(vec![
            ("副本一.xlsx".into(), a_bytes.len()),
            ("副本二.xlsx".into(), b_bytes.len()),
        ]));
        read(s, "副本二.xlsx", b_bytes);
        read(s, "副本一.xlsx", a_bytes);
    };
    copies(&mut s);
    assert_eq!(
        s.duplicates(),
        vec![
            ("副本一.xlsx".to_string(), a.to_string()),
            ("副本二.xlsx".to_string(), b.to_string())
        ]
    );
    assert_eq!(
        sources(&s),
        14,
        "copies are not merged while staff have not chosen"
    );
    // 跳过: the copies go.
    s.apply(Action::Duplicates { keep: false });
    assert_eq!(s.files.len(), EXAMPLES.len());
    assert!(s.duplicates().is_empty());
    assert_eq!(sources(&s), 14);
    // 仍然保留: both stay, and their forms are in the set.
    copies(&mut s);
    s.apply(Action::Duplicates { keep: true });
    assert!(s.duplicates().is_empty());
    assert_eq!(s.files.len(), EXAMPLES.len() + 2);
    assert_eq!(sources(&s), 14 + forms_ab);
    // A third copy is again asked about, as a copy of the first file of those bytes.
    add(&mut s, "副本三.xlsx", a_bytes);
    assert_eq!(
        s.duplicates(),
        vec![("副本三.xlsx".to_string(), a.to_string())]
    );

    // Copy read before its original in one batch: the one listed first is the original.
    let mut fresh = AppState::default();
    fresh.apply(Action::Queue(vec![
        (a.to_string(), a_bytes.len()),
        ("副本.xlsx".into(), a_bytes.len()),
    ]));
    read(&mut fresh, "副本.xlsx", a_bytes);
    assert!(fresh.duplicates().is_empty());
    read(&mut fresh, a, a_bytes);
    assert_eq!(
        fresh.duplicates(),
        vec![("副本.xlsx".to_string(), a.to_string())]
    );
    // Removing the original makes the copy the one kept.
    fresh.apply(Action::Remove(a.to_string()));
    assert!(fresh.duplicates().is_empty());
    let forms_a = match s.files[0].status {
        FileStatus::Read { forms, .. } => forms,
        _ => 0,
    };
    assert_eq!(sources(&fresh), forms_a);
}

/// Issue 17.6: while a batch is read its files and which are read are recorded (the edge
/// saves the record); after a reload the app lists them, and which were added again.
#[test]
fn issue_17_6_a_batch_cut_by_a_reload_is_listed_after() {
    let mut s = AppState::default();
    assert_eq!(s.batch_record(), None);
    s.apply(Action::Queue(
        EXAMPLES[..3]
            .iter()
            .map(|(n, b)| (n.to_string(), b.len()))
            .collect(),
    ));
    read(&mut s, EXAMPLES[1].0, EXAMPLES[1].1);
    let record = s.batch_record().expect("a batch is being read");
    let flags: Vec<(&str, bool)> = record
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.read))
        .collect();
    assert_eq!(
        flags,
        vec![
            (EXAMPLES[0].0, false),
            (EXAMPLES[1].0, true),
            (EXAMPLES[2].0, false)
        ]
    );
    // Saved as JSON in browser storage and read back after the reload.
    let saved = serde_json::to_string(&record).expect("json");
    let back: BatchRecord = serde_json::from_str(&saved).expect("parses");
    let mut after = AppState::default();
    after.apply(Action::Interrupted(back));
    let listed: Vec<(bool, bool)> = after
        .interrupted_files()
        .iter()
        .map(|(f, again)| (f.read, *again))
        .collect();
    assert_eq!(listed, vec![(false, false), (true, false), (false, false)]);
    add(&mut after, EXAMPLES[2].0, EXAMPLES[2].1);
    assert!(after.interrupted_files()[2].1, "added again");
    after.apply(Action::DismissInterrupted);
    assert!(after.interrupted_files().is_empty());

    // The batch read to its end: nothing to record; the next batch is recorded alone.
    read(&mut s, EXAMPLES[0].0, EXAMPLES[0].1);
    read(&mut s, EXAMPLES[2].0, EXAMPLES[2].1);
    assert_eq!(s.batch_record(), None);
    s.apply(Action::Queue(vec![(EXAMPLES[3].0.to_string(), 1)]));
    let next = s.batch_record().expect("next batch");
    assert_eq!(next.files.len(), 1);
    assert_eq!(next.files[0].name, EXAMPLES[3].0);
}

/// Issue 17.6: after a restore, step ① lists the restored forms' files (their bytes are not
/// kept), as many forms as the banner says; once other files are read, those not added again
/// are still listed (they are not in the set then).
#[test]
fn issue_17_6_the_restore_banner_and_step_one_agree() {
    let s = with_examples();
    let text = s.project.as_ref().expect("project").to_json();
    let mut fresh = AppState::default();
    fresh.apply(Action::Restore(Box::new(
        Project::from_json(&text).expect("parses"),
    )));
    let banner = fresh.restored.clone().expect("restored").forms;
    let listed = fresh.restored_files();
    assert_eq!(listed.iter().map(|(_, n)| n).sum::<usize>(), banner);
    assert_eq!(listed.len(), EXAMPLES.len());
    assert!(fresh.files.is_empty());
    let (name, bytes) = EXAMPLES[0];
    add(&mut fresh, name, bytes);
    let listed = fresh.restored_files();
    assert_eq!(listed.len(), EXAMPLES.len() - 1);
    assert!(!listed.iter().any(|(n, _)| *n == name));
    assert!(!fresh.detached);
}

/// Issue 17.6: 全部清除 asks first, and what it removed can be brought back.
#[test]
fn issue_17_6_clear_all_asks_first_and_can_be_undone() {
    let mut s = with_examples();
    let field = cluster_rows(&s)[0].members[0].field.clone();
    s.apply(Action::Decide(Decision::Accept { field }));
    s.apply(Action::Go(Step::Files));
    s.apply(Action::AskClear(true));
    assert!(s.confirm_clear);
    s.apply(Action::AskClear(false));
    assert!(!s.confirm_clear);
    assert_eq!(s.files.len(), EXAMPLES.len());
    s.apply(Action::AskClear(true));
    s.apply(Action::Clear);
    assert!(!s.confirm_clear);
    assert!(s.files.is_empty() && s.project.is_none() && s.decisions.is_empty());
    assert!(s.cleared.is_some());
    s.apply(Action::SetLang(Lang::En));
    s.apply(Action::UndoClear);
    assert_eq!(s.lang, Lang::En, "undo keeps what was done since");
    assert_eq!(s.files.len(), EXAMPLES.len());
    assert_eq!(s.decisions.len(), 1);
    assert_eq!(sources(&s), 14);
    assert!(s.cleared.is_none() && !s.confirm_clear);
    // Files added after a clear: the clear can no longer be undone (they would be lost).
    s.apply(Action::Clear);
    add(&mut s, EXAMPLES[0].0, EXAMPLES[0].1);
    assert!(s.cleared.is_none());
}

/// Issue 15: a web system's HTML table saved as .xls and an Excel 2003 XML file go through the
/// app like any other, next to xlsx files: read, their forms in the set, and their real format
/// known for step ②.
#[test]
fn issue_15_html_as_xls_and_excel_2003_xml_are_read_beside_xlsx() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let files = [
        (
            "exportpcsjbqk.xls",
            "real-dev/WalkerOstarliang__CPS/exportpcsjbqk.xls",
        ),
        (
            "person_open.xml",
            "real-dev/lizuohuan__daoyuan-admin/person_open.xml",
        ),
    ];
    let mut s = AppState::default();
    for (name, path) in files {
        let bytes = std::fs::read(dir.join(path)).expect("fixture");
        add(&mut s, name, &bytes);
    }
    let mut xlsx = EXAMPLES.iter().filter(|(n, _)| n.ends_with(".xlsx"));
    let (a, b) = (xlsx.next().expect("xlsx"), xlsx.next().expect("xlsx"));
    add(&mut s, a.0, a.1);
    add(&mut s, b.0, b.1);
    assert_eq!(s.format_of("exportpcsjbqk.xls"), Some("html"));
    assert_eq!(s.format_of("person_open.xml"), Some("xml2003"));
    assert_eq!(s.format_of(a.0), Some("xlsx"));
    let p = s.project.as_ref().expect("project");
    for (name, _) in files {
        assert!(
            p.set.sources.iter().any(|x| x.file == name),
            "{name} has a form in the set"
        );
    }
}

/// Issue 16.6: 全部确认 above a confidence confirms every listed, undecided cluster at least that
/// sure, says how many first, and one 撤销上一步 takes them all back.
#[test]
fn issue_16_6_bulk_accept_is_counted_first_and_undone_as_one_step() {
    let mut s = with_examples();
    let rows = cluster_rows(&s);
    let sure = rows
        .iter()
        .filter(|r| r.confidence >= 0.9 && !r.confirmed && !r.dropped)
        .count();
    let fields = bulk_fields(&s, Bulk::Above(90));
    assert!(sure > 10);
    assert_eq!(fields.len(), sure);
    // One decision of staff's own first, which the bulk undo must leave alone.
    let first = rows[0].members[0].field.clone();
    s.apply(Action::Decide(Decision::Accept {
        field: first.clone(),
    }));
    s.apply(Action::AcceptAll(Bulk::Above(90)));
    assert_eq!(s.decisions.len(), 1 + sure);
    assert_eq!(s.note, Some(Note::Bulk(sure)));
    assert!(cluster_rows(&s)
        .iter()
        .filter(|r| r.confidence >= 0.9)
        .all(|r| r.confirmed || r.dropped));
    assert!(bulk_fields(&s, Bulk::Above(90)).is_empty());
    s.apply(Action::Undo);
    assert_eq!(s.decisions, vec![Decision::Accept { field: first }]);
    assert_eq!(bulk_fields(&s, Bulk::Above(90)).len(), sure);
    s.apply(Action::Undo);
    assert!(s.decisions.is_empty());

    // A department's and a form's: only once that filter is chosen; only what it lists.
    assert!(bulk_fields(&s, Bulk::Department).is_empty());
    assert!(bulk_fields(&s, Bulk::Form).is_empty());
    s.apply(Action::FilterDepartment(Some("残联".into())));
    let dept = bulk_fields(&s, Bulk::Department);
    assert_eq!(dept.len(), cluster_rows(&s).len());
    s.apply(Action::AcceptAll(Bulk::Department));
    assert!(cluster_rows(&s).iter().all(|r| r.confirmed));
    s.apply(Action::FilterDepartment(None));
    s.apply(Action::FilterForm(Some(0)));
    let listed = cluster_rows(&s);
    assert!(!listed.is_empty());
    assert!(listed
        .iter()
        .all(|r| r.members.iter().any(|m| m.source == 0)));
    s.apply(Action::AcceptAll(Bulk::Form));
    assert!(cluster_rows(&s).iter().all(|r| r.confirmed || r.dropped));
    s.apply(Action::Undo);
    s.apply(Action::Undo);
    assert!(s.decisions.is_empty());
    s.apply(Action::BulkThreshold(0));
    assert_eq!(s.threshold(), 1);
}

/// Issue 16.6: grouped by department or by form, every cluster is in exactly one group, the
/// shared ones first; a group folds; the list draws the first clusters of each group.
#[test]
fn issue_16_6_the_review_groups_by_department_and_form() {
    let mut s = with_examples();
    let total = cluster_rows(&s).len();
    assert!(total > CLUSTERS_SHOWN, "{total}");
    assert_eq!(s.clusters_shown(), CLUSTERS_SHOWN);
    for (group, shared) in [
        (GroupBy::Department, "几个部门共有的字段"),
        (GroupBy::Form, "几张表共有的字段"),
    ] {
        s.apply(Action::Group(group));
        let groups = cluster_groups(&s);
        assert_eq!(groups.iter().map(|g| g.rows.len()).sum::<usize>(), total);
        assert_eq!(groups[0].label, shared);
        assert!(groups.len() > 3);
        let mut ids: Vec<&str> = groups
            .iter()
            .flat_map(|g| g.rows.iter().map(|r| r.id.as_str()))
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), total);
        for g in &groups[1..] {
            let d = &g.rows[0].members[0];
            assert!(g.rows.iter().all(|r| r.members.iter().all(|m| match group {
                GroupBy::Department => m.department == d.department,
                _ => m.source == d.source,
            })));
        }
        if group == GroupBy::Form {
            assert!(groups[1].label.contains(" · "), "{}", groups[1].label);
        }
        let key = groups[1].key.clone();
        let folded = groups[1].rows.len();
        s.apply(Action::Fold(key.clone()));
        assert!(cluster_groups(&s)[1].folded);
        assert_eq!(review_order(&s).len(), total - folded);
        s.apply(Action::Fold(key));
        assert_eq!(review_order(&s).len(), total);
    }
    s.apply(Action::ShowMoreClusters);
    assert_eq!(s.clusters_shown(), 2 * CLUSTERS_SHOWN);
}

/// Issue 16.6: typing above 移到…/合并到… narrows the list by name or department; the card's
/// own cluster is never offered.
#[test]
fn issue_16_6_move_and_merge_lists_filter_as_you_type() {
    let s = with_examples();
    let all = cluster_rows(&s);
    let list = targets(Lang::Zh, &all);
    let own = &all[0].id;
    assert_eq!(filter_targets(&list, own, "").len(), list.len() - 1);
    let phones = filter_targets(&list, own, "电话");
    assert!(!phones.is_empty() && phones.iter().all(|t| t.key.contains("电话")));
    let medical = filter_targets(&list, own, "电话 医保");
    assert!(!medical.is_empty());
    assert!(medical
        .iter()
        .all(|t| t.departments.iter().any(|d| d == "医保")));
    assert!(medical.len() <= phones.len());
    // Full-width letters typed are folded as names are.
    assert_eq!(
        filter_targets(&list, own, "ＩＤ").len(),
        filter_targets(&list, own, "ID").len()
    );
    assert!(filter_targets(&list, own, "没有这个字段").is_empty());
    assert!(filter_targets(&list, own, &all[0].name)
        .iter()
        .all(|t| &t.id != own));
}

/// Issue 16.6: after 确认 the next cluster in the list gets the focus, and a note says where
/// the confirmed cluster went, with 转到; 转到 clears the filters hiding it.
#[test]
fn issue_16_6_focus_goes_to_the_next_cluster_and_a_note_says_where_this_one_went() {
    let mut s = with_examples();
    let before = review_order(&s);
    let (first, second) = (&before[0], &before[1]);
    s.apply(Action::Decide(Decision::Accept {
        field: first.members[0].field.clone(),
    }));
    assert_eq!(s.focus.as_deref(), Some(second.id.as_str()));
    let after = review_order(&s);
    let now = after
        .iter()
        .position(|r| r.id == first.id)
        .expect("still listed");
    assert!(now > 0);
    assert_eq!(
        s.note,
        Some(Note::Moved {
            name: first.name.clone(),
            id: first.id.clone(),
            done: "accept",
            position: Some(now + 1),
        })
    );
    // Under 需要核对 it leaves the list: the note says so, and 转到 shows it again.
    s.apply(Action::Undo);
    assert_eq!(s.note, None);
    s.apply(Action::FilterStatus(StatusFilter::NeedsReview));
    let listed = review_order(&s);
    let seq = s.focus_seq;
    s.apply(Action::Decide(Decision::Accept {
        field: listed[0].members[0].field.clone(),
    }));
    assert_eq!(s.focus.as_deref(), Some(listed[1].id.as_str()));
    assert!(s.focus_seq > seq);
    let Some(Note::Moved { id, position, .. }) = s.note.clone() else {
        panic!("{:?}", s.note);
    };
    assert_eq!(position, None);
    s.apply(Action::GoTo(id.clone()));
    assert_eq!(s.status, StatusFilter::All);
    assert_eq!(s.focus.as_deref(), Some(id.as_str()));
    assert!(review_order(&s).iter().any(|r| r.id == id));
    // The last cluster of the list: the focus goes to the one before it.
    s.apply(Action::FilterStatus(StatusFilter::All));
    let order = review_order(&s);
    let last = &order[order.len() - 1];
    s.apply(Action::Decide(Decision::Drop {
        field: last.members[0].field.clone(),
    }));
    assert!(s.focus.is_some());
    // A cluster far down a group is drawn once it is focused.
    s.apply(Action::GoTo(order[order.len() - 1].id.clone()));
    assert!(s.clusters_shown() >= order.len().min(CLUSTERS_SHOWN));
}

/// Issue 16.6: a look-alike pair kept apart names both forms (department · form title) and
/// the two headers.
#[test]
fn issue_16_6_near_misses_name_both_forms() {
    let s = with_examples();
    let p = s.project.as_ref().expect("project");
    assert!(!p.near_misses.is_empty());
    let lines = near_miss_lines(Lang::Zh, p, 40);
    assert_eq!(lines.len(), p.near_misses.len().min(40));
    for (line, n) in lines.iter().zip(&p.near_misses) {
        for side in [&n.a, &n.b] {
            let src = p
                .set
                .sources
                .iter()
                .find(|x| x.file == side.file && x.sheet == side.sheet)
                .expect("form");
            assert!(
                line.contains(&format!("{} · {} · ", src.department, src.title)),
                "{line}"
            );
        }
        assert!(line.contains("未合并"), "{line}");
    }
    assert!(near_miss_lines(Lang::En, p, 1)[0].contains("Kept apart"));
}

/// Issue 16.6: a decision plans the set again from the clustering kept since the last merge;
/// the result is the merge from scratch with the same decisions, also after 撤销上一步 and a
/// correction.
#[test]
fn issue_16_6_a_decision_without_clustering_again_gives_the_same_set() {
    let mut s = with_examples();
    let rows = cluster_rows(&s);
    s.apply(Action::Decide(split(&rows[3].members[0].field)));
    s.apply(Action::AcceptAll(Bulk::Above(80)));
    s.apply(Action::Decide(Decision::Merge {
        a: rows[0].members[0].field.clone(),
        b: rows[1].members[0].field.clone(),
    }));
    s.apply(Action::Undo);
    let fresh = yibiao::merge::merge_with(
        &s.reports(),
        &s.lexicon_additions,
        &s.decisions,
        &s.overrides,
    )
    .expect("merge");
    let p = s.project.as_ref().expect("project");
    assert_eq!(p.set, fresh.set);
    assert_eq!(p.decision_outcomes, fresh.decision_outcomes);
    assert_eq!(p.near_misses, fresh.near_misses);
    let src = &p.set.sources[0];
    s.apply(Action::Override(FormOverride {
        file: src.file.clone(),
        sheet: src.sheet.clone(),
        department: Some("统计".into()),
        grain: None,
    }));
    s.apply(Action::Decide(Decision::Accept {
        field: rows[5].members[0].field.clone(),
    }));
    let fresh = yibiao::merge::merge_with(
        &s.reports(),
        &s.lexicon_additions,
        &s.decisions,
        &s.overrides,
    )
    .expect("merge");
    assert_eq!(s.project.as_ref().expect("project").set, fresh.set);
}
