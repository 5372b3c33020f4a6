"""Writes Lab 24's corpus (trusted, run once by the lab author: `python make_data.py`).

data/corpus.txt: the training stories (public, mounted in the sandbox).
private/heldout.txt: stories from another random stream, used only by checks.py for perplexity."""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "data"))

from storykit import stories  # noqa: E402

N_TRAIN, N_HELDOUT = 2000, 300


def write(path: Path, documents: list[str]) -> None:
    path.write_text("\n\n".join(documents) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(HERE / "data" / "corpus.txt", stories("lab24-train", N_TRAIN))
    write(HERE / "private" / "heldout.txt", stories("lab24-heldout-7c1e", N_HELDOUT))
