"""Loads labs into the database: every lab the weeks list, made gradeable where a lab folder exists."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from app.course.content import ContentErrors, ParsedCourse
from app.course.sync import SyncReport, _upsert
from app.labs.catalog import lab_folders, read_lab_folder
from app.labs.models import Lab


def load_lab_folders(labs_dir: Path, errors: ContentErrors) -> dict:
    folders = {}
    for path in lab_folders(labs_dir):
        try:
            folder = read_lab_folder(path)
        except FileNotFoundError as exc:
            errors.add(path, 1, f"missing file: {Path(exc.filename).name}")
            continue
        except Exception as exc:  # noqa: BLE001 - reported as a content error
            errors.add(path / "lab.yaml", 1, str(exc).replace("\n", " "))
            continue
        if not path.name.startswith(folder.manifest.id + "-"):
            errors.add(path / "lab.yaml", 1, f"folder name must start with {folder.manifest.id}-")
        folders[folder.manifest.id] = folder
    return folders


def sync_labs(db: Session, parsed: ParsedCourse, folders: dict) -> SyncReport:
    report = SyncReport()
    for week in parsed.weeks:
        for position, entry in enumerate(week.meta.labs):
            folder = folders.get(entry.id)
            values = {"id": entry.id, "week_id": week.meta.id, "position": position, "title": entry.title,
                      "gradeable": folder is not None}
            if folder is not None:
                m = folder.manifest
                values.update(device=m.device, max_score=m.max_score, submit_file=m.submit_file,
                              folder=folder.path.name, instructions_md=folder.instructions,
                              starter_code=folder.starter, content_hash=folder.hash,
                              manifest=m.model_dump(mode="json"))
            _upsert(db, Lab, entry.id, values, report, f"lab {entry.id}")
            if folder is not None and folder.manifest.rubric:
                db.flush()
                from app.review.service import sync_manifest_rubric

                sync_manifest_rubric(db, entry.id, [r.model_dump() for r in folder.manifest.rubric])
    db.flush()
    return report


def check_lab_weeks(parsed: ParsedCourse, folders: dict, errors: ContentErrors) -> None:
    week_of = {lab.id: w.meta.number for w in parsed.weeks for lab in w.meta.labs}
    for lab_id, folder in folders.items():
        if lab_id not in week_of:
            errors.add(folder.path / "lab.yaml", 1, f"{lab_id} is not listed in any week file")
        elif week_of[lab_id] != folder.manifest.week:
            errors.add(folder.path / "lab.yaml", 1,
                       f"week {folder.manifest.week} but week{week_of[lab_id]:02d}.md lists {lab_id}")
