"""Builds Lab 19's tiny "pre-trained" GPT-2 (trusted; run OUTSIDE the sandbox, once per version of
this file): `python build_artifacts.py OUT_DIR`.

1. Generates a pre-training corpus of simple English from labkit.tinymodels' toy grammar (no download).
2. Builds a word-level tokenizer over the grammar's vocabulary with <pad>, <unk> and <eos>.
3. Trains a GPT-2 with 2 layers and d_model 64 as a causal LM for 1200 steps (fixed seeds).
4. Saves model + tokenizer with save_pretrained into OUT_DIR/gpt2-tiny (safetensors).

make_data.py imports the word lists from here, so the fine-tuning data and the tokenizer agree.
"""
from __future__ import annotations

import sys
from pathlib import Path

try:
    from labkit import tinymodels
except ImportError:  # a source checkout runs this file from labs/<lab>/: labkit is two folders up
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from labkit import tinymodels

NOUNS, ADJS, OBJS = tinymodels.STORY_NOUNS, tinymodels.STORY_ADJS, tinymodels.STORY_OBJS
VERBS, PLACES = tinymodels.STORY_VERBS, tinymodels.STORY_PLACES
SPECIALS = ["<pad>", "<unk>", "<eos>"]
PRETRAIN = dict(steps=1200, batch_size=32, lr=3e-3, warmup=100, seed=0)


def main(out_dir: Path) -> None:
    tokenizer = tinymodels.word_tokenizer(SPECIALS + tinymodels.story_vocabulary(), max_length=64,
                                          unk_token="<unk>", pad_token="<pad>", eos_token="<eos>", bos_token="<eos>")
    tinymodels.build_model_dir(out_dir / "gpt2-tiny", "gpt2", tokenizer, tinymodels.story_text, **PRETRAIN)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
