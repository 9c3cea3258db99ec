//! `ecoband merge PART…`: the part files of a sharded run joined into the
//! JSON a single run of the same scenario, overrides, seed and N gives,
//! byte for byte.

use crate::app::{AppError, check_outputs, overridden, parse_overrides, write_json};
use crate::cli::{MergeArgs, SamplerKind};
use crate::engine::CHUNK;
use crate::report::table;
use crate::scenario::Scenario;
use crate::shard::part::{self, Part};

use super::run::{RunOptions, build, design, parse_exceed};

fn refuse(why: String) -> AppError {
    AppError::Input(format!("merge: {why} (nothing was written)"))
}

/// The parts, read and checked to be one whole run: same everything but
/// the shard, every shard exactly once.
fn read_parts(args: &MergeArgs) -> Result<Vec<Part>, AppError> {
    let mut parts: Vec<Part> = Vec::new();
    for path in &args.parts {
        let p = part::read(path).map_err(|e| {
            AppError::Input(format!("{}: {e} (nothing was written)", path.display()))
        })?;
        parts.push(p);
    }
    let first = &parts[0];
    let name = |i: usize| args.parts[i].display().to_string();
    for (i, p) in parts.iter().enumerate().skip(1) {
        let differs = if p.kind != first.kind {
            Some(format!("kind {} against {}", p.kind, first.kind))
        } else if p.ecoband_version != first.ecoband_version {
            Some(format!(
                "ecoband {} against {}",
                p.ecoband_version, first.ecoband_version
            ))
        } else if p.scenario.sha256 != first.scenario.sha256 {
            Some(format!(
                "scenario {} (sha256 {}…) against {} ({}…)",
                p.scenario.path,
                &p.scenario.sha256[..12],
                first.scenario.path,
                &first.scenario.sha256[..12]
            ))
        } else if p.overrides != first.overrides {
            Some(format!(
                "overrides [{}] against [{}]",
                p.overrides.join(", "),
                first.overrides.join(", ")
            ))
        } else if p.settings != first.settings {
            Some("settings (samples, seed, level, sampler, replicates, quantiles or --exceed) differ".into())
        } else if p.shard.count != first.shard.count {
            Some(format!(
                "{} shards against {}",
                p.shard.count, first.shard.count
            ))
        } else {
            None
        };
        if let Some(d) = differs {
            return Err(refuse(format!(
                "{} and {} are parts of different runs: {d}",
                name(0),
                name(i)
            )));
        }
    }
    let count = first.shard.count;
    let mut seen: Vec<Option<usize>> = vec![None; count as usize];
    for (i, p) in parts.iter().enumerate() {
        let slot = &mut seen[p.shard.index as usize];
        if let Some(j) = slot {
            return Err(refuse(format!(
                "shard {}/{count} is given twice ({} and {})",
                p.shard.index,
                name(*j),
                name(i)
            )));
        }
        *slot = Some(i);
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        let (what, are) = if missing.len() == 1 {
            ("shard", "is")
        } else {
            ("shards", "are")
        };
        return Err(refuse(format!(
            "{what} {} {are} missing; run {} with `--shard I/{count}` and merge every part",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        )));
    }
    Ok(parts)
}

pub fn merge(args: &MergeArgs) -> Result<String, AppError> {
    check_outputs(&[("--out", args.out.as_deref())])?;
    let parts = read_parts(args)?;
    let first = &parts[0];
    // The scenario is read again to rebuild the model the shards ran: it
    // must be the very file (its hash) the parts were made from.
    let file = Scenario::load(std::path::Path::new(&first.scenario.path)).map_err(|e| {
        refuse(format!(
            "the parts' scenario {} cannot be read ({e}); run merge where that path leads to it",
            first.scenario.path
        ))
    })?;
    if file.sha256 != first.scenario.sha256 {
        return Err(refuse(format!(
            "{} has changed since the parts were made (sha256 {}… now, {}… then)",
            first.scenario.path,
            &file.sha256[..12],
            &first.scenario.sha256[..12]
        )));
    }
    let overrides = parse_overrides(&first.overrides)?;
    let (scenario, model, _) = overridden(&file, &overrides)?;
    let s = &first.settings;
    let sampler = match s.sampler.as_str() {
        "mc" => SamplerKind::Mc,
        "sobol" => SamplerKind::Sobol,
        "lhs" => SamplerKind::Lhs,
        other => return Err(refuse(format!("unknown sampler `{other}` in the parts"))),
    };
    let opts = RunOptions {
        samples: s.samples,
        seed: s.seed,
        level: s.level,
        threads: 1,
        sampler,
        replicates: s.replicates,
        extra_quantiles: s.extra_quantiles.clone(),
        exceed: s
            .exceed
            .iter()
            .map(|e| parse_exceed(&model, e))
            .collect::<Result<_, _>>()?,
        precision: None,
        percentile_of: Vec::new(),
    };
    let design = design(&model, &opts)?;
    if design.per_source != s.per_source || design.sources.len() != first.sources.len() {
        return Err(refuse(
            "the parts' design does not match this ecoband's for their settings".into(),
        ));
    }
    let total_chunks = design.per_source.div_ceil(CHUNK);
    let accs = (0..design.sources.len())
        .map(|r| {
            let of_source: Vec<_> = parts.iter().map(|p| &p.sources[r]).collect();
            part::merge_source(&of_source, total_chunks)
                .map_err(|e| refuse(format!("the parts do not cover the run: {e} of source {r}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let result = build(&scenario, &model, &accs, &design, &opts, None)?;
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(table::with_overrides(
        table::run_table(&result),
        &scenario.overrides,
    ))
}
