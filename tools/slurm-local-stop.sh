#!/usr/bin/env bash
# Takes down the cluster tools/slurm-local.sh started: its jobs, slurmd,
# slurmctld, and munged if that script started it. Safe to call twice.
set -uo pipefail

dir=${ECOBAND_SLURM_DIR:-/tmp/ecoband-slurm}
export SLURM_CONF="$dir/slurm.conf"

if [ -f "$SLURM_CONF" ]; then
  scancel --user=root 2>/dev/null || true
fi
stop() { # stop PIDFILE NAME: TERM, then KILL after 10 s
  local pid
  [ -s "$1" ] || return 0
  pid=$(tr -dc '0-9' < "$1")
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$1"
}
stop "$dir/run/slurmd.pid" slurmd
stop "$dir/run/slurmctld.pid" slurmctld
stop "$dir/run/munged.pid" munged
exit 0
