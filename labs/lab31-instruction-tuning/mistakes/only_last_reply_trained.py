"""Common mistake (lab 31): only the final assistant reply is a target; earlier replies are masked."""
# overrides solution.py: only what differs from the reference solution is below


def tokenize_chat(messages: list[dict[str, str]], vocab: dict[str, int]) -> tuple[list[int], list[int]]:
    ids: list[int] = []
    labels: list[int] = []
    for position, message in enumerate(messages):
        header = [vocab[_header(message["role"])]]
        body = [vocab[word] for word in message["content"].split()] + [vocab[END]]
        ids += header + body
        trained = position == len(messages) - 1 and message["role"] == "assistant"
        labels += [IGNORE_INDEX] + (body if trained else [IGNORE_INDEX] * len(body))
    return ids, labels
