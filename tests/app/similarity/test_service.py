from sqlalchemy import select

from app.labs.models import Lab
from app.core.tasks import SIMILARITY_RUN
from app.review.models import ReviewItem
from app.similarity import service
from app.similarity.models import SimilarityPair, SimilarityRun
from tests.app.similarity.samples import INDEPENDENT, ORIGINAL, RENAMED, STARTER
from tests.conftest import login

HX = {"HX-Request": "true"}


def run_on_test_session(db, run):
    """What the Celery task does (service.run_check), on the test's session."""
    assert service.claim_run(db, run.id) and not service.claim_run(db, run.id)
    submissions = service._latest(db, run.lab_id)
    documents = {s.id: s.code for s in submissions}
    matches = service.compute(documents, db.get(Lab, run.lab_id).starter_code)
    run.compared = len(documents)
    service.record(db, run, {s.id: s.user_id for s in submissions}, matches)


def setup_lab(db, factory):
    db.get(Lab, "lab02").starter_code = STARTER
    copier, source, own, same_user = factory.user(name="Copy Cat"), factory.user(name="Source"), \
        factory.user(name="Own Work"), factory.user(name="Twice")
    a = factory.graded(source, code=ORIGINAL)
    b = factory.graded(copier, code=RENAMED)
    c = factory.graded(own, code=INDEPENDENT)
    factory.graded(same_user, code=ORIGINAL.replace("merges", "merge_list"))  # an older attempt of the same student
    d = factory.graded(same_user, code=STARTER.replace(  # the latest attempt counts: only one function done
        "raise NotImplementedError", "return Counter(p for w in words for p in zip(w, w[1:]))", 1))
    return a, b, c, d


def test_similarity_run_flags_the_copied_pair_only_and_queues_it(client, db, factory, sent):
    a, b, c, d = setup_lab(db, factory)
    grader = factory.user("grader")
    token = login(client, grader.email)
    started = client.post("/review/labs/lab02/similarity", data={"threshold": "0.6"},
                          headers={**HX, "X-CSRF-Token": token})
    run = db.scalar(select(SimilarityRun).where(SimilarityRun.lab_id == "lab02"))
    assert started.status_code == 200 and started.headers["HX-Redirect"] == f"/review/similarity/{run.id}"
    assert sent == [(SIMILARITY_RUN, [run.id], "cpu")]
    polling = client.get(f"/review/similarity/{run.id}", headers=HX)
    assert 'hx-trigger="every 1s"' in polling.text and "Waiting for a worker" in polling.text

    run_on_test_session(db, run)

    assert (run.state, run.compared, run.flagged) == ("done", 4, 1)
    [pair] = db.scalars(select(SimilarityPair).where(SimilarityPair.run_id == run.id))
    assert {pair.submission_a_id, pair.submission_b_id} == {a.id, b.id} and pair.score >= 0.6
    assert run.top_unflagged is None or run.top_unflagged < 0.6  # the independent solutions stay below
    [item] = db.scalars(select(ReviewItem).where(ReviewItem.similarity_pair_id == pair.id))
    assert item.reason == "similarity" and item.submission_id == b.id and item.state == "open"

    page = client.get(f"/review/similarity/{run.id}")
    assert page.status_code == 200 and "Copy Cat" in page.text and "Own Work" not in page.text
    side = client.get(f"/review/similarity/pairs/{pair.id}")
    assert side.status_code == 200 and side.text.count('class="hll"') > 10
    assert 'id="a-1"' in side.text and 'id="b-1"' in side.text and 'href="#a-' in side.text
    review = client.get(f"/review/submissions/{b.id}")
    assert f"/review/similarity/pairs/{pair.id}" in review.text

    judged = client.post(f"/review/similarity/pairs/{pair.id}", data={"status": "confirmed", "note": "same code"},
                         headers={**HX, "X-CSRF-Token": token})
    assert judged.status_code == 200 and judged.text.lstrip().startswith('<div id="similarity-judgement">')
    assert pair.status == "confirmed" and item.state == "resolved" and "same code" in item.resolution

    api = client.get(f"/api/v1/similarity-runs/{run.id}", headers={"X-CSRF-Token": token}).json()
    assert api["flagged"] == 1 and api["pairs"][0]["status"] == "confirmed"


def test_a_rerun_keeps_earlier_judgements_and_does_not_requeue(db, factory):
    a, b, _, _ = setup_lab(db, factory)
    grader = factory.user("grader")
    first = service.start_run(db, db.get(Lab, "lab02"), grader, "0.6")
    run_on_test_session(db, first)
    [pair] = db.scalars(select(SimilarityPair).where(SimilarityPair.run_id == first.id))
    service.judge_pair(db, pair, grader, "dismissed", "pair programming was allowed")
    second = service.start_run(db, db.get(Lab, "lab02"), grader, None)
    run_on_test_session(db, second)
    [again] = db.scalars(select(SimilarityPair).where(SimilarityPair.run_id == second.id))
    assert again.status == "dismissed"
    assert db.scalar(select(ReviewItem).where(ReviewItem.similarity_pair_id == again.id)) is None


def test_similarity_refusals(client, db, factory):
    grader, student = factory.user("grader"), factory.user()
    token = login(client, grader.email)
    for threshold in ("abc", "0.1", "2", "nan"):
        response = client.post("/review/labs/lab02/similarity", data={"threshold": threshold, "csrf_token": token})
        assert response.status_code == 400
    assert client.post("/api/v1/labs/lab02/similarity", json={"threshold": 5},
                       headers={"X-CSRF-Token": token}).status_code == 422
    assert client.post("/review/labs/nolab/similarity", data={"csrf_token": token}).status_code == 404
    assert db.scalar(select(SimilarityRun)) is None
    ok = client.post("/review/labs/lab02/similarity", data={"csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303
    busy = client.post("/review/labs/lab02/similarity", data={"csrf_token": token})
    assert busy.status_code == 409
    token = login(client, student.email)
    run = db.scalar(select(SimilarityRun))
    assert client.get(f"/review/similarity/{run.id}").status_code == 403
    assert client.post("/review/labs/lab02/similarity", data={"csrf_token": token}).status_code == 403


def test_judge_a_pair_without_htmx(client, db, factory):
    setup_lab(db, factory)
    grader = factory.user("grader")
    run = service.start_run(db, db.get(Lab, "lab02"), grader, "0.6")
    run_on_test_session(db, run)
    [pair] = db.scalars(select(SimilarityPair).where(SimilarityPair.run_id == run.id))
    token = login(client, grader.email)
    response = client.post(f"/review/similarity/pairs/{pair.id}", data={"status": "dismissed", "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/review/similarity/pairs/{pair.id}"
    assert pair.status == "dismissed"
    bad = client.post(f"/review/similarity/pairs/{pair.id}", data={"status": "guilty"},
                      headers={**HX, "X-CSRF-Token": token})
    assert bad.status_code == 400 and pair.status == "dismissed"


def test_staff_submissions_are_left_out_of_similarity(db, factory):
    a, b, c, d = setup_lab(db, factory)
    instructor, grader = factory.user("instructor", name="Reference"), factory.user("grader", name="Demo")
    reference = factory.graded(instructor, code=ORIGINAL)  # the reference solution, equal to a student's
    demo = factory.graded(grader, code=RENAMED)
    run = service.start_run(db, db.get(Lab, "lab02"), grader, "0.6")
    run_on_test_session(db, run)
    assert run.compared == 4  # the four students only
    pairs = db.scalars(select(SimilarityPair).where(SimilarityPair.run_id == run.id)).all()
    assert [{p.submission_a_id, p.submission_b_id} for p in pairs] == [{a.id, b.id}]
    compared = {p.submission_a_id for p in pairs} | {p.submission_b_id for p in pairs}
    assert reference.id not in compared and demo.id not in compared
