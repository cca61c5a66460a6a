#!/usr/bin/env python3
"""RESULTS.md's tables from results/eval.jsonl and results/train.jsonl (written by scripts/results.sh); standard library only.

Learned policies: mean +- sample standard deviation over training seeds (SPEC 6). The best tuned heuristic is the best of
hpa-tuned, flink-tuned, max-tuned and oracle-static on the evaluated week (each tuned on the trace's first week); headroom captured
= (R_sure - R_best_tuned) / (R_clairvoyant - R_best_tuned)."""
import csv
import json
import statistics
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent / "results"
rows = [json.loads(line) for line in (root / "eval.jsonl").read_text().splitlines() if line.strip()]
train = [json.loads(line) for line in (root / "train.jsonl").read_text().splitlines() if line.strip()]
JOBS = [j for j in ["small-1", "small-2", "medium-1", "medium-2", "large-1", "large-2"] if any(r["job"] == j for r in rows)]
TUNED = ["hpa-tuned", "flink-tuned", "max-tuned", "oracle-static"]
NAMES = {"sure": "SURE (default recipe)", "paper": "SURE, the paper's recipe (SPEC 6 as written)",
         "uniform": "SURE w/o NVSS (`--sampler uniform`)", "nomi": "SURE w/o MI (`--mi 0`)",
         "ppo": "SURE + PPO (`--epochs 4`, clip 0.2)", "decay": "SURE + linear rate decay (`--lr-schedule linear`)",
         "r16": "SURE + 16 rollouts per window (`--rollouts 16`)",
         "credit": "SURE + per-task credit (`--task-credit 0.5`)",
         "max": "SURE on max-tuned (`--base max-tuned`)",
         "maxrl": "SURE on max-tuned, REINFORCE only (`--base max-tuned --bootstrap 0`)",
         "maxrl3x": "SURE on max-tuned, REINFORCE only, 3x the iterations (`--base max-tuned --bootstrap 0`, 300 on the large jobs)",
         "deepwave": "DeepWave", "dream": "DREAM", "dream3x": "DREAM, 3x the iterations (900 / 450 / 300)", "tvw-rl": "TVW-RL", "astgcn": "ASTGCN", "ccrnn": "CCRNN"}
BASELINES = ["deepwave", "dream", "tvw-rl", "astgcn", "ccrnn"]


def heuristic(trace, job, policy):
    found = [r for r in rows if r["trace"] == trace and r["job"] == job and r["policy"] == policy and "variant" not in r]
    return found[-1] if found else None


def learned(trace, job, variant):
    by_seed = {}
    for r in rows:
        if r["trace"] == trace and r["job"] == job and r.get("variant") == variant:
            by_seed[r["seed"]] = r
    return [by_seed[s] for s in sorted(by_seed)]


def stats(runs, key="reward"):
    values = [r[key] for r in runs]
    if not values:
        return None
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0), values


def label(r):
    return r["policy"] + (f" ({r['setting']})" if r.get("setting") else "")


def best_tuned(trace, job):
    candidates = [r for r in (heuristic(trace, job, p) for p in TUNED) if r]
    return max(candidates, key=lambda r: r["reward"]) if candidates else None


def seconds(job, variant):
    times = [t["train_seconds"] for t in train if t["job"] == job and t["variant"] == variant]
    return f"{statistics.mean(times):.0f}" if times else "-"


def main_table(trace, variant="sure"):
    print("| job | SURE mean +- std | seeds 1 / 2 / 3 | best tuned heuristic | hpa (untuned) | clairvoyant | headroom captured | SURE above best tuned | train s / seed |")
    print("|---|---:|---|---|---:|---|---:|---|---:|")
    wins = 0
    for job in JOBS:
        s = stats(learned(trace, job, variant))
        best, hpa, oracle = best_tuned(trace, job), heuristic(trace, job, "hpa"), heuristic(trace, job, "clairvoyant")
        if s is None or best is None:
            continue
        mean, std, values = s
        headroom = (mean - best["reward"]) / (oracle["reward"] - best["reward"]) if oracle and oracle["reward"] != best["reward"] else float("nan")
        above = mean > best["reward"]
        wins += above
        worst_ok = "yes" if min(values) > hpa["reward"] else "no"
        print(f"| {job} | {mean:.4f} +- {std:.4f} | {' / '.join(f'{v:.4f}' for v in values)} | {label(best)}: {best['reward']:.4f} "
              f"| {hpa['reward']:.4f} | {label(oracle)}: {oracle['reward']:.4f} | {headroom:+.2f} | {'yes' if above else 'no'} "
              f"(worst seed above hpa: {worst_ok}) | {seconds(job, variant)} |")
    print(f"\nSURE's mean above the best tuned heuristic on {wins} of {len(JOBS)} jobs.\n")


def metrics_table(trace):
    cols = ["reward", "latency_mean_s", "latency_p95_s", "slo_violation_pct", "utilization", "instance_hours", "rescales"]
    print("| job | policy | " + " | ".join(cols) + " |")
    print("|---|---|" + "---:|" * len(cols))
    for job in JOBS:
        for variant in NAMES:
            runs = learned(trace, job, variant)
            if runs:
                print(f"| {job} | {NAMES[variant]}, mean of {len(runs)} seeds | "
                      + " | ".join(f"{statistics.mean(r[c] for r in runs):.4f}" if c == "reward" else f"{statistics.mean(r[c] for r in runs):.2f}" for c in cols) + " |")
        for policy in ["hpa-tuned", "flink-tuned", "max-tuned", "oracle-static", "clairvoyant", "hpa", "flink", "ds2", "static"]:
            r = heuristic(trace, job, policy)
            if r:
                print(f"| {job} | {label(r)} | " + " | ".join(f"{r[c]:.4f}" if c == "reward" else f"{r[c]:.2f}" for c in cols) + " |")


ABLATIONS = ["sure", "paper", "uniform", "nomi"]
LEVERS = ["sure", "ppo", "decay", "r16", "credit"]


def best_validation(job, variant, seed):
    """The saved checkpoint's validation-day reward: the best of the training log's ValidationReward column."""
    log = root / f"{job}.{variant}.s{seed}.csv"
    if not log.exists():
        return None
    values = [float(r["ValidationReward"]) for r in csv.DictReader(log.open()) if r.get("ValidationReward") not in (None, "", "nan")]
    return max(values) if values else None


def variants_table(trace, variants, validation=False):
    """One row per job and variant (the default recipe's only where another variant ran); with validation, the saved
    checkpoints' own validation-day reward beside the test reward (SPEC 6's only selector)."""
    extra = " best validation reward, mean of the seeds |" if validation else ""
    print(f"| job | variant | reward mean +- std | seeds |{extra} best tuned heuristic | train s / seed |")
    print("|---|---|---:|---|" + ("---:|" if validation else "") + "---:|---:|")
    for job in JOBS:
        best = best_tuned(trace, job)
        for variant in variants:
            runs = learned(trace, job, variant)
            s = stats(runs)
            if s and (variant != "sure" or any(learned(trace, job, v) for v in variants if v != "sure")):
                mean, std, values = s
                spread = f"+- {std:.4f}" if len(values) > 1 else "(1 seed)"
                if len(values) == 2:
                    spread += " (2 seeds)"
                cell = ""
                if validation:
                    found = [v for v in (best_validation(job, variant, r["seed"]) for r in runs) if v is not None]
                    cell = f" {statistics.mean(found):.4f} |" if found else " - |"
                print(f"| {job} | {NAMES[variant]} | {mean:.4f} {spread} | {' / '.join(f'{v:.4f}' for v in values)} |{cell} {best['reward']:.4f} | {seconds(job, variant)} |")


def fleet_table():
    """Per-job models on a subset of the fleet's test split (results/fleet/test200.<trace>.<model>.jsonl, written by
    `sure eval --jobs test --limit 200 --json`): per model, mean / median / worst reward and the jobs won against each
    job's best tuned heuristic (from the file that also holds the heuristics)."""
    fleet = root / "fleet"
    if not fleet.exists():
        return
    print("| trace | model | jobs | mean | median | worst | jobs won against the best tuned heuristic |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for trace in ["clarknet", "nasa"]:
        files = sorted(fleet.glob(f"test200.{trace}.*.jsonl"))
        lines = [json.loads(l) for f in files for l in f.read_text().splitlines() if l.strip()]
        per_job = [l for l in lines if "summary" not in l]
        bar = {}
        for l in per_job:
            if l["policy"] in TUNED:
                bar[l["job"]] = max(bar.get(l["job"], -1e9), l["reward"])
        heuristics = [p for p in ["hpa", "hpa-tuned", "flink-tuned", "max-tuned", "oracle-static", "clairvoyant"] if any(l["policy"] == p for l in per_job)]
        rows_out = [(p, [l for l in per_job if l["policy"] == p]) for p in heuristics]
        rows_out.append(("best tuned heuristic, per job", [{"job": j, "reward": v} for j, v in bar.items()]))
        for f in files:
            model = f.name.split(".", 2)[2].removesuffix(".jsonl").replace(".sure", "")
            rows_out.append((f"SURE trained on {model}", [json.loads(l) for l in f.read_text().splitlines() if l.strip() and '"policy":"sure"' in l and "summary" not in l]))
        # Three-seed summaries of the learned models: mean +- std of the seeds' mean rewards, wins over all seeds.
        seeds = {}
        for name, mine in rows_out:
            if name.startswith("SURE trained on ") and mine:
                seeds.setdefault(name.rsplit(".s", 1)[0], []).append(mine)
        for model, runs in seeds.items():
            if len(runs) < 2:
                continue
            means = [statistics.mean(l["reward"] for l in mine) for mine in runs]
            won = sum(1 for mine in runs for l in mine if l["reward"] > bar[l["job"]])
            total = sum(len(mine) for mine in runs)
            print(f"| {trace} | **{model}, {len(runs)} seeds** | {len(runs[0])} | {statistics.mean(means):.4f} +- {statistics.stdev(means):.4f} | | | {won} / {total} ({100 * won / total:.0f}%) |")
        for name, mine in rows_out:
            if not mine:
                continue
            values = sorted(l["reward"] for l in mine)
            won = "" if name in TUNED or name.startswith("best tuned") else f"{sum(1 for l in mine if l['reward'] > bar[l['job']])} / {len(mine)}"
            print(f"| {trace} | {name} | {len(values)} | {statistics.mean(values):.4f} | {statistics.median(values):.4f} | {values[0]:.4f} | {won} |")


def fleet_paper_table():
    """Each fleet model (results/fleet/paper.<trace>.<model>.s<seed>.jsonl, `sure eval --jobs small-1,...,large-2
    --json`; model fleet or fleetmax) beside the per-job SURE models and the best tuned heuristic, per paper job and trace."""
    fleet = root / "fleet"
    print("| trace | job | fleet model | mean +- std | seeds | per-job SURE mean | best tuned heuristic |")
    print("|---|---|---|---:|---|---:|---:|")
    for trace in ["clarknet", "nasa"]:
        runs = {}
        for f in sorted(fleet.glob(f"paper.{trace}.*.s*.jsonl")):
            model, seed = f.name.split(".")[2], int(f.name.split(".s")[-1].split(".")[0])
            for l in f.read_text().splitlines():
                r = json.loads(l)
                if "summary" not in r:
                    runs.setdefault((r["job"], model), {})[seed] = r["reward"]
        for job in JOBS:
            for model in sorted({m for j, m in runs if j == job}):
                values = [runs[job, model][s] for s in sorted(runs[job, model])]
                per_job = stats(learned(trace, job, "sure"))
                best = best_tuned(trace, job)
                spread = f"+- {statistics.stdev(values):.4f}" if len(values) > 1 else "(1 seed)"
                per_job_text = f"{per_job[0]:.4f}" if per_job else "n/a"
                print(f"| {trace} | {job} | {model} | {statistics.mean(values):.4f} {spread} | {' / '.join(f'{v:.4f}' for v in values)} | {per_job_text} | {best['reward']:.4f} |")


def table1(trace):
    """The paper's Table 1 on SPEC 6's yardstick: a row per method, a column per job; learned cells are mean +- std over
    the seeds run so far (the count in brackets when fewer than 3), heuristics one deterministic run each."""
    print("| method | " + " | ".join(JOBS) + " | train s / seed (mean over jobs) |")
    print("|---|" + "---:|" * len(JOBS) + "---:|")
    for policy in ["hpa", "hpa-tuned", "flink-tuned", "max-tuned"]:
        cells = [heuristic(trace, j, policy) for j in JOBS]
        print(f"| {policy} | " + " | ".join(f"{c['reward']:.4f}" + (f" ({c['setting']})" if c.get("setting") else "") if c else "-" for c in cells) + " | |")
    for variant in BASELINES + ["sure"] + [v for v in ["dream3x"] if any(r.get("variant") == v for r in rows)]:
        cells, times = [], []
        for job in JOBS:
            st = stats(learned(trace, job, variant))
            if st is None:
                cells.append("not run")
                continue
            mean, std, values = st
            cells.append(f"{mean:.4f} +- {std:.4f}" + (f" ({len(values)} seeds)" if len(values) < 3 else "") if len(values) > 1 else f"{mean:.4f} (1 seed)")
            times += [t["train_seconds"] for t in train if t["job"] == job and t["variant"] == variant]
        name = "SURE" if variant == "sure" else NAMES[variant]
        print(f"| {name} | " + " | ".join(cells) + f" | {statistics.mean(times):.0f} |" if times else f"| {name} | " + " | ".join(cells) + " | - |")
    cells = [heuristic(trace, j, "clairvoyant") for j in JOBS]
    print("| clairvoyant (reads the future) | " + " | ".join(f"{c['reward']:.4f} ({c['setting']})" if c else "-" for c in cells) + " | |")
    print()
    wins = []
    for job in JOBS:
        means = {v: statistics.mean(r["reward"] for r in learned(trace, job, v)) for v in BASELINES + ["sure"] if learned(trace, job, v)}
        if "sure" in means and len(means) > 1:
            wins.append((job, max(means, key=means.get), len(means) - 1))
    for job, best, others in wins:
        print(f"- {job}: the best learned mean is {NAMES.get(best, best) if best != 'sure' else 'SURE'}'s (SURE and {others} baseline{'s' if others > 1 else ''} trained there so far)")
    print()


def commands():
    for t in train:
        print(f"- `{t['command']}` ({t['train_seconds']} s)")


sections = sys.argv[1:] or ["main", "nasa", "variants", "levers", "metrics"]
for section in sections:
    if section == "main":
        main_table("clarknet")
    elif section == "nasa":
        main_table("nasa")
    elif section == "bases":
        variants_table("clarknet", ["sure", "max", "maxrl"], validation=True)
    elif section == "bases-nasa":
        variants_table("nasa", ["sure", "max", "maxrl"], validation=True)
    elif section == "longer":
        variants_table("clarknet", ["maxrl3x"], validation=True)
    elif section == "longer-nasa":
        variants_table("nasa", ["maxrl3x"], validation=True)
    elif section == "main-max":
        main_table("clarknet", "max")
    elif section == "nasa-max":
        main_table("nasa", "max")
    elif section == "variants":
        variants_table("clarknet", ABLATIONS)
    elif section == "levers":
        variants_table("clarknet", LEVERS)
    elif section == "metrics":
        metrics_table("clarknet")
    elif section == "nasa-metrics":
        metrics_table("nasa")
    elif section == "fleet":
        fleet_table()
    elif section == "fleet-paper":
        fleet_paper_table()
    elif section == "table1":
        table1("clarknet")
    elif section == "table1-nasa":
        table1("nasa")
    elif section == "commands":
        commands()
