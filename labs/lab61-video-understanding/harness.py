"""Lab 61 harness (inside the sandbox): the student's frame encoding and masked temporal pooling on
seeded clips, the teacher-forced caption loss and greedy decoding with fixed decoders, and a training run
whose decoder weights checks.py uses to caption held-out clips that never enter the sandbox."""
from __future__ import annotations

import importlib.util
import random
import sys

import torch

from labkit.harness import case


def _video(ctx):
    if "video" not in sys.modules:
        spec = importlib.util.spec_from_file_location("video", ctx.data_dir / "video.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["video"] = module
        spec.loader.exec_module(module)
    return sys.modules["video"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _tensor(value, what: str, shape=None) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"{what} returned shape {tuple(value.shape)} where {tuple(shape)} was expected")
    return value.detach().cpu().clone()


# ----------------------------------------------------------------- frame features

@case
def encode(student, ctx):
    video = _video(ctx)
    config = dict(ctx.config)
    if ctx.visible:
        n = 3
    else:
        rng = _rng(ctx, "encode")
        n = rng.randint(3, 6)
        config.update(size=rng.choice([10, 12]), d_frame=rng.choice([16, 24, 48]), max_frames=rng.randint(4, 7))
        config["min_frames"] = min(config["min_frames"], config["max_frames"])
    clips = video.make_clips(n, config, ctx.seed)
    encoder = video.build_encoder(config)
    ctx.show(encode=f"encode_frames(FrameEncoder({config['size']}x{config['size']} -> {config['d_frame']}), clips "
                    f"{tuple(clips['frames'].shape)} (batch, frames, height, width))")
    features = student.encode_frames(encoder, clips["frames"])
    B, T = clips["frames"].shape[:2]
    return {"features": _tensor(features, "encode_frames", shape=(B, T, config["d_frame"])),
            "frames": clips["frames"], "config": config}


# ----------------------------------------------------------------- temporal pooling

@case
def pool(student, ctx):
    gen = torch.Generator().manual_seed(ctx.seed)
    if ctx.visible:
        B, T, D = 3, 5, 4
        lengths = torch.tensor([5, 3, 2])
        features = torch.arange(B * T * D, dtype=torch.float32).reshape(B, T, D) % 7
        dtype = torch.float32
    else:
        rng = _rng(ctx, "pool")
        B, T, D = rng.randint(3, 7), rng.randint(4, 9), rng.randint(3, 12)
        lengths = torch.tensor([T, 1] + [rng.randint(1, T) for _ in range(B - 2)])
        dtype = rng.choice([torch.float32, torch.float64])
        features = torch.randn((B, T, D), generator=gen, dtype=dtype)
    for b in range(B):                          # padding frames hold whatever: they must not count
        features[b, int(lengths[b]):] = 9.0
    ctx.show(pool=f"temporal_pool(features {tuple(features.shape)} {dtype}, lengths {lengths.tolist()}); frames "
                  "after each clip's length are padding (here filled with 9.0)")
    pooled = student.temporal_pool(features.clone(), lengths)
    pooled = _tensor(pooled, "temporal_pool", shape=(B, 2 * D))
    if pooled.dtype != dtype:
        raise TypeError(f"temporal_pool returned {pooled.dtype} for {dtype} features: keep the features' dtype")
    return {"pooled": pooled, "features": features, "lengths": lengths}


# ----------------------------------------------------------------- caption loss and greedy decoding

def _fixed_decoder(ctx, d_video, d_model, eos_bias=0.0):
    video = _video(ctx)
    torch.manual_seed(ctx.seed + 1)
    decoder = video.CaptionDecoder(d_video, d_model)
    with torch.no_grad():
        decoder.out.weight.mul_(6.0)
        decoder.bridge[0].weight.mul_(3.0)
        decoder.out.bias[video.EOS] += eos_bias
    return decoder


@case
def loss(student, ctx):
    video = _video(ctx)
    rng = _rng(ctx, "loss")
    gen = torch.Generator().manual_seed(ctx.seed + 2)
    B, d_video = rng.randint(3, 7), rng.choice([8, 16])
    decoder = _fixed_decoder(ctx, d_video, 16)
    vids = torch.randn((B, d_video), generator=gen)
    L = rng.randint(5, 8)
    captions = torch.full((B, L), video.PAD, dtype=torch.long)
    for b in range(B):                          # captions of different lengths, padded after <eos>
        n_words = rng.randint(1, L - 2)
        words = torch.randint(3, len(video.VOCAB), (n_words,), generator=gen)
        captions[b, : n_words + 2] = torch.cat([torch.tensor([video.BOS]), words, torch.tensor([video.EOS])])
    value = student.caption_loss(decoder, vids, captions, video.PAD)
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        raise TypeError("caption_loss must return a 0-dim tensor (the mean cross-entropy over real target tokens)")
    has_graph = value.requires_grad
    if has_graph:
        value.backward()
    with_grad = sum(1 for p in decoder.parameters() if p.grad is not None and float(p.grad.abs().sum()) > 0)
    return {"loss": float(value.detach()), "has_graph": has_graph, "with_grad": with_grad,
            "n_params": len(list(decoder.parameters())), "captions": captions}


@case
def decode(student, ctx):
    video = _video(ctx)
    rng = _rng(ctx, "decode")
    gen = torch.Generator().manual_seed(ctx.seed + 3)
    B, d_video, max_len = rng.randint(6, 10), 16, rng.randint(5, 8)
    decoder = _fixed_decoder(ctx, d_video, 16, eos_bias=rng.uniform(0.0, 1.0))
    vids = torch.randn((B, d_video), generator=gen)
    out = student.greedy_caption(decoder, vids, video.BOS, video.EOS, max_len)
    if not isinstance(out, list) or len(out) != B:
        raise TypeError(f"greedy_caption must return a list of {B} token-id lists, got {type(out).__name__}")
    rows = []
    for row in out:
        if isinstance(row, torch.Tensor):
            row = row.tolist()
        if not isinstance(row, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in row):
            raise TypeError("greedy_caption must return, per clip, a list of int token ids")
        rows.append(list(row))
    return {"captions": rows, "max_len": max_len}


# ----------------------------------------------------------------- training (judged outside)

@case
def training(student, ctx):
    video = _video(ctx)
    config = dict(ctx.config)
    clips = video.make_clips(config["n_train"], config, ctx.seed)
    encoder = video.build_encoder(config)
    ctx.show(training=f"{config['n_train']} clips of up to {config['max_frames']} frames "
                      f"({config['size']}x{config['size']}): encode_frames -> temporal_pool -> train_captioner("
                      f"CaptionDecoder(d_model={config['d_model']}), {config['steps']} steps of {config['batch_size']}, "
                      f"Adam(lr={config['lr']})); then the grader captions held-out clips with your decoder")
    features = _tensor(student.encode_frames(encoder, clips["frames"]), "encode_frames",
                       shape=(config["n_train"], config["max_frames"], config["d_frame"]))
    pooled = _tensor(student.temporal_pool(features, clips["lengths"]), "temporal_pool",
                     shape=(config["n_train"], 2 * config["d_frame"]))
    decoder = video.build_decoder(config, ctx.seed)
    losses = student.train_captioner(decoder, pooled, clips["captions"], steps=config["steps"],
                                     batch_size=config["batch_size"], lr=config["lr"],
                                     generator=torch.Generator().manual_seed(ctx.seed), pad_id=video.PAD)
    if not isinstance(losses, (list, tuple)) or len(losses) != config["steps"]:
        raise TypeError(f"train_captioner must return one loss per step ({config['steps']} floats)")
    return {"config": config, "losses": [float(v) for v in losses],
            "weights": {n: p.detach().float().cpu().clone() for n, p in decoder.state_dict().items()}}
