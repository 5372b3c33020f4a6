"""Common mistake (lab 24): the documents are concatenated without the <eos> separator."""
# overrides solution.py: only what differs from the reference solution is below


def pack_documents(documents: list[list[int]], eos_id: int, block_size: int) -> torch.Tensor:
    stream = [token for document in documents for token in document]  # the end of each story is lost
    n_blocks = len(stream) // block_size
    return torch.tensor(stream[:n_blocks * block_size], dtype=torch.long).view(n_blocks, block_size)
