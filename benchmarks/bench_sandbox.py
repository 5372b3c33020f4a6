"""Grading latency: cold sandbox vs warm start (libraries imported ahead), measured in the same run.

    .venv/bin/python benchmarks/bench_sandbox.py [--runs 5] [--labs lab02 lab15]

Prints the median sandbox time per submission for each lab and mode, and the warm/cold ratio."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.labs.catalog import find_lab_folder  # noqa: E402
from worker.grading import Lab, grade  # noqa: E402
from worker.warm import POOL  # noqa: E402


def measure(lab: Lab, refs: Path, runs: int, warm: bool) -> list[float]:
    code = (lab.dir / "solution.py").read_text()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        result = grade(lab, code, references_dir=refs, warm=warm)
        seconds.append(time.perf_counter() - started)
        assert result["score"] == result["max_score"], result["status"]
        if warm:
            time.sleep(4)  # the gap between two students' submissions, in which the next sandbox warms up
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--labs", nargs="+", default=["lab02", "lab15"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as refs:
        print(f"{'lab':6} {'cold median s':>14} {'warm median s':>14} {'warm/cold':>10}")
        for lab_id in args.labs:
            lab = Lab.load(find_lab_folder(ROOT / "labs", lab_id))
            grade(lab, (lab.dir / "solution.py").read_text(), references_dir=Path(refs))  # references first
            cold = measure(lab, Path(refs), args.runs, warm=False)
            measure(lab, Path(refs), 1, warm=True)  # first warm request starts the idle sandbox
            warm = measure(lab, Path(refs), args.runs, warm=True)
            POOL.clear()
            c, w = statistics.median(cold), statistics.median(warm)
            print(f"{lab_id:6} {c:14.3f} {w:14.3f} {w / c:10.2f}")


if __name__ == "__main__":
    main()
