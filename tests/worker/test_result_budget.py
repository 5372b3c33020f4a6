"""Resource amplification outside the sandbox: a result made of millions of tiny JSON values must not make
the grader (which parses it in the worker's process) use gigabytes of memory."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from worker.grading import MAX_RESULT_ELEMENTS, decode_payload, json_elements

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
# Writes a forged result straight to the result pipe: 12 million zeros (~24 MB) in one case's value.
MILLIONS_OF_TINY_VALUES = """
import os
payload = b'{"format": 1, "runs": {"0": {"answer": {"ok": true, "value": [' + b'0,' * 12_000_000 + b'0]}}}}'
fd = int(os.environ["LABKIT_RESULT_FD"])
view = memoryview(payload)
while view:
    view = view[os.write(fd, view):]
os._exit(0)
"""
GRADE_AND_MEASURE = """
import json, resource, sys, tempfile
from pathlib import Path
from worker.grading import Lab, grade
lab = Lab.load(Path(sys.argv[1]))
with tempfile.TemporaryDirectory() as refs:
    grade(lab, "def answer(x):\\n    return 2 * x + 1\\n\\ndef probe():\\n    return 'ok'\\n", references_dir=Path(refs))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = grade(lab, sys.stdin.read(), references_dir=Path(refs))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"status": result["status"], "feedback": result["tests"][0]["feedback"],
                  "grown_mb": (after - before) / 1024}))
"""


def test_element_count_is_an_upper_bound_without_parsing():
    payload = {"runs": {"0": {"a": {"ok": True, "value": [1, [2, 3], {"k": "v, with: commas"}]}}}}
    raw = json.dumps(payload).encode()
    assert json_elements(raw) >= 9
    assert decode_payload(raw) is not None


def test_a_result_over_the_element_budget_is_refused_unread():
    raw = b'{"runs": {"0": {"a": {"ok": true, "value": [' + b"0," * MAX_RESULT_ELEMENTS + b"0]}}}}"
    assert decode_payload(raw) is None


@pytest.mark.labs
def test_millions_of_tiny_values_do_not_blow_up_the_graders_memory():
    done = subprocess.run([sys.executable, "-c", GRADE_AND_MEASURE, str(FIXTURES / "lab03-probe")],
                          input=MILLIONS_OF_TINY_VALUES, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["status"] == "error"
    assert "more data than the grader accepts" in outcome["feedback"]
    # Parsing it would have cost ~1 GB; refused unread it costs about the raw bytes held while reading.
    assert outcome["grown_mb"] < 200, outcome
