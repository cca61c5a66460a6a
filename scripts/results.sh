#!/usr/bin/env bash
# RESULTS.md's runs on SPEC 6's yardstick: for each job, each variant and each training seed, `sure train` (the best
# checkpoint on the validation day is the one saved), then the saved policy on ClarkNet's test week and, unchanged, on
# NASA's last week; and the heuristics (tuned on each trace's first week) and the clairvoyant on both.
# Writes results/<job>.<variant>.s<seed>.{safetensors,csv}, results/train.jsonl and results/eval.jsonl;
# scripts/results_table.py makes the tables.
# Usage: scripts/results.sh [jobs...]   (default: the six paper jobs)
#   SEEDS="1 2 3"  VARIANTS="sure paper uniform nomi ppo decay r16 credit max maxrl maxrl3x deepwave dream tvw-rl astgcn ccrnn dream3x"  ITERATIONS=N (default per job: 300 small, 150 medium, 100 large;
#   half of them bootstrap)  HEURISTICS=0 skips the heuristics' evaluation; SKIP_DONE=1 skips runs whose model exists;
#   THREADS=N passes --threads.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-"1 2 3"}
VARIANTS=${VARIANTS:-"sure"}
JOBS=("$@")
[ ${#JOBS[@]} -eq 0 ] && JOBS=(small-1 small-2 medium-1 medium-2 large-1 large-2)
NASA=data/nasa-per-minute.csv
POLICIES=static,hpa,ds2,flink,oracle-static,hpa-tuned,flink-tuned,max-tuned,clairvoyant
if [ -n "${SURE:-}" ]; then sure=$SURE; else
  dotnet build Cli -c Release -v q -nologo >/dev/null
  sure=Cli/bin/Release/net10.0/sure
fi
mkdir -p results
for job in "${JOBS[@]}"; do
  case $job in small-*) default=300 ;; medium-*) default=150 ;; *) default=100 ;; esac
  iterations=${ITERATIONS:-$default}
  bootstrap=$(( iterations / 2 ))
  if [ "${HEURISTICS:-1}" = 1 ]; then
    "$sure" eval --job "$job" --policies "$POLICIES" --json | sed 's/^{/{"trace":"clarknet",/' >> results/eval.jsonl
    "$sure" eval --job "$job" --policies "$POLICIES" --trace "$NASA" --json | sed 's/^{/{"trace":"nasa",/' >> results/eval.jsonl
  fi
  for variant in $VARIANTS; do
    its=$iterations
    case $variant in
      sure) extra=(--bootstrap "$bootstrap") ;;
      # SPEC 6 as the paper writes it: REINFORCE alone from p_0, SPEC 3's features, p' = round(a p).
      paper) extra=(--bootstrap 0 --start p0 --base current --features spec --dead-band 0 --teacher hpa --dagger false) ;;
      uniform) extra=(--bootstrap "$bootstrap" --sampler uniform) ;;
      nomi) extra=(--bootstrap "$bootstrap" --mi 0) ;;
      # Issue 11's levers on top of the recipe: PPO (4 epochs, clip 0.2), a linear rate decay, twice the rollouts.
      ppo) extra=(--bootstrap "$bootstrap" --epochs 4) ;;
      decay) extra=(--bootstrap "$bootstrap" --lr-schedule linear) ;;
      r16) extra=(--bootstrap "$bootstrap" --rollouts 16) ;;
      # Per-task credit: half the job's advantage, half the task's own (its share of the span reward).
      credit) extra=(--bootstrap "$bootstrap" --task-credit 0.5) ;;
      # The residual on max-tuned (the larger of hpa-tuned's and flink-tuned's recommendations) instead of hpa-tuned.
      max) extra=(--bootstrap "$bootstrap" --base max-tuned) ;;
      # The same base with REINFORCE alone (no clairvoyant bootstrap): iteration 0 is max-tuned itself.
      maxrl) extra=(--bootstrap 0 --base max-tuned) ;;
      # The same at three times the job's budget (issue 11: more iterations from the faster trainer, large jobs).
      maxrl3x) its=$(( 3 * iterations )); extra=(--bootstrap 0 --base max-tuned) ;;
      # SPEC 11's baselines: SURE's head, trainer, recipe, budget and checkpoint rule on another network (issue 16).
      deepwave|dream|tvw-rl|astgcn|ccrnn) extra=(--model "$variant" --bootstrap "$bootstrap") ;;
      # DREAM at three times the budget (a DREAM run costs a tenth of SURE's; `--iterations` here is 3x the job's default).
      dream3x) its=$(( 3 * iterations )); extra=(--model dream --bootstrap $(( its / 2 ))) ;;
      *) echo "unknown variant $variant" >&2; exit 2 ;;
    esac
    for seed in $SEEDS; do
      model=results/$job.$variant.s$seed.safetensors
      start=$(date +%s)
      if [ -n "${SKIP_DONE:-}" ] && [ -f "$model" ]; then continue; fi
      "$sure" train --job "$job" --iterations "$its" --seed "$seed" "${extra[@]}" ${THREADS:+--threads "$THREADS"} --out "$model" 2>/dev/null | tail -1
      echo "{\"job\":\"$job\",\"variant\":\"$variant\",\"seed\":$seed,\"train_seconds\":$(( $(date +%s) - start )),\"command\":\"sure train --job $job --iterations $its --seed $seed ${extra[*]} --out $model\"}" >> results/train.jsonl
      for trace in clarknet nasa; do
        args=(); [ $trace = nasa ] && args=(--trace "$NASA")
        case $variant in deepwave|dream|tvw-rl|astgcn|ccrnn) policy=$variant ;; dream3x) policy=dream ;; *) policy=sure ;; esac
        "$sure" eval --job "$job" --policies "$policy" --model "$model" "${args[@]}" --json \
          | sed "s/^{/{\"trace\":\"$trace\",\"variant\":\"$variant\",\"seed\":$seed,/" >> results/eval.jsonl
      done
    done
  done
done
