"""The gradebook: weights, totals, CSV columns and values, the API contract, background exports."""
import csv
import io
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.tasks import GRADEBOOK_EXPORT
from app.course.models import ChecklistItem
from app.dashboard import gradebook
from app.dashboard.models import GradebookExport, GradebookSettings
from app.labs.models import Lab
from app.quizzes.models import Quiz
from tests.app.dashboard.helpers import cohort_started, first_week_with_lab, items_of, labs_of, quiz_of, students_in
from tests.conftest import login


def _course(db):
    labs = {lab_id: m for lab_id, m in db.execute(select(Lab.id, Lab.max_score).where(Lab.gradeable.is_(True)))}
    quizzes = db.scalar(select(func.count()).select_from(Quiz).where(Quiz.active.is_(True)))
    items = db.scalar(select(func.count()).select_from(ChecklistItem).where(ChecklistItem.active.is_(True)))
    return labs, quizzes, items


def _graded_student(factory, cohort, name="Grace Hopper"):
    """3 ticks; the first lab at 4 then 6 points; week 1 quiz 5/10 then 8/10; week 2 quiz 3/6."""
    db = factory.db
    (student,) = students_in(factory, cohort, 1)
    student.name = name
    for item_id in items_of(db, 1)[:3]:
        factory.tick(student, item_id)
    lab = labs_of(db, first_week_with_lab(db))[0]
    factory.submission(student, lab.id, score=4.0, max_score=lab.max_score)
    factory.submission(student, lab.id, score=6.0, max_score=lab.max_score)
    factory.quiz_attempt(student, quiz_of(db, 1), 5.0, 10.0, passed=False)
    factory.quiz_attempt(student, quiz_of(db, 1), 8.0, 10.0, passed=True)
    factory.quiz_attempt(student, quiz_of(db, 2), 3.0, 6.0, passed=False)
    db.flush()
    return student, lab


def _csv(text):
    return list(csv.reader(io.StringIO(text)))


def test_csv_columns_and_totals(client, factory, db):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 3, "Spring")
    student, lab = _graded_student(factory, cohort)
    labs, n_quizzes, n_items = _course(db)
    login(client, instructor.email)
    response = client.get(f"/api/v1/gradebook.csv?cohort={cohort.id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="gradebook-cohort{cohort.id}-' in response.headers["content-disposition"]
    header, *rows = _csv(response.text)
    lay = gradebook.layout(db)
    lab_columns = [f"{lab_id} (/{m:g})" for lab_id, _, m in lay.labs]
    quiz_columns = [f"quiz week{w:02d} (%)" for w, _ in lay.quizzes]
    assert header == (["user_id", "name", "email", "cohort"] + lab_columns + quiz_columns +
                      [f"checklist (/{n_items})", "checklist % (weight 10)", "quizzes % (weight 30)",
                       "labs % (weight 40)", "capstone % (weight 20)", "total %", "late weeks"])
    assert len(lab_columns) == len(labs) and len(quiz_columns) == n_quizzes
    (row,) = rows
    values = dict(zip(header, row))
    assert (values["user_id"], values["name"], values["email"], values["cohort"]) == (
        str(student.id), "Grace Hopper", student.email, cohort.name)
    assert values[f"{lab.id} (/{lab.max_score:g})"] == "6"
    assert values["quiz week01 (%)"] == "80" and values["quiz week02 (%)"] == "50" and values["quiz week03 (%)"] == ""
    assert values[f"checklist (/{n_items})"] == "3"
    checklist, quizzes, lab_share = 3 / n_items, (0.8 + 0.5) / n_quizzes, 6 / sum(labs.values())
    assert float(values["checklist % (weight 10)"]) == round(100 * checklist, 1)
    assert float(values["quizzes % (weight 30)"]) == round(100 * quizzes, 1)
    assert float(values["labs % (weight 40)"]) == round(100 * lab_share, 1)
    assert values["capstone % (weight 20)"] == ""  # no capstone lab: the category drops out of the total
    assert float(values["total %"]) == round(100 * (10 * checklist + 30 * quizzes + 40 * lab_share) / 80, 1)
    assert values["late weeks"] == "0"


def test_capstone_and_weights_change_the_total(db, factory):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 3)
    student, lab = _graded_student(factory, cohort)
    labs, n_quizzes, n_items = _course(db)
    gradebook.update_weights(db, instructor, {"checklist": "0", "quizzes": "50", "labs": "25", "capstone": "25"},
                             [lab.id])
    lay = gradebook.layout(db)
    assert [c[0] for c in lay.capstone] == [lab.id] and lab.id not in [c[0] for c in lay.labs]
    (row,) = gradebook.grade_rows(db, [cohort], lay)
    others = sum(m for lab_id, m in labs.items() if lab_id != lab.id)
    quizzes = (0.8 + 0.5) / n_quizzes
    assert row.pct["capstone"] == pytest.approx(6 / lab.max_score)
    assert row.pct["labs"] == (0.0 if others else None)
    expected = (50 * quizzes + 25 * 0.0 + 25 * 6 / lab.max_score) / (100 if others else 75)
    assert row.total == pytest.approx(expected)
    (summary_row,) = gradebook.summary_rows(db, cohort, lay)  # the page's aggregate path agrees
    assert summary_row.total == pytest.approx(row.total) and summary_row.pct == pytest.approx(row.pct)
    header = gradebook.columns(lay)
    assert f"{lab.id} capstone (/{lab.max_score:g})" in header


def test_late_weeks_in_the_gradebook(db, factory):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 60)
    student, lab = _graded_student(factory, cohort)  # everything done now, weeks after the due dates
    (row,) = gradebook.grade_rows(db, [cohort])
    late_weeks = {first_week_with_lab(db), 1, 2}
    assert row.late_weeks == len(late_weeks)


def test_csv_protects_spreadsheets_from_formulas(client, factory):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 3)
    _graded_student(factory, cohort, name="=HYPERLINK(\"http://x\")")
    login(client, instructor.email)
    header, row = _csv(client.get(f"/api/v1/gradebook.csv?cohort={cohort.id}").text)
    assert row[1] == "'=HYPERLINK(\"http://x\")"


def test_csv_of_every_own_cohort_lists_each_student_once(client, factory):
    instructor = factory.user("instructor")
    first, second = cohort_started(factory, instructor, 3, "A"), cohort_started(factory, instructor, 3, "B")
    (both,) = students_in(factory, first, 1)
    factory.enroll(both, second)
    students_in(factory, second, 2)
    foreign = cohort_started(factory, factory.user("instructor"), 3, "Foreign")
    (stranger,) = students_in(factory, foreign, 1)
    token = factory.token(instructor)
    response = client.get("/api/v1/gradebook.csv", headers={"Authorization": f"Bearer {token}"})
    header, *rows = _csv(response.text)
    assert len(rows) == 3
    assert str(stranger.id) not in {r[0] for r in rows}
    assert next(r for r in rows if r[0] == str(both.id))[3] == f"{first.name}; {second.name}"
    admin_rows = _csv(client.get("/api/v1/gradebook.csv",
                                 headers={"Authorization": f"Bearer {factory.token(factory.user('admin'))}"}).text)
    assert str(stranger.id) in {r[0] for r in admin_rows[1:]}


@pytest.mark.parametrize("role,status", [("anonymous", 401), ("student", 403), ("grader", 403)])
def test_csv_is_for_instructors_only(client, factory, role, status):
    cohort = cohort_started(factory, factory.user("instructor"), 3)
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {factory.token(factory.user(role))}"}
    response = client.get(f"/api/v1/gradebook.csv?cohort={cohort.id}", headers=headers)
    assert response.status_code == status and response.json()["detail"]
    assert client.get("/api/v1/gradebook.csv?cohort=abc", headers=headers).status_code in (400, status)


def test_gradebook_page_and_fragment(client, factory):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 3)
    strong, _ = _graded_student(factory, cohort, "Strong Student")
    weak = students_in(factory, cohort, 1, prefix="Weak")[0]
    login(client, instructor.email)
    page = client.get(f"/instructor/cohorts/{cohort.id}/gradebook?sort=total")
    assert page.status_code == 200 and "<h1>Gradebook" in page.text
    assert page.text.index("Strong Student") < page.text.index(weak.name)
    assert f'href="/api/v1/gradebook.csv?cohort={cohort.id}"' in page.text
    fragment = client.get(f"/instructor/cohorts/{cohort.id}/gradebook?q=weak", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="gradebook-table"')
    assert weak.name in fragment.text and "Strong Student" not in fragment.text
    assert client.get(f"/instructor/cohorts/{cohort.id}/gradebook?sort=best").status_code == 400
    assert client.get(f"/instructor/cohorts/{cohort.id}/gradebook?page=-1").status_code == 400


def test_weights_form_with_and_without_htmx(client, factory, db):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 3)
    lab_id = labs_of(db, first_week_with_lab(db))[0].id
    token = login(client, instructor.email)
    form = {"checklist": "5", "quizzes": "35", "labs": "40", "capstone": "20"}
    plain = client.post(f"/instructor/cohorts/{cohort.id}/gradebook/weights",
                        data={**form, "capstone_labs": lab_id, "csrf_token": token}, follow_redirects=False)
    assert plain.status_code == 303
    row = db.get(GradebookSettings, 1)
    assert (row.weight_checklist, row.weight_quizzes, row.capstone_labs) == (5.0, 35.0, [lab_id])
    fragment = client.post(f"/instructor/cohorts/{cohort.id}/gradebook/weights", data={**form, "checklist": "15"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="gradebook-body"')
    assert "Weights saved." in fragment.text
    db.expire_all()
    assert db.get(GradebookSettings, 1).weight_checklist == 15.0 and db.get(GradebookSettings, 1).capstone_labs == []


@pytest.mark.parametrize("form,message", [
    ({"checklist": "-1", "quizzes": "1", "labs": "1", "capstone": "1"}, "between 0 and 1000"),
    ({"checklist": "0", "quizzes": "0", "labs": "0", "capstone": "0"}, "At least one weight"),
    ({"checklist": "ten", "quizzes": "1", "labs": "1", "capstone": "1"}, "must be a number"),
    ({"checklist": "nan", "quizzes": "1", "labs": "1", "capstone": "1"}, "between 0 and 1000"),
    ({"checklist": "1", "quizzes": "1", "labs": "1", "capstone": "1", "capstone_labs": "lab99"}, "Not a gradeable"),
])
def test_bad_weights_write_nothing(client, factory, db, form, message):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 3)
    token = login(client, instructor.email)
    page = client.post(f"/instructor/cohorts/{cohort.id}/gradebook/weights", data={**form, "csrf_token": token})
    assert page.status_code == 400 and message in page.text
    toast = client.post(f"/instructor/cohorts/{cohort.id}/gradebook/weights", data=form,
                        headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert toast.status_code == 400 and toast.headers["HX-Retarget"] == "#toasts"
    assert db.get(GradebookSettings, 1) is None


@pytest.fixture
def sent_exports(monkeypatch):
    sent = []
    monkeypatch.setattr("app.core.tasks.deliver",
                        lambda name, args, queue, on_sent=None: sent.append(args[0]) if name == GRADEBOOK_EXPORT else None)
    return sent


def test_large_cohorts_export_in_the_background(client, factory, db, monkeypatch, sent_exports):
    monkeypatch.setattr(gradebook, "EXPORT_INLINE_MAX", 1)
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 3)
    _graded_student(factory, cohort)
    students_in(factory, cohort, 2)
    token = login(client, instructor.email)
    page = client.get(f"/instructor/cohorts/{cohort.id}/gradebook")
    assert "Prepare CSV export" in page.text
    response = client.post(f"/instructor/cohorts/{cohort.id}/gradebook/exports", data={"csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    export = db.scalar(select(GradebookExport))
    assert export.status == "queued" and sent_exports == [export.id]  # sent after the commit
    pending = client.get(f"/instructor/cohorts/{cohort.id}/gradebook/exports", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in pending.text
    assert client.get(f"/instructor/exports/{export.id}/download").status_code == 404  # not ready yet

    @contextmanager
    def same_session():
        yield db
        db.flush()

    monkeypatch.setattr(gradebook, "session_scope", same_session)
    assert gradebook.run_export(export.id) == "done"
    assert gradebook.run_export(export.id) == "skipped"  # a redelivered message does nothing
    db.refresh(export)
    assert (export.status, export.rows) == ("done", 3)
    done = client.get(f"/instructor/cohorts/{cohort.id}/gradebook/exports", headers={"HX-Request": "true"})
    assert f'href="/instructor/exports/{export.id}/download"' in done.text and "every 2s" not in done.text
    download = client.get(f"/instructor/exports/{export.id}/download")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.text == client.get(f"/api/v1/gradebook.csv?cohort={cohort.id}").text
    login(client, factory.user("instructor").email)
    assert client.get(f"/instructor/exports/{export.id}/download").status_code == 403


def test_export_request_with_htmx_and_the_list_without(client, factory, db, sent_exports):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 3)
    token = login(client, instructor.email)
    fragment = client.post(f"/instructor/cohorts/{cohort.id}/gradebook/exports",
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert fragment.status_code == 202 and fragment.text.lstrip().startswith('<div id="exports"')
    assert len(sent_exports) == 1
    plain = client.get(f"/instructor/cohorts/{cohort.id}/gradebook/exports", follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].endswith("/gradebook#exports")
    no_csrf = client.post(f"/instructor/cohorts/{cohort.id}/gradebook/exports")
    assert no_csrf.status_code == 403
    assert db.scalar(select(func.count()).select_from(GradebookExport)) == 1


def test_failed_export_is_recorded(factory, db, monkeypatch):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 3)
    export = GradebookExport(cohort_id=cohort.id, requested_by_id=instructor.id, status="queued", token="t")
    db.add(export)
    db.flush()

    @contextmanager
    def same_session():
        yield db
        db.flush()

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(gradebook, "session_scope", same_session)
    monkeypatch.setattr(gradebook, "write_export", broken)
    assert gradebook.run_export(export.id) == "error"
    db.refresh(export)
    assert export.status == "error" and "disk full" in export.error and export.finished_at is not None
    assert export.created_at <= export.finished_at + timedelta(seconds=1)
