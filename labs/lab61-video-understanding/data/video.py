"""The lab's clips, captions, frame encoder and caption decoder (read-only, public; shared by the harness
inside the sandbox and the checks outside it).

A clip is a short grey-scale video (frames `size` x `size`, values in [0, 1]) of one shape moving one
pixel per frame in one direction; clips have between `min_frames` and `max_frames` real frames and are
padded with zero frames to `max_frames`. Its caption is "a <shape> moves <direction>"."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

SHAPES = ["square", "box", "plus", "bar"]
DIRECTIONS = ["left", "right", "up", "down"]
MOVES = {"left": (0, -1), "right": (0, 1), "up": (-1, 0), "down": (1, 0)}
SPECIALS = ["<pad>", "<bos>", "<eos>"]
VOCAB = SPECIALS + ["a", "moves"] + SHAPES + DIRECTIONS
PAD, BOS, EOS = 0, 1, 2
CAPTION_LEN = 6          # <bos> a SHAPE moves DIRECTION <eos>


def glyph(shape: str) -> np.ndarray:
    """The shape's pixels, a small 0/1 array."""
    if shape == "square":
        return np.ones((3, 3))
    if shape == "box":
        g = np.ones((4, 4))
        g[1:3, 1:3] = 0
        return g
    if shape == "plus":
        g = np.zeros((3, 3))
        g[1, :] = g[:, 1] = 1
        return g
    return np.ones((1, 4))      # bar


def caption_words(shape: str, direction: str) -> list[str]:
    return ["a", shape, "moves", direction]


def encode_caption(words: list[str]) -> list[int]:
    return [BOS] + [VOCAB.index(w) for w in words] + [EOS]


def decode_tokens(ids) -> str:
    return " ".join(VOCAB[int(i)] for i in ids if int(i) not in (PAD, BOS, EOS))


def make_clips(n: int, config: dict, seed: int) -> dict:
    """n clips: frames (n, max_frames, size, size) float32 (zero after each clip's length), lengths (n,)
    long, captions (n, CAPTION_LEN) long token ids, and the shape/direction ids (n,) each."""
    rng = np.random.default_rng(seed)
    size, t_max, t_min = config["size"], config["max_frames"], config["min_frames"]
    frames = np.zeros((n, t_max, size, size), dtype=np.float32)
    lengths = rng.integers(t_min, t_max + 1, size=n)
    shape_ids = rng.integers(0, len(SHAPES), size=n)
    direction_ids = rng.integers(0, len(DIRECTIONS), size=n)
    captions = np.zeros((n, CAPTION_LEN), dtype=np.int64)
    for i in range(n):
        g = glyph(SHAPES[shape_ids[i]])
        dy, dx = MOVES[DIRECTIONS[direction_ids[i]]]
        length = int(lengths[i])
        travel_y, travel_x = dy * (length - 1), dx * (length - 1)
        y_lo, y_hi = max(0, -travel_y), size - g.shape[0] - max(0, travel_y)
        x_lo, x_hi = max(0, -travel_x), size - g.shape[1] - max(0, travel_x)
        y, x = int(rng.integers(y_lo, y_hi + 1)), int(rng.integers(x_lo, x_hi + 1))
        brightness = rng.uniform(0.6, 1.0)
        for t in range(length):
            yy, xx = y + dy * t, x + dx * t
            frames[i, t, yy:yy + g.shape[0], xx:xx + g.shape[1]] = g * brightness
        captions[i] = encode_caption(caption_words(SHAPES[shape_ids[i]], DIRECTIONS[direction_ids[i]]))
    return {"frames": torch.from_numpy(frames), "lengths": torch.from_numpy(lengths.astype(np.int64)),
            "captions": torch.from_numpy(captions), "shape_ids": torch.from_numpy(shape_ids.astype(np.int64)),
            "direction_ids": torch.from_numpy(direction_ids.astype(np.int64))}


class FrameEncoder(nn.Module):
    """The "pre-trained" image encoder (a fixed stand-in): one frame (N, 1, size, size) -> (N, d_frame)."""

    def __init__(self, size: int, d_frame: int):
        super().__init__()
        self.proj = nn.Linear(size * size, d_frame)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.dim() != 4 or images.shape[1] != 1:
            raise ValueError(f"FrameEncoder takes frames (N, 1, H, W), got shape {tuple(images.shape)}")
        return torch.relu(self.proj(images.flatten(1)))


def build_encoder(config: dict) -> FrameEncoder:
    """The same fixed encoder everywhere (seed 0), frozen."""
    gen = torch.Generator().manual_seed(0)
    encoder = FrameEncoder(config["size"], config["d_frame"])
    with torch.no_grad():
        encoder.proj.weight.copy_(torch.randn(encoder.proj.weight.shape, generator=gen) * 0.5)
        encoder.proj.bias.copy_(torch.randn(encoder.proj.bias.shape, generator=gen) * 0.1)
    for p in encoder.parameters():
        p.requires_grad_(False)
    return encoder.eval()


class CaptionDecoder(nn.Module):
    """A GRU language model conditioned on the clip: h0 = tanh(W video). decoder(video (B, d_video),
    tokens (B, L) long) -> logits (B, L, vocab) for the token after each position."""

    def __init__(self, d_video: int, d_model: int, vocab: int = len(VOCAB)):
        super().__init__()
        self.bridge = nn.Sequential(nn.Linear(d_video, d_model), nn.Tanh())
        self.embed = nn.Embedding(vocab, d_model)
        self.gru = nn.GRU(d_model, d_model, batch_first=True)
        self.out = nn.Linear(d_model, vocab)

    def forward(self, video: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        h0 = self.bridge(video).unsqueeze(0)
        states, _ = self.gru(self.embed(tokens), h0)
        return self.out(states)


def build_decoder(config: dict, seed: int) -> CaptionDecoder:
    torch.manual_seed(seed)
    return CaptionDecoder(2 * config["d_frame"], config["d_model"])
