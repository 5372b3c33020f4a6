"""Running a test's submission on the cold path or forked from a zygote (warm), and knowing which ran."""
from __future__ import annotations

from worker.grading import grade, run_harness
from worker.zygote import ZYGOTES

MODES = ("cold", "warm")
WARM_UP = "def answer(x):\n    return x * 2 + 1\n\ndef probe():\n    return 'ok'\n"


def ensure_warm(lab) -> None:
    """Start (or refresh) the zygote that mounts `lab` at its current version and wait until it is ready."""
    run_harness(lab, WARM_UP, [0], warm=True)
    assert ZYGOTES.wait_ready(), "the zygote did not become ready"


def harness_in(mode: str, lab, code: str, seeds: list[int]):
    if mode == "warm":
        ensure_warm(lab)
    run, payload = run_harness(lab, code, seeds, warm=mode == "warm")
    assert ("warm" in run.notes) == (mode == "warm"), run.notes
    return run, payload


def graded_in(mode: str, lab, code: str, refs, **options) -> dict:
    if mode == "warm":
        ensure_warm(lab)
        grade(lab, WARM_UP, references_dir=refs, **options)  # references of the drawn seeds built before
    before = ZYGOTES.starts["warm"]
    result = grade(lab, code, references_dir=refs, warm=mode == "warm", **options)
    if mode == "warm":
        assert ZYGOTES.starts["warm"] >= before + 1, "the job did not run forked from the zygote"
    return result
