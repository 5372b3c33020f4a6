"""Builds Lab 29's labelled data (run once by the lab author; the outputs are committed):

- data/train.csv: 240 labelled reviews that use only HALF of the sentiment adjectives;
- data/val.csv: 100 labelled reviews using ALL the adjectives (for model selection and the students'
  own confidence intervals; never trained on);
- data/test_texts.txt: 300 more reviews using all the adjectives (texts only);
- private/test_labels.txt: their labels, never mounted in the sandbox (the grader scores predictions).

A model that learned in pre-training which unseen adjectives are positive classifies the test reviews
that use them; one that only memorised the fine-tuning adjectives cannot.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

from build_artifacts import NEGATIVE, POSITIVE, review   # the grammar is shared with pre-training

HERE = Path(__file__).parent
SEEN_POSITIVE, SEEN_NEGATIVE = POSITIVE[:4], NEGATIVE[:4]
BUT_PROB, NEGATION_PROB = 0.0, 0.0       # the labelled task: one clause; its words carry the sentiment


def labelled(r: random.Random, count: int, positive_words, negative_words) -> list[tuple[str, int]]:
    rows, seen = [], set()
    while len(rows) < count:
        text, label = review(r, positive_words, negative_words, but_prob=BUT_PROB, negation_prob=NEGATION_PROB)
        if text not in seen:
            seen.add(text)
            rows.append((text, label))
    return rows


def write_csv(path: Path, rows) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def main() -> None:
    r = random.Random(29)
    train = labelled(r, 240, SEEN_POSITIVE, SEEN_NEGATIVE)
    known = {text for text, _ in train}
    unseen_pool = [row for row in labelled(r, 700, POSITIVE, NEGATIVE) if row[0] not in known]
    val, test = unseen_pool[:100], unseen_pool[100:400]
    write_csv(HERE / "data" / "train.csv", train)
    write_csv(HERE / "data" / "val.csv", val)
    (HERE / "data" / "test_texts.txt").write_text("\n".join(text for text, _ in test) + "\n")
    (HERE / "private" / "test_labels.txt").write_text("\n".join(str(label) for _, label in test) + "\n")


if __name__ == "__main__":
    main()
