"""`llmcourse demo seed --students N`: a cohort of N synthetic students with a realistic history.

The cohort started `weeks` weeks ago. Each student has a persona (ahead, steady, behind, dropped out,
struggling) that sets their pace, how much of each week's checklist they tick, how well they do on quizzes
(question by question, so item analysis has something to find) and how many lab submissions they need, with
per-check results shaped like the grader's (struggling students keep failing the same hidden check). Rows
are bulk-inserted and the dashboard summaries computed in batches, so 2,000 students take seconds."""
from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.cohorts.models import Cohort, Enrollment
from app.cohorts.service import new_invite_code
from app.core.db import utcnow
from app.core.errors import bad_request
from app.core.security import hash_password
from app.course.models import ChecklistItem, ChecklistProgress, Week
from app.dashboard import summary
from app.labs.models import GradingJob, Lab, Submission
from app.quizzes.models import Quiz, QuizAnswer, QuizAttempt, QuizQuestion
from app.users.models import User

MAX_STUDENTS = 20_000
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Radia", "Ken", "Margaret",
         "Dennis", "Katherine", "Tim", "Hedy", "Linus", "Shafi", "Yann", "Fei-Fei", "Geoffrey", "Yoshua", "Daphne",
         "Andrew", "Cynthia", "Leslie", "Judea", "Sophie", "Noam", "Ilya", "Emily", "Timnit", "Joy", "Karen",
         "Chris", "Aidan", "Ashish", "Niki", "Jakob", "Llion", "Lukasz", "Amara", "Kenji", "Priya", "Mateo",
         "Zanele", "Olga", "Tariq", "Mei", "Diego", "Ingrid"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy", "Perlman", "Thompson",
        "Hamilton", "Ritchie", "Johnson", "Berners-Lee", "Lamarr", "Torvalds", "Goldwasser", "LeCun", "Li", "Hinton",
        "Bengio", "Koller", "Ng", "Dwork", "Lamport", "Pearl", "Wilson", "Shazeer", "Sutskever", "Bender", "Gebru",
        "Buolamwini", "Sparck Jones", "Manning", "Gomez", "Vaswani", "Parmar", "Uszkoreit", "Jones", "Kaiser",
        "Okafor", "Tanaka", "Raman", "Silva", "Dlamini", "Petrova", "Haddad", "Chen", "Alvarez", "Larsen"]
PERSONAS = [  # name, share, pace (course weeks per calendar week), checklist share, ability, lab skill, stops after
    ("ahead", 0.15, 1.12, 0.97, 0.85, 0.85, None),
    ("steady", 0.52, 1.0, 0.97, 0.78, 0.78, None),
    ("behind", 0.15, 0.72, 0.85, 0.65, 0.6, None),
    ("dropped", 0.10, 0.95, 0.85, 0.6, 0.55, 3),
    ("struggling", 0.08, 0.9, 0.9, 0.45, 0.3, None),
]


@dataclass
class SeedReport:
    cohort: Cohort
    students: int
    instructor_email: str
    instructor_password: str | None
    student_password: str
    ticks: int
    submissions: int
    quiz_attempts: int


def _persona(rng: random.Random):
    roll, acc = rng.random(), 0.0
    for persona in PERSONAS:
        acc += persona[1]
        if roll <= acc:
            return persona
    return PERSONAS[1]


def _at(day: date, rng: random.Random, now: datetime) -> datetime:
    moment = datetime.combine(day, time(hour=rng.randint(7, 22), minute=rng.randint(0, 59)), tzinfo=timezone.utc)
    return min(moment, now - timedelta(minutes=rng.randint(1, 600)))


def _next(previous: datetime | None, day: date, rng: random.Random, now: datetime) -> datetime | None:
    """A moment on `day` after `previous` (attempts happen in order); None when that would be in the future."""
    when = _at(day, rng, now)
    if previous is not None and when <= previous:
        when = previous + timedelta(minutes=rng.randint(5, 120))
    return when if when < now else None


def _course(db: Session):
    weeks = list(db.execute(select(Week.id, Week.number).order_by(Week.number)))
    if not weeks:
        raise bad_request("The course is not loaded yet: run `llmcourse content sync` first.", "no_course")
    items = defaultdict(list)
    for item_id, week_id in db.execute(select(ChecklistItem.id, ChecklistItem.week_id)
                                       .where(ChecklistItem.active.is_(True)).order_by(ChecklistItem.position)):
        items[week_id].append(item_id)
    labs = defaultdict(list)
    for lab in db.scalars(select(Lab).where(Lab.gradeable.is_(True)).order_by(Lab.position, Lab.id)):
        checks = [(c.get("name"), float(c.get("points", 1)), bool(c.get("visible")))
                  for c in (lab.manifest or {}).get("checks", []) if c.get("name")]
        if not checks:
            checks = [("output", float(lab.max_score or 1.0), True)]
        labs[lab.week_id].append((lab, checks))
    quizzes = {}
    questions = defaultdict(list)
    for question_id, quiz_id, points in db.execute(select(QuizQuestion.id, QuizQuestion.quiz_id, QuizQuestion.points)
                                                   .where(QuizQuestion.active.is_(True))
                                                   .order_by(QuizQuestion.position)):
        questions[quiz_id].append((question_id, points))
    for quiz in db.scalars(select(Quiz).where(Quiz.active.is_(True))):
        if questions[quiz.id]:
            quizzes[quiz.week_id] = (quiz, questions[quiz.id])
    return weeks, items, labs, quizzes


def _demo_instructor(db: Session, email: str) -> tuple[User, str | None]:
    user = db.scalar(select(User).where(User.email == email))
    if user is not None:
        return user, None
    password = secrets.token_urlsafe(9)
    user = User(email=email, name="Demo Instructor", password_hash=hash_password(password), role="instructor")
    db.add(user)
    db.flush()
    return user, password


def seed(db: Session, students: int, *, weeks: int = 10, rng_seed: int | None = None, cohort_name: str | None = None,
         instructor_email: str = "demo-instructor@example.com", now: datetime | None = None) -> SeedReport:
    if not 1 <= students <= MAX_STUDENTS:
        raise bad_request(f"--students must be between 1 and {MAX_STUDENTS}.", "bad_students")
    if not 0 <= weeks <= 40:
        raise bad_request("--weeks must be between 0 and 40.", "bad_weeks")
    now = now or utcnow()
    rng = random.Random(rng_seed if rng_seed is not None else secrets.randbits(32))
    course_weeks, items, labs, quizzes = _course(db)
    instructor, instructor_password = _demo_instructor(db, instructor_email)
    start = now.date() - timedelta(days=7 * weeks)
    cohort = Cohort(name=cohort_name or f"Demo cohort ({students} students, from {start.isoformat()})",
                    start_date=start, invite_code=new_invite_code(), created_by_id=instructor.id)
    db.add(cohort)
    db.flush()
    student_password = secrets.token_urlsafe(9)
    password_hash = hash_password(student_password)
    tag = f"{cohort.id}-{secrets.token_hex(2)}"
    user_rows = []
    for i in range(1, students + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        user_rows.append({"email": f"demo-{tag}-{i}@example.com", "name": f"{first} {last}",
                          "password_hash": password_hash, "role": "student", "created_at": now})
    db.execute(insert(User), user_rows)
    ids = list(db.scalars(select(User.id).where(User.email.like(f"demo-{tag}-%@example.com")).order_by(User.id)))
    db.execute(insert(Enrollment), [{"user_id": uid, "cohort_id": cohort.id,
                                     "created_at": datetime.combine(start, time(9), tzinfo=timezone.utc)
                                     - timedelta(days=rng.randint(0, 10))} for uid in ids])
    difficulty = {qid: rng.uniform(-1.2, 1.2) for _, qs in quizzes.values() for qid, _ in qs}
    ticks, subs, attempts, answers, last_seen = [], [], [], [], {}
    for uid in ids:
        _, _, pace, tick_share, ability, skill, stops = _persona(rng)
        pace *= rng.uniform(0.94, 1.08)
        ability = min(0.97, max(0.1, ability + rng.gauss(0, 0.1)))
        last_week = stops + rng.randint(0, 2) if stops is not None else None
        latest = None
        for week_id, number in course_weeks:
            reached = start + timedelta(days=int(7 * (number - 1) / pace) + rng.randint(0, 3))
            if reached >= now.date() or (last_week is not None and number > last_week):
                break
            week_items = items.get(week_id, [])
            for item_id in week_items:
                if rng.random() < tick_share:
                    when = _at(reached + timedelta(days=rng.randint(0, 6)), rng, now)
                    ticks.append({"user_id": uid, "item_id": item_id, "done": True, "updated_at": when})
                    latest = max(latest or when, when)
            for lab, checks in labs.get(week_id, []):
                if rng.random() > 0.97 * (0.7 + skill / 2.5):
                    continue
                stuck = rng.choice([c[0] for c in checks if not c[2]] or [checks[-1][0]]) if skill < 0.4 else None
                day, when = reached + timedelta(days=rng.randint(1, 6)), None
                for attempt in range(1, 6):
                    when = _next(when, day, rng, now)
                    if when is None:
                        break
                    tests, score = [], 0.0
                    for name, points, visible in checks:
                        passed = name != stuck and rng.random() < min(0.98, skill + 0.15 * attempt)
                        score += points if passed else 0.0
                        tests.append({"name": name, "points": points if passed else 0.0, "max_points": points,
                                      "passed": passed, "visible": visible,
                                      "feedback": "ok" if passed else "Does not match the expected output."})
                    max_score = sum(c[1] for c in checks)
                    subs.append({"user_id": uid, "lab_id": lab.id, "attempt": attempt, "filename": lab.submit_file
                                 or "solution.py", "code": f"# demo submission {attempt}\n", "status": "graded",
                                 "score": score, "max_score": max_score, "created_at": when, "graded_at": when,
                                 "result": {"lab_id": lab.id, "status": "graded", "score": score, "max_score": max_score,
                                            "tests": tests, "stdout_tail": "", "stderr_tail": "",
                                            "timings": {"queued_s": 0.1, "sandbox_s": 1.0, "grade_s": 0.01}}})
                    latest = max(latest or when, when)
                    day += timedelta(days=rng.choice([0, 0, 1, 2]))
                    if score >= max_score or rng.random() < (0.5 if skill < 0.4 else 0.2):
                        break
            if week_id in quizzes and rng.random() < 0.96:
                quiz, questions = quizzes[week_id]
                day, when = reached + timedelta(days=rng.randint(2, 7)), None
                for number_ in range(1, quiz.max_attempts + 1):
                    drawn = rng.sample(questions, min(quiz.draw or len(questions), len(questions)))
                    when = _next(when, day, rng, now)
                    if when is None:
                        break
                    score = top = 0.0
                    graded = []
                    for qid, points in drawn:
                        chance = 1 / (1 + pow(2.718281828, -(4 * (ability - 0.5) - difficulty[qid] + 0.3 + 0.6 * number_)))
                        got = points if rng.random() < chance else 0.0
                        score, top = score + got, top + points
                        graded.append((qid, got, points))
                    passed = top > 0 and score >= quiz.pass_mark * top - 1e-9
                    attempts.append(({"user_id": uid, "quiz_id": quiz.id, "number": number_, "seed": rng.randint(1, 2**30),
                                      "state": "submitted", "layout": [{"question_id": q} for q, _, _ in graded],
                                      "score": score, "max_score": top, "passed": passed, "started_at": when,
                                      "updated_at": when, "submitted_at": when}, graded))
                    latest = max(latest or when, when)
                    day += timedelta(days=rng.randint(0, 3))
                    if passed or rng.random() < 0.15:
                        break
        if latest:
            last_seen[uid] = latest
    _bulk(db, ChecklistProgress, ticks)
    _bulk(db, Submission, subs)
    sub_ids = list(db.scalars(select(Submission.id).where(Submission.user_id.in_(select(Enrollment.user_id).where(
        Enrollment.cohort_id == cohort.id)))))
    _bulk(db, GradingJob, [{"submission_id": sid, "queue": "cpu", "state": "done", "enqueued_at": now,
                            "finished_at": now} for sid in sub_ids])
    _bulk(db, QuizAttempt, [row for row, _ in attempts])
    attempt_ids = {(u, q, n): i for i, u, q, n in db.execute(
        select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.number)
        .where(QuizAttempt.user_id.in_(select(Enrollment.user_id).where(Enrollment.cohort_id == cohort.id))))}
    for row, graded in attempts:
        attempt_id = attempt_ids[(row["user_id"], row["quiz_id"], row["number"])]
        answers += [{"attempt_id": attempt_id, "question_id": qid, "response": None, "points": got,
                     "max_points": points, "status": "correct" if got >= points else "incorrect",
                     "updated_at": row["submitted_at"]} for qid, got, points in graded]
    _bulk(db, QuizAnswer, answers)
    if last_seen:
        db.execute(update(User.__table__).where(User.__table__.c.id == bindparam("uid"))
                   .values(last_active_at=bindparam("seen")),
                   [{"uid": uid, "seen": seen} for uid, seen in last_seen.items()])
    summary.refresh(db, {uid: {summary.ALL_LABS} for uid in ids}, today=now.date())
    return SeedReport(cohort, len(ids), instructor.email, instructor_password, student_password, len(ticks),
                      len(subs), len(attempts))


def _bulk(db: Session, model, rows: list[dict], size: int = 5000) -> None:
    for start in range(0, len(rows), size):
        db.connection().execute(insert(model.__table__), rows[start:start + size])
