"""Lab 61: a video captioning system: frame features, temporal pooling, a caption decoder trained with
teacher forcing, and greedy decoding.

Fill in every function marked TODO and submit this file as video_captioning.py.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics


def encode_frames(encoder, clips: torch.Tensor) -> torch.Tensor:
    """Per-frame features: clips (B, T, H, W) float32 -> (B, T, D), running `encoder` (which takes frames
    (N, 1, H, W) and returns (N, D)) on every frame of every clip, under torch.no_grad()."""
    raise NotImplementedError("encode_frames")  # TODO


def temporal_pool(features: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """One vector per clip from its frame features (B, T, D) and its number of real frames lengths (B,)
    long (frames t >= lengths[b] are padding): concatenate
      mean   = the mean of features[b, :lengths[b]]                                        (D,)
      motion = (features[b, lengths[b] - 1] - features[b, 0]) / (lengths[b] - 1), 0 for a one-frame clip  (D,)
    Returns (B, 2 * D) in the features' dtype."""
    raise NotImplementedError("temporal_pool")  # TODO


def caption_loss(decoder, video, captions, pad_id: int) -> torch.Tensor:
    """Teacher forcing: decoder(video (B, d_video), tokens (B, L-1)) -> logits (B, L-1, V) for the token
    after each position. Feed captions[:, :-1], score against captions[:, 1:], ignore <pad> targets.
    Returns a 0-dim tensor (mean cross-entropy over the real target tokens)."""
    raise NotImplementedError("caption_loss")  # TODO


@torch.no_grad()
def greedy_caption(decoder, video, bos_id: int, eos_id: int, max_len: int) -> list:
    """Greedy decoding for a batch of clip vectors video (B, d_video): start every caption with <bos>,
    append the argmax token at the last position, at most max_len times. Returns, per clip, the list of
    int token ids after <bos> up to (not including) its first <eos>."""
    raise NotImplementedError("greedy_caption")  # TODO


def train_captioner(decoder, video, captions, *, steps, batch_size, lr, generator, pad_id) -> list:
    """Adam(lr) on caption_loss for `steps` steps; each step draws
    rows = torch.randint(len(video), (batch_size,), generator=generator). Returns one float loss per step;
    call log_metrics(step, loss=...) now and then."""
    raise NotImplementedError("train_captioner")  # TODO
