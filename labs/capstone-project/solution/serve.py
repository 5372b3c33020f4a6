"""The deployment: a tiny HTTP API (standard library only) around app.predict, with request counting and
latency logging for monitoring. Run `python serve.py` and POST {"texts": [...]} to /triage."""
from __future__ import annotations

import json
import logging
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from app import predict

log = logging.getLogger("triage")
STATS = {"requests": 0, "errors": 0}


def handle(body: bytes) -> tuple[int, dict]:
    """Validate a request body and answer it; used by the server and by the tests."""
    try:
        data = json.loads(body)
    except ValueError:
        return 400, {"error": "body must be JSON"}
    texts = data.get("texts") if isinstance(data, dict) else None
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts) or len(texts) > 64:
        return 422, {"error": "send {\"texts\": [...]} with at most 64 strings"}
    return 200, {"teams": predict(texts)}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        started = time.perf_counter()
        length = min(int(self.headers.get("content-length") or 0), 65536)
        status, answer = handle(self.rfile.read(length))
        STATS["requests"] += 1
        STATS["errors"] += status != 200
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())
        log.info("status=%s latency_ms=%.1f", status, 1000 * (time.perf_counter() - started))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    HTTPServer(("127.0.0.1", 8080), Handler).serve_forever()
