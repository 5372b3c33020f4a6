"""Common mistake: LSH candidates are not verified."""
# overrides solution.py: only what differs from the reference solution is below


def deduplicate(docs: list[str], k: int = 3, num_perm: int = 128, bands: int = 32,
                threshold: float = 0.5, seed: int = 1) -> list[int]:
    sets = [shingles(d, k) for d in docs]
    a, b = make_hash_params(num_perm, seed)
    signatures = np.stack([minhash_signature(s, a, b) for s in sets]) if docs else np.zeros((0, num_perm), np.int64)
    verified = lsh_candidates(signatures, bands)
    removed = {i for group in clusters(len(docs), verified) for i in group[1:]}
    return [i for i in range(len(docs)) if i not in removed]
