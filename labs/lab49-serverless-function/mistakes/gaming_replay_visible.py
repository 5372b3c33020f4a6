"""Gaming (lab 49): never loads the model; answers every POST from a table of the visible answers (anything else
gets an invented text), and returns a made-up summary. It must earn nothing on the hidden checks."""
import json

SEEN = {"the function ": "loads the model predicts", "q": "uest once.", "a cold start": " cost? the m"}
ALPHABET = " abcdefghijklmnopqrstuvwxyz.,'?!"


def handler(event, context):
    try:
        body = json.loads(event.get("body") or "{}")
    except ValueError:
        body = {}
    text = SEEN.get(body.get("prompt") if isinstance(body, dict) else None, "the model predicts")
    payload = {"text": text, "token_ids": [ALPHABET.index(c) + 1 for c in text], "finish_reason": "length",
               "request_id": context.aws_request_id}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


def summarize_reports(lines, price_per_gb_second, price_per_request):
    return {"invocations": 7, "cold_starts": 2, "cold_start_rate": 2 / 7, "mean_init_ms": 1000.0,
            "p50_cold_ms": 1200.0, "p50_warm_ms": 20.0, "p95_warm_ms": 38.0, "gb_seconds": 1.0, "cost_usd": 0.0001}
