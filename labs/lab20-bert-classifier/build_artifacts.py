"""Builds Lab 20's tiny "pre-trained" BERT (trusted; run OUTSIDE the sandbox, once per version of this
file): `python build_artifacts.py OUT_DIR`.

1. Generates an unlabelled corpus of short reviews and plain sentences from a small grammar.
2. Builds a word-level tokenizer with BERT's special tokens that wraps every text in "[CLS] text [SEP]".
3. Pre-trains a BERT with 2 layers and hidden size 64 with masked language modelling (15% of the
   tokens: 80% [MASK], 10% random, 10% kept) for 4000 steps with fixed seeds (labkit.tinymodels).
4. Saves BertForMaskedLM + tokenizer with save_pretrained into OUT_DIR/bert-tiny (safetensors).

make_data.py imports the grammar from here, so the labelled data and the tokenizer agree.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

try:
    from labkit import tinymodels
except ImportError:  # run from a source checkout (labs/<lab>/): put the folder that holds labkit/ on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from labkit import tinymodels

THINGS = "food soup pizza movie book service staff room coffee music game phone hotel show".split()
POSITIVE = "good great tasty lovely nice fun excellent wonderful".split()
NEGATIVE = "bad awful boring terrible rude cold dull poor".split()
ADVERBS = "very really quite so".split()
LIKE = "liked loved enjoyed".split()
DISLIKE = "hated disliked".split()
FUNCTION_WORDS = "the a was is not never but and i did like it . , we they today".split()
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PRETRAIN = dict(steps=4000, batch_size=32, lr=2e-3, warmup=200, seed=0, mask_prob=0.15)


def vocabulary() -> list[str]:
    words = set(THINGS + POSITIVE + NEGATIVE + ADVERBS + LIKE + DISLIKE + FUNCTION_WORDS)
    return SPECIALS + sorted(words)


def clause(r: random.Random) -> tuple[str, int]:
    """One review clause and its sentiment (1 positive, 0 negative)."""
    thing = r.choice(THINGS)
    kind = r.randrange(4)
    if kind < 3:
        positive = r.random() < 0.5
        adj = r.choice(POSITIVE if positive else NEGATIVE)
        adv = r.choice(ADVERBS) + " " if r.random() < 0.3 else ""
        negation = r.random() < 0.5
        word = r.choice(["not", "never"]) if negation else ""
        text = f"the {thing} was {word + ' ' if word else ''}{adv}{adj}"
        return text, int(positive != negation)
    positive = r.random() < 0.5
    if r.random() < 0.5:
        return f"i {r.choice(LIKE if positive else DISLIKE)} the {thing}", int(positive)
    return f"i did not like the {thing}", 0


def review(r: random.Random) -> tuple[str, int]:
    """A review: one clause, or two joined by 'but' (the sentiment follows the clause after 'but')."""
    first, label = clause(r)
    if r.random() < 0.35:
        second, label = clause(r)
        return f"{first} , but {second} .", label
    return f"{first} .", label


def opinion(r: random.Random) -> str:
    """Unlabelled text in which liking goes with positive words: MLM learns which adjectives are positive."""
    positive = r.random() < 0.5
    who, thing = r.choice(["i", "we", "they"]), r.choice(THINGS)
    verb, adj = r.choice(LIKE if positive else DISLIKE), r.choice(POSITIVE if positive else NEGATIVE)
    if r.random() < 0.5:
        return f"{who} {verb} the {thing} , it was {adj} ."
    return f"the {thing} was {adj} and {who} {verb} it ."


def pretrain_text(r: random.Random) -> str:
    k = r.random()
    if k < 0.5:
        return opinion(r)
    if k < 0.85:
        return review(r)[0]
    return f"{r.choice(['we', 'they'])} {r.choice(LIKE)} the {r.choice(THINGS)} and the {r.choice(THINGS)} today ."


def main(out_dir: Path) -> None:
    tokenizer = tinymodels.word_tokenizer(vocabulary(), max_length=64, template=tinymodels.BERT_TEMPLATE,
                                          unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
                                          mask_token="[MASK]")
    tinymodels.build_model_dir(out_dir / "bert-tiny", "bert", tokenizer, pretrain_text, **PRETRAIN)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
