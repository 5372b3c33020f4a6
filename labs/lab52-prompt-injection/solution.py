"""Lab 52 reference solution: sanitizing user input and detecting prompt injection."""
from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np


def normalize_text(text, homoglyphs):
    """NFKC, then drop format characters (zero-width, soft hyphen, bidi controls), then map look-alikes."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return "".join(homoglyphs.get(ch, ch) for ch in text)


def escape_delimiters(text):
    """Escape & first, so that the &lt; and &gt; written next are not escaped twice."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_prompt(system, user_text, homoglyphs):
    return f"{system}\n<user_input>\n{escape_delimiters(normalize_text(user_text, homoglyphs))}\n</user_input>"


# ----------------------------------------------------------------- rules

RULES = {
    "ignore_instructions": r"\b(ignore|disregard|forget|override|bypass|skip|drop|abandon|discard)\b.{0,30}"
                           r"\b(previous|prior|above|earlier|system|your|all)\b.{0,20}"
                           r"\b(instructions?|rules|prompt|guidelines|directions|told)\b",
    "reveal_secrets": r"\b(reveal|print|tell me|output|show me|repeat|write)\b.{0,30}"
                      r"\b(system prompt|secret|hidden (password|prompt|instructions)|password|api key|admin key|initial prompt|"
                      r"confidential)\b",
    "role_override": r"\b(you are now|from now on you|(enter|switch to|activate) developer mode|jailbreak mode|no content policy|"
                     r"without (any )?(restrictions|filters)|no longer bound|never refuses|no limits)\b",
    "fake_delimiter": r"(</?\s*(system|user_input)\s*>|<\|im_(start|end)\|>|###\s*system|end of user input)",
}


def _canonical(text, homoglyphs):
    return " ".join(normalize_text(text, homoglyphs).lower().split())


def matched_rules(text, homoglyphs):
    canonical = _canonical(text, homoglyphs)
    return sorted(name for name, pattern in RULES.items() if re.search(pattern, canonical))


# ----------------------------------------------------------------- the learned scorer

def featurize(text, homoglyphs, dim):
    words = re.findall(r"[a-z0-9_<>|#/]+", _canonical(text, homoglyphs))
    features = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    vector = np.zeros(dim, dtype=np.float64)
    for feature in features:
        vector[zlib.crc32(feature.encode("utf-8")) % dim] += 1.0
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


def train_scorer(texts, labels, homoglyphs, dim=1024, epochs=200, lr=2.0, l2=1e-4):
    """Logistic regression by full-batch gradient descent; returns weights of shape (dim + 1,), bias last."""
    x = np.stack([featurize(t, homoglyphs, dim) for t in texts])
    x = np.hstack([x, np.ones((len(texts), 1))])
    y = np.asarray(labels, dtype=np.float64)
    w = np.zeros(dim + 1)
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0.0]
        w -= lr * gradient
    return w


def injection_probability(weights, text, homoglyphs):
    dim = len(weights) - 1
    z = featurize(text, homoglyphs, dim) @ weights[:-1] + weights[-1]
    return float(1.0 / (1.0 + np.exp(-z)))


def is_injection(text, weights, homoglyphs, threshold=0.5):
    return bool(matched_rules(text, homoglyphs)) or injection_probability(weights, text, homoglyphs) >= threshold
