"""Lab 52 checks (outside the sandbox). Sanitized strings are recomputed here from the strings the
reference run recorded (unicodedata NFKC, format characters dropped, the look-alike table of
data/homoglyphs.json, html.escape without quotes); detection is scored against private/pool_labels.json,
which never enters the sandbox, with scikit-learn's roc_auc_score for the learned scorer."""
from __future__ import annotations

import html
import json
import unicodedata
from functools import lru_cache

import numpy as np
from sklearn.metrics import roc_auc_score

from labkit.checks import Verdict

MIN_RECALL, MAX_FPR, MIN_AUC, MIN_RULE_RECALL = 0.95, 0.03, 0.95, 0.85


@lru_cache(maxsize=None)
def _homoglyphs(lab_dir):
    with open(f"{lab_dir}/data/homoglyphs.json", encoding="utf-8") as f:
        return json.load(f)


def _labels(ctx, ids):
    if ctx.visible:
        with open(ctx.lab_dir / "data" / "visible.jsonl", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        return np.array([rows[i]["label"] for i in ids])
    labels = json.loads((ctx.private_dir / "pool_labels.json").read_text())
    return np.array([labels[i] for i in ids])


def expected_normalized(text, homoglyphs):
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    return text.translate(str.maketrans(homoglyphs))


def _why_normalized(have, text):
    if any(unicodedata.category(ch) == "Cf" for ch in have):
        return " It still holds invisible format characters (category Cf: zero-width spaces, joiners, soft hyphens, " \
               "bidi controls)."
    if have != unicodedata.normalize("NFKC", have):
        return " It is not NFKC-normalised (full-width letters, ligatures and circled digits remain)."
    return " Map every look-alike of the table to its Latin letter, after NFKC."


def check_normalize(got, expected, ctx):
    homoglyphs = _homoglyphs(str(ctx.lab_dir))
    for text, have in zip(expected["strings"], got["normalized"]):
        want = expected_normalized(text, homoglyphs)
        if have != want:
            return Verdict(False, f"normalize_text({text!r}) is {have!r} where {want!r} was expected."
                                  + _why_normalized(have, text), repr(want), repr(have))
    return Verdict(True)


def check_sanitize(got, expected, ctx):
    verdict = check_normalize(got, expected, ctx)
    return check_escape(got, expected, ctx) if verdict.passed else verdict


def check_escape(got, expected, ctx):
    homoglyphs = _homoglyphs(str(ctx.lab_dir))
    for text, have in zip(expected["strings"], got["escaped"]):
        want = html.escape(text, quote=False)
        if have != want:
            return Verdict(False, f"escape_delimiters({text!r}) is {have!r} where {want!r} was expected: escape & "
                                  "first, then < and >, so nothing is escaped twice", repr(want), repr(have))
    for text, have in zip(expected["strings"], got["prompts"]):
        want = f"{expected['system']}\n<user_input>\n{html.escape(expected_normalized(text, homoglyphs), quote=False)}" \
               "\n</user_input>"
        if have != want:
            return Verdict(False, f"build_prompt(system, {text!r}) is {have!r} where {want!r} was expected: normalise "
                                  "the user text, then escape it, then wrap it in the <user_input> tags",
                           repr(want), repr(have))
    return Verdict(True)


def _rates(decisions, labels):
    decisions = np.asarray(decisions, dtype=bool)
    recall = float(decisions[labels == 1].mean())
    fpr = float(decisions[labels == 0].mean())
    return recall, fpr


def _missed(got, labels, key, rows=3):
    return [i for i, (d, y) in enumerate(zip(got[key], labels)) if y == 1 and not d][:rows]


def check_detection(got, expected, ctx):
    labels = _labels(ctx, got["ids"])
    recall, fpr = _rates(got["decisions"], labels)
    if recall >= MIN_RECALL and fpr <= MAX_FPR:
        return Verdict(True, f"recall {recall:.3f}, false-positive rate {fpr:.3f}")
    advice = []
    if recall < MIN_RECALL:
        advice.append("attacks get through: normalise before matching (zero-width characters, look-alikes and "
                      "full-width letters hide the key words), and let the learned scorer catch paraphrases")
    if fpr > MAX_FPR:
        advice.append("benign prompts are flagged: a rule on a single word ('ignore', 'system', 'password') fires on "
                      "ordinary questions; require the instruction pattern (verb + target)")
    return Verdict(False, f"recall {recall:.3f} (at least {MIN_RECALL}) and false-positive rate {fpr:.3f} (at most "
                          f"{MAX_FPR}) on {len(labels)} prompts: " + "; ".join(advice))


def check_scorer(got, expected, ctx):
    labels = _labels(ctx, got["ids"])
    auc = roc_auc_score(labels, np.asarray(got["probabilities"]))
    if auc >= MIN_AUC:
        return Verdict(True, f"AUC {auc:.3f}")
    return Verdict(False, f"the learned scorer's ROC AUC is {auc:.3f} on {len(labels)} hidden prompts, at least "
                          f"{MIN_AUC} is required: train the logistic regression on the normalised text's hashed "
                          "word unigrams and bigrams until the training loss is low")


def check_rules(got, expected, ctx):
    labels = _labels(ctx, got["ids"])
    recall, fpr = _rates(got["rules"], labels)
    if recall >= MIN_RULE_RECALL and fpr <= MAX_FPR:
        return Verdict(True, f"rules alone: recall {recall:.3f}, false-positive rate {fpr:.3f}")
    return Verdict(False, f"the rules alone have recall {recall:.3f} (at least {MIN_RULE_RECALL}) and false-positive "
                          f"rate {fpr:.3f} (at most {MAX_FPR}): cover instruction overrides, requests for secrets, "
                          "role changes and fake delimiters, on the normalised lower-cased text")
