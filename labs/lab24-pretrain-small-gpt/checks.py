"""Lab 24 custom checks (run outside the sandbox).

check_perplexity loads the weights the student's pretrain produced into the grader's own GPT (same
names, the LM head tied to the token embedding), packs the held-out stories of private/heldout.txt
(they never enter the sandbox) into blocks of the configuration's block_size and measures perplexity.
The bar is relative to the reference trained with the same configuration and seed: the student's
model must win at least MIN_SHARE_OF_GAIN of the reference's improvement over a unigram model (in
nats per token), which holds for the CPU and the GPU sizes alike. On the CPU size the unigram model
scores a perplexity of about 30, the reference about 3.5."""
from __future__ import annotations

import importlib.util
import math
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, allclose, describe

MIN_SHARE_OF_GAIN = 0.6
LOGITS_TOL = dict(rtol=1e-4, atol=1e-4)  # float32 logits of a few layers, different summation orders


@lru_cache(maxsize=1)
def storykit():
    path = Path(__file__).resolve().parent / "data" / "storykit.py"
    spec = importlib.util.spec_from_file_location("lab24_storykit_checks", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ packing

def _stream(documents, eos_id, before=False, separator=True):
    out = []
    for doc in documents:
        if separator and before:
            out.append(eos_id)
        out.extend(doc)
        if separator and not before:
            out.append(eos_id)
    return out


def _diagnose_pack(got: np.ndarray, documents, eos_id: int, block_size: int) -> str:
    candidates = [
        (_stream(documents, eos_id, separator=False), "the documents are concatenated without the <eos> separator: "
                                                       "append eos_id after EVERY document, so the model learns where "
                                                       "a story ends and does not read one story into the next"),
        (_stream(documents, eos_id, before=True), "<eos> is put before each document; put it AFTER each one "
                                                   "(doc_1 <eos> doc_2 <eos> ...)"),
    ]
    flat = got.reshape(-1).tolist()
    for stream, why in candidates:
        if flat == stream[: len(flat)] and len(flat) == len(stream) // block_size * block_size:
            return why
    full = _stream(documents, eos_id)
    if len(flat) > len(full) // block_size * block_size:
        return (f"{got.shape[0]} blocks where {len(full) // block_size} full blocks fit in the {len(full)}-token "
                "stream: drop the incomplete last block (no padding inside a packed block)")
    return "rows must be consecutive slices of the stream doc_1 <eos> doc_2 <eos> ..., block_size tokens each"


def check_pack(got, expected, ctx) -> Verdict:
    have, want = np.asarray(got["blocks"]), np.asarray(expected["blocks"])
    if have.shape == want.shape and np.array_equal(have, want):
        return Verdict(True)
    why = _diagnose_pack(have, expected["documents"], int(expected["eos_id"]), int(expected["block_size"]))
    return Verdict(False, f"blocks of shape {have.shape} where {want.shape} was expected: {why}",
                   describe(want), describe(have))


# ------------------------------------------------------------------ loss

def _nll(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], -1)[..., 0]


def check_loss(got, expected, ctx) -> Verdict:
    value, want = float(got["loss"]), float(expected["loss"])
    if math.isclose(value, want, rel_tol=1e-5, abs_tol=1e-6):
        return Verdict(True)
    logits, ids = np.asarray(expected["logits"]), np.asarray(expected["ids"])
    diagnoses = [
        (_nll(logits, ids).mean(), "logits[:, t] are scored against ids[:, t], the token the model already sees: "
                                   "the target of position t is the NEXT token, ids[:, t + 1] (drop the last "
                                   "position of the logits and the first of the ids)"),
        (_nll(logits[:, 1:], ids[:, :-1]).mean(), "the shift goes the wrong way: score logits[:, :-1] against "
                                                  "ids[:, 1:]"),
        (_nll(logits[:, :-1], ids[:, 1:]).sum(), "the loss is a sum: take the mean over the predicted tokens"),
    ]
    message = f"causal_lm_loss returned {value:.6f} where {want:.6f} was expected"
    for candidate, why in diagnoses:
        if math.isclose(value, float(candidate), rel_tol=1e-5, abs_tol=1e-6):
            return Verdict(False, f"{message}: {why}", expected=f"{want:.6f}", got=f"{value:.6f}")
    return Verdict(False, message + ": the mean cross-entropy of logits[:, :-1] against ids[:, 1:]",
                   expected=f"{want:.6f}", got=f"{value:.6f}")


# ------------------------------------------------------------------ model

def _unique_parameters(spec: dict) -> int:
    v, d, t, layers = spec["vocab_size"], spec["d_model"], spec["block_size"], spec["n_layers"]
    per_block = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d)
    return v * d + t * d + layers * per_block + 2 * d


def check_tying(got, expected, ctx) -> Verdict:
    spec, want = expected["spec"], _unique_parameters(expected["spec"])
    if not got["tied"]:
        untied = want + spec["vocab_size"] * spec["d_model"]
        extra = " (a separate lm_head matrix)" if got["parameters"] == untied else ""
        return Verdict(False, f"lm_head.weight is not the token embedding's weight: the model has "
                              f"{got['parameters']} parameters{extra} where a tied model has {want}. After building "
                              "the layers, set self.lm_head.weight = self.wte.weight so both are ONE Parameter",
                       expected=f"{want} parameters, lm_head.weight is wte.weight",
                       got=f"{got['parameters']} parameters")
    if got["parameters"] != want:
        return Verdict(False, f"the model has {got['parameters']} parameters where {want} were expected for "
                              f"{spec}: check that lm_head has no bias", expected=str(want),
                       got=str(got["parameters"]))
    return Verdict(True)


def _forward_variants(expected) -> dict[str, np.ndarray]:
    """The grader's model with one classic slip each, on the check's weights and full-block ids."""
    import torch

    model = grader_gpt(expected["spec"])
    state = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in expected["weights"].items()}
    model.load_state_dict({**state, "lm_head.weight": state["wte.weight"]})
    model.eval()
    ids = torch.from_numpy(np.asarray(expected["ids"]))
    with torch.no_grad():
        without_positions = model.wte(ids)
        for block in model.blocks:
            without_positions = block(without_positions)
        without_ln_f = model.wte(ids) + model.wpe(torch.arange(ids.shape[1]))
        for block in model.blocks:
            without_ln_f = block(without_ln_f)
        return {"the position embeddings are not added: x = wte(ids) + wpe(arange(T)) before the first block":
                model.lm_head(model.ln_f(without_positions)).numpy(),
                "the final LayerNorm ln_f is missing between the last block and lm_head":
                model.lm_head(without_ln_f).numpy()}


def check_model_forward(got, expected, ctx) -> Verdict:
    for key, what in (("logits", f"logits for a full block of {expected['spec']['block_size']} tokens"),
                      ("short_logits", "logits for a sequence shorter than block_size")):
        have = np.asarray(got[key])
        verdict = allclose(have, np.asarray(expected[key]), **LOGITS_TOL)
        if verdict.passed:
            continue
        why = ("forward = lm_head(ln_f(blocks(wte(ids) + wpe(0..T-1)))), with every Block applied in order and the "
               "final LayerNorm before the head")
        if key == "logits":
            for slip, logits in _forward_variants(expected).items():
                if logits.shape == have.shape and np.allclose(have, logits, **LOGITS_TOL):
                    why = slip
                    break
        verdict.feedback = f"{what} differ from the expected ones with the grader's weights: {verdict.feedback}. {why}"
        return verdict
    return Verdict(True)


def check_model_visible(got, expected, ctx) -> Verdict:
    verdict = check_tying(got, expected, ctx)
    return verdict if not verdict.passed else check_model_forward(got, expected, ctx)


# ------------------------------------------------------------------ held-out perplexity

def grader_gpt(spec: dict):
    """The grader's own TinyGPT with the README's names, the LM head tied to the token embedding."""
    import torch
    from torch import nn

    kit = storykit()

    class GraderGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(spec["vocab_size"], spec["d_model"])
            self.wpe = nn.Embedding(spec["block_size"], spec["d_model"])
            self.blocks = nn.ModuleList(kit.Block(spec["d_model"], spec["n_heads"]) for _ in range(spec["n_layers"]))
            self.ln_f = nn.LayerNorm(spec["d_model"])
            self.lm_head = nn.Linear(spec["d_model"], spec["vocab_size"], bias=False)
            self.lm_head.weight = self.wte.weight

        def forward(self, ids):
            x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
            for block in self.blocks:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    return GraderGPT()


@lru_cache(maxsize=8)
def heldout_blocks(private_dir: str, block_size: int):
    import torch

    kit = storykit()
    vocab = kit.vocabulary()
    stream = []
    for document in kit.read_documents(Path(private_dir) / "heldout.txt"):
        stream += kit.encode(document, vocab) + [vocab.index(kit.EOS)]
    n = len(stream) // block_size
    return torch.tensor(stream[: n * block_size]).view(n, block_size)


def heldout_loss(weights: dict, spec: dict, private_dir: Path) -> float:
    """Mean next-token loss (nats) over the held-out blocks."""
    import torch
    import torch.nn.functional as F

    model = grader_gpt(spec)
    state = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in weights.items()}
    state["lm_head.weight"] = state.get("wte.weight")
    model.load_state_dict(state)
    model.eval()
    blocks = heldout_blocks(str(private_dir), spec["block_size"])
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(blocks), 64):
            batch = blocks[start:start + 64]
            logits = model(batch)[:, :-1]
            total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1),
                                           reduction="sum"))
            count += batch[:, 1:].numel()
    return total / count


def unigram_loss(private_dir: Path, spec: dict) -> float:
    """Loss of the best context-free model (held-out token frequencies, add-one): the bar to beat."""
    blocks = heldout_blocks(str(private_dir), spec["block_size"])
    counts = np.bincount(blocks[:, 1:].reshape(-1).numpy(), minlength=spec["vocab_size"]) + 1.0
    probs = counts / counts.sum()
    return float(-(counts - 1) @ np.log(probs) / (counts - 1).sum())


def check_perplexity(got, expected, ctx) -> Verdict:
    losses = got.get("losses") or []
    if not losses or not all(math.isfinite(v) for v in losses):
        return Verdict(False, "pretrain returned no training losses, or NaN / inf ones")
    spec = expected["spec"]  # the configuration of this size, from the reference run
    weights = got["weights"]
    if "wte.weight" in weights and "lm_head.weight" in weights and not np.array_equal(
            np.asarray(weights["wte.weight"]), np.asarray(weights["lm_head.weight"])):
        return Verdict(False, "after pre-training lm_head.weight differs from wte.weight: the head is not tied to the "
                              "token embedding (self.lm_head.weight = self.wte.weight)")
    try:
        loss = heldout_loss(weights, spec, ctx.private_dir)
    except (RuntimeError, ValueError, TypeError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0][:300]
        return Verdict(False, f"the trained weights do not load into the README's TinyGPT: {first}")
    reference = heldout_loss(expected["weights"], spec, ctx.private_dir)
    unigram = unigram_loss(ctx.private_dir, spec)
    needed = unigram - MIN_SHARE_OF_GAIN * (unigram - reference)
    message = (f"held-out perplexity {math.exp(loss):.2f} (reference {math.exp(reference):.2f}, unigram model "
               f"{math.exp(unigram):.2f}, needed <= {math.exp(needed):.2f})")
    if not loss <= needed:
        return Verdict(False, message + ". Check that the loss predicts the NEXT token, that every step runs "
                                        "zero_grad, backward, clipping and optimizer.step, that the learning rate "
                                        "warms up then decays, and that the weights are initialised small "
                                        "(N(0, 0.02)) so the tied head starts near uniform",
                       expected=f"perplexity <= {math.exp(needed):.2f}", got=f"{math.exp(loss):.2f}")
    return Verdict(True, message)
