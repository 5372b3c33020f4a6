"""Lab 56's toy news grammar (shared by build_artifacts.py, the harness and checks.py).

An article has one KEY sentence ("the mayor of riverton opened a new bridge on monday .") among filler
sentences; its headline is the key fact, compressed ("mayor opens bridge in riverton"). The tiny T5 in
the artifacts was pre-trained to write such headlines (task prefix "summarize: ") and to fill in
corrupted spans of articles. Everything is lower case, words and " ." separated by single spaces.
"""
from __future__ import annotations

import random

ROLES = "mayor council school museum hospital library police club".split()
TOWNS = "riverton oakdale milford ashby redwood kingsport elmira brookfield".split()
VERBS = {"opened": "opens", "closed": "closes", "built": "builds", "sold": "sells", "repaired": "repairs",
         "planned": "plans"}
THINGS = "bridge park road market station garden stadium tower".split()
SIZES = "new old small large".split()
DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
ADJECTIVES = "busy quiet crowded expensive popular modern".split()
WEATHER = "sunny rainy windy cold warm".split()
MONTHS = "march april june july october december".split()
AMOUNTS = "many few some hundreds of".split()

FILLERS = [
    "officials said the {thing} was {adj} .",
    "many people in {town} came to watch .",
    "the weather on {day} was {weather} .",
    "local shops reported {amount} visitors .",
    "the {role} did not comment on the {thing} .",
    "a spokesperson said work on the {thing} will finish in {month} .",
    "residents of {town} said the {thing} is {adj} .",
    "the {thing} near the {thing2} was {adj} on {day} .",
]


def key_fact(r: random.Random) -> dict:
    return {"role": r.choice(ROLES), "town": r.choice(TOWNS), "verb": r.choice(list(VERBS)),
            "size": r.choice(SIZES), "thing": r.choice(THINGS), "day": r.choice(DAYS)}


def key_sentence(f: dict) -> str:
    return f"the {f['role']} of {f['town']} {f['verb']} a {f['size']} {f['thing']} on {f['day']} ."


def headline(f: dict) -> str:
    return f"{f['role']} {VERBS[f['verb']]} {f['thing']} in {f['town']}"


def filler(r: random.Random, f: dict) -> str:
    template = r.choice(FILLERS)
    return template.format(thing=r.choice([f["thing"], r.choice(THINGS)]), thing2=r.choice(THINGS),
                           adj=r.choice(ADJECTIVES), town=f["town"], day=r.choice(DAYS),
                           weather=r.choice(WEATHER), amount=r.choice(AMOUNTS), role=r.choice(ROLES),
                           month=r.choice(MONTHS))


def article(r: random.Random, n_fillers: int | None = None) -> tuple[list[str], str]:
    """(sentences, headline): one key sentence among 2-4 (or n_fillers) distinct filler sentences."""
    f = key_fact(r)
    n = r.randint(2, 4) if n_fillers is None else n_fillers
    sentences: list[str] = []
    while len(sentences) < n:
        s = filler(r, f)
        if s not in sentences:
            sentences.append(s)
    sentences.insert(r.randrange(n + 1), key_sentence(f))
    return sentences, headline(f)


def articles(name: str, count: int, n_fillers: int | None = None) -> list[tuple[list[str], str]]:
    r = random.Random(name)
    return [article(r, n_fillers) for _ in range(count)]


def _perturb(r: random.Random, words: list[str]) -> list[str]:
    words = list(words)
    for _ in range(r.randint(1, 3)):
        kind = r.randrange(5)
        if kind == 0 and len(words) > 2:                       # drop a word
            del words[r.randrange(len(words))]
        elif kind == 1:                                        # repeat a word (tests clipping)
            i = r.randrange(len(words))
            words.insert(i, words[i])
        elif kind == 2 and len(words) > 1:                     # swap two neighbours (tests ROUGE-2 / L)
            i = r.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        elif kind == 3:                                        # a word the reference lacks
            words.insert(r.randrange(len(words) + 1), r.choice(ADJECTIVES + WEATHER))
        else:                                                  # a headline word from elsewhere
            words[r.randrange(len(words))] = r.choice(THINGS + TOWNS)
    return words


def rouge_pairs(name: str, count: int) -> list[tuple[str, str]]:
    """(candidate, reference) pairs: perturbed headlines and sentences, with capitals and punctuation in the
    candidates, one candidate with nothing in common and one empty candidate."""
    r = random.Random(name)
    pairs = []
    for i in range(count - 2):
        sentences, title = article(r)
        reference = title if i % 2 == 0 else r.choice(sentences)
        words = _perturb(r, reference.split())
        if r.random() < 0.5:
            words[0] = words[0].capitalize()
        candidate = " ".join(words).replace(" .", ".") + r.choice(["", "!", ",", " -- ok"])
        pairs.append((candidate, reference))
    pairs.append((" ".join(r.sample(WEATHER, 3)).title(), headline(key_fact(r))))
    pairs.append(("", headline(key_fact(r))))
    r.shuffle(pairs)
    return pairs
