"""Inputs for harnesses and checks: per-case seeded generators, the lab's data files, data modules.

The same helpers work inside the sandbox (pass the harness `ctx`: files come from `ctx.data_dir`) and
outside it in checks.py (pass the check's `ctx`: files come from `ctx.lab_dir / "data"`), so a harness
and its checks read a data file, or rebuild a generated input, the same way.

    from labkit.data import case_rng, read_lines, load_module

    @case
    def perplexity(student, ctx):
        rng = case_rng(ctx, "perplexity")            # random.Random for this seed AND this case
        lines = read_lines(ctx, "train.txt")         # stripped, non-blank lines of data/train.txt
        corpus = load_module(ctx, "planted_corpus.py").build(rng)
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import sys
from pathlib import Path
from typing import Any


def _seed_of(where: Any) -> int:
    seed = getattr(where, "seed", where)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"expected a context or an int seed, got {type(where).__name__}")
    return seed


def case_seed(where: Any, name: str) -> int:
    """A 63-bit seed derived from the check seed and a case name: cases of one seed get independent
    inputs, and the same (seed, name) always gives the same inputs (harness and checks agree)."""
    digest = hashlib.sha256(f"{_seed_of(where)}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def case_rng(where: Any, name: str) -> random.Random:
    """`random.Random` for one case of one seed (`where` is a context with `.seed`, or an int)."""
    return random.Random(case_seed(where, name))


def case_np_rng(where: Any, name: str):
    """`numpy.random.Generator` for one case of one seed."""
    import numpy as np

    return np.random.default_rng(case_seed(where, name))


def data_dir(where: Any) -> Path:
    """The lab's data folder: `ctx.data_dir` in the sandbox, `ctx.lab_dir / "data"` in checks, or a path."""
    if isinstance(where, (str, Path)):
        return Path(where)
    if getattr(where, "data_dir", None) is not None:
        return Path(where.data_dir)
    if getattr(where, "lab_dir", None) is not None:
        return Path(where.lab_dir) / "data"
    raise TypeError(f"cannot find a data folder from {type(where).__name__}")


def data_path(where: Any, *parts: str) -> Path:
    return data_dir(where).joinpath(*parts)


def read_text(where: Any, *parts: str, keep_newlines: bool = False) -> str:
    """A data file as UTF-8 text; \r\n becomes \n unless keep_newlines (a lab about line endings)."""
    with open(data_path(where, *parts), encoding="utf-8", newline="" if keep_newlines else None) as file:
        return file.read()


def read_lines(where: Any, *parts: str, strip: bool = True, skip_blank: bool = True,
               comment: str | None = None) -> list[str]:
    """A data file's lines: stripped, blank lines (and lines starting with `comment`) left out."""
    lines = []
    for line in read_text(where, *parts).splitlines():
        text = line.strip() if strip else line
        if skip_blank and not line.strip():
            continue
        if comment and line.lstrip().startswith(comment):
            continue
        lines.append(text)
    return lines


def read_words(where: Any, *parts: str) -> list[str]:
    """A data file split on white space."""
    return read_text(where, *parts).split()


def read_tsv(where: Any, *parts: str, columns: int | None = None) -> list[list[str]]:
    """Tab-separated rows (blank and `#` lines left out); `columns` checks each row's width."""
    rows = []
    for number, line in enumerate(read_text(where, *parts).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        row = [cell.strip() for cell in line.split("\t")]
        if columns is not None and len(row) != columns:
            raise ValueError(f"{'/'.join(parts)} line {number}: {len(row)} columns, {columns} expected")
        rows.append(row)
    return rows


def read_json(where: Any, *parts: str) -> Any:
    return json.loads(read_text(where, *parts))


def read_jsonl(where: Any, *parts: str) -> list[Any]:
    return [json.loads(line) for line in read_lines(where, *parts)]


def load_module(where: Any, *parts: str, name: str | None = None):
    """Import a Python file from the data folder (e.g. a trusted generator shared by harness and checks),
    once per process: later calls return the same module object."""
    path = data_path(where, *parts)
    key = name or "labdata_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    module = sys.modules.get(key)
    if module is None:
        spec = importlib.util.spec_from_file_location(key, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(key, None)
            raise
    return module
