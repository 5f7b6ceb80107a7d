use std::process::ExitCode;

use lambdesk::model::Workspace;

use super::EXIT_BAD_INPUT;

/// `lambdesk list`: one row per function; a function whose configuration is broken is
/// listed with its error, and the exit status says something needs fixing.
pub fn run(workspace: &Workspace) -> anyhow::Result<ExitCode> {
    let names = workspace.function_names()?;
    if names.is_empty() {
        outln!("No functions in {} yet.", workspace.root().display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![[
        "NAME".to_owned(),
        "RUNTIME".to_owned(),
        "MEMORY".to_owned(),
        "TIMEOUT".to_owned(),
        "TRIGGERS".to_owned(),
    ]];
    let mut problems = Vec::new();
    for name in &names {
        match workspace.function(name) {
            Ok(function) => {
                let config = &function.config;
                let triggers: Vec<String> = config.triggers.iter().map(|t| t.summary()).collect();
                rows.push([
                    name.clone(),
                    config.runtime.to_string(),
                    format!("{} MB", config.memory_mb),
                    format!("{} s", config.timeout_secs),
                    if triggers.is_empty() {
                        "-".to_owned()
                    } else {
                        triggers.join(", ")
                    },
                ]);
            }
            Err(error) => {
                rows.push([
                    name.clone(),
                    "?".to_owned(),
                    "?".to_owned(),
                    "?".to_owned(),
                    "invalid configuration (see below)".to_owned(),
                ]);
                problems.push(error.to_string());
            }
        }
    }
    print_table(&rows);
    for problem in &problems {
        eprintln!("lambdesk: {problem}");
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_BAD_INPUT)
    })
}

fn print_table(rows: &[[String; 5]]) {
    let mut widths = [0usize; 5];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (index, (cell, width)) in row.iter().zip(widths).enumerate() {
            if index + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        outln!("{}", line.trim_end());
    }
}
