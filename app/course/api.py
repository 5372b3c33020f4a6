"""GET /api/v1/me/progress."""
from __future__ import annotations

from fastapi import APIRouter

from app.core.deps import CurrentUser, Db
from app.course import service

router = APIRouter(prefix="/api/v1", tags=["progress"])


@router.get("/me/progress")
def my_progress(db: Db, user: CurrentUser) -> dict:
    progress = service.course_progress(db, user)
    return {
        "user": {"id": user.id, "email": user.email, "name": user.name},
        "overall": round(service.overall(progress), 4),
        "weeks": [{
            "week": p.week.number, "id": p.week.id, "title": p.week.title, "progress": round(p.fraction, 4),
            "checklist": {"done": p.items_done, "total": p.items_total},
            "labs": [{"id": lab["id"], "gradeable": lab["gradeable"], "best_score": lab["best"],
                      "max_score": lab["max_score"]} for lab in p.labs],
            "quiz": p.quiz,
        } for p in progress],
    }
