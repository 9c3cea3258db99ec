//! `ecoband merge PART…`: the part files of a sharded `run` or `sobol`
//! joined into the JSON the unsharded command gives for the same scenario,
//! overrides, seed and N, byte for byte.

use crate::app::{AppError, check_outputs, overridden, parse_overrides, write_json};
use crate::cli::{MergeArgs, SamplerKind};
use crate::engine::CHUNK;
use crate::model::Model;
use crate::report::table;
use crate::scenario::Scenario;
use crate::sensitivity::PartBlocks;
use crate::shard::part::{self, Part, PartSettings, SobolPartSettings, SourcePart, Work};

use super::run::{RunOptions, build, design, parse_exceed};
use super::sobol::{DesignPoints, SobolOptions, base_count};

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
        // Values are named in the order of the files: the first's, then
        // this one's.
        let differs = if p.kind() != first.kind() {
            Some(format!("kind {} against {}", first.kind(), p.kind()))
        } else if p.ecoband_version != first.ecoband_version {
            Some(format!(
                "ecoband {} against {}",
                first.ecoband_version, p.ecoband_version
            ))
        } else if p.ecoband_build != first.ecoband_build {
            Some(format!(
                "two builds of ecoband {} (binary {} against {}: was it rebuilt while the job ran?); rerun the shards of one build",
                p.ecoband_version, first.ecoband_build, p.ecoband_build
            ))
        } else if p.math_library != first.math_library {
            Some(format!(
                "they were computed on machines whose math library rounds differently (fingerprint {} against {}: glibc picks its exp, log and pow by CPU, with or without FMA); rerun the differing shards on nodes like the first's, e.g. with sbatch --constraint",
                first.math_library, p.math_library
            ))
        } else if p.scenario.path != first.scenario.path {
            Some(format!(
                "scenario path {} against {} (give every shard the same path, so the merged result names one)",
                first.scenario.path, p.scenario.path
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
                first.overrides.join(", "),
                p.overrides.join(", ")
            ))
        } else if !p.same_settings(first) {
            Some(match first.kind() {
                "run" => "settings (samples, seed, level, sampler, replicates, quantiles or --exceed) differ".into(),
                _ => "settings (N, seed, level, sampler, replicates or second order) differ".into(),
            })
        } else if p.shard.count != first.shard.count {
            Some(format!(
                "{} shards against {}",
                first.shard.count, p.shard.count
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
    if let Some((i, p)) = parts
        .iter()
        .enumerate()
        .find(|(_, p)| p.shard.index >= p.shard.count || p.shard.count > crate::shard::MAX_SHARDS)
    {
        return Err(refuse(format!(
            "{} claims to be shard {}/{}, which no `--shard I/N` writes",
            name(i),
            p.shard.index,
            p.shard.count
        )));
    }
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
    match &first.work {
        Work::Run { settings, .. } => merge_run(&scenario, &model, settings, &parts, args),
        Work::Sobol { settings, .. } => merge_sobol(&scenario, &model, settings, &parts, args),
    }
}

fn sampler(name: &str) -> Result<SamplerKind, AppError> {
    <SamplerKind as clap::ValueEnum>::from_str(name, false)
        .map_err(|_| refuse(format!("unknown sampler `{name}` in the parts")))
}

fn merge_run(
    scenario: &Scenario,
    model: &Model,
    s: &PartSettings,
    parts: &[Part],
    args: &MergeArgs,
) -> Result<String, AppError> {
    let opts = RunOptions {
        samples: s.samples,
        seed: s.seed,
        level: s.level,
        threads: 1,
        sampler: sampler(&s.sampler)?,
        replicates: s.replicates,
        extra_quantiles: s.extra_quantiles.clone(),
        exceed: s
            .exceed
            .iter()
            .map(|e| parse_exceed(model, e))
            .collect::<Result<_, _>>()?,
        precision: None,
        percentile_of: Vec::new(),
    };
    let design = design(model, &opts)?;
    let sources: Vec<&[SourcePart]> = parts
        .iter()
        .filter_map(|p| match &p.work {
            Work::Run { sources, .. } => Some(sources.as_slice()),
            Work::Sobol { .. } => None,
        })
        .collect();
    if design.per_source != s.per_source || sources.iter().any(|s| s.len() != design.sources.len())
    {
        return Err(refuse(
            "the parts' design does not match this ecoband's for their settings".into(),
        ));
    }
    let total_chunks = design.per_source.div_ceil(CHUNK);
    let accs = (0..design.sources.len())
        .map(|r| {
            let of_source: Vec<_> = sources.iter().map(|p| &p[r]).collect();
            part::merge_source(&of_source, total_chunks)
                .map_err(|e| refuse(format!("the parts do not cover the run: {e} of source {r}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let result = build(scenario, model, &accs, &design, &opts, None)?;
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(table::with_overrides(
        table::run_table(&result),
        &scenario.overrides,
    ))
}

fn merge_sobol(
    scenario: &Scenario,
    model: &Model,
    s: &SobolPartSettings,
    parts: &[Part],
    args: &MergeArgs,
) -> Result<String, AppError> {
    let sampler = sampler(&s.sampler)?;
    if s.n_base != base_count(s.n_base) || (sampler != SamplerKind::Mc && s.replicates < 2) {
        return Err(refuse(format!(
            "the parts' N ({}) or replicates ({}) are not ones `ecoband sobol` runs",
            s.n_base, s.replicates
        )));
    }
    let options = SobolOptions {
        n_base: s.n_base,
        seed: s.seed,
        level: s.level,
        threads: 1,
        second_order: s.second_order,
        target: None,
        sampler,
        replicates: s.replicates,
    };
    let points = DesignPoints::new(model, &options)?;
    let design = points.design();
    let mut blocks: Vec<PartBlocks> = Vec::new();
    for p in parts {
        let Work::Sobol { parts: of_part, .. } = &p.work else {
            continue;
        };
        if blocks.is_empty() {
            blocks = vec![Vec::new(); of_part.len()];
        }
        if of_part.len() != blocks.len() {
            return Err(refuse(
                "the parts hold different numbers of design parts".into(),
            ));
        }
        for (all, mine) in blocks.iter_mut().zip(of_part) {
            all.extend(
                mine.iter()
                    .map(|b| (b.first_chunk, b.chunks, b.sums.clone())),
            );
        }
    }
    let sums = crate::sensitivity::merge(model, &design, s.n_base, s.second_order, blocks)
        .map_err(|e| refuse(format!("the parts do not cover the analysis: {e}")))?;
    let result = super::sobol::build(scenario, model, &sums, &options, None);
    if let Some(out) = &args.out {
        write_json(out, &result)?;
    }
    Ok(table::with_overrides(
        // Labels only: `merge` takes no key-path option (the JSON has both).
        table::sobol_table(model, &result, false, args.all),
        &scenario.overrides,
    ))
}
