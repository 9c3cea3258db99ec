#!/usr/bin/env python3
"""Side by side: the same Sobol' first- and total-order analysis with confidence
intervals in SALib, OpenTURNS and ecoband, one child process per configuration.

Each configuration (tool, model, N) runs in its own child under GNU time, which
gives the child's peak RSS; wall time is measured around it. One JSON line per
configuration is appended to the results file; the report (report.py) takes the
latest record of each configuration, so rerunning a subset supersedes only it.

    run.sh                                     # the full sweep, then the report
    run.sh --tools ecoband ecoband-mc          # re-measure ecoband only
    run.sh --tools salib --models fleet40 --n 16 18 --max-seconds 120
    run.sh --smoke                             # N = 2^10, every tool and model
    run.sh --report-only                       # rewrite RESULTS.md, BENCHMARKS.md
"""
import argparse
import datetime
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import report
from models import names as model_names

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ECOBAND = REPO / "target" / "release" / "ecoband"
GNU_TIME = "/usr/bin/time"
SCENARIOS = {
    "ishigami": REPO / "scenarios" / "test-functions" / "ishigami.toml",
    "fleet40": REPO / "scenarios" / "test-functions" / "fleet40.toml",
}
K = {"ishigami": 3, "fleet40": 40}
TOOLS = ["salib", "openturns", "ecoband", "ecoband-mc"]
PYTHON_TOOLS = ("salib", "openturns")
# log2 N per tool: the Python tools stop at 2^18 (SALib's fleet40 2^20 design alone
# is 13 GiB, twice over); ecoband streams, so 2^20 costs it no memory.
DEFAULT_EXPS = {"salib": [12, 14, 16, 18], "openturns": [12, 14, 16, 18],
                "ecoband": [12, 14, 16, 18, 20], "ecoband-mc": [12, 14, 16, 18, 20]}
SMOKE_EXP = 10
# ecoband's default sampler: R scrambled Sobol' replicates of N/R base samples each,
# so R (N/R)(k + 2) = N (k + 2) evaluations, the same as SALib's and OpenTURNS's N.
REPLICATES = 8
# Beyond this, run times grow faster than N in SALib (its bootstrap's index arrays
# outgrow the caches: x8.6 from fleet40 2^16 to 2^18 in the baseline), so a time
# predicted from a smaller N is scaled by (N / N')^1.5, not linearly.
TIME_EXPONENT = 1.5


def ecoband_argv(tool, model, n, seed, out):
    sampler = ["--sampler", "mc", "--n-base", str(n)] if tool == "ecoband-mc" else [
        "--sampler", "sobol", "--n-base", str(n // REPLICATES), "--replicates", str(REPLICATES)]
    return [str(ECOBAND), "sobol", str(SCENARIOS[model]), *sampler,
            "--seed", str(seed), "--out", str(out)]


def python_argv(tool, model, n, seed, args):
    return [sys.executable, str(HERE / "pytools.py"), tool, model, str(n), str(seed),
            "--ot-ci", args.ot_ci]


def timed_child(argv, stem, timeout):
    """Run argv under GNU time; returns wall s, peak RSS MiB, CPU s, rc, stdout.

    GNU time, not os.wait4 here: a child's ru_maxrss includes the RSS of the
    process it was forked from (Linux keeps the pre-exec high-water mark), and
    this Python process is far bigger than ecoband; GNU time's own is ~1 MiB.
    """
    timefile = stem.with_suffix(".time")
    with open(stem.with_suffix(".stdout"), "w") as so, open(stem.with_suffix(".stderr"), "w") as se:
        t0 = time.perf_counter()
        # own session, so a timeout can kill time and its child together
        p = subprocess.Popen([GNU_TIME, "-f", "%M %U %S", "-o", str(timefile), *argv],
                             stdout=so, stderr=se, start_new_session=True)
        killer = threading.Timer(timeout, os.killpg, (p.pid, signal.SIGKILL))
        killer.start()
        rc = p.wait()
        wall = time.perf_counter() - t0
        killer.cancel()
    res = {"wall_s": wall, "rc": rc, "stdout": stem.with_suffix(".stdout").read_text()}
    if rc == -signal.SIGKILL:
        res["error"] = f"killed after the {timeout:.0f} s timeout"
        return res
    # GNU time writes "Command exited with non-zero status" first on failure
    maxrss_kib, user, sys_ = timefile.read_text().split("\n")[-2].split()
    res.update(peak_rss_mib=int(maxrss_kib) / 1024, user_s=float(user), sys_s=float(sys_))
    if rc != 0:
        res["error"] = f"exit status {rc}: " + stem.with_suffix(".stderr").read_text()[-1500:]
    return res


def ecoband_indices(path, model):
    """S1, ST and intervals from an `ecoband sobol --out` file, in the models' input order."""
    doc = json.loads(Path(path).read_text())
    rows = {r["factor"]: r for r in doc["sobol"]["y"]["total"]["indices"]}
    expect = model_names(model)
    if sorted(rows) != sorted(expect):
        raise ValueError(f"ecoband's factors {sorted(rows)} are not the model's {sorted(expect)}")
    s = doc["settings"]
    return {
        "tool_version": doc["ecoband_version"],
        "evaluations": s["evaluations"],
        "design": (f"{s['replicates']} × {s['n_base']} scrambled Sobol'" if s["sampler"] == "sobol"
                   else f"{s['sampler']}, N = {s['n_base']}"),
        "estimators": f"S1 {s['first_order']}, ST {s['total_order']}",
        "ci_method": s["ci_method"],
        "S1": [rows[f]["s1"] for f in expect], "S1_ci": [rows[f]["s1_ci"] for f in expect],
        "ST": [rows[f]["st"] for f in expect], "ST_ci": [rows[f]["st_ci"] for f in expect],
    }


def run_once(tool, model, n, seed, args, scratch):
    stem = scratch / f"{tool}-{model}-{n}"
    if tool in PYTHON_TOOLS:
        res = timed_child(python_argv(tool, model, n, seed, args), stem, args.timeout)
        if "error" not in res:
            res.update(json.loads(res["stdout"]))
    else:
        out = stem.with_suffix(".json")
        out.unlink(missing_ok=True)
        res = timed_child(ecoband_argv(tool, model, n, seed, out), stem, args.timeout)
        if "error" not in res:
            res.update(ecoband_indices(out, model))
    del res["stdout"]
    res["names"] = model_names(model)
    return res


def predicted_rss_gib(tool, model, n):
    """Peak memory the Python tools need, from what the baseline measured."""
    evals = n * (K[model] + 2)
    design = 2 * evals * K[model] * 8  # unit-cube design and a scaled copy, float64
    if tool == "salib":
        # the bootstrap holds ~8.5 arrays of N x resamples floats (Ishigami 2^20: 6.6 GiB)
        return max(design, 8.5 * n * 100 * 8) / 2**30
    if tool == "openturns":
        return 1.6 * design / 2**30  # fleet40 2^18: 5.5 GiB
    return 0.0  # ecoband streams: a few MiB whatever N


def predicted_seconds(tool, model, n, records):
    """Wall time of this configuration as last measured, else scaled from a smaller N."""
    done = {r["n"]: r["wall_s"] for r in records
            if r["tool"] == tool and r["model"] == model and r["status"] == "ok"}
    if n in done:
        return done[n]
    smaller = [m for m in done if m < n]
    if not smaller:
        return None
    m = max(smaller)
    return done[m] * (n / m) ** TIME_EXPONENT


def skip_reason(tool, model, n, args, records):
    gib = predicted_rss_gib(tool, model, n)
    if gib > args.mem_limit_gib:
        return f"predicted peak memory {gib:.1f} GiB > {args.mem_limit_gib:.1f} GiB"
    secs = predicted_seconds(tool, model, n, records)
    if args.max_seconds is not None and secs is not None and secs > args.max_seconds:
        return f"predicted {secs:.0f} s > --max-seconds {args.max_seconds:.0f}"
    return None


def run_config(tool, model, n, args, records, scratch, env):
    base = {"tool": tool, "model": model, "k": K[model], "n": n, "log2n": n.bit_length() - 1,
            "seed": args.seed, "date": datetime.datetime.now().astimezone().isoformat(
                timespec="seconds"), "loadavg_1m": os.getloadavg()[0], **env}
    if tool.startswith("ecoband"):
        base["ecoband_commit"] = env["repo_commit"]
    reason = skip_reason(tool, model, n, args, records)
    if reason:
        return dict(base, status="skipped", reason=reason)
    runs = []
    while len(runs) < args.repeats:
        res = run_once(tool, model, n, args.seed, args, scratch)
        if "error" in res:
            return dict(base, status="failed", **res)
        runs.append(res)
        if res["wall_s"] > args.repeat_below:
            break  # long runs are not repeated
    rec = dict(base, status="ok", **runs[0], repeats=len(runs))
    # noisy shared machine: the median of short repeats, and the largest RSS
    for key in ("wall_s", "compute_s", "user_s", "sys_s"):
        if key in rec:
            rec[key] = statistics.median(r[key] for r in runs)
    rec["wall_s_all"] = [r["wall_s"] for r in runs]
    rec["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    return rec


def environment():
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO).stdout.strip()
        except OSError:
            return None
    commit = out(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
    if out(["git", "status", "--porcelain", "--untracked-files=no", "src", "Cargo.toml"]):
        commit += "+dirty"
    return {"python": platform.python_version(), "rustc": out(["rustc", "--version"]),
            "repo_commit": commit, "nproc": os.cpu_count()}


def configurations(args):
    for model in args.models:
        for tool in args.tools:
            for e in args.n or DEFAULT_EXPS[tool]:
                yield tool, model, 2**e


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", nargs="+", choices=TOOLS, default=TOOLS)
    ap.add_argument("--models", nargs="+", choices=list(K), default=list(K))
    ap.add_argument("--n", nargs="+", type=int, metavar="LOG2N",
                    help="log2 of N (default: 12 14 16 18, and 20 for ecoband)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3,
                    help="runs per configuration (median wall time) while a run is short")
    ap.add_argument("--repeat-below", type=float, default=30.0, metavar="SECONDS",
                    help="a run longer than this is not repeated")
    ap.add_argument("--max-seconds", type=float, metavar="S",
                    help="skip configurations predicted (from earlier results) to take longer")
    ap.add_argument("--timeout", type=float, default=3600.0, metavar="S",
                    help="kill a child after this long")
    ap.add_argument("--mem-limit-gib", type=float, default=0.8 * report.mem_total_gib(),
                    help="skip configurations predicted to need more (default 80%% of RAM)")
    ap.add_argument("--ot-ci", choices=["bootstrap", "asymptotic"], default="bootstrap",
                    help="OpenTURNS interval method (default: its bootstrap)")
    ap.add_argument("--results", type=Path, default=HERE / "results" / "results.jsonl")
    ap.add_argument("--smoke", action="store_true",
                    help=f"N = 2^{SMOKE_EXP}, one run each, into results/smoke.jsonl; no report")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args()
    if any(e < 9 or e > 30 for e in args.n or []):
        # ecoband's N per replicate, N/8, must be at least 64
        ap.error("--n takes log2 N, 9..30")
    if args.smoke:
        args.n, args.repeats = [SMOKE_EXP], 1
        args.results = HERE / "results" / "smoke.jsonl"
        args.results.unlink(missing_ok=True)
    return args


def main():
    args = parse_args()
    if not args.report_only:
        if not os.access(GNU_TIME, os.X_OK):
            sys.exit(f"{GNU_TIME} (GNU time) is needed to measure each child's peak RSS")
        if any(t.startswith("ecoband") for t in args.tools) and not ECOBAND.exists():
            sys.exit(f"{ECOBAND} is missing: run `cargo build --release` (run.sh does)")
        scratch = args.results.parent / "scratch"
        scratch.mkdir(parents=True, exist_ok=True)
        records = report.load(args.results)
        env = environment()
        failed = 0
        for tool, model, n in configurations(args):
            print(f"{tool:10} {model:8} N = 2^{n.bit_length() - 1:<3}", end=" ", flush=True)
            rec = run_config(tool, model, n, args, records, scratch, env)
            records.append(rec)
            with open(args.results, "a") as fh:
                fh.write(json.dumps(rec) + "\n")
            failed += rec["status"] == "failed"
            print(report.one_line(rec), flush=True)
        if args.smoke or args.no_report:
            print(report.agreement_text(report.latest(records)))
            sys.exit(1 if failed else 0)
    report.write_all(args.results, REPO)


if __name__ == "__main__":
    main()
