"""Common mistake (lab 31): pre-training style packing that cuts examples in the middle."""
# overrides solution.py: only what differs from the reference solution is below


def pack_examples(examples: list[tuple[list[int], list[int]]], block_size: int,
                  pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    ids = [token for example_ids, _ in examples for token in example_ids]
    labels = [label for _, example_labels in examples for label in example_labels]
    n_blocks = len(ids) // block_size  # a reply can start in one block and end in the next
    return (torch.tensor(ids[:n_blocks * block_size]).view(n_blocks, block_size),
            torch.tensor(labels[:n_blocks * block_size]).view(n_blocks, block_size))
