"""Lab 14 reference solution: BERT-style masked language modelling with a tiny transformer encoder."""
import torch
import torch.nn.functional as F
from torch import nn

PAD, CLS, SEP, MASK = 0, 1, 2, 3
N_SPECIAL = 4  # ids 0..3 are special tokens; real words start at 4


def _select(input_ids: torch.Tensor, generator: torch.Generator, mlm_prob: float) -> torch.Tensor:
    """Each real word independently with probability mlm_prob; special tokens are never selected."""
    return (torch.rand(input_ids.shape, generator=generator) < mlm_prob) & (input_ids >= N_SPECIAL)


def _replacements(selected: torch.Tensor, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's 80/10/10 among the selected positions: (to [MASK], to a random word); the last 10% stay as they are."""
    action = torch.rand(selected.shape, generator=generator)
    return selected & (action < 0.8), selected & (action >= 0.8) & (action < 0.9)


def mask_tokens(input_ids: torch.Tensor, vocab_size: int, generator: torch.Generator, mlm_prob: float = 0.15):
    selected = _select(input_ids, generator, mlm_prob)
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    to_mask, to_random = _replacements(selected, generator)
    random_ids = torch.randint(N_SPECIAL, vocab_size, input_ids.shape, generator=generator)
    masked = torch.where(to_mask, torch.full_like(input_ids, MASK), input_ids)
    return torch.where(to_random, random_ids, masked), labels


def mlm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)


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
    ids = nn.utils.rnn.pad_sequence([torch.tensor(s) for s in sequences], batch_first=True, padding_value=PAD)
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
