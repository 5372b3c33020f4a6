"""Lab 49: an LLM behind a serverless function (AWS Lambda style). Fill in every TODO (see README.md).

The invoker imports this file once per container (Init), then calls handler(event, context) for each request
(an API Gateway proxy event). `lambda_model` is the stand-in model package (data/lambda_model.py): copy it next
to this file to run locally. MODEL_DIR (an environment variable) says where the model is stored.
"""
import base64
import binascii
import json
import math
import os

import numpy as np

import lambda_model

MAX_PROMPT_CHARS, MAX_NEW_TOKENS, DEFAULT_NEW_TOKENS = 200, 64, 16
_MODEL = None  # TODO: the container's model, loaded once and reused by warm invocations


def get_model():
    """TODO: return the container's model, loading it with lambda_model.load_model(os.environ["MODEL_DIR"])
    only the first time (eagerly at import time is fine too)."""
    raise NotImplementedError("TODO: get_model")


class RequestError(Exception):
    """A client error: the handler turns it into {"error": {"code", "message", "field"}, "request_id"}."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def parse_request(event: dict, alphabet: str) -> tuple[str, int]:
    """TODO: (prompt, max_new_tokens) from the event, or raise RequestError: 404 not_found (path is not
    /generate), 405 method_not_allowed (not POST), 400 invalid_body (missing, bad base64, not JSON, not an
    object), 422 validation_error with field "prompt" or "max_new_tokens" (the first invalid one, in that order)."""
    raise NotImplementedError("TODO: parse_request")


def generate(model, prompt: str, max_new_tokens: int) -> tuple[list[int], str]:
    """TODO: greedy decoding: (generated ids without eos, "eos" or "length")."""
    raise NotImplementedError("TODO: generate")


def handler(event, context):
    """TODO: {"statusCode": int, "headers": {"Content-Type": "application/json"}, "body": json.dumps(...)}:
    200 {"text", "token_ids", "finish_reason", "request_id"}; a RequestError as its status; any other exception
    500 internal_error, without its message; request_id is context.aws_request_id."""
    raise NotImplementedError("TODO: handler")


def parse_report(line: str) -> dict | None:
    """TODO: a "REPORT RequestId: ...\\tDuration: 12.34 ms\\t..." line -> {"request_id", "duration_ms",
    "billed_ms", "memory_mb", "init_ms" (None when the line has no Init Duration)}; None for any other line."""
    raise NotImplementedError("TODO: parse_report")


def summarize_reports(lines: list[str], price_per_gb_second: float, price_per_request: float) -> dict:
    """TODO: {"invocations", "cold_starts", "cold_start_rate", "mean_init_ms", "p50_cold_ms", "p50_warm_ms",
    "p95_warm_ms", "gb_seconds", "cost_usd"} (see README.md)."""
    raise NotImplementedError("TODO: summarize_reports")
