"""Regenerates Lab 19's fine-tuning data (run once by the lab author; the output is committed).

The "storybook" style: every story is one line
    once upon a time , in the PLACE , the ADJ ANIMAL always VERB the OBJECT . the end .
where the VERB is fixed by the ANIMAL (each animal has its habit) and the OBJECT by the PLACE.
The pre-trained model has seen all these words, but never this pairing. Some (animal, place)
combinations never occur in train.txt; the held-out prompts use exactly those, so a model only scores
if it learned the two rules rather than memorising whole stories.
"""
import random
from pathlib import Path

from build_artifacts import ADJS, NOUNS, PLACES, VERBS

HERE = Path(__file__).resolve().parent
rng = random.Random(19)
HABIT = dict(zip(NOUNS, [present for _, present in VERBS] + [VERBS[0][1], VERBS[5][1]]))
PLACE_OBJECT = dict(zip(PLACES, "ball box stick apple hat key shoe book".split()))


def prompt(place, adj, noun):
    return f"once upon a time , in the {place} , the {adj} {noun} always"


def completion(place, noun):
    return f"{HABIT[noun]} the {PLACE_OBJECT[place]} . the end ."


def main():
    combos = [(n, p) for n in NOUNS for p in PLACES]
    rng.shuffle(combos)
    held_out, seen = combos[:20], combos[20:]
    train = []
    for _ in range(400):
        noun, place = rng.choice(seen)
        train.append(prompt(place, rng.choice(ADJS), noun) + " " + completion(place, noun))
    tests = []
    for noun, place in held_out:
        for adj in rng.sample(ADJS, 2):
            tests.append((prompt(place, adj, noun), completion(place, noun)))
    (HERE / "data").mkdir(exist_ok=True)
    (HERE / "private").mkdir(exist_ok=True)
    (HERE / "data" / "train.txt").write_text("\n".join(train) + "\n")
    (HERE / "data" / "test_prompts.txt").write_text("\n".join(p for p, _ in tests) + "\n")
    (HERE / "private" / "test_completions.txt").write_text("\n".join(c for _, c in tests) + "\n")
    print(len(train), "train stories,", len(tests), "held-out prompts")


if __name__ == "__main__":
    main()
