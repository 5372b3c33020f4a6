"""Lab 36 reference solution: a rubric judge, preference pairs, the Bradley-Terry loss, the DPO loss and a
reward-model training loop."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from labkit.metrics import log_metrics

RUDE_WORDS = ("idiot", "stupid", "dumb")
FREE_WORDS, PER_EXTRA_WORD = 8, 0.25


def rubric_score(response: str, reference_answer: str, answer_words: list[str]) -> float:
    """The course's fixed rubric: correct +3, a wrong answer -2, a refusal -2, rudeness -4, rambling -0.25
    per word beyond 8."""
    words = response.split()
    score = 0.0
    if reference_answer in words:
        score += 3.0
    if any(w in words for w in answer_words if w != reference_answer):
        score -= 2.0
    if "cannot" in words:
        score -= 2.0
    if any(w in words for w in RUDE_WORDS):
        score -= 4.0
    return score - PER_EXTRA_WORD * max(0, len(words) - FREE_WORDS)


def build_pairs(records: list[dict], min_margin: float = 1.0) -> list[dict]:
    """Every pair of distinct candidates of a prompt whose rubric scores differ by at least min_margin,
    the better one as chosen; near-ties are left out rather than forced into a preference."""
    pairs = []
    for record in records:
        unique = list(dict.fromkeys(record["candidates"]))
        scores = [rubric_score(c, record["answer"], record["answer_words"]) for c in unique]
        for i in range(len(unique)):
            for j in range(i + 1, len(unique)):
                margin = scores[i] - scores[j]
                if abs(margin) < min_margin:
                    continue
                chosen, rejected = (unique[i], unique[j]) if margin > 0 else (unique[j], unique[i])
                pairs.append({"prompt": record["prompt"], "chosen": chosen, "rejected": rejected,
                              "margin": abs(margin)})
    return pairs


def bradley_terry_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> torch.Tensor:
    """Mean of -log sigmoid(r_chosen - r_rejected), computed stably (softplus(-x) = -log sigmoid(x))."""
    return F.softplus(r_rejected - r_chosen).mean()


def sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Sum of log p(label) over positions whose label is not -100. logits[:, t] scores labels[:, t]."""
    logp = torch.log_softmax(logits, dim=-1)
    mask = labels != -100
    picked = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (picked * mask).sum(dim=-1)


def dpo_loss(policy_chosen: torch.Tensor, policy_rejected: torch.Tensor, ref_chosen: torch.Tensor,
             ref_rejected: torch.Tensor, beta: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """-log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r))), averaged; also the implicit rewards."""
    chosen_rewards = beta * (policy_chosen - ref_chosen)
    rejected_rewards = beta * (policy_rejected - ref_rejected)
    loss = F.softplus(rejected_rewards - chosen_rewards).mean()
    return loss, chosen_rewards, rejected_rewards


def train_reward_model(model: nn.Module, prompts: torch.Tensor, chosen: torch.Tensor, rejected: torch.Tensor,
                       steps: int, lr: float, batch_size: int, generator: torch.Generator) -> list[float]:
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    losses = []
    for step in range(steps):
        idx = torch.randint(0, prompts.shape[0], (batch_size,), generator=generator)
        loss = bradley_terry_loss(model(prompts[idx], chosen[idx]), model(prompts[idx], rejected[idx]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        log_metrics(step, loss=loss.item())
    return losses
