"""Grader tools (issue 17, point 7): anonymous mode until release, groups by failing-check pattern with one
rubric decision per group, the review page's keyboard shortcuts and previous/next links, code views with one
row per line."""
from __future__ import annotations

from sqlalchemy import select

from app.review import service
from app.review.models import RubricMark
from app.review.render import highlight_code
from tests.conftest import login

HX = {"HX-Request": "true"}


def result(factory, failing: tuple[str, ...]) -> dict:
    tests = [{"name": n, "points": 0.0 if n in failing else 2.0, "max_points": 2.0, "passed": n not in failing,
              "visible": n == "a", "description": "", "feedback": ""} for n in ("a", "b", "c")]
    return factory.result(tests=tests)


def test_anonymous_mode_hides_names_until_release(client, db, factory):
    instructor, grader = factory.user("instructor"), factory.user("grader")
    student = factory.user(name="Zelda Secretname", email="zelda@example.com")
    token = login(client, instructor.email)
    on = client.post("/review/labs/lab02/anonymous", data={"anonymous": "1"}, headers={**HX, "X-CSRF-Token": token})
    assert on.status_code == 200 and "Anonymous grading is <strong>on</strong>" in on.text
    assert service.lab_anonymous(db, "lab02") and service.lab_holds_feedback(db, service.get_lab(db, "lab02"))
    plain = client.post("/review/labs/lab02/anonymous", data={"anonymous": "1", "csrf_token": token},
                        follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/review/labs/lab02#release"
    assert client.post("/review/labs/lab02/anonymous", data={"anonymous": "maybe", "csrf_token": token}).status_code == 400

    sub = factory.graded(student)
    service.add_queue_item(db, sub, "manual_review")
    alias = service.pseudonym("lab02", student.id)
    grader_token = login(client, grader.email)
    for path in ("/review", f"/review/submissions/{sub.id}", "/review/labs/lab02/groups"):
        page = client.get(path)
        assert page.status_code == 200 and "Secretname" not in page.text and "zelda@" not in page.text, path
        assert alias in page.text, path
    client.post(f"/review/submissions/{sub.id}/release", data={"csrf_token": grader_token})
    page = client.get(f"/review/submissions/{sub.id}")
    assert "Zelda Secretname" in page.text and alias not in page.text
    # a grader cannot switch anonymity off
    assert client.post("/review/labs/lab02/anonymous", data={"anonymous": "0", "csrf_token": grader_token}).status_code == 403


def test_groups_by_failing_checks_and_one_rubric_decision_per_group(client, db, factory):
    grader = factory.user("grader")
    lab = service.get_lab(db, "lab02")
    same = [factory.graded(factory.user(), result=result(factory, ("b", "c"))) for _ in range(3)]
    other = factory.graded(factory.user(), result=result(factory, ("c",)))
    item = service.add_rubric_item(db, lab, grader, "Handles empty input", 1, "Empty text is handled.")
    token = login(client, grader.email)
    page = client.get("/review/labs/lab02/groups")
    assert page.status_code == 200 and "3 submission(s) failing <code>b</code>, <code>c</code>" in page.text
    fragment = client.get("/review/labs/lab02/groups", headers=HX)
    assert fragment.status_code == 200 and fragment.text.startswith('<div id="review-groups">')
    groups = service.check_groups(db, "lab02")
    assert [g.failing for g in groups][:2] == [("b", "c"), ("c",)]
    data = {"key": "b,c", "item": str(item.id), "submission": [str(s.id) for s in same] + [str(other.id)]}
    response = client.post("/review/labs/lab02/groups/apply", data=data, headers={**HX, "X-CSRF-Token": token})
    assert response.status_code == 200 and "Rubric applied to 3 submission(s)" in response.text
    assert "1 skipped" in response.text  # `other` fails other checks
    assert [s.score for s in same] == [3.0, 3.0, 3.0] and other.score == 4.0
    marks = list(db.scalars(select(RubricMark).where(RubricMark.rubric_item_id == item.id)))
    assert len(marks) == 3 and all(m.comment == "Empty text is handled." for m in marks)
    again = client.post("/review/labs/lab02/groups/apply", data={**data, "csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/review/labs/lab02/groups"
    empty = client.post("/review/labs/lab02/groups/apply", data={"key": "b,c", "csrf_token": token})
    assert empty.status_code == 400


def test_review_page_documents_its_shortcuts_and_links_neighbours(client, db, factory):
    grader = factory.user("grader")
    subs = [factory.graded(factory.user()) for _ in range(3)]
    for sub in subs:
        service.add_queue_item(db, sub, "manual_review")
    login(client, grader.email)
    page = client.get(f"/review/submissions/{subs[1].id}").text
    assert '<script src="/static/review.js" defer></script>' in page and 'id="review-shortcuts"' in page
    assert f'id="prev-submission" rel="prev" href="/review/submissions/{subs[0].id}"' in page
    assert f'id="next-submission" rel="next" href="/review/submissions/{subs[2].id}"' in page
    for documented in ("next submission", "previous submission", "focus the rubric", "save: apply the rubric"):
        assert documented in page
    assert client.get("/static/review.js").status_code == 200


def test_code_view_is_one_row_per_line_so_numbers_cannot_drift():
    code = "def f():\n    return '" + "x" * 300 + "'\n\n\"\"\"multi\nline\"\"\"\n"
    html = str(highlight_code(code, hl_lines=[2]))
    assert html.count("<tr id=") == 5 and '<tr id="L-2" class="hll">' in html
    # a multi-line string is split at the line end: line 5 holds its last line, whole
    assert '<a href="#L-5" aria-label="line 5">5</a></td><td class="src"><code><span class="sd">line"""</span></code>' in html


def test_anonymous_mode_also_hides_names_on_similarity_and_regrade_pages(client, db, factory):
    from app.review import regrade
    from app.similarity import service as similarity
    from app.similarity.models import SimilarityPair
    from tests.app.similarity.samples import ORIGINAL, RENAMED, STARTER
    from tests.app.similarity.test_service import run_on_test_session

    instructor = factory.user("instructor")
    service.set_lab_anonymous(db, service.get_lab(db, "lab02"), instructor, True)
    db.get(service.Lab, "lab02").starter_code = STARTER
    a = factory.graded(factory.user(name="Ada Original"), code=ORIGINAL)
    b = factory.graded(factory.user(name="Bob Renamed"), code=RENAMED)
    run = similarity.start_run(db, service.get_lab(db, "lab02"), instructor, "0.6")
    run_on_test_session(db, run)
    [pair] = db.scalars(select(SimilarityPair).where(SimilarityPair.run_id == run.id))
    regrade_run = regrade.start_lab_regrade(db, service.get_lab(db, "lab02"), instructor, "check")
    login(client, instructor.email)
    for path in (f"/review/similarity/{run.id}", f"/review/similarity/pairs/{pair.id}",
                 f"/review/regrades/{regrade_run.id}"):
        page = client.get(path)
        assert page.status_code == 200 and "Original" not in page.text and "Renamed" not in page.text, path
        assert service.pseudonym("lab02", a.user_id) in page.text and service.pseudonym("lab02", b.user_id) in page.text
