"""The lab folders under labs/: what the web app shows and the worker grades."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from labkit.manifest import LabManifest, content_hash, load_manifest


@dataclass
class LabFolder:
    path: Path
    manifest: LabManifest
    instructions: str
    starter: str
    hash: str


def lab_folders(labs_dir: Path) -> list[Path]:
    if not labs_dir.is_dir():
        return []
    return sorted(p for p in labs_dir.iterdir() if p.is_dir() and (p / "lab.yaml").exists())


def read_lab_folder(path: Path) -> LabFolder:
    manifest = load_manifest(path)
    return LabFolder(path=path, manifest=manifest,
                     instructions=(path / "README.md").read_text(encoding="utf-8"),
                     starter="" if manifest.is_bundle else (path / "starter.py").read_text(encoding="utf-8"),
                     hash=content_hash(path))


def find_lab_folder(labs_dir: Path, lab_id: str) -> Path | None:
    for path in lab_folders(labs_dir):
        if path.name.split("-")[0] == lab_id:
            return path
    return None
