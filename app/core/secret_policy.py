"""Refuse to serve with secrets anyone can look up.

The embedded single-machine mode (SQLite and the embedded broker: neither LLMCOURSE_DATABASE_URL nor
LLMCOURSE_BROKER_URL set) generates its own secret key in the data dir. Any other deployment must be given
its secrets by the operator, and a published default (docker-compose.yml, .env.example, tutorials) or a
short key would let anyone sign a session cookie or log in to the database."""
from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.config import Settings

MIN_SECRET_KEY_BYTES = 32
# Compared after lowercasing and dropping everything but letters and digits ("Change_Me" == "changeme").
KNOWN_DEFAULT_SECRETS = frozenset({
    "changeme", "changemetoalongrandomstring", "secret", "secretkey", "mysecretkey", "yoursecretkey",
    "supersecret", "supersecretkey", "testsecretkey", "livetestsecret", "benchsecret", "devsecret",
    "development", "insecure", "default", "password", "llmcourse", "llmcoursesecret", "test", "dev",
})
# A value that still contains one of these is a template someone forgot to fill in.
PLACEHOLDER_MARKERS = ("changeme", "replaceme", "changethis", "yoursecret", "example", "generateme")
KNOWN_DEFAULT_PASSWORDS = frozenset({
    "postgres", "password", "changeme", "secret", "llmcourse", "admin", "root", "redis", "pass", "test",
    "123456", "12345678", "qwerty", "letmein",
})
MIN_DISTINCT_KEY_CHARACTERS = 10
# A password in a database or broker URL shorter than this can be guessed over the network.
MIN_URL_PASSWORD_CHARS = 16


class InsecureConfigurationError(RuntimeError):
    """The process must not start: the message says what to change."""


def _normalised(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def _looks_like_a_default(value: str) -> bool:
    normal = _normalised(value)
    return normal in KNOWN_DEFAULT_SECRETS or any(marker in normal for marker in PLACEHOLDER_MARKERS)


def secret_key_problem(secret_key: str | None) -> str | None:
    if not secret_key:
        return "LLMCOURSE_SECRET_KEY is not set."
    if _looks_like_a_default(secret_key):
        return "LLMCOURSE_SECRET_KEY is a published default or placeholder."
    if len(secret_key.encode()) < MIN_SECRET_KEY_BYTES:
        return f"LLMCOURSE_SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes."
    if len(set(secret_key)) < MIN_DISTINCT_KEY_CHARACTERS:
        return "LLMCOURSE_SECRET_KEY repeats a few characters; it is not random."
    return None


def url_password_problem(variable: str, url: str | None) -> str | None:
    """A password in a connection URL that is a well-known default. No password at all is accepted:
    it means the server trusts the network or the OS user (peer/trust authentication), not a guessable value."""
    if not url:
        return None
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # an unparseable URL fails loudly where it is used
    password = parsed.password
    if not password:
        return None
    normal = _normalised(str(password))
    if normal in KNOWN_DEFAULT_PASSWORDS or _looks_like_a_default(str(password)) or (
            parsed.username and normal == _normalised(parsed.username)):
        return f"The password in {variable} is a well-known default."
    if len(str(password)) < MIN_URL_PASSWORD_CHARS:
        return f"The password in {variable} is shorter than {MIN_URL_PASSWORD_CHARS} characters."
    return None


def insecure_defaults(settings: Settings) -> list[str]:
    """What makes this configuration unsafe to serve; empty in the embedded mode."""
    if settings.embedded:
        return []
    problems = [secret_key_problem(settings.secret_key),
                url_password_problem("LLMCOURSE_DATABASE_URL", settings.database_url),
                url_password_problem("LLMCOURSE_BROKER_URL", settings.broker_url)]
    return [problem for problem in problems if problem]


def refuse_insecure_defaults(settings: Settings) -> None:
    problems = insecure_defaults(settings)
    if problems:
        raise InsecureConfigurationError(
            "Refusing to start with insecure secrets: " + " ".join(problems)
            + f" Outside the embedded mode (SQLite + embedded broker) set LLMCOURSE_SECRET_KEY to a random value of"
            f" at least {MIN_SECRET_KEY_BYTES} bytes (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            " and give the database its own password; see .env.example.")
