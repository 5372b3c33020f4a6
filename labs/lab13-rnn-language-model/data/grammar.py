"""Lab 13 text generator (trusted; loaded by harness.py in the sandbox and by checks.py outside it).

Sentences from a small random grammar; each seed picks its own lexicon and word frequencies. The
training text of a seed is `generate_text(seed, n)`; the grader's held-out text uses the same
lexicon with sentences drawn from another stream (`stream=` a private salt), so it never enters the
sandbox."""
import random

DETS = ["the", "a", "every", "one", "this", "that"]
NOUNS = ["cat", "dog", "bird", "fox", "horse", "child", "teacher", "robot", "farmer", "sailor", "mouse", "owl",
         "baker", "pilot", "goat", "student", "king", "queen", "wolf", "rabbit"]
ADJS = ["small", "old", "happy", "green", "quiet", "brave", "tired", "clever", "young", "red"]
VERBS_T = ["saw", "chased", "found", "helped", "followed", "heard", "liked", "met", "painted", "fed"]
VERBS_I = ["slept", "sang", "laughed", "waited", "jumped", "smiled", "ran", "danced"]
PREPS = ["on", "near", "under", "behind", "with", "beside"]
PLACES = ["mat", "hill", "bridge", "table", "river", "road", "roof", "tree", "boat", "wall"]


def generate_text(seed: int, n_chars: int, stream: str | None = None) -> str:
    rng = random.Random(seed)
    lex = {"d": rng.sample(DETS, 4), "n": rng.sample(NOUNS, 12), "a": rng.sample(ADJS, 6),
           "t": rng.sample(VERBS_T, 6), "i": rng.sample(VERBS_I, 5), "p": rng.sample(PREPS, 4),
           "l": rng.sample(PLACES, 6)}
    if stream is not None:
        rng = random.Random(f"{seed}:{stream}")

    def pick(kind: str) -> str:
        words = lex[kind]
        return rng.choices(words, weights=[1 / (k + 1) ** 0.7 for k in range(len(words))])[0]

    def noun_phrase() -> list[str]:
        words = [pick("d")]
        if rng.random() < 0.35:
            words.append(pick("a"))
        return words + [pick("n")]

    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < n_chars:
        words = noun_phrase()
        words += [pick("t")] + noun_phrase() if rng.random() < 0.6 else [pick("i")]
        if rng.random() < 0.4:
            words += [pick("p"), "the", pick("l")]
        sentences.append(" ".join(words) + ".")
    return " ".join(sentences)[:n_chars]
