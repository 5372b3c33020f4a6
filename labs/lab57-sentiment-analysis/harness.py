"""Lab 57 harness (runs inside the sandbox): scores sentences with the student's lexicon rules, builds
TF-IDF matrices, evaluates the logistic-regression loss and gradient, and predicts the sentiment of reviews
drawn from the seed by data/reviews.py. Labels of those reviews are never returned: checks.py draws them
again outside the sandbox and computes the accuracies there."""
from __future__ import annotations

import importlib.abc
import importlib.util
import json
import numbers
import sys

import numpy as np

from labkit.harness import case

BLOCKED_LIBRARIES = ("sklearn", "nltk", "vaderSentiment", "textblob", "scipy", "torch", "transformers")
TRAIN_REVIEWS = 600
HIDDEN_REVIEWS = 200
PHRASE_REVIEWS = 60


class _BlockLibraries(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED_LIBRARIES:
            raise ImportError(f"{fullname} is not available in this lab: write the method yourself with numpy")
        return None


sys.meta_path.insert(0, _BlockLibraries())


def _grammar(ctx):
    name = "lab57_reviews"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ctx.data_dir / "reviews.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def _lexicon(ctx):
    return json.loads((ctx.data_dir / "lexicon.json").read_text(encoding="utf-8"))


def _examples(ctx):
    return json.loads((ctx.data_dir / "examples.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------- validation

def _float(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must return a float, got {type(value).__name__}")
    return float(value)


def _tokens(student, text):
    tokens = student.tokenize(text)
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise TypeError("tokenize must return a list of str")
    return tokens


def _array(value, what, shape, kind):
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{what} must be a numpy array, got {type(value).__name__}")
    if value.shape != shape:
        raise ValueError(f"{what} has shape {value.shape} where {shape} was expected")
    if value.dtype.kind not in kind:
        raise TypeError(f"{what} has dtype {value.dtype}; expected {'an integer' if kind == 'iu' else 'a float'} dtype")
    return value


def _predictions(value, n, what):
    value = _array(value, what, (n,), "iub")
    if not np.isin(value, (0, 1)).all():
        raise ValueError(f"{what} must hold only 0 (negative) and 1 (positive)")
    return value.astype(np.int64)


def _tfidf(student, documents):
    result = student.fit_tfidf([list(d) for d in documents])
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError("fit_tfidf must return a tuple (vocabulary, idf)")
    vocabulary, idf = result
    if not isinstance(vocabulary, dict) or sorted(vocabulary.values()) != list(range(len(vocabulary))):
        raise TypeError("fit_tfidf: vocabulary must be a dict feature -> column index 0..V-1")
    idf = _array(idf, "fit_tfidf's idf", (len(vocabulary),), "f")
    matrix = _array(student.transform_tfidf([list(d) for d in documents], vocabulary, idf),
                    "transform_tfidf(...)", (len(documents), len(vocabulary)), "f")
    columns = sorted(vocabulary, key=vocabulary.get)
    return {"documents": documents, "columns": columns, "idf": idf.astype(np.float64),
            "matrix": matrix.astype(np.float64)}


# ----------------------------------------------------------------- cases

@case
def lexicon_rules(student, ctx):
    lexicon = _lexicon(ctx)
    if ctx.visible:
        texts = _examples(ctx)["lexicon"]
        ctx.show(texts=texts)
    else:
        grammar = _grammar(ctx)
        texts = grammar.reviews(f"rules:{ctx.seed}", 30)[0] + grammar.rule_probes(f"probes:{ctx.seed}")
    tokens = [_tokens(student, t) for t in texts]
    return {"texts": texts, "tokens": tokens,
            "scores": [_float(student.lexicon_score(list(t), lexicon), "lexicon_score") for t in tokens]}


@case
def tfidf(student, ctx):
    if ctx.visible:
        texts = _examples(ctx)["tfidf"]
        ctx.show(texts=texts)
    else:
        texts = _grammar(ctx).reviews(f"tfidf:{ctx.seed}", 25)[0]
    documents = []
    for text in texts:
        features = student.ngram_features(_tokens(student, text))
        if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
            raise TypeError("ngram_features must return a list of str")
        documents.append(features)
    return {"texts": texts, **_tfidf(student, documents)}


@case
def logreg_gradient(student, ctx):
    if ctx.visible:
        return None
    rng = ctx.np_rng()
    X = rng.random((40, 12)) * (rng.random((40, 12)) < 0.4)
    y = rng.integers(0, 2, 40).astype(np.float64)
    w, b, l2 = rng.normal(0, 1.0, 12), float(rng.normal()), 0.01
    result = student.logreg_loss_and_grad(X.copy(), y.copy(), w.copy(), b, l2)
    if not isinstance(result, tuple) or len(result) != 3:
        raise TypeError("logreg_loss_and_grad must return a tuple (loss, grad_w, grad_b)")
    loss, grad_w, grad_b = result
    return {"X": X, "y": y, "w": w, "b": b, "l2": l2, "loss": _float(loss, "logreg_loss_and_grad's loss"),
            "grad_w": _array(grad_w, "grad_w", (12,), "f").astype(np.float64),
            "grad_b": _float(grad_b, "logreg_loss_and_grad's grad_b")}


@case
def lexicon_accuracy(student, ctx):
    if ctx.visible:
        return None
    texts, _ = _grammar(ctx).reviews(f"hidden:{ctx.seed}", HIDDEN_REVIEWS)
    return {"predictions": _predictions(student.lexicon_predict(list(texts), _lexicon(ctx)), len(texts),
                                        "lexicon_predict(...)")}


@case
def learned_accuracy(student, ctx):
    if ctx.visible:
        return None
    grammar = _grammar(ctx)
    train_texts, train_labels = grammar.reviews("train", TRAIN_REVIEWS)
    model = student.SentimentModel().fit(list(train_texts), np.array(train_labels, dtype=np.int64))
    texts, _ = grammar.reviews(f"hidden:{ctx.seed}", HIDDEN_REVIEWS)
    phrases, _ = grammar.phrase_only_reviews(f"phrases:{ctx.seed}", PHRASE_REVIEWS)
    return {"predictions": _predictions(model.predict(list(texts)), len(texts), "SentimentModel.predict(...)"),
            "phrase_predictions": _predictions(model.predict(list(phrases)), len(phrases),
                                               "SentimentModel.predict(...)")}
