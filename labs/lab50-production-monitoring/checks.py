"""Lab 50 checks (outside the sandbox). Every expected number is recomputed here from the request log the
REFERENCE run recorded: percentiles with numpy's own methods ('inverted_cdf' is the nearest-rank
definition, 'linear' numpy's default), error windows and throughput with plain Python, and the student's
Prometheus text is parsed by an independent parser of the text exposition format and compared sample by
sample with the metrics computed here."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import numpy as np

from labkit.checks import Verdict

TOL = dict(rel_tol=1e-9, abs_tol=1e-9)
TYPES = {"llm_requests_total": "counter", "llm_completion_tokens_total": "counter",
         "llm_tokens_per_second": "gauge", "llm_request_latency_seconds": "histogram"}
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$")
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)')


def _ok(r):
    return 200 <= r["status"] < 300


def _close(a, b):
    return math.isclose(a, b, **TOL)


# ----------------------------------------------------------------- independent computations

def expected_percentiles(values, q):
    values = np.asarray(values, dtype=np.float64)
    return (float(np.percentile(values, q, method="inverted_cdf")),
            float(np.percentile(values, q, method="linear")))


def expected_throughput(records):
    ok = [r for r in records if _ok(r)]
    span = max(r["ts"] + r["latency_ms"] / 1000 for r in records) - min(r["ts"] for r in records)
    return {"throughput": sum(r["completion_tokens"] for r in ok) / span,
            "per_request_mean": sum(r["completion_tokens"] * 1000 / r["latency_ms"] for r in ok) / len(ok)}


def expected_windows(records, window_s):
    counts, errors = Counter(), Counter()
    for r in records:
        k = int(r["ts"] // window_s)
        counts[k] += 1
        errors[k] += r["status"] >= 500
    return [{"window_start": k * window_s, "requests": counts[k], "errors": errors[k],
             "error_rate": errors[k] / counts[k] if counts[k] else 0.0}
            for k in range(min(counts), max(counts) + 1)]


def expected_samples(records, buckets):
    samples = {}
    for (model, status), n in Counter((r["model"], r["status"]) for r in records).items():
        samples[("llm_requests_total", (("model", model), ("status", str(status))))] = n
    tokens = defaultdict(int)
    for r in records:
        tokens[r["model"]] += r["completion_tokens"]
    for model, n in tokens.items():
        samples[("llm_completion_tokens_total", (("model", model),))] = n
    samples[("llm_tokens_per_second", ())] = expected_throughput(records)["throughput"]
    for model in tokens:
        seconds = [r["latency_ms"] / 1000 for r in records if r["model"] == model and _ok(r)]
        for bound in list(buckets) + [math.inf]:
            le = "+Inf" if bound == math.inf else float(bound)
            samples[("llm_request_latency_seconds_bucket", (("le", le), ("model", model)))] = \
                sum(s <= bound for s in seconds)
        samples[("llm_request_latency_seconds_sum", (("model", model),))] = math.fsum(seconds)
        samples[("llm_request_latency_seconds_count", (("model", model),))] = len(seconds)
    return samples


# ----------------------------------------------------------------- the exposition parser

class ExpositionError(ValueError):
    pass


def _family(name):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and TYPES.get(name[: -len(suffix)]) == "histogram":
            return name[: -len(suffix)]
    return name


def _parse_labels(text, line):
    labels, rest = [], text or ""
    while rest.strip():
        match = LABEL.match(rest)
        if not match:
            raise ExpositionError(f"cannot read the labels of line {line!r}: write them as {{key=\"value\",...}}")
        key, value = match.groups()
        if key == "le":
            value = "+Inf" if value == "+Inf" else float(value)
        labels.append((key, value))
        rest = rest[match.end():]
    return tuple(sorted(labels, key=lambda kv: kv[0]))


def parse_exposition(text):
    """{(name, sorted labels): value} and the declared {family: type}; raises ExpositionError on bad text."""
    types, helps, samples = {}, set(), {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] == "HELP":
                helps.add(parts[2])
            elif len(parts) >= 4 and parts[1] == "TYPE":
                if parts[2] in types:
                    raise ExpositionError(f"# TYPE {parts[2]} appears twice: each metric family is declared once")
                types[parts[2]] = parts[3].strip()
            continue
        match = SAMPLE.match(line)
        if not match:
            raise ExpositionError(f"line {line!r} is not 'name{{labels}} value'")
        name, labels, value = match.groups()
        family = _family(name)
        if family not in types:
            raise ExpositionError(f"sample {name} comes before its '# TYPE {family} ...' line")
        if family not in helps:
            raise ExpositionError(f"metric family {family} has no '# HELP {family} ...' line before its samples")
        try:
            number = float(value)
        except ValueError:
            raise ExpositionError(f"the value {value!r} on line {line!r} is not a number") from None
        key = (name, _parse_labels(labels, line))
        if key in samples:
            raise ExpositionError(f"the sample {line!r} appears twice")
        samples[key] = number
    return samples, types


def _show(key):
    name, labels = key
    inner = ",".join(f'{k}="{v}"' for k, v in labels)
    return f"{name}{{{inner}}}" if labels else name


def _histogram_problem(samples):
    per_model = defaultdict(list)
    for (name, labels), value in samples.items():
        if name == "llm_request_latency_seconds_bucket":
            d = dict(labels)
            per_model[d.get("model")].append((math.inf if d.get("le") == "+Inf" else d.get("le"), value))
    for model, buckets in per_model.items():
        counts = [v for _, v in sorted(buckets, key=lambda b: b[0])]
        if any(b < a for a, b in zip(counts, counts[1:])):
            return (f"the buckets of model {model!r} go down ({counts}): Prometheus buckets are cumulative, "
                    "each counts every observation <= its le")
    return None


def check_exposition(got, expected, ctx):
    try:
        samples, types = parse_exposition(got["text"])
    except ExpositionError as error:
        return Verdict(False, str(error))
    for family, kind in TYPES.items():
        if types.get(family) != kind:
            return Verdict(False, f"'# TYPE {family}' declares {types.get(family)!r} where {kind!r} was expected")
    problem = _histogram_problem(samples)
    if problem:
        return Verdict(False, problem)
    wants = expected_samples(expected["records"], expected["buckets"])
    missing = [k for k in wants if k not in samples]
    if missing:
        return Verdict(False, f"the exposition has no sample {_show(missing[0])} ({len(missing)} missing in all)")
    extra = [k for k in samples if k not in wants]
    if extra:
        return Verdict(False, f"unexpected sample {_show(extra[0])}: check the metric names and labels in the README")
    for key, want in wants.items():
        if not _close(samples[key], want):
            return Verdict(False, f"{_show(key)} is {samples[key]!r} where {want!r} was expected", repr(want),
                           repr(samples[key]))
    return Verdict(True)


# ----------------------------------------------------------------- the other checks

def _percentile_verdict(values, q, have, method):
    nearest, linear = expected_percentiles(values, q)
    want = nearest if method == "nearest_rank" else linear
    if _close(have, want):
        return None
    shown = values if len(values) <= 12 else f"{len(values)} values"
    hint = (" Nearest rank: the value at rank ceil(q/100 * n) of the sorted values (1-based), the minimum for q = 0."
            if method == "nearest_rank" else
            " Linear: position q/100 * (n - 1) in the sorted values (0-based), interpolated between its neighbours.")
    return Verdict(False, f"the {method} percentile q={q} of {shown} is {have!r} where {want!r} was expected.{hint}",
                   repr(want), repr(have))


def _check_report(got, expected, methods=("nearest_rank", "linear")):
    latencies = [r["latency_ms"] for r in expected["records"] if _ok(r)]
    for q in expected["quantiles"]:
        for method in methods:
            verdict = _percentile_verdict(latencies, q, got["report"][f"p{q:g}"][method], method)
            if verdict:
                verdict.feedback = "latency_report: " + verdict.feedback + \
                    " Only successful requests (2xx) enter the latency percentiles."
                return verdict
    return None


def check_percentiles_visible(got, expected, ctx):
    return _check_report(got, expected) or Verdict(True)


def _check_edges(got, expected, method):
    for edge, mine in zip(expected["edges"], got["edges"]):
        verdict = _percentile_verdict(edge["values"], edge["q"], mine[method], method)
        if verdict:
            return verdict
    return None


def check_nearest_rank(got, expected, ctx):
    return (_check_edges(got, expected, "nearest_rank") or _check_report(got, expected, ("nearest_rank",))
            or Verdict(True))


def check_linear(got, expected, ctx):
    return _check_edges(got, expected, "linear") or _check_report(got, expected, ("linear",)) or Verdict(True)


def check_throughput(got, expected, ctx):
    want = expected_throughput(expected["records"])
    for key, hint in (("throughput", "completion tokens of successful requests / (last request's end - first "
                                     "request's start), in seconds"),
                      ("per_request_mean", "the mean over successful requests of completion_tokens / latency in "
                                           "seconds")):
        if not _close(got["result"][key], want[key]):
            return Verdict(False, f"{key} is {got['result'][key]!r} where {want[key]!r} was expected: {hint}",
                           repr(want[key]), repr(got["result"][key]))
    return Verdict(True)


def check_error_windows(got, expected, ctx):
    wants = expected_windows(expected["records"], expected["window_s"])
    haves = got["windows"]
    if len(haves) != len(wants):
        return Verdict(False, f"{len(haves)} windows where {len(wants)} were expected: one window per "
                              f"{expected['window_s']:g} s from the first request's window to the last one's, "
                              "including windows with no traffic", str(len(wants)), str(len(haves)))
    for have, want in zip(haves, wants):
        for key in ("window_start", "requests", "errors", "error_rate"):
            if not _close(have[key], want[key]):
                extra = ""
                if key in ("errors", "error_rate"):
                    extra = " Only server errors (status >= 500) count; 4xx are the client's mistakes."
                return Verdict(False, f"the window starting at {want['window_start']:g} s has {key} = {have[key]!r} "
                                      f"where {want[key]!r} was expected.{extra}", repr(want), repr(have))
    return Verdict(True)
