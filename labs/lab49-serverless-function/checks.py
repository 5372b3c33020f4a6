"""Lab 49 checks (outside the sandbox): every handler response is compared with what the rules below and greedy
decoding of the stand-in model (data/lambda_model.py, loaded here again) give; the container record (model
loads, timings, the injected fault) is judged from the invoker's measurements; report summaries are recomputed
from the same log lines."""
import base64
import binascii
import importlib.util
import json
import math
import sys

from labkit.checks import Verdict

MAX_PROMPT_CHARS, MAX_NEW_TOKENS, DEFAULT_NEW_TOKENS = 200, 64, 16
PRICE_GB_S, PRICE_REQUEST = 0.0000166667, 0.0000002
FAULT = "CUDA error"
WARM_SHARE = 0.25   # a warm invocation must take at most this share of a cold start (the reference: ~2%)


def _lm(lab_dir):
    name = "lab49_lambda_model_checks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / "data" / "lambda_model.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        module.LOAD_SECONDS = 0
        module.MODEL = module.load_model(lab_dir / "data" / "model")
    return sys.modules[name]


def _short(value, limit=90) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "..."


def expected_response(lab_dir, event) -> tuple[int, dict]:
    """(status, what the body must hold) for an event, by the lab's rules."""
    lm = _lm(lab_dir)
    if event["path"] != "/generate":
        return 404, {"code": "not_found", "field": None}
    if event["httpMethod"] != "POST":
        return 405, {"code": "method_not_allowed", "field": None}
    raw = event["body"]
    try:
        if event["isBase64Encoded"] and raw is not None:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        body = json.loads(raw) if raw is not None else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict):
        return 400, {"code": "invalid_body", "field": None}
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not 1 <= len(prompt) <= MAX_PROMPT_CHARS or set(prompt) - set(lm.MODEL.alphabet):
        return 422, {"code": "validation_error", "field": "prompt"}
    count = body.get("max_new_tokens", DEFAULT_NEW_TOKENS)
    if type(count) is not int or not 1 <= count <= MAX_NEW_TOKENS:
        return 422, {"code": "validation_error", "field": "max_new_tokens"}
    ids, finish = lm.greedy(lm.MODEL, prompt, count)
    return 200, {"text": lm.MODEL.decode(ids), "token_ids": ids, "finish_reason": finish}


def _shape_problem(what, result) -> str | None:
    if "unhandled" in result:
        error = result["unhandled"]
        return f"{what}: the handler raised {error['errorType']} ({error['errorMessage'][:120]}) instead of returning a response"
    if "invalid_response" in result:
        return f"{what}: {result['invalid_response']}"
    if not result["body_is_str"]:
        return f"{what}: the response's body must be a JSON string (json.dumps), as API Gateway expects"
    if not isinstance(result["body"], dict):
        return f"{what}: the body {_short(result['raw_body'])} is not a JSON object"
    if result["content_type"] != "application/json":
        return f"{what}: headers must hold Content-Type: application/json, got {result['content_type']!r}"
    return None


def compare_response(lab_dir, what, event, result) -> str | None:
    problem = _shape_problem(what, result)
    if problem:
        return problem
    status, want = expected_response(lab_dir, event)
    body = result["body"]
    if result["status"] != status:
        detail = f" ({want['code']}" + (f", field {want['field']})" if want.get("field") else ")") if status != 200 else ""
        return f"{what}: statusCode {result['status']} where {status}{detail} was expected"
    if body.get("request_id") != result["request_id"]:
        return f"{what}: request_id {body.get('request_id')!r} is not context.aws_request_id {result['request_id']!r}"
    if status == 200:
        for key in ("token_ids", "text", "finish_reason"):
            if body.get(key) != want[key]:
                return f"{what}: {key} {_short(body.get(key))} where greedy decoding gives {_short(want[key])}"
        return None
    error = body.get("error")
    if not isinstance(error, dict) or not {"code", "message", "field"} <= set(error):
        return f"{what}: an error body must be {{'error': {{'code', 'message', 'field'}}, 'request_id'}}, got {_short(body)}"
    if error["code"] != want["code"] or error["field"] != want["field"]:
        return (f"{what}: error code {error['code']!r} field {error['field']!r} where {want['code']!r} field "
                f"{want['field']!r} was expected")
    return None


def check_events(got, expected, ctx):
    for result in got["results"]:
        flag = " (isBase64Encoded: true)" if result["event"]["isBase64Encoded"] else ""
        problem = compare_response(ctx.lab_dir, f"event '{result['what']}'{flag}", result["event"], result)
        if problem:
            return Verdict(False, problem)
    if got["loads"] > 1:
        return Verdict(False, f"{len(got['results'])} invocations in one container loaded the model {got['loads']} times")
    return Verdict(True)


def _median(values):
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def check_containers(got, expected, ctx):
    for c, loads in enumerate(got["loads"]):
        if loads != 1:
            return Verdict(False, f"container {c + 1} ({got['sizes'][c]} invocations) loaded the model {loads} times; "
                                  f"load it once per container (a module-level global) and reuse it while warm")
    for r in got["results"]:
        what = f"container {r['container'] + 1}, invocation {r['index'] + 1}"
        if r["fault"]:
            problem = _shape_problem(what + " (the model raised RuntimeError)", r)
            if problem:
                return Verdict(False, problem)
            body, error = r["body"], r["body"].get("error")
            if r["status"] != 500 or not isinstance(error, dict) or error.get("code") != "internal_error":
                return Verdict(False, f"{what}: the model raised; expected statusCode 500 with error code "
                                      f"'internal_error', got {r['status']} {_short(body)}")
            if body.get("request_id") != r["request_id"]:
                return Verdict(False, f"{what}: the 500 must carry request_id = context.aws_request_id")
            if FAULT in (r["raw_body"] or "") or "Traceback" in (r["raw_body"] or ""):
                return Verdict(False, f"{what}: the 500 leaks the internal exception ({_short(r['raw_body'])}); "
                                      f"log it, answer a generic message")
            continue
        event = {"path": "/generate", "httpMethod": "POST", "body": json.dumps(r["request"]), "isBase64Encoded": False}
        problem = compare_response(ctx.lab_dir, what, event, r)
        if problem:
            return Verdict(False, problem)
    cold = [init + r["duration_ms"] for init, r in zip(got["init_ms"], [r for r in got["results"] if r["cold"]])]
    warm = [r["duration_ms"] for r in got["results"] if not r["cold"] and not r["fault"]]
    if warm and cold and _median(warm) > WARM_SHARE * _median(cold):
        return Verdict(False, f"warm invocations take {_median(warm):.1f} ms (median), cold starts "
                              f"{_median(cold):.1f} ms: a warm container should skip the expensive work")
    return Verdict(True)


# ---------------------------------------------------------------- reports
def _report(line):
    fields = dict(part.split(": ", 1) for part in line[len("REPORT "):].split("\t"))
    number = lambda key: float(fields[key].split()[0])  # noqa: E731
    return {"duration": number("Duration"), "billed": number("Billed Duration"), "memory": number("Memory Size"),
            "init": number("Init Duration") if "Init Duration" in fields else None}


def _rank(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def expected_summary(lines) -> dict:
    reports = [_report(line) for line in lines if line.startswith("REPORT ")]
    cold = [r for r in reports if r["init"] is not None]
    warm = [r for r in reports if r["init"] is None]
    gb_s = sum(r["billed"] / 1000 * r["memory"] / 1024 for r in reports)
    return {"invocations": len(reports), "cold_starts": len(cold),
            "cold_start_rate": len(cold) / len(reports) if reports else 0.0,
            "mean_init_ms": sum(r["init"] for r in cold) / len(cold) if cold else 0.0,
            "p50_cold_ms": _rank([r["init"] + r["duration"] for r in cold], 50),
            "p50_warm_ms": _rank([r["duration"] for r in warm], 50),
            "p95_warm_ms": _rank([r["duration"] for r in warm], 95),
            "gb_seconds": gb_s, "cost_usd": gb_s * PRICE_GB_S + len(reports) * PRICE_REQUEST}


def _close(a, b) -> bool:
    if b is None or a is None:
        return a is None and b is None
    if isinstance(a, bool) or not isinstance(a, (int, float)):
        return False
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


HINTS = {"cold_starts": "a cold start is a REPORT line with Init Duration",
         "mean_init_ms": "average Init Duration over cold starts",
         "p50_cold_ms": "a cold start's latency is Init Duration + Duration",
         "p50_warm_ms": "nearest rank: sorted values, element ceil(p/100*n) (1-based)",
         "p95_warm_ms": "nearest rank: sorted values, element ceil(p/100*n) (1-based); None without warm ones",
         "gb_seconds": "Billed Duration (s) x Memory Size (GB = MB/1024), summed",
         "cost_usd": "gb_seconds x price_per_gb_second + invocations x price_per_request",
         "invocations": "count REPORT lines only (not START/END or the function's own log lines)",
         "cold_start_rate": "cold_starts / invocations"}


def check_reports(got, expected, ctx):
    for n, item in enumerate(got):
        want, have = expected_summary(item["log"]), item["summary"]
        for key, value in want.items():
            if key not in have:
                return Verdict(False, f"log {n + 1}: the summary has no {key!r}")
            if not _close(have[key], value):
                return Verdict(False, f"log {n + 1} ({want['invocations']} invocations, {want['cold_starts']} cold): "
                                      f"{key} = {have[key]!r} where {value!r} was expected ({HINTS[key]})")
    return Verdict(True)
