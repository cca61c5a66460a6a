#!/usr/bin/env bash
# Trains SURE and its two ablations on each job and evaluates them against the heuristics on the test week.
# Writes results/<job>.<variant>.{safetensors,csv} and results/eval.jsonl; scripts/results_table.py makes RESULTS.md's tables.
# Usage: scripts/results.sh [jobs...]   (default: all six; ITERATIONS, BOOTSTRAP, SEED, VARIANTS override the recipe;
# LR=3e-4 trains with that REINFORCE learning rate and tags files and rows with it: results/<job>.<variant>.lr3e-4.*)
set -euo pipefail
cd "$(dirname "$0")/.."
ITERATIONS=${ITERATIONS:-300}
BOOTSTRAP=${BOOTSTRAP:-150}
SEED=${SEED:-1}
VARIANTS=${VARIANTS:-"sure uniform nomi"}
LR=${LR:-}
JOBS=("$@")
[ ${#JOBS[@]} -eq 0 ] && JOBS=(small-1 small-2 medium-1 medium-2 large-1 large-2)
# SURE=path/to/sure runs an existing build (e.g. while the tree is being rebuilt); otherwise build the CLI first.
if [ -n "${SURE:-}" ]; then sure=$SURE; else
  dotnet build Cli -c Release -v q -nologo >/dev/null
  sure=Cli/bin/Release/net10.0/sure
fi
mkdir -p results
for job in "${JOBS[@]}"; do
  for variant in $VARIANTS; do
    case $variant in
      sure) extra=() ;;
      uniform) extra=(--sampler uniform) ;;
      nomi) extra=(--mi 0) ;;
      *) echo "unknown variant $variant" >&2; exit 2 ;;
    esac
    name=$variant
    if [ -n "$LR" ]; then extra+=(--lr "$LR"); name=$variant.lr$LR; fi
    model=results/$job.$name.safetensors
    start=$(date +%s)
    "$sure" train --job "$job" --iterations "$ITERATIONS" --bootstrap "$BOOTSTRAP" --seed "$SEED" "${extra[@]}" --out "$model"
    echo "{\"job\":\"$job\",\"variant\":\"$name\",\"train_seconds\":$(( $(date +%s) - start )),\"command\":\"sure train --job $job --iterations $ITERATIONS --bootstrap $BOOTSTRAP --seed $SEED ${extra[*]} --out $model\"}" >> results/train.jsonl
    "$sure" eval --job "$job" --policies sure --model "$model" --json | sed "s/\"policy\":\"sure\"/\"policy\":\"sure-$name\"/" >> results/eval.jsonl
  done
  "$sure" eval --job "$job" --policies static,hpa,ds2,flink,oracle-static --json >> results/eval.jsonl
done
