"""Lab 53 checks (outside the sandbox). Card numbers and IBANs are validated here by independent code;
the planted PII spans of the hidden outputs are regenerated from the seed with the harness's generator
(they never come back from the sandbox); harmful-content decisions are scored against
private/harm_labels.json, which never enters the sandbox (AUC with scikit-learn)."""
from __future__ import annotations

import importlib.util
import json
from collections import Counter
from functools import lru_cache

import numpy as np
from sklearn.metrics import roc_auc_score

from labkit.checks import Verdict

MIN_PII_PRECISION, MIN_PII_RECALL, MIN_TYPE_RECALL = 0.95, 0.95, 0.90
MIN_HARM_PRECISION, MIN_HARM_RECALL, MIN_HARM_AUC = 0.90, 0.95, 0.95
VISIBLE_TRUTH = [(0, "jane.doe@example.com", "EMAIL"), (0, "+44 20 7946 0958", "PHONE"),
                 (1, "4111 1111 1111 1111", "CREDIT_CARD"), (2, "DE89 3704 0044 0532 0130 00", "IBAN"),
                 (3, "192.168.0.17", "IP_ADDRESS")]


@lru_cache(maxsize=None)
def _generator(lab_dir):
    spec = importlib.util.spec_from_file_location("lab53_outputs", f"{lab_dir}/harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------- independent validators

def luhn(number):
    if not number or any(ch not in "0123456789 -" for ch in number):
        return False
    digits = [int(ch) for ch in number if ch.isdigit()][::-1]
    if len(digits) < 2:
        return False
    doubled = [sum(divmod(2 * d, 10)) for d in digits[1::2]]
    return (sum(digits[0::2]) + sum(doubled)) % 10 == 0


def iban_ok(value):
    compact = value.replace(" ", "").upper()
    if not (15 <= len(compact) <= 34 and compact[:2].isalpha() and compact[2:4].isdigit() and compact.isascii()
            and compact.isalnum()):
        return False
    remainder = 0
    for ch in compact[4:] + compact[:4]:
        for digit in str(int(ch, 36)):
            remainder = (remainder * 10 + int(digit)) % 97
    return remainder == 1


def check_validators(got, expected, ctx):
    for key, name, truth in (("cards", "luhn", luhn), ("ibans", "iban", iban_ok)):
        for number, have in zip(expected[key], got[name]):
            want = truth(number)
            if have != want:
                hint = ("double every second digit from the RIGHT (the check digit is not doubled), subtract 9 "
                        "from results above 9, the total must end in 0") if name == "luhn" else \
                       ("move the first four characters to the end, replace letters by 10..35 (A=10), the number "
                        "mod 97 must be 1")
                return Verdict(False, f"{name}_valid({number!r}) is {have} where {want} was expected: {hint}",
                               str(want), str(have))
    return Verdict(True)


# ----------------------------------------------------------------- PII

def _truth(ctx, texts):
    if ctx.visible:
        truth = [[] for _ in texts]
        for i, value, kind in VISIBLE_TRUTH:
            start = texts[i].index(value)
            truth[i].append((start, start + len(value), kind))
        return truth
    return [[tuple(s) for s in spans] for _, spans in _generator(str(ctx.lab_dir)).pii_documents(ctx.seed)]


def check_pii(got, expected, ctx):
    texts = expected["texts"]
    truth = _truth(ctx, texts)
    found, missed, extra = Counter(), Counter(), []
    for text, have, want in zip(texts, got["spans"], truth):
        have, want = {tuple(s) for s in have}, set(want)
        for span in want:
            (found if span in have else missed)[span[2]] += 1
        extra += [(text[s:e], kind) for s, e, kind in have - want]
    tp, fn = sum(found.values()), sum(missed.values())
    precision = tp / max(1, tp + len(extra))
    recall = tp / max(1, tp + fn)
    weak = {kind: found[kind] / (found[kind] + missed[kind]) for kind in set(found) | set(missed)
            if found[kind] / (found[kind] + missed[kind]) < MIN_TYPE_RECALL}
    if precision >= MIN_PII_PRECISION and recall >= MIN_PII_RECALL and not weak:
        return Verdict(True, f"span precision {precision:.3f}, recall {recall:.3f}")
    problems = []
    if extra:
        problems.append(f"false positives such as {extra[0][0]!r} reported as {extra[0][1]} (validate card numbers with "
                        "Luhn, IBANs with mod 97, IPv4 octets <= 255; spans must not overlap)")
    if weak:
        problems.append(f"recall per type too low: {', '.join(f'{k} {v:.2f}' for k, v in sorted(weak.items()))}")
    elif fn:
        problems.append(f"{fn} planted values missed or with wrong boundaries (spans must cover the value exactly)")
    return Verdict(False, f"PII span precision {precision:.3f} (at least {MIN_PII_PRECISION}) and recall {recall:.3f} "
                          f"(at least {MIN_PII_RECALL}) on {len(texts)} outputs: " + "; ".join(problems))


def check_redaction(got, expected, ctx):
    for text, spans, have in zip(expected["texts"], got["spans"], got["redacted"]):
        want = text
        for start, end, kind in sorted(spans, reverse=True):
            want = want[:start] + f"[{kind}]" + want[end:]
        if have != want:
            return Verdict(False, f"redact({text!r}) is {have!r} where {want!r} was expected from your own find_pii "
                                  "spans: replace each span by [TYPE], from the last span to the first so the earlier "
                                  "offsets stay valid", repr(want), repr(have))
    return Verdict(True)


# ----------------------------------------------------------------- harmful content

def _harm_labels(ctx, ids):
    if ctx.visible:
        rows = [json.loads(l) for l in (ctx.lab_dir / "data" / "harm_visible.jsonl").read_text().splitlines()]
        return np.array([rows[i]["label"] for i in ids])
    labels = json.loads((ctx.private_dir / "harm_labels.json").read_text())
    return np.array([labels[i] for i in ids])


def check_harm(got, expected, ctx):
    labels = _harm_labels(ctx, got["ids"])
    decisions = np.asarray(got["decisions"], dtype=bool)
    precision = float((decisions & (labels == 1)).sum() / max(1, decisions.sum()))
    recall = float(decisions[labels == 1].mean())
    if precision >= MIN_HARM_PRECISION and recall >= MIN_HARM_RECALL:
        return Verdict(True, f"precision {precision:.3f}, recall {recall:.3f}")
    advice = []
    if precision < MIN_HARM_PRECISION:
        advice.append("benign outputs are flagged: single words such as 'kill', 'attack' or 'poison' appear in "
                      "ordinary answers ('kill the process'); rules need the harmful pattern")
    if recall < MIN_HARM_RECALL:
        advice.append("harmful outputs get through: combine the rules with the classifier (flag when either fires)")
    return Verdict(False, f"harmful-content precision {precision:.3f} (at least {MIN_HARM_PRECISION}) and recall "
                          f"{recall:.3f} (at least {MIN_HARM_RECALL}) on {len(labels)} outputs: " + "; ".join(advice))


def check_harm_scorer(got, expected, ctx):
    labels = _harm_labels(ctx, got["ids"])
    auc = roc_auc_score(labels, np.asarray(got["probabilities"]))
    if auc >= MIN_HARM_AUC:
        return Verdict(True, f"AUC {auc:.3f}")
    return Verdict(False, f"the classifier's ROC AUC is {auc:.3f} on {len(labels)} hidden outputs, at least "
                          f"{MIN_HARM_AUC} is required: train the logistic regression on hashed word unigrams and "
                          "bigrams until the training loss is low")
