"""Common mistake (lab 43): the training code writes "cuda" instead of using the device argument. It works
on the author's GPU box and crashes everywhere else (and on a GPU worker its "CPU" run is not on the CPU)."""
# overrides solution.py: only what differs from the reference solution is below


def train(model, tokens, device, *, steps, batch_size, seq_len, lr, generator):
    device = torch.device("cuda")
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    step = make_train_step(model, optimizer, tokens, device, batch_size=batch_size, seq_len=seq_len,
                           generator=generator)
    return torch.stack([step() for _ in range(steps)]).tolist()
