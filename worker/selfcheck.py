"""A worker proves at start that it can grade before it takes a single job (issue: a stack that starts
and then fails every grade): it runs a tiny program in a real sandbox with cgroup memory and pids limits,
and a worker that consumes the gpu queue checks that its GPU is there and CUDA works inside a sandbox.

On failure it logs one clear line ("REFUSING JOBS: ..."), its /healthz answers 503 with the reasons
(worker/metrics.py; the container's HEALTHCHECK turns unhealthy), and it does not consume; it checks again
every RETRY_SECONDS, so fixing the host needs no restart. A worker that takes cpu and gpu jobs but whose GPU
is missing or broken keeps taking cpu jobs and refuses the gpu queue. LLMCOURSE_SANDBOX_SELFCHECK: "auto"
enforces this outside the embedded mode and only warns in it (a laptop falls back to rlimits), "strict"
always enforces, "off" skips it."""
from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field

from app.config import Settings, get_settings
from worker.gpu import device_nodes

log = logging.getLogger("llmcourse.selfcheck")
RETRY_SECONDS = 60
SANDBOX_PROBE = [sys.executable, "-I", "-c", "print('sandbox-ok')"]
CUDA_PROBE = [sys.executable, "-I", "-c",
              "import torch\nok = torch.cuda.is_available()\n"
              "print('cuda-ok' if ok else 'cuda-missing', torch.cuda.device_count() if ok else 0)"]
HOW_TO_FIX = ("The worker container needs security_opt systempaths=unconfined, seccomp=unconfined and "
              "apparmor=unconfined, and a delegated cgroup v2 (cap_add SYS_ADMIN for its entrypoint, which "
              "drops it); see docker-compose.yml and README 'Deploying with docker compose'.")


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)  # the worker must not consume any job
    gpu_problems: list[str] = field(default_factory=list)  # the worker must not consume gpu jobs
    notes: list[str] = field(default_factory=list)


def _run(command: list[str], settings: Settings, devices: list[str] | None = None, memory_mb: int = 256,
         wall_seconds: int = 30):
    from worker.sandbox import SandboxLimits, SandboxProcess

    limits = SandboxLimits(cpu_seconds=wall_seconds, wall_seconds=wall_seconds, memory_mb=memory_mb, processes=32)
    sandbox = SandboxProcess(command, binds=[], env={"PYTHONDONTWRITEBYTECODE": "1"}, limits=limits,
                             uid=settings.sandbox_uid, devices=devices or [])
    cgroup = sandbox.cgroup
    limited = (cgroup is not None and cgroup.limits_memory, cgroup is not None and cgroup.limits_pids)
    return sandbox.collect(), limited


def sandbox_problems(settings: Settings) -> list[str]:
    """Why this worker cannot run a sandbox with memory and pids limits (empty: it can)."""
    from worker.sandbox import SandboxUnavailable, bubblewrap_path

    if bubblewrap_path() is None:
        return ["bubblewrap (bwrap) is not installed: student code cannot run safely (install the 'bubblewrap' "
                "package; the worker image has it)."]
    try:
        run, (memory, pids) = _run(SANDBOX_PROBE, settings)
    except (SandboxUnavailable, OSError) as exc:
        return [f"a test sandbox could not start: {exc}. {HOW_TO_FIX}"]
    problems = []
    if run.status != "ok" or run.exit_code != 0 or "sandbox-ok" not in run.stdout_tail:
        detail = (run.stderr_tail.strip().splitlines() or [""])[-1][:400]
        problems.append(f"a test sandbox did not run (status {run.status}, exit code {run.exit_code}"
                        f"{': ' + detail if detail else ''}). {HOW_TO_FIX}")
    missing = [name for name, ok in (("memory", memory), ("pids", pids)) if not ok]
    if missing:
        problems.append(f"no writable cgroup for sandbox {' and '.join(missing)} limits: rlimits alone do not "
                        f"hold a fork bomb or a memory bomb. {HOW_TO_FIX}")
    return problems


def gpu_problems(settings: Settings, queues: set[str]) -> tuple[list[str], list[str]]:
    """(problems, notes) for the gpu queue: a gpu-queue worker that finds no GPU says so and refuses gpu
    jobs rather than running them on the CPU; CUDA must work inside a sandbox with the bound nodes."""
    if "gpu" not in queues:
        return [], []
    nodes = device_nodes(settings.gpu_devices)
    if not nodes:
        why = ("LLMCOURSE_GPU_DEVICES=auto found no /dev/nvidia<N>" if settings.gpu_devices.strip().lower() == "auto"
               else "LLMCOURSE_GPU_DEVICES is empty")
        if "cpu" in queues:  # `llmcourse run` on a laptop: the CPU-sized configuration is the design
            return [], [f"no GPU ({why}): gpu labs run their CPU-sized configuration on this worker"]
        return [f"this worker consumes the gpu queue but has no GPU ({why}); it refuses gpu jobs instead of "
                "running them on the CPU. Give its container one GPU (docker-compose.yml: device_ids) and "
                "LLMCOURSE_GPU_DEVICES=auto, or list the device nodes."], []
    missing = [node for node in nodes if not os.path.exists(node)]
    if missing:
        return [f"LLMCOURSE_GPU_DEVICES names {', '.join(missing)}, which this worker cannot see; it refuses gpu "
                "jobs instead of running them on the CPU."], []
    try:
        run, _ = _run(CUDA_PROBE, settings, devices=nodes, memory_mb=4096, wall_seconds=120)
    except Exception as exc:  # noqa: BLE001 - reported as the reason to refuse
        return [f"the CUDA probe sandbox could not start with {', '.join(nodes)}: {exc}"], []
    if "cuda-ok" not in run.stdout_tail:
        detail = (run.stderr_tail.strip().splitlines() or [run.stdout_tail.strip()])[-1][:400]
        return [f"CUDA is not available inside a sandbox with {', '.join(nodes)} bound ({detail}); this worker "
                "refuses gpu jobs instead of running them on the CPU."], []
    return [], [f"GPU ready: {', '.join(nodes)} ({run.stdout_tail.strip().splitlines()[-1]})"]


def enforced(settings: Settings) -> bool:
    mode = settings.sandbox_selfcheck.strip().lower()
    return mode == "strict" or (mode == "auto" and not settings.embedded)


def check(settings: Settings, queues: set[str]) -> Report:
    report = Report()
    mode = settings.sandbox_selfcheck.strip().lower()
    if mode == "off":
        report.notes.append("sandbox self-check is off (LLMCOURSE_SANDBOX_SELFCHECK=off)")
        return report
    if settings.insecure_sandbox:
        report.notes.append("LLMCOURSE_INSECURE_SANDBOX is on: student code runs WITHOUT a sandbox (development only)")
    else:
        problems = sandbox_problems(settings)
        if enforced(settings):
            report.problems += problems
        else:
            report.notes += [f"(embedded mode, not enforced) {problem}" for problem in problems]
    report.gpu_problems, notes = gpu_problems(settings, queues)
    report.notes += notes
    return report


def consumed_queues(worker) -> set[str]:
    queues = worker.app.amqp.queues
    return set(queues.consume_from or queues)


def gate(worker, settings: Settings | None = None, sleep=time.sleep, max_checks: int | None = None) -> Report:
    """Run at worker_init (before the consumer starts): returns once the worker may consume, after
    deselecting the gpu queue where only it is unusable; blocks (re-checking) while nothing may be consumed."""
    from worker import metrics

    settings = settings or get_settings()
    checks = 0
    while True:
        queues = consumed_queues(worker)
        report = check(settings, queues)
        checks += 1
        for note in report.notes:
            log.warning("self-check: %s", note)
        blocking = list(report.problems)
        if report.gpu_problems:
            if queues - {"gpu"}:
                worker.app.amqp.queues.deselect(["gpu"])
                log.error("REFUSING GPU JOBS: %s Consuming %s only.", " ".join(report.gpu_problems),
                          ", ".join(sorted(queues - {"gpu"})))
                queues = queues - {"gpu"}
            else:
                blocking += report.gpu_problems
        if not blocking:
            metrics.HEALTH.set(True, [], sorted(queues))
            log.info("self-check passed: consuming %s", ", ".join(sorted(queues)))
            return report
        metrics.HEALTH.set(False, blocking, sorted(queues))
        log.error("REFUSING JOBS: the worker's start-up self-check failed: %s (checking again in %s s)",
                  " ".join(blocking), RETRY_SECONDS)
        if max_checks is not None and checks >= max_checks:
            return report
        sleep(RETRY_SECONDS)
