"""Pages keep working under the Content-Security-Policy (no inline script): HTMX forms, Chart.js charts,
and the account page's password change, which signs the account's other browsers out."""
from __future__ import annotations

import pytest

from tests.browser.test_student_journey import create_cohort

pytestmark = pytest.mark.browser


def watched_page(browser, violations: list[str]):
    """A page in a fresh context that records every CSP violation Chromium reports."""
    context = browser.new_context()
    context.on("console", lambda message: violations.append(message.text)
               if "Content Security Policy" in message.text else None)
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def sign_up(page, base_url: str, invite: str, email: str) -> None:
    page.goto(f"{base_url}/signup?invite={invite}")
    page.fill("#name", "Lin")
    page.fill("#email", email)
    page.fill("#password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_url(base_url + "/")


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(base_url + "/")


def test_pages_work_under_the_csp_and_a_password_change_signs_out_the_other_browser(browser, live_server):
    base = live_server.base_url
    violations: list[str] = []

    teacher = watched_page(browser, violations)
    invite = create_cohort(teacher, base)  # the cohort form is an HTMX form
    teacher.goto(base + "/instructor")
    teacher.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-distribution'))")

    student = watched_page(browser, violations)
    sign_up(student, base, invite, "lin@example.com")
    other_browser = watched_page(browser, violations)
    sign_in(other_browser, base, "lin@example.com", "correct horse battery")

    student.goto(base + "/weeks/3")
    student.locator("#item-w03-tokenization button").click()  # HTMX checklist tick
    student.locator("#item-w03-tokenization.done").wait_for()

    student.goto(base + "/account")
    student.fill("#current-password", "correct horse battery")
    student.fill("#new-password", "a brand new passphrase")
    student.click("text=Change password")
    student.locator("#account-security .flash.success").wait_for()
    assert "1 other session signed out" in student.locator("#account-security").inner_text()
    assert student.url.endswith("/account")  # swapped in place by HTMX, no navigation

    other_browser.goto(base + "/account")
    assert "/login" in other_browser.url
    student.goto(base + "/account")
    assert student.url.endswith("/account")

    student.click("text=Sign out everywhere")  # HTMX post answered with HX-Redirect
    student.wait_for_url("**/login")
    assert violations == []
