"""`content sync` and `content check`: every kind of course content, loaded and validated together."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.config import Settings
from app.course.content import ContentErrors, ParsedCourse, parse_course
from app.course.sync import SyncReport, sync_course
from app.labs.sync import check_lab_weeks, load_lab_folders, sync_labs


@dataclass
class LoadedContent:
    course: ParsedCourse
    labs: dict
    quizzes: list
    errors: ContentErrors


def load_content(settings: Settings) -> LoadedContent:
    from app.quizzes.content import load_quizzes

    errors = ContentErrors()
    course = parse_course(settings.course_dir, errors)
    labs = load_lab_folders(settings.labs_dir, errors)
    check_lab_weeks(course, labs, errors)
    quizzes = load_quizzes(settings.course_dir, errors)
    return LoadedContent(course, labs, quizzes, errors)


def sync_content(db: Session, settings: Settings) -> tuple[SyncReport, ContentErrors]:
    """Validate, then load. Nothing is written when the files have errors."""
    from app.quizzes.sync import sync_quizzes

    content = load_content(settings)
    report = SyncReport()
    if content.errors or content.course.course is None:
        return report, content.errors
    report.merge(sync_course(db, content.course))
    report.merge(sync_labs(db, content.course, content.labs))
    report.merge(sync_quizzes(db, content.quizzes))
    return report, content.errors


def check_content(settings: Settings, grade_labs: bool = True, lab_ids: list[str] | None = None,
                  references_dir: Path | None = None, on_lab=None) -> ContentErrors:
    """Validate every file; with grade_labs, also prove every lab (reference full marks, starter not,
    mistakes fail their checks) and every code quiz question through the sandbox."""
    content = load_content(settings)
    errors = content.errors
    if grade_labs:
        from worker.labcheck import check_lab

        refs = references_dir or settings.references_dir
        folders = [f for lab_id, f in sorted(content.labs.items()) if not lab_ids or lab_id in lab_ids]
        # One lab per core, in processes: sandboxes are started with fork + preexec, which must not
        # happen while other threads of the same process hold locks.
        with ProcessPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            reports = pool.map(partial(check_lab, references_dir=refs, insecure=settings.insecure_sandbox,
                                       uid=settings.sandbox_uid, models_dir=settings.models_dir),
                               [f.path for f in folders])
            for report in reports:
                errors.messages.extend(report.problems)
                if on_lab is not None:
                    on_lab(report)
        from app.quizzes.content import check_code_questions

        check_code_questions(content.quizzes, errors, settings)
    return errors
