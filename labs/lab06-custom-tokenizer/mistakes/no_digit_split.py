"""Common mistake: no digit splitting."""
from __future__ import annotations

import numpy as np
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>"]


def build_tokenizer() -> Tokenizer:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def train_tokenizer(tokenizer: Tokenizer, texts: list[str], vocab_size: int) -> Tokenizer:
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    bos, eos = tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1", special_tokens=[("<s>", bos), ("</s>", eos)])
    return tokenizer


def save_and_load(tokenizer: Tokenizer, path: str) -> Tokenizer:
    tokenizer.save(path)
    return Tokenizer.from_file(path)


def encode_batch(tokenizer: Tokenizer, texts: list[str], max_length: int) -> dict[str, np.ndarray]:
    encodings = [tokenizer.encode(text) for text in texts]
    pad = tokenizer.token_to_id("<pad>")
    eos = tokenizer.token_to_id("</s>")
    rows = [e.ids if len(e.ids) <= max_length else e.ids[:max_length - 1] + [eos] for e in encodings]
    width = max(len(r) for r in rows)
    input_ids = np.full((len(rows), width), pad, dtype=np.int64)
    attention_mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        input_ids[i, :len(row)] = row
        attention_mask[i, :len(row)] = 1
    return {"input_ids": input_ids, "attention_mask": attention_mask}


def fertility(tokenizer: Tokenizer, texts: list[str]) -> float:
    tokens = sum(len(tokenizer.encode(t, add_special_tokens=False).ids) for t in texts)
    words = sum(len(t.split()) for t in texts)
    return tokens / words
