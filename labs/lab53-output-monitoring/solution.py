"""Lab 53 reference solution: monitoring an LLM's outputs for personal data and harmful content."""
from __future__ import annotations

import re
import zlib

import numpy as np

# ----------------------------------------------------------------- validators

def luhn_valid(number):
    """Luhn checksum of the digits of number (spaces and hyphens ignored)."""
    digits = [int(ch) for ch in number if ch.isdigit()]
    if len(digits) < 2 or any(not (ch.isdigit() or ch in " -") for ch in number):
        return False
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def iban_valid(iban):
    """ISO 13616 mod-97: move the first four characters to the end, letters to 10..35, remainder must be 1."""
    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def ipv4_valid(address):
    parts = address.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts)


# ----------------------------------------------------------------- PII detection and redaction

PII_PATTERNS = [   # in priority order: a later type never overlaps an earlier one
    ("EMAIL", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"), None),
    ("IBAN", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b"), iban_valid),
    ("CREDIT_CARD", re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])"), luhn_valid),
    ("IP_ADDRESS", re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])"), ipv4_valid),
    ("PHONE", re.compile(r"(?<![\w+])(?:\+\d{1,3}[ -]?\d{1,4}(?:[ -]\d{2,4}){2,3}|\(\d{3}\) ?\d{3}-\d{4}|"
                         r"\d{3}-\d{3}-\d{4})(?![\w-])"), None),
]


def find_pii(text):
    """[(start, end, type)] sorted by start, validated and non-overlapping. A candidate that fails its
    validator still claims its characters: the digits of a mistyped IBAN are not a card number."""
    spans, claimed = [], []
    for kind, pattern, valid in PII_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in claimed):
                continue
            claimed.append((start, end))
            if valid is None or valid(match.group()):
                spans.append((start, end, kind))
    return sorted(spans)


def redact(text):
    """Each PII span replaced by its typed placeholder, e.g. "[EMAIL]"; right to left so offsets stay valid."""
    for start, end, kind in sorted(find_pii(text), reverse=True):
        text = text[:start] + f"[{kind}]" + text[end:]
    return text


# ----------------------------------------------------------------- harmful content

HARM_RULES = {
    "threat": r"\b(i will|i'm going to|someone should|make|wait outside for)\b.{0,30}"
              r"\b(hurt|kill|beat|attack|suffer|pay in blood|break their legs)\b"
              r"|\bwill not survive the next time\b",
    "harassment": r"\b(worthless idiot|subhuman|vermin|subhuman garbage|pathetic loser|parasite|brainless freak)\b",
    "self_harm": r"\b(hurt yourself|end it tonight|end your life|starving yourself|cutting yourself)\b",
    "weapons": r"\b(pipe bomb|explosive (powder|device)|poison someone|make the poison|kills many people)\b",
}


def harm_rules(text):
    lowered = " ".join(text.lower().split())
    return sorted(name for name, pattern in HARM_RULES.items() if re.search(pattern, lowered))


def featurize(text, dim):
    words = re.findall(r"[a-z0-9']+", text.lower())
    features = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    vector = np.zeros(dim, dtype=np.float64)
    for feature in features:
        vector[zlib.crc32(feature.encode("utf-8")) % dim] += 1.0
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


def train_harm_classifier(texts, labels, dim=1024, epochs=200, lr=2.0, l2=1e-4):
    """Logistic regression by full-batch gradient descent; weights of shape (dim + 1,), bias last."""
    x = np.hstack([np.stack([featurize(t, dim) for t in texts]), np.ones((len(texts), 1))])
    y = np.asarray(labels, dtype=np.float64)
    w = np.zeros(dim + 1)
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        w -= lr * (x.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0.0])
    return w


def harm_probability(weights, text):
    z = featurize(text, len(weights) - 1) @ weights[:-1] + weights[-1]
    return float(1.0 / (1.0 + np.exp(-z)))


def is_harmful(text, weights, threshold=0.5):
    return bool(harm_rules(text)) or harm_probability(weights, text) >= threshold
