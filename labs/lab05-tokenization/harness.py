"""Lab 5 harness: runs inside the sandbox. Calls the student's word tokenizer and BPE on fixed (visible)
and generated (hidden) inputs, and trains a Hugging Face `tokenizers` BPE on the same words so the
token counts can be compared. No expected values here."""
from __future__ import annotations

import re
from collections import Counter

from labkit.data import case_rng, read_text
from labkit.harness import case
from labkit.returns import str_list

EOW = "</w>"


_str_list = str_list


def _merges(value, what="train_bpe"):
    if not isinstance(value, list):
        raise TypeError(f"{what} must return a list of (left, right) string pairs, got {type(value).__name__}")
    out = []
    for pair in value:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(isinstance(s, str) for s in pair):
            raise TypeError(f"{what} must return (left, right) pairs of strings, got {pair!r}")
        out.append([pair[0], pair[1]])
    return out


# ----------------------------------------------------------------------------- generators

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "ven", "dor", "fal", "gim", "hep", "jor", "kel", "mur",
             "pa", "ri", "tas", "ul", "wen", "an", "es", "ot", "ir", "str", "th", "ch"]
SUFFIXES = ["", "", "", "s", "ed", "ing", "er", "ers", "est", "ly", "ness", "ful"]
PREFIXES = ["", "", "", "", "un", "re", "pre"]


def morph_words(rng, n_stems):
    """A toy language with stems, prefixes and suffixes, so BPE has real structure to find."""
    stems = set()
    while len(stems) < n_stems:
        stems.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))))
    stems = sorted(stems)
    rng.shuffle(stems)
    words = {}
    for rank, stem in enumerate(stems):
        base = max(1, int(60 / (rank + 1)))
        for _ in range(rng.randint(2, 5)):
            word = rng.choice(PREFIXES) + stem + rng.choice(SUFFIXES)
            words[word] = words.get(word, 0) + rng.randint(1, base + 2)
    return words


def random_merges(rng, words, n):
    """A valid merge list built from adjacent pairs of real words (no frequency counting involved)."""
    merges, seen = [], set()
    segmented = {w: tuple(w[:-1]) + (w[-1] + EOW,) for w in words}
    pool = sorted(segmented)
    for _ in range(n * 5):
        if len(merges) >= n:
            break
        word = rng.choice(pool)
        symbols = segmented[word]
        if len(symbols) < 2:
            continue
        i = rng.randrange(len(symbols) - 1)
        pair = (symbols[i], symbols[i + 1])
        if pair in seen:
            continue
        seen.add(pair)
        merges.append(pair)
        segmented = {w: _joined(syms, pair) for w, syms in segmented.items()}  # later merges build on it
    return merges


def _joined(symbols, pair):
    """symbols with each occurrence of pair, left to right and never overlapping, joined into one symbol."""
    out, i = list(symbols), 0
    while i < len(out) - 1:
        if (out[i], out[i + 1]) == pair:
            out[i:i + 2] = [out[i] + out[i + 1]]
        i += 1
    return tuple(out)


NAMES = ["Mr. Hale", "Dr. Moss", "Anna", "the keeper", "Tom's mother", "the boys'"]
CLAUSES = ["don't know", "can't say", "won't go", "it's late", "we'll see", "they're here", "I'd say",
           "you've seen", "she's gone", "I'm sure", "isn't it", "WON'T stop", "they'd better"]
TAILS = ["3:30", "10,000", "$5", "50%", "#7", "@home", "(twice)", "[sic]", "{maybe}", "<b>", "--", "...", "&"]


def _parts(rng, pools, count, endings):
    """`count` words, each from the first pool whose cumulative share exceeds a uniform draw, with an ending."""
    parts = []
    for _ in range(count):
        kind = rng.random()
        parts.append(rng.choice(next(words for share, words in pools if kind < share)) + rng.choice(endings))
    return parts


TREEBANK_POOLS = [(0.3, CLAUSES), (0.5, NAMES), (0.7, TAILS),
                  (1.0, ["lamp", "bell", "ships", "a,b", "e.g.", "U.S.", "x:y", "well-known", "'tis"])]


def treebank_sentence(rng):
    parts = _parts(rng, TREEBANK_POOLS, rng.randint(3, 7), ["", "", "", ",", ";", ":", "!", "?"])
    text = " ".join(parts)
    if rng.random() < 0.4:
        text = '"' + text + rng.choice(['."', '!"', '?"', '"'])
    else:
        text = text + rng.choice([".", ".", "!", "?", ".)", ". ", "...", ".'"])
    if rng.random() < 0.3:
        text = rng.choice(["He said ", "(", "She wrote: "]) + text
    return text


def simple_words(text):
    """Pre-tokenization used for the Hugging Face comparison (the same words go to both BPEs)."""
    return re.findall(r"\w+|[^\w\s]", text)


# ----------------------------------------------------------------------------- visible inputs

VISIBLE_SENTENCES = [
    "\"Don't panic!\" said Mr. O'Brien, it's 3:30 -- isn't it... (really)? The dogs' bowls cost $1,000.",
    "He said \"stop.\"",
    "I can't; we'll see, they've gone [sic] & you're late: 10:45 @home #1 50% 'tis.",
]
SENNRICH = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
SENNRICH_MERGES = [("e", "s"), ("es", "t</w>"), ("l", "o"), ("e", "w"), ("ew", "est</w>"), ("n", "ewest</w>"),
                   ("lo", "w</w>"), ("d", "est</w>"), ("i", "dest</w>"), ("w", "idest</w>")]
VISIBLE_ENCODE = ["lowest", "newer", "wider", "low", "a", "slowest"]


# ----------------------------------------------------------------------------- cases


@case
def word_tokenize(student, ctx):
    rng = case_rng(ctx, "word_tokenize")
    texts = VISIBLE_SENTENCES if ctx.visible else [treebank_sentence(rng) for _ in range(8)]
    ctx.show(texts=texts)
    return [_str_list(student.word_tokenize(t), "word_tokenize") for t in texts]


@case
def train_bpe(student, ctx):
    if ctx.visible:
        words, n = dict(SENNRICH), 10
        ctx.show(word_counts=words, num_merges=n)
        return _merges(student.train_bpe(dict(words), n))
    out = []
    for _ in range(2):
        rng = case_rng(ctx, "train_bpe")
        words, n = morph_words(rng, rng.randint(15, 30)), rng.randint(30, 70)
        out.append(_merges(student.train_bpe(dict(words), n)))
    out.append(_merges(student.train_bpe({"ab": 1, "b": 3}, 10)))  # runs out of pairs after one merge
    return out


@case
def bpe_encode(student, ctx):
    if ctx.visible:
        merges, words = list(SENNRICH_MERGES), VISIBLE_ENCODE
        ctx.show(merges=merges, words=words)
    else:
        rng = case_rng(ctx, "bpe_encode")
        vocab = morph_words(rng, 25)
        merges = random_merges(rng, vocab, 60)
        words = rng.sample(sorted(vocab), 15) + ["x", "zzz"] + list(morph_words(rng, 4))[:5]
    return [_str_list(student.bpe_encode(w, [tuple(m) for m in merges]), "bpe_encode") for w in words]


@case
def compare_hf(student, ctx):
    """Train the student's BPE and a Hugging Face BPE on the same words; count tokens on held-out text."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    if ctx.visible:
        train_text, held_text = read_text(ctx, "corpus.txt"), read_text(ctx, "heldout.txt")
        num_merges = 300
        ctx.show(train="data/corpus.txt", heldout="data/heldout.txt", num_merges=num_merges)
        train_words, held_words = simple_words(train_text), simple_words(held_text)
    else:
        rng = case_rng(ctx, "compare_hf")
        vocab = morph_words(rng, 60)
        population = sorted(vocab)
        weights = [vocab[w] for w in population]
        train_words = rng.choices(population, weights, k=3000)
        held_words = rng.choices(population, weights, k=400)
        num_merges = rng.randint(80, 200)
    counts = dict(Counter(train_words))
    merges = [tuple(m) for m in _merges(student.train_bpe(dict(counts), num_merges))]
    student_tokens = 0
    for word in held_words:
        student_tokens += len(_str_list(student.bpe_encode(word, merges), "bpe_encode"))

    alphabet = {s for w in counts for s in (tuple(w[:-1]) + (w[-1] + EOW,))}
    tokenizer = Tokenizer(models.BPE(end_of_word_suffix=EOW))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.BpeTrainer(vocab_size=len(alphabet) + num_merges, min_frequency=0, show_progress=False,
                                  end_of_word_suffix=EOW, special_tokens=[])
    tokenizer.train_from_iterator([" ".join(train_words)], trainer)
    hf_tokens = len(tokenizer.encode(" ".join(held_words)).tokens)
    return {"student_tokens": student_tokens, "hf_tokens": hf_tokens, "words": len(held_words),
            "num_merges": num_merges, "student_merges": len(merges)}


# ----------------------------------------------------------------------------- Part C: NLTK's tokenizers

HANDLES = ["@DrMoss", "@gull_point", "@Anna", "@keeper1901"]
LONG = ["sooooo", "nooooo", "yessss", "coooool", "wheeeee"]
SOCIAL = [":-)", ":(", "<3", "#fog", "#Bees", "http://example.org/x", "ellen@example.org", "e.g.", "3:30", "$1,000"]
VISIBLE_SOCIAL = [
    "@DrMoss the lamp is sooooo bright tonight :-) #fog can't wait!!",
    "\"Don't panic,\" said Mr. O'Brien -- it's 3:30 and cannot cost $1,000.",
]


SOCIAL_POOLS = [(0.15, HANDLES), (0.3, LONG), (0.45, SOCIAL), (0.6, CLAUSES),
                (1.0, ["lamp", "bell", "cannot", "well-known", "Mr. Hale", "ships", "U.S.", "'tis"])]


def social_sentence(rng):
    parts = _parts(rng, SOCIAL_POOLS, rng.randint(5, 10), ["", "", ",", "!", "?", "!!"])
    return " ".join(parts) + rng.choice([".", "!", " :)", "..."])


@case
def nltk_tokenizers(student, ctx):
    if ctx.visible:
        texts = VISIBLE_SOCIAL
    else:
        rng = case_rng(ctx, "nltk_tokenizers")
        texts = [social_sentence(rng) for _ in range(5)]
        for text in rng.sample(texts, 2):  # every seed: a handle and an elongated word
            texts[texts.index(text)] = f"{rng.choice(HANDLES)} {text} {rng.choice(LONG)}"
    ctx.show(texts=texts)
    out = []
    for text in texts:
        result = student.nltk_tokenize(text)
        if not isinstance(result, dict) or set(result) != {"treebank", "wordpunct", "tweet"}:
            raise TypeError("nltk_tokenize must return a dict with exactly the keys 'treebank', 'wordpunct', 'tweet'")
        out.append({key: _str_list(result[key], f"nltk_tokenize(...)[{key!r}]") for key in ("treebank", "wordpunct", "tweet")})
    return out
