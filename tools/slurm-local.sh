#!/usr/bin/env bash
# Brings up a real one-node Slurm cluster on this machine (Debian 12,
# as root, no systemd needed): munge, slurmctld and slurmd with a config
# written under $ECOBAND_SLURM_DIR. Used by .ci/run to test `ecoband slurm`
# end to end; tools/slurm-local-stop.sh takes it down. Prints the
# `export SLURM_CONF=…` line clients need.
#
#   ECOBAND_SLURM_DIR   state, config and logs   (default /tmp/ecoband-slurm)
#   ECOBAND_SLURM_WAIT  seconds to wait for the node to be idle (default 60)
set -euo pipefail

dir=${ECOBAND_SLURM_DIR:-/tmp/ecoband-slurm}
wait_s=${ECOBAND_SLURM_WAIT:-60}
node=$(hostname -s)
conf="$dir/slurm.conf"
say() { printf 'slurm-local: %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root (slurmd runs jobs as their users)"

missing=()
for pkg in slurmctld slurmd slurm-client munge; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
mkdir -p "$dir"/{run,log,state,spool}

# munge: the key and folders must belong to the munge user, or munged
# refuses to start.
if ! (munge -n | unmunge) >/dev/null 2>&1; then
  install -d -o munge -g munge -m 0700 /etc/munge /var/log/munge
  install -d -o munge -g munge -m 0711 /var/lib/munge
  install -d -o munge -g munge -m 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  for _ in $(seq 50); do (munge -n | unmunge) >/dev/null 2>&1 && break; sleep 0.1; done
  (munge -n | unmunge) >/dev/null 2>&1 || fail "munged did not start"
  cp /run/munge/munged.pid "$dir/run/munged.pid"
fi

# The node as slurmd sees it; RealMemory below what it detects, or the
# node is drained.
cpus=$(nproc)
mem=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 8 / 10240 ))
cat > "$conf" <<CONF
ClusterName=ecoband-ci
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MailProg=/bin/true
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$(( mem / cpus / 4 ))
SchedulerParameters=batch_sched_delay=0
# A job whose dependency can no longer be met is cancelled, not left
# pending (ecoband also asks it per job with --kill-on-invalid-dep).
DependencyParameters=kill_invalid_depend
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
export SLURM_CONF="$conf"

/usr/sbin/slurmctld -f "$conf" -c || fail "slurmctld did not start: $dir/log/slurmctld.log"
for _ in $(seq $((wait_s * 5))); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.2; done
/usr/sbin/slurmd -f "$conf" -N "$node" || fail "slurmd did not start: $dir/log/slurmd.log"

deadline=$(( $(date +%s) + wait_s ))
while :; do
  state=$(sinfo -h -n "$node" -o '%T' 2>/dev/null | head -1 || true)
  case "$state" in
    idle|mixed|allocated) break ;;
    drain*|down*) scontrol update NodeName="$node" State=RESUME 2>/dev/null || true ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
    fail "node $node is not idle after ${wait_s}s (state: ${state:-unknown})"
  fi
  sleep 0.2
done
say "node $node is $state"
echo "export SLURM_CONF=$conf"
