"""Lab 9 custom checks (run outside the sandbox).

check_probs / check_perplexity: allclose (rtol 1e-6), with messages that name the failing query.
check_distributions: next_distribution covers exactly the vocabulary and sums to 1.
check_sampling: generated sentences are valid under the maximum-likelihood model, reproducible from
the rng, and distributed like the model (total-variation distance with a bound that a correct sampler
exceeds with probability < 1e-6). The model is rebuilt here from the reference run's copy of the
training corpus, never from what the student's run returned."""
from __future__ import annotations

import math
from collections import Counter, defaultdict

from labkit.checks import Verdict, allclose

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
MIN_VISITS = 200  # contexts visited at least this often get a distribution test


RTOL, ATOL = 1e-6, 1e-9


def _numbers(got, length: int, what: str) -> list[float] | Verdict:
    values = got if isinstance(got, list) else [got]
    if len(values) != length or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return Verdict(False, f"expected {length} number(s) from {what}, got {str(got)[:120]}")
    return [float(v) for v in values]


def check_probs(got, expected, ctx) -> Verdict:
    values = _numbers(got, len(expected), "prob(context, word)")
    if isinstance(values, Verdict):
        return values
    queries = ctx.shown.get("prob_queries") or [f"query {i}" for i in range(len(expected))]
    wrong = [i for i, (g, e) in enumerate(zip(values, expected)) if not math.isclose(g, e, rel_tol=RTOL, abs_tol=ATOL)]
    if not wrong:
        return Verdict(True)
    i = wrong[0]
    message = f"{len(wrong)} of {len(expected)} probabilities differ; first: {queries[i]} expected {expected[i]:.6g}, got {values[i]:.6g}"
    if values[i] == 0.0 and " k=0.0:" not in queries[i]:
        message += ". With k > 0 no probability is 0: add k to every count and k*|V| to the context count"
    elif values[i] > 1.0 or values[i] < 0.0:
        message += ". A probability must lie in [0, 1]"
    return Verdict(False, message, expected=f"{expected[i]:.10g}", got=f"{values[i]:.10g}")


def _implied_tokens(item) -> float | None:
    """The N that the student's perplexity divides by, given its own log-probabilities."""
    total, ppl = math.fsum(item["logprobs"]), item["perplexity"]
    if not math.isfinite(total) or not math.isfinite(ppl) or ppl <= 1.0:
        return None
    return -total / math.log(ppl)


def _perplexity_cause(have, want) -> str:
    """Name the cause: the log-probabilities (the model) or the average (N)."""
    sentences = len(want["sentences"])
    for sentence, h, w in zip(want["sentences"], have["logprobs"], want["logprobs"]):
        if math.isinf(h) and not math.isinf(w):
            return (f"sentence_logprob({sentence!r}) is -inf: a held-out token got probability 0. Unknown "
                    "words must become '<unk>', and add-k smoothing gives every word of V a probability > 0")
        if not math.isclose(h, w, rel_tol=RTOL, abs_tol=1e-7):
            extra = (" (higher than expected: is the '</s>' of the sentence scored?)" if h > w else "")
            return (f"the model's log-probabilities are off, not the average: sentence_logprob({sentence!r}) is "
                    f"{h:.6g}, expected {w:.6g}{extra}")
    implied, tokens = _implied_tokens(have), want["tokens"]
    if implied is not None:
        if math.isclose(implied, tokens - sentences, rel_tol=1e-6):
            return (f"your log-probabilities are right but you divide by {tokens - sentences} tokens: N counts "
                    f"the '</s>' of every sentence too ({tokens})")
        if any(math.isclose(implied, tokens + j * sentences, rel_tol=1e-6) for j in (1, 2)):
            return (f"your log-probabilities are right but you divide by about {implied:.0f} tokens: the '<s>' "
                    f"padding is never predicted, so it is not counted in N ({tokens})")
        return (f"your log-probabilities are right but the average is not: the perplexity implies N = "
                f"{implied:.2f}, expected {tokens} (words + one '</s>' per sentence), and exp(-sum/N)")
    return "perplexity = exp(-(sum of sentence_logprob) / N), N = words + one '</s>' per sentence"


def check_perplexity(got, expected, ctx) -> Verdict:
    if not isinstance(got, list) or len(got) != len(expected):
        return Verdict(False, "perplexity results are missing")
    for have, want in zip(got, expected):
        label = f"perplexity of NgramLM(n={want['n']}, k={want['k']})"
        g, e = have["perplexity"], want["perplexity"]
        if math.isinf(g):
            return Verdict(False, f"{label} is infinite: some held-out token got probability 0. Unknown words must "
                                  "become '<unk>', and add-k smoothing gives every word of V a probability > 0",
                           expected=f"{e:.10g}", got="inf")
        verdict = allclose(g, e, RTOL, ATOL)
        if not verdict.passed:
            return Verdict(False, f"{label} is {g:.6g}, expected {e:.6g}: {_perplexity_cause(have, want)}",
                           expected=f"{e:.10g}", got=f"{g:.10g}")
    return Verdict(True)


def check_distributions(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or not isinstance(got.get("distributions"), dict):
        return Verdict(False, "next_distribution results are missing")
    want_all, got_all = expected["distributions"], got["distributions"]
    for context, want in want_all.items():
        have = got_all.get(context)
        call = f"next_distribution({tuple(context.split())!r}) with n={expected['n']}, k={expected['k']}"
        if not isinstance(have, dict):
            return Verdict(False, f"{call} returned nothing")
        if BOS in have:
            return Verdict(False, f"{call} gives a probability to '<s>'; the model never predicts '<s>', so it "
                                  "is not in the vocabulary (and must not be counted in |V| for add-k)")
        missing = sorted(set(want) - set(have))
        extra = sorted(set(have) - set(want))
        if missing:
            return Verdict(False, f"{call} has no entry for {len(missing)} vocabulary word(s), e.g. {missing[0]!r}; "
                                  "it must cover every word of the training vocabulary plus '</s>' and '<unk>'",
                           expected=f"{len(want)} words", got=f"{len(have)} words")
        if extra:
            return Verdict(False, f"{call} has entries for words outside the vocabulary, e.g. {extra[0]!r}")
        total = math.fsum(have.values())
        if not math.isclose(total, 1.0, rel_tol=0, abs_tol=1e-9):
            return Verdict(False, f"the probabilities of {call} sum to {total:.6g}, not 1: check the denominator "
                                  "c(context) + k*|V|", expected="1.0", got=f"{total:.10g}")
        if any(p < 0 for p in have.values()):
            return Verdict(False, f"{call} has negative probabilities")
        word = max(want, key=lambda w: abs(have[w] - want[w]))
        if not math.isclose(have[word], want[word], rel_tol=1e-6, abs_tol=1e-9):
            return Verdict(False, f"{call}[{word!r}] is {have[word]:.6g}, expected {want[word]:.6g}",
                           expected=f"{want[word]:.6g}", got=f"{have[word]:.6g}")
    return Verdict(True)


# ------------------------------------------------------------------ sampling

def _mle(train: list[str], n: int) -> dict[tuple, Counter]:
    table: dict[tuple, Counter] = defaultdict(Counter)
    for line in train:
        padded = [BOS] * (n - 1) + line.split() + [EOS]
        for i in range(n - 1, len(padded)):
            table[tuple(padded[i - n + 1:i])][padded[i]] += 1
    return table


def _tv(observed: Counter, model: Counter) -> float:
    n_obs, n_model = sum(observed.values()), sum(model.values())
    words = set(observed) | set(model)
    return 0.5 * sum(abs(observed[w] / n_obs - model[w] / n_model) for w in words)


def _tv_bound(support: int, visits: int) -> float:
    """E[TV] <= 0.5*sqrt(K/N); McDiarmid adds sqrt(ln(1e6)/(2N)) for a 1e-6 false-failure rate."""
    return (0.5 * math.sqrt(support) + math.sqrt(math.log(1e6) / 2)) / math.sqrt(visits)


def _show(sample) -> str:
    return " ".join(sample) if isinstance(sample, list) else repr(sample)


def _validate(samples, table, n: int, max_len: int, label: str) -> Verdict | None:
    if not isinstance(samples, list) or not samples:
        return Verdict(False, f"{label}: no sentences were generated")
    for sample in samples:
        if not isinstance(sample, list) or not sample or not all(isinstance(t, str) for t in sample):
            return Verdict(False, f"{label}: generate returned {_show(sample)!r}; it must return a non-empty "
                                  "list of str tokens")
        if len(sample) > max_len:
            return Verdict(False, f"{label}: a sentence has {len(sample)} tokens but max_len={max_len}",
                           got=_show(sample))
        if BOS in sample:
            return Verdict(False, f"{label}: '<s>' appears in a generated sentence; the padding is not part of "
                                  "the output", got=_show(sample))
        if EOS in sample[:-1]:
            return Verdict(False, f"{label}: generation went on after '</s>'; stop as soon as '</s>' is drawn",
                           got=_show(sample))
        if sample[-1] != EOS and len(sample) < max_len:
            return Verdict(False, f"{label}: a sentence stopped after {len(sample)} tokens without '</s>' although "
                                  f"max_len={max_len}", got=_show(sample))
        padded = [BOS] * (n - 1) + sample
        for i in range(n - 1, len(padded)):
            context, word = tuple(padded[i - n + 1:i]), padded[i]
            if table.get(context, Counter())[word] == 0:
                return Verdict(False, f"{label}: the {n}-gram {' '.join(context + (word,))!r} was generated but has "
                                      "probability 0 under the unsmoothed (k=0) model: is the context the last "
                                      f"n-1 = {n - 1} token(s), starting from {n - 1} '<s>'?", got=_show(sample))
    return None


def check_sampling(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or "samples" not in got:
        return Verdict(False, "generate produced no output")
    n, max_len = expected["n"], expected["max_len"]
    table = _mle(expected["train"], n)
    samples = got["samples"]
    problem = (_validate(samples, table, n, max_len, f"generate(rng, max_len={max_len})")
               or _validate(got.get("short"), table, n, 3, "generate(rng, max_len=3)"))
    if problem:
        return problem
    if got.get("repeat") != samples[:20]:
        return Verdict(False, "two runs with a fresh random.Random of the same seed gave different sentences: draw "
                              "every random number from the rng argument (rng.random(), rng.choices(...)), not from "
                              "the global random module or numpy",
                       expected=_show(samples[0]), got=_show((got.get("repeat") or ["?"])[0]))
    if got.get("other") == samples[:20]:
        return Verdict(False, "random.Random(seed) and random.Random(seed + 1) gave the same 20 sentences: "
                              "generate must sample from the rng, not pick the most likely word")
    # Distribution: first words, then every frequently visited context.
    visits: dict[tuple, Counter] = defaultdict(Counter)
    for sample in samples:
        padded = [BOS] * (n - 1) + sample
        for i in range(n - 1, len(padded)):
            visits[tuple(padded[i - n + 1:i])][padded[i]] += 1
    start = (BOS,) * (n - 1)
    tested = [start] + sorted(h for h in visits if h != start and sum(visits[h].values()) >= MIN_VISITS)
    worst = max(tested, key=lambda h: _tv(visits[h], table[h]) / _tv_bound(len(table[h]), sum(visits[h].values())))
    for context in [worst]:
        observed, model = visits[context], table[context]
        count = sum(observed.values())
        tv, bound = _tv(observed, model), _tv_bound(len(model), count)
        if tv > bound:
            top = lambda c, total: ", ".join(f"{w} {c[w] / total:.2f}" for w, _ in c.most_common(4))  # noqa: E731
            where = "the first word" if context == start else f"the word after {' '.join(context)!r}"
            return Verdict(False, f"{where} is not distributed like the model: total-variation distance {tv:.3f} "
                                  f"over {count} draws (a correct sampler stays below {bound:.3f}). Sample in "
                                  "proportion to next_distribution(context), e.g. with one rng.random() and the "
                                  "cumulative sum",
                           expected=top(model, sum(model.values())), got=top(observed, count))
    return Verdict(True)
