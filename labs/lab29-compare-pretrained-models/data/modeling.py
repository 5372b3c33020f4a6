"""The two "pre-trained" stand-ins of lab 29 and their tokenizer (trusted code, shared by
build_artifacts.py outside the sandbox and harness.py inside it).

Both models are the same tiny pre-norm transformer built from a config; they differ in how they were
pre-trained and therefore in what each position has seen:
- the ENCODER (BERT-like) attends in both directions and was pre-trained by masked language modelling;
  its input is "[CLS] words [SEP]";
- the DECODER (GPT-like) attends only to earlier positions and was pre-trained to predict the next
  word; its input is "words [EOS]".
"""
from __future__ import annotations

import torch
from torch import nn

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[EOS]"]
PAD, UNK, CLS, SEP, MASK, EOS = range(len(SPECIALS))


class WordTokenizer:
    """Whitespace word tokenizer with right padding. kind 'encoder': [CLS] w1 .. wn [SEP];
    kind 'decoder': w1 .. wn [EOS]."""

    def __init__(self, vocab: list[str], max_length: int = 24) -> None:
        self.vocab, self.max_length = list(vocab), max_length
        self.ids = {word: i for i, word in enumerate(self.vocab)}
        self.pad_token_id = PAD

    def __len__(self) -> int:
        return len(self.vocab)

    def ids_of(self, text: str, kind: str) -> list[int]:
        words = [self.ids.get(w, UNK) for w in text.split()]
        if kind == "encoder":
            return [CLS] + words[:self.max_length - 2] + [SEP]
        if kind == "decoder":
            return words[:self.max_length - 1] + [EOS]
        raise ValueError(f"kind must be 'encoder' or 'decoder', got {kind!r}")

    def __call__(self, texts: list[str], kind: str) -> dict[str, torch.Tensor]:
        """{'input_ids': (batch, longest) int64, 'attention_mask': (batch, longest) int64, 1 = real token}."""
        rows = [self.ids_of(t, kind) for t in texts]
        width = max(len(r) for r in rows)
        input_ids = torch.full((len(rows), width), PAD, dtype=torch.long)
        attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            input_ids[i, :len(row)] = torch.tensor(row)
            attention_mask[i, :len(row)] = 1
        return {"input_ids": input_ids, "attention_mask": attention_mask}


class TinyTransformer(nn.Module):
    """Token + position embeddings, pre-norm transformer blocks, a final LayerNorm.
    forward(input_ids, attention_mask) -> hidden states (batch, seq, d_model)."""

    def __init__(self, vocab_size: int, d_model: int, n_layers: int, n_heads: int, d_ff: int, max_len: int,
                 causal: bool) -> None:
        super().__init__()
        self.d_model, self.causal = d_model, causal
        self.tokens = nn.Embedding(vocab_size, d_model)
        self.positions = nn.Embedding(max_len, d_model)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, d_ff, dropout=0.0, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)

    @property
    def kind(self) -> str:
        return "decoder" if self.causal else "encoder"

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        seq = input_ids.size(1)
        x = self.tokens(input_ids) + self.positions(torch.arange(seq, device=input_ids.device))
        future = torch.triu(torch.ones(seq, seq, dtype=torch.bool, device=input_ids.device), 1) if self.causal else None
        hidden = self.blocks(x, mask=future, src_key_padding_mask=attention_mask == 0, is_causal=self.causal)
        return self.norm(hidden)


def build(config: dict) -> TinyTransformer:
    return TinyTransformer(config["vocab_size"], config["d_model"], config["n_layers"], config["n_heads"],
                           config["d_ff"], config["max_len"], causal=config["kind"] == "decoder")
