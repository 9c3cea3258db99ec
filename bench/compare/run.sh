#!/bin/sh
# Side-by-side Sobol' benchmark (SALib, OpenTURNS, ecoband): makes the venv on
# first use (or when requirements.txt changes), builds ecoband in release, then
# runs compare.py with these arguments (see README.md; --help for all options).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/requirements.installed"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$venv/requirements.installed"
fi
(cd "$repo" && cargo build --release --quiet)
exec "$venv/bin/python" "$here/compare.py" "$@"
