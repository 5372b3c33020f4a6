"""Point 6 of issue 12: every response tells the browser not to frame the page, not to sniff types and to run
only the site's own script files, so that an injected <script> or on* attribute does nothing."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from tests.conftest import login

TEMPLATES = Path(__file__).resolve().parents[3] / "app" / "web" / "templates"
EXPECTED = {"x-frame-options": "DENY", "x-content-type-options": "nosniff",
            "referrer-policy": "strict-origin-when-cross-origin"}


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def assert_protected(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    directives = csp_directives(response)
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    script_src = directives["script-src"]
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src


def test_staff_forms_cannot_be_framed_for_clickjacking(client, factory):
    staff = factory.user(role="instructor")
    login(client, staff.email)
    response = client.get("/cohorts")
    assert response.status_code == 200 and "<form" in response.text
    assert_protected(response)


@pytest.mark.parametrize("path,status", [("/login", 200), ("/healthz", 200), ("/static/app.js", 200),
                                         ("/api/v1/me/progress", 401), ("/no/such/page", 404), ("/", 200)])
def test_injected_script_cannot_run_on_any_page_or_api_response(client, path, status):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == status
    assert_protected(response)


def test_htmx_fragments_and_error_toasts_carry_the_headers(client, factory):
    user = factory.user()
    token = login(client, user.email)
    fragment = client.post("/account/tokens", data={"name": "x"}, headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert fragment.status_code == 200
    assert_protected(fragment)
    toast = client.post("/account/tokens/999999/revoke", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert toast.status_code == 404
    assert_protected(toast)


def test_oversized_and_crashing_requests_still_carry_the_headers(app, client):
    assert_protected(client.post("/signup", content=b"a=" + b"x" * 600_000,
                                 headers={"content-type": "application/x-www-form-urlencoded"}))

    @app.get("/crash-for-test")
    def crash():
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as crashing:
        response = crashing.get("/crash-for-test")
    assert response.status_code == 500
    assert_protected(response)


def test_hsts_is_sent_over_https_only(app):
    with TestClient(app, base_url="http://testserver") as plain:
        assert "strict-transport-security" not in plain.get("/login").headers
    with TestClient(app, base_url="https://testserver") as secure:
        assert secure.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_hsts_is_sent_when_tls_ends_at_a_proxy_and_secure_cookies_say_so(db, monkeypatch):
    from app import main

    settings = get_settings().model_copy(update={"secure_cookies": True})
    monkeypatch.setattr(main, "get_settings", lambda: settings)
    application = main.create_app()
    application.state.session_override = db
    with TestClient(application, base_url="http://testserver") as client:
        assert int(client.get("/login").headers["strict-transport-security"].split("=")[1]) >= 180 * 24 * 3600


def test_hsts_is_sent_when_a_trusted_proxy_says_the_request_came_over_https(db, monkeypatch):
    import asyncio

    import httpx

    from app import main

    settings = get_settings().model_copy(update={"trusted_proxies": "10.0.0.5"})
    monkeypatch.setattr(main, "get_settings", lambda: settings)
    application = main.create_app()
    application.state.session_override = db

    async def fetch(proxy: str):
        transport = httpx.ASGITransport(app=application, client=(proxy, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get("/healthz", headers={"X-Forwarded-Proto": "https"})

    assert "strict-transport-security" in asyncio.run(fetch("10.0.0.5")).headers
    assert "strict-transport-security" not in asyncio.run(fetch("10.0.0.6")).headers  # anyone can send the header


def test_api_docs_load_swagger_from_a_file_not_an_inline_script(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert_protected(response)
    assert csp_directives(response)["script-src"] == "script-src 'self'"  # vendored Swagger UI, no third-party host
    assert not inline_scripts(response.text)
    assert client.get("/static/swagger-init.js").status_code == 200
    assert client.get("/static/vendor/swagger-ui-5.17.14-bundle.js").status_code == 200


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
HTMX_EVAL = re.compile(r"""\shx-on[:-]|hx-(vals|vars)\s*=\s*["']\s*js:|hx-trigger\s*=\s*["'][^"']*\[""",
                       re.IGNORECASE)


def inline_scripts(html: str) -> list[str]:
    """Script tags that would execute inline code: no src, and not a JSON data block."""
    return [attrs for attrs in SCRIPT_TAG.findall(html)
            if "src=" not in attrs and 'type="application/json"' not in attrs]


def test_no_template_relies_on_inline_script_the_policy_would_block():
    offenders = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        html = template.read_text()
        for pattern in (EVENT_HANDLER, SCRIPT_URL, HTMX_EVAL):
            offenders += [f"{template.name}: {match.group(0).strip()}" for match in pattern.finditer(html)]
        offenders += [f"{template.name}: <script{attrs}>" for attrs in inline_scripts(html)]
    assert offenders == []
