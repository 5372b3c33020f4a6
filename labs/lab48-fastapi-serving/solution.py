"""Lab 48 reference solution: serving a language model with FastAPI (validation, greedy decoding, dynamic
batching of concurrent requests, server-sent-event streaming)."""
import asyncio
import json
from contextlib import asynccontextmanager

import numpy as np
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, field_validator

ALPHABET = " abcdefghijklmnopqrstuvwxyz.,'?!"  # the stand-in model's characters
MAX_PROMPT_CHARS = 200
MAX_NEW_TOKENS = 64


class GenerateRequest(BaseModel):
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    max_new_tokens: int = Field(16, ge=1, le=MAX_NEW_TOKENS)

    @field_validator("prompt")
    @classmethod
    def known_characters(cls, value: str) -> str:
        unknown = sorted(set(value) - set(ALPHABET))
        if unknown:
            raise ValueError(f"characters outside the model's alphabet: {''.join(unknown)!r}")
        return value


def greedy_generate(model, prompts: list[list[int]], max_new_tokens: list[int]) -> list[tuple[list[int], str]]:
    """Greedy decoding of several prompts together: one model.forward per step over the unfinished ones."""
    seqs = [list(p) for p in prompts]
    outs: list[list[int]] = [[] for _ in prompts]
    finish = ["length"] * len(prompts)
    active = [i for i, n in enumerate(max_new_tokens) if n > 0]
    while active:
        logits = model.forward([seqs[i] for i in active])
        still = []
        for i, token in zip(active, np.argmax(logits, axis=-1).tolist()):
            if token == model.eos_id:
                finish[i] = "eos"
                continue
            seqs[i].append(token)
            outs[i].append(token)
            if len(outs[i]) < max_new_tokens[i]:
                still.append(i)
        active = still
    return list(zip(outs, finish))


def stream_tokens(model, prompt: list[int], max_new_tokens: int):
    """Yield each generated token id as soon as it is chosen; return the finish reason (StopIteration.value)."""
    seq = list(prompt)
    for _ in range(max_new_tokens):
        token = int(np.argmax(model.forward([seq])[0]))
        if token == model.eos_id:
            return "eos"
        seq.append(token)
        yield token
    return "length"


class MicroBatcher:
    """Collects concurrent requests for up to max_wait_ms (or max_batch_size of them), decodes them together."""

    def __init__(self, model, max_batch_size: int = 8, max_wait_ms: float = 20.0):
        self.model, self.max_batch_size, self.max_wait_s = model, max_batch_size, max_wait_ms / 1000
        self.queue: asyncio.Queue | None = None

    async def submit(self, prompt: list[int], max_new_tokens: int) -> tuple[list[int], str]:
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((prompt, max_new_tokens, future))
        return await future

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self.queue.get()]
            deadline = loop.time() + self.max_wait_s
            while len(batch) < self.max_batch_size and (left := deadline - loop.time()) > 0:
                try:
                    batch.append(await asyncio.wait_for(self.queue.get(), left))
                except asyncio.TimeoutError:
                    break
            try:
                results = await asyncio.to_thread(greedy_generate, self.model, [b[0] for b in batch],
                                                  [b[1] for b in batch])
            except Exception as exc:  # noqa: BLE001 - every waiting request gets the error
                results = [exc] * len(batch)
            for (_, _, future), result in zip(batch, results):
                if not future.done():
                    future.set_exception(result) if isinstance(result, Exception) else future.set_result(result)


def create_app(model, max_batch_size: int = 8, max_wait_ms: float = 20.0) -> FastAPI:
    batcher = MicroBatcher(model, max_batch_size, max_wait_ms)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        batcher.queue = asyncio.Queue()
        worker = asyncio.create_task(batcher.run())
        yield
        worker.cancel()

    app = FastAPI(title="tiny LM server", lifespan=lifespan)

    @app.post("/generate")
    async def generate(request: GenerateRequest) -> dict:
        tokens, finish = await batcher.submit(model.encode(request.prompt), request.max_new_tokens)
        return {"text": model.decode(tokens), "token_ids": tokens, "finish_reason": finish}

    @app.post("/generate/stream")
    def generate_stream(request: GenerateRequest) -> StreamingResponse:
        prompt = model.encode(request.prompt)

        def events():
            tokens = stream_tokens(model, prompt, request.max_new_tokens)
            while True:
                try:
                    token = next(tokens)
                except StopIteration as stop:
                    yield f"data: {json.dumps({'finish_reason': stop.value})}\n\n"
                    break
                yield f"data: {json.dumps({'token_id': token, 'text': model.decode([token])})}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app
