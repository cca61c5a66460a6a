#!/usr/bin/env bash
# Issue 19: the fleet model on the max-tuned base (`--base max-tuned`, both targets tuned per job where it runs), three
# seeds, then the 200-job subset of the test split on ClarkNet and NASA (the heuristics once per trace) and the six
# paper jobs. Writes results/fleet/{fleetmax.sS.safetensors,test200.TRACE.*.jsonl,paper.TRACE.fleetmax.sS.jsonl}.
# Usage: SURE=/path/to/sure scripts/fleet-max.sh   (one core: --threads 1)
set -euo pipefail
cd "$(dirname "$0")/.."
sure=${SURE:-Cli/bin/Release/net10.0/sure}
NASA=data/nasa-per-minute.csv
mkdir -p results/fleet
for seed in ${SEEDS:-1 2 3}; do
  model=results/fleet/fleetmax.s$seed.safetensors
  [ -f "$model" ] || "$sure" train --jobs fleet --iterations 150 --bootstrap 75 --base max-tuned --seed "$seed" --threads 1 --out "$model" 2>/dev/null | tail -2
done
for trace in clarknet nasa; do
  args=(); [ $trace = nasa ] && args=(--trace "$NASA")
  out=results/fleet/test200.$trace.heuristics.jsonl
  [ -s "$out" ] || "$sure" eval --jobs test --limit 200 --policies hpa,hpa-tuned,flink-tuned,max-tuned,oracle-static,clairvoyant "${args[@]}" --threads 1 --json > "$out"
  for seed in ${SEEDS:-1 2 3}; do
    model=results/fleet/fleetmax.s$seed.safetensors
    out=results/fleet/test200.$trace.fleetmax.s$seed.jsonl
    [ -s "$out" ] || "$sure" eval --jobs test --limit 200 --policies sure --model "$model" "${args[@]}" --threads 1 --json > "$out"
    out=results/fleet/paper.$trace.fleetmax.s$seed.jsonl
    [ -s "$out" ] || "$sure" eval --jobs small-1,small-2,medium-1,medium-2,large-1,large-2 --policies sure --model "$model" "${args[@]}" --threads 1 --json > "$out"
  done
done
