"""Common mistake: optimizer.zero_grad() is never called."""
# overrides solution.py: only what differs from the reference solution is below


def train_skipgram(model, pairs: np.ndarray, noise: np.ndarray, k: int, epochs: int, batch_size: int,
                   lr: float, generator: torch.Generator) -> list[float]:
    pairs_t = torch.as_tensor(pairs, dtype=torch.long)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        order = torch.randperm(len(pairs_t), generator=generator)
        total, batches = 0.0, 0
        for start in range(0, len(order), batch_size):
            batch = pairs_t[order[start:start + batch_size]]
            negatives = sample_negatives(noise, len(batch), k, generator)
            loss = sgns_loss(model.center_vectors(batch[:, 0]), model.out_embed(batch[:, 1]),
                             model.out_embed(negatives))
            loss.backward()
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
        history.append(total / batches)
    return history
