"""JSON API of the similarity check (graders)."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.core.deps import CsrfChecked, CurrentUser, Db, require_role
from app.core.params import RowId
from app.review.service import get_lab
from app.similarity import service
from app.users.models import Role

router = APIRouter(prefix="/api/v1", tags=["similarity"], dependencies=[CsrfChecked])
Grader = require_role(Role.grader)


class SimilarityIn(BaseModel):
    threshold: float = Field(service.DEFAULT_THRESHOLD, ge=0.3, le=1.0)


@router.post("/labs/{lab_id}/similarity", status_code=202, dependencies=[Grader])
def start(db: Db, user: CurrentUser, lab_id: str, body: SimilarityIn | None = None) -> dict:
    run = service.start_run(db, get_lab(db, lab_id), user, (body or SimilarityIn()).threshold)
    return {"id": run.id, "state": run.state, "threshold": run.threshold}


@router.get("/similarity-runs/{run_id}", dependencies=[Grader])
def get_run(db: Db, user: CurrentUser, run_id: RowId) -> dict:
    run = service.get_run(db, run_id)
    return {"id": run.id, "lab_id": run.lab_id, "state": run.state, "threshold": run.threshold,
            "compared": run.compared, "flagged": run.flagged, "top_unflagged": run.top_unflagged, "error": run.error,
            "pairs": [{"id": pair.id, "score": pair.score, "jaccard": pair.jaccard, "status": pair.status,
                       "regions": pair.regions,
                       "a": {"submission_id": a.id, "student": {"id": ua.id, "name": ua.name}},
                       "b": {"submission_id": b.id, "student": {"id": ub.id, "name": ub.name}}}
                      for pair, a, ua, b, ub in service.run_pairs(db, run.id)]}
