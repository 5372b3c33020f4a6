from app.course.models import ChecklistProgress
from tests.conftest import csrf_from, login


def test_week_page_renders_markdown_and_checklist(client, factory):
    user = factory.user()
    login(client, user.email)
    page = client.get("/weeks/3")
    assert page.status_code == 200
    assert "Tokenization" in page.text
    assert 'id="item-w03-' in page.text
    assert "<h2" in page.text  # markdown rendered


def test_unknown_week_is_404_page(client, factory):
    login(client, factory.user().email)
    response = client.get("/weeks/99")
    assert response.status_code == 404
    assert "Week 99 was not found" in response.text


def test_tick_item_with_htmx_returns_fragment(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/weeks/3/items/w03-tokenization", data={"done": "1"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div class="check-row done"')
    assert db.get(ChecklistProgress, (user.id, "w03-tokenization")).done is True


def test_tick_item_without_js_redirects_back(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/weeks/3/items/w03-tokenization", data={"done": "1", "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/weeks/3#item-w03-tokenization"
    page = client.get("/weeks/3")
    assert 'class="check-row done" id="item-w03-tokenization"' in page.text


def test_tick_requires_csrf(client, factory, db):
    user = factory.user()
    login(client, user.email)
    response = client.post("/weeks/3/items/w03-tokenization", data={"done": "1"}, follow_redirects=False)
    assert response.status_code == 403
    assert db.get(ChecklistProgress, (user.id, "w03-tokenization")) is None


def test_tick_without_enrollment_is_refused(client, factory, db):
    user = factory.user(enrolled=False)
    token = login(client, user.email)
    response = client.post("/weeks/3/items/w03-tokenization", data={"done": "1"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#toasts"
    assert "Join a cohort" in response.text
    assert db.get(ChecklistProgress, (user.id, "w03-tokenization")) is None


def test_item_of_another_week_is_rejected(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/weeks/4/items/w03-tokenization", data={"done": "1", "csrf_token": token})
    assert response.status_code == 404
    assert db.get(ChecklistProgress, (user.id, "w03-tokenization")) is None


def test_home_shows_progress_and_continue(client, factory):
    user = factory.user()
    token = login(client, user.email)
    client.post("/weeks/5/items/w05-word-embeddings", data={"done": "1", "csrf_token": token})
    home = client.get("/")
    assert "Continue: week 5" in home.text
    assert csrf_from(home.text)
