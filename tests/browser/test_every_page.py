"""Every page, as a visitor, a student, a grader and an instructor (demo data): it fits a 360 px wide phone
without sideways page scrolling, and axe-core finds no serious or critical violation in light or dark mode.

The pages are found by crawling each role's links from the home page (one URL per route pattern), so a new
page is covered as soon as something links to it."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from tests.livestack import LiveStack

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.10.2.min.js"
SKIP = re.compile(r"^/(logout|static/|api/|openapi|healthz|metrics|instructor/exports/|review/highlight\.css)|/events$|/download$")
PASSWORD = "password123"


def pattern(path: str) -> str:
    """One representative per route: ids and numbers collapse (/weeks/3 and /weeks/4 are one page)."""
    return re.sub(r"/(\d+|lab\d+[\w-]*|[0-9a-f]{8,}|q\d+[\w-]*|quiz-[\w-]+|w\d+[\w-]*)(?=/|$)", "/*", path)


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def crawl(page, base: str, starts: list[str], limit: int = 60) -> list[str]:
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        key = pattern(path)
        if key in seen:
            continue
        response = page.goto(base + path)
        if response is None or (response.status >= 400 and path not in starts) \
                or urlparse(page.url).path != path.split("?")[0]:
            continue  # a redirect (e.g. /join when enrolled) is covered by its target
        seen[key] = path
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlparse(urljoin(page.url, href))
            if url.netloc != urlparse(base).netloc or SKIP.search(url.path):
                continue
            target = url.path + ("?" + url.query if url.query and not url.path.startswith("/notifications") else "")
            if pattern(url.path) not in seen:
                queue.append(target)
    return list(seen.values())


@pytest.fixture(scope="module")
def demo(tmp_path_factory, browser):
    stack = LiveStack(tmp_path_factory.mktemp("every-page"))
    stack.prepare()
    stack.cli("users", "create", "--email", "teacher@example.com", "--password", PASSWORD, "--role", "instructor",
              "--name", "Teacher")
    stack.cli("users", "create", "--email", "grader@example.com", "--password", PASSWORD, "--role", "grader",
              "--name", "Grace Grader")
    stack.cli("demo", "seed", "--students", "6", "--seed", "7")
    db = sqlite3.connect(stack.data_dir / "llmcourse.db")
    student = db.execute("SELECT u.email FROM users u JOIN submissions s ON s.user_id = u.id WHERE u.role = 'student' "
                         "GROUP BY u.id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    db.execute("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'teacher@example.com') "
               "WHERE email IN (?, 'demo-instructor@example.com')", (student,))
    db.commit()
    db.close()
    stack.start_web()
    try:
        base = stack.base_url
        pages: dict[str, list[str]] = {}
        context = browser.new_context()
        page = context.new_page()
        pages["visitor"] = crawl(page, base, ["/", "/login", "/signup", "/no-such-page"])
        context.close()
        for role, email in (("student", student), ("instructor", "demo-instructor@example.com"),
                            ("grader", "grader@example.com")):
            context = browser.new_context()
            page = context.new_page()
            sign_in(page, base, email)
            extra = ["/progress", "/no-such-page"] if role == "student" else ["/review", "/no-such-page"]
            if role == "grader":  # the review pages the instructor reached, seen by a grader
                extra += [path for path in pages["instructor"] if path.startswith("/review/")]
            if role == "student":  # a quiz attempt page: start one
                page.goto(base + "/quizzes")
                quiz = page.locator("main a[href^='/quizzes/']").first.get_attribute("href")
                page.goto(base + quiz)
                start = page.locator("main form button[type=submit]").first
                if start.count():
                    start.click()
                    page.wait_for_load_state()
                    if "/quizzes/attempts/" in page.url:
                        extra.append(urlparse(page.url).path)
            if role == "instructor":  # a similarity run and a regrade dry run have pages of their own
                for button, url in (("Run similarity check", "**/review/similarity/*"),
                                    ("Dry run: regrade the latest submissions", "**/review/regrades/*")):
                    page.goto(base + "/review/labs/lab01")
                    page.get_by_role("button", name=button).click()
                    page.wait_for_url(url)
                    extra.append(urlparse(page.url).path)
            pages[role] = crawl(page, base, ["/", *extra])
            context.close()
        stack.emails = {"student": student, "grader": "grader@example.com",
                        "instructor": "demo-instructor@example.com"}
        stack.pages = pages
        print("pages crawled:", pages)
        yield stack
    finally:
        stack.stop()


def visit_all(browser, demo, role: str, check, skip: tuple[str, ...] = (), **context_args) -> list[str]:
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.set_default_timeout(20000)
    if role != "visitor":
        sign_in(page, demo.base_url, demo.emails[role])
    problems = []
    for path in demo.pages[role]:
        if path in skip:
            continue
        page.goto(demo.base_url + path)
        page.wait_for_load_state("networkidle")
        problems += [f"{role} {path}: {p}" for p in check(page)]
    context.close()
    return problems


def horizontal_overflow(page) -> list[str]:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= 360:
        return []
    culprits = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect(); return r.right > 361 && r.width > 0 && getComputedStyle(e).position !== 'fixed'
        && ![...document.querySelectorAll('body *')].some(p => p !== e && p.contains(e) && p.getBoundingClientRect().right > 361);
      }).slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.')
        + ' ' + Math.round(e.getBoundingClientRect().right))""")
    return [f"page is {width}px wide: {', '.join(culprits)}"]


@pytest.mark.parametrize("role", ["visitor", "student", "grader", "instructor"])
def test_every_page_fits_a_360px_phone(browser, demo, role):
    assert len(demo.pages[role]) >= {"visitor": 4, "student": 14, "grader": 15, "instructor": 26}[role], demo.pages[role]
    assert "/no-such-page" in demo.pages[role]  # the 404 page
    if role == "instructor":
        assert {"/review/similarity/*", "/review/regrades/*", "/instructor", "/weeks/*"} <= set(map(pattern, demo.pages[role]))
    problems = visit_all(browser, demo, role, horizontal_overflow, viewport={"width": 360, "height": 800},
                         is_mobile=True, has_touch=True)
    assert not problems, "\n".join(problems)


def axe_serious(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => v.id + ' x' + v.nodes.length + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')
            + (n.any[0] && n.any[0].data && n.any[0].data.contrastRatio ? ' (' + n.any[0].data.contrastRatio + ')' : '')).join(' | '));
    }""")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("role", ["visitor", "student", "grader", "instructor"])
def test_every_page_has_no_serious_axe_violation(browser, demo, role, scheme):
    # /docs is Swagger UI as its authors ship it (nested buttons, pale version stamps): not our markup, left out.
    problems = visit_all(browser, demo, role, axe_serious, color_scheme=scheme, bypass_csp=True,
                         viewport={"width": 1280, "height": 900}, skip=("/docs",))
    assert not problems, "\n".join(problems)


def student_page(browser, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, demo.base_url, demo.emails["student"])
    return context, page


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(), id: e.id,
        text: (e.textContent || '').trim().slice(0, 80), inQuiz: !!e.closest('#quiz-main'),
        row: e.closest('.check-row') ? e.closest('.check-row').id : null}; }""")


def test_focus_moves_to_the_new_content_after_a_swap_and_field_errors_sit_by_the_field(browser, demo):
    context, page = student_page(browser, demo)
    numeric = None
    for week in range(33, 0, -1):  # the demo student has not reached the last weeks' quizzes
        page.goto(f"{demo.base_url}/quizzes/quiz-week{week:02d}")
        start = page.locator("#quiz-main form button[type=submit]")
        if not start.count() or not start.first.inner_text().startswith("Start attempt"):
            continue
        start.first.focus()
        page.keyboard.press("Enter")  # keyboard only
        page.locator("#quiz-main fieldset.quiz-question").first.wait_for()
        page.wait_for_function("document.activeElement !== document.body")
        now = focused(page)
        assert now["inQuiz"] and now["tag"] in ("h1", "h2", "h3", "legend"), now
        if page.locator("#quiz-main input[inputmode=decimal]").count():
            numeric = page.locator("#quiz-main input[inputmode=decimal]").first
            break
    assert numeric is not None, "no quiz attempt with a numeric question"
    qid = numeric.get_attribute("id")[2:]
    numeric.fill("1.2.3")
    numeric.press("Tab")  # change -> autosave
    error = page.locator(f"#saved-{qid}.field-error")
    error.wait_for()
    assert "is not a number" in error.inner_text() and error.get_attribute("role") == "alert"
    assert f"saved-{qid}" in numeric.get_attribute("aria-describedby").split()
    assert numeric.get_attribute("aria-invalid") == "true"
    assert page.locator("#toasts .toast").count() == 0  # not (only) a disappearing toast
    numeric.fill("42")
    numeric.press("Tab")
    page.locator(f"#saved-{qid}:not(.field-error)").wait_for()
    assert page.locator(f"#saved-{qid}").inner_text() == "Saved."
    assert numeric.get_attribute("aria-invalid") is None

    page.goto(demo.base_url + "/weeks/33")  # a checklist tick keeps focus on the (new) checkbox
    row = page.locator(".check-row").first
    row_id = row.get_attribute("id")
    row.locator("button").focus()
    page.keyboard.press("Space")
    page.locator(f"#{row_id}.done").wait_for()
    page.wait_for_function("document.activeElement !== document.body")
    assert focused(page)["row"] == row_id
    context.close()


def test_week_maths_and_code_are_typeset(browser, demo):
    context, page = student_page(browser, demo)
    page.goto(demo.base_url + "/weeks/4")
    formula = page.locator(".prose .math-display[data-typeset] .katex-display")
    formula.wait_for()
    assert "PPL" in page.locator(".prose .math-display").get_attribute("data-tex")
    assert page.locator(".prose .math-display .katex-mathml math").count() == 1  # readable by screen readers
    assert page.locator(".prose .math-display .katex-html .mfrac").count() == 1  # laid out: 1/N is a fraction
    assert page.locator(".prose .math-display annotation").text_content().startswith(r"\mathrm{PPL}")  # typeset once
    fonts = page.evaluate("() => document.fonts.check('16px KaTeX_Main')")
    assert fonts
    page.goto(demo.base_url + "/weeks/6")  # its ```python blocks
    assert page.locator(".prose pre code[class^=language-] span.k").count() > 0
    colour = page.locator(".prose pre code[class^=language-] span.k").first.evaluate("e => getComputedStyle(e).color")
    body = page.evaluate("() => getComputedStyle(document.body).color")
    assert colour != body  # keywords are coloured
    context.close()
