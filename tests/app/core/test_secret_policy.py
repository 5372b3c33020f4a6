"""Point 4 of issue 12: outside the embedded mode, a published default secret or database password (or a
short key) must stop every serving process, since anyone could sign an admin session cookie with it."""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.config import Settings
from app.core.secret_policy import InsecureConfigurationError, insecure_defaults, refuse_insecure_defaults

ROOT = Path(__file__).resolve().parents[3]
POSTGRES = "postgresql+psycopg://llmcourse:{password}@db:5432/llmcourse"
STRONG_PASSWORD = "Qm7vT2pX9kLr4Wz8"


def strong_key() -> str:
    return secrets.token_urlsafe(48)


def production(tmp_path, secret_key: str | None, database_url: str | None = None,
               broker_url: str | None = "redis://redis:6379/0") -> Settings:
    return Settings(data_dir=tmp_path, secret_key=secret_key, broker_url=broker_url,
                    database_url=database_url or POSTGRES.format(password=STRONG_PASSWORD))


def compose_value(name: str) -> str:
    environment = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]["environment"]
    return environment[name]


def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


@pytest.mark.parametrize("published", ["change-me-to-a-long-random-string", "change-me", "secret", "Secret_Key",
                                       "CHANGEME-CHANGEME-CHANGEME-CHANGEME-CHANGEME",
                                       "replace-me-with-64-random-characters-from-your-password-manager"])
def test_forging_cookies_with_a_published_default_key_is_refused(tmp_path, published):
    problems = insecure_defaults(production(tmp_path, published))
    assert problems == ["LLMCOURSE_SECRET_KEY is a published default or placeholder."]


def test_a_key_short_enough_to_brute_force_is_refused(tmp_path):
    key = secrets.token_hex(31)[:31]
    assert insecure_defaults(production(tmp_path, key)) == ["LLMCOURSE_SECRET_KEY is shorter than 32 bytes."]
    assert insecure_defaults(production(tmp_path, secrets.token_hex(16))) == []


def test_a_long_key_of_one_repeated_character_is_refused(tmp_path):
    assert insecure_defaults(production(tmp_path, "a" * 64)) == [
        "LLMCOURSE_SECRET_KEY repeats a few characters; it is not random."]


def test_a_missing_key_outside_the_embedded_mode_is_refused(tmp_path):
    assert insecure_defaults(production(tmp_path, None)) == ["LLMCOURSE_SECRET_KEY is not set."]


@pytest.mark.parametrize("password", ["postgres", "password", "change-me", "llmcourse", "Change_Me_Please"])
def test_logging_in_to_the_database_with_a_default_password_is_refused(tmp_path, password):
    settings = production(tmp_path, strong_key(), database_url=POSTGRES.format(password=password))
    assert insecure_defaults(settings) == ["The password in LLMCOURSE_DATABASE_URL is a well-known default."]


def test_a_default_broker_password_is_refused(tmp_path):
    settings = production(tmp_path, strong_key(), broker_url="redis://:redis@redis:6379/0")
    assert insecure_defaults(settings) == ["The password in LLMCOURSE_BROKER_URL is a well-known default."]


def test_a_database_url_without_password_is_accepted(tmp_path):
    """Peer/trust authentication (the suite's own PostgreSQL pass) is not a guessable secret."""
    settings = production(tmp_path, strong_key(), database_url="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert insecure_defaults(settings) == []


def test_embedded_mode_generates_its_own_secret_and_starts(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key=None, database_url=None, broker_url=None)
    assert settings.embedded and insecure_defaults(settings) == []
    assert len(settings.session_secret) >= 32 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_compose_file_has_no_default_secrets():
    """`${VAR:?message}`: compose stops when the operator's .env lacks the value, instead of using one."""
    assert re.fullmatch(r"\$\{LLMCOURSE_SECRET_KEY:\?[^}]+\}", compose_value("LLMCOURSE_SECRET_KEY"))
    assert ":${POSTGRES_PASSWORD:?" in compose_value("LLMCOURSE_DATABASE_URL")
    assert "-change-me" not in (ROOT / "docker-compose.yml").read_text()


def test_copying_env_example_unchanged_is_refused(tmp_path):
    example = env_example()
    assert set(example) == {"LLMCOURSE_SECRET_KEY", "POSTGRES_PASSWORD"}
    settings = production(tmp_path, example["LLMCOURSE_SECRET_KEY"] or None)
    with pytest.raises(InsecureConfigurationError, match="LLMCOURSE_SECRET_KEY is not set.*see .env.example"):
        refuse_insecure_defaults(settings)


def test_the_web_app_refuses_to_start(tmp_path, monkeypatch):
    from app import main

    monkeypatch.setattr(main, "get_settings", lambda: production(tmp_path, "change-me"))
    with pytest.raises(InsecureConfigurationError, match="published default"):
        main.create_app()


def run_with(tmp_path, argv: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LLMCOURSE_")}
    clean.update({"LLMCOURSE_DATA_DIR": str(tmp_path), "LLMCOURSE_PREPARE_LABS_ON_START": "false", **env})
    return subprocess.run([sys.executable, *argv], env=clean, cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("argv", [["-m", "worker.cli", "run", "--port", "0"],
                                  ["-m", "worker.cli", "worker", "--queues", "cpu"],
                                  ["-m", "celery", "-A", "worker.celery_app", "beat"],
                                  ["-m", "uvicorn", "app.main:create_app", "--factory", "--port", "0"]],
                         ids=["llmcourse-run", "llmcourse-worker", "celery-beat", "uvicorn"])
def test_serving_processes_exit_with_a_clear_message(tmp_path, argv):
    # The broker and database are unreachable on purpose: a process that does not refuse hangs or
    # fails later with a connection error, never with this message.
    done = run_with(tmp_path, argv, LLMCOURSE_SECRET_KEY="change-me",
                    LLMCOURSE_DATABASE_URL="postgresql+psycopg://llmcourse:Qm7vT2pX9kLr4Wz8@127.0.0.1:9/x",
                    LLMCOURSE_BROKER_URL="redis://127.0.0.1:9/0")
    assert done.returncode != 0
    assert "Refusing to start with insecure secrets: LLMCOURSE_SECRET_KEY is a published default" in (
        done.stderr + done.stdout)


@pytest.mark.parametrize("variable", ["LLMCOURSE_DATABASE_URL", "LLMCOURSE_BROKER_URL"])
def test_a_short_database_or_broker_password_is_refused(tmp_path, variable):
    short = "q7T" + secrets.token_urlsafe(12)[:12]  # 15 characters, random but guessable over the network
    urls = {"LLMCOURSE_DATABASE_URL": ("database_url", POSTGRES.format(password=short)),
            "LLMCOURSE_BROKER_URL": ("broker_url", f"redis://:{short}@redis:6379/0")}
    field, url = urls[variable]
    assert insecure_defaults(production(tmp_path, strong_key(), **{field: url})) == [
        f"The password in {variable} is shorter than 16 characters."]
    long_enough = url.replace(short, short + "Z")
    assert insecure_defaults(production(tmp_path, strong_key(), **{field: long_enough})) == []
