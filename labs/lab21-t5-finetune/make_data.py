"""Regenerates Lab 21's parallel data (run once by the lab author; the output is committed).

English -> Toy translation: Toy has its own words (a fixed dictionary), drops "the" and puts every
adjective after its noun:
    the old dog finds the red ball .   ->   vako starn najde bolo ruja .
The held-out sentences never occur in train.tsv.
"""
import random
from pathlib import Path

from build_artifacts import sentence_pair

HERE = Path(__file__).resolve().parent


def main():
    rng = random.Random(21)
    seen, train, test = set(), [], []
    while len(train) < 800:
        english, toy = sentence_pair(rng)
        if english not in seen:
            seen.add(english)
            train.append((english, toy))
    while len(test) < 200:
        english, toy = sentence_pair(rng)
        if english not in seen:
            seen.add(english)
            test.append((english, toy))
    (HERE / "data").mkdir(exist_ok=True)
    (HERE / "private").mkdir(exist_ok=True)
    (HERE / "data" / "train.tsv").write_text("".join(f"{e}\t{t}\n" for e, t in train))
    (HERE / "data" / "test_sources.txt").write_text("".join(f"{e}\n" for e, _ in test))
    (HERE / "private" / "test_targets.txt").write_text("".join(f"{t}\n" for _, t in test))
    print(len(train), "train pairs,", len(test), "held-out sentences")


if __name__ == "__main__":
    main()
