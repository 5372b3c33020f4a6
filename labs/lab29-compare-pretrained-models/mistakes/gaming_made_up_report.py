"""Gaming (lab 29): replays the visible pooling and interval answers and reports made-up results
without fine-tuning anything. It must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below


VISIBLE_POOL_SHAPE = (3, 5, 4)


def pool(hidden, attention_mask, kind):
    """Right on the visible example's shape (worked out from the visible check), anything elsewhere."""
    if tuple(hidden.shape) == VISIBLE_POOL_SHAPE:
        if kind == "encoder":
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(dim=1) / weights.sum(dim=1)
        return hidden[torch.arange(3), attention_mask.sum(dim=1) - 1]
    return hidden[:, 0]


def confidence_interval(values, confidence=0.95):
    if list(values) == [0.80, 0.85, 0.90]:
        return 0.85, 0.7257931144124835, 0.9742068855875164       # copied from the visible check
    return sum(values) / len(values), min(values), max(values)


def paired_difference(a, b, confidence=0.95):
    return confidence_interval([x - y for x, y in zip(a, b)], confidence)


def fine_tune(classifier, tokenizer, texts, labels, *, steps, lr, batch_size, seed):
    return [0.7 - 0.5 * step / steps for step in range(steps)]     # a plausible curve, no training


def compare_models(load_backbone, names, tokenizer, train_texts, train_labels, val_texts, val_labels, test_texts, *,
                   seeds, steps, lr, batch_size, confidence=0.95):
    report = {}
    for name in names:
        made_up = [0.9] * len(seeds)
        report[name] = {"val_predictions": [list(val_labels) for _ in seeds],      # "predicts" the labels it was given
                        "test_predictions": [[1] * len(test_texts) for _ in seeds],
                        "val_accuracy": made_up, "val_ci": [0.9, 0.85, 0.95]}
    report["val_difference_ci"] = [0.0, -0.01, 0.01]
    return report
