#!/usr/bin/env bash
# Issue 19: a fleet model's recipe, three seeds, then the 200-job subset of the test split on ClarkNet and NASA (the
# heuristics once per trace) and the six paper jobs. NAME names the files: results/fleet/NAME.sS.{safetensors,csv},
# results/fleet/test200.TRACE.NAME.sS.jsonl, results/fleet/paper.TRACE.NAME.sS.jsonl.
# Usage: NAME=fleetmax600 ITERATIONS=600 BASE=max-tuned SURE=/path/to/sure scripts/fleet.sh
#   BASE: hpa-tuned (the default recipe) or max-tuned; THREADS (default 1); SEEDS (default "1 2 3");
#   EXTRA: more `sure train` options (e.g. "--validation-jobs 32"); TRAIN_ONLY=1 stops after training (the
#   validation-day scores are in the logs).
set -euo pipefail
cd "$(dirname "$0")/.."
sure=${SURE:-Cli/bin/Release/net10.0/sure}
name=${NAME:?NAME names the recipe}
NASA=data/nasa-per-minute.csv
mkdir -p results/fleet
for seed in ${SEEDS:-1 2 3}; do
  model=results/fleet/$name.s$seed.safetensors
  [ -f "$model" ] || "$sure" train --jobs fleet --iterations "${ITERATIONS:-150}" --bootstrap 75 --base "${BASE:-hpa-tuned}" \
    --seed "$seed" --threads "${THREADS:-1}" ${EXTRA:-} --out "$model" 2>/dev/null | tail -2
done
[ -n "${TRAIN_ONLY:-}" ] && exit 0
for trace in clarknet nasa; do
  args=(); [ $trace = nasa ] && args=(--trace "$NASA")
  out=results/fleet/test200.$trace.heuristics.jsonl
  [ -s "$out" ] || "$sure" eval --jobs test --limit 200 --policies hpa,hpa-tuned,flink-tuned,max-tuned,oracle-static,clairvoyant "${args[@]}" --threads "${THREADS:-1}" --json > "$out"
  for seed in ${SEEDS:-1 2 3}; do
    model=results/fleet/$name.s$seed.safetensors
    out=results/fleet/test200.$trace.$name.s$seed.jsonl
    [ -s "$out" ] || "$sure" eval --jobs test --limit 200 --policies sure --model "$model" "${args[@]}" --threads "${THREADS:-1}" --json > "$out"
    out=results/fleet/paper.$trace.$name.s$seed.jsonl
    [ -s "$out" ] || "$sure" eval --jobs small-1,small-2,medium-1,medium-2,large-1,large-2 --policies sure --model "$model" "${args[@]}" --threads "${THREADS:-1}" --json > "$out"
  done
done
