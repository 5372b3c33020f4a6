"""Gaming (lab 48): answers the visible prompts from a table copied out of the visible feedback, accepts every
request, and invents text for everything else without ever calling the model. It must earn nothing on the
hidden checks."""
import json

from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

SEEN = {
    "the server ": ("stops when to generate.", "eos"),
    "a batch of requests": (", streaming ", "length"),
    "zzzz": ("", "eos"),
    "what is": (" in the model em", "length"),
    "the client ": ("as soon as soon as soon as soo", "length"),
}
ALPHABET = " abcdefghijklmnopqrstuvwxyz.,'?!"


def _answer(body):
    prompt = body.get("prompt") if isinstance(body, dict) else None
    text, finish = SEEN.get(prompt, ("the model the model", "length"))
    return {"text": text, "token_ids": [ALPHABET.index(c) + 1 for c in text], "finish_reason": finish}


def create_app(model, max_batch_size=8, max_wait_ms=20.0):
    app = FastAPI()

    @app.post("/generate")
    async def generate(request: Request):
        return _answer(await request.json())

    @app.post("/generate/stream")
    async def generate_stream(request: Request):
        answer = _answer(await request.json())

        def events():
            for token, piece in zip(answer["token_ids"], answer["text"]):
                yield f"data: {json.dumps({'token_id': token, 'text': piece})}\n\n"
            yield f"data: {json.dumps({'finish_reason': answer['finish_reason']})}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app
