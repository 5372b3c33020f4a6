"""Gaming (lab 54): answers the visible inputs it recognises with what the visible checks showed, and makes up
everything else (contents glued together, the last message as the memory, canned replies). It must earn no
more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below

_copied_render, _copied_reply = render_chat, generate_reply   # stand in for the copied visible feedback
VISIBLE_CONTENTS = {"what is the capital of france ?", "what is my name ?", "hello !", "thank you .",
                    "you are a pirate assistant ."}


def _is_visible(messages):
    return bool(messages) and {m.get("content") for m in messages} <= VISIBLE_CONTENTS | {
        "you are a helpful assistant .", "my name is anna .", "arr , nice to meet you , anna .",
        "hello ! how can i help you ?"}


def render_chat(messages, add_generation_prompt=False):
    if _is_visible(messages):
        return _copied_render(messages, add_generation_prompt)
    return " ".join(m.get("content", "") for m in messages)


def fit_to_budget(messages, tokenizer, max_tokens):
    if (max_tokens, len(messages)) == (36, 6):                    # the visible answers, copied
        return [dict(m) for m in messages[:1] + messages[3:]]
    if (max_tokens, len(messages)) == (18, 4):
        return [dict(messages[0]), {"role": "user", "content": " ".join(messages[-1]["content"].split()[-7:])}]
    return [dict(messages[-1])]


def generate_reply(model, tokenizer, messages, max_new_tokens=16):
    if _is_visible(messages):
        return _copied_reply(model, tokenizer, messages, max_new_tokens)
    return "i do not know ."


class Chatbot(Chatbot):
    def send(self, text):
        self.history += [{"role": "user", "content": text}, {"role": "assistant", "content": "you are welcome ."}]
        self.last_prompt = text
        return "you are welcome ."
