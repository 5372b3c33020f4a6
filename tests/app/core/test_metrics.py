"""/metrics on the web: queue depth and running jobs per queue, read from the job tables at scrape time."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_count_queued_and_running_jobs_per_queue(client, factory, db):
    from app.labs.models import GradingJob

    before = samples(client.get("/metrics").text)
    from sqlalchemy import select

    user = factory.user()
    for state in ("queued", "queued", "running"):
        submission = factory.submission(user=user)
        job = db.scalar(select(GradingJob).where(GradingJob.submission_id == submission.id))
        job.queue, job.state = "gpu", state
    db.flush()
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    after = samples(response.text)
    depth = ("llmcourse_queue_depth", (("kind", "lab"), ("queue", "gpu")))
    running = ("llmcourse_jobs_running", (("kind", "lab"), ("queue", "gpu")))
    assert after[depth] - before.get(depth, 0) == 2
    assert after[running] - before.get(running, 0) == 1
    assert after[("llmcourse_database_up", ())] == 1
    assert ("llmcourse_queue_depth", (("kind", "quiz"), ("queue", "cpu"))) in after


def test_metrics_are_not_an_html_page_for_htmx_either(client):
    response = client.get("/metrics", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "# TYPE llmcourse_queue_depth gauge" in response.text
