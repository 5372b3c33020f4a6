"""Lab 57: sentiment analysis, two ways.

Fill in every function marked TODO and submit this file as sentiment.py. numpy only: scikit-learn, nltk,
scipy and torch are not importable in this lab (writing the methods is the point).
"""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[.,;!?]")
SENTENCE_END = {".", "!", "?"}
CLAUSE_BREAK = {".", "!", "?", ",", ";", "but"}


def tokenize(text: str) -> list[str]:
    """Given: lower-cased words (with their apostrophes: "isn't") and the punctuation marks . , ; ! ?"""
    return TOKEN.findall(text.lower())


# ----------------------------------------------------------------- part 1: the lexicon method

def lexicon_score(tokens: list[str], lexicon: dict) -> float:
    """Sentiment score of a tokenized text under the rules of the README.

    lexicon: the dict of data/lexicon.json: "words" (word -> value), "intensifiers" (word -> multiplier),
    "negators" (list), "negation_factor", "but_before", "but_after" (floats).
    """
    # TODO: split into sentences at . ! ?; per sentence, find the first "but" (weights before / after it);
    # walk the tokens keeping two states: negated (until , ; . ! ? or "but") and a pending intensifier product.
    raise NotImplementedError("lexicon_score")


def lexicon_predict(texts: list[str], lexicon: dict) -> np.ndarray:
    """1 (positive) where lexicon_score(tokenize(text)) > 0, else 0; int64 array of shape (len(texts),)."""
    raise NotImplementedError("lexicon_predict")


# ----------------------------------------------------------------- part 2: TF-IDF + logistic regression

def ngram_features(tokens: list[str]) -> list[str]:
    """The word tokens (punctuation dropped), then the bigrams "w1 w2" of consecutive word tokens."""
    raise NotImplementedError("ngram_features")


def fit_tfidf(documents: list[list[str]]) -> tuple[dict[str, int], np.ndarray]:
    """vocabulary: feature -> column, columns in sorted feature order; idf: float64 (V,),
    idf = ln((1 + n_documents) / (1 + document_frequency)) + 1."""
    raise NotImplementedError("fit_tfidf")


def transform_tfidf(documents: list[list[str]], vocabulary: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """float64 (n_documents, V): raw feature counts times idf, each row divided by its L2 norm (zero rows stay
    zero). Features outside the vocabulary are ignored."""
    raise NotImplementedError("transform_tfidf")


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Given: a sigmoid that does not overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def logreg_loss_and_grad(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, l2: float):
    """loss = mean binary cross-entropy of sigmoid(X @ w + b) against y, plus l2 / 2 * ||w||^2.
    Returns (loss: float, grad_w: float64 (n_features,), grad_b: float)."""
    raise NotImplementedError("logreg_loss_and_grad")


def train_logreg(X: np.ndarray, y: np.ndarray, lr: float = 4.0, epochs: int = 150, l2: float = 1e-4):
    """Full-batch gradient descent from w = 0, b = 0. Returns (w, b)."""
    raise NotImplementedError("train_logreg")


def predict_logreg(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """1 where X @ w + b > 0, else 0 (int64)."""
    raise NotImplementedError("predict_logreg")


class SentimentModel:
    """TF-IDF over ngram_features(tokenize(text)), then logistic regression."""

    def fit(self, texts: list[str], labels: np.ndarray) -> "SentimentModel":
        # TODO: fit the TF-IDF on the training texts, transform them, train_logreg; keep what predict needs
        raise NotImplementedError("SentimentModel.fit")

    def predict(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError("SentimentModel.predict")
