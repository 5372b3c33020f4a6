import pytest
from sqlalchemy import func, select

from app.core.errors import AppError
from app.core.tasks import GRADE_QUIZ_ANSWER
from app.course.service import course_progress
from app.quizzes import service, variants
from app.quizzes.models import Quiz, QuizAnswer, QuizAttempt, QuizGradingJob
from app.quizzes.progress import quiz_progress
from tests.app.quizzes.helpers import (ALL_BUT_CODE, CODE, MULTIPLE, NUMERIC, SINGLE, TEXT, answers_for,
                                       grade_code_answers)
from tests.conftest import SENT
from worker import quiz_jobs


def attempts_count(db, user) -> int:
    return db.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.user_id == user.id))


def test_start_draws_a_reproducible_layout(db, factory):
    user = factory.user()
    attempt, created = service.start_attempt(db, user, "quiz-week03")
    quiz = db.get(Quiz, "quiz-week03")
    assert created and attempt.number == 1 and attempt.state == "open"
    assert len(attempt.layout) == quiz.draw
    questions = [service.question_model(row) for row in service.quiz_questions(db, quiz)]
    assert attempt.layout == variants.build_layout(questions, quiz.draw, attempt.seed)
    assert attempt.max_score == sum(float(next(q for q in questions if q.id == e["question_id"]).points)
                                    for e in attempt.layout)


def test_start_resumes_the_open_attempt(db, factory):
    user = factory.user()
    first, _ = service.start_attempt(db, user, "quiz-week03")
    again, created = service.start_attempt(db, user, "quiz-week03")
    assert again.id == first.id and created is False
    assert attempts_count(db, user) == 1


def test_full_marks_pass_and_count_in_progress(db, factory):
    user = factory.user()
    quiz = factory.quiz(ALL_BUT_CODE, week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, attempt.id, answers_for(db, attempt))
    assert (attempt.state, attempt.score, attempt.max_score, attempt.passed) == ("submitted", 4.0, 4.0, True)
    statuses = {row.status for row in db.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id))}
    assert statuses == {"correct"}
    progress = quiz_progress(db, user.id)["week02"]
    assert progress["passed"] is True and progress["best_score"] == 4.0 and progress["attempts"] == 1
    week = next(p for p in course_progress(db, user) if p.week.id == "week02")
    assert week.quiz["passed"] is True
    assert week.fraction > 0


def test_wrong_answers_fail_and_unanswered_score_zero(db, factory):
    user = factory.user()
    quiz = factory.quiz(ALL_BUT_CODE, week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    answers = answers_for(db, attempt, right=False)
    answers.pop(next(iter(answers)))
    service.submit_attempt(db, user, attempt.id, answers)
    assert attempt.score == 0.0 and attempt.passed is False
    rows = list(db.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id)))
    assert len(rows) == 4 and sorted(r.status for r in rows) == ["incorrect", "incorrect", "incorrect", "unanswered"]
    assert quiz_progress(db, user.id)["week02"]["passed"] is False


def test_code_answers_wait_for_a_worker_then_the_attempt_is_final(db, factory):
    user = factory.user()
    quiz = factory.quiz([CODE, SINGLE], week_number=2, pass_mark=0.5)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    answers = answers_for(db, attempt)
    code_id = next(qid for qid, a in answers.items() if isinstance(a, str) and "def double" in a)
    answers[code_id] = "def double(x):\n    return 2 * x if x > 0 else x\n"  # wrong on the negative case
    service.submit_attempt(db, user, attempt.id, answers)
    row = db.get(QuizAnswer, (attempt.id, code_id))
    assert (row.status, row.points) == ("pending", 0.0)
    assert (attempt.state, attempt.score, attempt.passed, attempt.max_score) == ("submitted", None, None, 3.0)
    view = service.attempt_view(db, attempt)
    assert view["status"] == "pending" and view["pending"] == 1
    assert {q["result"]["status"] for q in view["questions"]} == {"pending", "correct"}  # the rest is scored
    job = db.scalar(select(QuizGradingJob).where(QuizGradingJob.attempt_id == attempt.id))
    assert (job.question_id, job.state) == (code_id, "queued")

    assert grade_code_answers(db) == ["graded"]
    row = db.get(QuizAnswer, (attempt.id, code_id))
    assert row.status == "partial" and row.points == pytest.approx(2 * 2 / 3, abs=1e-3)
    assert row.feedback["passed"] == 2 and row.feedback["cases"][2]["call"] == "double(-3)"
    attempt = db.get(QuizAttempt, attempt.id)
    assert attempt.score == pytest.approx(1 + 4 / 3, abs=1e-3) and attempt.passed is True
    assert service.attempt_view(db, attempt)["status"] == "graded"
    assert db.get(QuizGradingJob, job.id).state == "done"


def test_a_code_answer_is_never_graded_twice(db, factory):
    user = factory.user()
    quiz = factory.quiz([CODE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, attempt.id, answers_for(db, attempt))
    job = db.scalar(select(QuizGradingJob).where(QuizGradingJob.attempt_id == attempt.id))
    token = quiz_jobs.claim(db, job.id, "first")
    assert quiz_jobs.claim(db, job.id, "redelivered") is None  # a second delivery of the task skips it
    question, code = quiz_jobs.job_input(db, job)
    feedback = quiz_jobs.grade_safely(question, code)
    assert quiz_jobs.finish(db, job.id, token, feedback) is True
    db.expire_all()
    graded = db.get(QuizAttempt, attempt.id)
    assert (graded.score, graded.passed) == (2.0, True)
    wrong = {**feedback, "passed": 0, "run_status": "ok"}
    assert quiz_jobs.finish(db, job.id, token, wrong) is False
    assert service.record_code_result(db, attempt.id, job.question_id, wrong) is False
    assert service.finalize_attempt(db, attempt.id) is False
    db.expire_all()
    assert db.get(QuizAttempt, attempt.id).score == 2.0
    assert db.get(QuizAnswer, (attempt.id, job.question_id)).status == "correct"


def test_a_rolled_back_submit_sends_nothing(db, factory):
    user = factory.user()
    quiz = factory.quiz([CODE, SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    db.commit()
    service.submit_attempt(db, user, attempt.id, answers_for(db, attempt))
    db.rollback()
    db.commit()
    assert SENT == []
    assert db.scalar(select(func.count()).select_from(QuizGradingJob)
                     .where(QuizGradingJob.attempt_id == attempt.id)) == 0
    service.submit_attempt(db, user, attempt.id, answers_for(db, attempt))
    assert SENT == []  # nothing before the commit either
    db.commit()
    job = db.scalar(select(QuizGradingJob).where(QuizGradingJob.attempt_id == attempt.id))
    assert SENT == [(GRADE_QUIZ_ANSWER, [job.id], "cpu")]


def test_without_code_answers_the_attempt_is_final_and_nothing_is_queued(db, factory):
    user = factory.user()
    quiz = factory.quiz([CODE, SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    answers = answers_for(db, attempt)
    code_id = next(qid for qid, a in answers.items() if isinstance(a, str) and "def double" in a)
    service.submit_attempt(db, user, attempt.id, {**answers, code_id: CODE["starter"]})
    assert (attempt.score, attempt.passed) == (1.0, False)
    assert db.get(QuizAnswer, (attempt.id, code_id)).status == "unanswered"
    assert db.scalar(select(func.count()).select_from(QuizGradingJob)) == 0
    db.commit()
    assert SENT == []


def test_answers_are_saved_then_graded_on_submit(db, factory):
    user = factory.user()
    quiz = factory.quiz([NUMERIC, TEXT], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    right = answers_for(db, attempt)
    service.save_answers(db, user, attempt.id, right)
    service.save_answers(db, user, attempt.id, {next(iter(right)): None})  # cleared again
    service.submit_attempt(db, user, attempt.id)
    assert attempt.score == 1.0


def test_draw_n_of_m(db, factory):
    user = factory.user()
    quiz = factory.quiz(ALL_BUT_CODE + [SINGLE, MULTIPLE], week_number=2, draw=3)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    assert len(attempt.layout) == 3 and attempt.max_score == 3.0
    service.submit_attempt(db, user, attempt.id, answers_for(db, attempt))
    assert attempt.score == 3.0
    assert db.scalar(select(func.count()).select_from(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id)) == 3


def test_max_attempts(db, factory):
    user = factory.user()
    quiz = factory.quiz([SINGLE], week_number=2, max_attempts=2)
    for _ in range(2):
        attempt, _ = service.start_attempt(db, user, quiz.id)
        service.submit_attempt(db, user, attempt.id, {})
    with pytest.raises(AppError) as exc:
        service.start_attempt(db, user, quiz.id)
    assert exc.value.status_code == 409 and "all 2 attempts" in exc.value.message
    assert attempts_count(db, user) == 2


def test_submit_twice_counts_once(db, factory):
    user = factory.user()
    quiz = factory.quiz([SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, attempt.id, answers_for(db, attempt))
    with pytest.raises(AppError) as exc:
        service.submit_attempt(db, user, attempt.id, answers_for(db, attempt, right=False))
    assert exc.value.status_code == 409
    db.refresh(attempt)
    assert attempt.score == 1.0
    assert quiz_progress(db, user.id)["week02"]["attempts"] == 1


def test_answer_after_submit_is_refused(db, factory):
    user = factory.user()
    quiz = factory.quiz([SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, attempt.id, {})
    qid = attempt.layout[0]["question_id"]
    with pytest.raises(AppError) as exc:
        service.save_answers(db, user, attempt.id, {qid: "b"})
    assert exc.value.code == "attempt_closed"
    assert db.get(QuizAnswer, (attempt.id, qid)).response is None


def test_submit_past_a_lowered_max_attempts_is_refused(db, factory):
    user = factory.user()
    quiz = factory.quiz([SINGLE], week_number=2, max_attempts=3)
    for _ in range(2):
        done, _ = service.start_attempt(db, user, quiz.id)
        service.submit_attempt(db, user, done.id, {})
    attempt, _ = service.start_attempt(db, user, quiz.id)
    quiz.max_attempts = 2  # the quiz file was edited
    db.flush()
    with pytest.raises(AppError) as exc:
        service.submit_attempt(db, user, attempt.id, {})
    assert exc.value.status_code == 409 and "only 2 attempts" in exc.value.message
    assert attempt.state == "open" and attempt.score is None


def test_bad_answers_write_nothing(db, factory):
    user = factory.user()
    quiz = factory.quiz([NUMERIC, SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    numeric_id, single_id = [e["question_id"] for e in attempt.layout]
    for answers, reason in [({numeric_id: "1.2.3", single_id: "b"}, "is not a number"),
                            ({"w05-q01": "a"}, "is not part of this attempt"),
                            ({single_id: "zz"}, "not one of this question's choices")]:
        for operation in (service.save_answers, service.submit_attempt):
            with pytest.raises(AppError) as exc:
                operation(db, user, attempt.id, answers)
            assert exc.value.status_code == 422 and reason in exc.value.message
    assert db.scalar(select(func.count()).select_from(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id)) == 0
    assert attempt.state == "open"
    assert "Question 1" in service.normalize_answers(
        {numeric_id: service.question_model(service.attempt_questions(db, attempt)[0][1])}, {numeric_id: "x"},
        {numeric_id: 1})[1][numeric_id]


@pytest.mark.parametrize("policy, expected_score, expected_passed", [("best", 1.0, True), ("latest", 0.0, False)])
def test_score_policy(db, factory, policy, expected_score, expected_passed):
    user = factory.user()
    quiz = factory.quiz([SINGLE], week_number=2, score_policy=policy)
    first, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, first.id, answers_for(db, first))
    second, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, second.id, answers_for(db, second, right=False))
    progress = quiz_progress(db, user.id)["week02"]
    assert (progress["score"], progress["passed"], progress["best_score"]) == (expected_score, expected_passed, 1.0)
    assert progress["attempts"] == 2


def test_students_need_a_cohort_and_cannot_touch_others_attempts(db, factory):
    loner = factory.user(enrolled=False)
    with pytest.raises(AppError) as exc:
        service.start_attempt(db, loner, "quiz-week01")
    assert exc.value.status_code == 403
    owner, other, grader = factory.user(), factory.user(), factory.user(role="grader")
    attempt, _ = service.start_attempt(db, owner, "quiz-week01")
    with pytest.raises(AppError) as exc:
        service.get_attempt(db, other, attempt.id)
    assert exc.value.status_code == 404
    assert service.get_attempt(db, grader, attempt.id).id == attempt.id  # staff may review
    with pytest.raises(AppError):
        service.submit_attempt(db, grader, attempt.id, {})  # but not answer for the student
    assert attempt.state == "open"


def test_view_hides_answers_until_submitted(db, factory):
    user = factory.user()
    quiz = factory.quiz([SINGLE, NUMERIC], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    view = service.attempt_view(db, attempt)
    text = repr(view)
    assert "correct" not in text and "result" not in text and "Because of the reason" not in text
    numeric = next(q for q in view["questions"] if q["type"] == "numeric")
    d = variants.params_for(service.question_model(service.attempt_questions(db, attempt)[1][1]),
                            attempt.layout[1], attempt.seed)["d"]
    assert numeric["prompt"] == f"What is {d} squared?"
    service.submit_attempt(db, user, attempt.id, {})
    view = service.attempt_view(db, attempt)
    single = next(q for q in view["questions"] if q["type"] == "single")
    assert single["result"]["correct_answer"] == "b" and single["result"]["explanation"]
    assert [c["correct"] for c in single["choices"] if c["id"] == "b"] == [True]


def test_removed_quiz_is_gone_but_attempts_stay_reviewable(db, factory):
    user = factory.user()
    quiz = factory.quiz([SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    quiz.active = False
    db.flush()
    with pytest.raises(AppError) as exc:
        service.submit_attempt(db, user, attempt.id, {})
    assert exc.value.status_code == 410
    assert service.attempt_view(db, attempt)["quiz_id"] == quiz.id
    assert "week02" not in quiz_progress(db, user.id)


def test_code_solutions_never_reach_students(db, factory):
    user = factory.user()
    quiz = factory.quiz([CODE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    before = service.attempt_view(db, attempt)
    assert before["questions"][0]["starter"] == CODE["starter"]
    service.submit_attempt(db, user, attempt.id, answers_for(db, attempt, right=False))
    grade_code_answers(db)
    after = service.attempt_view(db, db.get(QuizAttempt, attempt.id))
    assert after["questions"][0]["result"]["status"] == "incorrect"
    assert "return 2 * x" not in repr(before) + repr(after)
    untouched, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, untouched.id, {untouched.layout[0]["question_id"]: CODE["starter"]})
    assert db.get(QuizAnswer, (untouched.id, untouched.layout[0]["question_id"])).status == "unanswered"
