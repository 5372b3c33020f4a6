"""Schemathesis over /openapi.json: requests generated from the schema, valid and invalid, to every operation
(pages and API) never get a 5xx (issue 12, point 9; docs/security.md "Limits"). Each operation is fuzzed as a
signed-in student (Bearer token); those a student is refused (403) are fuzzed as an instructor instead, so
staff forms and filters are parsed too. Bounded, derandomised and without shrinking: the same requests every
run, well under a minute on two cores."""
from __future__ import annotations

import re

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from sqlalchemy import select

from app.core.db import utcnow
from app.users.models import ApiToken

EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}
# May revoke the very token it is called with, which would leave every later operation a shallow 401.
SELF_REVOKING = {"POST /account/tokens/{token_id}/revoke"}


def _bearer_headers(db, factory, user) -> dict[str, str]:
    token = factory.token(user)
    # Marked as just used, so requests skip the once-a-minute "last used" write, which would wait on the
    # test's open transaction.
    db.scalar(select(ApiToken).where(ApiToken.user_id == user.id)).last_used_at = utcnow()
    return {"Authorization": f"Bearer {token}"}


def _headers_by_role(db, factory) -> dict[str, dict[str, str]]:
    student, bystander = factory.user(), factory.user()
    instructor = factory.user(role="instructor")
    factory.submission(student, status="queued")
    headers = {"student": _bearer_headers(db, factory, student),
               "instructor": _bearer_headers(db, factory, instructor),
               "disposable student": _bearer_headers(db, factory, bystander)}
    db.commit()  # to the test's savepoint: a request that rolls back its own work keeps these rows
    return headers


def _role_for(client: TestClient, operation, headers_by_role) -> str:
    if operation.label in SELF_REVOKING:
        return "disposable student"
    path = re.sub(r"{(\w+)}", lambda match: "lab02" if match.group(1) == "lab_id" else "1", operation.path)
    probe = client.request(operation.method.upper(), path, headers=headers_by_role["student"])
    return "instructor" if probe.status_code == 403 else "student"


def _server_errors(operation, mode: GenerationMode, headers: dict[str, str]) -> list[str]:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION[mode], derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
              report_multiple_bugs=False)
    def fuzz(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    try:
        fuzz()
    except Unsatisfiable:  # nothing about this operation can be made invalid (no parameters, no body)
        return []
    except Exception as exc:  # noqa: BLE001 - the failure, with schemathesis' reproduction, is the report
        return [f"{operation.label} ({mode.value}): {exc}"]
    return []


def test_no_generated_request_gets_a_server_error(app, db, factory):
    headers_by_role = _headers_by_role(db, factory)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 100
    failures = []
    with TestClient(app) as client:
        for operation in operations:
            headers = headers_by_role[_role_for(client, operation, headers_by_role)]
            for mode in GenerationMode:
                failures += _server_errors(operation, mode, headers)
    assert not failures, "\n\n".join(failures)
