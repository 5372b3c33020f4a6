"""Lab 5 custom checks (run OUTSIDE the sandbox)."""
from __future__ import annotations

from labkit.checks import Verdict, describe
from labkit.compare import first_index

HF_TOLERANCE = 0.03


def _first_diff(want: list, have: list):
    return first_index(have, want)


def check_tokens(got, expected, ctx):
    """A list of token lists (one per input): point at the first token that differs."""
    for index, (want, have) in enumerate(zip(expected, got)):
        i = _first_diff(want, have)
        if i is not None:
            before = " ".join(want[max(0, i - 4):i])
            return Verdict(False, f"input {index + 1}: after ...{before!r} expected token {want[i] if i < len(want) else 'END'!r}, "
                                  f"got {have[i] if i < len(have) else 'END'!r} ({len(want)} tokens expected, {len(have)} returned)",
                           describe(want), describe(have))
    return Verdict(True)


def check_merges(got, expected, ctx):
    """train_bpe: one merge list (visible) or several (hidden)."""
    runs = list(zip(expected, got)) if expected and isinstance(expected[0][0], list) else [(expected, got)]
    if len(got) != len(expected) and len(runs) > 1:
        return Verdict(False, f"expected {len(expected)} results, got {len(got)}")
    for index, (want, have) in enumerate(runs):
        i = _first_diff(want, have)
        if i is not None:
            label = f"run {index + 1}: " if len(runs) > 1 else ""
            if i >= len(have):
                return Verdict(False, f"{label}you stopped after {len(have)} merges; {len(want)} expected "
                                      f"(next expected merge {tuple(want[i])})", describe(want), describe(have))
            if i >= len(want):
                return Verdict(False, f"{label}{len(have)} merges returned, {len(want)} expected: stop when no "
                                      "pair is left", describe(want), describe(have))
            return Verdict(False, f"{label}merge #{i + 1} differs: expected {tuple(want[i])}, got {tuple(have[i])} "
                                  f"(the first {i} merges agree)", describe(want), describe(have))
    return Verdict(True)


def check_hf(got, expected, ctx):
    ours, theirs, words = got["student_tokens"], got["hf_tokens"], got["words"]
    gap = abs(ours - theirs)
    summary = (f"{got['num_merges']} merges; on {words} held-out words your BPE produces {ours} tokens "
               f"({ours / words:.2f} per word), Hugging Face's BpeTrainer {theirs} ({theirs / words:.2f} per word)")
    if gap > max(3, HF_TOLERANCE * theirs):
        return Verdict(False, summary + f": more than {HF_TOLERANCE:.0%} apart. Both learn merges from the same "
                                        "word counts with '</w>' attached to the last character, so the counts "
                                        "should be nearly equal.")
    return Verdict(True, summary)


NLTK_CALLS = {"treebank": "TreebankWordTokenizer().tokenize(text)", "wordpunct": "WordPunctTokenizer().tokenize(text)",
              "tweet": "TweetTokenizer(strip_handles=True, reduce_len=True).tokenize(text)"}


def check_nltk(got, expected, ctx):
    """nltk_tokenize: one dict of three token lists per input; name the tokenizer and the first token."""
    for index, (want, have) in enumerate(zip(expected, got)):
        for key, call in NLTK_CALLS.items():
            i = first_index(have[key], want[key])
            if i is None:
                continue
            w = want[key][i] if i < len(want[key]) else "END"
            h = have[key][i] if i < len(have[key]) else "END"
            extra = ""
            if key == "tweet" and (h.startswith("@") or len(h) > len(w)):
                extra = " (strip_handles=True drops @handles; reduce_len=True cuts runs of a character to 3)"
            return Verdict(False, f"input {index + 1}, {key!r}: token {i + 1} should be {w!r}, got {h!r}; expected "
                                  f"{call}{extra}", describe(want[key]), describe(have[key]))
    if len(got) != len(expected):
        return Verdict(False, f"expected {len(expected)} results, got {len(got)}")
    return Verdict(True)
