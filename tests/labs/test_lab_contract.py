"""Every lab under labs/: the reference scores full marks (three runs, fresh hidden seeds each time), the
starter does not, and every common-mistake variant fails the checks it names; instructions exist."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.config import get_settings
from app.labs.catalog import lab_folders
from labkit.manifest import load_manifest
from worker.labcheck import check_lab

pytestmark = pytest.mark.labs
LABS = lab_folders(get_settings().labs_dir)


@pytest.fixture(scope="session")
def references_dir(tmp_path_factory) -> Path:
    shared = os.environ.get("LLMCOURSE_TEST_REFERENCES_DIR")
    return Path(shared) if shared else tmp_path_factory.mktemp("references")


def test_the_pilot_labs_exist():
    ids = {path.name.split("-")[0] for path in LABS}
    assert {"lab02", "lab09", "lab15"} <= ids


@pytest.mark.parametrize("lab_dir", LABS, ids=[p.name for p in LABS])
def test_lab_meets_the_contract(lab_dir, references_dir):
    manifest = load_manifest(lab_dir)
    assert len([c for c in manifest.checks if c.visible]) >= 1
    assert len([c for c in manifest.checks if not c.visible]) >= 2, "at least two hidden checks"
    assert manifest.mistakes, "at least one common-mistake variant"
    readme = (lab_dir / "README.md").read_text(encoding="utf-8")
    assert len(readme) > 1500, "instructions that teach"
    report = check_lab(lab_dir, references_dir, runs=3)
    assert report.problems == []
