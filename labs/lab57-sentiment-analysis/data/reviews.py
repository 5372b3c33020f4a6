"""Product reviews from a small grammar, each with the sentiment it was written with (1 positive, 0
negative). The harness draws the hidden reviews with it and never returns their labels; checks.py draws
the same reviews from the seed, outside the sandbox, to score the predictions."""
from __future__ import annotations

import json
import random
from pathlib import Path

LEXICON = json.loads((Path(__file__).parent / "lexicon.json").read_text(encoding="utf-8"))
POSITIVE = sorted(w for w, v in LEXICON["words"].items() if v > 0 and w not in ("love", "loved", "enjoy"))
NEGATIVE = sorted(w for w, v in LEXICON["words"].items() if v < 0 and w not in ("hate", "hated"))
MILD_NEGATIVE = [w for w in NEGATIVE if LEXICON["words"][w] >= -2.0]
MILD_POSITIVE = [w for w in POSITIVE if LEXICON["words"][w] <= 2.0]
ASPECTS = ["battery", "screen", "keyboard", "case", "speaker", "camera", "charger", "hinge", "strap", "app",
           "lid", "cable", "fan", "display", "button"]
PRODUCTS = ["laptop", "phone", "kettle", "lamp", "headset", "tablet", "blender", "watch", "router", "printer"]
BOOSTS = ["very", "really", "extremely", "incredibly", "so", "quite"]
NEGATED_IS = ["is not", "isn't", "was not", "wasn't", "is never"]
IS = ["is", "was", "feels", "seems"]
# Phrases the lexicon does not know but that carry the sentiment: a learned model picks them up.
POSITIVE_PHRASES = ["i would buy it again", "five stars from me", "worth every penny", "my family uses it daily",
                    "highly recommended"]
NEGATIVE_PHRASES = ["i returned it after a week", "one star from me", "i asked for a refund",
                    "it stopped working", "save your money"]
NEUTRAL = ["i bought the {p} last month", "we used the {p} for {n} days", "the {p} came in a box",
           "my brother ordered the same {p}", "it arrived on a monday"]


def _word(rng, label, mild=False):
    if label:
        return rng.choice(MILD_POSITIVE if mild else POSITIVE)
    return rng.choice(MILD_NEGATIVE if mild else NEGATIVE)


def _boost(rng):
    return rng.choice(BOOSTS) + " " if rng.random() < 0.4 else ""


def _clause(rng, label):
    """One clause whose lexicon score has the sign of `label` under the rules of the lab."""
    aspect = rng.choice(ASPECTS)
    form = rng.random()
    if form < 0.4:
        return f"the {aspect} {rng.choice(IS)} {_boost(rng)}{_word(rng, label)}"
    if form < 0.65:
        return f"the {aspect} {rng.choice(NEGATED_IS)} {_boost(rng)}{_word(rng, 1 - label)}"
    other = rng.choice([a for a in ASPECTS if a != aspect])
    return (f"the {other} {rng.choice(IS)} {_word(rng, 1 - label, mild=True)} but the {aspect} "
            f"{rng.choice(IS)} {_boost(rng)}{_word(rng, label)}")


def _sentence(text, rng):
    return text[0].upper() + text[1:] + rng.choice([".", ".", "!"])


def review(rng: random.Random, label: int) -> str:
    sentences = []
    if rng.random() < 0.4:
        sentences.append(rng.choice(NEUTRAL).format(p=rng.choice(PRODUCTS), n=rng.randint(2, 30)))
    sentences.append(_clause(rng, label))
    if rng.random() < 0.3:
        sentences.append(_clause(rng, label))
    if rng.random() < 0.5:
        sentences.append(rng.choice(POSITIVE_PHRASES if label else NEGATIVE_PHRASES))
    return " ".join(_sentence(s, rng) for s in sentences)


def reviews(seed, n: int) -> tuple[list[str], list[int]]:
    """n reviews, balanced in expectation, and their labels."""
    rng = random.Random(f"lab57-reviews:{seed}")
    labels = [rng.randint(0, 1) for _ in range(n)]
    return [review(rng, label) for label in labels], labels


def phrase_only_reviews(seed, n: int) -> tuple[list[str], list[int]]:
    """Reviews whose only sentiment signal is a phrase outside the lexicon."""
    rng = random.Random(f"lab57-phrases:{seed}")
    labels = [rng.randint(0, 1) for _ in range(n)]
    texts = [" ".join(_sentence(s, rng) for s in (
        rng.choice(NEUTRAL).format(p=rng.choice(PRODUCTS), n=rng.randint(2, 30)),
        rng.choice(POSITIVE_PHRASES if label else NEGATIVE_PHRASES))) for label in labels]
    return texts, labels


def rule_probes(seed) -> list[str]:
    """Short texts that each exercise one rule: negation scope, stacked intensifiers, but-clauses."""
    rng = random.Random(f"lab57-probes:{seed}")
    pos, neg = rng.choice(POSITIVE), rng.choice(NEGATIVE)
    aspect, other = rng.sample(ASPECTS, 2)
    boost, boost2 = rng.sample(sorted(LEXICON["intensifiers"]), 2)
    return [
        f"The {aspect} is not {pos} and {neg}.",
        f"The {aspect} is not {pos}, the {other} is {neg}.",
        f"Never {boost} {boost2} {pos}!",
        f"{boost.capitalize()} the {aspect} is {pos}.",
        f"The {aspect} is {pos} but not {neg}. The {other} is {boost} {neg}.",
        f"It is {neg}. But the {aspect} is {pos} but {neg}",
        f"Not {neg} but {pos}; {boost} {boost} {neg}",
        f"The {aspect} isn't {boost} {pos}! Really.",
        "",
    ]
