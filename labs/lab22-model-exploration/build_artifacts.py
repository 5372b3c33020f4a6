"""Builds Lab 22's local "model hub" (trusted; run OUTSIDE the sandbox, once per version of this file):
`python build_artifacts.py OUT_DIR`.

Four tiny models, each pre-trained briefly with fixed seeds (labkit.tinymodels) on the same generated
English corpus and saved with save_pretrained (safetensors) plus a model card (README.md), in
OUT_DIR/hub/<name>:

  gpt2-word   GPT-2 (decoder-only, causal LM), word-level tokenizer
  gpt2-char   GPT-2 (decoder-only, causal LM), character-level tokenizer
  bert-word   BERT (encoder-only, masked LM), word-level tokenizer with [CLS]/[SEP]/[MASK]
  t5-word     T5 (encoder-decoder, span corruption), word-level tokenizer with sentinels

OUT_DIR/hub/index.json lists them, like the search results of a model hub.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

try:
    from labkit import tinymodels
except ImportError:  # not installed as a package: use the labkit/ of the checkout this lab lives in
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from labkit import tinymodels

TEMPLATES = tinymodels.STORY_TEMPLATES[:5]     # the plainer sentences of lab 19's toy English
WORDS = tinymodels.story_vocabulary(TEMPLATES)
CHARS = list(" .,abcdefghijklmnopqrstuvwxyz")
PRETRAIN = dict(steps=1000, batch_size=32, warmup=100, seed=0)
GPT_TOKENS = dict(unk_token="<unk>", pad_token="<pad>", eos_token="<eos>", bos_token="<eos>")
TOKENIZERS = {
    "gpt2-word": lambda: tinymodels.word_tokenizer(["<pad>", "<unk>", "<eos>"] + WORDS, max_length=128, **GPT_TOKENS),
    "gpt2-char": lambda: tinymodels.word_tokenizer(["<pad>", "<unk>", "<eos>"] + CHARS, max_length=256,
                                                   characters=True, **GPT_TOKENS),
    "bert-word": lambda: tinymodels.word_tokenizer(
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS, max_length=128, template=tinymodels.BERT_TEMPLATE,
        unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]"),
    "t5-word": lambda: tinymodels.word_tokenizer(
        ["<pad>", "</s>", "<unk>"] + tinymodels.T5_SENTINELS + WORDS, max_length=128, template=tinymodels.T5_TEMPLATE,
        unk_token="<unk>", pad_token="<pad>", eos_token="</s>", additional_special_tokens=tinymodels.T5_SENTINELS),
}
# family, learning rate, size changes from tinymodels.TINY
MODELS = {"gpt2-word": ("gpt2", 3e-3, {}), "gpt2-char": ("gpt2", 3e-3, {"n_positions": 256}),
          "bert-word": ("bert", 2e-3, {}), "t5-word": ("t5", 3e-3, {})}


def text(rng) -> str:
    return tinymodels.story_text(rng, TEMPLATES)


CARDS = {
    "gpt2-word": ("GPT2LMHeadModel", "text-generation", "causal language modelling (predict the next word)",
                  "a word-level tokenizer: one token per space-separated word; unknown words become <unk>"),
    "gpt2-char": ("GPT2LMHeadModel", "text-generation", "causal language modelling (predict the next character)",
                  "a character-level tokenizer: one token per character, spaces included"),
    "bert-word": ("BertForMaskedLM", "fill-mask", "masked language modelling (predict 15% hidden words from both sides)",
                  "a word-level tokenizer that wraps every text in [CLS] ... [SEP]"),
    "t5-word": ("T5ForConditionalGeneration", "text2text-generation",
                "span corruption (the decoder writes the spans replaced by <extra_id_N> sentinels)",
                "a word-level tokenizer that appends </s>, with sentinel tokens <extra_id_0> ... <extra_id_9>"),
}


def write_card(folder: Path, name: str, info: dict) -> dict:
    architecture, task, objective, tokenizer = CARDS[name]
    params = info["parameters"]
    card = f"""---
pipeline_tag: {task}
library_name: transformers
---
# {name}

A tiny {architecture} for the LLM course (Lab 22). **Not a real model**: {params:,} parameters,
pre-trained for {info['steps']} steps on generated sentences such as
"the old dog found a red ball in the park ." (about 100 different words).

- Architecture: {architecture}
- Objective: {objective}
- Tokenizer: {tokenizer}
- Final training loss (mean of the last 50 steps): {info['final_loss_mean_50']}

Intended use: exploring how model families differ (parameter counts, tokenizers, perplexity,
generation). Limitations: it only knows the course's toy grammar; anything else is out of distribution.
"""
    (folder / "README.md").write_text(card)
    return {"name": name, "architecture": architecture, "pipeline_tag": task, "parameters": params}


def main(out_dir: Path) -> None:
    hub = out_dir / "hub"
    index = []
    for name, (family, lr, config) in MODELS.items():
        _, info = tinymodels.build_model_dir(hub / name, family, TOKENIZERS[name](), text, lr=lr, config=config,
                                             **PRETRAIN)
        index.append(write_card(hub / name, name, info))
    (hub / "index.json").write_text(json.dumps(index, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
