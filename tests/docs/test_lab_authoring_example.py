"""docs/lab-authoring.md shows a complete small lab; graded here exactly as the page writes it, it proves:
the solution gets full marks, the starter does not, the mistake fails the checks it names, and it keeps
the course's rules (visible checks at most a third of the points, 64 hidden seeds)."""
from __future__ import annotations

import re
from pathlib import Path

from labkit.manifest import load_manifest
from worker.labcheck import check_lab

DOC = Path(__file__).resolve().parents[2] / "docs" / "lab-authoring.md"
FILE_BLOCK = re.compile(r"^`labs/lab02-word-counts/(?P<path>[\w/.]+)`[^\n]*(?:\n[^`\n][^\n]*)*\n```\w*\n(?P<body>.*?)^```",
                        re.MULTILINE | re.DOTALL)


def example_lab(folder: Path) -> Path:
    section = DOC.read_text(encoding="utf-8").split("## A complete small lab", 1)[1].split("\n## ", 1)[0]
    lab = folder / "lab02-word-counts"
    for match in FILE_BLOCK.finditer(section):
        target = lab / match["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(match["body"], encoding="utf-8")
    solution = (lab / "solution.py").read_text()
    stubs = re.sub(r'(    """[^\n]*"""\n)    return [^\n]*\n', r"\1    raise NotImplementedError\n", solution)
    (lab / "starter.py").write_text(stubs)
    (lab / "README.md").write_text("# Word counts\n\n" + "Count words without regard to case. " * 50)  # >= 1,500 characters
    return lab


def test_the_small_lab_on_the_authoring_page_is_complete_and_proves(tmp_path):
    lab = example_lab(tmp_path)
    assert sorted(p.relative_to(lab).as_posix() for p in lab.rglob("*.py")) == [
        "harness.py", "mistakes/case_sensitive.py", "solution.py", "starter.py"]
    manifest = load_manifest(lab)
    visible = sum(check.points for check in manifest.checks if check.visible)
    assert visible * 3 <= manifest.max_score and len(manifest.hidden_seeds()) == 64
    report = check_lab(lab, tmp_path / "references")
    assert report.problems == [], report.problems
