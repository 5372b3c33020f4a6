"""Common mistake (lab 23): the labels keep pad_id at padded positions instead of -100."""
# overrides solution.py: only what differs from the reference solution is below


def collate(sequences: list[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, :len(seq)] = torch.tensor(seq, dtype=torch.long)
    return {"input_ids": ids[:, :-1], "labels": ids[:, 1:].clone(), "attention_mask": ids[:, :-1] != pad_id}
