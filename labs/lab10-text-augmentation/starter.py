"""Lab 10: EDA text augmentation. Submit this file as augment.py.

Every function takes an already tokenized sentence (a list of lowercase str tokens) and returns a
NEW list; never modify the input. All randomness must come from the `rng` argument (a
random.Random); README.md gives the exact algorithm the exact_* checks expect.
"""
import random

Lexicon = dict[str, list[str]]


def load_lexicon(path: str) -> Lexicon:
    """Provided: reads data/synonyms.tsv into {word: [synonym, ...]} (synonyms in file order)."""
    lexicon: Lexicon = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                word, synonyms = line.split("\t")
                lexicon[word] = synonyms.split(",")
    return lexicon


def synonym_replacement(tokens: list[str], n: int, lexicon: Lexicon, rng: random.Random,
                        protected: frozenset = frozenset()) -> list[str]:
    """Replace every occurrence of n distinct replaceable words with one of their synonyms."""
    raise NotImplementedError("TODO: synonym_replacement")


def random_insertion(tokens: list[str], n: int, lexicon: Lexicon, rng: random.Random,
                     protected: frozenset = frozenset()) -> list[str]:
    """n times: insert a synonym of a random unprotected word of the sentence at a random position."""
    raise NotImplementedError("TODO: random_insertion")


def random_swap(tokens: list[str], n: int, rng: random.Random, protected: frozenset = frozenset()) -> list[str]:
    """n times: exchange two distinct unprotected positions."""
    raise NotImplementedError("TODO: random_swap")


def random_deletion(tokens: list[str], p: float, rng: random.Random, protected: frozenset = frozenset()) -> list[str]:
    """Delete each unprotected token with probability p; never return an empty sentence."""
    raise NotImplementedError("TODO: random_deletion")


def eda(tokens: list[str], lexicon: Lexicon, rng: random.Random, alpha: float = 0.1, n_aug: int = 4,
        protected: frozenset = frozenset()) -> list[list[str]]:
    """n_aug augmented sentences; sentence i uses operation i % 4 (SR, RI, RS, RD)."""
    raise NotImplementedError("TODO: eda")


if __name__ == "__main__":
    lexicon = load_lexicon("data/synonyms.tsv")
    protected = frozenset({"not", "never", "no"})
    rng = random.Random(0)
    for line in open("data/sentences.txt", encoding="utf-8").read().splitlines()[:3]:
        print(line)
        for augmented in eda(line.split(), lexicon, rng, alpha=0.2, protected=protected):
            print("   ", " ".join(augmented))
