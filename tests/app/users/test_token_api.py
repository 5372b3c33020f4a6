"""POST /api/v1/tokens: an email and password buy a personal API token (what `llmcourse login` uses),
rate-limited like the sign-in form."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("htmx", [False, True])
def test_the_right_password_gets_a_working_token(client, factory, htmx):
    user = factory.user(email="t@example.com")
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post("/api/v1/tokens", json={"email": "T@example.com ", "password": "password123",
                                                   "name": "laptop"}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "laptop" and body["token"].startswith("llmc_")
    me = client.get("/api/v1/me/progress", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["user"]["email"] == user.email


@pytest.mark.parametrize("htmx", [False, True])
def test_a_wrong_password_is_a_json_401_and_no_token(client, factory, htmx):
    factory.user(email="t@example.com")
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post("/api/v1/tokens", json={"email": "t@example.com", "password": "nope-nope"},
                           headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong email or password.", "code": "bad_credentials"}


def test_bad_input_is_a_clear_422(client):
    response = client.post("/api/v1/tokens", json={"email": "x@example.com"})
    assert response.status_code == 422 and "password" in response.json()["detail"]
    assert client.post("/api/v1/tokens", content=b"not json", headers={"content-type": "application/json"}
                       ).status_code == 422


def test_guessing_a_password_is_rate_limited_per_account(client, factory):
    factory.user(email="t@example.com")
    answers = [client.post("/api/v1/tokens", json={"email": "t@example.com", "password": f"guess-{n}"}).status_code
               for n in range(7)]
    assert answers[:5] == [401] * 5 and answers[5:] == [429, 429]
    right = client.post("/api/v1/tokens", json={"email": "t@example.com", "password": "password123"})
    assert right.status_code == 429 and "Too many failed sign-ins" in right.json()["detail"]
