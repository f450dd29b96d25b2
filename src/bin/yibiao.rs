//! `yibiao`, the command-line edge over the core: reads files from disk, prints reports.
//! All the work happens in the library; this file only does I/O and formatting.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use yibiao::inspect::{inspect, FileReport, Problem, Report};
use yibiao::merge::{self, Project};
use yibiao::{reasons, Lang};

/// `println!` / `print!` that end the program quietly once stdout is closed (`yibiao … | head`)
/// instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        emit(format_args!("{}\n", format_args!($($arg)*)))
    };
}
macro_rules! say_raw {
    ($($arg:tt)*) => {
        emit(format_args!($($arg)*))
    };
}

fn emit(text: std::fmt::Arguments) {
    if let Err(e) = std::io::stdout().write_fmt(text) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// 一表 Yibiao: 读取各部门下发的表格，识别表头与字段。
/// Reads departmental spreadsheets and finds their forms and fields.
#[derive(Parser)]
#[command(name = "yibiao", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 显示每个文件中的表格与字段 / Show each file's forms and fields.
    Inspect {
        /// 表格文件（xlsx、xls、et、ods、csv、网页表格 html、Excel 2003 XML）/ Spreadsheet files (also HTML tables and Excel 2003 XML).
        #[arg(required_unless_present = "examples")]
        files: Vec<PathBuf>,
        /// 输出一个 JSON 文档 / Print one JSON document.
        #[arg(long)]
        json: bool,
        /// 使用内置的青山县示例表格 / Use the built-in 青山县 example forms.
        #[arg(long)]
        examples: bool,
        /// 界面语言 zh 或 en / Message language.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// 合并各部门表格，生成年度综合表 / Merge departmental forms into one annual form set.
    Merge {
        /// 表格文件（xlsx、xls、et、ods、csv、网页表格 html、Excel 2003 XML）/ Spreadsheet files (also HTML tables and Excel 2003 XML).
        #[arg(required_unless_present = "examples")]
        files: Vec<PathBuf>,
        /// 输出的综合表（.xlsx）/ The form set to write (.xlsx).
        #[arg(long)]
        out: PathBuf,
        /// 字段对照 JSON（项目文件）的保存位置，默认与 --out 同名 .json / Where to write the mapping JSON (project file).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// 以前保存的项目文件：沿用其中的人工决定、表格更正、表头选择与词库补充 / An earlier project file whose decisions, form corrections, header choices and lexicon additions apply again.
        #[arg(long)]
        project: Option<PathBuf>,
        /// 补充词库（TOML）/ Extra lexicon entries (TOML).
        #[arg(long)]
        lexicon: Option<PathBuf>,
        /// 使用内置的青山县示例表格 / Use the built-in 青山县 example forms.
        #[arg(long)]
        examples: bool,
        /// 界面语言 zh 或 en / Message language.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// 把村里填好的综合表拆回各部门原表 / Split filled form sets back into each department's own forms.
    Split {
        /// 填好的综合表（xlsx，可多个）/ Filled form-set workbooks (one per village, or county-wide).
        #[arg(required = true)]
        filled: Vec<PathBuf>,
        /// merge 写出的项目文件（.json）/ The project file written by merge.
        #[arg(long)]
        project: PathBuf,
        /// 输出文件夹：每个部门一个 Excel 文件 / Output folder: one workbook per department.
        #[arg(long)]
        out: PathBuf,
        /// 界面语言 zh 或 en / Message language.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// 用各部门原表中已有的数据预填综合表 / Pre-fill the form set from the departments' forms with data.
    Fill {
        /// 带数据的原表（合并时用的那些文件）/ The original forms, with data.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// merge 写出的项目文件（.json）/ The project file written by merge.
        #[arg(long)]
        project: PathBuf,
        /// 输出的已预填综合表（.xlsx）/ The pre-filled form set to write.
        #[arg(long)]
        out: PathBuf,
        /// 界面语言 zh 或 en / Message language.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// 对比去年与今年的项目文件：各部门表格和字段的变化，去年的人工决定是否仍适用 / Compare last year's project file with this year's: what changed per department, which decisions still fit.
    Diff {
        /// 去年的项目文件（.json）/ Last year's project file.
        old: PathBuf,
        /// 今年的项目文件（.json）/ This year's project file.
        new: PathBuf,
        /// 输出一个 JSON 文档 / Print one JSON document.
        #[arg(long)]
        json: bool,
        /// 界面语言 zh 或 en / Message language.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// 列出需要人工核对的合并结果 / List the merge decisions to review, least certain first.
    Review {
        /// merge 写出的 JSON / The mapping JSON written by merge.
        mapping: PathBuf,
        /// 界面语言 zh 或 en / Message language.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect {
            files,
            json,
            examples,
            lang,
        } => inspect_command(&files, json, examples, lang.eq_ignore_ascii_case("en")),
        Command::Merge {
            files,
            out,
            mapping,
            project,
            lexicon,
            examples,
            lang,
        } => merge_command(MergeArgs {
            files,
            out,
            mapping,
            project,
            lexicon,
            examples,
            en: lang.eq_ignore_ascii_case("en"),
        }),
        Command::Diff {
            old,
            new,
            json,
            lang,
        } => diff_command(&old, &new, json, lang.eq_ignore_ascii_case("en")),
        Command::Review { mapping, lang } => {
            review_command(&mapping, lang.eq_ignore_ascii_case("en"))
        }
        Command::Split {
            filled,
            project,
            out,
            lang,
        } => split_command(&filled, &project, &out, lang.eq_ignore_ascii_case("en")),
        Command::Fill {
            files,
            project,
            out,
            lang,
        } => fill_command(&files, &project, &out, lang.eq_ignore_ascii_case("en")),
    }
}

/// The file name alone: folders say nothing about the form and may hold personal names.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads a project file, or says plainly why not.
fn load_project(path: &Path, en: bool) -> Result<Project, ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(
            en,
            format!("无法打开项目文件 {}：{e}", path.display()),
            format!("Cannot open the project file {}: {e}", path.display()),
        )
    })?;
    Project::from_json(&text).map_err(|e| fail(en, e.message(Lang::Zh), e.message(Lang::En)))
}

fn split_command(filled: &[PathBuf], project: &Path, out: &Path, en: bool) -> ExitCode {
    let lang = if en { Lang::En } else { Lang::Zh };
    let project = match load_project(project, en) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut unreadable = Vec::new();
    for path in filled {
        match std::fs::read(path) {
            Ok(bytes) => inputs.push((file_name(path), bytes)),
            Err(e) => unreadable.push(if en {
                format!("{}: cannot open the file: {e}", path.display())
            } else {
                format!("{}：无法打开文件：{e}", path.display())
            }),
        }
    }
    let refs: Vec<(&str, &[u8])> = inputs
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let outcome = match yibiao::split::split_files(&project.set, &refs) {
        Ok(o) => o,
        Err(e) => return fail(en, e.message(Lang::Zh), e.message(Lang::En)),
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        return fail(
            en,
            format!("无法创建文件夹 {}：{e}", out.display()),
            format!("Cannot create the folder {}: {e}", out.display()),
        );
    }
    for (name, bytes) in &outcome.workbooks {
        let path = out.join(name);
        if let Err(e) = std::fs::write(&path, bytes) {
            return fail(
                en,
                format!("无法写入 {}：{e}", path.display()),
                format!("Cannot write {}: {e}", path.display()),
            );
        }
    }
    let rows: usize = outcome.rows_per_form.iter().sum();
    let forms = outcome.rows_per_form.iter().filter(|n| **n > 0).count();
    if en {
        say!(
            "Read {} file(s); {rows} rows went into {forms} of {} original forms; wrote {} department workbook(s) to {}.",
            inputs.len(),
            project.set.sources.len(),
            outcome.workbooks.len(),
            out.display()
        );
    } else {
        say!(
            "读取 {} 个文件；共 {rows} 行，填入 {} 张原表中的 {forms} 张；已在 {} 写出 {} 个部门的原表。",
            inputs.len(),
            project.set.sources.len(),
            out.display(),
            outcome.workbooks.len()
        );
    }
    for line in &unreadable {
        say!("  {line}");
    }
    for (zh, en_line) in &outcome.join_notes {
        say!("  {}", if en { en_line } else { zh });
    }
    if !outcome.problems.is_empty() {
        say!(
            "{}",
            if en {
                format!("{} problem(s) to look at:", outcome.problems.len())
            } else {
                format!("需要核对的问题 {} 条：", outcome.problems.len())
            }
        );
        for p in &outcome.problems {
            say!("  {}", p.message(lang));
        }
    }
    if unreadable.is_empty() && outcome.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn fill_command(files: &[PathBuf], project: &Path, out: &Path, en: bool) -> ExitCode {
    let lang = if en { Lang::En } else { Lang::Zh };
    let project = match load_project(project, en) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut bytes = Vec::new();
    for path in files {
        let name = file_name(path);
        match std::fs::read(path) {
            Ok(b) => bytes.push((name, b)),
            Err(e) if en => say!("  {name}: cannot open the file: {e}"),
            Err(e) => say!("  {name}: 无法打开文件：{e}"),
        }
    }
    let refs: Vec<(&str, &[u8])> = bytes
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let (filled, unreadable) = yibiao::split::fill::fill_from_bytes(&project.set, &refs);
    for (name, e) in &unreadable {
        say!("  {name}: {}", e.message(lang));
    }
    let bytes = match yibiao::write::to_xlsx_filled(
        &filled.set_with_lists(&project.set),
        lang,
        &filled.values(),
    ) {
        Ok(b) => b,
        Err(e) => return fail(en, e.message(Lang::Zh), e.message(Lang::En)),
    };
    if let Err(e) = std::fs::write(out, bytes) {
        return fail(
            en,
            format!("无法写入 {}：{e}", out.display()),
            format!("Cannot write {}: {e}", out.display()),
        );
    }
    let rows: usize = filled.rows.sheets.iter().map(Vec::len).sum();
    if en {
        say!("Wrote {} with {rows} rows.", out.display());
    } else {
        say!("已写出 {}，共 {rows} 行。", out.display());
    }
    for c in &filled.conflicts {
        say!("  {}", c.message(lang));
    }
    for u in &filled.unplaced {
        say!("  {}", u.message(lang));
    }
    for e in &filled.extended {
        say!("  {}", e.message(lang));
    }
    if filled.conflicts.is_empty() && filled.unplaced.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Reads one file into a report; a file that cannot be opened gets a report with the error.
fn read_report(path: &Path, name: &str) -> FileReport {
    match std::fs::read(path) {
        Ok(bytes) => inspect(name, &bytes),
        Err(e) => FileReport {
            file: name.to_string(),
            errors: vec![Problem {
                code: "io".into(),
                sheet: None,
                message: format!("无法打开文件：{e}"),
                message_en: format!("Cannot open the file: {e}"),
            }],
            ..FileReport::default()
        },
    }
}

fn inspect_command(files: &[PathBuf], json: bool, examples: bool, en: bool) -> ExitCode {
    let mut report = Report::default();
    if examples {
        for (name, bytes) in yibiao::examples::EXAMPLES {
            report.files.push(inspect(name, bytes));
        }
    }
    for path in files {
        let name = path.display().to_string();
        report.files.push(read_report(path, &name));
    }
    let failed = report.files.iter().any(|f| f.format.is_none());
    let mut out = std::io::stdout().lock();
    let written = if json {
        serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out))
    } else {
        out.write_all(render(&report, en).as_bytes())
    };
    if written.is_err() || failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

struct MergeArgs {
    files: Vec<PathBuf>,
    out: PathBuf,
    mapping: Option<PathBuf>,
    project: Option<PathBuf>,
    lexicon: Option<PathBuf>,
    examples: bool,
    en: bool,
}

/// Prints a usage-level error and returns exit code 2.
fn fail(en: bool, zh: String, english: String) -> ExitCode {
    eprintln!("{}", if en { english } else { zh });
    ExitCode::from(2)
}

fn merge_command(a: MergeArgs) -> ExitCode {
    let lang = if a.en { Lang::En } else { Lang::Zh };
    let previous = match &a.project {
        None => None,
        Some(p) => match std::fs::read_to_string(p).map_err(|e| e.to_string()) {
            Err(e) => {
                return fail(
                    a.en,
                    format!("无法打开项目文件 {}：{e}", p.display()),
                    format!("Cannot open the project file {}: {e}", p.display()),
                )
            }
            Ok(text) => match Project::from_json(&text) {
                Ok(project) => Some(project),
                Err(e) => return fail(a.en, e.message(Lang::Zh), e.message(Lang::En)),
            },
        },
    };
    // Header blocks staff chose last time are used again for the same file and sheet.
    let header_choices = previous
        .as_ref()
        .map(|p| p.header_choices.clone())
        .unwrap_or_default();
    let read = |name: &str, bytes: &[u8]| {
        let choices = merge::choices_for(&header_choices, name);
        if choices.is_empty() {
            inspect(name, bytes)
        } else {
            yibiao::inspect::inspect_with_choices(name, bytes, &choices, 0, 0).0
        }
    };
    let mut reports = Vec::new();
    if a.examples {
        for (name, bytes) in yibiao::examples::EXAMPLES {
            reports.push(read(name, bytes));
        }
    }
    for path in &a.files {
        // The file name alone: folders say nothing about the form and may hold personal names.
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| path.display().to_string());
        reports.push(match std::fs::read(path) {
            Ok(bytes) => read(&name, &bytes),
            Err(_) => read_report(path, &name),
        });
    }
    let mut additions = previous
        .as_ref()
        .map(|p| p.lexicon_additions.clone())
        .unwrap_or_default();
    if let Some(path) = &a.lexicon {
        match std::fs::read_to_string(path) {
            Ok(text) => match yibiao::matching::additions::append(&additions, &text) {
                Ok(joined) => additions = joined,
                Err(e) => {
                    return fail(
                        a.en,
                        format!("{}：{}", path.display(), e.message(Lang::Zh)),
                        format!("{}: {}", path.display(), e.message(Lang::En)),
                    )
                }
            },
            Err(e) => {
                return fail(
                    a.en,
                    format!("无法打开词库文件 {}：{e}", path.display()),
                    format!("Cannot open the lexicon file {}: {e}", path.display()),
                )
            }
        }
    }
    // Last year's decisions follow fields renamed since; its corrections of departments and
    // grains apply where the same file and sheet are back.
    let (decisions, overrides, followed) = match &previous {
        None => (Vec::new(), Vec::new(), 0),
        Some(p) => match merge::merge_with(&reports, &additions, &[], &p.overrides) {
            Ok(first) => {
                let carried = yibiao::diff::carry_over(p, &first.set);
                let followed = carried
                    .iter()
                    .zip(&p.decisions)
                    .filter(|(a, b)| a != b)
                    .count();
                (carried, p.overrides.clone(), followed)
            }
            Err(e) => return fail(a.en, e.message(Lang::Zh), e.message(Lang::En)),
        },
    };
    let mut project = match merge::merge_with(&reports, &additions, &decisions, &overrides) {
        Ok(p) => p,
        Err(e) => return fail(a.en, e.message(Lang::Zh), e.message(Lang::En)),
    };
    project.header_choices = header_choices;
    let xlsx = match yibiao::write::to_xlsx(&project.set, lang) {
        Ok(bytes) => bytes,
        Err(e) => return fail(a.en, e.message(Lang::Zh), e.message(Lang::En)),
    };
    let mapping = a
        .mapping
        .clone()
        .unwrap_or_else(|| a.out.with_extension("json"));
    for (path, bytes) in [(&a.out, xlsx), (&mapping, project.to_json().into_bytes())] {
        if let Err(e) = std::fs::write(path, bytes) {
            return fail(
                a.en,
                format!("无法写入 {}：{e}", path.display()),
                format!("Cannot write {}: {e}", path.display()),
            );
        }
    }
    let unreadable: Vec<&FileReport> = reports.iter().filter(|r| r.format.is_none()).collect();
    say_raw!(
        "{}",
        merge_summary(&project, &unreadable, &a.out, &mapping, a.en)
    );
    if followed > 0 {
        say!(
            "{}",
            if a.en {
                format!("{followed} earlier decisions follow fields renamed since.")
            } else {
                format!("有 {followed} 条以前的人工决定所指的字段已改名，已按新名称沿用。")
            }
        );
    }
    if unreadable.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn merge_summary(
    project: &Project,
    unreadable: &[&FileReport],
    out: &Path,
    mapping: &Path,
    en: bool,
) -> String {
    let s = project.summary();
    let mut text = String::new();
    if en {
        text.push_str(&format!(
            "{} forms from {} files: {} fields before, {} columns in the set ({} sheets); {} canonical fields, {} shared by two or more forms.\n",
            s.forms, s.files, s.fields_before, s.fields_after, s.sheets, s.canonical, s.shared
        ));
        text.push_str(&format!(
            "To review: {} (run `yibiao review {}`).\n",
            s.to_review,
            mapping.display()
        ));
        if s.decisions_not_applied > 0 {
            text.push_str(&format!(
                "{} earlier decisions no longer fit and were not applied.\n",
                s.decisions_not_applied
            ));
        }
        text.push_str(&format!(
            "Wrote {} and {}.\n",
            out.display(),
            mapping.display()
        ));
    } else {
        text.push_str(&format!(
            "{} 个文件、{} 张原表：原来共 {} 项，合并后 {} 列（{} 张表）；统一字段 {} 个，其中 {} 个被两张及以上原表使用。\n",
            s.files, s.forms, s.fields_before, s.fields_after, s.sheets, s.canonical, s.shared
        ));
        text.push_str(&format!(
            "需要人工核对：{} 个（运行 yibiao review {} 查看）。\n",
            s.to_review,
            mapping.display()
        ));
        if s.decisions_not_applied > 0 {
            text.push_str(&format!(
                "有 {} 条以前的人工决定已不适用，未执行。\n",
                s.decisions_not_applied
            ));
        }
        text.push_str(&format!(
            "已写出 {} 和 {}。\n",
            out.display(),
            mapping.display()
        ));
    }
    for r in unreadable {
        let (zh, english) = r
            .errors
            .first()
            .map(|p| (p.message.clone(), p.message_en.clone()))
            .unwrap_or_default();
        text.push_str(&format!(
            "  {}: {}\n",
            r.file,
            if en { english } else { zh }
        ));
    }
    text
}

fn diff_command(old: &Path, new: &Path, json: bool, en: bool) -> ExitCode {
    let old = match load_project(old, en) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let new = match load_project(new, en) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let d = yibiao::diff::diff(&old, &new);
    let mut out = std::io::stdout().lock();
    let written = if json {
        serde_json::to_writer_pretty(&mut out, &d)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out))
    } else {
        out.write_all(yibiao::diff::render(if en { Lang::En } else { Lang::Zh }, &d).as_bytes())
    };
    if written.is_err() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn review_command(mapping: &Path, en: bool) -> ExitCode {
    let text = match std::fs::read_to_string(mapping) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                en,
                format!("无法打开 {}：{e}", mapping.display()),
                format!("Cannot open {}: {e}", mapping.display()),
            )
        }
    };
    let project = match Project::from_json(&text) {
        Ok(p) => p,
        Err(e) => return fail(en, e.message(Lang::Zh), e.message(Lang::En)),
    };
    say_raw!("{}", render_review(&project, en));
    ExitCode::SUCCESS
}

fn render_review(project: &Project, en: bool) -> String {
    let set = &project.set;
    let lang = if en { Lang::En } else { Lang::Zh };
    let mut out = String::new();
    // The forms first, each with its department and what said so.
    out.push_str(&if en {
        format!("{} original forms:\n", set.sources.len())
    } else {
        format!("原表 {} 张：\n", set.sources.len())
    });
    for s in &set.sources {
        let why = if s.department_reason.is_empty() {
            String::new()
        } else if en {
            format!("  ({})", reasons::in_lang(lang, &s.department_reason))
        } else {
            format!("  （{}）", s.department_reason)
        };
        out.push_str(&format!("  {} · {}{why}\n", s.department, s.title));
    }
    out.push('\n');
    let items = project.review();
    out.push_str(&if en {
        format!(
            "{} canonical fields to review, least certain first:\n",
            items.len()
        )
    } else {
        format!(
            "需要核对的统一字段 {} 个（按把握从低到高）：\n",
            items.len()
        )
    });
    for c in items {
        out.push_str(&format!(
            "\n  [{:.2}] {}  ({})\n",
            c.confidence, c.name, c.id
        ));
        for m in &c.members {
            let s = &set.sources[m[0]];
            let f = &s.fields[m[1]];
            out.push_str(&format!(
                "      {} · {} · {}{}  {}\n",
                s.department,
                s.title,
                f.column_letter,
                "",
                f.header_path.join("/")
            ));
        }
        for r in &c.reasons {
            out.push_str(&format!("      - {}\n", reasons::in_lang(lang, r)));
        }
    }
    if !project.near_misses.is_empty() {
        out.push_str(&if en {
            "\nLook-alike fields kept apart:\n".to_string()
        } else {
            "\n名称相近但未合并的字段：\n".to_string()
        });
        for n in &project.near_misses {
            out.push_str(&format!(
                "  [{:.2}] {}  vs  {}: {}\n",
                n.similarity,
                n.a.header_path.join("/"),
                n.b.header_path.join("/"),
                reasons::in_lang(lang, &n.reason)
            ));
        }
    }
    let not_applied: Vec<_> = project
        .decision_outcomes
        .iter()
        .filter(|o| !o.applied)
        .collect();
    if !not_applied.is_empty() {
        out.push_str(&if en {
            "\nEarlier decisions that no longer fit:\n".to_string()
        } else {
            "\n不再适用的人工决定：\n".to_string()
        });
        for o in not_applied {
            out.push_str(&format!(
                "  {}: {}\n",
                yibiao::diff::describe_decision(lang, &o.decision),
                reasons::in_lang(lang, &o.problem)
            ));
        }
    }
    out
}

/// Display width in a terminal: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            if (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
                || (0x20000..=0x3FFFD).contains(&u)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    format!("{s}{}", " ".repeat(w.saturating_sub(n)))
}

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, s)| pad(s, widths[i]))
            .collect();
        out.push_str("    ");
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn rows_text(rows: &[u32]) -> String {
    match rows {
        [] => "—".into(),
        [one] => one.to_string(),
        [first, .., last] => format!("{first}–{last}"),
    }
}

/// The human-readable report.
fn render(report: &Report, en: bool) -> String {
    let msg = |p: &Problem| {
        if en {
            p.message_en.clone()
        } else {
            p.message.clone()
        }
    };
    let mut out = String::new();
    for f in &report.files {
        out.push_str(&format!("■ {}\n", f.file));
        if let Some(fmt) = &f.format {
            let enc = f
                .encoding
                .as_deref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} {fmt}{enc}\n",
                if en { "format" } else { "格式" }
            ));
        }
        for e in &f.errors {
            out.push_str(&format!("  ✗ {}\n", msg(e)));
        }
        for s in &f.sheets {
            let kind = match (s.kind.as_str(), en) {
                ("form", false) => "表格",
                ("dictionary", false) => "下拉字典",
                ("instructions", false) => "填表说明",
                ("empty", false) => "空表",
                (k, _) => k,
            };
            let hidden = if s.hidden {
                if en {
                    " (hidden)"
                } else {
                    "（隐藏）"
                }
            } else {
                ""
            };
            out.push_str(&format!("  □ {} [{kind}]{hidden}\n", s.sheet));
            for w in &s.warnings {
                out.push_str(&format!("    ! {}\n", msg(w)));
            }
            for form in &s.forms {
                let title = form.title.as_deref().unwrap_or("—");
                let data = form
                    .data_rows
                    .map(|[a, b]| format!("{a}–{b}"))
                    .unwrap_or_else(|| "—".into());
                if en {
                    out.push_str(&format!(
                        "    {title}\n    header rows {}, unit row {}, code row {}, data rows {data}, grain {} ({})\n",
                        rows_text(&form.header_rows),
                        form.unit_row.map_or("—".into(), |r| r.to_string()),
                        form.code_row.map_or("—".into(), |r| r.to_string()),
                        form.grain,
                        form.grain_reason
                    ));
                } else {
                    out.push_str(&format!(
                        "    表名：{title}\n    表头行 {}，单位行 {}，栏号行 {}，数据行 {data}，填报粒度 {}（{}）\n",
                        rows_text(&form.header_rows),
                        form.unit_row.map_or("—".into(), |r| r.to_string()),
                        form.code_row.map_or("—".into(), |r| r.to_string()),
                        form.grain,
                        form.grain_reason
                    ));
                }
                for w in &form.warnings {
                    out.push_str(&format!("    ! {}\n", msg(w)));
                }
                let mut rows = vec![if en {
                    [
                        "col", "header", "name", "unit", "type", "req", "role", "values",
                    ]
                } else {
                    [
                        "列",
                        "表头",
                        "字段名",
                        "单位",
                        "类型",
                        "必填",
                        "角色",
                        "可选值",
                    ]
                }
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()];
                for fld in &form.fields {
                    let mut values = fld
                        .enum_values
                        .iter()
                        .take(6)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("/");
                    if fld.enum_values.len() > 6 {
                        values.push_str(&format!("…({})", fld.enum_values.len()));
                    }
                    rows.push(vec![
                        fld.column_letter.clone(),
                        fld.header_path.join(" › ").replace('\n', " "),
                        fld.name.clone(),
                        fld.unit.clone().unwrap_or_else(|| "—".into()),
                        fld.ty.clone(),
                        if fld.required {
                            "*".into()
                        } else {
                            String::new()
                        },
                        fld.role.clone(),
                        values,
                    ]);
                }
                out.push_str(&table(&rows));
            }
        }
        out.push('\n');
    }
    out
}
