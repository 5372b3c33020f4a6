"""Gaming (lab 39): hard-codes the visible clipping answer and fakes accumulation.

clip_grad_norm_ always reports the visible global norm 13 and scales by the visible factor 6.5 / 13;
accumulate_gradients glues the micro-batches back together and does ONE backward on the whole batch (right
numbers, none of the memory saving). Hidden checks use other gradients, and the grader watches the forward
batch size, so this must earn nothing there."""
import torch
import torch.nn.functional as F

VISIBLE_NORM = 13.0


def global_grad_norm(parameters, norm_type=2.0):
    return torch.tensor(VISIBLE_NORM)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    for p in parameters:
        if p.grad is not None:
            p.grad.mul_(6.5 / (VISIBLE_NORM + 1e-6))
    return torch.tensor(VISIBLE_NORM)


def split_micro_batches(input_ids, labels, micro_batch_size):
    return [(input_ids, labels)]


def accumulate_gradients(model, micro_batches, weighting="tokens"):
    model.zero_grad(set_to_none=True)
    input_ids = torch.cat([ids for ids, _ in micro_batches])
    labels = torch.cat([labs for _, labs in micro_batches])
    loss = F.cross_entropy(model(input_ids).flatten(0, 1), labels.flatten(), ignore_index=-100)
    loss.backward()
    return loss.item()


def train_step(model, optimizer, input_ids, labels, micro_batch_size, max_norm, weighting="tokens"):
    loss = accumulate_gradients(model, [(input_ids, labels)])
    norm = clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    optimizer.zero_grad()
    return loss, float(norm)
