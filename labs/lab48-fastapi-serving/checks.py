"""Lab 48 checks (outside the sandbox): every answer the student's server gave is compared with what the
stand-in model (data/tiny_lm.py, loaded here again) produces under greedy decoding, and every request with
what the validation rules below say about it. Forward-call records come from the harness's wrapper."""
import importlib.util
import json
import sys

from labkit.checks import Verdict

ALPHABET = " abcdefghijklmnopqrstuvwxyz.,'?!"
MAX_PROMPT_CHARS, MAX_NEW_TOKENS, DEFAULT_NEW_TOKENS = 200, 64, 16
BATCHED_SHARE = 0.6   # a batching server needs at most this share of the forward calls of a one-by-one server


def _lm(lab_dir):
    name = "lab48_tiny_lm_checks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / "data" / "tiny_lm.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        module.MODEL = module.TinyLM()
    return sys.modules[name]


def _short(value, limit=80) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "...\""


def expected_fields(body) -> list:
    """The fields a 422 answer must name for this body ([] when the request is valid; ["body"] when the body is
    not a JSON object)."""
    if not isinstance(body, dict):
        return ["body"]
    bad = []
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not 1 <= len(prompt) <= MAX_PROMPT_CHARS or set(prompt) - set(ALPHABET):
        bad.append("prompt")
    if "max_new_tokens" in body:
        count = body["max_new_tokens"]
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_NEW_TOKENS:
            bad.append("max_new_tokens")
    return sorted(bad)


def error_fields(reply) -> list | None:
    """The field names of a FastAPI 422 body {"detail": [{"loc": ["body", field, ...], ...}, ...]}."""
    detail = reply.get("json", {}).get("detail") if isinstance(reply.get("json"), dict) else None
    if not isinstance(detail, list) or not all(isinstance(e, dict) and isinstance(e.get("loc"), list) for e in detail):
        return None
    return sorted({str(e["loc"][1]) if len(e["loc"]) > 1 else str(e["loc"][0]) for e in detail if e["loc"]})


def _why(body, fields) -> str:
    reasons = {"body": "the body is not a JSON object",
               "prompt": f"prompt must be a string of 1-{MAX_PROMPT_CHARS} characters from the model's alphabet",
               "max_new_tokens": f"max_new_tokens must be an integer from 1 to {MAX_NEW_TOKENS}"}
    return "; ".join(reasons[f] for f in fields)


def _no_answer(what, reply) -> str:
    if reply.get("status") is None:
        return f"{what}: {reply.get('error', 'the request got no answer')}"
    return f"{what}: status {reply['status']} ({_short(reply.get('json'))})"


def check_validation(got, expected, ctx):
    if not isinstance(got, list):
        return Verdict(False, "the validation case returned nothing to compare")
    for reply in got:
        body, endpoint = reply["body"], reply["endpoint"]
        want = expected_fields(body)
        what = f"POST {endpoint} {_short(body)}"
        if not want:
            if reply.get("status") != 200:
                return Verdict(False, f"{what} is a valid request but got {_no_answer('the answer', reply)}")
            continue
        if reply.get("status") != 422:
            return Verdict(False, f"{what} got status {reply.get('status')} where 422 was expected ({_why(body, want)})")
        fields = error_fields(reply)
        if fields is None:
            return Verdict(False, f"{what}: the 422 body is not FastAPI's {{'detail': [{{'loc': [...], ...}}]}}")
        if fields != want:
            return Verdict(False, f"{what}: the 422 names {fields} where {want} was expected ({_why(body, want)})")
    return Verdict(True)


def greedy(lab_dir, prompt, max_new_tokens):
    lm = _lm(lab_dir)
    ids, finish = lm.greedy(lm.MODEL, prompt, DEFAULT_NEW_TOKENS if max_new_tokens is None else max_new_tokens)
    return ids, lm.MODEL.decode(ids), finish


def _compare_answer(lab_dir, body, reply) -> str | None:
    what = f"prompt {_short(body['prompt'])} (max_new_tokens {body.get('max_new_tokens', 'not given')})"
    if reply.get("status") != 200:
        return _no_answer(what, reply)
    answer = reply.get("json")
    if not isinstance(answer, dict) or not {"text", "token_ids", "finish_reason"} <= set(answer):
        return f"{what}: the answer must be a JSON object with text, token_ids and finish_reason, got {_short(answer)}"
    ids, text, finish = greedy(lab_dir, body["prompt"], body.get("max_new_tokens"))
    if answer["token_ids"] != ids:
        if isinstance(answer["token_ids"], list) and len(answer["token_ids"]) > len(ids) and finish == "eos":
            return (f"{what}: {len(answer['token_ids'])} tokens where greedy decoding stops after {len(ids)}: "
                    f"the model emitted end-of-sequence (id 0) there")
        return f"{what}: token_ids {_short(answer['token_ids'])} where greedy decoding gives {_short(ids)}"
    if answer["text"] != text:
        return f"{what}: text {_short(answer['text'])} where the decoded tokens are {_short(text)}"
    if answer["finish_reason"] != finish:
        return f"{what}: finish_reason {answer['finish_reason']!r} where {finish!r} was expected"
    return None


def check_generate(got, expected, ctx):
    for reply in got["results"]:
        problem = _compare_answer(ctx.lab_dir, reply["body"], reply)
        if problem:
            return Verdict(False, problem)
    return Verdict(True)


def check_streaming(got, expected, ctx):
    for reply in got:
        body = reply["body"]
        what = f"stream for {_short(body['prompt'])} (max_new_tokens {body['max_new_tokens']})"
        if reply.get("status") != 200:
            return Verdict(False, _no_answer(what, reply))
        if not reply["content_type"].startswith("text/event-stream"):
            return Verdict(False, f"{what}: content-type {reply['content_type']!r}, expected text/event-stream")
        events = reply["events"]
        tokens = [e for e in events if isinstance(e, dict) and "token_id" in e]
        ids, text, finish = greedy(ctx.lab_dir, body["prompt"], body["max_new_tokens"])
        got_ids = [e["token_id"] for e in tokens]
        if got_ids != ids:
            return Verdict(False, f"{what}: streamed token ids {_short(got_ids)} where greedy decoding gives "
                                  f"{_short(ids)}")
        got_text = "".join(str(e.get("text", "")) for e in tokens)
        if got_text != text:
            return Verdict(False, f"{what}: the streamed texts join to {_short(got_text)}, expected {_short(text)}")
        finishes = [e["finish_reason"] for e in events if isinstance(e, dict) and "finish_reason" in e]
        if finishes != [finish]:
            return Verdict(False, f"{what}: expected one event {{'finish_reason': {finish!r}}} after the tokens, "
                                  f"got {finishes}")
        if not events or events[-1] != "[DONE]":
            return Verdict(False, f"{what}: the stream must end with the event 'data: [DONE]'")
        if not reply["incremental"]:
            return Verdict(False, f"{what}: the first token reached the client only after the whole answer was "
                                  f"generated; each token must be sent as soon as it is chosen")
    return Verdict(True)


def check_batching(got, expected, ctx):
    results, sizes, limit = got["results"], got["batch_sizes"], got["max_batch_size"]
    for reply in results:
        problem = _compare_answer(ctx.lab_dir, reply["body"], reply)
        if problem:
            return Verdict(False, f"under {len(results)} concurrent requests, {problem}")
    one_by_one = 0
    for reply in results:
        ids, _, finish = greedy(ctx.lab_dir, reply["body"]["prompt"], reply["body"]["max_new_tokens"])
        one_by_one += len(ids) + (finish == "eos")
    if sizes and max(sizes) > limit:
        return Verdict(False, f"a forward call got {max(sizes)} sequences; max_batch_size is {limit}")
    if not sizes or max(sizes) < 2:
        return Verdict(False, f"{len(results)} concurrent requests were decoded one at a time "
                              f"({len(sizes)} forward calls, none with more than one sequence)")
    if len(sizes) > BATCHED_SHARE * one_by_one:  # (reference: about a third)
        return Verdict(False, f"{len(results)} concurrent requests took {len(sizes)} forward calls; one by one they "
                              f"take {one_by_one}, batched at most {int(BATCHED_SHARE * one_by_one)} "
                              f"(batch sizes seen: {sorted(set(sizes))})")
    return Verdict(True)
