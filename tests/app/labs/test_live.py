"""Live output of a running submission: metrics parsed for display, snapshots saved while running."""
from __future__ import annotations

from app.labs import live
from app.labs.live import LiveLog, parse_metric
from tests.conftest import login


def test_parse_metric_lines():
    assert parse_metric('@metric {"step": 3, "loss": 2.5, "acc": 0.4}') == {"step": 3.0, "loss": 2.5, "acc": 0.4}
    assert parse_metric("step 10 | loss 1.25e-1") == {"step": 10.0, "loss": 0.125}
    assert parse_metric("Step=7 train loss: 3.0") == {"step": 7.0, "loss": 3.0}
    assert parse_metric("loading data...") is None
    assert parse_metric('@metric {"loss": 1}') is None


def test_live_log_collects_split_lines_and_flushes(monkeypatch):
    saved = []
    monkeypatch.setattr(LiveLog, "flush", lambda self: saved.append(self.snapshot()))
    log = LiveLog(1, interval=0.0)
    log("stdout", b"step 1 loss 2.0\nstep 2 lo")
    log("stdout", b"ss 1.5\n")
    log("stderr", b"warning: slow\n")
    assert [p["loss"] for p in log.points] == [2.0, 1.5]
    assert log.tail.endswith("warning: slow\n") and len(saved) == 3


def test_many_points_are_thinned():
    log = LiveLog(1, interval=10**9)
    for step in range(2000):
        log("stdout", f"step {step} loss {1 / (step + 1)}\n".encode())
    assert len(log.points) <= live.MAX_POINTS


def test_running_submission_shows_live_output_and_chart(client, factory):
    user = factory.user()
    submission = factory.submission(user, status="running", score=None)
    submission.live = {"tail": "epoch 1 done\n", "metrics": [{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.0}]}
    login(client, user.email)
    fragment = client.get(f"/submissions/{submission.id}/status", headers={"HX-Request": "true"})
    assert 'class="loss-chart"' in fragment.text and "epoch 1 done" in fragment.text
    assert 'hx-trigger="every 1s"' in fragment.text
    page = client.get(f"/submissions/{submission.id}")
    assert "Live output" in page.text and "data-metrics=" in page.text
    assert "chart-4.4.7" not in page.text  # Chart.js loads only when a chart is drawn (static/app.js)


def test_metric_points_are_labelled_one_series_per_case(monkeypatch):
    monkeypatch.setattr(LiveLog, "flush", lambda self: None)
    log = LiveLog(1, interval=10**9)
    lines = ["step 1 loss 3.0", "step 2 loss 2.0",                      # visible case 1
             "step 1 loss 2.9", "step 2 loss 1.9",                      # visible case 2: the step went back
             '@metric {"step": 1, "loss": 2.5, "series": "hidden"}',    # labkit.metrics during a hidden case
             '@metric {"step": 2, "loss": 1.5, "series": "hidden"}',
             '@metric {"step": 1, "loss": 2.4, "series": "hidden"}']    # the next hidden case
    log("stdout", ("\n".join(lines) + "\n").encode())
    assert [p["series"] for p in log.points] == ["visible 1", "visible 1", "visible 2", "visible 2",
                                                 "hidden 1", "hidden 1", "hidden 2"]


def test_a_cancelled_submission_stops_its_run(monkeypatch, factory, db):
    """The worker's output callback raises once the submission is no longer running (cancelled), which
    kills the sandbox (worker/sandbox.py) and records nothing."""
    import pytest

    from app.labs.live import RunCancelled

    user = factory.user()
    submission = factory.submission(user, status="running", score=None)
    db.commit()

    class Scope:
        def __enter__(self):
            return db

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(live, "session_scope", Scope)
    log = LiveLog(submission.id, interval=0.0)
    log("stdout", b"step 1 loss 2.0\n")  # saved while running
    db.refresh(submission)
    assert submission.live["metrics"][0]["loss"] == 2.0
    submission.status = "error"  # what cancelling does
    db.flush()
    with pytest.raises(RunCancelled):
        log("idle", b"")
    with pytest.raises(RunCancelled):
        log("stdout", b"step 2 loss 1.0\n")
