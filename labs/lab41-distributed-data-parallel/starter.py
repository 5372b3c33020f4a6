"""Lab 41: distributed data-parallel training with torch.distributed (gloo), by hand and with DDP.

Fill in every function marked TODO and submit this file as ddp.py. The grader starts two processes
(rank 0 and rank 1), calls init_distributed in each, then your other functions in both at once.
Do not use torch.utils.data.DistributedSampler inside ShardSampler: writing it is part of the lab.
"""
from __future__ import annotations

import math

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import Sampler

from labkit.metrics import log_metrics


def init_distributed(rank: int, world_size: int, init_method: str) -> None:
    """Join a process group of `world_size` CPU processes as `rank`.

    init_method is a rendezvous URL the grader gives you (file://... here; tcp://host:port on a cluster).
    Use the "gloo" backend (CPU); "nccl" is the GPU one.
    """
    # TODO: dist.init_process_group(...)
    raise NotImplementedError("init_distributed")


class ShardSampler(Sampler):
    """Yields the dataset indices of one rank, exactly like torch.utils.data.DistributedSampler.

    dataset_len: number of examples n; num_replicas: number of ranks; rank: this rank (0-based).
    shuffle: permute with torch.randperm(n, generator=torch.Generator().manual_seed(seed + epoch)).
    drop_last=False: pad the (shuffled) list by repeating its first indices until every rank gets
                     ceil(n / num_replicas) of them.
    drop_last=True:  cut the list so every rank gets the same count (the ragged tail is dropped).
    Rank r then takes positions r, r + num_replicas, r + 2 * num_replicas, ...
    """

    def __init__(self, dataset_len: int, num_replicas: int, rank: int, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        self.dataset_len, self.num_replicas, self.rank = dataset_len, num_replicas, rank
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.epoch = 0
        # TODO: self.num_samples (indices per rank) and self.total_size (num_samples * num_replicas)

    def set_epoch(self, epoch: int) -> None:
        """Call at the start of every epoch so each epoch gets a new (but rank-consistent) shuffle."""
        self.epoch = epoch

    def __iter__(self):
        # TODO: shuffle (or not), pad or cut to total_size, then take this rank's interleaved share
        raise NotImplementedError("ShardSampler.__iter__")

    def __len__(self) -> int:
        raise NotImplementedError("ShardSampler.__len__")


def broadcast_parameters(model: torch.nn.Module, src: int = 0) -> None:
    """Overwrite every parameter, on every rank, with rank `src`'s copy (in place)."""
    raise NotImplementedError("broadcast_parameters")


def average_gradients(model: torch.nn.Module, world_size: int) -> None:
    """Replace each parameter's .grad by its mean over all ranks, in place. Skip parameters whose .grad is None."""
    raise NotImplementedError("average_gradients")


def train_data_parallel(model, dataset, *, rank: int, world_size: int, steps: int, batch_size: int, lr: float,
                        seed: int, use_ddp: bool) -> list[float]:
    """Run `steps` plain-SGD steps (torch.optim.SGD(model.parameters(), lr=lr)) on this rank's shard.

    model:   the rank's replica (rank 1 starts with different weights than rank 0!).
    dataset: len(dataset) = n; dataset[list_of_indices] -> (contexts (k, 3) int64, targets (k,) int64).
             Reading an index that belongs to another rank's shard raises.
    Batches: ShardSampler(len(dataset), world_size, rank, shuffle=True, seed=seed); at every epoch
             call set_epoch(epoch), then cut its order into consecutive chunks of batch_size (the last one
             may be shorter); keep going over epochs until `steps` steps are done.
    Loss:    F.cross_entropy(model(contexts), targets) (the mean over the local batch).
    use_ddp=True:  wrap the model in DistributedDataParallel and train the wrapper.
    use_ddp=False: broadcast_parameters(model) first, then average_gradients(model, world_size)
                   after every backward() and before optimizer.step().
    Returns this rank's losses, one float per step. On rank 0, log_metrics(step, loss=...) draws the curve.
    """
    raise NotImplementedError("train_data_parallel")
