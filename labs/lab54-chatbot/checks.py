"""Lab 54 checks (outside the sandbox). The conversations are drawn again here from the seed (data/dialogues.py's
input functions); the chat template is rendered with jinja2 from
data/chat_template.jinja (what tokenizer.apply_chat_template does); the budget rules are applied again here.
The tokenizer is word-level (one token per space-separated word), so a prompt's token count is its number of
words. Generated replies are compared with the reference solution's."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import jinja2

from labkit.checks import Verdict, describe

CONTEXT_TOKENS = 48
MAX_NEW_TOKENS = 16


def _load(lab_dir: Path, name: str, relative: str):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / relative)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def _dialogues(ctx):
    return _load(ctx.lab_dir, "lab54_dialogues_checks", "data/dialogues.py")


def render(ctx, messages, add_generation_prompt):
    source = (ctx.lab_dir / "data" / "chat_template.jinja").read_text().rstrip("\n")
    return jinja2.Environment().from_string(source).render(messages=messages,
                                                           add_generation_prompt=add_generation_prompt)


def n_tokens(text):
    return len(text.split())


def expected_fit(ctx, messages, max_tokens):
    system = messages[:1] if messages and messages[0]["role"] == "system" else []
    turns = messages[len(system):]

    def fits(kept):
        return n_tokens(render(ctx, system + kept, True)) <= max_tokens

    while len(turns) > 1 and not fits(turns):
        turns = turns[2:]
    if fits(turns):
        return system + turns
    words = turns[-1]["content"].split()
    for keep in range(len(words) - 1, -1, -1):
        candidate = turns[:-1] + [{"role": "user", "content": " ".join(words[len(words) - keep:])}]
        if fits(candidate):
            return system + candidate
    return None                                                # ValueError expected


def _first_difference(a, b):
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def check_template(got, expected, ctx):
    view = SimpleNamespace(visible=ctx.visible, seed=ctx.seed)
    valid, invalid = _dialogues(ctx).template_inputs(view)
    if not isinstance(got, dict) or len(got.get("rendered") or []) != len(valid):
        return Verdict(False, "render_chat produced nothing usable")
    for i, ((messages, gen), text) in enumerate(zip(valid, got["rendered"])):
        want = render(ctx, messages, gen)
        if text != want:
            at = _first_difference(text, want)
            message = f"conversation {i} (add_generation_prompt={gen}) renders differently from character {at}: "
            if want.endswith("<|assistant|>") and not text.rstrip().endswith("<|assistant|>"):
                message += "with add_generation_prompt=True the prompt must end with ' <|assistant|>', the cue for the model's turn"
            elif text.endswith("<|assistant|>") and not gen:
                message += "add '<|assistant|>' only when add_generation_prompt is True"
            elif text.count("<|end|>") != want.count("<|end|>"):
                message += "every message ends with ' <|end|>' (the model's end-of-turn token)"
            else:
                message += "each message is '<|role|> content <|end|>', messages joined by ONE space, no trailing space"
            return Verdict(False, message, describe(want), describe(text))
    for i, (messages, outcome) in enumerate(zip(invalid, got.get("invalid") or [])):
        if outcome.get("raised") != "ValueError":
            what = f"returned {outcome['result']!r}" if "result" in outcome else f"raised {outcome.get('raised')}"
            roles = [m.get("role") for m in messages]
            return Verdict(False, f"render_chat on the invalid conversation with roles {roles} {what}: raise "
                                  "ValueError (an optional system message first, then user/assistant alternating, "
                                  "starting with user; at least one message; no other roles)")
    return Verdict(True)


def check_budget(got, expected, ctx):
    scenarios = _dialogues(ctx).budget_inputs(SimpleNamespace(visible=ctx.visible, seed=ctx.seed))
    if not isinstance(got, dict) or len(got.get("scenarios") or []) != len(scenarios):
        return Verdict(False, "fit_to_budget produced nothing usable")
    texts = ["<|user|> hello ! <|end|> <|assistant|>", "what is the capital of zanzibar ?"]
    if got.get("counts") != [n_tokens(t) for t in texts]:
        return Verdict(False, f"count_tokens gave {got.get('counts')} for {texts}; expected "
                              f"{[n_tokens(t) for t in texts]}: count the ids of tokenizer(text, add_special_tokens=False) "
                              "(an unknown word is one <unk> token)")
    for i, ((messages, max_tokens), outcome) in enumerate(zip(scenarios, got["scenarios"])):
        if outcome.get("input_changed"):
            return Verdict(False, f"scenario {i}: fit_to_budget changed the list it was given; return a new list "
                                  "(the chatbot keeps its whole history)")
        want = expected_fit(ctx, messages, max_tokens)
        if want is None:
            if outcome.get("raised") != "ValueError":
                return Verdict(False, f"scenario {i}: the system prompt alone does not fit in {max_tokens} tokens: "
                                      "raise ValueError")
            continue
        have = outcome.get("result")
        if have == want:
            continue
        if have is None:
            return Verdict(False, f"scenario {i} (budget {max_tokens}): fit_to_budget raised {outcome.get('raised')}",
                           describe(want), None)
        size = n_tokens(render(ctx, have, True)) if have else 0
        if size > max_tokens:
            message = f"the kept prompt has {size} tokens, over the budget of {max_tokens}"
        elif not have or have[0] != messages[0]:
            message = "the system prompt must always be kept, first"
        elif have[-1]["content"] != want[-1]["content"] and have[-1]["role"] == "user" and len(have) == len(want):
            message = ("the last user message is cut wrongly: keep its LAST words (the question is at the end), as "
                       "many as fit")
        elif len(have) < len(want):
            message = "too much was dropped: remove the oldest user/assistant pairs only while the prompt is too long"
        else:
            message = ("drop whole user/assistant pairs, oldest first, so the kept history still starts with a "
                       "user message")
        return Verdict(False, f"scenario {i} (budget {max_tokens} tokens, with the generation prompt): {message}",
                       describe(want), describe(have))
    return Verdict(True)


def check_reply(got, expected, ctx):
    if got == expected:
        return Verdict(True)
    if not isinstance(got, list) or len(got) != len(expected):
        return Verdict(False, f"expected {len(expected)} replies", describe(expected), describe(got))
    i = _first_difference(got, expected)
    message = f"reply {i}: expected {expected[i]!r}, got {got[i]!r}"
    if "<|" in got[i]:
        message += ". Decode only the NEW tokens with skip_special_tokens=True, and stop at <|end|> (the eos token)"
    elif got[i].startswith(expected[i]) and len(got[i]) > len(expected[i]):
        message += ". Stop generating at <|end|>: pass eos_token_id=tokenizer.eos_token_id"
    else:
        message += (". Render the conversation with add_generation_prompt=True, encode it without special tokens, "
                    "and decode greedily (do_sample=False) only the tokens after the prompt")
    return Verdict(False, message, describe(expected), describe(got))


def check_chatbot(got, expected, ctx):
    system, messages = _dialogues(ctx).chat_inputs(SimpleNamespace(visible=ctx.visible, seed=ctx.seed))
    if not isinstance(got, dict) or len(got.get("replies") or []) != len(messages):
        return Verdict(False, "the Chatbot session produced nothing usable")
    history = [{"role": "system", "content": system}]
    for text, reply in zip(messages, got["replies"]):
        history += [{"role": "user", "content": text}, {"role": "assistant", "content": reply}]
    if got["history"] != history:
        return Verdict(False, "Chatbot.history must hold the WHOLE conversation (system prompt, then every user "
                              "message and reply), not only what fits in the context",
                       describe(history), describe(got["history"]))
    budget = CONTEXT_TOKENS - MAX_NEW_TOKENS
    for turn, prompt in enumerate(got["prompts"]):
        size = n_tokens(prompt)
        if size > budget:
            return Verdict(False, f"turn {turn}: the prompt has {size} tokens; with context_tokens={CONTEXT_TOKENS} and "
                                  f"max_new_tokens={MAX_NEW_TOKENS} it may have at most {budget}")
        want = render(ctx, expected_fit(ctx, history[:2 * turn + 2], budget), True)
        if prompt != want:
            return Verdict(False, f"turn {turn}: the prompt sent to the model is not the history fitted to "
                                  f"{budget} tokens (fit_to_budget(history, tokenizer, context_tokens - max_new_tokens), "
                                  "rendered with the generation prompt)", describe(want), describe(prompt))
    if got["replies"] != expected["replies"]:
        i = _first_difference(got["replies"], expected["replies"])
        return Verdict(False, f"turn {i}: reply {got['replies'][i]!r}, expected {expected['replies'][i]!r}: generate "
                              "from the fitted window with generate_reply", describe(expected["replies"]),
                       describe(got["replies"]))
    return Verdict(True)
