"""Lab 52: defending an LLM application against prompt injection.

Fill in every function marked TODO and submit this file as guard.py. Use the standard library (re,
unicodedata, zlib) and numpy; scikit-learn is not available in the sandbox.

`homoglyphs` is the look-alike table of data/homoglyphs.json, passed in by the grader: a dict from a
Cyrillic or Greek character to the Latin letter it imitates ({"а": "a", "Р": "P", ...}).
"""
from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np


# ----------------------------------------------------------------- sanitizing

def normalize_text(text, homoglyphs):
    """NFKC-normalise text, remove every character whose unicodedata.category is "Cf" (zero-width spaces and
    joiners, soft hyphens, bidi controls, U+FEFF), then replace each look-alike in homoglyphs. Returns a str."""
    # TODO
    raise NotImplementedError("normalize_text")


def escape_delimiters(text):
    """Escape &, < and > as &amp;, &lt; and &gt; so user text cannot open or close a tag of the prompt."""
    # TODO
    raise NotImplementedError("escape_delimiters")


def build_prompt(system, user_text, homoglyphs):
    """f"{system}\\n<user_input>\\n{sanitized}\\n</user_input>" where sanitized is the normalised, then escaped,
    user text."""
    # TODO
    raise NotImplementedError("build_prompt")


# ----------------------------------------------------------------- the detector

def matched_rules(text, homoglyphs):
    """Names (str) of the injection rules that match the normalised, lower-cased, whitespace-collapsed text;
    [] when none does. Cover instruction overrides, requests for secrets, role changes and fake delimiters."""
    # TODO
    raise NotImplementedError("matched_rules")


def featurize(text, homoglyphs, dim):
    """Hashed bag of word unigrams and bigrams of the normalised lower-cased text: a float64 vector of shape
    (dim,), index zlib.crc32(feature.encode()) % dim, L2-normalised (all zeros for a text without words)."""
    # TODO
    raise NotImplementedError("featurize")


def train_scorer(texts, labels, homoglyphs, dim=1024, epochs=200, lr=2.0, l2=1e-4):
    """Logistic regression by full-batch gradient descent on featurize(...) vectors; labels are 1 for an
    injection and 0 for a benign prompt. Returns the weights, a float64 array of shape (dim + 1,), bias last."""
    # TODO
    raise NotImplementedError("train_scorer")


def injection_probability(weights, text, homoglyphs):
    """sigmoid(w . featurize(text) + bias) as a float in [0, 1]."""
    # TODO
    raise NotImplementedError("injection_probability")


def is_injection(text, weights, homoglyphs, threshold=0.5):
    """True when a rule matches or the scorer's probability is >= threshold."""
    # TODO
    raise NotImplementedError("is_injection")
