//! The built-in example forms: the 青山县 (an invented county) set of 12 departmental files, so
//! a newcomer sees a result at once, in the CLI (`yibiao inspect --examples`) and the web app.
//! All names, ID numbers and values in them are synthetic.

/// (file name, bytes) of each example file. The xlsx files are the fixtures packed for
/// embedding by `scripts/pack_examples.py` (parts stored, the unused theme left out: a smaller
/// web app, the same content); the tests below check that each reads exactly like its fixture.
pub const EXAMPLES: &[(&str, &[u8])] = &[
    ("青山县人力资源和社会保障局（县居保中心）-城乡居民基本养老保险参保登记花名册.csv", include_bytes!("../tests/fixtures/qingshan/青山县人力资源和社会保障局（县居保中心）-城乡居民基本养老保险参保登记花名册.csv")),
    ("青山县农业农村局-2024年农业农村工作报表（2张）.xlsx", include_bytes!("examples/青山县农业农村局-2024年农业农村工作报表（2张）.xlsx")),
    ("青山县农业农村局（乡村振兴）-防止返贫监测对象信息采集表.xls", include_bytes!("../tests/fixtures/qingshan/青山县农业农村局（乡村振兴）-防止返贫监测对象信息采集表.xls")),
    ("青山县医疗保障局-2025年度城乡居民基本医疗保险资助参保人员名册.xlsx", include_bytes!("examples/青山县医疗保障局-2025年度城乡居民基本医疗保险资助参保人员名册.xlsx")),
    ("青山县卫生健康局-2024年农村部分计划生育家庭奖励扶助对象花名册.ods", include_bytes!("../tests/fixtures/qingshan/青山县卫生健康局-2024年农村部分计划生育家庭奖励扶助对象花名册.ods")),
    ("青山县应急管理局-2024—2025年度冬春生活救助需求及发放台账.xlsx", include_bytes!("examples/青山县应急管理局-2024—2025年度冬春生活救助需求及发放台账.xlsx")),
    ("青山县残疾人联合会-困难残疾人生活补贴和重度残疾人护理补贴发放花名册（2024年月）.xlsx", include_bytes!("examples/青山县残疾人联合会-困难残疾人生活补贴和重度残疾人护理补贴发放花名册（2024年月）.xlsx")),
    ("青山县民政局-2024年民政工作报表（2张）.xlsx", include_bytes!("examples/青山县民政局-2024年民政工作报表（2张）.xlsx")),
    ("青山县民政局-2024年第三季度80周岁以上老年人高龄津贴发放花名册.xlsx", include_bytes!("examples/青山县民政局-2024年第三季度80周岁以上老年人高龄津贴发放花名册.xlsx")),
    ("青山县统计局-村级基本情况统计表.xls", include_bytes!("../tests/fixtures/qingshan/青山县统计局-村级基本情况统计表.xls")),
    ("青山县自然资源局-农村宅基地及农房现状调查表.csv", include_bytes!("../tests/fixtures/qingshan/青山县自然资源局-农村宅基地及农房现状调查表.csv")),
    ("青山县退役军人事务局-退役军人和其他优抚对象信息采集表.xlsx", include_bytes!("examples/青山县退役军人事务局-退役军人和其他优抚对象信息采集表.xlsx")),
];

#[cfg(test)]
mod tests {
    use super::EXAMPLES;

    #[test]
    fn packed_examples_read_like_their_fixtures() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qingshan");
        for (name, bytes) in EXAMPLES {
            let fixture = std::fs::read(dir.join(name)).unwrap();
            let (a, pa) = crate::inspect::inspect_with_preview(name, bytes, 30, 30);
            let (b, pb) = crate::inspect::inspect_with_preview(name, &fixture, 30, 30);
            assert_eq!(a, b, "{name}");
            assert_eq!(pa, pb, "{name}");
            assert!(!a.sheets.is_empty(), "{name}");
        }
    }
}
