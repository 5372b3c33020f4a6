"""Grades a submission: runs the lab harness in the sandbox, reads its outputs safely, compares them
with reference outputs outside the sandbox and builds the result JSON (see DESIGN.md)."""
from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from labkit.checks import CheckContext, Verdict, allclose, describe, exact
from labkit.encoding import from_jsonable
from labkit.manifest import VISIBLE_SEED, LabManifest, content_hash, load_manifest, real_model_path
from worker.sandbox import Bind, SandboxKilled, SandboxLimits, SandboxRun, run_sandboxed

LABKIT_DIR = Path(__file__).resolve().parent.parent / "labkit"
INSIDE_LIB = "/sandbox/lib/labkit"
INSIDE_LAB = "/sandbox/lab"
INSIDE_WORK = "/sandbox/work"
STATUS_MESSAGES = {
    "timeout": "Your code ran past the {wall} s wall-time limit and was stopped. Look for an infinite loop "
               "or work that grows faster than expected.",
    "cpu_limit": "Your code used more than {cpu} s of CPU time and was stopped.",
    "memory_limit": "Your code used more than {memory} MB of memory and was stopped.",
    "output_limit": "Your code printed more than {output} MB and was stopped. Remove large or looping prints.",
    "result_limit": "Your functions returned more data than the grader accepts.",
}


RAISED = "<raised an exception>"


class LabBroken(RuntimeError):
    """The lab's own reference run failed: a platform problem, not the student's."""


@dataclass
class Lab:
    dir: Path
    manifest: LabManifest
    hash: str

    @classmethod
    def load(cls, lab_dir: Path) -> "Lab":
        return cls(lab_dir, load_manifest(lab_dir), content_hash(lab_dir))

    def limits(self, scale: int = 1, size: str = "cpu") -> SandboxLimits:
        m = self.manifest.gpu_limits if size == "gpu" and self.manifest.gpu_limits else self.manifest.limits
        return SandboxLimits(cpu_seconds=m.cpu_seconds * scale, wall_seconds=m.wall_seconds * scale,
                             memory_mb=m.memory_mb, processes=m.processes, file_size_mb=m.file_size_mb,
                             workdir_mb=m.workdir_mb, open_files=m.open_files)


def find_lab_dir(labs_dir: Path, lab_id: str) -> Path | None:
    matches = sorted(labs_dir.glob(f"{lab_id}-*"))
    return matches[0] if matches and (matches[0] / "lab.yaml").exists() else None


def sandbox_env(seeds: list[int], submit_file: str, size: str = "cpu", config: dict | None = None,
                cases: tuple[str, ...] | None = None) -> dict[str, str]:
    return {**({"LABKIT_CASES": ",".join(cases)} if cases else {}),
        "LABKIT_SIZE": size, "LABKIT_CONFIG": json.dumps(config or {}),
        "HOME": INSIDE_WORK, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1", "HF_HOME": "/tmp/hf", "MPLCONFIGDIR": "/tmp/mpl",
        "TORCHINDUCTOR_CACHE_DIR": "/tmp/inductor", "LABKIT_HARNESS": f"{INSIDE_LAB}/harness.py",
        "LABKIT_SUBMISSION": f"{INSIDE_WORK}/{submit_file}", "LABKIT_SEEDS": ",".join(map(str, seeds)),
        "LABKIT_VISIBLE_SEED": str(VISIBLE_SEED), "LABKIT_DATA_DIR": f"{INSIDE_LAB}/data",
        "LABKIT_ARTIFACTS_DIR": INSIDE_ARTIFACTS,
    }


INSIDE_ARTIFACTS = "/sandbox/artifacts"


@dataclass(frozen=True)
class Artifacts:
    """What the sandbox sees under /sandbox/artifacts: the lab's built artifacts, with the operator's real
    models (LLMCOURSE_MODELS_DIR) mounted over the tiny stand-ins the manifest's `models` names."""
    built: Path | None
    models: tuple[tuple[str, Path], ...] = ()

    def binds(self) -> list[Bind]:
        binds = [Bind(self.built, INSIDE_ARTIFACTS)] if self.built is not None and self.built.is_dir() else []
        return binds + [Bind(path, f"{INSIDE_ARTIFACTS}/{slot}") for slot, path in self.models]

    @property
    def fingerprint(self) -> str:
        """Identifies the real models in use (empty with none), so references are cached per model."""
        if not self.models:
            return ""
        import hashlib

        digest = hashlib.sha256()
        for slot, path in self.models:
            digest.update(f"{slot}={path}\n".encode())
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                stat = file.stat()
                digest.update(f"{file.relative_to(path)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()[:16]


def real_models(lab: Lab, models_dir: Path | None) -> tuple[tuple[str, Path], ...]:
    """The manifest's stand-in slots for which the operator's models directory holds a real model."""
    found = ((slot, real_model_path(models_dir, name)) for slot, name in lab.manifest.models.items())
    return tuple((slot, path) for slot, path in found if path is not None)


def lab_artifacts(lab: Lab, artifacts_root: Path, models_dir: Path | None = None) -> Artifacts:
    return Artifacts(ensure_artifacts(lab, artifacts_root), real_models(lab, models_dir))


NO_ARTIFACTS = Artifacts(None)  # what a lab without build_artifacts.py or real models sees


def _binds(lab: Lab, artifacts: Artifacts | None) -> list[Bind]:
    binds = [Bind(LABKIT_DIR, INSIDE_LIB), Bind(lab.dir / "harness.py", f"{INSIDE_LAB}/harness.py")]
    if (lab.dir / "data").is_dir():
        binds.append(Bind(lab.dir / "data", f"{INSIDE_LAB}/data"))
    return binds + (artifacts or NO_ARTIFACTS).binds()


BOOTSTRAP = [sys.executable, "-I", "-B", f"{INSIDE_LIB}/bootstrap.py"]


def lab_size(lab: Lab, devices: list[str] | None) -> str:
    return lab.manifest.size_for(has_gpu=bool(devices))


def lab_env(lab: Lab, seeds: list[int], options: dict, cases: tuple[str, ...] | None = None) -> dict[str, str]:
    size = lab_size(lab, options.get("devices"))
    env = sandbox_env(seeds, lab.manifest.submit_file, size, lab.manifest.config_for(size), cases)
    if lab.manifest.is_bundle:  # the harness unpacks the zip inside the sandbox's work dir, with these limits
        env["LABKIT_BUNDLE"] = json.dumps(lab.manifest.bundle.model_dump())
    return env


def run_harness(lab: Lab, code: str, seeds: list[int], *, scale: int = 1, insecure: bool = False,
                uid: int = 65534, devices: list[str] | None = None,
                artifacts: Artifacts | None = None, warm: bool = False, on_output=None,
                cases: tuple[str, ...] | None = None) -> tuple[SandboxRun, dict | None]:
    """Run the harness on `code` for `seeds` (only the named `cases`, when given); returns the raw run and the
    decoded payload (or None)."""
    options = {"insecure": insecure, "uid": uid, "devices": devices}
    if warm and not lab.manifest.is_bundle:  # reference runs too: a new hidden seed costs a fork, not a cold start
        run = _run_warm(lab, code, seeds, artifacts, options, on_output, scale, cases)
    else:
        run = _run_cold(lab, code, seeds, scale, artifacts, options, on_output, cases)[0]
    if run.status == "ok" and json_elements(run.result) > MAX_RESULT_ELEMENTS * scale:
        run.status = "result_limit"  # parsing it could take the worker's memory: refused unread
    return run, decode_payload(run.result, MAX_RESULT_ELEMENTS * scale)


def _run_cold(lab: Lab, code: str, seeds: list[int], scale: int, artifacts: Artifacts | None,
              options: dict, on_output=None, cases: tuple[str, ...] | None = None) -> tuple[SandboxRun, dict | None]:
    with tempfile.TemporaryDirectory(prefix="llmcourse-in-") as inputs:
        submission = Path(inputs) / lab.manifest.submit_file
        if lab.manifest.is_bundle:  # stored as base64 text; the sandbox gets the zip's bytes, unpacked inside
            from labkit.bundle import decode

            try:
                data = decode(code)
            except ValueError:  # not base64 (e.g. demo data): the harness reports "not a readable .zip"
                data = code.encode("utf-8", "replace")
            submission.write_bytes(data)
        else:
            submission.write_text(code, encoding="utf-8")
        os.chmod(inputs, 0o755)
        submission.chmod(0o644)
        binds = _binds(lab, artifacts) + [Bind(submission, f"{INSIDE_WORK}/{lab.manifest.submit_file}")]
        run = run_sandboxed(BOOTSTRAP, binds=binds, env=lab_env(lab, seeds, options, cases),
                            limits=lab.limits(scale, lab_size(lab, options.get("devices"))), workdir=INSIDE_WORK, on_output=on_output, **options)
    return run, decode_payload(run.result)


def _run_warm(lab: Lab, code: str, seeds: list[int], artifacts: Artifacts | None, options: dict,
              on_output=None, scale: int = 1, cases: tuple[str, ...] | None = None) -> SandboxRun:
    """Fork the submission's sandbox from the zygote of the lab's environment (worker/zygote.py); the cold
    path whenever the zygote cannot take it."""
    from worker.zygote import ZYGOTES, MountedLab, environment_for, preimports

    run = None
    if not options["insecure"]:
        data = lab.dir / "data"
        mounted = MountedLab(lab.manifest.id, lab.hash, lab.dir / "harness.py", data if data.is_dir() else None,
                             tuple((artifacts or NO_ARTIFACTS).binds()))
        env = lab_env(lab, seeds, options, cases)
        run = ZYGOTES.run(environment_for(preimports(lab)), mounted, tuple(options.get("devices") or ()),
                          sandbox_env([], lab.manifest.submit_file), code, env, lab.manifest.submit_file,
                          lab.limits(scale, lab_size(lab, options.get("devices"))), on_output)
    if run is None:
        run = _run_cold(lab, code, seeds, scale, artifacts, options, on_output, cases)[0]
    return run


# Parsing JSON costs ~80 bytes of worker memory per element: a result is refused unread above this many
# elements (arrays travel as one .npy string each), so no submission can make the grader use more than
# ~100 MB parsing it (docs/security.md).
MAX_RESULT_ELEMENTS = 1_000_000


def json_elements(raw: bytes) -> int:
    """An upper bound on the values a JSON text holds, counted without parsing it."""
    return raw.count(b",") + raw.count(b":") + raw.count(b"[") + raw.count(b"{") + 1


def decode_payload(raw: bytes, max_elements: int = MAX_RESULT_ELEMENTS) -> dict | None:
    """Parse the harness's JSON (already size-capped by the sandbox). Anything odd means None."""
    if not raw or json_elements(raw) > max_elements:
        return None
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("runs"), dict):
        return None
    try:
        payload["runs"] = {str(seed): {str(name): _decode_record(rec) for name, rec in cases.items()}
                           for seed, cases in payload["runs"].items()}
        payload["shown"] = from_jsonable(payload.get("shown") or {})
        payload["shown_by_case"] = from_jsonable(payload.get("shown_by_case") or {})
    except (AttributeError, TypeError, ValueError, KeyError):
        return None
    return payload


def _decode_record(record: Any) -> dict:
    if not isinstance(record, dict):
        raise ValueError("case record must be an object")
    if record.get("ok"):
        return {"ok": True, "value": from_jsonable(record.get("value"))}
    error = record.get("error") if isinstance(record.get("error"), dict) else {}
    return {"ok": False, "error": {"type": str(error.get("type", "Error"))[:100],
                                   "message": str(error.get("message", "error"))[:2000],
                                   "traceback": str(error.get("traceback", ""))[:4000]}}


# ---------------------------------------------------------------- references

def artifacts_digest(script: Path) -> str:
    """What a lab's built artifacts depend on: its build script and the labkit modules the script imports
    (e.g. labkit.tinymodels); a change to either builds them again."""
    import ast
    import hashlib

    source = script.read_bytes()
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "labkit":
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("labkit."):
            modules.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            modules.update(a.name.split(".")[1] for a in node.names if a.name.startswith("labkit."))
    digest = hashlib.sha256(source)
    for name in sorted(modules):
        if (LABKIT_DIR / f"{name}.py").exists():
            digest.update((LABKIT_DIR / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def ensure_artifacts(lab: Lab, artifacts_root: Path) -> Path | None:
    """Build a lab's cached artifacts (e.g. a tiny pre-trained model) once, outside the sandbox, from the
    lab's trusted `build_artifacts.py`; they are mounted read-only at /sandbox/artifacts."""
    script = (lab.dir / "build_artifacts.py").resolve()
    if not script.exists():
        return None
    import shutil
    import subprocess

    target = artifacts_root / lab.manifest.id / artifacts_digest(script)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        building = target.with_name(target.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        env = {"PATH": "/usr/bin:/bin", "HOME": str(building), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
               "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "2"}
        done = subprocess.run([sys.executable, str(script), str(building.resolve())], cwd=script.parent, env=env,
                              capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise LabBroken(f"{lab.manifest.id}: build_artifacts.py failed: {done.stderr[-2000:]}")
        for path in building.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        building.chmod(0o755)
        os.replace(building, target)
    return target


REFERENCE_LIBRARIES = ("torch", "transformers", "tokenizers", "numpy", "scikit-learn")


@lru_cache(maxsize=1)
def library_versions() -> str:
    """A short digest of the installed library versions reference outputs depend on: upgrading torch or
    numpy rebuilds references instead of comparing students with another version's numbers."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    text = ",".join(f"{name}={installed(name)}" for name in REFERENCE_LIBRARIES)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def reference_outputs(lab: Lab, references_dir: Path, seeds: list[int] | None = None, **run_options) -> dict:
    """Outputs of the reference solution for `seeds` (default: the visible seed), built on demand and cached
    one file per seed and lab version, so a large hidden-seed bank costs only the seeds actually drawn. A
    file lock keeps concurrent workers from building the same seeds twice."""
    seeds = sorted(set(seeds if seeds is not None else [VISIBLE_SEED]))
    models = (run_options.get("artifacts") or NO_ARTIFACTS).fingerprint
    size = lab_size(lab, run_options.get("devices"))
    key = "-".join(part for part in (lab.hash, library_versions(), models, "gpu" if size == "gpu" else "") if part)
    folder = references_dir / lab.manifest.id / key
    folder.mkdir(parents=True, exist_ok=True)
    missing = [seed for seed in seeds if not (folder / f"{seed}.json").exists()]
    if missing:
        with open(folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            missing = [seed for seed in missing if not (folder / f"{seed}.json").exists()]
            if missing:
                _build_references(lab, folder, missing, run_options)
    return _merge_references([_load_reference(folder / f"{seed}.json") for seed in seeds])


def solution_code(lab: Lab) -> str:
    """The reference solution as submitted: solution.py, or the solution/ project folder as a zip."""
    from labkit.manifest import submission_source

    folder = lab.dir / "solution"
    return submission_source(lab.dir, folder if lab.manifest.is_bundle else lab.dir / "solution.py")


def _build_references(lab: Lab, folder: Path, seeds: list[int], run_options: dict) -> None:
    code = solution_code(lab)
    run, payload = run_harness(lab, code, seeds, scale=len(seeds), **run_options)
    _ensure_reference_ok(lab, run, payload, seeds)
    raw = json.loads(run.result.decode("utf-8"))
    for seed in seeds:
        key = str(seed)
        one = {"runs": {key: raw["runs"][key]},
               "shown": {key: (raw.get("shown") or {}).get(key, {})},
               "shown_by_case": {key: (raw.get("shown_by_case") or {}).get(key, {})}}
        tmp = folder / f"{seed}.tmp"
        tmp.write_text(json.dumps(one), encoding="utf-8")
        os.replace(tmp, folder / f"{seed}.json")


def _merge_references(parts: list[dict]) -> dict:
    merged: dict = {"runs": {}, "shown": {}, "shown_by_case": {}}
    for part in parts:
        for key in merged:
            merged[key].update(part.get(key) or {})
    return merged


def _ensure_reference_ok(lab: Lab, run: SandboxRun, payload: dict | None, seeds: list[int]) -> None:
    if run.status == "killed":
        raise SandboxKilled(f"{lab.manifest.id}: the reference run's sandbox was killed from outside")
    if run.status != "ok" or payload is None or payload.get("import_error"):
        detail = (payload or {}).get("import_error") or run.stderr_tail[-2000:]
        raise LabBroken(f"{lab.manifest.id}: reference run failed ({run.status}): {detail}")
    for seed in seeds:
        for name, record in payload["runs"].get(str(seed), {}).items():
            if not record["ok"]:
                raise LabBroken(f"{lab.manifest.id}: reference case {name} failed for seed {seed}: "
                                f"{record['error']['message']}")


def _load_reference(path: Path) -> dict:
    payload = decode_payload(path.read_bytes(), max_elements=sys.maxsize)  # written by the reference run
    if payload is None:
        raise LabBroken(f"unreadable reference file {path}")
    return payload


def draw_hidden_seeds(manifest: LabManifest, rng: random.Random | None = None) -> list[int]:
    rng = rng or random.SystemRandom()
    return sorted(rng.sample(manifest.hidden_seeds(), manifest.hidden_draw))


# ---------------------------------------------------------------- checks

def load_checks_module(lab: Lab):
    path = lab.dir / "checks.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"labchecks_{lab.manifest.id}_{lab.hash}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _as_verdict(value: Any) -> Verdict:
    if isinstance(value, Verdict):
        return value
    if isinstance(value, tuple):
        return Verdict(bool(value[0]), str(value[1]) if len(value) > 1 else "")
    return Verdict(bool(value))


def _compare(check, got: Any, expected: Any, ctx: CheckContext, module) -> Verdict:
    if check.compare == "exact":
        return exact(got, expected)
    if check.compare == "allclose":
        return allclose(got, expected, check.rtol, check.atol)
    function = getattr(module, check.function, None) if module else None
    if function is None:
        raise LabBroken(f"check function {check.function} not found in checks.py")
    return _as_verdict(function(got, expected, ctx))


def _check_one_seed(lab: Lab, check, payload: dict, refs: dict, seed: int, module) -> tuple[Verdict, dict]:
    key = str(seed)
    record = payload["runs"].get(key, {}).get(check.case_name)
    ref_record = refs["runs"][key][check.case_name]
    shown = refs.get("shown", {}).get(key, {})
    case_shown = refs.get("shown_by_case", {}).get(key, {}).get(check.case_name)
    display = case_shown if case_shown else shown
    if record is None:
        return Verdict(False, "No output was produced for this check. Did your code exit early "
                              "(sys.exit, os._exit) or replace the harness's output?"), display
    if not record["ok"]:
        error = record["error"]
        return Verdict(False, error["traceback"] or error["message"], expected=None, got=RAISED), display
    ctx = CheckContext(seed=seed, visible=seed == VISIBLE_SEED, lab_dir=lab.dir,
                       outputs={k: v.get("value") for k, v in payload["runs"].get(key, {}).items()},
                       reference={k: v.get("value") for k, v in refs["runs"][key].items()}, shown=shown)
    try:
        return _compare(check, record["value"], ref_record["value"], ctx, module), display
    except LabBroken:
        raise
    except Exception as exc:  # noqa: BLE001 - an odd student value must not crash the grader
        return Verdict(False, f"Your output could not be checked: {type(exc).__name__}: {exc}"), display


def evaluate(lab: Lab, payload: dict, refs: dict, hidden_seeds: list[int]) -> list[dict]:
    module = load_checks_module(lab)
    tests = []
    for check in lab.manifest.checks:
        seeds = [VISIBLE_SEED] if check.visible else hidden_seeds
        verdict, shown = Verdict(True), {}
        for seed in seeds:
            verdict, shown = _check_one_seed(lab, check, payload, refs, seed, module)
            if not verdict.passed:
                break
        tests.append(_test_entry(check, verdict, shown))
    return tests


def _test_entry(check, verdict: Verdict, shown: dict) -> dict:
    entry = {"name": check.name, "points": check.points if verdict.passed else 0.0,
             "max_points": check.points, "passed": verdict.passed, "visible": check.visible,
             "description": check.description}
    if check.visible:
        entry["feedback"] = "Passed." if verdict.passed else verdict.feedback
        if not verdict.passed:
            entry.update(expected=verdict.expected, got=verdict.got,
                         input={k: describe(v, 400) for k, v in shown.items()})
            if check.hint:
                entry["feedback"] += f"\nHint: {check.hint}"
    else:
        if verdict.passed:
            entry["feedback"] = "Passed on hidden inputs."
        else:
            # Errors raised by the student's code (or the harness's type/shape checks) are safe to show;
            # comparison feedback on hidden inputs is not (it may carry expected values).
            raised = verdict.got == RAISED or verdict.feedback.startswith("No output")
            first_line = verdict.feedback.strip().splitlines()[-1] if raised and verdict.feedback.strip() else ""
            entry["feedback"] = ("Failed on hidden inputs." + (f" {first_line}" if first_line else "")
                                 + (f"\nHint: {check.hint}" if check.hint else ""))
    return entry


# ---------------------------------------------------------------- the whole grade

def failed_tests(lab: Lab, feedback: str) -> list[dict]:
    return [{"name": c.name, "points": 0.0, "max_points": c.points, "passed": False, "visible": c.visible,
             "description": c.description, "feedback": feedback} for c in lab.manifest.checks]


def grade(lab: Lab, code: str, *, references_dir: Path, submission_id: int | None = None,
          hidden_seeds: list[int] | None = None, on_output=None, models_dir: Path | None = None,
          **run_options) -> dict:
    """`models_dir`: the operator's real models (LLMCOURSE_MODELS_DIR), used where the lab allows. `cases`
    (a lab's proof only) runs just those cases: checks of the others fail with "no output"."""
    cases = run_options.pop("cases", None)
    run_options.setdefault("artifacts", lab_artifacts(lab, references_dir.parent / "artifacts", models_dir))
    hidden = hidden_seeds or draw_hidden_seeds(lab.manifest)
    refs = reference_outputs(lab, references_dir, [VISIBLE_SEED, *hidden], **run_options)
    sandbox_started_at, started = _now_iso(), time.monotonic()
    run, payload = run_harness(lab, code, [VISIBLE_SEED, *hidden], on_output=on_output, cases=cases, **run_options)
    sandbox_s = time.monotonic() - started
    sandbox_ended_at, started = _now_iso(), time.monotonic()
    status, tests = _outcome(lab, run, payload, refs, hidden)
    score = float(sum(t["points"] for t in tests))
    return {"submission_id": submission_id, "lab_id": lab.manifest.id, "status": status, "score": score,
            "max_score": lab.manifest.max_score, "tests": tests, "stdout_tail": run.stdout_tail,
            "stderr_tail": run.stderr_tail,
            "timings": {"queued_s": 0.0, "sandbox_s": round(sandbox_s, 3),
                        "grade_s": round(time.monotonic() - started, 3), "sandbox_started_at": sandbox_started_at,
                        "sandbox_ended_at": sandbox_ended_at, "checks_ended_at": _now_iso()},
            "hidden_seeds": hidden}


def _now_iso() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


def _outcome(lab: Lab, run: SandboxRun, payload: dict | None, refs: dict, hidden: list[int]):
    m = lab.manifest.limits
    if run.status == "killed":
        raise SandboxKilled(f"{lab.manifest.id}: the sandbox was killed from outside")
    if run.status != "ok":
        message = STATUS_MESSAGES.get(run.status, "Your code stopped unexpectedly.").format(
            wall=m.wall_seconds, cpu=m.cpu_seconds, memory=m.memory_mb, output=8)
        status = "timeout" if run.status in ("timeout", "cpu_limit") else "error"
        return status, failed_tests(lab, message)
    if payload is None:
        crashed = "Your code ended the run before any result was written (a crash, sys.exit, os._exit " \
                  "or a closed output). "
        if "MemoryError" in run.stderr_tail or "Cannot allocate memory" in run.stderr_tail:
            crashed = STATUS_MESSAGES["memory_limit"].format(memory=m.memory_mb) + " "
        return "error", failed_tests(lab, crashed + "See stderr below.")
    if payload.get("import_error"):
        error = payload["import_error"]
        if not isinstance(error, dict):
            error = {"traceback": str(error)[:4000]}
        prefix = ("Your file could not be loaded, so no check ran.\n" if error.get("type") != "SyntaxError"
                  else "Your file has a syntax error, so no check ran.\n")
        if error.get("type") == "BundleError":
            prefix = "Your project could not be unpacked, so no check ran.\n"
        return "error", failed_tests(lab, prefix + str(error.get("traceback", ""))[:4000])
    return "graded", evaluate(lab, payload, refs, hidden)
