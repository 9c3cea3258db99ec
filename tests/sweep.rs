//! `ecoband sweep` end to end on the bundled sweeps, against truths: each
//! point is the comparison's side B of the same override; points share
//! their random numbers (two PUE points' energies are in exactly the PUE
//! ratio, sample by sample); the combined CSV is the points' JSON.

mod common;

use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

fn ecoband() -> Command {
    Command::cargo_bin("ecoband").unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn sweep(file: &str, dir: &Path, extra: &[&str]) -> Value {
    ecoband()
        .arg("sweep")
        .arg(common::repo_file(file))
        .args(["--samples", "20000", "--out"])
        .arg(dir)
        .args(extra)
        .assert()
        .success();
    json(&dir.join("sweep.json"))
}

#[test]
fn the_location_sweep_writes_the_combined_table_and_every_point() {
    let dir = tempfile::tempdir().unwrap();
    let r = sweep("scenarios/sweeps/moshi-by-location.toml", dir.path(), &[]);
    let names: Vec<&str> = r["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "country=FRA",
            "country=DEU",
            "country=POL",
            "country=SWE",
            "country=USA",
            "country=CHN"
        ]
    );
    // The CSV: one row per point and category, its numbers the JSON's.
    let mut csv = csv::Reader::from_path(dir.path().join("sweep.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6 * 5);
    for row in &rows {
        let p = r["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == row[col("point")])
            .unwrap();
        assert_eq!(p["axes"]["country"], row[col("country")]);
        let point = json(&dir.path().join(p["file"].as_str().unwrap()));
        let total = &point["impacts"][&row[col("category")]];
        for (column, field) in [
            ("mean", "mean"),
            ("median", "median"),
            ("baseline", "baseline"),
        ] {
            let x: f64 = row[col(column)].parse().unwrap();
            assert_eq!(x, total[field].as_f64().unwrap(), "{column}");
        }
    }
    // Germany's grid is several times more carbon-intensive than France's.
    let gwp = |i: usize| r["points"][i]["impacts"]["gwp"]["mean"].as_f64().unwrap();
    assert!(gwp(1) > 3.0 * gwp(0));
}

#[test]
fn a_point_is_side_b_of_the_same_comparison() {
    let dir = tempfile::tempdir().unwrap();
    sweep("scenarios/sweeps/moshi-by-location.toml", dir.path(), &[]);
    let point = json(&dir.path().join("points/country=DEU.json"));
    let out = dir.path().join("compare.json");
    ecoband()
        .arg("compare")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args([
            "--samples",
            "20000",
            "--set-b",
            "electricity.preset=\"DEU\"",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let c = json(&out);
    for (cat, impact) in point["impacts"].as_object().unwrap() {
        let mut total = impact.clone();
        // Histograms and convergence checkpoints are a run's only.
        for k in ["unit", "by_scope", "by_tag", "distribution", "convergence"] {
            total.as_object_mut().unwrap().remove(k);
        }
        assert_eq!(c["comparison"][cat]["b"], total, "{cat}");
    }
    assert_eq!(point["settings"]["overrides"], c["b"]["overrides"]);
}

#[test]
fn points_share_their_random_numbers() {
    // Energy is proportional to the PUE sample by sample; with common
    // random numbers the mean energies of two PUE points are in exactly
    // the PUE ratio (to rounding), where independent runs of 20,000
    // samples would differ by about 0.3 % (their MC error).
    let dir = tempfile::tempdir().unwrap();
    let r = sweep("scenarios/sweeps/moshi-lifetime-pue.toml", dir.path(), &[]);
    let points = r["points"].as_array().unwrap();
    assert_eq!(points.len(), 36);
    let energy = |name: &str| {
        points.iter().find(|p| p["name"] == name).unwrap()["impacts"]["energy_kwh"]["mean"]
            .as_f64()
            .unwrap()
    };
    let ratio = energy("lifetime=4yr,pue=1.6") / energy("lifetime=4yr,pue=1.1");
    assert!((ratio / (1.6 / 1.1) - 1.0).abs() < 1e-12, "{ratio}");
    // The lifetime changes embodied impacts only: same energy.
    assert_eq!(
        energy("lifetime=3yr,pue=1.3"),
        energy("lifetime=8yr,pue=1.3")
    );
}

#[test]
fn a_sweep_is_the_same_for_any_thread_count() {
    let mut files = Vec::new();
    for threads in ["1", "3"] {
        let dir = tempfile::tempdir().unwrap();
        sweep(
            "scenarios/sweeps/moshi-by-location.toml",
            dir.path(),
            &["--threads", threads],
        );
        files.push((
            std::fs::read(dir.path().join("sweep.json")).unwrap(),
            std::fs::read(dir.path().join("sweep.csv")).unwrap(),
            std::fs::read(dir.path().join("points/country=USA.json")).unwrap(),
        ));
    }
    assert_eq!(files[0], files[1]);
}

#[test]
fn a_bad_point_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let moshi = common::repo_file("scenarios/moshi.toml");
    let text = format!(
        "[sweep]\nscenario = {:?}\n[[axis]]\nname = \"pue\"\nkey = \"datacenter.peu\"\nvalues = [1.2, 1.3]\n",
        moshi.display().to_string()
    );
    let file = common::write_scenario(dir.path(), "bad.toml", &text);
    let out = dir.path().join("out");
    ecoband()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("point `pue=1.2`"))
        .stderr(contains("did you mean `datacenter.pue`?"));
    assert!(!out.exists());
    // A malformed sweep file names its line.
    let file = common::write_scenario(
        dir.path(),
        "bad2.toml",
        "[sweep]\nscenario = \"x.toml\"\n[[axis]]\nkey = \"a\"\nvalues = 3\n",
    );
    ecoband()
        .arg("sweep")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("bad2.toml:5"));
}

fn sweep_file(dir: &Path, body: &str) -> std::path::PathBuf {
    let moshi = common::repo_file("scenarios/moshi.toml");
    let text = format!(
        "[sweep]\nscenario = {:?}\nsamples = 2000\n{body}",
        moshi.display().to_string()
    );
    common::write_scenario(dir, "s.toml", &text)
}

#[test]
fn a_grid_through_the_base_value_is_accepted_and_a_useless_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    // MINIMAL writes pue = 1.2: the grid's first point is the scenario
    // itself, the reference of the axis.
    let minimal = common::write_scenario(dir.path(), "minimal.toml", common::MINIMAL);
    let grid = "[[axis]]\nname = \"pue\"\nkey = \"datacenter.pue\"\nvalues = [1.2, 1.4]\n";
    let text = format!(
        "[sweep]\nscenario = {:?}\n{grid}",
        minimal.display().to_string()
    );
    let file = common::write_scenario(dir.path(), "g.toml", &text);
    let r = sweep(file.to_str().unwrap(), &dir.path().join("out"), &[]);
    assert_eq!(r["points"].as_array().unwrap().len(), 2);
    assert_eq!(r["settings"]["sampler"], "mc-keyed");
    // A listed point that changes nothing is refused.
    let text = format!(
        "[sweep]\nscenario = {:?}\n[[point]]\nset = {{ \"datacenter.pue\" = 1.2 }}\n",
        minimal.display().to_string()
    );
    let listed = common::write_scenario(dir.path(), "l.toml", &text);
    ecoband()
        .arg("sweep")
        .arg(&listed)
        .assert()
        .code(2)
        .stderr(contains("changes no output"));
    // On BLOOM (apply_pue = false) every PUE point changes nothing.
    let bloom = common::repo_file("scenarios/bloom.toml");
    let text = format!(
        "[sweep]\nscenario = {:?}\n{grid}",
        bloom.display().to_string()
    );
    let useless = common::write_scenario(dir.path(), "u.toml", &text);
    ecoband()
        .arg("sweep")
        .arg(&useless)
        .assert()
        .code(2)
        .stderr(contains("apply_pue = false"));
}

#[test]
fn sweep_refusals_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    // Two names that clean to one file.
    let file = sweep_file(
        dir.path(),
        "[[point]]\nname = \"a/b\"\nset = { \"datacenter.pue\" = 1.3 }\n[[point]]\nname = \"a:b\"\nset = { \"datacenter.pue\" = 1.4 }\n",
    );
    ecoband()
        .arg("sweep")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("would both be written to points/a_b.json"));
    // A dotted key unquoted in an inline table.
    let file = sweep_file(dir.path(), "[[point]]\nset = { datacenter.pue = 1.3 }\n");
    ecoband()
        .arg("sweep")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains(
            "quote the whole key, e.g. set = { \"datacenter.pue\" = … }",
        ));
    // An output folder that cannot be made.
    let file = sweep_file(
        dir.path(),
        "[[point]]\nset = { \"datacenter.pue\" = 1.3 }\n",
    );
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    ecoband()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(blocker.join("out"))
        .assert()
        .code(2)
        .stderr(contains("nothing was computed"));
}

#[test]
fn set_changes_the_base_of_every_point() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(
        dir.path(),
        "[[point]]\nname = \"lifetime 4\"\nset = { \"profiles.dgx_h100.lifetime_years\" = { value = 4, unit = \"yr\" } }\n",
    );
    let with = sweep(
        file.to_str().unwrap(),
        &dir.path().join("with"),
        &["--set", "datacenter.pue=1.4"],
    );
    assert_eq!(with["settings"]["overrides"][0], "datacenter.pue=1.4");
    // The point equals compare's B with both changes on a base of PUE 1.4.
    let point = &with["points"][0];
    let out = dir.path().join("c.json");
    ecoband()
        .arg("compare")
        .arg(common::repo_file("scenarios/moshi.toml"))
        .args(["--set", "datacenter.pue=1.4", "-n", "20000", "--seed"])
        .arg(with["settings"]["seed"].to_string())
        .args([
            "--set-b",
            "profiles.dgx_h100.lifetime_years={ value = 4, unit = \"yr\" }",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let c = json(&out);
    assert_eq!(
        point["impacts"]["gwp"]["mean"],
        c["comparison"]["gwp"]["b"]["mean"]
    );
}

#[test]
fn points_computed_apart_collect_to_the_unsplit_sweeps_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = common::repo_file("scenarios/sweeps/moshi-by-location.toml");
    let (whole, split) = (dir.path().join("whole"), dir.path().join("split"));
    let sweep = |args: &[&str], out: &Path| {
        ecoband()
            .arg("sweep")
            .arg(&file)
            .args(["-n", "5000", "-q"])
            .args(args)
            .arg("--out")
            .arg(out)
            .assert()
    };
    sweep(&[], &whole).success();
    // In any order, as Slurm array tasks finish.
    for i in [5, 0, 3, 1, 4, 2] {
        sweep(&["--point", &i.to_string()], &split).success();
    }
    sweep(&["--collect"], &split).success();
    for name in ["sweep.json", "sweep.csv", "points/country=DEU.json"] {
        assert_eq!(
            std::fs::read(whole.join(name)).unwrap(),
            std::fs::read(split.join(name)).unwrap(),
            "{name}"
        );
    }
    // A missing point, a point made with other settings, a point that does
    // not exist: refused, and nothing is written.
    std::fs::remove_file(split.join("sweep.json")).unwrap();
    std::fs::remove_file(split.join("points/country=POL.json")).unwrap();
    sweep(&["--collect"], &split)
        .code(2)
        .stderr(contains("point 2 missing"))
        .stderr(contains("--point 2 --out"));
    sweep(&["--point", "2", "-s", "7"], &split).success();
    sweep(&["--collect"], &split)
        .code(2)
        .stderr(contains("is not point `country=POL` of this sweep"));
    assert!(!split.join("sweep.json").exists());
    sweep(&["--point", "6"], &split)
        .code(2)
        .stderr(contains("has 6 points, numbered 0 to 5"));
}
