#!/usr/bin/env bash
# `ecoband slurm` against a real Slurm: brings up a one-node cluster
# (tools/slurm-local.sh, as root), submits a 4-shard run, a 3-shard sobol
# and the location sweep, and checks each merged result is byte for byte
# the single-machine one. Then the failure path: a task made to fail
# leaves the merge job cancelled (not pending forever), `slurm status`
# names the failed task, and `slurm resume --submit` completes the set to
# the same bytes. The cluster is stopped whatever happens.
#
# Usage (from anywhere; needs a release build): tests/slurm-cluster.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ecoband="$root/target/release/ecoband"
[ -x "$ecoband" ] || { echo "build first: cargo build --release" >&2; exit 1; }

export ECOBAND_SLURM_DIR=${ECOBAND_SLURM_DIR:-/tmp/ecoband-slurm-test}
work=$(mktemp -d)
stop() {
  tools/slurm-local-stop.sh
  rm -rf "$work"
}
trap stop EXIT
eval "$(tools/slurm-local.sh)"

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

# Waits until none of our jobs is queued (at most 5 minutes).
drain() {
  for _ in $(seq 600); do
    [ -z "$(squeue -h --me)" ] && return 0
    sleep 0.5
  done
  squeue >&2
  fail "jobs still queued after 5 minutes"
}

same() { # same SINGLE MERGED WHAT
  cmp "$1" "$2" || fail "$3: the merged result differs from the single run"
  echo "$3: merged result byte-identical to the single run ($(wc -c < "$1") bytes)"
}

# Paths with spaces, as users have them.
jobs="$work/slurm jobs"

step "4-shard run, 3-shard sobol and the 6-point location sweep through sbatch"
"$ecoband" slurm run --shards 4 --cpus-per-task 1 --time 00:10:00 --out-dir "$jobs/run" --submit \
  scenarios/moshi.toml -n 400000 --exceed gwp=60t --quantiles 0.01
"$ecoband" slurm sobol --shards 3 --out-dir "$jobs/sobol" --submit \
  scenarios/bloom.toml --n-base 2048 --second-order
"$ecoband" slurm sweep --max-running 3 --out-dir "$jobs/sweep" --submit \
  scenarios/sweeps/moshi-by-location.toml -n 100000
"$ecoband" run scenarios/moshi.toml -n 400000 --exceed gwp=60t --quantiles 0.01 -q --out "$work/run.json"
"$ecoband" sobol scenarios/bloom.toml --n-base 2048 --second-order -q --out "$work/sobol.json"
"$ecoband" sweep scenarios/sweeps/moshi-by-location.toml -n 100000 -q --out "$work/sweep"
drain
"$ecoband" slurm status "$jobs/run"
same "$work/run.json" "$jobs/run/result.json" "run, 4 shards"
same "$work/sobol.json" "$jobs/sobol/result.json" "sobol, 3 shards"
same "$work/sweep/sweep.json" "$jobs/sweep/sweep.json" "sweep.json, 6 points"
same "$work/sweep/sweep.csv" "$jobs/sweep/sweep.csv" "sweep.csv, 6 points"

step "failure path: task 1 cannot write its part"
"$ecoband" slurm run --shards 3 --out-dir "$jobs/failing" scenarios/moshi.toml -n 300000
mkdir "$jobs/failing/parts/part-1.json" # a folder where the part goes: the task fails
"$ecoband" slurm resume "$jobs/failing" --submit
drain
status=$("$ecoband" slurm status "$jobs/failing")
echo "$status"
grep -Eq '^1 +failed' <<<"$status" || fail "status does not name task 1 as failed"
grep -q 'merge: ended without a result (job [0-9]*: CANCELLED (DependencyNeverSatisfied)' <<<"$status" \
  || fail "the merge job was not cancelled"
grep -q 'rerun task 1 with: ecoband slurm resume' <<<"$status" || fail "status does not say how to rerun"
rmdir "$jobs/failing/parts/part-1.json"
"$ecoband" slurm resume "$jobs/failing" --submit
drain
"$ecoband" slurm status "$jobs/failing" | tee "$work/status"
grep -q '3 done, 0 running, 0 pending, 0 failed' "$work/status" || fail "resume did not complete the set"
"$ecoband" run scenarios/moshi.toml -n 300000 -q --out "$work/failing.json"
same "$work/failing.json" "$jobs/failing/result.json" "resumed run, 3 shards"
echo
echo "slurm-cluster: all checks passed"
