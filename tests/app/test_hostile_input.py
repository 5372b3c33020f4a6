"""Hostile input gets a 4xx with a reason, never a 5xx (issue 12, point 9): path ids past what the database can
bind, JSON nested past the parser's recursion limit, notebooks whose cells are not text."""
from __future__ import annotations

import json
import re

import nbformat
import pytest
from sqlalchemy import func, select

from app.core.params import MAX_ROW_ID
from app.labs.models import Submission
from tests.conftest import SENT_TASKS, login

CODE = "def word_counts(text):\n    return {}\n"
HOSTILE_IDS = [2**63, 2**64 + 1, 10**30, MAX_ROW_ID + 1, 0, -1]
HTMX = {"HX-Request": "true"}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def count_submissions(db) -> int:
    return db.scalar(select(func.count()).select_from(Submission))


@pytest.mark.parametrize("hostile_id", HOSTILE_IDS)
def test_path_id_above_int64_is_404_not_500(client, factory, hostile_id):
    student = factory.user()
    token = factory.token(student)
    csrf = login(client, student.email)
    for page in ["/submissions/{}", "/submissions/{}/status", "/notifications/{}", "/weeks/{}",
                 "/quizzes/attempts/{}"]:
        url = page.format(hostile_id)
        full = client.get(url, follow_redirects=False)
        assert full.status_code == 404 and "<html" in full.text, url
        toast = client.get(url, headers=HTMX)
        assert toast.status_code == 404 and toast.headers["HX-Retarget"] == "#toasts", url
    revoke = client.post(f"/account/tokens/{hostile_id}/revoke", headers={**HTMX, "X-CSRF-Token": csrf})
    assert revoke.status_code == 404
    for url in [f"/api/v1/submissions/{hostile_id}", f"/api/v1/quizzes/attempts/{hostile_id}",
                f"/api/v1/regrade-requests/{hostile_id}"]:
        response = client.get(url, headers=auth(token))
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    request = client.post(f"/api/v1/submissions/{hostile_id}/regrade-requests", json={"message": "please"},
                          headers=auth(token))
    assert request.status_code == 404


def test_path_id_above_int64_is_404_for_staff_pages_too(client, factory):
    instructor = factory.user(role="instructor")
    login(client, instructor.email)
    for url in [f"/instructor/cohorts/{2**63}/gradebook", f"/review/submissions/{2**63}",
                f"/instructor/exports/{2**64}/download"]:
        assert client.get(url).status_code == 404, url
        assert client.get(url, headers=HTMX).status_code == 404, url


def test_a_malformed_path_id_is_still_explained(client, factory):
    login(client, factory.user().email)
    response = client.get("/submissions/abc", headers={"Accept": "application/json"})
    assert response.status_code == 422 and "submission_id" in response.json()["detail"]


def test_every_integer_path_parameter_is_bounded(app):
    """A route added later with a plain `int` id would reach the database unbounded: use app.core.params."""
    unbounded = []
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                if parameter["in"] == "path" and schema.get("type") == "integer" and not (
                        schema.get("minimum", 0) >= 1 and schema.get("maximum", 2**63) <= MAX_ROW_ID):
                    unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    assert unbounded == []


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("body", [nested(100_000), b'{"code": ' + nested(100_000) + b"}"],
                         ids=["top-level", "in-the-code-field"])
def test_deeply_nested_json_submission_is_4xx(client, factory, db, body):
    token = factory.token(factory.user())
    before = count_submissions(db)
    response = client.post("/api/v1/labs/lab02/submissions", content=body,
                           headers={**auth(token), "Content-Type": "application/json"})
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]
    assert count_submissions(db) == before and SENT_TASKS == []


def test_json_number_too_long_to_convert_is_4xx(client, factory):
    token = factory.token(factory.user())
    response = client.post("/api/v1/labs/lab02/submissions", content=b'{"code": ' + b"9" * 50_000 + b"}",
                           headers={**auth(token), "Content-Type": "application/json"})
    assert response.status_code == 400 and "not valid JSON" in response.json()["detail"]


def json_operations(app) -> list[tuple[str, str]]:
    return [(method.upper(), path) for path, item in app.openapi()["paths"].items()
            for method, operation in item.items()
            if "application/json" in operation.get("requestBody", {}).get("content", {})]


def fill_path(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda match: "lab02" if match.group(1) == "lab_id" else "1", path)


@pytest.mark.parametrize("depth", [900, 100_000], ids=["parseable-but-deep", "past-the-recursion-limit"])
def test_deeply_nested_json_to_any_json_operation_is_never_5xx(client, factory, app, depth):
    """Every JSON body the API accepts, as a student and as an instructor (whose operations parse further)."""
    operations = json_operations(app) + [("POST", "/api/v1/labs/{lab_id}/submissions")]  # reads its own body
    assert len(operations) >= 8
    for role in ("student", "instructor"):
        headers = {**auth(factory.token(factory.user(role=role))), "Content-Type": "application/json"}
        for method, path in operations:
            for body in (nested(depth), b'{"answer": ' + nested(depth) + b', "question_id": "q", "message": '
                         + nested(depth) + b"}"):
                response = client.request(method, fill_path(path), content=body, headers=headers)
                # Parseable JSON may even be accepted (unknown fields are ignored); unparseable never is.
                lowest = 400 if depth > 1000 else 200
                assert lowest <= response.status_code < 500, (role, method, path, response.status_code)


def notebook_with_code_cell(source) -> bytes:
    notebook = json.loads(nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])))
    notebook["cells"][0]["source"] = source
    return json.dumps(notebook).encode()


NON_TEXT_SOURCES = [5, {"code": "x = 1"}, [1, 2], None]


@pytest.mark.parametrize("source", NON_TEXT_SOURCES, ids=["number", "object", "list-of-numbers", "null"])
def test_ipynb_with_non_string_source_is_4xx(client, factory, db, source):
    student = factory.user()
    token = factory.token(student)
    csrf = login(client, student.email)
    upload = {"file": ("lab.ipynb", notebook_with_code_cell(source), "application/json")}
    before = count_submissions(db)
    api = client.post("/api/v1/labs/lab02/submissions", files=upload, headers=auth(token))
    assert api.status_code == 400, api.text
    assert "notebook" in api.json()["detail"] and "export" in api.json()["detail"]
    page = client.post("/labs/lab02/submissions", data={"csrf_token": csrf}, files=upload, follow_redirects=False)
    assert page.status_code == 400 and "<html" in page.text and "notebook" in page.text
    toast = client.post("/labs/lab02/submissions", files=upload, headers={**HTMX, "X-CSRF-Token": csrf})
    assert toast.status_code == 400 and toast.headers["HX-Retarget"] == "#toasts"
    assert count_submissions(db) == before and SENT_TASKS == []


@pytest.mark.parametrize("notebook", [b'{"cells": 5, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
                                      b'{"cells": [5], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
                                      b"[1, 2]", nested(100_000)],
                         ids=["cells-not-a-list", "cell-not-an-object", "not-an-object", "deeply-nested"])
def test_malformed_ipynb_is_4xx(client, factory, notebook):
    token = factory.token(factory.user())
    response = client.post("/api/v1/labs/lab02/submissions", files={"file": ("lab.ipynb", notebook)},
                           headers=auth(token))
    assert response.status_code == 400 and "notebook" in response.json()["detail"]


def test_a_notebook_with_list_sources_still_works(client, factory, db):
    """nbformat's own multi-line form (a list of lines) is text, not hostile."""
    student = factory.user()
    response = client.post("/api/v1/labs/lab02/submissions",
                           files={"file": ("lab.ipynb", notebook_with_code_cell(CODE.splitlines(keepends=True)))},
                           headers=auth(factory.token(student)))
    assert response.status_code == 202
    assert db.get(Submission, response.json()["id"]).code.strip() == CODE.strip()


HOSTILE_NUMBERS = [str(2**63), "99999999999999999999", "²", "0"]  # "²".isdigit() is True; int("²") fails


@pytest.mark.parametrize("number", HOSTILE_NUMBERS, ids=["2^63", "20-digits", "superscript-two", "zero"])
def test_staff_forms_and_filters_with_hostile_ids_are_4xx(client, factory, number):
    from app.review.service import add_queue_item

    grader = factory.user(role="grader")
    item = add_queue_item(client.app.state.session_override, factory.submission(factory.user()), "manual_review")
    csrf = login(client, grader.email)
    for url in [f"/review?cohort={number}", f"/review?assignee={number}", f"/api/v1/review/queue?cohort={number}"]:
        for headers in ({}, HTMX):
            response = client.get(url, headers=headers)
            assert response.status_code == 400, (url, headers, response.status_code)
    for headers in ({"X-CSRF-Token": csrf}, {**HTMX, "X-CSRF-Token": csrf}):
        assign = client.post(f"/review/queue/{item.id}/assign", data={"assignee": number}, headers=headers)
        assert assign.status_code == 400 and "grader" in assign.text
        rubric = client.post(f"/review/submissions/{item.submission_id}/rubric", data={"item": number},
                             headers=headers)
        assert rubric.status_code == 400 and "rubric items" in rubric.text



def test_revoked_api_token_on_a_page_is_a_401_not_a_redirect_loop(client, factory, db):
    """Sending the client to sign in cannot cure a rejected token: the sign-in page would meet it again."""
    from app.core.db import utcnow
    from app.users.models import ApiToken

    student = factory.user()
    token = factory.token(student)
    db.scalar(select(ApiToken).where(ApiToken.user_id == student.id)).revoked_at = utcnow()
    for url in ["/labs", "/login", "/submissions/1"]:
        page = client.get(url, headers=auth(token), follow_redirects=False)
        assert page.status_code == 401 and "not valid" in page.text and "<html" in page.text, url
        toast = client.get(url, headers={**auth(token), **HTMX})
        assert toast.status_code == 401 and "HX-Redirect" not in toast.headers, url
    assert client.get("/api/v1/labs", headers=auth(token)).json()["code"] == "bad_token"
    # A browser whose session ended is still sent to sign in.
    assert client.get("/labs", follow_redirects=False).headers["location"].startswith("/login")
