//! Year to year as staff meet it: last year's project next to this year's forms. Each case
//! edits this year's forms the way departments do (a header reworded, 亩 → 公顷, a form dropped,
//! a value added to a list, the year in a title) and checks the change list per department,
//! word for word; last year's decisions follow renamed fields and the ones that no longer fit
//! say why. One test runs the real fixture files against a perturbed copy of their bytes.

use std::sync::OnceLock;

use yibiao::diff::{
    carry_over, counts_text, decision_line, department_lines, diff, render, DecisionFit, FormMatch,
    ProjectDiff,
};
use yibiao::examples::EXAMPLES;
use yibiao::inspect::{inspect, FieldReport, FileReport, FormReport};
use yibiao::merge::{merge, Project};
use yibiao::plan::{Decision, FieldRef};
use yibiao::Lang;

use crate::merging::reports;

fn last_year() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| merge(&reports(), "", &[]).expect("merge"))
}

fn form<'a>(reports: &'a mut [FileReport], file_part: &str) -> &'a mut FormReport {
    reports
        .iter_mut()
        .filter(|r| r.file.contains(file_part))
        .flat_map(|r| r.sheets.iter_mut())
        .flat_map(|s| s.forms.iter_mut())
        .next()
        .unwrap_or_else(|| panic!("no form in {file_part}"))
}

fn field<'a>(reports: &'a mut [FileReport], file_part: &str, leaf: &str) -> &'a mut FieldReport {
    form(reports, file_part)
        .fields
        .iter_mut()
        .find(|f| f.header_path.last().map(String::as_str) == Some(leaf))
        .unwrap_or_else(|| panic!("no {leaf} in {file_part}"))
}

/// Sets a field's header leaf (and its normalised name).
fn rename(reports: &mut [FileReport], file_part: &str, leaf: &str, to: &str) {
    let f = field(reports, file_part, leaf);
    if let Some(l) = f.header_path.last_mut() {
        *l = to.to_string();
    }
    f.name = to.to_string();
}

/// Next year's file, sheet and title names: every 2025 becomes 2026, then every 2024 2025.
fn next_year(reports: &mut [FileReport]) {
    let bump = |s: &str| s.replace("2025", "2026").replace("2024", "2025");
    for r in reports {
        r.file = bump(&r.file);
        for s in &mut r.sheets {
            s.sheet = bump(&s.sheet);
            for f in &mut s.forms {
                f.title = f.title.as_deref().map(bump);
            }
        }
    }
}

/// (department, its counts, its lines) for every department that changed.
type Expect<'a> = &'a [(&'a str, &'a str, &'a [&'a str])];

#[track_caller]
fn check(edit: impl Fn(&mut Vec<FileReport>), expect: Expect) -> ProjectDiff {
    let mut this = reports();
    edit(&mut this);
    let new = merge(&this, "", &[]).expect("merge");
    let d = diff(last_year(), &new);
    let got: Vec<(String, String, Vec<String>)> = d
        .departments
        .iter()
        .filter(|x| x.changed())
        .map(|x| {
            (
                x.department.clone(),
                counts_text(Lang::Zh, &x.counts()),
                department_lines(Lang::Zh, x),
            )
        })
        .collect();
    let want: Vec<(String, String, Vec<String>)> = expect
        .iter()
        .map(|(d, c, l)| {
            (
                d.to_string(),
                c.to_string(),
                l.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(got, want, "\n{}", render(Lang::Zh, &d));
    d
}

#[test]
fn the_same_forms_again_change_nothing() {
    let d = check(|_| {}, &[]);
    assert_eq!(d.departments.len(), 10);
    assert!(d.canonical_added.is_empty() && d.canonical_removed.is_empty());
    assert_eq!(
        render(Lang::Zh, &d).lines().nth(2),
        Some("10 个部门，其中 0 个有变化。")
    );
}

#[test]
fn a_title_that_only_changed_its_year_is_the_same_form() {
    let d = check(|r| next_year(r), &[]);
    let kept: Vec<_> = d.departments.iter().flat_map(|x| &x.forms_kept).collect();
    assert_eq!(kept.len(), 14);
    assert!(kept.iter().all(|f| f.matched_by == FormMatch::Title));
    let aged = kept
        .iter()
        .find(|f| f.old.title.contains("高龄津贴"))
        .expect("高龄津贴");
    assert_eq!(
        aged.new.title,
        "青山县2025年第三季度80周岁以上老年人高龄津贴发放花名册"
    );
}

#[test]
fn a_unit_changed_from_mu_to_hectare() {
    check(
        |r| {
            let f = field(r, "农业农村工作报表", "承包地面积(亩)");
            f.header_path = vec!["承包地面积(公顷)".into()];
            f.name = "承包地面积(公顷)".into();
            f.unit = Some("公顷".into());
        },
        &[(
            "农业农村",
            "1 张表有改动，2 张表无变化",
            &[
                "~ 「青山县2024年耕地地力保护补贴面积核实登记表」：1 个字段有改动",
                "    「承包地面积(公顷)」单位由亩改为公顷",
            ],
        )],
    );
}

#[test]
fn renamed_headers_by_data_element_and_by_place() {
    check(
        |r| {
            rename(r, "养老保险", "联系电话", "手机号码");
            rename(r, "民政工作报表", "低保证号", "低保证编号");
        },
        &[
            (
                "人社",
                "1 张表有改动",
                &[
                    "~ 「青山县城乡居民基本养老保险参保登记花名册」：1 个字段改名",
                    "    字段改名：「联系电话」 → 「手机号码」（同一标准数据项）",
                ],
            ),
            (
                "民政",
                "1 张表有改动，2 张表无变化",
                &[
                    "~ 「青山县2024年农村最低生活保障对象花名册」：1 个字段改名",
                    "    字段改名：「低保证号」 → 「低保证编号」（同一位置、同一类型）",
                ],
            ),
        ],
    );
}

#[test]
fn a_form_dropped_and_a_form_added() {
    check(
        |r| {
            r.retain(|x| !x.file.contains("自然资源局"));
            let mut extra = inspect(EXAMPLES[0].0, EXAMPLES[0].1);
            extra.file = "青山县人力资源和社会保障局-2025年农村劳动力转移就业登记表.csv".into();
            for s in &mut extra.sheets {
                s.sheet = "青山县2025年农村劳动力转移就业登记表".into();
                for f in &mut s.forms {
                    f.title = Some("青山县2025年农村劳动力转移就业登记表".into());
                    f.fields
                        .retain(|x| x.name != "缴费档次(元/年)" && x.name != "参保日期");
                    f.fields.truncate(12);
                }
            }
            r.push(extra);
        },
        &[
            (
                "人社",
                "新增 1 张表，1 张表无变化",
                &["+ 「青山县2025年农村劳动力转移就业登记表」（新增，12 个字段）"],
            ),
            (
                "自然资源",
                "减少 1 张表",
                &["− 「青山县农村宅基地及农房现状调查表」（今年没有）"],
            ),
        ],
    );
}

#[test]
fn values_required_marks_types_and_fields_in_and_out() {
    let d = check(
        |r| {
            field(r, "医疗保障局", "未参保原因")
                .enum_values
                .push("不愿参保".into());
            field(r, "医疗保障局", "参保状态")
                .enum_values
                .retain(|v| v != "参保中断");
            let vet = "退役军人事务局";
            field(r, vet, "政治面貌").required = true;
            field(r, vet, "户籍类别*").required = false;
            field(r, vet, "入伍地").ty = "enum".into();
            let f = form(r, vet);
            f.fields.retain(|x| x.name != "服役部队代号");
            let mut wechat = f.fields[11].clone();
            wechat.header_path = vec!["基本信息".into(), "微信号".into()];
            wechat.name = "微信号".into();
            wechat.ty = "text".into();
            wechat.column_letter = "Z".into();
            wechat.column = 26;
            f.fields.push(wechat);
        },
        &[
            (
                "医保",
                "1 张表有改动",
                &[
                    "~ 「青山县2025年度城乡居民基本医疗保险资助参保人员名册」：2 个字段有改动",
                    "    「参保状态」可选值去掉：参保中断",
                    "    「未参保原因」可选值增加：不愿参保",
                ],
            ),
            (
                "退役军人",
                "1 张表有改动",
                &[
                    "~ 「青山县退役军人和其他优抚对象信息采集表」：新增 1 个字段，删除 1 个字段，3 个字段有改动",
                    "    新增字段 「基本信息/微信号」（Z 列）",
                    "    删除字段 「服役信息/服役部队代号」",
                    "    「基本信息/政治面貌」改为必填",
                    "    「基本信息/户籍类别*」改为选填",
                    "    「服役信息/入伍地」类型由文本改为选项",
                ],
            ),
        ],
    );
    let vet = d
        .departments
        .iter()
        .find(|x| x.department == "退役军人")
        .expect("退役军人");
    assert_eq!(
        department_lines(Lang::En, vet),
        [
            "~ “青山县退役军人和其他优抚对象信息采集表”: 1 field added, 1 field removed, 3 fields changed",
            "    new field “基本信息/微信号” (column Z)",
            "    field removed: “服役信息/服役部队代号”",
            "    “基本信息/政治面貌” is now required",
            "    “基本信息/户籍类别*” is now optional",
            "    “服役信息/入伍地”: type text → choice",
        ]
    );
    assert_eq!(counts_text(Lang::En, &vet.counts()), "1 form changed");
    assert_eq!(
        render(Lang::En, &d).lines().nth(2),
        Some("10 departments, 2 with changes: 2 forms changed.")
    );
}

#[test]
fn a_reworded_title_in_the_same_file_is_the_same_form() {
    let d = check(
        |r| {
            form(r, "卫生健康局").title =
                Some("青山县2025年农村计划生育家庭奖励扶助对象名册".into());
        },
        &[(
            "卫健",
            "1 张表有改动",
            &["~ 「青山县2025年农村计划生育家庭奖励扶助对象名册」（原为「青山县2024年农村部分计划生育家庭奖励扶助对象花名册」）"],
        )],
    );
    let f = d
        .departments
        .iter()
        .flat_map(|x| &x.forms_kept)
        .find(|f| f.title_changed)
        .expect("retitled");
    assert_eq!(f.matched_by, FormMatch::File);
}

fn at(project: &Project, file_part: &str, leaf: &str) -> FieldRef {
    let s = project
        .set
        .sources
        .iter()
        .find(|s| s.file.contains(file_part))
        .unwrap_or_else(|| panic!("no form in {file_part}"));
    let f = s
        .fields
        .iter()
        .find(|f| f.header_path.last().map(String::as_str) == Some(leaf))
        .unwrap_or_else(|| panic!("no {leaf}"));
    FieldRef {
        file: s.file.clone(),
        sheet: s.sheet.clone(),
        header_path: f.header_path.clone(),
    }
}

#[test]
fn last_years_decisions_fit_follow_renamed_fields_or_say_why_not() {
    let old_reports = reports();
    let first = merge(&old_reports, "", &[]).expect("merge");
    let decisions = vec![
        Decision::Split {
            field: at(&first, "医疗保障局", "联系方式"),
        },
        Decision::Rename {
            field: at(&first, "民政工作报表", "低保证号"),
            name: "低保证编号".into(),
        },
        Decision::Drop {
            field: at(&first, "医疗保障局", "未参保原因"),
        },
        Decision::Accept {
            field: at(&first, "残疾人联合会", "乡镇"),
        },
    ];
    let old = merge(&old_reports, "", &decisions).expect("merge");
    assert!(old.decision_outcomes.iter().all(|o| o.applied));

    let mut this = reports();
    next_year(&mut this);
    rename(&mut this, "民政工作报表", "低保证号", "低保证编号");
    form(&mut this, "医疗保障局")
        .fields
        .retain(|f| f.name != "未参保原因");
    field(&mut this, "残疾人联合会", "乡镇").role = "structural".into();

    // Without last year's decisions: which fit, none applied yet.
    let plain = merge(&this, "", &[]).expect("merge");
    let d = diff(&old, &plain);
    let fits: Vec<bool> = d.decisions.iter().map(|c| c.fit.fits()).collect();
    assert_eq!(fits, [true, true, false, false]);
    assert_eq!(
        d.decisions[0].fit,
        DecisionFit::Fits { applied: false },
        "resolved by the year-free file name"
    );

    // Carried over and merged: the renamed one follows its field and is applied.
    let carried = carry_over(&old, &plain.set);
    assert_eq!(carried.len(), 4);
    let Decision::Rename { field: now, .. } = &carried[1] else {
        panic!("{:?}", carried[1]);
    };
    assert_eq!(now.header_path, ["低保证编号"]);
    assert_eq!(carried[2], decisions[2], "a misfit stays as it was");
    let new = merge(&this, "", &carried).expect("merge");
    let d = diff(&old, &new);
    let lines: Vec<String> = d
        .decisions
        .iter()
        .map(|c| decision_line(Lang::Zh, c))
        .collect();
    assert_eq!(
        lines,
        [
            "把“联系方式”单独列出：仍适用，已沿用".to_string(),
            "把“低保证号”所在的字段改名为“低保证编号”：字段已改名（「低保证号」 → 「低保证编号」），按新名称仍适用，已沿用".into(),
            "取消“未参保原因”所在的字段（无依据）：不再适用，今年的表格中找不到字段 青山县医疗保障局-2025年度城乡居民基本医疗保险资助参保人员名册.xlsx › 青山县2025年度城乡居民基本医疗保险资助参保人员名册 › 未参保原因".into(),
            "确认“乡镇”所在的合并：不再适用，青山县残疾人联合会-困难残疾人生活补贴和重度残疾人护理补贴发放花名册（2024年月）.xlsx › 青山县困难残疾人生活补贴和重度残疾人护理补贴发放花名册（202 › 乡镇 今年是序号或备注列".into(),
        ]
    );
    let en: Vec<String> = d
        .decisions
        .iter()
        .map(|c| decision_line(Lang::En, c))
        .collect();
    assert_eq!(en[0], "split “联系方式” out: still fits; applied");
    assert_eq!(
        en[1],
        "call the field holding “低保证号” “低保证编号”: the field was renamed (“低保证号” → “低保证编号”) and the decision follows it; applied"
    );
    assert!(en[2].starts_with(
        "drop the field holding “未参保原因” (no basis): no longer fits; this year's forms have no field "
    ));
    assert!(en[3].ends_with(" is a row-number or notes column this year"));
    let renamed = new
        .set
        .canonical
        .iter()
        .find(|c| c.name == "低保证编号")
        .expect("the rename applies to this year's field");
    assert_eq!(renamed.confidence, 1.0);
    let text = render(Lang::Zh, &d);
    assert!(
        text.contains("去年的人工决定 4 条：2 条仍适用，2 条不再适用。"),
        "{text}"
    );
}

/// Replaces text in a UTF-8 CSV's bytes.
fn edit_csv(bytes: &[u8], edits: &[(&str, &str)]) -> Vec<u8> {
    let mut s = String::from_utf8(bytes.to_vec()).expect("utf-8 csv");
    for (a, b) in edits {
        assert!(s.contains(a), "{a}");
        s = s.replace(a, b);
    }
    s.into_bytes()
}

#[test]
fn the_county_against_a_perturbed_copy_of_its_files() {
    let (csv_name, csv) = EXAMPLES[0];
    assert!(csv_name.ends_with(".csv") && csv_name.contains("养老保险"));
    let old_decisions = {
        let first = merge(&reports(), "", &[]).expect("merge");
        vec![
            Decision::Split {
                field: at(&first, "养老保险", "联系电话"),
            },
            Decision::Accept {
                field: at(&first, "自然资源局", "户主姓名"),
            },
        ]
    };
    let old = merge(&reports(), "", &old_decisions).expect("merge");

    // This year: the pension roster's file and title carry the year, one header is reworded,
    // one value list grows; the 自然资源 file is not sent.
    let new_name = csv_name.replace("-城乡居民", "-2025年城乡居民");
    let new_csv = edit_csv(
        csv,
        &[
            (
                "青山县城乡居民基本养老保险参保登记花名册",
                "青山县2025年城乡居民基本养老保险参保登记花名册",
            ),
            ("联系电话", "手机号码"),
        ],
    );
    let mut this: Vec<FileReport> = EXAMPLES[1..]
        .iter()
        .filter(|(n, _)| !n.contains("自然资源局"))
        .map(|(n, b)| inspect(n, b))
        .collect();
    this.insert(0, inspect(&new_name, &new_csv));
    let plain = merge(&this, "", &[]).expect("merge");
    let new = merge(&this, "", &carry_over(&old, &plain.set)).expect("merge");
    let d = diff(&old, &new);

    let changed: Vec<(&str, String)> = d
        .departments
        .iter()
        .filter(|x| x.changed())
        .map(|x| (x.department.as_str(), counts_text(Lang::Zh, &x.counts())))
        .collect();
    assert_eq!(
        changed,
        [
            ("人社", "1 张表有改动".to_string()),
            ("自然资源", "减少 1 张表".to_string())
        ]
    );
    let pension = d
        .departments
        .iter()
        .find(|x| x.department == "人社")
        .expect("人社");
    assert_eq!(
        department_lines(Lang::Zh, pension),
        [
            "~ 「青山县2025年城乡居民基本养老保险参保登记花名册」：1 个字段改名",
            // Split out last year and this year alike, so no longer the same data element
            // as 联系电话 elsewhere: paired by its place.
            "    字段改名：「联系电话」 → 「手机号码」（同一位置、同一类型）",
        ]
    );
    assert!(matches!(
        &d.decisions[0].fit,
        DecisionFit::Followed { applied: true, moved } if moved[0].new.header_path == ["手机号码"]
    ));
    assert!(matches!(&d.decisions[1].fit, DecisionFit::Missing { .. }));
    // Canonical fields only the 自然资源 form asked for are gone from the set.
    assert!(d
        .canonical_removed
        .iter()
        .any(|c| c.name.contains("宅基地")));
    // The split-out phone field is named after its new header.
    let added: Vec<&str> = d.canonical_added.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(added, ["n:手机号码"]);

    // The JSON shape reads back; the English report is complete.
    let json = serde_json::to_string(&d).expect("json");
    assert_eq!(
        serde_json::from_str::<ProjectDiff>(&json).expect("reads"),
        d
    );
    assert!(json.contains("\"fit\":\"followed\""));
    let en = render(Lang::En, &d);
    assert!(
        en.contains("\n■ 人社: 1 form changed\n  ~ “青山县2025年城乡居民基本养老保险参保登记花名册”: 1 field renamed\n      renamed: “联系电话” → “手机号码” (same place and type)\n"),
        "{en}"
    );
    assert!(en.contains("Last year's decisions: 2; 1 still fit, 1 no longer fit."));
}

#[test]
fn the_cli_prints_the_report_and_fails_only_on_unreadable_input() {
    let dir = std::env::temp_dir().join(format!("yibiao-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let old = dir.join("去年.json");
    let new = dir.join("今年.json");
    let bad = dir.join("坏.json");
    std::fs::write(&old, last_year().to_json()).expect("write");
    let mut this = reports();
    next_year(&mut this);
    rename(&mut this, "民政工作报表", "低保证号", "低保证编号");
    std::fs::write(&new, merge(&this, "", &[]).expect("merge").to_json()).expect("write");
    std::fs::write(&bad, "{\"files\": []}").expect("write");
    let run = |args: &[&std::path::Path], extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_yibiao"))
            .arg("diff")
            .args(args)
            .args(extra)
            .output()
            .expect("runs")
    };
    let out = run(&[&old, &new], &[]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("■ 民政：1 张表有改动，2 张表无变化"),
        "{text}"
    );
    assert!(text.contains("无变化：人社、"), "{text}");
    let out = run(&[&old, &new], &["--json", "--lang", "en"]);
    assert!(out.status.success());
    let d: ProjectDiff = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(d.departments.iter().filter(|x| x.changed()).count(), 1);
    let out = run(&[&old, &new], &["--lang", "en"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Unchanged: 人社, "));
    let out = run(&[&old, &bad], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("这不是一表的项目文件（应是合并时保存的 .json 文件）。"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merge_with_last_years_project_follows_renamed_fields() {
    // Last year 低保证号 was headed 低保证编码 and staff renamed its field.
    let mut old_reports = reports();
    rename(&mut old_reports, "民政工作报表", "低保证号", "低保证编码");
    let first = merge(&old_reports, "", &[]).expect("merge");
    let decision = Decision::Rename {
        field: at(&first, "民政工作报表", "低保证编码"),
        name: "低保证编号".into(),
    };
    let old = merge(&old_reports, "", &[decision]).expect("merge");
    let dir = std::env::temp_dir().join(format!("yibiao-carry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let old_path = dir.join("去年.json");
    std::fs::write(&old_path, old.to_json()).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yibiao"))
        .args(["merge", "--examples", "--out"])
        .arg(dir.join("今年.xlsx"))
        .arg("--project")
        .arg(&old_path)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("有 1 条以前的人工决定所指的字段已改名，已按新名称沿用。"),
        "{text}"
    );
    let new = Project::from_json(&std::fs::read_to_string(dir.join("今年.json")).expect("read"))
        .expect("project");
    assert!(
        matches!(&new.decisions[0], Decision::Rename { field, .. } if field.header_path == ["低保证号"])
    );
    assert!(new.decision_outcomes[0].applied);
    assert!(new.set.canonical.iter().any(|c| c.name == "低保证编号"));
    let _ = std::fs::remove_dir_all(&dir);
}
