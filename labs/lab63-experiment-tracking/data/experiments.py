"""Seeded experiment histories and queries for lab 63: a few fine-tuning runs with parameters, tags, metrics
logged per step (sometimes out of order, sometimes a step logged twice), artifacts, and runs that fail or
never end. The harness replays them through the student's tracker; checks.py replays them through its own
model of the log to compute the expected events and answers."""
from __future__ import annotations

import random

LEARNING_RATES = [0.1, 0.01, 0.001, 0.0003]
BATCH_SIZES = [16, 32, 64]
MODELS = ["gpt-tiny", "gpt-small"]
STAGES = ["dev", "prod"]


def operations(seed, runs: int = 6) -> list[dict]:
    rng = random.Random(f"lab63-ops:{seed}")
    ops = []
    for index in range(runs):
        params = {"lr": rng.choice(LEARNING_RATES), "batch_size": rng.choice(BATCH_SIZES),
                  "model": rng.choice(MODELS)}
        ops.append({"op": "start_run", "run": index, "name": f"finetune-{index}", "params": params,
                    "tags": {"stage": rng.choice(STAGES)}})
        steps = list(range(0, 10 * rng.randint(3, 6), 10))
        if index == 0 or rng.random() < 0.5:          # a resumed job logs an earlier step late
            steps.append(steps.pop(rng.randrange(len(steps) - 1)))
        quality = rng.random()
        for step in steps:
            progress = step / 50
            ops.append({"op": "log_metric", "run": index, "key": "loss",
                        "value": round(2.5 - 1.5 * quality * progress + rng.uniform(-0.1, 0.1), 4), "step": step})
            if rng.random() < 0.6:
                ops.append({"op": "log_metric", "run": index, "key": "accuracy",
                            "value": round(0.4 + 0.5 * quality * progress + rng.uniform(-0.05, 0.05), 4), "step": step})
        if index == 1 or rng.random() < 0.4:          # a retried step overwrites the earlier value
            ops.append({"op": "log_metric", "run": index, "key": "loss", "value": round(rng.uniform(0.5, 3.0), 4),
                        "step": rng.choice(steps)})
        if rng.random() < 0.6:
            ops.append({"op": "log_artifact", "run": index, "name": rng.choice(["adapter.bin", "config.json"]),
                        "content": f"weights of run {index} {rng.random():.6f}" * rng.randint(1, 4)})
        if rng.random() < 0.3:
            ops.append({"op": "set_tag", "run": index, "key": "stage", "value": rng.choice(STAGES)})
        roll = rng.random()
        if roll < 0.7:
            ops.append({"op": "end_run", "run": index, "status": "finished"})
        elif roll < 0.9:
            ops.append({"op": "end_run", "run": index, "status": "failed"})
    return ops


def queries(seed, runs: int = 6) -> list[dict]:
    rng = random.Random(f"lab63-queries:{seed}")
    run_ids = [f"run-{i + 1:04d}" for i in range(runs)]
    out = [
        {"query": "search_runs", "where": {"tags.stage": rng.choice(STAGES)}},
        {"query": "search_runs", "where": {"status": "finished", "params.model": rng.choice(MODELS)}},
        {"query": "search_runs", "where": {"params.lr": rng.choice(LEARNING_RATES[:2])}},
        {"query": "search_runs", "where": {"params.optimizer": "adam"}},
        {"query": "best_run", "key": "loss", "mode": "min", "agg": "last", "where": None},
        {"query": "best_run", "key": "accuracy", "mode": "max", "agg": "max", "where": {"status": "finished"}},
        {"query": "best_run", "key": "loss", "mode": "min", "agg": "min", "where": {"tags.stage": rng.choice(STAGES)}},
        {"query": "best_run", "key": "bleu", "mode": "max", "agg": "last", "where": None},
        {"query": "compare", "run_ids": rng.sample(run_ids, 3), "keys": ["loss", "accuracy"]},
    ]
    out += [{"query": "metric_history", "run_id": run_id, "key": rng.choice(["loss", "accuracy"])} for run_id in run_ids]
    return out
