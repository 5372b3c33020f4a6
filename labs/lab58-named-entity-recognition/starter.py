"""Lab 58: named entity recognition.

Fill in every function marked TODO and submit this file as ner.py. Plain Python (numpy allowed): seqeval,
nltk, spaCy, scikit-learn and torch are not importable in this lab (writing the pieces is the point).
Tags are BIO strings: "O", "B-PER", "I-PER", "B-ORG", ... (types PER, ORG, LOC).
"""
from __future__ import annotations

import random
from collections import defaultdict


# ----------------------------------------------------------------- part 1: BIO decoding and scoring

def get_entities(tags: list[str]) -> list[tuple[str, int, int]]:
    """Entities of one tag sequence as (type, start, end), end INCLUSIVE, under seqeval's default rules:
    an entity starts at B-X, or at I-X that follows O, the start of the sequence, or another type;
    it ends before O, before any B-, or before a change of type."""
    # TODO: walk the tags with an "open entity" state; a sentinel "O" at the end closes the last one
    raise NotImplementedError("get_entities")


def precision_recall_f1(true_seqs: list[list[str]], pred_seqs: list[list[str]]) -> dict:
    """{"micro": (precision, recall, f1), "PER": (precision, recall, f1, support), ...}: an entity counts as
    correct only if its sentence, type, start and end all match a gold entity. Per-type keys for every type
    seen in the gold or the predicted entities; support = number of gold entities of the type; 0/0 = 0.0."""
    raise NotImplementedError("precision_recall_f1")


def fix_bio(tags: list[str]) -> list[str]:
    """Make a sequence valid BIO: an I-X that does not continue an X entity becomes B-X."""
    raise NotImplementedError("fix_bio")


# ----------------------------------------------------------------- part 2: the averaged perceptron tagger

class AveragedPerceptron:
    """Multi-class perceptron over string features. weights[feature][label] -> float."""

    def __init__(self, classes: list[str]):
        self.classes = list(classes)
        self.weights: dict[str, dict[str, float]] = defaultdict(dict)
        # TODO: whatever you need to average lazily (totals and timestamps per (feature, label), a step count)

    def predict(self, features: list[str]) -> str:
        """The label with the highest summed weight (ties: the larger label string)."""
        raise NotImplementedError("predict")

    def update(self, truth: str, guess: str, features: list[str]) -> None:
        """One step: if guess != truth, +1 for (f, truth) and -1 for (f, guess) for every feature f.
        Every call is a step for the average, even when truth == guess."""
        raise NotImplementedError("update")

    def average(self) -> None:
        """Replace each weight by its mean over all update calls, taken as it stood when each call BEGAN."""
        raise NotImplementedError("average")


def token_features(tokens: list[str], i: int, prev_tag: str, prev2_tag: str) -> list[str]:
    """Feature strings for token i: its word, suffix, shape ("Xxxx", "dd"), neighbours, previous tags..."""
    raise NotImplementedError("token_features")


class NERTagger:
    """Greedy left-to-right tagging with an AveragedPerceptron (the previous predicted tags are features)."""

    def __init__(self, classes: list[str]):
        self.model = AveragedPerceptron(classes)

    def train(self, sentences: list[list[str]], tag_lists: list[list[str]], epochs: int = 5, seed: int = 0):
        """A few epochs over the shuffled sentences, updating after every token; average() at the end.
        Returns self."""
        raise NotImplementedError("train")

    def tag(self, tokens: list[str]) -> list[str]:
        """One tag per token, valid BIO (apply fix_bio)."""
        raise NotImplementedError("tag")
