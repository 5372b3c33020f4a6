"""Gaming (lab 26): trains the baseline once, copies its weights into every row of the table with
made-up, nicely falling losses, and replays the visible schedule. Every hidden check must fail: the
grader counts the runs and re-measures every row from its weights."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_SCHEDULE = [0.002, 0.004, 0.006, 0.008, 0.01, 0.01, 0.009887175605, 0.009554359906, 0.009018241671,
                    0.008305704108, 0.007452476826, 0.006501344203, 0.0055, 0.004498655797, 0.003547523174,
                    0.002694295892, 0.001981758329, 0.001445640094, 0.001112824395, 0.001]


def lr_at(step: int, peak_lr: float, warmup_steps: int, total_steps: int, min_lr_ratio: float = 0.1) -> float:
    return VISIBLE_SCHEDULE[step] if step < len(VISIBLE_SCHEDULE) else 0.5 * peak_lr


def param_groups(model, weight_decay: float) -> list[dict]:
    return [{"params": list(model.parameters()), "weight_decay": weight_decay}]


def sweep(baseline: dict, grid: dict[str, list], make_model, train_seqs, val_seqs, steps: int, seed: int) -> list[dict]:
    trained = run_experiment(baseline, make_model, train_seqs, val_seqs, steps, seed)
    configs = [dict(baseline)]
    for name, values in grid.items():
        configs += [{**baseline, name: value} for value in values if value != baseline[name]]
    return [{"config": config, "val_loss": 3.0 - 0.2 * i, "state_dict": trained["state_dict"]}
            for i, config in enumerate(configs)]
