"""SQLite writers hand the write lock on at once (app/core/db.py, SqliteWriters): many writers in threads
and in another process all commit, in turn, and the lock is let go however a transaction ends."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.db import begin_write, make_engine

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, who TEXT)")
    yield engine
    engine.dispose()


def write(engine, who: str) -> None:
    with Session(engine) as db:
        begin_write(db)
        db.execute(text("INSERT INTO notes (who) VALUES (:who)"), {"who": who})
        db.commit()


def writes_within(engine, seconds: float) -> bool:
    """Whether another thread can write within `seconds` (the lock waits up to 30 s otherwise)."""
    done = threading.Event()
    thread = threading.Thread(target=lambda: (write(engine, "probe"), done.set()), daemon=True)
    thread.start()
    return done.wait(seconds)


def test_writers_in_many_threads_all_commit(engine):
    def writer(number):
        for _ in range(40):
            write(engine, f"thread {number}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM notes")).scalar() == 8 * 40


@pytest.mark.parametrize("ending", ["commit", "rollback", "close", "error"])
def test_the_write_lock_is_let_go_however_the_transaction_ends(engine, ending):
    db = Session(engine)
    begin_write(db)
    db.execute(text("INSERT INTO notes (who) VALUES ('first')"))
    if ending == "error":
        with pytest.raises(Exception):
            db.execute(text("INSERT INTO no_such_table VALUES (1)"))
        db.rollback()
    else:
        getattr(db, ending)()
    db.close()
    assert writes_within(engine, 5)


def test_a_waiting_writer_goes_on_when_the_holder_commits(engine):
    db = Session(engine)
    begin_write(db)
    db.execute(text("INSERT INTO notes (who) VALUES ('holder')"))
    assert not writes_within(engine, 0.3)  # the probe waits for the lock...
    db.commit()
    db.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            rows = [who for (who,) in connection.execute(text("SELECT who FROM notes ORDER BY id"))]
        if rows == ["holder", "probe"]:
            break
        time.sleep(0.01)
    assert rows == ["holder", "probe"]  # ...and writes right after the holder, not 30 s later


HOLDER = """
import sys, time
from sqlalchemy import text
from sqlalchemy.orm import Session
from app.core.db import begin_write, make_engine
engine = make_engine(sys.argv[1])
with Session(engine) as db:
    begin_write(db)
    db.execute(text("INSERT INTO notes (who) VALUES ('other process')"))
    print("holding", flush=True)
    time.sleep(0.5)
    db.commit()
"""


def test_writers_in_two_processes_take_turns(engine, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(engine.url)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        write(engine, "this process")  # waits for the other process's transaction, then writes
    finally:
        holder.wait(timeout=30)
    assert holder.returncode == 0
    with engine.connect() as connection:
        rows = [who for (who,) in connection.execute(text("SELECT who FROM notes ORDER BY id"))]
    assert rows == ["other process", "this process"]
