//! `ecoband report`: reads saved results and writes every format asked
//! for, from one report built once. Every output target is checked before
//! anything is read, and each file is written atomically.

use std::path::{Path, PathBuf};

use crate::app::AppError;
use crate::cli::ReportArgs;
use crate::export::{Exporter, Output, csv, document, html, latex, load, markdown, svg, terminal};
use crate::report::write::{check_writable, write_atomically};

/// A folder target, checked before anything is read: an existing folder
/// must accept a new file; a missing one is created later (by
/// [`create_folder`], once the report is built), so its parent must exist
/// and accept one. Nothing is created here: a refusal or a bad result
/// leaves no empty folder behind.
fn check_folder(dir: &Path, option: &str) -> Result<(), AppError> {
    if dir.exists() && !dir.is_dir() {
        return Err(AppError::Input(format!(
            "{option} {}: is a file, not a folder",
            dir.display()
        )));
    }
    let probe = if dir.is_dir() {
        dir.join("probe")
    } else {
        // `out/` names the folder `out`: its parent is where it goes.
        dir.components().collect::<PathBuf>()
    };
    check_writable(&probe).map_err(|e| AppError::Input(format!("{option} {}: {e}", dir.display())))
}

/// Creates a folder target that [`check_folder`] accepted.
fn create_folder(dir: &Path) -> Result<(), AppError> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir(dir)
        .map_err(|e| AppError::Io(format!("{}: cannot create the folder: {e}", dir.display())))
}

/// `target` relative to the folder of `from` when it lies inside it (how
/// a Markdown file links its figures), else as given.
fn relative_to_file(target: &Path, from: &Path) -> String {
    let base = from.parent().unwrap_or(Path::new(""));
    let shown = if base.as_os_str().is_empty() {
        Some(target)
    } else {
        target.strip_prefix(base).ok()
    };
    let path = shown.unwrap_or(target).display().to_string();
    path.trim_end_matches('/').to_string()
}

fn write(target: &Path, output: Output) -> Result<(), AppError> {
    let io = |path: &Path, e: std::io::Error| {
        AppError::Io(format!("{}: cannot write it: {e}", path.display()))
    };
    match output {
        Output::File(bytes) => write_atomically(target, &bytes).map_err(|e| io(target, e)),
        Output::Folder(files) => {
            create_folder(target)?;
            for (name, bytes) in files {
                let path = target.join(name);
                write_atomically(&path, &bytes).map_err(|e| io(&path, e))?;
            }
            Ok(())
        }
    }
}

pub fn report(args: &ReportArgs) -> Result<String, AppError> {
    let files: [(&Option<PathBuf>, &str); 3] = [
        (&args.html, "--html"),
        (&args.markdown, "--markdown"),
        (&args.latex, "--latex"),
    ];
    for (target, option) in files {
        if let Some(path) = target {
            check_writable(path).map_err(|e| AppError::Input(format!("{option}: {e}")))?;
        }
    }
    for (target, option) in [(&args.csv, "--csv"), (&args.svg_dir, "--svg-dir")] {
        if let Some(dir) = target {
            check_folder(dir, option)?;
        }
    }
    let loaded = args
        .results
        .iter()
        .map(|p| load::read(p).map_err(AppError::Input))
        .collect::<Result<Vec<_>, _>>()?;
    let report = document::build(loaded, args.allow_mixed, args.scenario.as_deref())
        .map_err(AppError::Input)?;
    let figure_dir = match (&args.svg_dir, &args.markdown) {
        (Some(dir), Some(md)) => Some(relative_to_file(dir, md)),
        _ => None,
    };
    let exports: Vec<(Option<&PathBuf>, Box<dyn Exporter>)> = vec![
        (args.html.as_ref(), Box::new(html::Html)),
        (
            args.markdown.as_ref(),
            Box::new(markdown::Markdown { figure_dir }),
        ),
        (args.latex.as_ref(), Box::new(latex::Latex)),
        (args.csv.as_ref(), Box::new(csv::Csv)),
        (args.svg_dir.as_ref(), Box::new(svg::Svg)),
    ];
    let mut written = Vec::new();
    for (target, exporter) in exports {
        if let Some(target) = target {
            let output = exporter.export(&report).map_err(AppError::Io)?;
            write(target, output)?;
            written.push(target.display().to_string());
        }
    }
    let mut text = terminal::Terminal::render(&report);
    if !written.is_empty() {
        text.push_str(&format!("\nwritten: {}\n", written.join(", ")));
    }
    Ok(text)
}
