"""Lab 58 reference: BIO entity spans (seqeval's default rules), entity-level precision/recall/F1, BIO repair,
and a greedy named-entity tagger trained as an averaged perceptron over feature templates."""
from __future__ import annotations

import random
from collections import defaultdict


# ----------------------------------------------------------------- BIO decoding and scoring

def _split(tag: str) -> tuple[str, str]:
    if tag == "O":
        return "O", ""
    prefix, _, kind = tag.partition("-")
    return prefix, kind


def get_entities(tags: list[str]) -> list[tuple[str, int, int]]:
    """(type, start, end) with end inclusive. An entity starts at B-X, or at I-X after O or after another
    type; it ends before O, before B-, or before a change of type."""
    entities, start, current = [], None, ""
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, kind = _split(tag)
        if start is not None and (prefix in ("O", "B") or kind != current):
            entities.append((current, start, i - 1))
            start = None
        if prefix == "B" or (prefix == "I" and start is None):
            start, current = i, kind
    return entities


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _scores(true_set, pred_set) -> tuple[float, float, float]:
    hits = len(true_set & pred_set)
    precision, recall = _ratio(hits, len(pred_set)), _ratio(hits, len(true_set))
    return precision, recall, _ratio(2 * precision * recall, precision + recall)


def precision_recall_f1(true_seqs: list[list[str]], pred_seqs: list[list[str]]) -> dict:
    true_set = {(s, *e) for s, tags in enumerate(true_seqs) for e in get_entities(tags)}
    pred_set = {(s, *e) for s, tags in enumerate(pred_seqs) for e in get_entities(tags)}
    report = {"micro": _scores(true_set, pred_set)}
    for kind in sorted({e[1] for e in true_set | pred_set}):
        true_kind = {e for e in true_set if e[1] == kind}
        pred_kind = {e for e in pred_set if e[1] == kind}
        report[kind] = (*_scores(true_kind, pred_kind), len(true_kind))
    return report


def fix_bio(tags: list[str]) -> list[str]:
    """I-X that does not continue an entity of type X (after O, at the start, after another type) becomes B-X."""
    fixed, previous = [], "O"
    for tag in tags:
        prefix, kind = _split(tag)
        if prefix == "I" and (previous == "O" or _split(previous)[1] != kind):
            tag = f"B-{kind}"
        fixed.append(tag)
        previous = tag
    return fixed


# ----------------------------------------------------------------- the averaged perceptron

class AveragedPerceptron:
    def __init__(self, classes: list[str]):
        self.classes = list(classes)
        self.weights: dict[str, dict[str, float]] = defaultdict(dict)
        self._totals: dict[tuple[str, str], float] = defaultdict(float)
        self._stamps: dict[tuple[str, str], int] = defaultdict(int)
        self.steps = 0

    def scores(self, features: list[str]) -> dict[str, float]:
        scores = dict.fromkeys(self.classes, 0.0)
        for feature in features:
            for label, weight in self.weights.get(feature, {}).items():
                scores[label] += weight
        return scores

    def predict(self, features: list[str]) -> str:
        scores = self.scores(features)
        return max(self.classes, key=lambda label: (scores[label], label))

    def _add(self, feature: str, label: str, delta: float) -> None:
        key = (feature, label)
        weight = self.weights[feature].get(label, 0.0)
        self._totals[key] += (self.steps - self._stamps[key]) * weight
        self._stamps[key] = self.steps
        self.weights[feature][label] = weight + delta

    def update(self, truth: str, guess: str, features: list[str]) -> None:
        self.steps += 1
        if truth == guess:
            return
        for feature in features:
            self._add(feature, truth, 1.0)
            self._add(feature, guess, -1.0)

    def average(self) -> None:
        """Each weight becomes its mean over the update calls, taken as it stood when each call began."""
        for feature, weights in self.weights.items():
            for label, weight in weights.items():
                key = (feature, label)
                total = self._totals[key] + (self.steps - self._stamps[key]) * weight
                weights[label] = total / self.steps if self.steps else 0.0


# ----------------------------------------------------------------- the tagger

def _shape(word: str) -> str:
    shape = "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c for c in word)
    collapsed = [c for i, c in enumerate(shape) if i == 0 or c != shape[i - 1]]
    return "".join(collapsed)


def token_features(tokens: list[str], i: int, prev_tag: str, prev2_tag: str) -> list[str]:
    word = tokens[i]
    before = tokens[i - 1] if i > 0 else "<s>"
    after = tokens[i + 1] if i + 1 < len(tokens) else "</s>"
    return ["bias", f"w={word.lower()}", f"suf3={word[-3:].lower()}", f"shape={_shape(word)}",
            f"title={word.istitle()}", f"first={i == 0}", f"w-1={before.lower()}", f"w+1={after.lower()}",
            f"shape+1={_shape(after)}", f"t-1={prev_tag}", f"t-2,t-1={prev2_tag},{prev_tag}",
            f"t-1,w={prev_tag},{word.lower()}", f"t-1,shape={prev_tag},{_shape(word)}"]


class NERTagger:
    def __init__(self, classes: list[str]):
        self.model = AveragedPerceptron(classes)

    def _greedy(self, tokens: list[str], gold: list[str] | None = None) -> list[str]:
        tags, prev, prev2 = [], "<s>", "<s>"
        for i in range(len(tokens)):
            features = token_features(tokens, i, prev, prev2)
            guess = self.model.predict(features)
            if gold is not None:
                self.model.update(gold[i], guess, features)
            tags.append(guess)
            prev2, prev = prev, guess
        return tags

    def train(self, sentences: list[list[str]], tag_lists: list[list[str]], epochs: int = 5, seed: int = 0):
        order = list(range(len(sentences)))
        rng = random.Random(seed)
        for _ in range(epochs):
            rng.shuffle(order)
            for index in order:
                self._greedy(sentences[index], tag_lists[index])
        self.model.average()
        return self

    def tag(self, tokens: list[str]) -> list[str]:
        return fix_bio(self._greedy(tokens))
