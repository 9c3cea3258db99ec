//! `ecoband inventory`: GPU-hours per tag from a synthetic Slurm export
//! match the generator's own account (tests/data/sacct_fleet.py), the rows
//! are a valid part of a scenario, and every malformed input is refused
//! with its file:line, exit 2 and no output file.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use common::{MINIMAL, repo_file};

/// The rules tests/data/sacct_fleet.py computes its expected totals for.
const FLEET_RULES: [&str; 6] = [
    "phase=ablation:-abl",
    "phase=pretraining:^pt-",
    "phase=finetuning:^ft-",
    "module=^[a-z]+-([a-z]+)-",
    "queue@partition=large:^gpu-(large|xl)$",
    "queue@partition=small:^gpu-",
];

/// Sums of a few thousand decimal GPU-hours: the generator's are exact
/// (math.fsum), ecoband's plain f64 sums in file order; both start from the
/// same correctly rounded per-job values, so they agree to ~1e-12.
const RELATIVE_TOLERANCE: f64 = 1e-9;

fn ecoband(args: &[&str]) -> Output {
    Command::cargo_bin("ecoband")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

fn fleet(extra: &[&str]) -> Output {
    let file = repo_file("tests/data/sacct_fleet.txt");
    let mut args = vec!["inventory", "sacct", file.to_str().unwrap()];
    for rule in FLEET_RULES {
        args.extend(["--tag-by", rule]);
    }
    args.extend(extra);
    ecoband(&args)
}

/// A generated row: its tags, GPU-hours and job count (from its source).
struct Row {
    tags: BTreeMap<String, String>,
    gpu_hours: f64,
    jobs: u64,
}

fn rows(text: &str) -> Vec<Row> {
    let doc: toml::Table = toml::from_str(text).unwrap();
    doc["inventory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let hours = &r["gpu_hours"];
            assert_eq!(hours["unit"].as_str(), Some("GPU-h"));
            let source = hours["source"].as_str().unwrap();
            let jobs = source
                .split(": ")
                .nth(1)
                .and_then(|s| s.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no job count in `{source}`"));
            Row {
                tags: r
                    .get("tags")
                    .map(|t| t.as_table().unwrap().clone())
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect(),
                gpu_hours: hours["value"].as_float().unwrap(),
                jobs,
            }
        })
        .collect()
}

fn assert_close(what: &str, got: f64, expected: f64) {
    let relative = (got - expected).abs() / expected.abs().max(f64::MIN_POSITIVE);
    assert!(
        relative <= RELATIVE_TOLERANCE,
        "{what}: {got} vs expected {expected} (relative {relative:e})"
    );
}

#[test]
fn sacct_totals_per_tag_match_the_generator() {
    let out = fleet(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = rows(&text);
    // Per (key, value): jobs and GPU-hours; and the grand total.
    let mut got: BTreeMap<(String, String), (u64, f64)> = BTreeMap::new();
    for row in &rows {
        assert_eq!(row.tags.len(), 4, "{:?}", row.tags);
        for (k, v) in row
            .tags
            .iter()
            .chain([(&"all".to_string(), &"all".to_string())])
        {
            let e = got.entry((k.clone(), v.clone())).or_default();
            e.0 += row.jobs;
            e.1 += row.gpu_hours;
        }
    }
    let expected =
        std::fs::read_to_string(repo_file("tests/data/sacct_fleet_expected.csv")).unwrap();
    let mut checked = 0;
    for line in expected.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (key, value, jobs, hours) = (
            f[0],
            f[1],
            f[2].parse::<u64>().unwrap(),
            f[3].parse().unwrap(),
        );
        if key == "zero-gpu" {
            // Counted and reported, never rows.
            let note = format!("{jobs} jobs held no GPU");
            assert!(
                stderr.contains(&note) && text.contains(&note),
                "{note}: {stderr}"
            );
            continue;
        }
        let (got_jobs, got_hours) = got
            .remove(&(key.to_string(), value.to_string()))
            .unwrap_or_else(|| panic!("no rows with {key} = {value}"));
        assert_eq!(got_jobs, jobs, "jobs with {key} = {value}");
        assert_close(&format!("{key} = {value}"), got_hours, hours);
        checked += 1;
        if value == "unmatched" && key != "all" {
            // The note says how many jobs and GPU-hours no rule matched.
            let note =
                format!("{jobs} jobs ({hours:.2} GPU-h) matched no --tag-by rule of `{key}`");
            assert!(stderr.contains(&note), "{note}: {stderr}");
            assert!(text.contains(&note), "{note} in the header");
        }
    }
    assert!(
        got.is_empty(),
        "tag values the generator does not know: {got:?}"
    );
    assert!(checked > 15, "{checked}");
    // Rows are one per distinct combination: names are unique.
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let names: std::collections::HashSet<&str> = doc["inventory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), rows.len());
    assert!(stderr.contains("job-step lines"), "{stderr}");
    assert!(text.contains(", 2025-"), "date ranges in the sources");
}

#[test]
fn out_file_holds_what_stdout_shows_and_pastes_into_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("rows.toml");
    let written = fleet(&["--out", out_path.to_str().unwrap()]);
    assert!(written.status.success());
    assert!(String::from_utf8_lossy(&written.stdout).contains("inventory rows written to"));
    let printed = fleet(&[]);
    let rows_text = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(rows_text.as_bytes(), printed.stdout.as_slice());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary left"
    );

    // The example scenario with its own row replaced by the generated ones.
    let example = std::fs::read_to_string(repo_file("scenarios/examples/my-project.toml")).unwrap();
    let head = &example[..example.find("[[inventory]]").unwrap()];
    let scenario = dir.path().join("from-sacct.toml");
    std::fs::write(&scenario, format!("{head}{rows_text}")).unwrap();
    let check = ecoband(&["check", scenario.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let json = dir.path().join("baseline.json");
    let baseline = ecoband(&[
        "baseline",
        scenario.to_str().unwrap(),
        "--out",
        json.to_str().unwrap(),
    ]);
    assert!(
        baseline.status.success(),
        "{}",
        String::from_utf8_lossy(&baseline.stderr)
    );
    let table = String::from_utf8_lossy(&baseline.stdout);
    for split in [
        "by phase:",
        "by module:",
        "by queue:",
        "by outcome:",
        "unmatched",
        "out-of-memory",
    ] {
        assert!(table.contains(split), "{split} in {table}");
    }
    // A what-if on a generated row works by its name.
    let set = ecoband(&[
        "baseline",
        scenario.to_str().unwrap(),
        "--set",
        "inventory.\"phase=ablation, module=helium, queue=large, outcome=cancelled\".gpu_hours=1",
    ]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
}

/// Runs `ecoband inventory KIND FILE ARGS --out DIR/rows.toml` on `text`;
/// asserts exit 2, no panic, every fragment in stderr, and no file left.
fn assert_refused(kind: &str, text: &str, args: &[&str], fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(if kind == "csv" {
        "jobs.csv"
    } else {
        "jobs.txt"
    });
    std::fs::write(&input, text).unwrap();
    refused_at(dir.path(), kind, input.to_str().unwrap(), args, fragments);
}

fn refused_at(dir: &Path, kind: &str, input: &str, args: &[&str], fragments: &[&str]) {
    let out = dir.join("rows.toml");
    let mut all = vec!["inventory", kind, input, "--out", out.to_str().unwrap()];
    all.extend(args);
    let output = ecoband(&all);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "expected `{f}` in: {stderr}");
    }
    assert!(!out.exists(), "an output file was left: {stderr}");
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporaries left: {left:?}");
}

const HEAD: &str = "JobID|JobName|Partition|Elapsed|AllocTRES|State\n";
const GOOD: &str = "7|pt-a|gpu|01:00:00|cpu=8,gres/gpu=8|COMPLETED\n";

#[test]
fn malformed_elapsed_is_refused_with_its_line() {
    let text = format!("{HEAD}{GOOD}8|pt-b|gpu|1-25:00:00|gres/gpu=1|COMPLETED\n");
    assert_refused(
        "sacct",
        &text,
        &[],
        &[
            "jobs.txt:3: ",
            "Elapsed `1-25:00:00`",
            "allowed: [D-]HH:MM:SS, MM:SS or MM:SS.mmm",
        ],
    );
}

#[test]
fn malformed_tres_is_refused_with_its_line() {
    for (tres, fragment) in [
        ("cpu=8,gres/gpu=x", "whole number"),
        ("cpu=8,gres/gpu", "no `=`"),
    ] {
        let text = format!("{HEAD}{GOOD}8|pt-b|gpu|01:00|{tres}|COMPLETED\n");
        assert_refused(
            "sacct",
            &text,
            &[],
            &[
                "jobs.txt:3: ",
                &format!("AllocTRES `{tres}`"),
                fragment,
                "allowed:",
            ],
        );
    }
}

#[test]
fn other_malformed_lines_are_refused() {
    for (line, fragments) in [
        (
            "8|pt-b|gpu|01:00|gres/gpu=1\n",
            vec!["jobs.txt:3: ", "5 fields, the header has 6"],
        ),
        (
            "8|pt-b|gpu|01:00|gres/gpu=1|FINISHED\n",
            vec!["jobs.txt:3: ", "State `FINISHED`", "allowed: BOOT_FAIL"],
        ),
        (
            "8x|pt-b|gpu|01:00|gres/gpu=1|FAILED\n",
            vec!["jobs.txt:3: ", "JobID `8x`", "allowed: JOB, JOB_TASK"],
        ),
    ] {
        assert_refused("sacct", &format!("{HEAD}{GOOD}{line}"), &[], &fragments);
    }
}

#[test]
fn missing_required_column_is_refused() {
    let text = "JobID|JobName|Elapsed|State\n7|pt-a|01:00|COMPLETED\n";
    assert_refused(
        "sacct",
        text,
        &[],
        &[
            "jobs.txt:1: ",
            "no column `AllocTRES`",
            "its columns: JobID, JobName, Elapsed, State",
            "sacct --allusers --parsable2",
        ],
    );
    // A column only a rule reads is required when that rule is given.
    assert_refused(
        "sacct",
        text.replace("JobName", "AllocTRES")
            .replace("pt-a", "gres/gpu=1")
            .as_str(),
        &["--tag-by", "phase=pt:^pt-"],
        &[
            "jobs.txt:1: ",
            "no column `JobName`",
            "read by --tag-by phase=pt:^pt-",
        ],
    );
}

#[test]
fn bad_regex_and_bad_tag_by_syntax_are_refused() {
    let text = format!("{HEAD}{GOOD}");
    assert_refused(
        "sacct",
        &text,
        &["--tag-by", "phase=pt:^(pt"],
        &[
            "--tag-by phase=pt:^(pt: ",
            "not a valid regular expression",
            "expected KEY[@COLUMN]=VALUE:REGEX",
        ],
    );
    for bad in [
        "phase",
        "ph ase=pt:^pt",
        "outcome=ok:^x",
        "phase=unmatched:^x",
        "phase@=x:^y",
        "phase=pt:",
    ] {
        assert_refused(
            "sacct",
            &text,
            &["--tag-by", bad],
            &[
                &format!("--tag-by {bad}: "),
                "expected KEY[@COLUMN]=VALUE:REGEX",
            ],
        );
    }
    assert_refused(
        "sacct",
        &text,
        &["--gpu-field", "gres/gpu="],
        &["--gpu-field gres/gpu=: "],
    );
}

#[test]
fn unreadable_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such.txt");
    refused_at(
        dir.path(),
        "sacct",
        missing.to_str().unwrap(),
        &[],
        &["no-such.txt: cannot read the file"],
    );
    // A folder is not a file either.
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    refused_at(
        dir.path(),
        "csv",
        folder.to_str().unwrap(),
        &[],
        &["folder: cannot read the file"],
    );
    let binary = dir.path().join("binary.txt");
    std::fs::write(&binary, b"JobID|Elapsed\n\xff\xfe\n").unwrap();
    refused_at(
        dir.path(),
        "sacct",
        binary.to_str().unwrap(),
        &[],
        &["binary.txt:2: ", "not UTF-8"],
    );
}

#[test]
fn unwritable_out_is_refused_before_reading() {
    // The input does not exist either: the output is checked first.
    let output = ecoband(&[
        "inventory",
        "sacct",
        "/no/such/jobs.txt",
        "--out",
        "/no/such/dir/rows.toml",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--out /no/such/dir/rows.toml: the folder /no/such/dir does not exist"),
        "{stderr}"
    );
}

#[test]
fn an_export_without_gpus_is_refused() {
    let text = "JobID|Elapsed|State|AllocTRES\n1|01:00|COMPLETED|cpu=4\n";
    assert_refused(
        "sacct",
        text,
        &[],
        &["none of its 1 jobs held a GPU", "--gpu-field"],
    );
}

#[test]
fn gpu_field_reads_a_type_or_another_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jobs.txt");
    std::fs::write(
        &file,
        "JobID|Elapsed|State|AllocTRES|ReqTRES|NGPU\n\
         1|01:00:00|COMPLETED|gres/gpu:a100=2,gres/gpu:h100=6|gres/gpu=4|3\n\
         2|02:00:00|TIMEOUT|gres/gpu:h100=1|gres/gpu=1|1\n",
    )
    .unwrap();
    let total = |field: &str| -> f64 {
        let out = ecoband(&[
            "inventory",
            "sacct",
            file.to_str().unwrap(),
            "--gpu-field",
            field,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        rows(&String::from_utf8(out.stdout).unwrap())
            .iter()
            .map(|r| r.gpu_hours)
            .sum()
    };
    assert_eq!(total("gres/gpu"), 8.0 + 2.0);
    assert_eq!(total("gres/gpu:h100"), 6.0 + 2.0);
    assert_eq!(total("ReqTRES:gres/gpu"), 4.0 + 2.0);
    assert_eq!(total("NGPU"), 3.0 + 2.0);
}

#[test]
fn csv_jobs_become_rows_that_check() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jobs.csv");
    std::fs::write(
        &file,
        "job,gpus,hours,tags\n\
         \"pt, first try\",8,10.5,phase=pretraining;outcome=failed\n\
         pt-2,8,100,phase=pretraining;outcome=completed\n\
         \"eval \"\"quick\"\"\",1,0.25,\"phase=eval\"\n\
         notebook,0,30,\n\
         pt-3,4,2,outcome=completed;phase=pretraining\n",
    )
    .unwrap();
    let out = ecoband(&["inventory", "csv", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = rows(&text);
    let find = |phase: &str, outcome: &str| {
        rows.iter()
            .find(|r| r.tags["phase"] == phase && r.tags["outcome"] == outcome)
            .unwrap_or_else(|| panic!("{phase}/{outcome} in {text}"))
    };
    assert_eq!(find("pretraining", "completed").gpu_hours, 808.0);
    assert_eq!(find("pretraining", "completed").jobs, 2);
    assert_eq!(find("pretraining", "failed").gpu_hours, 84.0);
    assert_eq!(find("eval", "untagged").gpu_hours, 0.25);
    assert_eq!(rows.len(), 3);
    assert!(stderr.contains("1 job held no GPU"), "{stderr}");
    assert!(
        stderr.contains("1 job (0.25 GPU-h) without the tag `outcome`"),
        "{stderr}"
    );

    let scenario = dir.path().join("s.toml");
    let head = &MINIMAL[..MINIMAL.find("[[inventory]]").unwrap()];
    std::fs::write(&scenario, format!("{head}{text}")).unwrap();
    let check = ecoband(&["check", scenario.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn malformed_csv_lines_are_refused() {
    for (text, fragments) in [
        ("job,gpus\nx,1\n", vec!["jobs.csv:1: ", "no column `hours`"]),
        (
            "job,gpus,hours\nx,1,2\ny,1\n",
            vec!["jobs.csv:3: ", "2 fields, the header has 3"],
        ),
        (
            "job,gpus,hours\nx,eight,2\n",
            vec!["jobs.csv:2: ", "gpus `eight`", "allowed:"],
        ),
        (
            "job,gpus,hours,tags\n\"a,b\",1,2,phase\n",
            vec!["jobs.csv:2: ", "`phase` has no `=`"],
        ),
        (
            "job,gpus,hours,tags\n\"multi\nline\",1,2,x=1\nz,1,-3,\n",
            vec!["jobs.csv:4: ", "hours `-3`"],
        ),
    ] {
        assert_refused("csv", text, &[], &fragments);
    }
}

#[test]
fn help_states_the_tag_rules() {
    let out = ecoband(&["inventory", "sacct", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for fragment in [
        "KEY=VALUE:REGEX",
        "the first match wins",
        "unmatched",
        "outcome",
        "1234.batch",
    ] {
        assert!(help.contains(fragment), "{fragment} in {help}");
    }
}

#[test]
fn docs_example_is_real() {
    // docs/inventory.md: its export (the first `text` block) gives exactly
    // its rows (the first `toml` block) with the command it shows.
    let doc = std::fs::read_to_string(repo_file("docs/inventory.md")).unwrap();
    let block = |fence: &str| {
        let start = doc.find(fence).unwrap() + fence.len();
        doc[start..start + doc[start..].find("```").unwrap()].to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jobs.txt"), block("```text\n")).unwrap();
    let out = Command::cargo_bin("ecoband")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "inventory",
            "sacct",
            "jobs.txt",
            "--tag-by",
            "phase=pretraining:^pt-",
            "--tag-by",
            "phase=ablation:^abl-",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), block("```toml\n"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        doc.contains(&stderr),
        "the session shows stderr as it is:\n{stderr}"
    );
}

#[test]
fn byte_order_mark_crlf_and_parsable_trailing_bar_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let sacct = dir.path().join("jobs.txt");
    std::fs::write(
        &sacct,
        "\u{feff}JobID|Elapsed|State|AllocTRES|\r\n1|01:00:00|COMPLETED|gres/gpu=2|\r\n",
    )
    .unwrap();
    let csv = dir.path().join("jobs.csv");
    std::fs::write(&csv, "\u{feff}job,gpus,hours\r\na,2,1\r\n").unwrap();
    for (kind, file) in [("sacct", &sacct), ("csv", &csv)] {
        let out = ecoband(&["inventory", kind, file.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows = rows(&String::from_utf8(out.stdout).unwrap());
        assert_eq!(rows.iter().map(|r| r.gpu_hours).sum::<f64>(), 2.0, "{kind}");
    }
}
