"""Writes fleet40_numpy.csv: fixed inputs of the k = 40 fleet model and
numpy's value of the model at each, for tests/test_functions.rs to check
that ecoband's `fleet40` is the same function bit for bit.

The model is the harness's own (bench/compare/models.py::fleet40, the
definition of src/test_functions.rs (Fleet): one IEEE-754 operation per
step in the documented order), so the test ties ecoband to the function
SALib and OpenTURNS are given. Inputs are drawn from the model's
distributions with a fixed seed, plus rows of extreme values; every number
is printed with repr, which Rust parses back to the same double.

    python3 -m venv venv && venv/bin/pip install numpy
    venv/bin/python tests/data/fleet40_numpy.py > tests/data/fleet40_numpy.csv
"""
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "compare"))
from models import CLASSES, GROUPS, fleet40  # noqa: E402


def draw(rng, n):
    cols = []
    for g in range(GROUPS):
        lo, hi = 2000.0 + 500.0 * g, 8760.0
        cols.append(rng.triangular(lo, lo + 0.7 * (hi - lo), hi, n))
    for g in range(GROUPS):
        cols.append(np.exp(math.log(4.0 + 1.5 * g) + (0.15 + 0.03 * g) * rng.standard_normal(n)))
    for g in range(GROUPS):
        lo = 0.2 + 0.02 * g
        cols.append(rng.uniform(lo, lo + 0.1 + 0.05 * g, n))
    cols.append(rng.triangular(1.1, 1.3, 1.9, n))
    cols.append(np.exp(math.log(0.35) + 0.2 * rng.standard_normal(n)))
    for c in range(CLASSES):
        m = 1.5 + 0.25 * c
        cols.append(rng.normal(m, 0.2 * m, n))
    return np.column_stack(cols)


def main():
    rng = np.random.default_rng(20261123)
    X = draw(rng, 500)
    # Rows that stress rounding: tiny, huge (no overflow: a product of five
    # inputs stays below 1e300) and mixed-sign values.
    extremes = rng.choice([1e-300, 3e-9, 0.1, 7.0, 1e9, 1e60, -2.5], size=(48, 40))
    X = np.vstack([X, extremes])
    y = fleet40(X)
    out = sys.stdout
    out.write("# x_0 … x_39, y = fleet40(x) by numpy " + np.__version__ + "\n")
    for row, value in zip(X, y):
        out.write(",".join(repr(float(v)) for v in row) + "," + repr(float(value)) + "\n")


if __name__ == "__main__":
    main()
