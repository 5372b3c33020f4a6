"""One typed result (GradeResult): stored by the worker, served by the API (documented in /openapi.json),
printed by the CLI's --json, shown by the pages; hidden seeds stay out of everything a student sees."""
from __future__ import annotations

from app.labs.schemas import GradeResult, ResultStatus
from tests.conftest import login


def test_the_api_serves_the_stored_result_as_a_grade_result(client, factory, db):
    student = factory.user("student")
    submission = factory.graded(student, result=factory.result(hidden_seeds=[11, 22]))
    assert submission.hidden_seeds == [11, 22] and "hidden_seeds" not in submission.result
    token = factory.token(student)
    body = client.get(f"/api/v1/submissions/{submission.id}", headers={"Authorization": f"Bearer {token}"}).json()
    result = GradeResult.model_validate(body)
    assert result.status is ResultStatus.GRADED and result.score == 2.0 and result.max_score == 5.0
    assert result.timings.queued_at is not None and result.timings.claimed_at is not None
    assert "hidden_seeds" not in body and "platform_error" not in body


def test_openapi_documents_the_grade_result():
    from app.main import create_app

    spec = create_app().openapi()
    response = spec["paths"]["/api/v1/submissions/{submission_id}"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"]["$ref"].endswith("/GradeResult")
    statuses = spec["components"]["schemas"]["ResultStatus"]["enum"]
    assert {"graded", "error", "timeout", "rejected"} <= set(statuses)


def test_the_lab_page_shows_the_same_score(client, factory, db):
    student = factory.user("student")
    submission = factory.graded(student)
    login(client, student.email)
    page = client.get(f"/submissions/{submission.id}")
    assert page.status_code == 200 and "counts_visible" in page.text
