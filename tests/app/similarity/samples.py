"""Constructed submissions for the similarity tests: a BPE-merges exercise."""

STARTER = '''"""Byte-pair encoding: learn merges from a word list."""
from collections import Counter


def pair_counts(words):
    """Count adjacent symbol pairs over all words (each word is a tuple of symbols)."""
    raise NotImplementedError


def merge_word(word, pair):
    """Replace every occurrence of `pair` in `word` by the joined symbol."""
    raise NotImplementedError


def learn_merges(corpus, num_merges):
    """Return the list of merges, most frequent pair first; ties broken by the pair itself."""
    raise NotImplementedError
'''

ORIGINAL = '''"""Byte-pair encoding: learn merges from a word list."""
from collections import Counter


def pair_counts(words):
    counts = Counter()
    for word, freq in words.items():
        for left, right in zip(word, word[1:]):
            counts[(left, right)] += freq
    return counts


def merge_word(word, pair):
    merged = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            merged.append(word[i] + word[i + 1])
            i += 2
        else:
            merged.append(word[i])
            i += 1
    return tuple(merged)


def learn_merges(corpus, num_merges):
    words = Counter(tuple(w) for w in corpus.split())
    merges = []
    for _ in range(num_merges):
        counts = pair_counts(words)
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], p))
        merges.append(best)
        new_words = Counter()
        for word, freq in words.items():
            new_words[merge_word(word, best)] += freq
        words = new_words
    return merges
'''

# The same program with every name changed, comments added, strings changed and the layout reformatted.
RENAMED = '''from collections import Counter

# my BPE


def pair_counts(vocab):
    tally = Counter()
    for token_seq, n in vocab.items():   # go over words
        for a, b in zip(token_seq,
                        token_seq[1:]):
            tally[(a, b)] += n
    return tally


def merge_word(symbols, target):
    out = []
    pos = 0
    while pos < len(symbols):
        if pos + 1 < len(symbols) and (symbols[pos], symbols[pos + 1]) == target:
            out.append(symbols[pos] + symbols[pos + 1]); pos += 2
        else:
            out.append(symbols[pos])
            pos += 1
    return tuple(out)


def learn_merges(text, k):
    """Learn k merges."""
    vocab = Counter(tuple(tok) for tok in text.split())
    result = []
    for step in range(k):
        tally = pair_counts(vocab)
        if not tally:
            break
        top = max(tally, key=lambda q: (tally[q], q))
        result.append(top)
        updated = Counter()
        for token_seq, n in vocab.items():
            updated[merge_word(token_seq, top)] += n
        vocab = updated
    return result
'''

# An independent solution of the same exercise.
INDEPENDENT = '''"""Byte-pair encoding: learn merges from a word list."""
from collections import Counter


def pair_counts(words):
    stats = {}
    for symbols, count in words.items():
        for i in range(len(symbols) - 1):
            key = (symbols[i], symbols[i + 1])
            stats[key] = stats.get(key, 0) + count
    return Counter(stats)


def merge_word(word, pair):
    out, skip = [], False
    for idx, sym in enumerate(word):
        if skip:
            skip = False
            continue
        if idx < len(word) - 1 and sym == pair[0] and word[idx + 1] == pair[1]:
            out.append(sym + word[idx + 1])
            skip = True
        else:
            out.append(sym)
    return tuple(out)


def learn_merges(corpus, num_merges):
    vocabulary = {}
    for token in corpus.split():
        key = tuple(token)
        vocabulary[key] = vocabulary.get(key, 0) + 1
    out = []
    while len(out) < num_merges:
        stats = pair_counts(vocabulary)
        if len(stats) == 0:
            break
        top_count = max(stats.values())
        chosen = max(p for p, c in stats.items() if c == top_count)
        out.append(chosen)
        vocabulary = {merge_word(w, chosen): c for w, c in vocabulary.items()}
    return out
'''
