"""Lab 11 reference solution: skip-gram with negative sampling, GloVe, and fastText-style subwords."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ------------------------------------------------------------------ word2vec: skip-gram with negative sampling


def skipgram_pairs(sentences: list[list[int]], window: int) -> np.ndarray:
    pairs = []
    for sentence in sentences:
        for i, center in enumerate(sentence):
            for j in range(max(0, i - window), min(len(sentence), i + window + 1)):
                if j != i:
                    pairs.append((center, sentence[j]))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


def sample_negatives(noise: np.ndarray, batch: int, k: int, generator: torch.Generator) -> torch.Tensor:
    probs = torch.as_tensor(noise, dtype=torch.float64)
    return torch.multinomial(probs, batch * k, replacement=True, generator=generator).view(batch, k)


def sgns_loss(center: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    positive = F.logsigmoid((center * context).sum(-1))                                  # (B,)
    negative = F.logsigmoid(-torch.bmm(negatives, center.unsqueeze(-1)).squeeze(-1))     # (B, K)
    return -(positive + negative.sum(-1)).mean()


class SkipGram(nn.Module):
    def __init__(self, vocab_size: int, dim: int):
        super().__init__()
        self.in_embed = nn.Embedding(vocab_size, dim)
        self.out_embed = nn.Embedding(vocab_size, dim)
        nn.init.uniform_(self.in_embed.weight, -0.5 / dim, 0.5 / dim)
        nn.init.zeros_(self.out_embed.weight)

    def center_vectors(self, ids: torch.Tensor) -> torch.Tensor:
        return self.in_embed(ids)


def train_skipgram(model, pairs: np.ndarray, noise: np.ndarray, k: int, epochs: int, batch_size: int,
                   lr: float, generator: torch.Generator) -> list[float]:
    pairs_t = torch.as_tensor(pairs, dtype=torch.long)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        order = torch.randperm(len(pairs_t), generator=generator)
        total, batches = 0.0, 0
        for start in range(0, len(order), batch_size):
            batch = pairs_t[order[start:start + batch_size]]
            negatives = sample_negatives(noise, len(batch), k, generator)
            loss = sgns_loss(model.center_vectors(batch[:, 0]), model.out_embed(batch[:, 1]),
                             model.out_embed(negatives))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
        history.append(total / batches)
    return history

# ------------------------------------------------------------------ GloVe


def cooccurrence(sentences: list[list[int]], vocab_size: int, window: int) -> np.ndarray:
    counts = np.zeros((vocab_size, vocab_size), dtype=np.float64)
    for sentence in sentences:
        for i, word in enumerate(sentence):
            for j in range(i + 1, min(len(sentence), i + window + 1)):
                counts[word, sentence[j]] += 1.0 / (j - i)
                counts[sentence[j], word] += 1.0 / (j - i)
    return counts


def glove_loss(w, w_tilde, b, b_tilde, counts, x_max: float = 10.0, alpha: float = 0.75) -> torch.Tensor:
    mask = counts > 0
    weight = torch.where(counts < x_max, (counts / x_max) ** alpha, torch.ones_like(counts))
    log_counts = torch.log(torch.where(mask, counts, torch.ones_like(counts)))
    error = w @ w_tilde.T + b[:, None] + b_tilde[None, :] - log_counts
    return (weight * error ** 2)[mask].sum()


def train_glove(counts: np.ndarray, dim: int, epochs: int, lr: float, generator: torch.Generator) -> np.ndarray:
    x = torch.as_tensor(counts, dtype=torch.float64)
    v = x.shape[0]
    params = [((torch.rand(v, dim, generator=generator, dtype=torch.float64) - 0.5) / dim).requires_grad_(),
              ((torch.rand(v, dim, generator=generator, dtype=torch.float64) - 0.5) / dim).requires_grad_(),
              torch.zeros(v, dtype=torch.float64, requires_grad=True),
              torch.zeros(v, dtype=torch.float64, requires_grad=True)]
    optimizer = torch.optim.Adagrad(params, lr=lr)
    for _ in range(epochs):
        loss = glove_loss(*params, x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return (params[0] + params[1]).detach().numpy()

# ------------------------------------------------------------------ fastText-style subword vectors


def char_ngrams(word: str, n_min: int = 3, n_max: int = 5) -> list[str]:
    marked = f"<{word}>"
    return [marked[i:i + n] for n in range(n_min, n_max + 1) for i in range(len(marked) - n + 1)]


def fnv1a_bucket(text: str, buckets: int) -> int:
    h = 2166136261
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 16777619) % 2**32
    return h % buckets


class SubwordSkipGram(nn.Module):
    def __init__(self, words: list[str], buckets: int, dim: int, n_min: int = 3, n_max: int = 5):
        super().__init__()
        self.buckets, self.n_min, self.n_max = buckets, n_min, n_max
        self.ngram_embed = nn.Embedding(buckets, dim)
        self.out_embed = nn.Embedding(len(words), dim)
        nn.init.uniform_(self.ngram_embed.weight, -0.5 / dim, 0.5 / dim)
        nn.init.zeros_(self.out_embed.weight)
        # Bucket ids of every vocabulary word, padded to the same length, and a mask of the real ones.
        rows = [self._ids(w) for w in words]
        width = max(len(r) for r in rows)
        self.register_buffer("word_buckets", torch.zeros(len(words), width, dtype=torch.long))
        self.register_buffer("word_mask", torch.zeros(len(words), width))
        for i, r in enumerate(rows):
            self.word_buckets[i, :len(r)] = r
            self.word_mask[i, :len(r)] = 1.0

    def _ids(self, word: str) -> torch.Tensor:
        return torch.tensor([fnv1a_bucket(g, self.buckets) for g in char_ngrams(word, self.n_min, self.n_max)])

    def center_vectors(self, ids: torch.Tensor) -> torch.Tensor:
        mask = self.word_mask[ids].unsqueeze(-1)                               # (B, G, 1)
        return (self.ngram_embed(self.word_buckets[ids]) * mask).sum(1) / mask.sum(1)

    def word_vector(self, word: str) -> torch.Tensor:
        return self.ngram_embed(self._ids(word)).mean(0)

# ------------------------------------------------------------------ visualisation


def project_2d(vectors: np.ndarray) -> np.ndarray:
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T
