"""Common mistake (lab 49): the handler reads event["body"] as JSON without looking at isBase64Encoded. API
Gateway base64-encodes bodies it treats as binary; those requests get a 400 instead of an answer."""
# overrides solution.py: only what differs from the reference solution is below


def parse_request(event, alphabet):
    if event.get("path") != "/generate":
        raise RequestError(404, "not_found", f"no route {event.get('path')!r}; use POST /generate")
    if event.get("httpMethod") != "POST":
        raise RequestError(405, "method_not_allowed", "use POST")
    try:
        body = json.loads(event["body"]) if event.get("body") is not None else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise RequestError(400, "invalid_body", "the body must be a JSON object")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not 1 <= len(prompt) <= MAX_PROMPT_CHARS or set(prompt) - set(alphabet):
        raise RequestError(422, "validation_error", "prompt must be 1-200 characters of the alphabet", "prompt")
    count = body.get("max_new_tokens", DEFAULT_NEW_TOKENS)
    if type(count) is not int or not 1 <= count <= MAX_NEW_TOKENS:
        raise RequestError(422, "validation_error", "max_new_tokens must be an integer from 1 to 64", "max_new_tokens")
    return prompt, count
