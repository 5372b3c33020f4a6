"""Live lab pages (issue 17, points 3-5): numbers updated out of band, a passed lab ticks its checklist item,
cancel a run, server-sent events, the place in the queue and "preparing this lab". HTMX and plain requests."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.db import utcnow
from app.course.models import ChecklistProgress
from app.labs import events
from app.labs.models import GradingJob, Lab
from tests.conftest import login

LAB_PAGE = "http://testserver/labs/lab02"


def test_graded_status_from_the_lab_page_updates_best_score_attempts_and_week_progress(client, factory, db):
    user = factory.user()
    submission = factory.graded(user)  # lab02, full marks
    login(client, user.email)
    fragment = client.get(f"/submissions/{submission.id}/status",
                          headers={"HX-Request": "true", "HX-Current-URL": LAB_PAGE}).text
    assert f'<strong id="best-score" hx-swap-oob="true">{submission.score:g}</strong>' in fragment
    assert '<div class="card" id="attempts" hx-swap-oob="true">' in fragment and "No attempts yet" not in fragment
    assert '<p id="week-progress" class="muted small" hx-swap-oob="true">' in fragment
    # elsewhere (the submission's own page) the fragment carries no out-of-band parts
    other = client.get(f"/submissions/{submission.id}/status",
                       headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver/submissions/{submission.id}"})
    assert "hx-swap-oob" not in other.text
    assert client.get(f"/submissions/{submission.id}/status", follow_redirects=False).status_code == 303


def test_submitting_lists_the_new_attempt_at_once(client, factory):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/labs/lab02/submissions", data={"code": "def word_counts(text):\n    return {}\n"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token, "HX-Current-URL": LAB_PAGE})
    assert response.status_code == 202 and 'id="attempts" hx-swap-oob="true"' in response.text
    assert 'badge status-queued">queued' in response.text


def test_a_fully_passed_lab_ticks_its_own_checklist_item(db, factory):
    from app.labs.service import tick_lab_item

    user = factory.user()
    top = db.get(Lab, "lab02").max_score
    partial = factory.graded(user)  # 2 of 5: no tick
    assert db.get(ChecklistProgress, (user.id, "w01-lab02")) is None and not tick_lab_item(db, partial)
    full = factory.graded(user, result=factory.result(tests=[
        {"name": "all", "points": top, "max_points": top, "passed": True, "visible": True, "feedback": "Passed."}]))
    row = db.get(ChecklistProgress, (user.id, "w01-lab02"))  # ticked by the worker's finish (hooks.after_graded)
    assert row is not None and row.done
    assert not tick_lab_item(db, full)  # already ticked: nothing to do


def test_week_page_progress_moves_with_a_ticked_item(client, factory):
    user = factory.user()
    token = login(client, user.email)
    before = client.get("/weeks/1").text
    assert '<div id="week-progress"' in before
    response = client.post("/weeks/1/items/w01-lab02", data={"done": "1"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200 and 'id="week-progress" hx-swap-oob="true"' in response.text
    assert "0% of this week done" not in response.text
    plain = client.post("/weeks/1/items/w01-lab02", data={"done": "0", "csrf_token": token}, follow_redirects=False)
    assert plain.status_code == 303


def running_submission(factory, db, user):
    submission = factory.submission(user, status="running", score=None)
    job = db.scalar(select(GradingJob).where(GradingJob.submission_id == submission.id))
    job.state, job.claim_token = "running", "a-worker-claim"
    db.flush()
    return submission


def test_cancel_a_queued_run_with_htmx_and_without(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    first = factory.submission(user, status="queued", score=None)
    response = client.post(f"/submissions/{first.id}/cancel", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200 and "You cancelled this run" in response.text and "every 1s" not in response.text
    job = db.scalar(select(GradingJob).where(GradingJob.submission_id == first.id))
    db.refresh(job)
    db.refresh(first)
    assert job.state == "done" and job.claim_token is None and first.status == "error"
    assert client.get(f"/api/v1/submissions/{first.id}").json()["status"] == "error"
    again = client.post(f"/submissions/{first.id}/cancel", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert again.status_code == 409 and "already finished" in again.text

    second = running_submission(factory, db, user)
    plain = client.post(f"/submissions/{second.id}/cancel", data={"csrf_token": token}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/submissions/{second.id}"
    db.refresh(second)
    job = db.scalar(select(GradingJob).where(GradingJob.submission_id == second.id))
    db.refresh(job)
    assert second.status == "error" and job.state == "done" and job.claim_token is None  # the worker lost its claim


def test_only_the_owner_or_staff_can_cancel(client, factory, db):
    owner = factory.user()
    submission = running_submission(factory, db, owner)
    token = login(client, factory.user().email)
    response = client.post(f"/submissions/{submission.id}/cancel", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 404
    db.refresh(submission)
    assert submission.status == "running"


def test_running_fragment_offers_cancel_and_events(client, factory):
    user = factory.user()
    submission = factory.submission(user, status="running", score=None)
    login(client, user.email)
    fragment = client.get(f"/submissions/{submission.id}/status", headers={"HX-Request": "true"}).text
    assert f'data-events="/submissions/{submission.id}/events"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert "Cancel run" in fragment and 'hx-confirm="Cancel this run?' in fragment


def test_events_stream_status_and_live_output(client, factory, db, monkeypatch):
    monkeypatch.setattr(events, "STREAM_SECONDS", 0.3)
    monkeypatch.setattr(events, "POLL_SECONDS", 0.05)
    user = factory.user()
    running = factory.submission(user, status="running", score=None)
    running.live = {"tail": "step 1 loss 2.0\n", "metrics": [{"step": 1.0, "loss": 2.0, "series": "visible 1"}]}
    graded = factory.graded(user)
    login(client, user.email)
    response = client.get(f"/submissions/{running.id}/events")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    assert 'event: status\ndata: {"status":"running"' in response.text
    assert 'event: live\ndata: {"tail":"step 1 loss 2.0\\n","metrics":[{"step":1.0,"loss":2.0,"series":"visible 1"}]}' \
        in response.text
    assert response.text.count("event: live") == 1  # sent again only when it changes
    done = client.get(f"/submissions/{graded.id}/events")
    assert 'event: status\ndata: {"status":"graded"' in done.text and "event: live" not in done.text
    assert client.get(f"/submissions/{graded.id}/events", headers={"HX-Request": "true"}).status_code == 200


def test_events_are_private(client, factory):
    submission = factory.submission(factory.user(), status="running", score=None)
    login(client, factory.user().email)
    assert client.get(f"/submissions/{submission.id}/events").status_code == 404


def test_queued_submission_shows_its_place_and_an_estimate(client, factory, db):
    user, other = factory.user(), factory.user()
    now = utcnow()
    for seconds in (4, 6, 8):  # finished jobs of the cpu queue: a median of 6 s per run
        done = factory.submission(other)
        job = db.scalar(select(GradingJob).where(GradingJob.submission_id == done.id))
        job.claimed_at, job.finished_at = now - timedelta(seconds=seconds + 1), now - timedelta(seconds=1)
    factory.submission(other, status="queued", score=None)  # one ahead
    mine = factory.submission(user, status="queued", score=None)
    db.flush()
    login(client, user.email)
    fragment = client.get(f"/submissions/{mine.id}/status", headers={"HX-Request": "true"}).text
    assert 'data-queue-position="2"' in fragment and "Place in the CPU queue: <strong>2</strong>" in fragment
    assert 'data-queue-estimate="12"' in fragment and "Result in about 12 s" in fragment  # one ahead + its own run
    page = client.get(f"/submissions/{mine.id}").text
    assert "Place in the CPU queue" in page


def test_a_lab_being_prepared_says_so(client, factory, db, monkeypatch, tmp_path):
    from app.config import get_settings

    monkeypatch.setattr(type(get_settings()), "references_dir", property(lambda self: tmp_path))
    user = factory.user()
    mine = factory.submission(user, status="queued", score=None)
    login(client, user.email)
    fragment = client.get(f"/submissions/{mine.id}/status", headers={"HX-Request": "true"}).text
    assert "Preparing this lab" in fragment and "data-preparing" in fragment
    from app.labs.models import Lab

    version = tmp_path / "lab02" / db.get(Lab, "lab02").content_hash
    version.mkdir(parents=True)
    (version / "0.json").write_text("{}")  # the visible seed's reference: prepared
    fragment = client.get(f"/submissions/{mine.id}/status", headers={"HX-Request": "true"}).text
    assert "Preparing this lab" not in fragment and "Waiting for a grader worker" in fragment


def test_a_quiet_stream_pings(client, factory, monkeypatch):
    monkeypatch.setattr(events, "STREAM_SECONDS", 0.35)
    monkeypatch.setattr(events, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(events, "PING_SECONDS", 0.1)
    user = factory.user()
    queued = factory.submission(user, status="queued", score=None)
    login(client, user.email)
    text = client.get(f"/submissions/{queued.id}/events").text
    assert text.count('event: status\ndata: {"status":"queued"') == 1 and "event: ping" in text


def test_a_running_submission_says_when_the_lab_is_still_being_prepared(client, factory, db, monkeypatch, tmp_path):
    from app.config import get_settings

    monkeypatch.setattr(type(get_settings()), "references_dir", property(lambda self: tmp_path))
    user = factory.user()
    running = running_submission(factory, db, user)
    login(client, user.email)
    fragment = client.get(f"/submissions/{running.id}/status", headers={"HX-Request": "true"}).text
    assert "Preparing this lab" in fragment and "Building the lab's reference outputs" in fragment
    version = tmp_path / "lab02" / db.get(Lab, "lab02").content_hash
    version.mkdir(parents=True)
    (version / "0.json").write_text("{}")
    fragment = client.get(f"/submissions/{running.id}/status", headers={"HX-Request": "true"}).text
    assert "Preparing this lab" not in fragment and "Running your code in the sandbox" in fragment
