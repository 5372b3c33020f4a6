"""Lab 8 harness (runs inside the sandbox): calls the student's bag-of-words / TF-IDF functions on the
visible documents (seed 0) or on random subsets of data/corpus.txt (hidden seeds)."""
import numpy as np

from labkit.data import case_np_rng, case_rng, read_lines
from labkit.harness import case
from labkit.returns import array


# ------------------------------------------------------------------ inputs

def hidden_docs(ctx, salt: int) -> list[str]:
    """12 to 16 corpus documents, one of them upper-cased, a document without any token, and one that
    repeats a word found nowhere else (so min_df must count documents, not occurrences)."""
    rng = case_rng(ctx, f"docs {salt}")
    docs = rng.sample(read_lines(ctx, "corpus.txt"), rng.randint(12, 16))
    docs[0] = docs[0].upper()
    docs.insert(rng.randrange(len(docs) + 1), rng.choice(["A !", "I, a: 7 ...", "- - -", ""]))
    word = rng.choice(["polly", "hello", "cracker", "knock"])
    docs.insert(rng.randrange(len(docs) + 1), f"{word.title()}, {word} {word}! said the parrot.")
    return docs


def hidden_config(ctx, salt: int) -> tuple[tuple[int, int], int]:
    rng = case_rng(ctx, f"config {salt}")
    return rng.choice([((1, 1), 2), ((1, 2), 2), ((1, 2), 3), ((1, 3), 2)])


def docs_and_config(ctx, salt: int, visible_config: tuple[tuple[int, int], int]):
    """(docs, (ngram_range, min_df)): data/visible_docs.txt with visible_config on the visible seed, else
    hidden_docs and hidden_config for this salt."""
    if ctx.visible:
        return read_lines(ctx, "visible_docs.txt"), visible_config
    return hidden_docs(ctx, salt), hidden_config(ctx, salt)


# ------------------------------------------------------------------ validating what comes back

dense = array


def vocabulary_dict(value, what: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} must return a dict {{term: column index}}, got {type(value).__name__}")
    for term, index in value.items():
        if not isinstance(term, str) or isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"{what} must map str terms to int column indices; got {term!r}: {index!r}")
    return {term: int(index) for term, index in value.items()}


def as_tuple(ngram_range) -> tuple[int, int]:
    return (int(ngram_range[0]), int(ngram_range[1]))


# ------------------------------------------------------------------ cases

@case
def vocabulary(student, ctx):
    docs, (ngram_range, min_df) = docs_and_config(ctx, 1, ((1, 2), 2))
    ctx.show(docs=docs, vocabulary_call=f"build_vocabulary(docs, ngram_range={ngram_range}, min_df={min_df})")
    return vocabulary_dict(student.build_vocabulary(list(docs), ngram_range, min_df), "build_vocabulary")


@case
def counts(student, ctx):
    docs = read_lines(ctx, "visible_docs.txt") if ctx.visible else hidden_docs(ctx, 2)
    rng = case_rng(ctx, "counts")
    ngram_range = (1, 1) if ctx.visible else rng.choice([(1, 1), (1, 2)])
    # A vocabulary made by the harness, with shuffled column indices and two terms that never occur.
    terms = sorted({" ".join(t) for t in _harness_terms(docs, ngram_range)} | {"zzz", "never seen"})
    columns = list(range(len(terms)))
    rng.shuffle(columns)
    vocab = dict(zip(terms, columns))
    ctx.show(docs=docs, counts_call=f"count_matrix(docs, vocabulary, ngram_range={ngram_range}) with a "
                                    f"{len(vocab)}-term vocabulary whose column indices are shuffled")
    result = dense(student.count_matrix(list(docs), dict(vocab), ngram_range), "count_matrix",
                   (len(docs), len(vocab)))
    return result.astype(np.int64) if result.dtype.kind in "biu" else result


def _harness_terms(docs: list[str], ngram_range: tuple[int, int]):
    import re

    for doc in docs:
        tokens = re.findall(r"(?u)\b\w\w+\b", doc.lower())
        for n in range(ngram_range[0], ngram_range[1] + 1):
            for i in range(len(tokens) - n + 1):
                yield tuple(tokens[i:i + n])


def _random_counts(ctx, salt: int) -> np.ndarray:
    rng = case_np_rng(ctx, f"counts {salt}")
    n_docs, n_terms = int(rng.integers(5, 9)), int(rng.integers(6, 12))
    counts = rng.integers(0, 4, size=(n_docs, n_terms)) * (rng.random((n_docs, n_terms)) < 0.5)
    counts[int(rng.integers(n_docs))] = 0  # a document with no known term
    counts[:, int(rng.integers(n_terms))] = rng.integers(1, 3, size=n_docs)  # a term in every document
    return counts.astype(np.int64)


@case
def idf(student, ctx):
    if ctx.visible:
        counts = np.array([[2, 1, 0, 0, 1], [1, 0, 1, 0, 0], [3, 0, 0, 0, 2], [1, 1, 1, 0, 0]], dtype=np.int64)
    else:
        counts = _random_counts(ctx, 3)
    ctx.show(idf_counts=counts.tolist())
    return dense(student.smooth_idf(counts.copy()), "smooth_idf", (counts.shape[1],)).astype(np.float64)


@case
def tfidf(student, ctx):
    counts = _random_counts(ctx, 4)
    ctx.show(tfidf_counts=counts.tolist())
    weights = dense(student.smooth_idf(counts.copy()), "smooth_idf", (counts.shape[1],))
    return dense(student.tfidf_transform(counts.copy(), weights), "tfidf_transform", counts.shape).astype(np.float64)


@case
def pipeline(student, ctx):
    docs, (ngram_range, min_df) = docs_and_config(ctx, 5, ((1, 1), 1))
    ctx.show(docs=docs, pipeline=f"vocab = build_vocabulary(docs, {ngram_range}, {min_df}); counts = count_matrix("
                                 f"docs, vocab, {ngram_range}); tfidf_transform(counts, smooth_idf(counts))")
    vocab = vocabulary_dict(student.build_vocabulary(list(docs), ngram_range, min_df), "build_vocabulary")
    counts = dense(student.count_matrix(list(docs), vocab, ngram_range), "count_matrix", (len(docs), len(vocab)))
    weights = dense(student.smooth_idf(counts.copy()), "smooth_idf", (len(vocab),))
    matrix = dense(student.tfidf_transform(counts.copy(), weights), "tfidf_transform", counts.shape)
    # Columns in alphabetical order of the terms, as scikit-learn orders them.
    order = [vocab[t] for t in sorted(vocab)]
    return matrix[:, order].astype(np.float64)


@case
def sklearn(student, ctx):
    docs, (ngram_range, min_df) = docs_and_config(ctx, 6, ((1, 2), 2))
    ctx.show(docs=docs, sklearn_call=f"sklearn_tfidf(docs, ngram_range={ngram_range}, min_df={min_df})")
    result = student.sklearn_tfidf(list(docs), ngram_range, min_df)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("sklearn_tfidf must return a tuple (matrix, feature_names)")
    matrix, names = result
    matrix = dense(matrix, "sklearn_tfidf (the matrix)")
    if isinstance(names, np.ndarray):
        names = names.tolist()
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise TypeError("sklearn_tfidf must return the feature names as a list of str "
                        "(list(vectorizer.get_feature_names_out()))")
    return {"matrix": matrix.astype(np.float64), "names": list(names)}


@case
def cosine(student, ctx):
    if ctx.visible:
        a = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])
        b = np.array([[2.0, 4.0, 0.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.5, 0.5, 0.5]])
    else:
        # zero rows on both sides (cosine 0 by definition), a scaled copy (1) and a negated copy (-1)
        rng = case_np_rng(ctx, "cosine")
        a, b = rng.normal(size=(4, 6)), rng.normal(size=(5, 6))
        a[1] = 0.0
        b[int(rng.integers(5))] = 0.0
        b[0], b[2] = a[0] * float(rng.uniform(2, 9)), -a[3]
    ctx.show(cosine_a=np.round(a, 4).tolist(), cosine_b=np.round(b, 4).tolist())
    return dense(student.cosine_similarity(a.copy(), b.copy()), "cosine_similarity",
                 (a.shape[0], b.shape[0])).astype(np.float64)


VISIBLE_QUERIES = ["how long should I bake the bread", "moons of Jupiter and Saturn", "the team won the final match"]
QUERY_WORDS = ["bread", "flour", "garlic", "planet", "stars", "solar", "team", "match", "goal", "function",
               "bug", "code", "soil", "garden", "compost", "the", "and", "olive oil", "red", "water"]


def _reference_scores(docs: list[str], queries: list[str]) -> list[list[float]]:
    """Cosine similarities from scikit-learn (the checks use the reference run's copy)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer().fit(docs)
    return (vectorizer.transform(queries) @ vectorizer.transform(docs).T).toarray().tolist()


@case
def search(student, ctx):
    docs = read_lines(ctx, "corpus.txt")
    if ctx.visible:
        queries, top_k = VISIBLE_QUERIES, 3
    else:
        rng = case_rng(ctx, "search")
        queries = [" ".join(rng.sample(QUERY_WORDS, rng.randint(1, 3))) for _ in range(5)]
        queries.append(rng.choice(["xylophone quartz", "42", "Why?"]))  # no known term: every document ties
        top_k = rng.choice([3, 5])
    ctx.show(search_documents="the 40 documents of data/corpus.txt", search_calls=[f"search({q!r}, docs, top_k={top_k})"
                                                                       for q in queries])
    results = []
    for query in queries:
        found = student.search(query, list(docs), top_k)
        if isinstance(found, np.ndarray):
            found = found.tolist()
        if not isinstance(found, (list, tuple)) or not all(isinstance(i, (int, np.integer)) for i in found):
            raise TypeError(f"search must return a list of int document indices, got {found!r:.80}")
        results.append([int(i) for i in found])
    return {"queries": queries, "top_k": top_k, "results": results, "scores": _reference_scores(docs, queries)}
