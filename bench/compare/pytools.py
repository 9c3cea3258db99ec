#!/usr/bin/env python3
"""One SALib or OpenTURNS Sobol' analysis in this process; prints one JSON object.

    python pytools.py salib|openturns MODEL N SEED [--ot-ci bootstrap|asymptotic]

The harness (compare.py) runs this in a fresh child per configuration and measures
the child's wall time and peak RSS from outside; the stage times printed here are
the in-process part (sampling, evaluation, analysis) without interpreter start-up
and imports.
"""
import argparse
import json
import platform
import sys
import time

LEVEL = 0.95
RESAMPLES = 100  # SALib's and OpenTURNS's default bootstrap size


def run_salib(model, n, seed):
    import importlib.metadata

    import numpy as np
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    from models import MODELS, salib_problem

    problem = salib_problem(model)
    f = MODELS[model][1]
    t0 = time.perf_counter()
    X = sample.sample(problem, n, calc_second_order=False, seed=seed)
    t1 = time.perf_counter()
    Y = f(X)
    evaluations = X.shape[0]
    del X  # what a careful user does: the analysis needs only Y
    t2 = time.perf_counter()
    Si = analyze.analyze(problem, Y, calc_second_order=False, num_resamples=RESAMPLES,
                         conf_level=LEVEL, seed=seed)
    t3 = time.perf_counter()
    # SALib reports half-widths (z * bootstrap sd), centred on the estimate
    s1, s1h = np.asarray(Si["S1"]), np.asarray(Si["S1_conf"])
    st, sth = np.asarray(Si["ST"]), np.asarray(Si["ST_conf"])
    return {
        "tool_version": importlib.metadata.version("SALib"),
        "numpy": np.__version__,
        "evaluations": int(evaluations),
        "design": f"scrambled Sobol' (scipy), N = {n}",
        "estimators": "S1 Saltelli 2010, ST Jansen 1999",
        "ci_method": f"bootstrap, {RESAMPLES} resamples, normal (z) half-width",
        "stages_s": {"sample": t1 - t0, "evaluate": t2 - t1, "analyze": t3 - t2},
        "S1": s1.tolist(), "S1_ci": np.c_[s1 - s1h, s1 + s1h].tolist(),
        "ST": st.tolist(), "ST_ci": np.c_[st - sth, st + sth].tolist(),
    }


def interval(ot_interval):
    return [[lo, hi] for lo, hi in zip(ot_interval.getLowerBound(), ot_interval.getUpperBound())]


def run_openturns(model, n, seed, ci):
    import numpy as np
    import openturns as ot

    from models import MODELS, ot_distribution

    f = MODELS[model][1]
    ot.RandomGenerator.SetSeed(seed)
    dist = ot_distribution(model)
    t0 = time.perf_counter()
    X = ot.SobolIndicesExperiment(dist, n, False).generate()
    t1 = time.perf_counter()
    Y = ot.Sample(f(np.asarray(X)).reshape(-1, 1))
    t2 = time.perf_counter()
    # Jansen: its ST estimator is the one SALib and ecoband use
    alg = ot.JansenSensitivityAlgorithm(X, Y, n)
    alg.setUseAsymptoticDistribution(ci == "asymptotic")
    alg.setConfidenceLevel(LEVEL)
    s1, st = alg.getFirstOrderIndices(), alg.getTotalOrderIndices()
    s1_ci, st_ci = alg.getFirstOrderIndicesInterval(), alg.getTotalOrderIndicesInterval()
    t3 = time.perf_counter()
    boot = ot.ResourceMap.GetAsUnsignedInteger("SobolIndicesAlgorithm-DefaultBootstrapSize")
    return {
        "tool_version": ot.__version__,
        "numpy": np.__version__,
        "evaluations": int(X.getSize()),
        "design": ot.ResourceMap.Get("SobolIndicesExperiment-SamplingMethod") + f", N = {n}",
        "estimators": "Jansen 1999 (S1 and ST)",
        "ci_method": (f"bootstrap, {boot} resamples" if ci == "bootstrap"
                      else "asymptotic (delta method)"),
        "tbb_threads": ot.TBB.GetThreadsNumber(),
        "stages_s": {"sample": t1 - t0, "evaluate": t2 - t1, "analyze": t3 - t2},
        "S1": list(s1), "S1_ci": interval(s1_ci),
        "ST": list(st), "ST_ci": interval(st_ci),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("tool", choices=["salib", "openturns"])
    ap.add_argument("model")
    ap.add_argument("n", type=int)
    ap.add_argument("seed", type=int)
    ap.add_argument("--ot-ci", choices=["bootstrap", "asymptotic"], default="bootstrap")
    a = ap.parse_args()
    if a.tool == "salib":
        out = run_salib(a.model, a.n, a.seed)
    else:
        out = run_openturns(a.model, a.n, a.seed, a.ot_ci)
    out["compute_s"] = sum(out["stages_s"].values())
    out["python"] = platform.python_version()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
