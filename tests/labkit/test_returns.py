"""labkit.returns: what a student's function returns is checked with messages in the lab's terms."""
from __future__ import annotations

import numpy as np
import pytest

from labkit.returns import array, integer, number, str_list, text


def test_text_and_integer():
    assert text("a", "f") == "a"
    with pytest.raises(TypeError, match="wikitext_to_plain must return a str, got NoneType"):
        text(None, "wikitext_to_plain")
    assert integer(np.int64(3), "count") == 3 and type(integer(np.int64(3), "count")) is int
    with pytest.raises(TypeError, match="count must return an int, got True"):
        integer(True, "count")
    with pytest.raises(TypeError):
        integer(2.0, "count")


def test_number():
    assert number(2, "ttr") == 2.0 and number(np.float32(0.5), "ttr") == 0.5
    assert np.isnan(number(float("nan"), "ttr"))
    with pytest.raises(ValueError, match="perplexity returned NaN"):
        number(float("nan"), "perplexity", allow_nan=False)
    with pytest.raises(TypeError, match="must return a float, got str"):
        number("0.5", "ttr")
    with pytest.raises(TypeError):
        number(False, "ttr")


def test_str_list():
    assert str_list(["a", "b"], "tokenize") == ["a", "b"]
    assert str_list(("a",), "tokenize", allow_tuple=True) == ["a"]
    with pytest.raises(TypeError, match="got tuple"):
        str_list(("a",), "tokenize")
    with pytest.raises(TypeError, match="it contains 3 \\(int\\)"):
        str_list(["a", 3], "tokenize")


def test_array():
    out = array(np.zeros((2, 3)), "tfidf", shape=(2, 3))
    assert out.shape == (2, 3)
    with pytest.raises(ValueError, match=r"returned shape \(2, 3\); expected \(3, 2\)"):
        array(np.zeros((2, 3)), "tfidf", shape=(3, 2))
    with pytest.raises(TypeError, match="must return a numpy array, got list"):
        array([1, 2], "tfidf")
    with pytest.raises(TypeError, match="dtype <U1"):
        array(np.array(["a"]), "tfidf")
    with pytest.raises(TypeError, match="dtype float64"):
        array(np.zeros(2), "pairs", kinds="iu")

    class Sparse:
        def toarray(self):
            return np.zeros(1)

    with pytest.raises(TypeError, match="sparse matrix"):
        array(Sparse(), "tfidf")


def test_array_converts_torch_tensors():
    torch = pytest.importorskip("torch")
    assert isinstance(array(torch.ones(2, requires_grad=True), "vectors", shape=(2,)), np.ndarray)
