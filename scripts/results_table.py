#!/usr/bin/env python3
"""Markdown tables for RESULTS.md from results/eval.jsonl and results/train.jsonl (standard library only)."""
import json
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent / "results"
rows = [json.loads(line) for line in (root / "eval.jsonl").read_text().splitlines() if line.strip()]
train = {(t["job"], t["variant"]): t for t in
         (json.loads(line) for line in (root / "train.jsonl").read_text().splitlines() if line.strip())}

variants = ["sure", "uniform", "nomi"]
names = {"sure-sure": "**SURE**", "sure-uniform": "SURE w/o NVSS (`--sampler uniform`)",
         "sure-nomi": "SURE w/o MI (`--mi 0`)"}
# Runs with another REINFORCE learning rate (scripts/results.sh with LR=...) are tagged sure-<variant>.lr<rate>.
rates = sorted({r["policy"].split(".lr", 1)[1] for r in rows if r["policy"].startswith("sure-") and ".lr" in r["policy"]})
for rate in rates:
    for v in variants:
        names[f"sure-{v}.lr{rate}"] = f"{names['sure-' + v]}, `--lr {rate}`"
order = ([f"sure-{v}" for v in variants] + [f"sure-{v}.lr{rate}" for rate in rates for v in variants]
         + ["hpa", "oracle-static", "flink", "ds2", "static"])
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
extra = [f"sure-{v}.lr{rate}" for rate in rates for v in variants if any(r["policy"] == f"sure-{v}.lr{rate}" for r in rows)]
short = {"sure": "SURE", "uniform": "w/o NVSS", "nomi": "w/o MI"}
extra_heads = "".join(f" {short[p[5:].split('.lr')[0]]}, lr {p.split('.lr')[1]} |" for p in extra)
print(f"| job | SURE | w/o NVSS | w/o MI |{extra_heads} best heuristic | SURE - best heuristic |")
print("|---|---:|---:|---:|" + "---:|" * len(extra) + "---|---:|")
for job in jobs:
    def reward(policy):
        r = latest.get((job, policy))
        return r["reward"] if r else float("nan")
    heuristics = [p for p in ("hpa", "ds2", "flink", "oracle-static", "static") if (job, p) in latest]
    best = max(heuristics, key=reward)
    def cell(policy):
        return f"{reward(policy):.4f}" if (job, policy) in latest else "not run"
    gap = f"{reward('sure-sure') - reward(best):+.4f}" if (job, "sure-sure") in latest else "not run"
    extra_cells = "".join(f" {cell(p)} |" for p in extra)
    print(f"| {job} | {cell('sure-sure')} | {cell('sure-uniform')} | {cell('sure-nomi')} |{extra_cells} {best} {reward(best):.4f} | {gap} |")

if "--commands" in sys.argv:
    print()
    for (job, variant), t in train.items():
        print(f"- `{t['command']}` ({t['train_seconds']} s)")
