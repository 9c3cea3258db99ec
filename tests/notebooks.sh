#!/usr/bin/env bash
# Executes every notebook of notebooks/ with nbclient and fails on any
# error (each notebook asserts what it computed), after checking that the
# committed notebooks are stripped (no outputs, execution_count null).
#
# Uses target/release/ecoband (built with `cargo build --release` only if
# missing) and a venv in target/notebook-venv with notebooks/requirements.txt
# (reinstalled when that file changes). Writes nothing into the repository:
# the notebooks run in notebooks/ (so their relative paths hold), write their
# own files to temporary folders, and the executed copies go to
# target/notebooks/.
#
# Needs python3 with the venv module (Debian: apt-get install python3-venv).
# NOTEBOOK_CELL_TIMEOUT sets the per-cell timeout in seconds (default 300).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# 1. The committed notebooks are stripped.
python3 - notebooks/*.ipynb <<'EOF'
import json
import sys

bad = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            bad.append(f"{path}: cell {i} has outputs or an execution_count")
if bad:
    print("\n".join(bad), file=sys.stderr)
    print("clear their outputs before committing (Jupyter: Edit > Clear Outputs of All Cells)",
          file=sys.stderr)
    sys.exit(1)
print(f"notebooks: {len(sys.argv) - 1} committed notebooks are stripped")
EOF

# 2. The binary the notebooks run.
ecoband="$root/target/release/ecoband"
if [ ! -x "$ecoband" ]; then
  echo "notebooks: $ecoband missing, building it"
  cargo build --release
fi

# 3. The venv, rebuilt when broken, reinstalled when the requirements change.
venv="$root/target/notebook-venv"
start=$SECONDS
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv"; then
    echo "notebooks: python3 -m venv failed; on Debian: apt-get install python3-venv" >&2
    exit 1
  fi
fi
if ! cmp -s notebooks/requirements.txt "$venv/requirements.txt"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r notebooks/requirements.txt
  cp notebooks/requirements.txt "$venv/requirements.txt"
fi
echo "notebooks: venv ready in $((SECONDS - start)) s"

# 4. Execute each notebook in notebooks/, copies into target/notebooks/.
before=$(git status --porcelain --untracked-files=all -- notebooks 2>/dev/null || true)
mkdir -p target/notebooks
start=$SECONDS
ECOBAND="$ecoband" "$venv/bin/python" - notebooks/*.ipynb <<'EOF'
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

timeout = int(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "300"))
failed = []
for path in map(Path, sys.argv[1:]):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    began = time.monotonic()
    try:
        client.execute()
        print(f"notebooks: {path} ran in {time.monotonic() - began:.1f} s")
    except Exception as e:  # a failed cell, a timeout, a dead kernel
        print(f"notebooks: {path} FAILED\n{e}", file=sys.stderr)
        failed.append(path)
    finally:
        nbformat.write(nb, Path("target/notebooks") / path.name)
if failed:
    sys.exit(f"notebooks: {len(failed)} failed (executed copies in target/notebooks/)")
EOF
echo "notebooks: executed in $((SECONDS - start)) s"

after=$(git status --porcelain --untracked-files=all -- notebooks 2>/dev/null || true)
if [ "$before" != "$after" ]; then
  echo "notebooks: running them changed notebooks/:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
