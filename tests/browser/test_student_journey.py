"""Sign up, join a cohort, open week 3, tick an item, reload: it is still ticked."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def create_cohort(page, base_url: str) -> str:
    page.goto(base_url + "/login")
    page.fill("#email", "teacher@example.com")
    page.fill("#password", "password123")
    page.click("main button[type=submit]")
    page.goto(base_url + "/cohorts")
    page.fill("#cohort-name", "Autumn cohort")
    page.click("text=Create cohort")
    code = page.locator("#cohort-table code").first
    code.wait_for()
    return code.inner_text()


def test_signup_join_tick_and_reload(browser, live_server):
    teacher = browser.new_context().new_page()
    invite = create_cohort(teacher, live_server.base_url)
    assert re.fullmatch(r"[A-Z0-9]{8}", invite)

    page = browser.new_context().new_page()
    page.goto(live_server.base_url + "/signup")
    page.fill("#name", "Ada Student")
    page.fill("#email", "ada@example.com")
    page.fill("#password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_url("**/join")
    page.fill("#code", invite)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.base_url + "/")
    assert "Your course" in page.content()

    page.goto(live_server.base_url + "/weeks/3")
    item = page.locator("#item-w03-tokenization")
    assert "done" not in item.get_attribute("class")
    item.locator("button").click()
    page.locator("#item-w03-tokenization.done").wait_for()
    assert page.locator("#item-w03-tokenization button").get_attribute("aria-checked") == "true"

    page.reload()
    assert "done" in page.locator("#item-w03-tokenization").get_attribute("class")
    page.goto(live_server.base_url + "/")
    assert "Continue: week 3" in page.content()

    missing = page.goto(live_server.base_url + "/weeks/99")
    assert missing.status == 404 and "Week 99 was not found" in page.content()
    assert "Ada Student" in page.content()  # the error page still knows who is signed in
