"""The two benchmark models, for SALib (problem dict) and OpenTURNS (marginals).

* ishigami: a = 7, b = 0.1, x_i ~ U(-pi, pi), k = 3.
* fleet40:  the k = 40 "LCA-like" fleet model of src/test_functions.rs (Fleet)
  (inputs, distributions and order of operations as written there; ecoband's
  built-in `model = "fleet40"` implements the same definition).

Models are vectorised over rows: X has shape (n, k), the result shape (n,).
OpenTURNS is imported only by ot_distribution (the driver needs just the names).
"""
import math

import numpy as np

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1


def ishigami_inputs():
    """[(name, dist, params)] in SALib conventions (see fleet40_inputs)."""
    return [(f"x{i}", "unif", [-math.pi, math.pi]) for i in (1, 2, 3)]


def ishigami(X):
    x1, x2, x3 = X[:, 0], X[:, 1], X[:, 2]
    return np.sin(x1) + ISHIGAMI_A * np.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * np.sin(x1)


GROUPS = 10  # machine groups g = 0..9
CLASSES = 8  # embodied-rate hardware classes c = 0..7; group g uses class g % 8


def fleet40_inputs():
    """The 40 inputs in index order, as (name, dist, params).

    SALib conventions: unif [lo, hi]; triang [lo, hi, c] with mode
    lo + c (hi - lo); lognorm [mu, sigma] in log space; norm [mean, sd].
    Parameters are computed in binary64 exactly as lca_like_model.md writes them.
    """
    p = [(f"hours_{g}", "triang", [2000.0 + 500.0 * g, 8760.0, 0.7]) for g in range(GROUPS)]
    p += [(f"P_{g}", "lognorm", [math.log(4.0 + 1.5 * g), 0.15 + 0.03 * g]) for g in range(GROUPS)]
    for g in range(GROUPS):
        lo = 0.2 + 0.02 * g
        p.append((f"load_{g}", "unif", [lo, lo + 0.1 + 0.05 * g]))
    p.append(("PUE", "triang", [1.1, 1.9, 0.25]))
    p.append(("CI", "lognorm", [math.log(0.35), 0.2]))
    for c in range(CLASSES):
        m = 1.5 + 0.25 * c
        p.append((f"E_{c}", "norm", [m, 0.2 * m]))
    return p


def fleet40(X):
    """y = sum_g hours_g (P_g load_g PUE CI + E_{g % 8}), one binary64 op per step
    in the documented order (so a Rust port can match it bit for bit)."""
    pue, ci = X[:, 30], X[:, 31]
    y = None
    for g in range(GROUPS):
        t = X[:, 10 + g] * X[:, 20 + g]
        t = t * pue
        t = t * ci
        v = X[:, g] * (t + X[:, 32 + g % CLASSES])
        y = v if y is None else y + v
    return y


MODELS = {
    "ishigami": (ishigami_inputs, ishigami),
    "fleet40": (fleet40_inputs, fleet40),
}


def salib_problem(model):
    inputs = MODELS[model][0]()
    return {
        "num_vars": len(inputs),
        "names": [n for n, _, _ in inputs],
        "bounds": [b for _, _, b in inputs],
        "dists": [d for _, d, _ in inputs],
    }


def ot_marginal(ot, dist, b):
    """The OpenTURNS distribution equal to one SALib (dist, params) input."""
    if dist == "unif":
        return ot.Uniform(b[0], b[1])
    if dist == "triang":
        lo, hi, c = b
        return ot.Triangular(lo, lo + c * (hi - lo), hi)
    if dist == "lognorm":
        return ot.LogNormal(b[0], b[1], 0.0)
    if dist == "norm":
        return ot.Normal(b[0], b[1])
    raise ValueError(f"unknown distribution {dist}")


def ot_distribution(model):
    import openturns as ot

    inputs = MODELS[model][0]()
    return ot.JointDistribution([ot_marginal(ot, d, b) for _, d, b in inputs])


def names(model):
    return [n for n, _, _ in MODELS[model][0]()]
