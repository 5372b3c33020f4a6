"""Loads parsed course files into the database idempotently. Items are matched by their stable ids:
an edited item keeps everyone's progress; a removed item is deactivated, never deleted."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.course.content import ParsedCourse, iter_checklist
from app.course.models import ChecklistItem, Module, Week


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)

    def merge(self, other: "SyncReport") -> None:
        self.created += other.created
        self.updated += other.updated
        self.deactivated += other.deactivated


def _upsert(db: Session, model, key, values: dict, report: SyncReport, label: str):
    row = db.get(model, key)
    if row is None:
        row = model(**values)
        db.add(row)
        report.created.append(label)
        return row
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        report.updated.append(label)
    return row


def sync_course(db: Session, parsed: ParsedCourse) -> SyncReport:
    report = SyncReport()
    for module in parsed.course.modules:
        _upsert(db, Module, module.id, {"id": module.id, "number": module.number, "title": module.title},
                report, f"module {module.id}")
    db.flush()
    seen_items: set[str] = set()
    for week in parsed.weeks:
        meta = week.meta
        _upsert(db, Week, meta.id, {
            "id": meta.id, "number": meta.number, "module_id": meta.module, "title": meta.title,
            "body_md": week.body, "topics": meta.topics, "discussions": meta.discussions,
            "readings": [r.model_dump(mode="json") for r in meta.readings], "content_hash": week.content_hash,
        }, report, f"week {meta.id}")
        db.flush()
        for position, (entry, parent, depth) in enumerate(iter_checklist(meta.checklist)):
            seen_items.add(entry.id)
            _upsert(db, ChecklistItem, entry.id, {
                "id": entry.id, "week_id": meta.id, "parent_id": parent, "position": position,
                "depth": depth, "text": entry.text, "active": True,
            }, report, f"item {entry.id}")
            db.flush()
    for item in db.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True))):
        if item.id not in seen_items:
            item.active = False
            report.deactivated.append(f"item {item.id}")
    db.flush()
    return report
