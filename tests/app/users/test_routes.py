from sqlalchemy import func, select

from app.users.models import ApiToken, User
from tests.conftest import csrf_from, login


def signup(client, email="new@example.com", password="password123", name="New", invite_code=""):
    token = csrf_from(client.get("/signup").text)
    return client.post("/signup", data={"email": email, "password": password, "name": name,
                                        "invite_code": invite_code, "csrf_token": token}, follow_redirects=False)


def count_users(db) -> int:
    return db.scalar(select(func.count()).select_from(User))


def test_signup_signs_in_and_asks_for_a_cohort(client, db):
    response = signup(client)
    assert response.status_code == 303 and response.headers["location"] == "/join"
    user = db.scalar(select(User).where(User.email == "new@example.com"))
    assert user.role == "student" and user.password_hash.startswith("$argon2")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "Your course" in client.get("/").text


def test_signup_with_invite_code_joins_the_cohort(client, factory, db):
    cohort = factory.cohort()
    response = signup(client, invite_code=cohort.invite_code.lower())
    assert response.headers["location"] == "/"


def test_duplicate_email_is_a_clear_409(client, factory, db):
    factory.user(email="taken@example.com")
    before = count_users(db)
    response = signup(client, email="Taken@Example.com")
    assert response.status_code == 409
    assert "already exists" in response.text
    assert count_users(db) == before


def test_bad_invite_code_writes_nothing(client, db):
    before = count_users(db)
    response = signup(client, invite_code="NOPE1234")
    assert response.status_code == 400 and "invite code is not valid" in response.text
    assert count_users(db) == before


def test_short_password_and_bad_email(client, db):
    assert signup(client, password="short").status_code == 400
    response = signup(client, email="not-an-email")
    assert response.status_code == 400 and "valid email" in response.text


def test_wrong_password(client, factory):
    user = factory.user()
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": user.email, "password": "wrong-password", "csrf_token": token})
    assert response.status_code == 401
    assert "Wrong email or password" in response.text


def test_login_is_rate_limited_per_address(client, factory):
    users = [factory.user() for _ in range(12)]  # one try each: the per-account limit stays out of play
    token = csrf_from(client.get("/login").text)
    codes = [client.post("/login", data={"email": user.email, "password": "nope-nope", "csrf_token": token}).status_code
             for user in users]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429


def test_signup_is_rate_limited(client, db):
    codes = [signup(client, email=f"x{i}@example.com").status_code for i in range(7)]
    assert 429 in codes


def test_forms_need_csrf(client, factory):
    user = factory.user()
    response = client.post("/login", data={"email": user.email, "password": "password123"})
    assert response.status_code == 403 and "stale" in response.text


def test_logout(client, factory):
    user = factory.user()
    token = login(client, user.email)
    client.post("/logout", data={"csrf_token": token})
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_malformed_form_is_a_4xx(client, factory):
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", content=b"\xff\xfe garbage", headers={
        "content-type": "application/x-www-form-urlencoded", "x-csrf-token": token})
    assert 400 <= response.status_code < 500


def test_oversized_form_is_413(client):
    response = client.post("/signup", content=b"a=" + b"x" * 600_000,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_create_and_revoke_token_with_htmx(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/account/tokens", data={"name": "laptop"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200 and response.text.startswith('<div id="tokens">')
    row = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.name == "laptop"
    response = client.post(f"/account/tokens/{row.id}/revoke", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200 and "No active tokens" in response.text
    assert row.revoked_at is not None


def test_create_token_without_htmx_renders_account_page(client, factory):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/account/tokens", data={"name": "cli", "csrf_token": token})
    assert response.status_code == 200
    assert "<h1>Your account</h1>" in response.text and 'id="new-token"' in response.text


def test_revoking_someone_elses_token_is_404(client, factory):
    owner = factory.user()
    factory.token(owner)
    other = factory.user()
    token = login(client, other.email)
    response = client.post("/account/tokens/1/revoke", data={"csrf_token": token})
    assert response.status_code == 404
