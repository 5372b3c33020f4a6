"""Lab 61 reference solution: frame features, masked temporal pooling with motion, a caption loss with
teacher forcing, greedy decoding and the training loop."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics


def encode_frames(encoder, clips: torch.Tensor) -> torch.Tensor:
    B, T, H, W = clips.shape
    with torch.no_grad():
        features = encoder(clips.reshape(B * T, 1, H, W))
    return features.reshape(B, T, -1)


def temporal_pool(features: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    B, T, D = features.shape
    lengths = lengths.to(features.device)
    mask = (torch.arange(T, device=features.device)[None, :] < lengths[:, None]).to(features.dtype)
    mean = (features * mask[:, :, None]).sum(dim=1) / lengths[:, None].to(features.dtype)
    rows = torch.arange(B, device=features.device)
    first, last = features[:, 0], features[rows, lengths - 1]
    steps = (lengths - 1).clamp(min=1).to(features.dtype)[:, None]
    motion = (last - first) / steps
    return torch.cat([mean, motion], dim=1)


def caption_loss(decoder, video, captions, pad_id: int) -> torch.Tensor:
    logits = decoder(video, captions[:, :-1])
    targets = captions[:, 1:]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=pad_id)


@torch.no_grad()
def greedy_caption(decoder, video, bos_id: int, eos_id: int, max_len: int) -> list:
    B = video.shape[0]
    tokens = torch.full((B, 1), bos_id, dtype=torch.long, device=video.device)
    done = torch.zeros(B, dtype=torch.bool, device=video.device)
    for _ in range(max_len):
        next_token = decoder(video, tokens)[:, -1].argmax(dim=-1)
        next_token = torch.where(done, torch.full_like(next_token, eos_id), next_token)
        tokens = torch.cat([tokens, next_token[:, None]], dim=1)
        done |= next_token == eos_id
        if bool(done.all()):
            break
    captions = []
    for row in tokens[:, 1:].tolist():
        captions.append(row[: row.index(eos_id)] if eos_id in row else row)
    return captions


def train_captioner(decoder, video, captions, *, steps, batch_size, lr, generator, pad_id) -> list:
    optimizer = torch.optim.Adam(decoder.parameters(), lr=lr)
    losses = []
    for step in range(steps):
        rows = torch.randint(len(video), (batch_size,), generator=generator).to(video.device)
        loss = caption_loss(decoder, video[rows], captions[rows], pad_id)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        if step % 25 == 0 or step == steps - 1:
            log_metrics(step, loss=losses[-1])
    return losses
