"""Lab 36: a small preference dataset, the Bradley-Terry reward-model loss and the DPO loss.
Fill in every TODO and submit this file as preference.py."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from labkit.metrics import log_metrics

RUDE_WORDS = ("idiot", "stupid", "dumb")
FREE_WORDS, PER_EXTRA_WORD = 8, 0.25


def rubric_score(response: str, reference_answer: str, answer_words: list[str]) -> float:
    """The fixed rubric on the words of `response` (response.split()), starting from 0:
    +3 if reference_answer is one of the words; -2 if any OTHER word of answer_words is; -2 if "cannot"
    is (a refusal); -4 if a word of RUDE_WORDS is; -0.25 for every word beyond the first 8."""
    raise NotImplementedError("rubric_score")


def build_pairs(records: list[dict], min_margin: float = 1.0) -> list[dict]:
    """records: [{"prompt": str, "answer": str, "answer_words": [str], "candidates": [str, ...]}].

    For each record in order: drop duplicate candidates (keep the first), score each with rubric_score,
    and for every i < j whose scores differ by at least min_margin append
    {"prompt": ..., "chosen": the higher-scoring answer, "rejected": the other, "margin": |difference|}."""
    raise NotImplementedError("build_pairs")


def bradley_terry_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> torch.Tensor:
    """(n,) rewards each -> scalar: mean of -log sigmoid(r_chosen - r_rejected), finite for any margin."""
    raise NotImplementedError("bradley_terry_loss")


def sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """logits (batch, seq, vocab), labels (batch, seq) int64 with -100 on the prompt and padding;
    logits[:, t] scores labels[:, t]. Returns (batch,): the sum of log-probabilities of the labels at
    the positions whose label is not -100, in the dtype of logits."""
    raise NotImplementedError("sequence_logprobs")


def dpo_loss(policy_chosen: torch.Tensor, policy_rejected: torch.Tensor, ref_chosen: torch.Tensor,
             ref_rejected: torch.Tensor, beta: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Sequence log-probs (batch,) from the policy and the frozen reference model. Returns
    (loss scalar, chosen_rewards (batch,), rejected_rewards (batch,)) with
    chosen_rewards = beta * (policy_chosen - ref_chosen) (likewise rejected) and
    loss = mean of -log sigmoid(chosen_rewards - rejected_rewards)."""
    raise NotImplementedError("dpo_loss")


def train_reward_model(model: nn.Module, prompts: torch.Tensor, chosen: torch.Tensor, rejected: torch.Tensor,
                       steps: int, lr: float, batch_size: int, generator: torch.Generator) -> list[float]:
    """prompts (n, 8), chosen (n, 24), rejected (n, 24) int64 token ids; model(prompt_ids, response_ids) -> (b,).
    Each step: idx = torch.randint(0, n, (batch_size,), generator=generator); loss =
    bradley_terry_loss(model(prompts[idx], chosen[idx]), model(prompts[idx], rejected[idx])); AdamW
    (weight_decay 0) step; log_metrics(step, loss=...). Returns the list of losses."""
    raise NotImplementedError("train_reward_model")
