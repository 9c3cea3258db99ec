//! `ecoband presets`: the catalogue of bundled presets, and one preset with
//! every number, its distribution, nominal value, unit and source.

use std::fmt::Write;

use crate::model::format_number;
use crate::scenario::preset::{PresetDetail, PresetInfo};

use super::table::render_aligned;

pub fn catalogue_table(presets: &[PresetInfo]) -> String {
    let mut rows = vec![vec![
        "name".to_string(),
        "kind".into(),
        "description".into(),
    ]];
    for p in presets {
        rows.push(vec![
            p.name.clone(),
            p.kind.name().to_string(),
            p.description.clone(),
        ]);
    }
    let mut out = format!("{} presets\n\n", presets.len());
    out.push_str(&render_aligned(&rows, true));
    out.push_str(
        "\nShow one with `ecoband presets NAME`; use one in a scenario with `preset = \"NAME\"` in [electricity], [datacenter] or [profiles.NAME].\n",
    );
    out
}

pub fn detail_table(d: &PresetDetail) -> String {
    let mut out = format!(
        "{} preset `{}` ({}:{})\n{}\n",
        d.info.kind.name(),
        d.info.name,
        d.file,
        d.info.line,
        d.info.description
    );
    if let Some(s) = &d.source {
        let _ = writeln!(out, "source: {s}");
    }
    if let Some(n) = &d.note {
        let _ = writeln!(out, "note: {n}");
    }
    out.push('\n');
    let mut rows = vec![vec![
        "key".to_string(),
        "line".into(),
        "value".into(),
        "nominal".into(),
        "unit".into(),
        "label".into(),
    ]];
    for v in &d.values {
        rows.push(vec![
            v.path.clone(),
            v.line.to_string(),
            v.what.clone(),
            v.nominal.map_or_else(|| "-".into(), format_number),
            v.meta.unit.clone().unwrap_or_else(|| "-".into()),
            // A preset value without a label gets the one derived from the
            // key path it takes in a scenario (`ecoband check` shows it).
            v.meta.label.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    out.push_str(&render_aligned(&rows, true));
    if !d.choices.is_empty() {
        out.push_str("\nchoices:\n");
        for c in &d.choices {
            let options: Vec<String> = c
                .options
                .iter()
                .map(|(o, w)| format!("{o} {w:.3}"))
                .collect();
            let label = c
                .label
                .as_ref()
                .map(|l| format!("; label \"{l}\""))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}: {}{label} — {}",
                c.name,
                options.join(", "),
                c.source.as_deref().unwrap_or("(no source given)")
            );
        }
    }
    out.push_str("\nsources:\n");
    for v in &d.values {
        let _ = writeln!(
            out,
            "  {}: {}",
            v.path,
            match &v.meta.source {
                Some(source) => source.as_str(),
                // A choice-dependent value: each option has its own.
                None if v.nominal.is_none() => "per option, below",
                None => "(no source given)",
            }
        );
    }
    out
}
