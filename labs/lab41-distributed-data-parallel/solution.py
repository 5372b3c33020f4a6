"""Lab 41 reference solution: data-parallel training with torch.distributed (gloo), by hand and with DDP."""
from __future__ import annotations

import math

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import Sampler

from labkit.metrics import log_metrics


def init_distributed(rank: int, world_size: int, init_method: str) -> None:
    """Join the process group of `world_size` CPU processes as `rank` (gloo backend)."""
    dist.init_process_group(backend="gloo", init_method=init_method, rank=rank, world_size=world_size)


class ShardSampler(Sampler):
    """The indices of one rank's shard, in the same order as torch.utils.data.DistributedSampler."""

    def __init__(self, dataset_len: int, num_replicas: int, rank: int, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        self.dataset_len, self.num_replicas, self.rank = dataset_len, num_replicas, rank
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.epoch = 0
        if drop_last and dataset_len % num_replicas:
            self.num_samples = math.ceil((dataset_len - num_replicas) / num_replicas)   # drop the ragged tail
        else:
            self.num_samples = math.ceil(dataset_len / num_replicas)                   # pad up to equal shards
        self.total_size = self.num_samples * num_replicas

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self):
        if self.shuffle:
            generator = torch.Generator().manual_seed(self.seed + self.epoch)   # same order on every rank
            indices = torch.randperm(self.dataset_len, generator=generator).tolist()
        else:
            indices = list(range(self.dataset_len))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / len(indices)))[:padding]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples


def broadcast_parameters(model: torch.nn.Module, src: int = 0) -> None:
    """Overwrite every parameter with rank `src`'s copy, so all replicas start identical."""
    with torch.no_grad():
        for param in model.parameters():
            dist.broadcast(param.data, src=src)


def average_gradients(model: torch.nn.Module, world_size: int) -> None:
    """Replace each parameter's .grad by its mean over all ranks (all-reduce SUM, then divide)."""
    for param in model.parameters():
        if param.grad is None:
            continue
        dist.all_reduce(param.grad, op=dist.ReduceOp.SUM)
        param.grad.div_(world_size)


def train_data_parallel(model, dataset, *, rank: int, world_size: int, steps: int, batch_size: int, lr: float,
                        seed: int, use_ddp: bool) -> list[float]:
    """`steps` SGD steps on this rank's shard; gradients are averaged over ranks by DDP or by hand."""
    if use_ddp:
        network = DistributedDataParallel(model)      # broadcasts rank 0's weights, all-reduces in backward
    else:
        broadcast_parameters(model)
        network = model
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    sampler = ShardSampler(len(dataset), world_size, rank, shuffle=True, seed=seed)
    losses, step, epoch = [], 0, 0
    while step < steps:
        sampler.set_epoch(epoch)
        order = list(sampler)
        for start in range(0, len(order), batch_size):
            if step == steps:
                break
            contexts, targets = dataset[order[start:start + batch_size]]
            loss = F.cross_entropy(network(contexts), targets)
            optimizer.zero_grad()
            loss.backward()
            if not use_ddp:
                average_gradients(model, world_size)
            optimizer.step()
            losses.append(loss.item())
            if rank == 0:
                log_metrics(step, loss=loss.item())
            step += 1
        epoch += 1
    return losses
