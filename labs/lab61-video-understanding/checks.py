"""Lab 61 checks (outside the sandbox).

Frame features, pooling, the caption loss and greedy decoding are compared with the reference run on the
same inputs. The captioning metric is computed here: held-out clips are generated with a salt kept in
private/ (they and their captions never enter the sandbox), encoded with the lab's frame encoder, pooled
and greedily decoded by the grader's own code with the student's trained decoder weights, and the captions
compared word for word with the true ones. Nothing the student's code reports about quality is trusted."""
from __future__ import annotations

import importlib.util
import json
import math
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, describe

LAB = Path(__file__).resolve().parent
MIN_ACCURACY = 0.85     # exact-match captions on held-out clips


def tolerance(dtype) -> dict:
    return dict(rtol=1e-10, atol=1e-12) if np.dtype(dtype) == np.float64 else dict(rtol=1e-5, atol=1e-6)


@lru_cache(maxsize=1)
def video():
    spec = importlib.util.spec_from_file_location("lab61_video", LAB / "data" / "video.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def one_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# ------------------------------------------------------------------ frame features

def check_encode(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "encode_frames returned nothing usable")
    have, want = np.asarray(got["features"]), np.asarray(expected["features"])
    if np.allclose(have, want, **tolerance(want.dtype)):
        return Verdict(True)
    B, T = want.shape[:2]
    # Which (clip, frame) does each of the student's rows really come from?
    flat = want.reshape(B * T, -1)
    for b in range(B):
        for t in range(T):
            match = np.where(np.all(np.isclose(flat, have[b, t], rtol=1e-4, atol=1e-5), axis=1))[0]
            if np.allclose(have[b, t], want[b, t], rtol=1e-4, atol=1e-5):
                continue
            if len(match):
                src = int(match[0])
                return Verdict(False, f"features[{b}, {t}] are the features of clip {src // T}, frame {src % T}: the "
                                      "frames of different clips got mixed. Flatten with clips.reshape(B * T, 1, H, W) "
                                      "(batch first, then time) and undo it with .reshape(B, T, D)",
                               describe(want[b, t]), describe(have[b, t]))
            return Verdict(False, f"features[{b}, {t}] are not the encoder's output for clip {b}, frame {t}: run the "
                                  "encoder on every frame as a (1, H, W) image", describe(want[b, t]),
                           describe(have[b, t]))
    return Verdict(False, "the frame features differ from the encoder's", describe(want), describe(have))


# ------------------------------------------------------------------ temporal pooling

def check_pool(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "temporal_pool returned nothing usable")
    have, want = np.asarray(got["pooled"]), np.asarray(expected["pooled"])
    features, lengths = np.asarray(expected["features"], np.float64), np.asarray(expected["lengths"])
    B, T, D = features.shape
    tol = tolerance(want.dtype)
    for b in range(B):
        n = int(lengths[b])
        if not np.allclose(have[b, :D], want[b, :D], **tol):
            padded = np.allclose(have[b, :D], features[b].mean(axis=0), rtol=1e-4, atol=1e-5)
            return Verdict(False, f"clip {b} (length {n} of {T} frames): the mean part "
                                  + ("averages the padding frames too: average only the first lengths[b] frames "
                                     "(a mask of t < length, divided by the length)" if padded else
                                     "is not the mean of the clip's real frames"),
                           describe(want[b, :D]), describe(have[b, :D]))
        if not np.allclose(have[b, D:], want[b, D:], **tol):
            if np.allclose(have[b, D:], features[b, :n].max(axis=0), rtol=1e-4, atol=1e-5) and n > 1:
                why = ("that is the max over the frames: max pooling, like the mean, ignores the ORDER of the frames "
                       "and cannot tell left from right; motion = (features[b, lengths[b] - 1] - features[b, 0]) "
                       "/ (lengths[b] - 1)")
            elif n == 1:
                why = "a clip of one frame has no motion: its motion features are 0 (do not divide by 0)"
            elif np.allclose(have[b, D:], (features[b, -1] - features[b, 0]) / (T - 1), rtol=1e-4, atol=1e-5):
                why = "that uses the last PADDED frame: use frame lengths[b] - 1, the clip's own last frame"
            elif np.allclose(have[b, D:], features[b, n - 1] - features[b, 0], rtol=1e-4, atol=1e-5):
                why = "divide the change by the number of steps, lengths[b] - 1 (the mean of the frame differences)"
            else:
                why = "motion = (features[b, lengths[b] - 1] - features[b, 0]) / (lengths[b] - 1)"
            return Verdict(False, f"clip {b} (length {n} of {T} frames): the motion part is wrong: {why}",
                           describe(want[b, D:]), describe(have[b, D:]))
    return Verdict(True)


# ------------------------------------------------------------------ caption loss

def check_loss(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "caption_loss returned nothing usable")
    have, want = got["loss"], expected["loss"]
    if not math.isclose(have, want, rel_tol=1e-5, abs_tol=1e-6):
        return Verdict(False, f"caption_loss is {have:.6g} where {want:.6g} was expected: feed captions[:, :-1], "
                              "predict captions[:, 1:] (each position predicts the NEXT token), and ignore the "
                              "<pad> targets (cross_entropy(..., ignore_index=pad_id)) so the mean is over real "
                              "tokens only", f"{want:.6g}", f"{have:.6g}")
    if not got["has_graph"] or got["with_grad"] < got["n_params"] - 1:
        return Verdict(False, "the loss does not carry gradients to the decoder: do not run it under torch.no_grad()")
    return Verdict(True)


# ------------------------------------------------------------------ greedy decoding

def check_decode(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "greedy_caption returned nothing usable")
    eos = video().EOS
    for b, (have, want) in enumerate(zip(got["captions"], expected["captions"])):
        if have != want:
            if eos in have:
                why = "the <eos> token is part of the caption: stop before it and leave it out"
            elif len(have) > len(want) and have[: len(want)] == want:
                why = "decoding went on after <eos>: each clip's caption ends at its first <eos>"
            elif len(have) < len(want) and want[: len(have)] == have:
                why = f"decoding stopped early: go on until <eos> or max_len = {expected['max_len']} new tokens"
            else:
                why = "take the argmax of the logits at the LAST position each step and append it to the input"
            return Verdict(False, f"caption {b}: {have} where {want} was expected: {why}", describe(want),
                           describe(have))
    return Verdict(True)


# ------------------------------------------------------------------ captions on held-out clips, judged here

def _heldout(ctx, config):
    salt = json.loads((ctx.private_dir / "heldout.json").read_text())
    return video().make_clips(salt["clips"], config, ctx.seed * 7919 + salt["stream_salt"])


def grader_captions(weights: dict, config: dict, clips) -> list:
    """The grader's own pipeline: encoder -> masked mean + motion -> greedy decoding with the weights."""
    import torch

    v = video()
    decoder = v.build_decoder(config, 0)
    decoder.load_state_dict({k: torch.as_tensor(np.asarray(w, dtype=np.float32)) for k, w in weights.items()})
    decoder.eval()
    frames, lengths = clips["frames"], clips["lengths"]
    B, T, H, W = frames.shape
    with torch.no_grad(), one_thread():
        feats = v.build_encoder(config)(frames.reshape(B * T, 1, H, W)).reshape(B, T, -1)
        mask = (torch.arange(T)[None, :] < lengths[:, None]).float()
        mean = (feats * mask[:, :, None]).sum(1) / lengths[:, None].float()
        last = feats[torch.arange(B), lengths - 1]
        motion = (last - feats[:, 0]) / (lengths - 1).clamp(min=1).float()[:, None]
        vids = torch.cat([mean, motion], dim=1)
        tokens = torch.full((B, 1), v.BOS, dtype=torch.long)
        for _ in range(v.CAPTION_LEN):
            tokens = torch.cat([tokens, decoder(vids, tokens)[:, -1].argmax(-1, keepdim=True)], dim=1)
    out = []
    for row in tokens[:, 1:].tolist():
        out.append(row[: row.index(v.EOS)] if v.EOS in row else row)
    return out


def _score(weights, config, clips) -> tuple[float, float, float, list[str]]:
    v = video()
    got = grader_captions(weights, config, clips)
    want = [row[1:-1] for row in clips["captions"].tolist()]
    exact = float(np.mean([g == w for g, w in zip(got, want)]))
    shape = float(np.mean([len(g) > 1 and g[1] == w[1] for g, w in zip(got, want)]))
    direction = float(np.mean([len(g) > 3 and g[3] == w[3] for g, w in zip(got, want)]))
    examples = [f"'{v.decode_tokens(w)}' -> '{v.decode_tokens(g)}'" for g, w in zip(got, want) if g != w][:3]
    return exact, shape, direction, examples


def check_captions(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "train_captioner returned nothing usable")
    config = expected["config"]
    if not all(math.isfinite(x) for x in got["losses"]):
        return Verdict(False, "the training loss became nan/inf")
    clips = _heldout(ctx, config)
    try:
        exact, shape, direction, examples = _score(got["weights"], config, clips)
    except (KeyError, RuntimeError, ValueError) as exc:
        return Verdict(False, f"the trained weights do not fit the lab's CaptionDecoder ({exc})")
    ref = _score(expected["weights"], config, clips)[0]
    need = min(MIN_ACCURACY, ref - 0.1)
    summary = (f"{exact:.0%} of {len(clips['lengths'])} held-out clips captioned exactly (reference {ref:.0%}, "
               f"needed {need:.0%}); shape right {shape:.0%}, direction right {direction:.0%}")
    if exact < need:
        pooled, ref_pooled = (ctx.outputs or {}).get("pool"), (ctx.reference or {}).get("pool")
        pool_differs = (isinstance(pooled, dict) and isinstance(ref_pooled, dict) and not np.allclose(
            np.asarray(pooled["pooled"], np.float64), np.asarray(ref_pooled["pooled"], np.float64), rtol=1e-4,
            atol=1e-5))
        if pool_differs:
            advice = ("your temporal_pool does not give the documented vector (see the pool checks), and the grader "
                      "captions held-out clips from the documented one (mean + motion): a decoder trained on other "
                      "features misreads them. Note that a mean or a max over frames ignores their order")
        elif shape >= 0.8 and direction < 0.75:
            advice = ("the shapes are right but not the directions: a plain mean over frames cannot tell left from "
                      "right (it ignores the order); the motion half of temporal_pool carries the direction")
        else:
            advice = ("check that every clip's features stay its own (encode_frames), that padding frames are "
                      "ignored (temporal_pool), and that the loss predicts the next token")
        return Verdict(False, f"{summary}: {advice}. Wrong captions, e.g. " + "; ".join(examples),
                       f">= {need:.0%}", f"{exact:.0%}")
    return Verdict(True, summary)
