"""Pure computations: item analysis on a hand-computed example, at-risk wording, histograms."""
from datetime import datetime, timedelta, timezone

import pytest

from app.dashboard import analytics
from app.dashboard.pacing import DEFAULTS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def _attempts():
    """Ten first attempts with total scores 0.9, 0.8, ..., 0.0 (ids 1..10). With 27% groups, k = round(2.7) = 3:
    upper = {1, 2, 3}, lower = {8, 9, 10}."""
    correct = {
        "q1": {1, 2, 3, 4, 5},                 # p = 0.5, upper 3/3, lower 0/3 -> D = 1.0
        "q2": {2, 3, 4, 5, 6, 7, 8, 9, 10},    # p = 0.9, upper 2/3, lower 3/3 -> D = -1/3 (negative)
        "q3": {1, 8},                          # p = 0.2 (too hard), upper 1/3, lower 1/3 -> D = 0 (low)
    }
    q5_points = {1: 2, 2: 1, 3: 2, 4: 0, 5: 2, 6: 1, 7: 0, 8: 0, 9: 0, 10: 0}
    attempts = []
    for i in range(1, 11):
        answers = {q: (1.0 if i in ids else 0.0, 1.0) for q, ids in correct.items()}
        if i <= 6:                             # q4 drawn only into attempts 1..6, always right
            answers["q4"] = (1.0, 1.0)
        answers["q5"] = (float(q5_points[i]), 2.0)  # partial credit: full marks for 1, 3, 5
        attempts.append({"id": i, "score": (10 - i) / 10, "answers": answers})
    return attempts


def test_item_analysis_hand_computed():
    stats = {s.question_id: s for s in analytics.item_analysis(_attempts())}
    q1, q2, q3, q4, q5 = (stats[q] for q in ("q1", "q2", "q3", "q4", "q5"))
    assert (q1.responses, q1.correct, q1.difficulty, q1.upper, q1.lower, q1.discrimination) == (10, 5, 0.5, 1.0, 0.0, 1.0)
    assert q1.flags == []
    assert q2.difficulty == pytest.approx(0.9)
    assert (q2.upper, q2.lower) == (pytest.approx(2 / 3), 1.0)
    assert q2.discrimination == pytest.approx(-1 / 3)
    assert q2.flags == ["negative discrimination (check the answer key)"]
    assert q3.difficulty == pytest.approx(0.2)
    assert q3.discrimination == 0
    assert q3.flags == ["too hard", "low discrimination"]
    assert (q4.responses, q4.difficulty, q4.upper, q4.lower, q4.discrimination) == (6, 1.0, 1.0, None, None)
    assert q4.flags == []  # fewer than MIN_RESPONSES answers: never flagged
    assert q5.difficulty == pytest.approx(0.3)
    assert q5.mean_score == pytest.approx(0.4)  # (2+1+2+0+2+1+0+0+0+0) / 2 / 10
    assert q5.discrimination == pytest.approx(2 / 3)
    assert q5.flags == []


def test_item_analysis_too_easy_and_empty():
    attempts = [{"id": i, "score": 1.0, "answers": {"easy": (1.0, 1.0)}} for i in range(12)]
    (stat,) = analytics.item_analysis(attempts)
    assert stat.difficulty == 1.0 and "too easy" in stat.flags
    assert analytics.item_analysis([]) == []


def test_histogram_and_duration():
    assert analytics.histogram([0.0, 0.05, 0.1, 0.95, 1.0, 0.3]) == [2, 1, 0, 1, 0, 0, 0, 0, 0, 2]
    assert analytics.human_duration(timedelta(minutes=30)) == "30 min"
    assert analytics.human_duration(5400) == "1.5 h"
    assert analytics.human_duration(timedelta(days=3)) == "3.0 days"
    assert analytics.human_duration(None) == "–"


def _risks(**overrides):
    args = dict(now=NOW, settings=dict(DEFAULTS), last_activity=NOW - timedelta(days=1),
                active_since=NOW - timedelta(days=60), expected_weeks=5, weeks_done=5, stuck_lab=None,
                stuck_check=None, stuck_count=0, quiz_fail_week=None, quiz_fail_count=0)
    args.update(overrides)
    return analytics.risk_reasons(**args)


def test_risk_reasons_each_rule_and_its_threshold():
    assert _risks() == []
    inactive = _risks(last_activity=NOW - timedelta(days=9))
    assert [(r.code, r.text) for r in inactive] == [("inactive", "Inactive for 9 days")]
    assert _risks(last_activity=NOW - timedelta(days=6, hours=23)) == []
    never = _risks(last_activity=None, active_since=NOW - timedelta(days=8))
    assert never[0].text == "No activity in the 8 days since joining"
    assert _risks(last_activity=None, active_since=NOW - timedelta(days=2)) == []
    behind = _risks(weeks_done=2)
    assert [r.code for r in behind] == ["behind"] and "by 3 weeks (2 of 5" in behind[0].text
    assert _risks(weeks_done=4) == []
    stuck = _risks(stuck_lab="lab02", stuck_check="top_k_hidden", stuck_count=3)
    assert stuck[0].text == "Failed the check top_k_hidden of lab02 3 times in a row"
    assert _risks(stuck_lab="lab02", stuck_check="top_k_hidden", stuck_count=2) == []
    quiz = _risks(quiz_fail_week=3, quiz_fail_count=2)
    assert quiz[0].text == "Below the pass mark on the week 3 quiz 2 times"
    assert _risks(quiz_fail_week=3, quiz_fail_count=1) == []
    settings = dict(DEFAULTS, inactive_days=3, behind_weeks=1)
    assert [r.code for r in _risks(settings=settings, last_activity=NOW - timedelta(days=4), weeks_done=4)] == [
        "inactive", "behind"]
