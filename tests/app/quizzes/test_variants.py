import subprocess
import sys

from app.config import PROJECT_ROOT
from app.quizzes.schemas import QUESTION_ADAPTER
from app.quizzes.variants import build_layout, draw_ids, params_for, render_prompt
from tests.app.quizzes.helpers import MULTIPLE, NUMERIC, SINGLE, TEXT


def bank(n: int = 10):
    specs = [SINGLE, MULTIPLE, NUMERIC, TEXT]
    return [QUESTION_ADAPTER.validate_python({"id": f"w01-v{i}", "explanation": "e", **specs[i % 4]})
            for i in range(n)]


def test_layout_is_reproducible_from_the_seed():
    questions = bank()
    assert build_layout(questions, 8, 12345) == build_layout(questions, 8, 12345)


def test_layout_is_the_same_in_another_process():
    """The draw does not depend on PYTHONHASHSEED or process state: a fresh interpreter agrees."""
    code = ("import json; from tests.app.quizzes.test_variants import bank; "
            "from app.quizzes.variants import build_layout; print(json.dumps(build_layout(bank(), 8, 777)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
                         env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"}).stdout
    import json

    assert json.loads(out) == build_layout(bank(), 8, 777)


def test_seeds_vary_the_draw_the_choice_order_and_the_params():
    questions = bank()
    layouts = [build_layout(questions, 8, seed) for seed in range(1, 41)]
    assert len({tuple(e["question_id"] for e in layout) for layout in layouts}) > 5
    orders = {tuple(e["choices"]) for layout in layouts for e in layout if e["question_id"] == "w01-v0"}
    assert len(orders) > 2
    params = {e["params"]["d"] for layout in layouts for e in layout if e["question_id"] == "w01-v2"}
    assert len(params) > 2


def test_draw_keeps_file_order_and_size():
    ids = [f"q{i}" for i in range(10)]
    drawn = draw_ids(ids, 8, 99)
    assert len(drawn) == 8 and drawn == sorted(drawn, key=ids.index)
    assert draw_ids(ids, None, 99) == ids
    assert draw_ids(ids, 20, 99) == ids


def test_shuffled_choices_keep_every_choice():
    layout = build_layout(bank(), None, 5)
    assert sorted(layout[0]["choices"]) == ["a", "b", "c"]
    assert sorted(layout[1]["choices"]) == ["a", "b", "c", "d"]


def test_prompt_placeholders_are_filled_and_other_braces_kept():
    q = QUESTION_ADAPTER.validate_python({**NUMERIC, "id": "w01-p", "explanation": "e",
                                          "prompt": "d = {d}, a set {x, y} and {unknown}", "params": {"d": [0.0003]}})
    assert render_prompt(q, {"d": 0.0003}) == "d = 0.0003, a set {x, y} and {unknown}"


def test_params_for_prefers_the_stored_draw_and_fills_new_names():
    q = QUESTION_ADAPTER.validate_python({**NUMERIC, "id": "w01-p", "explanation": "e",
                                          "params": {"d": [2, 3], "e": [10]}, "prompt": "{d} {e}"})
    assert params_for(q, {"params": {"d": 3}}, 1) == {"d": 3, "e": 10}
    assert params_for(q, {"params": {"d": 99}}, 1)["d"] in (2, 3)  # a value no longer in the file is redrawn
