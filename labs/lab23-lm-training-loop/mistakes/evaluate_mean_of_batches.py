"""Common mistake (lab 23): evaluate averages the per-batch mean losses."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def evaluate(model, sequences: list[list[int]], batch_size: int, pad_id: int) -> float:
    was_training = model.training
    model.eval()
    batch_losses = []
    for start in range(0, len(sequences), batch_size):
        batch = collate(sequences[start:start + batch_size], pad_id)
        batch_losses.append(float(lm_loss(model(batch["input_ids"], batch["attention_mask"]), batch["labels"])))
    model.train(was_training)
    return sum(batch_losses) / len(batch_losses)
