"""Every lab under labs/: the reference scores full marks, the starter does not, and every common-mistake
variant fails the checks it names, within the proof budget; instructions exist. In CI the content check
has already graded every lab once (LLMCOURSE_TEST_LABCHECK_REPORT): its proofs are read, not re-run."""
from __future__ import annotations

import json
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
    assert visible_share(manifest) <= 1 / 3 + 1e-9, "visible checks carry at most a third of the points"
    assert manifest.hidden_seed_bank >= 64, "a bank of at least 64 hidden seeds"
    proofs = content_check_proofs()
    if proofs is not None:
        assert manifest.id in proofs, f"the content check did not prove {manifest.id}"
        assert proofs[manifest.id]["problems"] == []
    else:
        assert check_lab(lab_dir, references_dir).problems == []


def visible_share(manifest) -> float:
    return sum(c.points for c in manifest.checks if c.visible) / manifest.max_score


def content_check_proofs() -> dict | None:
    path = os.environ.get("LLMCOURSE_TEST_LABCHECK_REPORT")
    return json.loads(Path(path).read_text()) if path and Path(path).exists() else None
