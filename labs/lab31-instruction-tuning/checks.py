"""Lab 31 custom checks (run outside the sandbox).

check_answers loads the weights the student's instruction_tune produced and asks the model the held-out
instructions of private/heldout.jsonl (questions about animals that appear in no SFT conversation; the
answers never enter the sandbox), with the grader's own chat template. Two measures, each against the
untouched base model and the reference tuned with the same configuration and seed:
- the answer loss: mean next-token loss of the reference answer (and its <|end|>) after the prompt;
- exact match: the greedy reply, generated until <|end|>, equals the answer word for word.
The tuned model passes when it wins at least MIN_SHARE_OF_GAIN of the reference's loss gain over the base
model and at least MIN_SHARE_OF_EXACT of the reference's exact matches. The base model, which never saw
the template, answers none of them."""
from __future__ import annotations

import importlib.util
import json
import math
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, describe

MIN_SHARE_OF_GAIN = 0.8
MIN_SHARE_OF_EXACT = 0.35
MAX_NEW_TOKENS = 16
IGNORE_INDEX = -100


@lru_cache(maxsize=1)
def tinychat():
    path = Path(__file__).resolve().parent / "data" / "tinychat.py"
    spec = importlib.util.spec_from_file_location("lab31_tinychat_checks", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _render(messages, add_generation_prompt=False) -> str:
    parts = [w for m in messages for w in (f"<|{m['role']}|>", m["content"], "<|end|>")]
    return " ".join(parts + (["<|assistant|>"] if add_generation_prompt else []))


# ------------------------------------------------------------------ template

def check_template(got, expected, ctx) -> Verdict:
    for index, (have, want) in enumerate(zip(got["rendered"], expected["rendered"])):
        if have == want:
            continue
        if have.split() == want.split():
            why = "the tokens are right but the spacing differs: join the parts with single spaces"
        elif "<|end|>" not in have:
            why = "no <|end|> closes the messages: every message is '<|role|> content <|end|>'"
        elif want.endswith("<|assistant|>") and not have.endswith("<|assistant|>"):
            why = "add_generation_prompt=True must end the text with '<|assistant|>' so the model replies"
        elif not want.endswith("<|assistant|>") and have.endswith("<|assistant|>"):
            why = "'<|assistant|>' is appended only when add_generation_prompt=True"
        else:
            why = "every message renders as '<|role|> content <|end|>', in order, separated by single spaces"
        return Verdict(False, f"render_chat call {index + 1}: {why}", expected=repr(want), got=repr(have))
    return Verdict(True)


# ------------------------------------------------------------------ masking

def _label_variants(tokens: list[str], ids: list[int], roles: list[str]) -> dict[str, list[int]]:
    """Classic masking slips, computed from the expected tokens."""
    spans, role_index = [], -1
    for token in tokens:
        if token in ("<|system|>", "<|user|>", "<|assistant|>"):
            role_index += 1
            spans.append(("header", roles[role_index], role_index))
        elif token == "<|end|>":
            spans.append(("end", roles[role_index], role_index))
        else:
            spans.append(("body", roles[role_index], role_index))
    last_assistant = max(i for i, r in enumerate(roles) if r == "assistant") if "assistant" in roles else -1

    def labels(keep) -> list[int]:
        return [i if keep(kind, role, k) else IGNORE_INDEX for i, (kind, role, k) in zip(ids, spans)]

    return {
        "the prompt is not masked: labels must be -100 for headers, system and user tokens (the model must not be "
        "trained to write the user's question)": list(ids),
        "the <|end|> after each assistant reply is masked: keep it as a label, or the tuned model never learns to "
        "stop": labels(lambda kind, role, k: role == "assistant" and kind == "body"),
        "only the last assistant reply is trained: in a multi-turn conversation every assistant reply is a "
        "target": labels(lambda kind, role, k: role == "assistant" and kind != "header" and k == last_assistant),
        "the '<|assistant|>' header is trained: it belongs to the prompt (the template writes it, the model does "
        "not have to)": labels(lambda kind, role, k: role == "assistant"),
    }


def check_masking(got, expected, ctx) -> Verdict:
    if got["input_ids"] != expected["input_ids"]:
        return Verdict(False, "tokenize_chat's input_ids are not the ids of render_chat(messages).split(): map every "
                              "word and special token through vocab", expected=" ".join(expected["tokens"]),
                       got=" ".join(got["tokens"]))
    if got["labels"] == expected["labels"]:
        return Verdict(True)
    why = "labels are the input_ids of each assistant reply and its closing <|end|>, -100 everywhere else"
    for slip, labels in _label_variants(expected["tokens"], expected["input_ids"], expected["roles"]).items():
        if got["labels"] == labels:
            why = slip
            break
    shown = [f"{t}:{'-' if l == IGNORE_INDEX else 'L'}" for t, l in zip(expected["tokens"], got["labels"])]
    return Verdict(False, f"labels: {why}", expected=describe(expected["labels"], 600),
                   got=describe(got["labels"], 600) + "\n(token:L = trained, token:- = masked) " + " ".join(shown))


# ------------------------------------------------------------------ packing

def _stream_cut(examples, block_size, pad_id):
    ids = [i for e in examples for i in e[0]]
    labels = [l for e in examples for l in e[1]]
    n = len(ids) // block_size
    return np.array(ids[: n * block_size]).reshape(n, block_size), np.array(labels[: n * block_size]).reshape(n, block_size)


def check_packing(got, expected, ctx) -> Verdict:
    have_ids, have_labels = np.asarray(got["input_ids"]), np.asarray(got["labels"])
    want_ids, want_labels = np.asarray(expected["input_ids"]), np.asarray(expected["labels"])
    if have_ids.shape == want_ids.shape and np.array_equal(have_ids, want_ids) and np.array_equal(have_labels,
                                                                                                 want_labels):
        return Verdict(True)
    block_size, pad_id = int(expected["block_size"]), int(expected["pad_id"])
    cut_ids, _ = _stream_cut(expected["examples"], block_size, pad_id)
    if have_ids.shape == cut_ids.shape and np.array_equal(have_ids, cut_ids):
        why = ("the examples are concatenated and cut every block_size tokens, so examples are split across blocks: "
               "start a new block when the next example does not fit, and pad the rest of the block")
    elif have_ids.shape == want_ids.shape and np.array_equal(have_ids, want_ids):
        why = "input_ids are right but the labels are not: padding gets label -100 and every example keeps its labels"
    else:
        why = ("greedy packing keeps examples whole and in order: an example that does not fit in the current block "
               "starts the next one; an example longer than block_size is truncated to block_size")
    return Verdict(False, f"packed input_ids {have_ids.shape} where {want_ids.shape} was expected: {why}",
                   expected=describe(want_ids), got=describe(have_ids))


# ------------------------------------------------------------------ loss

def _nll(logits: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    scored = targets != IGNORE_INDEX
    nll = -np.take_along_axis(logp, np.where(scored, targets, 0)[..., None], -1)[..., 0]
    return np.where(scored, nll, 0.0), scored


def check_loss(got, expected, ctx) -> Verdict:
    value, want = float(got["loss"]), float(expected["loss"])
    if math.isclose(value, want, rel_tol=1e-5, abs_tol=1e-6):
        return Verdict(True)
    logits, labels = np.asarray(expected["logits"]), np.asarray(expected["labels"])
    unshifted, scored = _nll(logits, labels)
    shifted, scored_shifted = _nll(logits[:, :-1], labels[:, 1:])
    diagnoses = [
        (unshifted.sum() / scored.sum(), "logits[:, t] are scored against labels[:, t]: the label of position t + 1 "
                                         "is the target of logits[:, t] (shift by one)"),
        (shifted.sum() / shifted.size, "the mean runs over masked positions too: average only where the label is "
                                       "not -100 (ignore_index=-100)"),
        (shifted.sum(), "the loss is a sum: take the mean over the trained tokens"),
    ]
    message = f"sft_loss returned {value:.6f} where {want:.6f} was expected"
    for candidate, why in diagnoses:
        if math.isclose(value, float(candidate), rel_tol=1e-5, abs_tol=1e-6):
            return Verdict(False, f"{message}: {why}", expected=f"{want:.6f}", got=f"{value:.6f}")
    return Verdict(False, message + ": cross-entropy of logits[:, :-1] against labels[:, 1:] with ignore_index=-100",
                   expected=f"{want:.6f}", got=f"{value:.6f}")


# ------------------------------------------------------------------ held-out answers

@lru_cache(maxsize=2)
def heldout(private_dir: str) -> list[dict]:
    lines = (Path(private_dir) / "heldout.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _model(weights: dict | None, lab_dir: Path):
    import torch

    kit = tinychat()
    model = kit.load_base(lab_dir / "data")
    if weights is not None:
        model.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in weights.items()})
    return model.eval()


def _encoded(items: list[dict]) -> dict[int, list[tuple[list[int], list[int]]]]:
    """(prompt ids, answer ids + <|end|>) of every item, grouped by prompt length so a group runs as one batch."""
    vocab = tinychat().vocabulary()
    index = {w: i for i, w in enumerate(vocab)}
    groups: dict[int, list[tuple[list[int], list[int]]]] = {}
    for item in items:
        prompt = [index[w] for w in _render(item["messages"], add_generation_prompt=True).split()]
        answer = [index[w] for w in item["answer"].split()] + [index["<|end|>"]]
        groups.setdefault(len(prompt), []).append((prompt, answer))
    return groups


def answer_scores(model, items: list[dict]) -> tuple[float, float]:
    """(mean answer loss in nats per token, exact-match rate of greedy replies)."""
    import torch
    import torch.nn.functional as F

    end = tinychat().vocabulary().index("<|end|>")
    total, count, exact = 0.0, 0, 0
    with torch.no_grad():
        for length, group in _encoded(items).items():
            for prompt, answer in group:  # answers differ in length: teacher-forced one by one
                logits = model(torch.tensor([prompt + answer]))[0, length - 1:-1]
                total += float(F.cross_entropy(logits, torch.tensor(answer), reduction="sum"))
                count += len(answer)
            replies = torch.tensor([prompt for prompt, _ in group])
            for _ in range(MAX_NEW_TOKENS):  # greedy, the whole group at once
                replies = torch.cat([replies, model(replies)[:, -1].argmax(-1, keepdim=True)], dim=1)
                if bool((replies[:, length:] == end).any(dim=1).all()):
                    break
            for row, (_, answer) in zip(replies[:, length:].tolist(), group):
                reply = row[:row.index(end)] if end in row else row
                exact += reply == answer[:-1]
    return total / count, exact / len(items)


@lru_cache(maxsize=2)
def base_scores(lab_dir: str, private_dir: str) -> tuple[float, float]:
    return answer_scores(_model(None, Path(lab_dir)), heldout(private_dir))


def check_answers(got, expected, ctx) -> Verdict:
    losses = got.get("losses") or []
    if not losses or not all(math.isfinite(v) for v in losses):
        return Verdict(False, "instruction_tune returned no training losses, or NaN / inf ones")
    items = heldout(str(ctx.private_dir))
    try:
        tuned = _model(got["weights"], ctx.lab_dir)
    except (RuntimeError, ValueError, TypeError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0][:300]
        return Verdict(False, f"the tuned weights do not load into the base model's architecture: {first}")
    loss, exact = answer_scores(tuned, items)
    base_loss, base_exact = base_scores(str(ctx.lab_dir), str(ctx.private_dir))
    ref_loss, ref_exact = answer_scores(_model(expected["weights"], ctx.lab_dir), items)
    needed_loss = base_loss - MIN_SHARE_OF_GAIN * (base_loss - ref_loss)
    needed_exact = MIN_SHARE_OF_EXACT * ref_exact
    message = (f"on {len(items)} held-out instructions: answer loss {loss:.3f} nats/token (base model {base_loss:.3f}, "
               f"reference {ref_loss:.3f}, needed <= {needed_loss:.3f}); exact answers {exact:.0%} (base "
               f"{base_exact:.0%}, reference {ref_exact:.0%}, needed >= {needed_exact:.0%})")
    if loss <= needed_loss and exact >= needed_exact:
        return Verdict(True, message)
    return Verdict(False, message + ". Check that the labels keep the assistant replies and their <|end|>, that the "
                                    "loss is shifted by one and ignores -100, and that every step runs zero_grad, "
                                    "backward, clipping and optimizer.step",
                   expected=f"loss <= {needed_loss:.3f} and exact >= {needed_exact:.0%}",
                   got=f"loss {loss:.3f}, exact {exact:.0%}")
