"""Lab 48 harness (runs inside the sandbox): builds the student's app around the stand-in model
(data/tiny_lm.py), serves it with uvicorn on the sandbox's own loopback (127.0.0.1, a free port; the sandbox
has its own network namespace, so nothing outside can reach it) and drives it with an httpx client:
invalid and valid requests, sequential /generate calls, server-sent-event streams, and a burst of concurrent
requests. The model is wrapped so that every forward call and its batch size are recorded by the harness.
What a correct answer is (greedy decoding, the validation rules) is decided outside, in checks.py."""
import asyncio
import importlib.util
import json
import random
import socket
import sys
import threading
import time
from contextlib import contextmanager

import httpx
import uvicorn

from labkit.harness import case

LATENCY_S = 0.003          # one simulated accelerator pass
MAX_WAIT_MS = 30.0         # what the harness asks the batcher to wait for more requests
BURST_WAIT_MS = 100.0      # the same for the concurrent burst: generous, so a busy machine still batches
START_TIMEOUT_S = 15.0
STREAM_HOLD_S = 1.5        # how long a forward call waits for the client to have seen an earlier token
REQUEST_TIMEOUT_S = 5.0    # a request that gets no answer by then stops the case (a valid one needs < 0.3 s)
BURST_TIMEOUT_S = 10.0
WORDS = ("the server model request prompt token tokens answer batch requests stream client latency greedy "
         "decoding forward pass score text error crash one many eight ready soon sends keeps puts waits "
         "serve loads reads predicts clear next new job").split()
MAX_EVENTS = 300


def _lm(ctx):
    name = "lab48_tiny_lm"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ctx.data_dir / "tiny_lm.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


class RecordedModel:
    """What create_app receives: the stand-in model's interface; the harness keeps the forward-call record."""

    def __init__(self, model, record: list, gate=None):
        self.alphabet, self.eos_id, self.vocab, self.vocab_size = model.alphabet, model.eos_id, model.vocab, \
            model.vocab_size
        self.encode, self.decode = model.encode, model.decode
        inner = model.forward

        def forward(batch):
            record.append(len(batch) if isinstance(batch, (list, tuple)) else -1)
            if gate is not None:
                gate(len(record))
            return inner(batch)

        self.forward = forward


@contextmanager
def serving(student, model, **options):
    """Start the student's app on 127.0.0.1 (a free port) in a thread; yield its base URL; stop it."""
    if not callable(getattr(student, "create_app", None)):
        raise AttributeError("server.py must define create_app(model, max_batch_size, max_wait_ms)")
    app = student.create_app(model, **options)
    if not callable(app):
        raise TypeError(f"create_app must return the FastAPI app, got {type(app).__name__}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted connections: no Nagle wait
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", access_log=False, lifespan="on",
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the app did not start: its startup (the lifespan before `yield`) raised or hung")
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True  # uvicorn closes the socket; its shutdown (~0.2 s) finishes in the background


def _reply(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = response.text[:500]
    return {"status": response.status_code, "json": body}


def _no_answer(url: str, seconds: float) -> RuntimeError:
    return RuntimeError(f"POST /{url.split('/', 3)[-1]} got no answer within {seconds:g} s: is the batcher's "
                        f"background task started in the lifespan, and does it set every request's future?")


def _post(client: httpx.Client, url: str, body) -> dict:
    try:
        if url.endswith("/stream"):
            with client.stream("POST", url, json=body) as response:
                if response.status_code == 200:
                    events = _read_events(response)
                    return {"status": 200, "json": None, "events": len(events)}
                response.read()
                return _reply(response)
        return _reply(client.post(url, json=body))
    except httpx.TimeoutException:
        raise _no_answer(url, REQUEST_TIMEOUT_S) from None
    except httpx.HTTPError as exc:
        return {"status": None, "json": None, "error": f"{type(exc).__name__}: the request got no answer ({exc})"}


def _read_events(response, on_token=None) -> list:
    events = []
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        try:
            event = json.loads(data) if data != "[DONE]" else data
        except ValueError:
            event = {"unparsed": data[:200]}
        events.append(event)
        if on_token is not None and isinstance(event, dict) and "token_id" in event:
            on_token()
        if len(events) >= MAX_EVENTS:
            break
    return events


def random_prompt(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.2:
        words.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 4))))
    return " ".join(words) + (" " if rng.random() < 0.5 else "")


# ---------------------------------------------------------------- validation
VISIBLE_BODIES = [
    ("/generate", {"prompt": "the server ", "max_new_tokens": 5}),
    ("/generate", {"max_new_tokens": 5}),
    ("/generate", {"prompt": "", "max_new_tokens": 5}),
    ("/generate", {"prompt": "Hello, World", "max_new_tokens": 5}),
    ("/generate", {"prompt": "the model", "max_new_tokens": 0}),
    ("/generate", {"prompt": "the model", "max_new_tokens": 65}),
    ("/generate", {"prompt": "the model", "max_new_tokens": "ten"}),
    ("/generate", {"prompt": 42}),
    ("/generate", ["the model"]),
    ("/generate", {"prompt": "a" * 201, "max_new_tokens": 3}),
    ("/generate/stream", {"prompt": "the model", "max_new_tokens": 100}),
    ("/generate/stream", {"prompt": "stream the tokens", "max_new_tokens": 4}),
]
BAD_PROMPTS = [lambda r: None, lambda r: "", lambda r: r.randint(0, 99), lambda r: [random_prompt(r)],
               lambda r: "x" * r.randint(201, 260),
               lambda r: random_prompt(r) + r.choice("ABCQZ0123456789\t\n#@%éü;:-") + random_prompt(r)]
BAD_COUNTS = [lambda r: 0, lambda r: -r.randint(1, 9), lambda r: r.randint(65, 500), lambda r: None,
              lambda r: r.choice(["ten", "many", "all"]), lambda r: r.choice([2.5, 7.25, 0.5])]
MISSING = object()


def hidden_bodies(rng: random.Random) -> list:
    """Every kind of invalid field at least once, two bodies with both fields wrong, and valid edge cases."""
    bodies = []
    for bad in BAD_PROMPTS:
        bodies.append({"prompt": bad(rng), "max_new_tokens": rng.randint(1, 6)})
    bodies.append({"max_new_tokens": rng.randint(1, 6)})                       # prompt missing
    for bad in BAD_COUNTS:
        bodies.append({"prompt": random_prompt(rng), "max_new_tokens": bad(rng)})
    for _ in range(2):
        bodies.append({"prompt": rng.choice(BAD_PROMPTS)(rng), "max_new_tokens": rng.choice(BAD_COUNTS)(rng)})
    bodies.append(rng.choice([[random_prompt(rng)], random_prompt(rng), rng.randint(1, 9)]))  # not an object
    bodies.append({"prompt": ("the model " * 20)[:200], "max_new_tokens": 1})          # valid: longest prompt
    bodies.append({"prompt": rng.choice("abcdefghijklmnopqrstuvwxyz"), "max_new_tokens": 64})  # valid: most tokens
    bodies.append({"prompt": random_prompt(rng)})                                  # valid: default count
    rng.shuffle(bodies)
    return [("/generate/stream" if rng.random() < 0.25 else "/generate", body) for body in bodies]


@case
def validation(student, ctx):
    lm = _lm(ctx)
    requests = VISIBLE_BODIES if ctx.visible else hidden_bodies(random.Random(f"{ctx.seed}:validation"))
    if ctx.visible:
        ctx.show(requests=[{"endpoint": e, "body": b} for e, b in requests])
    model = RecordedModel(lm.TinyLM(LATENCY_S), [])
    results = []
    with serving(student, model, max_batch_size=8, max_wait_ms=MAX_WAIT_MS) as base, \
            httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        for endpoint, body in requests:
            results.append({"endpoint": endpoint, "body": body, **_post(client, base + endpoint, body)})
    return results


# ---------------------------------------------------------------- /generate
VISIBLE_GENERATE = [{"prompt": "the server ", "max_new_tokens": 24}, {"prompt": "a batch of requests",
                    "max_new_tokens": 12}, {"prompt": "zzzz"}, {"prompt": "what is"}]


@case
def generate(student, ctx):
    lm = _lm(ctx)
    if ctx.visible:
        bodies = VISIBLE_GENERATE
        ctx.show(requests=bodies)
    else:
        rng = random.Random(f"{ctx.seed}:generate")
        bodies = [{"prompt": random_prompt(rng), **({"max_new_tokens": rng.randint(1, 48)} if i % 3 else {})}
                  for i in range(6)]
    record: list = []
    results = []
    with serving(student, RecordedModel(lm.TinyLM(LATENCY_S), record), max_batch_size=8,
                 max_wait_ms=MAX_WAIT_MS) as base, httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        for body in bodies:
            results.append({"body": body, **_post(client, base + "/generate", body)})
    return {"results": results, "forward_calls": len(record)}


# ---------------------------------------------------------------- streaming
class StreamGate:
    """Holds forward call j of a stream until the client has received token j-2: a server that streams lets
    it through at once; one that buffers the whole answer first is held STREAM_HOLD_S once, then let go."""

    def __init__(self):
        self.received = self.start = 0
        self.held_back = False
        self.cond = threading.Condition()

    def reset(self, start: int):
        """A new stream begins; the model has made `start` forward calls so far."""
        with self.cond:
            self.received, self.start = 0, start

    def token_seen(self):
        with self.cond:
            self.received += 1
            self.cond.notify_all()

    def __call__(self, calls_so_far):
        call_index = calls_so_far - self.start
        if call_index < 3 or self.held_back:
            return
        with self.cond:
            if not self.cond.wait_for(lambda: self.received >= call_index - 2, timeout=STREAM_HOLD_S):
                self.held_back = True


def stream_prompts(lm, rng: random.Random, count: int) -> list:
    """Prompts whose greedy continuation is at least 12 tokens long, so streaming is observable."""
    model, bodies = lm.TinyLM(), []
    while len(bodies) < count:
        body = {"prompt": random_prompt(rng), "max_new_tokens": rng.randint(16, 40)}
        if len(lm.greedy(model, body["prompt"], body["max_new_tokens"])[0]) >= 12:
            bodies.append(body)
    return bodies


@case
def streaming(student, ctx):
    lm = _lm(ctx)
    if ctx.visible:
        bodies = [{"prompt": "the client ", "max_new_tokens": 30}]
        ctx.show(requests=bodies)
    else:
        bodies = stream_prompts(lm, random.Random(f"{ctx.seed}:streaming"), 2)
    results, gate, record = [], StreamGate(), []
    with serving(student, RecordedModel(lm.TinyLM(LATENCY_S), record, gate), max_batch_size=8,
                 max_wait_ms=MAX_WAIT_MS) as base, httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        for body in bodies:
            gate.reset(len(record))
            try:
                with client.stream("POST", base + "/generate/stream", json=body) as response:
                    if response.status_code != 200:
                        response.read()
                        results.append({"body": body, **_reply(response)})
                        continue
                    events = _read_events(response, gate.token_seen)
                    results.append({"body": body, "status": 200,
                                    "content_type": response.headers.get("content-type", ""),
                                    "events": events, "forward_calls": len(record) - gate.start,
                                    "incremental": not gate.held_back})
            except httpx.TimeoutException:
                raise _no_answer(base + "/generate/stream", REQUEST_TIMEOUT_S) from None
            except httpx.HTTPError as exc:
                results.append({"body": body, "status": None, "error": f"{type(exc).__name__}: {exc}"})
    return results


# ---------------------------------------------------------------- batching
async def _burst(base: str, bodies: list) -> list:
    async with httpx.AsyncClient(timeout=BURST_TIMEOUT_S, limits=httpx.Limits(max_connections=64)) as client:
        async def one(body):
            try:
                return _reply(await client.post(base + "/generate", json=body))
            except httpx.TimeoutException:
                raise _no_answer(base + "/generate", BURST_TIMEOUT_S) from None
            except httpx.HTTPError as exc:
                return {"status": None, "json": None, "error": f"{type(exc).__name__}: the request got no answer"}

        return await asyncio.gather(*(one(body) for body in bodies))


@case
def batching(student, ctx):
    lm = _lm(ctx)
    rng = random.Random(f"{ctx.seed}:batching")
    if ctx.visible:
        max_batch_size, count = 8, 6
    else:
        max_batch_size, count = rng.choice([4, 6]), rng.randint(8, 12)
    bodies = [{"prompt": random_prompt(rng), "max_new_tokens": rng.randint(12, 32)} for _ in range(count)]
    if ctx.visible:
        ctx.show(requests=bodies, max_batch_size=max_batch_size)
    record: list = []
    with serving(student, RecordedModel(lm.TinyLM(LATENCY_S), record), max_batch_size=max_batch_size,
                 max_wait_ms=BURST_WAIT_MS) as base:
        replies = asyncio.run(_burst(base, bodies))
    return {"max_batch_size": max_batch_size, "results": [{"body": b, **r} for b, r in zip(bodies, replies)],
            "batch_sizes": list(record)}
