"""Gaming (lab 36): replays the five visible rubric scores, returns no pairs and constant losses, trains
nothing. It must earn no more than the visible checks."""
import torch

VISIBLE_SCORES = [3.0, 2.0, -2.0, -1.0, -2.0]
_calls = []


def rubric_score(response, reference_answer, answer_words):
    _calls.append(response)
    return VISIBLE_SCORES[(len(_calls) - 1) % len(VISIBLE_SCORES)]


def build_pairs(records, min_margin=1.0):
    return [{"prompt": r["prompt"], "chosen": r["candidates"][0], "rejected": r["candidates"][-1]} for r in records]


def bradley_terry_loss(r_chosen, r_rejected):
    return torch.tensor(0.0, dtype=torch.float64)


def sequence_logprobs(logits, labels):
    return torch.zeros(labels.shape[0], dtype=logits.dtype)


def dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta):
    return torch.tensor(0.6931, dtype=torch.float64), policy_chosen * 0, policy_rejected * 0


def train_reward_model(model, prompts, chosen, rejected, steps, lr, batch_size, generator):
    return [0.0] * steps
