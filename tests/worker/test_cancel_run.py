"""Cancelling a running submission stops its sandbox at once, cold or forked from a zygote, even while the
student's code prints nothing: the output callback (app/labs/live.py) is also called while the run is silent,
and the exception it raises kills every process of the run."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.labs.live import RunCancelled
from tests.worker.test_sandbox_hostile import survivors
from tests.worker.warm_paths import MODES, ensure_warm
from worker.grading import Lab, run_harness
from worker.zygote import ZYGOTES

pytestmark = pytest.mark.labs
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
NAME = "llmc-cancelme"
SILENT = (f"import ctypes, time\nctypes.CDLL(None).prctl(15, b'{NAME}', 0, 0, 0)\ntime.sleep(60)\n"
          "def answer(x):\n    return 2 * x + 1\n\ndef probe():\n    return 'ok'\n")


@pytest.fixture
def lab():
    ZYGOTES.clear()
    yield Lab.load(FIXTURES / "lab03-probe")
    ZYGOTES.clear()


@pytest.mark.parametrize("mode", MODES)
def test_a_cancelled_silent_run_is_killed_at_once(lab, mode):
    if mode == "warm":
        ensure_warm(lab)
    started = time.monotonic()
    calls = []

    def on_output(stream: str, data: bytes) -> None:
        calls.append(stream)
        if stream == "idle" and time.monotonic() - started > 1.5:
            raise RunCancelled("cancelled by its student")

    with pytest.raises(RunCancelled):
        run_harness(lab, SILENT, [0], warm=mode == "warm", on_output=on_output)
    assert time.monotonic() - started < 15  # not the 60 s the code sleeps, nor the lab's wall limit
    assert set(calls) == {"idle"}  # it printed nothing: the silence itself was reported
    assert survivors(NAME) == {}  # every process of the run is gone
