"""Sandbox entry point: `python -I -B bootstrap.py`.

Cold start: the job is in the environment and the submission is already mounted.
Warm start (LABKIT_WARM=1): import the heavy libraries first, then wait for the job (JSON on stdin:
the submission's code and the job's environment), write the code into the private work dir and run.
"""
import importlib
import json
import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True

if os.environ.get("LABKIT_WARM") == "1":
    for name in filter(None, os.environ.get("LABKIT_PREIMPORT", "").split(",")):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    job = json.loads(sys.stdin.buffer.read() or b"{}")
    if not job:
        sys.exit(0)
    os.environ.update({str(k): str(v) for k, v in job["env"].items()})
    with open(os.environ["LABKIT_SUBMISSION"], "w", encoding="utf-8") as handle:
        handle.write(job["code"])
    del job

from labkit import harness  # noqa: E402

runpy.run_path(os.environ["LABKIT_HARNESS"], run_name="labkit_harness")
harness.main()
