"""Common mistake (lab 26): the table reports the last mini-batch's training loss, not the validation
loss of the trained model."""
# overrides solution.py: only what differs from the reference solution is below


def run_experiment(config: dict, make_model, train_seqs: list[list[int]], val_seqs: list[list[int]], steps: int,
                   seed: int) -> dict:
    model = make_model(seed)
    optimizer = torch.optim.AdamW(param_groups(model, config["weight_decay"]), lr=config["lr"], betas=BETAS)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, config["lr"], config["warmup_steps"], steps)
        rows = torch.randint(len(train_seqs), (config["batch_size"],), generator=generator).tolist()
        batch = collate([train_seqs[i] for i in rows])
        loss = lm_loss(model(batch["input_ids"], batch["attention_mask"]), batch["labels"])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
        optimizer.step()
    return {"config": dict(config), "val_loss": float(loss.detach()), "state_dict": model.state_dict()}
