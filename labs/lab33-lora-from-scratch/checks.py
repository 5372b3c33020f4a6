"""Lab 33 checks (outside the sandbox).

The student's LoRA is compared with the reference outputs for the same lora_A / lora_B values, and
tests/labs/test_lab33_lora_peft.py proves that the reference equals Hugging Face peft's LoRA (forward in
eval and train mode, merged weights, trainable count), so agreeing with the reference means agreeing
with peft; peft itself is not imported here because importing it costs seconds per grading process.
The fine-tuning check loads the student's trained weights, merges W + (alpha / r) B A itself and
measures the held-out loss on adjective/animal pairs that never entered the sandbox."""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, allclose, describe

TOL = dict(rtol=1e-5, atol=1e-5)      # float32 logits of size up to ~20
MIN_SHARE_OF_REFERENCE_GAIN = 0.6     # held-out loss gain (base - tuned) relative to the reference's
FINETUNE_R, FINETUNE_ALPHA = 4, 8.0   # harness.FINETUNE
MERGE_TOL = dict(rtol=1e-4, atol=1e-4)  # (W + dW) x versus W x + dW x in float32


def _tinylm(lab_dir: Path):
    name = "lab33_tinylm"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(lab_dir) / "data" / "tinylm.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _torch(value):
    import torch

    return torch.as_tensor(np.asarray(value))


# ------------------------------------------------------------------ helpers

def _compare(what, got, want, tol=TOL) -> Verdict:
    have = np.asarray(got)
    if have.shape != np.asarray(want).shape:
        return Verdict(False, f"{what} has shape {have.shape} where {np.asarray(want).shape} was expected",
                       describe(want), describe(have))
    verdict = allclose(have, want, **tol)
    if not verdict.passed:
        verdict.feedback = f"{what}: {verdict.feedback}"
    return verdict


def _scaling_diagnosis(got_output, base_output, lora_output, r, alpha) -> str:
    """Recognise the classic scaling mistakes from the LoRA part of the output."""
    got_delta = np.asarray(got_output, dtype=np.float64) - base_output
    for factor, text in ((1.0, "no scaling: multiply the LoRA path by alpha / r"),
                         (alpha, "scaling alpha instead of alpha / r"),
                         (r / alpha, "scaling r / alpha instead of alpha / r"),
                         (1.0 / r, "scaling 1 / r instead of alpha / r")):
        if got_delta.shape == lora_output.shape and np.allclose(got_delta, factor * lora_output, rtol=1e-4,
                                                                atol=1e-5):
            return f" Your LoRA contribution equals {text}."
    return ""


# ------------------------------------------------------------------ checks

def check_lora_linear(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or "output" not in got:
        return Verdict(False, "no output from LoRALinear.forward")
    want = np.asarray(expected["output"])
    verdict = _compare("LoRALinear output (eval mode) with the grader's lora_A / lora_B", got["output"], want)
    if not verdict.passed and np.asarray(got["output"]).shape == want.shape:
        x, w, b = (np.asarray(expected[k], dtype=np.float64) for k in ("x", "W", "bias"))
        a, bb = np.asarray(expected["A"], dtype=np.float64), np.asarray(expected["B"], dtype=np.float64)
        base_output = x @ w.T + b
        verdict.feedback += _scaling_diagnosis(got["output"], base_output, x @ a.T @ bb.T,
                                               int(expected["r"]), float(expected["alpha"]))
    return verdict


def check_init(got, expected, ctx) -> Verdict:
    r, alpha, fan_in = int(expected["r"]), float(expected["alpha"]), int(expected["in_features"])
    flags = got.get("grad_flags", {})
    frozen = [k for k in ("base.weight", "base.bias") if flags.get(k)]
    if frozen:
        return Verdict(False, f"{frozen[0]} has requires_grad=True: LoRALinear must freeze the wrapped layer "
                              "(requires_grad_(False) on its weight and bias)")
    if not (flags.get("lora_A") and flags.get("lora_B")):
        return Verdict(False, "lora_A and lora_B must be trainable (requires_grad=True)")
    b = np.asarray(got["B"])
    if np.abs(b).max() != 0:
        return Verdict(False, "lora_B is not zero at initialisation: B must start at 0 so that B A = 0 and the "
                              "wrapped model starts exactly as the pre-trained one",
                       expected="lora_B all zeros", got=describe(b))
    a = np.asarray(got["A"], dtype=np.float64)
    bound = 1.0 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) on (r, in_features)
    if np.abs(a).max() > bound * (1 + 1e-6) or a.std() < 0.3 * bound:
        return Verdict(False, f"lora_A should be drawn like nn.Linear's weights, nn.init.kaiming_uniform_(A, "
                              f"a=math.sqrt(5)): uniform in +-1/sqrt(in_features) = +-{bound:.4f}; got values in "
                              f"[{a.min():.4f}, {a.max():.4f}] with std {a.std():.4f}. If A were 0 too, no gradient "
                              "would ever reach B")
    if not math.isclose(got.get("scaling", float("nan")), alpha / r, rel_tol=1e-9):
        return Verdict(False, f"scaling is {got.get('scaling')} where alpha / r = {alpha} / {r} = {alpha / r} "
                              "was expected")
    return _compare("output at initialisation against the wrapped layer's output (B A = 0 at the start)",
                    got["output"], expected["base_output"])


def _model_outputs(got):
    return isinstance(got, dict) and "eval_logits" in got


def check_model_forward(got, expected, ctx) -> Verdict:
    if not _model_outputs(got):
        return Verdict(False, "no logits from the model wrapped by apply_lora")
    return _compare(f"logits of TinyLM with LoRA on {list(expected['targets'])} (eval mode)",
                    got["eval_logits"], expected["eval_logits"])


def check_model_visible(got, expected, ctx) -> Verdict:
    verdict = check_model_forward(got, expected, ctx)
    return verdict if not verdict.passed else check_count(got, expected, ctx)


def check_dropout(got, expected, ctx) -> Verdict:
    if not _model_outputs(got):
        return Verdict(False, "no logits from the model wrapped by apply_lora")
    ref = expected
    if not _compare("eval logits", got["eval_logits"], ref["eval_logits"]).passed:
        return Verdict(False, "the eval-mode logits already differ from the reference's (see the forward check); fix "
                              "those first")
    verdict = _compare(f"train-mode logits with lora_dropout={expected['dropout']} (same torch seed as the reference)",
                       got["train_logits"], ref["train_logits"])
    if not verdict.passed:
        same_as_eval = np.allclose(got["train_logits"], ref["eval_logits"], **TOL)
        verdict.feedback += (" In train mode your output equals the eval-mode output: no dropout was applied."
                             if same_as_eval else
                             " Apply self.lora_dropout = nn.Dropout(p) to x on the LoRA path only, once per "
                             "forward: base(x) + scaling * (dropout(x) @ A.T @ B.T); not to base(x) nor to the "
                             "LoRA output.")
    return verdict


def check_merge(got, expected, ctx) -> Verdict:
    if not _model_outputs(got) or "merged_weights" not in got:
        return Verdict(False, "no results from merge() / unmerge()")
    ref = expected
    for name, want in ref["merged_weights"].items():
        verdict = _compare(f"{name}.base.weight after merge(): it must be W + (alpha / r) B A",
                           got["merged_weights"].get(name), want, MERGE_TOL)
        if not verdict.passed:
            return verdict
    steps = (("merged_logits", "logits after merge() must equal the unmerged logits (the merged layer must skip "
                               "the LoRA path, or it is added twice)"),
             ("merged_twice_logits", "logits after calling merge() twice: a second merge() must do nothing "
                                     "(keep a merged flag)"),
             ("unmerged_logits", "logits after unmerge() must equal the original LoRA logits"))
    for key, what in steps:
        verdict = _compare(what, got[key], ref["eval_logits"], MERGE_TOL)
        if not verdict.passed:
            return verdict
    for name, want in ref["unmerged_weights"].items():
        verdict = _compare(f"{name}.base.weight after unmerge(): it must be the pre-trained W again",
                           got["unmerged_weights"].get(name), want, MERGE_TOL)
        if not verdict.passed:
            return verdict
    return Verdict(True)


def check_count(got, expected, ctx) -> Verdict:
    if not _model_outputs(got):
        return Verdict(False, "no results from apply_lora")
    want = int(expected["actual_count"])
    r, targets = int(expected["r"]), list(expected["targets"])
    frozen_leak = [n for n in got["trainable"] if not n.endswith(("lora_A", "lora_B"))]
    if frozen_leak:
        return Verdict(False, f"{len(frozen_leak)} pre-trained tensors are still trainable after apply_lora (e.g. "
                              f"{frozen_leak[0]}): freeze EVERY parameter of the model, then add the adapters",
                       expected=f"{want} trainable parameters (only lora_A / lora_B)", got=str(got["actual_count"]))
    if got["actual_count"] != want:
        return Verdict(False, f"the wrapped model has {got['actual_count']} trainable parameters; LoRA with "
                              f"r={r} on {targets} has {want} = sum over wrapped layers of r * (in + out)",
                       expected=str(want), got=str(got["actual_count"]))
    if got["count"] != want:
        return Verdict(False, f"count_trainable_parameters returned {got['count']} but the model has {want} "
                              "trainable parameters: sum p.numel() over parameters with requires_grad",
                       expected=str(want), got=str(got["count"]))
    lora_keys = sorted(n for n in got["trainable"])
    if got["state_keys"] != lora_keys:
        return Verdict(False, "lora_state_dict must hold exactly the lora_A / lora_B tensors (the adapter to save), "
                              f"{len(lora_keys)} entries; got {len(got['state_keys'])} keys",
                       expected=describe(lora_keys[:4]), got=describe(got["state_keys"][:4]))
    return Verdict(True)


# ------------------------------------------------------------------ fine-tuning metric

def _merged_heldout_loss(weights, ctx) -> tuple[float | None, str]:
    """Held-out loss of base + the student's trained adapters, merged by the grader."""
    import torch

    tinylm = _tinylm(ctx.lab_dir)
    model = tinylm.load_base(ctx.lab_dir / "data")
    state = model.state_dict()
    merged = {}
    for key, base_value in state.items():
        module, _, leaf = key.rpartition(".")
        wrapped = f"{module}.base.{leaf}"
        value = weights.get(wrapped, weights.get(key))
        if value is None:
            return None, f"the trained model has no tensor for {key} (nor {wrapped})"
        if not np.array_equal(np.asarray(value), base_value.numpy()):
            return None, (f"the pre-trained weight {key} changed during fine-tuning: only lora_A / lora_B may be "
                          "updated (freeze the base model and give the optimizer only trainable parameters)")
        merged[key] = base_value.clone()
        a, b = weights.get(f"{module}.lora_A"), weights.get(f"{module}.lora_B")
        if leaf == "weight" and a is not None and b is not None:
            merged[key] += (FINETUNE_ALPHA / FINETUNE_R) * (_torch(b) @ _torch(a))
    model.load_state_dict(merged)
    with torch.no_grad():
        loss = tinylm.lm_loss(model, tinylm.HouseStyle(ctx.seed).heldout_ids()).item()
    return loss, ""


def check_finetune(got, expected, ctx) -> Verdict:
    losses = got.get("losses") if isinstance(got, dict) else None
    if not losses or not all(math.isfinite(v) for v in losses):
        return Verdict(False, "fine_tune returned no training losses, or NaN / inf ones")
    loss, problem = _merged_heldout_loss(got["weights"], ctx)
    if loss is None:
        return Verdict(False, problem)
    reference, _ = _merged_heldout_loss(expected["weights"], ctx)
    tinylm = _tinylm(ctx.lab_dir)
    import torch

    with torch.no_grad():
        base = tinylm.lm_loss(tinylm.load_base(ctx.lab_dir / "data"), tinylm.HouseStyle(ctx.seed).heldout_ids()).item()
    needed = base - MIN_SHARE_OF_REFERENCE_GAIN * (base - reference)
    message = (f"held-out loss on unseen adjective/animal pairs: base model {base:.3f}, yours {loss:.3f}, "
               f"reference {reference:.3f} (needed <= {needed:.3f})")
    if loss > needed:
        return Verdict(False, message + ". The adapter barely learned the house style: check that fine_tune "
                       "updates lora_A / lora_B (optimizer over the trainable parameters, zero_grad, backward, "
                       "step) and that B A is scaled by alpha / r", expected=f"<= {needed:.3f}", got=f"{loss:.3f}")
    return Verdict(True, message)
