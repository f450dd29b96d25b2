//! `yibiao`, the command-line edge over the core: reads files from disk, prints reports.
//! All the work happens in the library; this file only does I/O and formatting.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use yibiao::inspect::{inspect, FileReport, Problem, Report};

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
        /// 表格文件（xlsx、xls、ods、csv）/ Spreadsheet files.
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect {
            files,
            json,
            examples,
            lang,
        } => {
            let en = lang.eq_ignore_ascii_case("en");
            let mut report = Report::default();
            if examples {
                for (name, bytes) in yibiao::examples::EXAMPLES {
                    report.files.push(inspect(name, bytes));
                }
            }
            for path in &files {
                let name = path.display().to_string();
                let file = match std::fs::read(path) {
                    Ok(bytes) => inspect(&name, &bytes),
                    Err(e) => FileReport {
                        file: name,
                        errors: vec![Problem {
                            code: "io".into(),
                            sheet: None,
                            message: format!("无法打开文件：{e}"),
                            message_en: format!("Cannot open the file: {e}"),
                        }],
                        ..FileReport::default()
                    },
                };
                report.files.push(file);
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
            if written.is_err() {
                return ExitCode::from(1);
            }
            if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
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
