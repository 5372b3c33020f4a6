"""Common mistake (lab 31): every token is a label, so the model is also trained to write the prompt."""
# overrides solution.py: only what differs from the reference solution is below


def tokenize_chat(messages: list[dict[str, str]], vocab: dict[str, int]) -> tuple[list[int], list[int]]:
    ids = [vocab[word] for word in render_chat(messages).split()]
    return ids, list(ids)  # labels = input_ids: nothing is masked to -100
