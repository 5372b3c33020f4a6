"""The lab editor's server side (issue 17, point 1): autosaved drafts, reset to starter, draft vs attempt diff.
Every route is exercised as HTMX (fragment) and as a plain form post (no JavaScript)."""
from __future__ import annotations

from app.labs.models import LabDraft
from tests.conftest import login

DRAFT = "def word_counts(text):\n    counts = {}\n    return counts\n"


def test_lab_page_mounts_the_vendored_editor_over_a_textarea(client, factory):
    login(client, factory.user().email)
    page = client.get("/labs/lab02").text
    assert '<textarea id="code" name="code"' in page and 'data-editor="python"' in page  # the no-JS fallback
    assert "/static/vendor/codemirror-6.44.2.min.js" in page and "/static/editor.js" in page
    assert 'data-draft-url="/labs/lab02/draft"' in page and '<template id="starter-code">' in page
    assert "Esc then Tab" in page and "Ctrl+Enter" in page
    assert client.get("/static/vendor/codemirror-6.44.2.min.js").status_code == 200


def test_autosave_with_htmx_keeps_the_draft_across_reloads(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/labs/lab02/draft", data={"code": DRAFT}, headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200 and 'id="draft-status"' in response.text and "Draft saved" in response.text
    assert db.get(LabDraft, (user.id, "lab02")).code == DRAFT
    page = client.get("/labs/lab02").text
    assert "counts = {}" in page and "Draft saved" in page  # the reload shows the draft, not the starter


def test_save_draft_without_js_redirects_back_to_the_editor(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/labs/lab02/draft", data={"code": DRAFT, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/labs/lab02#code"
    assert db.get(LabDraft, (user.id, "lab02")).code == DRAFT


def test_a_draft_too_large_or_for_an_unknown_lab_is_refused(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    big = client.post("/labs/lab02/draft", data={"code": "x = 1\n" * 50000}, headers=headers)  # 300 KB
    assert big.status_code == 413 and "limit" in big.text
    assert client.post("/labs/lab99/draft", data={"code": DRAFT}, headers=headers).status_code == 404
    assert db.get(LabDraft, (user.id, "lab02")) is None


def test_reset_to_starter_with_htmx_and_with_a_confirm_page_without_js(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    client.post("/labs/lab02/draft", data={"code": DRAFT}, headers=headers)
    response = client.post("/labs/lab02/draft/reset", headers=headers)
    assert response.status_code == 200 and "Reset to the starter file" in response.text
    assert db.get(LabDraft, (user.id, "lab02")) is None
    assert "NotImplementedError" in client.get("/labs/lab02").text

    client.post("/labs/lab02/draft", data={"code": DRAFT}, headers=headers)
    confirm = client.post("/labs/lab02/draft/reset", data={"csrf_token": token}, follow_redirects=False)
    assert confirm.status_code == 200 and "Reset LAB02 to the starter file?" in confirm.text
    assert db.get(LabDraft, (user.id, "lab02")).code == DRAFT  # nothing lost before the confirm
    done = client.post("/labs/lab02/draft/reset?confirmed=1", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and db.get(LabDraft, (user.id, "lab02")) is None


def test_diff_of_the_draft_against_an_attempt(client, factory, db):
    user = factory.user()
    earlier = factory.graded(user, code="def word_counts(text):\n    return {}\n")
    token = login(client, user.email)
    response = client.post("/labs/lab02/diff", data={"against": earlier.id, "code": DRAFT},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200 and 'id="diff-view"' in response.text
    assert '<span class="diff-del">-    return {}</span>' in response.text
    assert '<span class="diff-add">+    counts = {}</span>' in response.text
    same = client.post("/labs/lab02/diff", data={"against": earlier.id, "code": earlier.code},
                       headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert "No differences" in same.text
    # without JS: the saved draft is compared, on a page of its own
    client.post("/labs/lab02/draft", data={"code": DRAFT, "csrf_token": token})
    page = client.post("/labs/lab02/diff", data={"against": earlier.id, "csrf_token": token})
    assert page.status_code == 200 and "<!doctype html>" in page.text and "diff-add" in page.text


def test_diff_refuses_someone_elses_attempt_or_another_lab(client, factory):
    user, other = factory.user(), factory.user()
    theirs = factory.graded(other)
    mine_elsewhere = factory.graded(user, lab_id="lab09")
    token = login(client, user.email)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    assert client.post("/labs/lab02/diff", data={"against": theirs.id, "code": DRAFT}, headers=headers).status_code == 404
    wrong_lab = client.post("/labs/lab02/diff", data={"against": mine_elsewhere.id, "code": DRAFT}, headers=headers)
    assert wrong_lab.status_code == 404 and "not an attempt at lab02" in wrong_lab.text
    assert client.post("/labs/lab02/diff", data={"against": "x", "code": DRAFT}, headers=headers).status_code == 422


def test_quiz_code_questions_get_the_editor(client, factory, db):
    from app.quizzes import service as quizzes
    from tests.app.quizzes.helpers import CODE, SINGLE

    user = factory.user()
    login(client, user.email)
    quiz = factory.quiz([CODE, SINGLE], week_number=2)
    attempt, _ = quizzes.start_attempt(db, user, quiz.id)
    page = client.get(f"/quizzes/attempts/{attempt.id}").text
    assert 'class="code quiz-code"' in page and 'data-editor="python"' in page  # textarea kept without JS
    assert "/static/vendor/codemirror-6.44.2.min.js" in page and "/static/editor.js" in page
    assert "/static/editor.js" in client.get(f"/quizzes/{quiz.id}").text  # "Start attempt" swaps the questions in
