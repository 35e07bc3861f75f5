#!/usr/bin/env bash
# Brings up (idempotently) or tears down a single-node Slurm cluster on this machine, without
# systemd, for the Slurm integration tests and for trying the slurm executor out.
#
#   scripts/slurm-local.sh up      install (Debian slurm-wlm + munge) if missing, configure, start,
#                                  wait until the node is idle
#   scripts/slurm-local.sh down    stop the daemons this script started (by PID)
#   scripts/slurm-local.sh status  say whether the cluster is up
#
# Needs root (it writes /etc/slurm/slurm.conf, which the Slurm commands read by default). State,
# spool, logs and PID files live under $HWNAS_SLURM_DIR (default ${TMPDIR:-/tmp}/hwnas-slurm).
set -euo pipefail

dir="${HWNAS_SLURM_DIR:-${TMPDIR:-/tmp}/hwnas-slurm}"
conf=/etc/slurm/slurm.conf
marker="# written by hwnas scripts/slurm-local.sh"
host="$(hostname -s)"

say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }

alive() { # alive PIDFILE: the PID in the file names a running process
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

install_packages() {
  local missing=()
  for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  say "installing ${missing[*]} ..."
  # keep the packages' init scripts from starting daemons: this script starts them itself
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null || {
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  } || { [ $own_policy = 1 ] && rm -f "$policy"; die "apt-get install ${missing[*]} failed"; }
  [ $own_policy = 1 ] && rm -f "$policy"
  return 0
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    return 0
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile=/etc/munge/munge.key
    else
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  chmod 755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  cp /run/munge/munged.pid "$dir/munged.pid" 2>/dev/null || true
  for _ in $(seq 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "munged did not come up (see /var/log/munge/munged.log)"
}

write_conf() {
  local cpus mem
  cpus="$(nproc)"
  # leave 512 MB to the system; Slurm counts memory in MB; a job without --mem gets its CPUs' share
  mem="$(awk '/^MemTotal:/ { m = int($2 / 1024) - 512; print (m > 256 ? m : 256) }' /proc/meminfo)"
  if [ -e "$conf" ] && ! grep -qF "$marker" "$conf"; then
    die "$conf exists and was not written by this script; move it away first"
  fi
  mkdir -p /etc/slurm "$dir/state" "$dir/spool" "$dir/log"
  cat >"$conf.tmp" <<EOF
$marker
ClusterName=hwnas-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
DefMemPerCPU=$((mem / cpus))
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$conf.tmp" "$conf"
}

node_state() {
  sinfo -h -n "$host" -o '%t' 2>/dev/null | head -n1
}

up() {
  [ "$(id -u)" = 0 ] || die "needs root (installs packages, writes $conf, starts munged as munge)"
  mkdir -p "$dir"
  install_packages
  start_munge
  if alive "$dir/slurmctld.pid" && alive "$dir/slurmd.pid" && [ "$(node_state)" = idle ]; then
    say "already up: node $host idle ($conf, state under $dir)"
    return 0
  fi
  write_conf
  if ! alive "$dir/slurmctld.pid"; then
    /usr/sbin/slurmctld -i
  fi
  for _ in $(seq 100); do
    scontrol ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  if ! alive "$dir/slurmd.pid"; then
    /usr/sbin/slurmd
  fi
  local s=""
  for _ in $(seq 300); do
    s="$(node_state)"
    case "$s" in
      idle) say "up: node $host idle with $(nproc) CPUs ($conf, state under $dir)"; return 0 ;;
      down* | drain* | drng*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
  done
  die "node $host is '$s', not idle, after 60 s; see $dir/log/slurmctld.log and $dir/log/slurmd.log"
}

stop_pid() { # stop_pid NAME PIDFILE
  local pidfile="$2" pid
  alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; say "stopped $1 ($pid)"; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  say "killed $1 ($pid)"
}

down() {
  stop_pid slurmd "$dir/slurmd.pid"
  stop_pid slurmctld "$dir/slurmctld.pid"
  stop_pid munged "$dir/munged.pid"
  if [ -e "$conf" ] && grep -qF "$marker" "$conf"; then
    rm -f "$conf"
  fi
  rm -rf "$dir/state" "$dir/spool"
}

status() {
  if alive "$dir/slurmctld.pid" && alive "$dir/slurmd.pid"; then
    say "up: node $host $(node_state)"
  else
    say "down"
    return 1
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
