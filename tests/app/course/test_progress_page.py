"""GET /progress: what /api/v1/me/progress returns, drawn (a page, or its body for HTMX)."""
from __future__ import annotations

import re

from tests.conftest import login


def test_progress_page_draws_the_api_numbers(client, factory):
    user = factory.user(name="Ada Progress")
    factory.enroll(user, factory.cohort())
    factory.submission(user, lab_id="lab02", score=10 / 3)
    login(client, user.email)
    api = client.get("/api/v1/me/progress").json()
    page = client.get("/progress")
    assert page.status_code == 200
    assert "<html" in page.text and "Your progress" in page.text
    assert f'id="progress-overall-value">{round(api["overall"] * 100)}%<' in page.text
    rows = re.findall(r'<tr id="progress-week-(\d+)">', page.text)
    assert [int(n) for n in rows] == [week["week"] for week in api["weeks"]]
    lab02 = next(lab for week in api["weeks"] for lab in week["labs"] if lab["id"] == "lab02")
    assert lab02["best_score"] == 10 / 3
    assert '<a href="/labs/lab02">lab02</a> 3.33/' in page.text  # at most two decimals
    week = api["weeks"][2]
    assert f'{week["checklist"]["done"]}/{week["checklist"]["total"]}' in page.text


def test_progress_page_htmx_gets_the_body_only(client, factory):
    user = factory.user(enrolled=False)
    login(client, user.email)
    response = client.get("/progress", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="progress-body">')
    assert "<html" not in response.text
    assert "Join one with an invite code" in response.text  # not enrolled yet


def test_progress_page_needs_sign_in(client):
    response = client.get("/progress", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    htmx = client.get("/progress", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")


def test_unknown_address_404_page_knows_who_is_signed_in(client, factory):
    user = factory.user(name="Signed In Sam")
    login(client, user.email)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.text
    assert "Signed In Sam" in response.text and 'action="/logout"' in response.text
    assert "Sign in</a>" not in response.text


def test_unknown_address_404_page_for_a_visitor(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert 'href="/login"' in response.text and 'action="/logout"' not in response.text


def test_pages_link_the_favicon(client):
    page = client.get("/login")
    assert '<link rel="icon" href="/static/favicon.svg"' in page.text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.text.startswith("<svg")
