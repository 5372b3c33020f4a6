"""/healthz tells the truth: a broker that does not answer makes it 503 "degraded", naming what failed."""
from __future__ import annotations

import socket

from app.config import Settings
from app.core.health import health


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


def test_an_unreachable_broker_makes_health_degraded(tmp_path):
    settings = Settings(data_dir=tmp_path, broker_url=f"redis://127.0.0.1:{dead_port()}/0")
    status, body = health(settings)
    assert status == 503 and body["status"] == "degraded"
    assert body["checks"]["broker"] == {"ok": False, "kind": "redis", "error": "ConnectionError"}
    assert body["checks"]["database"]["ok"]


def test_the_healthz_route_answers_503_while_the_broker_is_down(client, monkeypatch):
    import app.core.health as health_module

    monkeypatch.setattr(health_module, "check_broker",
                        lambda settings: {"ok": False, "kind": "redis", "error": "ConnectionError"})
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "degraded"
