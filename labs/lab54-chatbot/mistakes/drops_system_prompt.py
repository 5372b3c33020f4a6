"""Common mistake (lab 54): the memory drops the oldest MESSAGES one by one, the system prompt first, so the
bot forgets its persona (and may start its history with an assistant message)."""
# overrides solution.py: only what differs from the reference solution is below


def fit_to_budget(messages, tokenizer, max_tokens):
    kept = [dict(m) for m in messages]

    def fits(kept):
        return count_tokens(tokenizer, render_chat(kept, add_generation_prompt=True)) <= max_tokens

    while len(kept) > 1 and not fits(kept):
        kept = kept[1:]
        if kept[0]["role"] == "assistant":
            kept = kept[1:]
    if fits(kept):
        return kept
    words = kept[-1]["content"].split()
    for keep in range(len(words) - 1, -1, -1):
        candidate = kept[:-1] + [{"role": "user", "content": " ".join(words[len(words) - keep:])}]
        if fits(candidate):
            return candidate
    raise ValueError("does not fit")
