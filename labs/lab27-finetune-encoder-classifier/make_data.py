"""Writes Lab 27's labelled data (trusted, run once by the lab author: `python make_data.py`).

data/train.csv: labelled support messages (public, mounted in the sandbox).
data/test_texts.txt: held-out messages without labels (the student predicts them).
private/test_labels.txt: their departments, used only by checks.py."""
from __future__ import annotations

import csv
import random
from pathlib import Path

from build_artifacts import message

HERE = Path(__file__).resolve().parent
N_TRAIN, N_TEST = 2000, 400


def main() -> None:
    train_rng, test_rng = random.Random("lab27-train"), random.Random("lab27-test-5d2a")
    with open(HERE / "data" / "train.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(message(train_rng) for _ in range(N_TRAIN))
    test = [message(test_rng) for _ in range(N_TEST)]
    (HERE / "data" / "test_texts.txt").write_text("".join(f"{text}\n" for text, _ in test), encoding="utf-8")
    (HERE / "private" / "test_labels.txt").write_text("".join(f"{label}\n" for _, label in test), encoding="utf-8")


if __name__ == "__main__":
    main()
