"""Lab 41 harness (inside the sandbox): the student's sampler on seeded sizes, and their process-group,
broadcast, gradient all-reduce and data-parallel training code in two real processes (gloo over
loopback, a file:// rendezvous in the work dir). It also trains the same model in one process on the
same global batches, so the grader can compare the replicas with single-process training.
Only outputs are produced here; checks.py compares them with the reference outside the sandbox."""
from __future__ import annotations

import math
import multiprocessing
import os
import random
import tempfile
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DistributedSampler

from labkit.harness import case

WORLD_SIZE = 2
VOCAB, CONTEXT = 12, 3
RANKS_DEADLINE_S = 15.0      # a collective that one rank never joins would otherwise wait forever
VISIBLE_SAMPLER = dict(dataset_len=10, num_replicas=3)
VISIBLE_TRAINING = dict(dataset_len=25, batch_size=4, steps=6, lr=0.5, d_embed=4, d_hidden=8)


class TinyLM(nn.Module):
    """Next-token model: embed the last CONTEXT tokens, one tanh layer, logits over the vocabulary."""

    def __init__(self, d_embed: int, d_hidden: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d_embed)
        self.hidden = nn.Linear(CONTEXT * d_embed, d_hidden)
        self.out = nn.Linear(d_hidden, VOCAB)

    def forward(self, contexts: torch.Tensor) -> torch.Tensor:     # (batch, CONTEXT) long -> (batch, VOCAB)
        return self.out(torch.tanh(self.hidden(self.embed(contexts).flatten(1))))


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _model(sizes: dict, init_seed: int) -> TinyLM:
    torch.manual_seed(init_seed)
    return TinyLM(sizes["d_embed"], sizes["d_hidden"]).double()


def _token_stream(seed: int, length: int) -> torch.Tensor:
    """Tokens from a random Markov chain, so the next token is partly predictable from the context."""
    gen = torch.Generator().manual_seed(seed)
    transitions = torch.softmax(3.0 * torch.randn(VOCAB, VOCAB, generator=gen, dtype=torch.float64), dim=-1)
    tokens = [int(torch.randint(VOCAB, (1,), generator=gen))]
    for _ in range(length - 1):
        tokens.append(int(torch.multinomial(transitions[tokens[-1]], 1, generator=gen)))
    return torch.tensor(tokens)


def _examples(seed: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    stream = _token_stream(seed, n + CONTEXT)
    contexts = torch.stack([stream[i:i + CONTEXT] for i in range(n)])
    return contexts, stream[CONTEXT:CONTEXT + n].clone()


def _as_numpy(model: nn.Module) -> dict:
    return {name: p.detach().clone().numpy() for name, p in model.named_parameters()}


def _grads(model: nn.Module) -> dict:
    return {name: (None if p.grad is None else p.grad.detach().clone().numpy()) for name, p in model.named_parameters()}


# ----------------------------------------------------------------- the sampler (one process)

def _validated_indices(sampler, label: str) -> dict:
    try:
        indices = list(iter(sampler))
        length = len(sampler)
    except TypeError as exc:
        raise TypeError(f"ShardSampler must be iterable and have a len(): {exc}") from None
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in indices):
        bad = next(i for i in indices if not isinstance(i, int) or isinstance(i, bool))
        raise TypeError(f"{label}: ShardSampler yielded {bad!r} ({type(bad).__name__}); yield plain Python ints "
                        "(torch.randperm(...).tolist() gives them)")
    return {"indices": indices, "len": int(length)}


def _sampler_outputs(student, configs: list[dict], epochs=(0,)) -> dict:
    out = {}
    for config in configs:
        for rank in range(config["num_replicas"]):
            sampler = student.ShardSampler(config["dataset_len"], config["num_replicas"], rank,
                                           shuffle=config["shuffle"], seed=config["seed"],
                                           drop_last=config["drop_last"])
            for epoch in epochs:
                if len(epochs) > 1:
                    sampler.set_epoch(epoch)
                key = (f"dataset_len={config['dataset_len']} num_replicas={config['num_replicas']} rank={rank} "
                       f"shuffle={config['shuffle']} seed={config['seed']} drop_last={config['drop_last']}"
                       + (f" epoch={epoch}" if len(epochs) > 1 else ""))
                out[key] = _validated_indices(sampler, key)
    return out


def _random_config(rng: random.Random, drop_last: bool, shuffle: bool = True) -> dict:
    replicas = rng.randint(2, 5)
    n = rng.randint(replicas + 1, 40)
    if n % replicas == 0:
        n += 1
    return dict(dataset_len=n, num_replicas=replicas, shuffle=shuffle, seed=rng.randint(0, 10_000),
                drop_last=drop_last)


@case
def sampler(student, ctx):
    base = dict(VISIBLE_SAMPLER, seed=0)
    configs = [dict(base, shuffle=True, drop_last=False), dict(base, shuffle=False, drop_last=False),
               dict(base, shuffle=True, drop_last=True)]
    ctx.show(sampler_configs=[f"ShardSampler({c['dataset_len']}, {c['num_replicas']}, rank, shuffle={c['shuffle']}, "
                              f"seed={c['seed']}, drop_last={c['drop_last']}) for rank in 0..2" for c in configs])
    return _sampler_outputs(student, configs)


@case
def sampler_padding(student, ctx):
    rng = _rng(ctx, "sampler_padding")
    configs = [_random_config(rng, drop_last=False), _random_config(rng, drop_last=False, shuffle=False),
               dict(dataset_len=rng.randint(1, 3), num_replicas=rng.randint(4, 5), shuffle=True,
                    seed=rng.randint(0, 99), drop_last=False)]      # fewer examples than ranks
    return _sampler_outputs(student, configs)


@case
def sampler_drop_last(student, ctx):
    rng = _rng(ctx, "sampler_drop_last")
    return _sampler_outputs(student, [_random_config(rng, drop_last=True), _random_config(rng, drop_last=True)])


@case
def sampler_epochs(student, ctx):
    rng = _rng(ctx, "sampler_epochs")
    return _sampler_outputs(student, [_random_config(rng, drop_last=rng.random() < 0.5)], epochs=(0, 1, 2, 3))


# ----------------------------------------------------------------- the distributed plan (one per seed)

def _plan(ctx) -> dict:
    if ctx.visible:
        sizes = dict(VISIBLE_TRAINING)
    else:
        rng = _rng(ctx, "plan")
        batch_size = rng.randint(3, 6)
        n = rng.randint(20, 45)
        per_epoch = math.ceil(math.ceil(n / WORLD_SIZE) / batch_size)
        sizes = dict(dataset_len=n, batch_size=batch_size, steps=per_epoch + rng.randint(1, per_epoch),
                     lr=rng.choice([0.3, 0.5, 0.8]), d_embed=rng.choice([4, 6, 8]), d_hidden=rng.choice([8, 12, 16]))
    seed = ctx.seed % 2**31
    rng = _rng(ctx, "batch")
    return dict(sizes=sizes, seed=seed, train_seed=_rng(ctx, "train_seed").randint(0, 10_000),
                data_seed=seed + 1, global_batch=rng.sample(range(sizes["dataset_len"]), 2 * rng.randint(2, 5)))


def _epochs_needed(sizes: dict) -> int:
    per_epoch = math.ceil(math.ceil(sizes["dataset_len"] / WORLD_SIZE) / sizes["batch_size"])
    return math.ceil(sizes["steps"] / per_epoch)


def _reference_shards(plan: dict) -> list[list[list[int]]]:
    """shards[epoch][rank]: what torch's DistributedSampler gives each rank (the grader's ground truth)."""
    sizes, out = plan["sizes"], []
    for epoch in range(_epochs_needed(sizes)):
        per_rank = []
        for rank in range(WORLD_SIZE):
            reference = DistributedSampler(range(sizes["dataset_len"]), num_replicas=WORLD_SIZE, rank=rank,
                                           shuffle=True, seed=plan["train_seed"])
            reference.set_epoch(epoch)
            per_rank.append(list(reference))
        out.append(per_rank)
    return out


class RankDataset:
    """The training set as rank `rank` sees it. len() is the whole dataset (a sampler needs it), but the
    examples that DistributedSampler gives to other ranks live on other machines: reading one raises."""

    def __init__(self, contexts: torch.Tensor, targets: torch.Tensor, rank: int, allowed: set[int]) -> None:
        self._contexts, self._targets, self._rank, self._allowed = contexts, targets, rank, allowed

    def __len__(self) -> int:
        return len(self._targets)

    def __getitem__(self, indices):
        """dataset[list_of_indices] -> (contexts (k, 3) int64, targets (k,) int64)."""
        if isinstance(indices, torch.Tensor):
            indices = indices.tolist()
        if isinstance(indices, int):
            indices = [indices]
        indices = [int(i) for i in indices]
        foreign = [i for i in indices if i not in self._allowed]
        if foreign:
            raise IndexError(f"rank {self._rank} read example {foreign[0]}, which DistributedSampler gives to the "
                             "other rank: each rank must read only the indices of its own ShardSampler "
                             "(seed=the seed argument, set_epoch(epoch) every epoch)")
        return self._contexts[indices].clone(), self._targets[indices].clone()


def _single_process_training(plan: dict, contexts, targets) -> dict:
    """The same SGD steps in one process: global batch = the ranks' local batches together."""
    sizes = plan["sizes"]
    model = _model(sizes, plan["seed"])             # rank 0's initial weights
    optimizer = torch.optim.SGD(model.parameters(), lr=sizes["lr"])
    step = 0
    for shards in _reference_shards(plan):
        for start in range(0, len(shards[0]), sizes["batch_size"]):
            if step == sizes["steps"]:
                break
            batch = [i for shard in shards for i in shard[start:start + sizes["batch_size"]]]
            loss = F.cross_entropy(model(contexts[batch]), targets[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
    return _as_numpy(model)


def _single_process_gradients(plan: dict, contexts, targets) -> dict:
    model = _model(plan["sizes"], plan["seed"])
    batch = plan["global_batch"]
    F.cross_entropy(model(contexts[batch]), targets[batch]).backward()
    return _grads(model)


# ----------------------------------------------------------------- what each rank runs

def _test_allreduce(student, rank, plan, data):
    model = _model(plan["sizes"], plan["seed"])
    model.embed.weight.requires_grad_(False)         # a frozen parameter: its .grad stays None
    gen = torch.Generator().manual_seed(plan["seed"] * 7 + rank)
    for param in model.parameters():
        if param.requires_grad:
            param.grad = torch.randn(param.shape, generator=gen, dtype=torch.float64)
    result = student.average_gradients(model, WORLD_SIZE)
    if result is not None and not isinstance(result, nn.Module):
        raise TypeError("average_gradients must change the .grad tensors in place and return None")
    return _grads(model)


def _test_broadcast(student, rank, plan, data):
    model = _model(plan["sizes"], plan["seed"] + 1000 * (rank + 1))    # different weights on every rank
    student.broadcast_parameters(model, src=0)
    return _as_numpy(model)


def _test_gradients(student, rank, plan, data):
    contexts, targets = data
    model = _model(plan["sizes"], plan["seed"])
    local = plan["global_batch"][rank::WORLD_SIZE]      # this rank's half of the global batch
    F.cross_entropy(model(contexts[local]), targets[local]).backward()
    student.average_gradients(model, WORLD_SIZE)
    return _grads(model)


def _training(use_ddp: bool):
    def run(student, rank, plan, data):
        sizes = plan["sizes"]
        allowed = {i for shards in _reference_shards(plan) for i in shards[rank]}
        model = _model(sizes, plan["seed"] + 1000 * rank)    # replicas start different: rank 0's weights must win
        dataset = RankDataset(*data, rank=rank, allowed=allowed)
        losses = student.train_data_parallel(model, dataset, rank=rank, world_size=WORLD_SIZE, steps=sizes["steps"],
                                             batch_size=sizes["batch_size"], lr=sizes["lr"], seed=plan["train_seed"],
                                             use_ddp=use_ddp)
        if not isinstance(losses, (list, tuple)) or len(losses) != sizes["steps"]:
            raise TypeError(f"train_data_parallel must return the list of this rank's {sizes['steps']} losses, "
                            f"got {type(losses).__name__}" + (f" of length {len(losses)}"
                                                               if isinstance(losses, (list, tuple)) else ""))
        return {"weights": _as_numpy(model), "losses": [float(v) for v in losses]}
    return run


RANK_TESTS = {"allreduce": _test_allreduce, "broadcast": _test_broadcast, "gradients": _test_gradients,
              "manual_training": _training(use_ddp=False), "ddp_training": _training(use_ddp=True)}


def _rank_main(student, rank: int, plan: dict, data, conn) -> None:
    import torch.distributed as dist

    results = {}
    try:
        student.init_distributed(rank, WORLD_SIZE, plan["init_method"])
        if not dist.is_initialized() or dist.get_world_size() != WORLD_SIZE or dist.get_rank() != rank:
            raise RuntimeError(f"after init_distributed({rank}, {WORLD_SIZE}, ...) the process group must be "
                               f"initialised with rank={rank} and world_size={WORLD_SIZE}")
        if dist.get_backend() != "gloo":
            raise RuntimeError(f"the process group uses the {dist.get_backend()!r} backend; on CPUs use 'gloo'")
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as the reason for every test
        conn.send({"init_error": f"{type(exc).__name__}: {exc}"})
        conn.close()
        return
    for name, test in RANK_TESTS.items():
        torch.manual_seed(plan["seed"])
        try:
            results[name] = {"ok": True, "value": test(student, rank, plan, data)}
        except BaseException as exc:  # noqa: BLE001 - one failing test must not hide the others
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    conn.send(results)
    conn.close()
    dist.destroy_process_group()


def _run_ranks(student, plan: dict, data) -> list[dict]:
    import torch._dynamo  # noqa: F401 - DDP imports it on first use (~1.5 s); once here, not in every rank

    os.environ["GLOO_SOCKET_IFNAME"] = "lo"          # the sandbox has loopback only
    store = tempfile.mkdtemp(prefix="rendezvous-", dir=os.getcwd())
    plan = dict(plan, init_method=f"file://{store}/store")
    fork = multiprocessing.get_context("fork")
    readers, processes = [], []
    for rank in range(WORLD_SIZE):
        reader, writer = fork.Pipe(duplex=False)
        process = fork.Process(target=_rank_main, args=(student, rank, plan, data, writer), daemon=True)
        process.start()
        writer.close()
        readers.append(reader)
        processes.append(process)
    deadline = time.monotonic() + RANKS_DEADLINE_S
    results = []
    try:
        for rank, reader in enumerate(readers):
            if not reader.poll(max(0.0, deadline - time.monotonic())):
                raise RuntimeError(f"rank {rank} did not finish within {RANKS_DEADLINE_S:.0f} s: a collective "
                                   "(all_reduce, broadcast) that the other rank never calls waits forever; every "
                                   "rank must make the same collective calls in the same order")
            try:
                results.append(reader.recv())
            except EOFError:
                processes[rank].join(1)
                raise RuntimeError(f"rank {rank} died (exit code {processes[rank].exitcode}) before reporting") from None
    finally:
        for process in processes:
            process.join(timeout=max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
    return results


_RESULTS: dict[int, dict] = {}


def _distributed(student, ctx) -> dict:
    """Run both ranks once per seed; every distributed case reads its part."""
    if ctx.seed not in _RESULTS:
        plan = _plan(ctx)
        data = _examples(plan["data_seed"], plan["sizes"]["dataset_len"])
        try:
            _RESULTS[ctx.seed] = {"plan": plan, "data": data, "ranks": _run_ranks(student, plan, data)}
        except RuntimeError as exc:          # remembered, so a hung run costs one deadline, not one per case
            _RESULTS[ctx.seed] = {"plan": plan, "data": data, "error": str(exc)}
    run = _RESULTS[ctx.seed]
    if "error" in run:
        raise RuntimeError(run["error"])
    return run


def _rank_values(student, ctx, test: str) -> dict:
    run = _distributed(student, ctx)
    out = {}
    for rank, result in enumerate(run["ranks"]):
        if "init_error" in result:
            raise RuntimeError(f"init_distributed failed on rank {rank}: {result['init_error']}")
        record = result[test]
        if not record["ok"]:
            raise RuntimeError(f"rank {rank}: {record['error']}")
        out[f"rank{rank}"] = record["value"]
    return out


@case
def allreduce(student, ctx):
    ctx.show(allreduce="average_gradients(model, 2) where rank r's .grad tensors are random (different on each "
                       "rank) and model.embed.weight is frozen (.grad is None)")
    return _rank_values(student, ctx, "allreduce")


@case
def broadcast(student, ctx):
    return _rank_values(student, ctx, "broadcast")


@case
def gradients(student, ctx):
    out = _rank_values(student, ctx, "gradients")
    out["single_process"] = _single_process_gradients(_distributed(student, ctx)["plan"],
                                                      *_distributed(student, ctx)["data"])
    return out


def _training_case(student, ctx, test: str) -> dict:
    out = _rank_values(student, ctx, test)
    run = _distributed(student, ctx)
    sizes = run["plan"]["sizes"]
    ctx.show(training=f"train_data_parallel on 2 ranks: {sizes['dataset_len']} examples, batch_size={sizes['batch_size']} "
                      f"per rank, steps={sizes['steps']}, lr={sizes['lr']}, seed={run['plan']['train_seed']}; "
                      "rank 1 starts from different weights than rank 0")
    out["single_process"] = _single_process_training(run["plan"], *run["data"])
    return out


@case
def manual_training(student, ctx):
    return _training_case(student, ctx, "manual_training")


@case
def ddp_training(student, ctx):
    return _training_case(student, ctx, "ddp_training")
