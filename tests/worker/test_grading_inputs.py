"""Bad submissions: each gets a clear status and feedback trimmed to the student's own file."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.labs.validation import validate_code
from worker.grading import Lab, grade

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"


@pytest.fixture(scope="module")
def lab() -> Lab:
    return Lab.load(FIXTURES / "lab03-probe")


@pytest.fixture(scope="module")
def refs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("refs")


@pytest.mark.parametrize("raw, message", [
    (b"", "empty"), (b"   \n\n", "empty"), (b"\x00\x01binary", "binary"), (b"caf\xe9 = 1\n", "UTF-8"),
    (b"x" * 300_000, "limit"),
])
def test_validate_code_rejects_bad_uploads(raw, message):
    with pytest.raises(ValueError, match=message):
        validate_code(raw, 256 * 1024)


def test_validate_code_strips_bom():
    assert validate_code("\ufeffx = 1\n".encode(), 1024) == "x = 1\n"


@pytest.mark.labs
def test_syntax_error_is_reported_with_line(lab, refs):
    result = grade(lab, "def answer(x)\n    return x\n", references_dir=refs)
    assert result["status"] == "error"
    feedback = result["tests"][0]["feedback"]
    assert "syntax error" in feedback and "line 1" in feedback and "probe.py" in feedback


@pytest.mark.labs
def test_missing_module_import(lab, refs):
    result = grade(lab, "import definitely_not_a_module\n", references_dir=refs)
    assert result["status"] == "error"
    assert "ModuleNotFoundError" in result["tests"][0]["feedback"]


@pytest.mark.labs
def test_exception_at_import_shows_only_student_frames(lab, refs):
    result = grade(lab, "def helper():\n    return 1 / 0\n\nhelper()\n", references_dir=refs)
    feedback = result["tests"][0]["feedback"]
    assert result["status"] == "error"
    assert "ZeroDivisionError" in feedback and 'File "probe.py", line 2' in feedback
    assert "labkit" not in feedback and "bootstrap" not in feedback


@pytest.mark.labs
def test_exception_in_one_function_fails_only_its_checks(lab, refs):
    code = "def answer(x):\n    raise ValueError('not yet')\n\ndef probe():\n    return 'fine'\n"
    result = grade(lab, code, references_dir=refs)
    by_name = {t["name"]: t for t in result["tests"]}
    assert result["status"] == "graded"
    assert by_name["probe_runs"]["passed"] is True
    assert "ValueError: not yet" in by_name["answer_visible"]["feedback"]
    assert 'File "probe.py", line 2, in answer' in by_name["answer_visible"]["feedback"]
    hidden = by_name["answer_hidden"]["feedback"]
    assert "Failed on hidden inputs. ValueError: not yet" in hidden


@pytest.mark.labs
def test_visible_check_shows_input_expected_and_got(lab, refs):
    code = "def answer(x):\n    return x * 2\n\ndef probe():\n    return ''\n"
    result = grade(lab, code, references_dir=refs)
    visible = next(t for t in result["tests"] if t["name"] == "answer_visible")
    assert visible["passed"] is False and "x" in visible["input"]
    x = int(visible["input"]["x"])
    assert visible["expected"] == str(2 * x + 1) and visible["got"] == str(2 * x)
    hidden = next(t for t in result["tests"] if t["name"] == "answer_hidden")
    assert "expected" not in hidden and hidden["feedback"].startswith("Failed on hidden inputs")


def test_hidden_seeds_are_drawn_per_submission(lab):
    from worker.grading import draw_hidden_seeds

    draws = [tuple(draw_hidden_seeds(lab.manifest)) for _ in range(200)]
    assert set(draws) == {(seed,) for seed in lab.manifest.hidden_seeds()}  # every seed of the bank gets drawn


@pytest.mark.labs
def test_result_records_the_drawn_seeds(lab, refs):
    result = grade(lab, "def answer(x):\n    return 2*x+1\ndef probe():\n    return ''\n", references_dir=refs)
    assert len(result["hidden_seeds"]) == lab.manifest.hidden_draw
    assert set(result["hidden_seeds"]) <= set(lab.manifest.hidden_seeds())


def test_references_are_kept_per_library_version(tmp_path, monkeypatch):
    from worker import grading

    lab = grading.Lab.load(Path(__file__).resolve().parents[1] / "fixtures" / "labs" / "lab03-probe")
    grading.reference_outputs(lab, tmp_path)
    monkeypatch.setattr(grading, "library_versions", lambda: "othertorch")
    grading.reference_outputs(lab, tmp_path)
    versions = sorted(p.name for p in (tmp_path / lab.manifest.id).iterdir())
    assert len(versions) == 2 and any(name.endswith("othertorch") or "othertorch" in name for name in versions)


def test_built_artifacts_follow_the_labkit_modules_their_script_imports(tmp_path, monkeypatch):
    from worker import grading

    labkit = tmp_path / "labkit"
    labkit.mkdir()
    (labkit / "tinymodels.py").write_text("STEPS = 100\n")
    (labkit / "harness.py").write_text("# not imported by the build script\n")
    monkeypatch.setattr(grading, "LABKIT_DIR", labkit)
    uses_labkit = tmp_path / "uses.py"
    uses_labkit.write_text("try:\n    from labkit import tinymodels\nexcept ImportError:\n    pass\n")
    plain = tmp_path / "plain.py"
    plain.write_text("import json\n")
    before = grading.artifacts_digest(uses_labkit), grading.artifacts_digest(plain)
    (labkit / "harness.py").write_text("# changed, still not imported\n")
    assert (grading.artifacts_digest(uses_labkit), grading.artifacts_digest(plain)) == before
    (labkit / "tinymodels.py").write_text("STEPS = 200\n")
    assert grading.artifacts_digest(uses_labkit) != before[0]  # its models are built again
    assert grading.artifacts_digest(plain) == before[1] == hashlib.sha256(b"import json\n").hexdigest()[:16]
