"""Lab 58 harness (runs inside the sandbox): decodes BIO tag sequences into entities, scores predictions at
entity level, repairs invalid BIO, replays a seeded series of perceptron updates, and trains the student's
tagger on data/train.conll to tag hidden sentences. The hidden sentences' gold tags never enter the
sandbox: checks.py draws them again from the seed and computes the F1 there."""
from __future__ import annotations

import importlib.abc
import importlib.util
import json
import numbers
import random
import sys

from labkit.harness import case

BLOCKED_LIBRARIES = ("seqeval", "nltk", "spacy", "sklearn", "sklearn_crfsuite", "pycrfsuite", "flair", "torch",
                     "transformers")
TYPES = ["PER", "ORG", "LOC"]
HIDDEN_SENTENCES = 150


class _BlockLibraries(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED_LIBRARIES:
            raise ImportError(f"{fullname} is not available in this lab: write the method yourself")
        return None


sys.meta_path.insert(0, _BlockLibraries())


def _corpus(ctx):
    name = "lab58_ner_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ctx.data_dir / "ner_corpus.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def _examples(ctx):
    return json.loads((ctx.data_dir / "examples.json").read_text(encoding="utf-8"))


def random_tags(rng: random.Random, length: int) -> list[str]:
    """Tag sequences a weak tagger might emit: valid runs, I- after O, type switches inside an entity."""
    tags = []
    while len(tags) < length:
        r = rng.random()
        kind = rng.choice(TYPES)
        if r < 0.4:
            tags.append("O")
        elif r < 0.75:
            tags += [f"B-{kind}"] + [f"I-{kind}"] * rng.randint(0, 2)
        else:
            tags += [f"I-{kind}"] * rng.randint(1, 2)
    return tags[:length]


def corrupt(rng: random.Random, tags: list[str]) -> list[str]:
    """A prediction near the gold tags: some tags replaced, shifted or retyped."""
    out = list(tags)
    for i in range(len(out)):
        if rng.random() < 0.15:
            out[i] = rng.choice(["O", f"B-{rng.choice(TYPES)}", f"I-{rng.choice(TYPES)}"])
    return out


# ----------------------------------------------------------------- validation

def _entities(student, tags):
    result = student.get_entities(list(tags))
    if not isinstance(result, list):
        raise TypeError(f"get_entities must return a list of (type, start, end) tuples, got {type(result).__name__}")
    out = []
    for item in result:
        if not isinstance(item, (tuple, list)) or len(item) != 3 or not isinstance(item[0], str) \
                or not all(isinstance(v, numbers.Integral) for v in item[1:]):
            raise TypeError(f"get_entities: each entity must be a tuple (type: str, start: int, end: int), got {item!r}")
        out.append([item[0], int(item[1]), int(item[2])])
    return out


def _report(student, true_seqs, pred_seqs):
    result = student.precision_recall_f1([list(s) for s in true_seqs], [list(s) for s in pred_seqs])
    if not isinstance(result, dict) or "micro" not in result:
        raise TypeError("precision_recall_f1 must return a dict with the key 'micro' and one key per entity type")
    out = {}
    for key, values in result.items():
        size = 3 if key == "micro" else 4
        if not isinstance(values, (tuple, list)) or len(values) != size:
            raise TypeError(f"precision_recall_f1(...)[{key!r}] must be a tuple of {size} numbers")
        out[key] = [float(v) for v in values]
    return out


def _tag_list(value, length, what):
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise TypeError(f"{what} must return a list of str tags")
    if len(value) != length:
        raise ValueError(f"{what} returned {len(value)} tags for {length} tokens")
    return value


# ----------------------------------------------------------------- cases

@case
def entities(student, ctx):
    if ctx.visible:
        sequences = _examples(ctx)["entities"]
        ctx.show(sequences=sequences)
    else:
        rng = random.Random(f"{ctx.seed}:entities")
        sequences = [random_tags(rng, rng.randint(1, 14)) for _ in range(40)] + [["I-PER"], ["O"], []]
    return {"sequences": sequences, "entities": [_entities(student, s) for s in sequences]}


@case
def scores(student, ctx):
    if ctx.visible:
        example = _examples(ctx)["scores"]
        true_seqs, pred_seqs = example["true"], example["pred"]
        ctx.show(true=true_seqs, pred=pred_seqs)
        corpora = {"example": (true_seqs, pred_seqs)}
    else:
        rng = random.Random(f"{ctx.seed}:scores")
        gold = [random_tags(rng, rng.randint(3, 12)) for _ in range(30)]
        only_per = [["B-PER", "I-PER", "O"], ["O", "O"]]
        corpora = {"noisy": (gold, [corrupt(rng, g) for g in gold]),
                   "nothing_predicted": (only_per, [["O", "O", "O"], ["O", "O"]]),
                   "invented_type": (only_per, [["B-PER", "I-PER", "O"], ["B-ORG", "O"]])}
    return {name: {"true": t, "pred": p, "report": _report(student, t, p)} for name, (t, p) in corpora.items()}


@case
def fix_bio(student, ctx):
    if ctx.visible:
        return None
    rng = random.Random(f"{ctx.seed}:fix_bio")
    sequences = [random_tags(rng, rng.randint(1, 12)) for _ in range(30)]
    return {"sequences": sequences,
            "fixed": [_tag_list(student.fix_bio(list(s)), len(s), "fix_bio") for s in sequences]}


@case
def averaging(student, ctx):
    if ctx.visible:
        return None
    rng = random.Random(f"{ctx.seed}:averaging")
    classes, features = ["B-PER", "I-PER", "O"], [f"f{i}" for i in range(6)]
    updates = [(rng.choice(classes), rng.choice(classes), rng.sample(features, rng.randint(1, 3)))
               for _ in range(25)]
    model = student.AveragedPerceptron(list(classes))
    for truth, guess, feats in updates:
        model.update(truth, guess, list(feats))
    model.average()
    weights = {f: {c: float(w) for c, w in ws.items()} for f, ws in dict(model.weights).items()}
    return {"classes": classes, "updates": [list(u) for u in updates], "weights": weights}


@case
def tagger(student, ctx):
    if ctx.visible:
        return None
    corpus = _corpus(ctx)
    train_tokens, train_tags = corpus.read_conll(ctx.data_dir / "train.conll")
    classes = sorted({t for tags in train_tags for t in tags})
    model = student.NERTagger(classes).train(train_tokens, train_tags)
    sentences, _ = corpus.sentences(f"hidden:{ctx.seed}", HIDDEN_SENTENCES)
    return {"predictions": [_tag_list(model.tag(list(s)), len(s), "NERTagger.tag") for s in sentences]}
