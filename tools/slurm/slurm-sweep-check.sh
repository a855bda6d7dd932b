#!/usr/bin/env bash
# Runs a small sweep on a real one-node SLURM cluster and checks that it gives what a local run of
# the same sweep gives. As root: installs Debian's slurm-wlm and munge when they are missing, starts
# munged (unless one runs), slurmctld and slurmd with a minimal slurm.conf in a scratch folder,
# submits the sweep through `moral-plantain sweep --slurm --submit` (a job array of cell shards and
# a merge job queued with --dependency=afterok), waits for it, runs the same sweep locally, and
# compares every published file of the two sweep folders (times aside). Then it retries one task
# as a Kubernetes Indexed Job would (JOB_COMPLETION_INDEX) and checks it computes nothing. It
# stops the daemons it started and prints how long each step took.
#   bash tools/slurm/slurm-sweep-check.sh            (builds the CLI first when it is not built)
# Environment: SLURM_CHECK_KEEP=1 keeps the scratch folder; SLURM_CHECK_TIMEOUT (seconds, default 600).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
cli=(node "$root/apps/cli/bin/moral-plantain.js")
timeout=${SLURM_CHECK_TIMEOUT:-600}
started=$(date +%s)
step_start=$started
step() {
  local now
  now=$(date +%s)
  printf '[%4ss] %s (%ss)\n' "$((now - started))" "$1" "$((now - step_start))"
  step_start=$now
}
fail() {
  echo "slurm check FAILED: $*" >&2
  exit 1
}

[[ $(id -u) -eq 0 ]] || fail 'run it as root (it starts munged, slurmctld and slurmd)'
[[ -f apps/cli/dist/bundle/main.js ]] || NX_DAEMON=false NX_TUI=false npx nx run @moral-plantain/cli:build >/dev/null
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
  step 'installed slurm-wlm and munge'
fi

work=$(mktemp -d /tmp/mp-slurm-check.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n ${SLURM_CHECK_KEEP:-} ]]; then echo "scratch folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# munge: the package's key; a munged of our own unless one already answers.
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  [[ -f /etc/munge/munge.key ]] || { mungekey --create 2>/dev/null || create-munge-key -f; }
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged
  pids+=("$(cat /run/munge/munged.pid)")
fi

node_name=$(hostname -s)
mkdir -p "$work/slurm/state" "$work/slurm/spool" "$work/slurm/log"
export SLURM_CONF="$work/slurm/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=mpcheck
SlurmctldHost=$node_name
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$work/slurm/state
SlurmdSpoolDir=$work/slurm/spool
SlurmctldPidFile=$work/slurm/slurmctld.pid
SlurmdPidFile=$work/slurm/slurmd.pid
SlurmctldLogFile=$work/slurm/log/slurmctld.log
SlurmdLogFile=$work/slurm/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$node_name CPUs=$(nproc) State=UNKNOWN
PartitionName=check Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF"
pids+=("$(cat "$work/slurm/slurmctld.pid")")
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 30); do [[ -f $work/slurm/slurmd.pid ]] && break; sleep 0.5; done
pids+=("$(cat "$work/slurm/slurmd.pid")")
for _ in $(seq 1 60); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 0.5; done
sinfo -h -o %t | grep -q idle || fail "the node did not come up: $(tail -n 5 "$work/slurm/log/slurmd.log")"
step "one-node SLURM cluster up ($node_name, $(nproc) CPUs)"

# The sweep: the embedded tiny model and a tiny control with other weights, two built-in axis sets,
# one seed, two shards per cell: 4 cells, 8 array tasks.
"${cli[@]}" model build --out "$work/tiny-weights-1" --preset tiny --seed 1 >/dev/null
cat >"$work/sweep.yaml" <<YAML
name: slurm-check
models:
  - name: tiny
  - name: tiny-weights-1
    path: tiny-weights-1
    control-for: tiny
stimuli: [perspective-taking, self-reference]
seeds: [0]
settings:
  permutations: 200
  splits: 10
shards: 2
YAML
submitted=$("${cli[@]}" sweep "$work/sweep.yaml" --out "$work/on-slurm" --slurm --submit --time 0:10:00 --cpus-per-task 1 --json)
tasks_job=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).submitted.tasks)' "$submitted")
merge_job=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).submitted.merge)' "$submitted")
step "submitted: array job $tasks_job (8 tasks), merge job $merge_job (afterok)"

deadline=$(($(date +%s) + timeout))
while squeue -h -j "$tasks_job,$merge_job" 2>/dev/null | grep -q .; do
  if squeue -h -j "$merge_job" -o %r 2>/dev/null | grep -q DependencyNeverSatisfied; then
    tail -n 20 "$work"/on-slurm/logs/task-* >&2 || true
    fail 'a task failed, so the merge job will never run (its logs are above)'
  fi
  (($(date +%s) < deadline)) || fail "the jobs did not finish within ${timeout}s"
  sleep 2
done
[[ -f $work/on-slurm/outputs.json ]] || { tail -n 20 "$work"/on-slurm/logs/* >&2 || true; fail 'the merge job wrote no sweep report (its log is above)'; }
step 'the job array and the merge job finished'

"${cli[@]}" sweep "$work/sweep.yaml" --out "$work/local" --json >/dev/null
step 'the same sweep run locally'
node tools/slurm/compare-sweep-folders.mjs "$work/local" "$work/on-slurm"
step 'compared the two sweep folders'

retried=$(JOB_COMPLETION_INDEX=5 "${cli[@]}" sweep task "$work/on-slurm/sweep-plan.json" --json)
node -e 'const r = JSON.parse(process.argv[1]); if (r.prompts.computed !== 0 || r.task.index !== 5) process.exit(1)' "$retried" || fail "the retried task 5 computed prompts again: $retried"
"${cli[@]}" sweep merge "$work/on-slurm/sweep-plan.json" >/dev/null
node tools/slurm/compare-sweep-folders.mjs "$work/local" "$work/on-slurm" >/dev/null
step 'retried task 5 as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX): nothing computed, merged again, the same'
echo "slurm check passed in $(($(date +%s) - started))s"
