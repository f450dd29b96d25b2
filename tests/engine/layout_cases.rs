//! Layout cases, one line each: a small grid (with merges) and what a person sees in it.

use yibiao::fields::Dictionaries;
use yibiao::layout::{self, SheetKind};
use yibiao::read::{parse_a1_range, Format, Grid, Sheet, Workbook};

/// What detection should find, 1-based rows as in Excel.
#[derive(Debug, PartialEq)]
struct Expect {
    title: Option<&'static str>,
    header: Vec<u32>,
    unit: Option<u32>,
    code: Option<u32>,
    data: Option<[u32; 2]>,
    leaves: Vec<&'static str>,
}

fn sheet(rows: &[&[&str]], merges: &[&str]) -> Sheet {
    Sheet {
        name: "Sheet1".into(),
        grid: Grid::from_text(rows),
        merges: merges.iter().filter_map(|m| parse_a1_range(m)).collect(),
        ..Sheet::default()
    }
}

#[track_caller]
fn check(rows: &[&[&str]], merges: &[&str], expect: Expect) {
    let sheet = sheet(rows, merges);
    let lay = layout::detect(&sheet, &Default::default());
    assert_eq!(lay.kind, SheetKind::Form, "not a form");
    let form = &lay.forms[0];
    let wb = Workbook {
        format: Format::Xlsx,
        encoding: None,
        sheets: vec![sheet.clone()],
        sheet_errors: vec![],
    };
    let mut warnings = vec![];
    let fields =
        yibiao::fields::extract(&wb, &Dictionaries::default(), &sheet, form, &mut warnings);
    let got = Expect {
        title: expect.title.filter(|t| form.title.as_deref() == Some(*t)),
        header: form.header_rows.iter().map(|r| r + 1).collect(),
        unit: form.unit_row.map(|r| r + 1),
        code: form.code_row.map(|r| r + 1),
        data: form.data_rows.map(|(a, b)| [a + 1, b + 1]),
        leaves: vec![],
    };
    let leaves: Vec<String> = fields.iter().map(|f| f.header_path.join("/")).collect();
    assert_eq!(
        (got.title, got.header, got.unit, got.code, got.data),
        (
            expect.title,
            expect.header,
            expect.unit,
            expect.code,
            expect.data
        ),
        "title/header/unit/code/data; title was {:?}",
        form.title
    );
    assert_eq!(leaves, expect.leaves);
}

#[track_caller]
fn check_kind(name: &str, rows: &[&[&str]], kind: SheetKind) {
    let mut s = sheet(rows, &[]);
    s.name = name.into();
    assert_eq!(layout::detect(&s, &Default::default()).kind, kind);
}

#[test]
fn one_header_row_under_title_and_reporter_line() {
    check(
        &[
            &["某县2024年花名册", "", ""],
            &["填报单位：　　乡（镇）　　填报人：", "", ""],
            &["序号", "姓名", "身份证号"],
            &["1", "张三", "99999919460110278X"],
            &["2", "李四", "999999197510018412"],
        ],
        &["A1:C1", "A2:C2"],
        Expect {
            title: Some("某县2024年花名册"),
            header: vec![3],
            unit: None,
            code: None,
            data: Some([4, 5]),
            leaves: vec!["序号", "姓名", "身份证号"],
        },
    );
}

#[test]
fn note_above_header_and_no_title() {
    check(
        &[
            &["注：1、红色字体字段为必填项。", "", ""],
            &["户主姓名", "身份证号码", "家庭人口（人）"],
            &["侯国军", "999999198201178919", "4"],
        ],
        &["A1:C1"],
        Expect {
            title: None,
            header: vec![2],
            unit: None,
            code: None,
            data: Some([3, 3]),
            leaves: vec!["户主姓名", "身份证号码", "家庭人口（人）"],
        },
    );
}

#[test]
fn two_level_header_with_merged_groups_and_vertical_leaves() {
    check(
        &[
            &["特困人员台账", "", "", "", ""],
            &["序号", "基本情况", "", "监护人", "备注"],
            &["", "姓名", "性别", "姓名", ""],
            &["1", "邓峰", "男", "邓秀娜", ""],
        ],
        &["A1:E1", "A2:A3", "B2:C2", "D2:D2", "E2:E3"],
        Expect {
            title: Some("特困人员台账"),
            header: vec![2, 3],
            unit: None,
            code: None,
            data: Some([4, 4]),
            leaves: vec![
                "序号",
                "基本情况/姓名",
                "基本情况/性别",
                "监护人/姓名",
                "备注",
            ],
        },
    );
}

#[test]
fn three_level_header_with_unit_and_code_rows_and_footer() {
    check(
        &[
            &["村级基本情况统计表", "", "", ""],
            &["填报单位：", "", "", ""],
            &["乡镇", "村名", "户数及人口", ""],
            &["", "", "户籍情况", ""],
            &["", "", "户数", "人口数"],
            &["—", "—", "户", "人"],
            &["甲", "乙", "1", "2"],
            &["东坪镇", "枫林村", "297", "924"],
            &["东坪镇", "荷塘村", "827", "2502"],
            &["单位负责人：　　填报人：", "", "", ""],
        ],
        &[
            "A1:D1", "A2:D2", "A3:A5", "B3:B5", "C3:D3", "C4:D4", "A10:D10",
        ],
        Expect {
            title: Some("村级基本情况统计表"),
            header: vec![3, 4, 5],
            unit: Some(6),
            code: Some(7),
            data: Some([8, 9]),
            leaves: vec![
                "乡镇",
                "村名",
                "户数及人口/户籍情况/户数",
                "户数及人口/户籍情况/人口数",
            ],
        },
    );
}

#[test]
fn header_on_the_first_row_without_anything_above() {
    check(
        &[&["姓名", "性别", "年龄"], &["张三", "男", "80"]],
        &[],
        Expect {
            title: None,
            header: vec![1],
            unit: None,
            code: None,
            data: Some([2, 2]),
            leaves: vec!["姓名", "性别", "年龄"],
        },
    );
}

#[test]
fn two_level_header_without_merges_is_guessed_from_text() {
    check(
        &[
            &["序号", "本人情况", "", "配偶情况", ""],
            &["", "姓名", "身份证号", "姓名", "身份证号"],
            &[
                "1",
                "夏秀兰",
                "999999195709127967",
                "高涛",
                "999999195809203779",
            ],
        ],
        &[],
        Expect {
            title: None,
            header: vec![1, 2],
            unit: None,
            code: None,
            data: Some([3, 3]),
            leaves: vec![
                "序号",
                "本人情况/姓名",
                "本人情况/身份证号",
                "配偶情况/姓名",
                "配偶情况/身份证号",
            ],
        },
    );
}

#[test]
fn blank_rows_inside_data_and_a_total_row_after_it() {
    check(
        &[
            &["地块调查表", "", ""],
            &["地块编号", "村", "面积m2"],
            &["DK001", "高桥村", "1985.63"],
            &["", "", ""],
            &["DK002", "石桥村", "2231.22"],
            &["", "", ""],
            &["面积合计：", "", ""],
        ],
        &["A1:C1", "A7:B7"],
        Expect {
            title: Some("地块调查表"),
            header: vec![2],
            unit: None,
            code: None,
            data: Some([3, 5]),
            leaves: vec!["地块编号", "村", "面积m2"],
        },
    );
}

#[test]
fn an_empty_template_has_a_header_and_no_data() {
    check(
        &[&["某某登记表", "", ""], &["姓名", "身份证号", "联系电话"]],
        &["A1:C1"],
        Expect {
            title: Some("某某登记表"),
            header: vec![2],
            unit: None,
            code: None,
            data: None,
            leaves: vec!["姓名", "身份证号", "联系电话"],
        },
    );
}

#[test]
fn reporter_line_spread_over_cells_is_not_a_header() {
    check(
        &[
            &["花名册", "", "", ""],
            &["填报单位：", "", "填报人：", "填报日期："],
            &["序号", "姓名", "性别", "备注"],
            &["1", "王五", "女", ""],
        ],
        &["A1:D1"],
        Expect {
            title: Some("花名册"),
            header: vec![3],
            unit: None,
            code: None,
            data: Some([4, 4]),
            leaves: vec!["序号", "姓名", "性别", "备注"],
        },
    );
}

#[test]
fn sheets_that_hold_no_form() {
    check_kind("Sheet2", &[], SheetKind::Empty);
    check_kind(
        "填表说明",
        &[
            &["填表说明"],
            &["1. 本表由各村（社区）据实填报，乡镇审核汇总。"],
        ],
        SheetKind::Instructions,
    );
    check_kind(
        "字典",
        &[&["性别"], &["男"], &["女"]],
        SheetKind::Dictionary,
    );
    check_kind(
        "Sheet4",
        &[
            &["家庭类型", "户口类型", "发放方式"],
            &["五保户", "城镇", "资金发放"],
            &["低保户", "农村", "银行发放"],
            &["重点优抚对象", "", ""],
            &["其他户", "", ""],
        ],
        SheetKind::Dictionary,
    );
    // A long code list of "code-name" entries (police stations, towns) is long text, but a
    // list, not filling notes; a few long sentences are notes even under a plain sheet name.
    let stations: Vec<String> = (0..40)
        .map(|i| format!("4301024{i:02}0000-长沙市公安局芙蓉分局第{i}派出所"))
        .collect();
    let rows: Vec<Vec<&str>> = stations.iter().map(|s| vec![s.as_str()]).collect();
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    check_kind("派出所代码名称", &rows, SheetKind::Dictionary);
    check_kind(
        "Sheet3",
        &[
            &["1、本表由村委会据实填写，乡镇审核后报送县民政局。"],
            &["2、身份证号码须为18位，最后一位为X的请大写。"],
        ],
        SheetKind::Instructions,
    );
}

// Tricks met in real templates (tests/fixtures/real-dev), each built small.

#[test]
fn reporter_line_of_template_placeholders_is_not_a_header() {
    check(
        &[
            &["${bank}整村授信基础信息收集表", "", "", ""],
            &["网格名称：", "${pwgmc}", "所属支行：", "日期：${date}"],
            &["序号", "户号", "姓名", "身份证号码"],
            &["${i}", "${hh}", "${name}", "${zjhm}"],
        ],
        &["A1:D1"],
        Expect {
            title: Some("整村授信基础信息收集表"),
            header: vec![3],
            unit: None,
            code: None,
            data: Some([4, 4]),
            leaves: vec!["序号", "户号", "姓名", "身份证号码"],
        },
    );
}

#[test]
fn a_unit_declared_beside_the_title_is_not_a_header() {
    check(
        &[
            &["个人金融普惠数据汇总（农户）", "", "单位：户"],
            &["统计月份", "机构名称", "累计走访户数"],
            &["2024-01", "城关支行", "12"],
        ],
        &["A1:B1"],
        Expect {
            title: Some("个人金融普惠数据汇总（农户）"),
            header: vec![2],
            unit: None,
            code: None,
            data: Some([3, 3]),
            leaves: vec!["统计月份", "机构名称", "累计走访户数"],
        },
    );
}

#[test]
fn a_row_of_scores_under_the_header_is_not_header() {
    // Labels merged down over a row of scores (授信分值) stop above it.
    check(
        &[
            &["户主", "姓名", "农房", "", ""],
            &["", "", "一层砖房", "二层砖房", "三层砖房"],
            &["", "", "0.5", "1", "3"],
            &["张三", "张三", "", "1", ""],
        ],
        &["A1:A3", "B1:B3", "C1:E1"],
        Expect {
            title: None,
            header: vec![1, 2],
            unit: None,
            code: None,
            data: Some([3, 4]),
            leaves: vec![
                "户主",
                "姓名",
                "农房/一层砖房",
                "农房/二层砖房",
                "农房/三层砖房",
            ],
        },
    );
}

#[test]
fn a_five_level_header_is_read_whole() {
    check(
        &[
            &["序号", "党组织建立情况", "", ""],
            &["", "已建党组织情况", "", "未建原因"],
            &["", "党组织负责人", "", ""],
            &["", "姓名", "身份证号", ""],
            &["", "", "", ""],
            &["1", "王五", "99999919460110278X", "无"],
        ],
        &[
            "A1:A5", "B1:D1", "B2:C2", "D2:D5", "B3:C3", "B4:B5", "C4:C5",
        ],
        Expect {
            title: None,
            header: vec![1, 2, 3, 4, 5],
            unit: None,
            code: None,
            data: Some([6, 6]),
            leaves: vec![
                "序号",
                "党组织建立情况/已建党组织情况/党组织负责人/姓名",
                "党组织建立情况/已建党组织情况/党组织负责人/身份证号",
                "党组织建立情况/未建原因",
            ],
        },
    );
}

#[test]
fn a_wide_header_cell_over_blank_cells_is_one_leaf() {
    check(
        &[
            &["编号", "项目总面积", "", "省验收文号"],
            &["", "", "", ""],
            &["合计", "", "", ""],
        ],
        &["B1:C1", "B2:C2"],
        Expect {
            title: None,
            header: vec![1],
            unit: None,
            code: None,
            data: None,
            leaves: vec!["编号", "项目总面积", "省验收文号"],
        },
    );
}

#[test]
fn a_legend_of_enumerated_notes_beside_the_table_is_neither_title_nor_header() {
    check(
        &[
            &[
                "住房公积金封存清册",
                "",
                "封存原因：\n1、保留劳动关系\n2、符合销户条件",
            ],
            &["序号", "个人客户号", ""],
            &["1", "1111111111111", ""],
        ],
        &["A1:B1", "C1:C3"],
        Expect {
            title: Some("住房公积金封存清册"),
            header: vec![2],
            unit: None,
            code: None,
            data: Some([3, 3]),
            leaves: vec!["序号", "个人客户号"],
        },
    );
}

/// Every form detected on one sheet: (header rows, unit row), 1-based.
#[track_caller]
fn check_forms(rows: &[&[&str]], merges: &[&str], want: &[(Vec<u32>, Option<u32>)]) {
    let s = sheet(rows, merges);
    let lay = layout::detect(&s, &Default::default());
    let got: Vec<(Vec<u32>, Option<u32>)> = lay
        .forms
        .iter()
        .map(|f| {
            (
                f.header_rows.iter().map(|r| r + 1).collect(),
                f.unit_row.map(|r| r + 1),
            )
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn tables_stacked_without_a_gap_are_forms_of_their_own() {
    // Each blank template's header ends in a unit row; the second starts with a banner beside
    // a blank corner merged down.
    check_forms(
        &[
            &["", "", "线索数", "", ""],
            &["", "", "合计", "邻里纠纷", "征地拆迁"],
            &["", "", "（条）", "（条）", "（条）"],
            &["", "", "重点人数", "", ""],
            &["", "", "合计", "20岁以下", "20-40岁"],
            &["", "", "（人）", "（人）", "（人）"],
        ],
        &["A1:B3", "C1:E1", "A4:B6", "C4:E4"],
        &[(vec![1, 2], Some(3)), (vec![4, 5], Some(6))],
    );
    // A blank template, its 合计 row, then the next table's header.
    check_forms(
        &[
            &["编号", "建设单位", "项目性质", "占用面积", "省验收文号"],
            &["", "", "", "", ""],
            &["", "", "", "", ""],
            &["合计", "", "", "", ""],
            &["编号", "补划地类", "补划面积", "质量等级", "省验收文号"],
            &["", "", "", "", ""],
            &["", "", "", "", ""],
            &["合计", "", "", "", ""],
        ],
        &["A4:C4", "A8:C8"],
        &[(vec![1], None), (vec![5], None)],
    );
}

#[test]
fn a_title_is_never_a_formula_note_a_label_or_a_legend() {
    check(
        &[
            &["附件一：", "", ""],
            &["（10）=（9）/（8）×100%", "", ""],
            &["${zzjc}(${nd})年度农户评议授信信息表", "", ""],
            &["序号", "户主姓名", "评议额度"],
            &["1", "张三", "5"],
        ],
        &["A1:C1", "A2:C2", "A3:C3"],
        Expect {
            title: Some("()年度农户评议授信信息表"),
            header: vec![4],
            unit: None,
            code: None,
            data: Some([5, 5]),
            leaves: vec!["序号", "户主姓名", "评议额度"],
        },
    );
}

/// A sheet read as `shape`, with these item labels (header paths joined by `/`) and, for each,
/// its label cell and value cell.
#[track_caller]
fn check_items(
    rows: &[&[&str]],
    merges: &[&str],
    shape: layout::Shape,
    items: &[(&str, &str, &str)],
) {
    let sheet = sheet(rows, merges);
    let lay = layout::detect(&sheet, &Default::default());
    assert_eq!(lay.kind, SheetKind::Form, "not a form");
    let form = &lay.forms[0];
    assert_eq!(form.shape, shape);
    let wb = Workbook {
        format: Format::Xlsx,
        encoding: None,
        sheets: vec![sheet.clone()],
        sheet_errors: vec![],
    };
    let mut warnings = vec![];
    let fields =
        yibiao::fields::extract(&wb, &Dictionaries::default(), &sheet, form, &mut warnings);
    let got: Vec<(String, String, String)> = fields
        .iter()
        .map(|f| {
            (
                f.header_path.join("/"),
                f.label_cell.clone().unwrap_or_default(),
                f.value_cell.clone().unwrap_or_default(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_card_of_labels_beside_blank_cells_is_one_record() {
    check_items(
        &[
            &["困难群众救助申请表", "", "", ""],
            &["姓名", "", "性别", ""],
            &["身份证号", "", "联系电话", ""],
            &["家庭住址", "", "", ""],
            &["申请人签名：", "", "", ""],
        ],
        &["A1:D1", "B4:D4"],
        layout::Shape::Card,
        &[
            ("姓名", "A2", "B2"),
            ("性别", "C2", "D2"),
            ("身份证号", "A3", "B3"),
            ("联系电话", "C3", "D3"),
            ("家庭住址", "A4", "B4"),
            ("申请人签名：", "A5", "B5"),
        ],
    );
}

#[test]
fn a_card_with_a_section_down_the_left_and_a_family_table() {
    let rows: &[&[&str]] = &[
        &["基本情况", "姓名", "", "性别", ""],
        &["", "身份证号", "", "联系电话", ""],
        &["", "家庭住址", "", "", ""],
        &["家庭成员", "姓名", "关系", "身份证号", "年龄"],
        &["", "", "", "", ""],
        &["", "", "", "", ""],
    ];
    let merges = &["A1:A3", "C3:E3", "A4:A6"];
    check_items(
        rows,
        merges,
        layout::Shape::Card,
        &[
            ("基本情况/姓名", "B1", "C1"),
            ("基本情况/性别", "D1", "E1"),
            ("基本情况/身份证号", "B2", "C2"),
            ("基本情况/联系电话", "D2", "E2"),
            ("基本情况/家庭住址", "B3", "C3"),
        ],
    );
    // The family table is a roster of its own.
    let lay = layout::detect(&sheet(rows, merges), &Default::default());
    assert_eq!(lay.forms.len(), 2);
    assert_eq!(lay.forms[1].shape, layout::Shape::Roster);
    assert_eq!(lay.forms[1].header_rows, vec![3]);
}

#[test]
fn an_indicator_table_two_up_gives_one_field_per_item_with_its_unit() {
    let rows: &[&[&str]] = &[
        &["单位名称（公章）", "", "", "", "", ""],
        &[
            "指标名称",
            "计量单位",
            "年实际",
            "指标名称",
            "计量单位",
            "年实际",
        ],
        &["1、用水总量", "吨", "", "3、废水排放量", "吨", ""],
        &[
            "2、其中：取水总量",
            "吨",
            "",
            "4、其中：排入水体量",
            "吨",
            "",
        ],
        &["单位负责人", "", "审核人", "", "", ""],
    ];
    check_items(
        rows,
        &["A1:F1"],
        layout::Shape::Indicator,
        &[
            ("单位名称（公章）", "A1", "B1"),
            ("单位负责人", "A5", "B5"),
            ("审核人", "C5", "D5"),
            ("用水总量", "A3", "C3"),
            ("废水排放量", "D3", "F3"),
            ("其中：取水总量", "A4", "C4"),
            ("其中：排入水体量", "D4", "F4"),
        ],
    );
    let sheet = sheet(rows, &["A1:F1"]);
    let lay = layout::detect(&sheet, &Default::default());
    let units: Vec<Option<String>> = lay.forms[0].items.iter().map(|i| i.unit.clone()).collect();
    assert_eq!(
        units[3..],
        [
            Some("吨".into()),
            Some("吨".into()),
            Some("吨".into()),
            Some("吨".into())
        ]
    );
}

#[test]
fn a_blank_roster_template_is_not_a_card() {
    check(
        &[
            &["低保花名册", "", "", ""],
            &["填报单位：", "", "填报人：", ""],
            &["序号", "姓名", "身份证号", "联系电话"],
            &["", "", "", ""],
        ],
        &["A1:D1"],
        Expect {
            title: Some("低保花名册"),
            header: vec![3],
            unit: None,
            code: None,
            data: None,
            leaves: vec!["序号", "姓名", "身份证号", "联系电话"],
        },
    );
}

#[test]
fn a_questionnaire_gives_one_field_per_item_with_the_options_as_values() {
    let rows: &[&[&str]] = &[
        &["村民满意度调查表", "", "", "", ""],
        &["项目", "好", "较好", "一般", "差"],
        &["1、村容村貌", "", "", "", ""],
        &["2、道路交通", "", "", "", ""],
        &["3、饮水安全", "", "", "", ""],
    ];
    check_items(
        rows,
        &["A1:E1"],
        layout::Shape::Questionnaire,
        &[
            ("村容村貌", "A3", "B3"),
            ("道路交通", "A4", "B4"),
            ("饮水安全", "A5", "B5"),
        ],
    );
    let sheet = sheet(rows, &["A1:E1"]);
    let lay = layout::detect(&sheet, &Default::default());
    assert_eq!(lay.forms[0].items[0].options, ["好", "较好", "一般", "差"]);
}

/// A bank's household card (农户信息采集表): labels each merged down two rows over a row of
/// slots (the system's `${…}` placeholders), beside a section heading merged down the left (基本情况). The labels merged down are
/// labels, not section headings: only a cell reaching below the labels right of it is one.
#[test]
fn labels_merged_down_over_their_slots_are_labels_not_sections() {
    let rows: &[&[&str]] = &[
        &["农户信息采集表", "", "", "", "", ""],
        &[
            "基本情况",
            "户主姓名",
            "性别",
            "身份证号码",
            "年龄",
            "联系电话",
        ],
        &["", "", "", "", "", ""],
        &["", "${hzxm}", "${xb}", "${zjhm}", "${nl}", "${lxdh}"],
        &["", "姓名", "与户主关系", "身份证号码", "年龄", "文化程度"],
        &[
            "",
            "${data.xm}",
            "${data.gx}",
            "${data.zjhm}",
            "${data.nl}",
            "${data.whcd}",
        ],
        &["备注", "", "", "", "", ""],
    ];
    check_items(
        rows,
        &[
            "A1:F1", "A2:A6", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "B7:F7",
        ],
        layout::Shape::Card,
        &[
            ("基本情况/户主姓名", "B2", "B4"),
            ("基本情况/性别", "C2", "C4"),
            ("基本情况/身份证号码", "D2", "D4"),
            ("基本情况/年龄", "E2", "E4"),
            ("基本情况/联系电话", "F2", "F4"),
            ("基本情况/姓名", "B5", "B6"),
            ("基本情况/与户主关系", "C5", "C6"),
            ("基本情况/身份证号码", "D5", "D6"),
            ("基本情况/年龄", "E5", "E6"),
            ("基本情况/文化程度", "F5", "F6"),
            ("备注", "A7", "B7"),
        ],
    );
}

/// A roster's rows of answers (是, 是, 否) are values, not a questionnaire's options: an
/// options row offers each option once.
#[test]
fn a_roster_of_yes_no_answers_is_no_questionnaire() {
    let rows: &[&[&str]] = &[
        &["姓名", "是否低保", "是否五保", "是否残疾"],
        &["张三", "是", "是", "否"],
        &["李四", "否", "否", "否"],
        &["王五", "是", "否", "是"],
        &["赵六", "否", "是", "否"],
        &["钱七", "是", "是", "是"],
    ];
    let lay = layout::detect(&sheet(rows, &[]), &Default::default());
    let shapes: Vec<layout::Shape> = lay.forms.iter().map(|f| f.shape).collect();
    assert_eq!(shapes, [layout::Shape::Roster]);
    assert_eq!(lay.forms[0].header_rows, [0]);
}

/// A person's choice of shape wins over detection, both ways, through the report the app and
/// the CLI read; the header rows chosen with it apply to a roster only.
#[test]
fn a_shape_chosen_by_a_person_is_how_the_sheet_is_read() {
    use yibiao::inspect::{report_workbook_with, HeaderChoice};
    let wb = |rows: &[&[&str]], merges: &[&str]| Workbook {
        format: Format::Xlsx,
        encoding: None,
        sheets: vec![sheet(rows, merges)],
        sheet_errors: Vec::new(),
    };
    let shapes = |wb: &Workbook, shape: Option<&str>, first: u32, last: u32| -> Vec<String> {
        let choice = HeaderChoice {
            sheet: "Sheet1".into(),
            first,
            last,
            shape: shape.map(str::to_string),
        };
        let choices = if shape.is_some() || first > 0 {
            vec![choice]
        } else {
            Vec::new()
        };
        report_workbook_with("a.xlsx", wb, &choices).sheets[0]
            .forms
            .iter()
            .map(|f| {
                let names: Vec<&str> = f.fields.iter().map(|x| x.name.as_str()).collect();
                format!("{}: {}", f.shape, names.join(" "))
            })
            .collect()
    };
    // Three labels with their slots over a filled table: too thin to claim as a card on its
    // own, so it reads as a (poor) roster until a person says what it is.
    let thin = wb(
        &[
            &["户主姓名", "", "联系电话", ""],
            &["家庭住址", "", "", ""],
            &["成员姓名", "与户主关系", "年龄", "备注"],
            &["张三", "之子", "12", "在校"],
        ],
        &["B2:D2"],
    );
    check_shapes(&shapes(&thin, None, 0, 0), &["roster: 户主姓名 联系电话"]);
    check_shapes(
        &shapes(&thin, Some("card"), 1, 1),
        &["card: 户主姓名 联系电话 家庭住址"],
    );
    // Chosen as a roster with its header on row 3: the table under the card's lines.
    check_shapes(
        &shapes(&thin, Some("roster"), 3, 3),
        &["roster: 成员姓名 与户主关系 年龄 备注"],
    );
    // A shape that finds nothing on the sheet gives no form, not a made-up one.
    check_shapes(&shapes(&thin, Some("questionnaire"), 1, 1), &[]);
}

#[track_caller]
fn check_shapes(got: &[String], want: &[&str]) {
    assert_eq!(got, want);
}

/// What one row of a roster stands for, and the first words of the reason.
#[track_caller]
fn check_grain(rows: &[&[&str]], want: &str, reason_has: &str) {
    let wb = Workbook {
        format: Format::Xlsx,
        encoding: None,
        sheets: vec![sheet(rows, &[])],
        sheet_errors: Vec::new(),
    };
    let rep = yibiao::inspect::report_workbook_with("a.xlsx", &wb, &[]);
    let form = &rep.sheets[0].forms[0];
    assert_eq!(form.grain, want, "reason: {}", form.grain_reason);
    assert!(
        form.grain_reason.contains(reason_has),
        "reason {:?} lacks {reason_has:?}",
        form.grain_reason
    );
}

#[test]
fn grain_from_the_rows_when_the_header_words_mislead() {
    // Household facts outnumber personal ones in the header, but one household number on
    // several rows with different ID numbers: a roster of household members.
    check_grain(
        &[
            &[
                "户编号",
                "姓名",
                "身份证号",
                "家庭人口数",
                "家庭住址",
                "承包地面积",
            ],
            &["A01", "张三", "99999919460110278X", "3", "一组", "2.5"],
            &["A01", "李四", "999999194802152246", "3", "一组", "2.5"],
            &["A02", "王五", "999999195003081233", "2", "二组", "1.0"],
            &["A02", "赵六", "999999195204101227", "2", "二组", "1.0"],
            &["A03", "钱七", "999999196001011238", "1", "三组", "0.8"],
        ],
        "per_person",
        "每行一名家庭成员",
    );
    // The same header with one row per household number stays a household roster.
    check_grain(
        &[
            &[
                "户编号",
                "姓名",
                "身份证号",
                "家庭人口数",
                "家庭住址",
                "承包地面积",
            ],
            &["A01", "张三", "99999919460110278X", "3", "一组", "2.5"],
            &["A02", "王五", "999999195003081233", "2", "二组", "1.0"],
            &["A03", "钱七", "999999196001011238", "1", "三组", "0.8"],
        ],
        "per_household",
        "",
    );
    // A phone says nothing about whose row it is; 性别 and 民族 do.
    check_grain(
        &[
            &["姓名", "身份证号", "联系电话", "手机号码", "性别", "民族"],
            &[
                "张三",
                "99999919460110278X",
                "13900000001",
                "13900000002",
                "男",
                "汉族",
            ],
        ],
        "per_person",
        "",
    );
    // A bank's household survey titled 农户 whose columns are a customer's own (客户名称,
    // 证件号码, 文化程度, 健康状况): one person a row. A long question that mentions the head
    // (户主及家庭成员社会诚信……) is not a head column.
    check_grain(
        &[
            &["农户采集信息"],
            &[
                "客户名称",
                "证件号码",
                "文化程度",
                "健康状况",
                "劳动能力",
                "户主及家庭成员社会诚信，家庭及邻里关系，道德品质等综合评价",
            ],
        ],
        "per_person",
        "",
    );
    // 户主 beside a person's own 姓名 and 身份证号码 on a template with no rows yet: each row
    // is a person of the head's household.
    check_grain(
        &[
            &["入户走访台账"],
            &["户主", "姓名", "身份证号码", "家庭住址", "联系电话"],
        ],
        "per_person",
        "户主",
    );
}
