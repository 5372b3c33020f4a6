"""Lab 45 checks (outside the sandbox). Quantized integers are compared exactly, except where x / scale
sits within 1e-3 of a rounding boundary (float summation order may then flip it by one step); accuracies
are computed here from the predictions and weights the harness returns, with labels from private/."""
from __future__ import annotations

import importlib.util
import sys

import numpy as np

from labkit.checks import Verdict

FLOAT_TOL = dict(rtol=1e-5, atol=1e-8)
PTQ_MAX_DROP = {(8, 8): 0.005, (4, 8): 0.01, (8, 4): 0.015, (4, 4): 0.02}
QAT_MAX_DROP = 0.10           # 2-bit per-tensor weights after QAT: within 10 points (plain PTQ loses 37,
                              # the reference's QAT 1.5-4.5 over the whole seed bank)


def _tinymlp(ctx):
    if "tinymlp_checks" not in sys.modules:
        spec = importlib.util.spec_from_file_location("tinymlp_checks", ctx.lab_dir / "data" / "tinymlp.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["tinymlp_checks"] = module
        spec.loader.exec_module(module)
    return sys.modules["tinymlp_checks"]


def _labels(ctx):
    return np.load(ctx.private_dir / "test_y.npy")


def _float_accuracy(ctx) -> float:
    from safetensors.numpy import load_file

    tinymlp = _tinymlp(ctx)
    weights = load_file(str(ctx.lab_dir / "data" / "mlp.safetensors"))
    x = np.load(ctx.lab_dir / "data" / "test_x.npy")
    return float((tinymlp.numpy_forward(weights, x).argmax(1) == _labels(ctx)).mean())


def _ints(got_q, want_q, x, scale, zero_point, label) -> str | None:
    got_q, want_q = np.asarray(got_q).astype(np.int64), np.asarray(want_q).astype(np.int64)
    if got_q.shape != want_q.shape:
        return f"{label}: q has shape {got_q.shape} where {want_q.shape} was expected"
    wrong = got_q != want_q
    if not wrong.any():
        return None
    ratio = np.asarray(x, dtype=np.float64) / np.asarray(scale, dtype=np.float64)
    boundary = np.abs(np.abs(ratio - np.floor(ratio)) - 0.5) < 1e-3
    real = wrong & ~(boundary & (np.abs(got_q - want_q) <= 1))
    if not real.any():
        return None
    index = tuple(int(i) for i in np.argwhere(real)[0])
    zp = "" if zero_point is None else f", zero_point {np.asarray(zero_point).ravel()[:4].tolist()}"
    return (f"{label}: {real.sum()} of {real.size} quantized values differ, e.g. at {index}: x = "
            f"{float(np.asarray(x)[index]):.6g} gave q = {int(got_q[index])}, expected {int(want_q[index])} "
            f"(expected scale {np.asarray(scale).ravel()[:4].tolist()}{zp})")


def _scalar(value) -> int:
    return int(np.asarray(value).reshape(-1)[0])


def _close(got, want, label) -> str | None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return f"{label}: shape {got.shape} where {want.shape} was expected"
    if not np.allclose(got, want, **FLOAT_TOL):
        index = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(got - want))), got.shape)) if got.ndim else ()
        return f"{label}: {got[index]:.6g} where {want[index]:.6g} was expected" + (f" (at {index})" if index else "")
    return None


def _quantizer_runs(got, expected, zero_point: bool) -> Verdict:
    pairs = list(zip(got["runs"], expected["runs"]))
    if "round_trip" in expected:
        pairs.append((got["round_trip"], expected["round_trip"]))
    for g, e in pairs:
        label = e["label"]
        problem = _close(g["scale"], e["scale"], f"{label}: scale")
        if not problem and zero_point and not np.array_equal(np.asarray(g["zero_point"]), np.asarray(e["zero_point"])):
            problem = (f"{label}: zero_point {np.asarray(g['zero_point']).ravel()[:4].tolist()} where "
                       f"{np.asarray(e['zero_point']).ravel()[:4].tolist()} was expected")
        if not problem:
            problem = _ints(g["q"], e["q"], e["x"], e["scale"], e.get("zero_point"), label)
        if not problem:
            problem = _close(g["deq"], e["deq"], f"dequantize after {label}")
        if problem:
            return Verdict(False, problem)
    if "round_trip" in expected:
        trip = got["round_trip"]
        if not np.array_equal(np.asarray(trip["deq"]), np.asarray(expected["round_trip"]["x"])):
            return Verdict(False, f"{expected['round_trip']['label']}: values already on the quantization grid do not "
                                  "come back exactly from dequantize(quantize(x))")
    return Verdict(True)


def check_absmax(got, expected, ctx):
    return _quantizer_runs(got, expected, zero_point=False)


def check_zeropoint(got, expected, ctx):
    return _quantizer_runs(got, expected, zero_point=True)


def check_pack(got, expected, ctx):
    if not np.array_equal(np.asarray(got["packed"]), np.asarray(expected["packed"])):
        q, packed = np.asarray(expected["q"]), np.asarray(got["packed"])
        return Verdict(False, f"pack_int4: bytes {packed.ravel()[:4].tolist()} for q {q.ravel()[:8].tolist()}; expected "
                              f"{np.asarray(expected['packed']).ravel()[:4].tolist()} (element 2i in the low nibble, "
                              "2i+1 in the high nibble)")
    if not np.array_equal(np.asarray(got["unpacked"]), np.asarray(expected["q"])):
        return Verdict(False, "unpack_int4(pack_int4(q)) does not give q back")
    return Verdict(True)


def check_fake_quant(got, expected, ctx):
    for g, e in zip(got, expected):
        problem = _close(g["out"], e["out"], f"fake_quantize ({e['kind']}, qmin={e['qmin']}, qmax={e['qmax']}) values")
        if problem:
            return Verdict(False, problem)
        g_grad, e_grad = np.asarray(g["grad"]), np.asarray(e["grad"])
        if not np.allclose(g_grad, e_grad, rtol=1e-6, atol=1e-7):
            if not np.abs(g_grad).any():
                return Verdict(False, f"fake_quantize ({e['kind']}): the gradient reaching x is zero everywhere: "
                                      "round() has zero gradient, so the straight-through estimator must pass it through")
            clipped = (np.asarray(e_grad) == 0) & (np.abs(g_grad) > 0)
            if clipped.any():
                return Verdict(False, f"fake_quantize ({e['kind']}): gradient flows through {int(clipped.sum())} values "
                                      "that were clipped to qmin/qmax; it must be zero there")
            return Verdict(False, f"fake_quantize ({e['kind']}): the gradient differs from the straight-through "
                                  "estimator's (the upstream gradient where qmin <= round(x/scale)+zp <= qmax, else 0)")
    return Verdict(True)


def check_calibration(got, expected, ctx):
    for name, want in expected["ranges"].items():
        have = got["ranges"].get(name)
        if have is None or not np.allclose(have, want, rtol=1e-6, atol=1e-7):
            return Verdict(False, f"calibrate over {expected['n_batches']} batches: layer {name!r} range {have} where "
                                  f"{want} (the min and max of its input over ALL batches) was expected")
    return Verdict(True)


def check_ptq(got, expected, ctx):
    w_bits, a_bits = expected["w_bits"], expected["a_bits"]
    for name, want in expected["layers"].items():
        have = got["layers"][name]
        if np.asarray(have["act_scale"]).size != 1:
            return Verdict(False, f"layer {name!r}: act_scale must be one number per layer (per-tensor activations)")
        problem = _close(have["weight_scale"], want["weight_scale"], f"layer {name!r}: weight_scale (per output channel)")
        if not problem:
            problem = _ints(have["weight_q"], want["weight_q"], np.zeros(np.asarray(want["weight_q"]).shape),
                            np.ones(1), None, f"layer {name!r}: weight_q ({w_bits}-bit absmax per output channel)")
        if not problem:
            problem = _close(np.asarray(have["act_scale"]).reshape(()), np.asarray(want["act_scale"]).reshape(()), f"layer {name!r}: act_scale (from its calibrated range)")
        if not problem and np.asarray(have["act_zero_point"]).size != 1:
            problem = f"layer {name!r}: act_zero_point must be one integer per layer (per-tensor activations)"
        if not problem and _scalar(have["act_zero_point"]) != _scalar(want["act_zero_point"]):
            problem = (f"layer {name!r}: act_zero_point {_scalar(have['act_zero_point'])} where "
                       f"{_scalar(want['act_zero_point'])} was expected")
        if problem:
            return Verdict(False, problem)
    preds, ref_preds = np.asarray(got["logits"]).argmax(1), np.asarray(expected["logits"]).argmax(1)
    agree = float((preds == ref_preds).mean())
    if agree < 0.995:
        return Verdict(False, f"the quantized model's predictions agree with the reference's on {100 * agree:.1f}% of the "
                              "test set (at least 99.5% expected): forward must fake-quantize the input with the "
                              "calibrated act_scale / act_zero_point and use the dequantized int weights")
    accuracy, floor = float((preds == _labels(ctx)).mean()), _float_accuracy(ctx) - PTQ_MAX_DROP[(w_bits, a_bits)]
    if accuracy < floor:
        return Verdict(False, f"w{w_bits}a{a_bits} test accuracy {accuracy:.3f}, below {floor:.3f}")
    return Verdict(True, f"w{w_bits}a{a_bits} test accuracy {accuracy:.3f} (float model {_float_accuracy(ctx):.3f})")


def check_qat(got, expected, ctx):
    tinymlp = _tinymlp(ctx)
    bits = expected["w_bits"]
    weights = {k: np.asarray(v, dtype=np.float32) for k, v in got["weights"].items()}
    if any(not np.isfinite(v).all() for v in weights.values()):
        return Verdict(False, "the fine-tuned weights contain NaN or inf")
    quantized = {k: (tinymlp.absmax_per_tensor(v, bits) if k.endswith("weight") else v) for k, v in weights.items()}
    x = np.load(ctx.lab_dir / "data" / "test_x.npy")
    labels = _labels(ctx)
    accuracy = float((tinymlp.numpy_forward(quantized, x).argmax(1) == labels).mean())
    float_acc = _float_accuracy(ctx)
    floor = float_acc - QAT_MAX_DROP
    report = (f"your weights quantized to {bits} bits (one scale per weight matrix): test accuracy {accuracy:.3f} (float model "
              f"{float_acc:.3f}, so at least {floor:.3f} is expected)")
    if accuracy < floor:
        return Verdict(False, report)
    return Verdict(True, report)
