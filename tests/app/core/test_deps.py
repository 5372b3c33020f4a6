"""Request dependencies: an unsafe request's body is received before its transaction begins (on SQLite the
transaction holds the one write lock, which must not wait on a client still sending)."""
from __future__ import annotations

import pytest
from fastapi import Request

from app.core.deps import get_db


@pytest.fixture
def transaction_starts(app, db):
    """Whether the request's body had been received each time a request's transaction began."""
    seen: list[bool] = []

    def recording_get_db(request: Request):
        seen.append(getattr(request, "_body", None) is not None or getattr(request, "_form", None) is not None)
        yield db

    app.dependency_overrides[get_db] = recording_get_db
    yield seen
    app.dependency_overrides.clear()


def test_a_json_upload_is_received_before_the_transaction_begins(client, factory, transaction_starts):
    token = factory.token(factory.user())
    response = client.post("/api/v1/labs/lab02/submissions", json={"code": "def f():\n    return 1\n"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 202
    assert transaction_starts == [True]


def test_a_form_is_received_before_the_transaction_begins(client, factory, transaction_starts):
    factory.user(email="early@example.com")
    response = client.post("/login", data={"email": "early@example.com", "password": "wrong-password"})
    assert response.status_code in (400, 401, 403, 422)
    assert transaction_starts and all(transaction_starts)


def test_a_page_read_begins_without_waiting_for_a_body(client, transaction_starts):
    assert client.get("/login").status_code == 200
    assert transaction_starts == [False]
