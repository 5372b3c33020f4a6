"""Common mistake: the loss is averaged over all positions."""
import torch
import torch.nn.functional as F
from torch import nn

PAD, CLS, SEP, MASK = 0, 1, 2, 3
N_SPECIAL = 4  # ids 0..3 are special tokens; real words start at 4


def mask_tokens(input_ids: torch.Tensor, vocab_size: int, generator: torch.Generator, mlm_prob: float = 0.15):
    special = input_ids < N_SPECIAL
    selected = (torch.rand(input_ids.shape, generator=generator) < mlm_prob) & ~special
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    action = torch.rand(input_ids.shape, generator=generator)
    to_mask = selected & (action < 0.8)
    to_random = selected & (action >= 0.8) & (action < 0.9)
    random_ids = torch.randint(N_SPECIAL, vocab_size, input_ids.shape, generator=generator)
    masked = torch.where(to_mask, torch.full_like(input_ids, MASK), input_ids)
    masked = torch.where(to_random, random_ids, masked)
    return masked, labels


def mlm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    per_token = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100,
                                reduction="none")
    return per_token.mean()


class TinyEncoder(nn.Module):
    def __init__(self, vocab_size: int, d_model: int = 64, n_heads: int = 4, n_layers: int = 2, max_len: int = 32):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=2 * d_model, dropout=0.0,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.tok(ids) + self.pos(positions)[None]
        x = self.encoder(x, src_key_padding_mask=~attention_mask)
        return self.head(self.norm(x))


def pad_batch(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), PAD, dtype=torch.long)
    for i, s in enumerate(sequences):
        ids[i, :len(s)] = torch.tensor(s)
    return ids, ids != PAD


def train_mlm(model, sequences: list[list[int]], vocab_size: int, steps: int, batch_size: int, lr: float,
              generator: torch.Generator) -> list[float]:
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        rows = torch.randint(0, len(sequences), (batch_size,), generator=generator).tolist()
        ids, attention = pad_batch([sequences[i] for i in rows])
        masked, labels = mask_tokens(ids, vocab_size, generator)
        loss = mlm_loss(model(masked, attention), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
