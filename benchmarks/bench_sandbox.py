"""Sandbox start, cold vs warm (forked from a zygote), measured in the same run.

    .venv/bin/python benchmarks/bench_sandbox.py [--runs 10] [--labs lab02 lab15 lab19] [--devices auto]

"Start to first line" is the time from asking for a sandbox to the first line the student's file prints
(its first statement, before its own imports): the cold path pays bubblewrap, the interpreter and the
libraries the harness imports; the warm path pays a fork and the namespaces. The baseline is a bare
`python -c pass` on this machine. Prints a table of medians and ratios. `--devices auto` binds this
machine's GPU nodes (as a gpu-queue worker does): gpu labs then run their GPU size, and each forked child
initialises CUDA itself (benchmarks/gpu_warm_start.sh)."""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.labs.catalog import find_lab_folder  # noqa: E402
from worker.gpu import device_nodes, devices_for_lab  # noqa: E402
from worker.grading import Lab, grade, run_harness  # noqa: E402
from worker.zygote import ZYGOTES, environment_for, preimports  # noqa: E402

MARKER = b"llmcourse-first-line"


def first_line_seconds(lab: Lab, code: str, warm: bool, devices: list[str]) -> tuple[float, float]:
    """(start to the student's first line, start to the end of the run)."""
    seen: dict[str, float] = {}

    def on_output(_stream: str, data: bytes) -> None:
        if MARKER in data and "first" not in seen:
            seen["first"] = time.perf_counter()

    started = time.perf_counter()
    run, payload = run_harness(lab, code, [0], warm=warm, on_output=on_output, devices=devices)
    ended = time.perf_counter()
    assert run.status == "ok" and payload is not None, run
    assert ("warm" in run.notes) == warm, f"{lab.manifest.id}: expected a {'warm' if warm else 'cold'} start"
    return seen["first"] - started, ended - started


def with_first_line(source: str) -> str:
    """The solution with a print as its first statement (after any `from __future__` import)."""
    lines = source.splitlines(keepends=True)
    after = max((i + 1 for i, line in enumerate(lines) if line.startswith("from __future__")), default=0)
    return "".join(lines[:after]) + f"print({MARKER.decode()!r}, flush=True)\n" + "".join(lines[after:])


def bare_python(runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--labs", nargs="+", default=["lab02", "lab15", "lab19"])
    parser.add_argument("--devices", default="", help='GPU device nodes to bind: "auto" or a list; none by default')
    args = parser.parse_args()
    nodes = device_nodes(args.devices)
    if nodes:
        print(f"GPU device nodes bound for gpu labs: {', '.join(nodes)}")
    baseline = bare_python(args.runs)
    print(f"bare `python -c pass`: median {baseline * 1000:.1f} ms over {args.runs} runs\n")
    print(f"{'lab size':10} {'env':13} {'cold first line':>16} {'warm first line':>16} {'cold/warm':>10} "
          f"{'warm/python':>12} {'cold run':>9} {'warm run':>9}")
    with tempfile.TemporaryDirectory() as refs:
        for lab_id in args.labs:
            lab = Lab.load(find_lab_folder(ROOT / "labs", lab_id))
            devices = devices_for_lab(lab.manifest.device, nodes)
            code = with_first_line((lab.dir / "solution.py").read_text())
            grade(lab, (lab.dir / "solution.py").read_text(), references_dir=Path(refs),
                  devices=devices)  # artifacts, references
            run_harness(lab, code, [0], warm=True, devices=devices)  # starts the zygote (this run is cold)
            assert ZYGOTES.wait_ready(), "zygote did not start"
            cold = [first_line_seconds(lab, code, False, devices) for _ in range(max(3, args.runs // 2))]
            warm = [first_line_seconds(lab, code, True, devices) for _ in range(args.runs)]
            c_first, w_first = statistics.median(c[0] for c in cold), statistics.median(w[0] for w in warm)
            c_run, w_run = statistics.median(c[1] for c in cold), statistics.median(w[1] for w in warm)
            size = "gpu" if devices else "cpu"
            print(f"{lab_id + ' ' + size:10} {environment_for(preimports(lab)):13} {c_first * 1000:13.1f} ms "
                  f"{w_first * 1000:13.1f} ms {c_first / w_first:9.1f}x {w_first / baseline:11.2f}x "
                  f"{c_run:8.2f}s {w_run:8.2f}s")
    ZYGOTES.clear()


if __name__ == "__main__":
    main()
