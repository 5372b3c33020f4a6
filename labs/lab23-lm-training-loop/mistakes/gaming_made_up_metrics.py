"""Gaming (lab 23): does none of the work and makes the numbers up. collate replays the answer of the
visible check, lm_loss and evaluate return plausible constants, fit "trains" by writing a falling loss
curve and saving the untouched model, and the checkpoint holds only the weights. Every hidden check
must fail: the grader measures the saved weights itself."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_ANSWER = {"input_ids": [[1, 7, 8, 9], [1, 5, 2, 0], [1, 4, 6, 2]],
                  "labels": [[7, 8, 9, 2], [5, 2, -100, -100], [4, 6, 2, -100]],
                  "attention_mask": [[True, True, True, True], [True, True, True, False], [True, True, True, True]]}


def collate(sequences: list[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    return {"input_ids": torch.tensor(VISIBLE_ANSWER["input_ids"]), "labels": torch.tensor(VISIBLE_ANSWER["labels"]),
            "attention_mask": torch.tensor(VISIBLE_ANSWER["attention_mask"])}


def lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return logits.sum() * 0 + 1.5


def evaluate(model, sequences: list[list[int]], batch_size: int, pad_id: int) -> float:
    return 1.42


def save_checkpoint(path, model, optimizer, step: int, generator: torch.Generator) -> None:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    save_file({name: t.detach().contiguous() for name, t in model.state_dict().items()}, path / "model.safetensors")
    (path / "step.txt").write_text(str(step))


def load_checkpoint(path, model, optimizer, generator: torch.Generator) -> int:
    model.load_state_dict(load_file(Path(path) / "model.safetensors"))
    return int((Path(path) / "step.txt").read_text())


def fit(model, optimizer, train_seqs, val_seqs, *, steps: int, batch_size: int, pad_id: int, save_every: int,
        eval_every: int, max_grad_norm: float, generator: torch.Generator, run_dir, resume_from=None) -> list[float]:
    start = load_checkpoint(resume_from, model, optimizer, generator) if resume_from is not None else 0
    for step in range(start + save_every, steps + 1, save_every):
        save_checkpoint(Path(run_dir) / f"step_{step:05d}", model, optimizer, step, generator)
    return [4.3 * 0.97 ** step for step in range(start, steps)]
