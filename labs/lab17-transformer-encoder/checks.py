"""Lab 17 checks (outside the sandbox)."""
import numpy as np

from labkit.checks import Verdict, allclose, describe

LAYER_TOL = dict(rtol=1e-6, atol=1e-6)     # float64 layers: only rounding differences
STACK_TOL = dict(rtol=1e-4, atol=1e-4)     # the float32 positional encoding feeds the stack


def _pe_variants(max_len, d_model):
    pos = np.arange(max_len, dtype=np.float64)[:, None]
    cols = np.arange(d_model)
    pair = np.arange(0, d_model, 2)
    angle = pos / 10000.0 ** (pair / d_model)
    halves = np.concatenate([np.sin(angle), np.cos(angle)], axis=1)
    per_col = pos / 10000.0 ** (cols / d_model)
    wrong_exp = np.where(cols % 2 == 0, np.sin(per_col), np.cos(per_col))
    swapped = np.zeros((max_len, d_model))
    swapped[:, 0::2], swapped[:, 1::2] = np.cos(angle), np.sin(angle)
    return {
        "sin in the first half and cos in the second half; the paper interleaves them: even columns 2i get "
        "sin, odd columns 2i+1 get cos": halves,
        "exponent j/d_model for column j; columns 2i and 2i+1 share the frequency 1/10000^(2i/d_model)": wrong_exp,
        "cos in the even columns and sin in the odd ones; it is the other way round": swapped,
    }


def check_pe(got, expected, ctx):
    have, want = np.asarray(got), np.asarray(expected)
    if have.shape != want.shape:
        return Verdict(False, f"positional encoding has shape {have.shape} where {want.shape} (max_len, d_model) "
                              "was expected", describe(want), describe(have))
    verdict = allclose(have, want, rtol=0.0, atol=2e-5)
    if verdict.passed:
        return verdict
    for description, candidate in _pe_variants(*want.shape).items():
        if np.allclose(have, candidate, rtol=0, atol=2e-5):
            verdict.feedback += f" Your encoding puts {description}."
            break
    else:
        row = next((i for i in range(want.shape[0]) if not np.allclose(have[i], want[i], atol=2e-5)), 0)
        verdict.feedback += f" The first wrong position is {row} (row {row} should be sin/cos of {row} / 10000^(2i/d))."
    return verdict


def check_ffn(got, expected, ctx):
    verdict = allclose(got, expected, **LAYER_TOL)
    if not verdict.passed:
        verdict.feedback = "FeedForward output: " + verdict.feedback + " Expected linear2(relu(linear1(x)))."
    return verdict


def check_layer(got, expected, ctx):
    have, want = np.asarray(got), np.asarray(expected)
    if have.shape != want.shape:
        return Verdict(False, f"EncoderLayer output has shape {have.shape} where {want.shape} (batch, seq, d_model) "
                              "was expected", describe(want), describe(have))
    if np.isnan(have).any():
        return Verdict(False, "EncoderLayer output contains NaN: does some row mask every key? nn.MultiheadAttention's "
                              "key_padding_mask is True for keys to IGNORE, so pass ~pad_mask")
    verdict = allclose(have, want, **LAYER_TOL)
    if not verdict.passed:
        verdict.feedback = "EncoderLayer output: " + verdict.feedback
    return verdict


def check_encoder(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "no Encoder output")
    for key, label in (("post_ln", "post-LN Encoder (norm_first=False)"), ("pre_ln", "pre-LN Encoder (norm_first=True)")):
        if key not in expected:
            continue
        have, want = np.asarray(got.get(key)), np.asarray(expected[key])
        if have.shape != want.shape:
            return Verdict(False, f"{label} output has shape {have.shape} where {want.shape} (batch, seq, d_model) "
                                  "was expected", describe(want), describe(have))
        verdict = allclose(have, want, **STACK_TOL)
        if not verdict.passed:
            verdict.feedback = f"{label}: {verdict.feedback}"
            return verdict
    return Verdict(True)


def check_padding_ignored(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "no Encoder output")
    change = got.get("max_change_at_real_tokens")
    if change is None or not np.isfinite(change):
        return Verdict(False, "the encoder output is NaN: a row where every key is hidden. key_padding_mask of "
                              "nn.MultiheadAttention is True for keys to ignore: pass ~pad_mask")
    if change > 1e-9:
        return Verdict(False, f"changing only the PADDED tokens changed the outputs at real tokens by up to "
                              f"{change:.3g}: padded keys are still attended to; pass key_padding_mask=~pad_mask "
                              "to self_attn in every layer")
    real = np.asarray(expected["real"], dtype=bool)
    have, want = np.asarray(got["output"]), np.asarray(expected["output"])
    if have.shape != want.shape:
        return Verdict(False, f"Encoder output has shape {have.shape} where {want.shape} was expected")
    return allclose(have[real], want[real], **STACK_TOL)
