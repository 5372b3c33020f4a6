"""Your application's entry point. Keep the two functions' names and signatures."""
from __future__ import annotations


def predict(texts: list[str]) -> list[str]:
    """One answer (a string) per input text, in order; deterministic."""
    raise NotImplementedError("predict: build your application here")


def evaluate() -> dict[str, float]:
    """Your held-out metrics (e.g. accuracy, and the baseline's), computed on data your model never saw."""
    raise NotImplementedError("evaluate: score your model and your baseline on held-out data")
