"""labkit.compare: the first difference between the student's output and the reference, in words."""
from __future__ import annotations

from labkit.checks import Verdict
from labkit.compare import (check_fields, each_result, first_difference, first_index, first_line_difference, same,
                            set_difference, short)


def test_first_difference_walks_dicts_and_lists_in_expected_order():
    want = {"title": "Bees", "revisions": [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}]}
    assert first_difference(want, want) is None
    got = {"title": "Bees", "revisions": [{"id": 1, "text": "a"}, {"id": 2, "text": "c"}]}
    assert first_difference(got, want) == "revisions[1]['text']: expected 'b', got 'c'"
    assert first_difference({"title": "Bees"}, want) == "the result: key 'revisions' is missing"
    assert first_difference({**want, "extra": 1}, want) == "the result: unexpected key 'extra'"
    assert first_difference({"title": "Bees", "revisions": [want["revisions"][0]]}, want) == \
        "revisions: expected 2 item(s), got 1"
    assert first_difference([1, 2], {"a": 1}) == "the result: expected a dict, got a list"
    assert first_difference("x", [1]) == "the result: expected a list, got a str"


def test_types_are_strict_but_an_int_may_stand_for_a_float():
    assert "expected a int" in first_difference(True, 1)
    assert "expected a str" in first_difference(None, "ana")
    assert first_difference(2, 2.0) is None
    assert first_difference(2.0, 2) is not None


def test_floats_compare_with_a_tolerance_when_one_is_given():
    assert first_difference(0.1 + 0.2, 0.3) is not None
    assert first_difference(0.1 + 0.2, 0.3, rtol=1e-9) is None
    assert first_difference({"ttr": 0.52}, {"ttr": 0.5}, rtol=1e-9) == "ttr: expected 0.5, got 0.52"
    assert first_difference("0.5", 0.5, rtol=1e-9) == "the result: expected a number, got '0.5'"
    assert first_difference(float("nan"), float("nan"), atol=1e-9) is None


def test_multiline_strings_name_the_line():
    problem = first_difference("a\nb\u200bc", "a\nbc")
    assert problem.startswith("the result: line 2 differs at character 2")
    assert "\\u200b" in problem


def test_same_gives_a_verdict():
    assert same([1, 2], [1, 2]).passed
    verdict = same([1, 3], [1, 2], label="input 2: ")
    assert not verdict.passed and verdict.feedback == "input 2: the result[1]: expected 2, got 3"
    assert verdict.expected and verdict.got


def test_first_index_and_lines_and_sets():
    assert first_index([1, 2, 3], [1, 2, 3]) is None
    assert first_index([1, 9, 3], [1, 2, 3]) == 1
    assert first_index([1, 2], [1, 2, 3]) == 2
    assert first_line_difference("a\nb", "a\nb") is None
    assert first_line_difference("a\nb\nc", "a\nb") == "1 extra line(s) at the end, starting with 'c'"
    assert first_line_difference("a", "a\nb") == "1 line(s) missing at the end, starting with 'b'"
    assert set_difference({"a b", "b c"}, ["b c", "a b"]) is None
    assert set_difference({"a b", "x"}, {"a b", "b c"}) == "2 expected, 2 returned; missing e.g. ['b c']; unexpected e.g. ['x']"
    assert short("x" * 200, 20).endswith("...'") and len(short("x" * 200, 20)) == 20


def test_check_fields_names_the_first_field_and_explains_it():
    want = {"tokens": 10, "types": 7, "ttr": 0.7}
    assert check_fields({"tokens": 10, "types": 7, "ttr": 0.7000000001}, want, rtol=1e-6).passed
    verdict = check_fields({"tokens": 10, "types": 8, "ttr": 0.8}, want, explain={"types": "count distinct lower-cased tokens"})
    assert not verdict.passed
    assert verdict.feedback == "types: expected 7, got 8 (count distinct lower-cased tokens)"
    assert check_fields({"tokens": 10}, want, fields=["tokens"]).passed
    assert check_fields({"tokens": 10}, want).feedback == "'types' is missing"
    assert check_fields([1], want).feedback == "expected a dict, got a list"


def test_each_result_labels_the_failing_input():
    def compare(have, want):
        return None if have == want else f"expected {want}, got {have}"

    assert each_result([1, 2], [1, 2], compare).passed
    assert each_result([1, 5], [1, 2], compare, what="run").feedback == "run 2: expected 2, got 5"
    assert each_result([5], [2], compare).feedback == "expected 2, got 5"
    assert each_result([1], [1, 2], compare).feedback == "expected 2 result(s), got 1"
    assert each_result({"a": 1}, [1], compare).feedback == "expected 1 result(s), got dict"
    verdicts = each_result([1, 3], [1, 2], lambda h, w: Verdict(h == w, "differs"))
    assert verdicts.feedback == "input 2: differs"
