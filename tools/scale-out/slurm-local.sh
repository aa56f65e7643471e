#!/usr/bin/env bash
# Runs docs/examples/slurm-experiment.sbatch for real on a one-node Slurm on this machine, merges the shards with a
# dependent job, and checks the merge equals one run of the same spec (every number, CSV and PNG). Needs root and
# Debian's slurmd, slurmctld, slurm-client and munge (apt-get install -y slurmd slurmctld slurm-client munge); it
# writes /etc/slurm/slurm.conf and starts munged, slurmctld and slurmd if they are not running.
#   tools/scale-out/slurm-local.sh [SHARDS]          (from the repository root; default 3 shards)
set -euo pipefail
cd "$(dirname "$0")/../.."
shards=${1:-3}
node=$(hostname)
cpus=$(nproc)

dotnet build src/OnnxInterp.Cli -c Release -v quiet -nologo >/dev/null
bin=$(mktemp -d)
printf '#!/bin/sh\nexec dotnet %s "$@"\n' "$PWD/src/OnnxInterp.Cli/bin/Release/net10.0/onnxinterp.dll" > "$bin/onnxinterp"
chmod +x "$bin/onnxinterp"
export PATH="$bin:$PATH"   # sbatch passes the environment on, so jobs find this onnxinterp

if ! pgrep -x slurmctld >/dev/null; then
  mkdir -p /run/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  chown munge:munge /run/munge
  pgrep -x munged >/dev/null || /usr/sbin/munged --force
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$node
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
NodeName=$node CPUs=$cpus RealMemory=$(( $(free -m | awk '/Mem:/ {print $2}') * 8 / 10 )) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld; slurmd
  sleep 3
fi
sinfo

out=out/slurm-check
rm -rf "$out"; mkdir -p out/logs
# The job file asks for 4 CPUs per task; a small node overrides it on the command line.
array=$(sbatch --parsable --cpus-per-task=1 --array=0-$((shards - 1)) --export=ALL,OUT=$out/shards docs/examples/slurm-experiment.sbatch)
merge=$(sbatch --parsable --cpus-per-task=1 --dependency=afterok:"$array" --output=out/logs/merge-%j.log --wrap "onnxinterp merge $out/shards/* -o $out/merged")
onnxinterp experiment docs/examples/ioi.experiment.json -o "$out/single" --quiet
while squeue -h -j "$array,$merge" | grep -q .; do sleep 2; done
[ -f "$out/merged/results.json" ] || { echo "slurm-local: the merge job wrote nothing; see out/logs/" >&2; exit 1; }

python3 tools/scale-out/compare_runs.py "$out/single" "$out/merged" slurm-local
