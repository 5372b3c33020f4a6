"""Common mistake (lab 54): a message that is too long keeps its FIRST words; the question at its end is cut
off, and the bot answers the rambling part."""
# overrides solution.py: only what differs from the reference solution is below


def fit_to_budget(messages, tokenizer, max_tokens):
    system = [dict(messages[0])] if messages and messages[0]["role"] == "system" else []
    turns = [dict(m) for m in messages[len(system):]]

    def fits(kept):
        return count_tokens(tokenizer, render_chat(system + kept, add_generation_prompt=True)) <= max_tokens

    while len(turns) > 1 and not fits(turns):
        turns = turns[2:]
    if fits(turns):
        return system + turns
    words = turns[-1]["content"].split()
    for keep in range(len(words) - 1, -1, -1):
        candidate = turns[:-1] + [{"role": "user", "content": " ".join(words[:keep])}]
        if fits(candidate):
            return system + candidate
    raise ValueError("the system prompt alone does not fit")
