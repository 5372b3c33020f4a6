"""Lab 10 custom checks (run outside the sandbox).

The invariant checks accept ANY correct implementation of an operation: they test what must hold for
every output (lengths, only synonyms, protected tokens untouched, original order kept...), plus
reproducibility from the rng and a deletion rate consistent with p. The exact checks compare with the
fully specified algorithm of README.md. Inputs are taken from the reference run's copy and the
lexicon from data/synonyms.tsv, never from what the student's run returned."""
from __future__ import annotations

import math
from collections import Counter

from labkit.checks import Verdict
from labkit.data import read_tsv


def _lexicon(ctx) -> dict[str, list[str]]:
    return {word: synonyms.split(",") for word, synonyms in read_tsv(ctx, "synonyms.tsv", columns=2)}


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(any(t == u for u in it) for t in short)


def _q(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return repr(text if len(text) <= 90 else text[:87] + "...")


# ------------------------------------------------------------------ one output of one operation

def problem_sr(tokens, n, protected, out, lexicon) -> str | None:
    if len(out) != len(tokens):
        return f"changed the length from {len(tokens)} to {len(out)} tokens; synonym replacement replaces in place"
    for original, new in zip(tokens, out):
        if new == original:
            continue
        if original in protected:
            return f"replaced the protected word {original!r}"
        if new not in lexicon.get(original, []):
            return f"replaced {original!r} by {new!r}, which is not one of its synonyms {lexicon.get(original, [])}"
    replaced = set()
    for word in set(tokens):
        now = {new for original, new in zip(tokens, out) if original == word}
        if len(now) > 1:
            return (f"replaced only some occurrences of {word!r}, or with different synonyms ({sorted(now)}): "
                    "every occurrence of a chosen word gets the same synonym")
        if now != {word}:
            replaced.add(word)
    candidates = {t for t in tokens if lexicon.get(t) and t not in protected}
    if len(replaced) != min(n, len(candidates)):
        return (f"replaced {len(replaced)} distinct word(s); with n={n} and {len(candidates)} replaceable "
                f"word(s) it must replace exactly {min(n, len(candidates))}")
    return None


def problem_ri(tokens, n, protected, out, lexicon) -> str | None:
    candidates = [t for t in tokens if lexicon.get(t) and t not in protected]
    want = len(tokens) + (n if candidates else 0)
    if len(out) != want:
        return (f"returned {len(out)} tokens; inserting n={n} word(s) into {len(tokens)} tokens gives {want}"
                + ("" if candidates else " (no word of this sentence can be replaced, so nothing is inserted)"))
    if not _is_subsequence(tokens, out):
        return "the original tokens are no longer all there in their order; random insertion only adds words"
    extra = Counter(out) - Counter(tokens)
    allowed = {s for t in out if t not in protected for s in lexicon.get(t, [])}
    for word in extra:
        if word not in allowed:
            return f"inserted {word!r}, which is not a synonym of any unprotected word of the sentence"
    return None


def problem_rs(tokens, n, protected, out, lexicon) -> str | None:
    if sorted(out) != sorted(tokens):
        return "the output is not a reordering of the input; random swap only exchanges positions"
    for i, (a, b) in enumerate(zip(tokens, out)):
        if a in protected and a != b:
            return f"moved the protected word {a!r} away from position {i}"
    moved = sum(a != b for a, b in zip(tokens, out))
    if moved > 2 * n:
        return f"{moved} positions changed; n={n} swaps can change at most {2 * n}"
    return None


def problem_rd(tokens, p, protected, out, lexicon) -> str | None:
    if tokens and not out:
        return "returned an empty sentence; when every token is deleted, keep one random token of the input"
    if not _is_subsequence(out, tokens):
        return "the output is not the input with some tokens removed (order kept); deletion must not add or move words"
    for word in set(tokens) & set(protected):
        if Counter(out)[word] != Counter(tokens)[word]:
            return f"deleted the protected word {word!r}"
    return None


PROBLEMS = {"synonym_replacement": problem_sr, "random_insertion": problem_ri, "random_swap": problem_rs,
            "random_deletion": problem_rd}
EDA_ORDER = ["synonym_replacement", "random_insertion", "random_swap", "random_deletion"]


def _signature(op: str, item: dict) -> str:
    amount = {"random_deletion": "p", "eda": "alpha"}.get(op, "n")
    return (f"{op}({_q(item['tokens'])}.split(), {amount}={item['amount']}, rng=random.Random({item['seed']}), "
            f"protected={set(item['protected'])})")


# ------------------------------------------------------------------ checks

def check_invariants(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or not isinstance(got.get("outputs"), list):
        return Verdict(False, "no outputs were produced")
    op, inputs, outputs = expected["op"], expected["inputs"], got["outputs"]
    if len(outputs) != len(inputs):
        return Verdict(False, f"expected {len(inputs)} outputs, got {len(outputs)}")
    lexicon = _lexicon(ctx)
    for item, out in zip(inputs, outputs):
        tokens, amount, protected = item["tokens"], item["amount"], set(item["protected"])
        if op == "eda":
            n = max(1, int(amount * len(tokens)))
            for index, (sub, result) in enumerate(zip(EDA_ORDER, out)):
                value = amount if sub == "random_deletion" else n
                problem = PROBLEMS[sub](tokens, value, protected, result, lexicon)
                if problem:
                    return Verdict(False, f"{_signature(op, item)}: augmented sentence {index} should come from "
                                          f"{sub} (n={n}, p=alpha): it {problem}", got=_q(result))
            continue
        problem = PROBLEMS[op](tokens, amount, protected, out, lexicon)
        if problem:
            return Verdict(False, f"{_signature(op, item)} {problem}", got=_q(out))
    if got.get("repeat") != outputs[:len(expected["repeat"])]:
        return Verdict(False, f"calling {op} twice with a fresh random.Random of the same seed gave different "
                              "results: draw every random number from the rng argument, never from the global "
                              "random module")
    if got.get("other") == outputs[:len(expected["other"])]:
        return Verdict(False, f"{op} gave the same results for random.Random(seed) and random.Random(seed + 1) "
                              f"on {len(expected['other'])} sentences: the choices must come from the rng")
    if op == "random_swap":
        movable = [(item, out) for item, out in zip(inputs, outputs)
                   if len({t for t in item["tokens"] if t not in item["protected"]}) >= 2]
        unchanged = sum(out == item["tokens"] for item, out in movable)
        if movable and unchanged > len(movable) / 2:
            return Verdict(False, f"random_swap left {unchanged} of {len(movable)} sentences unchanged: pick two "
                                  "different positions among the unprotected ones and exchange them")
    if op == "random_deletion":
        deleted = mean = variance = 0.0
        for item, out in zip(inputs, outputs):
            free = [t for t in item["tokens"] if t not in item["protected"]]
            p = item["amount"]
            deleted += len(item["tokens"]) - len(out)
            mean += p * len(free)
            variance += p * (1 - p) * len(free)
        if abs(deleted - mean) > 5 * math.sqrt(variance) + 3:
            return Verdict(False, f"random_deletion removed {int(deleted)} tokens over {len(inputs)} sentences where "
                                  f"about {mean:.0f} were expected: delete each unprotected token independently "
                                  "with probability p (rng.random() < p)",
                           expected=f"about {mean:.0f} deletions", got=f"{int(deleted)} deletions")
    return Verdict(True)


def check_exact(got, expected, ctx) -> Verdict:
    if not isinstance(got, list) or len(got) != len(expected):
        return Verdict(False, "the fixed calls produced no usable output")
    for have, want in zip(got, expected):
        if have.get("output") != want["output"]:
            return Verdict(False, f"{want['call']} returned a different result from the algorithm specified in "
                                  "README.md (same rng calls, in the same order)",
                           expected=str(want["output"]), got=str(have.get("output")))
    return Verdict(True)
