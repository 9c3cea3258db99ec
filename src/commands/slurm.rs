//! `ecoband slurm run|sobol|sweep`: a job folder with a job-array script
//! (one task per shard or sweep point) and a merge job, optionally
//! submitted; `slurm status` and `slurm resume` on that folder.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

use clap::Parser;

use crate::app::AppError;
use crate::cli::{Cli, Command, SlurmCommand, SlurmDirArgs, SlurmJobArgs, SlurmResumeArgs};
use crate::report::table::render_aligned;
use crate::shard::queue::{self, TaskState};
use crate::shard::slurm::{self, Job, MANIFEST, Resources, Submission, quote};

pub fn slurm(command: &SlurmCommand) -> Result<String, AppError> {
    match command {
        SlurmCommand::Run(args) => write_job("run", args),
        SlurmCommand::Sobol(args) => write_job("sobol", args),
        SlurmCommand::Sweep(args) => write_job("sweep", args),
        SlurmCommand::Status(args) => status(args),
        SlurmCommand::Resume(args) => resume(args),
    }
}

fn input(why: String) -> AppError {
    AppError::Input(why)
}

/// Options the job sets itself: given among the command's arguments they
/// are refused, with what the job does instead.
fn refuse_owned_options(kind: &str, args: &[String]) -> Result<(), AppError> {
    let owned: &[(&str, &str)] = &[
        ("--out", "the job writes into --out-dir"),
        ("-o", "the job writes into --out-dir"),
        ("--shard", "the array's tasks are the shards; give --shards"),
        ("--point", "the array's tasks are the sweep's points"),
        ("--collect", "the merge job collects the points"),
        (
            "--samples-out",
            "a shard evaluates only some chunks of the run; write raw samples from an unsharded run",
        ),
        ("--threads", "each task runs --cpus-per-task threads"),
        ("-t", "each task runs --cpus-per-task threads"),
        (
            "--precision",
            "--precision decides N from the whole run, which no shard sees; shard a fixed -n",
        ),
        (
            "--target-width",
            "--target-width decides N from the whole analysis, which no shard sees; shard a fixed --n-base",
        ),
    ];
    let slurm_options = [
        "--shards",
        "--out-dir",
        "--partition",
        "--time",
        "--mem",
        "--account",
        "--cpus-per-task",
        "--max-running",
        "--ecoband",
        "--submit",
    ];
    for a in args {
        // `-t4`, `-oFILE`: a short option glued to its value.
        let name = match a.get(..2) {
            Some(short @ ("-t" | "-o")) if !a.starts_with("--") => short,
            _ => a.split('=').next().unwrap_or(a),
        };
        if let Some((_, why)) = owned.iter().find(|(o, _)| *o == name) {
            return Err(input(format!(
                "ecoband slurm {kind}: {name} is not allowed among the command's arguments: {why}"
            )));
        }
        if slurm_options.contains(&name) {
            return Err(input(format!(
                "ecoband slurm {kind}: {name} is an option of `slurm {kind}`: give it before the scenario, e.g. ecoband slurm {kind} {name} … SCENARIO [OPTIONS]"
            )));
        }
    }
    Ok(())
}

/// Parses the command's own arguments as `ecoband KIND ARGS…` would and
/// checks what can be checked here (the scenario or sweep, its overrides,
/// every point), so that nothing wrong reaches the cluster. Returns the
/// file the job is named after and, for a sweep, each point's output.
fn check_command(kind: &str, args: &[String]) -> Result<(String, Vec<String>), AppError> {
    refuse_owned_options(kind, args)?;
    let argv = ["ecoband", kind]
        .into_iter()
        .map(String::from)
        .chain(args.iter().cloned());
    let cli = Cli::try_parse_from(argv).map_err(|e| {
        input(format!(
            "ecoband slurm {kind}: the arguments of `ecoband {kind}` are wrong:\n{}",
            e.render()
        ))
    })?;
    match cli.command {
        Command::Run(a) => {
            super::run::prepare(&a)?;
            Ok((a.scenario.display().to_string(), Vec::new()))
        }
        Command::Sobol(a) => {
            super::sobol::prepare(&a)?;
            Ok((a.scenario.display().to_string(), Vec::new()))
        }
        Command::Sweep(a) => {
            let prepared = super::sweep::prepare(&a)?;
            let outputs = prepared
                .files
                .iter()
                .map(|f| format!("points/{f}"))
                .collect();
            Ok((a.sweep.display().to_string(), outputs))
        }
        _ => unreachable!("argv names the command"),
    }
}

/// `ecoband-STEM`, in characters every Slurm tool shows as they are.
fn job_name(file: &str) -> String {
    let stem = Path::new(file)
        .file_stem()
        .map_or("job".into(), |s| s.to_string_lossy().to_string());
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("ecoband-{clean}")
}

/// A value written into an `#SBATCH` line: sbatch splits those lines at
/// blanks and knows no escapes, and a line break would end the directive,
/// so only the characters Slurm's own values use are allowed.
fn directive_value(option: &str, value: &Option<String>) -> Result<(), AppError> {
    let Some(v) = value else { return Ok(()) };
    let fits = |c: char| c.is_ascii_alphanumeric() || "-_.:+=,/@".contains(c);
    if v.is_empty() || !v.chars().all(fits) {
        return Err(input(format!(
            "{option} {v:?} is not allowed in a batch script; use letters, digits and - _ . : + = , / @ (e.g. --time 01:30:00, --mem 4G)"
        )));
    }
    Ok(())
}

fn write_job(kind: &str, a: &SlurmJobArgs) -> Result<String, AppError> {
    for (option, value) in [
        ("--partition", &a.partition),
        ("--time", &a.time),
        ("--mem", &a.mem),
        ("--account", &a.account),
    ] {
        directive_value(option, value)?;
    }
    let (file, points) = check_command(kind, &a.args)?;
    let outputs: Vec<String> = match (kind, a.shards) {
        ("sweep", None) => points,
        ("sweep", Some(_)) => {
            return Err(input(
                "ecoband slurm sweep: --shards is not allowed; a sweep runs one task per point"
                    .into(),
            ));
        }
        (_, None) => {
            return Err(input(format!(
                "ecoband slurm {kind}: give --shards N, the number of array tasks (e.g. --shards 16)"
            )));
        }
        (_, Some(n)) if n == 0 || n > 100_000 => {
            return Err(input(format!(
                "--shards {n} is not allowed; it is the number of array tasks, from 1 to 100000 (a cluster's MaxArraySize is often 1001)"
            )));
        }
        (_, Some(n)) => (0..n).map(|i| format!("parts/part-{i}.json")).collect(),
    };
    let dir = slurm::absolute(&a.out_dir).map_err(input)?;
    let text = dir.display().to_string();
    // `%` starts Slurm's file-name patterns and `\` turns them off; `"`
    // and line breaks would end an #SBATCH line.
    if text.contains(['"', '\n', '%', '\\']) {
        return Err(input(format!(
            "--out-dir {text}: a folder whose path holds `\"`, `%`, `\\` or a line break cannot be named in a batch script's --output"
        )));
    }
    if dir.join(MANIFEST).exists() {
        return Err(input(format!(
            "--out-dir {text} holds a job already ({MANIFEST}); see `ecoband slurm status {}`, or choose another folder",
            quote(&text)
        )));
    }
    let folder = if kind == "sweep" { "points" } else { "parts" };
    for sub in ["logs", folder] {
        std::fs::create_dir_all(dir.join(sub))
            .map_err(|e| input(format!("--out-dir {text}: cannot create {sub}/: {e}")))?;
    }
    let workdir = std::env::current_dir()
        .map_err(|e| AppError::Io(format!("cannot read the current folder: {e}")))?;
    let ecoband = match &a.ecoband {
        Some(p) => slurm::absolute(p).map_err(input)?,
        None => std::env::current_exe()
            .map_err(|e| AppError::Io(format!("cannot find this ecoband's path: {e}")))?,
    };
    let mut job = Job {
        format: slurm::FORMAT.into(),
        kind: kind.into(),
        name: job_name(&file),
        ecoband_version: env!("CARGO_PKG_VERSION").into(),
        workdir: workdir.display().to_string(),
        ecoband: ecoband.display().to_string(),
        args: a.args.clone(),
        outputs,
        results: match kind {
            "sweep" => vec!["sweep.json".into(), "sweep.csv".into()],
            _ => vec!["result.json".into()],
        },
        resources: Resources {
            partition: a.partition.clone(),
            time: a.time.clone(),
            mem: a.mem.clone(),
            account: a.account.clone(),
            cpus_per_task: a.cpus_per_task,
            max_running: a.max_running,
        },
        submissions: Vec::new(),
    };
    for (name, script) in [
        ("array.sbatch", job.array_script(&dir)),
        ("merge.sbatch", job.merge_script(&dir)),
    ] {
        crate::report::write::write_atomically(&dir.join(name), script.as_bytes())
            .map_err(|e| AppError::Io(format!("{}: {e}", dir.join(name).display())))?;
    }
    job.write(&dir).map_err(AppError::Io)?;
    let mut out = format!(
        "{}: {} array tasks ({}) and a merge job written to {}\n",
        job.name,
        job.tasks(),
        if kind == "sweep" {
            "one per point"
        } else {
            "one per shard"
        },
        dir.display()
    );
    if a.submit {
        let all: Vec<u64> = (0..job.tasks()).collect();
        out.push_str(&submit(&mut job, &dir, &all, &[])?);
    } else {
        let _ = writeln!(
            out,
            "submit with: ecoband slurm resume {} --submit",
            quote(&text)
        );
    }
    Ok(out)
}

/// `0,1,2,5,7,8` → `0-2,5,7-8` (sbatch --array's syntax).
fn ranges(tasks: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tasks.len() {
        let mut j = i;
        while j + 1 < tasks.len() && tasks[j + 1] == tasks[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            tasks[i].to_string()
        } else {
            format!("{}-{}", tasks[i], tasks[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// The sbatch arguments of an array over `tasks` and of its merge job
/// (which also waits for `still_queued` arrays to end, whatever their
/// outcome: it checks every part itself).
fn submission_args(job: &Job, tasks: &[u64], still_queued: &[String]) -> (Vec<String>, String) {
    let throttle = job
        .resources
        .max_running
        .map_or(String::new(), |m| format!("%{m}"));
    let array = vec![format!("--array={}{throttle}", ranges(tasks))];
    let mut dependency = "afterok:ARRAY".to_string();
    for id in still_queued {
        let _ = write!(dependency, ",afterany:{id}");
    }
    (array, dependency)
}

fn merge_args(dependency: &str) -> Vec<String> {
    // A dependency that can no longer be met (a task failed) cancels the
    // merge job instead of leaving it pending forever.
    vec![
        format!("--dependency={dependency}"),
        "--kill-on-invalid-dep=yes".into(),
    ]
}

/// Submits the array over `tasks` and its merge job; records them in the
/// manifest.
fn submit(
    job: &mut Job,
    dir: &Path,
    tasks: &[u64],
    still_queued: &[String],
) -> Result<String, AppError> {
    let workdir = Path::new(&job.workdir).to_path_buf();
    let (array_args, dependency) = submission_args(job, tasks, still_queued);
    let array =
        queue::sbatch(&array_args, &dir.join("array.sbatch"), &workdir).map_err(AppError::Io)?;
    let dependency = dependency.replace("ARRAY", &array);
    // The array is recorded before the merge is submitted: if that fails,
    // status still knows the running tasks and resume submits the merge.
    job.submissions.push(Submission {
        array: array.clone(),
        tasks: tasks.to_vec(),
        merge: String::new(),
    });
    job.write(dir).map_err(AppError::Io)?;
    let merge = queue::sbatch(&merge_args(&dependency), &dir.join("merge.sbatch"), &workdir)
        .map_err(|e| {
            AppError::Io(format!(
                "array job {array} was submitted, but its merge job was not: {e}; `ecoband slurm resume {} --submit` submits it",
                quote(&dir.display().to_string())
            ))
        })?;
    if let Some(last) = job.submissions.last_mut() {
        last.merge = merge.clone();
    }
    job.write(dir).map_err(AppError::Io)?;
    Ok(format!(
        "submitted array job {array} (tasks {}) and merge job {merge} (after it)\n",
        ranges(tasks)
    ))
}

/// The queue, asked only when something was submitted (so that status
/// works off the cluster for a job never submitted).
fn queue_of(job: &Job) -> Result<HashMap<String, String>, AppError> {
    if job.submissions.is_empty() {
        Ok(HashMap::new())
    } else {
        queue::queue().map_err(AppError::Io)
    }
}

/// The latest merge job's state, and whether the result is in place.
fn merge_state(job: &Job, dir: &Path, queued: &HashMap<String, String>) -> (String, bool) {
    let merged = job.results.iter().all(|r| dir.join(r).is_file());
    let state = match job.submissions.last() {
        _ if merged => format!("done: {}", job.results.join(", ")),
        None => "not submitted".into(),
        Some(s) => match queued.get(&s.merge) {
            Some(state) => format!("{} (job {})", state.to_lowercase(), s.merge),
            None => format!(
                "ended without a result (job {}: {}; log: logs/merge-{}.out)",
                s.merge,
                queue::ended(&s.merge)
                    .unwrap_or_else(|| { "cancelled because a task failed, or failed".into() }),
                s.merge
            ),
        },
    };
    (state, merged)
}

fn status(a: &SlurmDirArgs) -> Result<String, AppError> {
    let dir = slurm::absolute(&a.dir).map_err(input)?;
    let job = Job::read(&dir).map_err(input)?;
    let queued = queue_of(&job)?;
    let states = queue::task_states(&job, &dir, &queued);
    let mut rows = vec![
        ["task", "state", "job", "output"]
            .map(String::from)
            .to_vec(),
    ];
    for (i, s) in states.iter().enumerate() {
        let (id, output) = match s {
            TaskState::Done => (String::new(), job.outputs[i].clone()),
            TaskState::Queued { id, .. } => (id.clone(), String::new()),
            TaskState::Failed { id } => (
                id.clone(),
                format!(
                    "none: {}; log: logs/task-{id}.out",
                    queue::ended(id).unwrap_or_else(|| "no marker".into())
                ),
            ),
            TaskState::NotSubmitted => (String::new(), String::new()),
        };
        rows.push(vec![i.to_string(), s.word(), id, output]);
    }
    let mut out = format!(
        "{} — `ecoband {}` in {} array tasks ({})\n\n",
        job.name,
        job.kind,
        job.tasks(),
        dir.display()
    );
    out.push_str(&render_aligned(&rows, false));
    let (merge, _) = merge_state(&job, &dir, &queued);
    let _ = writeln!(out, "\nmerge: {merge}");
    let count = |word: &str| states.iter().filter(|s| s.word() == word).count();
    let words = ["done", "running", "pending", "failed", "not submitted"];
    let mut summary = words
        .iter()
        .map(|w| format!("{} {w}", count(w)))
        .collect::<Vec<_>>()
        .join(", ");
    // Queued in another state (requeued, suspended, …): shown in the table.
    let other = states.len() - words.iter().map(|w| count(w)).sum::<usize>();
    if other > 0 {
        let _ = write!(summary, ", {other} in another state (see the table)");
    }
    let _ = writeln!(out, "{summary}");
    let rerun: Vec<u64> = rerun_tasks(&states);
    if !rerun.is_empty() {
        let _ = writeln!(
            out,
            "rerun {} {} with: ecoband slurm resume {} --submit",
            if rerun.len() == 1 { "task" } else { "tasks" },
            ranges(&rerun),
            quote(&dir.display().to_string())
        );
    }
    Ok(out)
}

fn rerun_tasks(states: &[TaskState]) -> Vec<u64> {
    states
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s, TaskState::Failed { .. } | TaskState::NotSubmitted))
        .map(|(i, _)| i as u64)
        .collect()
}

fn resume(a: &SlurmResumeArgs) -> Result<String, AppError> {
    let dir = slurm::absolute(&a.dir).map_err(input)?;
    let mut job = Job::read(&dir).map_err(input)?;
    let queued = queue_of(&job)?;
    let states = queue::task_states(&job, &dir, &queued);
    let rerun = rerun_tasks(&states);
    // Arrays with tasks still queued: a new merge job waits for them too.
    let mut still_queued: Vec<String> = job
        .submissions
        .iter()
        .filter(|s| {
            s.tasks
                .iter()
                .any(|&t| matches!(states[t as usize], TaskState::Queued { .. }))
        })
        .map(|s| s.array.clone())
        .collect();
    still_queued.dedup();
    let (merge, merged) = merge_state(&job, &dir, &queued);
    let merge_queued = job
        .submissions
        .iter()
        .filter(|s| queued.contains_key(&s.merge))
        .map(|s| s.merge.clone())
        .collect::<Vec<_>>();
    if rerun.is_empty() {
        if merged {
            return Ok(format!(
                "nothing to resume: every task is done and merged ({merge})\n"
            ));
        }
        if !merge_queued.is_empty() {
            return Ok(format!(
                "nothing to resume: no task failed and the merge job is queued ({merge})\n"
            ));
        }
        // Every task done or queued, and no merge job waiting: only the
        // merge is submitted.
        let mut dependency = String::new();
        for id in &still_queued {
            let sep = if dependency.is_empty() { "" } else { "," };
            let _ = write!(dependency, "{sep}afterany:{id}");
        }
        let args: Vec<String> = if dependency.is_empty() {
            Vec::new()
        } else {
            merge_args(&dependency)
        };
        if !a.submit {
            return Ok(format!(
                "every task is done or queued; the merge would be submitted with:\n  sbatch {}{}\n(add --submit)\n",
                args.iter().map(|x| format!("{x} ")).collect::<String>(),
                quote(&dir.join("merge.sbatch").display().to_string())
            ));
        }
        let id = queue::sbatch(&args, &dir.join("merge.sbatch"), Path::new(&job.workdir))
            .map_err(AppError::Io)?;
        if let Some(last) = job.submissions.last_mut() {
            last.merge = id.clone();
        }
        job.write(&dir).map_err(AppError::Io)?;
        return Ok(format!("submitted merge job {id}\n"));
    }
    if !a.submit {
        let (array_args, dependency) = submission_args(&job, &rerun, &still_queued);
        return Ok(format!(
            "{} {} would be resubmitted with:\n  sbatch --parsable {} {}\n  sbatch --parsable {} {}\n(ARRAY: the first job's id; add --submit to do it)\n",
            if rerun.len() == 1 { "task" } else { "tasks" },
            ranges(&rerun),
            array_args.join(" "),
            quote(&dir.join("array.sbatch").display().to_string()),
            merge_args(&dependency).join(" "),
            quote(&dir.join("merge.sbatch").display().to_string())
        ));
    }
    // A merge job still waiting on an earlier array would run on
    // incomplete parts or wait forever: the new one replaces it.
    let mut out = String::new();
    for id in merge_queued {
        queue::scancel(&id).map_err(AppError::Io)?;
        let _ = writeln!(
            out,
            "cancelled merge job {id} (a new one follows the resubmitted tasks)"
        );
    }
    out.push_str(&submit(&mut job, &dir, &rerun, &still_queued)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_lists_are_written_as_sbatch_ranges() {
        assert_eq!(ranges(&[0, 1, 2, 5, 7, 8]), "0-2,5,7-8");
        assert_eq!(ranges(&[3]), "3");
        assert_eq!(ranges(&[]), "");
    }
}
