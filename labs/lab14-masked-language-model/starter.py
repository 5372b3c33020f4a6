"""Lab 14: a masked language model (BERT-style) training loop. Submit this file as mlm.py.

Token ids 0-3 are special: [PAD]=0, [CLS]=1, [SEP]=2, [MASK]=3; real words start at 4.
nn.TransformerEncoder is allowed; the masking, the loss and the loop are yours. See README.md.
"""
import torch
import torch.nn.functional as F
from torch import nn

PAD, CLS, SEP, MASK = 0, 1, 2, 3
N_SPECIAL = 4


def pad_batch(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Provided: right-pad with [PAD]; returns (ids (B, T) long, attention_mask (B, T) bool, True = real token)."""
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), PAD, dtype=torch.long)
    for i, s in enumerate(sequences):
        ids[i, :len(s)] = torch.tensor(s)
    return ids, ids != PAD


def mask_tokens(input_ids: torch.Tensor, vocab_size: int, generator: torch.Generator, mlm_prob: float = 0.15):
    """BERT masking. Returns (masked_ids, labels), both torch.long with the shape of input_ids."""
    raise NotImplementedError("TODO: mask_tokens")


def mlm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the positions whose label is not -100: a 0-dim tensor."""
    raise NotImplementedError("TODO: mlm_loss")


class TinyEncoder(nn.Module):
    def __init__(self, vocab_size: int, d_model: int = 64, n_heads: int = 4, n_layers: int = 2, max_len: int = 32):
        super().__init__()
        # TODO: token and position embeddings, an nn.TransformerEncoder (batch_first=True, dropout=0.0),
        # a final LayerNorm and a linear head to vocab_size.
        raise NotImplementedError("TODO: TinyEncoder.__init__")

    def forward(self, ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """ids (B, T) long, attention_mask (B, T) bool (True = real token) -> logits (B, T, vocab_size)."""
        raise NotImplementedError("TODO: TinyEncoder.forward")


def train_mlm(model, sequences: list[list[int]], vocab_size: int, steps: int, batch_size: int, lr: float,
              generator: torch.Generator) -> list[float]:
    """`steps` AdamW steps on freshly masked random batches; return the loss of every step."""
    raise NotImplementedError("TODO: train_mlm")


if __name__ == "__main__":
    vocab = open("data/vocab.txt", encoding="utf-8").read().split()
    index = {w: i for i, w in enumerate(vocab)}
    read = lambda name: [[CLS] + [index[w] for w in line.split()] + [SEP]  # noqa: E731
                         for line in open(name, encoding="utf-8") if line.strip()]
    train, heldout = read("data/train.txt"), read("data/heldout.txt")
    torch.manual_seed(0)
    model = TinyEncoder(len(vocab), 48, 4, 2, 32)
    losses = train_mlm(model, train, len(vocab), 200, 48, 0.006, torch.Generator().manual_seed(0))
    print(f"loss {losses[0]:.3f} -> {losses[-1]:.3f}")
    model.eval()
    sentence = heldout[0]
    masked = list(sentence)
    masked[2] = MASK
    ids, attention = pad_batch([masked])
    with torch.no_grad():
        guess = model(ids, attention)[0, 2].topk(3).indices.tolist()
    print(" ".join(vocab[i] for i in masked), "->", [vocab[i] for i in guess], "truth:", vocab[sentence[2]])
