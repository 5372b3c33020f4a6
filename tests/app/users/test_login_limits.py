"""Sign-in throttling as an attacker meets it (issue 12, point 7): per client address and per account, a
forged X-Forwarded-For that buys nothing, and a limiter that keeps working when its Redis is down."""
from __future__ import annotations

import logging
import socket
import subprocess
import time

import pytest
import redis
from fastapi.testclient import TestClient

from app.config import get_settings
from app.core import ratelimit
from app.core.proxies import parse_trusted_proxies
from tests.conftest import csrf_from

PASSWORD = "password123"  # the factories' password
PER_ADDRESS = 10  # login_rate_limit "10/minute"
PER_ACCOUNT = 5  # login_account_rate_limit "5/minute;30/hour"


def peer(app, db, address: str) -> TestClient:
    """A browser connecting from `address` (its own cookies, so its own session and CSRF token)."""
    client = TestClient(app, base_url="http://testserver", client=(address, 40000))
    client.event_hooks["request"] = [lambda request: db.commit()]
    return client


def sign_in(client: TestClient, email: str, password: str, headers: dict | None = None):
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       headers=headers or {}, follow_redirects=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served_by_the_launcher(app):
    """The app wrapped the way `llmcourse run` and `llmcourse web` serve it: uvicorn's own middleware,
    configured by uvicorn's own parser from the launcher's command line."""
    import uvicorn
    from uvicorn.main import main as uvicorn_cli

    from app.cli import web_command

    argv = web_command("127.0.0.1", 8000)
    params = uvicorn_cli.make_context("uvicorn", argv[argv.index("uvicorn") + 1:]).params
    config = uvicorn.Config(app, proxy_headers=params["proxy_headers"],
                            forwarded_allow_ips=params["forwarded_allow_ips"], log_config=None)
    config.load()
    return config.loaded_app


def test_forged_x_forwarded_for_does_not_reset_login_limit(app, db, factory):
    """A local client (uvicorn trusts 127.0.0.1 by default) that names a new address per try is still one
    client. Each try uses another account, so only the per-address limit is in play."""
    users = [factory.user() for _ in range(PER_ADDRESS + 2)]
    local = peer(served_by_the_launcher(app), db, "127.0.0.1")
    codes = [sign_in(local, user.email, "wrong-password", {"X-Forwarded-For": f"203.0.113.{n}"}).status_code
             for n, user in enumerate(users)]
    assert codes == [401] * PER_ADDRESS + [429] * 2


def test_x_forwarded_for_names_the_client_only_behind_a_trusted_proxy(db, factory, monkeypatch):
    from app.main import create_app

    monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.0/8")
    app = create_app()
    app.state.session_override = db
    ratelimit.reset()
    proxy = peer(app, db, "10.0.0.2")
    users = [factory.user() for _ in range(PER_ADDRESS + 3)]
    spent = [sign_in(proxy, user.email, "wrong-password", {"X-Forwarded-For": "198.51.100.7"}).status_code
             for user in users[:PER_ADDRESS + 1]]
    assert spent == [401] * PER_ADDRESS + [429]
    # The proxy appends the address it saw; whatever the client wrote before it is not believed.
    forged = sign_in(proxy, users[-2].email, "wrong-password", {"X-Forwarded-For": "192.0.2.1, 198.51.100.7"})
    assert forged.status_code == 429
    # Another client behind the same proxy has its own budget.
    other = sign_in(proxy, users[-1].email, PASSWORD, {"X-Forwarded-For": "198.51.100.8"})
    assert other.status_code == 303


def test_login_throttled_per_account_across_addresses(app, db, factory):
    victim, bystander = factory.user(), factory.user()
    guesses = [sign_in(peer(app, db, f"203.0.113.{n}"), victim.email, f"guess-{n}").status_code
               for n in range(PER_ACCOUNT + 2)]
    assert guesses == [401] * PER_ACCOUNT + [429] * 2
    # While the account is throttled even the right password waits (else guessing would go on), the email's
    # spelling does not matter, and the answer says why, as a toast for HTMX and as a page otherwise.
    fresh = peer(app, db, "198.51.100.1")
    blocked = sign_in(fresh, f"  {victim.email.upper()} ", PASSWORD)
    assert blocked.status_code == 429 and "for this account" in blocked.text and "<html" in blocked.text
    toast = sign_in(fresh, victim.email, PASSWORD, {"HX-Request": "true"})
    assert toast.status_code == 429 and toast.headers["HX-Retarget"] == "#toasts"
    assert "for this account" in toast.text and "<html" not in toast.text
    # Other accounts, from the very same addresses, are not locked out.
    assert sign_in(peer(app, db, "203.0.113.1"), bystander.email, PASSWORD).status_code == 303


def test_successful_sign_ins_do_not_count_against_the_account(app, db, factory):
    user = factory.user()
    codes = [sign_in(peer(app, db, f"203.0.113.{n}"), user.email, PASSWORD).status_code
             for n in range(PER_ACCOUNT + 3)]
    assert codes == [303] * (PER_ACCOUNT + 3)


@pytest.fixture
def limiter_storage():
    """Points the limiter at a Redis URL for one test, then back at the test suite's own storage."""
    settings = get_settings()
    original = settings.broker_url

    def use(url: str) -> None:
        settings.broker_url = url
        ratelimit.reset()

    yield use
    settings.broker_url = original
    ratelimit.reset()


def test_login_works_when_rate_limit_storage_is_down(client, factory, limiter_storage, caplog):
    user = factory.user()
    limiter_storage(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="app.core.ratelimit"):
        assert sign_in(client, user.email, "wrong-password").status_code == 401
    assert "unreachable" in caplog.text and "limiting in this process's memory" in caplog.text
    assert sign_in(client, user.email, PASSWORD).status_code == 303
    # Still limited, in memory: per address, with and without HTMX.
    others = [factory.user() for _ in range(PER_ADDRESS)]
    codes = [sign_in(client, other.email, "wrong-password").status_code for other in others]
    assert codes == [401] * (PER_ADDRESS - 2) + [429] * 2
    assert sign_in(client, user.email, PASSWORD, {"HX-Request": "true"}).status_code == 429


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free port (never the machine's shared one), without persistence."""
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    connection = redis.Redis(port=port, socket_connect_timeout=0.2)
    for _ in range(100):
        try:
            connection.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield server, f"redis://127.0.0.1:{port}/0", connection
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)


def test_login_limit_is_shared_in_redis_and_survives_redis_stopping(client, factory, limiter_storage, own_redis):
    server, url, connection = own_redis
    user = factory.user()
    limiter_storage(url)
    assert sign_in(client, user.email, "wrong-password").status_code == 401
    assert connection.keys("LIMITS*"), "the counters live in Redis, shared by every web process"
    server.terminate()
    server.wait(timeout=10)
    assert sign_in(client, user.email, "wrong-password").status_code == 401
    assert sign_in(client, user.email, PASSWORD).status_code == 303


def test_trusted_proxies_must_be_addresses_or_networks():
    assert parse_trusted_proxies("") == []
    assert parse_trusted_proxies(" 10.0.0.5, 172.16.0.0/12,::1 ") == ["10.0.0.5", "172.16.0.0/12", "::1"]
    with pytest.raises(ValueError, match="'proxy.internal' is not an IP address or a CIDR network"):
        parse_trusted_proxies("10.0.0.5, proxy.internal")
