"""Lab 41 checks (outside the sandbox): the student's shards against DistributedSampler's (the reference's
outputs), and the replicas' gradients and weights against each other and against single-process training
as the reference run computed it. Feedback speaks of ranks, shards and all-reduce, not array indices."""
from __future__ import annotations

import numpy as np

from labkit.checks import Verdict, describe

RTOL, ATOL = 1e-9, 1e-11      # float64; only the order of floating-point sums may differ
RANKS = ("rank0", "rank1")


# ----------------------------------------------------------------- sampler

def _contiguous_block(expected: dict, key: str) -> list[int] | None:
    """What a contiguous split (rank r takes positions r*k .. r*k+k-1) of the reference order would give."""
    fields = dict(part.split("=") for part in key.split())
    replicas, rank = int(fields["num_replicas"]), int(fields["rank"])
    siblings = [key.replace(f"rank={rank}", f"rank={r}") for r in range(replicas)]
    if not all(s in expected for s in siblings):
        return None
    per_rank = [expected[s]["indices"] for s in siblings]
    length = len(per_rank[0])
    order = [per_rank[pos % replicas][pos // replicas] for pos in range(length * replicas)]
    return order[rank * length:(rank + 1) * length]


def _sampler_problem(key: str, have: dict, want: dict, expected: dict, got: dict) -> str:
    indices, wanted = have.get("indices"), want["indices"]
    if have.get("len") != want["len"]:
        return (f"{key}: len(sampler) is {have.get('len')} where {want['len']} was expected: every rank gets "
                "ceil(n / num_replicas) indices (drop_last=False) or floor(n / num_replicas) (drop_last=True)")
    if not isinstance(indices, list) or len(indices) != len(wanted):
        count = len(indices) if isinstance(indices, list) else "no"
        return (f"{key}: the sampler yields {count} indices where {len(wanted)} were expected. All ranks must get "
                "the same number: with drop_last=False pad the shuffled list by repeating its first indices, with "
                "drop_last=True cut it to a multiple of num_replicas")
    if indices == _contiguous_block(expected, key):
        return (f"{key}: this rank got a contiguous block of the shuffled order; DistributedSampler interleaves: "
                "rank r takes positions r, r + num_replicas, r + 2*num_replicas, ... (indices[rank::num_replicas])")
    if "epoch=" in key and not key.endswith("epoch=0"):
        first = key.rsplit(" epoch=", 1)[0] + " epoch=0"
        if first in got and got[first].get("indices") == indices:
            return (f"{key}: the order is the same as at epoch 0: set_epoch(epoch) must change the shuffle, "
                    "which DistributedSampler seeds with seed + epoch")
    if sorted(indices) == sorted(wanted):
        return (f"{key}: the right indices in the wrong order: shuffle with torch.randperm(n, generator=g), "
                "g = torch.Generator().manual_seed(seed + epoch), before padding and interleaving")
    return f"{key}: indices {describe(indices, 120)} where {describe(wanted, 120)} were expected"


def check_sampler(got, expected, ctx):
    """Every rank's indices and len() equal DistributedSampler's for every configuration."""
    if not isinstance(got, dict):
        return Verdict(False, "ShardSampler produced nothing usable")
    for key, want in expected.items():
        have = got.get(key)
        if not isinstance(have, dict) or have != want:
            return Verdict(False, _sampler_problem(key, have if isinstance(have, dict) else {}, want, expected, got),
                           describe(want["indices"]), describe((have or {}).get("indices")))
    return Verdict(True)


# ----------------------------------------------------------------- tensors per rank

def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def _first_difference(have: dict, want: dict) -> str | None:
    """The name of the first tensor that differs (or is missing), else None."""
    for name, value in want.items():
        if value is None:
            if have.get(name) is not None:
                return name
            continue
        if have.get(name) is None or not _close(have[name], value):
            return name
    return None


def _ranks(got) -> dict | None:
    if not isinstance(got, dict) or not all(isinstance(got.get(r), dict) for r in RANKS):
        return None
    return got


def check_allreduce(got, expected, ctx):
    """After average_gradients every rank holds the mean of the ranks' gradients; frozen .grad stays None."""
    ranks = _ranks(got)
    if ranks is None:
        return Verdict(False, "no gradients came back from the ranks")
    want = expected["rank0"]
    for rank in RANKS:
        have = ranks[rank]
        name = _first_difference(have, want)
        if name is None:
            continue
        if want.get(name) is None:
            return Verdict(False, f"{rank}: {name} is frozen (requires_grad=False, .grad is None) but has a gradient "
                                  "after average_gradients: skip parameters whose .grad is None")
        value = have.get(name)
        if value is None:
            return Verdict(False, f"{rank}: {name}.grad is None after average_gradients")
        if _close(value, 2 * np.asarray(want[name])):
            return Verdict(False, f"{rank}: {name}.grad is the SUM over the 2 ranks, twice the mean: after "
                                  "all_reduce(grad, op=SUM) divide by world_size", describe(want[name]), describe(value))
        other = "rank1" if rank == "rank0" else "rank0"
        if not _close(value, ranks[other].get(name)):
            return Verdict(False, f"the ranks disagree on {name}.grad after average_gradients: the gradients were not "
                                  "all-reduced (dist.all_reduce on every parameter's .grad, in place)",
                           describe(want[name]), describe(value))
        return Verdict(False, f"{rank}: {name}.grad is not the mean of the ranks' gradients",
                       describe(want[name]), describe(value))
    return Verdict(True)


def check_broadcast(got, expected, ctx):
    """Every rank ends up with rank 0's initial weights."""
    ranks = _ranks(got)
    if ranks is None:
        return Verdict(False, "no weights came back from the ranks")
    for rank in RANKS:
        name = _first_difference(ranks[rank], expected["rank0"])
        if name is not None:
            return Verdict(False, f"{rank}: {name} is not rank 0's tensor after broadcast_parameters(model, src=0): "
                                  "dist.broadcast(param.data, src=0) for every parameter, on every rank")
    return Verdict(True)


def check_gradients(got, expected, ctx):
    """Each rank's averaged half-batch gradient equals the single-process gradient of the whole batch."""
    ranks = _ranks(got)
    if ranks is None:
        return Verdict(False, "no gradients came back from the ranks")
    single = expected["single_process"]
    for rank in RANKS:
        name = _first_difference(ranks[rank], single)
        if name is not None:
            value = ranks[rank].get(name)
            hint = ""
            if value is not None and _close(value, 2 * np.asarray(single[name])):
                hint = " It is twice the single-process gradient: divide the all-reduced sum by world_size."
            return Verdict(False, f"{rank}: {name}.grad differs from the gradient of one process on the whole batch "
                                  f"(each rank saw half of it).{hint}", describe(single[name]), describe(value))
    return Verdict(True)


def check_training(got, expected, ctx):
    """Replicas stay identical and equal the model trained in one process on the same global batches."""
    ranks = _ranks(got)
    if ranks is None:
        return Verdict(False, "no trained weights came back from the ranks")
    weights = {rank: ranks[rank].get("weights") or {} for rank in RANKS}
    losses = ranks["rank0"].get("losses") or []
    if any(not np.isfinite(v) for v in losses):
        return Verdict(False, "the training loss became nan or inf on rank 0")
    single = expected["single_process"]
    drift = _first_difference(weights["rank1"], weights["rank0"])
    if drift is not None:
        return Verdict(False, f"after training the replicas differ ({drift} on rank 1 is not rank 0's): start from "
                              "the same weights (broadcast rank 0's parameters first; DDP does it when it wraps the "
                              "model) and average the gradients before every optimizer step")
    name = _first_difference(weights["rank0"], single)
    if name is not None:
        return Verdict(False, f"the replicas agree, but {name} differs from single-process training on the same "
                              "global batches: each rank must take consecutive batches of batch_size from its own "
                              "ShardSampler (seed=seed, set_epoch(epoch) each epoch), use the mean cross-entropy, "
                              "average (not sum) the gradients and take plain SGD steps with lr",
                       describe(single[name]), describe(weights["rank0"].get(name)))
    return Verdict(True)
