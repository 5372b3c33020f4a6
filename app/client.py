"""The terminal client: `llmcourse login`, `llmcourse submit`, `llmcourse status`, against any deployment
over its JSON API (POST /api/v1/tokens, POST /api/v1/labs/{lab}/submissions, GET /api/v1/submissions/{id}).

The token is kept in the user's config dir ($XDG_CONFIG_HOME/llmcourse/credentials.json, else
~/.config/llmcourse/), readable by the user only (0600, in a 0700 folder)."""
from __future__ import annotations

import itertools
import json
import os
import sys
import time
from pathlib import Path

import httpx
import typer

PENDING = ("queued", "running")
SPINNER = "|/-\\"
POLL_SECONDS = 1.0


class ClientError(Exception):
    """A message for the person at the terminal; the command exits 1."""


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "llmcourse"


def credentials_path() -> Path:
    return config_dir() / "credentials.json"


def save_credentials(url: str, email: str, token: str) -> Path:
    """Written with mode 0600 from the start (never world-readable for a moment), in a 0700 folder."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = credentials_path()
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"url": url, "email": email, "token": token}, handle)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path


def load_credentials() -> dict:
    path = credentials_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ClientError("Not signed in. Run: llmcourse login --url https://your-course-site") from None
    except (OSError, ValueError):
        raise ClientError(f"{path} is unreadable; run llmcourse login again.") from None
    if not isinstance(data, dict) or not data.get("url") or not data.get("token"):
        raise ClientError(f"{path} is incomplete; run llmcourse login again.")
    return data


def normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ClientError(f"{url!r} is not a web address: give it as https://host (or http://host:port).")
    return url


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(body.get("detail") or body) if isinstance(body, dict) else str(body)


class Api:
    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url
        self.http = httpx.Client(base_url=url, headers=headers, timeout=timeout, follow_redirects=False)

    def request(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ClientError(f"Cannot reach {self.url}: {exc}") from None
        if response.status_code == 401 and "Authorization" in self.http.headers:
            raise ClientError(f"The server refused the saved token ({_detail(response)}). Run llmcourse login again.")
        if response.status_code >= 400:
            raise ClientError(f"{_detail(response)} (HTTP {response.status_code})")
        try:
            return response.json()
        except ValueError:
            raise ClientError(f"{self.url} did not answer with JSON: is it an LLM Course site?") from None


def table(result: dict) -> str:
    """Per-check feedback as a text table, then the score line."""
    rows = [("Check", "Points", "Result", "Feedback")]
    for test in result.get("tests") or []:
        feedback = " ".join((test.get("feedback") or "").split())
        rows.append((test["name"], f"{test['points']:g}/{test['max_points']:g}",
                     "pass" if test["passed"] else "FAIL", feedback[:100] + ("..." if len(feedback) > 100 else "")))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
        if index == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 8)
    score, max_score = result.get("score"), result.get("max_score")
    summary = f"{result.get('lab_id', '')} submission {result.get('submission_id')}: {result['status']}"
    if score is not None and max_score:
        summary += f", {score:g}/{max_score:g} points"
    out = [summary]
    if len(rows) > 1:
        out += lines
    if result.get("feedback"):
        out.append(result["feedback"])
    return "\n".join(out)


def wait_for_result(api: Api, submission_id: int, stream=None, poll: float = POLL_SECONDS,
                    timeout: float = 3600) -> dict:
    """Poll until the submission leaves queued/running; a spinner with the state on a terminal, one line per
    state change otherwise."""
    stream = stream or sys.stderr
    spinning = stream.isatty()
    spinner = itertools.cycle(SPINNER)
    deadline, last_state, started = time.monotonic() + timeout, None, time.monotonic()
    while True:
        result = api.request("GET", f"/api/v1/submissions/{submission_id}")
        state = result["status"]
        if state not in PENDING:
            if spinning:
                stream.write("\r" + " " * 60 + "\r")
                stream.flush()
            return result
        if time.monotonic() > deadline:
            raise ClientError(f"Submission {submission_id} is still {state}; check later with "
                              f"llmcourse status {submission_id}")
        if spinning:
            stream.write(f"\r{next(spinner)} {state} {time.monotonic() - started:5.0f} s ")
            stream.flush()
        elif state != last_state:
            stream.write(f"{state}...\n")
            stream.flush()
        last_state = state
        time.sleep(poll)


def exit_code(result: dict) -> int:
    return 0 if result["status"] == "graded" else 2


def _fail(exc: ClientError) -> None:
    typer.echo(str(exc), err=True)
    raise typer.Exit(1)


def register(cli: typer.Typer) -> None:
    @cli.command("login")
    def login(url: str = typer.Option(..., help="The course site, e.g. https://course.example.org"),
              email: str = typer.Option(None, help="Your account's email (asked if not given)"),
              token: str = typer.Option(None, help="A token made on the account page, instead of a password"),
              password_stdin: bool = typer.Option(False, "--password-stdin",
                                                  help="Read the password from standard input (scripts)")) -> None:
        """Sign in to a course site from this terminal; the API token is saved for submit and status."""
        try:
            url = normalise_url(url)
            if token is None:
                email = email or typer.prompt("Email")
                password = (sys.stdin.readline().rstrip("\n") if password_stdin
                            else typer.prompt("Password", hide_input=True))
                made = Api(url).request("POST", "/api/v1/tokens",
                                        json={"email": email, "password": password, "name": "terminal"})
                token = made["token"]
            me = Api(url, token).request("GET", "/api/v1/me/progress")
            email = (me.get("user") or {}).get("email") or email or ""
            path = save_credentials(url, email, token)
        except ClientError as exc:
            _fail(exc)
        typer.echo(f"Signed in to {url} as {email}; token saved in {path} (readable by you only)")

    @cli.command("submit")
    def submit(lab: str, file: Path, wait: bool = typer.Option(False, "--wait", help="Wait for the grade")) -> None:
        """Submit FILE for LAB (e.g. lab02 my_solution.py); --wait shows the per-check feedback."""
        try:
            saved = load_credentials()
            if not file.is_file():
                raise ClientError(f"No such file: {file}")
            api = Api(saved["url"], saved["token"])
            created = api.request("POST", f"/api/v1/labs/{lab}/submissions",
                                  files={"file": (file.name, file.read_bytes(), "text/x-python")})
            typer.echo(f"Submitted {file.name} to {lab}: submission {created['id']} ({created['status']})")
            if not wait:
                typer.echo(f"See the result with: llmcourse status {created['id']}")
                return
            result = wait_for_result(api, created["id"])
        except ClientError as exc:
            _fail(exc)
        typer.echo(table(result))
        raise typer.Exit(exit_code(result))

    @cli.command("status")
    def status(submission_id: int) -> None:
        """Where a submission stands, with its per-check feedback once graded."""
        try:
            saved = load_credentials()
            result = Api(saved["url"], saved["token"]).request("GET", f"/api/v1/submissions/{submission_id}")
        except ClientError as exc:
            _fail(exc)
        typer.echo(table(result))
        raise typer.Exit(0 if result["status"] in PENDING else exit_code(result))
