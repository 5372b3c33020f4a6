def test_bearer_token_reaches_the_api(client, factory):
    user = factory.user()
    token = factory.token(user)
    response = client.get("/api/v1/me/progress", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == user.email and len(body["weeks"]) == 33


def test_bad_token_is_a_json_401(client):
    response = client.get("/api/v1/me/progress", headers={"Authorization": "Bearer llmc_nope"})
    assert response.status_code == 401
    assert response.json() == {"detail": "The API token is not valid (unknown or revoked).", "code": "bad_token"}


def test_no_credentials_is_a_json_401(client):
    response = client.get("/api/v1/me/progress")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_healthz_and_openapi(client):
    assert client.get("/healthz").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert "/api/v1/labs/{lab_id}/submissions" in spec["paths"]
    assert client.get("/docs").status_code == 200
