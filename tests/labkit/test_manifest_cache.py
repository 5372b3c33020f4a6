"""A lab's manifest and content hash are computed once per version of its files."""
from __future__ import annotations

import shutil
from pathlib import Path

from labkit import manifest
from labkit.manifest import content_hash, load_manifest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "labs" / "lab03-probe"


def test_the_hash_is_memoised_and_follows_every_change(tmp_path, monkeypatch):
    lab = tmp_path / "lab03-probe"
    shutil.copytree(FIXTURE, lab)
    first = content_hash(lab)
    reads = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or b"")
    assert content_hash(lab) == first and reads == []  # unchanged files: not read again
    monkeypatch.undo()
    (lab / "harness.py").write_text((lab / "harness.py").read_text() + "\n# changed\n")
    assert content_hash(lab) != first
    (lab / "README.md").write_text("instructions only")
    assert content_hash(lab) == content_hash(lab)  # the README never changes the version


def test_the_manifest_is_parsed_once_per_version_and_callers_get_their_own_copy(tmp_path):
    lab = tmp_path / "lab03-probe"
    shutil.copytree(FIXTURE, lab)
    one, two = load_manifest(lab), load_manifest(lab)
    assert one == two and one is not two
    one.title = "changed by a caller"
    assert load_manifest(lab).title != "changed by a caller"
    parsed = len(manifest._MANIFESTS)
    text = (lab / "lab.yaml").read_text()
    (lab / "lab.yaml").write_text(text.replace(f"title: {two.title}", "title: A new title")
                                  if f"title: {two.title}" in text else text + "\n")
    load_manifest(lab)
    assert len(manifest._MANIFESTS) == parsed + 1
