"""Bad connection settings get one clear message and a non-zero exit, never a traceback."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from app.config import Settings
from app.core.startup import url_problems
from tests.livestack import ROOT, free_port

DB_HINT = "use postgresql+psycopg://USER:PASSWORD@HOST:5432/DB (or sqlite:///PATH)."


@pytest.mark.parametrize("url, message", [
    ("not a url", f"LLMCOURSE_DATABASE_URL is not a database URL; {DB_HINT}"),
    ("mongodb://db:27017/x", f"LLMCOURSE_DATABASE_URL names an unknown database driver 'mongodb'; {DB_HINT}"),
])
def test_a_database_url_that_cannot_work_is_named(tmp_path, url, message):
    assert url_problems(Settings(data_dir=tmp_path, database_url=url)) == [message]


@pytest.mark.parametrize("url", ["amqp://guest@rabbit//", "redis-cluster", "localhost:6379"])
def test_a_broker_url_that_is_not_redis_is_named(tmp_path, url):
    problems = url_problems(Settings(data_dir=tmp_path, broker_url=url))
    assert len(problems) == 1 and problems[0].startswith("LLMCOURSE_BROKER_URL must be redis://")


def test_good_urls_pass(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://u:Qm7vT2pX9kLr4Wz8@db:5432/x",
                        broker_url="rediss://:Qm7vT2pX9kLr4Wz8@redis:6380/0")
    assert url_problems(settings) == []
    assert url_problems(Settings(data_dir=tmp_path)) == []


def llmcourse(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LLMCOURSE_")}
    clean.update({"LLMCOURSE_DATA_DIR": str(tmp_path), "LLMCOURSE_SECRET_KEY": secrets.token_urlsafe(48), **env})
    return subprocess.run([sys.executable, "-m", "worker.cli", *args], env=clean, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_db_upgrade_against_a_database_that_is_down_says_where_and_exits_1(tmp_path):
    port = free_port()
    done = llmcourse(tmp_path, "db", "upgrade",
                     LLMCOURSE_DATABASE_URL=f"postgresql+psycopg://llmcourse:Qm7vT2pX9kLr4Wz8@127.0.0.1:{port}/x")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"Cannot reach the database at 127.0.0.1:{port} (")
    assert "Qm7vT2pX9kLr4Wz8" not in done.stderr


def test_a_worker_with_a_wrong_broker_url_refuses_to_start(tmp_path):
    done = llmcourse(tmp_path, "worker", LLMCOURSE_BROKER_URL="amqp://guest@rabbit//")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("Refusing to start: LLMCOURSE_BROKER_URL must be redis://[:PASSWORD@]HOST:6379/0 "
                                   "(or rediss://); got 'amqp'.")
