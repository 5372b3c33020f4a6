from app.notifications import service
from app.notifications.models import Notification
from tests.conftest import login

HX = {"HX-Request": "true"}


def test_list_badge_and_open_marks_read(client, db, factory):
    user = factory.user()
    first = service.notify(db, user.id, "feedback_released", "New feedback on LAB02", "Score 5 / 6.", "/labs/lab02")
    service.notify(db, user.id, "regrade_answered", "A grader answered", "", "/labs")
    login(client, user.email)
    page = client.get("/notifications")
    assert page.status_code == 200 and "New feedback on LAB02" in page.text and "2 unread" in page.text
    assert '<span class="badge new">2 new</span>' in page.text  # the nav badge
    opened = client.get(f"/notifications/{first.id}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/labs/lab02"
    assert first.read_at is not None
    assert '<span class="badge new">1 new</span>' in client.get("/").text


def test_mark_read_with_htmx_updates_the_list_and_the_nav_badge(client, db, factory):
    user = factory.user()
    note = service.notify(db, user.id, "score_changed", "Score changed")
    token = login(client, user.email)
    response = client.post(f"/notifications/{note.id}/read", headers={**HX, "X-CSRF-Token": token})
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="notification-list">')
    assert '<span id="nav-notifications-count" hx-swap-oob="true"></span>' in response.text
    assert note.read_at is not None


def test_read_all_without_htmx_redirects(client, db, factory):
    user = factory.user()
    notes = [service.notify(db, user.id, "score_changed", f"n{i}") for i in range(3)]
    token = login(client, user.email)
    response = client.post("/notifications/read-all", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/notifications"
    assert all(n.read_at is not None for n in notes)
    assert "0 unread" in client.get("/notifications").text
    assert client.post("/notifications/read-all").status_code == 403  # no CSRF token


def test_others_notifications_are_not_found_and_unsafe_links_dropped(client, db, factory):
    owner, other = factory.user(), factory.user()
    note = service.notify(db, owner.id, "score_changed", "Private", link="https://evil.example/")
    assert note.link == ""
    token = login(client, other.email)
    assert client.get(f"/notifications/{note.id}", follow_redirects=False).status_code == 404
    assert client.post(f"/notifications/{note.id}/read", headers={**HX, "X-CSRF-Token": token}).status_code == 404
    assert client.get("/notifications/abc").status_code == 422
    assert db.get(Notification, note.id).read_at is None


def test_api_lists_unread_and_marks_all_read(client, db, factory):
    user = factory.user()
    service.notify(db, user.id, "feedback_released", "One")
    headers = {"Authorization": f"Bearer {factory.token(user)}"}
    data = client.get("/api/v1/notifications?unread=true", headers=headers).json()
    assert data["unread"] == 1 and [n["title"] for n in data["items"]] == ["One"] and data["items"][0]["read"] is False
    assert client.post("/api/v1/notifications/read-all", headers=headers).json() == {"marked": 1}
    assert client.get("/api/v1/notifications?unread=true", headers=headers).json()["items"] == []
    assert client.get("/api/v1/notifications").status_code == 401


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/notifications", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
