#!/usr/bin/env bash
# Works through a queue file of "variant job seed" lines with scripts/results.sh, one run at a time; start it once
# per core on the same file and each lane takes the next line (under flock), so long runs share the machine.
# Usage: SURE=/path/to/sure scripts/queue.sh QUEUE_FILE   (THREADS=1 by default: one core per lane)
set -euo pipefail
cd "$(dirname "$0")/.."
queue=$1
while true; do
  line=$(flock "$queue.lock" bash -c 'l=$(head -n 1 "$0"); [ -n "$l" ] && sed -i 1d "$0"; echo "$l"' "$queue")
  [ -z "$line" ] && break
  read -r variant job seed <<< "$line"
  echo "$(date +%T) start $variant $job s$seed"
  SEEDS=$seed VARIANTS=$variant HEURISTICS=0 THREADS=${THREADS:-1} scripts/results.sh "$job"
done
