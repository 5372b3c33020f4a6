"""Lab 6: a custom tokenizer with Hugging Face `tokenizers`. Submit this file as custom_tokenizer.py.

Build a byte-level BPE tokenizer from components, train it, save/load it, batch-encode with padding and
truncation, and measure fertility. The README lists the exact components and settings.
Run `python custom_tokenizer.py` next to the data/ folder to try it.
"""
from __future__ import annotations

import numpy as np
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>"]  # must get ids 0, 1, 2


def build_tokenizer() -> Tokenizer:
    """An untrained Tokenizer: BPE model, NFKC normalizer, Digits(individual) + ByteLevel pre-tokenizer,
    ByteLevel decoder."""
    raise NotImplementedError("build_tokenizer")


def train_tokenizer(tokenizer: Tokenizer, texts: list[str], vocab_size: int) -> Tokenizer:
    """Train with a BpeTrainer (see README), then attach the '<s> $A </s>' template post-processor."""
    raise NotImplementedError("train_tokenizer")


def save_and_load(tokenizer: Tokenizer, path: str) -> Tokenizer:
    """Save the tokenizer as JSON at `path` and return the tokenizer loaded back from that file."""
    raise NotImplementedError("save_and_load")


def encode_batch(tokenizer: Tokenizer, texts: list[str], max_length: int) -> dict[str, np.ndarray]:
    """{'input_ids', 'attention_mask'}: int64 arrays of shape (len(texts), L), L = longest row after
    truncation to max_length (special tokens included); right-padded with the <pad> id."""
    raise NotImplementedError("encode_batch")


def fertility(tokenizer: Tokenizer, texts: list[str]) -> float:
    """Tokens (without special tokens) per whitespace-separated word, over all texts."""
    raise NotImplementedError("fertility")


if __name__ == "__main__":
    import random
    import sys
    from pathlib import Path

    data = Path(__file__).parent / "data"
    sys.path.insert(0, str(data))
    from story_gen import sentences

    texts = [l for l in (data / "train.txt").read_text(encoding="utf-8").split("\n") if l.strip()]
    texts += sentences(random.Random(0), 2000)
    tok = train_tokenizer(build_tokenizer(), texts, 800)
    held = [l for l in (data / "heldout.txt").read_text(encoding="utf-8").split("\n") if l.strip()]
    print("vocab size:", tok.get_vocab_size(), "| specials:", [tok.id_to_token(i) for i in range(3)])
    print(tok.encode(held[1]).tokens)
    print(repr(tok.decode(tok.encode("  naïve ﬁre\t42").ids, skip_special_tokens=True)))
    print(encode_batch(tok, held[:3], 12))
    print(f"fertility on data/heldout.txt: {fertility(tok, held):.3f} tokens per word")
    tok2 = save_and_load(tok, "my_tokenizer.json")
    print("reloaded encodes the same:", tok2.encode(held[0]).ids == tok.encode(held[0]).ids)
