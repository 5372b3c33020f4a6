"""Grader journeys in Chromium (issue 17, points 6 and 7): regrade-all is a dry run that changes nothing,
then an explicit confirmation applies it; code views keep each line number level with its code line
(measured element boxes) on the review and similarity pages, and long lines wrap instead of overflowing."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 - same browser setup
from tests.browser.test_student_journey import create_cohort
from tests.livestack import LiveStack

pytestmark = [pytest.mark.browser, pytest.mark.labs]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
SOLUTION = (FIXTURE / "lab02-word-stats" / "solution.py").read_text()
NO_LOWER = (FIXTURE / "lab02-word-stats" / "mistakes" / "no_lower.py").read_text()
LONG_LINE = "    note = '" + "a long string that keeps going " * 14 + "'\n"
WIDE = SOLUTION + '\n\nDOC = """first line\nsecond line\n"""\n\n\ndef wide():\n' + LONG_LINE + "    return note\n"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A live platform on the two fixture labs (a copy: the test changes lab02's reference)."""
    root = tmp_path_factory.mktemp("review-live")
    labs = root / "labs"
    shutil.copytree(FIXTURE, labs)
    live = LiveStack(root / "data", labs_dir=labs)
    live.labs = labs
    live.prepare()
    live.cli("users", "create", "--email", "teacher@example.com", "--password", "password123",
             "--role", "instructor", "--name", "Teacher")
    live.start_web()
    live.start_worker()
    yield live
    live.stop()


def sign_up(browser, base_url: str, invite: str, name: str, email: str) -> None:
    page = browser.new_context().new_page()
    page.goto(base_url + f"/signup?invite={invite}")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_url(base_url + "/")
    page.context.close()


def submit(live, email: str, code: str) -> int:
    token = live.cli("users", "token", "--email", email)
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.post(f"{live.base_url}/api/v1/labs/lab02/submissions", json={"code": code}, headers=headers)
    assert response.status_code == 202, response.text
    submission_id = response.json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        result = httpx.get(f"{live.base_url}/api/v1/submissions/{submission_id}", headers=headers).json()
        if result["status"] not in ("queued", "running"):
            return submission_id
        time.sleep(0.3)
    raise AssertionError(f"submission {submission_id} not graded\n{live.logs()}")


def score(live, email: str, submission_id: int) -> float:
    token = live.cli("users", "token", "--email", email)
    return httpx.get(f"{live.base_url}/api/v1/submissions/{submission_id}",
                     headers={"Authorization": f"Bearer {token}"}).json()["score"]


def score_notes(live, token: str) -> list[dict]:
    items = httpx.get(f"{live.base_url}/api/v1/notifications", headers={"Authorization": f"Bearer {token}"}).json()
    return [n for n in items["items"] if n["kind"] == "score_changed"]


def teacher_page(browser, base_url: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(30000)
    page.goto(base_url + "/login")
    page.fill("#email", "teacher@example.com")
    page.fill("#password", "password123")
    page.click("main button[type=submit]")
    page.wait_for_url(base_url + "/")
    return page


def test_regrade_all_is_a_dry_run_then_an_explicit_confirmation(browser, stack):
    invite = create_cohort(browser.new_context().new_page(), stack.base_url)
    sign_up(browser, stack.base_url, invite, "Cora", "cora@example.com")
    sign_up(browser, stack.base_url, invite, "Sam", "sam@example.com")
    cora = submit(stack, "cora@example.com", SOLUTION)
    sam = submit(stack, "sam@example.com", NO_LOWER)
    assert (score(stack, "cora@example.com", cora), score(stack, "sam@example.com", sam)) == (6.0, 1.0)
    # the lab's reference changes: counts become case-sensitive, so Sam's code is now the right one
    (stack.labs / "lab02-word-stats" / "solution.py").write_text(NO_LOWER)

    page = teacher_page(browser, stack.base_url)
    page.goto(stack.base_url + "/review/labs/lab02")
    page.select_option("#regrade-cohort", label="Autumn cohort")
    page.fill("#regrade-reason", "counts are case-sensitive now")
    page.click("text=Dry run: regrade the latest submissions")
    page.wait_for_url("**/review/regrades/*")
    apply = page.locator("#regrade-apply-button")
    apply.wait_for(timeout=120000)  # appears once the workers have graded both submissions
    assert apply.inner_text() == "Apply: 1 up, 1 down, 0 unchanged"
    report = page.locator("table.regrade-report").inner_text()
    assert "Cora" in report and "▼ down -5" in report and "Sam" in report and "▲ up +5" in report
    # the dry run changed nothing and notified nobody
    assert (score(stack, "cora@example.com", cora), score(stack, "sam@example.com", sam)) == (6.0, 1.0)
    token = stack.cli("users", "token", "--email", "cora@example.com")
    assert score_notes(stack, token) == []

    apply.click()  # the confirmation box is required: nothing happens without it
    assert page.locator("#regrade-confirm").evaluate("el => !el.checkValidity()")
    assert score(stack, "cora@example.com", cora) == 6.0
    page.check("#regrade-confirm")
    apply.click()
    page.locator("text=2 score(s) changed").wait_for()
    assert (score(stack, "cora@example.com", cora), score(stack, "sam@example.com", sam)) == (1.0, 6.0)
    changed = score_notes(stack, token)
    assert len(changed) == 1 and "6 → 1" in changed[0]["body"]
    page.context.close()


ALIGNMENT_JS = """
(selector) => [...document.querySelectorAll(selector + ' table.codelines tr')].map(row => {
  const number = row.querySelector('td.ln a').getBoundingClientRect();
  const code = row.querySelector('td.src code').getClientRects()[0];
  const cell = row.querySelector('td.src').getBoundingClientRect();
  return {n: number.top, c: code ? code.top : null, nh: number.height, ch: code ? code.height : null,
          right: cell.right, rowHeight: row.getBoundingClientRect().height};
})
"""


def assert_aligned(page, selector: str, min_rows: int) -> list[dict]:
    rows = page.evaluate(ALIGNMENT_JS, selector)
    assert len(rows) >= min_rows
    for number, row in enumerate(rows, start=1):
        assert row["c"] is not None and abs(row["n"] - row["c"]) <= 1.0, (number, row)
        assert abs(row["nh"] - row["ch"]) <= 1.0, (number, row)
    tops = [row["n"] for row in rows]
    assert tops == sorted(tops) and len(set(round(t) for t in tops)) == len(tops)  # one number per line
    return rows


def test_line_numbers_stay_level_with_the_code_and_long_lines_wrap(browser, stack):
    invite = create_cohort(browser.new_context().new_page(), stack.base_url)
    sign_up(browser, stack.base_url, invite, "Wendy", "wendy@example.com")
    sign_up(browser, stack.base_url, invite, "Walt", "walt@example.com")
    wendy = submit(stack, "wendy@example.com", WIDE)
    submit(stack, "walt@example.com", WIDE.replace("note", "remark"))

    page = teacher_page(browser, stack.base_url)
    page.goto(stack.base_url + f"/review/submissions/{wendy}")
    rows = assert_aligned(page, ".code-view", WIDE.count("\n"))
    view = page.locator(".code-view").first
    overflow = view.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1  # the long line wraps inside its row instead of being clipped or scrolling
    long_row = max(rows, key=lambda r: r["rowHeight"])
    assert long_row["rowHeight"] > 2 * min(r["rowHeight"] for r in rows)
    assert page.locator("#review-shortcuts summary").inner_text() == "Keyboard shortcuts"
    # the documented shortcuts work: ? opens the list, j goes to the next submission, k comes back
    page.keyboard.press("?")
    assert page.locator("#review-shortcuts").evaluate("el => el.open")
    next_href = page.locator("#next-submission").get_attribute("href")
    page.keyboard.press("j")
    page.wait_for_url("**" + next_href)
    page.keyboard.press("k")
    page.wait_for_url(f"**/review/submissions/{wendy}")
    page.locator("#override-score").focus()
    page.keyboard.press("j")  # typing in a field is never taken for a shortcut
    assert page.url.endswith(f"/review/submissions/{wendy}")

    # the similarity page's two code views
    page.goto(stack.base_url + "/review/labs/lab02")
    page.click("#similarity button[type=submit]")
    page.wait_for_url("**/review/similarity/*")
    pair = page.locator("a[href^='/review/similarity/pairs/']").first
    pair.wait_for(timeout=120000)
    pair.click()
    page.wait_for_url("**/review/similarity/pairs/*")
    for side in (".side-by-side section:nth-child(1) .code-view", ".side-by-side section:nth-child(2) .code-view"):
        assert_aligned(page, side, SOLUTION.count("\n"))
        assert page.locator(side).evaluate("el => el.scrollWidth - el.clientWidth") <= 1
    page.context.close()
