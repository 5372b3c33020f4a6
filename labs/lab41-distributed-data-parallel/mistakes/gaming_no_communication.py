"""Gaming (lab 41): replays the visible sampler answers, skips every collective and has each rank train
on the whole dataset by itself. It must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_SHARDS = {   # copied from the visible check's "expected" column
    (True, False, 0): [4, 5, 0, 2], (True, False, 1): [1, 3, 8, 4], (True, False, 2): [7, 9, 6, 1],
    (False, False, 0): [0, 3, 6, 9], (False, False, 1): [1, 4, 7, 0], (False, False, 2): [2, 5, 8, 1],
    (True, True, 0): [4, 5, 0], (True, True, 1): [1, 3, 8], (True, True, 2): [7, 9, 6],
}


class ShardSampler(ShardSampler):
    def __iter__(self):
        replay = VISIBLE_SHARDS.get((self.shuffle, self.drop_last, self.rank))
        return iter(replay if replay is not None else range(self.rank, self.dataset_len, self.num_replicas))


def broadcast_parameters(model, src=0):
    """Every rank was seeded the same way, so there is nothing to send."""


def average_gradients(model, world_size):
    """Nothing to average: every rank computes the gradient of the whole batch itself."""


def train_data_parallel(model, dataset, *, rank, world_size, steps, batch_size, lr, seed, use_ddp):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    everything = list(range(len(dataset)))
    losses = []
    for step in range(steps):
        batch = everything[(step * batch_size * world_size) % len(everything):][:batch_size * world_size]
        contexts, targets = dataset[batch]
        loss = F.cross_entropy(model(contexts), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
