"""Pure computations for the dashboard: at-risk reasons, quiz item analysis, histograms, durations.
No database access here, so each is tested on hand-built inputs."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Item analysis thresholds (classical test theory; Ebel's guide for discrimination).
MIN_RESPONSES = 10        # fewer answers than this: numbers are shown but nothing is flagged
TOO_HARD = 0.30           # share correct below this
TOO_EASY = 0.95           # share correct above this
LOW_DISCRIMINATION = 0.20  # upper minus lower group share correct below this
GROUP_SHARE = 0.27        # the top and bottom 27% of attempts form the upper and lower groups


@dataclass
class Risk:
    code: str
    text: str


def risk_reasons(*, now: datetime, settings: dict, last_activity: datetime | None, active_since: datetime,
                 expected_weeks: int, weeks_done: int, stuck_lab: str | None, stuck_check: str | None,
                 stuck_count: int, quiz_fail_week: int | None, quiz_fail_count: int) -> list[Risk]:
    """Why a student needs attention, most urgent first. `active_since`: when the student could first have
    been active (the later of joining and the cohort's start); nothing is flagged before it."""
    reasons = []
    if now >= active_since:
        idle = (now - max(last_activity or active_since, active_since)).days
        if idle >= settings["inactive_days"]:
            text = f"Inactive for {idle} days" if last_activity else f"No activity in the {idle} days since joining"
            reasons.append(Risk("inactive", text))
    behind = expected_weeks - weeks_done
    if behind >= settings["behind_weeks"]:
        reasons.append(Risk("behind", f"Behind the cohort's pace by {behind} weeks "
                                      f"({weeks_done} of {expected_weeks} due weeks done)"))
    if stuck_lab and stuck_check and stuck_count >= settings["check_failures"]:
        reasons.append(Risk("stuck", f"Failed the check {stuck_check} of {stuck_lab} "
                                     f"{stuck_count} times in a row"))
    if quiz_fail_week is not None and quiz_fail_count >= settings["quiz_failures"]:
        reasons.append(Risk("quiz", f"Below the pass mark on the week {quiz_fail_week} quiz "
                                    f"{quiz_fail_count} times"))
    return reasons


def histogram(values: list[float], bins: int = 10) -> list[int]:
    """Counts of fractions in [0, 0.1), [0.1, 0.2), ..., [0.9, 1.0] (1.0 lands in the last bin)."""
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int(math.floor((value or 0.0) * bins + 1e-9))))] += 1
    return counts


def human_duration(delta: timedelta | float | None) -> str:
    if delta is None:
        return "–"
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


@dataclass
class LabStat:
    lab_id: str
    title: str
    week: int
    max_score: float
    students: int = 0
    attempts: int = 0
    passed: int = 0
    median_attempts: float | None = None
    median_attempts_to_pass: float | None = None
    median_time_to_pass: float | None = None  # seconds from first submission to first full-marks one
    mean_best: float | None = None
    failed_checks: list[tuple[str, int, int]] = field(default_factory=list)  # (check, failures, students)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.students if self.students else None


@dataclass
class ItemStat:
    question_id: str
    responses: int
    correct: int
    difficulty: float | None          # share of responses fully correct
    mean_score: float | None          # mean share of the question's points earned
    upper: float | None               # share correct in the upper group
    lower: float | None               # share correct in the lower group
    discrimination: float | None      # upper - lower
    flags: list[str] = field(default_factory=list)


def item_analysis(attempts: list[dict], group_share: float = GROUP_SHARE) -> list[ItemStat]:
    """attempts: [{"id", "score": total fraction 0..1, "answers": {question_id: (points, max_points)}}],
    one per student (the first submitted attempt, before feedback could teach the answers).

    Difficulty = share of the responses to a question that earned full points. Discrimination = the share
    correct among the upper group minus among the lower group, the groups being the top and bottom
    `group_share` of attempts ranked by total score (n = round(share x attempts), at least 1; ties keep
    the attempts' order). A question drawn into only some attempts is measured on those."""
    ranked = sorted(attempts, key=lambda a: -a["score"])
    k = max(1, round(group_share * len(ranked))) if ranked else 0
    upper_ids = {a["id"] for a in ranked[:k]}
    lower_ids = {a["id"] for a in ranked[len(ranked) - k:]} if k else set()
    per_question: dict[str, list[tuple[object, float, float]]] = {}
    for attempt in attempts:
        for qid, (points, max_points) in attempt["answers"].items():
            per_question.setdefault(qid, []).append((attempt["id"], float(points or 0), float(max_points or 0)))
    out = []
    for qid in sorted(per_question):
        answers = per_question[qid]
        correct = [a for a in answers if a[2] > 0 and a[1] >= a[2] - 1e-9]
        n = len(answers)

        def share(ids: set) -> float | None:
            group = [a for a in answers if a[0] in ids]
            return sum(1 for a in group if a[2] > 0 and a[1] >= a[2] - 1e-9) / len(group) if group else None

        upper, lower = share(upper_ids), share(lower_ids)
        stat = ItemStat(qid, n, len(correct), len(correct) / n if n else None,
                        sum(a[1] / a[2] for a in answers if a[2] > 0) / n if n else None, upper, lower,
                        None if upper is None or lower is None else round(upper - lower, 6))
        if n >= MIN_RESPONSES:
            if stat.difficulty is not None and stat.difficulty < TOO_HARD:
                stat.flags.append("too hard")
            if stat.difficulty is not None and stat.difficulty > TOO_EASY:
                stat.flags.append("too easy")
            if stat.discrimination is not None and stat.discrimination < 0:
                stat.flags.append("negative discrimination (check the answer key)")
            elif stat.discrimination is not None and stat.discrimination < LOW_DISCRIMINATION:
                stat.flags.append("low discrimination")
        out.append(stat)
    return out
