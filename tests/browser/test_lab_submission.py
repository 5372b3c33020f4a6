"""A student submits a lab in the browser and watches queued -> running -> graded without a reload."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_student_journey import create_cohort

pytestmark = [pytest.mark.browser, pytest.mark.labs]
LAB02 = Path(__file__).resolve().parents[2] / "labs" / "lab02-text-analysis"


def test_submit_in_editor_and_see_live_result(browser, live_server):
    invite = create_cohort(browser.new_context().new_page(), live_server.base_url)
    page = browser.new_context().new_page()
    page.goto(live_server.base_url + f"/signup?invite={invite}")
    page.fill("#name", "Grace")
    page.fill("#email", "grace@example.com")
    page.fill("#password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.base_url + "/")

    page.goto(live_server.base_url + "/labs/lab02")
    assert "NotImplementedError" in page.input_value("#code")
    page.click(".cm-editor .cm-content")  # the code editor (static/editor.js) over the textarea
    page.keyboard.press("Control+a")
    page.keyboard.insert_text((LAB02 / "solution.py").read_text())
    page.click("text=Submit for grading")
    status = page.locator("#result [data-status]")
    status.first.wait_for()
    first_seen = status.first.get_attribute("data-status")
    assert first_seen in ("queued", "running", "graded")
    page.locator('#result [data-status="graded"]').wait_for(timeout=120000)
    assert page.url.endswith("/labs/lab02")  # no reload, no navigation
    score = page.locator("#result .score").inner_text()
    assert score == page.locator("#result").inner_text().split("/ ")[1].split()[0]  # full marks
    assert page.locator("#result .test.failed").count() == 0
