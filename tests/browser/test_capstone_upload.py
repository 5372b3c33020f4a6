"""A student uploads the capstone project (.zip) in Chromium: the smoke test shows within seconds while the
score waits for the grader, and the submission is already in the grader's queue."""
from __future__ import annotations

from pathlib import Path

import pytest

from labkit.bundle import zip_folder
from tests.browser.test_student_journey import create_cohort

pytestmark = [pytest.mark.browser, pytest.mark.labs]
CAPSTONE = Path(__file__).resolve().parents[2] / "labs" / "capstone-project"


def test_upload_a_project_zip_and_see_the_smoke_test(browser, live_server, tmp_path):
    invite = create_cohort(browser.new_context().new_page(), live_server.base_url)
    page = browser.new_context().new_page()
    page.set_default_timeout(30000)
    page.goto(live_server.base_url + f"/signup?invite={invite}")
    page.fill("#name", "Capy")
    page.fill("#email", "capy@example.com")
    page.fill("#password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.base_url + "/")

    page.goto(live_server.base_url + "/labs/capstone")
    assert page.locator("#bundle-form").is_visible() and page.locator("#starter-zip").is_visible()
    project = tmp_path / "project.zip"
    project.write_bytes(zip_folder(CAPSTONE / "solution"))
    page.set_input_files("#file", str(project))
    page.click("text=Submit the project")
    page.locator('#result [data-status="awaiting_review"]').wait_for(timeout=120000)
    assert page.url.endswith("/labs/capstone")
    smoke = page.locator("#result [data-smoke]")
    assert "6 of 6" in smoke.inner_text()
    assert "Score:" not in page.locator("#result").inner_text()  # the score waits for the grader

    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    page.set_input_files("#file", str(bad))
    page.click("text=Submit the project")
    page.locator("text=not a readable .zip").first.wait_for()

    teacher = browser.new_context().new_page()
    teacher.goto(live_server.base_url + "/login")
    teacher.fill("#email", "teacher@example.com")
    teacher.fill("#password", "password123")
    teacher.click("main button[type=submit]")
    teacher.goto(live_server.base_url + "/review?lab=capstone")
    assert "CAPSTONE · attempt 1" in teacher.locator("main").inner_text()
