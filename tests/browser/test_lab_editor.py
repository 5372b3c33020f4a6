"""The lab page in Chromium (issue 17): the CodeMirror editor (indent, Esc-then-Tab, brackets, search, themes,
drafts, reset, diff, Ctrl+Enter), numbers that update live, the live training view and cancelling a run."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_student_journey import create_cohort

pytestmark = [pytest.mark.browser, pytest.mark.labs]
LAB02 = Path(__file__).resolve().parents[2] / "labs" / "lab02-text-analysis"
EDITOR = ".cm-editor .cm-content"


@pytest.fixture(scope="module")
def students(browser, live_server, tmp_path_factory):
    """Two enrolled students (signing up is rate limited per address): their browser storage states."""
    invite = create_cohort(browser.new_context().new_page(), live_server.base_url)
    states = {}
    for name in ("Edsger", "Barbara"):
        context = browser.new_context()
        page = context.new_page()
        page.goto(live_server.base_url + f"/signup?invite={invite}")
        page.fill("#name", name)
        page.fill("#email", f"{name.lower()}@example.com")
        page.fill("#password", "correct horse battery")
        page.click("main button[type=submit]")
        page.wait_for_url(live_server.base_url + "/")
        states[name] = str(tmp_path_factory.mktemp("state") / f"{name}.json")
        context.storage_state(path=states[name])
        context.close()
    return states


def open_lab(browser, live_server, state: str, **context_options):
    context = browser.new_context(storage_state=state, **context_options)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.base_url + "/labs/lab02")
    page.locator(EDITOR).wait_for()
    return page


def editor_text(page) -> str:
    return page.input_value("#code")  # the hidden textarea the editor keeps in step (what the form posts)


def replace_code(page, code: str) -> None:
    page.click(EDITOR)
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def test_editor_indents_keeps_keyboard_users_free_and_searches(browser, live_server, students):
    page = open_lab(browser, live_server, students["Edsger"])
    assert not page.locator("#code").is_visible()  # the textarea stays in the form as the no-JS fallback
    assert page.locator(".cm-editor .cm-lineNumbers .cm-gutterElement").count() > 3  # line numbers
    assert "NotImplementedError" in editor_text(page)
    content = page.locator(EDITOR)
    assert content.get_attribute("aria-label") == "Code editor"  # named by its label, described by the help
    assert content.get_attribute("aria-describedby") == "editor-help"
    assert page.evaluate("typeof window.Chart") == "undefined"  # no chart on this page yet: no Chart.js
    assert page.locator('script[src*="chart-4.4.7"]').count() == 0

    replace_code(page, "")
    page.keyboard.type("def f(x):")
    page.keyboard.press("Enter")  # Enter indents the body
    page.keyboard.type("return (x")
    assert editor_text(page) == "def f(x):\n    return (x)"  # brackets close themselves
    assert page.locator(".cm-matchingBracket").count() >= 1  # and match

    replace_code(page, "x = 1")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")  # Tab indents, it does not leave the editor
    assert editor_text(page) == "    x = 1"
    assert page.evaluate("!!document.activeElement.closest('.cm-editor')")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # Esc then Tab moves on: keyboard users are never trapped
    assert page.evaluate("!document.activeElement.closest('.cm-editor')")
    assert editor_text(page) == "    x = 1"

    page.click(EDITOR)
    page.keyboard.press("Control+f")
    page.locator(".cm-search input[name=search]").wait_for()
    # highlighting: Python keywords get their own colour
    replace_code(page, "def g():\n    pass\n")
    keyword = page.locator(".cm-line span", has_text="def").first
    assert keyword.evaluate("e => getComputedStyle(e).color") != page.locator(".cm-content").evaluate(
        "e => getComputedStyle(e).color")


def test_dark_theme_follows_the_system(browser, live_server, students):
    dark = open_lab(browser, live_server, students["Edsger"], color_scheme="dark")
    light = open_lab(browser, live_server, students["Edsger"], color_scheme="light")
    background = "e => getComputedStyle(e).backgroundColor"
    assert dark.locator(".cm-editor").evaluate(background) == "rgb(40, 44, 52)"  # one-dark
    assert light.locator(".cm-editor").evaluate(background) == "rgb(255, 255, 255)"


def test_draft_survives_a_reload_and_reset_asks_first(browser, live_server, students):
    page = open_lab(browser, live_server, students["Edsger"])
    with page.expect_response(lambda r: r.url.endswith("/labs/lab02/draft") and r.ok):  # autosaved as you type
        replace_code(page, "# my draft\nx = 42\n")
    page.reload()
    page.locator(EDITOR).wait_for()
    assert editor_text(page) == "# my draft\nx = 42\n"
    other_device = open_lab(browser, live_server, students["Edsger"])  # another browser, same account
    assert editor_text(other_device) == "# my draft\nx = 42\n"

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("[data-reset-starter]")
    assert editor_text(page) == "# my draft\nx = 42\n"  # dismissed: nothing changed
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.url.endswith("/labs/lab02/draft") and r.ok):
        page.click("[data-reset-starter]")
    assert "NotImplementedError" in editor_text(page)
    page.reload()
    page.locator(EDITOR).wait_for()
    assert "NotImplementedError" in editor_text(page)


def test_ctrl_enter_submits_and_the_numbers_update_without_a_reload(browser, live_server, students):
    page = open_lab(browser, live_server, students["Edsger"])
    assert page.locator("#best-score").inner_text() == "–"
    assert "No attempts yet" in page.locator("#attempts").inner_text()
    week_before = page.locator("#week-progress .week-pct").inner_text()

    replace_code(page, (LAB02 / "solution.py").read_text())
    page.keyboard.press("Control+Enter")
    page.locator("#result [data-status]").first.wait_for()
    assert page.locator("#attempts tbody tr").count() == 1  # listed at once, while it waits
    page.locator('#result [data-status="graded"]').wait_for(timeout=120000)
    full = page.locator("#result").inner_text().split("/ ")[1].split()[0]
    assert page.locator("#result .score").inner_text() == full
    assert page.locator("#best-score").inner_text() == full  # live, no reload
    page.locator("#attempts .badge.status-graded").wait_for()
    assert page.locator("#week-progress .week-pct").inner_text() != week_before
    assert page.url.endswith("/labs/lab02")

    # the fully passed lab ticked its own checklist item
    page.goto(live_server.base_url + "/weeks/1")
    assert page.locator("#item-w01-lab02 button").get_attribute("aria-checked") == "true"

    # diff of the draft against that attempt
    page.goto(live_server.base_url + "/labs/lab02")
    page.locator(EDITOR).wait_for()
    page.click(EDITOR)
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\nEXTRA = 1\n")
    page.click("text=Show differences")
    page.locator("#diff-view .diff-add", has_text="EXTRA = 1").wait_for()


TRAINING = """import time
for step in range(1, 9):
    print(f"step {step} loss {3.0 / step:.3f}", flush=True)
    time.sleep(0.4)
"""


def test_live_training_view_draws_one_series_per_case_and_follows_the_log(browser, live_server, students):
    page = open_lab(browser, live_server, students["Barbara"])
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    replace_code(page, (LAB02 / "solution.py").read_text() + "\n" + TRAINING)
    page.click("text=Submit for grading")
    chart = page.locator("#result figure.live-chart canvas")
    chart.wait_for(timeout=60000)
    page.wait_for_function("window.Chart && Chart.getChart(document.querySelector('canvas.loss-chart'))")
    labels = page.evaluate("Chart.getChart(document.querySelector('canvas.loss-chart')).data.datasets.map(d => d.label)")
    assert labels == ["visible 1"]
    log = page.locator("#result .live-log")
    assert "step 1 loss" in log.inner_text()
    assert log.evaluate("e => e.scrollHeight - e.scrollTop - e.clientHeight < 24")  # follows the tail
    assert any("/events" in url for url in requests)  # server-sent events, not the 1 s poll
    page.locator('#result [data-status="graded"]').wait_for(timeout=120000)
    polls = [url for url in requests if url.endswith("/status")]
    assert len(polls) <= 3, polls  # only the refreshes the stream asked for


def test_cancel_run_stops_the_job(browser, live_server, students):
    page = open_lab(browser, live_server, students["Barbara"])
    replace_code(page, (LAB02 / "solution.py").read_text() + "\nimport time\nfor i in range(200):\n"
                       "    print(f'step {i} loss 1.0', flush=True)\n    time.sleep(0.3)\n")
    page.click("text=Submit for grading")
    page.locator('#result [data-status="running"]').wait_for(timeout=60000)
    page.locator("#result .live-log", has_text="step 2").wait_for(timeout=30000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Cancel run")
    page.locator("#result", has_text="You cancelled this run").wait_for()
    assert page.locator('#result [data-status="error"]').count() == 1
    # the worker really stopped it (app/labs/live.py raises, the sandbox is killed), well before its 40 s limit
    page.wait_for_timeout(3000)
    assert "cancelled while running; its sandbox was stopped" in live_server.logs()


def test_waiting_is_explained_place_in_queue_estimate_and_preparation(browser, live_server, students):
    """Last in this module: it stops the worker, queues two submissions, then starts a worker again."""
    second = open_lab(browser, live_server, students["Edsger"])
    replace_code(second, (LAB02 / "solution.py").read_text())
    attempt = second.locator("#attempts tbody tr").count() + 1
    second.click("text=Submit for grading")  # a run of the CPU queue that finishes: the basis of estimates
    second.locator(f'#result .submission:has(h3:has-text("Attempt {attempt} ·")) [data-status="graded"]').wait_for(
        timeout=120000)
    for worker in live_server.workers:
        if worker.poll() is None:
            live_server.kill_worker(worker)
    first = browser.new_context(storage_state=students["Barbara"]).new_page()
    first.goto(live_server.base_url + "/labs/lab09")  # never graded on this platform yet: not prepared
    first.locator(EDITOR).wait_for()
    first.click("text=Submit for grading")
    first.locator('#result [data-status="queued"]').wait_for()
    first.locator("#result [data-preparing]", has_text="Preparing this lab").wait_for()
    assert first.locator("#result [data-queue-position]").inner_text().startswith("Place in the CPU queue: 1")

    second.click("text=Submit for grading")
    place = second.locator("#result [data-queue-position]")
    place.wait_for()
    assert "Place in the CPU queue: 2" in place.inner_text()
    assert second.locator("#result [data-queue-estimate]").inner_text().startswith("Result in about")

    live_server.start_worker()  # the queue moves: both pages follow without a reload
    finished = '#result [data-status]:not([data-status="queued"]):not([data-status="running"])'
    try:
        first.locator(finished).wait_for(timeout=120000)
        second.locator('#result [data-status="graded"]').wait_for(timeout=120000)
    except Exception:
        print(live_server.logs())
        raise
    assert second.locator("#attempts tbody tr").count() >= 2
    assert "Preparing this lab" not in first.locator("#result").inner_text()
