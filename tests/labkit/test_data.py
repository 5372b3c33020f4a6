"""labkit.data: per-case seeded generators, the lab's data files (same paths in the sandbox and in checks),
and data modules imported once."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labkit.checks import CheckContext
from labkit.data import (case_np_rng, case_rng, case_seed, data_dir, load_module, read_json, read_jsonl, read_lines,
                         read_text, read_tsv, read_words)
from labkit.harness import Context


@pytest.fixture()
def lab(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "lines.txt").write_text("  first  \n\n# a comment\nsecond\n", encoding="utf-8")
    (data / "pairs.tsv").write_text("walk\twalked\n\n# note\nrun\tran\n", encoding="utf-8")
    (data / "crlf.txt").write_bytes(b"a\r\nb\r\n")
    (data / "meta.json").write_text('{"topics": ["sea", "bees"]}', encoding="utf-8")
    (data / "rows.jsonl").write_text('{"id": 1}\n\n{"id": 2}\n', encoding="utf-8")
    (data / "gen.py").write_text("CALLS = []\ndef make(rng):\n    CALLS.append(1)\n    return rng.random()\n")
    return tmp_path


def test_case_rng_depends_on_seed_and_case_name_only():
    assert case_rng(7, "counts").random() == case_rng(7, "counts").random()
    assert case_rng(7, "counts").random() != case_rng(7, "perplexity").random()
    assert case_rng(7, "counts").random() != case_rng(8, "counts").random()
    ctx = Context(seed=7, visible=False, data_dir=Path("/nowhere"))
    assert case_rng(ctx, "counts").random() == case_rng(7, "counts").random()
    assert 0 <= case_seed(ctx, "x") < 2**63


def test_case_np_rng_is_a_numpy_generator_with_the_same_derivation():
    a, b = case_np_rng(3, "signatures"), case_np_rng(3, "signatures")
    assert isinstance(a, np.random.Generator)
    np.testing.assert_array_equal(a.integers(0, 1000, 5), b.integers(0, 1000, 5))
    assert case_np_rng(3, "signatures").random() != case_np_rng(3, "other").random()


def test_case_rng_refuses_what_is_not_a_seed():
    with pytest.raises(TypeError):
        case_rng("7", "counts")
    with pytest.raises(TypeError):
        case_rng(True, "counts")


def test_files_are_found_from_a_harness_context_a_check_context_or_a_path(lab: Path):
    harness_ctx = Context(seed=0, visible=True, data_dir=lab / "data")
    check_ctx = CheckContext(seed=0, visible=True, lab_dir=lab)
    assert data_dir(harness_ctx) == data_dir(check_ctx) == data_dir(lab / "data") == lab / "data"
    assert read_text(check_ctx, "lines.txt") == read_text(harness_ctx, "lines.txt")
    with pytest.raises(TypeError):
        data_dir(object())


def test_readers(lab: Path):
    where = lab / "data"
    assert read_lines(where, "lines.txt") == ["first", "# a comment", "second"]
    assert read_lines(where, "lines.txt", comment="#") == ["first", "second"]
    assert read_lines(where, "lines.txt", strip=False, skip_blank=False)[:2] == ["  first  ", ""]
    assert read_words(where, "lines.txt") == ["first", "#", "a", "comment", "second"]
    assert read_tsv(where, "pairs.tsv", columns=2) == [["walk", "walked"], ["run", "ran"]]
    with pytest.raises(ValueError, match="3 expected"):
        read_tsv(where, "pairs.tsv", columns=3)
    assert read_text(where, "crlf.txt") == "a\nb\n"
    assert read_text(where, "crlf.txt", keep_newlines=True) == "a\r\nb\r\n"
    assert read_json(where, "meta.json") == {"topics": ["sea", "bees"]}
    assert read_jsonl(where, "rows.jsonl") == [{"id": 1}, {"id": 2}]


def test_load_module_imports_once_per_process(lab: Path):
    first = load_module(lab / "data", "gen.py")
    again = load_module(CheckContext(seed=0, visible=True, lab_dir=lab), "gen.py")
    assert first is again
    assert first.make(case_rng(1, "x")) == first.make(case_rng(1, "x"))
    assert len(first.CALLS) == 2


def test_load_module_that_fails_is_not_cached(tmp_path: Path):
    (tmp_path / "bad.py").write_text("raise RuntimeError('broken generator')\n")
    for _ in range(2):
        with pytest.raises(RuntimeError, match="broken generator"):
            load_module(tmp_path, "bad.py")
