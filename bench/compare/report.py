"""Agreement check and Markdown tables from the harness's results file.

Standard library only: `python3 report.py [RESULTS.jsonl]` rewrites RESULTS.md and
the section of BENCHMARKS.md between the compare markers, without the venv.
"""
import datetime
import itertools
import json
import math
import os
import sys
from pathlib import Path

BEGIN, END = "<!-- compare:begin -->", "<!-- compare:end -->"
SECTION = "## Side by side: SALib, OpenTURNS, ecoband"
LABEL = {"salib": "SALib", "openturns": "OpenTURNS", "ecoband": "ecoband",
         "ecoband-mc": "ecoband mc"}
ORDER = ["salib", "openturns", "ecoband", "ecoband-mc"]
MODELS = ["ishigami", "fleet40"]
# The agreement tolerance is WIDEN x (sum of the two half-widths). The 10 %
# covers the intervals' own sampling error: a bootstrap half-width from 100
# resamples is itself uncertain by ~7 % (1/sqrt(2 x 99)).
WIDEN = 1.10
# Exact Ishigami indices (a = 7, b = 0.1; closed form of Sobol' & Levitan 1999),
# full precision: the 4-decimal values
# [0.3139, 0.4424, 0] / [0.5576, 0.4424, 0.2437] would be off by up to 5e-5,
# more than ecoband's half-widths at N = 2^20.
ISHIGAMI_EXACT = {"S1": [0.31390519114781146, 0.4424111447900409, 0.0],
                  "ST": [0.5575888552099592, 0.4424111447900409, 0.2436836640621477]}
TOP_INPUTS = 12


# ---------------------------------------------------------------- records
def load(path):
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def latest(records):
    """(tool, model, n) -> the latest ok record, else the latest record."""
    out = {}
    for r in records:
        key = (r["tool"], r["model"], r["n"])
        if r["status"] == "ok" or out.get(key, {}).get("status") != "ok":
            out[key] = r
    return out


def half(ci):
    return (ci[1] - ci[0]) / 2


def one_line(r):
    if r["status"] != "ok":
        return f"{r['status']}: {(r.get('reason') or r.get('error', '')).strip()[:300]}"
    return (f"{r['wall_s']:8.2f} s  {r['peak_rss_mib']:8.1f} MiB  "
            f"{r['evaluations']:>11,} evaluations  ({r['repeats']} run(s))")


# ------------------------------------------------------------ agreement
def agreement(recs):
    """Every pairwise and (Ishigami) exact comparison: a list of dicts with `ok`."""
    checks = []
    for model, n in sorted({(m, n) for (_, m, n) in recs}, key=lambda x: (MODELS.index(x[0]), x[1])):
        ok = [recs[(t, model, n)] for t in ORDER if recs.get((t, model, n), {}).get("status") == "ok"]
        names = ok[0]["names"] if ok else []
        for idx in ("S1", "ST"):
            for a, b in itertools.combinations(ok, 2):
                for i, name in enumerate(names):
                    ha, hb = half(a[idx + "_ci"][i]), half(b[idx + "_ci"][i])
                    d = abs(a[idx][i] - b[idx][i])
                    checks.append({"model": model, "n": n, "index": idx, "input": name,
                                   "a": a["tool"], "b": b["tool"], "va": a[idx][i], "ha": ha,
                                   "vb": b[idx][i], "hb": hb, "diff": d, "allowed": WIDEN * (ha + hb),
                                   "ok": d <= WIDEN * (ha + hb)})
            if model != "ishigami":
                continue
            for a in ok:
                for i, name in enumerate(names):
                    ha, exact = half(a[idx + "_ci"][i]), ISHIGAMI_EXACT[idx][i]
                    d = abs(a[idx][i] - exact)
                    checks.append({"model": model, "n": n, "index": idx, "input": name,
                                   "a": a["tool"], "b": "exact", "va": a[idx][i], "ha": ha,
                                   "vb": exact, "hb": 0.0, "diff": d, "allowed": WIDEN * ha,
                                   "ok": d <= WIDEN * ha})
    return checks


def agreement_text(recs):
    checks = agreement(recs)
    bad = [c for c in checks if not c["ok"]]
    pairs = [c for c in checks if c["b"] != "exact"]
    exact = [c for c in checks if c["b"] == "exact"]
    lines = [
        f"Criterion: |a − b| ≤ {WIDEN:.2f} × (half_a + half_b) between tools, and "
        f"|a − exact| ≤ {WIDEN:.2f} × half_a for Ishigami, half = half the 95 % interval's "
        f"width; ×{WIDEN:.2f} because the half-widths are themselves estimates (a 100-resample "
        "bootstrap half-width is uncertain by ~7 %).",
        "",
        f"{len(pairs)} tool-vs-tool and {len(exact)} vs-exact comparisons; "
        f"**{len(bad)} outside the tolerance**. By chance alone up to ~3 % of vs-exact "
        "comparisons may miss (a 95 % interval widened by 10 % misses 3.1 % of the time), and "
        "fewer tool-vs-tool ones (0.2 % for equal widths, up to 3.1 % when one interval "
        "dominates), so isolated misses are expected; a systematic one is not.",
    ]
    lines += ["", z_table(checks)]
    if bad:
        lines += ["", "Outside the tolerance:", "", "| model | N | index | input | tool a | a ± half | tool b | b ± half | "
                  "\\|a − b\\| | allowed |", "|---|---|---|---|---|---:|---|---:|---:|---:|"]
        for c in bad:
            lines.append(f"| {c['model']} | {pow2(c['n'])} | {c['index']} | {c['input']} | "
                         f"{LABEL[c['a']]} | {pm(c['va'], c['ha'])} | "
                         f"{LABEL.get(c['b'], c['b'])} | {pm(c['vb'], c['hb'])} | "
                         f"{c['diff']:.4f} | {c['allowed']:.4f} |")
    return "\n".join(lines)


def z_table(checks):
    """Per model and pair: how far apart the estimates are in units of their errors."""
    groups = {}
    for c in checks:
        sigma = math.hypot(c["ha"], c["hb"]) / 1.96
        z = (c["va"] - c["vb"]) / sigma if sigma > 0 else 0.0
        g = groups.setdefault((c["model"], c["a"], c["b"]), {"S1": [], "ST": [], "ns": set()})
        g[c["index"]].append((z, c["ok"]))
        g["ns"].add(c["n"])
    lines = ["z = (a − b) / √(σa² + σb²), σ = half / 1.96, over every input and N: rms z ≈ 1 "
             "when both intervals are right-sized, < 1 when they are wider than the actual "
             "error (SALib's bootstrap treats QMC points as independent), > 1 or a mean far "
             "from 0 when the tools disagree.", "",
             "| model | a vs b | N | S1: mean z, rms z, max \\|z\\| | S1 outside | "
             "ST: mean z, rms z, max \\|z\\| | ST outside |", "|---|---|---|---:|---:|---:|---:|"]
    for (model, a, b), g in groups.items():
        cells = []
        for idx in ("S1", "ST"):
            zs = [z for z, _ in g[idx]]
            rms = math.sqrt(sum(z * z for z in zs) / len(zs))
            cells += [f"{sum(zs) / len(zs):+.2f}, {rms:.2f}, {max(map(abs, zs)):.2f}",
                      f"{sum(not ok for _, ok in g[idx])} / {len(zs)}"]
        ns = sorted(g["ns"])
        span = pow2(ns[0]) if len(ns) == 1 else f"{pow2(ns[0])}–{pow2(ns[-1])}"
        lines.append(f"| {model} | {LABEL[a]} vs {LABEL.get(b, b)} | {span} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- machine
def mem_total_gib():
    with open("/proc/meminfo") as fh:
        kib = next(int(line.split()[1]) for line in fh if line.startswith("MemTotal:"))
    return kib / 2**20


def cpu_model():
    with open("/proc/cpuinfo") as fh:
        return next((line.split(":", 1)[1].strip() for line in fh
                     if line.startswith("model name")), "unknown CPU")


def versions(recs):
    """tool -> version as recorded by the runs (the latest record that has it)."""
    v = {}
    for r in sorted((r for r in recs.values() if r["status"] == "ok"), key=lambda r: r["date"]):
        v["python"] = r["python"]
        if r["tool"] in ("salib", "openturns"):
            v.update({"numpy": r["numpy"], r["tool"]: r["tool_version"]})
        elif r["tool"] == "ecoband":
            v.update(ecoband=f"{r['tool_version']} (commit {r['ecoband_commit']})", rustc=r["rustc"])
    return v


# ------------------------------------------------------------------ tables
def pow2(n):
    return f"2^{n.bit_length() - 1}"


def num(x, digits=2):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.3f}" if x < 0.1 else f"{x:.{digits}f}"


def rate(r):
    per_s = r["evaluations"] / r["wall_s"]
    return f"{per_s / 1e6:.2f} M/s" if per_s >= 1e6 else f"{per_s / 1e3:.0f} k/s"


def timing_table(recs, model):
    rows = sorted((r for r in recs.values() if r["model"] == model),
                  key=lambda r: (r["n"], ORDER.index(r["tool"])))
    out = ["| N | tool | design | evaluations | wall s | in-process s | evaluations/s (wall) | "
           "peak RSS MiB | CPU s | load |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r["status"] != "ok":
            why = r.get("reason") or r.get("error", "").splitlines()[0]
            out.append(f"| {pow2(r['n'])} | {LABEL[r['tool']]} | {r['status']}: {why} "
                       "| | | | | | | |")
            continue
        cpu = r["user_s"] + r["sys_s"]
        out.append(f"| {pow2(r['n'])} | {LABEL[r['tool']]} | {r['design']} | "
                   f"{r['evaluations']:,} | {num(r['wall_s'])} | {num(r.get('compute_s'))} | "
                   f"{rate(r)} | {r['peak_rss_mib']:,.0f} | {num(cpu)} | {r['loadavg_1m']:.1f} |")
    return "\n".join(out)


def speedup_table(recs):
    out = ["| model | N | ecoband s | SALib s (ecoband ×) | SALib in-process s (×) | "
           "OpenTURNS s (×) | OpenTURNS in-process s (×) | peak RSS MiB: ecoband / SALib / OpenTURNS |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for model in MODELS:
        for n in sorted({n for (t, m, n) in recs if m == model}):
            eco = recs.get(("ecoband", model, n))
            if not eco or eco["status"] != "ok":
                continue
            cells, rss = [], [f"{eco['peak_rss_mib']:.1f}"]
            for tool in ("salib", "openturns"):
                r = recs.get((tool, model, n))
                if not r or r["status"] != "ok":
                    cells += ["–", "–"]
                    rss.append("–")
                    continue
                for t in (r["wall_s"], r["compute_s"]):
                    cells.append(f"{num(t)} (×{t / eco['wall_s']:,.0f})" if t / eco["wall_s"] >= 10
                                 else f"{num(t)} (×{t / eco['wall_s']:.1f})")
                rss.append(f"{r['peak_rss_mib']:,.0f}")
            out.append(f"| {model} | {pow2(n)} | {num(eco['wall_s'], 3)} | " + " | ".join(cells)
                       + f" | {' / '.join(rss)} |")
    return "\n".join(out)


def common_n(recs, model, tools=("salib", "openturns", "ecoband")):
    ns = [n for n in {n for (_, m, n) in recs if m == model}
          if all(recs.get((t, model, n), {}).get("status") == "ok" for t in tools)]
    return max(ns) if ns else None


def pm(value, h):
    """value ± h with 4 decimals, more when h would round to 0.0000 (ecoband's RQMC)."""
    d = 4 if h >= 5e-4 or h <= 0 else min(7, math.ceil(-math.log10(h)) + 1)
    return f"{value:.{d}f} ± {h:.{d}f}"


def pm_index(r, idx, i):
    return pm(r[idx][i], half(r[idx + "_ci"][i]))


def indices_table(recs, model):
    n = common_n(recs, model)
    if n is None:
        return f"(no N at which SALib, OpenTURNS and ecoband all ran {model})"
    tools = [t for t in ORDER if recs.get((t, model, n), {}).get("status") == "ok"]
    rs = [recs[(t, model, n)] for t in tools]
    names = rs[0]["names"]
    lead = recs[("ecoband", model, n)]
    order = sorted(range(len(names)), key=lambda i: -lead["ST"][i])[:TOP_INPUTS]
    exact = model == "ishigami"
    head = ["input"] + [f"S1 {LABEL[t]}" for t in tools] + ([f"S1 exact"] if exact else []) \
        + [f"ST {LABEL[t]}" for t in tools] + (["ST exact"] if exact else [])
    out = [f"N = {pow2(n)} (± half the 95 % interval; "
           + ("the inputs with the largest ecoband ST" if not exact else "exact values to 7 decimals")
           + "):", "", "| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for i in order:
        row = [names[i]] + [pm_index(r, "S1", i) for r in rs]
        row += [f"{ISHIGAMI_EXACT['S1'][i]:.7f}"] if exact else []
        row += [pm_index(r, "ST", i) for r in rs]
        row += [f"{ISHIGAMI_EXACT['ST'][i]:.7f}"] if exact else []
        out.append("| " + " | ".join(row) + " |")
    sums = [f"{LABEL[r['tool']]} ΣS1 = {sum(r['S1']):.3f}, ΣST = {sum(r['ST']):.3f}" for r in rs]
    out += ["", "; ".join(sums) + "."]
    return "\n".join(out)


def header(recs):
    v = versions(recs)
    dates = sorted(r["date"][:10] for r in recs.values() if r["status"] == "ok")
    when = f"{dates[0]} to {dates[-1]}" if dates and dates[0] != dates[-1] else (dates or ["–"])[0]
    loads = [r["loadavg_1m"] for r in recs.values() if r["status"] == "ok"]
    return "\n".join([
        f"Machine: {cpu_model()}, {os.cpu_count()} cores (nproc), {mem_total_gib():.0f} GiB. "
        f"Runs: {when}; generated {datetime.date.today().isoformat()}.",
        f"Versions: Python {v.get('python', '–')}, SALib {v.get('salib', '–')}, "
        f"OpenTURNS {v.get('openturns', '–')}, numpy {v.get('numpy', '–')}, "
        f"ecoband {v.get('ecoband', '–')}, {v.get('rustc', 'rustc –')}.",
        "",
        "**Noisy numbers.** Two cores, shared with other engineers' compilations during these "
        "runs (the `load` column is the 1-minute load average when each run started; "
        f"{min(loads, default=0):.1f}–{max(loads, default=0):.1f}): treat differences under "
        "~20 % as noise. Runs under 30 s are the median of 3.",
    ])


def method_text():
    return "\n".join([
        "Each configuration ran in its own process (`bench/compare/compare.py`; the full "
        "sweep is `bench/compare/run.sh`): **wall s** is that process's whole life "
        "(interpreter start-up and imports included for the Python tools, ~0.5–1.5 s), "
        "**in-process s** the sampling + evaluation + analysis timed inside it, **peak RSS** "
        "the process's maximum resident set (GNU time), **CPU s** user + system (SALib "
        "and OpenTURNS use one core, ecoband both; CPU s well below wall s × threads means "
        "the process was waiting for a core).",
        "",
        "* SALib: `sample.sobol.sample(calc_second_order=False)` (scrambled Sobol'), numpy "
        "model, `analyze.sobol.analyze` with its bootstrap intervals (100 resamples, 95 %). "
        "One thread.",
        "* OpenTURNS: `SobolIndicesExperiment` (Monte Carlo, its default), numpy model, "
        "`JansenSensitivityAlgorithm` with its bootstrap intervals (100 resamples, 95 %). "
        "Jansen's ST is the estimator SALib and ecoband use; its S1 estimator is "
        "noisier than Saltelli 2010's for small indices (wider intervals on fleet40).",
        "* ecoband: `ecoband sobol SCENARIO --n-base N/8 --replicates 8 --sampler sobol`: "
        "8 independently scrambled Sobol' replicates of N/8 base samples each, i.e. "
        "8 (N/8)(k + 2) = N (k + 2) evaluations, the same as SALib's and OpenTURNS's N; "
        "Student-t intervals over the 8 replicates; both cores. `ecoband mc` is "
        "`--sampler mc --n-base N` (intervals from 32 batch means).",
        "* Same N means the same number of model evaluations N (k + 2) for every tool.",
    ])


def markdown(recs):
    parts = [header(recs), "", method_text()]
    for model in MODELS:
        if any(m == model for (_, m, _) in recs):
            k = 3 if model == "ishigami" else 40
            parts += ["", f"### {model} (k = {k}): time and memory", "", timing_table(recs, model)]
    parts += ["", "### Speed-up of ecoband at the same N", "",
              "× = the other tool's time / ecoband's wall time. Each tool's rows come "
              "from its latest sweep, which may have run under a different load "
              "(the `load` column of the time tables: the 1-minute load average "
              "when the configuration started); on this 2-core machine a busy "
              "neighbour slows a run by up to 2×, far less than the ratios.",
              "", speedup_table(recs)]
    for model in MODELS:
        parts += ["", f"### Indices: {model}", "", indices_table(recs, model)]
    parts += ["", "### Agreement check", "", agreement_text(recs)]
    return "\n".join(parts) + "\n"


def write_all(results, repo):
    recs = latest(load(results))
    body = markdown(recs)
    here = Path(__file__).resolve().parent
    (here / "RESULTS.md").write_text(f"# Side by side: SALib, OpenTURNS, ecoband\n\n{body}")
    bench = Path(repo) / "BENCHMARKS.md"
    text = bench.read_text()
    block = f"{BEGIN}\n{body}{END}"
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        text = pre + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{block}\n"
    bench.write_text(text)
    print(f"wrote {here / 'RESULTS.md'} and the compare section of {bench}")
    print(agreement_text(recs))


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    write_all(sys.argv[1] if len(sys.argv) > 1 else here / "results" / "results.jsonl",
              here.parents[1])
