"""Lab 11 harness (runs inside the sandbox). Corpora come from a generator with known structure:
every sentence is about one topic and mostly uses that topic's (made-up) words, mixed with shared
function words. Good embeddings put the words of a topic together; the checks measure that outside
the sandbox, from the student's weights (never from a loss the student's code reports). Seed 0 reads
the same kind of corpus from data/visible_corpus.txt."""
import random

import numpy as np
import torch

from labkit.data import case_np_rng, case_rng, read_json, read_lines
from labkit.harness import case
from labkit.returns import array

CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"
SUFFIXES = ["s", "ed", "er", "ing"]
DIM, WINDOW, NEGATIVES, EPOCHS, BATCH, LR = 16, 2, 5, 5, 256, 0.01
GLOVE_EPOCHS, GLOVE_LR = 300, 0.1
BUCKETS = 2000

# ------------------------------------------------------------------ the corpus


def make_word(rng: random.Random) -> str:
    word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.randint(2, 3)))
    return word + (rng.choice("lmnrst") if rng.random() < 0.4 else "")


def generate_corpus(seed: int, n_topics: int = 4, per_topic: int = 10, n_function: int = 6,
                    n_sentences: int = 600) -> dict:
    rng = random.Random(seed)
    words: list[str] = []
    while len(words) < n_topics * per_topic + n_function:
        word = make_word(rng)
        if word not in words and not any(word.startswith(w) or w.startswith(word) for w in words):
            words.append(word)
    topics = {w: t for t in range(n_topics) for w in words[t * per_topic:(t + 1) * per_topic]}
    function = words[n_topics * per_topic:]
    weights = [1.0 / (i + 1) ** 0.5 for i in range(per_topic)]
    sentences = []
    for _ in range(n_sentences):
        t = rng.randrange(n_topics)
        members = words[t * per_topic:(t + 1) * per_topic]
        sentences.append([rng.choices(members, weights)[0] if rng.random() < 0.7 else rng.choice(function)
                          for _ in range(rng.randint(6, 10))])
    # Unseen inflected forms of topic words, for the subword (fastText) check.
    oov = {}
    for t in range(n_topics):
        for base in rng.sample(words[t * per_topic:(t + 1) * per_topic], 3):
            oov[base + rng.choice(SUFFIXES)] = base
    return {"sentences": sentences, "topics": topics, "oov": oov}


def load_corpus(ctx) -> dict:
    if ctx.visible:
        sentences = [line.split() for line in read_lines(ctx, "visible_corpus.txt")]
        meta = read_json(ctx, "visible_topics.json")
        return {"sentences": sentences, "topics": meta["topics"], "oov": meta["oov"]}
    return generate_corpus(ctx.seed)


def load_encoded(ctx) -> tuple[dict, list[str], list[list[int]], np.ndarray]:
    """The seed's corpus, its sorted vocabulary, its sentences as word ids and the count of each word."""
    corpus = load_corpus(ctx)
    vocab = sorted({w for s in corpus["sentences"] for w in s})
    index = {w: i for i, w in enumerate(vocab)}
    ids = [[index[w] for w in s] for s in corpus["sentences"]]
    counts = np.bincount([i for s in ids for i in s], minlength=len(vocab)).astype(np.int64)
    return corpus, vocab, ids, counts

# ------------------------------------------------------------------ validation helpers


def scalar_loss(value, what: str) -> float:
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        raise TypeError(f"{what} must return a 0-dim torch tensor (the loss), got "
                        f"{type(value).__name__}{tuple(value.shape) if isinstance(value, torch.Tensor) else ''}")
    if not value.requires_grad:
        raise ValueError(f"{what} returned a tensor without a gradient: compute it with torch operations "
                         "(no .item(), numpy or .detach()) so that loss.backward() can train the model")
    return float(value.detach())


def embedding_weight(model, name: str, shape: tuple) -> torch.nn.Parameter:
    layer = getattr(model, name, None)
    weight = getattr(layer, "weight", None)
    if not isinstance(weight, torch.Tensor) or tuple(weight.shape) != shape:
        raise TypeError(f"{type(model).__name__} must have an attribute {name} (an nn.Embedding) whose weight has "
                        f"shape {shape}")
    return weight

# ------------------------------------------------------------------ word2vec cases


@case
def pairs(student, ctx):
    if ctx.visible:
        sentences, window = [[0, 1, 2, 3], [4, 5], [6]], 2
    else:
        rng = case_rng(ctx, "pairs")
        sentences = [[rng.randrange(20) for _ in range(rng.randint(0, 9))] for _ in range(6)] + [[7]]
        window = rng.choice([1, 2, 3])
    ctx.show(pairs_call=f"skipgram_pairs({sentences}, window={window})")
    result = array(student.skipgram_pairs([list(s) for s in sentences], window), "skipgram_pairs", kinds="iu")
    if result.ndim != 2 or result.shape[1] != 2:
        raise ValueError(f"skipgram_pairs must return an array of shape (n_pairs, 2), got {result.shape}")
    rows = sorted(map(tuple, result.astype(np.int64).tolist()))  # order does not matter
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


@case
def noise(student, ctx):
    if ctx.visible:
        counts = np.array([16, 1, 81, 0, 256], dtype=np.int64)
    else:
        counts = case_np_rng(ctx, "noise").integers(0, 500, size=12)
    ctx.show(noise_call=f"noise_distribution(np.array({counts.tolist()}), power=0.75)")
    return array(student.noise_distribution(counts.copy(), 0.75), "noise_distribution", counts.shape).astype(np.float64)


@case
def negatives(student, ctx):
    rng = case_np_rng(ctx, "negatives")
    probs = rng.dirichlet(np.ones(8))
    ctx.show(negatives_call=f"sample_negatives(noise, batch=2000, k=5, generator=torch.Generator()"
                            f".manual_seed({ctx.seed})) with noise={np.round(probs, 3).tolist()}")
    draws = student.sample_negatives(probs.copy(), 2000, 5, torch.Generator().manual_seed(ctx.seed))
    if not isinstance(draws, torch.Tensor) or draws.dtype != torch.long or tuple(draws.shape) != (2000, 5):
        raise TypeError("sample_negatives(noise, 2000, 5, generator) must return a torch.long tensor of shape "
                        f"(2000, 5), got {type(draws).__name__} "
                        f"{getattr(draws, 'dtype', '')} {tuple(getattr(draws, 'shape', ()))}")
    again = student.sample_negatives(probs.copy(), 2000, 5, torch.Generator().manual_seed(ctx.seed))
    if int(draws.min()) < 0 or int(draws.max()) >= len(probs):
        raise ValueError(f"sample_negatives returned ids outside [0, {len(probs)})")
    return {"noise": probs, "histogram": np.bincount(draws.view(-1).numpy(), minlength=len(probs)),
            "same_seed_equal": bool(torch.equal(draws, again)),
            "rows_differ": bool((draws != draws[0]).any())}


@case
def sgns_loss(student, ctx):
    g = torch.Generator().manual_seed(ctx.seed)
    b, k, d = (3, 2, 4) if ctx.visible else (8, 5, 6)
    center, context = torch.randn(b, d, generator=g), torch.randn(b, d, generator=g)
    negs = torch.randn(b, k, d, generator=g)
    ctx.show(sgns_center=center.numpy().round(4).tolist(), sgns_context=context.numpy().round(4).tolist(),
             sgns_negatives=negs.numpy().round(4).tolist())
    return scalar_loss(student.sgns_loss(center.requires_grad_(), context.requires_grad_(),
                                         negs.requires_grad_()), "sgns_loss")


@case
def word2vec(student, ctx):
    corpus, vocab, ids, counts = load_encoded(ctx)
    ctx.show(word2vec=f"SkipGram({len(vocab)}, {DIM}) trained with train_skipgram(model, skipgram_pairs(sentences, "
                      f"{WINDOW}), noise_distribution(counts), k={NEGATIVES}, epochs={EPOCHS}, batch_size={BATCH}, "
                      f"lr={LR}, generator) on {len(ids)} sentences")
    pair_array = array(student.skipgram_pairs(ids, WINDOW), "skipgram_pairs", kinds="iu")
    noise_probs = array(student.noise_distribution(counts, 0.75), "noise_distribution", counts.shape)
    model = student.SkipGram(len(vocab), DIM)
    weight = embedding_weight(model, "in_embed", (len(vocab), DIM))
    out_weight = embedding_weight(model, "out_embed", (len(vocab), DIM))
    before = weight.detach().clone()
    history = student.train_skipgram(model, pair_array, noise_probs, NEGATIVES, EPOCHS, BATCH, LR,
                                     torch.Generator().manual_seed(ctx.seed))
    if not isinstance(history, (list, tuple)) or len(history) != EPOCHS:
        raise TypeError(f"train_skipgram must return a list of {EPOCHS} per-epoch mean losses")
    # The checks score these weights themselves (the SGNS loss on the corpus's pairs), so the ids of the
    # sentences go back too (the reference run's copy is the one the checks use).
    return {"words": vocab, "topics": corpus["topics"], "losses": [float(x) for x in history],
            "vectors": weight.detach().numpy().astype(np.float32),
            "out_vectors": out_weight.detach().numpy().astype(np.float32),
            "changed": bool(not torch.equal(before, weight.detach())), "sentences": ids}

# ------------------------------------------------------------------ GloVe cases


@case
def cooccurrence(student, ctx):
    if ctx.visible:
        sentences, window, size = [[0, 1, 2, 3], [2, 0, 2], [4]], 2, 5
    else:
        rng = case_rng(ctx, "cooccurrence")
        sentences = [[rng.randrange(8) for _ in range(rng.randint(1, 9))] for _ in range(6)]
        window, size = rng.choice([1, 2, 3]), 8
    ctx.show(cooccurrence_call=f"cooccurrence({sentences}, vocab_size={size}, window={window})")
    return array(student.cooccurrence([list(s) for s in sentences], size, window), "cooccurrence",
                 (size, size)).astype(np.float64)


@case
def glove_loss(student, ctx):
    g = torch.Generator().manual_seed(ctx.seed + 3)
    v, d = 6, 3
    w, w_tilde = torch.randn(v, d, generator=g, dtype=torch.float64), torch.randn(v, d, generator=g, dtype=torch.float64)
    b, b_tilde = torch.randn(v, generator=g, dtype=torch.float64), torch.randn(v, generator=g, dtype=torch.float64)
    counts = torch.rand(v, v, generator=g, dtype=torch.float64) * 20
    counts = torch.where(torch.rand(v, v, generator=g, dtype=torch.float64) < 0.4, torch.zeros_like(counts), counts)
    ctx.show(glove_counts=counts.numpy())
    params = [t.clone().requires_grad_() for t in (w, w_tilde, b, b_tilde)]
    return scalar_loss(student.glove_loss(*params, counts.clone(), 10.0, 0.75), "glove_loss")


@case
def glove(student, ctx):
    if ctx.visible:
        return None  # only graded on hidden seeds
    corpus, vocab, ids, _ = load_encoded(ctx)
    counts = array(student.cooccurrence(ids, len(vocab), WINDOW), "cooccurrence", (len(vocab), len(vocab)))
    # train_glove minimises the student's glove_loss: the parameters of its last call come back, so that
    # the checks compute the GloVe objective of the trained model themselves.
    calls, original = [], student.glove_loss

    def recording_glove_loss(*args, **kwargs):
        calls.append([t.detach().clone() if isinstance(t, torch.Tensor) else t for t in args[:4]])
        return original(*args, **kwargs)

    student.glove_loss = recording_glove_loss
    try:
        vectors = array(student.train_glove(counts, DIM, GLOVE_EPOCHS, GLOVE_LR,
                                            torch.Generator().manual_seed(ctx.seed)), "train_glove", (len(vocab), DIM))
    finally:
        student.glove_loss = original
    last = calls[-1] if calls else None
    params = ({name: np.asarray(t, dtype=np.float64) for name, t in zip(("w", "w_tilde", "b", "b_tilde"), last)}
              if last is not None and len(last) == 4 and all(isinstance(t, torch.Tensor) for t in last) else None)
    return {"words": vocab, "topics": corpus["topics"], "vectors": vectors.astype(np.float32),
            "loss_calls": len(calls), "params": params, "sentences": ids}

# ------------------------------------------------------------------ visualisation


@case
def projection(student, ctx):
    """project_2d: PCA of the embeddings to 2-D (the picture README's 'visualise' step draws)."""
    if ctx.visible:
        rng = np.random.default_rng(0)
        vectors = rng.normal(size=(8, 4)) + np.array([3.0, -1.0, 0.5, 2.0])
    else:
        rng = case_np_rng(ctx, "projection")
        n, d = int(rng.integers(12, 30)), int(rng.integers(5, 17))
        vectors = rng.normal(size=(n, d)) * rng.uniform(0.2, 3.0, size=d) + rng.normal(scale=5.0, size=d)
    ctx.show(project_2d_input=np.round(vectors, 4))
    result = array(student.project_2d(vectors.copy()), "project_2d", (len(vectors), 2))
    return result.astype(np.float64)

# ------------------------------------------------------------------ fastText cases


@case
def ngrams(student, ctx):
    words = ["where", "at", "naïve"]
    texts = ["<wh", "here>", "naïve", "a"]
    ctx.show(ngrams_calls=[f"char_ngrams({w!r}, 3, 5)" for w in words] + [f"fnv1a_bucket({t!r}, {BUCKETS})"
                                                                         for t in texts])
    out = {}
    for w in words:
        grams = student.char_ngrams(w, 3, 5)
        if not isinstance(grams, list) or not all(isinstance(x, str) for x in grams):
            raise TypeError(f"char_ngrams must return a list of str, got {grams!r:.80}")
        out[f"char_ngrams({w!r})"] = sorted(grams)  # order does not matter
    for t in texts:
        bucket = student.fnv1a_bucket(t, BUCKETS)
        if isinstance(bucket, bool) or not isinstance(bucket, (int, np.integer)):
            raise TypeError(f"fnv1a_bucket must return an int, got {type(bucket).__name__}")
        out[f"fnv1a_bucket({t!r})"] = int(bucket)
    return out


@case
def subword_vector(student, ctx):
    corpus, vocab, _, _ = load_encoded(ctx)
    model = student.SubwordSkipGram(vocab, 500, 8, 3, 5)
    weight = embedding_weight(model, "ngram_embed", (500, 8))
    with torch.no_grad():
        weight.copy_(torch.randn(500, 8, generator=torch.Generator().manual_seed(ctx.seed)))
    queries = vocab[:3] + sorted(corpus["oov"])[:2]
    ctx.show(subword_words=queries)
    rows = []
    for word in queries:
        vector = model.word_vector(word)
        if not isinstance(vector, torch.Tensor) or tuple(vector.shape) != (8,):
            raise TypeError(f"word_vector({word!r}) must return a torch tensor of shape (8,)")
        rows.append(vector.detach().float().numpy())
    return np.stack(rows)


@case
def fasttext(student, ctx):
    if ctx.visible:
        return None  # only graded on hidden seeds
    corpus, vocab, ids, counts = load_encoded(ctx)
    model = student.SubwordSkipGram(vocab, BUCKETS, DIM, 3, 5)
    pair_array = array(student.skipgram_pairs(ids, WINDOW), "skipgram_pairs", kinds="iu")
    noise_probs = array(student.noise_distribution(counts, 0.75), "noise_distribution", counts.shape)
    student.train_skipgram(model, pair_array, noise_probs, NEGATIVES, EPOCHS, BATCH, LR,
                           torch.Generator().manual_seed(ctx.seed))
    words = sorted(corpus["topics"]) + sorted(corpus["oov"])
    with torch.no_grad():
        vectors = np.stack([model.word_vector(w).detach().float().numpy() for w in words])
    return {"words": words, "topics": corpus["topics"], "oov": corpus["oov"], "vectors": vectors}
