"""Reads and validates course/ files. Errors are reported as `file:line: message`."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from pydantic import ValidationError

from app.course.schemas import ChecklistEntry, CourseFile, WeekFile

WEEK_COUNT = 33


@dataclass
class ContentErrors:
    messages: list[str] = field(default_factory=list)

    def add(self, path: Path, line: int, message: str) -> None:
        self.messages.append(f"{path}:{line}: {message}")

    def __bool__(self) -> bool:
        return bool(self.messages)


@dataclass
class ParsedWeek:
    path: Path
    meta: WeekFile
    body: str
    content_hash: str


@dataclass
class ParsedCourse:
    course: CourseFile | None
    weeks: list[ParsedWeek]


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def report_validation(errors: ContentErrors, path: Path, text: str, exc: ValidationError) -> None:
    for err in exc.errors():
        keys = [str(k) for k in err["loc"] if not isinstance(k, int)]
        needle = f"{keys[-1]}:" if keys else ""
        if isinstance(err.get("input"), str) and len(err["input"]) > 2:
            needle = err["input"][:60]
        location = ".".join(str(k) for k in err["loc"])
        errors.add(path, line_of(text, needle) if needle else 1, f"{location}: {err['msg']}")


def iter_checklist(entries: list[ChecklistEntry], parent: str | None = None, depth: int = 0):
    for entry in entries:
        yield entry, parent, depth
        yield from iter_checklist(entry.children, entry.id, depth + 1)


def parse_course(course_dir: Path, errors: ContentErrors) -> ParsedCourse:
    course = _parse_course_file(course_dir / "course.yaml", errors)
    weeks = [w for w in (_parse_week(p, errors) for p in sorted((course_dir / "weeks").glob("week*.md"))) if w]
    _cross_check(course_dir, course, weeks, errors)
    return ParsedCourse(course, sorted(weeks, key=lambda w: w.meta.number))


def _parse_course_file(path: Path, errors: ContentErrors) -> CourseFile | None:
    if not path.exists():
        errors.add(path, 1, "course.yaml is missing")
        return None
    text = path.read_text(encoding="utf-8")
    try:
        return CourseFile.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        errors.add(path, mark.line + 1 if mark else 1, f"invalid YAML: {exc}")
    except ValidationError as exc:
        report_validation(errors, path, text, exc)
    return None


def _parse_week(path: Path, errors: ContentErrors) -> ParsedWeek | None:
    text = path.read_text(encoding="utf-8")
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        errors.add(path, (mark.line + 2) if mark else 1, f"invalid front matter: {exc}")
        return None
    try:
        meta = WeekFile.model_validate(post.metadata)
    except ValidationError as exc:
        report_validation(errors, path, text, exc)
        return None
    expected = f"week{meta.number:02d}"
    if meta.id != expected or path.stem != expected:
        errors.add(path, line_of(text, "id:"), f"id {meta.id!r}, number {meta.number} and file name must agree")
    if not post.content.strip():
        errors.add(path, line_of(text, "---") + 1, "the week has no text")
    return ParsedWeek(path, meta, post.content, hashlib.sha256(text.encode()).hexdigest())


def _cross_check(course_dir: Path, course: CourseFile | None, weeks: list[ParsedWeek],
                 errors: ContentErrors) -> None:
    numbers = {w.meta.number for w in weeks}
    for missing in sorted(set(range(1, WEEK_COUNT + 1)) - numbers):
        errors.add(course_dir / "weeks" / f"week{missing:02d}.md", 1, "week file is missing")
    item_ids: dict[str, Path] = {}
    lab_ids: dict[str, Path] = {}
    module_ids = {m.id for m in course.modules} if course else set()
    week_module = {n: m.id for m in (course.modules if course else []) for n in m.weeks}
    for week in weeks:
        text = week.path.read_text(encoding="utf-8")
        if course and week.meta.module not in module_ids:
            errors.add(week.path, line_of(text, "module:"), f"unknown module {week.meta.module!r}")
        elif course and week_module.get(week.meta.number) != week.meta.module:
            errors.add(week.path, line_of(text, "module:"),
                       f"course.yaml puts week {week.meta.number} in {week_module.get(week.meta.number)}")
        for entry, _, _ in iter_checklist(week.meta.checklist):
            if not entry.id.startswith(f"w{week.meta.number:02d}-"):
                errors.add(week.path, line_of(text, entry.id), f"item id {entry.id!r} must start with "
                                                               f"w{week.meta.number:02d}-")
            if entry.id in item_ids:
                errors.add(week.path, line_of(text, entry.id), f"duplicate item id {entry.id!r} "
                                                               f"(also in {item_ids[entry.id].name})")
            item_ids[entry.id] = week.path
        for lab in week.meta.labs:
            if lab.id in lab_ids:
                errors.add(week.path, line_of(text, lab.id), f"lab {lab.id} is listed twice")
            lab_ids[lab.id] = week.path


def lab_number(lab_id: str) -> int:
    return int(re.sub(r"\D", "", lab_id))
