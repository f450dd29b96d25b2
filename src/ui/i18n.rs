//! Every fixed string of the app, in one place per language. Chinese first.

use crate::error::Lang;

/// A fixed string of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum T {
    AppTitle,
    Tagline,
    Privacy,
    StepFiles,
    StepForms,
    StepReview,
    StepSet,
    StepExport,
    AddFiles,
    DropHere,
    LoadExample,
    ClearAll,
    ClearAsk,
    ClearYes,
    ClearNo,
    UndoClear,
    DuplicatesTitle,
    DuplicatesHint,
    SkipDuplicates,
    KeepDuplicates,
    Dismiss,
    WasRead,
    WasNotRead,
    AddedAgain,
    RestoredNotInSet,
    Waiting,
    Reading,
    FoundForms,
    NoFiles,
    Department,
    Grain,
    Frequency,
    Form,
    File,
    HeaderRows,
    DataRows,
    Fields,
    Preview,
    Search,
    AllDepartments,
    Confidence,
    Members,
    Reasons,
    Accept,
    Split,
    AllStatuses,
    NeedsReview,
    AllGrains,
    MergeInto,
    SplitKeyWarning,
    SplitAnyway,
    KeepTogether,
    MoveTo,
    Rename,
    Drop,
    Undo,
    Accepted,
    Dropped,
    NearMisses,
    Sheets,
    Columns,
    Base,
    Topic,
    Before,
    After,
    FieldsPerDepartment,
    Overlap,
    BurdenTitle,
    OriginalForms,
    OriginalFields,
    SetSheets,
    SetColumns,
    ExportXlsx,
    ExportMapping,
    OpenProject,
    ExportHint,
    StepSplit,
    SplitIntro,
    AddFilled,
    Splitting,
    DownloadAll,
    DepartmentForms,
    ProblemsFound,
    NoProblems,
    Total,
    LegendKey,
    LegendRequired,
    LegendOther,
    BaseHint,
    TopicHint,
    PreviewNeedsFile,
    PrefillTitle,
    PrefillHint,
    ExportPrefilled,
    Prefilling,
    PrefillNeedsFiles,
    PrefillUnreadable,
    PrefillConflicts,
    PrefillUnplaced,
    ReaderFailed,
    FileUnreadable,
    CannotReadProject,
    NothingYet,
    Language,
    Keys,
    Decisions,
    NotApplied,
    ShapeIs,
    HeaderFrom,
    HeaderTo,
    Redetect,
    OpenLastYear,
    LastYearHint,
    SinceLastYear,
    CloseLastYear,
    LastYearNeedsFiles,
    LastYearDecisions,
    LexiconTitle,
    LexiconHint,
    TermTarget,
    TermNames,
    TermKind,
    AddTerm,
    CurrentAdditions,
    NoAdditions,
    RemoveTerm,
    NewTag,
    ImportLexicon,
    ClearLexicon,
    LexiconBroken,
    TermNeedsName,
    TermNeedsNames,
    CannotReadLexicon,
    GroupBy,
    GroupNone,
    GroupDepartment,
    GroupForm,
    AllForms,
    OriginalForm,
    Threshold,
    FilterTargets,
    NoTargets,
    GoTo,
    SharedByDepartments,
    SharedByForms,
}

/// The string in the given language.
pub fn tr(lang: Lang, t: T) -> &'static str {
    match lang {
        Lang::Zh => zh(t),
        Lang::En => en(t),
    }
}

fn zh(t: T) -> &'static str {
    use T::*;
    match t {
        AppTitle => "一表 · 村级报表整合",
        Tagline => "把各部门下发的表格合并成一套年度表格，村里每项信息只填一次",
        Privacy => "所有文件只在本机浏览器中处理，不会上传到任何地方。",
        StepFiles => "① 添加表格",
        StepForms => "② 核对表格",
        StepReview => "③ 核对字段",
        StepSet => "④ 综合表",
        StepExport => "⑤ 导出",
        AddFiles => "选择表格文件",
        DropHere => "把各部门的表格文件（xlsx、xls、WPS、ods、csv，以及系统导出的网页表格和 XML 表格）拖到这里，可一次多个",
        LoadExample => "载入示例表格（青山县）",
        ClearAll => "全部清除",
        ClearAsk => "要清除全部文件、识别出的表格和人工决定吗？清除后可以撤销。",
        ClearYes => "清除",
        ClearNo => "不清除",
        UndoClear => "撤销清除",
        DuplicatesTitle => "内容完全相同、只是文件名不同的文件",
        DuplicatesHint => "选择之前，重复的文件不计入综合表。",
        SkipDuplicates => "跳过重复的文件",
        KeepDuplicates => "仍然保留",
        Dismiss => "知道了",
        WasRead => "上次已读完",
        WasNotRead => "上次没读完",
        AddedAgain => "✓ 已重新添加",
        RestoredNotInSet => "上次的表格，这次没有重新添加，不在当前综合表中",
        Waiting => "等待读取",
        Reading => "正在读取…",
        FoundForms => "找到表格",
        NoFiles => "还没有添加文件。",
        Department => "部门",
        Grain => "填报对象",
        Frequency => "频次",
        Form => "表格",
        File => "文件",
        HeaderRows => "表头行",
        DataRows => "数据行",
        Fields => "字段数",
        Preview => "预览",
        Search => "搜索字段名",
        AllDepartments => "全部部门",
        Confidence => "把握",
        Members => "来自",
        Reasons => "理由",
        Accept => "确认",
        Split => "拆出",
        AllStatuses => "全部状态",
        NeedsReview => "需要核对",
        AllGrains => "全部填报对象",
        MergeInto => "合并到…",
        SplitKeyWarning => "这是各表据以认出同一个人（户、村、地块）的字段。拆出后，这张表的行不再按它与其他表对应，填好的综合表拆回原表时也可能找不到对应的行。",
        SplitAnyway => "仍然拆出",
        KeepTogether => "不拆",
        MoveTo => "移到…",
        Rename => "改名",
        Drop => "取消此项",
        Undo => "撤销上一步",
        Accepted => "已确认",
        Dropped => "已取消",
        NearMisses => "名称相近但未合并",
        Sheets => "张表",
        Columns => "列",
        Base => "基础表",
        Topic => "专题表",
        Before => "合并前",
        After => "合并后",
        FieldsPerDepartment => "各部门字段数（合并前后）",
        Overlap => "部门之间共同要求的字段数",
        BurdenTitle => "村里要填的量",
        OriginalForms => "原表",
        OriginalFields => "原字段",
        SetSheets => "现表",
        SetColumns => "现字段",
        ExportXlsx => "下载综合表（.xlsx）",
        ExportMapping => "下载项目文件（.json）",
        OpenProject => "打开项目文件",
        ExportHint => {
            "项目文件保存了字段对照和人工决定；明年把新表格和它一起打开，可沿用今年的决定。"
        }
        StepSplit => "⑥ 拆回原表",
        SplitIntro => "村里把综合表填好交回后，在这里添加这些文件（可一次添加多个村的），一表会检查填写问题，并把数据拆回各部门自己的原表格式，每个部门一个 Excel 文件。",
        AddFilled => "添加填好的综合表",
        Splitting => "正在检查和拆分……",
        DownloadAll => "下载全部部门原表（.zip）",
        DepartmentForms => "各部门的原表（已填）",
        ProblemsFound => "需要核对的问题",
        NoProblems => "没有发现问题。",
        Total => "合计",
        LegendKey => "关键列（用来对应各表的行）",
        LegendRequired => "必填",
        LegendOther => "其他列",
        BaseHint => "基础表：两张以上原表都要的信息，每人（户、村、地块）一行，每年只填一次，各部门共用。",
        TopicHint => "专题表：一张原表自己的字段，加上用来对应到基础表的关键列。",
        PreviewNeedsFile => "这个文件没有保存在浏览器中（刷新页面后只保留了项目）；在第①步重新添加后可预览、调整表头。",
        PrefillTitle => "预填综合表",
        PrefillHint => "用已添加的原表中已有的数据把综合表填好再下发，村里只需核对、补上变化的部分。两张表对同一项说法不一时，采用先读到的，并在下面列出。",
        ExportPrefilled => "下载预填综合表（.xlsx）",
        Prefilling => "正在用原表的数据填写综合表……",
        PrefillNeedsFiles => "需要原表文件：请在第①步重新添加（刷新页面后只保留了项目，没有保留文件）。",
        PrefillUnreadable => "无法再次读取的文件",
        PrefillConflicts => "两张表说法不一（采用了先读到的）",
        PrefillUnplaced => "缺少关键列、未能填入基础表的行",
        ReaderFailed => "读取这个文件时出错，文件可能已损坏；请在 Excel/WPS 中打开后另存为 .xlsx 再添加。其他文件不受影响。",
        FileUnreadable => "浏览器无法读取这个文件，请确认文件没有被其他程序占用后重新添加。",
        CannotReadProject => "无法读取项目文件。",
        NothingYet => "请先添加表格文件或载入示例。",
        Language => "English",
        Keys => "关键列",
        Decisions => "人工决定",
        NotApplied => "以下以前的决定已不适用",
        ShapeIs => "表格形式",
        HeaderFrom => "表头从第",
        HeaderTo => "行到第",
        Redetect => "行，重新识别",
        OpenLastYear => "打开去年的项目文件",
        LastYearHint => {
            "和今年的表格对照：列出各部门的表格和字段有哪些变化，并沿用去年的人工决定。"
        }
        SinceLastYear => "与去年相比",
        CloseLastYear => "不再对照去年",
        LastYearNeedsFiles => "请先添加今年的表格，再打开去年的项目文件。",
        LastYearDecisions => "去年的人工决定",
        LexiconTitle => "词库补充：告诉一表哪些叫法是同一个意思",
        LexiconHint => "在“标准数据项”中填一个已有的名称（如“公民身份号码”）或一个新名称，在“其他叫法”中填意思相同的名称（如“证件号码”），含这些名称的字段就会合并。补充保存在项目文件中，明年继续有效。",
        TermTarget => "标准数据项",
        TermNames => "其他叫法（多个用顿号或逗号隔开）",
        TermKind => "若是新的，是谁的信息",
        AddTerm => "添加",
        CurrentAdditions => "已有的补充",
        NoAdditions => "还没有补充。",
        RemoveTerm => "删除",
        NewTag => "新建",
        ImportLexicon => "导入词库文件（.toml）",
        ClearLexicon => "清除全部补充",
        LexiconBroken => "项目中保存的词库补充有误，暂未使用：",
        TermNeedsName => "请填写新标准数据项的名称。",
        TermNeedsNames => "请至少填写一个其他叫法。",
        CannotReadLexicon => "无法读取这个词库文件。",
        GroupBy => "分组",
        GroupNone => "不分组",
        GroupDepartment => "按部门",
        GroupForm => "按原表",
        AllForms => "全部原表",
        OriginalForm => "原表",
        Threshold => "把握不低于（%）",
        FilterTargets => "输入名称或部门筛选",
        NoTargets => "没有相符的字段",
        GoTo => "转到",
        SharedByDepartments => "几个部门共有的字段",
        SharedByForms => "几张表共有的字段",
    }
}

fn en(t: T) -> &'static str {
    use T::*;
    match t {
        AppTitle => "Yibiao · one form set for villages",
        Tagline => "Merge the departments' forms into one annual set, so villages fill each fact once",
        Privacy => "Files are processed only in this browser on this PC; nothing is uploaded.",
        StepFiles => "① Add files",
        StepForms => "② Check forms",
        StepReview => "③ Review fields",
        StepSet => "④ Form set",
        StepExport => "⑤ Export",
        AddFiles => "Choose spreadsheet files",
        DropHere => "Drop the departments' spreadsheets (xlsx, xls, WPS, ods, csv, and web-page or XML tables exported by systems) here, many at once",
        LoadExample => "Load the example forms (青山县)",
        ClearAll => "Clear all",
        ClearAsk => "Clear all files, the forms found and your decisions? You can undo this.",
        ClearYes => "Clear",
        ClearNo => "Keep",
        UndoClear => "Undo clear",
        DuplicatesTitle => "Files with exactly the same content under other names",
        DuplicatesHint => "Until you choose, the copies are left out of the form set.",
        SkipDuplicates => "Skip the copies",
        KeepDuplicates => "Keep them anyway",
        Dismiss => "OK",
        WasRead => "read last time",
        WasNotRead => "not read last time",
        AddedAgain => "✓ added again",
        RestoredNotInSet => "From the last project; not added again, so not in the current form set",
        Waiting => "Waiting",
        Reading => "Reading…",
        FoundForms => "Forms found",
        NoFiles => "No files yet.",
        Department => "Department",
        Grain => "One row per",
        Frequency => "Frequency",
        Form => "Form",
        File => "File",
        HeaderRows => "Header rows",
        DataRows => "Data rows",
        Fields => "Fields",
        Preview => "Preview",
        Search => "Search field names",
        AllDepartments => "All departments",
        Confidence => "Confidence",
        Members => "From",
        Reasons => "Why",
        Accept => "Accept",
        Split => "Split out",
        AllStatuses => "Any status",
        NeedsReview => "To review",
        AllGrains => "Any level",
        MergeInto => "Merge into…",
        SplitKeyWarning => "The forms tell which person (household, village, plot) a row is about by this field. Split out, this form's rows are no longer matched with the other forms' by it, and splitting a filled set back may not find their rows.",
        SplitAnyway => "Split out anyway",
        KeepTogether => "Keep together",
        MoveTo => "Move to…",
        Rename => "Rename",
        Drop => "Drop",
        Undo => "Undo last",
        Accepted => "Accepted",
        Dropped => "Dropped",
        NearMisses => "Look-alikes kept apart",
        Sheets => "sheets",
        Columns => "columns",
        Base => "Base table",
        Topic => "Topic sheet",
        Before => "Before",
        After => "After",
        FieldsPerDepartment => "Fields per department (before / after)",
        Overlap => "Fields two departments both ask for",
        BurdenTitle => "What villages fill",
        OriginalForms => "Forms",
        OriginalFields => "Fields",
        SetSheets => "Sheets now",
        SetColumns => "Columns now",
        ExportXlsx => "Download the form set (.xlsx)",
        ExportMapping => "Download the project file (.json)",
        OpenProject => "Open a project file",
        ExportHint => "The project file keeps the mapping and your decisions; open it with next year's forms to reuse them.",
        StepSplit => "⑥ Split back",
        SplitIntro => "When villages return the filled form set, add those files here (several villages at once is fine). Yibiao checks them and splits the data back into each department's own forms, one Excel file per department.",
        AddFilled => "Add filled form sets",
        Splitting => "Checking and splitting…",
        DownloadAll => "Download all departments' forms (.zip)",
        DepartmentForms => "Each department's forms, filled",
        ProblemsFound => "Problems to look at",
        NoProblems => "No problems found.",
        Total => "Total",
        LegendKey => "key column (joins the forms' rows)",
        LegendRequired => "required",
        LegendOther => "other column",
        BaseHint => "Base table: facts two or more original forms ask for, one row per person (household, village, plot), filled once a year and shared by all departments.",
        TopicHint => "Topic sheet: one original form's own fields, plus the key columns that join it to a base table.",
        PreviewNeedsFile => "This file is not kept in the browser (a reload keeps the project only); add it again in step ① to preview it and move its header.",
        PrefillTitle => "Pre-filled form set",
        PrefillHint => "Fill the set with the data the added forms already hold before handing it out, so villages only check it and add what changed. Where two forms say different things about one fact, the first read is kept and listed below.",
        ExportPrefilled => "Download the pre-filled set (.xlsx)",
        Prefilling => "Filling the set with the forms' data…",
        PrefillNeedsFiles => "This needs the original files: add them again in step ① (a reload keeps the project, not the files).",
        PrefillUnreadable => "Files that could not be read again",
        PrefillConflicts => "Forms that disagree (the first read was kept)",
        PrefillUnplaced => "Rows without the keys of a base table, not filled in there",
        ReaderFailed => "Reading this file failed; it may be damaged. Open it in Excel/WPS, save it as .xlsx and add it again. Other files are not affected.",
        FileUnreadable => "The browser could not read this file; make sure no other program holds it and add it again.",
        CannotReadProject => "Cannot read the project file.",
        NothingYet => "Add spreadsheet files or load the examples first.",
        Language => "中文",
        Keys => "Key columns",
        Decisions => "Decisions",
        NotApplied => "These earlier decisions no longer fit",
        ShapeIs => "Shape",
        HeaderFrom => "Header from row",
        HeaderTo => "to row",
        Redetect => "Detect again",
        OpenLastYear => "Open last year's project file",
        LastYearHint => "Compare with this year's forms: what changed per department, and last year's decisions applied again.",
        SinceLastYear => "Compared with last year",
        CloseLastYear => "Stop comparing with last year",
        LastYearNeedsFiles => "Add this year's files first, then open last year's project file.",
        LastYearDecisions => "Last year's decisions",
        LexiconTitle => "Lexicon additions: tell Yibiao which names mean the same",
        LexiconHint => "Under “Data element” give a name it already goes by (e.g. “公民身份号码”) or a new name, under “Other names” the names that mean the same (e.g. “证件号码”); fields with these names are then merged. Additions are kept in the project file and apply next year too.",
        TermTarget => "Data element",
        TermNames => "Other names (separate them with commas)",
        TermKind => "If new, whose fact",
        AddTerm => "Add",
        CurrentAdditions => "Current additions",
        NoAdditions => "No additions yet.",
        RemoveTerm => "Remove",
        NewTag => "new",
        ImportLexicon => "Import a lexicon file (.toml)",
        ClearLexicon => "Remove all additions",
        LexiconBroken => "The lexicon additions kept in the project are broken and not used: ",
        TermNeedsName => "Give the new data element a name.",
        TermNeedsNames => "Enter at least one other name.",
        CannotReadLexicon => "Cannot read this lexicon file.",
        GroupBy => "Group",
        GroupNone => "No groups",
        GroupDepartment => "By department",
        GroupForm => "By form",
        AllForms => "All forms",
        OriginalForm => "Original form",
        Threshold => "At least this sure (%)",
        FilterTargets => "Type a name or department to filter",
        NoTargets => "No field matches",
        GoTo => "Go to",
        SharedByDepartments => "Fields several departments share",
        SharedByForms => "Fields several forms share",
    }
}

/// What was found in a file that was read.
pub fn file_found(lang: Lang, forms: usize, fields: usize) -> String {
    match lang {
        Lang::Zh => format!("✓ 找到 {forms} 张表、{fields} 个字段"),
        Lang::En => format!("✓ {forms} forms, {fields} fields"),
    }
}

/// The line after a reload that restored the project from browser storage.
pub fn restored(lang: Lang, forms: usize, decisions: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "已恢复上次的项目：{forms} 张原表，{decisions} 条人工决定。原表文件不保存在浏览器中，要预览或预填时请重新添加。"
        ),
        Lang::En => format!(
            "Restored the last project: {forms} original forms, {decisions} decisions. The original files are not kept in the browser; add them again to preview or pre-fill."
        ),
    }
}

/// The format a file was read as (`FileReport::format`), as step ② shows it beside the file:
/// what the file really is, whatever its name ends in (a web system's HTML table saved as .xls).
pub fn format_label(lang: Lang, format: &str) -> String {
    match (lang, format) {
        (_, "xlsx" | "xlsm" | "xlsb") => format!("Excel (.{format})"),
        (_, "xls") => "Excel 97–2003 (.xls)".into(),
        (_, "ods") => "OpenDocument (.ods)".into(),
        (Lang::Zh, "csv" | "tsv") => format!("{} 文本", format.to_uppercase()),
        (Lang::En, "csv" | "tsv") => format!("{} text", format.to_uppercase()),
        (Lang::Zh, "html") => "网页表格（HTML）".into(),
        (Lang::En, "html") => "web page table (HTML)".into(),
        (Lang::Zh, "xml2003") => "Excel 2003 XML 表格".into(),
        (Lang::En, "xml2003") => "Excel 2003 XML".into(),
        (_, other) => other.to_string(),
    }
}

/// A file whose bytes an earlier file has, waiting for staff to skip or keep it.
pub fn duplicate_pair(lang: Lang, file: &str, of: &str) -> String {
    match lang {
        Lang::Zh => format!("「{file}」与「{of}」内容相同"),
        Lang::En => format!("“{file}” is the same as “{of}”"),
    }
}

/// A held copy's status line in the file list.
pub fn duplicate_status(lang: Lang, of: &str) -> String {
    match lang {
        Lang::Zh => format!("= 与「{of}」内容相同，等待选择"),
        Lang::En => format!("= same content as “{of}”, waiting for your choice"),
    }
}

/// A file of this name was added again with the same bytes.
pub fn already_added(lang: Lang, file: &str) -> String {
    match lang {
        Lang::Zh => format!("「{file}」已经添加过，内容相同，只保留一份。"),
        Lang::En => format!("“{file}” was already added with the same content; it is kept once."),
    }
}

/// A file of this name was added again with other bytes.
pub fn replaced(lang: Lang, file: &str) -> String {
    match lang {
        Lang::Zh => format!("「{file}」已经添加过，内容不同，已换成刚选的文件。"),
        Lang::En => format!(
            "“{file}” was already added with other content; it is replaced by the file just chosen."
        ),
    }
}

/// After 全部清除: what went, and that it can be undone.
pub fn cleared(lang: Lang, files: usize) -> String {
    match lang {
        Lang::Zh => format!("已清除 {files} 个文件及其表格和人工决定。"),
        Lang::En => format!("Cleared {files} files with their forms and decisions."),
    }
}

/// After a reload: a batch was still being read when the page was closed.
pub fn interrupted(lang: Lang, read: usize, unread: usize) -> String {
    let total = read + unread;
    match lang {
        Lang::Zh => format!(
            "上次关闭或刷新页面时，有 {total} 个文件还没处理完（已读完 {read} 个，没读完 {unread} 个），这批文件没有进入综合表。浏览器不保存文件本身，请把下面的文件重新添加："
        ),
        Lang::En => format!(
            "When the page was last closed or reloaded, {total} files were still being processed ({read} read, {unread} not yet); that batch did not reach the form set. The browser does not keep the files themselves: add these files again:"
        ),
    }
}

/// A restored form's file in step ①: its forms are in the project, its bytes are not kept.
pub fn restored_file(lang: Lang, forms: usize) -> String {
    match lang {
        Lang::Zh => format!("已恢复 {forms} 张表（文件本身未保存，要预览或预填请重新添加）"),
        Lang::En => format!(
            "Restored: {forms} forms (the file itself is not kept; add it again to preview or pre-fill)"
        ),
    }
}

/// The line after a pre-filled set was downloaded.
pub fn prefill_summary(
    lang: Lang,
    files: usize,
    rows: usize,
    conflicts: usize,
    unplaced: usize,
) -> String {
    match lang {
        Lang::Zh => format!(
            "已下载：用 {files} 个原表文件填入 {rows} 行；{conflicts} 处说法不一，{unplaced} 行缺少关键列。"
        ),
        Lang::En => format!(
            "Downloaded: {rows} rows filled from {files} original files; {conflicts} disagreements, {unplaced} rows without keys."
        ),
    }
}

/// The button under a cluster's first members.
pub fn more_members(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("显示其余 {n} 项"),
        Lang::En => format!("Show the other {n}"),
    }
}

/// A heatmap cell's tooltip: how many fields two departments both ask for.
pub fn overlap_cell(lang: Lang, a: &str, b: &str, n: u32) -> String {
    match (lang, a == b) {
        (Lang::Zh, true) => format!("{a}：共 {n} 个字段"),
        (Lang::Zh, false) => format!("{a} 和 {b} 都要求填写的字段：{n} 个"),
        (Lang::En, true) => format!("{a}: {n} fields in all"),
        (Lang::En, false) => format!("{a} and {b} both ask for {n} fields"),
    }
}

/// A field as the review's 移到…/合并到… lists name it: with the departments that ask for it
/// (the first three, then how many in all), so two fields of one name can be told apart.
pub fn target_label(lang: Lang, name: &str, departments: &[&str]) -> String {
    let shown = departments.len().min(3);
    let first = departments[..shown].join(match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    });
    let rest = departments.len() - shown;
    match (lang, rest) {
        (Lang::Zh, 0) => format!("{name}（{first}）"),
        (Lang::Zh, _) => format!("{name}（{first}等 {} 个部门）", departments.len()),
        (Lang::En, 0) => format!("{name} ({first})"),
        (Lang::En, _) => format!("{name} ({first} and {rest} more)"),
    }
}

/// The 全部确认 button: how sure, and how many clusters it confirms.
pub fn bulk_above(lang: Lang, pct: u8, n: usize) -> String {
    match lang {
        Lang::Zh => format!("全部确认（把握 ≥ {pct}%）：将确认 {n} 个字段"),
        Lang::En => format!("Accept all at least {pct}% sure: {n} fields"),
    }
}

/// The 确认此部门的 / 确认此表的 buttons, with how many clusters each confirms.
pub fn bulk_scope(lang: Lang, form: bool, n: usize) -> String {
    match (lang, form) {
        (Lang::Zh, false) => format!("确认此部门的：将确认 {n} 个字段"),
        (Lang::Zh, true) => format!("确认此表的：将确认 {n} 个字段"),
        (Lang::En, false) => format!("Accept this department's: {n} fields"),
        (Lang::En, true) => format!("Accept this form's: {n} fields"),
    }
}

/// After a bulk 确认.
pub fn bulk_done(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("已确认 {n} 个字段（撤销上一步可一次撤回）"),
        Lang::En => format!("Accepted {n} fields (Undo last takes them all back)"),
    }
}

/// Where a cluster went after a decision: `done` is `accept`, `drop`, `split`, `move`,
/// `merge` or `rename`; `position` its place in the list now (`None`: not listed under the
/// filters).
pub fn moved_note(lang: Lang, name: &str, done: &str, position: Option<usize>) -> String {
    let zh = match done {
        "accept" => "已确认",
        "drop" => "已取消",
        "split" => "已拆出",
        "move" => "已移动",
        "merge" => "已合并",
        _ => "已改名",
    };
    let en = match done {
        "accept" => "accepted",
        "drop" => "dropped",
        "split" => "split out",
        "move" => "moved",
        "merge" => "merged",
        _ => "renamed",
    };
    match (lang, position) {
        (Lang::Zh, Some(n)) => format!("「{name}」{zh}，移到列表第 {n} 个"),
        (Lang::Zh, None) => format!("「{name}」{zh}，按当前筛选不再列出"),
        (Lang::En, Some(n)) => format!("“{name}” {en}, now number {n} in the list"),
        (Lang::En, None) => format!("“{name}” {en}, no longer listed under these filters"),
    }
}

/// The button drawing more clusters of a group.
pub fn more_clusters(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("再显示一些（还有 {n} 个）"),
        Lang::En => format!("Show more ({n} left)"),
    }
}

/// A look-alike pair kept apart: how alike, each side (department · form · header), why.
pub fn near_miss(lang: Lang, similarity: f32, a: &str, b: &str, why: &str) -> String {
    let pct = (similarity * 100.0).round();
    match lang {
        Lang::Zh => format!("名称相似 {pct}%：{a} ↔ {b}。未合并：{why}"),
        Lang::En => format!("Names {pct}% alike: {a} ↔ {b}. Kept apart: {why}"),
    }
}

/// A count after a heading: `（12）` / ` (12)`.
pub fn count_suffix(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("（{n}）"),
        Lang::En => format!(" ({n})"),
    }
}

/// The colon after a label: `：` / `: `.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    }
}

/// Names in a row: `人社、民政` / `人社, 民政`.
pub fn list(lang: Lang, items: &[String]) -> String {
    items.join(match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    })
}

/// How often a form is filled (`年报` …, as the plan words it); other words as they are.
pub fn frequency_label(lang: Lang, frequency: &str) -> &str {
    if lang == Lang::Zh {
        return frequency;
    }
    match frequency {
        "年报" => "yearly",
        "半年报" => "half-yearly",
        "季报" => "quarterly",
        "月报" => "monthly",
        "年报（年初填报，变动时更新）" => {
            "yearly (filled at the start of the year, updated on change)"
        }
        other => other,
    }
}

/// `per_person` → 每人一行 / one row per person.
pub fn grain_label(lang: Lang, grain: &str) -> &'static str {
    match (lang, grain) {
        (Lang::Zh, "per_person" | "person") => "每人一行",
        (Lang::Zh, "per_household" | "household") => "每户一行",
        (Lang::Zh, "per_village" | "village") => "每村一行",
        (Lang::Zh, "per_plot" | "plot") => "每地块一行",
        (Lang::Zh, _) => "未判断",
        (Lang::En, "per_person" | "person") => "person",
        (Lang::En, "per_household" | "household") => "household",
        (Lang::En, "per_village" | "village") => "village",
        (Lang::En, "per_plot" | "plot") => "plot",
        (Lang::En, _) => "unclear",
    }
}

/// A form's shape in words a clerk uses: how its fields are laid out.
pub fn shape_label(lang: Lang, shape: &str) -> &'static str {
    match (lang, shape) {
        (Lang::Zh, "card") => "登记表（一张一人或一户）",
        (Lang::Zh, "indicator") => "指标表（项目竖排）",
        (Lang::Zh, "questionnaire") => "问卷（选项打勾）",
        (Lang::Zh, _) => "列表（每行一条）",
        (Lang::En, "card") => "card (one record per form)",
        (Lang::En, "indicator") => "indicator table (items down a column)",
        (Lang::En, "questionnaire") => "questionnaire (tick an option)",
        (Lang::En, _) => "table (one record per row)",
    }
}

/// The one-line outcome of a split: files read, rows placed, forms filled, workbooks written.
pub fn split_summary(
    lang: Lang,
    files: usize,
    rows: usize,
    forms_filled: usize,
    forms: usize,
    workbooks: usize,
) -> String {
    match lang {
        Lang::Zh => format!(
            "读取 {files} 个文件；共 {rows} 行，填入 {forms} 张原表中的 {forms_filled} 张；生成 {workbooks} 个部门的原表。"
        ),
        Lang::En => format!(
            "Read {files} file(s); {rows} rows went into {forms_filled} of {forms} original forms; {workbooks} department workbook(s)."
        ),
    }
}

/// What a kind of split problem is called in a list heading (by [`crate::split::Finding::code`]).
pub fn finding_label(lang: Lang, code: &str) -> &'static str {
    match (lang, code) {
        (Lang::Zh, "unreadable") => "文件无法读取",
        (Lang::Zh, "not_this_set") => "不是本套表的文件",
        (Lang::Zh, "missing_sheet") => "缺少工作表",
        (Lang::Zh, "missing_key_column") => "缺少关键列",
        (Lang::Zh, "missing_key") => "关键信息没填",
        (Lang::Zh, "duplicate_key") => "重复的行",
        (Lang::Zh, "bad_id_number") => "身份证号有误",
        (Lang::Zh, "not_in_list") => "不在下拉选项中",
        (Lang::Zh, "required_empty") => "必填项没填",
        (Lang::Zh, "no_base_row") => "基础表中找不到",
        (Lang::Zh, "not_on_any_list") => "不在任何名单中",
        (Lang::Zh, "unknown_column") => "多出来的列",
        (Lang::Zh, _) => "其他问题",
        (Lang::En, "unreadable") => "Unreadable files",
        (Lang::En, "not_this_set") => "Not a filled copy of this set",
        (Lang::En, "missing_sheet") => "Missing sheets",
        (Lang::En, "missing_key_column") => "Missing key columns",
        (Lang::En, "missing_key") => "Empty keys",
        (Lang::En, "duplicate_key") => "Duplicate rows",
        (Lang::En, "bad_id_number") => "Invalid ID numbers",
        (Lang::En, "not_in_list") => "Values outside the dropdown list",
        (Lang::En, "required_empty") => "Required cells left empty",
        (Lang::En, "no_base_row") => "Not found in the base table",
        (Lang::En, "not_on_any_list") => "On no department's list",
        (Lang::En, "unknown_column") => "Columns not in the set",
        (Lang::En, _) => "Other problems",
    }
}

/// `……另有 N 条` under a cut list.
pub fn more_lines(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("……另有 {n} 条"),
        Lang::En => format!("… and {n} more"),
    }
}

/// Whose fact a data element is, for the lexicon form.
pub fn kind_label(lang: Lang, kind: crate::matching::ConceptKind) -> &'static str {
    use crate::matching::ConceptKind::*;
    match (lang, kind) {
        (Lang::Zh, Person) => "人的信息",
        (Lang::Zh, Household) => "户的信息",
        (Lang::Zh, Village) => "村的信息",
        (Lang::Zh, Plot) => "地块的信息",
        (Lang::Zh, Place) => "地点（乡镇、村、组）",
        (Lang::Zh, Any) => "按所在表格判断",
        (Lang::En, Person) => "a person's",
        (Lang::En, Household) => "a household's",
        (Lang::En, Village) => "a village's",
        (Lang::En, Plot) => "a plot's",
        (Lang::En, Place) => "a place (town, village, group)",
        (Lang::En, Any) => "as each form says",
    }
}

/// What a non-concept entry of the lexicon additions holds (`subjects`, `departments`, or the
/// word lists at the top).
pub fn words_label(lang: Lang, table: &str) -> &'static str {
    match (lang, table) {
        (Lang::Zh, "subjects") => "对象词 [subjects]",
        (Lang::Zh, "departments") => "部门词 [departments]",
        (Lang::Zh, _) => "词表",
        (Lang::En, "subjects") => "Subject words [subjects]",
        (Lang::En, "departments") => "Department words [departments]",
        (Lang::En, _) => "Word lists",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worded line in both languages.
    fn check(say: impl Fn(Lang) -> String, zh: &str, en: &str) {
        assert_eq!(say(Lang::Zh), zh);
        assert_eq!(say(Lang::En), en);
    }

    #[test]
    fn worded_lines_read_right_in_both_languages() {
        check(
            |l| file_found(l, 2, 33),
            "✓ 找到 2 张表、33 个字段",
            "✓ 2 forms, 33 fields",
        );
        check(
            |l| restored(l, 14, 3),
            "已恢复上次的项目：14 张原表，3 条人工决定。原表文件不保存在浏览器中，要预览或预填时请重新添加。",
            "Restored the last project: 14 original forms, 3 decisions. The original files are not kept in the browser; add them again to preview or pre-fill.",
        );
        check(|l| more_members(l, 5), "显示其余 5 项", "Show the other 5");
        check(
            |l| bulk_above(l, 90, 37),
            "全部确认（把握 ≥ 90%）：将确认 37 个字段",
            "Accept all at least 90% sure: 37 fields",
        );
        check(
            |l| bulk_scope(l, false, 12),
            "确认此部门的：将确认 12 个字段",
            "Accept this department's: 12 fields",
        );
        check(
            |l| bulk_scope(l, true, 5),
            "确认此表的：将确认 5 个字段",
            "Accept this form's: 5 fields",
        );
        check(
            |l| bulk_done(l, 37),
            "已确认 37 个字段（撤销上一步可一次撤回）",
            "Accepted 37 fields (Undo last takes them all back)",
        );
        check(
            |l| moved_note(l, "姓名", "accept", Some(90)),
            "「姓名」已确认，移到列表第 90 个",
            "“姓名” accepted, now number 90 in the list",
        );
        check(
            |l| moved_note(l, "姓名", "accept", None),
            "「姓名」已确认，按当前筛选不再列出",
            "“姓名” accepted, no longer listed under these filters",
        );
        check(
            |l| more_clusters(l, 600),
            "再显示一些（还有 600 个）",
            "Show more (600 left)",
        );
        check(
            |l| {
                near_miss(
                    l,
                    1.0,
                    "民政 · 低保 · 姓名",
                    "残联 · 残疾人 · 姓名",
                    "不同对象",
                )
            },
            "名称相似 100%：民政 · 低保 · 姓名 ↔ 残联 · 残疾人 · 姓名。未合并：不同对象",
            "Names 100% alike: 民政 · 低保 · 姓名 ↔ 残联 · 残疾人 · 姓名. Kept apart: 不同对象",
        );
        check(
            |l| format_label(l, "html"),
            "网页表格（HTML）",
            "web page table (HTML)",
        );
        check(
            |l| format_label(l, "xml2003"),
            "Excel 2003 XML 表格",
            "Excel 2003 XML",
        );
        check(
            |l| format_label(l, "xlsx"),
            "Excel (.xlsx)",
            "Excel (.xlsx)",
        );
        check(|l| format_label(l, "csv"), "CSV 文本", "CSV text");
        check(
            |l| duplicate_pair(l, "副本.xlsx", "原表.xlsx"),
            "「副本.xlsx」与「原表.xlsx」内容相同",
            "“副本.xlsx” is the same as “原表.xlsx”",
        );
        check(
            |l| duplicate_status(l, "原表.xlsx"),
            "= 与「原表.xlsx」内容相同，等待选择",
            "= same content as “原表.xlsx”, waiting for your choice",
        );
        check(
            |l| already_added(l, "a.xlsx"),
            "「a.xlsx」已经添加过，内容相同，只保留一份。",
            "“a.xlsx” was already added with the same content; it is kept once.",
        );
        check(
            |l| replaced(l, "a.xlsx"),
            "「a.xlsx」已经添加过，内容不同，已换成刚选的文件。",
            "“a.xlsx” was already added with other content; it is replaced by the file just chosen.",
        );
        check(
            |l| cleared(l, 14),
            "已清除 14 个文件及其表格和人工决定。",
            "Cleared 14 files with their forms and decisions.",
        );
        check(
            |l| interrupted(l, 2, 3),
            "上次关闭或刷新页面时，有 5 个文件还没处理完（已读完 2 个，没读完 3 个），这批文件没有进入综合表。浏览器不保存文件本身，请把下面的文件重新添加：",
            "When the page was last closed or reloaded, 5 files were still being processed (2 read, 3 not yet); that batch did not reach the form set. The browser does not keep the files themselves: add these files again:",
        );
        check(
            |l| restored_file(l, 2),
            "已恢复 2 张表（文件本身未保存，要预览或预填请重新添加）",
            "Restored: 2 forms (the file itself is not kept; add it again to preview or pre-fill)",
        );
        assert_eq!(
            tr(Lang::Zh, T::ClearAsk),
            "要清除全部文件、识别出的表格和人工决定吗？清除后可以撤销。"
        );
        assert_eq!(tr(Lang::Zh, T::SkipDuplicates), "跳过重复的文件");
        assert_eq!(tr(Lang::Zh, T::KeepDuplicates), "仍然保留");
        assert_eq!(tr(Lang::En, T::UndoClear), "Undo clear");
        check(
            |l| target_label(l, "联系电话", &["医保"]),
            "联系电话（医保）",
            "联系电话 (医保)",
        );
        check(
            |l| target_label(l, "联系电话", &["人社", "卫健", "残联", "民政"]),
            "联系电话（人社、卫健、残联等 4 个部门）",
            "联系电话 (人社, 卫健, 残联 and 1 more)",
        );
        check(|l| count_suffix(l, 12), "（12）", " (12)");
        check(
            |l| prefill_summary(l, 14, 120, 2, 0),
            "已下载：用 14 个原表文件填入 120 行；2 处说法不一，0 行缺少关键列。",
            "Downloaded: 120 rows filled from 14 original files; 2 disagreements, 0 rows without keys.",
        );
        check(
            |l| overlap_cell(l, "民政", "残联", 13),
            "民政 和 残联 都要求填写的字段：13 个",
            "民政 and 残联 both ask for 13 fields",
        );
        check(
            |l| overlap_cell(l, "民政", "民政", 37),
            "民政：共 37 个字段",
            "民政: 37 fields in all",
        );
        let depts = ["人社".to_string(), "民政".to_string()];
        check(|l| list(l, &depts), "人社、民政", "人社, 民政");
        check(|l| frequency_label(l, "季报").into(), "季报", "quarterly");
        check(
            |l| frequency_label(l, "年报（年初填报，变动时更新）").into(),
            "年报（年初填报，变动时更新）",
            "yearly (filled at the start of the year, updated on change)",
        );
        check(|l| frequency_label(l, "不定期").into(), "不定期", "不定期");
    }
}
