"""Lab 49 harness (runs inside the sandbox): a local stand-in for the AWS Lambda runtime. A "container" is a
fresh import of the student's function.py (its own module globals, as a new Lambda execution environment
has); the invoker times the import (Init Duration) and every handler call (Duration), passes API Gateway proxy
events and a Lambda-like context, writes CloudWatch-style START/REPORT/END lines, counts how many times the
stand-in model package (data/lambda_model.py, importable as `lambda_model`) loaded the model, and injects one
model fault. The right answers (greedy decoding, validation rules, report arithmetic) are decided outside, in
checks.py."""
import base64
import importlib.util
import json
import math
import os
import random
import resource
import sys
import time
from pathlib import Path

from labkit.harness import case

DATA = Path(os.environ.get("LABKIT_DATA_DIR", "data"))
os.environ["MODEL_DIR"] = str(DATA / "model")                    # the function's configuration
os.environ.setdefault("AWS_LAMBDA_FUNCTION_NAME", "tiny-lm-generate")
if "lambda_model" not in sys.modules:                             # what `import lambda_model` finds
    _spec = importlib.util.spec_from_file_location("lambda_model", DATA / "lambda_model.py")
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["lambda_model"] = _module
    _spec.loader.exec_module(_module)
LM = sys.modules["lambda_model"]

MEMORY_MB = 1024
PRICE_GB_S, PRICE_REQUEST = 0.0000166667, 0.0000002
FAULT = "CUDA error: an illegal memory access was encountered (device 0)"
WORDS = ("the function model container event events cold warm start import load answer answers body prompt "
         "tokens handler status code headers error clear greedy decoding memory report init duration scale "
         "out new keeps once many").split()


def random_prompt(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.2:
        words.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 4))))
    return " ".join(words) + (" " if rng.random() < 0.5 else "")


def request_id(rng: random.Random) -> str:
    return "-".join("".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12))


class LambdaContext:
    """The attributes of AWS Lambda's Python context object that a handler may use."""

    def __init__(self, aws_request_id: str, timeout_s: float = 30.0):
        self.aws_request_id = aws_request_id
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = MEMORY_MB
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local/[$LATEST]sandbox"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def api_event(body, method="POST", path="/generate", base64_body=False) -> dict:
    """An API Gateway (REST, proxy integration) event; `body` is sent as given when it is a str or None."""
    text = body if body is None or isinstance(body, str) else json.dumps(body)
    if base64_body and text is not None:
        text = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return {"resource": "/generate", "path": path, "httpMethod": method,
            "headers": {"Content-Type": "application/json"}, "queryStringParameters": None,
            "requestContext": {"stage": "prod", "httpMethod": method, "path": f"/prod{path}"},
            "body": text, "isBase64Encoded": bool(base64_body)}


class Container:
    """One execution environment: a fresh import of the student's file (Init), then invocations (warm)."""

    count = 0

    def __init__(self, student):
        path = getattr(student, "__file__", None)
        if not path:
            raise RuntimeError("the submission has no file to import again")
        Container.count += 1
        name = f"function_container_{Container.count}"
        loads = LM.LOADS
        started = time.perf_counter()
        spec = importlib.util.spec_from_file_location(name, path)
        self.module = importlib.util.module_from_spec(spec)
        sys.modules[name] = self.module
        spec.loader.exec_module(self.module)
        self.init_ms = (time.perf_counter() - started) * 1000
        self.loads = LM.LOADS - loads   # model loads during this container's init and its invocations
        self.invocations = 0
        if not callable(getattr(self.module, "handler", None)):
            raise AttributeError("function.py must define handler(event, context)")

    def invoke(self, event: dict, rid: str, log: list) -> dict:
        cold = self.invocations == 0
        self.invocations += 1
        log.append(f"START RequestId: {rid} Version: $LATEST")
        loads, started = LM.LOADS, time.perf_counter()
        try:
            response, error = self.module.handler(event, LambdaContext(rid)), None
        except Exception as exc:  # noqa: BLE001 - an unhandled error, as Lambda reports it
            response, error = None, {"errorType": type(exc).__name__, "errorMessage": str(exc)[:300]}
        duration = (time.perf_counter() - started) * 1000
        self.loads += LM.LOADS - loads
        report = (f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {math.ceil(duration)} ms"
                  f"\tMemory Size: {MEMORY_MB} MB\tMax Memory Used: "
                  f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
        if cold:
            report += f"\tInit Duration: {self.init_ms:.2f} ms"
        log += [f"END RequestId: {rid}", report]
        return {"request_id": rid, "cold": cold, "duration_ms": round(duration, 3),
                "init_ms": round(self.init_ms, 3) if cold else None, **_outcome(response, error)}


def _outcome(response, error) -> dict:
    if error is not None:
        return {"unhandled": error}
    if not isinstance(response, dict):
        return {"invalid_response": f"handler returned {type(response).__name__}, not a dict"}
    body = response.get("body")
    try:
        parsed = json.loads(body) if isinstance(body, str) else None
    except ValueError:
        parsed = None
    headers = response.get("headers") if isinstance(response.get("headers"), dict) else {}
    return {"status": response.get("statusCode"),
            "content_type": next((str(v) for k, v in headers.items() if str(k).lower() == "content-type"), None),
            "body_is_str": isinstance(body, str), "body": parsed, "raw_body": body[:300] if isinstance(body, str) else None}


# ---------------------------------------------------------------- events (one container)
VISIBLE_EVENTS = [
    ("valid", {"body": {"prompt": "the function ", "max_new_tokens": 24}}),
    ("valid, default max_new_tokens", {"body": {"prompt": "q"}}),
    ("base64 body", {"body": {"prompt": "a cold start", "max_new_tokens": 12}, "base64_body": True}),
    ("broken JSON", {"body": '{"prompt": "hello"'}),
    ("no body", {"body": None}),
    ("missing prompt", {"body": {"max_new_tokens": 5}}),
    ("unknown characters", {"body": {"prompt": "Hello, World!"}}),
    ("max_new_tokens too large", {"body": {"prompt": "the model", "max_new_tokens": 100}}),
    ("max_new_tokens is a bool", {"body": {"prompt": "the model", "max_new_tokens": True}}),
    ("GET", {"body": None, "method": "GET"}),
    ("unknown path", {"body": {"prompt": "the model"}, "path": "/predict"}),
]


def hidden_events(rng: random.Random) -> list:
    def valid():
        body = {"prompt": random_prompt(rng)}
        if rng.random() < 0.7:
            body["max_new_tokens"] = rng.randint(1, 40)
        return body

    events = [("valid", {"body": valid()}) for _ in range(4)]
    events += [("base64 body", {"body": valid(), "base64_body": True}) for _ in range(2)]
    events += [
        ("broken JSON", {"body": rng.choice(['{"prompt": ', "prompt=hello", "", "{'prompt': 'hi'}"])}),
        ("not an object", {"body": rng.choice([[random_prompt(rng)], random_prompt(rng), rng.randint(1, 9), None])}),
        ("bad base64", {"body": "%%%not-base64%%%", "base64_body": False, "pretend_base64": True}),
        ("prompt invalid", {"body": {"prompt": rng.choice(["", "x" * rng.randint(201, 230), rng.randint(0, 9),
                                                           random_prompt(rng) + rng.choice("ABZ019\t\n#;-é")]),
                                     "max_new_tokens": rng.randint(1, 9)}}),
        ("max_new_tokens invalid", {"body": {"prompt": random_prompt(rng), "max_new_tokens": rng.choice(
            [0, -rng.randint(1, 5), rng.randint(65, 999), 2.5, 8.0, "8", None, False])}}),
        ("both invalid", {"body": {"prompt": None, "max_new_tokens": rng.randint(65, 99)}}),
        ("edge: 200 characters, 64 tokens", {"body": {"prompt": ("cold start " * 20)[:200], "max_new_tokens": 64}}),
        ("method", {"body": valid(), "method": rng.choice(["GET", "PUT", "DELETE"])}),
        ("path", {"body": valid(), "path": rng.choice(["/", "/generate/", "/v1/generate"])}),
    ]
    rng.shuffle(events)
    return events


def _event(spec: dict) -> dict:
    event = api_event(spec["body"], spec.get("method", "POST"), spec.get("path", "/generate"),
                      spec.get("base64_body", False))
    if spec.get("pretend_base64"):
        event["isBase64Encoded"] = True
    return event


@case
def events(student, ctx):
    rng = random.Random(f"{ctx.seed}:events")
    specs = VISIBLE_EVENTS if ctx.visible else hidden_events(rng)
    built = [(label, _event(spec)) for label, spec in specs]
    if ctx.visible:
        ctx.show(events=[{"what": label, "event": {k: e[k] for k in ("httpMethod", "path", "body", "isBase64Encoded")}}
                         for label, e in built])
    container, log = Container(student), []
    results = [{"what": label, "event": {k: e[k] for k in ("httpMethod", "path", "body", "isBase64Encoded")},
                **container.invoke(e, request_id(rng), log)} for label, e in built]
    return {"results": results, "loads": container.loads}


# ---------------------------------------------------------------- containers (cold vs warm)
@case
def containers(student, ctx):
    rng = random.Random(f"{ctx.seed}:containers")
    sizes = [3, 4] if ctx.visible else [rng.randint(3, 5) for _ in range(3)]
    fault_at = (1, rng.randint(1, sizes[1] - 2))  # a warm invocation of the second container, not its last
    plan = []
    for c, size in enumerate(sizes):
        for i in range(size):
            plan.append((c, i, {"prompt": random_prompt(rng), "max_new_tokens": rng.randint(8, 32)}))
    if ctx.visible:
        ctx.show(containers=sizes, fault="the model's forward raises RuntimeError on invocation "
                                         f"{fault_at[1] + 1} of container 2", bodies=[b for _, _, b in plan])
    log, results, loads, init_ms = [], [], [], []
    pool: dict = {}
    for c, i, body in plan:
        if c not in pool:
            pool[c] = Container(student)
            init_ms.append(round(pool[c].init_ms, 3))
        if (c, i) == fault_at:
            LM.inject_fault(FAULT)
        result = pool[c].invoke(api_event(body), request_id(rng), log)
        LM._FAULT.clear()
        results.append({"container": c, "index": i, "request": body, "fault": (c, i) == fault_at, **result})
    loads = [pool[c].loads for c in sorted(pool)]
    return {"sizes": sizes, "results": results, "loads": loads, "init_ms": init_ms, "log": log}


# ---------------------------------------------------------------- reports
def synthetic_log(rng: random.Random, containers: int, per_container: tuple, memory: list) -> list:
    lines = []
    for _ in range(containers):
        init = round(rng.uniform(150, 2500), 2)
        mem = rng.choice(memory)
        for i in range(rng.randint(*per_container)):
            rid = request_id(rng)
            duration = round(rng.uniform(1, 40) if i else rng.uniform(20, 900), 2)
            if rng.random() < 0.1:
                duration = float(math.floor(duration))  # an exact number of ms: billed as is
            lines.append(f"START RequestId: {rid} Version: $LATEST")
            if rng.random() < 0.4:
                lines.append(f"{rid}\t[INFO]\tgenerated {rng.randint(1, 64)} tokens, Duration: {rng.randint(1, 99)} ms "
                             f"(model time)")
            lines.append(f"END RequestId: {rid}")
            report = (f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: "
                      f"{math.ceil(duration)} ms\tMemory Size: {mem} MB\tMax Memory Used: {rng.randint(60, mem)} MB")
            if i == 0:
                report += f"\tInit Duration: {init:.2f} ms"
            lines.append(report)
    return lines


def _summary(value, what="summarize_reports"):
    if not isinstance(value, dict):
        raise TypeError(f"{what} must return a dict, got {type(value).__name__}")
    return value


@case
def reports(student, ctx):
    rng = random.Random(f"{ctx.seed}:reports")
    if ctx.visible:
        logs = [synthetic_log(rng, 2, (2, 4), [1024])]
        ctx.show(log=logs[0], price_per_gb_second=PRICE_GB_S, price_per_request=PRICE_REQUEST)
    else:
        logs = [synthetic_log(rng, rng.randint(3, 6), (1, 12), [512, 1024, 2048]),
                synthetic_log(rng, 1, (1, 1), [128]),                         # one cold invocation, no warm ones
                synthetic_log(rng, rng.randint(2, 4), (5, 30), [3008])]
    return [{"log": log, "summary": _summary(student.summarize_reports(list(log), PRICE_GB_S, PRICE_REQUEST))}
            for log in logs]
