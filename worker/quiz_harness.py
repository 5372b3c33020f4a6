"""Runs INSIDE the sandbox for one quiz code question: imports the submitted file, calls the function on each
case and writes the return values (JSON, arrays as .npy) to the result pipe. It never sees expected values
and decides no verdict: the comparison happens outside the sandbox (worker/quiz_grading.py).

Environment: QUIZ_SUBMISSION (the .py file), QUIZ_FUNCTION, QUIZ_CASES (a JSON list of argument lists),
QUIZ_CASE_SECONDS (wall time per call), LABKIT_RESULT_FD (set by the sandbox)."""
import copy
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # labkit is mounted beside this file
sys.dont_write_bytecode = True

from pathlib import Path  # noqa: E402

from labkit.encoding import to_jsonable  # noqa: E402
from labkit.harness import import_submission, student_error, write_result  # noqa: E402


class CallTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise CallTimeout(f"the call took longer than {os.environ.get('QUIZ_CASE_SECONDS', '5')} s; "
                      "look for an infinite loop")


def _timer(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, seconds)


def main() -> None:
    submission = Path(os.environ["QUIZ_SUBMISSION"])
    function_name = os.environ["QUIZ_FUNCTION"]
    cases = json.loads(Path(os.environ["QUIZ_CASES"]).read_text(encoding="utf-8"))
    seconds = float(os.environ.get("QUIZ_CASE_SECONDS", "5"))
    payload = {"format": 1, "import_error": None, "runs": {"0": {}}, "shown": {}}
    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        _timer(seconds * 2)
        module = import_submission(submission)
        _timer(0)
        function = getattr(module, function_name, None)
        if not callable(function):
            raise NameError(f"your code does not define a function named {function_name!r}")
    except BaseException as exc:  # noqa: BLE001 - any failure of the student's file becomes a record
        _timer(0)
        payload["import_error"] = student_error(exc, submission)
        write_result(payload)
        return
    for index, args in enumerate(cases):
        started = time.perf_counter()
        try:
            _timer(seconds)
            value = function(*copy.deepcopy(args))
            _timer(0)
            record = {"ok": True, "value": to_jsonable(value)}
        except BaseException as exc:  # noqa: BLE001
            _timer(0)
            record = {"ok": False, "error": student_error(exc, submission)}
        record["seconds"] = round(time.perf_counter() - started, 4)
        payload["runs"]["0"][f"case{index}"] = record
    write_result(payload)


if __name__ == "__main__":
    main()
