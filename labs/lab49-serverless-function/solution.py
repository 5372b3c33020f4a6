"""Lab 49 reference solution: an AWS-Lambda-style handler serving the stand-in LM behind an API Gateway proxy
event, with the model loaded once per container, validation and structured errors, plus the cold/warm start
report summary."""
import base64
import binascii
import json
import math
import os

import numpy as np

import lambda_model

MAX_PROMPT_CHARS, MAX_NEW_TOKENS, DEFAULT_NEW_TOKENS = 200, 64, 16
_MODEL = None  # lives as long as the container: reused by every warm invocation


def get_model():
    """The container's model, loaded on first use (once per container)."""
    global _MODEL
    if _MODEL is None:
        _MODEL = lambda_model.load_model(os.environ.get("MODEL_DIR", "/opt/model"))
    return _MODEL


class RequestError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def _response(status: int, payload: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


def parse_request(event: dict, alphabet: str) -> tuple[str, int]:
    """(prompt, max_new_tokens) from an API Gateway proxy event, or RequestError."""
    if event.get("path") != "/generate":
        raise RequestError(404, "not_found", f"no route {event.get('path')!r}; use POST /generate")
    if event.get("httpMethod") != "POST":
        raise RequestError(405, "method_not_allowed", "use POST")
    raw = event.get("body")
    try:
        if event.get("isBase64Encoded") and raw is not None:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        body = json.loads(raw) if raw is not None else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict):
        raise RequestError(400, "invalid_body", "the body must be a JSON object")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not 1 <= len(prompt) <= MAX_PROMPT_CHARS or set(prompt) - set(alphabet):
        raise RequestError(422, "validation_error", f"prompt must be 1-{MAX_PROMPT_CHARS} characters of "
                                                    f"{alphabet!r}", "prompt")
    count = body.get("max_new_tokens", DEFAULT_NEW_TOKENS)
    if type(count) is not int or not 1 <= count <= MAX_NEW_TOKENS:
        raise RequestError(422, "validation_error", f"max_new_tokens must be an integer from 1 to "
                                                    f"{MAX_NEW_TOKENS}", "max_new_tokens")
    return prompt, count


def generate(model, prompt: str, max_new_tokens: int) -> tuple[list[int], str]:
    seq, out = model.encode(prompt), []
    while len(out) < max_new_tokens:
        token = int(np.argmax(model.forward([seq])[0]))
        if token == model.eos_id:
            return out, "eos"
        seq.append(token)
        out.append(token)
    return out, "length"


def handler(event, context):
    request_id = getattr(context, "aws_request_id", None)
    try:
        model = get_model()
        prompt, max_new_tokens = parse_request(event, model.alphabet)
        tokens, finish = generate(model, prompt, max_new_tokens)
    except RequestError as err:
        return _response(err.status, {"error": {"code": err.code, "message": err.message, "field": err.field},
                                      "request_id": request_id})
    except Exception:  # noqa: BLE001 - never leak internals; the container stays usable
        return _response(500, {"error": {"code": "internal_error", "message": "the model failed; retry",
                                         "field": None}, "request_id": request_id})
    return _response(200, {"text": model.decode(tokens), "token_ids": tokens, "finish_reason": finish,
                            "request_id": request_id})


def parse_report(line: str) -> dict | None:
    """A REPORT line -> {"request_id", "duration_ms", "billed_ms", "memory_mb", "init_ms" (None if warm)}."""
    if not line.startswith("REPORT "):
        return None
    fields = {}
    for part in line[len("REPORT "):].split("\t"):
        if ":" in part:
            key, value = part.split(":", 1)
            fields[key.strip()] = value.strip()
    number = lambda key: float(fields[key].split()[0])  # noqa: E731
    return {"request_id": fields["RequestId"], "duration_ms": number("Duration"),
            "billed_ms": number("Billed Duration"), "memory_mb": number("Memory Size"),
            "init_ms": number("Init Duration") if "Init Duration" in fields else None}


def _nearest_rank(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def summarize_reports(lines: list[str], price_per_gb_second: float, price_per_request: float) -> dict:
    reports = [r for r in map(parse_report, lines) if r is not None]
    cold = [r for r in reports if r["init_ms"] is not None]
    warm = [r for r in reports if r["init_ms"] is None]
    gb_seconds = sum(r["billed_ms"] / 1000 * r["memory_mb"] / 1024 for r in reports)
    return {
        "invocations": len(reports),
        "cold_starts": len(cold),
        "cold_start_rate": len(cold) / len(reports) if reports else 0.0,
        "mean_init_ms": sum(r["init_ms"] for r in cold) / len(cold) if cold else 0.0,
        "p50_cold_ms": _nearest_rank([r["init_ms"] + r["duration_ms"] for r in cold], 50),
        "p50_warm_ms": _nearest_rank([r["duration_ms"] for r in warm], 50),
        "p95_warm_ms": _nearest_rank([r["duration_ms"] for r in warm], 95),
        "gb_seconds": gb_seconds,
        "cost_usd": gb_seconds * price_per_gb_second + len(reports) * price_per_request,
    }
