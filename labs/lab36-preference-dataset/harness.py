"""Lab 36 harness (inside the sandbox): runs the student's rubric judge, pair builder, Bradley-Terry and
DPO losses on seeded inputs, and trains the lab's fixed reward model with the student's loop on the
student's own pairs. The reward model's weights go back to checks.py, which ranks held-out pairs whose
labels never enter the sandbox."""
from __future__ import annotations

import importlib.util
import math
import random
import sys

import torch

from labkit.harness import case

RM_TRAIN = dict(n_prompts=300, steps=100, lr=3e-2, batch_size=64)
VISIBLE_RUBRIC = [
    ("the sky is blue .", "blue"),
    ("well , as far as i know the sky is blue .", "blue"),
    ("the sky is green .", "blue"),
    ("a dog says woof , idiot .", "woof"),
    ("sorry , i cannot answer that .", "moo"),
]
VISIBLE_RECORDS = [
    {"prompt": "what color is the snow ?", "answer": "white",
     "candidates": ["the snow is white .", "the snow is red .", "the snow is white .",
                    "well , as far as the snow is white ."]},
    {"prompt": "what sound does a cow make ?", "answer": "moo",
     "candidates": ["sorry , i cannot answer that .", "a cow says baa .", "a cow says moo , dumb ."]},
]


def _data(ctx):
    if "lab36_prefdata" not in sys.modules:
        spec = importlib.util.spec_from_file_location("lab36_prefdata", ctx.data_dir / "prefdata.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["lab36_prefdata"] = module
        spec.loader.exec_module(module)
    return sys.modules["lab36_prefdata"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _answer_words(data, answer):
    relation = next(name for name in data.RELATIONS if answer in data.answer_words(name))
    return sorted(data.answer_words(relation))


def _records(data, seed, n, stream):
    """Prompt records as the student's functions receive them: prompt, answer, answer_words, candidates."""
    return [{"prompt": r["prompt"], "answer": data.RELATIONS[r["relation"]][0][r["subject"]],
             "answer_words": sorted(data.answer_words(r["relation"])), "candidates": list(r["candidates"])}
            for r in data.prompt_records(seed, n, stream)]


def _float(value, what):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"{what} must return a float, got {type(value).__name__}")
    return float(value)


def _tensor(value, what, shape=None):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"{what} returned shape {tuple(value.shape)} where {tuple(shape)} was expected")
    return value.detach().clone()


# ------------------------------------------------------------------ the dataset

@case
def rubric(student, ctx):
    data = _data(ctx)
    if ctx.visible:
        items = [(response, answer, _answer_words(data, answer)) for response, answer in VISIBLE_RUBRIC]
        ctx.show(rubric_inputs=[f"{r!r} (reference answer {a!r})" for r, a, _ in items])
    else:
        items = [(c, r["answer"], r["answer_words"]) for r in _records(data, ctx.seed, 12, "rubric")
                 for c in r["candidates"]]
    return [_float(student.rubric_score(response, answer, list(words)), "rubric_score")
            for response, answer, words in items]


@case
def pairs(student, ctx):
    data = _data(ctx)
    if ctx.visible:
        records = [{**r, "answer_words": _answer_words(data, r["answer"])} for r in VISIBLE_RECORDS]
        ctx.show(records=[{"prompt": r["prompt"], "answer": r["answer"], "candidates": r["candidates"]}
                          for r in records], min_margin=1.0)
    else:
        records = _records(data, ctx.seed, 10, "pairs")
    return _pair_rows(student.build_pairs([dict(r) for r in records], min_margin=1.0))


def _pair_rows(result):
    if not isinstance(result, list):
        raise TypeError(f"build_pairs must return a list of dicts, got {type(result).__name__}")
    rows = []
    for item in result:
        keys = ("prompt", "chosen", "rejected")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in keys):
            raise TypeError("each pair must be a dict with string values for 'prompt', 'chosen' and 'rejected'")
        rows.append([item["prompt"], item["chosen"], item["rejected"]])
    return rows


# ------------------------------------------------------------------ losses

@case
def bradley_terry(student, ctx):
    gen = ctx.torch_generator()
    n = 3 if ctx.visible else _rng(ctx, "bt").randint(4, 12)
    chosen = torch.randn(n, generator=gen, dtype=torch.float64) * 2
    rejected = torch.randn(n, generator=gen, dtype=torch.float64) * 2
    big = torch.tensor([800.0, -800.0, 50.0], dtype=torch.float64)  # a confident and a badly wrong margin
    out = {"loss": _float(student.bradley_terry_loss(chosen.clone(), rejected.clone()), "bradley_terry_loss"),
           "large_margin_loss": _float(student.bradley_terry_loss(big, torch.zeros(3, dtype=torch.float64)),
                                       "bradley_terry_loss")}
    ctx.show(r_chosen=chosen.tolist(), r_rejected=rejected.tolist())
    return out


def _dpo_inputs(ctx):
    if ctx.visible:
        batch, prompt_len, response_len, vocab, beta = 2, 2, 3, 5, 0.1
    else:
        rng = _rng(ctx, "dpo")
        batch, prompt_len, response_len = rng.randint(2, 4), rng.randint(1, 4), rng.randint(2, 6)
        vocab, beta = rng.choice([7, 11, 16]), rng.choice([0.1, 0.2, 0.5])
    gen = ctx.torch_generator()
    seq = prompt_len + response_len
    tensors = {}
    for side in ("chosen", "rejected"):
        labels = torch.randint(0, vocab, (batch, seq), generator=gen)
        labels[:, :prompt_len] = -100                                   # the prompt is not scored
        for row in range(1, batch):                                     # shorter responses are padded
            padding = min(row, response_len - 1)
            labels[row, seq - padding:] = -100
        tensors[f"labels_{side}"] = labels
        for model in ("policy", "ref"):
            tensors[f"{model}_logits_{side}"] = torch.randn(batch, seq, vocab, generator=gen, dtype=torch.float64) * 2
    return tensors, beta


@case
def dpo(student, ctx):
    tensors, beta = _dpo_inputs(ctx)
    batch = tensors["labels_chosen"].shape[0]
    logps = {}
    for model in ("policy", "ref"):
        for side in ("chosen", "rejected"):
            logps[f"{model}_{side}"] = _tensor(
                student.sequence_logprobs(tensors[f"{model}_logits_{side}"].clone(), tensors[f"labels_{side}"].clone()),
                "sequence_logprobs", (batch,))
    result = student.dpo_loss(logps["policy_chosen"], logps["policy_rejected"], logps["ref_chosen"],
                              logps["ref_rejected"], beta=beta)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise TypeError("dpo_loss must return (loss, chosen_rewards, rejected_rewards)")
    loss, chosen_rewards, rejected_rewards = result
    out = {"logps": logps, "loss": _float(loss, "dpo_loss (the loss)"),
           "chosen_rewards": _tensor(chosen_rewards, "dpo_loss (chosen_rewards)", (batch,)),
           "rejected_rewards": _tensor(rejected_rewards, "dpo_loss (rejected_rewards)", (batch,))}
    if not ctx.visible:  # a policy that has drifted far: log-ratios of hundreds of nats
        far = torch.tensor([-900.0, 900.0], dtype=torch.float64)
        zero = torch.zeros(2, dtype=torch.float64)
        out["far_loss"] = _float(student.dpo_loss(far, -far, zero, zero, beta=1.0)[0], "dpo_loss (the loss)")
    ctx.show(dpo=f"beta={beta}; logits (batch {batch}, seq {tensors['labels_chosen'].shape[1]}, vocab "
                 f"{tensors['policy_logits_chosen'].shape[2]}) float64; labels -100 on the prompt and padding",
             labels_chosen=tensors["labels_chosen"].tolist(), labels_rejected=tensors["labels_rejected"].tolist())
    return out


# ------------------------------------------------------------------ the reward model

@case
def reward_model(student, ctx):
    data = _data(ctx)
    records = _records(data, ctx.seed, RM_TRAIN["n_prompts"], "train")
    rows = _pair_rows(student.build_pairs([dict(r) for r in records], min_margin=1.0))
    if not rows:
        raise ValueError("build_pairs returned no pairs for the reward model's training prompts")
    prompts = data.encode([r[0] for r in rows], data.PROMPT_LEN)
    chosen = data.encode([r[1] for r in rows], data.RESPONSE_LEN)
    rejected = data.encode([r[2] for r in rows], data.RESPONSE_LEN)
    model = data.build_reward_model(ctx.seed)
    ctx.show(reward_model=f"RewardModel trained with your train_reward_model on your {len(rows)} pairs from "
                          f"{RM_TRAIN['n_prompts']} prompts: steps={RM_TRAIN['steps']}, lr={RM_TRAIN['lr']}, "
                          f"batch_size={RM_TRAIN['batch_size']}")
    losses = student.train_reward_model(model, prompts, chosen, rejected, steps=RM_TRAIN["steps"], lr=RM_TRAIN["lr"],
                                        batch_size=RM_TRAIN["batch_size"], generator=ctx.torch_generator())
    if not isinstance(losses, (list, tuple)) or not all(isinstance(v, (int, float)) for v in losses):
        raise TypeError("train_reward_model must return the list of training losses (floats, one per step)")
    if not all(math.isfinite(v) for v in losses):
        raise ValueError("the reward model's training loss became NaN or inf")
    return {"weights": {k: v.detach().clone() for k, v in model.state_dict().items()},
            "losses": [float(v) for v in losses], "n_pairs": len(rows)}
