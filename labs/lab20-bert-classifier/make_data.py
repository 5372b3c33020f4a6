"""Regenerates Lab 20's labelled data (run once by the lab author; the output is committed).

Short reviews whose sentiment depends on word order: negation flips a clause ("the soup was not
good"), and in "X , but Y ." the review follows Y. Counting positive and negative words therefore only
gets about half of them right; a fine-tuned BERT gets nearly all.
"""
import csv
import random
from pathlib import Path

from build_artifacts import NEGATIVE, POSITIVE, review

HERE = Path(__file__).resolve().parent
LABELS = ["negative", "positive"]


# The labelled training set only uses half of the adjectives; the test set uses all of them. Words a
# model never saw with a label can only be classified through what pre-training taught about them.
UNSEEN = set(POSITIVE[4:] + NEGATIVE[4:])


def unique_reviews(rng, n, taken, allow_unseen):
    out = []
    while len(out) < n:
        text, label = review(rng)
        if not allow_unseen and UNSEEN & set(text.split()):
            continue
        if text not in taken:
            taken.add(text)
            out.append((text, LABELS[label]))
    return out


def main():
    rng = random.Random(20)
    taken = set()
    train = unique_reviews(rng, 1000, taken, allow_unseen=False)
    test = unique_reviews(rng, 400, taken, allow_unseen=True)
    (HERE / "data").mkdir(exist_ok=True)
    (HERE / "private").mkdir(exist_ok=True)
    with open(HERE / "data" / "train.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        writer.writerows(train)
    (HERE / "data" / "test_texts.txt").write_text("\n".join(t for t, _ in test) + "\n")
    (HERE / "private" / "test_labels.txt").write_text("\n".join(lab for _, lab in test) + "\n")
    print(len(train), "train,", len(test), "test;", sum(lab == "positive" for _, lab in train), "positive in train")


if __name__ == "__main__":
    main()
