"""Lab 9 harness (runs inside the sandbox): builds corpora, calls the student's n-gram model and
returns its outputs. Seed 0 uses the visible corpus in data/; hidden seeds use a corpus generated from
a small random grammar."""
import numbers
import random

from labkit.data import case_rng, read_lines
from labkit.harness import case
from labkit.returns import number

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
N_SAMPLES = 1000
MAX_LEN = 25

# ------------------------------------------------------------------ corpora

DETS = ["the", "a", "every", "one", "this"]
NOUNS = ["cat", "dog", "bird", "fox", "horse", "child", "teacher", "robot", "farmer", "sailor",
         "mouse", "owl", "baker", "pilot", "goat", "student", "king", "queen", "wolf", "rabbit"]
ADJS = ["small", "old", "happy", "green", "quiet", "brave", "tired", "clever", "young", "red"]
VERBS_T = ["saw", "chased", "found", "helped", "followed", "heard", "liked", "met", "painted", "fed"]
VERBS_I = ["slept", "sang", "laughed", "waited", "jumped", "smiled", "ran", "danced"]
PREPS = ["on", "near", "under", "behind", "with", "beside"]
PLACES = ["mat", "hill", "bridge", "table", "river", "road", "roof", "tree", "boat", "wall"]
NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
OOV = ["zebra", "quokka", "narwhal", "yak", "ibis", "lynx"]


def _zipf_choice(rng: random.Random, words: list[str]) -> str:
    return rng.choices(words, weights=[1.0 / (i + 1) for i in range(len(words))])[0]


class Grammar:
    """A tiny random English-like grammar; each seed picks its own lexicon."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.dets = rng.sample(DETS, 3)
        self.nouns = rng.sample(NOUNS, 7)
        self.adjs = rng.sample(ADJS, 3)
        self.verbs_t = rng.sample(VERBS_T, 4)
        self.verbs_i = rng.sample(VERBS_I, 3)
        self.preps = rng.sample(PREPS, 3)
        self.places = rng.sample(PLACES, 4)
        self.names = rng.sample(NAMES, 3)

    def noun_phrase(self, nouns: list[str]) -> list[str]:
        r = self.rng.random()
        if r < 0.15:
            return [_zipf_choice(self.rng, self.names)]
        phrase = [_zipf_choice(self.rng, self.dets)]
        if r > 0.75:
            phrase.append(_zipf_choice(self.rng, self.adjs))
        return phrase + [_zipf_choice(self.rng, nouns)]

    def sentence(self, nouns: list[str] | None = None) -> list[str]:
        nouns = nouns or self.nouns
        words = self.noun_phrase(nouns)
        if self.rng.random() < 0.6:
            words += [_zipf_choice(self.rng, self.verbs_t)] + self.noun_phrase(nouns)
        else:
            words.append(_zipf_choice(self.rng, self.verbs_i))
        if self.rng.random() < 0.4:
            words += [_zipf_choice(self.rng, self.preps), "the", _zipf_choice(self.rng, self.places)]
        return words


def read_corpus(ctx, name: str) -> list[list[str]]:
    return [line.split() for line in read_lines(ctx, name)]


def corpora(ctx) -> tuple[list[list[str]], list[list[str]]]:
    """(train, heldout) for this seed. Held-out sentences contain words never seen in training."""
    if ctx.visible:
        return read_corpus(ctx, "visible_train.txt"), read_corpus(ctx, "visible_heldout.txt")
    rng = case_rng(ctx, "corpus")
    grammar = Grammar(rng)
    train = [grammar.sentence() for _ in range(80)]
    heldout = [grammar.sentence() for _ in range(14)]
    for oov in rng.sample(OOV, 2):  # two held-out sentences with an unseen noun
        heldout.append(grammar.sentence(nouns=[oov]))
    return train, heldout


def as_text(sentences: list[list[str]]) -> list[str]:
    return [" ".join(s) for s in sentences]


# ------------------------------------------------------------------ calling the student's code

def build_model(student, n: int, k: float, train: list[list[str]]):
    cls = getattr(student, "NgramLM", None)
    if cls is None:
        raise TypeError("ngram.py must define a class NgramLM(n, k) with fit, prob, next_distribution, "
                        "sentence_logprob, perplexity and generate")
    model = cls(n, k)
    model.fit([list(s) for s in train])
    return model


def as_probability(value, what: str) -> float:
    return number(value, what, allow_nan=False)


def fmt_query(context: tuple, word: str) -> str:
    return f"P({word} | {' '.join(context) if context else '(empty)'})"


# ------------------------------------------------------------------ cases

@case
def counts(student, ctx):
    train, _ = corpora(ctx)
    n = 2 if ctx.visible else 3
    ctx.show(train_sentences=as_text(train), counts_call=f"count_ngrams(train_sentences, n={n})")
    result = student.count_ngrams([list(s) for s in train], n)
    if not isinstance(result, dict):
        raise TypeError(f"count_ngrams must return a dict {{tuple of {n} str: int}}, got {type(result).__name__}")
    out = {}
    for key, value in result.items():
        if not (isinstance(key, tuple) and len(key) == n and all(isinstance(t, str) for t in key)):
            raise TypeError(f"count_ngrams(sentences, n={n}) keys must be tuples of {n} strings, e.g. "
                            f"('<s>', 'the'{', ...' if n > 2 else ''}); got key {key!r}")
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"count_ngrams values must be ints, got {type(value).__name__} for {key!r}")
        if int(value) != 0:
            out[" ".join(key)] = int(value)
    return out


def prob_queries(ctx, train) -> list[tuple[int, float, tuple, str]]:
    """(n, k, context, word) queries: seen n-grams, unseen words, unseen contexts, OOV words."""
    if ctx.visible:
        return [(2, 0.0, ("the",), "cat"), (2, 0.0, ("<s>",), "a"), (2, 0.0, ("cat",), "</s>"),
                (2, 0.0, ("dog",), "sang"), (2, 1.0, ("the",), "cat"), (2, 1.0, ("dog",), "sang"),
                (2, 1.0, ("the",), "fox"), (2, 0.5, ("fox",), "sat"), (2, 0.5, ("on",), "the")]
    rng = case_rng(ctx, "probs")
    vocab = sorted({w for s in train for w in s})
    queries = []
    for n in (2, 3):
        grams = sorted(set(tuple(([BOS] * (n - 1) + s + [EOS])[i:i + n])
                           for s in train for i in range(len(s) + 1)))
        for k in (0.0, rng.choice([0.01, 0.1, 0.5, 1.0])):
            for gram in rng.sample(grams, 6):  # seen n-grams
                queries.append((n, k, gram[:-1], gram[-1]))
            for gram in rng.sample(grams, 4):  # seen context, maybe unseen word
                queries.append((n, k, gram[:-1], rng.choice(vocab + [EOS])))
            if k > 0:
                queries.append((n, k, grams[0][:-1], rng.choice(OOV)))  # OOV word -> <unk>
                queries.append((n, k, tuple(rng.choice(vocab) for _ in range(n - 1)), rng.choice(vocab)))
                queries.append((n, k, (rng.choice(OOV),) * (n - 1), EOS))  # OOV context
    return queries


@case
def probs(student, ctx):
    train, _ = corpora(ctx)
    queries = prob_queries(ctx, train)
    ctx.show(train_sentences=as_text(train),
             prob_queries=[f"n={n} k={k}: {fmt_query(c, w)}" for n, k, c, w in queries])
    models, out = {}, []
    for n, k, context, word in queries:
        if (n, k) not in models:
            models[(n, k)] = build_model(student, n, k, train)
        out.append(as_probability(models[(n, k)].prob(tuple(context), word), f"prob({context!r}, {word!r})"))
    return out


@case
def distributions(student, ctx):
    train, _ = corpora(ctx)
    if ctx.visible:
        n, k, contexts = 2, 0.5, [("the",), ("<s>",), ("fox",), ("mat",)]
    else:
        rng = case_rng(ctx, "distributions")
        n, k = 3, rng.choice([0.0, 0.1, 1.0])
        grams = sorted({tuple(([BOS, BOS] + s + [EOS])[i:i + 3]) for s in train for i in range(len(s) + 1)})
        contexts = [(BOS, BOS)] + [g[:-1] for g in rng.sample(grams, 4)]
    ctx.show(train_sentences=as_text(train), distribution_model=f"NgramLM(n={n}, k={k})",
             distribution_contexts=[c for c in contexts])
    model = build_model(student, n, k, train)
    out = {}
    for context in contexts:
        dist = model.next_distribution(tuple(context))
        if not isinstance(dist, dict):
            raise TypeError(f"next_distribution must return a dict {{word: probability}}, got {type(dist).__name__}")
        out[" ".join(context)] = {str(w): as_probability(p, f"next_distribution({context!r})[{w!r}]")
                                  for w, p in dist.items()}
    return {"n": n, "k": k, "distributions": out}


def _perplexity(student, n: int, k: float, train, heldout) -> dict:
    """The perplexity, and what it is made of (each held-out sentence's log-probability from the student's
    sentence_logprob), so that the checks can tell wrong probabilities from a wrong average."""
    model = build_model(student, n, k, train)
    logprobs = [as_probability(model.sentence_logprob(list(s)), "sentence_logprob") for s in heldout]
    return {"n": n, "k": k, "perplexity": as_probability(model.perplexity([list(s) for s in heldout]), "perplexity"),
            "logprobs": logprobs, "sentences": [" ".join(s) for s in heldout],
            "tokens": sum(len(s) + 1 for s in heldout)}


@case
def perplexity(student, ctx):
    train, heldout = corpora(ctx)
    if ctx.visible:
        ctx.show(train_sentences=as_text(train), heldout_sentences=as_text(heldout),
                 perplexity_model="NgramLM(n=2, k=1.0)")
        return [_perplexity(student, 2, 1.0, train, heldout)]
    rng = case_rng(ctx, "perplexity")
    return [_perplexity(student, n, rng.choice([0.05, 0.2, 1.0]), train, heldout) for n in (2, 3)]


def _sentences(model, rng, count: int, max_len: int) -> list[list[str]]:
    out = []
    for _ in range(count):
        sample = model.generate(rng, max_len)
        if not isinstance(sample, list) or not all(isinstance(t, str) for t in sample):
            raise TypeError(f"generate must return a list of str tokens, got {sample!r:.80}")
        out.append(sample)
    return out


@case
def sampling(student, ctx):
    train, _ = corpora(ctx)
    n = 2 if ctx.visible else 3
    ctx.show(train_sentences=as_text(train), sampling_calls=f"NgramLM(n={n}, k=0.0), then {N_SAMPLES} x "
                                                            f"generate(random.Random({ctx.seed}), max_len={MAX_LEN})")
    model = build_model(student, n, 0.0, train)
    samples = _sentences(model, random.Random(ctx.seed), N_SAMPLES, MAX_LEN)
    return {
        "n": n,
        "max_len": MAX_LEN,
        "train": as_text(train),  # the checks take the corpus from the reference run's copy
        "samples": samples,
        "repeat": _sentences(model, random.Random(ctx.seed), 20, MAX_LEN),
        "other": _sentences(model, random.Random(ctx.seed + 1), 20, MAX_LEN),
        "short": _sentences(model, random.Random(ctx.seed + 2), 50, 3),
    }
