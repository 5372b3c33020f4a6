"""Lab 53: monitoring an LLM's outputs for personal data and harmful content.

Fill in every function marked TODO and submit this file as output_guard.py. Use the standard library
(re, zlib) and numpy; scikit-learn is not available in the sandbox.

PII types: "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS". A span is (start, end, type) with
character offsets into the text, end exclusive, so text[start:end] is exactly the value.
"""
from __future__ import annotations

import re
import zlib

import numpy as np


# ----------------------------------------------------------------- validators

def luhn_valid(number):
    """True when the digits of number (a str of digits, spaces and hyphens) pass the Luhn checksum."""
    # TODO
    raise NotImplementedError("luhn_valid")


def iban_valid(iban):
    """True when iban (spaces allowed, case-insensitive) has the IBAN shape and passes the mod-97 check."""
    # TODO
    raise NotImplementedError("iban_valid")


# ----------------------------------------------------------------- PII

def find_pii(text):
    """Validated, non-overlapping PII spans [(start, end, type)] sorted by start.
    Detect in this priority order: EMAIL, IBAN, CREDIT_CARD (13-19 digits, Luhn), IP_ADDRESS (octets <= 255),
    PHONE; a candidate of an earlier type, valid or not, claims its characters."""
    # TODO
    raise NotImplementedError("find_pii")


def redact(text):
    """text with each find_pii span replaced by "[TYPE]", e.g. "mail [EMAIL] now"."""
    # TODO
    raise NotImplementedError("redact")


# ----------------------------------------------------------------- harmful content

def harm_rules(text):
    """Names (str) of the harmful-content rules matching the lower-cased text ([] if none): threats,
    harassment, encouragement of self-harm, weapon or poison instructions."""
    # TODO
    raise NotImplementedError("harm_rules")


def featurize(text, dim):
    """Hashed word unigrams and bigrams of the lower-cased text: float64 (dim,), index
    zlib.crc32(feature.encode()) % dim, L2-normalised."""
    # TODO
    raise NotImplementedError("featurize")


def train_harm_classifier(texts, labels, dim=1024, epochs=200, lr=2.0, l2=1e-4):
    """Logistic regression by full-batch gradient descent (labels 1 = harmful); returns float64 (dim + 1,),
    bias last."""
    # TODO
    raise NotImplementedError("train_harm_classifier")


def harm_probability(weights, text):
    """sigmoid(w . featurize(text) + bias), a float in [0, 1]."""
    # TODO
    raise NotImplementedError("harm_probability")


def is_harmful(text, weights, threshold=0.5):
    """True when a rule matches or harm_probability(...) >= threshold."""
    # TODO
    raise NotImplementedError("is_harmful")
