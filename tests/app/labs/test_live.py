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
    assert "chart-4.4.7.umd.min.js" in page.text and "Live output" in page.text
