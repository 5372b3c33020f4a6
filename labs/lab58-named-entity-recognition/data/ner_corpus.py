"""Annotated sentences (tokens and BIO tags: PER, ORG, LOC) from a small grammar. data/train.conll was
written by `python data/ner_corpus.py` (seed "train", names from the first part of each pool only); hidden
sentences are drawn from the seed with every name, so most hidden entities were never seen in training.
The harness passes only the tokens of hidden sentences to the tagger; checks.py draws the tags again."""
from __future__ import annotations

import random
import sys
from pathlib import Path

FIRST = ["Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Liam",
         "Maya", "Nikolai", "Olga", "Pablo", "Quinn", "Rosa", "Samir", "Tara", "Ugo", "Vera", "Wen", "Ximena",
         "Yusuf", "Zofia", "Amara", "Bruno", "Chloe", "Dmitri"]
LAST = ["Alvarez", "Becker", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen",
        "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi", "Silva", "Tanaka",
        "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Abbott", "Brandt", "Costa", "Dahl"]
CITIES = ["Lisbon", "Oslo", "Nairobi", "Lima", "Kyoto", "Dublin", "Quito", "Riga", "Tunis", "Perth",
          "New York", "San Marco", "Port Ellis", "Cape Town", "Buenos Aires", "Hanoi", "Turin", "Accra",
          "Bergen", "Dakar", "Lyon", "Porto", "Malmo", "Split"]
ORG_BASES = ["Acme", "Northwind", "Globex", "Initech", "Vandelay", "Helios", "Umbra", "Tessel", "Quorra",
             "Brightline", "Corvid", "Lumen", "Stratus", "Kestrel", "Orbis", "Paragon", "Zenith", "Nimbus"]
ORG_FORMS = ["{b} Corp", "{b} Labs", "{b} Group", "{b}", "Bank of {c}", "University of {c}", "{b} Systems"]
TRAIN_FRACTION = 0.6
TEMPLATES = [
    "{PER} works for {ORG} in {LOC} .",
    "{PER} met {PER} at the {ORG} office .",
    "Yesterday , {PER} flew from {LOC} to {LOC} .",
    "{ORG} opened a new lab in {LOC} .",
    "According to {PER} , {ORG} will hire 200 people .",
    "The mayor of {LOC} , {PER} , visited {ORG} .",
    "Shares of {ORG} rose 3 percent on Monday .",
    "{PER} said the weather in {LOC} was cold .",
    "Mr. {LAST} joined {ORG} last year .",
    "She moved to {LOC} with {PER} in 2019 .",
    "{ORG} and {ORG} signed a deal in {LOC} .",
    "Dr. {LAST} of {ORG} spoke in {LOC} on Friday .",
    "In {LOC} , {PER} founded {ORG} .",
    "The report by {ORG} was praised by {PER} .",
]


def _pool(names, train_only):
    return names[: int(len(names) * TRAIN_FRACTION)] if train_only else names


def _entity(rng, kind, train_only):
    if kind == "PER":
        first = rng.choice(_pool(FIRST, train_only))
        words = [first] if rng.random() < 0.2 else [first, rng.choice(_pool(LAST, train_only))]
        return words, "PER"
    if kind == "LAST":
        return [rng.choice(_pool(LAST, train_only))], "PER"
    if kind == "LOC":
        return rng.choice(_pool(CITIES, train_only)).split(), "LOC"
    form = rng.choice(ORG_FORMS)
    name = form.format(b=rng.choice(_pool(ORG_BASES, train_only)), c=rng.choice(_pool(CITIES, train_only)))
    return name.split(), "ORG"


def sentence(rng: random.Random, train_only: bool = False) -> tuple[list[str], list[str]]:
    tokens, tags = [], []
    for piece in rng.choice(TEMPLATES).split():
        if piece.startswith("{") and piece.endswith("}"):
            words, label = _entity(rng, piece[1:-1], train_only)
            tokens += words
            tags += [f"B-{label}"] + [f"I-{label}"] * (len(words) - 1)
        else:
            tokens.append(piece)
            tags.append("O")
    return tokens, tags


def sentences(seed, n: int, train_only: bool = False) -> tuple[list[list[str]], list[list[str]]]:
    rng = random.Random(f"lab58-ner:{seed}")
    pairs = [sentence(rng, train_only) for _ in range(n)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def write_conll(path: Path, token_lists, tag_lists) -> None:
    blocks = ["\n".join(f"{t} {g}" for t, g in zip(tokens, tags)) for tokens, tags in zip(token_lists, tag_lists)]
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def read_conll(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    token_lists, tag_lists = [], []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        pairs = [line.split() for line in block.splitlines()]
        token_lists.append([p[0] for p in pairs])
        tag_lists.append([p[1] for p in pairs])
    return token_lists, tag_lists


if __name__ == "__main__":
    write_conll(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "train.conll",
                *sentences("train", 300, train_only=True))
