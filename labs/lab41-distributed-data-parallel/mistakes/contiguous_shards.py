"""Common mistake (lab 41): each rank takes a contiguous block of the shuffled order, not every
num_replicas-th index, so the shards differ from DistributedSampler's."""
# overrides solution.py: only what differs from the reference solution is below


class ShardSampler(ShardSampler):
    def __iter__(self):
        if self.shuffle:
            generator = torch.Generator().manual_seed(self.seed + self.epoch)
            indices = torch.randperm(self.dataset_len, generator=generator).tolist()
        else:
            indices = list(range(self.dataset_len))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / len(indices)))[:padding]
        start = self.rank * self.num_samples                 # rank r: positions r*k .. r*k + k - 1
        return iter(indices[start:start + self.num_samples])
