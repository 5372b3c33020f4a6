"""`content sync` and `content check`: every kind of course content, loaded and validated together."""
from __future__ import annotations

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
