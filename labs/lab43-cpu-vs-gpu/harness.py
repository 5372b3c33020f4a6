"""Lab 43 harness (inside the sandbox): the student's device-agnostic training (on the CPU everywhere, and
also on CUDA on a GPU worker), their synchronised timer on a simulated asynchronous accelerator (so the
timing method is graded on a CPU-only worker too), their synchronizer, and a speed-up report over the
configurations this worker has, re-measured by the harness right after."""
from __future__ import annotations

import importlib.util
import random
import sys
import time

import torch

from labkit.harness import case

AMP = {None: None, "bf16": torch.bfloat16, "fp16": torch.float16}


def _tinygpt(ctx):
    if "tinygpt" not in sys.modules:
        spec = importlib.util.spec_from_file_location("tinygpt", ctx.data_dir / "tinygpt.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["tinygpt"] = module
        spec.loader.exec_module(module)
    return sys.modules["tinygpt"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _cuda_asked_without_cuda(exc: BaseException) -> bool:
    text = str(exc)
    return not torch.cuda.is_available() and ("CUDA" in text or "cuda" in text)


def _call(what: str, fn, *args, **kwargs):
    """Call the student's function; a CUDA request on a machine without CUDA gets an answer in the lab's terms."""
    try:
        return fn(*args, **kwargs)
    except (AssertionError, RuntimeError) as exc:
        if _cuda_asked_without_cuda(exc):
            raise RuntimeError(f"{what} asked for CUDA on a worker without a GPU ({exc}): use the device argument "
                               "you were given, never a hard-coded 'cuda'") from None
        raise


# ----------------------------------------------------------------- device-agnostic training

def _train_spec(ctx) -> dict:
    spec = dict(ctx.config["train"])
    if not ctx.visible:
        rng = _rng(ctx, "train")
        spec.update(steps=rng.randint(8, 14), batch_size=rng.choice([4, 6, 8]), lr=rng.choice([3e-3, 5e-3, 1e-2]))
    return spec


def _train_on(student, ctx, spec, device: str) -> dict:
    tinygpt = _tinygpt(ctx)
    model = tinygpt.build_model(spec, ctx.seed % 1000)
    tokens = tinygpt.token_stream(ctx.seed, spec["vocab"], spec["n_tokens"])
    losses = _call("train", student.train, model, tokens, torch.device(device), steps=spec["steps"],
                   batch_size=spec["batch_size"], seq_len=spec["seq_len"], lr=spec["lr"],
                   generator=torch.Generator().manual_seed(ctx.seed))
    if not isinstance(losses, (list, tuple)) or len(losses) != spec["steps"]:
        raise TypeError(f"train must return one loss per step ({spec['steps']} floats)")
    return {"losses": [float(v) for v in losses],
            "param_devices": sorted({str(p.device.type) for p in model.parameters()}),
            "weights": {n: p.detach().float().cpu().clone() for n, p in model.named_parameters()}}


@case
def training(student, ctx):
    spec = _train_spec(ctx)
    ctx.show(training=f"train(TinyGPT(d_model={spec['d_model']}, layers={spec['n_layers']}), tokens, "
                      f"torch.device('cpu'), steps={spec['steps']}, batch_size={spec['batch_size']}, "
                      f"seq_len={spec['seq_len']}, lr={spec['lr']}, generator seeded)"
                      + ("; then the same on torch.device('cuda')" if ctx.device == "cuda" else ""))
    out = {"spec": spec, "cpu": _train_on(student, ctx, spec, "cpu")}
    if ctx.device == "cuda":
        out["cuda"] = _train_on(student, ctx, spec, "cuda")
    return out


# ----------------------------------------------------------------- timing on a simulated accelerator

class SimulatedAccelerator:
    """An asynchronous device in miniature: step() only queues a kernel and returns at once (as a CUDA launch
    does); the kernel runs on the device's own timeline; synchronize() waits until the queue is empty. The
    first kernel is slow, as a first step is (allocator, autotuning, caches)."""

    def __init__(self, kernel_s: float, first_kernel_s: float):
        self.kernel_s, self.first_kernel_s = kernel_s, first_kernel_s
        self.free_at = 0.0
        self.launches: list[float] = []
        self.ends: list[float] = []
        self.syncs: list[float] = []          # when synchronize() was called
        self.returns: list[float] = []        # when it returned (the queue empty)

    def step(self) -> None:
        now = time.perf_counter()
        duration = self.first_kernel_s if not self.launches else self.kernel_s
        self.launches.append(now)
        self.free_at = max(self.free_at, now) + duration
        self.ends.append(self.free_at)

    def synchronize(self) -> None:
        self.syncs.append(time.perf_counter())
        wait = self.free_at - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        self.returns.append(time.perf_counter())


def _number(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must return a float (seconds per step), got {type(value).__name__}")
    return float(value)


@case
def timing(student, ctx):
    if ctx.visible:
        kernel_s, first_s, warmup, timed = 0.010, 0.080, 2, 5
    else:
        rng = _rng(ctx, "timing")
        kernel_s, first_s = rng.uniform(0.008, 0.016), rng.uniform(0.06, 0.1)
        warmup, timed = rng.choice([2, 3]), rng.choice([4, 5, 6])
    ctx.show(timing=f"benchmark(step_fn, warmup_steps={warmup}, timed_steps={timed}, synchronize) on a simulated "
                    f"asynchronous accelerator: step_fn() returns at once and queues a kernel of "
                    f"{kernel_s * 1000:.1f} ms (the first one {first_s * 1000:.0f} ms); synchronize() waits for the queue")
    device = SimulatedAccelerator(kernel_s, first_s)
    reported = _number(student.benchmark(device.step, warmup_steps=warmup, timed_steps=timed,
                                         synchronize=device.synchronize), "benchmark")
    return {"reported": reported, "launches": device.launches, "ends": device.ends, "syncs": device.syncs, "returns": device.returns,
            "warmup_steps": warmup, "timed_steps": timed, "kernel_s": kernel_s}


# ----------------------------------------------------------------- synchronizer

@case
def synchronizer(student, ctx):
    """torch.cuda.synchronize is replaced by a recorder for the case, so the CUDA branch can be checked on a
    worker without a GPU."""
    calls = []
    original = torch.cuda.synchronize
    torch.cuda.synchronize = lambda device=None: calls.append(str(device))
    try:
        cpu_sync = student.synchronizer(torch.device("cpu"))
        cpu_sync()
        after_cpu = len(calls)
        cuda_sync = student.synchronizer(torch.device("cuda"))
        cuda_sync()
        after_cuda = len(calls)
    finally:
        torch.cuda.synchronize = original
    return {"cpu_calls": after_cpu, "cuda_calls": after_cuda - after_cpu,
            "callable": callable(cpu_sync) and callable(cuda_sync)}


# ----------------------------------------------------------------- the comparison

class CountedStep:
    def __init__(self, step):
        self.step, self.calls = step, 0

    def __call__(self):
        self.calls += 1
        return self.step()


def _harness_sync(device: torch.device):
    return (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)


def _remeasure(step, device, warmup, timed) -> float:
    sync = _harness_sync(device)
    for _ in range(warmup):
        step()
    sync()
    started = time.perf_counter()
    for _ in range(timed):
        step()
    sync()
    return (time.perf_counter() - started) / timed


def _configurations(ctx) -> list[dict]:
    return [c for c in ctx.config["configurations"] if c["device"] != "cuda" or ctx.device == "cuda"]


@case
def comparison(student, ctx):
    tinygpt = _tinygpt(ctx)
    bench = ctx.config["bench"]
    rng = _rng(ctx, "comparison")
    warmup, timed = bench["warmup_steps"], bench["timed_steps"] + (0 if ctx.visible else rng.randint(0, 2))
    tokens = tinygpt.token_stream(ctx.seed, bench["vocab"], bench["n_tokens"])
    configurations = _configurations(ctx)
    ctx.show(comparison=f"for {[c['name'] for c in configurations]}: make_train_step on TinyGPT(d_model="
                        f"{bench['d_model']}, layers={bench['n_layers']}), batch {bench['batch_size']} x seq "
                        f"{bench['seq_len']}, then benchmark(step, warmup_steps={warmup}, timed_steps={timed}, "
                        f"synchronizer(device)); speedup_report(..., baseline='{configurations[0]['name']}')")
    seconds, calls, remeasured = {}, {}, {}
    for conf in configurations:
        device = torch.device(conf["device"])
        model = tinygpt.build_model(bench, 0).to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        step = _call("make_train_step", student.make_train_step, model, optimizer, tokens, device,
                     batch_size=bench["batch_size"], seq_len=bench["seq_len"],
                     generator=torch.Generator().manual_seed(ctx.seed), amp_dtype=AMP[conf.get("amp")])
        if not callable(step):
            raise TypeError("make_train_step must return a function that runs one training step")
        counted = CountedStep(step)
        sync = _call("synchronizer", student.synchronizer, device)
        seconds[conf["name"]] = _number(_call("benchmark", student.benchmark, counted, warmup_steps=warmup,
                                              timed_steps=timed, synchronize=sync), "benchmark")
        calls[conf["name"]] = counted.calls
        remeasured[conf["name"]] = _remeasure(step, device, 1, timed)
    tokens_per_step = bench["batch_size"] * bench["seq_len"]
    report = student.speedup_report(dict(seconds), tokens_per_step, configurations[0]["name"])
    if not isinstance(report, dict) or set(report) != set(seconds):
        raise TypeError(f"speedup_report must return one entry per configuration {sorted(seconds)}")
    clean = {}
    for name, row in report.items():
        if not isinstance(row, dict) or not {"seconds_per_step", "tokens_per_second", "speedup"} <= set(row):
            raise TypeError(f"speedup_report[{name!r}] must hold seconds_per_step, tokens_per_second and speedup")
        clean[name] = {k: _number(row[k], f"speedup_report[{name!r}][{k!r}]")
                       for k in ("seconds_per_step", "tokens_per_second", "speedup")}
    return {"configurations": configurations, "seconds": seconds, "calls": calls, "remeasured": remeasured,
            "report": clean, "tokens_per_step": tokens_per_step, "warmup_steps": warmup, "timed_steps": timed}
