//! The merge as a user meets it: the fixture county becomes a form set whose every original
//! field has a place; staff decisions change the result, survive a save, and are re-applied
//! to next year's files — or reported when they no longer fit.

use std::collections::HashSet;

use yibiao::examples::EXAMPLES;
use yibiao::inspect::{inspect, FileReport};
use yibiao::merge::{merge, remerge, Project, ProjectError};
use yibiao::plan::{Decision, FieldRef, SetSheetKind};
use yibiao::{reasons, Lang};

pub fn reports() -> Vec<FileReport> {
    EXAMPLES.iter().map(|(n, b)| inspect(n, b)).collect()
}

fn field(project: &Project, title_part: &str, path: &[&str]) -> FieldRef {
    let s = project
        .set
        .sources
        .iter()
        .find(|s| s.title.contains(title_part))
        .unwrap_or_else(|| panic!("no form {title_part}"));
    FieldRef {
        file: s.file.clone(),
        sheet: s.sheet.clone(),
        header_path: path.iter().map(|p| p.to_string()).collect(),
    }
}

fn canonical_of<'a>(project: &'a Project, r: &FieldRef) -> &'a str {
    let s = project
        .set
        .sources
        .iter()
        .find(|s| s.file == r.file && s.sheet == r.sheet)
        .expect("source");
    s.fields
        .iter()
        .find(|f| f.header_path == r.header_path)
        .and_then(|f| f.canonical.as_deref())
        .unwrap_or_else(|| panic!("no canonical for {r:?}"))
}

#[test]
fn every_original_data_field_has_one_place_in_the_set() {
    let p = merge(&reports(), "", &[]).expect("merge");
    let set = &p.set;
    assert_eq!(set.sources.len(), 14);
    let topics = set
        .sheets
        .iter()
        .filter(|s| s.kind == SetSheetKind::Topic)
        .count();
    assert_eq!(topics, 14, "one topic sheet per original form");
    let names: HashSet<&str> = set.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), set.sheets.len(), "sheet names unique");
    assert!(set.sheets.iter().all(|s| s.name.chars().count() <= 31));
    for (kind, name) in [("household", "农户基本信息"), ("person", "人员基本信息")] {
        let base = set
            .sheets
            .iter()
            .find(|s| s.kind == SetSheetKind::Base && s.grain == kind)
            .unwrap_or_else(|| panic!("no {name}"));
        assert_eq!(base.name, name);
        let first_non_key = base.columns.iter().position(|c| !c.key).expect("fields");
        assert!(base.columns[..first_non_key].iter().all(|c| c.key));
        assert!(
            base.columns[first_non_key..].iter().all(|c| !c.key),
            "keys first"
        );
    }
    for (si, s) in set.sources.iter().enumerate() {
        for f in s.fields.iter().filter(|f| f.role == "data") {
            let id = f
                .canonical
                .as_deref()
                .expect("data fields have a canonical id");
            let ci = set
                .canonical
                .iter()
                .position(|c| c.id == id)
                .expect("canonical exists");
            // The column of its own topic sheet, or a base table of the set.
            let places = set
                .sheets
                .iter()
                .filter(|sh| {
                    sh.columns.iter().any(|c| c.canonical == ci)
                        && (sh.kind == SetSheetKind::Base || sh.replaces.contains(&si))
                })
                .count();
            assert!(places >= 1, "{} / {} has no place", s.title, f.name);
        }
    }
    // Burden: fewer columns to fill than fields before.
    let t = &set.burden.total;
    assert_eq!(t.fields_before, 259);
    assert!(t.fields_after < t.fields_before, "{t:?}");
    assert_eq!(
        set.burden.overlap.departments.len(),
        set.burden.by_department.len()
    );
}

#[test]
fn a_roster_whose_fields_all_live_in_base_tables_keeps_a_keys_only_sheet() {
    // Decide that the 高龄津贴 roster's own fields have no basis: its rows must still be recorded.
    let first = merge(&reports(), "", &[]).expect("merge");
    let own = [
        "年龄（周岁）",
        "津贴标准（元/月）",
        "发放月数",
        "发放金额（元）",
        "享受起始年月",
    ];
    let decisions: Vec<Decision> = own
        .iter()
        .map(|h| Decision::Drop {
            field: field(&first, "高龄津贴", &[h]),
        })
        .collect();
    let p = merge(&reports(), "", &decisions).expect("merge");
    assert!(
        p.decision_outcomes.iter().all(|o| o.applied),
        "{:?}",
        p.decision_outcomes
    );
    let sheet = p
        .set
        .sheets
        .iter()
        .find(|s| s.name.contains("高龄津贴"))
        .expect("topic sheet stays");
    // Keys only, and the roster's own 备注, which stays with its rows.
    let remarks = |c: &yibiao::plan::SetColumn| p.set.canonical[c.canonical].is_remarks();
    assert!(
        sheet.columns.iter().all(|c| c.key || remarks(c)),
        "{:?}",
        sheet.columns
    );
    assert_eq!(sheet.columns.iter().filter(|c| remarks(c)).count(), 1);
    assert!(sheet.purpose.contains("名单"));
}

#[test]
fn decisions_override_the_matcher_and_survive_a_save() {
    let first = merge(&reports(), "", &[]).expect("merge");
    let a09_phone = field(&first, "养老保险", &["联系电话"]);
    let a10_phone = field(&first, "医疗保险", &["联系方式"]);
    let a09_status = field(&first, "养老保险", &["参保状态"]);
    let a10_status = field(&first, "医疗保险", &["参保状态"]);
    assert_eq!(
        canonical_of(&first, &a09_phone),
        canonical_of(&first, &a10_phone)
    );
    assert_ne!(
        canonical_of(&first, &a09_status),
        canonical_of(&first, &a10_status)
    );

    let decisions = vec![
        Decision::Split {
            field: a10_phone.clone(),
        },
        Decision::Merge {
            a: a09_status.clone(),
            b: a10_status.clone(),
        },
        Decision::Rename {
            field: a09_status.clone(),
            name: "参保状态（养老/医保）".into(),
        },
    ];
    let p = merge(&reports(), "", &decisions).expect("merge");
    assert!(p.decision_outcomes.iter().all(|o| o.applied));
    assert_ne!(canonical_of(&p, &a09_phone), canonical_of(&p, &a10_phone));
    assert_eq!(canonical_of(&p, &a09_status), canonical_of(&p, &a10_status));
    let merged = p
        .set
        .canonical
        .iter()
        .find(|c| c.id == canonical_of(&p, &a09_status))
        .expect("canonical");
    assert_eq!(merged.name, "参保状态（养老/医保）");
    assert_eq!(merged.confidence, 1.0);

    // Saved and read back, the project re-applies the same decisions.
    let text = p.to_json();
    let back = Project::from_json(&text).expect("reads back");
    assert_eq!(back, p);
    let again = remerge(&reports(), &back).expect("remerge");
    assert_eq!(again.set, p.set);
}

#[test]
fn next_years_files_take_last_years_decisions_and_misfits_are_reported() {
    let first = merge(&reports(), "", &[]).expect("merge");
    let a10_phone = field(&first, "医疗保险", &["联系方式"]);
    let gone = field(&first, "医疗保险", &["未参保原因"]);
    let decisions = vec![
        Decision::Split {
            field: a10_phone.clone(),
        },
        Decision::Drop { field: gone },
    ];
    // Next year: the 医保 file is renamed 2025 → 2026 and loses its 未参保原因 column.
    let next: Vec<FileReport> = reports()
        .into_iter()
        .map(|mut r| {
            if r.file.contains("医疗保障局") {
                r.file = r.file.replace("2025", "2026");
                for s in &mut r.sheets {
                    s.sheet = s.sheet.replace("2025", "2026");
                    for f in &mut s.forms {
                        f.fields.retain(|x| x.name != "未参保原因");
                    }
                }
            }
            r
        })
        .collect();
    let p = merge(&next, "", &decisions).expect("merge");
    assert!(
        p.decision_outcomes[0].applied,
        "{:?}",
        p.decision_outcomes[0]
    );
    assert!(!p.decision_outcomes[1].applied);
    assert!(
        p.decision_outcomes[1].problem.starts_with("找不到字段"),
        "{}",
        p.decision_outcomes[1].problem
    );
    assert!(
        reasons::in_lang(Lang::En, &p.decision_outcomes[1].problem)
            .starts_with("Field not found: 青山县医疗保障局"),
        "{}",
        p.decision_outcomes[1].problem
    );
    let phone_2026 = FieldRef {
        file: a10_phone.file.replace("2025", "2026"),
        sheet: a10_phone.sheet.replace("2025", "2026"),
        header_path: a10_phone.header_path.clone(),
    };
    let other = field(&p, "养老保险", &["联系电话"]);
    assert_ne!(canonical_of(&p, &phone_2026), canonical_of(&p, &other));
}

#[test]
fn staff_lexicon_additions_join_fields_and_are_kept_in_the_project() {
    let first = merge(&reports(), "", &[]).expect("merge");
    let a = field(&first, "养老保险", &["个人编号"]);
    let b = field(&first, "残疾人", &["残疾人证号"]);
    assert_ne!(canonical_of(&first, &a), canonical_of(&first, &b));
    let extra =
        "[[concept]]\nid = \"person.person_no\"\nvariants = [\"个人编号\", \"残疾人证号\"]\n";
    let p = merge(&reports(), extra, &[]).expect("merge");
    assert_eq!(canonical_of(&p, &a), canonical_of(&p, &b));
    assert_eq!(p.lexicon_additions, extra);
    let e = merge(&reports(), "[[concept]\n", &[]).unwrap_err();
    assert_eq!(e.code(), "lexicon_syntax");
}

#[test]
fn project_file_errors_are_plain() {
    let cases: [(&str, &str, &str); 3] = [
        (
            "{\"files\": []}",
            "project_not_a_project",
            "这不是一表的项目文件（应是合并时保存的 .json 文件）。",
        ),
        (
            "{\"format\": \"yibiao-project\", \"version\": 9}",
            "project_newer_version",
            "项目文件由较新版本的一表保存（格式版本 9），请升级一表后再打开。",
        ),
        (
            "not json",
            "project_syntax",
            "项目文件已损坏或被改动过，无法读取：expected ident at line 1 column 2",
        ),
    ];
    for (text, code, zh) in cases {
        let e: ProjectError = Project::from_json(text).unwrap_err();
        assert_eq!(e.code(), code, "{text}");
        assert_eq!(e.message(Lang::Zh), zh, "{text}");
        assert!(!e.message(Lang::En).is_empty());
    }
    assert_eq!(
        ProjectError::NotAProject.message(Lang::En),
        "This is not a Yibiao project file (the .json file saved when merging)."
    );
}

#[test]
fn review_lists_the_least_certain_first() {
    let p = merge(&reports(), "", &[]).expect("merge");
    let items = p.review();
    assert!(!items.is_empty());
    assert!(items.windows(2).all(|w| w[0].confidence <= w[1].confidence));
    assert!(items
        .iter()
        .all(|c| !c.reasons.is_empty() || c.members.len() == 1));
    assert!(!p.near_misses.is_empty());
}

#[test]
fn header_choices_travel_with_the_project() {
    use yibiao::inspect::HeaderChoice;
    use yibiao::merge::{choices_for, FileHeaderChoice};
    let mut p = merge(&reports(), "", &[]).expect("merge");
    assert!(p.header_choices.is_empty());
    let choice = HeaderChoice {
        sheet: "花名册".into(),
        first: 2,
        last: 3,
        shape: Some("card".into()),
    };
    p.header_choices = vec![FileHeaderChoice::new("甲.xlsx", &choice)];
    let back = Project::from_json(&p.to_json()).expect("parses");
    assert_eq!(back.header_choices, p.header_choices);
    let next = remerge(&reports(), &back).expect("remerge");
    assert_eq!(next.header_choices, p.header_choices);
    assert_eq!(choices_for(&next.header_choices, "甲.xlsx"), vec![choice]);
    assert!(choices_for(&next.header_choices, "乙.xlsx").is_empty());
}

#[test]
fn every_reason_and_staff_decision_reads_in_english_too() {
    let first = merge(&reports(), "", &[]).expect("merge");
    let pension = |path: &[&str]| field(&first, "养老保险", path);
    let medical = |path: &[&str]| field(&first, "医疗保险", path);
    let decisions = vec![
        Decision::Accept {
            field: pension(&["姓　　名"]),
        },
        Decision::Split {
            field: medical(&["联系方式"]),
        },
        Decision::Split {
            field: pension(&["缴费档次（元/年）"]),
        },
        Decision::Merge {
            a: pension(&["参保状态"]),
            b: medical(&["参保状态"]),
        },
        Decision::Move {
            field: medical(&["资助参保身份"]),
            to: pension(&["特殊参保群体"]),
        },
        Decision::Rename {
            field: pension(&["参保日期"]),
            name: "参加养老保险日期".into(),
        },
        Decision::Drop {
            field: medical(&["未参保原因"]),
        },
    ];
    let p = merge(&reports(), "", &decisions).expect("merge");
    assert!(
        p.decision_outcomes.iter().all(|o| o.applied),
        "{:#?}",
        p.decision_outcomes
    );

    let mut staff = HashSet::new();
    let sentences = p
        .set
        .canonical
        .iter()
        .flat_map(|c| c.reasons.iter())
        .chain(p.near_misses.iter().map(|n| &n.reason));
    for zh in sentences {
        let en = reasons::in_lang(Lang::En, zh);
        assert_ne!(en, zh.as_str(), "no English for “{zh}”");
        assert_eq!(reasons::in_lang(Lang::Zh, zh), zh.as_str());
        if reasons::by_staff(zh) {
            staff.insert(en.into_owned());
        }
    }
    let mut staff: Vec<_> = staff.into_iter().collect();
    staff.sort();
    assert_eq!(
        staff,
        [
            "Confirmed by staff",
            "Dropped by staff (no basis)",
            "Kept on its own by staff",
            "Members moved by staff",
            "Merged by staff",
            "Renamed by staff",
            "Split out by staff",
        ]
    );
}

/// `yibiao review … | head`: when the reader stops early the CLI ends quietly, no panic.
#[test]
fn the_cli_ends_quietly_when_its_output_is_cut_off() {
    let dir = std::env::temp_dir().join(format!("yibiao-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let project = dir.join("项目.json");
    std::fs::write(
        &project,
        merge(&reports(), "", &[]).expect("merge").to_json(),
    )
    .expect("write");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yibiao"))
        .arg("review")
        .arg(&project)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    // The reader goes away before the first line is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?} {stderr}", out.status);
    let _ = std::fs::remove_dir_all(&dir);
}
