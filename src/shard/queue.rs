//! What Slurm says about a job's tasks, and submitting to it: `sbatch
//! --parsable`, `squeue` (many clusters have no `sacct`, so a task that
//! left the queue without its completion marker is a failed task) and
//! `scancel`.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use super::slurm::Job;

/// A task's state, from its marker and the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    /// Its marker and output are in place.
    Done,
    /// In the queue: squeue's state (PENDING, RUNNING, …) and job id.
    Queued {
        state: String,
        id: String,
    },
    /// Submitted, no longer queued, and no marker: it failed, was
    /// cancelled or ran out of time (its log says which).
    Failed {
        id: String,
    },
    NotSubmitted,
}

impl TaskState {
    pub fn word(&self) -> String {
        match self {
            TaskState::Done => "done".into(),
            TaskState::Queued { state, .. } => match state.as_str() {
                "PENDING" => "pending".into(),
                "RUNNING" | "COMPLETING" | "CONFIGURING" => "running".into(),
                other => other.to_lowercase(),
            },
            TaskState::Failed { .. } => "failed".into(),
            TaskState::NotSubmitted => "not submitted".into(),
        }
    }
}

/// The job ids squeue knows, with their state: `123_4` (array task) or
/// `124` (the merge job) → `PENDING`, `RUNNING`, ….
pub fn queue() -> Result<HashMap<String, String>, String> {
    // `--user=NAME` rather than `--me` (Slurm 20.11 and later only); asking
    // for the job ids themselves fails once Slurm forgets one of them.
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .map_or_else(|_| "--me".to_string(), |u| format!("--user={u}"));
    let out = Command::new("squeue")
        .args(["--noheader", "--array", &user, "--format=%i|%T"])
        .output()
        .map_err(|e| {
            format!("cannot run squeue ({e}): run this on a machine of the Slurm cluster")
        })?;
    if !out.status.success() {
        return Err(format!(
            "squeue failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('|'))
        .map(|(id, state)| (id.trim().to_string(), state.trim().to_string()))
        .collect())
}

/// Every task's state: its marker, else its latest submission's entry in
/// the queue. A pending array not yet split into tasks is listed by
/// squeue as `ID_[0-3]`; such a task counts as pending.
pub fn task_states(job: &Job, dir: &Path, queued: &HashMap<String, String>) -> Vec<TaskState> {
    (0..job.tasks())
        .map(|i| {
            let whole =
                dir.join(job.marker(i)).is_file() && dir.join(&job.outputs[i as usize]).is_file();
            if whole {
                return TaskState::Done;
            }
            let Some(sub) = job.submissions.iter().rev().find(|s| s.tasks.contains(&i)) else {
                return TaskState::NotSubmitted;
            };
            let id = format!("{}_{i}", sub.array);
            if let Some(state) = queued.get(&id) {
                return TaskState::Queued {
                    state: state.clone(),
                    id,
                };
            }
            let prefix = format!("{}_[", sub.array);
            if let Some(state) = queued
                .iter()
                .find(|(k, _)| k.starts_with(&prefix) && pending_range_holds(&k[prefix.len()..], i))
                .map(|(_, v)| v)
            {
                return TaskState::Queued {
                    state: state.clone(),
                    id,
                };
            }
            TaskState::Failed { id }
        })
        .collect()
}

/// Whether squeue's still-pending index list, e.g. `1,3-5%2]`, holds `i`.
fn pending_range_holds(list: &str, i: u64) -> bool {
    let list = list.trim_end_matches(']');
    let list = list.split('%').next().unwrap_or("");
    list.split(',').any(|part| match part.split_once('-') {
        Some((a, b)) => match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(a), Ok(b)) => (a..=b).contains(&i),
            _ => false,
        },
        None => part.parse::<u64>() == Ok(i),
    })
}

/// How a job that left the queue ended, while slurmctld still remembers it
/// (MinJobAge, 300 s by default): e.g. `CANCELLED (DependencyNeverSatisfied)`
/// or `FAILED (exit 2)`. None once it is forgotten.
pub fn ended(id: &str) -> Option<String> {
    let out = Command::new("scontrol")
        .args(["show", "job", "--oneliner", id])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_string)
    };
    let state = field("JobState")?;
    let why = match state.as_str() {
        "FAILED" => {
            field("ExitCode").map(|c| format!("exit {}", c.split(':').next().unwrap_or(&c)))
        }
        _ => field("Reason").filter(|r| r != "None"),
    };
    Some(match why {
        Some(w) => format!("{state} ({w})"),
        None => state,
    })
}

/// `sbatch --parsable ARGS… SCRIPT` from `workdir`: the job id.
pub fn sbatch(args: &[String], script: &Path, workdir: &Path) -> Result<String, String> {
    let out = Command::new("sbatch")
        .arg("--parsable")
        .args(args)
        .arg(script)
        .current_dir(workdir)
        .output()
        .map_err(|e| {
            format!("cannot run sbatch ({e}): submit from a machine of the Slurm cluster")
        })?;
    if !out.status.success() {
        return Err(format!(
            "sbatch {} refused: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    // `--parsable` prints `ID` or `ID;CLUSTER`.
    let text = String::from_utf8_lossy(&out.stdout);
    let id = text.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("sbatch printed `{}`, not a job id", text.trim()));
    }
    Ok(id)
}

pub fn scancel(id: &str) -> Result<(), String> {
    let status = Command::new("scancel")
        .arg(id)
        .status()
        .map_err(|e| format!("cannot run scancel ({e})"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("scancel {id} failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_index_lists_are_read_like_squeue_writes_them() {
        assert!(pending_range_holds("0-3]", 2));
        assert!(!pending_range_holds("0-3]", 4));
        assert!(pending_range_holds("1,3-5%2]", 4));
        assert!(pending_range_holds("1,3-5%2]", 1));
        assert!(!pending_range_holds("1,3-5%2]", 2));
    }
}
