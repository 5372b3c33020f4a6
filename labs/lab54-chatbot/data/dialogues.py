"""Lab 54's toy conversations (shared by build_artifacts.py and the harness).

A user introduces themself, states a favourite colour, asks for capitals, colours of things, their own name
or colour (answerable only if it is still in the model's context), says hello or thanks. With the system
prompt "you are a pirate assistant ." every reply starts with "arr ,". Lower case, words and punctuation
separated by single spaces.
"""
from __future__ import annotations

import random

NAMES = "anna bob carla dan eva felix gina hugo iris jack".split()
CAPITALS = {"france": "paris", "spain": "madrid", "italy": "rome", "japan": "tokyo", "egypt": "cairo",
            "peru": "lima", "kenya": "nairobi", "norway": "oslo"}
THINGS = {"sky": "blue", "grass": "green", "snow": "white", "sun": "yellow", "coal": "black", "blood": "red"}
COLOURS = "red blue green yellow purple orange".split()
SYSTEM_PROMPTS = ["you are a helpful assistant .", "you are a pirate assistant ."]
FILLER = "please tell me something about the weather today and tomorrow in my town".split()


def _turn(r: random.Random, state: dict) -> tuple[str, str]:
    kind = r.choice(["name", "colour", "capital", "capital", "thing", "ask_name", "ask_colour", "hello",
                     "thanks"])
    if kind == "name":
        state["name"] = r.choice(NAMES)
        return f"my name is {state['name']} .", f"nice to meet you , {state['name']} ."
    if kind == "colour":
        state["colour"] = r.choice(COLOURS)
        return f"my favourite colour is {state['colour']} .", f"{state['colour']} is a nice colour ."
    if kind == "capital":
        country = r.choice(list(CAPITALS))
        return f"what is the capital of {country} ?", f"the capital of {country} is {CAPITALS[country]} ."
    if kind == "thing":
        thing = r.choice(list(THINGS))
        return f"what colour is the {thing} ?", f"the {thing} is {THINGS[thing]} ."
    if kind == "ask_name":
        return "what is my name ?", (f"your name is {state['name']} ." if "name" in state
                                     else "i do not know your name .")
    if kind == "ask_colour":
        return "what is my favourite colour ?", (f"your favourite colour is {state['colour']} ."
                                                 if "colour" in state else "i do not know your favourite colour .")
    if kind == "hello":
        return "hello !", "hello ! how can i help you ?"
    return "thank you .", "you are welcome ."


def conversation(r: random.Random, turns: int | None = None, system: str | None = None) -> list[dict]:
    """A list of {"role", "content"} messages: a system prompt, then user/assistant turns."""
    system = system if system is not None else r.choice(SYSTEM_PROMPTS)
    messages = [{"role": "system", "content": system}]
    state: dict = {}
    for _ in range(r.randint(1, 4) if turns is None else turns):
        user, reply = _turn(r, state)
        if "pirate" in system:
            reply = "arr , " + reply
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    return messages


def user_messages(r: random.Random, count: int) -> list[str]:
    """What a user types in a live chat (the bot's own replies come from the model)."""
    state: dict = {}
    return [_turn(r, state)[0] for _ in range(count)]


def long_message(r: random.Random, n_words: int) -> str:
    """A rambling user message that ends with a real question."""
    words = [r.choice(FILLER) for _ in range(n_words)]
    return " ".join(words) + " . " + _turn(r, {})[0]


def vocabulary() -> list[str]:
    words = set("my name is nice to meet you , . ? ! favourite colour a what the capital of i do not know your "
                "hello how can help thank welcome are arr helpful pirate assistant".split())
    words |= set(NAMES) | set(CAPITALS) | set(CAPITALS.values()) | set(THINGS) | set(THINGS.values())
    words |= set(COLOURS) | set(FILLER)
    return sorted(words)


# ---------------------------------------------------------------- the graded inputs (harness and checks)

VISIBLE_CONVERSATIONS = [
    ([{"role": "system", "content": "you are a helpful assistant ."},
      {"role": "user", "content": "what is the capital of france ?"}], True),
    ([{"role": "system", "content": "you are a pirate assistant ."},
      {"role": "user", "content": "my name is anna ."},
      {"role": "assistant", "content": "arr , nice to meet you , anna ."},
      {"role": "user", "content": "what is my name ?"}], True),
    ([{"role": "user", "content": "hello !"}, {"role": "assistant", "content": "hello ! how can i help you ?"}],
     False),
]
VISIBLE_INVALID = [
    [{"role": "user", "content": "hello !"}, {"role": "user", "content": "thank you ."}],
    [{"role": "user", "content": "hello !"}, {"role": "system", "content": "you are a pirate assistant ."}],
]


def template_inputs(ctx):
    """(conversation, add_generation_prompt) pairs: valid ones, then invalid ones."""
    if ctx.visible:
        return list(VISIBLE_CONVERSATIONS), list(VISIBLE_INVALID)
    r = random.Random(f"template:{ctx.seed}")
    valid = []
    for i in range(4):
        messages = conversation(r, turns=r.randint(1, 3))
        if r.random() < 0.5:
            messages = messages[:-1]                       # ends with the user: the usual prompt
        if i == 3:
            messages = messages[1:]                        # no system prompt
        valid.append((messages, r.random() < 0.7))
    user = {"role": "user", "content": "hello !"}
    assistant = {"role": "assistant", "content": "you are welcome ."}
    system = {"role": "system", "content": r.choice(SYSTEM_PROMPTS)}
    invalid = [[assistant, user], [system, assistant], [], [system, user, {"role": "bot", "content": "hi"}],
               [system, user, assistant, assistant]]
    return valid, invalid


def budget_inputs(ctx):
    """(messages, max_tokens) scenarios for fit_to_budget."""
    r = random.Random("budget:visible" if ctx.visible else f"budget:{ctx.seed}")
    scenarios = []
    n_drop = 1 if ctx.visible else 3
    for _ in range(n_drop):                                # some old turns must go
        messages = conversation(r, turns=r.randint(3, 5))[:-1]
        total = len(" ".join(f"<|{m['role']}|> {m['content']} <|end|>" for m in messages).split()) + 1
        scenarios.append((messages, r.randint(total // 2, total - 1)))
    long = conversation(r, turns=2)
    long[-2] = {"role": "user", "content": long_message(r, r.randint(20, 30))}
    scenarios.append((long[:-1], r.randint(16, 22)))      # even the last message alone must be cut
    if not ctx.visible:
        short = conversation(r, turns=1)[:-1]
        scenarios.append((short, 40))                      # everything fits
        scenarios.append((conversation(r, turns=1)[:-1], 5))   # the system prompt alone does not fit
    return scenarios


def reply_inputs(ctx):
    if ctx.visible:
        return [VISIBLE_CONVERSATIONS[0][0], VISIBLE_CONVERSATIONS[1][0]]
    r = random.Random(f"reply:{ctx.seed}")
    return [conversation(r, turns=r.randint(1, 4))[:-1] for _ in range(4)]


def chat_inputs(ctx):
    r = random.Random(f"chat:{ctx.seed}")
    system = r.choice(SYSTEM_PROMPTS)
    messages = ["my name is " + r.choice(NAMES) + " ."] + user_messages(r, 4) + ["what is my name ?"]
    messages.insert(r.randint(2, 4), long_message(r, r.randint(18, 26)))
    return system, messages
