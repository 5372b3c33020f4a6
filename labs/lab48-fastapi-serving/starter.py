"""Lab 48: serve a language model with FastAPI. Fill in every TODO (see README.md).

The grader calls create_app(model, max_batch_size=..., max_wait_ms=...) with the stand-in model, runs the app
with uvicorn on 127.0.0.1 and sends it HTTP requests. `model` has: encode(text) -> list[int],
decode(ids) -> str, forward(list of id lists) -> np.ndarray (B, V) float32 next-token logits, eos_id (0).
"""
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
    # TODO: prompt: 1..MAX_PROMPT_CHARS characters, all in ALPHABET (a field_validator);
    #       max_new_tokens: an int from 1 to MAX_NEW_TOKENS, default 16.
    prompt: str
    max_new_tokens: int = 16


def greedy_generate(model, prompts: list[list[int]], max_new_tokens: list[int]) -> list[tuple[list[int], str]]:
    """Greedy decoding of all prompts together: ONE model.forward call per step over the unfinished sequences.
    Returns, per prompt, (generated token ids without eos, "eos" or "length")."""
    raise NotImplementedError("TODO: greedy_generate")


def stream_tokens(model, prompt: list[int], max_new_tokens: int):
    """Generator: yield each generated token id right after the forward call that chose it; `return` the
    finish reason ("eos" or "length") so that it arrives as StopIteration.value."""
    raise NotImplementedError("TODO: stream_tokens")


class MicroBatcher:
    """Collects concurrent requests (up to max_batch_size, waiting at most max_wait_ms after the first one)
    and decodes each batch with greedy_generate."""

    def __init__(self, model, max_batch_size: int = 8, max_wait_ms: float = 20.0):
        self.model, self.max_batch_size, self.max_wait_s = model, max_batch_size, max_wait_ms / 1000
        self.queue = None  # an asyncio.Queue, created in the app's lifespan (inside the server's event loop)

    async def submit(self, prompt: list[int], max_new_tokens: int) -> tuple[list[int], str]:
        """Queue one request with a future; await the future's (token ids, finish reason)."""
        raise NotImplementedError("TODO: MicroBatcher.submit")

    async def run(self) -> None:
        """Forever: take a first request, collect more until the batch is full or the wait is over, decode the
        batch (off the event loop: asyncio.to_thread), set each request's future."""
        raise NotImplementedError("TODO: MicroBatcher.run")


def create_app(model, max_batch_size: int = 8, max_wait_ms: float = 20.0) -> FastAPI:
    """TODO: a FastAPI app whose lifespan creates the batcher's queue and starts batcher.run() as a task, with
    POST /generate -> {"text", "token_ids", "finish_reason"} through the batcher, and
    POST /generate/stream -> text/event-stream: one 'data: {"token_id": id, "text": piece}' event per token,
    then 'data: {"finish_reason": ...}', then 'data: [DONE]'."""
    raise NotImplementedError("TODO: create_app")
