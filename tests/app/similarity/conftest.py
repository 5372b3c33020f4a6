from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def sent(monkeypatch) -> list[tuple[str, list, str]]:
    """Review and similarity tasks sent after commit (captured instead of reaching a broker)."""
    calls: list[tuple[str, list, str]] = []
    monkeypatch.setattr("app.review.dispatch.send", lambda name, args, queue="cpu": calls.append((name, args, queue)))
    return calls
