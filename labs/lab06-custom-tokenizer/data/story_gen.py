"""Generates simple English-like sentences about a coastal village (our own synthetic corpus).
Used by the lab's harness to build training and held-out text from a seed; importable for local runs:
    from story_gen import sentences; lines = sentences(random.Random(0), 500)
"""
from __future__ import annotations

import random

PEOPLE = ["the keeper", "the fisherman", "the farmer", "the beekeeper", "the baker", "the doctor", "the teacher",
          "old Walter", "young Peter", "Margaret", "Ellen", "Tom Avery", "Mrs. Dale", "Dr. Moss", "the children",
          "the sailors", "the council", "her cousin", "the captain", "the miller"]
VERBS = ["carried", "painted", "mended", "counted", "sold", "found", "lost", "checked", "cleaned", "watched",
         "opened", "closed", "pulled", "pushed", "lifted", "dropped", "filled", "emptied", "repaired", "polished"]
OBJECTS = ["the nets", "a lantern", "three barrels", "the fog bell", "a basket of eggs", "the long rope",
           "two maps", "the boat", "the old lens", "a jar of honey", "the cellar door", "the ladder",
           "a bundle of letters", "the cider press", "the garden gate", "twelve candles", "the harbour wall"]
PLACES = ["by the harbour", "in the orchard", "at the market", "on the cliff path", "near the tower",
          "behind the mill", "in the village square", "under the old pier", "beside the church", "at the bakery"]
TIMES = ["before dawn", "after supper", "on Saturday", "in the spring", "every winter", "at noon",
         "during the storm", "late at night", "early in the morning", "last week"]
ADJECTIVES = ["cold", "quiet", "busy", "stormy", "bright", "heavy", "narrow", "ancient", "wet", "cheerful"]
NOUNS = ["wind", "tide", "market", "harvest", "lamp", "winter", "sea", "road", "bell", "orchard"]


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def sentence(rng: random.Random) -> str:
    who, what = rng.choice(PEOPLE), rng.choice(OBJECTS)
    templates = [
        lambda: f"{_cap(who)} {rng.choice(VERBS)} {what} {rng.choice(PLACES)}.",
        lambda: f"{_cap(rng.choice(TIMES))}, {who} {rng.choice(VERBS)} {what}.",
        lambda: f"The {rng.choice(NOUNS)} was {rng.choice(ADJECTIVES)} {rng.choice(TIMES)}.",
        lambda: f"{_cap(who)} paid {rng.randint(1, 99)}.{rng.randint(10, 99)} for {what}.",
        lambda: f"In {rng.randint(1820, 1920)} {who} {rng.choice(VERBS)} {rng.randint(2, 5000)} barrels.",
        lambda: f"\"Have you seen {what}?\" asked {who}.",
        lambda: f"{_cap(who)} and {rng.choice(PEOPLE)} {rng.choice(VERBS)} {what} {rng.choice(TIMES)}.",
        lambda: f"It was a {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}, and {who} stayed {rng.choice(PLACES)}.",
    ]
    return rng.choice(templates)()


def sentences(rng: random.Random, n: int) -> list[str]:
    return [sentence(rng) for _ in range(n)]
