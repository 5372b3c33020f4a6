"""Common mistake (lab 31): the <|end|> that closes each reply is masked, so the model never learns to stop."""
# overrides solution.py: only what differs from the reference solution is below


def tokenize_chat(messages: list[dict[str, str]], vocab: dict[str, int]) -> tuple[list[int], list[int]]:
    ids: list[int] = []
    labels: list[int] = []
    for message in messages:
        content = [vocab[word] for word in message["content"].split()]
        ids += [vocab[_header(message["role"])]] + content + [vocab[END]]
        trained = message["role"] == "assistant"
        labels += [IGNORE_INDEX] + (content if trained else [IGNORE_INDEX] * len(content)) + [IGNORE_INDEX]
    return ids, labels
