"""Lab 11: word2vec (skip-gram with negative sampling), GloVe and fastText-style subwords.
Submit this file as embeddings.py. README.md gives every shape and convention."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ------------------------------------------------------------------ word2vec: skip-gram with negative sampling


def skipgram_pairs(sentences: list[list[int]], window: int) -> np.ndarray:
    """(center, context) id pairs within `window` positions, never across sentences: int64 (n_pairs, 2)."""
    raise NotImplementedError("TODO: skipgram_pairs")


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """counts ** power, normalised to sum to 1: float64 (V,)."""
    raise NotImplementedError("TODO: noise_distribution")


def sample_negatives(noise: np.ndarray, batch: int, k: int, generator: torch.Generator) -> torch.Tensor:
    """batch * k ids drawn with replacement from `noise` using `generator`: torch.long (batch, k)."""
    raise NotImplementedError("TODO: sample_negatives")


def sgns_loss(center: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    """center (B, d), context (B, d), negatives (B, K, d) -> scalar mean negative-sampling loss."""
    raise NotImplementedError("TODO: sgns_loss")


class SkipGram(nn.Module):
    def __init__(self, vocab_size: int, dim: int):
        super().__init__()
        # TODO: self.in_embed and self.out_embed, two nn.Embedding(vocab_size, dim)
        raise NotImplementedError("TODO: SkipGram.__init__")

    def center_vectors(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (B,) -> (B, dim) vectors of the center words."""
        raise NotImplementedError("TODO: SkipGram.center_vectors")


def train_skipgram(model, pairs: np.ndarray, noise: np.ndarray, k: int, epochs: int, batch_size: int,
                   lr: float, generator: torch.Generator) -> list[float]:
    """Adam on sgns_loss over shuffled mini-batches of pairs; return the mean loss of each epoch."""
    raise NotImplementedError("TODO: train_skipgram")

# ------------------------------------------------------------------ GloVe


def cooccurrence(sentences: list[list[int]], vocab_size: int, window: int) -> np.ndarray:
    """Symmetric co-occurrence counts weighted by 1/distance: float64 (V, V)."""
    raise NotImplementedError("TODO: cooccurrence")


def glove_loss(w, w_tilde, b, b_tilde, counts, x_max: float = 10.0, alpha: float = 0.75) -> torch.Tensor:
    """Weighted least squares over the non-zero counts: a scalar tensor."""
    raise NotImplementedError("TODO: glove_loss")


def train_glove(counts: np.ndarray, dim: int, epochs: int, lr: float, generator: torch.Generator) -> np.ndarray:
    """Fit w, w~, b, b~ with Adagrad (full batch, `epochs` steps); return w + w~ as a numpy (V, dim) array."""
    raise NotImplementedError("TODO: train_glove")

# ------------------------------------------------------------------ fastText-style subword vectors


def char_ngrams(word: str, n_min: int = 3, n_max: int = 5) -> list[str]:
    """All character n-grams (n_min <= n <= n_max) of '<' + word + '>'."""
    raise NotImplementedError("TODO: char_ngrams")


def fnv1a_bucket(text: str, buckets: int) -> int:
    """32-bit FNV-1a hash of the UTF-8 bytes of text, modulo buckets."""
    raise NotImplementedError("TODO: fnv1a_bucket")


class SubwordSkipGram(nn.Module):
    def __init__(self, words: list[str], buckets: int, dim: int, n_min: int = 3, n_max: int = 5):
        super().__init__()
        # TODO: self.ngram_embed = nn.Embedding(buckets, dim); self.out_embed = nn.Embedding(len(words), dim);
        # precompute the n-gram bucket ids of every vocabulary word.
        raise NotImplementedError("TODO: SubwordSkipGram.__init__")

    def center_vectors(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (B,) -> (B, dim): for each word, the mean of its n-gram vectors."""
        raise NotImplementedError("TODO: SubwordSkipGram.center_vectors")

    def word_vector(self, word: str) -> torch.Tensor:
        """(dim,) vector of ANY word, in the vocabulary or not: the mean of its n-gram vectors."""
        raise NotImplementedError("TODO: SubwordSkipGram.word_vector")


# ------------------------------------------------------------------ visualisation


def project_2d(vectors: np.ndarray) -> np.ndarray:
    """(V, d) embeddings -> (V, 2) PCA coordinates: subtract the mean vector, take the SVD of the centred
    matrix and project onto the first two right singular vectors (the directions of largest variance)."""
    raise NotImplementedError("TODO: project_2d")


if __name__ == "__main__":
    import json

    sentences = [line.split() for line in open("data/visible_corpus.txt", encoding="utf-8") if line.strip()]
    topics = json.load(open("data/visible_topics.json", encoding="utf-8"))["topics"]
    vocab = sorted({w for s in sentences for w in s})
    index = {w: i for i, w in enumerate(vocab)}
    ids = [[index[w] for w in s] for s in sentences]
    counts = np.bincount([i for s in ids for i in s], minlength=len(vocab))
    model = SkipGram(len(vocab), 16)
    losses = train_skipgram(model, skipgram_pairs(ids, 2), noise_distribution(counts), 5, 5, 256, 0.01,
                            torch.Generator().manual_seed(0))
    print("losses:", [round(x, 3) for x in losses])
    vectors = F.normalize(model.in_embed.weight.detach(), dim=1)
    for word in sorted(topics)[:5]:
        sims = vectors @ vectors[index[word]]
        sims[index[word]] = -1
        best = vocab[int(sims.argmax())]
        print(f"{word} (topic {topics[word]}) -> {best} (topic {topics.get(best, 'function word')})")
