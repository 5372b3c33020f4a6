"""Regenerate the README screenshots: a live platform with demo data, captured in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.livestack import LiveStack  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def main() -> None:
    with tempfile.TemporaryDirectory() as data:
        stack = LiveStack(Path(data))
        stack.prepare()
        stack.cli("users", "create", "--email", "teacher@example.com", "--password", "password123",
                  "--role", "admin", "--name", "Dr. Teacher")
        stack.cli("demo", "seed", "--students", "40")
        stack.start_web()
        stack.start_worker()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                base = stack.base_url
                sign_in(page, base, "teacher@example.com", "password123")
                page.goto(base + "/cohorts")
                invite = page.locator("#cohort-table code").first.inner_text()
                student = browser.new_page(viewport={"width": 1280, "height": 860})
                student.goto(base + f"/signup?invite={invite}")
                student.fill("#name", "Ada Lovelace")
                student.fill("#email", "ada@example.com")
                student.fill("#password", "correct horse battery")
                student.click("main button[type=submit]")
                student.wait_for_load_state()
                for item in ("w01-nlp-applications", "w01-text-as-data"):
                    student.goto(base + "/weeks/1")
                    if student.locator(f"#item-{item} button").count():
                        student.locator(f"#item-{item} button").click()
                        time.sleep(0.3)
                student.goto(base + "/labs/lab02")
                student.click(".cm-editor .cm-content")  # the code editor (static/editor.js)
                student.keyboard.press("Control+a")
                student.keyboard.insert_text((ROOT / "labs" / "lab02-text-analysis" / "mistakes").glob("*.py")
                                             .__next__().read_text())
                student.click("text=Submit for grading")
                student.locator('#result [data-status="graded"]').wait_for(timeout=120000)
                student.screenshot(path=str(OUT / "lab.png"), full_page=False)
                student.goto(base + "/weeks/3")
                student.screenshot(path=str(OUT / "week.png"))
                student.goto(base + "/")
                student.screenshot(path=str(OUT / "home.png"))
                student.goto(base + "/progress")
                student.screenshot(path=str(OUT / "progress.png"))
                phone = browser.new_context(viewport={"width": 360, "height": 800}, is_mobile=True,
                                            device_scale_factor=2).new_page()
                sign_in(phone, base, "ada@example.com", "correct horse battery")
                phone.goto(base + "/weeks/4")
                phone.locator(".math-display[data-typeset]").first.scroll_into_view_if_needed()
                phone.screenshot(path=str(OUT / "phone-week.png"))
                page.goto(base + "/instructor")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / "dashboard.png"))
                page.goto(base + "/review")
                page.screenshot(path=str(OUT / "review.png"))
                browser.close()
        finally:
            stack.stop()
    print("screenshots written to", OUT)


if __name__ == "__main__":
    main()
