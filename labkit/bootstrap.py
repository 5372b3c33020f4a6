"""Sandbox entry point of the cold path: `python -I -B bootstrap.py`. The job is in the environment and
the submission is already mounted (warm starts fork from labkit/zygote.py instead)."""
import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True

from labkit import harness  # noqa: E402

runpy.run_path(os.environ["LABKIT_HARNESS"], run_name="labkit_harness")
harness.main()
