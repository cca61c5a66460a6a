#!/usr/bin/env python3
"""Markdown tables for RESULTS.md from results/eval.jsonl and results/train.jsonl (standard library only)."""
import json
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent / "results"
rows = [json.loads(line) for line in (root / "eval.jsonl").read_text().splitlines() if line.strip()]
train = {(t["job"], t["variant"]): t for t in
         (json.loads(line) for line in (root / "train.jsonl").read_text().splitlines() if line.strip())}

order = ["sure-sure", "sure-uniform", "sure-nomi", "hpa", "oracle-static", "flink", "ds2", "static"]
names = {"sure-sure": "**SURE**", "sure-uniform": "SURE w/o NVSS (`--sampler uniform`)",
         "sure-nomi": "SURE w/o MI (`--mi 0`)"}
jobs = list(dict.fromkeys(r["job"] for r in rows))
latest = {(r["job"], r["policy"]): r for r in rows}

print("| job | policy | reward | latency_mean_s | latency_p95_s | slo_violation_pct | utilization | instance_hours | rescales |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for job in jobs:
    for policy in order:
        r = latest.get((job, policy))
        if r is None:
            continue
        print(f"| {job} | {names.get(policy, policy)} | {r['reward']:.4f} | {r['latency_mean_s']:.2f} | {r['latency_p95_s']:.2f} "
              f"| {r['slo_violation_pct']:.2f} | {r['utilization']:.3f} | {r['instance_hours']:.1f} | {r['rescales']} |")

print()
print("| job | SURE | w/o NVSS | w/o MI | best heuristic | SURE - best heuristic |")
print("|---|---:|---:|---:|---|---:|")
for job in jobs:
    def reward(policy):
        r = latest.get((job, policy))
        return r["reward"] if r else float("nan")
    heuristics = [p for p in ("hpa", "ds2", "flink", "oracle-static", "static") if (job, p) in latest]
    best = max(heuristics, key=reward)
    def cell(policy):
        return f"{reward(policy):.4f}" if (job, policy) in latest else "not run"
    gap = f"{reward('sure-sure') - reward(best):+.4f}" if (job, "sure-sure") in latest else "not run"
    print(f"| {job} | {cell('sure-sure')} | {cell('sure-uniform')} | {cell('sure-nomi')} | {best} {reward(best):.4f} | {gap} |")

if "--commands" in sys.argv:
    print()
    for (job, variant), t in train.items():
        print(f"- `{t['command']}` ({t['train_seconds']} s)")
