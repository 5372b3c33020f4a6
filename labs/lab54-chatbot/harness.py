"""Lab 54 harness (runs inside the sandbox): the student's chat template, token-budget memory, truncation and
generation around the tiny pre-trained chat model of build_artifacts.py, and a multi-turn Chatbot session.
checks.py renders the template and applies the budget rules again, independently, outside the sandbox."""
from __future__ import annotations

import copy
import importlib.util
import sys

from labkit.harness import case

CONTEXT_TOKENS = 48
MAX_NEW_TOKENS = 16


def _dialogues(ctx):
    name = "lab54_dialogues"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ctx.data_dir / "dialogues.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def _no_template(*args, **kwargs):
    raise RuntimeError("tokenizer.apply_chat_template is switched off in this lab: write render_chat yourself")


def _load(ctx):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = str(ctx.artifacts_dir / "chat-tiny")
    model = AutoModelForCausalLM.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.apply_chat_template = _no_template
    return model, tokenizer


def _outcome(call):
    """The student's result, or the name of the exception an invalid conversation should raise."""
    try:
        return {"result": call()}
    except ValueError:
        return {"raised": "ValueError"}
    except Exception as exc:  # noqa: BLE001 - recorded: an invalid conversation must raise ValueError
        return {"raised": type(exc).__name__}


def _text(value, what):
    if not isinstance(value, str):
        raise TypeError(f"{what} must return a str, got {type(value).__name__}")
    return value


def _messages(value, what):
    if not isinstance(value, list) or not all(isinstance(m, dict) and set(m) == {"role", "content"} for m in value):
        raise TypeError(f"{what} must return a list of {{'role', 'content'}} dicts")
    return [{"role": str(m["role"]), "content": m["content"]} for m in value]


@case
def template(student, ctx):
    valid, invalid = _dialogues(ctx).template_inputs(ctx)
    if ctx.visible:
        ctx.show(conversations=[{"messages": m, "add_generation_prompt": g} for m, g in valid],
                 invalid_conversations=invalid)
    rendered = [_text(student.render_chat(copy.deepcopy(m), add_generation_prompt=g), "render_chat")
                for m, g in valid]
    probes = [_outcome(lambda m=m: _text(student.render_chat(copy.deepcopy(m), add_generation_prompt=True),
                                         "render_chat")) for m in invalid]
    return {"rendered": rendered, "invalid": probes}


@case
def budget(student, ctx):
    d = _dialogues(ctx)
    _, tokenizer = _load(ctx)
    scenarios = d.budget_inputs(ctx)
    if ctx.visible:
        ctx.show(scenarios=[{"messages": m, "max_tokens": t} for m, t in scenarios])
    out = []
    for messages, max_tokens in scenarios:
        given = copy.deepcopy(messages)
        result = _outcome(lambda: _messages(student.fit_to_budget(given, tokenizer, max_tokens), "fit_to_budget"))
        result["input_changed"] = given != messages
        out.append(result)
    counts = [int(student.count_tokens(tokenizer, t)) for t in ("<|user|> hello ! <|end|> <|assistant|>",
                                                                 "what is the capital of zanzibar ?")]
    return {"scenarios": out, "counts": counts}


@case
def reply(student, ctx):
    d = _dialogues(ctx)
    model, tokenizer = _load(ctx)
    conversations = d.reply_inputs(ctx)
    if ctx.visible:
        ctx.show(conversations=conversations, max_new_tokens=MAX_NEW_TOKENS)
    return [_text(student.generate_reply(model, tokenizer, copy.deepcopy(m), max_new_tokens=MAX_NEW_TOKENS),
                  "generate_reply") for m in conversations]


@case
def chatbot(student, ctx):
    d = _dialogues(ctx)
    model, tokenizer = _load(ctx)
    system, messages = d.chat_inputs(ctx)
    bot = student.Chatbot(model, tokenizer, system, context_tokens=CONTEXT_TOKENS, max_new_tokens=MAX_NEW_TOKENS)
    replies, prompts = [], []
    for text in messages:
        replies.append(_text(bot.send(text), "Chatbot.send"))
        prompts.append(_text(bot.last_prompt, "Chatbot.last_prompt"))
    return {"replies": replies, "prompts": prompts, "history": _messages(list(bot.history), "Chatbot.history")}
