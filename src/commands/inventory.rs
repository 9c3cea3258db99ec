//! `ecoband inventory sacct|csv FILE`: inventory rows from job logs.

use std::path::Path;

use crate::app::{AppError, check_outputs};
use crate::cli::{InventoryCommand, InventoryCsvArgs, SacctArgs};
use crate::inventory::sacct::{self, GpuField};
use crate::inventory::tags::{TagRule, Tagger};
use crate::inventory::{Inventory, csv};
use crate::report::write::write_atomically;

pub fn inventory(command: &InventoryCommand) -> Result<String, AppError> {
    match command {
        InventoryCommand::Sacct(args) => from_sacct(args),
        InventoryCommand::Csv(args) => from_csv(args),
    }
}

fn from_sacct(args: &SacctArgs) -> Result<String, AppError> {
    // Every argument is checked before the file is read, and the output
    // before anything: a bad option never costs a pass over a big export.
    let rules = args
        .tag_by
        .iter()
        .map(|t| TagRule::parse(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::Input)?;
    let gpu = GpuField::parse(&args.gpu_field).map_err(AppError::Input)?;
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (name, text) = read_text(&args.file)?;
    let inventory =
        sacct::read(&name, &text, &gpu, &Tagger::new(rules)).map_err(AppError::Input)?;
    let mut command = vec!["ecoband inventory sacct".to_string(), shell_word(&name)];
    for t in &args.tag_by {
        command.push(format!("--tag-by {}", shell_word(t)));
    }
    if gpu != GpuField::default() {
        command.push(format!("--gpu-field {}", shell_word(&args.gpu_field)));
    }
    finish(&inventory, &command.join(" "), args.out.as_deref())
}

fn from_csv(args: &InventoryCsvArgs) -> Result<String, AppError> {
    check_outputs(&[("--out", args.out.as_deref())])?;
    let (name, text) = read_text(&args.file)?;
    let inventory = csv::read(&name, &text).map_err(AppError::Input)?;
    let command = format!("ecoband inventory csv {}", shell_word(&name));
    finish(&inventory, &command, args.out.as_deref())
}

/// The file's text and the name messages and sources give it.
fn read_text(path: &Path) -> Result<(String, String), AppError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| AppError::Input(format!("{name}: cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        AppError::Input(format!(
            "{name}:{line}: the text is not UTF-8; allowed: a UTF-8 (or ASCII) text export"
        ))
    })?;
    // Exports saved by spreadsheet tools may start with a byte-order mark,
    // which would otherwise be part of the first column's name.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok((name, text))
}

/// Notes to stderr (also in the output's header), then the rows to `out`
/// or, without it, as the command's text.
fn finish(inventory: &Inventory, command: &str, out: Option<&Path>) -> Result<String, AppError> {
    let rows = inventory.rows();
    if rows.is_empty() {
        return Err(AppError::Input(format!(
            "{}: none of its {} jobs held a GPU, so there is no inventory row to write (is --gpu-field right for this export?)",
            inventory.file,
            inventory.jobs.len()
        )));
    }
    for line in inventory.summary() {
        eprintln!("note: {line}");
    }
    let text = inventory.to_toml(command);
    let Some(out) = out else {
        return Ok(text);
    };
    write_atomically(out, text.as_bytes())
        .map_err(|e| AppError::Io(format!("{}: cannot write the rows: {e}", out.display())))?;
    Ok(format!(
        "{} inventory rows written to {}\n",
        rows.len(),
        out.display()
    ))
}

/// A word the shell reads back unchanged: the header's command can be
/// copied to rerun the conversion.
fn shell_word(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@,+%".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("jobs.txt"), "jobs.txt");
        assert_eq!(shell_word("phase=pt:^pt-"), "'phase=pt:^pt-'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
