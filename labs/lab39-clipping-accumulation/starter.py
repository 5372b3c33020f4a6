"""Lab 39: gradient clipping and gradient accumulation.

Fill in every TODO. Submit this file as clip_accum.py.
torch.nn.utils.clip_grad_norm_ (and get_total_norm) are switched off while your code runs: compute the norm and
scale the gradients yourself. The model may only ever see one micro-batch at a time.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


# ----------------------------------------------------------------- clipping

def global_grad_norm(parameters, norm_type=2.0):
    """The norm of all gradients together, as if concatenated into one long vector.

    parameters: an iterable of tensors (parameters whose .grad is None are skipped).
    norm_type: 2.0, 1.0, any p > 0, or float('inf') (the largest |entry|).
    Returns a 0-dim tensor.
    """
    raise NotImplementedError("global_grad_norm")


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    """Scale every gradient IN PLACE by the same factor min(1, max_norm / (total_norm + 1e-6)).

    Returns total_norm, the global norm BEFORE clipping (a 0-dim tensor), like torch.nn.utils.clip_grad_norm_.
    Hint: parameters may be a generator (model.parameters()): turn it into a list before using it twice.
    """
    raise NotImplementedError("clip_grad_norm_")


# ----------------------------------------------------------------- accumulation

def split_micro_batches(input_ids, labels, micro_batch_size):
    """Consecutive slices (input_ids[i:i+m], labels[i:i+m]) of at most m = micro_batch_size sequences;
    the last one may be smaller. input_ids, labels: LongTensors (batch, seq_len)."""
    raise NotImplementedError("split_micro_batches")


def accumulate_gradients(model, micro_batches, weighting="tokens"):
    """Run forward + backward on each micro-batch so that afterwards every parameter's .grad equals the gradient
    of ONE backward on the whole batch's loss. Returns that loss as a float.

    micro_batches: list of (input_ids, labels) LongTensors of shape (b_i, seq_len); labels are -100 where no
        loss is counted (padding, masked prompt tokens). model(input_ids) returns logits (b_i, seq_len, vocab).
    weighting: 'tokens'  -> the batch loss is the mean cross-entropy over ALL counted tokens of the batch;
               'samples' -> the batch loss is the mean over sequences of each sequence's mean token loss.
    Start from clean gradients: .backward() adds to whatever .grad already holds.
    """
    # TODO: model.zero_grad(set_to_none=True)
    # TODO: count the tokens (or sequences) of the WHOLE batch first
    # TODO: per micro-batch: summed loss (reduction="none" or "sum", ignore_index=-100) / that count, .backward()
    raise NotImplementedError("accumulate_gradients")


def train_step(model, optimizer, input_ids, labels, micro_batch_size, max_norm, weighting="tokens"):
    """One optimizer step on a whole batch computed in micro-batches: split, accumulate, clip ONCE with your
    clip_grad_norm_(model.parameters(), max_norm), optimizer.step() ONCE, optimizer.zero_grad().

    Returns (loss, grad_norm): two floats, grad_norm measured before clipping.
    """
    raise NotImplementedError("train_step")
