"""Common mistake (lab 54): the template ignores add_generation_prompt, so the prompt never ends with
<|assistant|>; the model, not told whose turn it is, starts a new turn of its own."""
# overrides solution.py: only what differs from the reference solution is below

_checked_render = render_chat


def render_chat(messages, add_generation_prompt=False):
    return _checked_render(messages, add_generation_prompt=False)
