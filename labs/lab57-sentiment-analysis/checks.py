"""Lab 57 checks (outside the sandbox). Lexicon scores come from an independent implementation of the
README's rules; TF-IDF matrices from scikit-learn's TfidfVectorizer (smooth idf, l2 norm) on the same
unigram+bigram features; the logistic-regression loss and gradient from their closed forms; accuracies
from the labels that data/reviews.py draws again here, from the seed, outside the sandbox."""
from __future__ import annotations

import importlib.util
import json
import math
import re
import sys

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from labkit.checks import Verdict, describe

MIN_LEXICON_ACCURACY = 0.90
MIN_LEARNED_ACCURACY = 0.72
MIN_PHRASE_ACCURACY = 0.90
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[.,;!?]")


def _grammar(lab_dir):
    name = "lab57_reviews_checks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / "data" / "reviews.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def _lexicon(lab_dir):
    return json.loads((lab_dir / "data" / "lexicon.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------- the rules, written again

def expected_score(tokens, lexicon):
    """Sentences end at . ! ?; in a sentence with 'but', words before the first 'but' weigh but_before and
    words after it but_after. A negator flips (negation_factor) every sentiment word up to the next
    , ; . ! ? or 'but'. Intensifiers right before a word multiply it (stacked ones multiply together)."""
    total, start = 0.0, 0
    ends = [i + 1 for i, t in enumerate(tokens) if t in ".!?"]
    if not ends or ends[-1] != len(tokens):
        ends.append(len(tokens))
    for end in ends:
        sentence = tokens[start:end]
        start = end
        pivot = sentence.index("but") if "but" in sentence else None
        negated, boost = False, 1.0
        for i, token in enumerate(sentence):
            weight = 1.0 if pivot is None else (lexicon["but_before"] if i < pivot else lexicon["but_after"])
            if token in {",", ";", ".", "!", "?", "but"}:
                negated, boost = False, 1.0
            elif token in lexicon["negators"]:
                negated = True
            elif token in lexicon["intensifiers"]:
                boost *= lexicon["intensifiers"][token]
            elif token in lexicon["words"]:
                total += weight * lexicon["words"][token] * boost * (lexicon["negation_factor"] if negated else 1.0)
                boost = 1.0
            else:
                boost = 1.0
    return total


def check_lexicon_rules(got, expected, ctx):
    lexicon = _lexicon(ctx.lab_dir)
    for text, tokens, score in zip(expected["texts"], got["tokens"], got["scores"]):
        want_tokens = TOKEN.findall(text.lower())
        if tokens != want_tokens:
            return Verdict(False, f"tokenize({text!r}) is {tokens} where {want_tokens} was expected "
                                  "(keep the tokenize of the starter)", describe(want_tokens), describe(tokens))
        want = expected_score(want_tokens, lexicon)
        if not math.isclose(score, want, rel_tol=1e-9, abs_tol=1e-9):
            return Verdict(False, f"lexicon_score for {text!r} is {score:.4f} where {want:.4f} was expected",
                           f"{want:.6f}", f"{score:.6f}")
    if len(got["scores"]) != len(expected["texts"]):
        return Verdict(False, f"{len(got['scores'])} scores for {len(expected['texts'])} texts")
    return Verdict(True)


# ----------------------------------------------------------------- TF-IDF against scikit-learn

def expected_features(tokens):
    words = [t for t in tokens if t[0].isalpha()]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def check_tfidf(got, expected, ctx):
    documents = [expected_features(TOKEN.findall(t.lower())) for t in expected["texts"]]
    for text, want, have in zip(expected["texts"], documents, got["documents"]):
        if sorted(want) != sorted(have):
            missing, extra = sorted(set(want) - set(have))[:3], sorted(set(have) - set(want))[:3]
            return Verdict(False, f"ngram_features for {text!r}: missing {missing}, unexpected {extra} (unigrams of "
                                  "the word tokens, then bigrams 'w1 w2' of consecutive word tokens; no punctuation)")
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc)
    want_matrix = vectorizer.fit_transform(documents).toarray()
    want_columns = list(vectorizer.get_feature_names_out())
    if got["columns"] != want_columns:
        return Verdict(False, f"vocabulary has {len(got['columns'])} columns where {len(want_columns)} were expected, "
                              "or in another order: one column per distinct feature, sorted alphabetically")
    if not np.allclose(got["idf"], vectorizer.idf_, rtol=1e-9, atol=1e-12):
        i = int(np.argmax(np.abs(got["idf"] - vectorizer.idf_)))
        return Verdict(False, f"idf of {want_columns[i]!r} is {got['idf'][i]:.6f} where {vectorizer.idf_[i]:.6f} was "
                              "expected: idf = ln((1 + n) / (1 + df)) + 1", describe(vectorizer.idf_), describe(got["idf"]))
    if not np.allclose(got["matrix"], want_matrix, rtol=1e-9, atol=1e-12):
        row = int(np.argmax(np.abs(got["matrix"] - want_matrix).max(axis=1)))
        return Verdict(False, f"TF-IDF row {row} ({expected['texts'][row]!r}) differs from scikit-learn's: raw counts "
                              "times idf, then each row divided by its L2 norm", describe(want_matrix[row]),
                       describe(got["matrix"][row]))
    return Verdict(True)


# ----------------------------------------------------------------- logistic regression

def check_logreg_gradient(got, expected, ctx):
    X, y, w, b, l2 = (np.asarray(expected[k]) for k in ("X", "y", "w", "b", "l2"))
    p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.5 * l2 * w @ w)
    grad_w, grad_b = X.T @ (p - y) / len(y) + l2 * w, float(np.mean(p - y))
    if not math.isclose(got["loss"], loss, rel_tol=1e-6, abs_tol=1e-8):
        return Verdict(False, f"loss is {got['loss']:.6f} where {loss:.6f} was expected: the MEAN binary "
                              "cross-entropy plus l2/2 * ||w||^2 (no penalty on b)", f"{loss:.6f}", f"{got['loss']:.6f}")
    if not np.allclose(got["grad_w"], grad_w, rtol=1e-6, atol=1e-9):
        return Verdict(False, "grad_w differs: X.T @ (sigmoid(Xw + b) - y) / n + l2 * w",
                       describe(grad_w), describe(got["grad_w"]))
    if not math.isclose(got["grad_b"], grad_b, rel_tol=1e-6, abs_tol=1e-9):
        return Verdict(False, f"grad_b is {got['grad_b']:.6f} where {grad_b:.6f} was expected: mean(p - y)",
                       f"{grad_b:.6f}", f"{got['grad_b']:.6f}")
    return Verdict(True)


# ----------------------------------------------------------------- accuracies on hidden reviews

def _accuracy(predictions, labels):
    predictions = np.asarray(predictions)
    return float((predictions == np.asarray(labels)).mean()) if len(predictions) == len(labels) else 0.0


def check_lexicon_accuracy(got, expected, ctx):
    _, labels = _grammar(ctx.lab_dir).reviews(f"hidden:{ctx.seed}", len(expected["predictions"]))
    accuracy = _accuracy(got["predictions"], labels)
    if accuracy < MIN_LEXICON_ACCURACY:
        return Verdict(False, f"lexicon accuracy on {len(labels)} hidden reviews is {accuracy:.3f}, below "
                              f"{MIN_LEXICON_ACCURACY}: check negation scope and but-clauses", f">= {MIN_LEXICON_ACCURACY}",
                       f"{accuracy:.3f}")
    return Verdict(True, f"lexicon accuracy {accuracy:.3f}")


def check_learned_accuracy(got, expected, ctx):
    grammar = _grammar(ctx.lab_dir)
    _, labels = grammar.reviews(f"hidden:{ctx.seed}", len(expected["predictions"]))
    _, phrase_labels = grammar.phrase_only_reviews(f"phrases:{ctx.seed}", len(expected["phrase_predictions"]))
    accuracy = _accuracy(got["predictions"], labels)
    phrase_accuracy = _accuracy(got["phrase_predictions"], phrase_labels)
    if accuracy < MIN_LEARNED_ACCURACY:
        return Verdict(False, f"TF-IDF + logistic regression accuracy on {len(labels)} hidden reviews is {accuracy:.3f}, "
                              f"below {MIN_LEARNED_ACCURACY}", f">= {MIN_LEARNED_ACCURACY}", f"{accuracy:.3f}")
    if phrase_accuracy < MIN_PHRASE_ACCURACY:
        return Verdict(False, f"accuracy on {len(phrase_labels)} reviews whose only cue is a phrase outside the lexicon "
                              f"is {phrase_accuracy:.3f}, below {MIN_PHRASE_ACCURACY}: the model should learn them from "
                              "the training reviews", f">= {MIN_PHRASE_ACCURACY}", f"{phrase_accuracy:.3f}")
    return Verdict(True, f"accuracy {accuracy:.3f}, phrase-only accuracy {phrase_accuracy:.3f}")
